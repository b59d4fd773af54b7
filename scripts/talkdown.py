#!/usr/bin/env python3
"""Can harmless-sounding text talk a verdict down?

For every tool of the corpus (default ../shared/corpus/dev) that the
classifier calls write or destructive, add the description of each match
example of every rule that reads a tool as read (override and decide rules in
rules/*.toml: "Returns best practices and guidance ...", "Works offline
without API calls", "Create a chat completion", ...) once after the
description (a later sentence) and once before it (a new lead), classify all
of them blind (--ignore-annotations) and count the verdicts that fall (write
or destructive to read, destructive to write), by rule. Nothing is sent to any
server; it runs `mcp-risk classify --input` on files it writes to a temp dir.

    scripts/talkdown.py [--bin target/release/mcp-risk] [--text TEXT ...] [--tools N] [CORPUS_DIR]

With --text (repeatable), those texts are added instead of the rules'
examples: `--text "Returns JSON."` measures what a neutral line about the
output does placed before each tool's description.

Exit 0 always: the counts are a measure, not a gate (a rule that reads a tool
must be able to decide a verbless one; see decide.rs on overrides).
"""
import argparse, collections, glob, json, os, subprocess, sys, tempfile, tomllib

ap = argparse.ArgumentParser()
ap.add_argument("--bin", default="target/release/mcp-risk")
ap.add_argument("--text", action="append", default=[],
                help="add this text instead of the rules' examples (repeatable)")
ap.add_argument("--tools", type=int, default=0, metavar="N",
                help="also list the N tools whose verdicts fell most often, per mode")
ap.add_argument("corpus", nargs="?", default="../shared/corpus/dev")
a = ap.parse_args()
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

texts = []
for f in sorted(glob.glob(os.path.join(root, "rules", "*.toml"))):
    for r in tomllib.load(open(f, "rb")).get("rule", []):
        if r.get("class") != "read" or r.get("effect") not in ("override", "decide"):
            continue
        for m in r.get("examples", {}).get("match", []):
            if m.lstrip().startswith("{"):
                try:
                    d = json.loads(m).get("description", "")
                except ValueError:
                    continue
            else:
                d = m.split(":", 1)[1].strip() if ":" in m else m
            if d:
                texts.append((r["id"], d))

if a.text:
    texts = [("--text", t) for t in a.text]

tools = []
for f in sorted(glob.glob(os.path.join(a.corpus, "*.json"))):
    v = json.load(open(f))
    if isinstance(v, dict):
        v = v.get("tools") or (v.get("result") or {}).get("tools") or []
    tools += [t for t in v if isinstance(t, dict) and isinstance(t.get("name"), str)]

order = {"read": 0, "write": 1, "destructive": 2}

def classify(path):
    out = subprocess.run([a.bin, "classify", "--input", path, "--format", "json",
                          "--ignore-annotations"], capture_output=True, text=True).stdout
    return {t["name"]: (t["class"], t["confidence"]) for s in json.loads(out)["servers"]
            for t in s["tools"]}

with tempfile.TemporaryDirectory() as tmp:
    base_path = os.path.join(tmp, "base.json")
    json.dump({"tools": tools}, open(base_path, "w"))
    base = classify(base_path)
    # Mutating on evidence: an undecided tool (write at low confidence, an
    # unknown tool is never read) may be decided by any reading text.
    mutating = [t for t in tools
                if base.get(t["name"], ("", 0))[0] in ("write", "destructive")
                and base[t["name"]][1] >= 0.5]
    for mode in ("after", "before"):
        out = []
        for t in mutating:
            for i, (_, d) in enumerate(texts):
                t2 = {k: v for k, v in t.items() if k != "annotations"}
                desc = t.get("description") or ""
                t2["description"] = f"{desc.rstrip()} {d}" if mode == "after" else f"{d} {desc}"
                t2["name"] = f"{t['name']}__{i}"
                out.append(t2)
        p = os.path.join(tmp, mode + ".json")
        json.dump({"tools": out}, open(p, "w"))
        got = classify(p)
        fell = collections.Counter()
        by_tool = collections.Counter()
        for name, (c, _) in got.items():
            orig, i = name.rsplit("__", 1)
            b = base[orig][0]
            if b and order[c] < order[b]:
                fell[(texts[int(i)][0], b, c)] += 1
                by_tool[(orig, b, c)] += 1
        print(f"text {mode} the description: {sum(fell.values())} of {len(out)} verdicts fell "
              f"({len(mutating)} mutating tools x {len(texts)} texts)")
        for (rid, b, c), n in fell.most_common(12):
            print(f"  {n:6}  {rid}: {b} -> {c}")
        if a.tools:
            print(f"  tools whose verdict fell most often ({mode}):")
            for (name, b, c), n in by_tool.most_common(a.tools):
                print(f"  {n:6}  {name}: {b} -> {c}")
