// Provider keys into each provider node's keystore; the model and the four providers registered.
const fs = require('fs');
const { lib, IN_BLOCK, PROVIDERS, save, log, connect, manifestFile } = require('./common.js');

async function run(nodeName, networkInfo) {
  const synod = await lib();
  for (const p of PROVIDERS) {
    const api = await connect(networkInfo, p.node);
    const pair = synod.signer(p.suri);
    await api.rpc.author.insertKey('synd', p.suri, `0x${Buffer.from(pair.publicKey).toString('hex')}`);
    log(`key of ${pair.address} in ${p.node}'s keystore`);
    await api.disconnect();
  }
  const api = await connect(networkInfo, nodeName);
  try {
    const alice = synod.signer('//Alice');
    const manifest = synod.manifestFromJson(JSON.parse(fs.readFileSync(manifestFile(), 'utf8')), { sourceBase: `${process.env.SYNOD_MODELS_URL}/` });
    const { model } = await synod.registerModel(api, alice, manifest, IN_BLOCK);
    log(`model ${model} registered`);
    // Zombienet rewrites the genesis balances of its nodes' accounts: fund each provider from
    // Alice so it can bond.
    const need = synod.parseAmount('1100SYN');
    for (const p of PROVIDERS) {
      const who = synod.signer(p.suri).address;
      const free = (await api.query.system.account(who)).data.free.toBigInt();
      if (free < need) {
        await synod.send(api, api.tx.balances.transferKeepAlive(who, need - free), alice, IN_BLOCK);
        log(`funded ${p.node} ${who} with ${synod.formatAmount(need - free)}`);
      }
    }
    for (const p of PROVIDERS) {
      const cls = await synod.classFromWorker(p.worker);
      const pair = synod.signer(p.suri);
      await synod.registerProvider(api, pair, { bond: synod.parseAmount('1000SYN'), cls, concurrency: 8, metadata: p.node, offers: [{ model, price: synod.parseAmount('0.01SYN') }], ...IN_BLOCK });
      log(`provider ${p.node} ${pair.address} registered${p.liar ? ' (its worker lies)' : ''}`);
    }
    const offers = await synod.providers(api, model);
    if (offers.filter((o) => o.live).length !== PROVIDERS.length) throw new Error(`expected ${PROVIDERS.length} live providers, got ${synod.toJson(offers)}`);
    save({ model });
    return 0;
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
