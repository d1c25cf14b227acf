#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side check of svcgw_nl, without the kernel: the module builds one
pyroute2 nla class per attribute set of the YNL spec, with the numbers the
spec (and the uapi header) give; a request encodes to the bytes written
here by hand; those bytes, and a reply built by hand, decode back; the
extended ack of a refusal is found; a missing spec is reported.

    /usr/bin/python3 tools/python/test_svcgw_nl.py

Prints TAP ("ok N - ...", then "1..N"); exit status 1 if a test failed.
"""
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SPEC = os.path.join(ROOT, "Documentation", "netlink", "specs", "svcgw.yaml")
HEADER = os.path.join(ROOT, "uapi", "linux", "svcgw.h")
sys.path.insert(0, HERE)

NLA_F_NESTED = 0x8000
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLMSG_ERROR, NLMSG_DONE = 2, 3
FAMILY_ID = 0x1c                # any generic netlink family id

results = []


def test(name):
    """Decorator: run the function now, one TAP line for it."""
    def run(fn):
        try:
            ok = fn() is not False
            err = None
        except Exception:
            ok, err = False, traceback.format_exc()
        results.append(ok)
        print("%s %d - %s" % ("ok" if ok else "not ok", len(results), name))
        if err:
            for line in err.rstrip().splitlines():
                print("# " + line)
        sys.stdout.flush()
        return fn
    return run


# --- netlink by hand -----------------------------------------------------

# The tests' own packing (selftests/genl.py): attr, nest, u8, u16, u32.
sys.path.insert(0, os.path.join(ROOT, "selftests"))
from genl import attr, nest, u8, u16, u32  # noqa: E402


def u64(t, v):
    return attr(t, struct.pack("Q", v))


def genl_msg(cmd, payload, flags=NLM_F_REQUEST | NLM_F_ACK, seq=0,
             mtype=FAMILY_ID):
    body = struct.pack("BBH", cmd, 1, 0) + payload
    return struct.pack("IHHII", 16 + len(body), mtype, flags, seq, 0) + body


def header_enums(path):
    """{enum name: [(ENUMERATOR, value), ...]} of the uapi header, as
    scripts/check-ynl.py reads it (its own function)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "check_ynl", os.path.join(ROOT, "scripts", "check-ynl.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.header_enums(open(path).read())


def spec_values(spec_set):
    """[(name, value)] of a (non-subset) set of the raw YAML: YNL's rule, a
    value given or one more than the previous, the first 1; unused left
    out."""
    out, val = [], 1
    for a in spec_set["attributes"]:
        val = a.get("value", val)
        if a.get("type") != "unused":
            out.append((a["name"], val))
        val += 1
    return out


# --- the tests -----------------------------------------------------------

m = None


@test("svcgw_nl imports (pyroute2, yaml) and reads the spec of the tree")
def _():
    global m
    os.environ.pop("SVCGW_YNL_SPEC", None)
    import svcgw_nl
    m = svcgw_nl
    fam = m.family()
    assert os.path.samefile(fam.path, SPEC), fam.path
    assert fam.name == "svcgw" and fam.version == 1, (fam.name, fam.version)
    assert fam.top == "svcgw", fam.top


import yaml  # noqa: E402  (after the import test: it needs it too)
RAW = yaml.safe_load(open(SPEC))


@test("every attribute set of the spec became a pyroute2 nla class")
def _():
    from pyroute2.netlink import nla
    fam = m.family()
    names = [s["name"] for s in RAW["attribute-sets"]]
    assert sorted(fam.classes) == sorted(names), (sorted(fam.classes), names)
    for n in names:
        cls = fam.classes[n]
        assert issubclass(cls, nla), n
        attr_name = fam.sets[n].class_attr
        # pyroute2 finds a nest's class by name on the class holding it.
        assert getattr(fam.msg_class, attr_name) is cls, n
        for other in fam.classes.values():
            assert getattr(other, attr_name) is cls, (n, other)
    print("# %d sets: %s" % (len(names), ", ".join(names)))


@test("nla_map of every set: the spec's values, types and NLA_F_NESTED on "
      "nests")
def _():
    fam = m.family()
    raw = {s["name"]: s for s in RAW["attribute-sets"]}
    for name, s in raw.items():
        cls = fam.classes[name]
        if "subset-of" in s:
            parent = dict(spec_values(raw[s["subset-of"]]))
            want = [(a["name"], parent[a["name"]]) for a in s["attributes"]]
        else:
            want = spec_values(s)
        got = [(fam.sets[name].by_nla[e[1]].name, e[0]) for e in cls.nla_map]
        assert got == want, (name, got, want)
        for code, nla_name, cls_attr, flags in cls.nla_map:
            a = fam.sets[name].by_nla[nla_name]
            if a.type == "nest":
                assert flags == NLA_F_NESTED, (name, a.name)
                assert cls_attr == fam.sets[a.nested].class_attr
            else:
                assert flags == 0, (name, a.name)
                want_t = {"u8": "uint8", "u16": "uint16", "u32": "uint32",
                          "u64": "uint64", "string": "asciiz",
                          "binary": "cdata", "flag": "flag",
                          "pad": "none"}[a.type]
                assert cls_attr == want_t, (name, a.name, cls_attr)
    assert fam.msg_class.nla_map == fam.classes["svcgw"].nla_map


@test("attribute numbers and names equal the uapi header's enums")
def _():
    fam = m.family()
    enums = header_enums(HEADER)
    n = 0
    for s in RAW["attribute-sets"]:
        if "enum-name" not in s:
            continue
        want = [(e, v) for e, v in enums[s["enum-name"].replace("-", "_")]
                if not e.endswith("_UNSPEC")]
        got = [(a.nla_name, a.value) for a in fam.sets[s["name"]].attrs]
        assert got == want, (s["name"], got, want)
        n += 1
    print("# %d enums compared" % n)


@test("operation numbers equal the header's enum svcgw_cmd")
def _():
    fam = m.family()
    want = header_enums(HEADER)["svcgw_cmd"]
    got = sorted(((("SVCGW_CMD_" + n.replace("-", "_").upper()), v)
                  for n, v in fam.ops.items() if "_" not in n),
                 key=lambda x: x[1])
    assert got == want, (got, want)


# SERVICE_NEW { SERVICE { FAMILY AF_INET, ADDR 192.0.2.10, PORT 80,
# PROTO tcp } } as kmod/genl.c reads it: attribute numbers of the header.
SVC_BYTES = nest(1,                               # SVCGW_A_SERVICE
                 u16(1, socket.AF_INET),          # SVCGW_SVC_A_FAMILY
                 attr(2, bytes([192, 0, 2, 10])),  # SVCGW_SVC_A_ADDR
                 u16(3, 80),                      # SVCGW_SVC_A_PORT
                 u8(4, socket.IPPROTO_TCP))       # SVCGW_SVC_A_PROTO
REQ = None


@test("service-new request: the bytes written by hand")
def _():
    global REQ
    fam = m.family()
    REQ = fam.encode("service-new", {"service": {
        "family": socket.AF_INET, "addr": "192.0.2.10", "port": 80,
        "proto": socket.IPPROTO_TCP}}, seq=7, family_id=FAMILY_ID)
    want = genl_msg(1, SVC_BYTES, seq=7)
    print("# got  " + REQ.hex())
    print("# want " + want.hex())
    assert REQ == want
    assert len(SVC_BYTES) == 36


@test("the service nest carries NLA_F_NESTED, its attributes do not")
def _():
    ln, t = struct.unpack_from("HH", REQ, 20)
    assert t == 1 | NLA_F_NESTED and ln == 36, (ln, hex(t))
    off = 24
    while off < 20 + ln:
        aln, at = struct.unpack_from("HH", REQ, off)
        assert not at & NLA_F_NESTED, hex(at)
        off += (aln + 3) & ~3


@test("decoding those bytes gives the values back")
def _():
    cmd, a = m.family().decode(REQ)
    assert cmd == 1, cmd
    assert a == {"service": {"family": socket.AF_INET,
                             "addr": bytes([192, 0, 2, 10]), "port": 80,
                             "proto": socket.IPPROTO_TCP}}, a


@test("enum names in a request: mode stateful, down-policy expire, an IPv6 "
      "key")
def _():
    fam = m.family()
    got = fam.encode("service-new", {"service": {
        "family": socket.AF_INET6, "addr": "2001:db8::1", "port": 53,
        "proto": 17, "mode": "stateful", "table-size": 13,
        "down_policy": "expire"}}, seq=1, family_id=FAMILY_ID)
    want = genl_msg(1, nest(1, u16(1, socket.AF_INET6),
                            attr(2, socket.inet_pton(socket.AF_INET6,
                                                     "2001:db8::1")),
                            u16(3, 53), u8(4, 17), u8(5, 2), u32(6, 13),
                            u8(12, 1)), seq=1)
    assert got == want, (got.hex(), want.hex())
    for bad in ({"mode": "fast"}, {"port": 70000}, {"no-such": 1}):
        try:
            fam.encode("service-new", {"service": bad})
        except ValueError as e:
            print("# refused %s: %s" % (bad, e))
        else:
            raise AssertionError("%s accepted" % bad)


@test("batch request: flags, then each service with its server list nest")
def _():
    fam = m.family()
    s1 = {"family": 2, "addr": "192.0.2.10", "port": 80, "proto": 6,
          "mode": "stateless",
          "servers": {"server": [
              {"family": 2, "addr": "198.51.100.11", "weight": 2},
              {"family": 2, "addr": "198.51.100.12", "port": 8080}]}}
    s2 = {"family": 2, "addr": "192.0.2.10", "port": 53, "proto": 17}
    got = fam.encode("batch", [("batch-flags", 1), ("service", s1),
                               ("service", s2)], family_id=FAMILY_ID)
    ip = socket.inet_aton
    want = genl_msg(15, u32(7, 1) +
                    nest(1, u16(1, 2), attr(2, ip("192.0.2.10")), u16(3, 80),
                         u8(4, 6), u8(5, 1),
                         nest(8,
                              nest(2, u16(1, 2), attr(2, ip("198.51.100.11")),
                                   u32(4, 2)),
                              nest(2, u16(1, 2), attr(2, ip("198.51.100.12")),
                                   u16(3, 8080)))) +
                    nest(1, u16(1, 2), attr(2, ip("192.0.2.10")), u16(3, 53),
                         u8(4, 17)))
    assert got == want, (got.hex(), want.hex())
    cmd, a = fam.decode(got)
    assert cmd == 15 and a["batch-flags"] == 1
    # The top-level service is not multi-attr: the last one is kept.
    assert a["service"]["port"] == 53


# A SERVICE_GET dump message as kmod/nl_service.c makes it: u64 counters
# after a pad where nla_put_u64_64bit() needs one, a server with a flag.
def reply_bytes():
    ip = socket.inet_aton
    stats = nest(7, attr(11, b""), u64(1, 1 << 40), attr(11, b""),
                 u64(2, 123456), attr(11, b""), u64(3, 12))
    server = nest(2, u8(7, 1), u32(8, 5000), u16(1, 2),
                  attr(2, ip("198.51.100.13")), u16(3, 80), u32(4, 3),
                  u8(9, 2), u16(10, 6080), attr(11, b""),
                  nest(5, attr(11, b""), u64(1, 10), u64(2, 20), u64(3, 1)))
    svc = nest(1, u16(1, 2), attr(2, ip("192.0.2.10")), u16(3, 80), u8(4, 6),
               u8(5, 2), u32(6, 1021), u32(10, 0), u8(11, 0), u8(12, 1),
               u8(13, 1), u8(14, 0), attr(9, b""), u64(15, 4), u32(16, 7),
               u32(17, 1500), attr(99, b"new"), stats,
               nest(8, server))
    return genl_msg(3, svc, flags=2, seq=3)


@test("a service reply built by hand decodes to the CLI's JSON shape")
def _():
    fam = m.family()
    cmd, a = fam.decode(reply_bytes())
    assert cmd == 3
    got = m._service_out(fam, a["service"])
    want = {"address": "192.0.2.10", "port": 80, "proto": "tcp",
            "mode": "stateful", "table": 1021, "transition": 0,
            "stateful": False, "down_policy": "expire", "state": "stateful",
            "reason": "none", "marked": 7, "transition_left_ms": 1500,
            "packets": 1 << 40, "bytes": 123456, "sessions": 12,
            "switches": 4,
            "servers": [{"address": "198.51.100.13", "port": 80,
                         "weight": 3, "method": "gue", "gue_port": 6080,
                         "shared": True, "state": "draining",
                         "deadline_ms": 5000, "packets": 10, "bytes": 20,
                         "sessions": 1}]}
    assert got == want, got
    assert list(got) == list(want), list(got)


@test("session, stats and config replies: CLI names, addresses as strings")
def _():
    fam = m.family()
    ip6 = socket.inet_pton(socket.AF_INET6, "2001:db8:1::2")
    vip6 = socket.inet_pton(socket.AF_INET6, "2001:db8:10::10")
    srv6 = socket.inet_pton(socket.AF_INET6, "2001:db8:2::11")
    sess = nest(3, u16(1, 10), u8(2, 6), attr(3, ip6), u16(4, 40000),
                attr(5, vip6), u16(6, 80), attr(7, srv6), u16(8, 0),
                u8(9, 3), u32(10, 7190000))
    _, a = fam.decode(genl_msg(6, sess, flags=2))
    got = m._session_out(fam, a["session"])
    want = {"proto": "tcp", "client": "2001:db8:1::2", "client_port": 40000,
            "service": "2001:db8:10::10", "service_port": 80,
            "server": "2001:db8:2::11", "server_port": 80,
            "state": "established", "expires_ms": 7190000, "replica": False}
    assert got == want, got
    st = nest(4, attr(11, b""), u64(1, 5), u64(2, 6), u64(3, 7),
              u32(4, 2), u32(5, 1), u8(12, 0))
    _, a = fam.decode(genl_msg(8, st, flags=0))
    got = m._values_out(fam, "stats", a["stats"])
    assert got == {"packets": 5, "bytes": 6, "sessions": 7, "services": 2,
                   "sessions_cur": 1, "pressure": 0}, got
    cfg = nest(5, u32(1, 1048576), u32(5, 60), attr(6, bytes(4)),
               attr(7, socket.inet_pton(socket.AF_INET6, "2001:db8::5")))
    _, a = fam.decode(genl_msg(11, cfg, flags=0))
    got = m._values_out(fam, "config", a["config"])
    assert got == {"session_max": 1048576, "timeout_udp": 60,
                   "encap_src4": "0.0.0.0", "encap_src6": "2001:db8::5"}, got


def error_msg(err, echo, capped, tlvs, mtype=NLMSG_ERROR):
    flags = (NLM_F_CAPPED if capped else 0) | (NLM_F_ACK_TLVS if tlvs else 0)
    body = struct.pack("i", err)
    if mtype == NLMSG_ERROR:
        body += echo[:16] if capped else echo
    body += tlvs
    return struct.pack("IHHII", 16 + len(body), mtype, flags, 7, 0) + body


@test("extended ack: message and offset after a capped and a whole echo, "
      "in NLMSG_DONE, none in an ack")
def _():
    tlvs = attr(1, b"table size must be a prime\0") + u32(2, 48)
    for capped in (True, False):
        e = m.parse_error(error_msg(-22, REQ, capped, tlvs))
        assert isinstance(e, m.SvcgwError) and isinstance(e, OSError)
        assert e.errno == 22 and e.code == 22, e.errno
        assert e.message == "table size must be a prime", e.message
        assert e.offset == 48, e.offset
        assert str(e) == "[Errno 22] Invalid argument: table size must be " \
                         "a prime", str(e)
    e = m.parse_error(error_msg(-17, REQ, True, b""))
    assert e.errno == 17 and e.message is None, e
    e = m.parse_error(error_msg(-2, b"", False, attr(1, b"no such service\0"),
                                mtype=NLMSG_DONE))
    assert e.errno == 2 and e.message == "no such service", e
    e = m.parse_error(error_msg(-22, REQ, True, u32(5, 4) + u32(6, 20)))
    assert e.miss_type == 4 and e.miss_nest == 20, e
    assert str(e).endswith("missing attribute 4"), str(e)
    assert m.parse_error(error_msg(0, REQ, True, b"")) is None
    assert m.parse_error(error_msg(0, b"", False, b"",
                                   mtype=NLMSG_DONE)) is None
    print("# " + str(m.parse_error(error_msg(-17, REQ, True,
                                             attr(1, b"service exists\0")))))


@test("a missing spec raises SpecError naming it and SVCGW_YNL_SPEC")
def _():
    try:
        m.load_family("/nonexistent/svcgw.yaml")
    except m.SpecError as e:
        print("# " + str(e))
        assert "/nonexistent/svcgw.yaml" in str(e)
        assert "SVCGW_YNL_SPEC" in str(e)
    else:
        raise AssertionError("no error")
    # Through the environment: the import works, family() and Svcgw() say.
    code = ("import svcgw_nl\n"
            "for f in (svcgw_nl.family, svcgw_nl.Svcgw):\n"
            "    try:\n"
            "        f()\n"
            "    except svcgw_nl.SpecError as e:\n"
            "        print(e)\n")
    env = dict(os.environ, SVCGW_YNL_SPEC="/nonexistent/env.yaml",
               PYTHONPATH=HERE)
    out = subprocess.run([sys.executable, "-c", code], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         universal_newlines=True, check=True).stdout
    assert out.count("/nonexistent/env.yaml") == 2, out


@test("SVCGW_YNL_SPEC and load_family(PATH) read another copy of the spec")
def _():
    d = tempfile.mkdtemp()
    try:
        other = os.path.join(d, "copy.yaml")
        shutil.copy(SPEC, other)
        fam = m.load_family(other)
        assert fam is not m.family() and fam.path == other
        assert fam.ops == m.family().ops
        code = "import svcgw_nl; print(svcgw_nl.family().path)"
        env = dict(os.environ, SVCGW_YNL_SPEC=other, PYTHONPATH=HERE)
        out = subprocess.run([sys.executable, "-c", code], env=env,
                             stdout=subprocess.PIPE, universal_newlines=True,
                             check=True).stdout
        assert out.strip() == other, out
    finally:
        shutil.rmtree(d)


print("1..%d" % len(results))
sys.exit(0 if all(results) else 1)
