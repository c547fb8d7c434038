#!/usr/bin/env bash
# health-check in depth (issue 17): a 20-server health-check with the drift check and the doctor
# on (the default) against the same run with them off. "Off" is `on_drift = "ignore"` (no tool
# inventory, no baseline) and, with BENCH_BEFORE=/path/to/an/older/mcpctl, also a build from
# before issue 17 (no drift, no doctor, no TLS reading). The doctor only runs once a connection
# has failed, so a healthy run pays nothing for it; the second pair has one server down (a
# closed port) to show what the doctor costs when it does run. Servers: 10 stdio
# (tests/servers/minimal.py) and 10 https (tests/servers/tls_mcp.py, one process, a test CA).
# Target: at most 5 % overhead.
set -euo pipefail

# shellcheck source=scripts/bench-base.sh
. "$(dirname "$0")/bench-base.sh"
command -v openssl >/dev/null || { echo "openssl is required" >&2; exit 3; }

# A CA and a certificate for 127.0.0.1, and one https MCP server serving every path.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=bench CA" \
  -days 30 -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
  -keyout "$work/srv.key" -out "$work/srv.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n' > "$work/srv.ext"
openssl x509 -req -in "$work/srv.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -days 30 -extfile "$work/srv.ext" -out "$work/srv.pem" 2>/dev/null
export SSL_CERT_FILE=$work/ca.pem
python3 tests/servers/tls_mcp.py ok /dev/null "$work/srv.pem" "$work/srv.key" > "$work/port" &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")

servers() {
  for i in $(seq -w 1 10); do
    printf '[servers.stdio%s]\ncommand = "python3"\nargs = ["%s/tests/servers/minimal.py"]\n' "$i" "$repo"
    printf '[servers.https%s]\nurl = "https://127.0.0.1:%s/mcp%s"\n' "$i" "$port" "$i"
  done
}
{ servers; } > "$work/on.toml"
{ printf '[defaults]\non_drift = "ignore"\n'; servers; } > "$work/off.toml"
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
down() { sed "s#https://127.0.0.1:$port/mcp10#http://127.0.0.1:$closed/mcp#" "$1"; }
down "$work/on.toml" > "$work/on-down.toml"
down "$work/off.toml" > "$work/off-down.toml"

runs=${BENCH_RUNS:-20}
# The older build knows no on_drift: it gets the config without it.
before=() before_down=()
if [ -n "${BENCH_BEFORE:-}" ]; then
  before=("$BENCH_BEFORE -c $work/on.toml --state-dir $work/s0 health-check")
  before_down=("$BENCH_BEFORE -c $work/on-down.toml --state-dir $work/s5 health-check")
fi
echo "== 20 healthy servers: drift and doctor off, then on"
hyperfine --warmup 3 --runs "$runs" -N \
  "${before[@]}" \
  "$bin -c $work/off.toml --state-dir $work/s1 health-check" \
  "$bin -c $work/on.toml --state-dir $work/s2 health-check" 2>&1 | grep -E "Benchmark|Time|faster|±"
echo "== 19 healthy and 1 down (closed port): the doctor finds the step"
hyperfine --warmup 3 --runs "$runs" -N -i \
  "${before_down[@]}" \
  "$bin -c $work/off-down.toml --state-dir $work/s3 health-check" \
  "$bin -c $work/on-down.toml --state-dir $work/s4 health-check" 2>&1 | grep -E "Benchmark|Time|faster|±"
