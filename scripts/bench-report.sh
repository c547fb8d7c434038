#!/usr/bin/env bash
# `report` benchmark (issue figures): one year of hourly health-check reports, 10 servers each
# (8,760 files shaped like real ones), read by `mcpctl report --since 365d` and, side by side, by
# `jq -s` computing only the uptime per server; plus mcpctl's peak RSS at a quarter and the full
# year to show memory stays flat. BENCH_REPORT_HOURS sets the number of files (default 8760).
set -euo pipefail

# shellcheck source=scripts/bench-base.sh
. "$(dirname "$0")/bench-base.sh"
need jq jq
hours=${BENCH_REPORT_HOURS:-8760}

# The fields and sizes of a real report (sources, stderr tails, server info), not a minimal one.
python3 - "$work" "$hours" <<'PY'
import datetime, json, os, random, sys
work, hours = sys.argv[1], int(sys.argv[2])
random.seed(7)
names = ["jira", "github", "slack", "memory", "everything", "time", "postgres", "sentry", "linear", "notion"]
end = datetime.datetime.now(datetime.timezone.utc).replace(minute=5, second=0, microsecond=0)
def server(name, t, i):
    down = (hash((name, i // 24)) % 40 == 0) or random.random() < 0.01
    latency = round(random.lognormvariate(4.5, 0.4), 1)
    return {
        "name": name, "status": "unhealthy" if down else "healthy", "critical": name in ("jira", "github"),
        "transport": "stdio",
        "sources": [{"client": "mcpctl", "path": "/home/me/.config/mcpctl/mcpctl.toml", "name": name}],
        "protocol_version": None if down else "2025-11-25", "era": None if down else "handshake",
        "server_info": None if down else {"name": f"{name}-mcp", "version": "1.4.2"},
        "tools": None if down else 12, "latency_ms": {"total": latency + 3.0} if down else
            {"initialize": latency, "tools_list": 2.1, "ping": 0.4, "total": latency + 3.0},
        "stray_stdout_lines": 0,
        "stderr_tail": ["fatal: 401 Unauthorized from https://example.atlassian.net"] if down else [],
        "exit_status": "exited with code 1" if down else "exited with code 0",
        "warnings": [],
        "error": {"kind": "auth", "message": "initialize: HTTP 401", "hint": "the token is missing, wrong or expired"} if down else None,
    }
out = os.path.join(work, "state", "reports", "health-check")
os.makedirs(out)
for i in range(hours):
    t = end - datetime.timedelta(hours=hours - i)
    servers = [server(n, t, i) for n in names]
    bad = [s for s in servers if s["status"] != "healthy"]
    report = {
        "schema_version": 1, "command": "health-check", "mcpctl_version": "0.1.0", "host": "bench",
        "started_at": t.isoformat().replace("+00:00", "Z"),
        "finished_at": (t + datetime.timedelta(seconds=2)).isoformat().replace("+00:00", "Z"),
        "duration_ms": 2000, "status": "critical" if bad else "ok", "exit_code": 2 if bad else 0,
        "summary": f"10 servers: {10 - len(bad)} healthy", "config": "/home/me/.config/mcpctl/mcpctl.toml",
        "client_capabilities": {}, "deadline_ms": 120000, "servers": servers, "discovery_problems": [],
    }
    with open(os.path.join(out, t.strftime("%Y%m%dT%H%M%S.000Z.json")), "w") as f:
        json.dump(report, f, indent=2)
PY
files=$work/state/reports/health-check
echo "== $(find "$files" -name '*.json' | wc -l) reports, $(du -sm "$files" | cut -f1) MB"
# Healthy or degraded counts as up; jq weights every probe the same (mcpctl weights by time and
# shows gaps as unknown, which is more work).
cat >"$work/uptime.jq" <<'JQ'
[.[] | .servers[] | {name, up: (.status == "healthy" or .status == "degraded")}]
| group_by(.name) | map({name: .[0].name, uptime: (100 * (map(select(.up)) | length) / length)})
JQ
hyperfine --warmup 1 --runs 5 -i \
  "$bin --state-dir $work/state --json report --since 365d >/dev/null" \
  "jq -s -f $work/uptime.jq $files/2*.json >/dev/null" 2>&1 | grep -E "Benchmark|Time|faster|±"
for window in 91d 365d; do
  # Exit 1 or 2 just means the generated history has outages.
  rss=$( (/usr/bin/time -v "$bin" --state-dir "$work/state" --json report --since "$window" >/dev/null) 2>&1 | awk '/Maximum resident/ {print $6}' || true)
  echo "peak RSS for report --since $window: $((rss / 1024)) MB"
done
