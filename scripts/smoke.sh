#!/usr/bin/env bash
# Smoke tests of the release node: a --dev chain, then the four-validator local chain, each on
# loopback ports, until block N is finalized (read through polkadot.js with no custom types).
#
#   scripts/smoke.sh [dev|local|all]    (default: all)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$SYNOD_ROOT/scripts/lib.sh"
trap synod_cleanup EXIT

which=${1:-all}
TARGET=${SMOKE_FINALIZED:-3}
logdir="$SYNOD_CACHE/smoke"
mkdir -p "$logdir"
client="$SYNOD_ROOT/client"
base_port=${SMOKE_BASE_PORT:-19900}

smoke_dev() {
	local rpc=$((base_port + 44))
	echo "smoke: dev chain (log: $logdir/dev.log)"
	"$SYNOD_NODE_BIN" --dev --tmp "${SYNOD_LOOPBACK_FLAGS[@]}" \
		--rpc-port "$rpc" --port $((base_port + 33)) --prometheus-port $((base_port + 15)) \
		--worker-url http://127.0.0.1:7499 >"$logdir/dev.log" 2>&1 &
	SYNOD_PIDS+=($!)
	synod_wait_rpc "$rpc" 120 || { tail -n 30 "$logdir/dev.log"; return 1; }
	node "$client/smoke.mjs" --url "ws://127.0.0.1:$rpc" --finalized "$TARGET" --timeout 180 \
		--expect-worker-url http://127.0.0.1:7499 ||
		{ tail -n 30 "$logdir/dev.log"; return 1; }
	synod_cleanup
}

smoke_local() {
	local names=(alice bob charlie dave) i p2p rpc boot peer
	# Fixed network keys: authorities of a non-dev chain must have one, and Alice's peer id
	# becomes everyone's bootnode.
	for i in 0 1 2 3; do printf '%064x' $((i + 1)) >"$logdir/${names[$i]}.nodekey"; done
	peer=$("$SYNOD_NODE_BIN" key inspect-node-key --file "$logdir/alice.nodekey")
	boot="/ip4/127.0.0.1/tcp/$((base_port + 1))/p2p/$peer"
	for i in 0 1 2 3; do
		p2p=$((base_port + 1 + i))
		rpc=$((base_port + 50 + i))
		local extra=(--node-key-file "$logdir/${names[$i]}.nodekey")
		if [ "$i" != 0 ]; then extra+=(--bootnodes "$boot"); fi
		"$SYNOD_NODE_BIN" --chain local --tmp "--${names[$i]}" --validator \
			"${SYNOD_LOOPBACK_FLAGS[@]}" --listen-addr "/ip4/127.0.0.1/tcp/$p2p" \
			--rpc-port "$rpc" --prometheus-port $((base_port + 60 + i)) "${extra[@]}" \
			>"$logdir/local-${names[$i]}.log" 2>&1 &
		SYNOD_PIDS+=($!)
	done
	echo "smoke: local chain, 4 validators (logs: $logdir/local-*.log)"
	for i in 0 1 2 3; do
		synod_wait_rpc $((base_port + 50 + i)) 120 ||
			{ tail -n 30 "$logdir/local-${names[$i]}.log"; return 1; }
	done
	# Read through the last validator: it finalizes only with its peers.
	node "$client/smoke.mjs" --url "ws://127.0.0.1:$((base_port + 53))" --finalized "$TARGET" \
		--timeout 240 || { tail -n 30 "$logdir/local-dave.log"; return 1; }
	synod_cleanup
}

[ -x "$SYNOD_NODE_BIN" ] || { echo "smoke: no node at $SYNOD_NODE_BIN (build it first)"; exit 1; }
case "$which" in
dev) smoke_dev ;;
local) smoke_local ;;
all) smoke_dev && smoke_local ;;
*) echo "usage: $0 [dev|local|all]"; exit 2 ;;
esac
echo "smoke: all passed"
