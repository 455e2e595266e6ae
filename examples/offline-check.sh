#!/usr/bin/env bash
# A script's-eye view of notifier, offline: start the simulator, run a prediction
# that succeeds and one that fails, and branch on the exit codes.
#
#   go install ./cmd/notifier && bash examples/offline-check.sh
set -euo pipefail

port="${PORT:-8788}"
workdir="$(mktemp -d)"
trap 'kill "$sim" 2>/dev/null || true; rm -rf "$workdir"' EXIT

# The simulator prints its base URL, token and secret; here we choose the token.
notifier simulator --listen "127.0.0.1:$port" --token demo-token --json >"$workdir/ready.json" &
sim=$!
for _ in $(seq 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	sleep 0.1
done

export REPLICATE_BASE_URL="http://127.0.0.1:$port/v1"
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
[ "$code" -eq 124 ] && echo "ok: timeout canceled the prediction (exit 124)"
