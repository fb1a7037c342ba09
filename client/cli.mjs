#!/usr/bin/env node
// Synod's command-line client (polkadot.js, metadata only). `node cli.mjs help` lists the
// commands, `node cli.mjs <command> --help` tells one. Arguments are checked before connecting;
// output is JSON on stdout, status lines and errors on stderr, exit 1 on any error.

import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { hexToU8a, isHex, u8aToHex } from '@polkadot/util';
import * as synod from './synod.mjs';

const VERSION = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).version;

const str = { type: 'string' };
const bool = { type: 'boolean' };
/** Every command's options: the node, help, and (for calls) who signs. */
const COMMON = { url: str, help: { type: 'boolean', short: 'h' } };
const SIGNER = { suri: str, 'suri-file': str, keystore: str, 'password-file': str, 'in-block': bool };

const SIGNER_HELP = `Signing: --suri-file FILE (the secret URI or mnemonic, alone in the file) or the
SYNOD_SURI environment variable; or --keystore FILE.json (a JSON keystore, as polkadot.js apps
and browser wallets export it) unlocked with --password-file FILE or SYNOD_PASSWORD. --suri
takes a development derivation (//Alice) only, since a secret in argv is visible to every user
of the machine. Without one, a development or local chain uses its dev account (said on
stderr); any other chain refuses. A call returns once its block is finalized; --in-block
returns as soon as it is in a best block (which a fork may still drop).`;

/**
 * The commands: `usage` (after the command's name), `about`, `options` (parseArgs), `positionals`
 * (their names), `signs` (the dev account used on a dev chain when no signer is given, or null),
 * `check(a)` (arguments checked and converted, before connecting) and `run(api, a, who)`.
 */
const COMMANDS = {
  models: {
    usage: '[--start ID] [--limit 100]',
    about: 'the registered models: id, name, status, publisher, file hash.',
    options: { start: str, limit: str },
    check: (o) => ({ start: o.start === undefined ? null : hash(o.start, '--start'), limit: int(o.limit ?? '100', '--limit', 1, 100) }),
    run: async (api, a) => {
      const list = await api.call.modelsApi.models(a.start, a.limit);
      const out = [];
      for (const [id, st] of list) {
        const r = (await api.call.modelsApi.model(id)).unwrap();
        out.push({ model: id.toHex(), name: r.manifest.name.toUtf8(), status: st.type, publisher: r.publisher.toString(), fileHash: r.manifest.fileHash.toHex(), openJobs: r.openJobs.toNumber() });
      }
      return out;
    },
  },
  'model-id': {
    usage: '--manifest FILE.json [--source-base URL] [--publisher ADDRESS]',
    about: 'the id a manifest has once its publisher (default: the signer) registers it, and whether it is registered.',
    options: { manifest: str, 'source-base': str, publisher: str, ...SIGNER },
    signs: '//Alice',
    check: (o) => ({ ...manifestArg(o), publisher: o.publisher ?? null }),
    run: async (api, a, who) => {
      const publisher = a.publisher ?? (await who()).address;
      const model = await synod.modelId(api, publisher, a.manifest);
      const registered = (await api.call.modelsApi.manifest(model)).isSome;
      return { model, name: a.name, publisher, registered };
    },
  },
  'register-model': {
    usage: '--manifest FILE.json [--source-base URL]',
    about: "registers a model manifest (its deposit held from the signer, its publisher); prints the model's id, the hash of the publisher and the manifest.",
    options: { manifest: str, 'source-base': str, ...SIGNER },
    signs: '//Alice',
    check: (o) => manifestArg(o),
    run: async (api, a, who) => {
      const r = await synod.registerModel(api, await who(), a.manifest, { finality: a.finality });
      status(r.existed ? `model ${r.model} was already registered` : `registered model ${a.name} ${r.model}`);
      return { model: r.model, name: a.name, existed: r.existed, sources: a.manifest.sources };
    },
  },
  'retire-model': {
    usage: 'ID',
    about: 'retires a model (its publisher only): no new jobs; its deposit comes back when its last open job ends.',
    options: { ...SIGNER },
    positionals: ['ID'],
    signs: '//Alice',
    check: (o, [id]) => ({ model: hash(id, 'ID') }),
    run: async (api, a, who) => tx(api, api.tx.models.retireModel(a.model), await who(), { model: a.model }, a.finality),
  },
  'register-provider': {
    usage: '--bond AMOUNT --model ID --price AMOUNT [--worker-url http://127.0.0.1:7400 | --device Cpu|Cuda --arch A --libtorch V]\n                    [--concurrency 4] [--metadata TEXT] [--insert-key]',
    about: "registers the signer as a provider with its bond and an offer for a model (or adds the offer). The class is read from the worker's /health unless given. --insert-key puts the signer's key into the node's keystore (type synd, for its off-chain worker): only over a loopback --url, since it sends the secret.",
    options: { bond: str, model: str, price: str, 'worker-url': str, device: str, arch: str, libtorch: str, deterministic: str, concurrency: str, metadata: str, 'insert-key': bool, ...SIGNER },
    signs: '//Bob',
    check: (o) => {
      if (o['insert-key'] && !loopback(o.url ?? DEFAULT_URL)) throw new Error(`--insert-key sends the secret to the node: only to a node on this machine (loopback), not ${o.url}`);
      if (o['insert-key'] && o.keystore !== undefined) throw new Error('--insert-key needs the secret URI (--suri-file or SYNOD_SURI), not a keystore');
      if (o.device && !['Cpu', 'Cuda'].includes(o.device)) throw new Error('--device is Cpu or Cuda');
      return {
        bond: amount(need(o, 'bond'), '--bond'),
        model: hash(need(o, 'model'), '--model'),
        price: amount(need(o, 'price'), '--price'),
        cls: o.device ? { device: o.device, arch: need(o, 'arch'), libtorch: need(o, 'libtorch'), deterministic: o.deterministic !== 'false' } : null,
        workerUrl: o['worker-url'] ?? 'http://127.0.0.1:7400',
        concurrency: int(o.concurrency ?? '4', '--concurrency', 1, 1024),
        metadata: o.metadata ?? '',
        insertKey: Boolean(o['insert-key']),
      };
    },
    run: async (api, a, who) => {
      const pair = await who();
      const cls = a.cls ?? (await synod.classFromWorker(a.workerUrl));
      const r = await synod.registerProvider(api, pair, { bond: a.bond, cls, concurrency: a.concurrency, metadata: a.metadata, offers: [{ model: a.model, price: a.price }], finality: a.finality });
      if (a.insertKey) {
        await api.rpc.author.insertKey('synd', who.suri, u8aToHex(/** @type {any} */ (pair).publicKey));
        status(`inserted the provider key of ${pair.address} into the node's keystore`);
      }
      status(`${r.registered ? 'registered' : 'updated'} provider ${pair.address} (${cls.device}, ${cls.arch}, libtorch ${cls.libtorch})`);
      return { provider: pair.address, registered: r.registered, class: cls };
    },
  },
  'bond-more': providerCall('AMOUNT', 'adds AMOUNT to the signer\'s provider bond.', (api, a) => api.tx.providers.bondMore(a.amount), amountPositional),
  unbond: providerCall('AMOUNT', 'starts unbonding AMOUNT (held for the unbonding delay; the whole bond means leaving, every offer withdrawn).', (api, a) => api.tx.providers.unbond(a.amount), amountPositional),
  withdraw: providerCall('', 'withdraws the signer\'s unbonded stake once its delay has passed.', (api) => api.tx.providers.withdrawUnbonded()),
  'set-offer': providerCall('--model ID --price AMOUNT', 'offers (or reprices) a model at a price per job.', (api, a) => api.tx.providers.setOffer(a.model, a.price),
    (o) => ({ model: hash(need(o, 'model'), '--model'), price: amount(need(o, 'price'), '--price') }), { model: str, price: str }),
  'remove-offer': providerCall('--model ID', 'withdraws the offer for a model.', (api, a) => api.tx.providers.removeOffer(a.model),
    (o) => ({ model: hash(need(o, 'model'), '--model') }), { model: str }),
  pause: providerCall('', 'pauses the signer\'s provider: not assignable, not slashed for being away; running jobs go on.', (api) => api.tx.providers.pause()),
  resume: providerCall('', 'resumes a paused provider.', (api) => api.tx.providers.resume()),
  'set-concurrency': providerCall('N', 'sets the most jobs the provider takes at once.', (api, a) => api.tx.providers.setConcurrency(a.n),
    (o, [n]) => ({ n: int(n, 'N', 1, 1024) }), {}, ['N']),
  'submit-job': {
    usage: '--model ID (--input-hex 0x.. | --input-file F | --input \'[1,2,...]\' | --inputs \'[[1,2],[3,4],...]\' | --input-files F1,F2,...)\n                    [--redundancy 3 | --audited] [--max-price AMOUNT] [--deadline 60, audited 100] [--wait]',
    about: 'submits a job and holds its escrow. --audited: one provider computes, the chain decides after its commitment whether auditors recompute it. --inputs / --input-files: a cohort of 2 to 64 members answered as one job, priced per member. --wait follows it to settlement and prints the receipt.',
    options: { model: str, 'input-hex': str, 'input-file': str, input: str, inputs: str, 'input-files': str, redundancy: str, audited: bool, 'max-price': str, deadline: str, wait: bool, ...SIGNER },
    signs: '//Alice',
    check: (o) => {
      if (o.audited && o.redundancy !== undefined) throw new Error('--audited and --redundancy are two verification modes: give one');
      const given = ['input-hex', 'input-file', 'input', 'inputs', 'input-files'].filter((k) => o[k] !== undefined);
      if (given.length !== 1) throw new Error('give exactly one of --input-hex, --input-file, --input, --inputs, --input-files');
      return {
        model: hash(need(o, 'model'), '--model'),
        input: inputArg(o, given[0]),
        audited: Boolean(o.audited),
        redundancy: o.audited ? null : int(o.redundancy ?? '3', '--redundancy', 1, 64),
        maxPrice: o['max-price'] === undefined ? null : amount(o['max-price'], '--max-price'),
        deadline: int(o.deadline ?? (o.audited ? '100' : '60'), '--deadline', 1, 100_000),
        wait: Boolean(o.wait),
      };
    },
    run: async (api, a, who) => {
      const input = await a.input(api, a.model);
      // An audited job is quoted for its worst case: an audit's providers.
      const redundancy = a.audited ? synod.auditSize(api) : a.redundancy;
      let maxPrice = a.maxPrice;
      const q = await synod.quote(api, a.model, redundancy, maxPrice ?? 10n ** 30n);
      if (maxPrice === null) {
        if (q.cheapest === null) throw new Error(`fewer than ${redundancy} providers offer model ${a.model}`);
        maxPrice = q.cheapest;
      }
      const members = Array.isArray(input) ? ` per member, ${input.length} members` : '';
      status(a.audited
        ? `quote: audited, one provider (and ${redundancy - 1} auditors when audited) at up to ${synod.formatAmount(maxPrice)} each${members}`
        : `quote: ${redundancy} providers at up to ${synod.formatAmount(maxPrice)} each${members}`);
      const r = await synod.submitJob(api, await who(), { model: a.model, input, redundancy, audited: a.audited, maxPrice, deadlineBlocks: a.deadline, finality: a.finality });
      status(`job ${r.job} submitted in ${r.blockHash}: escrow ${synod.formatAmount(r.escrow)}, deadline #${r.deadline}`);
      if (!a.wait) return r;
      const out = await synod.waitForJob(api, r.job, (s) => status(`#${s.block} job ${r.job}: ${s.text}`), { finality: a.finality, from: r.blockNumber });
      const rec = await synod.receipt(api, r.job);
      if (rec) status(`job ${r.job}: verified ${synod.verificationText(rec)}`);
      if (!out.settled) process.exitCode = 1;
      return { ...r, ...out, receipt: rec };
    },
  },
  'cancel-job': jobCall('cancels a job of the signer that is not assigned yet (queued or waiting): its escrow and deposit come back.', (api, job) => api.tx.jobs.cancelJob(job)),
  'claim-undelivered': jobCall("after a settled job's delivery window, returns to its payer what was held for outputs nobody delivered.", (api, job) => api.tx.jobs.claimUndelivered(job)),
  job: {
    usage: 'ID',
    about: 'an open job.',
    positionals: ['ID'],
    check: jobIdArg,
    run: async (api, a) => {
      const j = await synod.job(api, a.job);
      if (!j) throw new Error(`no open job ${a.job} (settled jobs: use \`result ${a.job}\`)`);
      return j;
    },
  },
  queue: {
    usage: 'ID',
    about: 'where a job not assigned yet waits: jobs ahead, rounds, expected block.',
    positionals: ['ID'],
    check: jobIdArg,
    run: async (api, a) => {
      const p = await synod.queuePosition(api, a.job);
      if (!p) throw new Error(`job ${a.job} is not waiting: assigned, ended, or unknown (\`job ${a.job}\`, \`result ${a.job}\`)`);
      return p;
    },
  },
  result: {
    usage: 'ID [--output FILE.json|-] [--member I|all] [--worker URL]',
    about: "the receipt of a settled job. --output: also its agreed output, checked against the receipt's digest (refused if it differs), written to FILE (- for stdout): from the receipt (up to 512 elements), or as delivered on chain after settlement (a larger one, a cohort's members), or from a provider's worker.",
    options: { output: str, member: str, worker: str },
    positionals: ['ID'],
    check: (o, [id]) => ({ job: int(id, 'ID', 0), output: o.output ?? null, member: o.member, worker: o.worker }),
    run: async (api, a) => {
      const r = await synod.receipt(api, a.job);
      if (!r) throw new Error(`no receipt for job ${a.job}: still open, failed, or pruned after the retention period`);
      if (a.output === null) return r;
      const out = await synod.fetchResult(api, a.job, { worker: a.worker, member: a.member });
      for (const o of Array.isArray(out) ? out : [out]) status(`job ${a.job}${o.member === undefined ? '' : ` member ${o.member}`}: output [${o.shape}] from ${o.source}, digest ${o.digest} = the receipt's`);
      if (a.output === '-') return out;
      writeFileSync(a.output, `${json(out)}\n`);
      status(`wrote ${a.output}`);
      return r;
    },
  },
  providers: {
    usage: '--model ID',
    about: 'the providers offering a model: account, price, assignable now.',
    options: { model: str },
    check: (o) => ({ model: hash(need(o, 'model'), '--model') }),
    run: (api, a) => synod.providers(api, a.model),
  },
  quote: {
    usage: '--model ID [--redundancy 3] [--max-price AMOUNT]',
    about: 'what a job would hold, and the cheapest price at which enough providers are assignable.',
    options: { model: str, redundancy: str, 'max-price': str },
    check: (o) => ({ model: hash(need(o, 'model'), '--model'), k: int(o.redundancy ?? '3', '--redundancy', 1, 64), given: o['max-price'] === undefined ? null : amount(o['max-price'], '--max-price') }),
    run: async (api, a) => {
      // Without --max-price: what a job at the cheapest assignable price would hold.
      const q = await synod.quote(api, a.model, a.k, a.given ?? 10n ** 30n);
      const escrow = a.given === null ? (q.cheapest === null ? null : 2n * q.cheapest * BigInt(a.k)) : q.escrow;
      return { redundancy: a.k, maxPrice: a.given ?? q.cheapest, escrow, cheapest: q.cheapest };
    },
  },
  status: {
    usage: '[--provider ADDRESS]',
    about: "the chain's health (name, type, runtime, best and finalized blocks, peers, syncing); with --provider, that provider's: bond, collateral locked and free, paused, last heartbeat and its age, offers, open assignments.",
    options: { provider: str },
    check: (o) => ({ provider: o.provider ?? null }),
    run: async (api, a) => {
      const [chain, type, health, best, finalized] = await Promise.all([
        api.rpc.system.chain(), api.rpc.system.chainType(), api.rpc.system.health(), api.rpc.chain.getHeader(), api.rpc.chain.getFinalizedHead(),
      ]);
      const fin = (await api.rpc.chain.getHeader(finalized)).number.toNumber();
      const out = {
        chain: chain.toString(), chainType: type.type, runtime: `${api.runtimeVersion.specName} v${api.runtimeVersion.specVersion}`,
        best: best.number.toNumber(), finalized: fin, peers: health.peers.toNumber(), syncing: health.isSyncing.isTrue,
      };
      if (a.provider) {
        const rec = await api.call.providersApi.provider(a.provider);
        if (rec.isNone) throw new Error(`${a.provider} is not a registered provider`);
        const r = rec.unwrap();
        const offers = await api.call.providersApi.offers(a.provider);
        const open = await api.call.jobsApi.assignments(a.provider);
        const now = best.number.toNumber();
        out.provider = {
          account: a.provider, bond: r.bond.toBigInt(), locked: r.locked.toBigInt(), freeCollateral: r.bond.toBigInt() - r.locked.toBigInt(),
          unbonding: r.unbonding.isSome ? r.unbonding.unwrap().toJSON() : null, paused: r.paused.isTrue,
          class: r.class.toHuman(), running: r.running.toNumber(), maxConcurrent: r.maxConcurrent.toNumber(),
          lastHeartbeat: r.lastHeartbeat.toNumber(), heartbeatAgeBlocks: now - r.lastHeartbeat.toNumber(),
          offers: offers.map(([m, p]) => ({ model: m.toHex(), price: p.toBigInt() })), openJobs: open.map((j) => j.toNumber()),
        };
      }
      return out;
    },
  },
};

function providerCall(usage, about, call, check = () => ({}), options = {}, positionals) {
  return {
    usage, about, options: { ...options, ...SIGNER }, signs: '//Bob', check,
    positionals: positionals ?? (usage === 'AMOUNT' ? ['AMOUNT'] : undefined),
    run: async (api, a, who) => {
      const pair = await who();
      return tx(api, call(api, a), pair, { provider: pair.address }, a.finality);
    },
  };
}

/** The one positional of the commands on a job: its id. */
function jobIdArg(o, [id]) {
  return { job: int(id, 'ID', 0) };
}

/** A payer's call on job `ID`. */
function jobCall(about, call) {
  return {
    usage: 'ID', about, options: { ...SIGNER }, positionals: ['ID'], signs: '//Alice',
    check: jobIdArg,
    run: async (api, a, who) => tx(api, call(api, a.job), await who(), { job: a.job }, a.finality),
  };
}

function amountPositional(o, [a]) {
  return { amount: amount(a, 'AMOUNT') };
}

const DEFAULT_URL = 'ws://127.0.0.1:9944';

const USAGE = `synod CLI ${VERSION}: node cli.mjs <command> [options]   (every command: --url ${DEFAULT_URL}, --help)

${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(18)}${c.about.split('. ')[0].replace(/\.$/, '')}`).join('\n')}

  help, --version

AMOUNT is planck (an integer) or SYN with a suffix: 0.01SYN. IDs of models are 0x + 64 hex digits.
Output is JSON on stdout (amounts as decimal strings); status lines and errors go to stderr; exit 1
on any error. Commits, seals, reveals, heartbeats and deliveries are the provider node's
off-chain worker's, and canaries the chain's root's: they have no command.

${SIGNER_HELP}`;

function commandHelp(name, c) {
  const lines = [`usage: node cli.mjs ${name} ${c.usage}`.trimEnd(), '', wrap(c.about), '', `Every command takes --url (default ${DEFAULT_URL}) and --help.`];
  if (c.signs) lines.push('', SIGNER_HELP.replace('dev account', `dev account (${c.signs})`));
  return lines.join('\n');
}

function wrap(text, width = 96) {
  const out = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) { out.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.join('\n');
}

// --- Argument checks (before connecting) ---

function need(o, key) {
  if (o[key] === undefined || o[key] === '') throw new Error(`--${key} is required`);
  return o[key];
}

function int(s, what, min = 0, max = Number.MAX_SAFE_INTEGER) {
  if (s === undefined) throw new Error(`${what} is required`);
  if (!/^\d+$/.test(String(s))) throw new Error(`${what} must be a whole number, not ${s}`);
  const n = Number(s);
  if (n < min || n > max) throw new Error(`${what} must be from ${min} to ${max}, not ${s}`);
  return n;
}

function hash(s, what) {
  if (s === undefined) throw new Error(`${what} is required`);
  const h = String(s).startsWith('0x') ? String(s) : `0x${s}`;
  if (!isHex(h) || h.length !== 66) throw new Error(`${what} must be 32 bytes of hex (0x + 64 digits), not ${s}`);
  return h.toLowerCase();
}

function amount(s, what) {
  try {
    return synod.parseAmount(s);
  } catch (e) {
    throw new Error(`${what}: ${e.message}`);
  }
}

function manifestArg(o) {
  const file = need(o, 'manifest');
  let m;
  try { m = JSON.parse(readFileSync(file, 'utf8')); } catch (e) { throw new Error(`--manifest ${file}: ${e.message}`); }
  return { name: m.name, manifest: synod.manifestFromJson(m, { sourceBase: o['source-base'] }) };
}

function jsonArray(s, what, nested) {
  let v;
  try { v = JSON.parse(s); } catch { throw new Error(`${what} must be a JSON array${nested ? ' of arrays' : ''} of numbers`); }
  if (!Array.isArray(v) || (nested && !v.every(Array.isArray))) throw new Error(`${what} must be a JSON array${nested ? ' of arrays' : ''} of numbers`);
  return v;
}

/** The input option, checked now; returns `(api, model) => bytes` (values need the model's dtype). */
function inputArg(o, key) {
  const dtypeOf = async (api, model) => {
    const manifest = await api.call.modelsApi.manifest(model);
    if (manifest.isNone) throw new Error(`model ${model} is not registered`);
    return manifest.unwrap().input.dtype.type;
  };
  switch (key) {
    case 'input-hex': {
      const h = o['input-hex'].startsWith('0x') ? o['input-hex'] : `0x${o['input-hex']}`;
      if (!isHex(h) || h.length <= 2) throw new Error('--input-hex is not hex');
      return async () => hexToU8a(h);
    }
    case 'input-file': {
      const bytes = readFileSync(o['input-file']);
      return async () => new Uint8Array(bytes);
    }
    case 'input-files': {
      const files = o['input-files'].split(',').map((f) => new Uint8Array(readFileSync(f)));
      return async () => files;
    }
    case 'input': {
      const values = jsonArray(o.input, '--input', false);
      return async (api, model) => synod.encodeInput(values.flat(Infinity), await dtypeOf(api, model));
    }
    default: {
      const members = jsonArray(o.inputs, '--inputs', true);
      return async (api, model) => {
        const dtype = await dtypeOf(api, model);
        return members.map((m) => synod.encodeInput(m.flat(Infinity), dtype));
      };
    }
  }
}

/**
 * The signer, checked now: `{ suri }`, `{ keystore, password }` (read, not yet unlocked) or
 * null (none given).
 */
function signerArg(o) {
  const given = ['suri', 'suri-file', 'keystore'].filter((k) => o[k] !== undefined);
  if (given.length > 1) throw new Error(`give one signer, not ${given.map((k) => `--${k}`).join(' and ')}`);
  if (o['password-file'] !== undefined && o.keystore === undefined) throw new Error('--password-file unlocks a --keystore: give one');
  if (o.keystore !== undefined) {
    let keystore;
    try { keystore = JSON.parse(readFileSync(o.keystore, 'utf8')); } catch (e) { throw new Error(`--keystore ${o.keystore}: ${e.message}`); }
    if (!keystore?.encoded || !keystore?.address) throw new Error(`--keystore ${o.keystore} is not a polkadot.js JSON keystore (no encoded key or address)`);
    let password;
    if (o['password-file'] !== undefined) {
      try { password = readFileSync(o['password-file'], 'utf8').replace(/\r?\n$/, ''); } catch (e) { throw new Error(`--password-file: ${e.message}`); }
    } else if (process.env.SYNOD_PASSWORD !== undefined) {
      password = process.env.SYNOD_PASSWORD;
    } else {
      throw new Error('--keystore needs its password: --password-file FILE or SYNOD_PASSWORD');
    }
    return { keystore, password };
  }
  const suri = suriArg(o);
  return suri === null ? null : { suri };
}

/** The signer's secret URI, checked now (null: none given). */
function suriArg(o) {
  if (o.suri !== undefined) {
    if (!/^\/\/[^\s]+$/.test(o.suri)) throw new Error('--suri takes a development derivation (//Alice) only: pass a secret with --suri-file FILE or SYNOD_SURI, never in argv');
    return o.suri;
  }
  if (o['suri-file'] !== undefined) {
    let s;
    try { s = readFileSync(o['suri-file'], 'utf8').trim(); } catch (e) { throw new Error(`--suri-file: ${e.message}`); }
    if (!s) throw new Error(`--suri-file ${o['suri-file']} is empty`);
    return s;
  }
  return process.env.SYNOD_SURI?.trim() || null;
}

function loopback(url) {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
  } catch {
    return false;
  }
}

// --- Output ---

const json = (v) => synod.toJson(v, 2);
const status = (s) => process.stderr.write(`${s}\n`);

async function tx(api, call, account, out, finality) {
  const { blockHash, blockNumber } = await synod.send(api, call, account, { finality });
  status(`${call.method.section}.${call.method.method} ${finality === 'inBlock' ? 'in block' : 'finalized in block'} #${blockNumber} ${blockHash}`);
  return { ...out, blockHash, blockNumber };
}

// --- Main ---

/** Parses and checks `argv` (no network): `{ name, command, args, suri, url }` or `{ text }` for help and version. */
export function prepare(argv) {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !COMMANDS[topic]) throw new Error(`unknown command ${topic} (node cli.mjs help)`);
    return { text: topic ? commandHelp(topic, COMMANDS[topic]) : USAGE };
  }
  if (name === '--version' || name === 'version') return { text: VERSION };
  const command = COMMANDS[name];
  if (!command) throw new Error(`unknown command ${name} (node cli.mjs help)`);
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...COMMON, ...(command.options ?? {}) }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new Error(`${name}: ${e.message.split('\n')[0]} (node cli.mjs ${name} --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { text: commandHelp(name, command) };
  const want = command.positionals ?? [];
  if (positionals.length !== want.length) {
    throw new Error(`${name} takes ${want.length ? want.join(' ') : 'no positional arguments'}, got ${positionals.length ? positionals.join(' ') : 'none'} (node cli.mjs ${name} --help)`);
  }
  const args = { ...command.check(values, positionals), finality: values['in-block'] ? 'inBlock' : 'finalized' };
  const signer = command.signs ? signerArg(values) : null;
  return { name, command, args, signer, url: values.url ?? DEFAULT_URL };
}

async function main() {
  const p = prepare(process.argv.slice(2));
  if (p.text) { console.log(p.text); return; }
  const api = await synod.connect(p.url, 30_000, { failFast: true });
  try {
    // The signer, resolved once a call needs it: the given secret or keystore, or a dev
    // chain's dev account.
    let pair;
    const who = async () => {
      if (pair) return pair;
      if (p.signer?.keystore) {
        pair = synod.fromKeystore(p.signer.keystore, p.signer.password);
        return pair;
      }
      let suri = p.signer?.suri;
      if (!suri) {
        const type = (await api.rpc.system.chainType()).type;
        if (type !== 'Development' && type !== 'Local') throw new Error(`no signer: give --suri-file FILE or SYNOD_SURI (a ${type} chain has no default account)`);
        suri = p.command.signs;
        status(`no signer given: signing as the dev account ${suri} (a ${type.toLowerCase()} chain)`);
      }
      who.suri = suri;
      pair = synod.signer(suri);
      return pair;
    };
    const out = await p.command.run(api, p.args, who);
    console.log(json(out));
  } finally {
    await api.disconnect();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(1);
  });
}
