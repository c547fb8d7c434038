#!/usr/bin/env bash
# Scores `mcpctl gh-watch --json --log FILE` against the CI-log corpus
# (tests/fixtures/ci-corpus): for each row of the chosen part, the first issue's category and
# key (no issue = `none`) against the label. Prints category accuracy, key accuracy, false
# alarms (a `none` row that got an issue) and a per-category table.
#
#   scripts/score-ci-logs.sh [--part validation|training|all] [--misses] [--reveal]
#                            [--bin PATH] [--patterns-dir DIR]
#
# The split (tests/fixtures/ci-corpus/README.md): a row is in validation when the first 8 hex
# digits of sha256(source_url), as an integer, mod 100 are below 30 (below 40 for a row of a
# collector listed in TOPUP.tsv), unless MOVED.tsv lists its file (then it is training). Default
# part: validation.
#
# --misses lists the rows classified wrongly, by file name, for the training part. For the
# validation part it prints only the figures: listing its misses needs --reveal too, and a row
# looked at that way must then be moved to training (MOVED.tsv: file, reason).
#
# A key is right when the category is and the key equals one of the label's `|`-separated
# alternatives, case-insensitively; a `-` key is right when the category is.
# The binary is target/release/mcpctl unless --bin (or MCPCTL_BIN) says otherwise; build it
# first (cargo build --release). Exit 0 whatever the score; 2 on a usage error.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
part=validation
misses=0
reveal=0
bin=${MCPCTL_BIN:-$repo/target/release/mcpctl}
patterns=()
while [ $# -gt 0 ]; do
  case $1 in
    --part) part=${2:?--part needs validation, training or all}; shift 2 ;;
    --misses) misses=1; shift ;;
    --reveal) reveal=1; shift ;;
    --bin) bin=${2:?--bin needs a path}; shift 2 ;;
    --patterns-dir) patterns+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "score-ci-logs: unknown argument $1" >&2; exit 2 ;;
  esac
done
case $part in validation|training|all) ;; *) echo "score-ci-logs: --part is validation, training or all" >&2; exit 2 ;; esac
if [ ! -x "$bin" ]; then
  echo "score-ci-logs: no binary at $bin; build it first (cargo build --release) or pass --bin" >&2
  exit 2
fi
if [ "$part" != training ] && [ "$misses" = 1 ] && [ "$reveal" = 0 ]; then
  echo "score-ci-logs: validation misses stay hidden; add --reveal, then move each row you look at to MOVED.tsv" >&2
  misses=0
fi

exec python3 - "$repo/tests/fixtures/ci-corpus" "$bin" "$part" "$misses" "${patterns[@]}" <<'PY'
import hashlib, json, os, subprocess, sys, tempfile
from collections import defaultdict

corpus, binary, part, misses = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
pattern_dirs = sys.argv[5:]

moved = set()
moved_path = os.path.join(corpus, "MOVED.tsv")
if os.path.exists(moved_path):
    for line in open(moved_path, encoding="utf-8").read().splitlines()[1:]:
        if line.strip():
            moved.add(line.split("\t")[0])

topup = set()
for line in open(os.path.join(corpus, "TOPUP.tsv"), encoding="utf-8").read().splitlines()[1:]:
    if line.strip():
        topup.add(line.split("\t")[0])

def in_validation(file, url):
    if file in moved:
        return False
    cut = 40 if file.rsplit("-", 2)[-2] in topup else 30
    return int(hashlib.sha256(url.encode()).hexdigest()[:8], 16) % 100 < cut

rows = []
for line in open(os.path.join(corpus, "INDEX.tsv"), encoding="utf-8").read().splitlines()[1:]:
    if not line.strip():
        continue
    file, category, key, ecosystem, url = line.split("\t")[:5]
    v = in_validation(file, url)
    if part == "all" or (part == "validation") == v:
        rows.append((file, category, key, ecosystem))

state = tempfile.mkdtemp(prefix="score-ci-logs-")
env = dict(os.environ, HOME=state, XDG_CONFIG_HOME=os.path.join(state, "config"),
           XDG_STATE_HOME=os.path.join(state, "state"), NO_COLOR="1")

def classify(path):
    argv = [binary, "--state-dir", os.path.join(state, "s"), "gh-watch", "--json"]
    for d in pattern_dirs:
        argv += ["--patterns-dir", d]
    argv += ["--log", path]
    out = subprocess.run(argv, capture_output=True, env=env, check=False)
    if out.returncode not in (0, 1):
        raise SystemExit(f"score-ci-logs: {os.path.basename(path)}: exit {out.returncode}: {out.stderr.decode(errors='replace')}")
    issues = json.loads(out.stdout)["runs"][0]["issues"]
    if not issues:
        return "none", None
    return issues[0]["category"], issues[0].get("key")

def key_right(label, got):
    if label == "-":
        return True
    return got is not None and got.lower() in (k.lower() for k in label.split("|"))

table = defaultdict(lambda: [0, 0, 0])
cat_ok = key_ok = alarms = 0
wrong = []
for file, category, key, ecosystem in rows:
    got_cat, got_key = classify(os.path.join(corpus, "logs", file))
    c = got_cat == category
    k = c and key_right(key, got_key)
    cat_ok += c
    key_ok += k
    if category == "none" and got_cat != "none":
        alarms += 1
    t = table[category]
    t[0] += 1
    t[1] += c
    t[2] += k
    if not k:
        wrong.append(f"{file}: want {category} ({key}), got {got_cat} ({got_key})")

n = len(rows)
pct = lambda a, b: f"{100 * a / b:5.1f} %" if b else "    -"
print(f"part: {part} ({n} rows{', ' + str(len(moved)) + ' moved to training' if moved else ''})")
print(f"category accuracy: {pct(cat_ok, n)} ({cat_ok}/{n})")
print(f"key accuracy:      {pct(key_ok, n)} ({key_ok}/{n})")
print(f"false alarms:      {alarms}")
print()
print(f"{'category':<22} {'rows':>4} {'category':>9} {'key':>9}")
for category in sorted(table):
    rows_, c, k = table[category]
    print(f"{category:<22} {rows_:>4} {c:>4}/{rows_:<4} {k:>4}/{rows_:<4}")
if misses and wrong:
    print()
    print("misses:")
    for w in wrong:
        print("  " + w)
PY
