# shellcheck shell=bash
# Sourced by the benchmarks that need MCP servers: the test dependencies, hyperfine, a release
# build, and a scratch dir removed on exit. Sets repo, cache, bin and work.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 3
cache=${MCPCTL_TEST_CACHE:-$repo/.cache/test-deps}
export MCPCTL_TEST_CACHE=$cache
scripts/install-test-deps.sh
# shellcheck source=/dev/null
. "$cache/env.sh"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release --locked --quiet
export bin=$repo/target/release/mcpctl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
