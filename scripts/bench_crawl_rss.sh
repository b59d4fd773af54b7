#!/usr/bin/env bash
# Peak RSS (and wall time) of `mcp-risk crawl` over 1,000 fixture servers.
# Target: under 100 MB.
#
#   scripts/bench_crawl_rss.sh            # both variants
#   VARIANTS=tools scripts/bench_crawl_rss.sh
#
# Variants:
#   tools  1,000 tools/list files (10 tools each): store + orchestration cost.
#   stdio  a servers file of 1,000 stdio entries running the compiled fixture
#          server (`mcp-risk-fake-server minimal`), --allow-exec, sandboxed
#          unless NO_SANDBOX=1: the full crawl path.
#
# Env: N (servers, default 1000), CONCURRENCY (default 8), FAKE_MODE (default
# minimal), NO_SANDBOX=1.
# Talks to nothing but the processes it starts.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000}
CONCURRENCY=${CONCURRENCY:-8}
FAKE_MODE=${FAKE_MODE:-minimal}
VARIANTS=${VARIANTS:-"tools stdio"}

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time (for peak RSS)..." >&2
    if [ "$(id -u)" = 0 ]; then apt-get install -y -q time >&2; else sudo apt-get install -y -q time >&2; fi
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Ask cargo where the binaries are (a shared or remapped target directory
# may not put them at $TARGET/release), then copy them at once.
cargo build --release --bins --features test-fixtures --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable"):
        print(m["executable"])
' >"$WORK/bins"
while read -r exe; do cp "$exe" "$WORK/"; done <"$WORK/bins"
BIN="$WORK/mcp-risk"
FAKE="$WORK/mcp-risk-fake-server"
[ -x "$BIN" ] && [ -x "$FAKE" ] || { echo "release build failed: run cargo build --release --bins --features test-fixtures" >&2; exit 1; }

python3 - "$WORK" "$N" "$FAKE" "$FAKE_MODE" <<'EOF'
import json, os, sys
work, n, fake, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
tools_dir = os.path.join(work, "tools")
os.makedirs(tools_dir)
for i in range(n):
    tools = [{
        "name": f"tool_{j}",
        "description": f"Does operation {j} of server {i}: reads, lists or updates records. " * 3,
        "inputSchema": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string", "description": "Record id"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 100},
            "mode": {"type": "string", "enum": ["get", "list", "update", "delete"]}}},
        "annotations": {"readOnlyHint": j % 2 == 0},
    } for j in range(10)]
    with open(os.path.join(tools_dir, f"server{i:04}.json"), "w") as f:
        json.dump({"tools": tools}, f)
servers = {f"fake{i:04}": {"command": fake, "args": [mode]} for i in range(n)}
with open(os.path.join(work, "servers.json"), "w") as f:
    json.dump({"servers": servers}, f)
EOF

measure() {
    local label=$1; shift
    local db="$WORK/$label.db"
    /usr/bin/time -v -o "$WORK/$label.time" "$BIN" crawl --db "$db" --concurrency "$CONCURRENCY" "$@" \
        >"$WORK/$label.out" 2>"$WORK/$label.err" || { echo "$label: crawl failed" >&2; cat "$WORK/$label.err" >&2; }
    local rss wall
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$label.time")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/$label.time")
    printf '%-6s servers=%s concurrency=%s peak_rss=%.1f MB wall=%s\n' \
        "$label" "$N" "$CONCURRENCY" "$(echo "$rss / 1024" | bc -l)" "$wall"
    sed -n '/^status/,/^total/p' "$WORK/$label.out" | sed 's/^/    /'
}

for v in $VARIANTS; do
    case $v in
        tools) measure tools "$WORK/tools" ;;
        stdio)
            extra=(--allow-exec --timeout 10)
            [ "${NO_SANDBOX:-0}" = 1 ] && extra+=(--no-sandbox)
            measure stdio "${extra[@]}" "$WORK/servers.json"
            ;;
        *) echo "unknown variant $v" >&2; exit 2 ;;
    esac
done
