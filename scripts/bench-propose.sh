#!/usr/bin/env bash
# `fix --propose` benchmark (issue 19): everything but the model's own time on a 10,000-file
# checkout, timed by hyperfine. The proposer is `cat` of a ready diff, so each run reads the
# report, passes the guards, builds the prompt (the log names a file deep in the tree, by a
# runner's absolute path), calls the proposer and validates its answer with `git apply --check`:
# an upper bound of "from the report to the proposer being called". Fails when the mean is over
# BENCH_PROPOSE_MAX_MS (default 200).
set -euo pipefail

# shellcheck source=scripts/bench-base.sh
. "$(dirname "$0")/bench-base.sh"
max_ms=${BENCH_PROPOSE_MAX_MS:-200}
files=${BENCH_PROPOSE_FILES:-10000}

checkout=$work/checkout
python3 - "$checkout" "$files" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "src", f"d{i // 100:03d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"m{i:05d}.py"), "w") as f:
        f.write("".join(f"def f{j}(a, b):\n    return a + b - 1\n\n" for j in range(20)))
PY
git -C "$checkout" init --quiet --initial-branch=main
git -C "$checkout" add --all
git -C "$checkout" -c user.name=bench -c user.email=bench@localhost commit --quiet -m initial
echo "== $(git -C "$checkout" ls-files | wc -l) tracked files"

# One context line on each side: git anchors a hunk with less trailing context at the file's end.
printf '%s\n' '--- a/src/d042/m04242.py' '+++ b/src/d042/m04242.py' '@@ -1,3 +1,3 @@' \
  ' def f0(a, b):' '-    return a + b - 1' '+    return a + b' ' ' >"$work/answer.diff"
cat >"$work/report.json" <<JSON
{"runs": [{"repo": "acme/app", "run_id": 1, "workflow": "CI", "branch": "main",
  "jobs": [{"name": "test", "failing_step": "Run pytest"}],
  "issues": [{"category": "test_failure", "key": "tests/test_m.py::test_f0",
    "line": "FAILED tests/test_m.py::test_f0 - assert 2 == 3",
    "context": ["E   assert 2 == 3", "/home/runner/work/app/app/src/d042/m04242.py:2: AssertionError"],
    "pattern_id": "pytest-failed", "auto_fixable": false, "description": "pytest failed",
    "fingerprint": "be9cbe9cbe9cbe9c", "job": "test"}]}]}
JSON
cat >"$work/mcpctl.toml" <<TOML
state_dir = "$work/state"

[fix]
allowed_repos = ["acme/app"]
checkout = "$checkout"
verify = ["true"]

[fix.proposer]
argv = ["cat", "$work/answer.diff"]
max_calls_per_day = 1000000
TOML

run=("$bin" --config "$work/mcpctl.toml" fix --propose --call --from "$work/report.json" --json)
"${run[@]}" | grep -q '"outcome": "planned"' || { echo "bench-propose: the proposal was not validated" >&2; "${run[@]}" >&2; exit 1; }
hyperfine --warmup 5 --runs 50 -N --export-json "$work/bench.json" -n "fix --propose --call" "${run[*]}"
mean_ms=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % (r["mean"] * 1000))' "$work/bench.json")
echo "== mean $mean_ms ms on $files files (limit $max_ms ms)"
python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' "$mean_ms" "$max_ms" ||
  { echo "bench-propose: over the limit" >&2; exit 1; }
