#!/usr/bin/env bash
# The README's run command: a local Synod network doing its main job.
#
# Builds what is missing (node, worker; setup.sh installs toolchains, torch and npm packages),
# then starts a dev chain (Alice validates; its off-chain worker runs), one synod-worker serving
# the bundled MLP (fetched over HTTP from a local model server and checked against its hash),
# puts three provider keys (Bob, Charlie, Dave) into the node's keystore, registers the model
# and the providers, submits a demo job through polkadot.js and prints each status change, the
# verified result and the settlement receipt (then a batch, a cohort, an audited job and a
# MiniLM sentence embedding checked against sentence-transformers). It serves the web app
# (app/) and prints its address. Then it keeps the network running and follows the node's log;
# Ctrl-C stops every process it started.
#
#   scripts/dev.sh            demo, then keep running
#   scripts/dev.sh --exit     demo, then stop
#   BURST_JOBS=500 scripts/dev.sh   the demo, then a burst of 500 jobs (scripts/e2e.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$SYNOD_ROOT/scripts/lib.sh"
# Every process it started stops with it: on exit, Ctrl-C (INT) and SIGTERM alike. Long
# foreground steps run in the background and are waited for, so a signal is handled at once
# (bash runs traps only between foreground commands, and `wait` is interrupted by them).
trap synod_cleanup EXIT
trap 'synod_cleanup; exit 130' INT
trap 'synod_cleanup; exit 143' TERM

exit_after=""
[ "${1:-}" = "--exit" ] && exit_after=1

"$SYNOD_ROOT/scripts/setup.sh"
synod_build_node
synod_build_worker
# all-MiniLM-L6-v2 traced from the PyPI package (once; checked against sentence-transformers).
[ -f "$SYNOD_MODELS/minilm.pt" ] || "$SYNOD_VENV/bin/python" "$SYNOD_ROOT/tools/make_minilm.py" "$SYNOD_MODELS"

export RPC_PORT=${RPC_PORT:-9944} P2P_PORT=${P2P_PORT:-30333} PROM_PORT=${PROM_PORT:-9615}
export WORKER_PORT=${WORKER_PORT:-7400} MODELS_PORT=${MODELS_PORT:-7480} APP_PORT=${APP_PORT:-7490}
dir="${DEVNET_DIR:-$SYNOD_CACHE/devnet}"
rm -rf "$dir"
synod_start_devnet "$dir"
node_pid=${SYNOD_PIDS[-1]}
synod_start_app "$dir"

cat <<MSG

Synod dev network is running:
  chain (JSON-RPC / WebSocket)  ws://127.0.0.1:$RPC_PORT   (log: $dir/node.log)
  synod-worker                  http://127.0.0.1:$WORKER_PORT   (log: $dir/worker.log)
  model server                  http://127.0.0.1:$MODELS_PORT/
  web app                       http://127.0.0.1:$APP_PORT/?node=ws://127.0.0.1:$RPC_PORT
  polkadot.js apps              https://polkadot.js.org/apps/?rpc=ws://127.0.0.1:$RPC_PORT

MSG
node "$SYNOD_ROOT/client/demo.mjs" --url "ws://127.0.0.1:$RPC_PORT" \
	--worker "http://127.0.0.1:$WORKER_PORT" --manifest "$SYNOD_ROOT/worker/tests/fixtures/mlp.json" \
	--source-base "http://127.0.0.1:$MODELS_PORT/" --timeout "${DEMO_TIMEOUT:-600}" \
	--minilm "$SYNOD_MODELS" --python "$SYNOD_VENV/bin/python" &
SYNOD_PIDS+=($!)
wait "${SYNOD_PIDS[-1]}" ||
	{ echo "--- node log (tail)"; tail -n 40 "$dir/node.log"; echo "--- worker log (tail)"; tail -n 20 "$dir/worker.log"; exit 1; }
# The MLP's id on this chain: the hash of its publisher (Alice, in demo.mjs) and its manifest.
mlp_id=$(node "$SYNOD_ROOT/client/cli.mjs" model-id --url "ws://127.0.0.1:$RPC_PORT" \
	--manifest "$SYNOD_ROOT/worker/tests/fixtures/mlp.json" --source-base "http://127.0.0.1:$MODELS_PORT/" \
	--suri //Alice | python3 -c "import json,sys;print(json.load(sys.stdin)['model'])")
# BURST_JOBS=N: then N MLP jobs at once (client/burst.mjs), which must all settle; the figures go
# to BURST_OUT (default $dir/burst.json).
if [ "${BURST_JOBS:-0}" -gt 0 ]; then
	node "$SYNOD_ROOT/client/burst.mjs" --url "ws://127.0.0.1:$RPC_PORT" --model "$mlp_id" \
		--jobs "$BURST_JOBS" --node-pid "$node_pid" --out "${BURST_OUT:-$dir/burst.json}" &
	SYNOD_PIDS+=($!)
	wait "${SYNOD_PIDS[-1]}" || { echo "--- node log (tail)"; tail -n 40 "$dir/node.log"; exit 1; }
fi

[ -n "$exit_after" ] && exit 0
cat <<MSG

More jobs: in the web app, http://127.0.0.1:$APP_PORT/?node=ws://127.0.0.1:$RPC_PORT#/submit
(signed by a dev account, or a browser wallet's), or from a terminal:
  node client/cli.mjs submit-job --url ws://127.0.0.1:$RPC_PORT \\
  --model $mlp_id --input '[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]' --wait
Ctrl-C stops the network.

MSG
tail -n 0 -f "$dir/node.log" --pid "$node_pid" |
	grep --line-buffered -E 'job\(s\)|job [0-9]+|heartbeat|synod-worker|finalized #|ERROR|WARN' &
SYNOD_PIDS+=($!)
wait "${SYNOD_PIDS[-1]}" || true
