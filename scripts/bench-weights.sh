#!/usr/bin/env bash
# Generates each Synod pallet's weights.rs on this machine with frame-omni-bencher (installed on
# first use into $HOME/.cache/synod/tools), from a runtime wasm built with runtime-benchmarks.
#
#   scripts/bench-weights.sh                      all Synod pallets
#   scripts/bench-weights.sh pallet_providers     one pallet
#   STEPS=10 REPEAT=5 scripts/bench-weights.sh    a quicker, noisier run
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SYNOD_ROOT"

OMNI_VERSION=0.28.0 # frame-benchmarking-cli 64 = polkadot-sdk stable2609
TOOLS="$HOME/.cache/synod/tools"
OMNI="$TOOLS/bin/frame-omni-bencher"
if ! "$OMNI" --version 2>/dev/null | grep -q "$OMNI_VERSION"; then
	echo "installing frame-omni-bencher $OMNI_VERSION (once; over an hour on 2 cores: it compiles RocksDB and binaryen)"
	# It builds RocksDB (sc-cli's default features), whose bindings need libclang.
	if ! ls /usr/lib/llvm-*/lib/libclang.so >/dev/null 2>&1; then
		SUDO=""
		[ "$(id -u)" != 0 ] && SUDO=sudo
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libclang-dev >/dev/null
	fi
	CARGO_TARGET_DIR="$HOME/.cache/synod/target-omni" \
		cargo install frame-omni-bencher --version "$OMNI_VERSION" --locked --root "$TOOLS"
fi

# Exactly test.sh's benchmark pass (`cargo test`, same selection and features, so dev-dependency
# features unify the same way and every native artifact is shared), minus SKIP_WASM_BUILD: the
# runtime's build script then builds the wasm with both features (try-runtime is inert while
# benchmarking).
cargo test --release --no-run --locked --workspace --exclude synod-node --exclude synod-worker \
	--features runtime-benchmarks,try-runtime
# Keep a copy: the next plain build of the chain overwrites wbuild/ with the production wasm.
WASM="$HOME/.cache/synod/bench-wasm/synod_runtime.compact.wasm"
mkdir -p "$(dirname "$WASM")"
cp "$CARGO_TARGET_DIR/release/wbuild/synod-runtime/synod_runtime.compact.wasm" "$WASM"
grep -q Benchmark_dispatch_benchmark "$WASM" || { echo "the wasm lacks the benchmark API" >&2; exit 1; }

declare -A DIRS=([pallet_models]=pallets/models [pallet_providers]=pallets/providers)
[[ -d pallets/jobs ]] && DIRS[pallet_jobs]=pallets/jobs
PALLETS=("$@")
[[ ${#PALLETS[@]} -eq 0 ]] && PALLETS=("${!DIRS[@]}")

HEADER=$(mktemp)
trap 'rm -f "$HEADER"' EXIT
printf '%s\n' "// This file is part of Synod." "// SPDX-License-Identifier: Apache-2.0" "" > "$HEADER"

for pallet in "${PALLETS[@]}"; do
	dir=${DIRS[$pallet]:?unknown pallet $pallet}
	echo "=== $pallet -> $dir/src/weights.rs"
	"$OMNI" v1 benchmark pallet \
		--runtime "$WASM" \
		--genesis-builder-preset benchmark \
		--pallet "$pallet" --extrinsic '*' \
		--steps "${STEPS:-50}" --repeat "${REPEAT:-20}" \
		--heap-pages 4096 \
		--template scripts/templates/pallet-weights.hbs \
		--header "$HEADER" \
		--output "$dir/src/weights.rs"
done
cargo fmt --all
