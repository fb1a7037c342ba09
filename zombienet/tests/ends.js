// The job whose provider stopped mid-job ends (settled by the others, or failed and refunded);
// then: no escrow left held, no collateral locked without an open job, and the total issuance
// moved by exactly the fees burned meanwhile (slashes and payments only move money).
const { lib, PROVIDERS, load, log, connect, feesBetween, finalizedAtLeast } = require('./common.js');

async function run(nodeName, networkInfo) {
  const synod = await lib();
  const { faultJob: job, faultHead, faultIssuance } = load();
  const api = await connect(networkInfo, nodeName);
  try {
    let out;
    const receiptNow = await synod.receipt(api, job);
    if (receiptNow) out = { settled: true, block: receiptNow.settledAt };
    else if (!(await synod.job(api, job))) throw new Error(`job ${job} is gone without a receipt and was not watched`);
    else out = await synod.waitForJob(api, job, (s) => log(`#${s.block} job ${job}: ${s.text}`));
    log(`job ${job} ${out.settled ? 'settled' : 'failed and was refunded'} at #${out.block}`);
    const end = await finalizedAtLeast(api, out.block);
    const at = await api.at(await api.rpc.chain.getBlockHash(end));
    const alice = synod.signer('//Alice').address;
    const holds = (await at.query.balances.holds(alice)).toJSON();
    if (holds.some((h) => JSON.stringify(h.id).includes('jobs') || JSON.stringify(h.id).includes('Jobs'))) throw new Error(`escrow still held: ${JSON.stringify(holds)}`);
    for (const p of PROVIDERS) {
      const who = synod.signer(p.suri).address;
      const rec = (await at.query.providers.providers(who)).unwrap();
      const open = await at.query.jobs.providerJobs(who); // the provider's open job ids
      if (open.length === 0 && rec.locked.toBigInt() !== 0n) throw new Error(`${p.node} has ${rec.locked} locked with no open job`);
    }
    const issuance = (await at.query.balances.totalIssuance()).toBigInt();
    const fees = await feesBetween(api, faultHead, end);
    log(`issuance ${BigInt(faultIssuance)} -> ${issuance}, fees burned ${fees}`);
    if (BigInt(faultIssuance) - issuance !== fees) throw new Error(`issuance moved by ${BigInt(faultIssuance) - issuance}, fees were ${fees}`);
    return 0;
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
