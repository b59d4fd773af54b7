#!/usr/bin/env bash
# Installs the browser-test driver (playwright-core, pinned by package-lock.json).
# Chromium itself comes from Debian's `chromium` package (scripts/install-deps.sh):
# playwright never downloads a browser here.
set -euo pipefail
cd "$(dirname "$0")"
if [ -d node_modules/playwright-core ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  exit 0
fi
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent
