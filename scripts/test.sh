#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this). Every step shares one release
# profile and one target dir outside the checkout, so a warm cache makes it quick.
#
#   scripts/test.sh            everything
#   SKIP_SMOKE=1 scripts/test.sh   everything but the running-node smoke tests
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SYNOD_ROOT"

"$SYNOD_ROOT/scripts/setup.sh"

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

# Crates compiled with benchmark and try-runtime code: everything but the node.
FEATURE_CRATES=(--workspace --exclude synod-node)
FEATURES=runtime-benchmarks,try-runtime

step "format" cargo fmt --all -- --check
step "clippy" cargo clippy --release --workspace --all-targets --locked -- -D warnings
step "clippy (bench, try-runtime)" env SKIP_WASM_BUILD=1 cargo clippy --release "${FEATURE_CRATES[@]}" \
	--all-targets --features "$FEATURES" --locked -- -D warnings
step "build node (release)" cargo build --release --workspace --locked
step "test" cargo test --release --workspace --locked
step "test (bench, try-runtime)" env SKIP_WASM_BUILD=1 cargo test --release "${FEATURE_CRATES[@]}" \
	--features "$FEATURES" --locked
if [ -z "${SKIP_SMOKE:-}" ]; then
	step "smoke: dev and local chains" "$SYNOD_ROOT/scripts/smoke.sh" all
fi

echo
echo "=== timings"
printf '%s\n' "${timings[@]}"
echo "total $(($(date +%s) - t0))s"
echo "test.sh: all steps passed"
