#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# check-layers.py: the layering of the module's files.
#
# kmod/LAYERS puts every object of the module (the svcgw-y list of
# kmod/Kbuild) in a numbered layer; a higher layer is nearer the top.  This
# script reads the global symbols that each built object defines and uses
# (nm on kmod/<name>.o, so "make module" first), draws the graph "file A
# uses a symbol defined in file B", and checks four rules:
#
#   objects  every object Kbuild builds is in exactly one layer, and every
#            file LAYERS names is built;
#   upward   no file uses a file of a higher layer;
#   cycle    the graph has no cycle, not even within one layer;
#   unused   every global symbol is used by another file of the module,
#            unless LAYERS allows it (an entry point: init_module, what the
#            kernel build adds) or EXPORT_SYMBOL*() exports it.  Anything
#            else should be static, or is there for the host unit tests
#            only and does not belong in the .ko.
#
# Symbols that no object of the module defines are the kernel's and are
# not part of the graph.
#
# Usage:
#   check-layers.py              print the graph in words, then one line per
#                                problem; exit status 1 if there is one
#   check-layers.py --dot FILE   also write the graph for Graphviz (dot)
#   check-layers.py --tap        TAP for make check: the self-tests, then
#                                one test per rule, its problems as # lines
#   check-layers.py --selftest   only the self-tests (synthetic nm output)
#
# The LAYERS format: one statement a line, "#" starts a comment.
#
#   LEVEL NAME FILE...    LEVEL an integer, higher is nearer the top; NAME a
#                         word describing the layer; FILEs as in Kbuild,
#                         without ".o".  A file may use the files of its
#                         own level and of lower ones.  A level may take
#                         several lines if they give it the same NAME.
#   allow SYMBOL...       globals that need no user in the module (entry
#                         points); a SYMBOL may be a shell-style pattern,
#                         e.g. __UNIQUE_ID*.

import argparse
import collections
import fnmatch
import os
import re
import subprocess
import sys
import textwrap

RULES = (
    ("objects", "every object is in one layer, every layer file is built"),
    ("upward", "no file uses a file of a higher layer"),
    ("cycle", "no cycle between files"),
    ("unused", "every global symbol is used by another file"),
)

# nm's symbol types; upper case is global.  A weak definition (W, V) gives
# way to a strong one of the same name at link time.  Lower-case w and v
# are weak references to a symbol defined elsewhere: uses.
STRONG_DEFS = set("TDBRGSCu")
WEAK_DEFS = set("WV")
USES = set("Uwv")

WORD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
FILE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$")


class Layers:
    """What LAYERS says, and what was wrong with it."""

    def __init__(self, path):
        self.path = path
        self.level = {}     # file -> level
        self.line = {}      # file -> line number
        self.names = {}     # level -> (name, line number)
        self.allow = []     # (pattern, line number)
        self.errors = []    # "path:line: message"

    def level_name(self, level):
        return self.names[level][0]

    def allowed(self, sym):
        return any(fnmatch.fnmatchcase(sym, pat) for pat, _ in self.allow)


def parse_layers(text, path):
    spec = Layers(path)

    def error(num, msg):
        spec.errors.append("%s:%d: %s" % (path, num, msg))

    for num, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if words[0] == "allow":
            if len(words) == 1:
                error(num, "'allow' names no symbol")
            spec.allow += [(pat, num) for pat in words[1:]]
            continue
        try:
            level = int(words[0], 10)
        except ValueError:
            error(num, "expected 'LEVEL NAME FILE...' or 'allow SYMBOL...', "
                  "not '%s'" % words[0])
            continue
        if len(words) < 3:
            error(num, "level %d: expected a NAME and at least one FILE" %
                  level)
            continue
        name = words[1]
        if not WORD_RE.match(name):
            error(num, "level %d: '%s' is not a word" % (level, name))
            continue
        if level in spec.names and spec.names[level][0] != name:
            error(num, "level %d is '%s' at line %d, not '%s'" %
                  (level, spec.names[level][0], spec.names[level][1], name))
            continue
        spec.names.setdefault(level, (name, num))
        for file in words[2:]:
            if file.endswith(".o"):
                file = file[:-2]
            if not FILE_RE.match(file):
                error(num, "'%s' is not a file name" % file)
            elif file in spec.level:
                error(num, "%s is already in level %d at line %d" %
                      (file, spec.level[file], spec.line[file]))
            else:
                spec.level[file] = level
                spec.line[file] = num
    return spec


def parse_kbuild(text, path):
    """The composite module of a Kbuild file and its objects, in order.

    Reads obj-m and <module>-y or <module>-objs (:=, = or +=), joining
    backslash continuations.  Returns (module, objects, errors).
    """
    lines = []
    acc, start = "", None
    for num, line in enumerate(text.splitlines(), 1):
        start = start or num
        if line.endswith("\\"):
            acc += line[:-1] + " "
            continue
        lines.append((start, acc + line))
        acc, start = "", None
    if start:
        lines.append((start, acc))

    assign = re.compile(r"^\s*([\w.$()-]+)\s*(:=|\+=|\?=|=)\s*(.*)$")
    modules = []
    lists = collections.defaultdict(list)
    for num, line in lines:
        m = assign.match(line.split("#", 1)[0])
        if not m:
            continue
        var, op, value = m.groups()
        if var == "obj-m":
            if op != "+=":
                modules = []
            modules += [(w, num) for w in value.split()]
        else:
            lists[var].append((num, op, value.split()))

    errors = []
    if not modules:
        return None, [], ["%s: no obj-m" % path]
    module, num = modules[0]
    if len(modules) > 1:
        errors.append((num, "obj-m has %d modules, this check reads the "
                       "first" % len(modules)))
    if not module.endswith(".o"):
        return None, [], ["%s:%d: obj-m: '%s' is not an object" %
                          (path, num, module)]
    module = module[:-2]

    # Kbuild links $(module-objs) $(module-y), in that order.
    found = {module + "-objs": [], module + "-y": []}
    for var, assigns in lists.items():
        if not var.startswith(module + "-"):
            continue
        if var not in found:
            for num, _, _ in assigns:
                errors.append((num, "cannot read %s, only %s-y and %s-objs" %
                               (var, module, module)))
            continue
        for num, op, words in assigns:
            if op != "+=":
                found[var] = []
            for w in words:
                if w.endswith(".o"):
                    found[var].append(w[:-2])
                else:
                    errors.append((num, "%s: '%s' is not an object" %
                                   (var, w)))
    objects = []
    for obj in found[module + "-objs"] + found[module + "-y"]:
        if obj not in objects:
            objects.append(obj)
    if not any(var in lists for var in found):
        objects = [module]
    return module, objects, ["%s:%d: %s" % (path, num, msg)
                             for num, msg in sorted(errors)]


class Syms:
    """The global symbols of one object, from nm's output."""

    def __init__(self):
        self.strong = {}        # symbol -> nm type
        self.weak = {}
        self.uses = set()
        self.exported = set()

    def defines(self):
        return dict(self.weak, **self.strong)


def parse_nm(text):
    syms = Syms()
    for line in text.splitlines():
        # "VALUE TYPE NAME", or "TYPE NAME" for an undefined symbol;
        # anything else is a "file:" header or a blank line.
        words = line.split()
        if len(words) < 2 or len(words[-2]) != 1:
            continue
        kind, name = words[-2], words[-1]
        if kind in STRONG_DEFS:
            syms.strong[name] = kind
        elif kind in WEAK_DEFS:
            syms.weak[name] = kind
        elif kind in USES:
            syms.uses.add(name)
        elif name.startswith("__ksymtab_"):
            # EXPORT_SYMBOL*() leaves a local __ksymtab_<symbol>.
            syms.exported.add(name[len("__ksymtab_"):])
    return syms


def run_nm(path):
    """nm's output for @path, or None and why not."""
    nm = os.environ.get("NM", "nm")
    try:
        res = subprocess.run([nm, path], capture_output=True, text=True)
    except OSError as e:
        return None, "%s: %s" % (nm, e.strerror)
    if res.returncode != 0:
        err = res.stderr.strip().splitlines()
        return None, err[-1] if err else "%s failed" % nm
    return res.stdout, None


class Result:
    def __init__(self, objects):
        self.objects = list(objects)    # in Kbuild's order
        self.edges = {}                 # (user, definer) -> [symbol]
        self.problems = {rule: [] for rule, _ in RULES}
        self.upward = set()             # edges that go up
        self.on_cycle = set()           # edges that lie on a cycle
        self.readable = True            # every object was read

    def order(self, edge):
        return (self.objects.index(edge[0]), self.objects.index(edge[1]))


def find_cycles(nodes, edges):
    """One cycle through each edge that lies on a cycle, the shortest.

    The strongly connected components first (Tarjan); an edge a -> b within
    one closes a cycle with the shortest path from b back to a.  Several
    edges may close the same cycle: each is returned once, as a list of
    nodes that starts and ends with the earliest of them in @nodes.  The
    shortest cycles come first.
    """
    succ = collections.defaultdict(list)
    for a, b in sorted(edges, key=lambda e: nodes.index(e[1])):
        succ[a].append(b)

    index, low, comp = {}, {}, {}
    stack, on_stack = [], set()

    def connect(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in succ[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp[w] = v
                if w == v:
                    break

    for v in nodes:
        if v not in index:
            connect(v)

    def shortest(src, dst):
        prev = {src: None}
        queue = collections.deque([src])
        while dst not in prev:
            v = queue.popleft()
            for w in succ[v]:
                if comp[w] == comp[src] and w not in prev:
                    prev[w] = v
                    queue.append(w)
        path = [dst]
        while prev[path[-1]] is not None:
            path.append(prev[path[-1]])
        return path[::-1]

    cycles, seen = [], set()
    for a, b in sorted(edges, key=lambda e: (nodes.index(e[0]),
                                             nodes.index(e[1]))):
        if a == b or comp[a] != comp[b]:
            continue
        ring = [a] + shortest(b, a)[:-1]
        first = min(range(len(ring)), key=lambda i: nodes.index(ring[i]))
        ring = tuple(ring[first:] + ring[:first])
        if ring not in seen:
            seen.add(ring)
            cycles.append(list(ring) + [ring[0]])
    cycles.sort(key=lambda c: (len(c), [nodes.index(n) for n in c]))
    return cycles


def check(objects, spec, syms, kbuild_path):
    """Apply the rules to the objects and their symbols (name -> Syms)."""
    res = Result(objects)
    prob = res.problems

    prob["objects"] += spec.errors
    for obj in objects:
        if obj not in spec.level:
            prob["objects"].append("%s is built (%s) but in no layer of %s" %
                                   (obj, kbuild_path, spec.path))
    for file in sorted(spec.level, key=lambda f: spec.line[f]):
        if file not in objects:
            prob["objects"].append("%s:%d: %s is not built by %s" %
                                   (spec.path, spec.line[file], file,
                                    kbuild_path))
    res.readable = all(obj in syms for obj in objects)
    objects = [obj for obj in objects if obj in syms]

    # Who defines what.  A strong definition wins over weak ones, and of
    # weak ones alone the linker takes the first.
    strong = collections.defaultdict(list)
    weak = collections.defaultdict(list)
    for obj in objects:
        for sym in syms[obj].strong:
            strong[sym].append(obj)
        for sym in syms[obj].weak:
            weak[sym].append(obj)

    edges = collections.defaultdict(set)
    used = set()
    for obj in objects:
        for sym in syms[obj].uses:
            for definer in strong.get(sym) or weak.get(sym, [])[:1]:
                if definer != obj:
                    edges[(obj, definer)].add(sym)
                    used.add(sym)
    res.edges = {edge: sorted(s) for edge, s in edges.items()}

    def where(f):
        return "%s (%d %s)" % (f, spec.level[f],
                               spec.level_name(spec.level[f]))

    for a, b in sorted(res.edges, key=res.order):
        if a in spec.level and b in spec.level and \
           spec.level[b] > spec.level[a]:
            res.upward.add((a, b))
            prob["upward"].append("%s uses %s: %s" %
                                  (where(a), where(b),
                                   " ".join(res.edges[(a, b)])))

    for ring in find_cycles(objects, res.edges):
        hops = list(zip(ring, ring[1:]))
        res.on_cycle.update(hops)
        prob["cycle"].append("%s (%s)" % (" -> ".join(ring), "; ".join(
            "%s uses %s: %s" % (a, b, " ".join(res.edges[(a, b)]))
            for a, b in hops)))

    for obj in objects:
        for sym, kind in sorted(syms[obj].defines().items()):
            if sym in used or sym in syms[obj].exported or spec.allowed(sym):
                continue
            prob["unused"].append("%s defines %s (%s), used by no other "
                                  "file: static, or not in the module" %
                                  (obj, sym, kind))
    return res


# -- output ----------------------------------------------------------------

def layer_groups(res, spec):
    """[(level or None, [file])], the top layer first, then no layer."""
    levels = sorted({spec.level[o] for o in res.objects if o in spec.level},
                    reverse=True)
    groups = [(lv, [o for o in res.objects if spec.level.get(o) == lv])
              for lv in levels]
    nolayer = [o for o in res.objects if o not in spec.level]
    if nolayer:
        groups.append((None, nolayer))
    return groups


def print_graph(res, spec, module, out):
    def wrap(text):
        return textwrap.fill(text, width=78, initial_indent="    ",
                             subsequent_indent="        ",
                             break_on_hyphens=False, break_long_words=False)

    groups = layer_groups(res, spec)
    print("%s.ko: %d objects in %d layers (%s); a file may use the files "
          "of its layer and below" %
          (module, len(res.objects), len([g for g in groups if g[0] is not
                                          None]), spec.path), file=out)
    for lv, files in groups:
        print("", file=out)
        if lv is None:
            print("in no layer", file=out)
        else:
            print("layer %d %s" % (lv, spec.level_name(lv)), file=out)
        for obj in files:
            print("  " + obj, file=out)
            uses = sorted((e for e in res.edges if e[0] == obj),
                          key=res.order)
            for edge in uses:
                b = edge[1]
                notes = ["layer %d" % spec.level[b] if b in spec.level
                         else "no layer"]
                if edge in res.upward:
                    notes.append("UPWARD")
                if edge in res.on_cycle:
                    notes.append("CYCLE")
                print(wrap("uses %s (%s): %s" % (b, ", ".join(notes),
                                                 " ".join(res.edges[edge]))),
                      file=out)
            if not uses:
                print("    uses no other file", file=out)
            users = sorted((a for a, b in res.edges if b == obj),
                           key=res.objects.index)
            print(wrap("used by " + (" ".join(users) if users
                                     else "no other file")), file=out)


def dot_id(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def write_dot(res, spec, module, path):
    """Graphviz DOT: one rank per layer, the top layer first; an edge is
    labelled with its number of symbols and has them as its tooltip; upward
    uses are red, uses on a cycle bold, files in no layer dashed."""
    lines = ["// %s.ko: A -> B when file A uses a symbol file B defines; "
             "layers of %s" % (module, spec.path),
             "digraph %s {" % dot_id(module + " layers"),
             "\trankdir=TB;",
             "\tnewrank=true;",
             '\tnode [shape=box, fontname="sans-serif"];',
             '\tedge [fontname="sans-serif", fontsize=10];']
    prev = None
    for lv, files in layer_groups(res, spec):
        if lv is None:
            lines += ["\t%s [style=dashed];" % dot_id(f) for f in files]
            continue
        # The layers' labels, chained by invisible edges, order the ranks.
        label = dot_id("layer %d" % lv)
        lines.append("\t%s [shape=plaintext, label=%s];" %
                     (label, dot_id("%d %s" % (lv, spec.level_name(lv)))))
        if prev:
            lines.append("\t%s -> %s [style=invis];" % (prev, label))
        lines.append("\t{ rank=same; %s; }" %
                     "; ".join([label] + [dot_id(f) for f in files]))
        prev = label
    for edge in sorted(res.edges, key=res.order):
        syms = res.edges[edge]
        attrs = ["label=%s" % dot_id(str(len(syms))),
                 "tooltip=%s" % dot_id(" ".join(syms))]
        if edge in res.upward:
            attrs += ["color=red", "fontcolor=red"]
        if edge in res.on_cycle:
            attrs.append("penwidth=2.5")
        lines.append("\t%s -> %s [%s];" % (dot_id(edge[0]), dot_id(edge[1]),
                                           ", ".join(attrs)))
    lines.append("}")
    if os.path.dirname(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


# -- self-tests ------------------------------------------------------------
#
# Synthetic nm output for a module "m" of three files, through the same
# parsers and check() as the real objects.  In the clean graph a (top) uses
# b and c, b uses c (bottom); a has the entry points and what the kernel
# build adds, b an exported symbol, c a weak one that b uses weakly.

ST_KBUILD = """\
obj-m := m.o
m-y := a.o \\
\tb.o
m-y += c.o
"""

ST_LAYERS = """\
# bottom first
0 pure  c
1 base  b\t# a comment
2 top   a
allow init_module cleanup_module __this_module __UNIQUE_ID* __mod_*
"""

ST_NM = {
    "a": """\
0000000000000000 T init_module
0000000000000010 T cleanup_module
0000000000000000 d __UNIQUE_ID___addressable_init_module7
0000000000000000 R __mod_pci__ids_device_table
                 U __this_module
                 U __fentry__
                 U _printk
                 U b_get
                 U c_hash
                 U c_table
""",
    "b": """\
0000000000000040 T b_get
0000000000000080 T b_export
0000000000000000 r __ksymtab_b_export
0000000000000000 t b_local
                 U c_hash
                 w c_weak
""",
    "c": """\
0000000000000000 T c_hash
0000000000000010 W c_weak
0000000000000000 R c_table
0000000000000000 t c_local
""",
}

ST_UNUSED = "used by no other file: static, or not in the module"

# (description, nm output that differs, LAYERS, Kbuild, the problems
# expected per rule and, for the clean graph, its edges)
ST_CASES = (
    ("a clean graph passes", {}, ST_LAYERS, ST_KBUILD,
     {"edges": ["a -> b: b_get", "a -> c: c_hash c_table",
                "b -> c: c_hash c_weak"]}),
    ("a cycle within a layer fails, as a path",
     {"c": ST_NM["c"] + "                 U b_get\n"},
     "0 base c b\n1 top a\nallow init_module cleanup_module __*\n",
     ST_KBUILD,
     {"cycle": ["b -> c -> b (b uses c: c_hash c_weak; c uses b: b_get)"]}),
    ("an upward use fails",
     {"a": ST_NM["a"] + "                 w c_weak\n",
      "b": "0000000000000040 T b_get\n0000000000000080 T b_export\n",
      "c": ST_NM["c"] + "                 U b_export\n"},
     ST_LAYERS, ST_KBUILD,
     {"upward": ["c (0 pure) uses b (1 base): b_export"]}),
    ("an unused global fails",
     {"c": ST_NM["c"] + "0000000000000020 T c_test_only\n"
                        "0000000000000008 B c_count\n"},
     ST_LAYERS, ST_KBUILD,
     {"unused": ["c defines c_count (B), " + ST_UNUSED,
                 "c defines c_test_only (T), " + ST_UNUSED]}),
    ("cycles of three files: one per use on a cycle, the shortest first",
     {"c": ST_NM["c"] + "                 U init_module\n"},
     "0 all a b c\nallow cleanup_module __*\n", ST_KBUILD,
     {"cycle": ["a -> c -> a (a uses c: c_hash c_table; c uses a: "
                "init_module)",
                "a -> b -> c -> a (a uses b: b_get; b uses c: c_hash c_weak;"
                " c uses a: init_module)"]}),
    ("bad LAYERS lines are FILE:LINE errors",
     {}, ST_LAYERS + "x pure c\n1 other d\n3 top\n4 top-1 b\nallow\n",
     ST_KBUILD,
     {"objects": [
         "LAYERS:6: expected 'LEVEL NAME FILE...' or 'allow SYMBOL...', "
         "not 'x'",
         "LAYERS:7: level 1 is 'base' at line 3, not 'other'",
         "LAYERS:8: level 3: expected a NAME and at least one FILE",
         "LAYERS:9: b is already in level 1 at line 3",
         "LAYERS:10: 'allow' names no symbol"]}),
    ("an object in no layer, a layer file not built",
     {"d": "0000000000000000 T d_fn\n                 U c_hash\n"},
     ST_LAYERS.replace("2 top   a", "2 top   a e"), ST_KBUILD + "m-y += d.o\n",
     {"objects": ["d is built (Kbuild) but in no layer of LAYERS",
                  "LAYERS:4: e is not built by Kbuild"],
      "unused": ["d defines d_fn (T), " + ST_UNUSED]}),
)


def selftests():
    """[(passed, description, details)]"""
    out = []
    for desc, nm, layers, kbuild, want in ST_CASES:
        module, objects, errors = parse_kbuild(kbuild, "Kbuild")
        spec = parse_layers(layers, "LAYERS")
        spec.errors += errors
        syms = {obj: parse_nm(text) for obj, text in dict(ST_NM, **nm).items()}
        res = check(objects, spec, syms, "Kbuild")
        details = []
        if "edges" in want:
            edges = ["%s -> %s: %s" % (a, b, " ".join(res.edges[(a, b)]))
                     for a, b in sorted(res.edges, key=res.order)]
            if edges != want["edges"]:
                details += ["graph: expected %s" % want["edges"],
                            "graph: got %s" % edges]
        for rule, _ in RULES:
            got, exp = res.problems[rule], want.get(rule, [])
            if got != exp:
                details += ["%s: expected %s" % (rule, exp or "nothing")]
                details += ["%s: got %s" % (rule, got or "nothing")]
        out.append((not details, "selftest: " + desc, details))
    return out


# -- main ------------------------------------------------------------------

def load(args, repo):
    """Read Kbuild, LAYERS and the objects.  Returns (module, spec, result).
    What could not be read is in spec.errors."""
    def rel(p):
        p = os.path.abspath(p)
        return os.path.relpath(p, repo) if p.startswith(repo + os.sep) else p

    kbuild = args.kbuild or os.path.join(repo, "kmod", "Kbuild")
    layers = args.layers or os.path.join(os.path.dirname(kbuild), "LAYERS")
    objdir = args.objdir or os.path.dirname(kbuild)

    module, objects, errors = None, [], []
    try:
        with open(kbuild) as f:
            module, objects, errors = parse_kbuild(f.read(), rel(kbuild))
    except OSError as e:
        errors = ["%s: %s" % (rel(kbuild), e.strerror)]
    try:
        with open(layers) as f:
            spec = parse_layers(f.read(), rel(layers))
    except OSError as e:
        spec = Layers(rel(layers))
        spec.errors.append("%s: %s" % (rel(layers), e.strerror))
    spec.errors[:0] = errors

    syms = {}
    for obj in objects:
        path = os.path.join(objdir, obj + ".o")
        if not os.path.exists(path):
            spec.errors.append("%s: not built (make module)" % rel(path))
            continue
        text, err = run_nm(path)
        if err:
            spec.errors.append("%s: %s" % (rel(path), err))
        else:
            syms[obj] = parse_nm(text)
    return module or "?", spec, check(objects, spec, syms, rel(kbuild))


def tap(results):
    """Print @results as TAP; returns the number of failures."""
    print("TAP version 13")
    failed = 0
    for num, (status, desc, details) in enumerate(results, 1):
        if status in (True, False):
            status = "ok" if status else "not ok"
        failed += status != "ok"
        print("%s %d - %s" % (status, num, desc))
        for line in details:
            print("# " + line)
    print("1..%d" % len(results))
    return failed


def main():
    p = argparse.ArgumentParser(
        description="Check the layering of the module's files: "
                    "kmod/LAYERS against what kmod/*.o define and use.")
    p.add_argument("--kbuild", metavar="FILE",
                   help="the module's Kbuild (default: kmod/Kbuild)")
    p.add_argument("--layers", metavar="FILE",
                   help="the layers (default: LAYERS beside Kbuild)")
    p.add_argument("--objdir", metavar="DIR",
                   help="where the objects are (default: Kbuild's folder)")
    p.add_argument("--dot", metavar="FILE",
                   help="also write the graph in Graphviz's DOT")
    p.add_argument("--tap", action="store_true",
                   help="TAP: the self-tests, then one test per rule")
    p.add_argument("--selftest", action="store_true",
                   help="only the self-tests, in TAP")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="the problems only, not the graph")
    args = p.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    if args.selftest:
        return 1 if tap(selftests()) else 0

    module, spec, res = load(args, repo)
    if args.dot:
        write_dot(res, spec, module, args.dot)

    if args.tap:
        results = selftests()
        for rule, desc in RULES:
            if rule != "objects" and not res.readable:
                results.append(("ok", "%s: %s # SKIP an object was not read" %
                                (rule, desc), []))
            else:
                results.append((not res.problems[rule], "%s: %s" %
                                (rule, desc), res.problems[rule]))
        return 1 if tap(results) else 0

    if not args.quiet:
        print_graph(res, spec, module, sys.stdout)
        sys.stdout.flush()
    probs = ["%s: %s" % (rule, p)
             for rule, _ in RULES for p in res.problems[rule]]
    if not probs:
        return 0
    if not args.quiet:
        print(file=sys.stderr)
    for line in probs:
        print(line, file=sys.stderr)
    print("%d problem%s" % (len(probs), "s"[len(probs) == 1:]),
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
