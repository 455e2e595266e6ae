#!/usr/bin/env bash
# A script's-eye view of notifier, offline: start the simulator, run a prediction
# that succeeds and one that fails, and branch on the exit codes.
#
#   go install ./cmd/notifier && bash examples/offline-check.sh
#
# The simulator listens on a free port it picks itself; PORT=8788 chooses one.
set -euo pipefail

listen="127.0.0.1:${PORT:-0}"
workdir="$(mktemp -d)"
sim=""
trap 'if [ -n "$sim" ]; then kill "$sim" 2>/dev/null || true; fi; rm -rf "$workdir"' EXIT

# The simulator prints one JSON line once it serves: its base URL (with the port it
# got), its token (here we choose it) and its signing secret. Reading that line from
# our own simulator, rather than probing the port, means a port that something else
# holds is reported as such instead of sending our calls to that other program.
mkfifo "$workdir/ready"
notifier simulator --listen "$listen" --token demo-token --json >"$workdir/ready" &
sim=$!
exec 3<"$workdir/ready"
if ! read -r -t 30 ready <&3; then
	echo "offline-check: the simulator did not start on $listen (see its error above)" >&2
	exit 1
fi
base_url="$(sed -n 's/.*"base_url":"\([^"]*\)".*/\1/p' <<<"$ready")"
echo "simulator: $base_url" >&2

export REPLICATE_BASE_URL="$base_url"
export REPLICATE_API_TOKEN=demo-token

# Success: the output on stdout, progress on stderr, exit 0.
notifier run --tunnel none sleep=0.5 outcome=success --json >"$workdir/ok.json"
grep -q '"status":"succeeded"' "$workdir/ok.json"
echo "ok: succeeded"

# Failure: exit 3, the error on stderr.
code=0
notifier run --tunnel none outcome=error 2>"$workdir/err.txt" || code=$?
if [ "$code" -ne 3 ]; then
	echo "expected exit 3 for a failed prediction, got $code" >&2
	exit 1
fi
grep -q 'failed' "$workdir/err.txt"
echo "ok: failed prediction detected (exit 3)"

# A timeout cancels the prediction: exit 124.
code=0
notifier run --tunnel none sleep=10 --timeout 1s 2>/dev/null || code=$?
if [ "$code" -ne 124 ]; then
	echo "expected exit 124 for a timeout, got $code" >&2
	exit 1
fi
echo "ok: timeout canceled the prediction (exit 124)"
