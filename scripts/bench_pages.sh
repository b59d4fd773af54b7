#!/usr/bin/env bash
# `mcp-risk pages` at scale: one server of 10,000 tools and a registry of
# 4,500 servers of 30 tools each (135,000 tools), the two cases of issue 13,
# plus the earlier 400 servers of 50 tools in HTML and Markdown. The inputs
# are generated here (seeded: varied names, verbs, parameters, descriptions,
# annotations, operation enums, so classification, slugs and the related-tools
# search do real work). Prints per case: wall time, peak RSS, files, site size
# and index.html size (`/usr/bin/time -v`, `du`). Offline; talks to nothing.
#
#   scripts/bench_pages.sh                       # one, registry
#   CASES="one registry classic classic-md" scripts/bench_pages.sh
#   BASE_URL=https://example.org/mcp/ scripts/bench_pages.sh   # adds the sitemap
# Needs python3, bc and /usr/bin/time (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."

SCRATCH=${SCRATCH:-$(mktemp -d /tmp/mcp-risk-pages-bench.XXXXXX)}
CASES=${CASES:-"one registry"}
mkdir -p "$SCRATCH"
echo "scratch: $SCRATCH" >&2

cargo build --release --bin mcp-risk >&2
BIN="$SCRATCH/mcp-risk"
cp target/release/mcp-risk "$BIN"

# Writes SERVERS servers of TOOLS tools each into DIR, one tools/list file per
# server: realistic names, descriptions, parameters, annotations on half the
# tools and an operation enum on a fifth (seeded, so every run is the same).
gen() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, os, random, sys
out, servers, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out, exist_ok=True)
rng = random.Random(20000)
verbs = ["get", "list", "search", "create", "add", "send", "update", "set", "move",
         "delete", "remove", "run", "execute", "query", "archive", "restore", "rotate"]
nouns = ["file", "issue", "repository", "branch", "message", "user", "table", "record",
         "deployment", "cluster", "secret", "invoice", "payment", "comment", "page", "job",
         "api_key"]
words = ("the a of to in for with from by on at its this that each every item object "
         "resource value field request response server client project team account").split()
def sentence(n):
    return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."
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
            "description": f"{v.capitalize()} a {n.replace('_', ' ')}. " + " ".join(sentence(12) for _ in range(3)),
            "inputSchema": {"type": "object", "properties": props, "required": [f"{n}_id"]},
        }
        if rng.random() < 0.5:
            ro = v in ("get", "list", "search", "query")
            tool["annotations"] = {"readOnlyHint": ro, "destructiveHint": v in ("delete", "remove")}
        ts.append(tool)
    name = "huge" if servers == 1 else f"server-{s:05d}"
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump({"tools": ts}, f)
PY
}

run() {
  local label=$1 input=$2 out="$SCRATCH/site-$1" format=${3:-html}
  rm -rf "$out"
  local extra=(--format "$format")
  [ -n "${BASE_URL:-}" ] && extra=(--base-url "$BASE_URL")
  /usr/bin/time -v "$BIN" pages --input "$input" --out "$out" "${extra[@]}" \
    2>"$SCRATCH/time-$label.txt" >/dev/null || { cat "$SCRATCH/time-$label.txt" >&2; exit 1; }
  local wall rss files site index
  wall=$(grep 'Elapsed (wall clock)' "$SCRATCH/time-$label.txt" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$SCRATCH/time-$label.txt" | awk '{print $NF}')
  files=$(find "$out" -type f | wc -l)
  site=$(du -sb "$out" | cut -f1)
  index=$(stat -c %s "$out/index.$format")
  printf '%-10s %-14s wall %8s  peak RSS %6d MB  %7d files  site %8.1f MB  index %6.2f MB\n' \
    "$label" "$(du -sh "$input" | cut -f1) input" "$wall" $((rss / 1024)) "$files" \
    "$(echo "$site / 1000000" | bc -l)" "$(echo "$index / 1000000" | bc -l)"
  grep '^wrote' "$SCRATCH/time-$label.txt" >&2 || true
}

for c in $CASES; do
  case $c in
    one)
      [ -d "$SCRATCH/in-one" ] || gen "$SCRATCH/in-one" 1 10000
      run one "$SCRATCH/in-one" ;;
    registry)
      [ -d "$SCRATCH/in-registry" ] || gen "$SCRATCH/in-registry" 4500 30
      run registry "$SCRATCH/in-registry" ;;
    classic|classic-md)
      [ -d "$SCRATCH/in-classic" ] || gen "$SCRATCH/in-classic" 400 50
      if [ "$c" = classic ]; then run classic "$SCRATCH/in-classic"; else run classic-md "$SCRATCH/in-classic" md; fi ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
  esac
done
