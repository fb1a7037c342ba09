#!/usr/bin/env node
// End-to-end figures on a running dev network (scripts/bench-e2e.sh starts one):
//   latency   submission → JobSettled, in blocks and seconds, N jobs in turn per model (k = 3)
//   audited   --audited-jobs N audited jobs in turn on the first model: submission →
//             JobSettled, in blocks and seconds, apart for those the chain audited and those it
//             did not (fresh providers are audited always; the rate halves as their records grow)
//   sustained jobs settled per minute over --duration seconds with --inflight jobs kept open
//             (topped up with one submit_batch per block; with --cohort M > 1 the jobs go as
//             cohorts of M members, each member counted as a job),
//             with the node's RSS and CPU sampled from /proc/<--node-pid>
// Prints a JSON summary on stdout (progress on stderr).

import { readFileSync } from 'node:fs';
import { arg } from './args.mjs';
import * as synod from './synod.mjs';

// Latencies are measured to the block a job settles in (in-block), as since the first run.
const IN_BLOCK = { finality: 'inBlock' };
const url = arg('url', 'ws://127.0.0.1:9944');
const workerUrl = arg('worker', 'http://127.0.0.1:7400');
const base = arg('source-base');
const manifests = arg('manifests').split(',');
const latencyJobs = Number(arg('latency-jobs', '5'));
const auditedJobs = Number(arg('audited-jobs', '0'));
const duration = Number(arg('duration', '600'));
const inflightTarget = Number(arg('inflight', '12'));
const concurrency = Number(arg('concurrency', '16'));
const cohort = Number(arg('cohort', '1'));
const nodePid = arg('node-pid');
const say = (s) => process.stderr.write(`bench-e2e: ${s}\n`);

const api = await synod.connect(url);
const alice = synod.signer('//Alice');
const PRICE = synod.parseAmount('0.01SYN');

// Models, and an input for each (MiniLM: the first tokenized sentence).
const models = [];
for (const path of manifests) {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const { model } = await synod.registerModel(api, alice, synod.manifestFromJson(json, { sourceBase: base }), IN_BLOCK);
  const n = json.input.shape.slice(1).reduce((a, b) => a * b, 1);
  let values = Array.from({ length: n }, (_, i) => ((i % 17) - 8) / 8);
  if (json.name.includes('MiniLM')) {
    const inputs = JSON.parse(readFileSync(path.replace(/\.json$/, '.inputs.json'), 'utf8'));
    values = inputs.ids[0];
  }
  models.push({ name: json.name, model, input: synod.encodeInput(values, json.input.dtype) });
}
await synod.setupDevProviders(api, { suris: ['//Bob', '//Charlie', '//Dave'], workerUrl, models: models.map((m) => m.model), bond: synod.parseAmount('1000SYN'), price: PRICE, concurrency, ...IN_BLOCK });
say(`models ${models.map((m) => m.name).join(', ')}; three providers`);

const head = async () => (await api.rpc.chain.getHeader()).number.toNumber();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };

// Latency.
const latency = {};
for (const m of models) {
  const rows = [];
  for (let i = 0; i < latencyJobs; i++) {
    const t0 = Date.now();
    const { job, blockNumber } = await synod.submitJob(api, alice, { model: m.model, input: m.input, redundancy: 3, maxPrice: PRICE, deadlineBlocks: 100, ...IN_BLOCK });
    const included = await head();
    const out = await synod.waitForJob(api, job, () => {}, { ...IN_BLOCK, from: blockNumber });
    if (!out.settled) throw new Error(`${m.name} job ${job} failed: ${synod.toJson(out.event)}`);
    const row = { blocks: out.block - included, seconds: (Date.now() - t0) / 1000 };
    rows.push(row);
    say(`${m.name} job ${job}: ${row.blocks} blocks, ${row.seconds.toFixed(1)} s`);
  }
  if (!rows.length) continue;
  latency[m.name] = {
    jobs: rows.length,
    blocks_median: median(rows.map((r) => r.blocks)), blocks_max: Math.max(...rows.map((r) => r.blocks)),
    seconds_median: median(rows.map((r) => r.seconds)), seconds_max: Math.max(...rows.map((r) => r.seconds)),
  };
}

// Audited jobs in turn on the first model.
const auditedRows = [];
for (let i = 0; i < auditedJobs; i++) {
  const m0 = models[0];
  const input = synod.encodeInput(Array.from({ length: m0.input.length / 4 }, (_, j) => ((j * (i + 5)) % 13 - 6) / 8), 'f32');
  const t0 = Date.now();
  const { job, blockNumber } = await synod.submitJob(api, alice, { model: m0.model, input: m0.name.includes('MiniLM') ? m0.input : input, audited: true, maxPrice: PRICE, deadlineBlocks: 100, ...IN_BLOCK });
  const included = await head();
  let audited = null;
  const out = await synod.waitForJob(api, job, (s) => {
    if (s.event === 'AuditStarted') audited = true;
    if (s.event === 'AuditSkipped') audited = false;
  }, { ...IN_BLOCK, from: blockNumber });
  if (!out.settled) throw new Error(`audited job ${job} failed: ${synod.toJson(out.event)}`);
  const row = { audited, blocks: out.block - included, seconds: (Date.now() - t0) / 1000 };
  auditedRows.push(row);
  say(`${m0.name} audited job ${job}: ${audited ? 'audited' : 'not audited'}, ${row.blocks} blocks, ${row.seconds.toFixed(1)} s`);
}
const summary = (rows) => (rows.length ? {
  jobs: rows.length,
  blocks_median: median(rows.map((r) => r.blocks)), blocks_max: Math.max(...rows.map((r) => r.blocks)),
  seconds_median: median(rows.map((r) => r.seconds)), seconds_max: Math.max(...rows.map((r) => r.seconds)),
} : null);
const latencyAudited = auditedJobs > 0 ? {
  model: models[0].name,
  audited: summary(auditedRows.filter((r) => r.audited)),
  unaudited: summary(auditedRows.filter((r) => !r.audited)),
} : undefined;

// Sustained load on the first model (none with --duration 0).
const m = models[0];
// Counted in jobs: a cohort of M is M jobs.
let inflight = 0, settled = 0, failed = 0, submitted = 0, cohortsSettled = 0;
const size = Math.max(cohort, 1); // jobs per submission item
let nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
const samples = [];
const MS_PER_TICK = 10; // USER_HZ is 100 on Linux
let lastCpu = null;
const sample = () => {
  if (!nodePid) return;
  try {
    const stat = readFileSync(`/proc/${nodePid}/stat`, 'utf8').split(') ')[1].split(' ');
    const cpu = Number(stat[11]) + Number(stat[12]); // utime + stime, clock ticks
    const rss = Number(readFileSync(`/proc/${nodePid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;
    const now = Date.now();
    if (lastCpu) samples.push({ rss, cpu: ((cpu - lastCpu.cpu) * MS_PER_TICK) / (now - lastCpu.t) * 100 });
    lastCpu = { cpu, t: now };
  } catch { /* the node exited: the run fails below */ }
};
const t0 = Date.now();
const startBlock = await head();
if (duration > 0) {
  say(`sustained: ${duration} s with ${inflightTarget} jobs kept open (${m.name}${cohort > 1 ? `, cohorts of ${cohort}` : ''})`);
  await new Promise((resolve, reject) => {
    let unsub = () => {};
    let busy = false;
    api.rpc.chain.subscribeNewHeads(async (header) => {
      if (busy) return;
      busy = true;
      try {
        const events = await (await api.at(header.hash)).query.system.events();
        for (const { event } of events) {
          if (event.section !== 'jobs') continue;
          if (event.method === 'JobSubmitted') inflight += size;
          if (event.method === 'JobSettled') { inflight -= size; settled += size; cohortsSettled++; }
          if (event.method === 'JobFailed') { inflight -= size; failed += size; }
        }
        sample();
        const elapsed = (Date.now() - t0) / 1000;
        if (elapsed >= duration) { unsub(); resolve(); return; }
        const pending = submitted - (settled + failed + inflight); // sent, not yet in a block
        // The shortfall goes out as one submit_batch (at most 64 jobs or cohorts) per block.
        const want = Math.min(64, Math.floor((inflightTarget - (inflight + pending)) / size));
        if (want > 0) {
          const n = nonce++;
          submitted += want * size;
          const input = cohort > 1 ? Array.from({ length: cohort }, () => m.input) : m.input;
          const item = { model: m.model, input, redundancy: 3, maxPrice: PRICE, deadlineBlocks: 100 };
          synod.submitBatch(api, alice, Array.from({ length: want }, () => item), { nonce: n, ...IN_BLOCK })
            .catch((e) => say(`submit failed: ${e.message}`));
        }
        if (header.number.toNumber() % 10 === 0) say(`#${header.number}: ${elapsed.toFixed(0)} s, settled ${settled}, failed ${failed}, open ${inflight}`);
      } catch (e) { unsub(); reject(e); } finally { busy = false; }
    }).then((u) => { unsub = u; }).catch(reject);
  });
}
const minutes = (Date.now() - t0) / 60000;
const blocks = (await head()) - startBlock;
const result = {
  latency,
  ...(latencyAudited ? { latency_audited: latencyAudited } : {}),
  sustained: duration <= 0 ? null : {
    model: m.name, seconds: Math.round(minutes * 60), blocks, inflight_target: inflightTarget,
    cohort_members: cohort, settled, failed, jobs_per_minute: +(settled / minutes).toFixed(1),
    jobs_per_second: +(settled / minutes / 60).toFixed(2), ...(cohort > 1 ? { cohorts_settled: cohortsSettled } : {}),
    node_rss_mib_max: samples.length ? +Math.max(...samples.map((s) => s.rss)).toFixed(0) : null,
    node_rss_mib_mean: samples.length ? +(samples.reduce((a, s) => a + s.rss, 0) / samples.length).toFixed(0) : null,
    node_cpu_percent_mean: samples.length ? +(samples.reduce((a, s) => a + s.cpu, 0) / samples.length).toFixed(1) : null,
  },
};
console.log(JSON.stringify(result, null, 2));
await api.disconnect();
