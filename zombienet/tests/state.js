// After its restart bob starts from its own database (its sync starts at or above the block it
// had), still knows the model and the liar job's receipt, and follows the chain again.
const { lib, load, log, connect } = require('./common.js');

async function run(nodeName, networkInfo) {
  const synod = await lib();
  const { bobBefore, model, liarJob } = load();
  const api = await connect(networkInfo, nodeName);
  try {
    const sync = await api.rpc.system.syncState();
    const starting = sync.startingBlock.toNumber();
    log(`bob restarted from #${starting} (had #${bobBefore})`);
    if (starting < bobBefore) throw new Error(`bob restarted from #${starting}, below the #${bobBefore} it had: state lost`);
    if ((await api.call.modelsApi.manifest(model)).isNone) throw new Error('model lost');
    if (!(await synod.receipt(api, liarJob))) throw new Error('receipt of the liar job lost');
    const b0 = (await api.rpc.chain.getHeader()).number.toNumber();
    for (let i = 0; i < 60; i++) {
      await new Promise((res) => setTimeout(res, 1000));
      if ((await api.rpc.chain.getHeader()).number.toNumber() >= b0 + 2) return 0;
    }
    throw new Error('bob does not follow the chain after its restart');
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
