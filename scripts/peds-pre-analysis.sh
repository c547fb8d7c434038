#!/usr/bin/env bash
# Pre-analysis hook of the daily pipeline: before the analysis reads from the MCP servers, probe
# them and run the recovery ladder, back up their configs, and switch to fallback mode when a
# critical server stays down, so the pipeline knows what it can rely on today.
#
# Usage: peds-pre-analysis.sh [MCPCTL GLOBAL OPTIONS...]   e.g. --config X --state-dir Y
# MCPCTL=path runs that binary instead of `mcpctl` from PATH.
# Exit: 0 healthy; 1 degraded, running in fallback mode, or the backup failed; 2 critical servers
# down with no working fallback; 3, 75 or 130 when the health-check itself could not run.
# Quiet when healthy; one stderr line per problem, saying what to do next.
set -euo pipefail

mcpctl=${MCPCTL:-mcpctl}
warn() { echo "peds-pre-analysis: $*" >&2; }

health=0
"$mcpctl" "$@" health-check --recover --wait-lock 5m || health=$?
case $health in
  0) status=0 ;;
  1) status=1; warn "some MCP servers are degraded; the analysis runs, see: mcpctl health-check" ;;
  2) status=2 ;;
  3) warn "health-check could not run (bad config or usage); fix the config, see: mcpctl health-check"; exit 3 ;;
  75) warn "another mcpctl run held the lock for over 5m; rerun this hook when it has finished"; exit 75 ;;
  130) warn "health-check was interrupted; rerun this hook"; exit 130 ;;
  *) warn "health-check exited $health unexpectedly; is '$mcpctl' the mcpctl binary?"; exit 3 ;;
esac

backup=0
"$mcpctl" "$@" backup --wait-lock 5m || backup=$?
case $backup in
  0) ;;
  130) warn "backup was interrupted; rerun this hook"; exit 130 ;;
  *)
    warn "backup failed (exit $backup); the analysis can go on, then check: mcpctl backup"
    [ "$status" -gt 0 ] || status=1
    ;;
esac

if [ "$health" -eq 2 ]; then
  emergency=0
  "$mcpctl" "$@" emergency --wait-lock 5m || emergency=$?
  case $emergency in
    0) status=1; warn "non-critical MCP servers are down, every critical one answers; see: mcpctl health-check" ;;
    1) status=1; warn "running in fallback mode for critical servers; see: mcpctl emergency --status" ;;
    2) status=2; warn "critical MCP servers are down with no working fallback; fix them first, see: mcpctl health-check" ;;
    130) warn "emergency was interrupted; rerun this hook"; exit 130 ;;
    *) status=2; warn "critical MCP servers are down and emergency failed (exit $emergency); see: mcpctl emergency" ;;
  esac
fi
exit "$status"
