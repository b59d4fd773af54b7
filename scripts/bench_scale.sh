#!/usr/bin/env bash
# Benchmark at registry scale, without the internet (issue 18 item 4).
#
# Generates N npm + N PyPI MCP servers (real stdio servers on the pinned
# @modelcontextprotocol/sdk and mcp FastMCP; scripts/scale/gen.py), serves them
# on loopback from a local npm registry (verdaccio) and a local package index
# (pypiserver), lists them in a mock official registry API
# (scripts/scale/mock_registry.py), then runs
#   mcp-risk scan official:http://127.0.0.1:PORT --allow-exec --cache ... --db ... --out ...
# from an empty cache once per mode:
#   shared  the binary's default (shared stores), with uv and pnpm (installed
#           into $WORK/tools by this script) on PATH
#   plain   --no-shared-stores (plain venv+pip and npm)
# A binary without --no-shared-stores runs the default mode once, as `plain`.
# Reports servers, ok count, wall time, servers/hour, disk (du -sb, hardlinks
# counted once) and GB per 100 servers, peak RSS of mcp-risk itself (VmHWM
# sampled from /proc) and of its largest child (/usr/bin/time -v).
#
# verdaccio and pypiserver are installed into $WORK/tools by this script (not
# by scripts/install-deps.sh). The only public downloads are those tools, the
# sdk's dependency tree (fetched once through verdaccio's uplink into its
# storage, then served with no uplink) and the mcp wheels (pip download).
#
# Usage: scripts/bench_scale.sh [--small] [MODE...]      (MODE: shared, plain)
# Env:   BIN=path (default target/release/mcp-risk)  N=servers per registry
#        (default 150; --small: 10)  WORK=dir (default target/bench-scale)
#        CONCURRENCY=n, INSTALL_JOBS=n, CACHE_BUDGET=size (default none: no
#        eviction, so the disk figure counts every install); each is passed
#        only when the binary knows the flag
#        KEEP=1 keeps each mode's cache (default: deleted after measuring)
#        CHECK=1 probes two generated servers installed by hand first
#        (always with --small; scripts/scale/check.sh)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCALE="$ROOT/scripts/scale"
BIN=${BIN:-$ROOT/target/release/mcp-risk}
WORK=${WORK:-$ROOT/target/bench-scale}
SDK_VERSION=${SDK_VERSION:-1.32.2}
MCP_VERSION=${MCP_VERSION:-1.30.0}
VERDACCIO_VERSION=6.5.0   # the last 6.x that runs on node 20 (6.9+ needs node 22)
PYPISERVER_VERSION=2.4.2
UV_VERSION=${UV_VERSION:-0.13.9}
PNPM_VERSION=${PNPM_VERSION:-12.25.1}  # as scripts/install-deps.sh pins it
SMALL=0
MODES=()
for a in "$@"; do
  case $a in
    --small) SMALL=1 ;;
    shared | plain) MODES+=("$a") ;;
    -h | --help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "unknown argument $a" >&2; exit 2 ;;
  esac
done
[ ${#MODES[@]} -gt 0 ] || MODES=(shared plain)
if [ "$SMALL" = 1 ]; then N=${N:-10}; else N=${N:-150}; fi
[ -x "$BIN" ] || { echo "no binary at $BIN (build it, or set BIN=)" >&2; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
TOOLS="$WORK/tools"
PY=${PYTHON:-python3}
log() { printf '[bench_scale %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

PIDS=()
SCAN_PGID=""
cleanup() {
  # The scan runs in its own process group (setsid): the group is ended with
  # it, installers included (background jobs of a script ignore Ctrl-C).
  [ -z "$SCAN_PGID" ] || kill -TERM -- "-$SCAN_PGID" 2>/dev/null || true
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { # URL PID NAME
  for _ in $(seq 1 150); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 exited early; see its log" >&2; return 1; }
    sleep 0.2
  done
  echo "$3 did not answer $1" >&2; return 1
}

# --- 1. tools, once per WORK ---------------------------------------------
if [ ! -x "$TOOLS/verdaccio/node_modules/.bin/verdaccio" ]; then
  log "installing verdaccio $VERDACCIO_VERSION into $TOOLS/verdaccio"
  npm install --prefix "$TOOLS/verdaccio" --no-audit --no-fund --loglevel=error \
    "verdaccio@$VERDACCIO_VERSION" >/dev/null
fi
if [ ! -x "$TOOLS/pyenv/bin/pypi-server" ]; then
  log "installing pypiserver $PYPISERVER_VERSION into $TOOLS/pyenv"
  "$PY" -m venv "$TOOLS/pyenv"
  "$TOOLS/pyenv/bin/pip" install -q --disable-pip-version-check "pypiserver==$PYPISERVER_VERSION"
fi
# The shared stores' tools (uv from PyPI, pnpm from npm), put on PATH for
# the shared mode only: mcp-risk uses them when it finds them there.
if [ ! -x "$TOOLS/pyenv/bin/uv" ]; then
  log "installing uv $UV_VERSION into $TOOLS/pyenv"
  "$TOOLS/pyenv/bin/pip" install -q --disable-pip-version-check --only-binary=:all: "uv==$UV_VERSION"
fi
if [ ! -x "$TOOLS/pnpm-$PNPM_VERSION/node_modules/.bin/pnpm" ]; then
  log "installing pnpm $PNPM_VERSION into $TOOLS/pnpm-$PNPM_VERSION"
  npm install --prefix "$TOOLS/pnpm-$PNPM_VERSION" --no-audit --no-fund --loglevel=error "pnpm@$PNPM_VERSION" >/dev/null
fi
mkdir -p "$TOOLS/bin"
ln -sf "$TOOLS/pyenv/bin/uv" "$TOOLS/bin/uv"
ln -sf "$TOOLS/pnpm-$PNPM_VERSION/node_modules/.bin/pnpm" "$TOOLS/bin/pnpm"
DEPWHEELS="$TOOLS/wheels-mcp-$MCP_VERSION"
if [ ! -e "$DEPWHEELS/.done" ]; then
  log "fetching the wheels of mcp==$MCP_VERSION and its dependencies (once)"
  "$PY" -m pip download -q --disable-pip-version-check --only-binary=:all: \
    "mcp==$MCP_VERSION" -d "$DEPWHEELS"
  touch "$DEPWHEELS/.done"
fi

verdaccio_config() { # FILE STORAGE WITH_UPLINK
  {
    echo "storage: $2"
    echo "auth: {htpasswd: {file: $2/htpasswd, max_users: -1}}"
    echo "web: {enable: false}"
    echo "log: {type: stdout, format: pretty, level: warn}"
    echo "max_body_size: 200mb"
    if [ "$3" = 1 ]; then
      echo "uplinks: {npmjs: {url: 'https://registry.npmjs.org/', maxage: 365d, cache: true}}"
    fi
    echo "packages:"
    echo "  '@bench/*': {access: \$all, publish: \$all}"
    if [ "$3" = 1 ]; then
      echo "  '**': {access: \$all, publish: \$all, proxy: npmjs}"
    else
      echo "  '**': {access: \$all, publish: \$all}"
    fi
  } >"$1"
}
start_verdaccio() { # CONFIG LOG -> VPORT, VERDACCIO_PID
  VPORT=$(free_port)
  node "$TOOLS/verdaccio/node_modules/.bin/verdaccio" --config "$1" \
    --listen "127.0.0.1:$VPORT" >"$2" 2>&1 &
  VERDACCIO_PID=$!
  PIDS+=("$VERDACCIO_PID")
  wait_http "http://127.0.0.1:$VPORT/-/ping" "$VERDACCIO_PID" verdaccio
}

# The sdk's dependency tree, fetched once through the uplink into a storage
# that later runs serve with no uplink at all.
STORAGE="$WORK/registry/npm-storage"
if [ ! -e "$STORAGE/.prefilled-$SDK_VERSION" ]; then
  log "prefilling verdaccio storage with @modelcontextprotocol/sdk@$SDK_VERSION (once, from npmjs)"
  mkdir -p "$STORAGE"
  verdaccio_config "$WORK/registry/verdaccio-uplink.yaml" "$STORAGE" 1
  start_verdaccio "$WORK/registry/verdaccio-uplink.yaml" "$WORK/registry/verdaccio-prefill.log"
  tmp=$(mktemp -d "$WORK/prefill.XXXX")
  npm install --prefix "$tmp" --no-audit --no-fund --loglevel=error \
    --registry "http://127.0.0.1:$VPORT/" --cache "$tmp/cache" \
    "@modelcontextprotocol/sdk@$SDK_VERSION" >/dev/null
  rm -rf "$tmp"
  kill "$VERDACCIO_PID"; wait "$VERDACCIO_PID" 2>/dev/null || true
  touch "$STORAGE/.prefilled-$SDK_VERSION"
fi

# --- 2. generated packages -----------------------------------------------
GEN="$WORK/gen"
rm -rf "$GEN" "$STORAGE/@bench"
"$PY" "$SCALE/gen.py" "$GEN" --npm "$N" --pypi "$N" --sdk "$SDK_VERSION" --mcp "$MCP_VERSION" >&2
cp -r "$GEN/npm/storage/@bench" "$STORAGE/@bench"
PYPKGS="$WORK/registry/pypi"
rm -rf "$PYPKGS"; mkdir -p "$PYPKGS"
cp "$GEN"/pypi/*.whl "$DEPWHEELS"/*.whl "$PYPKGS/"

# --- 3. the registries, on loopback --------------------------------------
verdaccio_config "$WORK/registry/verdaccio.yaml" "$STORAGE" 0
start_verdaccio "$WORK/registry/verdaccio.yaml" "$WORK/registry/verdaccio.log"
PPORT=$(free_port)
"$TOOLS/pyenv/bin/pypi-server" run -i 127.0.0.1 -p "$PPORT" --disable-fallback \
  -a . -P . "$PYPKGS" >"$WORK/registry/pypiserver.log" 2>&1 &
PYPI_PID=$!; PIDS+=("$PYPI_PID")
wait_http "http://127.0.0.1:$PPORT/simple/" "$PYPI_PID" pypiserver
rm -f "$WORK/registry/mock.port"
"$PY" "$SCALE/mock_registry.py" "$GEN/servers.json" --port-file "$WORK/registry/mock.port" &
MOCK_PID=$!; PIDS+=("$MOCK_PID")
for _ in $(seq 1 50); do [ -s "$WORK/registry/mock.port" ] && break; sleep 0.1; done
MPORT=$(cat "$WORK/registry/mock.port")
wait_http "http://127.0.0.1:$MPORT/v0.1/servers?limit=1" "$MOCK_PID" mock-registry
log "verdaccio :$VPORT, pypiserver :$PPORT, mock registry :$MPORT ($((2 * N)) servers)"

export npm_config_registry="http://127.0.0.1:$VPORT/"
# pnpm 12 reads its own pnpm_config_* variables, not npm_config_registry.
export pnpm_config_registry="$npm_config_registry"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
export PIP_INDEX_URL="http://127.0.0.1:$PPORT/simple/"
export PIP_TRUSTED_HOST=127.0.0.1 PIP_DISABLE_PIP_VERSION_CHECK=1
export UV_INDEX_URL="$PIP_INDEX_URL" UV_DEFAULT_INDEX="$PIP_INDEX_URL"
export UV_PYTHON_DOWNLOADS=never
unset PIP_EXTRA_INDEX_URL PIP_FIND_LINKS UV_EXTRA_INDEX_URL UV_FIND_LINKS

# --- check: two generated servers installed by hand answer tools/list ------
if [ "$SMALL" = 1 ] || [ "${CHECK:-0}" = 1 ]; then
  "$SCALE/check.sh" "$BIN" "$GEN" "$WORK/check" >&2
  rm -rf "$WORK/check"
fi

# --- 4. the scans ----------------------------------------------------------
HELP=$("$BIN" scan --help)
has_flag() { grep -q -- "$1" <<<"$HELP"; }
EXTRA=()
[ -n "${CONCURRENCY:-}" ] && EXTRA+=(--concurrency "$CONCURRENCY")
if [ -n "${INSTALL_JOBS:-}" ]; then
  if has_flag --install-jobs; then EXTRA+=(--install-jobs "$INSTALL_JOBS")
  else log "the binary has no --install-jobs: INSTALL_JOBS ignored"; fi
fi
# No eviction by default: the disk figure is then every install the crawl
# made (CACHE_BUDGET=20G, say, measures a budgeted crawl instead).
if has_flag --cache-budget; then EXTRA+=(--cache-budget "${CACHE_BUDGET:-none}")
elif [ -n "${CACHE_BUDGET:-}" ]; then log "the binary has no --cache-budget: CACHE_BUDGET ignored"; fi
if ! has_flag --no-shared-stores; then
  log "the binary has no --no-shared-stores: one run of its default (plain) installs; the shared mode is skipped"
  MODES=(plain)
  PLAIN_FLAGS=()
else
  PLAIN_FLAGS=(--no-shared-stores)
fi

RESULT="$WORK/result.md"
{
  echo "mcp-risk registry-scale benchmark, $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "binary: $BIN ($("$BIN" --version 2>/dev/null || echo '?'))"
  echo "servers: $N npm (@modelcontextprotocol/sdk $SDK_VERSION) + $N PyPI (mcp $MCP_VERSION FastMCP), $(grep -o '"name": "io.github' "$GEN/servers.json" | wc -l) listed"
  echo
  echo "| mode | servers | ok | tools | statuses | wall | ok servers/hour | load at start | install cache | cache+tool caches | GB/100 servers | peak RSS mcp-risk | peak RSS largest child |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} >"$RESULT"

human() { awk -v b="$1" 'BEGIN{ split("B KB MB GB TB",u," "); i=1; while (b>=1000 && i<5) {b/=1000; i++}; printf (i==1?"%d %s":"%.2f %s"), b, u[i] }'; }

run_mode() {
  local mode=$1 dir="$WORK/run-$1" flags=() path=$PATH
  if [ "$mode" = plain ]; then flags=("${PLAIN_FLAGS[@]}"); else path="$TOOLS/bin:$PATH"; fi
  rm -rf "$dir"; mkdir -p "$dir"
  # Every install tool's own cache lives in the mode's directory, so the disk
  # figure is the whole cost of the crawl and each mode starts empty.
  export npm_config_cache="$dir/npm-cache" PIP_CACHE_DIR="$dir/pip-cache"
  export XDG_CACHE_HOME="$dir/xdg-cache" XDG_DATA_HOME="$dir/xdg-data" UV_CACHE_DIR="$dir/uv-cache"
  local cmd=("$BIN" scan "official:http://127.0.0.1:$MPORT" --allow-exec
    --cache "$dir/cache" --db "$dir/scan.db" --out "$dir/out" "${flags[@]}" "${EXTRA[@]}")
  local note=""
  [ "$path" = "$PATH" ] || note=" (with $TOOLS/bin, holding uv and pnpm, first on PATH)"
  log "mode $mode: ${cmd[*]}$note"
  echo "$mode: ${cmd[*]}$note" >>"$WORK/commands.txt"
  local t0 t1 rc=0 hwm=0
  t0=$(date +%s.%N)
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  PATH=$path setsid /usr/bin/time -v -o "$dir/time.txt" "${cmd[@]}" >"$dir/scan.log" 2>&1 &
  local tpid=$!
  SCAN_PGID=$tpid
  # Peak RSS of mcp-risk itself: its VmHWM, sampled until it exits (time -v
  # reports the largest process of the tree, often npm or pip).
  local spid=""
  while kill -0 "$tpid" 2>/dev/null; do
    [ -n "$spid" ] || spid=$(pgrep -P "$tpid" 2>/dev/null | head -1 || true)
    if [ -n "$spid" ]; then
      local v
      v=$(awk '/^VmHWM/{print $2}' "/proc/$spid/status" 2>/dev/null || true)
      [ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
    fi
    sleep 0.5
  done
  wait "$tpid" || rc=$?
  SCAN_PGID=""
  t1=$(date +%s.%N)
  local wall servers ok tools statuses child disk_cache disk_all
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  servers=$(sqlite3 "$dir/scan.db" 'select count(*) from server' 2>/dev/null || echo '?')
  statuses=$(sqlite3 "$dir/scan.db" "$STATUS_SQL" 2>/dev/null | paste -sd' ' || echo '?')
  ok=$(sqlite3 "$dir/scan.db" "$OK_SQL" 2>/dev/null || echo '?')
  tools=$(sqlite3 "$dir/scan.db" "$TOOLS_SQL" 2>/dev/null || echo '?')
  child=$(awk -F': ' '/Maximum resident set size/{print $2}' "$dir/time.txt")
  disk_cache=$( (du -sb "$dir/cache" 2>/dev/null || echo 0) | cut -f1)
  # One du over everything: a file hardlinked from a shared store counts once.
  local stores
  stores=$(shopt -s nullglob; echo "$dir"/cache "$dir"/*-cache "$dir"/xdg-*)
  # shellcheck disable=SC2086 # the paths are ours, without spaces
  disk_all=$( (du -sbc $stores 2>/dev/null || true) | tail -1 | cut -f1)
  local per_hour gb100
  per_hour=$(awk -v n="$ok" -v w="$wall" 'BEGIN{ if (n+0>0) printf "%d", n*3600/w; else print "-" }')
  gb100=$(awk -v d="$disk_all" -v n="$servers" 'BEGIN{ if (n+0>0) printf "%.2f", d/1e9*100/n; else print "-" }')
  printf '| %s | %s | %s | %s | %s | %s s | %s | %s | %s | %s | %s | %s MB | %s MB |\n' \
    "$mode" "$servers" "$ok" "$tools" "$statuses" "$wall" "$per_hour" "$load" "$(human "$disk_cache")" \
    "$(human "$disk_all")" "$gb100" "$((hwm / 1024))" "$((child / 1024))" >>"$RESULT"
  log "mode $mode: exit $rc, $ok/$servers ok in $wall s, disk $(human "$disk_all")"
  [ "$rc" = 0 ] || log "mode $mode: scan exited with $rc; see $dir/scan.log"
  if [ "${KEEP:-0}" != 1 ]; then rm -rf "$dir/cache" "$dir"/*-cache "$dir"/xdg-*; fi
}

LAST="select * from attempt where id in (select max(id) from attempt group by server_id)"
STATUS_SQL="select status || ':' || count(*) from ($LAST) group by status order by count(*) desc"
OK_SQL="select count(*) from ($LAST) where status = 'ok'"
TOOLS_SQL="select coalesce(sum(tool_count), 0) from ($LAST)"
rm -f "$WORK/commands.txt"
for m in "${MODES[@]}"; do run_mode "$m"; done
{
  echo
  "$PY" "$SCALE/agreement.py" "$WORK/run-${MODES[0]}/scan.db" || true
  echo
  echo "commands:"
  sed 's/^/    /' "$WORK/commands.txt"
} >>"$RESULT"
cat "$RESULT"
