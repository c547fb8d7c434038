#!/usr/bin/env bash
# The README's first command: a real health-check on a fresh machine, in one step.
#
#   scripts/quickstart.sh [HEALTH-CHECK OPTIONS]
#
# Builds mcpctl (cargo build --release), installs what the three servers of
# examples/quickstart.toml need into a cache (the npm packages, and uv/uvx through pip into a
# venv when uvx is absent), then runs `mcpctl health-check --format table` against them.
# Install progress goes to stderr; stdout holds only the table. The exit code is the
# health-check's (0 when every server is healthy).
#
# MCPCTL_QUICKSTART_CACHE  the cache [default: .cache/quickstart in the repo]
# MCPCTL_BIN               an mcpctl binary to use instead of building one
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${MCPCTL_QUICKSTART_CACHE:-$repo/.cache/quickstart}

# What examples/quickstart.toml runs, pinned as scripts/install-test-deps.sh pins them.
EVERYTHING_VERSION=2026.8.31
MEMORY_VERSION=2026.8.31
UV_VERSION=0.13.9

say() { echo "quickstart: $*" >&2; }
die() { say "$*"; exit 3; }
need() { command -v "$1" >/dev/null || die "$1 is required: $2"; }

need node "install Node.js 18 or later (Debian: apt-get install nodejs npm)"
need npm "install npm (Debian: apt-get install npm)"
need python3 "install Python 3.10 or later (Debian: apt-get install python3 python3-venv)"
mkdir -p "$cache"

if [ -n "${MCPCTL_BIN:-}" ]; then
  bin=$MCPCTL_BIN
  [ -x "$bin" ] || die "MCPCTL_BIN=$bin is not an executable"
else
  need cargo "install Rust (https://rustup.rs), 1.89 or later"
  say "building mcpctl (cargo build --release; the first build takes minutes)"
  started=$SECONDS
  (cd "$repo" && cargo build --release --locked) >&2
  say "built in $((SECONDS - started)) s"
  bin=$repo/target/release/mcpctl
fi

# npx finds packages installed in the directory it runs in: the health-check runs from there,
# so npx starts the cached servers instead of fetching them.
npm_dir=$cache/npm
stamp=$npm_dir/.installed-$EVERYTHING_VERSION-$MEMORY_VERSION
if [ ! -f "$stamp" ]; then
  say "installing server-everything and server-memory from npm into $npm_dir"
  mkdir -p "$npm_dir"
  npm install --no-fund --no-audit --no-save --loglevel=error --prefix "$npm_dir" \
    "@modelcontextprotocol/server-everything@$EVERYTHING_VERSION" \
    "@modelcontextprotocol/server-memory@$MEMORY_VERSION" >&2 \
    || die "npm install failed (is the npm registry reachable?)"
  touch "$stamp"
fi

# uv's own cache, for the environments uvx makes.
export UV_CACHE_DIR=$cache/uv
if ! command -v uvx >/dev/null; then
  venv=$cache/venv
  if [ ! -x "$venv/bin/uvx" ] || [ ! -f "$venv/.installed-$UV_VERSION" ]; then
    say "uvx not found: installing uv $UV_VERSION with pip into $venv"
    python3 -m venv "$venv" >&2 || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION" >&2 \
      || die "pip install uv failed (is PyPI reachable?)"
    touch "$venv/.installed-$UV_VERSION"
  fi
  export PATH=$venv/bin:$PATH
fi
# The first uvx run downloads mcp-server-time; done here, it is progress, not a slow probe.
say "fetching mcp-server-time with uvx (cached after the first run)"
uvx mcp-server-time --help >/dev/null 2>&1 </dev/null || die "uvx mcp-server-time failed (is PyPI reachable?)"

say "running: mcpctl --config examples/quickstart.toml health-check --format table"
cd "$npm_dir"
exec "$bin" --config "$repo/examples/quickstart.toml" --state-dir "$cache/state" \
  health-check --format table "$@"
