// Submits a job and returns at once (the network file then stops one provider node): records
// the head and the total issuance before it, for ends.js's accounting.
const { lib, IN_BLOCK, load, save, log, connect, INPUT } = require('./common.js');

async function run(nodeName, networkInfo) {
  const synod = await lib();
  const { model } = load();
  const api = await connect(networkInfo, nodeName);
  try {
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    const issuance = (await api.at(await api.rpc.chain.getBlockHash(head))).query.balances.totalIssuance();
    const input = synod.encodeInput(INPUT.map((v) => v * 2), 'f32');
    const { job } = await synod.submitJob(api, synod.signer('//Alice'), { model, input, redundancy: 3, maxPrice: synod.parseAmount('0.01SYN'), deadlineBlocks: 60, ...IN_BLOCK });
    log(`job ${job} submitted after #${head}; stopping a provider now`);
    save({ faultJob: job, faultHead: head, faultIssuance: (await issuance).toBigInt() });
    return 0;
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
