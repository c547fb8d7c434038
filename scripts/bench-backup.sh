#!/usr/bin/env bash
# Backup benchmarks (issue figures): mcpctl against `tar | age`, `age -d | tar -x` and restic on
# 300 small config files plus three 5 MB files. Installs age, restic and hyperfine if missing.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
for tool in age restic hyperfine; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq age restic hyperfine >/dev/null; break; }
done
cargo build --release --locked --quiet
bin=$repo/target/release/mcpctl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

data=$work/data
mkdir -p "$data/small" "$work/loc" "$work/restic" "$work/out"
python3 - "$data" <<'PY'
import json, os, sys
d = sys.argv[1]
for i in range(100):
    json.dump({"mcpServers": {f"s{i}": {"command": "npx", "args": ["-y", f"pkg-{i}"], "env": {"TOKEN": "x" * 40}}}}, open(f"{d}/small/c{i}.json", "w"))
    open(f"{d}/small/c{i}.toml", "w").write(f'[servers.s{i}]\ncommand = "uvx"\nargs = ["pkg-{i}"]\n')
    open(f"{d}/small/c{i}.env", "w").write(f"TOKEN_{i}={'y' * 40}\nURL=https://example.com/{i}\n")
for i in range(3):
    open(f"{d}/big{i}.bin", "wb").write(os.urandom(5 * 1024 * 1024))
PY
age-keygen -o "$work/key.txt" 2>"$work/pub.txt"
chmod 600 "$work/key.txt"
pub=$(grep -o 'age1[0-9a-z]*' "$work/pub.txt")
cat > "$work/mcpctl.toml" <<TOML
[backup]
recipients = ["$pub"]
identity = "$work/key.txt"
signing_key = "$work/signing.key"
locations = ["$work/loc"]
[backup.retention]
keep_last = 1000
[backup.targets.data]
paths = ["$data"]
TOML
export RESTIC_PASSWORD=bench RESTIC_REPOSITORY=$work/restic
restic init --quiet

# medians FILE NAME...: hyperfine's medians from FILE, each command by its NAME and as a ratio
# of the first's time to its own.
medians() {
  python3 - "$@" <<'PY'
import json, sys
names = sys.argv[2:]
r = [x["median"] for x in json.load(open(sys.argv[1]))["results"]]
print("medians: " + ", ".join(
    f"{n} {t * 1e3:.1f} ms" + ("" if i == 0 else f" ({r[0] / t:.2f}x)")
    for i, (n, t) in enumerate(zip(names, r))))
PY
}

echo "== backup: mcpctl vs tar | age (without and with an fsync of its file) vs restic"
# `sync` before each run: mcpctl's fsync would otherwise also flush the dirty pages the previous
# run (of either command) left, through ext4's ordered-mode journal commit. mcpctl fsyncs the copy
# before it names it (a backup that a crash can leave empty is no backup); `sync FILE` gives the
# pipe the same durability. Medians, since one slow flush moves a mean.
hyperfine --warmup 2 --runs 20 -N --prepare sync --export-json "$work/backup.json" \
  "$bin -c $work/mcpctl.toml --state-dir $work/state backup --force" \
  "sh -c 'tar -C $work -c data | age -r $pub > $work/out/manual.tar.age'" \
  "sh -c 'tar -C $work -c data | age -r $pub > $work/out/manual.tar.age && sync $work/out/manual.tar.age'" \
  "restic backup --quiet $data" 2>&1 | grep -E "Benchmark|Time|±"
medians "$work/backup.json" mcpctl "tar|age" "tar|age + fsync" restic

echo "== restore of one target: mcpctl vs age -d | tar -x"
"$bin" -c "$work/mcpctl.toml" --state-dir "$work/state" backup --force -q
newest=$(find "$work/loc" -name "mcpctl-data-*.tar.age" | sort | tail -1)
# mcpctl fsyncs each restored file before it renames it into place; `sync -f` gives the pipe's
# files the same durability. `sync` before each run, as above.
hyperfine --warmup 2 --runs 20 -N --prepare "sh -c 'rm -rf $work/r1 $work/r2 && sync'" --export-json "$work/restore.json" \
  "$bin -c $work/mcpctl.toml --state-dir $work/state restore data --to $work/r1" \
  "sh -c 'mkdir -p $work/r2 && age -d -i $work/key.txt $newest | tar -x -C $work/r2'" \
  "sh -c 'mkdir -p $work/r2 && age -d -i $work/key.txt $newest | tar -x -C $work/r2 && sync -f $work/r2'" 2>&1 | grep -E "Benchmark|Time|±"
medians "$work/restore.json" mcpctl "age -d | tar -x" "with sync -f"

echo "== backup --check (one stored copy) vs age -d of the same file"
find "$work/loc" -name 'mcpctl-data-*' ! -name "$(basename "$newest")*" -delete
hyperfine --warmup 2 --runs 10 -N \
  "$bin -c $work/mcpctl.toml --state-dir $work/state backup --check" \
  "sh -c 'age -d -i $work/key.txt $newest > /dev/null'" 2>&1 | grep -E "Benchmark|Time|faster|±"
