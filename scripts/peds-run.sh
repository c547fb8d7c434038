#!/usr/bin/env bash
# The daily pipeline in one command: the pre-analysis hook, then the analysis with the guardian
# (`health-check --watch --recover --while-pid`) beside it for as long as it runs, then the
# post-analysis hook once the guardian has ended. A server that dies half-way through is seen and
# healed within the watch interval (at once for a container), not at the next cron tick.
#
# Usage: peds-run.sh [MCPCTL GLOBAL OPTIONS...] -- COMMAND [ARGS...]
#   e.g. peds-run.sh --config /etc/mcpctl.toml -- python3 analysis.py
# MCPCTL=path runs that binary instead of `mcpctl` from PATH; PEDS_WATCH_INTERVAL (default 30s)
# sets the guardian's interval. The analysis runs with stdin from /dev/null.
# Exit: the analysis's own exit code (3 for bad usage). The guardian's summary (incidents,
# recoveries, time in fallback mode) and its one line per change go to stderr.
set -uo pipefail

here=$(dirname "$(readlink -f "$0")")
mcpctl=${MCPCTL:-mcpctl}
interval=${PEDS_WATCH_INTERVAL:-30s}
say() { echo "peds-run: $*" >&2; }
usage() { say "usage: peds-run.sh [MCPCTL GLOBAL OPTIONS...] -- COMMAND [ARGS...]"; exit 3; }

opts=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  opts+=("$1")
  shift
done
[ "${1:-}" = "--" ] || usage
shift
[ $# -gt 0 ] || usage

pre=0
MCPCTL=$mcpctl "$here/peds-pre-analysis.sh" "${opts[@]}" || pre=$?
case $pre in
  0 | 1 | 2) ;;
  130) say "interrupted in the pre-analysis hook; the analysis did not run"; exit 130 ;;
  # The hook said why; the guardian may still heal what it could not.
  *) say "the pre-analysis hook exited $pre; running the analysis anyway, with the guardian" ;;
esac

"$@" </dev/null &
analysis=$!
"$mcpctl" "${opts[@]}" health-check --watch "$interval" --recover --while-pid "$analysis" &
guardian=$!
# SIGINT or SIGTERM to the wrapper goes to both; the guardian then ends after its pass in flight.
trap 'kill -TERM "$analysis" "$guardian" 2>/dev/null' INT TERM

rc=0
wait "$analysis" || rc=$?
# A signal interrupts `wait` before the analysis has ended: wait for it again.
while kill -0 "$analysis" 2>/dev/null; do
  wait "$analysis" || rc=$?
done
watched=0
wait "$guardian" || watched=$?
case $watched in
  0) ;;
  1 | 2) say "the guardian saw MCP servers fail during the analysis (worst exit $watched); see: mcpctl report --since 24h" ;;
  3) say "the guardian could not watch (the analysis may have ended before it started, or see its message above)" ;;
  *) say "the guardian ended with exit $watched" ;;
esac

MCPCTL=$mcpctl "$here/peds-post-analysis.sh" "${opts[@]}" || say "the post-analysis hook failed; the analysis's own exit code stands"
exit "$rc"
