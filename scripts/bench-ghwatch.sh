#!/usr/bin/env bash
# Classifier benchmark (issue figures): a large log made of real excerpts between plenty of
# ordinary runner output, classified by mcpctl and searched by ripgrep for the same regexes
# (`rg -c -f`), side by side; plus mcpctl's peak RSS at two sizes to show it stays flat.
# BENCH_LOG_MB sets the size (default 1024); BENCH_RG_UNICODE=1 also times ripgrep's Unicode
# default, which takes minutes with this many patterns.
set -euo pipefail

# shellcheck source=scripts/bench-base.sh
. "$(dirname "$0")/bench-base.sh"
need rg ripgrep
mb=${BENCH_LOG_MB:-1024}

python3 - "$repo/tests/fixtures/ci-logs" "$work" "$mb" <<'PY'
import glob, os, sys
fixtures, work, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
excerpts = [open(f, encoding="utf-8", errors="replace").read() for f in sorted(glob.glob(fixtures + "/*.log"))]
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
write(work + "/quarter.log", (mb << 20) // 4)
PY
# The shipped primary regexes, one per line, for ripgrep.
python3 - "$repo/patterns" > "$work/regexes.txt" <<'PY'
import glob, re, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.yaml")):
    lines = open(f).read().splitlines()
    inside = False
    for l in lines:
        if re.match(r"^    regex:\s*$", l):
            inside = True
            continue
        if inside and re.match(r"^      - '(.*)'$", l):
            # rg joins the patterns into one regex: names would clash, groups are enough.
            print(re.sub(r"\(\?P<\w+>", "(?:", re.match(r"^      - '(.*)'$", l).group(1).replace("''", "'")))
            continue
        inside = False
PY
# mcpctl matches with ASCII classes; give ripgrep the same with (?-u), and also time its
# Unicode default once (it is far slower with this many patterns).
sed 's/^/(?-u)/' "$work/regexes.txt" > "$work/regexes-ascii.txt"
echo "== $(wc -l < "$work/regexes.txt") regexes, $(du -m "$work/big.log" | cut -f1) MB log"
hyperfine --warmup 1 --runs 3 -N -i \
  "$bin --state-dir $work/state gh-watch -q --log $work/big.log" \
  "rg -c -f $work/regexes-ascii.txt $work/big.log" 2>&1 | grep -E "Benchmark|Time|faster|±"
if [ -n "${BENCH_RG_UNICODE:-}" ]; then
  echo "== ripgrep with its Unicode default, once (cut at 10 minutes)"
  /usr/bin/time -f "rg (Unicode) %e s, %M KB peak" timeout 600 rg -c -f "$work/regexes.txt" "$work/big.log" >/dev/null || true
fi
for f in quarter big; do
  # Exit 1 just means failures were recognised.
  rss=$( (/usr/bin/time -v "$bin" --state-dir "$work/state" gh-watch -q --log "$work/$f.log" >/dev/null) 2>&1 | awk '/Maximum resident/ {print $6}' || true)
  echo "peak RSS on $f.log ($(du -m "$work/$f.log" | cut -f1) MB): $((rss / 1024)) MB"
done
