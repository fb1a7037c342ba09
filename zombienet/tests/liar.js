// Four providers, one of whose workers perturbs its outputs (the liar); five jobs of k = 3 with
// different inputs, submitted in one submit_batch, the last of them a cohort of four members
// (one job whose members are answered together: the liar's perturbed members make its root
// differ, and the cohort escalates like a job). A job the liar is drawn for does not agree
// unanimously and escalates (JobEscalated: the one provider left is drawn); the larger set
// settles it with the honest output, the liar is slashed and named dissenting, the honest ones
// are paid. A job without the liar settles unanimously. Every receipt's digest is checked
// against an honest worker asked directly (not through the chain).
const { lib, IN_BLOCK, PROVIDERS, load, save, log, connect, INPUT, referenceDigest } = require('./common.js');

const JOBS = 5; // the liar is drawn for none of them with probability (1/4)^5 < 0.1%
const MEMBERS = 4; // the last job is a cohort of this many members

async function run(nodeName, networkInfo) {
  const synod = await lib();
  const { model } = load();
  const api = await connect(networkInfo, nodeName);
  try {
    const alice = synod.signer('//Alice');
    const addr = (p) => synod.signer(p.suri).address;
    const liar = addr(PROVIDERS.find((p) => p.liar));
    const one = (b) => synod.encodeInput(INPUT.map((v) => v + b / 16), 'f32');
    const inputs = Array.from({ length: JOBS }, (_, b) => (b === JOBS - 1 ? Array.from({ length: MEMBERS }, (_, m) => one(b + m / 4)) : one(b)));
    const items = inputs.map((input) => ({ model, input, redundancy: 3, maxPrice: synod.parseAmount('0.01SYN'), deadlineBlocks: 80 }));
    const { jobs } = await synod.submitBatch(api, alice, items, IN_BLOCK);
    log(`jobs ${jobs.map((j) => j.job).join(', ')} submitted in one submit_batch`);
    const results = await Promise.all(jobs.map(async ({ job }, i) => {
      const seen = { assigned: [], escalated: [], slashed: [] };
      const out = await synod.waitForJob(api, job, (s) => {
        log(`#${s.block} job ${job}: ${s.text}`);
        if (s.event === 'JobAssigned') seen.assigned.push(...s.data.providers);
        if (s.event === 'JobEscalated') seen.escalated.push(...s.data.providers);
        if (s.event === 'ProviderSlashed') seen.slashed.push(s.data.provider);
      }, IN_BLOCK);
      return { job, i, out, seen };
    }));
    const liarJobs = [];
    for (const { job, i, out, seen } of results) {
      if (!out.settled) throw new Error(`job ${job} did not settle: ${synod.toJson(out.event)}`);
      const r = await synod.receipt(api, job);
      let honest;
      if (Array.isArray(inputs[i])) {
        // A cohort: each member's digest is what the honest worker gives that input alone.
        const members = [];
        for (const input of inputs[i]) members.push(await referenceDigest(PROVIDERS[0].worker, model, input));
        if (JSON.stringify(r.members) !== JSON.stringify(members)) throw new Error(`cohort ${job}: receipt members ${r.members}, honest ${members}`);
        honest = synod.membersRoot(members);
      } else honest = await referenceDigest(PROVIDERS[0].worker, model, inputs[i]);
      log(`job ${job}: receipt digest ${r.outputDigest}, reference ${honest}; agreeing ${r.agreeing.length}, dissenting ${r.dissenting}, escalated to ${seen.escalated}, slashed ${seen.slashed}`);
      if (r.outputDigest !== honest) throw new Error(`job ${job} settled with ${r.outputDigest}, the honest output digests to ${honest}`);
      if (seen.assigned.includes(liar)) {
        liarJobs.push(job);
        const ok = seen.escalated.length === 1 && !seen.escalated.includes(liar)
          && r.agreeing.length === 3 && !r.agreeing.includes(liar)
          && r.dissenting.length === 1 && r.dissenting[0] === liar && seen.slashed.includes(liar);
        if (!ok) throw new Error(`job ${job} with the liar did not escalate, outvote and slash it as expected`);
      } else if (r.agreeing.length !== 3 || r.dissenting.length !== 0 || seen.escalated.length !== 0) {
        throw new Error(`job ${job} without the liar did not settle unanimously`);
      }
    }
    log(`the liar was drawn for jobs ${liarJobs.join(', ')}: each escalated and settled honestly; the others settled unanimously`);
    if (liarJobs.length === 0) throw new Error('the liar was drawn for none of the jobs');
    save({ liarJob: liarJobs[0] });
    return 0;
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
