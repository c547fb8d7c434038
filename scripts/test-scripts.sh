#!/usr/bin/env bash
# Self-test of the operational scripts, with no cargo and no MCP servers: shellcheck on every
# scripts/*.sh, the pipeline hooks against a stub mcpctl (each exit-code path and the argument
# order), and install.sh (dry run, then a real install into a temp HOME, its systemd units
# checked by `systemd-analyze verify --user`). Exits 1 naming the failed cases.
set -euo pipefail

scripts=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$scripts")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset MCPCTL MCPCTL_BIN XDG_CONFIG_HOME
# The install cases below are Linux's; tests/it/launchd.rs covers macOS.
export MCPCTL_INSTALL_OS=Linux
failed=()

ok() { echo "ok   $1"; }
fail() { echo "FAIL $1: $2"; failed+=("$1"); }
q() { echo "${*@Q}"; }

command -v shellcheck >/dev/null || { echo "shellcheck is required: apt-get install -y shellcheck" >&2; exit 3; }
for f in "$scripts"/*.sh; do
  # -x from the repo root: scripts that source scripts/bench-setup.sh are checked with it.
  if out=$(cd "$repo" && shellcheck -x "$f" 2>&1); then ok "shellcheck ${f##*/}"; else fail "shellcheck ${f##*/}" "findings:"; echo "$out"; fi
done

# The stub mcpctl appends its argv to $STUB_LOG, one run a line, and exits with the code that
# STUB_HEALTH, STUB_BACKUP, STUB_EMERGENCY or STUB_REPORT gives for its subcommand (default 0).
stub=$tmp/stub/mcpctl
log=$tmp/calls
mkdir -p "$tmp/stub"
cat >"$stub" <<'STUB'
#!/usr/bin/env bash
echo "${*@Q}" >>"$STUB_LOG"
# `report --help` lists --since, unless STUB_OLD_REPORT stands for a version without report.
for arg in "$@"; do
  if [ "$arg" = --help ]; then
    [ -n "${STUB_OLD_REPORT:-}" ] || echo "      --since <DURATION>"
    exit 0
  fi
done
for arg in "$@"; do
  case $arg in
    health-check) exit "${STUB_HEALTH:-0}" ;;
    backup) exit "${STUB_BACKUP:-0}" ;;
    emergency) exit "${STUB_EMERGENCY:-0}" ;;
    report) exit "${STUB_REPORT:-0}" ;;
  esac
done
exit 3
STUB
chmod +x "$stub"
globals=(--config "$tmp/my config.toml" --state-dir "$tmp/state")

# hook_case NAME HOOK WANT_EXIT WANT_STDERR_LINES [SUBCOMMAND ARGS...]; STUB_* from the caller.
hook_case() {
  local name=$1 hook=$2 want=$3 lines=$4 got=0 call words
  shift 4
  : >"$log"
  : >"$tmp/want"
  for call in "$@"; do
    read -ra words <<<"$call"
    q "${globals[@]}" "${words[@]}" >>"$tmp/want"
  done
  MCPCTL=${MCPCTL:-$stub} STUB_LOG=$log "$scripts/$hook" "${globals[@]}" >"$tmp/out" 2>"$tmp/err" || got=$?
  if [ "$got" -ne "$want" ]; then
    fail "$name" "exit $got, want $want; stderr: $(cat "$tmp/err")"
  elif ! cmp -s "$log" "$tmp/want"; then
    fail "$name" "calls differ: $(diff "$tmp/want" "$log" | tr '\n' ' ')"
  elif [ "$(wc -l <"$tmp/err")" -ne "$lines" ] || [ -s "$tmp/out" ]; then
    fail "$name" "want $lines stderr lines and no stdout; stderr: $(cat "$tmp/err")"
  else
    ok "$name"
  fi
}

h='health-check --recover --wait-lock 5m'
b='backup --wait-lock 5m'
e='emergency --wait-lock 5m'
pre=peds-pre-analysis.sh
hook_case "pre: healthy" "$pre" 0 0 "$h" "$b"
STUB_HEALTH=1 hook_case "pre: degraded" "$pre" 1 1 "$h" "$b"
STUB_BACKUP=1 hook_case "pre: backup warning alone" "$pre" 1 1 "$h" "$b"
STUB_BACKUP=2 hook_case "pre: backup critical alone" "$pre" 1 1 "$h" "$b"
STUB_HEALTH=1 STUB_BACKUP=2 hook_case "pre: degraded and backup failed" "$pre" 1 2 "$h" "$b"
STUB_HEALTH=2 STUB_EMERGENCY=0 hook_case "pre: critical, critical servers answer" "$pre" 1 1 "$h" "$b" "$e"
STUB_HEALTH=2 STUB_EMERGENCY=1 hook_case "pre: critical, fallback mode" "$pre" 1 1 "$h" "$b" "$e"
STUB_HEALTH=2 STUB_EMERGENCY=2 hook_case "pre: critical, no fallback" "$pre" 2 1 "$h" "$b" "$e"
STUB_HEALTH=2 STUB_EMERGENCY=75 hook_case "pre: critical, emergency locked" "$pre" 2 1 "$h" "$b" "$e"
STUB_HEALTH=2 STUB_BACKUP=1 STUB_EMERGENCY=2 hook_case "pre: critical and backup failed" "$pre" 2 2 "$h" "$b" "$e"
STUB_HEALTH=2 STUB_EMERGENCY=130 hook_case "pre: emergency interrupted" "$pre" 130 1 "$h" "$b" "$e"
STUB_HEALTH=3 hook_case "pre: health-check bad config" "$pre" 3 1 "$h"
STUB_HEALTH=75 hook_case "pre: health-check locked" "$pre" 75 1 "$h"
STUB_HEALTH=130 hook_case "pre: health-check interrupted" "$pre" 130 1 "$h"
STUB_BACKUP=130 hook_case "pre: backup interrupted" "$pre" 130 1 "$h" "$b"
# bash's own "No such file or directory" line, then the hook's.
MCPCTL=$tmp/missing hook_case "pre: binary missing" "$pre" 3 2

r='report --since 24h --notify'
rh='report --help'
post=peds-post-analysis.sh
hook_case "post: ok" "$post" 0 0 "$rh" "$r"
STUB_OLD_REPORT=1 hook_case "post: report not available" "$post" 0 1 "$rh"
if grep -qx 'mcpctl report is not available in this version; skipping the summary' "$tmp/err"; then
  ok "post: says the summary is skipped"
else
  fail "post: says the summary is skipped" "stderr: $(cat "$tmp/err")"
fi
STUB_REPORT=1 hook_case "post: warning passes through" "$post" 1 0 "$rh" "$r"
STUB_REPORT=2 hook_case "post: critical passes through" "$post" 2 0 "$rh" "$r"
STUB_REPORT=3 hook_case "post: bad config passes through" "$post" 3 0 "$rh" "$r"
STUB_REPORT=75 hook_case "post: locked passes through" "$post" 75 0 "$rh" "$r"

# install.sh, with a stub binary so no release build is needed.
bin=$tmp/target/mcpctl
mkdir -p "$tmp/target"
printf '#!/bin/sh\necho stub mcpctl\n' >"$bin"
chmod +x "$bin"

home="$tmp/dry home"
prefix="$tmp/dry prefix"
if ! out=$(HOME=$home MCPCTL_BIN=$bin "$scripts/install.sh" --dry-run --prefix "$prefix" --systemd 2>&1); then
  fail "install: dry run" "exit non-zero: $out"
elif [ -e "$prefix" ] || [ -e "$home" ]; then
  fail "install: dry run" "it wrote files"
else
  missing=
  for dest in bin/mcpctl share/bash-completion/completions/mcpctl share/zsh/site-functions/_mcpctl \
    share/fish/vendor_completions.d/mcpctl.fish share/man/man1; do
    grep -qF -- "$(printf '%q' "$prefix/$dest")" <<<"$out" || missing+=" $dest"
  done
  grep -qF -- "$(printf '%q' "$home/.config/systemd/user")" <<<"$out" || missing+=" systemd/user"
  grep -qF 'systemctl --user enable --now mcpctl-health.timer' <<<"$out" || missing+=" systemctl"
  if [ -n "$missing" ]; then fail "install: dry run" "not mentioned:$missing"; else ok "install: dry run"; fi
fi

home=$tmp/home
if ! out=$(HOME=$home MCPCTL_BIN=$bin "$scripts/install.sh" --systemd 2>&1); then
  fail "install: real, default prefix" "exit non-zero: $out"
else
  problems=
  p=$home/.local
  cmp -s "$bin" "$p/bin/mcpctl" && [ "$(stat -c %a "$p/bin/mcpctl")" = 755 ] || problems+=" bin/mcpctl"
  for pair in mcpctl.bash:bash-completion/completions/mcpctl _mcpctl:zsh/site-functions/_mcpctl \
    mcpctl.fish:fish/vendor_completions.d/mcpctl.fish; do
    dest=$p/share/${pair#*:}
    cmp -s "$repo/completions/${pair%%:*}" "$dest" && [ "$(stat -c %a "$dest")" = 644 ] || problems+=" ${pair#*:}"
  done
  for page in "$repo"/man/*.1; do
    cmp -s "$page" "$p/share/man/man1/${page##*/}" || problems+=" man1/${page##*/}"
  done
  for unit in "$scripts"/systemd/*; do
    cmp -s "$unit" "$home/.config/systemd/user/${unit##*/}" || problems+=" systemd/${unit##*/}"
  done
  grep -q 'edit their ExecStart' <<<"$out" && problems+=" (warned about the default prefix)"
  if [ -n "$problems" ]; then fail "install: real, default prefix" "wrong or missing:$problems"; else ok "install: real, default prefix"; fi
fi

if MCPCTL_BIN=$tmp/missing "$scripts/install.sh" --dry-run >/dev/null 2>&1; then
  fail "install: missing MCPCTL_BIN" "exit 0"
else
  ok "install: missing MCPCTL_BIN"
fi
if MCPCTL_BIN=$bin "$scripts/install.sh" --bogus >/dev/null 2>&1; then
  fail "install: unknown argument" "exit 0"
else
  ok "install: unknown argument"
fi

# The installed units: %h resolves to the temp HOME where the stub binary now is, and their
# Documentation= pages to the ones just installed.
# scripts/install-test-deps.sh installs systemd-analyze; its absence is a failure, not a skip.
mkdir -m 700 "$tmp/run"
if out=$(HOME=$home XDG_RUNTIME_DIR=$tmp/run MANPATH=$home/.local/share/man systemd-analyze verify --user "$home"/.config/systemd/user/* 2>&1) && [ -z "$out" ]; then
  ok "systemd-analyze verify --user"
else
  fail "systemd-analyze verify --user" "$out"
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "${#failed[@]} failed:"
  printf '  %s\n' "${failed[@]}"
  exit 1
fi
echo "all passed"
