#!/usr/bin/env bash
# Rebuild the held-out corpus (reports/heldout/MANIFEST.tsv) on a fresh machine
# and measure the classifier on it.
#
# For each manifest row: install the package at the pinned version (npm into a
# prefix of its own, or a python venv + pip for PyPI), list its tools with
# `mcp-risk probe` (sandboxed: no network, dummy environment, never
# tools/call), write <server>.json ({"tools": [...]}, as the stored copies
# were written) into OUTDIR, and say per server `ok N tools` or `FAILED` with
# the reason. A failing server does not stop the others. Finally runs
# `mcp-risk eval --input OUTDIR` (and `--errors` with -e). Exit 0 when every
# server listed its tools, 3 when some failed (the eval covers the rest), 1
# when none did or on a setup error.
#
#   scripts/heldout.sh                       # every row, into /tmp/mcp-risk-heldout
#   scripts/heldout.sh -o DIR resend mysql   # only these servers
#   scripts/heldout.sh -s heldout-b3         # only one set (batch)
#   MCP_RISK=path/to/mcp-risk scripts/heldout.sh
#
# Options: -o OUTDIR (default /tmp/mcp-risk-heldout), -w WORKDIR where the
# packages are installed (default /tmp/mcp-risk-heldout-pkgs; reused on a
# rerun: a server installed before is not installed again), -m MANIFEST,
# -s SET, -e (also `eval --errors`), -t SECONDS probe timeout (default 60).
#
# Needs: the network to the npm registry and PyPI, node + npm (node 20 ran
# every npm row), python3 with the venv module (3.11 ran every PyPI row of
# batches 1-17; batch 18 was probed with 3.13: PYTHON=python3.13 picks the
# interpreter; Debian: apt-get install python3-venv), and a built mcp-risk (MCP_RISK, else
# target/release or target/debug, else it runs `cargo build`). Not a test: it
# needs the network, so nothing under tests/ or .ci/ runs it.
#
# Manifest columns (tab-separated): set, server, registry (npm|pypi), package
# (name@version, then optionally extra requirements installed with it,
# space-separated: "x-mcp@1.0 mcp<2" for a server that crashes on mcp 2), source_repo, protocol_version, tools (count when stored),
# command (the installed executable and its arguments, split on spaces), env
# (space-separated NAME or NAME=VALUE; a bare NAME is set to "dummy").
set -uo pipefail
cd "$(dirname "$0")/.."

OUT=/tmp/mcp-risk-heldout
WORK=/tmp/mcp-risk-heldout-pkgs
MANIFEST=reports/heldout/MANIFEST.tsv
ONLY_SET=
ERRORS=
TIMEOUT=60
while getopts "o:w:m:s:et:h" opt; do
  case $opt in
    o) OUT=$OPTARG ;;
    w) WORK=$OPTARG ;;
    m) MANIFEST=$OPTARG ;;
    s) ONLY_SET=$OPTARG ;;
    e) ERRORS=1 ;;
    t) TIMEOUT=$OPTARG ;;
    *) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
ONLY=" $* "

PY=${PYTHON:-python3}
for need in npm node "$PY"; do
  command -v $need >/dev/null || { echo "heldout.sh: $need not found" >&2; exit 1; }
done
"$PY" -c 'import venv, ensurepip' 2>/dev/null \
  || { echo "heldout.sh: $PY lacks venv/ensurepip (Debian: apt-get install python3-venv)" >&2; exit 1; }

MCP=${MCP_RISK:-}
if [ -z "$MCP" ]; then
  for b in target/release/mcp-risk target/debug/mcp-risk; do
    [ -x "$b" ] && { MCP=$PWD/$b; break; }
  done
fi
if [ -z "$MCP" ]; then
  cargo build --bin mcp-risk || exit 1
  MCP=$PWD/target/debug/mcp-risk
fi
# The sandboxed server runs under a uid of its own (when we are root): it must
# be able to reach its own install directory.
mkdir -p "$OUT" "$WORK" && chmod 755 "$WORK"

ok=0 failed=0 summary=()
# Fields split on \037, not on tabs: read collapses runs of a whitespace IFS,
# which would shift the columns after an empty one.
while IFS=$'\037' read -r set server registry package repo proto ntools command env; do
  [ "$set" = set ] && continue
  [ -n "$server" ] || continue
  [ -z "$ONLY_SET" ] || [ "$set" = "$ONLY_SET" ] || continue
  [ "$ONLY" = "  " ] || [[ "$ONLY" == *" $server "* ]] || continue
  dir=$WORK/$server
  rm -f "$OUT/$server.json"
  # A package may carry extra requirements after a space ("x@1.0 mcp<2"):
  # installed with it, for servers that crash on a newer dependency.
  read -r pkg extra <<< "$package"
  name=${pkg%@*} version=${pkg##*@}
  mkdir -p "$dir" && chmod 755 "$dir"
  reason=
  # 1. install (once)
  if [ ! -e "$dir/.installed" ]; then
    case $registry in
      npm)
        echo '{"name":"heldout-'"$server"'","private":true}' > "$dir/package.json"
        # A failed install is tried once more without the packages' own
        # scripts: some want pnpm in a preinstall, or download a browser.
        { (cd "$dir" && timeout 900 npm install --no-audit --no-fund "$name@$version" $extra) \
            || (cd "$dir" && timeout 900 npm install --no-audit --no-fund --ignore-scripts "$name@$version" $extra); } \
          > "$dir/install.log" 2>&1 \
          || reason="npm install failed: $(grep -m1 -i 'error' "$dir/install.log" | cut -c1-160) (log: $dir/install.log)" ;;
      pypi)
        { "$PY" -m venv "$dir/venv" && timeout 900 "$dir/venv/bin/pip" install -q "$name==$version" $extra; } \
          > "$dir/install.log" 2>&1 \
          || reason="pip install failed: $(grep -m1 -i 'error' "$dir/install.log" | cut -c1-160) (log: $dir/install.log)" ;;
      *) reason="unknown registry '$registry'" ;;
    esac
    [ -n "$reason" ] || touch "$dir/.installed"
  fi
  # 2. probe
  if [ -z "$reason" ]; then
    if [ "$registry" = npm ]; then bin=$dir/node_modules/.bin; else bin=$dir/venv/bin; fi
    read -r -a argv <<< "$command"
    envargs=()
    for e in $env; do
      case $e in *=*) envargs+=(--env "$e") ;; *) envargs+=(--env "$e=dummy") ;; esac
    done
    exe=$bin/${argv[0]}
    # A package that ships a binary without a bin entry (a platform package
    # of a Go server): take it from the package's own bin/ folder.
    pkgbin=$dir/node_modules/$name/bin/${argv[0]}
    if [ ! -x "$exe" ] && [ "$registry" = npm ] && [ -f "$pkgbin" ]; then
      chmod +x "$pkgbin" && exe=$pkgbin
    fi
    if [ ! -x "$exe" ]; then
      reason="command ${argv[0]} not installed in $bin"
    else
      (cd "$dir" && PATH=$bin:$PATH "$MCP" probe --format json --timeout "$TIMEOUT" \
        ${envargs[@]+"${envargs[@]}"} -- "$exe" "${argv[@]:1}") > "$dir/probe.json" 2> "$dir/probe.err"
      # 3. keep the tool list, written as the stored copies were
      reason=$(python3 - "$dir/probe.json" "$OUT/$server.json" "$ntools" <<'PY'
import json, sys
src, dst, want = sys.argv[1:4]
try:
    d = json.load(open(src))
except Exception as e:
    print(f"probe printed no JSON ({e})"); sys.exit()
if d.get("status") != "ok":
    print(f"probe status {d.get('status')}: {d.get('detail', '')}"); sys.exit()
tools = d.get("tools") or []
with open(dst, "w") as f:
    json.dump({"tools": tools}, f, indent=1, ensure_ascii=False)
note = "" if not want or str(len(tools)) == want else f" (manifest says {want})"
print(f"OK {len(tools)} tools{note}")
PY
)
    fi
  fi
  case $reason in
    OK*) ok=$((ok + 1)); line="ok      $server: ${reason#OK }" ;;
    *) failed=$((failed + 1)); line="FAILED  $server: $reason" ;;
  esac
  echo "$line"
  summary+=("$line")
done < <(tr '\t' '\037' < "$MANIFEST")

echo
echo "$ok servers ok, $failed failed; tool lists in $OUT"
[ $((ok + failed)) -gt 0 ] || { echo "heldout.sh: no manifest row matched" >&2; exit 1; }
[ "$ok" -gt 0 ] || exit 1
echo
"$MCP" eval --input "$OUT" ${ERRORS:+--errors} || exit
# Like the CLI's exit 3 for skipped inputs: measured, but not on every server.
[ "$failed" -eq 0 ] || exit 3
