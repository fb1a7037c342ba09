# Helpers shared by the scripts that start nodes. Sourced after env.sh.
# shellcheck shell=bash

SYNOD_PIDS=()

# Kills every process a script started (trap it on EXIT).
synod_cleanup() {
	for pid in "${SYNOD_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${SYNOD_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	SYNOD_PIDS=()
}

# Builds the release node unless it is newer than every source file.
synod_build_node() {
	local newest
	newest=$(find "$SYNOD_ROOT/node" "$SYNOD_ROOT/runtime" "$SYNOD_ROOT/pallets" \
		"$SYNOD_ROOT/primitives" "$SYNOD_ROOT/Cargo.toml" "$SYNOD_ROOT/Cargo.lock" \
		-type f -newer "$SYNOD_NODE_BIN" -print -quit 2>/dev/null || true)
	if [ ! -x "$SYNOD_NODE_BIN" ] || [ -n "$newest" ]; then
		echo "build: cargo build --release -p synod-node (log: $SYNOD_CACHE/node-build.log)"
		(cd "$SYNOD_ROOT" && cargo build --release -p synod-node) >"$SYNOD_CACHE/node-build.log" 2>&1 ||
			{ tail -n 40 "$SYNOD_CACHE/node-build.log"; return 1; }
	fi
}

# Waits until a JSON-RPC endpoint answers; fails after $2 seconds, or at once when the last
# started process has exited.
synod_wait_rpc() {
	local port=$1 timeout=${2:-60} i last=${SYNOD_PIDS[-1]:-}
	for ((i = 0; i < timeout * 2; i++)); do
		if [ -n "$last" ] && ! kill -0 "$last" 2>/dev/null; then
			echo "process $last exited before 127.0.0.1:$port answered" >&2
			return 1
		fi
		if curl -fs -H 'Content-Type: application/json' \
			-d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
			"http://127.0.0.1:$port" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.5
	done
	echo "no JSON-RPC answer on 127.0.0.1:$port after ${timeout}s" >&2
	return 1
}

# Loopback-only flags for every node the scripts start.
SYNOD_LOOPBACK_FLAGS=(--no-mdns --no-telemetry)
