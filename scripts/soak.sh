#!/usr/bin/env bash
# The soak run of pallet-jobs (pallets/jobs/examples/soak.rs): random call sequences with every
# user call and honest, lying, silent and lazy providers on the test runtime, every invariant
# checked after every block. Writes docs/results/soak.json (sequences, blocks, jobs, violations,
# seconds). Not part of every CI run: scripts/test.sh runs the 64-case property test instead.
#
#   scripts/soak.sh                     10,000 sequences
#   SOAK_SEQUENCES=500 scripts/soak.sh
#   SOAK_SEED=7 scripts/soak.sh         another reproducible run
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SYNOD_ROOT"
# The chain's package selection (as test.sh), so nothing is rebuilt for this.
cargo build --release --workspace --exclude synod-worker --examples --locked
"$CARGO_TARGET_DIR/release/examples/soak" --sequences "${SOAK_SEQUENCES:-10000}" \
	--seed "${SOAK_SEED:-1}" --json "$SYNOD_ROOT/docs/results/soak.json"
