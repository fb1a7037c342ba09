// Audited jobs on the network with the lying worker.
//   1. The liar paused: three audited jobs served by the honest providers settle with the
//      honest output (audited or not, as the chain draws it), each receipt saying how, and
//      their escrow all paid or refunded.
//   2. Every clean record cleared by the chain's root (so every job is audited, as a
//      newcomer's is) and one honest provider paused: an audited job's primary and two
//      auditors are the three providers left, the liar among them. Its answer differs from the
//      others', the audit escalates (the paused provider resumed by then), the honest output
//      settles it, and the liar is slashed and named dissenting.
const { lib, IN_BLOCK, PROVIDERS, log, connect, load, INPUT, referenceDigest } = require('./common.js');

const PRICE = '0.01SYN';

async function run(nodeName, networkInfo) {
  const synod = await lib();
  const { model } = load();
  const api = await connect(networkInfo, nodeName);
  try {
    const alice = synod.signer('//Alice');
    const pairs = PROVIDERS.map((p) => synod.signer(p.suri));
    const liarPair = pairs[PROVIDERS.findIndex((p) => p.liar)];
    const honestPairs = pairs.filter((p) => p !== liarPair);
    const price = synod.parseAmount(PRICE);
    const size = synod.auditSize(api);
    // A provider's own off-chain worker signs with the same key (heartbeats, commits): a
    // transaction of ours can lose its nonce to one of those and is then sent again.
    const sendAs = async (pair, call) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await synod.send(api, call(), pair, IN_BLOCK);
        } catch (e) {
          // A dispatch error (the call ran and failed) is not sent again.
          if (attempt >= 4 || /^\w+\.\w+:/.test(e.message)) throw e;
          log(`${pair.address}: ${e.message}; sending again`);
          await new Promise((res) => setTimeout(res, 3000));
        }
      }
    };
    const all = (ps, call) => Promise.all(ps.map((p) => sendAs(p, call)));
    const input = (b) => synod.encodeInput(INPUT.map((v) => v - b / 32), 'f32');

    const follow = (job) => {
      const seen = { assigned: [], audited: null, auditors: [], escalated: [], slashed: [] };
      const done = synod.waitForJob(api, job, (s) => {
        log(`#${s.block} audited job ${job}: ${s.text}`);
        if (s.event === 'JobAssigned') seen.assigned.push(...s.data.providers);
        if (s.event === 'AuditStarted') { seen.audited = true; seen.auditors = s.data.auditors; }
        if (s.event === 'AuditSkipped') seen.audited = false;
        if (s.event === 'JobEscalated') seen.escalated.push(...s.data.providers);
        if (s.event === 'ProviderSlashed') seen.slashed.push(s.data.provider);
      }, IN_BLOCK);
      return { seen, done };
    };
    const check = async (job, inputBytes, seen, out, escrow) => {
      if (!out.settled) throw new Error(`audited job ${job} did not settle: ${synod.toJson(out.event)}`);
      const r = await synod.receipt(api, job);
      const honest = await referenceDigest(PROVIDERS[0].worker, model, inputBytes);
      if (r.outputDigest !== honest) throw new Error(`audited job ${job} settled with ${r.outputDigest}, the honest output digests to ${honest}`);
      if (BigInt(r.paid) + BigInt(r.refunded) !== escrow) throw new Error(`audited job ${job}: paid ${r.paid} + refunded ${r.refunded} != escrow ${escrow}`);
      const v = r.verification;
      if (seen.audited === true && JSON.stringify(v.audited?.auditors) !== JSON.stringify(seen.auditors)) throw new Error(`job ${job}: receipt ${JSON.stringify(v)}, auditors drawn ${seen.auditors}`);
      if (seen.audited === false && !('unaudited' in v)) throw new Error(`job ${job}: receipt ${JSON.stringify(v)} for an unaudited job`);
      if (seen.audited === null) throw new Error(`job ${job} settled without an audit decision`);
      return r;
    };

    // 1. The honest providers' audited jobs.
    await sendAs(liarPair, () => api.tx.providers.pause());
    log('the liar paused: three audited jobs for the honest providers');
    const honestJobs = [];
    for (let b = 0; b < 3; b++) {
      const bytes = input(b + 1);
      const s = await synod.submitJob(api, alice, { model, input: bytes, audited: true, maxPrice: price, deadlineBlocks: 100, ...IN_BLOCK });
      if (s.escrow !== 2n * BigInt(size) * price) throw new Error(`audited escrow ${s.escrow}, expected 2 × ${size} × price`);
      honestJobs.push({ ...s, bytes, ...follow(s.job) });
    }
    for (const j of honestJobs) {
      const r = await check(j.job, j.bytes, j.seen, await j.done, j.escrow);
      if (r.dissenting.length !== 0) throw new Error(`honest audited job ${j.job} has dissenters ${r.dissenting}`);
      log(`audited job ${j.job}: settled honestly, verified ${synod.verificationText(r)}`);
    }

    // 2. The liar in an audit. The chain's root clears every clean record (a test fixture:
    // everyone is then audited always, as newcomers are), and one honest provider pauses, so
    // that the job's primary and its two auditors are the three providers left, the liar
    // among them. The paused one resumes once the audit is drawn: the escalation needs it.
    const cleared = await synod.send(api, api.tx.sudo.sudo(api.tx.system.killPrefix(api.query.jobs.auditRecord.keyPrefix(), 64)), alice, IN_BLOCK);
    const sudid = cleared.events.find(({ event }) => event.section === 'sudo' && event.method === 'Sudid');
    if (!sudid || !sudid.event.data[0].isOk) throw new Error('clearing the clean records as root failed');
    const spare = honestPairs[honestPairs.length - 1];
    await sendAs(spare, () => api.tx.providers.pause());
    await sendAs(liarPair, () => api.tx.providers.resume());
    log(`records cleared, ${spare.address} paused, the liar resumed: an audited job for the three others`);
    const bytes = input(7);
    const s = await synod.submitJob(api, alice, { model, input: bytes, audited: true, maxPrice: price, deadlineBlocks: 100, ...IN_BLOCK });
    const j = follow(s.job);
    for (let i = 0; i < 240 && j.seen.audited === null; i++) await new Promise((res) => setTimeout(res, 500));
    await sendAs(spare, () => api.tx.providers.resume());
    const out = await j.done;
    const inAudit = [...j.seen.assigned.slice(0, 1), ...j.seen.auditors];
    if (!inAudit.includes(liarPair.address)) throw new Error(`the liar was not in the audit: ${inAudit}`);
    const r = await check(s.job, bytes, j.seen, out, s.escrow);
    const caught = j.seen.audited === true && j.seen.slashed.includes(liarPair.address)
      && r.dissenting.length === 1 && r.dissenting[0] === liarPair.address && !r.agreeing.includes(liarPair.address);
    if (!caught) throw new Error(`audited job ${s.job} did not catch the liar: ${synod.toJson(j.seen)}`);
    const role = j.seen.assigned[0] === liarPair.address ? 'primary' : 'auditor';
    log(`audited job ${s.job}: the liar (${role}) disagreed with the audit, escalated to ${j.seen.escalated}; settled honestly and the liar slashed`);
    return 0;
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
