#!/usr/bin/env node
// A burst of jobs on a running dev network (scripts/e2e.sh runs it after the demo): `--jobs`
// (default 500) jobs of one model submitted at once, as fast as the client can: `submit_batch`
// transactions of 64 from three payers, all sent before the first is in a block. The chain
// assigns what its providers' free slots take and queues the rest (each model's waiting line);
// the check is that every job settles by its deadline (none fails), that no escrow is left
// held, and that finality keeps going. Writes the figures as JSON (--out): submitted, settled,
// failed, seconds (first submission to last settlement), max_queue (the most jobs queued or
// waiting at a block), node_rss_mib (the node's peak resident memory), blocks, finalized.
//
//   node burst.mjs --url ws://127.0.0.1:9944 --model 0x… [--jobs 500] [--redundancy 3]
//     [--payers //Alice,//Eve,//Ferdie] [--node-pid PID] [--out burst.json] [--timeout 1200]

import { readFileSync, writeFileSync } from 'node:fs';
import { arg } from './args.mjs';
import * as synod from './synod.mjs';

const say = (s) => console.log(`burst: ${s}`);
const fail = (s) => { console.error(`burst: FAIL: ${s}`); process.exit(1); };

const url = arg('url', 'ws://127.0.0.1:9944');
const model = arg('model');
const total = Number(arg('jobs', '500'));
const redundancy = Number(arg('redundancy', '3'));
const payers = arg('payers', '//Alice,//Eve,//Ferdie').split(',').map((s) => synod.signer(s));
const nodePid = arg('node-pid');
const out = arg('out');
const timeoutS = Number(arg('timeout', '1200'));
if (!model) fail('--model is required');
const timer = setTimeout(() => fail(`not done within ${timeoutS} s`), timeoutS * 1000);

const api = await synod.connect(url);
const manifest = (await api.call.modelsApi.manifest(model)).unwrap();
const dtype = manifest.input.dtype.type;
const width = manifest.input.shape.map((d) => (d.isSome ? d.unwrap().toNumber() : 1)).reduce((a, b) => a * b, 1);
const PRICE = synod.parseAmount('0.01SYN');
const MAX_BATCH = api.consts.jobs.maxBatch.toNumber();
const maxDuration = api.consts.jobs.maxJobDuration.toNumber();
const rssMib = () => {
  if (!nodePid) return null;
  try {
    const m = readFileSync(`/proc/${nodePid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
    return m ? Number(m[1]) / 1024 : null;
  } catch { return null; }
};

// Every job's input differs (so that every job is its own work).
const input = (j) => synod.encodeInput(Array.from({ length: width }, (_, i) => ((j * 7 + i * 13) % 97) / 97 - 0.5), dtype);
const batches = [];
for (let j = 0; j < total; j += MAX_BATCH) {
  batches.push(Array.from({ length: Math.min(MAX_BATCH, total - j) }, (_, k) => ({
    model, input: input(j + k), redundancy, maxPrice: PRICE, deadlineBlocks: maxDuration - 10,
  })));
}

// Follow every block from now: job events, the queue's length, the node's memory, finality.
const ours = new Set();
const settledAt = new Map();
const failed = new Map();
let maxQueue = 0;
let maxRss = rssMib() ?? 0;
let blocks = 0;
const finalized0 = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
const unsub = await api.rpc.chain.subscribeNewHeads(async (header) => {
  blocks++;
  const at = await api.at(header.hash);
  const [events, next, cursor, lines] = await Promise.all([
    at.query.system.events(), at.query.jobs.nextJobId(), at.query.jobs.assignCursor(), at.query.jobs.waitLines.entries(),
  ]);
  const waiting = lines.reduce((s, [, l]) => s + (l.tail.toNumber() - l.head.toNumber()), 0);
  maxQueue = Math.max(maxQueue, next.toNumber() - cursor.toNumber() + waiting);
  maxRss = Math.max(maxRss, rssMib() ?? 0);
  for (const { event } of events) {
    if (event.section !== 'jobs') continue;
    const id = Number(event.data.job?.toString());
    if (event.method === 'JobSettled') settledAt.set(id, Date.now());
    if (event.method === 'JobFailed') failed.set(id, JSON.stringify(event.data.reason.toJSON()));
  }
});

const t0 = Date.now();
const sent = await Promise.all(payers.map(async (pair, p) => {
  const mine = batches.filter((_, b) => b % payers.length === p);
  let nonce = (await api.rpc.system.accountNextIndex(pair.address)).toNumber();
  return Promise.all(mine.map((items) => synod.submitBatch(api, pair, items, { nonce: nonce++, finality: 'inBlock' })));
}));
const ids = sent.flat().flatMap((b) => b.jobs.map((j) => j.job));
for (const id of ids) ours.add(id);
say(`${ids.length} jobs submitted in ${batches.length} submit_batch transactions from ${payers.length} payers in ${((Date.now() - t0) / 1000).toFixed(1)} s (redundancy ${redundancy}, deadline ${maxDuration - 10} blocks)`);
if (ids.length !== total) fail(`${ids.length} jobs submitted, not ${total}`);

// Until every job has ended.
while ([...ours].some((id) => !settledAt.has(id) && !failed.has(id))) {
  await new Promise((r) => setTimeout(r, 1000));
  const done = [...ours].filter((id) => settledAt.has(id)).length;
  if (done && done % 100 === 0) say(`${done} settled, queue peak ${maxQueue}`);
}
const last = Math.max(...[...ours].map((id) => settledAt.get(id) ?? 0));
unsub();
const ourFailed = [...ours].filter((id) => failed.has(id));
const finalized1 = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
const result = {
  submitted: ids.length,
  settled: [...ours].filter((id) => settledAt.has(id)).length,
  failed: ourFailed.length,
  seconds: Number(((last - t0) / 1000).toFixed(1)),
  max_queue: maxQueue,
  node_rss_mib: nodePid ? Number(maxRss.toFixed(1)) : null,
  redundancy,
  payers: payers.length,
  blocks,
  finalized: finalized1 - finalized0,
  providers: (await synod.providers(api, model)).length,
};
say(JSON.stringify(result));
if (out) writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
if (ourFailed.length) fail(`${ourFailed.length} jobs failed, e.g. job ${ourFailed[0]}: ${failed.get(ourFailed[0])}`);
if (finalized1 - finalized0 < blocks / 2) fail(`finality fell behind: ${finalized1 - finalized0} blocks finalized of ${blocks}`);
// No escrow is left held: every payer's JobEscrow hold is gone.
for (const pair of payers) {
  const holds = await api.query.balances.holds(pair.address);
  const escrow = holds.filter((h) => JSON.stringify(h.id.toJSON()).includes('jobEscrow')).reduce((s, h) => s + h.amount.toBigInt(), 0n);
  if (escrow !== 0n) fail(`${pair.address} still has ${synod.formatAmount(escrow)} of escrow held`);
}
say(`all ${total} settled by their deadline in ${result.seconds} s, none failed; queue peak ${maxQueue}; no escrow left held; ${result.finalized} blocks finalized meanwhile${nodePid ? `; node RSS peak ${result.node_rss_mib} MiB` : ''}`);
clearTimeout(timer);
await api.disconnect();
