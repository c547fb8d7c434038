#!/usr/bin/env bash
# Installs what the test suite needs into a cache dir, and writes $cache/env.sh with the paths the
# tests read. Idempotent: a warm run only checks. Fails loudly when something cannot be installed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${MCPCTL_TEST_CACHE:-$repo/.cache/test-deps}
mkdir -p "$cache"

EVERYTHING_VERSION=2026.8.31
MEMORY_VERSION=2026.8.31
INSPECTOR_VERSION=2.12.0
TIME_VERSION=2026.10.19
MCP_VERSION=2.3.0

die() { echo "install-test-deps: $*" >&2; exit 1; }

need() { command -v "$1" >/dev/null || die "$1 is required: $2"; }
need node "install Node.js 18+ (Debian: apt-get install nodejs npm)"
need npm "install npm"
need python3 "install Python 3.10+"

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "Debian packages missing (${missing[*]}); run: sudo apt-get install -y ${missing[*]}"
  apt-get update -qq >/dev/null || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >"$cache/apt.log" 2>&1 || die "apt-get install ${missing[*]} failed; see $cache/apt.log"
}
# age: backup interop tests; util-linux: flock(1) for the lock tests; podman with runc: a real
# container engine serving the Docker API (crun cannot set rlimits in this sandbox); chromium:
# renders the HTML report in a test; prometheus: promtool checks the textfile, the alert rules and
# their unit tests; faketime: a backup made "three days ago" for the stale-backup alert;
# python3-pytest: the real failing test a `fix --propose` test repairs.
apt_install age util-linux podman runc busybox-static shellcheck systemd chromium prometheus faketime python3-pytest
[ -x /usr/bin/pytest-3 ] || die "pytest-3 not found after installing Debian's python3-pytest"
command -v promtool >/dev/null || die "promtool not found after installing Debian's prometheus"
command -v faketime >/dev/null || die "faketime not found after installing Debian's faketime"

cat > "$cache/containers.conf.tmp" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024","nproc=4096:4096"]
[engine]
runtime = "runc"
CONF
mv "$cache/containers.conf.tmp" "$cache/containers.conf"
export CONTAINERS_CONF=$cache/containers.conf
# No registry is reachable: the test image is busybox from Debian, imported as a rootfs.
if ! podman image exists localhost/mcpctl-test-busy 2>/dev/null; then
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin"
  cp /bin/busybox "$rootfs/bin/"
  for applet in sh sleep httpd nc; do ln -s busybox "$rootfs/bin/$applet"; done
  tar -C "$rootfs" -c . | podman import - localhost/mcpctl-test-busy >"$cache/podman-import.log" 2>&1 || die "podman import of the test image failed; see $cache/podman-import.log"
  rm -rf "$rootfs"
fi

npm_dir=$cache/npm
stamp=$npm_dir/.installed-$EVERYTHING_VERSION-$MEMORY_VERSION-$INSPECTOR_VERSION
if [ ! -f "$stamp" ]; then
  mkdir -p "$npm_dir"
  npm install --silent --no-fund --no-audit --no-save --prefix "$npm_dir" \
    "@modelcontextprotocol/server-everything@$EVERYTHING_VERSION" \
    "@modelcontextprotocol/server-memory@$MEMORY_VERSION" \
    "@modelcontextprotocol/inspector@$INSPECTOR_VERSION" >/dev/null 2>&1 \
    || die "npm install of the MCP servers and the Inspector failed (is the npm registry reachable?)"
  touch "$stamp"
fi
everything_js=$npm_dir/node_modules/@modelcontextprotocol/server-everything/dist/index.js
memory_js=$npm_dir/node_modules/@modelcontextprotocol/server-memory/dist/index.js
[ -f "$everything_js" ] || die "server-everything entry point not found at $everything_js"
[ -f "$memory_js" ] || die "server-memory entry point not found at $memory_js"
# The MCP Inspector's CLI, which the mcp-server tests drive mcpctl with (never fetched at test time).
inspector=$npm_dir/node_modules/.bin/mcp-inspector
[ -x "$inspector" ] || die "the MCP Inspector CLI not found at $inspector"

venv=$cache/venv
stamp=$venv/.installed-$TIME_VERSION-$MCP_VERSION
if [ ! -f "$stamp" ]; then
  python3 -m venv "$venv" || die "python3 -m venv failed"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "mcp-server-time==$TIME_VERSION" "mcp==$MCP_VERSION" >/dev/null \
    || die "pip install of mcp-server-time failed (is PyPI reachable?)"
  touch "$stamp"
fi
[ -x "$venv/bin/mcp-server-time" ] || die "mcp-server-time not found in $venv"

cat > "$cache/env.sh.tmp" <<ENV
export MCPCTL_TEST_NODE='$(command -v node)'
export MCPCTL_TEST_EVERYTHING_JS='$everything_js'
export MCPCTL_TEST_MEMORY_JS='$memory_js'
export MCPCTL_TEST_TIME_BIN='$venv/bin/mcp-server-time'
export MCPCTL_TEST_PYTHON='$venv/bin/python'
export MCPCTL_TEST_INSPECTOR='$inspector'
export CONTAINERS_CONF='$cache/containers.conf'
export MCPCTL_TEST_IMAGE='localhost/mcpctl-test-busy'
export MCPCTL_TEST_PYTEST='/usr/bin/pytest-3'
ENV
mv "$cache/env.sh.tmp" "$cache/env.sh"
echo "test dependencies ready in $cache"
