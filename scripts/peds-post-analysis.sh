#!/usr/bin/env bash
# Post-analysis hook of the daily pipeline: sends the reliability summary of the last 24 hours.
# A version of mcpctl without `report` (its help has no --since) skips the summary rather than
# failing the pipeline; with `report`, its exit code passes through (3 is then a real problem,
# such as a bad config or no stored history).
#
# Usage: peds-post-analysis.sh [MCPCTL GLOBAL OPTIONS...]   e.g. --config X --state-dir Y
# MCPCTL=path runs that binary instead of `mcpctl` from PATH. Exit: report's own code.
set -euo pipefail

mcpctl=${MCPCTL:-mcpctl}
help=$("$mcpctl" "$@" report --help 2>/dev/null || true)
case $help in
  *--since*) ;;
  *)
    echo "mcpctl report is not available in this version; skipping the summary" >&2
    exit 0
    ;;
esac
rc=0
"$mcpctl" "$@" report --since 24h --notify || rc=$?
exit "$rc"
