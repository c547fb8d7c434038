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

# The Docker Engine API, served by podman on a private socket for the container tests.
sock_dir=$(mktemp -d)
podman system service --time=0 "unix://$sock_dir/podman.sock" >"$sock_dir/service.log" 2>&1 &
podman_pid=$!
cleanup() { kill "$podman_pid" 2>/dev/null || true; wait "$podman_pid" 2>/dev/null || true; rm -rf "$sock_dir"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  [ -S "$sock_dir/podman.sock" ] && break
  sleep 0.1
done
[ -S "$sock_dir/podman.sock" ] || { cat "$sock_dir/service.log" >&2; echo "podman system service did not start" >&2; exit 1; }
export MCPCTL_TEST_DOCKER_HOST=unix://$sock_dir/podman.sock

"$repo/scripts/test-scripts.sh"
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked --all-targets "$@"
