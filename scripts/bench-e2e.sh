#!/usr/bin/env bash
# End-to-end figures of docs/performance.md: latency from submission to JobSettled (MLP, CNN,
# MiniLM; k = 3) and sustained jobs per minute over DURATION seconds (default 600) with the
# node's RSS and CPU, on the dev network of scripts/dev.sh (one node whose off-chain workers hold
# three provider keys, one synod-worker).
#
#   scripts/bench-e2e.sh            writes docs/results/bench-e2e.json
#   env: LATENCY_JOBS (5), DURATION (600), INFLIGHT (12 jobs kept open), CONCURRENCY (16 per provider),
#        COHORT (1: single jobs; M > 1: the sustained load goes as cohorts of M),
#        AUDITED_JOBS (0: audited jobs in turn on the MLP, latency apart for audited and not), OUT (the JSON file)
#   LATENCY_JOBS=0 AUDITED_JOBS=12 DURATION=0 OUT=docs/results/bench-e2e-audited.json scripts/bench-e2e.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$SYNOD_ROOT/scripts/lib.sh"
trap synod_cleanup EXIT INT TERM

"$SYNOD_ROOT/scripts/setup.sh"
synod_build_node
synod_build_worker
export RPC_PORT=19644 P2P_PORT=19633 PROM_PORT=19615 WORKER_PORT=19600 MODELS_PORT=19680
dir="$SYNOD_CACHE/bench-e2e"
rm -rf "$dir"
synod_start_devnet "$dir"
node_pid=${SYNOD_PIDS[-1]}
manifests="$SYNOD_ROOT/worker/tests/fixtures/mlp.json,$SYNOD_ROOT/worker/tests/fixtures/cnn.json"
[ -f "$SYNOD_MODELS/minilm.json" ] && manifests="$manifests,$SYNOD_MODELS/minilm.json"
mkdir -p "$SYNOD_ROOT/docs/results"
node "$SYNOD_ROOT/client/bench-e2e.mjs" --url "ws://127.0.0.1:$RPC_PORT" \
	--worker "http://127.0.0.1:$WORKER_PORT" --source-base "http://127.0.0.1:$MODELS_PORT/" \
	--manifests "$manifests" --latency-jobs "${LATENCY_JOBS:-5}" --audited-jobs "${AUDITED_JOBS:-0}" --duration "${DURATION:-600}" \
	--inflight "${INFLIGHT:-12}" --concurrency "${CONCURRENCY:-16}" --cohort "${COHORT:-1}" \
	--node-pid "$node_pid" | tee "${OUT:-$SYNOD_ROOT/docs/results/bench-e2e.json}"
