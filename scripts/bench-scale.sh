#!/usr/bin/env bash
# Scale benchmark (issue 11 figures): 500 Streamable HTTP servers on one loopback stand-in in one
# health-check. Reports mcpctl's own CPU time and peak RSS (the stand-in's are not counted), and
# the same for 50 servers, so the per-server cost can be read off.
set -euo pipefail

# shellcheck source=scripts/bench-base.sh
. "$(dirname "$0")/bench-base.sh"

python3 "$repo/tests/servers/hostile_http.py" ok > "$work/port" &
stub=$!
trap 'kill $stub 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(head -1 "$work/port")

for n in 50 500; do
  {
    echo '[defaults]'
    echo 'timeout = "30s"'
    echo '[health_check]'
    echo 'deadline = "5m"'
    for i in $(seq 1 "$n"); do
      printf '[servers.h%03d]\nurl = "http://127.0.0.1:%s/mcp/%d"\nheaders = { Authorization = "Bearer token-%d" }\n' \
        "$i" "$port" "$i" "$i"
    done
  } > "$work/h$n.toml"
  for run in 1 2 3; do
    /usr/bin/time -f "%U %S %M %e" -o "$work/time" \
      "$bin" --config "$work/h$n.toml" --state-dir "$work/state" health-check --json > "$work/out.json" || true
    read -r user sys rss wall < "$work/time"
    healthy=$(jq '[.servers[] | select(.status == "healthy")] | length' "$work/out.json")
    awk -v n="$n" -v u="$user" -v s="$sys" -v r="$rss" -v w="$wall" -v h="$healthy" -v run="$run" \
      'BEGIN { printf "%d servers (run %d): %d healthy, mcpctl CPU %.2f s (%.2f ms/server), peak RSS %.1f MB, wall %.2f s\n",
               n, run, h, u + s, (u + s) * 1000 / n, r / 1024, w }'
  done
done
