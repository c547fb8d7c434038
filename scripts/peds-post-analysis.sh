#!/usr/bin/env bash
# Post-analysis hook of the daily pipeline: sends the reliability summary of the last 24 hours.
# Versions of mcpctl without `report` exit 3; the summary is then skipped, not a failed pipeline.
#
# Usage: peds-post-analysis.sh [MCPCTL GLOBAL OPTIONS...]   e.g. --config X --state-dir Y
# MCPCTL=path runs that binary instead of `mcpctl` from PATH. Exit: report's own code, 0 for 3.
set -euo pipefail

rc=0
"${MCPCTL:-mcpctl}" "$@" report --since 24h --notify || rc=$?
if [ "$rc" -eq 3 ]; then
  echo "mcpctl report is not available in this version; skipping the summary" >&2
  exit 0
fi
exit "$rc"
