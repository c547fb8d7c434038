# shellcheck shell=bash
# Sourced by every benchmark: the repo root, a release build, a scratch dir removed on exit, and
# `need TOOL PACKAGE` to install a Debian package when its tool is missing. Sets repo, bin, work.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 3
need() {
  command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }
}
need hyperfine hyperfine
cargo build --release --locked --quiet
export bin=$repo/target/release/mcpctl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
