# shellcheck shell=bash
# Sourced by the benchmarks that need MCP servers: bench-base.sh, then the test dependencies.
# Sets repo, cache, bin and work.
# shellcheck source=scripts/bench-base.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-base.sh"
cache=${MCPCTL_TEST_CACHE:-$repo/.cache/test-deps}
export MCPCTL_TEST_CACHE=$cache
scripts/install-test-deps.sh
# shellcheck source=/dev/null
. "$cache/env.sh"
