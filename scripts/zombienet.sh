#!/usr/bin/env bash
# The zombienet suite (zombienet/synod.zndsl): four validators and three provider nodes on this
# machine (native provider), each with its own synod-worker; the third worker lies (perturbs
# its outputs); the second node holds a fourth provider key. Tests finality, batched
# submission, escalation (the liar outvoted by a larger set and slashed), replacement of a
# provider stopped mid-job, a validator stopped, a node restarted.
#
#   scripts/zombienet.sh     builds what is missing, installs @zombienet/cli, runs the suite;
#                            the last result goes to docs/results/zombienet.md
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$SYNOD_ROOT/scripts/lib.sh"
trap synod_cleanup EXIT INT TERM

"$SYNOD_ROOT/scripts/setup.sh"
synod_build_node
synod_build_worker
zn="$SYNOD_ROOT/zombienet"
if [ ! -x "$zn/node_modules/.bin/zombienet" ] || [ "$zn/package-lock.json" -nt "$zn/node_modules/.package-lock.json" ]; then
	echo "zombienet: npm ci (@zombienet/cli)"
	(cd "$zn" && npm ci --no-audit --no-fund --loglevel=error)
fi

dir="$SYNOD_CACHE/zombienet"
rm -rf "$dir"
mkdir -p "$dir/models"
cp "$SYNOD_ROOT/worker/tests/fixtures/mlp.pt" "$dir/models/"
MODELS_PORT=${ZN_MODELS_PORT:-7490}
python3 -m http.server "$MODELS_PORT" --bind 127.0.0.1 --directory "$dir/models" >"$dir/models-http.log" 2>&1 &
SYNOD_PIDS+=($!)
synod_wait_http "http://127.0.0.1:$MODELS_PORT/mlp.pt" 30
for i in 1 2 3; do
	extra=()
	# The third provider's worker lies: every output element moves by 0.01 (655 quantization
	# steps at the MLP's 2^-16 grid, far outside its tolerance of 2).
	[ "$i" = 3 ] && extra=(--perturb-outputs 0.01)
	"$CARGO_TARGET_DIR/release/synod-worker" --listen "127.0.0.1:741$i" --cache-dir "$dir/worker$i" \
		--threads 1 "${extra[@]}" >"$dir/worker$i.log" 2>&1 &
	SYNOD_PIDS+=($!)
	synod_wait_http "http://127.0.0.1:741$i/health" 60
done

export SYNOD_NODE_BIN SYNOD_MODELS_URL="http://127.0.0.1:$MODELS_PORT"
export SYNOD_ZOMBIE_STATE="$dir/state.json"
t0=$(date +%s)
set +e
(cd "$zn" && ./node_modules/.bin/zombienet -p native -l text -d "$dir/network" -f test synod.zndsl) 2>&1 | tee "$dir/zombienet.log"
rc=${PIPESTATUS[0]}
set -e
secs=$(($(date +%s) - t0))
mkdir -p "$SYNOD_ROOT/docs/results"
{
	echo "# Last zombienet run"
	echo
	echo "\`scripts/zombienet.sh\` at commit $(git -C "$SYNOD_ROOT" rev-parse --short HEAD)$(git -C "$SYNOD_ROOT" diff --quiet HEAD -- zombienet scripts || echo " with local changes"), $(date -u '+%Y-%m-%d %H:%M UTC'):"
	echo "**$([ "$rc" = 0 ] && echo passed || echo FAILED)** in ${secs} s on $(getconf _NPROCESSORS_ONLN) cores."
	echo
	echo '```'
	sed -e 's/\x1b\[[0-9;]*m//g' "$dir/zombienet.log" | grep -E 'synod:|✅|❌|Error running|One or more' | tail -n 80
	echo '```'
} >"$SYNOD_ROOT/docs/results/zombienet.md"
echo "zombienet: $([ "$rc" = 0 ] && echo passed || echo FAILED) in ${secs}s (summary: docs/results/zombienet.md)"
exit "$rc"
