#!/usr/bin/env bash
# Times `mcp-risk pages` on a synthetic registry of 20,000 tools (400 servers of
# 50 tools, realistic descriptions and schemas) and reports wall time, peak
# memory, file count and output size, for HTML and Markdown.
#
# usage: scripts/bench_pages.sh [TOOLS] [SERVERS]     (default 20000 400)
# Needs python3 (input generation) and a release build (made here).
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS=${1:-20000}
SERVERS=${2:-400}
TARGET=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
WORK=${BENCH_DIR:-$TARGET/bench-pages}
rm -rf "$WORK"
mkdir -p "$WORK/input"

python3 - "$WORK/input" "$TOOLS" "$SERVERS" <<'PY'
import json, random, sys
out, tools, servers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(20000)
verbs = ["get", "list", "search", "create", "add", "send", "update", "set", "move",
         "delete", "remove", "run", "execute", "query", "archive", "restore"]
nouns = ["file", "issue", "repository", "branch", "message", "user", "table", "record",
         "deployment", "cluster", "secret", "invoice", "payment", "comment", "page", "job"]
words = ("the a of to in for with from by on at its this that each every item object "
         "resource value field request response server client project team account").split()
def sentence(n):
    return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."
per = tools // servers
for s in range(servers):
    ts = []
    for t in range(per):
        v, n = rng.choice(verbs), rng.choice(nouns)
        props = {
            f"{n}_id": {"type": "string", "description": sentence(8)},
            "owner": {"type": "string", "description": sentence(6)},
        }
        for k in range(rng.randint(0, 4)):
            props[f"opt_{k}"] = {"type": rng.choice(["string", "integer", "boolean"]),
                                 "description": sentence(10)}
        if rng.random() < 0.2:
            props["operation"] = {"type": "string", "enum": ["get", "update", "delete"],
                                  "description": "What to do."}
        tool = {
            "name": f"{v}_{n}_{t}",
            "description": f"{v.capitalize()} a {n}. " + " ".join(sentence(12) for _ in range(3)),
            "inputSchema": {"type": "object", "properties": props, "required": [f"{n}_id"]},
        }
        if rng.random() < 0.5:
            ro = v in ("get", "list", "search", "query")
            tool["annotations"] = {"readOnlyHint": ro, "destructiveHint": v in ("delete", "remove")}
        ts.append(tool)
    with open(f"{out}/server-{s:04d}.json", "w") as f:
        json.dump({"tools": ts}, f)
PY

cargo build --release --quiet --bin mcp-risk
BIN=$TARGET/release/mcp-risk
echo "input: $(ls "$WORK/input" | wc -l) servers, $TOOLS tools, $(du -sh "$WORK/input" | cut -f1)"

for fmt in html md; do
  rm -rf "$WORK/out-$fmt"
  start=$(date +%s.%N)
  if command -v /usr/bin/time >/dev/null 2>&1; then
    /usr/bin/time -f "  peak RSS %M KB" "$BIN" pages --input "$WORK/input" --out "$WORK/out-$fmt" --format "$fmt"
  else
    "$BIN" pages --input "$WORK/input" --out "$WORK/out-$fmt" --format "$fmt"
  fi
  end=$(date +%s.%N)
  files=$(find "$WORK/out-$fmt" -type f | wc -l)
  size=$(du -sh "$WORK/out-$fmt" | cut -f1)
  bytes=$(du -sb "$WORK/out-$fmt" | cut -f1)
  printf '%s: %.2f s wall, %s files, %s on disk (%s bytes)\n' "$fmt" "$(python3 -c "print($end - $start)")" "$files" "$size" "$bytes"
done
