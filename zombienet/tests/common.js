// Helpers shared by the zombienet test scripts (CommonJS: zombienet `require`s them). They use
// Synod's own polkadot.js client library (client/synod.mjs) with its pinned versions.
const fs = require('fs');
const path = require('path');

const STATE = process.env.SYNOD_ZOMBIE_STATE || '/tmp/synod-zombienet-state.json';
const ROOT = path.resolve(__dirname, '../..');

/** The client library (ESM). */
const lib = () => import(path.join(ROOT, 'client/synod.mjs'));

/**
 * The tests count blocks from inclusion (a provider is stopped while its job commits, say), so
 * their calls resolve in-block rather than at the library's default, finality.
 */
const IN_BLOCK = { finality: 'inBlock' };

/**
 * The providers: their node, key and worker (see scripts/zombienet.sh). Four providers, so that
 * a job of k = 3 has someone to escalate to or to replace a silent provider with; the fourth key
 * lives in ferdie's node beside ferdie's own (one off-chain worker serves every local key).
 */
const PROVIDERS = [
  { node: 'eve', suri: '//Eve', worker: 'http://127.0.0.1:7411' },
  { node: 'ferdie', suri: '//Ferdie', worker: 'http://127.0.0.1:7412' },
  { node: 'george', suri: '//Alice//stash', worker: 'http://127.0.0.1:7413', liar: true },
  { node: 'ferdie', suri: '//Ferdie//stash', worker: 'http://127.0.0.1:7412' },
];

const load = () => { try { return JSON.parse(fs.readFileSync(STATE, 'utf8')); } catch { return {}; } };
const save = (update) => fs.writeFileSync(STATE, JSON.stringify({ ...load(), ...update }, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
const log = (...a) => console.log('      synod:', ...a);

async function connect(networkInfo, name) {
  const synod = await lib();
  return synod.connect(networkInfo.nodesByName[name].wsUri, 60_000);
}

/** The demo input: 16 f32 values. */
const INPUT = Array.from({ length: 16 }, (_, i) => (i - 8) / 8);

function manifestFile() {
  return path.join(ROOT, 'worker/tests/fixtures/mlp.json');
}

/**
 * The digest an honest worker gives for `input` to model `model` (its id on chain, which the
 * digest binds), asked directly (not through the chain).
 */
let referenceCount = 0;
async function referenceDigest(workerUrl, model, input) {
  const m = JSON.parse(fs.readFileSync(manifestFile(), 'utf8'));
  m.sources = [`${process.env.SYNOD_MODELS_URL}/mlp.pt`];
  const id = `zombienet-reference-${Date.now()}-${referenceCount++}`;
  const body = { id, model: m, model_id: model.replace(/^0x/, ''), input_hex: Buffer.from(input).toString('hex') };
  const r = await fetch(`${workerUrl}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status >= 300) throw new Error(`reference job refused: ${r.status} ${await r.text()}`);
  for (let i = 0; i < 120; i++) {
    const v = await (await fetch(`${workerUrl}/v1/jobs/${id}`)).json();
    if (v.status === 'succeeded') return `0x${v.output.digest}`;
    if (v.status === 'failed') throw new Error(`reference job failed: ${JSON.stringify(v.error)}`);
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error('reference job did not finish');
}

/**
 * What left the issuance in blocks (from, to] of the canonical chain: transaction fees (all burned on this chain), the
 * slashed collateral burned beyond the payers' compensation, and the jobs' queue fees (burned from the payer at
 * submission): { fees, slashes, queueFees }.
 */
async function burnsBetween(api, from, to) {
  let fees = 0n;
  let slashes = 0n;
  let queueFees = 0n;
  for (let n = from + 1; n <= to; n++) {
    const at = await api.at(await api.rpc.chain.getBlockHash(n));
    for (const { event } of await at.query.system.events()) {
      if (event.section === 'transactionPayment' && event.method === 'TransactionFeePaid') fees += event.data[1].toBigInt();
      if (event.section === 'jobs' && event.method === 'ProviderSlashed') slashes += event.data.burned.toBigInt();
      if (event.section === 'balances' && event.method === 'Burned') queueFees += event.data[1].toBigInt();
    }
  }
  return { fees, slashes, queueFees };
}

/** The jobs-pallet events of `job` in blocks (from, to]: [{ block, method, data }]. */
async function jobEvents(api, job, from, to) {
  const synod = await lib();
  const out = [];
  for (let n = from + 1; n <= to; n++) {
    const at = await api.at(await api.rpc.chain.getBlockHash(n));
    for (const { event } of await at.query.system.events()) {
      if (event.section !== 'jobs' || Number(event.data.job?.toString()) !== job) continue;
      out.push({ block: n, method: event.method, data: synod.eventFields(event) });
    }
  }
  return out;
}

/** Waits until the finalized head reaches `n`. */
async function finalizedAtLeast(api, n, timeoutMs = 120_000) {
  const t0 = Date.now();
  for (;;) {
    const f = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    if (f >= n) return f;
    if (Date.now() - t0 > timeoutMs) throw new Error(`finalized head stuck at #${f}, wanted #${n}`);
    await new Promise((res) => setTimeout(res, 1000));
  }
}

module.exports = { lib, IN_BLOCK, PROVIDERS, load, save, log, connect, INPUT, manifestFile, referenceDigest, burnsBetween, finalizedAtLeast, jobEvents };
