#!/usr/bin/env bash
# docs/protocol.md's attack table: simulates 10,000 jobs per row on pallet-jobs' test runtime
# (real models, providers and jobs pallets) for each attacker strategy (uniform liars, a sybil
# class, copying newcomers, a grinding author, an index squatter, a griefing payer) at k = 3 and 5 with 10, 20 and 33% of the weight;
# prints the table and writes docs/results/attacks.json (strategy, k, attacker_share, jobs,
# wrong_accepted, bound, honest_slashed per 1,000 jobs, payer_profit, no_decision)
# (pallets/jobs/examples/attack_simulation.rs).
#
# Then the audited jobs' table: per cheat rate (0, 1, 10, 50%), 200 fresh chains on which one
# provider with 20 times the others' bond skips the work on that fraction of its jobs until it
# was primary of 1,000; writes docs/results/audit.json (cheat_rate, jobs, caught_within_1000,
# compute_per_job, wrong_accepted and bound per 10,000 jobs) (examples/audit_simulation.rs).
#
#   scripts/bench-protocol.sh              10,000 jobs per row, 200 trials per audit row
#   SYNOD_SIM_JOBS=1000 SYNOD_SIM_JSON=/tmp/attacks.json SYNOD_SIM_TRIALS=20 \
#     SYNOD_AUDIT_JSON=/tmp/audit.json scripts/bench-protocol.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SYNOD_ROOT"
# The chain's package selection (as test.sh), so nothing is rebuilt for this.
cargo build --release --workspace --exclude synod-worker --examples --locked
"$CARGO_TARGET_DIR/release/examples/attack_simulation" --jobs "${SYNOD_SIM_JOBS:-10000}" \
	--json "${SYNOD_SIM_JSON:-docs/results/attacks.json}"
"$CARGO_TARGET_DIR/release/examples/audit_simulation" --trials "${SYNOD_SIM_TRIALS:-200}" \
	--json "${SYNOD_AUDIT_JSON:-docs/results/audit.json}"
