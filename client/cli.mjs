#!/usr/bin/env node
// Synod's command-line client (polkadot.js, metadata only). Run `node cli.mjs help`.

import { readFileSync, writeFileSync } from 'node:fs';
import { hexToU8a, isHex, u8aToHex } from '@polkadot/util';
import * as synod from './synod.mjs';

const USAGE = `usage: node cli.mjs <command> [options]      (every command: --url ws://127.0.0.1:9944)

  register-model    --manifest FILE.json [--source-base URL] [--suri //Alice]
                    (prints the model's ID: the hash of its publisher and manifest)
  model-id          --manifest FILE.json [--source-base URL] (--publisher ADDRESS | --suri //Alice)
                    the ID that manifest has once that publisher registers it, and whether it is
                    registered
  register-provider --bond AMOUNT --model ID --price AMOUNT [--suri //Bob]
                    [--worker-url http://127.0.0.1:7400 | --device Cpu --arch x86_64 --libtorch 2.11.0]
                    [--concurrency 4] [--metadata TEXT] [--insert-key]
  submit-job        --model ID (--input-hex 0x.. | --input-file F | --input '[1,2,...]'
                                  | --inputs '[[1,2,...],[3,4,...],...]' | --input-files F1,F2,...)
                    [--redundancy 3 | --audited] [--max-price AMOUNT] [--deadline 60, audited 100] [--suri //Alice] [--wait]
                    (--audited: one provider computes; the chain decides after its commitment
                    whether auditors recompute it; the output says how it was verified)
                    (--inputs / --input-files: a cohort, 2 to 64 members answered as one job,
                    priced per member; the receipt lists each member's output digest)
  job ID            an open job
  queue ID          where a job not assigned yet waits: jobs ahead, rounds, expected block
  result ID         the receipt of a settled job
                    [--output FILE.json]: also its agreed output, checked against the
                    receipt's digest (refused if it differs), written to FILE (- for stdout):
                    from the receipt (up to 512 elements), or as delivered on chain after
                    settlement (a larger one, a cohort's [--member I|all]), or from a
                    provider's worker [--worker URL]
  providers --model ID
  quote     --model ID [--redundancy 3] [--max-price AMOUNT]

AMOUNT is planck (an integer) or SYN with a suffix: 0.01SYN. Output is JSON on stdout; status
lines and errors go to stderr. Exit 1 on any error.`;

function parse(argv) {
  const [cmd, ...rest] = argv;
  const opts = { _: [] };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a.startsWith('--')) {
      const key = a.slice(2);
      const next = rest[i + 1];
      if (next === undefined || next.startsWith('--')) opts[key] = true;
      else { opts[key] = next; i++; }
    } else opts._.push(a);
  }
  return { cmd, opts };
}

function need(opts, key) {
  if (opts[key] === undefined || opts[key] === true) throw new Error(`--${key} is required (node cli.mjs help)`);
  return opts[key];
}

const json = (v) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x), 2);
const status = (s) => process.stderr.write(`${s}\n`);

async function inputDtype(api, model) {
  const manifest = await api.call.modelsApi.manifest(model);
  if (manifest.isNone) throw new Error(`model ${model} is not registered`);
  return manifest.unwrap().input.dtype.type;
}

async function inputBytes(api, opts, model) {
  if (opts['input-files']) return String(opts['input-files']).split(',').map((f) => new Uint8Array(readFileSync(f)));
  if (opts.inputs) {
    let members;
    try { members = JSON.parse(opts.inputs); } catch { throw new Error('--inputs must be a JSON array of arrays of numbers'); }
    if (!Array.isArray(members) || !members.every(Array.isArray)) throw new Error('--inputs must be a JSON array of arrays of numbers');
    const dtype = await inputDtype(api, model);
    return members.map((m) => synod.encodeInput(m.flat(Infinity), dtype));
  }
  if (opts['input-hex']) {
    const h = opts['input-hex'].startsWith('0x') ? opts['input-hex'] : `0x${opts['input-hex']}`;
    if (!isHex(h)) throw new Error('--input-hex is not hex');
    return hexToU8a(h);
  }
  if (opts['input-file']) return new Uint8Array(readFileSync(opts['input-file']));
  if (opts.input) {
    const dtype = await inputDtype(api, model);
    let values;
    try { values = JSON.parse(opts.input); } catch { throw new Error('--input must be a JSON array of numbers'); }
    if (!Array.isArray(values)) throw new Error('--input must be a JSON array of numbers');
    return synod.encodeInput(values.flat(Infinity), dtype);
  }
  throw new Error('give --input-hex, --input-file, --input, --inputs or --input-files');
}

async function main() {
  const { cmd, opts } = parse(process.argv.slice(2));
  if (!cmd || cmd === 'help' || opts.help) { console.log(USAGE); return; }
  const known = ['register-model', 'model-id', 'register-provider', 'submit-job', 'job', 'queue', 'result', 'providers', 'quote'];
  if (!known.includes(cmd)) throw new Error(`unknown command ${cmd}\n\n${USAGE}`);
  const api = await synod.connect(opts.url || 'ws://127.0.0.1:9944', 30_000, { failFast: true });
  try {
    switch (cmd) {
      case 'register-model': {
        const m = JSON.parse(readFileSync(need(opts, 'manifest'), 'utf8'));
        const manifest = synod.manifestFromJson(m, { sourceBase: opts['source-base'] });
        const r = await synod.registerModel(api, synod.signer(opts.suri || '//Alice'), manifest);
        status(r.existed ? `model ${r.model} was already registered` : `registered model ${m.name} ${r.model}`);
        console.log(json({ model: r.model, name: m.name, existed: r.existed, sources: manifest.sources }));
        break;
      }
      case 'model-id': {
        const m = JSON.parse(readFileSync(need(opts, 'manifest'), 'utf8'));
        const manifest = synod.manifestFromJson(m, { sourceBase: opts['source-base'] });
        const publisher = opts.publisher || synod.signer(opts.suri || '//Alice').address;
        const model = await synod.modelId(api, publisher, manifest);
        const registered = (await api.call.modelsApi.manifest(model)).isSome;
        console.log(json({ model, name: m.name, publisher, registered }));
        break;
      }
      case 'register-provider': {
        const pair = synod.signer(opts.suri || '//Bob');
        const cls = opts.device
          ? { device: opts.device, arch: need(opts, 'arch'), libtorch: need(opts, 'libtorch'), deterministic: opts.deterministic !== 'false' }
          : await synod.classFromWorker(opts['worker-url'] || 'http://127.0.0.1:7400');
        const r = await synod.registerProvider(api, pair, {
          bond: synod.parseAmount(need(opts, 'bond')),
          cls,
          concurrency: Number(opts.concurrency || 4),
          metadata: opts.metadata || '',
          offers: [{ model: need(opts, 'model'), price: synod.parseAmount(need(opts, 'price')) }],
        });
        if (opts['insert-key']) {
          // The node's off-chain worker signs with keys of type `synd`: put this account's key there.
          await api.rpc.author.insertKey('synd', opts.suri || '//Bob', u8aToHex(pair.publicKey));
          status(`inserted the provider key of ${pair.address} into the node's keystore`);
        }
        status(`${r.registered ? 'registered' : 'updated'} provider ${pair.address} (${cls.device}, ${cls.arch}, libtorch ${cls.libtorch})`);
        console.log(json({ provider: pair.address, registered: r.registered, class: cls }));
        break;
      }
      case 'submit-job': {
        const model = need(opts, 'model');
        const input = await inputBytes(api, opts, model);
        const audited = Boolean(opts.audited);
        if (audited && opts.redundancy) throw new Error('--audited and --redundancy are two verification modes: give one');
        // An audited job is quoted for its worst case: an audit's providers.
        const redundancy = audited ? synod.auditSize(api) : Number(opts.redundancy || 3);
        let maxPrice = opts['max-price'] ? synod.parseAmount(opts['max-price']) : null;
        const q = await synod.quote(api, model, redundancy, maxPrice ?? 10n ** 30n);
        if (maxPrice === null) {
          if (q.cheapest === null) throw new Error(`fewer than ${redundancy} providers offer model ${model}`);
          maxPrice = q.cheapest;
        }
        const members = Array.isArray(input) ? ` per member, ${input.length} members` : '';
        status(audited
          ? `quote: audited, one provider (and ${redundancy - 1} auditors when audited) at up to ${synod.formatAmount(maxPrice)} each${members}`
          : `quote: ${redundancy} providers at up to ${synod.formatAmount(maxPrice)} each${members}`);
        const r = await synod.submitJob(api, synod.signer(opts.suri || '//Alice'), {
          model, input, redundancy, audited, maxPrice, deadlineBlocks: Number(opts.deadline || (audited ? 100 : 60)),
        });
        status(`job ${r.job} submitted in ${r.blockHash}: escrow ${synod.formatAmount(r.escrow)}, deadline #${r.deadline}`);
        if (!opts.wait) { console.log(json(r)); break; }
        const out = await synod.waitForJob(api, r.job, (s) => status(`#${s.block} job ${r.job}: ${s.text}`));
        const rec = await synod.receipt(api, r.job);
        if (rec) status(`job ${r.job}: verified ${synod.verificationText(rec)}`);
        console.log(json({ ...r, ...out, receipt: rec }));
        if (!out.settled) process.exitCode = 1;
        break;
      }
      case 'job': {
        const id = Number(need({ id: opts._[0] }, 'id'));
        const j = await synod.job(api, id);
        if (!j) throw new Error(`no open job ${id} (settled jobs: use \`result ${id}\`)`);
        console.log(json(j));
        break;
      }
      case 'queue': {
        const id = Number(need({ id: opts._[0] }, 'id'));
        const p = await synod.queuePosition(api, id);
        if (!p) throw new Error(`job ${id} is not waiting: assigned, ended, or unknown (\`job ${id}\`, \`result ${id}\`)`);
        console.log(json(p));
        break;
      }
      case 'result': {
        const id = Number(need({ id: opts._[0] }, 'id'));
        const r = await synod.receipt(api, id);
        if (!r) throw new Error(`no receipt for job ${id}: still open, failed, or pruned after the retention period`);
        if (!opts.output) { console.log(json(r)); break; }
        const out = await synod.fetchResult(api, id, { worker: opts.worker === true ? undefined : opts.worker, member: opts.member });
        const outs = Array.isArray(out) ? out : [out];
        for (const o of outs) status(`job ${id}${o.member === undefined ? '' : ` member ${o.member}`}: output [${o.shape}] from ${o.source}, digest ${o.digest} = the receipt's`);
        const text = json(Array.isArray(out) ? out : out);
        if (opts.output === true || opts.output === '-') console.log(text);
        else { writeFileSync(opts.output, `${text}\n`); status(`wrote ${opts.output}`); console.log(json(r)); }
        break;
      }
      case 'providers': {
        console.log(json(await synod.providers(api, need(opts, 'model'))));
        break;
      }
      case 'quote': {
        // Without --max-price: what a job at the cheapest assignable price would hold.
        const k = Number(opts.redundancy || 3);
        const given = opts['max-price'] ? synod.parseAmount(opts['max-price']) : null;
        const q = await synod.quote(api, need(opts, 'model'), k, given ?? 10n ** 30n);
        const escrow = given === null ? (q.cheapest === null ? null : 2n * q.cheapest * BigInt(k)) : q.escrow;
        console.log(json({ redundancy: k, maxPrice: given ?? q.cheapest, escrow, cheapest: q.cheapest }));
        break;
      }
    }
  } finally {
    await api.disconnect();
  }
}

main().catch((e) => {
  process.stderr.write(`error: ${e.message}\n`);
  process.exit(1);
});
