#!/usr/bin/env bash
# Guardian-mode benchmarks (issue figures), each against its peer:
#   1. `podman kill` to the restart being issued, event-driven, against the watch's interval
#      (what a cron-driven or interval-only check waits at worst);
#   2. mcpctl's own CPU (children excluded) while watching 10 healthy servers at a 60 s interval,
#      against one core;
#   3. RSS over 1,000 passes at a 1 s interval: pass 1,000 against pass 50.
# BENCH_KILLS (5), BENCH_CPU_SECONDS (300) and BENCH_PASSES (1000) shorten a trial run.
# Needs what scripts/install-test-deps.sh installs (podman and its test image included).
set -euo pipefail

# shellcheck source=scripts/bench-setup.sh
. "$(dirname "$0")/bench-setup.sh"
kills=${BENCH_KILLS:-5}
cpu_seconds=${BENCH_CPU_SECONDS:-300}
passes=${BENCH_PASSES:-1000}
hz=$(getconf CLK_TCK)

# The Docker Engine API on a private socket, as scripts/test.sh serves it.
podman system service --time=0 "unix://$work/podman.sock" >"$work/podman.log" 2>&1 &
podman_pid=$!
cleanup() {
  kill "$podman_pid" "${watch_pid:-}" 2>/dev/null || true
  podman rm -f -t 0 mcpctl-bench-guard >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 100); do [ -S "$work/podman.sock" ] && break; sleep 0.1; done
export DOCKER_HOST=unix://$work/podman.sock

# Own CPU seconds of a process (utime + stime, fields 14 and 15 after the command name).
cpu() { awk -v hz="$hz" '{ sub(/.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
started() { jq -r .started_at "$1/reports/health-check/latest.json" 2>/dev/null || true; }

echo "== 1. podman kill to the restart issued ($kills kills, watch interval 600s)"
podman run -d --name mcpctl-bench-guard "$MCPCTL_TEST_IMAGE" /bin/busybox sleep 3600 >/dev/null
cat >"$work/c.toml" <<TOML
[servers.s]
command = "python3"
args = ["$repo/tests/servers/minimal.py"]
container = "mcpctl-bench-guard"
[servers.s.recover]
steps = ["restart-container"]
stop_timeout = "1s"
settle = "1s"
max_attempts = 100
window = "1h"
TOML
"$bin" -c "$work/c.toml" --state-dir "$work/s1" health-check --watch 600s --recover 2>/dev/null &
watch_pid=$!
until [ -n "$(started "$work/s1")" ]; do sleep 0.1; done
sleep 1
for i in $(seq 1 "$kills"); do
  podman kill mcpctl-bench-guard >/dev/null
  until [ -f "$work/s1/recover/audit.jsonl" ] && [ "$(wc -l <"$work/s1/recover/audit.jsonl")" -ge "$i" ]; do
    sleep 0.05
  done
  died=$(podman inspect -f '{{.State.FinishedAt}}' mcpctl-bench-guard)
  # The audit line is written when the step and its re-probes are done: the restart was issued
  # duration_ms before its time.
  tail -n 1 "$work/s1/recover/audit.jsonl" | python3 -c 'import json, sys
from datetime import datetime, timedelta
def t(s):
    s = s.replace(" +0000 UTC", "+00:00").replace("Z", "+00:00")
    head, _, zone = s.partition("+")
    if "." in head:
        base, frac = head.split(".")
        head = base + "." + frac[:6]
    return datetime.fromisoformat(head + "+" + zone)
line = json.load(sys.stdin)
issued = t(line["time"]) - timedelta(milliseconds=line["duration_ms"])
print(f"{(issued - t(sys.argv[1])).total_seconds() * 1000:.0f}")' "$died" >>"$work/latency"
  until podman inspect -f '{{.State.Status}}' mcpctl-bench-guard | grep -q running; do sleep 0.1; done
  sleep 2
done
kill "$watch_pid"; wait "$watch_pid" 2>/dev/null || true
sort -n "$work/latency" | awk '{ a[NR] = $1 } END {
  printf "  kill to restart issued: median %d ms (min %d, max %d) over %d kills\n", a[int((NR + 1) / 2)], a[1], a[NR], NR
  printf "  peer (interval polling): up to 600000 ms; ratio %.5f\n", a[int((NR + 1) / 2)] / 600000 }'

echo "== 2. own CPU watching 10 healthy servers at 60s, for ${cpu_seconds}s"
for i in $(seq 1 10); do
  printf '[servers.m%02d]\ncommand = "python3"\nargs = ["%s/tests/servers/minimal.py"]\n' "$i" "$repo"
done >"$work/ten.toml"
"$bin" -c "$work/ten.toml" --state-dir "$work/s2" health-check --watch 60s 2>/dev/null &
watch_pid=$!
until [ -n "$(started "$work/s2")" ]; do sleep 0.1; done
c0=$(cpu "$watch_pid"); t0=$(date +%s.%N)
sleep "$cpu_seconds"
c1=$(cpu "$watch_pid"); t1=$(date +%s.%N)
kill "$watch_pid"; wait "$watch_pid" 2>/dev/null || true
awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" 'BEGIN {
  printf "  mcpctl CPU %.3f s over %.0f s wall: %.3f %% of one core (goal <= 1 %%)\n", c1 - c0, t1 - t0, 100 * (c1 - c0) / (t1 - t0) }'

echo "== 3. RSS over $passes passes at 1s (one server)"
printf '[servers.m]\ncommand = "python3"\nargs = ["%s/tests/servers/minimal.py"]\n' "$repo" >"$work/one.toml"
"$bin" -c "$work/one.toml" --state-dir "$work/s3" health-check --watch 1s 2>/dev/null &
watch_pid=$!
n=0; last=""; rss50=""
while [ "$n" -lt "$passes" ]; do
  now=$(started "$work/s3")
  if [ -n "$now" ] && [ "$now" != "$last" ]; then
    n=$((n + 1)); last=$now
    [ "$n" -eq 50 ] && rss50=$(rss_kb "$watch_pid")
  fi
  sleep 0.2
done
rss_end=$(rss_kb "$watch_pid")
kill "$watch_pid"; wait "$watch_pid" 2>/dev/null || true
awk -v a="$rss50" -v b="$rss_end" -v n="$passes" 'BEGIN {
  printf "  RSS at pass 50: %.1f MB, at pass %d: %.1f MB, growth %.2f MB (goal <= 2 MB)\n", a / 1024, n, b / 1024, (b - a) / 1024 }'
