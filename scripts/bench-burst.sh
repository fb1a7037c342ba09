#!/usr/bin/env bash
# A burst on the dev network of scripts/dev.sh: its demo, then BURST_JOBS (default 500) MLP jobs
# submitted at once (client/burst.mjs: submit_batch of 64 from three payers, k = 3), which must
# all settle by their deadline with no escrow left held. Writes BURST_OUT (default
# docs/results/burst.json): submitted, settled, failed, seconds (first submission to last
# settlement), max_queue (the most jobs queued or waiting at a block), node_rss_mib (the node's
# peak), blocks, finalized.
#
#   scripts/bench-burst.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export BURST_JOBS=${BURST_JOBS:-500}
export BURST_OUT=${BURST_OUT:-$SYNOD_ROOT/docs/results/burst.json}
exec "$SYNOD_ROOT/scripts/dev.sh" --exit
