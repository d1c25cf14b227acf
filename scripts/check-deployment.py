#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
check-deployment.py [--tap]: the configurations of
Documentation/deployment.rst are what the daemons accept, as written:

- each literal block after a paragraph that names BIRD is a BIRD 2
  configuration ("bird -p -c FILE": parsed, nothing started); a line of
  "..." alone (more of the same) is left out;
- each one after a paragraph that names FRR is an FRR configuration
  ("vtysh -C -f FILE": checked, nothing applied);
- the one after a paragraph that names svcgwd.conf is an svcgwd file
  ("svcgwd --check").

A daemon that is not installed skips its blocks (TAP "# SKIP").  Exit
status 1 on any failure; with --tap one TAP line a block.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DOC = os.environ.get("DEPLOYMENT_RST",
                     os.path.join(ROOT, "Documentation", "deployment.rst"))
SVCGWD = os.path.join(ROOT, "tools", "svcgwd", "svcgwd")


def blocks(path):
    """(line, paragraph, text) of each literal block: a paragraph ending
    in "::", then a blank line, then indented lines."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out = []
    i = 0
    while i < len(lines):
        if not lines[i].rstrip().endswith("::"):
            i += 1
            continue
        j = i
        while j > 0 and lines[j - 1].strip():
            j -= 1
        para = " ".join(l.strip() for l in lines[j:i + 1])
        k = i + 1
        while k < len(lines) and not lines[k].strip():
            k += 1
        start = k
        body = []
        while k < len(lines) and (not lines[k].strip() or
                                  lines[k].startswith(" ")):
            body.append(lines[k])
            k += 1
        while body and not body[-1].strip():
            body.pop()
        indent = min((len(l) - len(l.lstrip()) for l in body if l.strip()),
                     default=0)
        text = "\n".join(l[indent:] for l in body) + "\n"
        out.append((start + 1, para, text))
        i = k
    return out


def kind(para):
    """What the block after @para is, by the paragraph's last sentence
    (the one that leads into it)."""
    para = re.split(r"(?<=[.)])\s+(?=[A-Z`])", para)[-1]
    if "svcgwd.conf" in para:
        return "svcgwd"
    if "BIRD" in para:
        return "bird"
    if "FRR" in para:
        return "frr"
    return None


def run(argv):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    msg = (p.stdout + p.stderr).strip().replace("\n", " | ")
    return p.returncode, msg


def main():
    tap = "--tap" in sys.argv[1:]
    results = []
    tools = {"bird": shutil.which("bird") or (os.path.exists("/usr/sbin/bird")
                                              and "/usr/sbin/bird"),
             "frr": shutil.which("vtysh"),
             "svcgwd": os.access(SVCGWD, os.X_OK) and SVCGWD}
    seen = {"bird": 0, "frr": 0, "svcgwd": 0}
    for line, para, text in blocks(DOC):
        k = kind(para)
        if not k:
            continue
        seen[k] += 1
        where = "deployment.rst:%d (%s)" % (line, k)
        if not tools[k]:
            results.append((True, "%s # SKIP %s not installed" % (where, k)))
            continue
        if k == "bird":
            text = "\n".join(l for l in text.split("\n")
                             if l.strip() != "...") + "\n"
        with tempfile.NamedTemporaryFile("w", suffix=".conf",
                                         delete=False) as f:
            f.write(text)
            name = f.name
        try:
            if k == "bird":
                rc, msg = run([tools[k], "-p", "-c", name])
            elif k == "frr":
                rc, msg = run([tools[k], "-C", "-f", name])
            else:
                rc, msg = run([tools[k], "--check", name])
        finally:
            os.unlink(name)
        results.append((rc == 0, "%s: %s" % (where, msg or "accepted")
                        if rc else "%s accepted" % where))
    # The page has the blocks this script is for: a rename would skip them.
    results.append((seen["bird"] >= 3 and seen["frr"] >= 3 and
                    seen["svcgwd"] >= 1,
                    "the page has its blocks: %d BIRD, %d FRR, %d svcgwd"
                    % (seen["bird"], seen["frr"], seen["svcgwd"])))
    failed = 0
    for n, (ok, desc) in enumerate(results, 1):
        failed += not ok
        if tap:
            print("%s %d - %s" % ("ok" if ok else "not ok", n, desc))
        elif not ok:
            print("check-deployment: " + desc, file=sys.stderr)
    if tap:
        print("1..%d" % len(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
