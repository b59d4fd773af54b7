#!/usr/bin/env python3
"""How the classifier's verdicts on the generated servers compare with the
kind gen.py meant for each tool (the kind of its verb: read, write or
destructive). A side figure of the benchmark, not an accuracy measure: the
generated descriptions are templates, and some pairings are debatable
(archiving counts as changing existing state; revoking is destructive).

Usage: agreement.py SCAN_DB
"""

import json
import os
import re
import sqlite3
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

KIND = {verb: kind for verb, kind, _ in gen.VERBS}
# Changing existing state is destructive in MCP's sense (destructiveHint: the
# tool "may perform destructive updates"), and so in mcp-risk's classes: the
# generator draws these from its write pool, the comparison expects them so.
for verb in ("update", "set", "rename", "archive"):
    KIND[verb] = "destructive"


def intended(name):
    words = [w.lower() for w in re.split(r"[_.\-]|(?<=[a-z0-9])(?=[A-Z])", name) if w]
    for w in words:
        if w in KIND:
            return KIND[w]
    return None


def main():
    db = sqlite3.connect(sys.argv[1])
    rows = db.execute(
        "select t.name, c.verdict from classification c join tool t on t.id = c.tool_id"
    ).fetchall()
    kinds = ["read", "write", "destructive"]
    matrix = {(a, b): 0 for a in kinds for b in kinds + ["other"]}
    for name, verdict in rows:
        want = intended(name)
        if want is None:
            continue
        got = json.loads(verdict).get("class")
        matrix[(want, got if got in kinds else "other")] += 1
    total = sum(matrix.values())
    same = sum(matrix[(k, k)] for k in kinds)
    print(f"classifier vs generator's intended kind: {same}/{total} agree"
          f" ({100 * same / max(total, 1):.1f}%)")
    print("intended \\ classified  " + "  ".join(f"{k:>11}" for k in kinds + ["other"]))
    for a in kinds:
        print(f"{a:>21}  " + "  ".join(f"{matrix[(a, b)]:>11}" for b in kinds + ["other"]))


if __name__ == "__main__":
    main()
