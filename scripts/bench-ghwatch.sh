#!/usr/bin/env bash
# Classifier benchmark (issue figures): a large log made of real excerpts between plenty of
# ordinary runner output, classified by mcpctl and searched by ripgrep for the same regexes
# (`rg -c -f`), side by side; plus mcpctl's peak RSS at 64 MB and at the full size to show it
# stays flat, and the time of `--check-patterns` over the shipped set.
# BENCH_LOG_MB sets the size (default 1024); BENCH_RG_UNICODE=1 also times ripgrep's Unicode
# default, which takes minutes with this many patterns.
set -euo pipefail

# shellcheck source=scripts/bench-base.sh
. "$(dirname "$0")/bench-base.sh"
need rg ripgrep
mb=${BENCH_LOG_MB:-1024}

# The excerpts: the dev fixtures and the corpus's training part (the validation part is never
# read here either).
python3 - "$repo/tests/fixtures" "$work" "$mb" <<'PY'
import glob, hashlib, os, sys
fixtures, work, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
paths = sorted(glob.glob(fixtures + "/ci-logs/*.log"))
corpus = fixtures + "/ci-corpus"
moved = set()
if os.path.exists(corpus + "/MOVED.tsv"):
    moved = {l.split("\t")[0] for l in open(corpus + "/MOVED.tsv").read().splitlines()[1:] if l.strip()}
topup = {l.split("\t")[0] for l in open(corpus + "/TOPUP.tsv").read().splitlines()[1:] if l.strip()}
for row in open(corpus + "/INDEX.tsv").read().splitlines()[1:]:
    file, url = row.split("\t")[0], row.split("\t")[4]
    cut = 40 if file.rsplit("-", 2)[-2] in topup else 30
    if file in moved or int(hashlib.sha256(url.encode()).hexdigest()[:8], 16) % 100 >= cut:
        paths.append(corpus + "/logs/" + file)
excerpts = [open(f, encoding="utf-8", errors="replace").read() for f in paths]
ordinary = "".join(
    f"2026-11-24T05:26:{i % 60:02d}.{i:07d}Z   Compiling crate-{i} v0.{i % 10}.{i % 7} (/home/runner/.cargo/registry/src/crate-{i})\n"
    f"2026-11-24T05:26:{i % 60:02d}.{i:07d}Z npm http fetch GET 200 https://registry.npmjs.org/pkg-{i} {i % 90}ms (cache hit)\n"
    f"2026-11-24T05:26:{i % 60:02d}.{i:07d}Z test module_{i}::tests::case_{i} ... ok\n"
    for i in range(2000)
)
block = ordinary.encode()
def write(path, size):
    with open(path, "wb") as f:
        written, k = 0, 0
        while written < size:
            chunk = block + excerpts[k % len(excerpts)].encode()
            f.write(chunk)
            written += len(chunk)
            k += 1
write(work + "/big.log", mb << 20)
write(work + "/small.log", 64 << 20)
PY
# The shipped primary regexes, one per line, for ripgrep.
python3 - "$repo/patterns" > "$work/regexes.txt" <<'PY'
import glob, re, sys
import yaml
for f in sorted(glob.glob(sys.argv[1] + "/*.yaml")):
    for p in (yaml.safe_load(open(f)) or {}).get("patterns", []):
        for r in p["regex"]:
            # rg joins the patterns into one regex: names would clash, groups are enough.
            print(re.sub(r"\(\?P<\w+>", "(?:", r))
PY
# mcpctl matches with ASCII classes and on bytes; give ripgrep the same: each regex in (?-u:…),
# its non-ASCII literals as their UTF-8 bytes (ripgrep's Unicode mode cannot use its DFA on
# these regexes and takes minutes per megabyte; BENCH_RG_UNICODE=1 times it once anyway).
python3 - "$work/regexes.txt" > "$work/regexes-ascii.txt" <<'PY'
import sys
for line in open(sys.argv[1], encoding="utf-8").read().splitlines():
    line = "".join(c if ord(c) < 128 else "".join("\\x%02X" % b for b in c.encode()) for c in line)
    print("(?-u:" + line + ")")
PY
echo "== $(wc -l < "$work/regexes.txt") regexes, $(du -m "$work/big.log" | cut -f1) MB log"
hyperfine --warmup 1 --runs 3 -N -i \
  "$bin --state-dir $work/state gh-watch -q --log $work/big.log" \
  "rg -c -f $work/regexes-ascii.txt $work/big.log" 2>&1 | grep -E "Benchmark|Time|faster|±"
if [ -n "${BENCH_RG_UNICODE:-}" ]; then
  echo "== ripgrep with its Unicode default, once (cut at 10 minutes)"
  /usr/bin/time -f "rg (Unicode) %e s, %M KB peak" timeout 600 rg -c -f "$work/regexes.txt" "$work/big.log" >/dev/null || true
fi
for f in small big; do
  # Exit 1 just means failures were recognised.
  rss=$( (/usr/bin/time -v "$bin" --state-dir "$work/state" gh-watch -q --log "$work/$f.log" >/dev/null) 2>&1 | awk '/Maximum resident/ {print $6}' || true)
  echo "peak RSS on $f.log ($(du -m "$work/$f.log" | cut -f1) MB): $((rss / 1024)) MB"
done
echo "== gh-watch --check-patterns over the shipped set"
hyperfine --warmup 1 --runs 5 -N -i "$bin --state-dir $work/state gh-watch -q --check-patterns" 2>&1 | grep -E "Time|±"
