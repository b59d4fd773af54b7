#!/usr/bin/env bash
# End-to-end throughput of `mcp-risk classify --input FILE --format json` over
# 224,112 tools (the size of the largest published catalogue), made by
# replicating the shared corpus with renamed tools. Release build; runs it
# RUNS times (default 3) and prints, per run and as best/median, wall-clock
# tools/s, CPU seconds (user+sys) and peak RSS (from /usr/bin/time -v). On a
# shared machine wall time follows the other load; CPU seconds do much less.
#
#   [RUNS=3] [LAYOUT=file|dir] [BASE=OTHER_BINARY] scripts/bench_classify.sh [CORPUS_DIR...]
#
# With BASE, the runs alternate between BASE and BIN (BASE first) and each is
# summarised on its own, and BIN's output must equal BASE's byte for byte:
# this machine's speed drifts 15-25% within minutes, so only runs taken side
# by side compare two builds.
#
# Default corpus: ../shared/corpus/dev (the 30 labelled servers, the heavier
# descriptions). LAYOUT=dir writes the same tools as a directory of files of
# about 1,000 tools each, the way registries arrive (one server per file).
set -euo pipefail
cd "$(dirname "$0")/.."
N=224112
OUT=${BENCH_DIR:-/tmp/mcp-risk-bench}
mkdir -p "$OUT"
DIRS=("$@")
if [ ${#DIRS[@]} -eq 0 ]; then
  for c in ../shared/corpus ../../shared/corpus; do
    if [ -d "$c/dev" ]; then DIRS=("$c/dev"); break; fi
  done
fi
LAYOUT=${LAYOUT:-file}
python3 - "$OUT/tools.json" "$N" "$LAYOUT" "${DIRS[@]}" <<'PY'
import json, sys, glob, os, shutil
out, n, layout, dirs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
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
if layout == "dir":
    d = out + ".d"
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    tools = json.load(open(out))["tools"]
    for k in range(0, len(tools), 1000):
        with open(os.path.join(d, f"server-{k // 1000:04d}.json"), "w") as fh:
            json.dump({"tools": tools[k:k + 1000]}, fh, separators=(",", ":"))
    print(f"as {len(range(0, len(tools), 1000))} files of about 1,000 tools in {d}")
PY
INPUT="$OUT/tools.json"
[ "$LAYOUT" = dir ] && INPUT="$OUT/tools.json.d"
# Ask cargo where the binary is (the target dir may be redirected).
FIND_EXE='import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("executable"):
        print(m["executable"])'
BIN=${BIN:-$(cargo build --release --bin mcp-risk --message-format=json 2>/dev/null | python3 -c "$FIND_EXE" | tail -1)}
RUNS=${RUNS:-3}
BINS=("$BIN")
if [ -n "${BASE:-}" ]; then BINS=("$BASE" "$BIN"); fi
for k in "${!BINS[@]}"; do rm -f "$OUT/runs.$k.tsv"; done
for r in $(seq 1 "$RUNS"); do
  for k in "${!BINS[@]}"; do
    B=${BINS[$k]}
    START=$(date +%s.%N)
    /usr/bin/time -v "$B" classify --input "$INPUT" --format json >"$OUT/out.$k.json" 2>"$OUT/time.txt"
    END=$(date +%s.%N)
    python3 - "$START" "$END" "$N" "$OUT" "$k" "$B" <<'PY'
import sys, json, re
start, end, n, out, k, b = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
t = open(f"{out}/time.txt").read()
num = lambda key: float(re.search(key + r": ([0-9.]+)", t).group(1))
rss = num(r"Maximum resident set size \(kbytes\)")
cpu = num(r"User time \(seconds\)") + num(r"System time \(seconds\)")
wall = end - start
doc = json.load(open(f"{out}/out.{k}.json"))
got = sum(len(s["tools"]) for s in doc["servers"])
assert got == n, (got, n)
print(f"{b}: {n} tools in {wall:.2f} s = {n / wall:,.0f} tools/s; CPU {cpu:.2f} s = {n / cpu:,.0f} tools per CPU-second; peak RSS {rss / 1024:.0f} MB")
with open(f"{out}/runs.{k}.tsv", "a") as fh:
    fh.write(f"{wall}\t{cpu}\t{rss}\n")
PY
  done
  if [ ${#BINS[@]} = 2 ] && ! cmp -s "$OUT/out.0.json" "$OUT/out.1.json"; then
    echo "note: the two binaries' outputs differ" >&2
  fi
done
for k in "${!BINS[@]}"; do
  python3 - "$N" "$OUT" "$k" "${BINS[$k]}" <<'PY'
import sys, statistics
n, out, k, b = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
rows = [tuple(map(float, l.split())) for l in open(f"{out}/runs.{k}.tsv")]
walls, cpus, rsss = zip(*rows)
print(f"{b}: best {n / min(walls):,.0f} tools/s (wall {min(walls):.2f} s), median {n / statistics.median(walls):,.0f} tools/s "
      f"(wall {statistics.median(walls):.2f} s); CPU best {min(cpus):.2f} s, median {statistics.median(cpus):.2f} s; "
      f"peak RSS max {max(rsss) / 1024:.0f} MB over {len(rows)} runs")
PY
done
