#!/usr/bin/env bash
# End-to-end throughput of `mcp-risk classify --input FILE --format json` over
# 224,112 tools (the size of the largest published catalogue), made by
# replicating the shared corpus with renamed tools. Release build; prints
# tools/s and peak RSS (from /usr/bin/time -v).
#
#   scripts/bench_classify.sh [CORPUS_DIR...]   (default: ../shared/corpus/{dev,unlabelled})
set -euo pipefail
cd "$(dirname "$0")/.."
N=224112
OUT=${BENCH_DIR:-/tmp/mcp-risk-bench}
mkdir -p "$OUT"
DIRS=("$@")
if [ ${#DIRS[@]} -eq 0 ]; then
  for c in ../shared/corpus ../../shared/corpus; do
    if [ -d "$c/dev" ]; then DIRS=("$c/dev" "$c/unlabelled"); break; fi
  done
fi
python3 - "$OUT/tools.json" "$N" "${DIRS[@]}" <<'PY'
import json, sys, glob, os
out, n, dirs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
base = []
for d in dirs:
    for f in sorted(glob.glob(os.path.join(d, "*.json"))):
        v = json.load(open(f))
        if isinstance(v, dict):
            v = v.get("tools") or (v.get("result") or {}).get("tools") or []
        base.extend(t for t in v if isinstance(t, dict))
with open(out, "w") as fh:
    fh.write('{"tools":[')
    for i in range(n):
        t = dict(base[i % len(base)])
        t["name"] = f"{t.get('name', 'tool')}_{i // len(base)}"
        if i:
            fh.write(",")
        fh.write(json.dumps(t, separators=(",", ":")))
    fh.write("]}")
print(f"{n} tools from {len(base)} originals -> {out} ({os.path.getsize(out) / 1e6:.0f} MB)")
PY
# Ask cargo where the binary is (the target dir may be redirected).
FIND_EXE='import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("executable"):
        print(m["executable"])'
BIN=$(cargo build --release --bin mcp-risk --message-format=json 2>/dev/null | python3 -c "$FIND_EXE" | tail -1)
START=$(date +%s.%N)
/usr/bin/time -v "$BIN" classify --input "$OUT/tools.json" --format json >"$OUT/out.json" 2>"$OUT/time.txt"
END=$(date +%s.%N)
python3 - "$START" "$END" "$N" "$OUT" <<'PY'
import sys, json, re
start, end, n, out = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
t = open(f"{out}/time.txt").read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
wall = end - start
doc = json.load(open(f"{out}/out.json"))
got = sum(len(s["tools"]) for s in doc["servers"])
assert got == n, (got, n)
print(f"{n} tools in {wall:.2f} s = {n / wall:,.0f} tools/s; peak RSS {rss / 1024:.0f} MB")
PY
