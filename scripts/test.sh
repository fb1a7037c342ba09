#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this). Every step shares one release
# profile and one target dir outside the checkout, so a warm cache makes it quick.
#
#   scripts/test.sh            everything
#   SKIP_SMOKE=1 scripts/test.sh   everything but the running-node smoke tests
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SYNOD_ROOT"

"$SYNOD_ROOT/scripts/setup.sh" --browser

t0=$(date +%s)
timings=()
step() {
	local name=$1
	shift
	local s
	s=$(date +%s)
	echo
	echo "=== $name: $*"
	"$@"
	timings+=("$(printf '%-34s %5ss' "$name" $(($(date +%s) - s)))")
}

# Two dependency graphs, each always built with the same package selection so that cargo's
# feature unification never differs between steps (a differing set rebuilds hundreds of crates):
# the chain (node, runtime, primitives, pallets) and the worker (libtorch).
CHAIN=(--workspace --exclude synod-worker)
WORKER=(-p synod-worker)
# Benchmark and try-runtime code: everything but the node and the worker.
FEATURE_CRATES=(--workspace --exclude synod-node --exclude synod-worker)
FEATURES=runtime-benchmarks,try-runtime

step "format" cargo fmt --all -- --check
step "digest vectors up to date" python3 primitives/test-vectors/make_digest_vectors.py --check
# The JS client's canonicalDigest, membersRoot and workerJobId against the same vectors, the
# CLI's argument checks, chain values as plain JS and keystores; the web app's tokenizer against
# transformers' (its npm packages: setup.sh above).
step "client: test vectors, CLI, values, tokenizer" node --test client/test/*.test.mjs app/test/*.test.mjs
step "tokenizer vectors up to date" "$SYNOD_VENV/bin/python" tools/make_tokenizer_vectors.py --check
# The client's JSDoc types (tsc --noEmit), its declarations (dist/synod.d.mts), and an example
# dapp type-checked against them as a dependent package sees them.
step "client: types, example dapp" bash -c "npm run --silent typecheck -w @synod/client && npm run --silent build -w @synod/client && npm run --silent typecheck -w synod-example-dapp"
step "benchmark statistics" python3 tools/test_bench_stats.py
step "clippy (chain)" cargo clippy --release "${CHAIN[@]}" --all-targets --locked -- -D warnings
step "clippy (worker)" cargo clippy --release "${WORKER[@]}" --all-targets --locked -- -D warnings
step "clippy (bench, try-runtime)" env SKIP_WASM_BUILD=1 cargo clippy --release "${FEATURE_CRATES[@]}" \
	--all-targets --features "$FEATURES" --locked -- -D warnings
# Rustdoc over the same selection (its dependencies are the clippy step's): the pallets and
# primitives deny broken intra-doc links.
step "docs (intra-doc links)" env SKIP_WASM_BUILD=1 cargo doc --release "${FEATURE_CRATES[@]}" \
	--features "$FEATURES" --no-deps --locked
step "build (chain, release)" cargo build --release "${CHAIN[@]}" --locked
step "build (worker, release)" cargo build --release "${WORKER[@]}" --locked
step "test (chain)" cargo test --release "${CHAIN[@]}" --locked
# Built by the step above (cargo test builds examples): the attack formulas against a hand
# computation and a 400-job simulation against the exact formula.
step "protocol: attack formula check" "$CARGO_TARGET_DIR/release/examples/attack_simulation" --check
step "protocol: audited jobs check" "$CARGO_TARGET_DIR/release/examples/audit_simulation" --check
step "test (worker)" cargo test --release "${WORKER[@]}" --locked
step "test (bench, try-runtime)" env SKIP_WASM_BUILD=1 cargo test --release "${FEATURE_CRATES[@]}" \
	--features "$FEATURES" --locked
if [ -z "${SKIP_SMOKE:-}" ]; then
	step "smoke: dev and local chains" "$SYNOD_ROOT/scripts/smoke.sh" all
	# End to end through polkadot.js, as a user runs it: scripts/dev.sh (a dev chain, one
	# synod-worker, three provider keys; a job, a batch and a cohort settled by the off-chain
	# workers, results verified, balances checked), then SIGTERM: every process it started stops.
	step "e2e: dev network, jobs settled and verified, web app in chromium; SIGTERM stops all" env RPC_PORT=19744 \
		P2P_PORT=19733 PROM_PORT=19715 WORKER_PORT=19700 MODELS_PORT=19780 APP_PORT=19790 \
		DEVNET_DIR="$SYNOD_CACHE/e2e" "$SYNOD_ROOT/scripts/e2e.sh"
	# Seven nodes and three workers under faults (about 5 minutes here): the liar outvoted and
	# slashed, a provider and a validator stopped, a restart. SKIP_ZOMBIENET=1 leaves it out.
	if [ -z "${SKIP_ZOMBIENET:-}" ]; then
		step "zombienet: 4 validators, 4 providers, faults" "$SYNOD_ROOT/scripts/zombienet.sh"
	fi
fi

echo
echo "=== timings"
printf '%s\n' "${timings[@]}"
echo "total $(($(date +%s) - t0))s"
echo "test.sh: all steps passed"
