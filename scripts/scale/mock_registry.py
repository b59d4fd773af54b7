#!/usr/bin/env python3
"""A mock of the official MCP registry API on 127.0.0.1, for the benchmark.

Serves `GET /v0.1/servers?limit=&cursor=` (and /v0/servers) from a
servers.json written by gen.py, paging with `metadata.nextCursor` as the real
API does. Binds port 0 (the OS picks) unless --port is given, and writes the
port to --port-file once listening.

Usage: mock_registry.py SERVERS_JSON [--port P] [--port-file FILE]
"""

import argparse
import json
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("servers")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    a = ap.parse_args()
    with open(a.servers) as f:
        entries = json.load(f)["servers"]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            u = urllib.parse.urlparse(self.path)
            if u.path.rstrip("/") not in ("/v0.1/servers", "/v0/servers"):
                return self.reply(404, {"error": f"no route {u.path}"})
            q = urllib.parse.parse_qs(u.query)
            try:
                limit = max(1, min(int(q.get("limit", ["30"])[0]), 100))
                start = int(q.get("cursor", ["0"])[0] or 0)
            except ValueError:
                return self.reply(400, {"error": "bad limit or cursor"})
            page = entries[start:start + limit]
            meta = {"count": len(page)}
            if start + limit < len(entries):
                meta["nextCursor"] = str(start + limit)
            self.reply(200, {"servers": page, "metadata": meta})

        def reply(self, code, doc):
            body = json.dumps(doc).encode()
            self.send_response(code)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write(str(httpd.server_address[1]))
        import os
        os.replace(a.port_file + ".tmp", a.port_file)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
