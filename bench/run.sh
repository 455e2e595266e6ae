#!/usr/bin/env bash
# Load-runs notifier's listener beside a bare Go server and a Node.js
# receiver, in one run on one machine, and prints the table of
# docs/performance.md. Each server is pinned to CPU 0 and the load
# generator (notifier replay) to CPU 1. Every server must count exactly
# the deliveries sent: none lost, none doubled.
#
#   bash bench/run.sh [DELIVERIES] [CONCURRENCY]
#
# With NOTIFIER_BEFORE=/path/to/notifier, a row for that binary too (an
# earlier build, to compare; build it as this script builds notifier).
# With ROUNDS=N, the receivers are load-run N times in turn, so that a
# change in the load of a shared machine shows in every row of a round.
# The last columns compare each receiver with the bare Go server of its
# round.
#
# Then the start-up of `notifier version` beside a hello-world Go binary
# (bench/hello), with hyperfine when it is installed, else a timed loop.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-20000}"
conc="${2:-64}"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export REPLICATE_WEBHOOK_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw

# Built as releases are (.goreleaser.yaml): static, without symbols.
export CGO_ENABLED=0
go build -trimpath -ldflags "-s -w" -o "$work/notifier" ./cmd/notifier
go build -trimpath -ldflags "-s -w" -o "$work/bare" ./bench/bare
go build -trimpath -ldflags "-s -w" -o "$work/hello" ./bench/hello
(cd bench/node && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

waitport() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }
cputicks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rsskb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

# One recorded 2 KiB delivery to replay: a simulated prediction with logs.
"$work/notifier" listen --tunnel none --listen 127.0.0.1:18090 --path /h --record "$work/rec.jsonl" --max-deliveries 1 >/dev/null 2>&1 &
pids+=($!)
waitport 18090
"$work/notifier" trigger --simulate --to http://127.0.0.1:18090/h sleep=0 prompt="$(head -c 1500 /dev/zero | tr '\0' x)" >/dev/null 2>&1
wait "${pids[-1]}"

# run NAME PORT COMMAND...: serve with COMMAND on CPU 0, load it from CPU 1.
run() {
	local name="$1" port="$2"; shift 2
	taskset -c 0 "$@" >"$work/$name.out" 2>"$work/$name.err" &
	local pid=$!
	pids+=("$pid")
	waitport "$port"
	local t0; t0="$(cputicks "$pid")"
	taskset -c 1 "$work/notifier" replay "$work/rec.jsonl" --to "http://127.0.0.1:$port/h" --resign \
		--repeat "$n" --concurrency "$conc" --json >"$work/$name.load" 2>/dev/null || true
	local t1; t1="$(cputicks "$pid")"
	local rss; rss="$(rsskb "$pid")"
	local got
	if [ "$name" = notifier ] || [ "$name" = before ]; then
		kill -INT "$pid"; wait "$pid" || true
		# The NDJSON lines printed: each verified delivery once, none lost.
		got="$(grep -c '"verdict":"verified"' "$work/$name.out") verified"
	else
		got="$(curl -s "http://127.0.0.1:$port/stats" | grep -o '[0-9]* verified')"
		kill "$pid"; wait "$pid" 2>/dev/null || true
	fi
	local rate; rate="$(grep -o '"per_second":[0-9.]*' "$work/$name.load" | cut -d: -f2)"
	local p99; p99="$(grep -o '"p99":[0-9.]*' "$work/$name.load" | cut -d: -f2)"
	local hz; hz="$(getconf CLK_TCK)"
	local cpu_us; cpu_us="$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v n="$n" 'BEGIN { printf "%.0f", (b - a) / hz / n * 1e6 }')"
	if [ "$name" = bare ]; then bare_rate="$rate" bare_cpu="$cpu_us"; fi
	printf '| %s | %.0f | %s | %s | %s MB | %s of %s | %s | %s |\n' "$name" "$rate" "$cpu_us" "$p99" "$((rss / 1024))" "${got%% *}" "$n" \
		"$(awk -v a="$rate" -v b="$bare_rate" 'BEGIN { printf "%.0f%%", 100 * a / b }')" \
		"$(awk -v a="$cpu_us" -v b="$bare_cpu" 'BEGIN { printf "%.2fx", a / b }')"
}

echo "| receiver | verified deliveries/s | CPU µs per delivery | p99 ms | peak RSS | counted | rate vs bare | CPU vs bare |"
echo "|---|---|---|---|---|---|---|---|"
for _ in $(seq "${ROUNDS:-1}"); do
	run bare 18092 "$work/bare" -listen 127.0.0.1:18092 -path /h
	run notifier 18091 "$work/notifier" listen --tunnel none --listen 127.0.0.1:18091 --path /h --json
	run node 18093 node bench/node/server.mjs 127.0.0.1 18093 /h
	if [ -n "${NOTIFIER_BEFORE:-}" ]; then
		run before 18094 "$NOTIFIER_BEFORE" listen --tunnel none --listen 127.0.0.1:18094 --path /h --json
	fi
done

# Start-up: notifier version beside hello world, in the same run.
echo
names=(hello "notifier version")
bins=("$work/hello" "$work/notifier version")
if [ -n "${NOTIFIER_BEFORE:-}" ]; then names+=("before: notifier version"); bins+=("$NOTIFIER_BEFORE version"); fi
if command -v hyperfine >/dev/null; then
	args=()
	for i in "${!bins[@]}"; do args+=(-n "${names[$i]}" "${bins[$i]}"); done
	hyperfine -N --warmup 20 --runs "${RUNS:-300}" --export-markdown "$work/start.md" "${args[@]}" >/dev/null 2>&1
	cat "$work/start.md"
else
	echo "| command | ms per run (${RUNS:-300} runs) |"
	echo "|---|---|"
	for i in "${!bins[@]}"; do
		t0="$(date +%s%N)"
		for _ in $(seq "${RUNS:-300}"); do ${bins[$i]} >/dev/null; done
		echo "| ${names[$i]} | $(awk -v a="$t0" -v b="$(date +%s%N)" -v n="${RUNS:-300}" 'BEGIN { printf "%.1f", (b - a) / n / 1e6 }') |"
	done
fi
