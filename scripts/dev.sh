#!/usr/bin/env bash
# Starts a local Synod development chain: builds the node when needed, runs `--dev` with a
# temporary database, prints the endpoints and follows the log. Ctrl-C stops it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$SYNOD_ROOT/scripts/lib.sh"
trap synod_cleanup EXIT INT TERM

"$SYNOD_ROOT/scripts/setup.sh"
synod_build_node

RPC_PORT=${RPC_PORT:-9944}
P2P_PORT=${P2P_PORT:-30333}
PROM_PORT=${PROM_PORT:-9615}
log="$SYNOD_CACHE/dev-node.log"
"$SYNOD_NODE_BIN" --dev --tmp "${SYNOD_LOOPBACK_FLAGS[@]}" --rpc-port "$RPC_PORT" \
	--port "$P2P_PORT" --prometheus-port "$PROM_PORT" >"$log" 2>&1 &
SYNOD_PIDS+=($!)
synod_wait_rpc "$RPC_PORT" 120 || { tail -n 40 "$log"; exit 1; }

cat <<MSG

Synod dev chain is running (Alice authors and finalizes; dev accounts are funded).
  JSON-RPC / WebSocket  ws://127.0.0.1:$RPC_PORT
  Prometheus metrics    http://127.0.0.1:$PROM_PORT/metrics
  polkadot.js apps      https://polkadot.js.org/apps/?rpc=ws://127.0.0.1:$RPC_PORT
  node log              $log
Ctrl-C stops it.

MSG
tail -n +1 -f "$log" --pid "${SYNOD_PIDS[0]}" | grep --line-buffered -E 'Imported|finalized|Idle|ERROR|WARN' || true
