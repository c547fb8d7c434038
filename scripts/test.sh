#!/usr/bin/env bash
# The one command that runs every test: installs what the tests need (MCP servers from npm and
# PyPI, the age CLI) into a cache, then runs the whole cargo suite against the real binary.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
cache=${MCPCTL_TEST_CACHE:-$repo/.cache/test-deps}
export MCPCTL_TEST_CACHE=$cache

"$repo/scripts/install-test-deps.sh"
# shellcheck source=/dev/null
. "$cache/env.sh"

cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked --all-targets "$@"
