#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# check-ynl.py: the YNL spec (Documentation/netlink/specs/svcgw.yaml)
# against the uapi header (uapi/linux/svcgw.h): every enum of the spec's
# definitions and every attribute set with an enum-name must be the
# header's enum of that name, entry for entry, with the same values; a
# nest names a set of the spec, an enum attribute a definition of it.
#
#   check-ynl.py [--tap] [SPEC HEADER]
#
# --tap (make check): TAP, one test per enum, after two self-tests that
# show the check can fail (a header with two entries swapped, one with an
# entry missing).  Exit status 1 on any mismatch.
import argparse
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def header_enums(text):
    """enum NAME { A, B = 3, ... } of a C header: {NAME: [(A, 0), ...]}."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    enums = {}
    for m in re.finditer(r"enum\s+(\w+)\s*\{(.*?)\};", text, re.S):
        vals, v = [], -1
        for ent in m.group(2).split(","):
            ent = ent.strip()
            if not ent:
                continue
            name, _, val = ent.partition("=")
            name = name.strip()
            if val.strip():
                try:
                    v = int(val.strip(), 0)
                except ValueError:
                    continue        # FOO_MAX = __FOO_MAX - 1
            else:
                v += 1
            if not name.startswith("__"):
                vals.append((name, v))
        enums[m.group(1)] = vals
    return enums


def c_name(s):
    return s.replace("-", "_").upper()


def spec_enums(spec):
    """(enum name, [(NAME, value), ...]) of the spec, in its order."""
    out = []
    for d in spec["definitions"]:
        if d["type"] != "enum":
            continue
        en = (d.get("enum-name") or "svcgw-" + d["name"]).replace("-", "_")
        pre = d.get("name-prefix", "svcgw-" + d["name"] + "-")
        names = [e["name"] if isinstance(e, dict) else e
                 for e in d["entries"]]
        out.append((en, [(c_name(pre + n), i) for i, n in enumerate(names)]))
    for a in spec["attribute-sets"]:
        if "enum-name" not in a:
            continue
        en = a["enum-name"].replace("-", "_")
        first = a["attributes"][0].get("value", 0)
        out.append((en, [(c_name(a["name-prefix"] + x["name"]), first + i)
                         for i, x in enumerate(a["attributes"])]))
    return out


def references(spec):
    """Nests and enums of attributes that name nothing in the spec."""
    sets = {s["name"] for s in spec["attribute-sets"]}
    defs = {d["name"] for d in spec["definitions"]}
    bad = []
    for a in spec["attribute-sets"]:
        for x in a["attributes"]:
            n = x.get("nested-attributes")
            if n and n not in sets:
                bad.append("%s.%s: no attribute set %s" % (a["name"],
                                                           x["name"], n))
            e = x.get("enum")
            if e and e not in defs:
                bad.append("%s.%s: no enum %s" % (a["name"], x["name"], e))
    return bad


def compare(spec, enums):
    """[(enum, problem or None)] for every enum of the spec."""
    res = []
    for en, got in spec_enums(spec):
        want = enums.get(en)
        if want is None:
            res.append((en, "not in the header"))
        elif got != want:
            for i, (a, b) in enumerate(zip(got + [None] * len(want),
                                           want + [None] * len(got))):
                if a != b:
                    res.append((en, "entry %d: spec %s, header %s" %
                                (i, a, b)))
                    break
        else:
            res.append((en, None))
    return res


def self_tests(spec, enums):
    """The check fails on a swapped and on a missing header entry."""
    name, vals = next((n, v) for n, v in enums.items() if len(v) > 3 and
                      any(n == e for e, _ in spec_enums(spec)))
    swapped = dict(enums)
    v = list(vals)
    v[1], v[2] = (v[2][0], v[1][1]), (v[1][0], v[2][1])
    swapped[name] = v
    missing = dict(enums)
    missing[name] = vals[:-1]
    return [("two entries of %s swapped: refused" % name,
             any(e == name and p for e, p in compare(spec, swapped))),
            ("an entry of %s missing: refused" % name,
             any(e == name and p for e, p in compare(spec, missing)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tap", action="store_true")
    ap.add_argument("spec", nargs="?", default=os.path.join(
        ROOT, "Documentation/netlink/specs/svcgw.yaml"))
    ap.add_argument("header", nargs="?", default=os.path.join(
        ROOT, "uapi/linux/svcgw.h"))
    args = ap.parse_args()
    with open(args.spec) as f:
        spec = yaml.safe_load(f)
    with open(args.header) as f:
        enums = header_enums(f.read())
    res = compare(spec, enums)
    refs = references(spec)
    failed = any(p for _, p in res) or bool(refs)
    if not args.tap:
        for en, p in res:
            print("%s: %s" % (en, p or "ok"))
        for r in refs:
            print(r)
        return 1 if failed else 0
    tests = [(ok, "self-test: " + name) for name, ok in
             self_tests(spec, enums)]
    tests += [(p is None, "%s matches the header%s" %
               (en, "" if p is None else " (" + p + ")")) for en, p in res]
    tests.append((not refs, "nests and enums name what the spec has%s" %
                  ("" if not refs else " (" + "; ".join(refs) + ")")))
    print("TAP version 13")
    print("1..%d" % len(tests))
    for i, (ok, name) in enumerate(tests, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
    return 0 if all(ok for ok, _ in tests) else 1


if __name__ == "__main__":
    sys.exit(main())
