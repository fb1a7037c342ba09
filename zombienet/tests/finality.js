// With one validator stopped, the other three keep finalizing: three more blocks within 2 minutes.
const { log, connect, finalizedAtLeast } = require('./common.js');

async function run(nodeName, networkInfo) {
  const api = await connect(networkInfo, nodeName);
  try {
    const f0 = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    const f1 = await finalizedAtLeast(api, f0 + 3, 120_000);
    log(`finalized #${f0} -> #${f1} with a validator down`);
    return 0;
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
