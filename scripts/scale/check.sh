#!/usr/bin/env bash
# Checks that generated servers are real MCP servers: installs the first npm
# and the first PyPI package of GEN/expected.json from the registries named by
# npm_config_registry and PIP_INDEX_URL (as bench_scale.sh sets them) into DIR,
# probes each with `mcp-risk probe` (initialize + tools/list over stdio, in the
# sandbox) and compares the tool names with what gen.py wrote.
#
# Usage: scripts/scale/check.sh BIN GEN DIR
set -euo pipefail
BIN=$1 GEN=$2 DIR=$3
rm -rf "$DIR"; mkdir -p "$DIR"
first() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(next(k for k,v in d.items() if v["registry"]==sys.argv[2]))' "$GEN/expected.json" "$1"; }
compare() { # IDENT PROBE_JSON
  python3 - "$GEN/expected.json" "$1" "$2" <<'PY'
import json, sys
want = json.load(open(sys.argv[1]))[sys.argv[2]]["tools"]
got = json.load(open(sys.argv[3]))
names = [t["name"] for t in got.get("tools", [])]
if got.get("status") != "ok" or sorted(names) != sorted(want):
    sys.exit(f"{sys.argv[2]}: status {got.get('status')}, tools {names}, expected {want}")
print(f"check: {sys.argv[2]} answered tools/list with its {len(names)} tools")
PY
}
npm_id=$(first npm)
npm install --prefix "$DIR/npm" --cache "$DIR/npm-cache" --no-audit --no-fund --loglevel=error \
  "$npm_id@1.0.0" >/dev/null
"$BIN" probe --format json -- node "$DIR/npm/node_modules/$npm_id/index.js" >"$DIR/npm.json" || true
compare "$npm_id" "$DIR/npm.json"
py_id=$(first pypi)
python3 -m venv "$DIR/venv"
"$DIR/venv/bin/pip" install -q --no-cache-dir --only-binary=:all: "$py_id==1.0.0"
"$BIN" probe --format json -- "$DIR/venv/bin/$py_id" >"$DIR/pypi.json" || true
compare "$py_id" "$DIR/pypi.json"
