// Synod's polkadot.js library for dapps, model publishers and providers.
//
// Metadata only: no custom type definitions. Every function takes a connected `ApiPromise`;
// calls that change state take a signer (a keyring pair) and resolve when the transaction is in
// a block, with its events, or reject with the decoded dispatch error ("jobs.ZeroPrice: The
// price is zero.").
//
//   import { connect, submitJob, waitForJob } from './synod.mjs';
//   const api = await connect('ws://127.0.0.1:9944');
//   const { job } = await submitJob(api, alice, { model, input, redundancy: 3, maxPrice });
//   const outcome = await waitForJob(api, job, (s) => console.log(s.text));

import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { hexToU8a, isHex, u8aToHex, u8aConcat } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';

/** Planck per SYN (12 decimals). */
export const UNIT = 10n ** 12n;

const DTYPES = {
  f16: 'F16', bf16: 'BF16', f32: 'F32', f64: 'F64', u8: 'U8', i8: 'I8', i16: 'I16', i32: 'I32', i64: 'I64', bool: 'Bool',
};

/**
 * Connects to a node; rejects after `timeoutMs` if it cannot, or at the first connection error
 * with `failFast` (for one-shot commands: no reconnect loop against a wrong URL).
 */
export async function connect(url = 'ws://127.0.0.1:9944', timeoutMs = 30_000, { failFast = false } = {}) {
  await cryptoWaitReady();
  const provider = new WsProvider(url, 1000, {}, timeoutMs);
  const failed = new Promise((_, reject) => {
    provider.on('error', () => { if (failFast) reject(new Error(`cannot connect to ${url}`)); });
  });
  failed.catch(() => {});
  let timer;
  try {
    return await Promise.race([
      ApiPromise.create({ provider, noInitWarn: true }),
      failed,
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no node answered at ${url} within ${timeoutMs} ms`)), timeoutMs); }),
    ]);
  } catch (e) {
    await provider.disconnect().catch(() => {});
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** A keyring pair from a secret URI (`//Alice`, a mnemonic, a hex seed). */
export function signer(suri) {
  return new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(suri);
}

/** Parses an amount: `12` (planck), `1.5SYN` / `1.5 SYN`. */
export function parseAmount(s) {
  const m = String(s).trim().match(/^(\d+)(?:\.(\d+))?\s*(SYN)?$/i);
  if (!m) throw new Error(`not an amount: ${s} (use planck, or e.g. 1.5SYN)`);
  if (!m[3]) {
    if (m[2]) throw new Error(`planck amounts are whole numbers: ${s}`);
    return BigInt(m[1]);
  }
  const frac = (m[2] || '').padEnd(12, '0');
  if (frac.length > 12) throw new Error(`more than 12 decimals: ${s}`);
  return BigInt(m[1]) * UNIT + BigInt(frac);
}

/** Formats planck as SYN. */
export function formatAmount(planck) {
  const v = BigInt(planck.toString());
  const whole = v / UNIT;
  const frac = (v % UNIT).toString().padStart(12, '0').replace(/0+$/, '');
  return `${whole}${frac ? '.' + frac : ''} SYN`;
}

function hash32(h, what) {
  const s = h.startsWith('0x') ? h : `0x${h}`;
  if (!isHex(s) || s.length !== 66) throw new Error(`${what} must be 32 bytes of hex, got ${h}`);
  return s;
}

/**
 * The chain's `ModelManifest` from the worker's manifest JSON (the format of
 * worker/tests/fixtures/*.json). `sources` must be http(s)/ipfs URIs on chain: relative file
 * names are resolved against `sourceBase` (e.g. `http://127.0.0.1:8000/`).
 */
export function manifestFromJson(m, { sourceBase } = {}) {
  const spec = (s, what) => {
    const dtype = DTYPES[s.dtype];
    if (!dtype) throw new Error(`${what}.dtype ${s.dtype} is not one of ${Object.keys(DTYPES).join(', ')}`);
    return { dtype, shape: s.shape.map((d) => (d === null ? null : Number(d))) };
  };
  const sources = (m.sources || []).map((src) => {
    if (/^(https?|ipfs):\/\//.test(src)) return src;
    if (!sourceBase) throw new Error(`source ${src} is not a URI; pass a source base URL to publish it`);
    return new URL(src, sourceBase).toString();
  });
  return {
    fileHash: hash32(m.hash, 'hash'),
    name: m.name,
    input: spec(m.input, 'input'),
    output: spec(m.output, 'output'),
    canonicalization: { stepExponent: m.step_exponent, tolerance: m.tolerance },
    maxInputBytes: m.max_input_bytes,
    sources,
  };
}

/** Encodes input values as the model's input dtype (little-endian bytes). */
export function encodeInput(values, dtype) {
  const n = values.length;
  const views = {
    f32: () => { const a = new Float32Array(values); return new Uint8Array(a.buffer); },
    f64: () => { const a = new Float64Array(values); return new Uint8Array(a.buffer); },
    i64: () => { const a = new BigInt64Array(values.map((v) => BigInt(v))); return new Uint8Array(a.buffer); },
    i32: () => new Uint8Array(new Int32Array(values).buffer),
    i16: () => new Uint8Array(new Int16Array(values).buffer),
    i8: () => new Uint8Array(new Int8Array(values).buffer),
    u8: () => new Uint8Array(values),
    bool: () => new Uint8Array(values.map((v) => (v ? 1 : 0))),
  };
  const f = views[String(dtype).toLowerCase()];
  if (!f) throw new Error(`cannot encode values as ${dtype}; pass raw bytes (hex) instead`);
  if (!n) throw new Error('no input values');
  return f(); // x86 and ARM are little-endian, as the model expects
}

/** Signs and sends `tx`; resolves in-block with `{ blockHash, events }` or rejects with the dispatch error. */
export function send(api, tx, pair, { nonce = -1 } = {}) {
  return new Promise((resolve, reject) => {
    let unsub = () => {};
    tx.signAndSend(pair, { nonce }, (result) => {
      const { status, dispatchError, events } = result;
      if (dispatchError) {
        unsub();
        if (dispatchError.isModule) {
          const e = api.registry.findMetaError(dispatchError.asModule);
          reject(new Error(`${e.section}.${e.name}: ${e.docs.join(' ').trim()}`));
        } else {
          reject(new Error(dispatchError.toString()));
        }
      } else if (status.isInBlock) {
        unsub();
        resolve({ blockHash: status.asInBlock.toHex(), events });
      } else if (status.isDropped || status.isInvalid || status.isUsurped) {
        unsub();
        reject(new Error(`transaction ${status.type}`));
      }
    }).then((u) => { unsub = u; }).catch(reject);
  });
}

/** An event's fields by name, as JSON (`{ job, provider, … }`). */
export function eventFields(event) {
  const data = event.data.toJSON();
  return Object.fromEntries(event.meta.fields.map((f, i) => [f.name.toString(), data[i]]));
}

function eventOf(events, section, method) {
  return events.map((r) => r.event).find((e) => e.section === section && e.method === method);
}

/**
 * The id a manifest has once `publisher` registers it (the chain's `model_id`: the hash of the
 * publisher and the whole manifest, so that nobody else can take or retire it).
 */
export async function modelId(api, publisher, manifest) {
  return (await api.call.modelsApi.modelId(publisher, manifest)).toHex();
}

/**
 * Registers a model manifest (see `manifestFromJson`) signed by `pair`, its publisher; resolves
 * with its id, and `existed` when this publisher had registered it already.
 */
export async function registerModel(api, pair, manifest) {
  const model = await modelId(api, pair.address, manifest);
  if ((await api.call.modelsApi.manifest(model)).isSome) return { model, existed: true };
  const { events } = await send(api, api.tx.models.registerModel(manifest), pair);
  const registered = eventOf(events, 'models', 'ModelRegistered');
  if (!registered || eventFields(registered).model !== model) {
    throw new Error(`models.ModelRegistered did not name id ${model}`);
  }
  return { model, existed: false };
}

/**
 * Registers a provider (or tops it up) and sets its offers.
 * `cls` = { device: 'Cpu' | 'Cuda', arch, libtorch, deterministic }; `offers` = [{ model, price }].
 */
export async function registerProvider(api, pair, { bond, cls, concurrency = 4, metadata = '', offers = [] }) {
  const existing = await api.call.providersApi.provider(pair.address);
  const calls = [];
  if (existing.isNone) {
    calls.push(api.tx.providers.register(bond, cls, concurrency, metadata));
  }
  for (const { model, price } of offers) calls.push(api.tx.providers.setOffer(hash32(model, 'model'), price));
  // No utility pallet in the runtime: one transaction after the other (each waits for its block).
  for (const call of calls) await send(api, call, pair);
  return { registered: existing.isNone };
}

/**
 * A dev network's providers: puts each secret's key into the node's keystore (type `synd`,
 * for its off-chain worker) and registers the account as a provider with the class the worker
 * reports, offering every model in `models` at `price`.
 */
export async function setupDevProviders(api, { suris, workerUrl, models, bond, price, concurrency = 8 }) {
  const cls = await classFromWorker(workerUrl);
  const pairs = suris.map((s) => signer(s));
  for (const [i, p] of pairs.entries()) {
    await api.rpc.author.insertKey('synd', suris[i], u8aToHex(p.publicKey));
    await registerProvider(api, p, { bond, cls, concurrency, metadata: 'synod dev provider', offers: models.map((model) => ({ model, price })) });
  }
  return { pairs, cls };
}

/** The determinism class a worker reports on `GET /health`. */
export async function classFromWorker(workerUrl) {
  const h = await (await fetch(`${workerUrl}/health`)).json();
  const device = String(h.device).startsWith('cuda') ? 'Cuda' : 'Cpu';
  const arch = device === 'Cuda' ? (h.gpu_arch || 'cuda') : process.arch === 'x64' ? 'x86_64' : process.arch;
  return { device, arch, libtorch: String(h.libtorch).split('+')[0], deterministic: Boolean(h.deterministic) };
}

/**
 * `(escrow, cheapest)`: what a job holds (`2 × redundancy × max price`: the second half is the
 * escalation reserve, released when the job settles without one) and the lowest price at which
 * enough providers are assignable.
 */
export async function quote(api, model, redundancy, maxPrice) {
  const q = await api.call.jobsApi.quote(hash32(model, 'model'), redundancy, maxPrice);
  const [escrow, cheapest] = q;
  return { escrow: escrow.toBigInt(), cheapest: cheapest.isSome ? cheapest.unwrap().toBigInt() : null };
}

/**
 * The providers an audit takes (the primary and the chain's `Auditors`): an audited job holds
 * `2 × auditSize × max price` (the audit and its escalation) and `quote(api, model, auditSize,
 * maxPrice)` is its quote.
 */
export function auditSize(api) {
  return 1 + api.consts.jobs.auditors.toNumber();
}

/**
 * How a receipt's job was verified, in words: `redundant`, `unaudited`, `audited by A, B` or
 * `canary`.
 */
export function verificationText(receipt) {
  const v = receipt?.verification ?? {};
  if ('audited' in v) return `audited by ${v.audited.auditors.map(short).join(', ')}`;
  return Object.keys(v)[0] ?? 'unknown';
}

/**
 * Submits a job. `input` is a Uint8Array (inline), `{ hash, uri }` (remote), or an array of
 * those: a cohort (2 to 64 members of one model, answered together, priced per member; the
 * receipt lists each member's output digest in this order). `audited: true` submits it in
 * audited mode (`redundancy` is then ignored): one provider computes, and the chain decides
 * after its commitment whether auditors recompute it.
 * `deadlineBlocks` counts from the current head. Resolves with `{ job, escrow, deadline, blockHash }`.
 */
export async function submitJob(api, pair, { model, input, redundancy = 3, audited = false, maxPrice, deadlineBlocks = 60, nonce = -1 }) {
  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  const jobInput = toJobInput(input);
  const deadline = head + deadlineBlocks;
  const tx = audited
    ? api.tx.jobs.submitAudited(hash32(model, 'model'), jobInput, maxPrice, deadline)
    : api.tx.jobs.submitJob(hash32(model, 'model'), jobInput, redundancy, maxPrice, deadline);
  const { blockHash, events } = await send(api, tx, pair, { nonce });
  const ev = eventOf(events, 'jobs', 'JobSubmitted');
  if (!ev) throw new Error('no JobSubmitted event');
  return { job: ev.data.job.toNumber(), escrow: ev.data.escrow.toBigInt(), deadline: ev.data.deadline.toNumber(), blockHash };
}

function toJobInput(input) {
  if (Array.isArray(input)) return { Cohort: input.map(toJobInput) };
  return input instanceof Uint8Array ? { Inline: u8aToHex(input) } : { Remote: { hash: hash32(input.hash, 'input hash'), uri: input.uri } };
}

/**
 * A cohort's root over its members' hashes (output digests or input hashes, hex, in member
 * order), as primitives/src/digest.rs `members_root` computes it:
 * blake2_256("synod:members:v1" ‖ u32 count ‖ hashes…). A cohort's receipt has the root of its
 * members' input hashes as `inputHash` and of their output digests as `outputDigest`.
 */
export function membersRoot(hashes) {
  const n = new Uint8Array(4);
  new DataView(n.buffer).setUint32(0, hashes.length, true);
  const pre = u8aConcat(new TextEncoder().encode('synod:members:v1'), n, ...hashes.map((h) => hexToU8a(hash32(h, 'member hash'))));
  return u8aToHex(blake2AsU8a(pre, 256));
}

/** The hash a job's input is known by on chain: blake2-256 of its bytes, or a cohort's root. */
export function inputHashOf(input) {
  if (Array.isArray(input)) return membersRoot(input.map(inputHashOf));
  return input instanceof Uint8Array ? blake2Hex(input) : hash32(input.hash, 'input hash');
}

/**
 * Submits several jobs in one `submit_batch` transaction (at most the runtime's `MaxBatch`,
 * 64): each item as `submitJob` takes it; all are submitted or none. Resolves with
 * `{ jobs: [{ job, escrow, deadline }], blockHash }`, in the items' order.
 */
export async function submitBatch(api, pair, items, { nonce = -1 } = {}) {
  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  const requests = items.map(({ model, input, redundancy = 3, maxPrice, deadlineBlocks = 60 }) => ({
    model: hash32(model, 'model'), input: toJobInput(input), redundancy, maxPrice, deadline: head + deadlineBlocks,
  }));
  const { blockHash, events } = await send(api, api.tx.jobs.submitBatch(requests), pair, { nonce });
  const jobs = events.map((r) => r.event).filter((e) => e.section === 'jobs' && e.method === 'JobSubmitted')
    .map((e) => ({ job: e.data.job.toNumber(), escrow: e.data.escrow.toBigInt(), deadline: e.data.deadline.toNumber() }));
  if (jobs.length !== items.length) throw new Error(`submit_batch of ${items.length} jobs emitted ${jobs.length} JobSubmitted events`);
  return { jobs, blockHash };
}

/** An open job (or null). */
export async function job(api, id) {
  const j = await api.call.jobsApi.job(id);
  return j.isSome ? j.unwrap().toJSON() : null;
}

/**
 * The receipt of a settled job within the retention period (or null). The chain stores the
 * agreed reveal as one enum (`result`: `Output { digest, output }` for a single job,
 * `Members { root, members }` for a cohort); the receipt returned here keeps it and adds the
 * fields a dapp reads: `outputDigest` (the digest, or a cohort's root), `output` (the small
 * output in full, or null) and `members` (a cohort's member digests in input order, else []).
 */
export async function receipt(api, id) {
  const r = await api.call.jobsApi.receipt(id);
  if (!r.isSome) return null;
  const json = r.unwrap().toJSON();
  const result = r.unwrap().result;
  if (result.isOutput) {
    const { digest, output } = result.asOutput;
    return { ...json, outputDigest: digest.toHex(), output: output.isSome ? output.unwrap().toJSON() : null, members: [] };
  }
  const { root, members } = result.asMembers;
  return { ...json, outputDigest: root.toHex(), output: null, members: members.map((m) => m.toHex()) };
}

/**
 * Where a job not assigned yet waits (or null once assigned or ended): `{ ahead, waiting,
 * roundsAhead, expectedBy, lastStart }`: jobs ahead of it (in its model's line when `waiting`,
 * its providers being busy; else submitted before it), rounds of the model's providers until
 * its turn and the block it is expected to be assigned by (null when no provider offers the
 * model at its price), and the last block it can be assigned in (after it, a full refund).
 */
export async function queuePosition(api, id) {
  const p = await api.call.jobsApi.queuePosition(id);
  if (p.isNone) return null;
  const v = p.unwrap();
  const opt = (o) => (o.isSome ? o.unwrap().toNumber() : null);
  return { ahead: v.ahead.toNumber(), waiting: v.waiting.isTrue, roundsAhead: opt(v.roundsAhead), expectedBy: opt(v.expectedBy), lastStart: v.lastStart.toNumber() };
}

/** Providers offering `model`: [{ provider, price, live }]. */
export async function providers(api, model) {
  const list = await api.call.providersApi.providersForModel(hash32(model, 'model'));
  return list.map(([who, price, live]) => ({ provider: who.toString(), price: price.toBigInt(), live: live.isTrue }));
}

/**
 * Follows a job's events block by block until it settles or fails, calling
 * `onStatus({ block, event, text })` for each. Resolves with `{ settled, event }` where `event`
 * is the `JobSettled` or `JobFailed` data as JSON.
 */
export function waitForJob(api, id, onStatus = () => {}, { timeoutMs = 600_000 } = {}) {
  return new Promise((resolve, reject) => {
    let unsub = () => {};
    const timer = setTimeout(() => { unsub(); reject(new Error(`job ${id} did not end within ${timeoutMs / 1000} s`)); }, timeoutMs);
    api.rpc.chain.subscribeNewHeads(async (header) => {
      try {
        const at = await api.at(header.hash);
        const records = await at.query.system.events();
        for (const { event } of records) {
          if (event.section !== 'jobs' || Number(event.data.job?.toString()) !== id) continue;
          const named = eventFields(event);
          onStatus({ block: header.number.toNumber(), event: event.method, data: named, text: describe(event.method, named) });
          if (event.method === 'JobSettled' || event.method === 'JobFailed') {
            clearTimeout(timer);
            unsub();
            resolve({ settled: event.method === 'JobSettled', event: named, block: header.number.toNumber(), blockHash: header.hash.toHex() });
          }
        }
      } catch (e) {
        clearTimeout(timer);
        unsub();
        reject(e);
      }
    }).then((u) => { unsub = u; }).catch(reject);
  });
}

function short(a) {
  const s = String(a);
  return s.length > 12 ? `${s.slice(0, 6)}…${s.slice(-4)}` : s;
}

function describe(method, d) {
  switch (method) {
    case 'JobSubmitted': return `submitted: escrow ${formatAmount(d.escrow)}, deadline #${d.deadline}`;
    case 'JobAssigned': return `assigned to ${d.providers.map(short).join(', ')}; commits until #${d.commit_end}`;
    case 'Committed': return `${short(d.provider)} committed`;
    case 'RevealStarted': return `reveals open until #${d.reveal_end}`;
    case 'JobEscalated': return `no unanimity: escalated to ${d.providers.map(short).join(', ')}; they commit until #${d.commit_end}`;
    case 'ProvidersReplaced': return `${d.replaced.map(short).join(', ')} missed the commit window; replaced by ${d.providers.map(short).join(', ')} (commits until #${d.commit_end})`;
    case 'Sealed': return `${short(d.provider)} sealed its answer`;
    case 'OpeningStarted': return `seals decided; the answer is opened by #${d.open_end}`;
    case 'Revealed': return `${short(d.provider)} revealed ${d.digest}`;
    case 'ProviderSlashed': return `${short(d.provider)} slashed ${formatAmount(d.amount)}: ${formatAmount(d.compensated)} to the payer, ${formatAmount(d.burned)} burned`;
    case 'JobSettled': return `settled: digest ${d.output_digest}${d.members.length ? ` (root of ${d.members.length} members)` : ''}, paid ${formatAmount(d.paid)}, refunded ${formatAmount(d.refunded)}, agreeing ${d.agreeing.length}, dissenting ${d.dissenting.length}`;
    case 'JobFailed': return `failed (${JSON.stringify(d.reason)}), refunded ${formatAmount(d.refunded)}`;
    case 'JobCancelled': return `cancelled, refunded ${formatAmount(d.refunded)}`;
    case 'OutputsDue': return `its ${d.members} output(s) are due on chain by #${d.by}; the providers are paid as they land`;
    case 'OutputDelivered': return `output ${d.member} delivered by ${short(d.by)}, checked against the receipt`;
    case 'DeliveryMissed': return `${d.missing} output(s) not delivered: ${formatAmount(d.refunded)} back to the payer`;
    case 'JobWaiting': return `its model's providers are busy: waiting behind ${d.ahead} job(s); assigned as they free up, refunded if not by #${d.last_start}`;
    case 'AuditStarted': return `audited: ${d.auditors.map(short).join(', ')} recompute it; they commit until #${d.commit_end}`;
    case 'AuditSkipped': return 'not audited: the primary\'s answer settles it';
    case 'CanaryOpened': return 'a canary: the primary is judged against the known answer';
    default: return method;
  }
}

/**
 * Synod's canonical digest of a worker output (see primitives/src/digest.rs):
 * blake2_256(model_hash ‖ blake2_256(input) ‖ u32 rank ‖ u32 dims ‖ i64 quantized…), little-endian.
 * A dapp recomputes it over the output it received to check it against the receipt.
 */
export function canonicalDigest(modelHash, input, shape, quantized) {
  return outputDigest(modelHash, blake2Hex(input), shape, quantized);
}

/**
 * The canonical digest of a quantized output of the input whose blake2-256 hash is `inputHash`
 * (what a receipt records): what `canonicalDigest` computes from the input bytes.
 */
export function outputDigest(modelHash, inputHash, shape, quantized) {
  const le32 = (v) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v, true); return b; };
  const q = new Uint8Array(8 * quantized.length);
  const dv = new DataView(q.buffer);
  quantized.forEach((v, i) => dv.setBigInt64(8 * i, BigInt(v), true));
  const pre = u8aConcat(hexToU8a(hash32(modelHash, 'model')), hexToU8a(hash32(inputHash, 'input hash')), le32(shape.length), ...shape.map(le32), q);
  return u8aToHex(blake2AsU8a(pre, 256));
}

/**
 * Checks an output against the digest a receipt agreed on, for `model` and the input hash
 * `inputHash`: its element count matches its shape and its canonical digest is `digest`.
 * Returns the output as `{ shape, quantized: BigInt[], values: number[] }` (`values` dequantized
 * with step 2^-stepExponent); throws when anything differs, so that a tampered or mislabelled
 * output is never used.
 */
export function verifyOutput({ model, inputHash, digest, stepExponent }, { shape, quantized }) {
  const q = quantized.map((v) => BigInt(v));
  const count = shape.reduce((a, d) => a * d, 1);
  if (count !== q.length) throw new Error(`the output has ${q.length} elements, its shape [${shape}] says ${count}`);
  const got = outputDigest(model, inputHash, shape, q);
  if (got !== digest) throw new Error(`the output digests to ${got}, the receipt agreed on ${digest}: not the agreed output`);
  const scale = 2 ** stepExponent;
  return { shape, quantized: q, values: q.map((v) => Number(v) / scale), digest };
}

/**
 * A settled job's agreed output, verified against its receipt before it is returned.
 *
 * A single job's output of up to 512 elements is in the receipt itself (the settling reveal
 * carried it). A larger output, and each member of a cohort (`member`: its index, or `'all'`
 * for every member in order), is delivered on chain after settlement by the agreeing
 * providers, who are paid for it only then (`deliver_output`; kept in `Outputs` with the
 * receipt): this waits for it up to `timeoutMs` while its delivery is due. With `worker` (a
 * provider's synod-worker URL) an output not on chain is fetched from the worker's job table
 * instead. Every output is used only once its canonical digest is the receipt's (a member's:
 * `receipt.members[i]`). Resolves with `{ job, shape, quantized, values, digest, source }`
 * (`source`: `receipt`, `chain` or the worker URL; an array for `'all'`); throws with the
 * reason when there is no receipt, no output, or the check fails.
 */
export async function fetchResult(api, id, { worker, member, timeoutMs = 120_000 } = {}) {
  const r = await receipt(api, id);
  if (!r) throw new Error(`no receipt for job ${id}: still open, failed, or pruned after the retention period`);
  const manifest = await api.call.modelsApi.manifest(r.model);
  if (manifest.isNone) throw new Error(`model ${r.model} of job ${id} is not registered`);
  const stepExponent = manifest.unwrap().canonicalization.stepExponent.toNumber();
  const cohort = r.members.length > 0;
  const check = (inputHash, digest, out) => verifyOutput({ model: r.model, inputHash, digest, stepExponent }, out);
  if (!cohort && r.output) {
    return { job: id, ...check(r.inputHash, r.outputDigest, { shape: r.output.shape, quantized: r.output.values }), source: 'receipt' };
  }
  if (cohort && member === undefined) throw new Error(`job ${id} is a cohort of ${r.members.length}: give a member (0 to ${r.members.length - 1}) or 'all'`);
  const wanted = !cohort ? [0] : member === 'all' ? r.members.map((_, i) => i) : [Number(member)];
  for (const i of wanted) {
    if (!Number.isInteger(i) || i < 0 || (cohort && i >= r.members.length)) throw new Error(`member ${member} is not in 0..${r.members.length - 1}`);
  }
  const expected = (i) => (cohort ? r.members[i] : r.outputDigest);
  const onChain = async (i) => {
    const o = await api.query.jobs.outputs(id, i);
    if (o.isNone) return null;
    // A Struct is a Map: read its fields with get() (its `values` is Map.prototype.values).
    const v = o.unwrap();
    const out = { shape: v.get('shape').map((d) => d.toNumber()), quantized: v.get('values').map((x) => x.toBigInt()) };
    return { ...check(v.get('inputHash').toHex(), expected(i), out), source: 'chain' };
  };
  const base = workerJobIdOf(id, r.model, r.inputHash);
  const fromWorker = async (i) => {
    const suffix = cohort ? `.${i}` : '';
    const reasons = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const url = `${worker}/v1/jobs/${base}${attempt}${suffix}`;
      let v;
      try {
        const res = await fetch(url);
        if (!res.ok) { reasons.push(`${url}: HTTP ${res.status}`); continue; }
        v = await res.json();
      } catch (e) { reasons.push(`${url}: ${e.message}`); continue; }
      if (v.status !== 'succeeded' || !v.output) { reasons.push(`${url}: ${v.status}`); continue; }
      return { ...check(v.input_hash, expected(i), { shape: v.output.shape, quantized: v.output.quantized }), source: url };
    }
    throw new Error(`no verified output for job ${id}${suffix} from the worker: ${reasons.join('; ')}`);
  };
  const until = Date.now() + timeoutMs;
  const one = async (i) => {
    for (;;) {
      const got = await onChain(i);
      if (got) return { job: id, ...(cohort ? { member: i } : {}), ...got };
      const due = await api.query.jobs.deliveries(id);
      if (worker && (due.isNone || Date.now() >= until)) return { job: id, ...(cohort ? { member: i } : {}), ...(await fromWorker(i)) };
      if (due.isNone) throw new Error(`output ${i} of job ${id} was not delivered in its window (its providers were not paid for it); give a provider's worker URL to ask it`);
      if (Date.now() >= until) throw new Error(`output ${i} of job ${id} is not delivered yet (due by #${due.unwrap().by.toNumber()})`);
      await new Promise((res) => setTimeout(res, 2000));
    }
  };
  const outs = [];
  for (const i of wanted) outs.push(await one(i));
  return member === 'all' ? outs : outs[0];
}

/**
 * The id under which a provider node's off-chain worker hands chain job `job` to synod-worker
 * (pallets/jobs/src/offchain.rs `worker_job_id`): `synod-<job>-<tag>-a<attempt>`, where tag is the
 * hex of the first 12 bytes of blake2_256(model ‖ input hash) (`inputHashOf`). A cohort's
 * member `i` is `<that id>.<i>`.
 */
export function workerJobId(job, modelHash, input, attempt = 0) {
  return `${workerJobIdOf(job, modelHash, inputHashOf(input))}${attempt}`;
}

/** `workerJobId` from the input's hash (a receipt's `inputHash`), without its attempt number. */
function workerJobIdOf(job, modelHash, inputHash) {
  const tag = u8aToHex(blake2AsU8a(u8aConcat(hexToU8a(hash32(modelHash, 'model')), hexToU8a(hash32(inputHash, 'input hash'))), 256)).slice(2, 26);
  return `synod-${job}-${tag}-a`;
}

/** `--name value` from the command line, or `fallback`. */
export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** blake2-256 of bytes, hex. */
export function blake2Hex(bytes) {
  return u8aToHex(blake2AsU8a(bytes, 256));
}
