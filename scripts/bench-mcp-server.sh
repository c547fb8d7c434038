#!/usr/bin/env bash
# mcp-server benchmarks (issue 16's figures), with the release build over stdio and raw JSON-RPC
# (no client SDK in the timings; the client reads buffered, since an unbuffered readline costs a
# syscall per byte):
#   - spawn to `initialize` answered (median of 20 spawns; target 20 ms);
#   - `tools/list` in a live session (median of 200; target 2 ms);
#   - a `health_check` tool call over 20 real servers against `mcpctl health-check` on the same
#     set (median of 5 each, interleaved; target within 5 %);
#   - mcpctl's RSS while serving: after initialize, and its peak over the health_check calls
#     (target 30 MB).
# Needs what scripts/install-test-deps.sh installs.
set -euo pipefail

# shellcheck source=scripts/bench-setup.sh
. "$(dirname "$0")/bench-setup.sh"
n=${BENCH_SERVERS:-20}

# 20 real servers: server-memory and server-everything, half each, each memory with its own file.
{
  for i in $(seq 1 "$n"); do
    if [ $((i % 2)) -eq 0 ]; then
      printf '[servers.memory%02d]\ncommand = "%s"\nargs = ["%s"]\nenv = { MEMORY_FILE_PATH = "%s/mem%02d.json" }\n' \
        "$i" "$MCPCTL_TEST_NODE" "$MCPCTL_TEST_MEMORY_JS" "$work" "$i"
    else
      printf '[servers.everything%02d]\ncommand = "%s"\nargs = ["%s", "stdio"]\n' \
        "$i" "$MCPCTL_TEST_NODE" "$MCPCTL_TEST_EVERYTHING_JS"
    fi
  done
} > "$work/many.toml"
: > "$work/empty.toml"

cat > "$work/drive.py" <<'PY'
import json, statistics, subprocess, sys, time

bin, work, n = sys.argv[1], sys.argv[2], sys.argv[3]
INIT = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}


def spawn(config):
    return subprocess.Popen(
        [bin, "-c", config, "--state-dir", f"{work}/state", "mcp-server"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def rpc(p, rid, method, params=None):
    msg = {"jsonrpc": "2.0", "id": rid, "method": method}
    if params is not None:
        msg["params"] = params
    p.stdin.write((json.dumps(msg) + "\n").encode())
    p.stdin.flush()
    while True:
        answer = json.loads(p.stdout.readline())
        if answer.get("id") == rid:
            return answer


def hello(p):
    rpc(p, 0, "initialize", INIT)
    p.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    p.stdin.flush()


def close(p):
    p.stdin.close()
    p.wait(timeout=30)


def kib(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key):
            return int(line.split()[1])
    return 0


def ms(t0):
    return (time.perf_counter() - t0) * 1000


spawns, lists = [], []
for i in range(20):
    t0 = time.perf_counter()
    p = spawn(f"{work}/empty.toml")
    hello(p)
    spawns.append(ms(t0))
    for j in range(10):
        t0 = time.perf_counter()
        tools = rpc(p, j + 1, "tools/list", {})
        lists.append(ms(t0))
    close(p)
assert len(tools["result"]["tools"]) == 14
print(f"spawn to initialize answered: median {statistics.median(spawns):.1f} ms (min {min(spawns):.1f}, max {max(spawns):.1f}, 20 spawns)")
print(f"tools/list: median {statistics.median(lists):.2f} ms (p95 {sorted(lists)[int(len(lists) * 0.95)]:.2f}, {len(lists)} calls)")

p = spawn(f"{work}/many.toml")
hello(p)
idle = kib(p.pid, "VmRSS")
tool, cli = [], []
for k in range(5):
    t0 = time.perf_counter()
    r = rpc(p, 100 + k, "tools/call", {"name": "health_check", "arguments": {}})
    tool.append(ms(t0))
    healthy = sum(s["status"] == "healthy" for s in r["result"]["structuredContent"]["servers"])
    assert healthy == int(n), r["result"]["content"]
    t0 = time.perf_counter()
    subprocess.run([bin, "-c", f"{work}/many.toml", "--state-dir", f"{work}/state-cli", "health-check", "-q"], check=True)
    cli.append(ms(t0))
peak = kib(p.pid, "VmHWM")
rss = kib(p.pid, "VmRSS")
close(p)
mt, mc = statistics.median(tool), statistics.median(cli)
print(f"health_check tool, {n} servers: median {mt:.0f} ms; mcpctl health-check: median {mc:.0f} ms; difference {100 * (mt - mc) / mc:+.1f} %")
print(f"RSS while serving: {idle / 1024:.1f} MB after initialize, {rss / 1024:.1f} MB after the calls, peak {peak / 1024:.1f} MB")
PY

echo "== mcpctl mcp-server (release, stdio, raw JSON-RPC)"
"$MCPCTL_TEST_PYTHON" "$work/drive.py" "$bin" "$work" "$n"
