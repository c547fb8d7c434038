#!/usr/bin/env bash
# Benchmarks for the health-check (issue figures): parallelism against this machine's limit,
# the MCP Inspector CLI and `claude mcp list` as peers, startup, and mcpctl's own RSS.
# Needs what scripts/install-test-deps.sh installs, plus hyperfine (installed here if missing).
set -euo pipefail

# shellcheck source=scripts/bench-setup.sh
. "$(dirname "$0")/bench-setup.sh"
peers=$cache/bench-peers
if [ ! -x "$peers/node_modules/.bin/mcp-inspector" ] || [ ! -x "$peers/node_modules/.bin/claude" ]; then
  npm install --silent --no-fund --no-audit --prefix "$peers" @modelcontextprotocol/inspector @anthropic-ai/claude-code >/dev/null
fi
n=${BENCH_SERVERS:-20}

# 20 × server-memory, each with its own memory file.
{
  echo '[defaults]'
  echo 'timeout = "60s"'
  for i in $(seq 1 "$n"); do
    printf '[servers.memory%02d]\ncommand = "%s"\nargs = ["%s"]\nenv = { MEMORY_FILE_PATH = "%s/mem%02d.json" }\n' \
      "$i" "$MCPCTL_TEST_NODE" "$MCPCTL_TEST_MEMORY_JS" "$work" "$i"
  done
} > "$work/many.toml"
printf '[servers.one]\ncommand = "%s"\nargs = ["%s"]\n' "$MCPCTL_TEST_NODE" "$MCPCTL_TEST_MEMORY_JS" > "$work/one.toml"

echo "== parallelism: $n stdio servers against the machine's limit"
python3 - "$bin" "$work" "$n" <<'PY'
import json, os, resource, subprocess, sys, time, statistics
bin, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
cores = os.cpu_count()

def run(cfg):
    """Wall time, children's CPU, and mcpctl's own peak RSS (sampled from /proc)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.Popen([bin, "--config", cfg, "--state-dir", work + "/state", "health-check", "--json"], stdout=subprocess.PIPE)
    peak = 0
    while p.poll() is None:
        try:
            with open(f"/proc/{p.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.005)
    out = p.stdout.read()
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    report = json.loads(out)
    assert report["status"] == "ok", report["summary"]
    return wall, cpu, peak / 1024, report

singles = [run(work + "/one.toml") for _ in range(5)]
single = statistics.median(r[3]["servers"][0]["latency_ms"]["total"] / 1000 for r in singles)
runs = [run(work + "/many.toml") for _ in range(5)]
wall = statistics.median(r[0] for r in runs)
cpu = statistics.median(r[1] for r in runs)
rss = max(r[2] for r in runs)
limit = max(single, cpu / cores)
print(f"single server spawn-to-done: {single:.3f} s (median of 5)")
print(f"{n} servers: wall {wall:.3f} s, children+mcpctl CPU {cpu:.2f} s on {cores} cores")
print(f"limit = max({single:.3f}, {cpu:.2f}/{cores}) = {limit:.3f} s; ratio wall/limit = {wall/limit:.2f} (goal <= 1.3)")
print(f"mcpctl peak RSS while probing {n} servers: {rss:.1f} MB (goal <= 30)")
with open(work + "/mcpctl_wall", "w") as f:
    f.write(str(wall))
PY

echo "== peer: MCP Inspector CLI, one server after another"
insp="$peers/node_modules/.bin/mcp-inspector"
start=$(date +%s.%N)
for i in $(seq 1 "$n"); do
  MEMORY_FILE_PATH="$work/insp$i.json" "$insp" --cli "$MCPCTL_TEST_NODE" "$MCPCTL_TEST_MEMORY_JS" --method tools/list >/dev/null
done
end=$(date +%s.%N)
python3 -c "import sys; i=float(sys.argv[2])-float(sys.argv[1]); m=float(open(sys.argv[3]).read()); print(f'inspector: {i:.2f} s for {sys.argv[4]} servers; mcpctl {m:.2f} s; mcpctl is {i/m:.1f}x faster (goal >= 5x)')" "$start" "$end" "$work/mcpctl_wall" "$n"

echo "== peer: claude mcp list (parallel), same servers, user scope (project scope needs approval)"
mkdir -p "$work/proj"
python3 - "$work" "$n" "$MCPCTL_TEST_NODE" "$MCPCTL_TEST_MEMORY_JS" <<'PY'
import json, sys
work, n, node, js = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
servers = {f"memory{i:02d}": {"type": "stdio", "command": node, "args": [js], "env": {"MEMORY_FILE_PATH": f"{work}/cl{i}.json"}} for i in range(1, n + 1)}
json.dump({"mcpServers": servers}, open(f"{work}/.claude.json", "w"))
PY
chmod 600 "$work/.claude.json"
(cd "$work/proj" && HOME="$work" hyperfine --warmup 1 --runs 5 --export-json "$work/claude.json" \
  "$peers/node_modules/.bin/claude mcp list" \
  "$bin --state-dir $work/state health-check --from $work/.claude.json --no-discover" 2>&1 | grep -E "Time|±|faster|Benchmark")

echo "== startup: mcpctl --version against true"
hyperfine --warmup 20 --runs 300 -N "$bin --version" "true" 2>&1 | grep -E "Time|Benchmark|faster"
