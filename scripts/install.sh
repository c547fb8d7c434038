#!/usr/bin/env bash
# Installs mcpctl for one user without a package manager: the binary, the bash/zsh/fish
# completions and the man pages under a prefix, and with --schedule the jobs that run it: user
# timers from scripts/systemd/ on Linux, LaunchAgents from scripts/launchd/ on macOS.
#
# Usage: scripts/install.sh [--prefix DIR] [--dry-run] [--schedule]
#   --prefix DIR  install under DIR (default: $HOME/.local)
#   --dry-run     print the commands instead of running them
#   --schedule    Linux: copy scripts/systemd/* into ~/.config/systemd/user/ (also --systemd);
#                 macOS: the pre-analysis hook, and scripts/launchd/*.plist into
#                 ~/Library/LaunchAgents/, loaded with `launchctl bootstrap gui/$UID`
# MCPCTL_BIN=path installs that binary; otherwise target/release/mcpctl, built if missing.
# MCPCTL_INSTALL_OS=Linux|Darwin stands for `uname -s` (the tests use it).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
prefix=$HOME/.local
dry_run=false
schedule=false
systemd_flag=false
os=${MCPCTL_INSTALL_OS:-$(uname -s)}

usage() { sed -n 's/^# \{0,1\}//; 6,13p' "$0"; }
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
# put MODE SRC DEST: `install -D` is GNU's; this works with macOS's install too.
put() {
  run mkdir -p "$(dirname "$3")"
  run install -m "$1" "$2" "$3"
}

while [ $# -gt 0 ]; do
  case $1 in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --dry-run) dry_run=true; shift ;;
    --schedule) schedule=true; shift ;;
    --systemd) schedule=true; systemd_flag=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
case $os in
  Linux) ;;
  Darwin) ! "$systemd_flag" || die "--systemd is for Linux; on macOS, --schedule installs LaunchAgents" ;;
  *) ! "$schedule" || die "no scheduler support for $os: use cron (scripts/crontab.example)" ;;
esac

bin=${MCPCTL_BIN:-$repo/target/release/mcpctl}
if [ -n "${MCPCTL_BIN:-}" ]; then
  [ -x "$bin" ] || die "MCPCTL_BIN=$bin is not an executable file"
elif [ ! -x "$bin" ]; then
  run cargo build --release --locked --manifest-path "$repo/Cargo.toml"
fi

put 0755 "$bin" "$prefix/bin/mcpctl"
put 0644 "$repo/completions/mcpctl.bash" "$prefix/share/bash-completion/completions/mcpctl"
put 0644 "$repo/completions/_mcpctl" "$prefix/share/zsh/site-functions/_mcpctl"
put 0644 "$repo/completions/mcpctl.fish" "$prefix/share/fish/vendor_completions.d/mcpctl.fish"
for page in "$repo"/man/*.1; do
  put 0644 "$page" "$prefix/share/man/man1/${page##*/}"
done
# The pipeline's hooks and its wrapper, which finds the hooks beside itself.
for hook in peds-pre-analysis.sh peds-post-analysis.sh peds-run.sh; do
  put 0755 "$repo/scripts/$hook" "$prefix/libexec/mcpctl/$hook"
done

"$schedule" || exit 0

if [ "$os" = Linux ]; then
  units=$repo/scripts/systemd
  for unit in "$units"/*.service "$units"/*.timer; do
    put 0644 "$unit" "${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user/${unit##*/}"
  done
  [ "$prefix" = "$HOME/.local" ] ||
    echo "install.sh: the units run %h/.local/bin/mcpctl; edit their ExecStart= for $prefix/bin/mcpctl" >&2
  echo "To start the timers, run:"
  echo "  systemctl --user daemon-reload"
  echo "  systemctl --user enable --now mcpctl-health.timer mcpctl-backup.timer mcpctl-backup-check.timer"
  echo "and for the analysis with the guardian beside it, set its command in mcpctl-analysis.service, then:"
  echo "  systemctl --user enable --now mcpctl-analysis.timer"
  exit 0
fi

# macOS: launchd knows neither ~ nor $HOME in a plist, so the paths are written in.
agents=$HOME/Library/LaunchAgents
logs=$HOME/Library/Logs/mcpctl
hook=$prefix/libexec/mcpctl/peds-pre-analysis.sh
path=$prefix/bin:/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
uid=$(id -u)
run mkdir -p "$logs" "$agents"
# A value as plist text (XML-escaped), then as a sed replacement.
value() {
  printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/[\\|&]/\\&/g'
}
for template in "$repo"/scripts/launchd/*.plist; do
  name=${template##*/}
  label=${name%.plist}
  dest=$agents/$name
  subst=(-e "s|@BIN@|$(value "$prefix/bin/mcpctl")|g" -e "s|@HOOK@|$(value "$hook")|g"
    -e "s|@LOGS@|$(value "$logs")|g" -e "s|@PATH@|$(value "$path")|g")
  if "$dry_run"; then
    printf 'sed'
    printf ' %q' "${subst[@]}" "$template"
    printf ' > %q\n' "$dest"
  else
    sed "${subst[@]}" "$template" >"$dest.tmp"
    chmod 0644 "$dest.tmp"
    mv "$dest.tmp" "$dest"
  fi
  run plutil -lint "$dest"
  # Reloading replaces a job already there; the first time, there is none to boot out.
  if "$dry_run"; then
    printf '%q %q %q || true\n' launchctl bootout "gui/$uid/$label"
  else
    launchctl bootout "gui/$uid/$label" 2>/dev/null || true
  fi
  run launchctl bootstrap "gui/$uid" "$dest"
done
echo "Loaded mcpctl.health-check (hourly), mcpctl.pre-analysis (daily 05:30) and mcpctl.backup-check"
echo "(Sundays 03:30); logs in $logs. See them with: launchctl print gui/$uid/mcpctl.health-check"
