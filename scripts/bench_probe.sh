#!/usr/bin/env bash
# Probe throughput: mcp-risk against the official Python MCP SDK and bare
# process spawning, all on the same minimal compiled fixture server, plus
# Streamable HTTP probes against a local fixture. Talks only to processes and
# loopback servers it starts itself. Prints a table; raw JSON in $SCRATCH.
#
# The stdio fixture is tests/fixtures/min_server (a libc-free static C
# server, built here with gcc): every client pays the server's start-up
# alike, so the smaller it is, the more the figures say about the clients.
# FIXTURE=fake runs the same on the project's Rust fake server instead
# (`mcp-risk-fake-server minimal`, a 6 MB binary with tokio).
#
#   scripts/bench_probe.sh            # N=200 probes, C=8 at once
#   N=500 C=16 scripts/bench_probe.sh
#   FIXTURE=fake scripts/bench_probe.sh
#   RUNS=5 scripts/bench_probe.sh     # median of 5 runs per row (default 3)
#   CARGO_BUILD_FLAGS="--target x86_64-unknown-linux-gnu" scripts/bench_probe.sh
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-200}
C=${C:-8}
SCRATCH=${SCRATCH:-$(mktemp -d /tmp/mcp-risk-bench.XXXXXX)}
mkdir -p "$SCRATCH/bin"
# Run as root, a sandboxed server gets a uid of its own: it must be able to
# reach its binary (mktemp -d makes the directory 0700).
chmod 755 "$SCRATCH" "$SCRATCH/bin"
echo "scratch: $SCRATCH" >&2

# 1. Release build; copy the binaries out at once (a shared target dir may be
#    rewritten by other builds).
# shellcheck disable=SC2086
cargo build --release --bins --features test-fixtures ${CARGO_BUILD_FLAGS:-} >&2
TARGET_DIR=${CARGO_TARGET_DIR:-target}
TRIPLE=$(sed -n 's/.*--target[= ]\([^ ]*\).*/\1/p' <<<"${CARGO_BUILD_FLAGS:-}")
REL="$TARGET_DIR/${TRIPLE:+$TRIPLE/}release"
cp "$REL/mcp-risk" "$REL/mcp-risk-fake-server" "$SCRATCH/bin/"
MR="$SCRATCH/bin/mcp-risk"
FAKE="$SCRATCH/bin/mcp-risk-fake-server"
gcc -O2 -static -nostdlib -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns \
  -fno-stack-protector -o "$SCRATCH/bin/min-server" tests/fixtures/min_server/min_server.c
case "${FIXTURE:-min}" in
  min) SERVER=("$SCRATCH/bin/min-server"); SERVER_NAME="min-server (static C, no libc)" ;;
  fake) SERVER=("$FAKE" minimal); SERVER_NAME="mcp-risk-fake-server minimal (Rust)" ;;
  *) echo "FIXTURE must be min or fake" >&2; exit 2 ;;
esac

# 2. The official Python SDK in its own venv.
if [ ! -x "$SCRATCH/venv/bin/python" ]; then
  python3 -m venv "$SCRATCH/venv"
  "$SCRATCH/venv/bin/pip" install --quiet mcp >&2
fi
PY="$SCRATCH/venv/bin/python"
SDK_VERSION=$("$PY" -c 'import importlib.metadata as m; print(m.version("mcp"))')

now() { date +%s.%N; }
rate() { python3 -c "import sys; n,s=float(sys.argv[1]),float(sys.argv[2]); print(f'{n/s:.1f} {s*1000/n:.2f}')" "$1" "$2"; }

# 3. Bare spawning: fork+exec+exit of the same binary (stdin at EOF, so it
#    exits at once), C at once, no protocol.
#    xargs gives each child /dev/null as stdin. `bare C unshare -n` runs each
#    in a fresh network namespace, as the sandbox does.
bare() {
  local c=$1 t0 t1
  shift
  t0=$(now)
  seq "$N" | xargs -P "$c" -I{} "$@" "${SERVER[@]}"
  t1=$(now)
  rate "$N" "$(python3 -c "print($t1-$t0)")"
}

ours() { # concurrency, extra flags...
  local c=$1; shift
  "$MR" probe --repeat "$N" --concurrency "$c" "$@" >"$SCRATCH/ours.$c.$#.json"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['statuses']=={'ok': d['probes']}, d; print(f\"{d['probes_per_s']:.1f} {d['ms_per_probe_wall']:.2f}\")" "$SCRATCH/ours.$c.$#.json"
}

sdk() {
  local c=$1
  "$PY" scripts/bench/sdk_probe.py "$N" "$c" "${SERVER[@]}" >"$SCRATCH/sdk.$c.json" 2>"$SCRATCH/sdk.$c.err"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['ok']==d['probes'], d; print(f\"{d['probes_per_s']:.1f} {d['ms_per_probe_wall']:.2f}\")" "$SCRATCH/sdk.$c.json"
}

# The median of RUNS runs of a measurement ("rate ms" lines).
median() {
  local i
  for i in $(seq "${RUNS:-3}"); do "$@"; done | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'
}

row() { printf '%-44s %10s %14s\n' "$1" "$2" "$3"; }
line() { read -r r m <<<"$2"; row "$1" "$r" "$m"; echo "$1|$r|$m" >>"$SCRATCH/results.txt"; }
: >"$SCRATCH/results.txt"

echo
echo "stdio: $N probes of $SERVER_NAME ($(nproc) cores); Python SDK mcp $SDK_VERSION"
row "" "probes/s" "wall ms/probe"
line "bare spawn+exit, sequential" "$(median bare 1)"
line "bare spawn+exit, $C at once" "$(median bare "$C")"
if unshare -n true 2>/dev/null; then
  line "bare unshare -n + spawn+exit, sequential" "$(median bare 1 unshare -n)"
  line "bare unshare -n + spawn+exit, $C at once" "$(median bare "$C" unshare -n)"
fi
line "mcp-risk (sandboxed), sequential" "$(median ours 1 -- "${SERVER[@]}")"
line "mcp-risk (sandboxed), $C at once" "$(median ours "$C" -- "${SERVER[@]}")"
line "mcp-risk --no-sandbox, sequential" "$(median ours 1 --no-sandbox -- "${SERVER[@]}")"
line "mcp-risk --no-sandbox, $C at once" "$(median ours "$C" --no-sandbox -- "${SERVER[@]}")"
line "Python SDK, sequential" "$(median sdk 1)"
line "Python SDK, asyncio $C at once" "$(median sdk "$C")"

# 4. Streamable HTTP against a local fixture.
"$FAKE" http ok >"$SCRATCH/http.out" &
HTTP_PID=$!
trap 'kill $HTTP_PID 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q LISTENING "$SCRATCH/http.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(awk '/LISTENING/ {print $2}' "$SCRATCH/http.out")
URL="http://127.0.0.1:$PORT/mcp"
echo
echo "Streamable HTTP: $N probes (initialize, initialized, tools/list, DELETE) of a local fixture"
row "" "probes/s" "wall ms/probe"
line "mcp-risk, sequential" "$(median ours 1 --allow-private --url "$URL")"
line "mcp-risk, $C at once" "$(median ours "$C" --allow-private --url "$URL")"

echo
python3 - "$SCRATCH/results.txt" <<'PY'
import sys
r = {}
for l in open(sys.argv[1]):
    k, rate, ms = l.strip().split("|")
    r[k] = float(rate)
def pair(prefix):
    v = [v for k, v in r.items() if k.startswith(prefix)]
    return v[0], v[1]
seq_ours, par_ours = pair("mcp-risk (sandboxed)")
seq_raw, par_raw = pair("mcp-risk --no-sandbox")
seq_sdk, par_sdk = pair("Python SDK")
seq_bare, par_bare = pair("bare spawn+exit")
print(f"speed-up over the Python SDK (which runs servers unsandboxed): sandboxed {seq_ours/seq_sdk:.1f}x sequential, {par_ours/par_sdk:.1f}x concurrent; unsandboxed {seq_raw/seq_sdk:.1f}x, {par_raw/par_sdk:.1f}x (target >= 5x)")
print(f"mcp-risk --no-sandbox vs bare spawning: {seq_bare/seq_raw:.2f}x sequential, {par_bare/par_raw:.2f}x concurrent (target <= 2x)")
print(f"mcp-risk sandboxed vs bare spawning: {seq_bare/seq_ours:.2f}x sequential, {par_bare/par_ours:.2f}x concurrent")
if any(k.startswith("bare unshare") for k in r):
    seq_ns, par_ns = pair("bare unshare")
    print(f"mcp-risk sandboxed vs bare unshare -n spawning: {seq_ns/seq_ours:.2f}x sequential, {par_ns/par_ours:.2f}x concurrent")
print(f"per-probe overhead over bare spawning (sequential): {1000/seq_raw - 1000/seq_bare:.2f} ms unsandboxed, {1000/seq_ours - 1000/seq_bare:.2f} ms sandboxed")
PY
