#!/usr/bin/env bash
# Worker throughput against Python torch.jit (CPU by default): MiniLM and the CNN fixture, batch
# 1 and 32, same .pt, same thread count. Prints a table; docs/performance.md records it.
#
#   scripts/bench-worker.sh [--threads N] [--seconds S] [--rounds R] [--min-n N] [--only minilm|cnn]
#                            [--batch 1|32] [--no-pin]
#   (--rounds R: Python, the worker and the in-process loop alternate R times per row; the ratio
#   is over all rounds, with its 95% interval; --seconds: about how long Python takes a round)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$SYNOD_ROOT/scripts/lib.sh"
trap synod_cleanup EXIT
cd "$SYNOD_ROOT"
threads=1
args=("$@")
for ((i = 0; i < $#; i++)); do [ "${args[$i]}" = --threads ] && threads=${args[$((i + 1))]}; done
pass=()
nopin=0
for a in "$@"; do if [ "$a" = --no-pin ]; then nopin=1; else pass+=("$a"); fi; done
[ -f "$SYNOD_MODELS/minilm.pt" ] || "$SYNOD_VENV/bin/python" tools/make_minilm.py "$SYNOD_MODELS"
cargo build --release -p synod-worker --bin synod-worker --example forward_loop --locked 2>&1 | tail -n 1
# With more CPUs than inference threads, what is measured (Python's loop, the worker's inference
# thread, the in-process loop) runs on CPUs 0..threads-1 alone and the load generator (the Python
# HTTP client) and the worker's HTTP side on the others. --no-pin shares every CPU instead.
pin=()
if [ "$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)" -gt "$threads" ] && [ "$nopin" = 0 ]; then
	pin=(--inference-cpus "0-$((threads - 1))")
fi
"$CARGO_TARGET_DIR/release/synod-worker" --listen 127.0.0.1:7410 --device cpu --threads "$threads" \
	--models-dir "$SYNOD_MODELS" --cache-dir "$SYNOD_CACHE/bench-cache" --max-queue 10000 \
	--retain 20000 "${pin[@]}" >"$SYNOD_CACHE/bench-worker.log" 2>&1 &
SYNOD_PIDS+=($!)
for _ in $(seq 1 60); do curl -fs http://127.0.0.1:7410/health >/dev/null && break; sleep 0.5; done
echo "bench-worker: $(nproc --all) cores, OMP_NUM_THREADS=$OMP_NUM_THREADS, ${pin[*]:-not pinned}, worker $(curl -fs http://127.0.0.1:7410/health)"
"$SYNOD_VENV/bin/python" tools/bench_worker.py --worker http://127.0.0.1:7410 --models "$SYNOD_MODELS" \
	--fixtures worker/tests/fixtures --json "$SYNOD_CACHE/bench-worker.json" \
	--forward-loop "$CARGO_TARGET_DIR/release/examples/forward_loop" \
	${pin[1]:+--pin-cpus "${pin[1]}"} "${pass[@]}"
