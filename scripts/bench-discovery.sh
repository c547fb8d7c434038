#!/usr/bin/env bash
# Discovery benchmark (issue 18): a zero-config `health-check --list` with the real file of every
# MCP client present (tests/fixtures/client-configs, each at its client's Linux or macOS place
# under a temp HOME and project), timed by hyperfine. Fails when the mean is over
# BENCH_DISCOVERY_MAX_MS (default 15).
set -euo pipefail

# shellcheck source=scripts/bench-base.sh
. "$(dirname "$0")/bench-base.sh"
max_ms=${BENCH_DISCOVERY_MAX_MS:-15}
fixtures=$repo/tests/fixtures/client-configs

mkdir -p "$work/home" "$work/project" "$work/state"
clients=0
while IFS=$'\t' read -r file client place _; do
  case $file in '#'* | file) continue ;; esac
  mkdir -p "$(dirname "$work/$place")"
  cp "$fixtures/$file" "$work/$place"
  chmod 600 "$work/$place"
  clients=$((clients + 1))
  echo "$client" >>"$work/clients"
done <"$fixtures/SOURCES.tsv"

# Nothing from this machine: only the temp HOME, no client variables, no mcpctl config.
run_env=(env -i "PATH=$PATH" "HOME=$work/home" "XDG_STATE_HOME=$work/state")
cd "$work/project"
servers=$("${run_env[@]}" "$bin" health-check --list --json | grep -c '"transport"')
echo "== $clients files of $(sort -u "$work/clients" | wc -l) clients, $servers servers listed"

hyperfine --warmup 20 --runs 300 -N --export-json "$work/bench.json" \
  -n "health-check --list" "${run_env[*]} $bin health-check --list"
mean_ms=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % (r["mean"] * 1000))' "$work/bench.json")
echo "== mean $mean_ms ms (limit $max_ms ms)"
python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' "$mean_ms" "$max_ms" ||
  { echo "bench-discovery: over the limit" >&2; exit 1; }
