// @ts-check
// Synod's polkadot.js library for dapps, model publishers and providers.
//
// Metadata only: no custom type definitions. Every function takes a connected `ApiPromise`.
// Calls that change state take an `Account` (a keyring pair, a JSON keystore unlocked with
// `fromKeystore`, or `{ address, signer }` from a browser wallet) and resolve once the
// transaction's block is finalized (`{ finality: 'inBlock' }`: as soon as it is in a best
// block), with its events, or reject with the decoded dispatch error ("jobs.ZeroPrice: The
// price is zero."). Results are plain objects, one casing (camelCase) for receipts, jobs and
// events; every amount, and every integer wider than 32 bits but a job id, is a `bigint`.
//
//   import { connect, signer, submitJob, waitForJob } from '@synod/client';
//   const api = await connect('ws://127.0.0.1:9944');
//   const { job, blockNumber } = await submitJob(api, signer('//Alice'), { model, input, redundancy: 3, maxPrice });
//   const outcome = await waitForJob(api, job, (s) => console.log(s.text), { from: blockNumber });

import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { hexToU8a, isHex, u8aToHex, u8aConcat } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';

/**
 * @typedef {import('@polkadot/keyring/types').KeyringPair} KeyringPair
 * @typedef {import('@polkadot/types/types').Signer} Signer
 * @typedef {import('@polkadot/api/types').SubmittableExtrinsic<'promise'>} Extrinsic
 * @typedef {import('@polkadot/types/interfaces').EventRecord} EventRecord
 * @typedef {import('@polkadot/types/interfaces').Header} Header
 */

/**
 * Who signs: a keyring pair (`signer`, `fromKeystore`), or an address with a polkadot.js
 * `Signer` (a browser wallet's: `(await web3FromAddress(address)).signer`).
 * @typedef {KeyringPair | { address: string, signer: Signer }} Account
 */

/**
 * When a result counts: `finalized` (the default: GRANDPA finalized its block, it cannot be
 * reverted) or `inBlock` (in a best block, which a fork may still drop; seconds sooner).
 * @typedef {'finalized' | 'inBlock'} Finality
 */

/**
 * A hex string: `0x` and the bytes' digits (a model id, a hash, a digest: 32 bytes).
 * @typedef {`0x${string}`} Hex
 */

/**
 * The chain's runtime APIs (`ModelsApi`, `ProvidersApi`, `JobsApi`): decoded from its metadata,
 * so without static types (no augmentation is generated for them).
 * @param {ApiPromise} api
 * @returns {any}
 */
const calls = (api) => api.call;

/** Planck per SYN (12 decimals). */
export const UNIT = 10n ** 12n;

/** The largest amount a balance holds (u128). */
export const MAX_AMOUNT = (1n << 128n) - 1n;

const DTYPES = {
  f16: 'F16', bf16: 'BF16', f32: 'F32', f64: 'F64', u8: 'U8', i8: 'I8', i16: 'I16', i32: 'I32', i64: 'I64', bool: 'Bool',
};

/**
 * Connects to a node; rejects after `timeoutMs` if it cannot, or at the first connection error
 * with `failFast` (for one-shot commands: no reconnect loop against a wrong URL).
 * @param {string} [url]
 * @param {number} [timeoutMs]
 * @param {{ failFast?: boolean }} [options]
 * @returns {Promise<ApiPromise>}
 */
export async function connect(url = 'ws://127.0.0.1:9944', timeoutMs = 30_000, { failFast = false } = {}) {
  await cryptoWaitReady();
  const provider = new WsProvider(url, 1000, {}, timeoutMs);
  /** @type {Promise<never>} */
  const failed = new Promise((_, reject) => {
    provider.on('error', () => { if (failFast) reject(new Error(`cannot connect to ${url}`)); });
  });
  failed.catch(() => {});
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  try {
    return await Promise.race([
      ApiPromise.create({ provider, noInitWarn: true }),
      failed,
      /** @type {Promise<never>} */ (new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no node answered at ${url} within ${timeoutMs} ms`)), timeoutMs); })),
    ]);
  } catch (e) {
    await provider.disconnect().catch(() => {});
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A keyring pair from a secret URI (`//Alice`, a mnemonic, a hex seed).
 * @param {string} suri
 * @returns {KeyringPair}
 */
export function signer(suri) {
  return new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(suri);
}

/**
 * A keyring pair from a JSON keystore (what polkadot.js apps and the browser wallets export),
 * unlocked with its password; throws when the password is wrong.
 * @param {string | import('@polkadot/keyring/types').KeyringPair$Json} json
 * @param {string} password
 * @returns {KeyringPair}
 */
export function fromKeystore(json, password) {
  const data = typeof json === 'string' ? JSON.parse(json) : json;
  const type = data?.encoding?.content?.[1];
  const pair = new Keyring({ type: type === 'ed25519' || type === 'ecdsa' ? type : 'sr25519', ss58Format: 42 }).addFromJson(data);
  try {
    pair.unlock(password);
  } catch {
    throw new Error(`cannot unlock the keystore of ${pair.address}: wrong password`);
  }
  return pair;
}

/**
 * Parses an amount: `12` (planck), `1.5SYN` / `1.5 SYN`; at most a balance's u128.
 * @param {string | number | bigint} s
 * @returns {bigint}
 */
export function parseAmount(s) {
  const m = String(s).trim().match(/^(\d+)(?:\.(\d+))?\s*(SYN)?$/i);
  if (!m) throw new Error(`not an amount: ${s} (use planck, or e.g. 1.5SYN)`);
  let v;
  if (!m[3]) {
    if (m[2]) throw new Error(`planck amounts are whole numbers: ${s}`);
    v = BigInt(m[1]);
  } else {
    if ((m[2] || '').length > 12) throw new Error(`more than 12 decimals: ${s}`);
    v = BigInt(m[1]) * UNIT + BigInt((m[2] || '').padEnd(12, '0'));
  }
  if (v > MAX_AMOUNT) throw new Error(`more than a balance holds (2^128 - 1 planck): ${s}`);
  return v;
}

/**
 * Formats planck as SYN (`1.5 SYN`), exactly.
 * @param {bigint | number | string | { toString(): string }} planck
 * @returns {string}
 */
export function formatAmount(planck) {
  const v = BigInt(planck.toString());
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = a / UNIT;
  const frac = (a % UNIT).toString().padStart(12, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? '.' + frac : ''} SYN`;
}

/** The struct fields polkadot.js renames (types/metadata/PortableRegistry: its reserved names). */
const RENAMED = new Set(['entries_', 'hash_', 'keys_', 'new_', 'size_', 'registry_']);

/**
 * A field's name as the chain has it: polkadot.js renames fields that would shadow a Map's or
 * a codec's own (`hash`, `keys`, …) with a trailing underscore; its JSON names them as the
 * chain does, and so does this.
 * @param {string} k
 */
const fieldName = (k) => (RENAMED.has(k) ? k.slice(0, -1) : k);

/** Fields that hold a job id: numbers (below 2^53), not bigints. */
const JOB_ID_FIELDS = new Set(['job', 'jobs', 'openJobs']);

/**
 * A decoded chain value as plain JavaScript: structs as objects (camelCase keys), vectors as
 * arrays, options as the value or `null`, enums as their variant's name (every variant
 * without data) or `{ variant: value }`, accounts as SS58 addresses, byte arrays as hex,
 * booleans, integers up to 32 bits as numbers, wider ones (every balance) as `bigint`; job ids
 * as numbers.
 * @param {any} c a polkadot.js codec
 * @param {string} [key] the field it is in
 * @returns {any}
 */
export function plain(c, key) {
  if (c === null || c === undefined) return null;
  if (typeof c.isNone === 'boolean' && typeof c.unwrapOr === 'function') return c.isSome ? plain(c.unwrap(), key) : null;
  if (typeof c.toBigInt === 'function' && typeof c.bitLength === 'function') {
    const v = c.toBigInt();
    if (key && JOB_ID_FIELDS.has(key)) return jobNumber(v);
    return c.bitLength() > 32 ? v : Number(v);
  }
  if (typeof c.isTrue === 'boolean') return c.isTrue;
  if (typeof c.toRawType === 'function' && c.toRawType() === 'Null') return null;
  if (typeof c.isBasic === 'boolean' && typeof c.index === 'number') {
    return c.isBasic ? c.type : { [c.type.charAt(0).toLowerCase() + c.type.slice(1)]: plain(c.inner, key) };
  }
  if (c instanceof Map && 'defKeys' in c) {
    return Object.fromEntries([...c.entries()].map(([k, v]) => [fieldName(k), plain(v, fieldName(k))]));
  }
  if (c instanceof Map) return [...c.entries()].map(([k, v]) => [plain(k), plain(v, key)]);
  if (Array.isArray(c)) return c.map((x) => plain(x, key));
  if (c instanceof String) return c.toString();
  return typeof c.toJSON === 'function' ? c.toJSON() : c;
}

/**
 * @param {bigint} v
 * @returns {number}
 */
function jobNumber(v) {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`job id ${v} is above 2^53: this client keeps job ids as numbers`);
  return Number(v);
}

/**
 * @param {string} h
 * @param {string} what
 * @returns {Hex}
 */
function hash32(h, what) {
  const s = String(h).startsWith('0x') ? String(h) : `0x${h}`;
  if (!isHex(s) || s.length !== 66) throw new Error(`${what} must be 32 bytes of hex, got ${h}`);
  return /** @type {Hex} */ (s.toLowerCase());
}

/**
 * A tensor spec in a worker manifest: `{ dtype: 'f32', shape: [null, 16] }` (`null`: any size).
 * @typedef {{ dtype: string, shape: (number | null)[] }} TensorSpecJson
 */

/**
 * A worker manifest (worker/tests/fixtures/*.json).
 * @typedef {{ hash: string, name: string, input: TensorSpecJson, output: TensorSpecJson,
 *   step_exponent: number, tolerance: number, max_input_bytes: number, sources?: string[] }} ManifestJson
 */

/**
 * The chain's `ModelManifest`, as `register_model` takes it.
 * @typedef {{ fileHash: Hex, name: string, input: { dtype: string, shape: (number | null)[] },
 *   output: { dtype: string, shape: (number | null)[] },
 *   canonicalization: { stepExponent: number, tolerance: number }, maxInputBytes: number,
 *   sources: string[] }} Manifest
 */

/**
 * The chain's `ModelManifest` from the worker's manifest JSON (the format of
 * worker/tests/fixtures/*.json). `sources` must be http(s)/ipfs URIs on chain: relative file
 * names are resolved against `sourceBase` (e.g. `http://127.0.0.1:8000/`).
 * @param {ManifestJson} m
 * @param {{ sourceBase?: string }} [options]
 * @returns {Manifest}
 */
export function manifestFromJson(m, { sourceBase } = {}) {
  /** @param {TensorSpecJson} s @param {string} what */
  const spec = (s, what) => {
    const dtype = DTYPES[/** @type {keyof typeof DTYPES} */ (s.dtype)];
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

/**
 * Encodes input values as the model's input dtype (little-endian bytes).
 * @param {(number | bigint | boolean)[]} values
 * @param {string} dtype `f32`, `F32`, `i64`, …
 * @returns {Uint8Array}
 */
export function encodeInput(values, dtype) {
  const n = values.length;
  const num = () => values.map(Number);
  /** @type {Record<string, () => Uint8Array>} */
  const views = {
    f32: () => new Uint8Array(new Float32Array(num()).buffer),
    f64: () => new Uint8Array(new Float64Array(num()).buffer),
    i64: () => new Uint8Array(new BigInt64Array(values.map((v) => BigInt(v))).buffer),
    i32: () => new Uint8Array(new Int32Array(num()).buffer),
    i16: () => new Uint8Array(new Int16Array(num()).buffer),
    i8: () => new Uint8Array(new Int8Array(num()).buffer),
    u8: () => new Uint8Array(num()),
    bool: () => new Uint8Array(values.map((v) => (v ? 1 : 0))),
  };
  const f = views[String(dtype).toLowerCase()];
  if (!f) throw new Error(`cannot encode values as ${dtype}; pass raw bytes (hex) instead`);
  if (!n) throw new Error('no input values');
  return f(); // x86 and ARM are little-endian, as the model expects
}

/**
 * What a sent transaction resolved with.
 * @typedef {{ blockHash: Hex, blockNumber: number, events: EventRecord[] }} Sent
 */

/**
 * Signs and sends `tx` as `account`; resolves with `{ blockHash, blockNumber, events }` once
 * its block is finalized (or, `finality: 'inBlock'`, in a best block), or rejects with the
 * dispatch error decoded (`jobs.ZeroPrice: The price is zero.`).
 * @param {ApiPromise} api
 * @param {Extrinsic} tx
 * @param {Account} account
 * @param {{ nonce?: number, finality?: Finality }} [options]
 * @returns {Promise<Sent>}
 */
export function send(api, tx, account, { nonce = -1, finality = 'finalized' } = {}) {
  if (finality !== 'finalized' && finality !== 'inBlock') throw new Error(`finality is 'finalized' or 'inBlock', not ${finality}`);
  const [who, options] = 'sign' in account ? [account, { nonce }] : [account.address, { nonce, signer: account.signer }];
  return new Promise((resolve, reject) => {
    let unsub = () => {};
    let done = false;
    /** @param {() => void} f */
    const end = (f) => { if (!done) { done = true; unsub(); f(); } };
    tx.signAndSend(who, options, (result) => {
      const { status, dispatchError, events } = result;
      const at = finality === 'finalized' ? status.isFinalized : status.isInBlock;
      if (at) {
        const blockHash = /** @type {Hex} */ ((finality === 'finalized' ? status.asFinalized : status.asInBlock).toHex());
        if (dispatchError) {
          end(() => reject(new Error(dispatchErrorText(api, dispatchError))));
          return;
        }
        end(() => {
          api.rpc.chain.getHeader(blockHash)
            .then((h) => resolve({ blockHash, blockNumber: h.number.toNumber(), events }))
            .catch(reject);
        });
      } else if (status.isDropped || status.isInvalid || status.isUsurped || status.isFinalityTimeout) {
        end(() => reject(new Error(`transaction ${status.type}`)));
      }
    }).then((u) => { unsub = u; if (done) u(); }).catch((e) => end(() => reject(e)));
  });
}

/**
 * A dispatch error in words: `section.Name: its docs`.
 * @param {ApiPromise} api
 * @param {import('@polkadot/types/interfaces').DispatchError} e
 * @returns {string}
 */
export function dispatchErrorText(api, e) {
  if (e.isModule) {
    const m = api.registry.findMetaError(e.asModule);
    return `${m.section}.${m.name}: ${m.docs.join(' ').trim()}`;
  }
  return e.toString();
}

/**
 * An event's fields by name (camelCase), as plain values (`plain`): `{ job, provider, … }`.
 * @param {import('@polkadot/types/interfaces').Event} event
 * @returns {Record<string, any>}
 */
export function eventFields(event) {
  const names = (event.data.names ?? event.meta.fields.map((_, i) => String(i))).map(fieldName);
  return Object.fromEntries(names.map((n, i) => [n, plain(event.data[i], n)]));
}

/**
 * @param {EventRecord[]} events
 * @param {string} section
 * @param {string} method
 */
function eventsOf(events, section, method) {
  return events.map((r) => r.event).filter((e) => e.section === section && e.method === method);
}

/**
 * The id a manifest has once `publisher` registers it (the chain's `model_id`: the hash of the
 * publisher and the whole manifest, so that nobody else can take or retire it).
 * @param {ApiPromise} api
 * @param {string} publisher an SS58 address
 * @param {Manifest} manifest
 * @returns {Promise<Hex>}
 */
export async function modelId(api, publisher, manifest) {
  return /** @type {Hex} */ ((await calls(api).modelsApi.modelId(publisher, manifest)).toHex());
}

/**
 * Registers a model manifest (see `manifestFromJson`) signed by `account`, its publisher;
 * resolves with its id, and `existed` when this publisher had registered it already.
 * @param {ApiPromise} api
 * @param {Account} account
 * @param {Manifest} manifest
 * @param {{ finality?: Finality }} [options]
 * @returns {Promise<{ model: Hex, existed: boolean }>}
 */
export async function registerModel(api, account, manifest, { finality } = {}) {
  const model = await modelId(api, account.address, manifest);
  if ((await calls(api).modelsApi.manifest(model)).isSome) return { model, existed: true };
  const { events } = await send(api, api.tx.models.registerModel(manifest), account, { finality });
  const [registered] = eventsOf(events, 'models', 'ModelRegistered');
  if (!registered || eventFields(registered).model !== model) {
    throw new Error(`models.ModelRegistered did not name id ${model}`);
  }
  return { model, existed: false };
}

/**
 * A provider's determinism class: what decides bit-identical outputs.
 * @typedef {{ device: 'Cpu' | 'Cuda', arch: string, libtorch: string, deterministic: boolean }} DeterminismClass
 */

/**
 * Registers a provider (or tops it up) and sets its offers.
 * @param {ApiPromise} api
 * @param {Account} account
 * @param {{ bond: bigint, cls: DeterminismClass, concurrency?: number, metadata?: string,
 *   offers?: { model: string, price: bigint }[], finality?: Finality }} options
 * @returns {Promise<{ registered: boolean }>}
 */
export async function registerProvider(api, account, { bond, cls, concurrency = 4, metadata = '', offers = [], finality }) {
  const existing = await calls(api).providersApi.provider(account.address);
  const txs = [];
  if (existing.isNone) {
    txs.push(api.tx.providers.register(bond, cls, concurrency, metadata));
  }
  for (const { model, price } of offers) txs.push(api.tx.providers.setOffer(hash32(model, 'model'), price));
  // No utility pallet in the runtime: one transaction after the other (each waits for its block).
  for (const tx of txs) await send(api, tx, account, { finality });
  return { registered: existing.isNone };
}

/**
 * A dev network's providers: puts each secret's key into the node's keystore (type `synd`,
 * for its off-chain worker) and registers the account as a provider with the class the worker
 * reports, offering every model in `models` at `price`.
 * @param {ApiPromise} api
 * @param {{ suris: string[], workerUrl: string, models: string[], bond: bigint, price: bigint,
 *   concurrency?: number, finality?: Finality }} options
 * @returns {Promise<{ pairs: KeyringPair[], cls: DeterminismClass }>}
 */
export async function setupDevProviders(api, { suris, workerUrl, models, bond, price, concurrency = 8, finality }) {
  const cls = await classFromWorker(workerUrl);
  const pairs = suris.map((s) => signer(s));
  for (const [i, p] of pairs.entries()) {
    await api.rpc.author.insertKey('synd', suris[i], u8aToHex(p.publicKey));
    await registerProvider(api, p, { bond, cls, concurrency, metadata: 'synod dev provider', offers: models.map((model) => ({ model, price })), finality });
  }
  return { pairs, cls };
}

/**
 * The determinism class a worker reports on `GET /health`. `arch` is the CPU's (the worker's
 * machine: the caller's by default, under Node.js) when the worker runs on the CPU.
 * @param {string} workerUrl
 * @param {{ arch?: string }} [options]
 * @returns {Promise<DeterminismClass>}
 */
export async function classFromWorker(workerUrl, { arch } = {}) {
  const h = await (await fetch(`${workerUrl}/health`)).json();
  const device = String(h.device).startsWith('cuda') ? 'Cuda' : 'Cpu';
  const host = arch ?? /** @type {any} */ (globalThis).process?.arch;
  const cpu = host === 'x64' ? 'x86_64' : host === 'arm64' ? 'aarch64' : host;
  if (device === 'Cpu' && !cpu) throw new Error('give the worker machine\'s CPU architecture (arch)');
  return { device, arch: device === 'Cuda' ? (h.gpu_arch || 'cuda') : cpu, libtorch: String(h.libtorch).split('+')[0], deterministic: Boolean(h.deterministic) };
}

/**
 * What a job would hold, and the lowest price at which enough providers are assignable.
 * @typedef {{ escrow: bigint, cheapest: bigint | null }} Quote
 */

/**
 * `(escrow, cheapest)`: what a job holds (`2 × redundancy × max price`: the second half is the
 * escalation reserve, released when the job settles without one) and the lowest price at which
 * enough providers are assignable.
 * @param {ApiPromise} api
 * @param {string} model
 * @param {number} redundancy
 * @param {bigint} maxPrice
 * @returns {Promise<Quote>}
 */
export async function quote(api, model, redundancy, maxPrice) {
  const [escrow, cheapest] = /** @type {any} */ (await calls(api).jobsApi.quote(hash32(model, 'model'), redundancy, maxPrice));
  return { escrow: escrow.toBigInt(), cheapest: cheapest.isSome ? cheapest.unwrap().toBigInt() : null };
}

/**
 * The providers an audit takes (the primary and the chain's `Auditors`): an audited job holds
 * `2 × auditSize × max price` (the audit and its escalation) and `quote(api, model, auditSize,
 * maxPrice)` is its quote.
 * @param {ApiPromise} api
 * @returns {number}
 */
export function auditSize(api) {
  return 1 + /** @type {any} */ (api.consts.jobs.auditors).toNumber();
}

/**
 * How a settled job was verified: `'redundant'` by the providers' vote, `'unaudited'` (audited
 * mode, one provider), `{ audited: { auditors } }`, or `'canary'`.
 * @typedef {{ redundant: null } | { unaudited: null } | { audited: { auditors: string[] } } | { canary: null }} Verification
 */

/**
 * How a receipt's job was verified, in words: `redundant`, `unaudited`, `audited by A, B` or
 * `canary`.
 * @param {{ verification?: Verification } | null | undefined} receipt
 * @returns {string}
 */
export function verificationText(receipt) {
  const v = receipt?.verification;
  if (!v) return 'unknown';
  if ('audited' in v) return `audited by ${v.audited.auditors.map(short).join(', ')}`;
  return Object.keys(v)[0] ?? 'unknown';
}

/**
 * A job's input: its bytes (inline), a remote input by hash and URI, or a cohort of those.
 * @typedef {Uint8Array | { hash: string, uri: string } | (Uint8Array | { hash: string, uri: string })[]} JobInput
 */

/**
 * A submitted job.
 * @typedef {{ job: number, escrow: bigint, deadline: number, blockHash: Hex, blockNumber: number }} Submitted
 */

/**
 * Submits a job. `input` is a Uint8Array (inline), `{ hash, uri }` (remote), or an array of
 * those: a cohort (2 to 64 members of one model, answered together, priced per member; the
 * receipt lists each member's output digest in this order). `audited: true` submits it in
 * audited mode (`redundancy` is then ignored): one provider computes, and the chain decides
 * after its commitment whether auditors recompute it. `deadlineBlocks` counts from the current
 * head. Resolves with `{ job, escrow, deadline, blockHash, blockNumber }` (its block's number:
 * `waitForJob`'s `from`).
 * @param {ApiPromise} api
 * @param {Account} account
 * @param {{ model: string, input: JobInput, redundancy?: number, audited?: boolean, maxPrice: bigint,
 *   deadlineBlocks?: number, nonce?: number, finality?: Finality }} options
 * @returns {Promise<Submitted>}
 */
export async function submitJob(api, account, { model, input, redundancy = 3, audited = false, maxPrice, deadlineBlocks = 60, nonce = -1, finality }) {
  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  const jobInput = toJobInput(input);
  const deadline = head + deadlineBlocks;
  const tx = audited
    ? api.tx.jobs.submitAudited(hash32(model, 'model'), jobInput, maxPrice, deadline)
    : api.tx.jobs.submitJob(hash32(model, 'model'), jobInput, redundancy, maxPrice, deadline);
  const { blockHash, blockNumber, events } = await send(api, tx, account, { nonce, finality });
  const [ev] = eventsOf(events, 'jobs', 'JobSubmitted');
  if (!ev) throw new Error('no JobSubmitted event');
  const d = eventFields(ev);
  return { job: d.job, escrow: d.escrow, deadline: d.deadline, blockHash, blockNumber };
}

/**
 * @param {JobInput} input
 * @returns {any}
 */
function toJobInput(input) {
  if (Array.isArray(input)) return { Cohort: input.map(toJobInput) };
  return input instanceof Uint8Array ? { Inline: u8aToHex(input) } : { Remote: { hash: hash32(input.hash, 'input hash'), uri: input.uri } };
}

/**
 * A cohort's root over its members' hashes (output digests or input hashes, hex, in member
 * order), as primitives/src/digest.rs `members_root` computes it:
 * blake2_256("synod:members:v1" ‖ u32 count ‖ hashes…). A cohort's receipt has the root of its
 * members' input hashes as `inputHash` and of their output digests as `outputDigest`.
 * @param {string[]} hashes
 * @returns {Hex}
 */
export function membersRoot(hashes) {
  const n = new Uint8Array(4);
  new DataView(n.buffer).setUint32(0, hashes.length, true);
  const pre = u8aConcat(new TextEncoder().encode('synod:members:v1'), n, ...hashes.map((h) => hexToU8a(hash32(h, 'member hash'))));
  return u8aToHex(blake2AsU8a(pre, 256));
}

/**
 * The hash a job's input is known by on chain: blake2-256 of its bytes, or a cohort's root.
 * @param {JobInput} input
 * @returns {Hex}
 */
export function inputHashOf(input) {
  if (Array.isArray(input)) return membersRoot(input.map(inputHashOf));
  return input instanceof Uint8Array ? blake2Hex(input) : hash32(input.hash, 'input hash');
}

/**
 * Submits several jobs in one `submit_batch` transaction (at most the runtime's `MaxBatch`,
 * 64): each item as `submitJob` takes it; all are submitted or none. Resolves with
 * `{ jobs: [{ job, escrow, deadline }], blockHash, blockNumber }`, in the items' order.
 * @param {ApiPromise} api
 * @param {Account} account
 * @param {{ model: string, input: JobInput, redundancy?: number, maxPrice: bigint, deadlineBlocks?: number }[]} items
 * @param {{ nonce?: number, finality?: Finality }} [options]
 * @returns {Promise<{ jobs: { job: number, escrow: bigint, deadline: number }[], blockHash: Hex, blockNumber: number }>}
 */
export async function submitBatch(api, account, items, { nonce = -1, finality } = {}) {
  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  const requests = items.map(({ model, input, redundancy = 3, maxPrice, deadlineBlocks = 60 }) => ({
    model: hash32(model, 'model'), input: toJobInput(input), redundancy, maxPrice, deadline: head + deadlineBlocks,
  }));
  const { blockHash, blockNumber, events } = await send(api, api.tx.jobs.submitBatch(requests), account, { nonce, finality });
  const jobs = eventsOf(events, 'jobs', 'JobSubmitted').map((e) => {
    const d = eventFields(e);
    return { job: d.job, escrow: d.escrow, deadline: d.deadline };
  });
  if (jobs.length !== items.length) throw new Error(`submit_batch of ${items.length} jobs emitted ${jobs.length} JobSubmitted events`);
  return { jobs, blockHash, blockNumber };
}

/**
 * An open job, as the chain keeps it (`plain` values: `payer`, `model`, `inputHash`,
 * `redundancy`, `maxPrice`, `escrow`, `status`, `submittedAt`, `phaseEnd`, `deadline`,
 * `assignments`, …), or null once it ended.
 * @param {ApiPromise} api
 * @param {number} id
 * @returns {Promise<Record<string, any> | null>}
 */
export async function job(api, id) {
  const j = await calls(api).jobsApi.job(id);
  return j.isSome ? plain(j.unwrap()) : null;
}

/**
 * A small output as a receipt or a reveal carries it (quantized).
 * @typedef {{ shape: number[], values: bigint[] }} SmallOutput
 */

/**
 * The receipt of a settled job.
 * @typedef {{ payer: string, model: Hex, inputHash: Hex,
 *   result: { output: { digest: Hex, output: SmallOutput | null } } | { members: { root: Hex, members: Hex[] } },
 *   agreeing: string[], dissenting: string[], paid: bigint, refunded: bigint, deposit: bigint,
 *   verification: Verification, settledAt: number,
 *   outputDigest: Hex, output: SmallOutput | null, members: Hex[] }} Receipt
 */

/**
 * The receipt of a settled job within the retention period (or null). The chain stores the
 * agreed reveal as one enum (`result`: `{ output: { digest, output } }` for a single job,
 * `{ members: { root, members } }` for a cohort); the receipt returned here keeps it and adds
 * the fields a dapp reads: `outputDigest` (the digest, or a cohort's root), `output` (the
 * small output in full, or null) and `members` (a cohort's member digests in input order,
 * else []).
 * @param {ApiPromise} api
 * @param {number} id
 * @returns {Promise<Receipt | null>}
 */
export async function receipt(api, id) {
  const r = await calls(api).jobsApi.receipt(id);
  if (!r.isSome) return null;
  const v = plain(r.unwrap());
  if ('output' in v.result) return { ...v, outputDigest: v.result.output.digest, output: v.result.output.output, members: [] };
  return { ...v, outputDigest: v.result.members.root, output: null, members: v.result.members.members };
}

/**
 * Where a job not assigned yet waits.
 * @typedef {{ ahead: number, waiting: boolean, roundsAhead: number | null, expectedBy: number | null, lastStart: number }} QueuePosition
 */

/**
 * Where a job not assigned yet waits (or null once assigned or ended): `{ ahead, waiting,
 * roundsAhead, expectedBy, lastStart }`: jobs ahead of it (in its model's line when `waiting`,
 * its providers being busy; else submitted before it), rounds of the model's providers until
 * its turn and the block it is expected to be assigned by (null when no provider offers the
 * model at its price), and the last block it can be assigned in (after it, a full refund).
 * @param {ApiPromise} api
 * @param {number} id
 * @returns {Promise<QueuePosition | null>}
 */
export async function queuePosition(api, id) {
  const p = await calls(api).jobsApi.queuePosition(id);
  return p.isNone ? null : plain(p.unwrap());
}

/**
 * Providers offering `model`: [{ provider, price, live }].
 * @param {ApiPromise} api
 * @param {string} model
 * @returns {Promise<{ provider: string, price: bigint, live: boolean }[]>}
 */
export async function providers(api, model) {
  const list = /** @type {any[]} */ (await calls(api).providersApi.providersForModel(hash32(model, 'model')));
  return list.map(([who, price, live]) => ({ provider: who.toString(), price: price.toBigInt(), live: live.isTrue }));
}

/**
 * One of a job's events, as `waitForJob` reports it.
 * @typedef {{ block: number, blockHash: Hex, event: string, data: Record<string, any>, text: string }} JobEvent
 */

/**
 * How a job ended: `settled` (its receipt holds the agreed output), or failed or cancelled
 * (`event` says why, and what came back).
 * @typedef {{ settled: boolean, event: Record<string, any>, method: string, block: number, blockHash: Hex }} JobEnd
 */

/** The events that end a job. */
const JOB_ENDS = new Set(['JobSettled', 'JobFailed', 'JobCancelled']);

/**
 * Follows a job's events block by block, at finality by default (`finality: 'inBlock'`: best
 * blocks, whose events a fork may still drop; an event is reported once even when its
 * transaction lands again on the winning fork), from block `from` (default: its submission block, or its receipt's when it has
 * settled already) until it settles, fails or is cancelled, calling `onStatus({ block,
 * blockHash, event, data, text })` for each event of it, in order. Resolves with `{ settled,
 * event, method, block, blockHash }` (`event`: the `JobSettled`, `JobFailed` or `JobCancelled`
 * fields). `signal` (an `AbortSignal`) stops following it: the promise rejects with the
 * signal's reason.
 * @param {ApiPromise} api
 * @param {number} id
 * @param {(e: JobEvent) => void} [onStatus]
 * @param {{ timeoutMs?: number, finality?: Finality, from?: number, signal?: AbortSignal }} [options]
 * @returns {Promise<JobEnd>}
 */
export async function waitForJob(api, id, onStatus = () => {}, { timeoutMs = 600_000, finality = 'finalized', from, signal } = {}) {
  signal?.throwIfAborted();
  let next = from;
  if (next === undefined) {
    const open = await calls(api).jobsApi.job(id);
    if (open.isSome) next = /** @type {any} */ (open.unwrap()).submittedAt.toNumber();
    else {
      const r = await calls(api).jobsApi.receipt(id);
      if (r.isNone) throw new Error(`job ${id} is neither open nor settled (unknown, failed, cancelled or pruned): give the block to read its events from`);
      next = /** @type {any} */ (r.unwrap()).settledAt.toNumber();
    }
  }
  /** @type {any} */
  const subscribe = finality === 'finalized' ? api.rpc.chain.subscribeFinalizedHeads : finality === 'inBlock' ? api.rpc.chain.subscribeNewHeads : null;
  if (!subscribe) throw new Error(`finality is 'finalized' or 'inBlock', not ${finality}`);
  const start = /** @type {number} */ (next);
  return new Promise((resolve, reject) => {
    let unsub = () => {};
    let done = false;
    let queue = Promise.resolve();
    /** The hash of each block read, by number: a new head's branch is read back to one of them. */
    const read = new Map();
    /** Events reported (a transaction included again on another fork gives the same event). */
    const seen = new Set();
    /** @param {() => void} f */
    const end = (f) => { if (!done) { done = true; clearTimeout(timer); signal?.removeEventListener('abort', onAbort); unsub(); f(); } };
    const timer = setTimeout(() => end(() => reject(new Error(`job ${id} did not end within ${timeoutMs / 1000} s`))), timeoutMs);
    const onAbort = () => end(() => reject(signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    /** @param {number} number @param {import('@polkadot/types-codec/types').IU8a} hash */
    const readBlock = async (number, hash) => {
      const at = await api.at(hash);
      const records = /** @type {EventRecord[]} */ (/** @type {unknown} */ (await at.query.system.events()));
      read.set(number, hash.toHex());
      for (const { event } of records) {
        if (done) return;
        if (event.section !== 'jobs') continue;
        const data = eventFields(event);
        if (data.job !== id) continue;
        const key = `${event.method}:${toJson(data)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const blockHash = /** @type {Hex} */ (hash.toHex());
        onStatus({ block: number, blockHash, event: event.method, data, text: describe(event.method, data) });
        if (JOB_ENDS.has(event.method)) {
          end(() => resolve({ settled: event.method === 'JobSettled', event: data, method: event.method, block: number, blockHash }));
          return;
        }
      }
    };
    /** @param {Header} header */
    const onHead = (header) => {
      // Heads arrive faster than blocks are read, finality skips blocks, and a best head may be
      // on another fork: read every block of the head's branch back to the last one read (or
      // to `from`), oldest first, one head at a time.
      queue = queue.then(async () => {
        /** @type {[number, import('@polkadot/types-codec/types').IU8a][]} */
        const branch = [];
        let number = header.number.toNumber();
        /** @type {import('@polkadot/types-codec/types').IU8a} */
        let hash = header.hash;
        let parent = header.parentHash;
        while (!done && number >= start && read.get(number) !== hash.toHex()) {
          branch.push([number, hash]);
          if (number === start) break;
          const h = await api.rpc.chain.getHeader(parent);
          number = h.number.toNumber();
          hash = h.hash;
          parent = h.parentHash;
        }
        for (const [num, hsh] of branch.reverse()) {
          if (done) return;
          await readBlock(num, hsh);
        }
      }).catch((e) => end(() => reject(e)));
    };
    subscribe.call(api.rpc.chain, onHead).then((/** @type {() => void} */ u) => { unsub = u; if (done) u(); }).catch((/** @type {Error} */ e) => end(() => reject(e)));
  });
}

/**
 * An account or hash, shortened for a status line: `5Grwva…utQY`.
 * @param {unknown} a
 * @returns {string}
 */
export function short(a) {
  const s = String(a);
  return s.length > 12 ? `${s.slice(0, 6)}…${s.slice(-4)}` : s;
}

/**
 * A job event in words, for a status line.
 * @param {string} method the event's name (`JobAssigned`)
 * @param {Record<string, any>} d its fields (`eventFields`)
 * @returns {string}
 */
export function describe(method, d) {
  switch (method) {
    case 'JobSubmitted': return `submitted: escrow ${formatAmount(d.escrow)}, deadline #${d.deadline}`;
    case 'JobAssigned': return `assigned to ${d.providers.map(short).join(', ')}; commits until #${d.commitEnd}`;
    case 'Committed': return `${short(d.provider)} committed`;
    case 'RevealStarted': return `reveals open until #${d.revealEnd}`;
    case 'JobEscalated': return `no unanimity: escalated to ${d.providers.map(short).join(', ')}; they commit until #${d.commitEnd}`;
    case 'ProvidersReplaced': return `${d.replaced.map(short).join(', ')} missed the commit window; replaced by ${d.providers.map(short).join(', ')} (commits until #${d.commitEnd})`;
    case 'Sealed': return `${short(d.provider)} sealed its answer`;
    case 'OpeningStarted': return `seals decided; the answer is opened by #${d.openEnd}`;
    case 'Revealed': return `${short(d.provider)} revealed ${d.digest}`;
    case 'ProviderSlashed': return `${short(d.provider)} slashed ${formatAmount(d.amount)}: ${formatAmount(d.compensated)} to the payer, ${formatAmount(d.burned)} burned`;
    case 'JobSettled': return `settled: digest ${d.outputDigest}${d.members.length ? ` (root of ${d.members.length} members)` : ''}, paid ${formatAmount(d.paid)}, refunded ${formatAmount(d.refunded)}, agreeing ${d.agreeing.length}, dissenting ${d.dissenting.length}`;
    case 'JobFailed': return `failed (${typeof d.reason === 'string' ? d.reason : toJson(d.reason)}), refunded ${formatAmount(d.refunded)}`;
    case 'JobCancelled': return `cancelled, refunded ${formatAmount(d.refunded)}`;
    case 'OutputsDue': return `its ${d.members} output(s) are due on chain by #${d.by}; the providers are paid as they land`;
    case 'OutputDelivered': return `output ${d.member} delivered by ${short(d.by)}, checked against the receipt`;
    case 'DeliveryMissed': return `${d.missing} output(s) not delivered: ${formatAmount(d.refunded)} back to the payer`;
    case 'JobWaiting': return `its model's providers are busy: waiting behind ${d.ahead} job(s); assigned as they free up, refunded if not by #${d.lastStart}`;
    case 'AuditStarted': return `audited: ${d.auditors.map(short).join(', ')} recompute it; they commit until #${d.commitEnd}`;
    case 'AuditSkipped': return 'not audited: the primary\'s answer settles it';
    case 'CanaryOpened': return 'a canary: the primary is judged against the known answer';
    default: return method;
  }
}

/**
 * Synod's canonical digest of a worker output (see primitives/src/digest.rs):
 * blake2_256(model ‖ blake2_256(input) ‖ u32 rank ‖ u32 dims ‖ i64 quantized…), little-endian.
 * A dapp recomputes it over the output it received to check it against the receipt.
 * @param {string} modelHash the model's id
 * @param {Uint8Array} input
 * @param {number[]} shape
 * @param {(bigint | number)[]} quantized
 * @returns {Hex}
 */
export function canonicalDigest(modelHash, input, shape, quantized) {
  return outputDigest(modelHash, blake2Hex(input), shape, quantized);
}

/**
 * The canonical digest of a quantized output of the input whose blake2-256 hash is `inputHash`
 * (what a receipt records): what `canonicalDigest` computes from the input bytes.
 * @param {string} modelHash the model's id
 * @param {string} inputHash
 * @param {number[]} shape
 * @param {(bigint | number)[]} quantized
 * @returns {Hex}
 */
export function outputDigest(modelHash, inputHash, shape, quantized) {
  /** @param {number} v */
  const le32 = (v) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v, true); return b; };
  const q = new Uint8Array(8 * quantized.length);
  const dv = new DataView(q.buffer);
  quantized.forEach((v, i) => dv.setBigInt64(8 * i, BigInt(v), true));
  const pre = u8aConcat(hexToU8a(hash32(modelHash, 'model')), hexToU8a(hash32(inputHash, 'input hash')), le32(shape.length), ...shape.map(le32), q);
  return u8aToHex(blake2AsU8a(pre, 256));
}

/**
 * An output checked against its receipt: `values` dequantized.
 * @typedef {{ shape: number[], quantized: bigint[], values: number[], digest: Hex }} VerifiedOutput
 */

/**
 * Checks an output against the digest a receipt agreed on, for `model` and the input hash
 * `inputHash`: its element count matches its shape and its canonical digest is `digest`.
 * Returns the output as `{ shape, quantized: BigInt[], values: number[] }` (`values` dequantized
 * with step 2^-stepExponent); throws when anything differs, so that a tampered or mislabelled
 * output is never used.
 * @param {{ model: string, inputHash: string, digest: string, stepExponent: number }} expected
 * @param {{ shape: number[], quantized: (bigint | number | string)[] }} output
 * @returns {VerifiedOutput}
 */
export function verifyOutput({ model, inputHash, digest, stepExponent }, { shape, quantized }) {
  const q = quantized.map((v) => BigInt(v));
  const count = shape.reduce((a, d) => a * d, 1);
  if (count !== q.length) throw new Error(`the output has ${q.length} elements, its shape [${shape}] says ${count}`);
  const got = outputDigest(model, inputHash, shape, q);
  if (got !== String(digest).toLowerCase()) throw new Error(`the output digests to ${got}, the receipt agreed on ${digest}: not the agreed output`);
  const scale = 2 ** stepExponent;
  return { shape, quantized: q, values: q.map((v) => Number(v) / scale), digest: got };
}

/**
 * A settled job's output, verified.
 * @typedef {VerifiedOutput & { job: number, member?: number, source: string }} JobResult
 */

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
 * @param {ApiPromise} api
 * @param {number} id
 * @param {{ worker?: string, member?: number | string, timeoutMs?: number }} [options]
 * @returns {Promise<JobResult | JobResult[]>}
 */
export async function fetchResult(api, id, { worker, member, timeoutMs = 120_000 } = {}) {
  const r = await receipt(api, id);
  if (!r) throw new Error(`no receipt for job ${id}: still open, failed, or pruned after the retention period`);
  const manifest = await calls(api).modelsApi.manifest(r.model);
  if (manifest.isNone) throw new Error(`model ${r.model} of job ${id} is not registered`);
  const stepExponent = /** @type {any} */ (manifest.unwrap()).canonicalization.stepExponent.toNumber();
  const cohort = r.members.length > 0;
  /** @param {string} inputHash @param {string} digest @param {{ shape: number[], quantized: (bigint | number | string)[] }} out */
  const check = (inputHash, digest, out) => verifyOutput({ model: r.model, inputHash, digest, stepExponent }, out);
  if (!cohort && r.output) {
    return { job: id, ...check(r.inputHash, r.outputDigest, { shape: r.output.shape, quantized: r.output.values }), source: 'receipt' };
  }
  if (cohort && member === undefined) throw new Error(`job ${id} is a cohort of ${r.members.length}: give a member (0 to ${r.members.length - 1}) or 'all'`);
  const wanted = !cohort ? [0] : member === 'all' ? r.members.map((_, i) => i) : [Number(member)];
  for (const i of wanted) {
    if (!Number.isInteger(i) || i < 0 || (cohort && i >= r.members.length)) throw new Error(`member ${member} is not in 0..${r.members.length - 1}`);
  }
  /** @param {number} i */
  const expected = (i) => (cohort ? r.members[i] : r.outputDigest);
  /** @param {number} i */
  const onChain = async (i) => {
    const o = /** @type {any} */ (await api.query.jobs.outputs(id, i));
    if (o.isNone) return null;
    const v = plain(o.unwrap());
    return { ...check(v.inputHash, expected(i), { shape: v.shape, quantized: v.values }), source: 'chain' };
  };
  const base = workerJobIdOf(id, r.model, r.inputHash);
  /** @param {number} i */
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
      } catch (e) { reasons.push(`${url}: ${/** @type {Error} */ (e).message}`); continue; }
      if (v.status !== 'succeeded' || !v.output) { reasons.push(`${url}: ${v.status}`); continue; }
      return { ...check(v.input_hash, expected(i), { shape: v.output.shape, quantized: v.output.quantized }), source: url };
    }
    throw new Error(`no verified output for job ${id}${suffix} from the worker: ${reasons.join('; ')}`);
  };
  const until = Date.now() + timeoutMs;
  /** @param {number} i @returns {Promise<JobResult>} */
  const one = async (i) => {
    for (;;) {
      const got = await onChain(i);
      if (got) return { job: id, ...(cohort ? { member: i } : {}), ...got };
      const due = /** @type {any} */ (await api.query.jobs.deliveries(id));
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
 * @param {number} job
 * @param {string} modelHash
 * @param {JobInput} input
 * @param {number} [attempt]
 * @returns {string}
 */
export function workerJobId(job, modelHash, input, attempt = 0) {
  return `${workerJobIdOf(job, modelHash, inputHashOf(input))}${attempt}`;
}

/**
 * `workerJobId` from the input's hash (a receipt's `inputHash`), without its attempt number.
 * @param {number} job
 * @param {string} modelHash
 * @param {string} inputHash
 */
function workerJobIdOf(job, modelHash, inputHash) {
  const tag = u8aToHex(blake2AsU8a(u8aConcat(hexToU8a(hash32(modelHash, 'model')), hexToU8a(hash32(inputHash, 'input hash'))), 256)).slice(2, 26);
  return `synod-${job}-${tag}-a`;
}

/**
 * blake2-256 of bytes, hex.
 * @param {Uint8Array} bytes
 * @returns {Hex}
 */
export function blake2Hex(bytes) {
  return u8aToHex(blake2AsU8a(bytes, 256));
}

/**
 * JSON of a value that may hold bigints (amounts): each as its decimal string.
 * @param {unknown} v
 * @param {number} [space]
 * @returns {string}
 */
export function toJson(v, space) {
  return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x), space);
}
