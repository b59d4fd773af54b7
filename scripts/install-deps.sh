#!/usr/bin/env bash
# Installs what mcp-risk's build, tests and benchmarks need on a fresh machine.
# Idempotent: anything already present is left alone. Run as root (or with sudo).
set -euo pipefail

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(gcc)
command -v unshare >/dev/null 2>&1 || need_apt+=(util-linux)
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
# GNU time measures the binary's own peak RSS in tests/hostile.rs.
[ -x /usr/bin/time ] || need_apt+=(time)
# Headless Chromium drives the page tests (tests/browser).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)

if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "install-deps: apt-get install ${need_apt[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# The shared install stores mcp-risk uses when they are on PATH (see
# src/registry/packages): pnpm from npm, uv from PyPI. Pinned; skipped when present.
command -v pnpm >/dev/null 2>&1 || npm install -g --silent --no-audit --no-fund pnpm@12.25.1
if ! command -v uv >/dev/null 2>&1 && [ ! -x "$HOME/.local/bin/uv" ]; then
  python3 -m pip install --quiet --user uv==0.13.9 2>/dev/null \
    || python3 -m pip install --quiet --user --break-system-packages uv==0.13.9
  # mcp-risk finds uv in ~/.local/bin even off PATH.
fi

rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

# The browser-test driver (playwright-core from npm, pinned; it drives Debian's chromium).
bash "$(dirname "$0")/../tests/browser/setup.sh"
