// k = 3 with two honest providers and one whose worker perturbs its outputs: the job settles
// with the honest output (checked against a worker asked directly), the two honest providers
// are paid, the liar is slashed and named as dissenting.
const { lib, PROVIDERS, load, save, log, connect, INPUT, referenceDigest } = require('./common.js');

async function run(nodeName, networkInfo) {
  const synod = await lib();
  const { model } = load();
  const input = synod.encodeInput(INPUT, 'f32');
  const honest = await referenceDigest(PROVIDERS[0].worker, input);
  const api = await connect(networkInfo, nodeName);
  try {
    const alice = synod.signer('//Alice');
    const { job } = await synod.submitJob(api, alice, { model, input, redundancy: 3, maxPrice: synod.parseAmount('0.01SYN'), deadlineBlocks: 60 });
    const slashed = [];
    const out = await synod.waitForJob(api, job, (s) => {
      log(`#${s.block} job ${job}: ${s.text}`);
      if (s.event === 'ProviderSlashed') slashed.push(s.data.provider);
    });
    if (!out.settled) throw new Error(`job ${job} did not settle: ${JSON.stringify(out.event)}`);
    const r = await synod.receipt(api, job);
    const addr = (p) => synod.signer(p.suri).address;
    const liar = addr(PROVIDERS[2]);
    const ok = r.outputDigest === honest
      && r.agreeing.length === 2 && r.agreeing.includes(addr(PROVIDERS[0])) && r.agreeing.includes(addr(PROVIDERS[1]))
      && r.dissenting.length === 1 && r.dissenting[0] === liar
      && slashed.includes(liar);
    log(`receipt digest ${r.outputDigest}, reference ${honest}; agreeing ${r.agreeing.length}, dissenting ${r.dissenting}, slashed ${slashed}`);
    if (!ok) throw new Error('the liar was not outvoted and slashed as expected');
    save({ liarJob: job });
    return 0;
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
