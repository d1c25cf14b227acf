#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
check-man.py [--tap] [--out DIR]: the man pages of Documentation/man/ are
built from their reStructuredText (docutils' man page writer, as rst2man)
with no warning, and say what the programs say:

- svcgw(8): its command lines (COMMANDS) and its synopsis are those of
  "svcgw help", word for word, neither more nor fewer; every option of the
  help's OPTIONS and -b/--replace is in its OPTIONS;
- svcgwd(8): its synopsis is "svcgwd --help"'s usage, line for line, and
  every option of that usage has its entry in OPTIONS.

With --out DIR the pages are written there (make man).  Exit status 1 on
any failure; with --tap one TAP line a check.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MAN = os.path.join(ROOT, "Documentation", "man")
SVCGW = os.path.join(ROOT, "tools", "svcgw", "svcgw")
SVCGWD = os.path.join(ROOT, "tools", "svcgwd", "svcgwd")

results = []


def check(ok, desc):
    results.append((bool(ok), desc))


def build(src, out_dir):
    """The man page of @src, or raise with docutils' message."""
    from docutils.core import publish_string
    text = open(src, encoding="utf-8").read()
    page = publish_string(text, source_path=src, writer_name="manpage",
                          settings_overrides={"halt_level": 2,
                                              "report_level": 2,
                                              "warning_stream": sys.stderr})
    if out_dir:
        name = os.path.basename(src)[:-len(".rst")]
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(page)
    return page


def plain(line):
    """An rst line block line of a page as the program prints it."""
    line = line.strip()
    if line.startswith("| "):
        line = line[2:]
    line = line.replace("\\|\\ ", "|").replace("\\ ", "")
    line = line.replace("**", "").replace("*", "")
    return " ".join(line.split())


def section(text, title):
    """The lines of section @title (underlined with '=') of an rst page."""
    m = re.search(r"^%s\n=+\n(.*?)(?=^\S[^\n]*\n=+\n|\Z)" % re.escape(title),
                  text, re.S | re.M)
    return m.group(1).split("\n") if m else []


def line_blocks(lines):
    return [plain(l) for l in lines if l.startswith("| ")]


def help_usage(text, prog):
    """The command lines of a usage text: each "prog ..." line with the
    deeper-indented lines that continue it, joined."""
    out = []
    cur = None
    indent = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        m = re.match(r"^(?:[Uu]sage:\s*)?(%s\b.*)$" % prog, stripped)
        if m:
            if cur:
                out.append(cur)
            cur = m.group(1)
            indent = lead
        elif cur and stripped and lead > indent:
            cur += " " + stripped
        else:
            if cur:
                out.append(cur)
            cur = None
    if cur:
        out.append(cur)
    return [" ".join(c.split()) for c in out]


def compare(name, man_lines, prog_lines, what):
    m, p = set(man_lines), set(prog_lines)
    check(m == p and len(p) > 0,
          "%s: %s: %d in the page, %d in the program%s%s" % (
              name, what, len(m), len(p),
              "".join("; only in the page: " + x for x in sorted(m - p)),
              "".join("; only in the program: " + x for x in sorted(p - m))))


def main():
    tap = "--tap" in sys.argv
    out_dir = None
    if "--out" in sys.argv:
        out_dir = sys.argv[sys.argv.index("--out") + 1]
        os.makedirs(out_dir, exist_ok=True)
    try:
        import docutils  # noqa: F401
    except ImportError:
        print("check-man: python3 has no docutils (apt-get install python3-docutils)",
              file=sys.stderr)
        return 1
    pages = sorted(f for f in os.listdir(MAN) if f.endswith(".rst"))
    texts = {}
    for f in pages:
        src = os.path.join(MAN, f)
        try:
            page = build(src, out_dir)
            check(b".TH" in page, "%s: built with no warning" % f)
            texts[f] = open(src, encoding="utf-8").read()
        except Exception as e:  # docutils' SystemMessage, with FILE:LINE
            check(False, "%s: %s" % (f, str(e).strip().split("\n")[0]))

    t = texts.get("svcgw.8.rst")
    if t is not None:
        h = subprocess.run([SVCGW, "help"], capture_output=True, text=True)
        usage = help_usage(h.stdout + h.stderr, "svcgw")
        head = [u for u in usage if not re.match(r"svcgw [a-z]", u)]
        cmds = [u for u in usage if re.match(r"svcgw [a-z]", u)]
        compare("svcgw.8", line_blocks(section(t, "COMMANDS")), cmds,
                "commands")
        compare("svcgw.8", line_blocks(section(t, "SYNOPSIS")), head,
                "synopsis")
        opts = re.findall(r"^\s*((?:-\w, )?--?[\w-]+)", h.stdout.split(
            "\nOPTIONS", 1)[-1].split("\n\n")[0], re.M)
        opts += ["-b", "--replace"]
        man_opts = "\n".join(section(t, "OPTIONS"))
        missing = [o for o in opts
                   if not re.search(r"^%s\b" % re.escape(o), man_opts, re.M)]
        check(not missing and len(opts) > 2,
              "svcgw.8: the options of svcgw help in OPTIONS (%s)%s" % (
                  ", ".join(opts), "; missing: " + ", ".join(missing)
                  if missing else ""))

    t = texts.get("svcgwd.8.rst")
    if t is not None:
        h = subprocess.run([SVCGWD, "--help"], capture_output=True, text=True)
        usage = help_usage(h.stdout + h.stderr, "svcgwd")
        compare("svcgwd.8", line_blocks(section(t, "SYNOPSIS")), usage,
                "synopsis")
        opts = sorted(set(re.findall(r"(?<![\w-])(-f|--[a-z][\w-]+)",
                                     " ".join(usage))))
        man_opts = "\n".join(section(t, "OPTIONS"))
        missing = [o for o in opts
                   if not re.search(r"^\*\*%s\b" % re.escape(o), man_opts,
                                    re.M)]
        check(not missing and opts,
              "svcgwd.8: every option of its usage has an entry in OPTIONS (%s)%s"
              % (", ".join(opts), "; missing: " + ", ".join(missing)
                 if missing else ""))

    failed = 0
    for i, (ok, desc) in enumerate(results, 1):
        failed += not ok
        if tap:
            print("%s %d - %s" % ("ok" if ok else "not ok", i, desc))
        elif not ok:
            print("check-man: " + desc, file=sys.stderr)
    if tap:
        print("1..%d" % len(results))
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
