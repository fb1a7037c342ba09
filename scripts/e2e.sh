#!/usr/bin/env bash
# End to end, as a user runs it: scripts/dev.sh builds what is missing, starts the dev network
# (node, synod-worker, model server) and runs the polkadot.js demo (a job, a batch, a cohort and
# an audited job submitted, settled by the off-chain workers, results verified, balances
# checked), then drives the web app in chromium (a job submitted from its form, settled and
# verified on the page). Once it
# follows the node's log, it gets SIGTERM, as a service manager or `kill` would stop it: it must
# exit promptly, and every process it started must be gone.
#
#   scripts/e2e.sh        (scripts/test.sh runs it with its own ports and folder)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# Chromium for the browser test (besides what dev.sh installs).
"$SYNOD_ROOT/scripts/setup.sh" --browser >/dev/null

log="${DEVNET_DIR:-$SYNOD_CACHE/devnet}.e2e.log"
# Then a burst: 500 jobs at once (client/burst.mjs), every one settled (BURST_JOBS=0 skips it).
export BURST_JOBS=${BURST_JOBS:-500}
"$SYNOD_ROOT/scripts/dev.sh" >"$log" 2>&1 &
dev=$!
fail() {
	echo "e2e: $*"
	echo "--- dev.sh output (tail)"
	tail -n 60 "$log"
	kill -TERM "$dev" 2>/dev/null || true
	exit 1
}

deadline=$(($(date +%s) + ${E2E_TIMEOUT:-1800}))
until grep -q '^Ctrl-C stops the network' "$log"; do
	if ! kill -0 "$dev" 2>/dev/null; then
		rc=0
		wait "$dev" || rc=$?
		fail "dev.sh exited ($rc) before the demo finished"
	fi
	[ "$(date +%s)" -lt "$deadline" ] || fail "the demo did not finish in ${E2E_TIMEOUT:-1800} s"
	sleep 1
done
grep -E '^(demo|burst):' "$log"
grep -q '^demo: done' "$log" || fail "the demo did not report done"
[ "$BURST_JOBS" = 0 ] || grep -q '^burst: all ' "$log" || fail "the burst did not settle every job"

# The web app in chromium against the running network (app/test/browser.mjs): an MLP job and
# a MiniLM sentence submitted from its form by a dev account, each followed to its settled
# status, its result verified on the page and its receipt opened; screenshots in $dir/browser.
dir="${DEVNET_DIR:-$SYNOD_CACHE/devnet}"
node "$SYNOD_ROOT/app/test/browser.mjs" --app "http://127.0.0.1:${APP_PORT:-7490}/" \
	--node "ws://127.0.0.1:${RPC_PORT:-9944}" --out "$dir/browser" --text-model all-MiniLM-L6-v2 ||
	fail "the web app's browser test failed"

# Everything dev.sh started: its children (node, worker, model server, the log follower) and
# theirs.
started=$(pgrep -P "$dev" | tr "\n" " " || true)
for p in $started; do started="$started $(pgrep -P "$p" | tr '\n' ' ' || true)"; done
[ -n "${started// /}" ] || fail "dev.sh has no child processes while the network runs"
kill -TERM "$dev"
for _ in $(seq 30); do kill -0 "$dev" 2>/dev/null || break; sleep 1; done
kill -0 "$dev" 2>/dev/null && fail "dev.sh is still running 30 s after SIGTERM"
rc=0
wait "$dev" || rc=$?
left=""
for _ in $(seq 10); do
	left=""
	for p in $started; do
		if kill -0 "$p" 2>/dev/null; then left="$left $p"; fi
	done
	[ -z "$left" ] && break
	sleep 1
done
if [ -n "$left" ]; then
	ps -o pid,ppid,cmd -p "${left# }" || true
	fail "processes dev.sh started are still running after SIGTERM:$left"
fi
echo "e2e: demo done; SIGTERM stopped dev.sh (exit $rc) and all $(echo $started | wc -w) processes it started"
