#!/usr/bin/env node
// The dev network's demo, and the end-to-end test of scripts/test.sh: on a running dev chain
// whose off-chain workers use a running synod-worker,
//   1. puts three provider keys (//Bob, //Charlie, //Dave) into the node's keystore,
//   2. registers the model (Alice publishes) and the three providers (class read from the
//      worker's /health, bond and an offer each),
//   3. submits a job through polkadot.js and prints every status change until it settles,
//   4. fetches the output from the worker, recomputes its canonical digest and checks it equals
//      the receipt's digest (the verified result),
//   5. checks the money: the payer's escrow hold is gone (its storage deposit stays held with
//      the receipt), it paid exactly what the receipt says plus its transaction fee and the
//      queue fee, each agreeing provider got its price, no collateral is left locked,
//   6. submits a batch of jobs (--batch, default 4, different inputs) in one submit_batch and
//      checks that each settles with its own digest and that their escrow is all accounted for,
//   7. submits a cohort (--cohort, default 8 members: the batch's inputs and more) as one job:
//      one commitment and one seal per provider, and one opening, answer all its members; checks the receipt's
//      member digests against the worker's outputs, their root, the input root, that each
//      member's digest is the digest the same input got as a job of its own in step 6, waits
//      for the members' outputs to be delivered on chain (the providers are paid for each as it
//      lands) and checks each against its member digest, and that its escrow (per member) is
//      all paid or refunded,
//   8. submits an audited job (--audited 0 skips it): one provider computes, the chain decides
//      after its commitment whether auditors recompute it; checks the receipt says how it was
//      verified (the auditors the chain drew, or unaudited) and that its escrow is all paid or
//      refunded.
//   9. with --minilm DIR (minilm.json, minilm.pt, minilm.inputs.json from tools/make_minilm.py):
//      registers all-MiniLM-L6-v2, submits a sentence's token ids as a job, fetches the agreed
//      384-value embedding from the receipt (synod.fetchResult: used only once its canonical
//      digest is the receipt's; one element tampered with is refused), and checks it against
//      sentence-transformers' own embedding of the sentence (--python, tools/minilm_reference.py)
//      within the model's quantization step.
//   Any mismatch exits 1.
//
//   node demo.mjs --url ws://127.0.0.1:9944 --worker http://127.0.0.1:7400 \
//     --manifest worker/tests/fixtures/mlp.json --source-base http://127.0.0.1:8000/ \
//     [--input '[...]'] [--redundancy 3] [--batch 4] [--cohort 8] [--timeout 300] \
//     [--minilm DIR --python PATH]

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { arg } from './args.mjs';
import * as synod from './synod.mjs';

// Setting up the dev network (models, providers) counts in-block; the jobs are followed as a
// dapp follows them, at finality.
const IN_BLOCK = { finality: 'inBlock' };

const url = arg('url', 'ws://127.0.0.1:9944');
const workerUrl = arg('worker', 'http://127.0.0.1:7400');
const manifestPath = arg('manifest');
const sourceBase = arg('source-base');
const redundancy = Number(arg('redundancy', '3'));
const timeoutS = Number(arg('timeout', '600'));
const say = (s) => console.log(`demo: ${s}`);
const fail = (s) => { console.error(`demo: FAIL: ${s}`); process.exit(1); };
if (!manifestPath) fail('--manifest is required');

const timer = setTimeout(() => fail(`not done within ${timeoutS} s`), timeoutS * 1000);
const api = await synod.connect(url);
const alice = synod.signer('//Alice');
const providerSuris = ['//Bob', '//Charlie', '//Dave'];
const providers = providerSuris.map((s) => synod.signer(s));
const PRICE = synod.parseAmount('0.01SYN');
const BOND = synod.parseAmount('1000SYN');

// 1–2. The model; the providers' keys into the node's keystore (its off-chain workers sign
// commits, reveals and heartbeats with them); the providers registered.
const json = JSON.parse(readFileSync(manifestPath, 'utf8'));
const manifest = synod.manifestFromJson(json, { sourceBase });
const { model, existed } = await synod.registerModel(api, alice, manifest, IN_BLOCK);
say(`model ${json.name} ${model} ${existed ? 'was registered already' : 'registered'}; providers fetch it from ${manifest.sources.join(', ')}`);
const minilmDir = arg('minilm');
let minilm = null;
if (minilmDir) {
  const mjson = JSON.parse(readFileSync(`${minilmDir}/minilm.json`, 'utf8'));
  const r = await synod.registerModel(api, alice, synod.manifestFromJson(mjson, { sourceBase }), IN_BLOCK);
  minilm = { model: r.model, json: mjson, inputs: JSON.parse(readFileSync(`${minilmDir}/minilm.inputs.json`, 'utf8')) };
  say(`model ${mjson.name} ${r.model} ${r.existed ? 'was registered already' : 'registered'}`);
}
// 64 jobs at once each, the runtime's most: a burst of small jobs keeps them all busy.
const { cls } = await synod.setupDevProviders(api, {
  suris: providerSuris, workerUrl, models: minilm ? [model, minilm.model] : [model], bond: BOND, price: PRICE, concurrency: 64, ...IN_BLOCK,
});
say(`provider keys in the node's keystore and providers registered: ${providers.map((p) => p.address).join(', ')}`);
say(`bond ${synod.formatAmount(BOND)}, price ${synod.formatAmount(PRICE)}, class ${cls.device}/${cls.arch}/libtorch ${cls.libtorch}`);

// 3. The job.
const inputValues = arg('input') ? JSON.parse(arg('input')) : Array.from({ length: 16 }, (_, i) => (i - 8) / 8);
const input = synod.encodeInput(inputValues.flat(Infinity), json.input.dtype);
const q = await synod.quote(api, model, redundancy, PRICE);
if (q.cheapest === null) fail(`fewer than ${redundancy} providers are assignable`);
say(`quote: escrow ${synod.formatAmount(q.escrow)} for ${redundancy} providers (cheapest ${synod.formatAmount(q.cheapest)})`);

const freeOf = async (who) => (await api.query.system.account(who)).data;
const before = { payer: await freeOf(alice.address), providers: await Promise.all(providers.map((p) => freeOf(p.address))) };

const submitted = await synod.submitJob(api, alice, { model, input, redundancy, maxPrice: PRICE, deadlineBlocks: 60 });
say(`job ${submitted.job} submitted: escrow ${synod.formatAmount(submitted.escrow)}, deadline #${submitted.deadline}`);
const t0 = Date.now();
const head0 = (await api.rpc.chain.getHeader()).number.toNumber();
const out = await synod.waitForJob(api, submitted.job, (s) => say(`#${s.block} job ${submitted.job}: ${s.text}`), { timeoutMs: timeoutS * 1000, from: submitted.blockNumber });
if (!out.settled) fail(`job ${submitted.job} failed: ${synod.toJson(out.event)}`);
const receipt = await synod.receipt(api, submitted.job);
say(`settled in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${out.block - head0} blocks after submission`);
console.log(`demo: receipt ${synod.toJson(receipt, 2)}`);

// 4. The verified result: the worker's output, whose canonical digest is the agreed one.
const record = await (async () => {
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await fetch(`${workerUrl}/v1/jobs/${synod.workerJobId(submitted.job, model, input, attempt)}`);
    if (r.ok) {
      const v = await r.json();
      if (v.status === 'succeeded') return v;
    }
  }
  return null;
})();
if (!record) fail('the worker has no succeeded job for this chain job');
const digest = synod.canonicalDigest(model, input, record.output.shape, record.output.quantized);
if (digest !== receipt.outputDigest) fail(`the worker's output digests to ${digest}, the receipt says ${receipt.outputDigest}`);
const scale = 2 ** record.output.step_exponent;
const values = record.output.quantized.map((v) => v / scale);
say(`verified result: output ${JSON.stringify(record.output.shape)} = [${values.map((v) => v.toFixed(4)).join(', ')}]`);
say(`its canonical digest ${digest} equals the receipt's: the ${receipt.agreeing.length} agreeing providers computed exactly this`);
// A small output is on chain too: the receipt carries the agreed quantized values, which a dapp
// can use without asking any worker.
if (receipt.output) {
  const onChain = receipt.output.values.map((v) => BigInt(v));
  const chainDigest = synod.canonicalDigest(model, input, receipt.output.shape, onChain);
  if (chainDigest !== receipt.outputDigest) fail(`the receipt's output digests to ${chainDigest}, not ${receipt.outputDigest}`);
  if (onChain.join() !== record.output.quantized.map((v) => BigInt(v)).join()) fail('the receipt\'s output differs from the worker\'s');
  say(`on chain: the receipt's agreed output ${JSON.stringify(receipt.output.shape)} = [${onChain.map((v) => (Number(v) / scale).toFixed(4)).join(', ')}], same digest`);
}

// 5. The money.
const after = { payer: await freeOf(alice.address), providers: await Promise.all(providers.map((p) => freeOf(p.address))) };
const paid = BigInt(receipt.paid);
const refunded = BigInt(receipt.refunded);
// What stays held: the storage deposit of every job whose receipt is still kept (a day).
let deposits = BigInt(receipt.deposit);
const heldNow = (r) => BigInt(r.reserved.toString()) - BigInt(before.payer.reserved.toString());
if (heldNow(after.payer) !== deposits) fail(`payer has ${heldNow(after.payer)} more reserved/held, expected the job's deposit ${deposits}`);
// The payer's only transaction in the window was submit_job: its transaction fee and its queue
// fee (burned) are in that block's events.
const at = await api.at(submitted.blockHash);
const events = (await at.query.system.events()).map((r) => r.event);
const fee = events
  .filter((e) => e.section === 'transactionPayment' && e.method === 'TransactionFeePaid' && e.data[0].toString() === alice.address)
  .reduce((s, e) => s + e.data[1].toBigInt(), 0n);
const queueFee = events
  .filter((e) => e.section === 'balances' && e.method === 'Burned' && e.data[0].toString() === alice.address)
  .reduce((s, e) => s + e.data[1].toBigInt(), 0n);
if (queueFee === 0n) fail('no queue fee was burned for the job');
const spent = before.payer.free.toBigInt() - after.payer.free.toBigInt();
if (spent !== paid + fee + queueFee + deposits) fail(`payer spent ${spent}, expected paid ${paid} + fee ${fee} + queue fee ${queueFee} + deposit ${deposits}`);
if (paid + refunded !== submitted.escrow) fail(`paid ${paid} + refunded ${refunded} != escrow ${submitted.escrow}`);
for (const [i, p] of providers.entries()) {
  const agreed = receipt.agreeing.includes(p.address);
  const locked = await api.call.providersApi.provider(p.address);
  const rec = locked.unwrap();
  if (rec.locked.toBigInt() !== 0n && (await api.call.jobsApi.assignments(p.address)).length === 0) fail(`${p.address} has collateral locked with no job`);
  const gained = after.providers[i].free.toBigInt() - before.providers[i].free.toBigInt();
  say(`${providerSuris[i]}: ${agreed ? 'agreed, paid' : 'not paid'}; free balance ${gained >= 0n ? '+' : ''}${synod.formatAmount(gained < 0n ? -gained : gained)}${gained < 0n ? ' (spent on fees)' : ''} (price ${synod.formatAmount(PRICE)}, minus its commit/seal/reveal/heartbeat fees)`);
}
say(`money: payer paid ${synod.formatAmount(paid)} to providers + ${synod.formatAmount(fee)} fee + ${synod.formatAmount(queueFee)} queue fee (burned), ${synod.formatAmount(refunded)} refunded; no escrow left held, ${synod.formatAmount(deposits)} deposit held with the receipt`);

// 6. A batch: several jobs with different inputs in one submit_batch transaction. Each settles
// with its own receipt (the off-chain workers commit and reveal them in batches too), and the
// batch's escrow is all paid or refunded.
const batchSize = Number(arg('batch', '4'));
const n = inputValues.flat(Infinity).length;
const variant = (b) => synod.encodeInput(Array.from({ length: n }, (_, i) => ((i * (b + 3)) % 17 - 8) / 8), json.input.dtype);
const batchDigests = [];
if (batchSize > 0) {
  const items = Array.from({ length: batchSize }, (_, b) => ({
    model, redundancy, maxPrice: PRICE, deadlineBlocks: 60, input: variant(b),
  }));
  const batch = await synod.submitBatch(api, alice, items);
  say(`batch: jobs ${batch.jobs.map((j) => j.job).join(', ')} submitted in one transaction, escrow ${synod.formatAmount(batch.jobs.reduce((a, j) => a + j.escrow, 0n))}`);
  const tb = Date.now();
  const outs = await Promise.all(batch.jobs.map((j) => synod.waitForJob(api, j.job, () => {}, { timeoutMs: timeoutS * 1000, from: batch.blockNumber })));
  let spentBatch = 0n;
  const digests = new Set();
  for (const [i, o] of outs.entries()) {
    const j = batch.jobs[i];
    if (!o.settled) fail(`batch job ${j.job} failed: ${synod.toJson(o.event)}`);
    const r = await synod.receipt(api, j.job);
    if (BigInt(r.paid) + BigInt(r.refunded) !== j.escrow) fail(`batch job ${j.job}: paid ${r.paid} + refunded ${r.refunded} != escrow ${j.escrow}`);
    if (r.output) {
      const d = synod.canonicalDigest(model, items[i].input, r.output.shape, r.output.values.map((v) => BigInt(v)));
      if (d !== r.outputDigest) fail(`batch job ${j.job}: the receipt's output digests to ${d}, not ${r.outputDigest}`);
    }
    spentBatch += BigInt(r.paid);
    deposits += BigInt(r.deposit);
    digests.add(r.outputDigest);
    batchDigests.push(r.outputDigest);
  }
  if (digests.size !== batchSize) fail(`the batch's ${batchSize} different inputs gave ${digests.size} different digests`);
  const held = heldNow(await freeOf(alice.address));
  if (held !== deposits) fail(`payer has ${held} more reserved/held after the batch, expected the receipts' deposits ${deposits}`);
  say(`batch: all ${batchSize} settled in ${((Date.now() - tb) / 1000).toFixed(1)} s, ${batchSize} distinct agreed digests, paid ${synod.formatAmount(spentBatch)}, the rest refunded; no escrow left held`);
}

// 7. A cohort: many inputs of one model as one job. The providers answer all members with one
// commitment and one seal each, and one opening; the receipt lists every member's output digest.
const cohortSize = Number(arg('cohort', '8'));
if (cohortSize > 0) {
  const inputs = Array.from({ length: cohortSize }, (_, b) => variant(b));
  const c = await synod.submitJob(api, alice, { model, input: inputs, redundancy, maxPrice: PRICE, deadlineBlocks: 60 });
  const want = 2n * BigInt(redundancy) * PRICE * BigInt(cohortSize);
  if (c.escrow !== want) fail(`cohort escrow ${c.escrow}, expected ${want} (2 × ${redundancy} × price per member)`);
  say(`cohort: job ${c.job} with ${cohortSize} members submitted in one transaction, escrow ${synod.formatAmount(c.escrow)}`);
  const tc = Date.now();
  const o = await synod.waitForJob(api, c.job, (s) => say(`#${s.block} cohort ${c.job}: ${s.text}`), { timeoutMs: timeoutS * 1000, from: c.blockNumber });
  if (!o.settled) fail(`cohort ${c.job} failed: ${synod.toJson(o.event)}`);
  const r = await synod.receipt(api, c.job);
  if (r.members.length !== cohortSize) fail(`the cohort's receipt lists ${r.members.length} member digests, not ${cohortSize}`);
  if (synod.membersRoot(r.members) !== r.outputDigest) fail('the receipt\'s member digests do not hash to its output digest');
  if (synod.inputHashOf(inputs) !== r.inputHash) fail(`the receipt's input hash ${r.inputHash} is not the root of the members' input hashes`);
  const base = synod.workerJobId(c.job, model, inputs, 0);
  for (const [i, input] of inputs.entries()) {
    const v = await (await fetch(`${workerUrl}/v1/jobs/${base}.${i}`)).json();
    if (v.status !== 'succeeded') fail(`the worker's member ${i} of cohort ${c.job} is ${v.status}`);
    const d = synod.canonicalDigest(model, input, v.output.shape, v.output.quantized);
    if (d !== r.members[i]) fail(`member ${i}: the worker's output digests to ${d}, the receipt says ${r.members[i]}`);
    if (i < batchDigests.length && d !== batchDigests[i]) fail(`member ${i}: digest ${d} differs from the same input's job in the batch (${batchDigests[i]})`);
  }
  // The members' outputs are delivered on chain after settlement (the receipt holds their
  // digests); the providers are paid for each as it lands. fetchResult waits for them and
  // checks each against its member digest.
  const td = Date.now();
  const delivered = await synod.fetchResult(api, c.job, { member: 'all', timeoutMs: timeoutS * 1000 });
  if (delivered.some((d) => d.source !== 'chain')) fail(`cohort outputs came from ${[...new Set(delivered.map((d) => d.source))]}, not the chain`);
  if ((await api.query.jobs.deliveries(c.job)).isSome) fail('the cohort still has outputs due after all were read');
  say(`cohort: all ${cohortSize} members' outputs delivered on chain ${((Date.now() - td) / 1000).toFixed(1)} s after settlement, each matching its member digest; e.g. member 0 [${delivered[0].shape}] = [${delivered[0].values.map((v) => v.toFixed(4)).join(', ')}]`);
  if (BigInt(r.paid) + BigInt(r.refunded) !== c.escrow) fail(`cohort: paid ${r.paid} + refunded ${r.refunded} != escrow ${c.escrow}`);
  if (BigInt(r.paid) !== BigInt(r.agreeing.length) * PRICE * BigInt(cohortSize)) fail(`cohort: paid ${r.paid}, expected ${r.agreeing.length} providers × ${cohortSize} members × price`);
  deposits += BigInt(r.deposit);
  const held = heldNow(await freeOf(alice.address));
  if (held !== deposits) fail(`payer has ${held} more reserved/held after the cohort, expected the receipts' deposits ${deposits}`);
  say(`cohort: settled in ${((Date.now() - tc) / 1000).toFixed(1)} s; ${cohortSize} member digests match the worker's outputs${batchDigests.length ? ` and the first ${Math.min(batchDigests.length, cohortSize)} match the batch's jobs of the same inputs` : ''}; ${r.agreeing.length} providers paid ${synod.formatAmount(BigInt(r.paid))} (price per member), ${synod.formatAmount(BigInt(r.refunded))} refunded`);
}
// 8. An audited job: one provider computes; after its commitment the chain decides whether
// auditors recompute it (always for a provider with a short clean record, down to one job in
// sixteen). The receipt says which; the escrow held the worst case (the audit and its
// escalation) and what was not spent came back.
if (arg('audited', '1') !== '0') {
  const size = synod.auditSize(api);
  const input = variant(99);
  const a = await synod.submitJob(api, alice, { model, input, audited: true, maxPrice: PRICE, deadlineBlocks: 100 });
  if (a.escrow !== 2n * BigInt(size) * PRICE) fail(`audited escrow ${a.escrow}, expected 2 × ${size} × price`);
  say(`audited: job ${a.job} submitted, escrow ${synod.formatAmount(a.escrow)} (an audit of ${size} providers and its escalation)`);
  const ta = Date.now();
  const seen = { audited: null, auditors: [] };
  const o = await synod.waitForJob(api, a.job, (s) => {
    say(`#${s.block} audited ${a.job}: ${s.text}`);
    if (s.event === 'AuditStarted') { seen.audited = true; seen.auditors = s.data.auditors; }
    if (s.event === 'AuditSkipped') seen.audited = false;
  }, { timeoutMs: timeoutS * 1000, from: a.blockNumber });
  if (!o.settled) fail(`audited job ${a.job} failed: ${synod.toJson(o.event)}`);
  const r = await synod.receipt(api, a.job);
  const v = r.verification;
  if (seen.audited === null) fail('the audited job settled without an audit decision');
  if (seen.audited && JSON.stringify(v.audited?.auditors) !== JSON.stringify(seen.auditors)) fail(`receipt verification ${JSON.stringify(v)}, the chain drew auditors ${seen.auditors}`);
  if (!seen.audited && !('unaudited' in v)) fail(`receipt verification ${JSON.stringify(v)} for a job that was not audited`);
  if (r.agreeing.length !== (seen.audited ? size : 1) || r.dissenting.length !== 0) fail(`audited job: ${r.agreeing.length} agreeing, ${r.dissenting.length} dissenting`);
  if (BigInt(r.paid) + BigInt(r.refunded) !== a.escrow) fail(`audited: paid ${r.paid} + refunded ${r.refunded} != escrow ${a.escrow}`);
  // The worker's output for it digests to the receipt's digest.
  const w = await (await fetch(`${workerUrl}/v1/jobs/${synod.workerJobId(a.job, model, input, 0)}`)).json();
  if (w.status !== 'succeeded') fail(`the worker's job for audited job ${a.job} is ${w.status}`);
  const d = synod.canonicalDigest(model, input, w.output.shape, w.output.quantized);
  if (d !== r.outputDigest) fail(`audited job: the worker's output digests to ${d}, the receipt says ${r.outputDigest}`);
  say(`audited: settled in ${((Date.now() - ta) / 1000).toFixed(1)} s, verified ${synod.verificationText(r)}; paid ${synod.formatAmount(BigInt(r.paid))}, ${synod.formatAmount(BigInt(r.refunded))} refunded`);
}
// 9. A MiniLM sentence embedding: 384 values, on chain in the receipt (the settling reveal
// carried them), checked against the receipt's digest and against sentence-transformers.
if (minilm) {
  const sentence = minilm.inputs.sentences[0];
  const input = synod.encodeInput(minilm.inputs.ids[0], minilm.json.input.dtype);
  const m = await synod.submitJob(api, alice, { model: minilm.model, input, redundancy, maxPrice: PRICE, deadlineBlocks: 60 });
  say(`minilm: job ${m.job} submitted: "${sentence}" as ${minilm.inputs.ids[0].length} token ids`);
  const tm = Date.now();
  const o = await synod.waitForJob(api, m.job, (s) => say(`#${s.block} minilm ${m.job}: ${s.text}`), { timeoutMs: timeoutS * 1000, from: m.blockNumber });
  if (!o.settled) fail(`minilm job ${m.job} failed: ${synod.toJson(o.event)}`);
  const res = await synod.fetchResult(api, m.job);
  if (res.source !== 'receipt') fail(`the embedding came from ${res.source}, not the receipt`);
  if (res.shape.join() !== '1,384' || res.values.length !== 384) fail(`the embedding has shape [${res.shape}]`);
  const r = await synod.receipt(api, m.job);
  // One element off by one step: the digest check refuses it.
  const tampered = res.quantized.map((v, i) => (i === 200 ? v + 1n : v));
  let refused = false;
  try {
    synod.verifyOutput({ model: minilm.model, inputHash: r.inputHash, digest: r.outputDigest, stepExponent: minilm.json.step_exponent }, { shape: res.shape, quantized: tampered });
  } catch { refused = true; }
  if (!refused) fail('a tampered embedding passed the digest check');
  const python = arg('python', 'python3');
  const script = fileURLToPath(new URL('../tools/minilm_reference.py', import.meta.url));
  const ref = JSON.parse(execFileSync(python, [script, sentence], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).embeddings[0];
  const step = 2 ** -minilm.json.step_exponent;
  const worst = ref.reduce((w, x, i) => Math.max(w, Math.abs(x - res.values[i])), 0);
  if (worst > step) fail(`the on-chain embedding differs from sentence-transformers' by ${worst} (more than a step, ${step})`);
  say(`minilm: settled in ${((Date.now() - tm) / 1000).toFixed(1)} s; the receipt holds the 384-value embedding, digest ${res.digest} = the receipt's (a tampered element is refused); it equals sentence-transformers' within ${worst.toExponential(2)} (step ${step.toExponential(2)}): [${res.values.slice(0, 4).map((v) => v.toFixed(4)).join(', ')}, …]`);
}
clearTimeout(timer);
await api.disconnect();
say('done');
