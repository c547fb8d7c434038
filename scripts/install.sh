#!/usr/bin/env bash
# Installs mcpctl for one user without a package manager: the binary, the bash/zsh/fish
# completions and the man pages under a prefix, and with --systemd the user timers that run it.
#
# Usage: scripts/install.sh [--prefix DIR] [--dry-run] [--systemd]
#   --prefix DIR  install under DIR (default: $HOME/.local)
#   --dry-run     print the commands instead of running them
#   --systemd     also copy scripts/systemd/* into ~/.config/systemd/user/
# MCPCTL_BIN=path installs that binary; otherwise target/release/mcpctl, built if missing.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
prefix=$HOME/.local
dry_run=false
systemd=false

usage() { sed -n 's/^# \{0,1\}//; 5,9p' "$0"; }
die() { echo "install.sh: $*" >&2; exit 3; }
run() {
  if "$dry_run"; then
    printf '%q' "$1"
    printf ' %q' "${@:2}"
    printf '\n'
  else
    "$@"
  fi
}

while [ $# -gt 0 ]; do
  case $1 in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --dry-run) dry_run=true; shift ;;
    --systemd) systemd=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

bin=${MCPCTL_BIN:-$repo/target/release/mcpctl}
if [ -n "${MCPCTL_BIN:-}" ]; then
  [ -x "$bin" ] || die "MCPCTL_BIN=$bin is not an executable file"
elif [ ! -x "$bin" ]; then
  run cargo build --release --locked --manifest-path "$repo/Cargo.toml"
fi

run install -D -m 0755 "$bin" "$prefix/bin/mcpctl"
run install -D -m 0644 "$repo/completions/mcpctl.bash" "$prefix/share/bash-completion/completions/mcpctl"
run install -D -m 0644 "$repo/completions/_mcpctl" "$prefix/share/zsh/site-functions/_mcpctl"
run install -D -m 0644 "$repo/completions/mcpctl.fish" "$prefix/share/fish/vendor_completions.d/mcpctl.fish"
run install -D -m 0644 -t "$prefix/share/man/man1" "$repo"/man/*.1

if "$systemd"; then
  units=$repo/scripts/systemd
  run install -D -m 0644 -t "${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user" "$units"/*.service "$units"/*.timer
  [ "$prefix" = "$HOME/.local" ] ||
    echo "install.sh: the units run %h/.local/bin/mcpctl; edit their ExecStart= for $prefix/bin/mcpctl" >&2
  echo "To start the timers, run:"
  echo "  systemctl --user daemon-reload"
  echo "  systemctl --user enable --now mcpctl-health.timer mcpctl-backup.timer mcpctl-backup-check.timer"
fi
