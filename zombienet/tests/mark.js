// Records bob's best block before its restart.
const { save, log, connect } = require('./common.js');

async function run(_nodeName, networkInfo) {
  const api = await connect(networkInfo, 'bob');
  try {
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    log(`bob is at #${best} before the restart`);
    save({ bobBefore: best });
    return 0;
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
