#!/usr/bin/env bash
# Recovery benchmarks (issue figures): a no-op `recover --all-failed` on 20 healthy servers
# against a health-check of the same servers, and mcpctl's own overhead for one recovery step
# beyond the probes and the action. Needs what scripts/install-test-deps.sh installs, plus
# hyperfine (installed here if missing).
set -euo pipefail

# shellcheck source=scripts/bench-setup.sh
. "$(dirname "$0")/bench-setup.sh"
n=${BENCH_SERVERS:-20}

# 20 × server-memory, each with its own memory file and a recovery ladder.
{
  for i in $(seq 1 "$n"); do
    printf '[servers.memory%02d]\ncommand = "%s"\nargs = ["%s"]\nenv = { MEMORY_FILE_PATH = "%s/mem%02d.json" }\n' \
      "$i" "$MCPCTL_TEST_NODE" "$MCPCTL_TEST_MEMORY_JS" "$work" "$i"
    printf '[servers.memory%02d.recover]\nsteps = ["command"]\ncommand = ["true"]\n' "$i"
  done
} > "$work/many.toml"

echo "== no-op recover --all-failed vs health-check, $n healthy servers"
hyperfine --warmup 2 --runs 10 -N \
  "$bin -c $work/many.toml --state-dir $work/state health-check" \
  "$bin -c $work/many.toml --state-dir $work/state recover --all-failed" 2>&1 | grep -E "Benchmark|Time|faster|±"

# One server that is down until a file exists; the step creates it.
printf '[servers.s]\ncommand = "python3"\nargs = ["%s/tests/servers/flaky.py"]\nenv = { FLAKY_UP_FILE = "%s/up" }\n[servers.s.recover]\nsteps = ["command"]\ncommand = ["touch", "%s/up"]\nbackoff = { initial = "1ms", max = "1ms" }\n' \
  "$repo" "$work" "$work" > "$work/one.toml"
echo "== one recovery step: recover vs the same probes and action run by hand"
hyperfine --warmup 2 --runs 20 -N -i --prepare "rm -f $work/up" \
  "$bin -c $work/one.toml --state-dir $work/state1 recover s" \
  "sh -c '$bin -c $work/one.toml --state-dir $work/state2 health-check -q; touch $work/up; $bin -c $work/one.toml --state-dir $work/state2 health-check -q'" 2>&1 | grep -E "Benchmark|Time|faster|±"
