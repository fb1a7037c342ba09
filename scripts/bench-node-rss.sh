#!/usr/bin/env bash
# Node memory at idle: starts a --dev node, waits until it has imported N blocks (default 100,
# i.e. 10 minutes at 6 s blocks), and prints its resident set size (VmRSS and VmHWM).
#
#   scripts/bench-node-rss.sh [blocks]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$SYNOD_ROOT/scripts/lib.sh"
trap synod_cleanup EXIT
BLOCKS=${1:-100}
RPC=${RPC_PORT:-19844}
log="$SYNOD_CACHE/bench-rss.log"
"$SYNOD_NODE_BIN" --dev --tmp "${SYNOD_LOOPBACK_FLAGS[@]}" --rpc-port "$RPC" --port 19833 \
	--prometheus-port 19815 >"$log" 2>&1 &
SYNOD_PIDS+=($!)
pid=$!
synod_wait_rpc "$RPC" 120
head() {
	curl -fs -H 'Content-Type: application/json' \
		-d '{"id":1,"jsonrpc":"2.0","method":"chain_getHeader","params":[]}' "http://127.0.0.1:$RPC" |
		python3 -c 'import json,sys; print(int(json.load(sys.stdin)["result"]["number"], 16))'
}
start=$(date +%s)
while n=$(head) && [ "$n" -lt "$BLOCKS" ]; do sleep 6; done
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
echo "bench-node-rss: block #$n after $(($(date +%s) - start))s: VmRSS $((rss / 1024)) MiB, VmHWM $((hwm / 1024)) MiB"
