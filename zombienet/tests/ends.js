// The job whose provider stopped mid-job ends: when the stopped provider (eve) was drawn for it,
// it is taken out of the vote at the end of the commit window (slashed when the job ends) and replaced by a provider not drawn yet
// (ProvidersReplaced), and the job settles; then: no escrow left held, no collateral locked
// without an open job, and the total issuance moved by exactly the fees (transaction and queue) and the slashed
// collateral burned meanwhile (payments and the payers' compensation only move money).
const { lib, IN_BLOCK, PROVIDERS, load, log, connect, burnsBetween, finalizedAtLeast, jobEvents } = require('./common.js');

async function run(nodeName, networkInfo) {
  const synod = await lib();
  const { faultJob: job, faultHead, faultIssuance } = load();
  const api = await connect(networkInfo, nodeName);
  try {
    let out;
    const receiptNow = await synod.receipt(api, job);
    if (receiptNow) out = { settled: true, block: receiptNow.settledAt };
    else if (!(await synod.job(api, job))) throw new Error(`job ${job} is gone without a receipt and was not watched`);
    else out = await synod.waitForJob(api, job, (s) => log(`#${s.block} job ${job}: ${s.text}`), IN_BLOCK);
    log(`job ${job} ${out.settled ? 'settled' : 'failed and was refunded'} at #${out.block}`);
    const end = await finalizedAtLeast(api, out.block);
    const events = await jobEvents(api, job, faultHead, end);
    const eve = synod.signer(PROVIDERS[0].suri).address;
    const drawn = events.filter((e) => e.method === 'JobAssigned').flatMap((e) => e.data.providers);
    const replaced = events.filter((e) => e.method === 'ProvidersReplaced');
    log(`drawn ${drawn}; replaced ${synod.toJson(replaced.map((e) => e.data))}`);
    if (drawn.includes(eve)) {
      if (!replaced.some((e) => e.data.replaced.includes(eve))) throw new Error('eve was drawn, stopped, and not replaced');
      if (!out.settled) throw new Error('eve was replaced, yet the job did not settle');
    }
    const at = await api.at(await api.rpc.chain.getBlockHash(end));
    const alice = synod.signer('//Alice').address;
    // The escrow is released; the storage deposit stays held with the receipt (a day).
    const holds = (await at.query.balances.holds(alice)).toJSON();
    if (holds.some((h) => JSON.stringify(h.id).includes('JobEscrow') || JSON.stringify(h.id).includes('jobEscrow'))) throw new Error(`escrow still held: ${JSON.stringify(holds)}`);
    for (const p of PROVIDERS) {
      const who = synod.signer(p.suri).address;
      const rec = (await at.query.providers.providers(who)).unwrap();
      const open = await at.query.jobs.providerJobs(who); // the provider's open job ids
      if (open.length === 0 && rec.locked.toBigInt() !== 0n) throw new Error(`${p.node} has ${rec.locked} locked with no open job`);
    }
    const issuance = (await at.query.balances.totalIssuance()).toBigInt();
    const { fees, slashes, queueFees } = await burnsBetween(api, faultHead, end);
    log(`issuance ${BigInt(faultIssuance)} -> ${issuance}, fees burned ${fees}, queue fees burned ${queueFees}, slashed collateral burned ${slashes}`);
    if (BigInt(faultIssuance) - issuance !== fees + slashes + queueFees) throw new Error(`issuance moved by ${BigInt(faultIssuance) - issuance}, fees were ${fees}, queue fees ${queueFees}, slashes burned ${slashes}`);
    return 0;
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
