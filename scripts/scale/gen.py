#!/usr/bin/env python3
"""Generates MCP server packages for the registry-scale benchmark.

Writes, under OUT:
  npm/storage/@bench/<slug>-mcp/   a verdaccio storage entry per npm server
                                   (package.json packument + tarball): a real
                                   stdio server on @modelcontextprotocol/sdk
  pypi/<dist>-1.0.0-py3-none-any.whl  a hand-written wheel per PyPI server: a
                                   real stdio server on the `mcp` SDK's FastMCP
  servers.json                     the server.json entries the mock official
                                   registry lists (registry envelope shape)
  expected.json                    each package's tool names (for check.sh)

Each server gets its own tools, drawn with a seeded RNG from a vocabulary of
services, resources and read / write / destructive verbs, with a per-server
naming convention, so the run is deterministic and the classifier does real
work. Only the standard library is used.

Usage: gen.py OUT [--npm N] [--pypi M] [--seed S] [--sdk VER] [--mcp VER]
"""

import argparse
import base64
import hashlib
import io
import json
import os
import random
import tarfile
import zipfile

SCOPE = "@bench"

# service -> (human name, resources)
SERVICES = {
    "github": ("GitHub", ["issue", "pull request", "repository", "branch", "release", "comment"]),
    "jira": ("Jira", ["ticket", "sprint", "board", "epic", "worklog"]),
    "postgres": ("PostgreSQL", ["table", "row", "schema", "index", "query plan"]),
    "mysql": ("MySQL", ["table", "row", "database", "user grant"]),
    "s3": ("Amazon S3", ["bucket", "object", "bucket policy", "lifecycle rule"]),
    "slack": ("Slack", ["message", "channel", "reaction", "user", "reminder"]),
    "gmail": ("Gmail", ["email", "draft", "label", "thread", "filter"]),
    "calendar": ("Google Calendar", ["event", "calendar", "attendee", "reminder"]),
    "notion": ("Notion", ["page", "database", "block", "comment"]),
    "drive": ("Google Drive", ["file", "folder", "permission", "revision"]),
    "k8s": ("Kubernetes", ["pod", "deployment", "namespace", "config map", "secret"]),
    "docker": ("Docker", ["container", "image", "volume", "network"]),
    "stripe": ("Stripe", ["invoice", "customer", "subscription", "refund", "payment intent"]),
    "hubspot": ("HubSpot", ["contact", "deal", "company", "note"]),
    "dns": ("Cloudflare DNS", ["dns record", "zone", "firewall rule"]),
    "linear": ("Linear", ["issue", "project", "cycle", "label"]),
    "redis": ("Redis", ["key", "stream", "hash field"]),
    "elastic": ("Elasticsearch", ["index", "document", "alias", "snapshot"]),
    "sentry": ("Sentry", ["issue", "event", "project", "alert rule"]),
    "fs": ("the local filesystem", ["file", "directory", "symlink"]),
    "shopify": ("Shopify", ["product", "order", "customer", "discount code"]),
    "twilio": ("Twilio", ["sms message", "call", "phone number"]),
    "vercel": ("Vercel", ["deployment", "project", "domain", "environment variable"]),
    "airtable": ("Airtable", ["record", "table", "base", "view"]),
}

ADJ = ["acme", "open", "fast", "tiny", "smart", "simple", "cloud", "local", "super", "easy",
       "hyper", "micro", "quick", "lite", "pro", "plain", "better", "next", "mega", "true"]

# (verb, kind, description templates); {r} resource, {rs} plural, {s} service
VERBS = [
    ("get", "read", ["Get a single {r} by its ID from {s}.", "Retrieve the details of a {r} in {s}."]),
    ("list", "read", ["List {rs} in {s}, with pagination.", "Return all {rs} visible to the token in {s}."]),
    ("search", "read", ["Search {rs} in {s} by keyword.", "Full-text search across {rs} in {s}."]),
    ("read", "read", ["Read the contents of a {r} from {s}."]),
    ("describe", "read", ["Describe a {r}: metadata, status and owner, from {s}."]),
    ("count", "read", ["Count {rs} in {s} that match a filter."]),
    ("export", "read", ["Export {rs} from {s} as CSV (read-only)."]),
    ("create", "write", ["Create a new {r} in {s}.", "Create a {r} in {s} and return its ID."]),
    ("update", "write", ["Update fields of an existing {r} in {s}.", "Modify a {r} in {s}."]),
    ("add", "write", ["Add a {r} to {s}."]),
    ("rename", "write", ["Rename a {r} in {s}."]),
    ("send", "write", ["Send a {r} through {s}."]),
    ("upload", "write", ["Upload a {r} to {s}."]),
    ("set", "write", ["Set properties on a {r} in {s}."]),
    ("archive", "write", ["Archive a {r} in {s} (it can be restored later)."]),
    ("delete", "destructive", ["Delete a {r} from {s}. This cannot be undone.", "Permanently delete a {r} in {s}."]),
    ("remove", "destructive", ["Remove a {r} from {s}."]),
    ("drop", "destructive", ["Drop a {r} in {s} and all of its data."]),
    ("purge", "destructive", ["Purge all {rs} in {s} older than a date."]),
    ("destroy", "destructive", ["Destroy a {r} in {s} irreversibly."]),
    ("revoke", "destructive", ["Revoke a {r} in {s}."]),
]
# Verbs that only make sense for some resources (others take any).
ONLY = {
    "send": {"message", "email", "draft", "sms message", "reminder", "comment", "invoice"},
    "upload": {"file", "object", "document", "image", "release", "snapshot"},
    "read": {"file", "object", "document", "page", "email", "message", "row", "key", "block",
             "thread", "secret", "config map", "record", "stream", "worklog"},
    "rename": {"file", "directory", "folder", "channel", "branch", "project", "table", "label",
               "board", "page", "database", "index", "alias", "view", "base", "calendar"},
}
READ = [v for v in VERBS if v[1] == "read"]
WRITE = [v for v in VERBS if v[1] == "write"]
DESTRUCTIVE = [v for v in VERBS if v[1] == "destructive"]

PARAMS = {
    "get": [("id", "string", "The {r} ID.")],
    "describe": [("id", "string", "The {r} ID.")],
    "read": [("id", "string", "The {r} ID."), ("max_bytes", "integer", "Read at most this many bytes.")],
    "list": [("limit", "integer", "Page size (default 50)."), ("cursor", "string", "Cursor from the previous page.")],
    "search": [("query", "string", "Search terms."), ("limit", "integer", "Maximum results.")],
    "count": [("filter", "string", "Filter expression.")],
    "export": [("filter", "string", "Filter expression.")],
    "create": [("name", "string", "Name of the new {r}."), ("body", "string", "Contents.")],
    "update": [("id", "string", "The {r} ID."), ("fields", "object", "Fields to change.")],
    "add": [("name", "string", "Name of the {r}.")],
    "rename": [("id", "string", "The {r} ID."), ("new_name", "string", "New name.")],
    "send": [("to", "string", "Recipient."), ("text", "string", "Text to send.")],
    "upload": [("path", "string", "Local path to upload."), ("destination", "string", "Where to put it.")],
    "set": [("id", "string", "The {r} ID."), ("value", "string", "New value.")],
    "archive": [("id", "string", "The {r} ID.")],
    "delete": [("id", "string", "The {r} ID to delete.")],
    "remove": [("id", "string", "The {r} ID.")],
    "drop": [("name", "string", "Name of the {r} to drop.")],
    "purge": [("before", "string", "ISO date; older {rs} are purged.")],
    "destroy": [("id", "string", "The {r} ID.")],
    "revoke": [("id", "string", "The {r} ID.")],
}


def plural(r):
    if r.endswith("y") and not r.endswith("ey"):
        return r[:-1] + "ies"
    if r.endswith(("s", "x", "sh", "ch")):
        return r + "es"
    return r + "s"


def style_name(style, prefix, verb, noun_words):
    words = ([prefix] if prefix else []) + [verb] + noun_words
    if style == "snake":
        return "_".join(words)
    if style == "kebab":
        return "-".join(words)
    if style == "camel":
        return words[0] + "".join(w.capitalize() for w in words[1:])
    return ".".join(words[:1] + ["_".join(words[1:])]) if prefix else "_".join(words)


def gen_tools(rng, service):
    human, resources = SERVICES[service]
    style = rng.choice(["snake", "snake", "snake", "camel", "kebab", "dotted"])
    prefix = service if rng.random() < 0.35 or style == "dotted" else ""
    n = rng.randint(3, 14)
    # Mostly reads, some writes, a few destructive: as real servers are.
    kinds = rng.choices([READ, WRITE, DESTRUCTIVE], weights=[5, 3, 2], k=n)
    tools, seen = [], set()
    for pool in kinds:
        verb, _kind, descs = rng.choice(pool)
        fits = [r for r in resources if r in ONLY.get(verb, resources)]
        if not fits:
            continue
        r = rng.choice(fits)
        many = verb in ("list", "search", "count", "export", "purge")
        noun = plural(r) if many else r
        name = style_name(style, prefix, verb, noun.replace("-", " ").split())
        if name in seen:
            continue
        seen.add(name)
        ar = ("an " if r[0] in "aeiou" else "a ") + r
        fmt = {"r": r, "rs": plural(r), "s": human, "ar": ar}
        props, required = {}, []
        for pname, ptype, pdesc in PARAMS[verb]:
            props[pname] = {"type": ptype, "description": pdesc.format(**fmt)}
            if ptype != "integer":
                required.append(pname)
        tool = {
            "name": name,
            "description": rng.choice(descs).replace("a {r}", "{ar}").format(**fmt),
            "inputSchema": {"type": "object", "properties": props, "required": required},
        }
        tools.append(tool)
    return tools


def js_server(server_name, tools):
    return (
        "#!/usr/bin/env node\n"
        "// Generated by mcp-risk scripts/scale/gen.py: a stdio MCP server for the benchmark.\n"
        'import { Server } from "@modelcontextprotocol/sdk/server/index.js";\n'
        'import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";\n'
        'import { ListToolsRequestSchema, CallToolRequestSchema } from "@modelcontextprotocol/sdk/types.js";\n\n'
        f"const TOOLS = {json.dumps(tools, indent=2)};\n\n"
        f'const server = new Server({{ name: {json.dumps(server_name)}, version: "1.0.0" }}, {{ capabilities: {{ tools: {{}} }} }});\n'
        "server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: TOOLS }));\n"
        "server.setRequestHandler(CallToolRequestSchema, async (req) => ({\n"
        '  content: [{ type: "text", text: `${req.params.name}: not implemented in the benchmark server` }],\n'
        "  isError: true,\n"
        "}));\n"
        "await server.connect(new StdioServerTransport());\n"
    )


PY_TYPES = {"string": "str", "integer": "int", "object": "dict"}


def py_server(server_name, tools):
    out = [
        '"""Generated by mcp-risk scripts/scale/gen.py: a stdio MCP server for the benchmark."""',
        "",
        "from mcp.server.fastmcp import FastMCP",
        "",
        f"mcp = FastMCP({server_name!r})",
        "",
    ]
    for t in tools:
        fn = "".join(c if c.isalnum() else "_" for c in t["name"])
        props = t["inputSchema"]["properties"]
        req = set(t["inputSchema"]["required"])
        args = []
        for p, spec in props.items():
            ty = PY_TYPES[spec["type"]]
            args.append(f"{p}: {ty}" if p in req else f"{p}: {ty} | None = None")
        args.sort(key=lambda a: "=" in a)
        out += [
            f"@mcp.tool(name={t['name']!r})",
            f"def {fn}({', '.join(args)}) -> str:",
            f"    {t['description']!r}",
            f"    raise NotImplementedError({t['name']!r})",
            "",
            "",
        ]
    out += ["def main() -> None:", '    mcp.run("stdio")', "", "", 'if __name__ == "__main__":', "    main()", ""]
    return "\n".join(out)


def tgz(files):
    """An npm tarball (entries under package/), deterministic."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.USTAR_FORMAT) as tar:
        for path, (data, mode) in sorted(files.items()):
            info = tarfile.TarInfo("package/" + path)
            info.size, info.mode, info.mtime = len(data), mode, 499162500
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def write_npm(out, slug, tools, sdk):
    name = f"{SCOPE}/{slug}"
    manifest = {
        "name": name,
        "version": "1.0.0",
        "description": f"MCP server {slug} (generated for the mcp-risk benchmark)",
        "type": "module",
        "bin": {slug: "index.js"},
        "dependencies": {"@modelcontextprotocol/sdk": sdk},
        "license": "MIT",
    }
    data = tgz({
        "package.json": (json.dumps(manifest, indent=2).encode(), 0o644),
        "index.js": (js_server(name, tools).encode(), 0o755),
    })
    fname = f"{slug}-1.0.0.tgz"
    pdir = os.path.join(out, "npm", "storage", SCOPE, slug)
    os.makedirs(pdir, exist_ok=True)
    with open(os.path.join(pdir, fname), "wb") as f:
        f.write(data)
    version = dict(manifest)
    version.update({
        "_id": f"{name}@1.0.0",
        "dist": {
            "tarball": f"http://localhost/{name}/-/{fname}",
            "shasum": hashlib.sha1(data).hexdigest(),
            "integrity": "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode(),
        },
    })
    packument = {
        "name": name,
        "versions": {"1.0.0": version},
        "time": {"created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
                 "1.0.0": "2026-01-01T00:00:00.000Z"},
        "dist-tags": {"latest": "1.0.0"},
        "_uplinks": {},
        "_distfiles": {},
        "_attachments": {fname: {"shasum": version["dist"]["shasum"], "version": "1.0.0"}},
        "_rev": "1-0000000000000000",
        "_id": name,
        "readme": "",
    }
    with open(os.path.join(pdir, "package.json"), "w") as f:
        json.dump(packument, f, indent=2)
    return name


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def write_wheel(out, dist, tools, mcp_version):
    mod = dist.replace("-", "_")
    di = f"{mod}-1.0.0.dist-info"
    files = {
        f"{mod}/__init__.py": b"",
        f"{mod}/server.py": py_server(dist, tools).encode(),
        f"{di}/METADATA": (
            "Metadata-Version: 2.1\n"
            f"Name: {dist}\n"
            "Version: 1.0.0\n"
            f"Summary: MCP server {dist} (generated for the mcp-risk benchmark)\n"
            "Requires-Python: >=3.10\n"
            f"Requires-Dist: mcp=={mcp_version}\n"
        ).encode(),
        f"{di}/WHEEL": b"Wheel-Version: 1.0\nGenerator: mcp-risk-gen\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{di}/entry_points.txt": f"[console_scripts]\n{dist} = {mod}.server:main\n".encode(),
    }
    record = [record_line(p, d) for p, d in files.items()] + [f"{di}/RECORD,,"]
    files[f"{di}/RECORD"] = ("\n".join(record) + "\n").encode()
    os.makedirs(os.path.join(out, "pypi"), exist_ok=True)
    path = os.path.join(out, "pypi", f"{mod}-1.0.0-py3-none-any.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for p, d in files.items():
            zi = zipfile.ZipInfo(p, date_time=(2026, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, d)
    return dist


def entry(name, desc, reg, ident):
    return {
        "server": {
            "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
            "name": name,
            "description": desc,
            "version": "1.0.0",
            "packages": [{"registryType": reg, "identifier": ident, "version": "1.0.0",
                          "transport": {"type": "stdio"}}],
        },
        "_meta": {"io.modelcontextprotocol.registry/official": {
            "status": "active", "isLatest": True,
            "publishedAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"}},
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--npm", type=int, default=150)
    ap.add_argument("--pypi", type=int, default=150)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--sdk", default="1.32.2", help="@modelcontextprotocol/sdk version pinned")
    ap.add_argument("--mcp", default="1.30.0", help="mcp (PyPI) version pinned")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    services = sorted(SERVICES)
    entries, expected, total_tools = [], {}, 0
    for reg, count in (("npm", a.npm), ("pypi", a.pypi)):
        for i in range(count):
            service = rng.choice(services)
            slug = f"{rng.choice(ADJ)}-{service}-mcp-{reg}{i:04d}"
            tools = gen_tools(rng, service)
            total_tools += len(tools)
            desc = f"{SERVICES[service][0]} tools for agents ({len(tools)} tools)."
            if reg == "npm":
                ident = write_npm(a.out, slug, tools, a.sdk)
            else:
                ident = write_wheel(a.out, slug, tools, a.mcp)
            entries.append(entry(f"io.github.bench/{slug}", desc, reg, ident))
            expected[ident] = {"registry": reg, "tools": [t["name"] for t in tools]}
    with open(os.path.join(a.out, "servers.json"), "w") as f:
        json.dump({"servers": entries}, f)
    with open(os.path.join(a.out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print(f"generated {a.npm} npm + {a.pypi} PyPI servers, {total_tools} tools, in {a.out}")


if __name__ == "__main__":
    main()
