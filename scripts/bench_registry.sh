#!/usr/bin/env bash
# Benchmark: list a 10,000-server mock official registry (100 per page, so
# 100 cursor-linked pages) through the official source, via the hidden
# `mcp-risk registry list` command. Target: at most 5 s.
#
# The mock is a small Python HTTP server on 127.0.0.1 (port chosen by the OS)
# that serves the documented /v0.1/servers list shape; nothing else is contacted.
#
# Usage: scripts/bench_registry.sh [SERVERS] [RUNS]
# Env:   BIN=path/to/mcp-risk (default: a release build, made with cargo)
set -euo pipefail

SERVERS=${1:-10000}
RUNS=${2:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${BIN:-}" ]; then
  # Ask cargo where the binary is (the target directory may be shared or redirected).
  BIN=$(cd "$ROOT" && cargo build --release --bin mcp-risk --message-format=json |
    python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable"):
        print(m["executable"])')
fi

WORK=$(mktemp -d)
trap 'kill $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

cat > "$WORK/mock.py" <<'PY'
import json, sys, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

total, page_size = int(sys.argv[1]), 100

def server(i):
    return {
        "server": {
            "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
            "name": f"io.github.bench/server-{i:05d}",
            "description": f"Benchmark server number {i} with a realistic description.",
            "repository": {"url": f"https://github.com/bench/server-{i}", "source": "github"},
            "version": "1.0.0",
            "packages": [{
                "registryType": "npm", "identifier": f"@bench/server-{i}", "version": "1.0.0",
                "transport": {"type": "stdio"},
                "packageArguments": [{"type": "named", "name": "--mode", "default": "readonly"}],
                "environmentVariables": [{"name": "API_KEY", "isRequired": True, "isSecret": True,
                                          "description": "API key"}],
            }],
            "remotes": [{"type": "streamable-http", "url": "https://{tenant}.bench.example/mcp",
                         "variables": {"tenant": {"default": "demo"}}}],
        },
        "_meta": {"io.modelcontextprotocol.registry/official": {
            "status": "active", "isLatest": True,
            "publishedAt": "2025-09-01T00:00:00Z", "updatedAt": "2025-09-01T00:00:00Z"}},
    }

pages = {}
for start in range(0, total, page_size):
    end = min(start + page_size, total)
    meta = {"count": end - start}
    if end < total:
        meta["nextCursor"] = f"c{end}"
    pages[start] = json.dumps({"servers": [server(i) for i in range(start, end)],
                               "metadata": meta}).encode()

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        start = int(q.get("cursor", ["c0"])[0][1:])
        body = pages.get(start, b'{"servers":[],"metadata":{}}')
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass

srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
srv.serve_forever()
PY

python3 "$WORK/mock.py" "$SERVERS" > "$WORK/port" &
SERVER_PID=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
PORT=$(cat "$WORK/port")
URL="official:http://127.0.0.1:$PORT"

echo "listing $SERVERS servers ($((SERVERS / 100)) pages) from $URL with $BIN"
best=""
for run in $(seq "$RUNS"); do
  start=$(date +%s.%N)
  "$BIN" registry list "$URL" --format json > "$WORK/out.json"
  end=$(date +%s.%N)
  secs=$(python3 -c "print(f'{$end - $start:.3f}')")
  count=$(python3 -c "import json; print(json.load(open('$WORK/out.json'))['count'])")
  echo "run $run: ${secs}s, $count servers"
  [ "$count" = "$SERVERS" ] || { echo "expected $SERVERS servers, got $count" >&2; exit 1; }
  best=$(python3 -c "print(min(float(x) for x in '$best $secs'.split()))")
done
echo "best: ${best}s (target: <= 5 s)"
python3 -c "import sys; sys.exit(0 if $best <= 5 else 1)"
