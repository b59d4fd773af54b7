#!/usr/bin/env python3
"""Which tools change class or risk between two mcp-risk binaries (or two rules dirs).

    scripts/verdict_diff.py OLD_BIN NEW_BIN [DIR ...]
    RULES_OLD=path RULES_NEW=path scripts/verdict_diff.py BIN BIN DIR

Classifies every *.json under each DIR (default: ../shared/corpus/dev,
../shared/corpus/unlabelled, tests/fixtures/corpus) with both binaries, blind
(--ignore-annotations) and with the declared annotations, and prints one line
per tool whose class or risk differs: mode, server, tool, old -> new, and the
author's label when there is one (r = readOnlyHint, d = destructiveHint,
w = declared mutating but not destructive). Ends with counts, and per label how
many moved towards or away from it. A review aid for rule changes, not a test.
"""
import json, os, subprocess, sys


def classify(binary, d, blind, rules):
    env = dict(os.environ)
    if rules:
        env["MCP_RISK_RULES"] = rules
    args = [binary, "classify", "--input", d, "--format", "json"]
    if blind:
        args.append("--ignore-annotations")
    out = subprocess.run(args, env=env, capture_output=True, text=True)
    if out.returncode not in (0, 3):
        sys.exit(f"{binary} failed on {d}: {out.stderr.strip()}")
    res = {}
    for s in json.loads(out.stdout)["servers"]:
        for t in s["tools"]:
            decl = t.get("declared") or {}
            lab = None
            if decl.get("readOnlyHint") is True:
                lab = "r"
            elif decl.get("destructiveHint") is True:
                lab = "d"
            elif decl.get("readOnlyHint") is False or decl.get("destructiveHint") is False:
                lab = "w"
            res[(s["server"], t["name"])] = (t["class"], t["risk"], lab)
    return res


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    old, new = sys.argv[1], sys.argv[2]
    dirs = sys.argv[3:] or ["../shared/corpus/dev", "../shared/corpus/unlabelled", "tests/fixtures/corpus"]
    ro, rn = os.environ.get("RULES_OLD"), os.environ.get("RULES_NEW")
    changed = total = 0
    toward = away = 0
    for d in dirs:
        if not os.path.exists(d):
            print(f"(skipped {d}: not found)", file=sys.stderr)
            continue
        for blind in (True, False):
            a, b = classify(old, d, blind, ro), classify(new, d, blind, rn)
            mode = "blind" if blind else "declared"
            for k in sorted(a):
                total += 1
                if k not in b or a[k][:2] == b[k][:2]:
                    continue
                changed += 1
                lab = a[k][2]
                mark = ""
                if lab and blind:
                    want = {"r": "read", "w": ("write", "destructive"), "d": "destructive"}[lab]
                    ok = lambda c: c == want or (isinstance(want, tuple) and c in want)
                    if ok(b[k][0]) and not ok(a[k][0]):
                        toward += 1
                        mark = " +"
                    elif ok(a[k][0]) and not ok(b[k][0]):
                        away += 1
                        mark = " -"
                print(f"{mode:8} {os.path.basename(d)}/{k[0]} {k[1]}: {a[k][0]}/{a[k][1]} -> {b[k][0]}/{b[k][1]}"
                      f"{' label ' + lab if lab else ''}{mark}")
    print(f"{changed} of {total} verdicts changed; blind, against the label: {toward} towards, {away} away")


main()
