// Synod's web app: the chain's models, providers, jobs and receipts, read through
// @synod/client (polkadot.js with the chain's metadata only), and a form that submits a job,
// follows it as its events are finalized, and checks its result against the receipt in the
// browser. Works against any node URL (`?node=ws://…`, or the field at the top).

import { web3Accounts, web3Enable, web3FromAddress } from '@polkadot/extension-dapp';
import { hexToString, isHex } from '@polkadot/util';
import * as synod from '@synod/client';
import { facts, fill, h, mono, notice, table } from './dom.js';
import { WordPiece } from './tokenizer.js';
import './style.css';

const DEFAULT_NODE = 'ws://127.0.0.1:9944';
const DEV_ACCOUNTS = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];

/**
 * @typedef {{ address: string, name: string, source: string, account: () => Promise<synod.Account> }} AppAccount
 */

const state = {
  /** @type {import('@polkadot/api').ApiPromise | null} */
  api: null,
  url: '',
  chain: '',
  chainType: '',
  best: 0,
  finalized: 0,
  /** @type {AppAccount[]} */
  accounts: [],
  /** @type {() => void} */
  unsubHeads: () => {},
  /** Aborts what the current page follows (a job's events) when another page opens. */
  page: new AbortController(),
};

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const main = $('page');

/** The connected API, or an error for the page. */
function api() {
  if (!state.api) throw new Error(`not connected to a node: enter its URL at the top (e.g. ${DEFAULT_NODE})`);
  return state.api;
}

/** The runtime APIs (decoded from metadata). */
const rt = () => /** @type {any} */ (api().call);

/** @param {string} hex */
const utf8 = (hex) => (isHex(hex) ? hexToString(hex) : String(hex));

// --- Connection, accounts ---------------------------------------------------------------

async function connectTo(/** @type {string} */ url) {
  state.unsubHeads();
  state.unsubHeads = () => {};
  const old = state.api;
  state.api = null;
  if (old) await old.disconnect().catch(() => {});
  state.url = url;
  localStorage.setItem('synod.node', url);
  /** @type {HTMLInputElement} */ ($('node-url')).value = url;
  fill($('chain-status'), `connecting to ${url}…`);
  try {
    const a = await synod.connect(url, 15_000, { failFast: true });
    state.api = a;
    state.chain = (await a.rpc.system.chain()).toString();
    state.chainType = (await a.rpc.system.chainType()).type;
    const unsubs = await Promise.all([
      a.rpc.chain.subscribeNewHeads((hd) => { state.best = hd.number.toNumber(); showStatus(); }),
      a.rpc.chain.subscribeFinalizedHeads((hd) => { state.finalized = hd.number.toNumber(); showStatus(); }),
    ]);
    state.unsubHeads = () => unsubs.forEach((u) => u());
    await loadAccounts();
  } catch (e) {
    fill($('chain-status'), h('span', { class: 'bad' }, `not connected: ${/** @type {Error} */ (e).message}`));
  }
  await render();
}

function showStatus() {
  fill($('chain-status'),
    h('span', { class: 'good' }, '●'), ` ${state.chain} (${state.chainType.toLowerCase()}) · best #${state.best} · finalized `,
    h('span', { 'data-testid': 'finalized' }, `#${state.finalized}`));
}

/** Dev accounts on a development or local chain only; a browser wallet's accounts anywhere. */
async function loadAccounts() {
  /** @type {AppAccount[]} */
  const list = [];
  if (state.chainType === 'Development' || state.chainType === 'Local') {
    for (const name of DEV_ACCOUNTS) {
      const pair = synod.signer(`//${name}`);
      list.push({ address: pair.address, name: `${name} (dev account)`, source: 'dev', account: async () => pair });
    }
  }
  try {
    const injected = await web3Enable('Synod');
    if (injected.length) {
      for (const acc of await web3Accounts()) {
        list.push({
          address: acc.address, name: `${acc.meta.name ?? 'account'} (${acc.meta.source})`, source: acc.meta.source,
          account: async () => ({ address: acc.address, signer: /** @type {any} */ ((await web3FromAddress(acc.address)).signer) }),
        });
      }
    }
  } catch (e) {
    console.warn('browser wallet:', e);
  }
  state.accounts = list;
  const sel = /** @type {HTMLSelectElement} */ ($('account'));
  const keep = sel.value || localStorage.getItem('synod.account') || '';
  fill(sel, list.length ? list.map((a) => h('option', { value: a.address }, a.name)) : h('option', { value: '' }, 'no account: install a wallet extension'));
  if (list.some((a) => a.address === keep)) sel.value = keep;
}

/** The account chosen at the top. */
function chosenAccount() {
  const sel = /** @type {HTMLSelectElement} */ ($('account'));
  const a = state.accounts.find((x) => x.address === sel.value);
  if (!a) throw new Error(state.chainType === 'Development' || state.chainType === 'Local'
    ? 'choose an account at the top'
    : `no account: a ${state.chainType.toLowerCase()} chain has no dev accounts; connect a browser wallet (polkadot{.js} extension, Talisman, SubWallet) and allow this site`);
  return a;
}

// --- Chain reads ---------------------------------------------------------------------------

/**
 * A model's record with its byte strings as text.
 * @param {string} id
 */
async function modelInfo(id) {
  const r = await rt().modelsApi.model(id);
  if (r.isNone) return null;
  const v = synod.plain(r.unwrap());
  const m = v.manifest;
  return {
    id, publisher: v.publisher, deposit: v.deposit, status: v.status, openJobs: v.openJobs,
    manifest: { ...m, name: utf8(m.name), sources: m.sources.map(utf8) },
  };
}

async function allModels() {
  const list = await rt().modelsApi.models(null, 100);
  return Promise.all(list.map(async (/** @type {any} */ [id]) => /** @type {NonNullable<Awaited<ReturnType<typeof modelInfo>>>} */ (await modelInfo(id.toHex()))));
}

/** Every registered provider: `{ address, ...record }` (byte strings as text). */
async function allProviders() {
  const entries = await /** @type {any} */ (api().query.providers.providers).entries();
  return entries.map((/** @type {any} */ [key, value]) => {
    const r = synod.plain(value);
    return { address: key.args[0].toString(), ...r, metadata: utf8(r.metadata), class: { ...r.class, arch: utf8(r.class.arch), libtorch: utf8(r.class.libtorch) } };
  });
}

/** The open jobs: `{ id, ...job }`, newest first. */
async function openJobs() {
  const entries = await /** @type {any} */ (api().query.jobs.jobs).entries();
  return entries.map((/** @type {any} */ [key, value]) => ({ id: key.args[0].toNumber(), ...synod.plain(value) })).sort((/** @type {any} */ a, /** @type {any} */ b) => b.id - a.id);
}

/**
 * The receipts of the newest `count` jobs that settled and are kept (receipts are kept for the
 * retention period): `{ id, ...receipt }`, newest first. Read by id, not by iterating the map,
 * so that a busy chain's thousands of receipts are not all fetched.
 * @param {number} [count]
 */
async function recentReceipts(count = 200) {
  const q = /** @type {any} */ (api().query.jobs);
  const next = (await q.nextJobId()).toNumber();
  const ids = Array.from({ length: Math.min(count, next) }, (_, i) => next - 1 - i);
  const got = ids.length ? await q.receipts.multi(ids) : [];
  return ids.map((id, i) => ({ id, r: got[i] })).filter((x) => x.r.isSome).map((x) => ({ id: x.id, ...synod.plain(x.r) }));
}

/** A reputation's score `(s + 1) / (s + f + 2)` (successes and failures in millionths). */
function score(/** @type {{ successes: bigint, failures: bigint }} */ r) {
  const u = 1_000_000;
  return (Number(r.successes) + u) / (Number(r.successes) + Number(r.failures) + 2 * u);
}

/** A job's status in words. */
function statusText(/** @type {any} */ s) {
  if (typeof s === 'string') return s.toLowerCase();
  const [k] = Object.keys(s);
  return k === 'waiting' ? `waiting (line ${s.waiting.seq})` : k;
}

const amount = (/** @type {bigint} */ v) => h('span', { class: 'amount' }, synod.formatAmount(v));
const spec = (/** @type {{ dtype: string, shape: (number | null)[] }} */ s) => `${s.dtype.toLowerCase()} [${s.shape.map((d) => (d === null ? 'n' : d)).join(', ')}]`;

// --- Pages ---------------------------------------------------------------------------------

async function modelsPage() {
  const models = await allModels();
  const rows = await Promise.all(models.map(async (m) => {
    const offers = await synod.providers(api(), m.id);
    const live = offers.filter((o) => o.live);
    const cheapest = live.reduce((/** @type {bigint | null} */ c, o) => (c === null || o.price < c ? o.price : c), null);
    return [h('a', { href: `#/models/${m.id}` }, m.manifest.name), mono(m.id), statusText(m.status), mono(m.publisher, `#/providers/${m.publisher}`),
      `${live.length} live / ${offers.length}`, cheapest === null ? '—' : amount(cheapest), String(m.openJobs)];
  }));
  return [h('h1', null, 'Models'),
    h('p', { class: 'lead' }, 'Registered models: a model is its publisher and its manifest, hashed into its id. Providers offer models at a price per job.'),
    table(['Name', 'Id', 'Status', 'Publisher', 'Providers', 'From', 'Open jobs'], rows, { empty: 'No model is registered on this chain yet.', testid: 'models' })];
}

async function modelPage(/** @type {string} */ id) {
  const m = await modelInfo(id);
  if (!m) return notice('error', `no model ${id} on this chain`);
  const [offers, jobs] = await Promise.all([synod.providers(api(), id), openJobs()]);
  const mine = jobs.filter((j) => j.model === id);
  const c = m.manifest.canonicalization;
  return [h('h1', null, m.manifest.name, ' ', h('span', { class: `tag ${statusText(m.status)}` }, statusText(m.status))),
    facts([
      ['Model id', mono(id)], ['Publisher', mono(m.publisher, `#/providers/${m.publisher}`)], ['File hash', mono(m.manifest.fileHash)],
      ['Input', spec(m.manifest.input)], ['Output', spec(m.manifest.output)],
      ['Canonical output', `quantized in steps of 2^-${c.stepExponent}; outputs agree within ${c.tolerance} step(s)`],
      ['Largest input', `${m.manifest.maxInputBytes} bytes`], ['Sources', m.manifest.sources.map((s) => h('div', { class: 'mono' }, s))],
      ['Deposit held', amount(m.deposit)], ['Open jobs', String(m.openJobs)],
    ], 'manifest'),
    h('p', null, h('a', { class: 'button', href: `#/submit?model=${id}` }, 'Submit a job to this model')),
    h('h2', null, 'Providers and prices'),
    table(['Provider', 'Price per job', 'Assignable now'], offers.sort((a, b) => (a.price < b.price ? -1 : 1)).map((o) => [mono(o.provider, `#/providers/${o.provider}`), amount(o.price), o.live ? 'yes' : 'no (paused, busy, stale or short of collateral)']), { empty: 'No provider offers this model.' }),
    h('h2', null, 'Open jobs'),
    jobTable(mine, 'No open job for this model.')];
}

function jobTable(/** @type {any[]} */ jobs, /** @type {string} */ empty) {
  return table(['Job', 'Status', 'Payer', 'Providers', 'Escrow held', 'Deadline'], jobs.map((j) => [
    h('a', { href: `#/jobs/${j.id}` }, `#${j.id}`), statusText(j.status), mono(j.payer), j.audit ? 'audited mode' : `${j.redundancy}`, amount(j.escrow), `#${j.deadline}`,
  ]), { empty, testid: 'open-jobs' });
}

async function providersPage() {
  const list = await allProviders();
  return [h('h1', null, 'Providers'),
    h('p', { class: 'lead' }, 'Compute providers: their determinism class (providers are compared digest for digest only within one), bond, and reputation from their recent outcomes.'),
    table(['Provider', 'Class', 'Bond', 'Collateral locked', 'Reputation', 'Jobs', 'State', 'Heartbeat'], list.map((p) => [
      mono(p.address, `#/providers/${p.address}`), `${p.class.device} ${p.class.arch} · libtorch ${p.class.libtorch}${p.class.deterministic ? ' · deterministic' : ''}`,
      amount(p.bond), amount(p.locked), `${(100 * score(p.reputation)).toFixed(1)}%`, `${p.running} / ${p.maxConcurrent}`,
      p.paused ? 'paused' : p.unbonding ? 'unbonding' : 'active', `#${p.lastHeartbeat}`,
    ]), { empty: 'No provider is registered.', testid: 'providers' })];
}

async function providerPage(/** @type {string} */ address) {
  const rec = await rt().providersApi.provider(address);
  if (rec.isNone) return notice('error', `${address} is not a registered provider`);
  const p = synod.plain(rec.unwrap());
  const [offers, assigned, receipts, models] = await Promise.all([
    rt().providersApi.offers(address), rt().jobsApi.assignments(address), recentReceipts(), allModels(),
  ]);
  const nameOf = (/** @type {string} */ id) => models.find((m) => m.id === id)?.manifest.name ?? 'unknown model';
  const outcomes = receipts.filter((r) => r.agreeing.includes(address) || r.dissenting.includes(address)).slice(0, 25);
  return [h('h1', null, 'Provider ', mono(address)),
    facts([
      ['Class', `${p.class.device} ${utf8(p.class.arch)} · libtorch ${utf8(p.class.libtorch)} · ${p.class.deterministic ? 'deterministic algorithms' : 'non-deterministic'}`],
      ['Bond', amount(p.bond)], ['Locked as collateral', amount(p.locked)], ['Free collateral', amount(p.bond - p.locked)],
      ['Unbonding', p.unbonding ? [amount(p.unbonding.amount), ` from #${p.unbonding.unlockAt}`] : 'nothing'],
      ['Reputation', `${(100 * score(p.reputation)).toFixed(1)}%`], ['Jobs running', `${p.running} of at most ${p.maxConcurrent}`],
      ['State', p.paused ? 'paused' : 'active'], ['Last heartbeat', `#${p.lastHeartbeat} (${Math.max(0, state.best - p.lastHeartbeat)} blocks ago)`],
      ['Metadata', utf8(p.metadata) || '—'],
    ], 'provider'),
    h('h2', null, 'Offers'),
    table(['Model', 'Price per job'], offers.map((/** @type {any} */ [m, price]) => [h('a', { href: `#/models/${m.toHex()}` }, nameOf(m.toHex())), amount(price.toBigInt())]), { empty: 'No offer.' }),
    h('h2', null, 'Open assignments'),
    h('p', null, assigned.length ? assigned.map((/** @type {any} */ j) => [h('a', { href: `#/jobs/${j.toNumber()}` }, `#${j.toNumber()}`), ' ']) : 'none'),
    h('h2', null, 'Recent outcomes'),
    table(['Job', 'Model', 'Outcome', 'Settled'], outcomes.map((r) => [
      h('a', { href: `#/receipts/${r.id}` }, `#${r.id}`), nameOf(r.model),
      r.agreeing.includes(address) ? h('span', { class: 'good' }, 'agreed: paid') : h('span', { class: 'bad' }, 'dissented: slashed'), `#${r.settledAt}`,
    ]), { empty: 'No settled job of this provider is kept on chain (receipts are kept for a day).' })];
}

async function jobsPage() {
  const [open, receipts] = await Promise.all([openJobs(), recentReceipts()]);
  const find = h('form', { class: 'inline', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); const v = /** @type {HTMLInputElement} */ (document.getElementById('find-job')).value.trim(); if (/^\d+$/.test(v)) location.hash = `#/jobs/${v}`; } },
    h('input', { id: 'find-job', placeholder: 'job number', inputmode: 'numeric', 'aria-label': 'Job number' }), h('button', { type: 'submit' }, 'Open'));
  return [h('h1', null, 'Jobs'), find,
    h('h2', null, 'Open'), jobTable(open, 'No open job.'),
    h('h2', null, 'Settled (receipts kept on chain)'),
    table(['Job', 'Verified', 'Paid', 'Refunded', 'Agreeing', 'Dissenting', 'Settled'], receipts.slice(0, 50).map((r) => [
      h('a', { href: `#/receipts/${r.id}` }, `#${r.id}`), synod.verificationText(r), amount(r.paid), amount(r.refunded), String(r.agreeing.length), String(r.dissenting.length), `#${r.settledAt}`,
    ]), { empty: 'No receipt is kept.', testid: 'receipts' })];
}

/** The steps of a job, in order, and the events that reach each. */
const STEPS = [
  ['queued', ['JobSubmitted', 'JobWaiting']],
  ['assigned', ['JobAssigned', 'AuditStarted', 'ProvidersReplaced']],
  ['committed', ['Committed']],
  ['revealed', ['RevealStarted', 'Sealed', 'OpeningStarted', 'Revealed']],
  ['escalated', ['JobEscalated']],
  ['settled', ['JobSettled']],
];

async function jobPage(/** @type {string} */ idText, /** @type {AbortSignal} */ signal) {
  const id = Number(idText);
  const a = api();
  const open = await rt().jobsApi.job(id);
  const done = open.isNone ? await rt().jobsApi.receipt(id) : null;
  if (open.isNone && done.isNone) {
    return [h('h1', null, `Job #${id}`), notice('warn', `job #${id} is neither open nor settled here: unknown, failed, cancelled, or its receipt was pruned.`)];
  }
  const from = open.isSome ? open.unwrap().submittedAt.toNumber() : done.unwrap().settledAt.toNumber();
  const steps = h('ol', { class: 'steps', 'data-testid': 'steps' }, STEPS.map(([name]) => h('li', { dataset: { step: name } }, name)));
  const phase = h('p', { class: 'phase', 'data-testid': 'job-status' }, 'reading its events…');
  const log = h('ol', { class: 'log', 'data-testid': 'job-events' });
  const result = h('div', { 'data-testid': 'result' });
  const mark = (/** @type {string} */ event) => {
    const i = STEPS.findIndex(([, evs]) => evs.includes(event));
    if (i < 0) return;
    steps.querySelectorAll('li').forEach((li, j) => {
      if (j <= i && (STEPS[j][0] !== 'escalated' || event === 'JobEscalated')) li.classList.add('done');
    });
  };
  if (open.isNone) {
    // Settled already: its receipt says so (its blocks' state may be pruned; a node keeps 256).
    steps.querySelectorAll('li:not([data-step=escalated])').forEach((li) => li.classList.add('done'));
    fill(phase, h('span', { class: 'good', 'data-testid': 'final-status' }, `settled in block #${from} (its receipt)`));
    showResult(result, id);
    return [h('h1', null, `Job #${id}`), steps, phase, result];
  }
  synod.waitForJob(a, id, (e) => {
    mark(e.event);
    fill(phase, `${e.event}: ${e.text}`);
    log.append(h('li', null, h('span', { class: 'block' }, `#${e.block}`), ' ', h('strong', null, e.event), ' ', e.text));
  }, { from, signal, timeoutMs: 3_600_000 }).then(async (end) => {
    if (end.settled) {
      fill(phase, h('span', { class: 'good', 'data-testid': 'final-status' }, `settled in block #${end.block} (finalized)`));
      await showResult(result, id);
    } else {
      const i = STEPS.length - 1;
      steps.querySelectorAll('li')[i].textContent = end.method === 'JobCancelled' ? 'cancelled' : 'failed';
      steps.querySelectorAll('li')[i].classList.add('failed');
      fill(phase, h('span', { class: 'bad', 'data-testid': 'final-status' }, `${end.method === 'JobCancelled' ? 'cancelled' : 'failed'} in block #${end.block}: ${synod.describe(end.method, end.event)}`));
    }
  }).catch((e) => { if (!signal.aborted) fill(phase, notice('error', e.message)); });
  return [h('h1', null, `Job #${id}`),
    h('p', { class: 'lead' }, 'Its events as GRANDPA finalizes their blocks (a finalized block cannot be reverted).'),
    steps, phase, result, h('h2', null, 'Events'), log];
}

/**
 * The job's agreed output, fetched and checked in this browser: its canonical digest is
 * recomputed here and must be the receipt's.
 * @param {HTMLElement} el
 * @param {number} id
 * @param {{ receiptLink?: boolean }} [options]
 */
async function showResult(el, id, { receiptLink = true } = {}) {
  fill(el, notice('info', 'fetching the output and checking it against the receipt…'));
  try {
    const got = await synod.fetchResult(api(), id, { member: 'all', timeoutMs: 120_000 });
    const outs = Array.isArray(got) ? got : [got];
    fill(el, h('section', { class: 'verified', 'data-testid': 'verified' },
      h('h2', null, '✓ Verified result'),
      h('p', null, `Recomputed in this browser: the output's canonical digest is the digest the receipt agreed on (${outs[0].source === 'receipt' ? 'the output is in the receipt itself' : `delivered on chain`}).`),
      outs.map((o) => h('div', { class: 'output' },
        facts([
          ...(o.member === undefined ? [] : /** @type {[string, any][]} */ ([['Member', String(o.member)]])),
          ['Shape', `[${o.shape.join(', ')}]`], ['Digest', h('span', { class: 'mono', 'data-testid': 'verified-digest' }, o.digest)],
          ['Values', h('code', { 'data-testid': 'values' }, `[${o.values.slice(0, 16).map((v) => v.toFixed(4)).join(', ')}${o.values.length > 16 ? `, … ${o.values.length - 16} more` : ''}]`)],
        ]))),
      receiptLink && h('p', null, h('a', { class: 'button', href: `#/receipts/${id}`, 'data-testid': 'receipt-link' }, 'Open the receipt'))));
  } catch (e) {
    fill(el, notice('error', `the output was not verified: ${/** @type {Error} */ (e).message}`));
  }
}

async function receiptPage(/** @type {string} */ idText) {
  const id = Number(idText);
  const r = await synod.receipt(api(), id);
  if (!r) return [h('h1', null, `Receipt #${id}`), notice('warn', `no receipt for job #${id}: still open (see #/jobs/${id}), failed, or pruned after the retention period.`)];
  const m = await modelInfo(r.model);
  const result = h('div');
  const page = [h('h1', null, `Receipt of job #${id}`),
    facts([
      ['Model', m ? h('a', { href: `#/models/${r.model}` }, m.manifest.name) : mono(r.model)], ['Model id', mono(r.model)],
      ['Payer', mono(r.payer)], ['Input hash', h('span', { class: 'mono' }, r.inputHash)],
      ['Output digest', h('span', { class: 'mono', 'data-testid': 'receipt-digest' }, r.outputDigest)],
      ...(r.members.length ? /** @type {[string, any][]} */ ([['Members', `${r.members.length} (the digest is the root of their digests)`]]) : []),
      ['Verified', synod.verificationText(r)],
      ['Agreeing (paid)', r.agreeing.length ? r.agreeing.map((p) => h('div', null, mono(p, `#/providers/${p}`))) : 'none'],
      ['Dissenting (slashed)', r.dissenting.length ? r.dissenting.map((p) => h('div', null, mono(p, `#/providers/${p}`))) : 'none'],
      ['Paid to providers', h('span', { 'data-testid': 'paid' }, synod.formatAmount(r.paid))],
      ['Refunded to the payer', h('span', { 'data-testid': 'refunded' }, synod.formatAmount(r.refunded))],
      ['Storage deposit', [amount(r.deposit), ' (back to the payer when the receipt is pruned)']],
      ['Settled in block', `#${r.settledAt}`],
    ], 'receipt'), result];
  showResult(result, id, { receiptLink: false });
  return page;
}

// --- Submitting a job ------------------------------------------------------------------------

/** @type {Map<string, Promise<WordPiece | null>>} */
const tokenizers = new Map();

/**
 * The tokenizer of a text model (token ids in, `[n, length]`), when this app has its
 * vocabulary (`vocab/<name>.txt` beside the app; scripts/dev.sh puts all-MiniLM-L6-v2's there).
 * @param {{ manifest: { name: string, input: { dtype: string, shape: (number | null)[] } } }} m
 */
function tokenizerFor(m) {
  const { name, input } = m.manifest;
  const length = input.shape.length === 2 ? input.shape[1] : null;
  if (input.dtype !== 'I64' || !length) return Promise.resolve(null);
  const key = `${name}/${length}`;
  if (!tokenizers.has(key)) {
    tokenizers.set(key, fetch(`./vocab/${encodeURIComponent(name)}.txt`)
      .then(async (r) => (r.ok ? new WordPiece(await r.text(), { maxLength: length }) : null)).catch(() => null));
  }
  return /** @type {Promise<WordPiece | null>} */ (tokenizers.get(key));
}

async function submitPage(/** @type {URLSearchParams} */ query) {
  const models = (await allModels()).filter((m) => statusText(m.status) === 'active');
  if (!models.length) return [h('h1', null, 'Submit a job'), notice('warn', 'No active model on this chain.')];
  const modelSel = /** @type {HTMLSelectElement} */ (h('select', { id: 'model', name: 'model', 'data-testid': 'model' }, models.map((m) => h('option', { value: m.id }, `${m.manifest.name} · ${m.id.slice(0, 10)}…`))));
  if (query.get('model') && models.some((m) => m.id === query.get('model'))) modelSel.value = /** @type {string} */ (query.get('model'));
  const kind = /** @type {HTMLSelectElement} */ (h('select', { id: 'input-kind', 'data-testid': 'input-kind' }, h('option', { value: 'numbers' }, 'numbers'), h('option', { value: 'file' }, 'a file (raw tensor bytes)'), h('option', { value: 'text' }, 'text (tokenized here)')));
  const numbers = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'numbers', rows: 3, spellcheck: 'false', 'data-testid': 'numbers' }));
  const file = /** @type {HTMLInputElement} */ (h('input', { type: 'file', id: 'file' }));
  const text = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'text', rows: 3, placeholder: 'A sentence to embed' }));
  const inputHint = h('p', { class: 'hint', 'data-testid': 'input-hint' });
  const audited = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', id: 'audited' }));
  const redundancy = /** @type {HTMLInputElement} */ (h('input', { type: 'number', id: 'redundancy', min: 1, max: 16, value: 3 }));
  const maxPrice = /** @type {HTMLInputElement} */ (h('input', { id: 'max-price', placeholder: 'the cheapest assignable', 'data-testid': 'max-price' }));
  const quoteEl = h('p', { class: 'quote', 'data-testid': 'quote' }, '…');
  const progress = h('div', { 'data-testid': 'submit-progress' });
  const button = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary', 'data-testid': 'submit' }, 'Sign and submit'));
  const model = () => /** @type {(typeof models)[number]} */ (models.find((m) => m.id === modelSel.value));

  const showInputs = async () => {
    const m = model();
    const tok = await tokenizerFor(m);
    /** @type {HTMLOptionElement} */ (kind.querySelector('option[value=text]')).disabled = !tok;
    if (!tok && kind.value === 'text') kind.value = 'numbers';
    if (tok && kind.dataset.auto !== 'no') kind.value = 'text';
    numbers.hidden = kind.value !== 'numbers';
    file.hidden = kind.value !== 'file';
    text.hidden = kind.value !== 'text';
    const per = m.manifest.input.shape.slice(1).reduce((/** @type {number} */ a, /** @type {number | null} */ d) => a * (d ?? 1), 1);
    if (kind.value === 'numbers' && !numbers.value) numbers.value = JSON.stringify(Array.from({ length: per }, (_, i) => Number(((i - per / 2) / (per / 2)).toFixed(3))));
    fill(inputHint, kind.value === 'text'
      ? `Tokenized in this browser with ${m.manifest.name}'s WordPiece vocabulary into ${per} token ids.`
      : `${spec(m.manifest.input)}: ${per} value(s) per row, as ${m.manifest.input.dtype.toLowerCase()}; at most ${m.manifest.maxInputBytes} bytes.`);
  };
  kind.addEventListener('change', () => { kind.dataset.auto = 'no'; showInputs(); });

  /** The price and redundancy the form asks for, and the quote. */
  const showQuote = async () => {
    try {
      const k = audited.checked ? synod.auditSize(api()) : Number(redundancy.value);
      const q = await synod.quote(api(), model().id, k, maxPrice.value.trim() ? synod.parseAmount(maxPrice.value) : 10n ** 30n);
      const price = maxPrice.value.trim() ? synod.parseAmount(maxPrice.value) : q.cheapest;
      if (price === null) { fill(quoteEl, h('span', { class: 'bad' }, `Fewer than ${k} assignable providers offer this model.`)); return null; }
      const escrow = 2n * price * BigInt(k);
      fill(quoteEl, audited.checked
        ? `Audited mode: one provider computes; the chain then decides whether ${k - 1} auditors recompute it. Up to ${synod.formatAmount(price)} per provider; holds ${synod.formatAmount(escrow)} (half is the escalation reserve), the rest refunded.`
        : `${k} providers at up to ${synod.formatAmount(price)} each (cheapest assignable: ${q.cheapest === null ? 'none' : synod.formatAmount(q.cheapest)}). Holds ${synod.formatAmount(escrow)} in escrow: half is the escalation reserve, refunded when the providers agree.`);
      return { k, price };
    } catch (e) {
      fill(quoteEl, h('span', { class: 'bad' }, /** @type {Error} */ (e).message));
      return null;
    }
  };
  for (const el of [modelSel, audited, redundancy, maxPrice]) el.addEventListener('change', () => { redundancy.disabled = audited.checked; showInputs(); showQuote(); });

  /** The input's bytes, from the chosen kind. */
  const inputBytes = async () => {
    const m = model();
    if (kind.value === 'file') {
      const f = file.files?.[0];
      if (!f) throw new Error('choose a file');
      return new Uint8Array(await f.arrayBuffer());
    }
    if (kind.value === 'text') {
      const tok = await tokenizerFor(m);
      if (!tok) throw new Error(`this app has no tokenizer for ${m.manifest.name}`);
      if (!text.value.trim()) throw new Error('write the text to embed');
      const enc = tok.encode(text.value);
      if (enc.truncated) fill(inputHint, notice('warn', `The text is longer than ${tok.maxLength} tokens: only its first ${tok.maxLength - 2} are embedded.`));
      return synod.encodeInput(enc.ids, 'i64');
    }
    let values;
    try { values = JSON.parse(numbers.value); } catch { throw new Error('the input is not a JSON array of numbers'); }
    if (!Array.isArray(values) || !values.flat(Infinity).every((v) => typeof v === 'number' && Number.isFinite(v))) throw new Error('the input is not a JSON array of numbers');
    return synod.encodeInput(values.flat(Infinity), m.manifest.input.dtype);
  };

  const form = h('form', { class: 'submit', 'data-testid': 'submit-form', onsubmit: async (/** @type {Event} */ e) => {
    e.preventDefault();
    button.disabled = true;
    fill(progress);
    const say = (/** @type {string} */ s, /** @type {'info' | 'ok' | 'error'} */ k = 'info') => progress.append(notice(k, s));
    try {
      const q = await showQuote();
      if (!q) throw new Error('no quote: see above');
      const input = await inputBytes();
      const who = chosenAccount();
      say(`signing as ${who.name}${who.source === 'dev' ? '' : ': approve it in your wallet'}…`);
      const account = await who.account();
      const r = await synod.submitJob(api(), account, { model: model().id, input, redundancy: q.k, audited: audited.checked, maxPrice: q.price });
      say(`job #${r.job} submitted in block #${r.blockNumber} (finalized): ${synod.formatAmount(r.escrow)} held`, 'ok');
      location.hash = `#/jobs/${r.job}`;
    } catch (err) {
      say(/** @type {Error} */ (err).message, 'error');
    } finally {
      button.disabled = false;
    }
  } },
  h('label', null, 'Model', modelSel),
  h('label', null, 'Input', kind), numbers, file, text, inputHint,
  h('div', { class: 'row' }, h('label', null, 'Providers', redundancy), h('label', { class: 'check' }, audited, ' audited mode'), h('label', null, 'Max price per provider (planck or SYN, e.g. 0.01SYN)', maxPrice)),
  quoteEl, button, progress);
  await showInputs();
  await showQuote();
  return [h('h1', null, 'Submit a job'),
    h('p', { class: 'lead' }, 'Pay for one inference: the escrow is held until the providers agree on its output, then they are paid and the rest comes back.'), form];
}

// --- Router ----------------------------------------------------------------------------------

let generation = 0;

async function render() {
  const my = ++generation;
  state.page.abort();
  state.page = new AbortController();
  const [path, q] = location.hash.replace(/^#/, '').split('?');
  const parts = (path || '/models').split('/').filter(Boolean);
  const query = new URLSearchParams(q ?? '');
  document.querySelectorAll('[data-nav]').forEach((a) => a.classList.toggle('active', a.getAttribute('data-nav') === parts[0]));
  fill(main, h('p', { class: 'loading' }, 'loading…'));
  let content;
  try {
    api();
    const [section, arg] = parts;
    if (section === 'models') content = arg ? await modelPage(arg) : await modelsPage();
    else if (section === 'providers') content = arg ? await providerPage(arg) : await providersPage();
    else if (section === 'jobs') content = arg && /^\d+$/.test(arg) ? await jobPage(arg, state.page.signal) : await jobsPage();
    else if (section === 'receipts' && arg && /^\d+$/.test(arg)) content = await receiptPage(arg);
    else if (section === 'submit') content = await submitPage(query);
    else content = notice('warn', `no page ${location.hash}`);
  } catch (e) {
    content = notice('error', /** @type {Error} */ (e).message);
  }
  if (my === generation) fill(main, content);
}

$('node-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const url = /** @type {HTMLInputElement} */ ($('node-url')).value.trim();
  if (!/^wss?:\/\//.test(url)) { fill($('chain-status'), h('span', { class: 'bad' }, 'a node URL starts with ws:// or wss://')); return; }
  connectTo(url);
});
$('account').addEventListener('change', (e) => localStorage.setItem('synod.account', /** @type {HTMLSelectElement} */ (e.target).value));
window.addEventListener('hashchange', render);

const fromQuery = new URLSearchParams(location.search).get('node');
connectTo(fromQuery || localStorage.getItem('synod.node') || DEFAULT_NODE);
