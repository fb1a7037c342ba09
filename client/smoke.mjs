#!/usr/bin/env node
// Smoke test of a running Synod node through polkadot.js, with no custom type definitions:
// connects, reads the metadata and chain properties, and waits until the finalized head reaches
// a given height. Exit 0 on success, 1 on timeout or error.
//
//   node smoke.mjs [--url ws://127.0.0.1:9944] [--finalized 3] [--timeout 180] [--expect-pallets A,B]

import { ApiPromise, WsProvider } from '@polkadot/api';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const url = arg('url', 'ws://127.0.0.1:9944');
const target = Number(arg('finalized', '3'));
const timeoutS = Number(arg('timeout', '180'));
const expectWorkerUrl = arg('expect-worker-url', '');
const expectPallets = (arg('expect-pallets', 'System,Timestamp,Babe,Grandpa,Balances,TransactionPayment,Sudo,Models,Providers,Jobs'))
  .split(',').filter(Boolean);

const fail = (msg) => { console.error(`smoke: FAIL: ${msg}`); process.exit(1); };
const timer = setTimeout(() => fail(`finalized head did not reach #${target} within ${timeoutS}s`), timeoutS * 1000);

const provider = new WsProvider(url, 1000, {}, 30_000);
provider.on('error', () => {}); // reconnects are retried by the provider; the timer bounds them
const api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: false });

const [chain, version, props, health] = await Promise.all([
  api.rpc.system.chain(), api.rpc.state.getRuntimeVersion(), api.rpc.system.properties(), api.rpc.system.health(),
]);
const pallets = api.runtimeMetadata.asLatest.pallets.map((p) => p.name.toString());
console.log(`smoke: connected to ${url}: ${chain} (${version.specName} v${version.specVersion}), metadata v${api.runtimeMetadata.version}, ${pallets.length} pallets, peers ${health.peers}`);
console.log(`smoke: token ${props.tokenSymbol.toString()} decimals ${props.tokenDecimals.toString()} ss58 ${props.ss58Format.toString()}`);
const missing = expectPallets.filter((p) => !pallets.includes(p));
if (missing.length) fail(`metadata lacks pallets ${missing.join(', ')}`);
const exts = api.registry.signedExtensions;
if (!exts.includes('CheckMetadataHash')) fail(`transaction extensions lack CheckMetadataHash: ${exts.join(', ')}`);
// A storage read decoded from metadata alone: Alice's account.
const alice = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const acct = await api.query.system.account(alice);
console.log(`smoke: Alice free balance ${acct.data.free.toHuman()}`);

// Synod's runtime APIs, called and decoded from metadata alone (no custom types).
for (const api_ of ['modelsApi', 'providersApi', 'jobsApi']) {
  if (!api.call[api_]) fail(`runtime API ${api_} is not in the metadata`);
}
const models = await api.call.modelsApi.models(null, 10);
const offers = await api.call.providersApi.providersForModel('0x' + '00'.repeat(32));
const quote = await api.call.jobsApi.quote('0x' + '00'.repeat(32), 3, 1_000_000_000n);
if (!Array.isArray(models.toJSON()) || !Array.isArray(offers.toJSON())) fail('runtime API results do not decode');
console.log(`smoke: runtime APIs: ${models.length} models, ${offers.length} offers, quote ${JSON.stringify(quote.toJSON())}`);

if (expectWorkerUrl) {
  // The node writes --worker-url into offchain PERSISTENT storage, where the runtime's
  // off-chain worker reads it (key synod_primitives::offchain::WORKER_URL_KEY).
  const key = '0x' + Buffer.from('synod::worker-url').toString('hex');
  const stored = await api.rpc.offchain.localStorageGet('PERSISTENT', key);
  const url = stored.isSome ? Buffer.from(stored.unwrap().toU8a(true)).toString() : '(none)';
  if (url !== expectWorkerUrl) fail(`offchain storage holds worker URL ${url}, expected ${expectWorkerUrl}`);
  console.log(`smoke: offchain storage holds worker URL ${url}`);
}

await new Promise((resolve) => {
  let unsub;
  api.rpc.chain.subscribeFinalizedHeads((h) => {
    const n = h.number.toNumber();
    console.log(`smoke: finalized #${n}`);
    if (n >= target) { if (unsub) unsub(); resolve(); }
  }).then((u) => { unsub = u; });
});
clearTimeout(timer);
console.log(`smoke: OK: finalized #${target} reached`);
await api.disconnect();
process.exit(0);
