#!/usr/bin/env bash
# docs/protocol.md's attack table: simulates 10,000 jobs per row on pallet-jobs' test runtime
# (real models, providers and jobs pallets) with colluding providers holding 10, 20 and 33% of
# the weight, and prints the measured rate of wrong results accepted beside the formula
# (pallets/jobs/examples/attack_simulation.rs).
#
#   scripts/bench-protocol.sh              10,000 jobs per row
#   SYNOD_SIM_JOBS=1000 scripts/bench-protocol.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SYNOD_ROOT"
# The chain's package selection (as test.sh), so nothing is rebuilt for this.
cargo build --release --workspace --exclude synod-worker --examples --locked
"$CARGO_TARGET_DIR/release/examples/attack_simulation" --jobs "${SYNOD_SIM_JOBS:-10000}"
