#!/usr/bin/env python3
"""Per-server markdown table of `mcp-risk eval` (for issue notes and reports).

    scripts/eval_table.py [--bin BIN] DIR_OR_FILE

Runs `BIN eval --input DIR --format json` (BIN defaults to target/release/mcp-risk)
and prints a markdown table: server, labelled tools, read/mut, miss,
miss-ctr, rd-hi, F1, F1-contract, mislabel, with the overall row last.
"""
import json, subprocess, sys

args = sys.argv[1:]
binary = "target/release/mcp-risk"
if args[:1] == ["--bin"]:
    binary, args = args[1], args[2:]
if len(args) != 1:
    sys.exit(__doc__)
out = subprocess.run([binary, "eval", "--input", args[0], "--format", "json"], capture_output=True, text=True)
if out.returncode not in (0, 3):
    sys.exit(out.stderr)
print("| server | tools | read/mut | miss | miss-ctr | rd-hi | F1 | F1-contract | mislabel |")
print("|---|---|---|---|---|---|---|---|---|")
for s in json.loads(out.stdout)["servers"]:
    name = f"**{s['server']}**" if s["server"] == "(overall)" else s["server"]
    print(f"| {name} | {s['labelled']} | {s['read_vs_mutating_accuracy']:.3f} | {100 * s['dangerous_miss_rate']:.1f}% "
          f"| {100 * s['dangerous_miss_rate_contract']:.1f}% | {100 * s['reads_high_rate']:.1f}% "
          f"| {s['macro_f1']:.3f} | {s['macro_f1_contract']:.3f} | {s['contradictions']} |")
