# SPDX-License-Identifier: GPL-2.0
"""svcgw_nl: the svcgw generic netlink family from Python, on pyroute2.

The attribute numbers and types are not written here: they are read from
the family's YNL spec (Documentation/netlink/specs/svcgw.yaml, which
scripts/check-ynl.py checks against uapi/linux/svcgw.h) when the module is
imported, and every attribute set of the spec becomes a pyroute2 nla class.
The spec is looked for at $SVCGW_YNL_SPEC, else at
../../Documentation/netlink/specs/svcgw.yaml from this file (the tree),
else at ../../../share/svcgw/svcgw.yaml (where make install puts it); Svcgw(spec=PATH)
takes another one.

    import svcgw_nl

    with svcgw_nl.Svcgw() as gw:
        gw.service_add("192.0.2.10", 80, "tcp", mode="stateful")
        gw.server_add("192.0.2.10", 80, "tcp", "198.51.100.11")
        for svc in gw.services():
            print(svc["address"], svc["port"], len(svc["servers"]))

Replies come back as plain data shaped like the JSON of the svcgw CLI
(``svcgw -j service show``, ``session show``, ``stats``, ``config show``).
A refused request raises SvcgwError, an OSError whose errno is the
kernel's and whose ``message`` is the kernel's extended ack text.
Documentation/python.rst has the whole interface.

The family has no multicast group, so there is no monitor here.
"""

import errno
import os
import socket
import struct
import warnings

try:
    import yaml
except ImportError as _e:  # pragma: no cover
    raise ImportError("svcgw_nl reads the svcgw YNL spec with PyYAML "
                      "(Debian: python3-yaml): %s" % _e) from _e

from pyroute2.netlink import (
    NETLINK_EXT_ACK,
    NLA_F_NESTED,
    NLM_F_ACK,
    NLM_F_ACK_TLVS,
    NLM_F_CAPPED,
    NLM_F_DUMP,
    NLM_F_DUMP_INTR,
    NLM_F_REQUEST,
    NLMSG_DONE,
    NLMSG_ERROR,
    SOL_NETLINK,
    genlmsg,
    nla,
)
from pyroute2.netlink.exceptions import NetlinkError
from pyroute2.netlink.generic import GenericNetlinkSocket

__all__ = [
    "SPEC_ENV",
    "DEFAULT_SPEC",
    "SpecError",
    "SvcgwError",
    "Family",
    "load_family",
    "family",
    "Svcgw",
    "parse_error",
]

SPEC_ENV = "SVCGW_YNL_SPEC"
_HERE = os.path.dirname(os.path.abspath(__file__))
# The tree's spec (tools/python/ beside Documentation/), else the one
# "make install" puts in PREFIX/share/svcgw/ when this file is in
# PREFIX/lib/python3/dist-packages/.
_SPECS = [os.path.normpath(os.path.join(_HERE, *p)) for p in (
    ("..", "..", "Documentation", "netlink", "specs", "svcgw.yaml"),
    ("..", "..", "..", "share", "svcgw", "svcgw.yaml"))]
DEFAULT_SPEC = next((p for p in _SPECS if os.path.exists(p)), _SPECS[0])

# Not in pyroute2 0.7.2 (linux/netlink.h, linux/socket.h).
NETLINK_CAP_ACK = 10
SO_SNDBUFFORCE = 32
NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2
NLMSGERR_ATTR_MISS_TYPE = 5
NLMSGERR_ATTR_MISS_NEST = 6

# A dump that raced with a change (NLM_F_DUMP_INTR) is done again, up to
# this many times in all, as the CLI does.
DUMP_TRIES = 4

# YNL scalar types -> pyroute2 nla atom classes (host byte order, and
# network byte order for "byte-order: big-endian").
_NLA_TYPES = {
    "u8": "uint8", "u16": "uint16", "u32": "uint32", "u64": "uint64",
    "s8": "int8", "s16": "int16", "s32": "int32", "s64": "int64",
    "string": "asciiz", "binary": "cdata", "flag": "flag", "pad": "none",
}
_NLA_TYPES_BE = {
    "u8": "uint8", "u16": "be16", "u32": "be32", "u64": "be64",
    "s8": "int8", "s16": "sbe16", "s32": "sbe32", "s64": "sbe64",
}
_INT_RANGE = {
    "u8": (0, 0xff), "u16": (0, 0xffff), "u32": (0, 0xffffffff),
    "u64": (0, 0xffffffffffffffff),
    "s8": (-0x80, 0x7f), "s16": (-0x8000, 0x7fff),
    "s32": (-0x80000000, 0x7fffffff),
    "s64": (-0x8000000000000000, 0x7fffffffffffffff),
}

_PROTOS = {"tcp": socket.IPPROTO_TCP, "udp": socket.IPPROTO_UDP}
_PROTO_NAMES = {v: k for k, v in _PROTOS.items()}
_ADDR_LEN = {socket.AF_INET: 4, socket.AF_INET6: 16}


class SpecError(Exception):
    """The YNL spec is missing, unreadable or says what this module cannot
    express."""


class SvcgwError(OSError):
    """A request the kernel refused (or a failure of the socket).

    errno, strerror: the kernel's errno and its text.
    message: the extended ack message (NLMSGERR_ATTR_MSG), or None.
    offset: the offset in the request of the attribute at fault
            (NLMSGERR_ATTR_OFFS), or None.
    miss_type, miss_nest: a missing attribute's type and the offset of the
            nest it belongs in (NLMSGERR_ATTR_MISS_*), or None.
    """

    def __init__(self, err, message=None, offset=None, miss_type=None,
                 miss_nest=None):
        super().__init__(err, os.strerror(err))
        self.message = message
        self.offset = offset
        self.miss_type = miss_type
        self.miss_nest = miss_nest

    @property
    def code(self):
        """The errno, under the name pyroute2's NetlinkError uses."""
        return self.errno

    def __str__(self):
        s = "[Errno %d] %s" % (self.errno, self.strerror)
        if self.message:
            s += ": " + self.message
        elif self.miss_type is not None:
            s += ": missing attribute %d" % self.miss_type
        return s


def _c_name(s):
    return s.replace("-", "_").upper()


def _key_name(s):
    """An attribute or entry name as a Python keyword: "-" -> "_"."""
    return s.replace("-", "_")


class Attr(object):
    """One attribute of an attribute set of the spec."""

    __slots__ = ("name", "value", "type", "nla_name", "nla_type", "nested",
                 "multi", "enum", "checks", "byte_order")

    def __repr__(self):
        return "Attr(%s=%d, %s)" % (self.name, self.value, self.type)


class AttrSet(object):
    """An attribute set of the spec and its generated nla class."""

    def __init__(self, name):
        self.name = name
        self.attrs = []          # in spec order, "unused" ones left out
        self.by_name = {}        # spec name and its "_" spelling -> Attr
        self.by_nla = {}         # nla (C enumerator) name -> Attr
        self.class_attr = "ynl_" + _key_name(name)
        self.nla_class = None

    def add(self, a):
        self.attrs.append(a)
        self.by_name[a.name] = a
        self.by_name[_key_name(a.name)] = a
        self.by_nla[a.nla_name] = a

    def lookup(self, key):
        try:
            return self.by_name[key]
        except KeyError:
            raise ValueError("attribute set %s has no attribute %r (it has %s)"
                             % (self.name, key,
                                ", ".join(a.name for a in self.attrs))) \
                from None

    def __repr__(self):
        return "AttrSet(%s)" % self.name


class _SvcgwNla(nla):
    """Base of the generated nla classes: every set's class is attached to
    it by its class_attr name, which is how pyroute2 finds the class of a
    nest (nla_map names it, compile_nla() does getattr())."""

    __slots__ = ()


class Family(object):
    """The family as the YNL spec at @path says: its enums, attribute sets
    (each with a pyroute2 nla class), operations, and the generic netlink
    message class whose nla_map is the operations' attribute set.
    Needs no socket: encode() and decode() work on bytes."""

    def __init__(self, path):
        self.path = path
        try:
            with open(path) as f:
                loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
                spec = yaml.load(f, Loader=loader)
        except FileNotFoundError:
            raise SpecError(
                "svcgw YNL spec not found: %s (set %s or pass spec=PATH)"
                % (path, SPEC_ENV)) from None
        except (OSError, yaml.YAMLError) as e:
            raise SpecError("cannot read the svcgw YNL spec %s: %s"
                            % (path, e)) from None
        if not isinstance(spec, dict) or "attribute-sets" not in spec:
            raise SpecError("%s is not a YNL spec (no attribute-sets)" % path)
        self.spec = spec
        self.name = spec["name"]
        self.version = spec.get("version", 1)
        self.consts = {}
        self.enums = {}          # name -> {entry name: value}
        self.enum_names = {}     # name -> {value: entry name}
        self.sets = {}           # name -> AttrSet
        self.ops = {}            # name -> value (and the "_" spelling)
        self.op_names = {}       # value -> name
        self._load_definitions(spec.get("definitions") or [])
        self._load_sets(spec["attribute-sets"])
        self._load_ops(spec.get("operations") or {})
        self._build_classes()

    # --- the spec -----------------------------------------------------

    def _load_definitions(self, defs):
        for d in defs:
            if d["type"] == "const":
                self.consts[d["name"]] = d["value"]
            elif d["type"] in ("enum", "flags"):
                start = d.get("value-start", 0)
                vals = {}
                for i, e in enumerate(d.get("entries") or []):
                    name = e["name"] if isinstance(e, dict) else e
                    if isinstance(e, dict) and "value" in e:
                        v = e["value"]
                    elif d["type"] == "flags":
                        v = 1 << (start + i)
                    else:
                        v = start + i
                    vals[name] = v
                self.enums[d["name"]] = vals
                self.enum_names[d["name"]] = {v: k for k, v in vals.items()}

    def _load_sets(self, sets):
        raw = {s["name"]: s for s in sets}
        # Sets that are not subsets first: a subset takes its attributes'
        # values and types from the set it is a subset of.
        for s in sorted(sets, key=lambda s: "subset-of" in s):
            aset = AttrSet(s["name"])
            parent = s.get("subset-of")
            if parent is not None and parent not in self.sets:
                raise SpecError("attribute set %s: subset of unknown set %s"
                                % (s["name"], parent))
            val = 1
            prefix = s.get("name-prefix",
                           "%s-a-%s-" % (self.name, s["name"]))
            for elem in s.get("attributes") or []:
                if parent is not None:
                    base = self.sets[parent].by_name.get(elem["name"])
                    if base is None:
                        raise SpecError("attribute set %s: %s is not in %s"
                                        % (s["name"], elem["name"], parent))
                    src = dict(next(x for x in raw[parent]["attributes"]
                                    if x["name"] == elem["name"]))
                    src.update(elem)
                    value, nla_name = base.value, base.nla_name
                else:
                    src = elem
                    if "value" in elem:
                        val = elem["value"]
                    value, nla_name = val, _c_name(prefix + elem["name"])
                    val += 1
                if src.get("type") == "unused":
                    continue
                a = Attr()
                a.name = src["name"]
                a.value = value
                a.type = src.get("type")
                a.nla_name = nla_name
                a.nested = src.get("nested-attributes")
                a.multi = bool(src.get("multi-attr"))
                a.enum = src.get("enum")
                a.checks = src.get("checks") or {}
                a.byte_order = src.get("byte-order")
                a.nla_type = self._nla_type(s["name"], a)
                aset.add(a)
            self.sets[s["name"]] = aset
        for aset in self.sets.values():
            for a in aset.attrs:
                if a.type == "nest" and a.nested not in self.sets:
                    raise SpecError("%s.%s nests unknown set %s"
                                    % (aset.name, a.name, a.nested))

    def _nla_type(self, set_name, a):
        if a.type == "nest":
            if not a.nested:
                raise SpecError("%s.%s: nest without nested-attributes"
                                % (set_name, a.name))
            return "ynl_" + _key_name(a.nested)
        table = _NLA_TYPES_BE if a.byte_order == "big-endian" else {}
        t = table.get(a.type) or _NLA_TYPES.get(a.type)
        if t is None:
            raise SpecError("%s.%s: YNL type %r is not supported by svcgw_nl"
                            % (set_name, a.name, a.type))
        return t

    def _load_ops(self, ops):
        val = 1
        tops = set()
        for op in ops.get("list") or []:
            if "value" in op:
                val = op["value"]
            self.ops[op["name"]] = val
            self.ops[_key_name(op["name"])] = val
            self.op_names[val] = op["name"]
            if "attribute-set" in op:
                tops.add(op["attribute-set"])
            val += 1
        if len(tops) > 1:
            raise SpecError("operations use several attribute sets (%s): "
                            "svcgw_nl has one message class"
                            % ", ".join(sorted(tops)))
        self.top = tops.pop() if tops else self.name
        if self.top not in self.sets:
            raise SpecError("the operations' attribute set %s is not in the "
                            "spec" % self.top)

    # --- pyroute2 classes ----------------------------------------------

    def _nla_map(self, aset):
        return tuple((a.value, a.nla_name, a.nla_type,
                      NLA_F_NESTED if a.type == "nest" else 0)
                     for a in aset.attrs)

    def _build_classes(self):
        # One base per family: its class attributes are this spec's sets.
        base = type("SvcgwNla", (_SvcgwNla,), {"__slots__": ()})
        self.nla_base = base
        for aset in self.sets.values():
            aset.nla_class = type(aset.class_attr, (base,), {
                "__slots__": (),
                "nla_map": self._nla_map(aset),
                "__doc__": "Attribute set %s of the %s YNL spec."
                           % (aset.name, self.name),
            })
        classes = {s.class_attr: s.nla_class for s in self.sets.values()}
        for k, v in classes.items():
            setattr(base, k, v)
        body = {"__slots__": (), "nla_map": self._nla_map(self.sets[self.top]),
                "__doc__": "A %s generic netlink message." % self.name}
        body.update(classes)
        self.msg_class = type("svcgw_msg", (genlmsg,), body)

    @property
    def classes(self):
        """{attribute set name: its nla class}"""
        return {name: s.nla_class for name, s in self.sets.items()}

    # --- values -------------------------------------------------------

    def op(self, op):
        """An operation's command number, from its name (or a number)."""
        if isinstance(op, int):
            return op
        try:
            return self.ops[op]
        except KeyError:
            raise ValueError("the spec has no operation %r" % op) from None

    def enum_value(self, enum, v):
        """The value of entry @v (a name, "-" or "_" spelt, or a number) of
        enum @enum."""
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, int):
            return v
        vals = self.enums[enum]
        for name in (v, str(v).replace("_", "-")):
            if name in vals:
                return vals[name]
        raise ValueError("%r is not a %s (%s)"
                         % (v, enum, ", ".join(vals)))

    def enum_name(self, enum, v):
        """The name of value @v of enum @enum, or the number as a string."""
        return self.enum_names.get(enum, {}).get(v, str(v))

    def _encode_value(self, aset, a, v):
        if a.type == "nest":
            return {"attrs": self.encode_attrs(a.nested, v)}
        if a.type in _INT_RANGE:
            if isinstance(v, str) and a.enum:
                v = self.enum_value(a.enum, v)
            if isinstance(v, bool):
                v = int(v)
            if not isinstance(v, int):
                raise ValueError("%s.%s takes an integer, not %r"
                                 % (aset.name, a.name, v))
            lo, hi = _INT_RANGE[a.type]
            if not lo <= v <= hi:
                raise ValueError("%s.%s: %d does not fit a %s"
                                 % (aset.name, a.name, v, a.type))
            return v
        if a.type == "binary":
            if isinstance(v, str):
                return _pack_addr(v)[1] if v else b""
            return bytes(v)
        if a.type == "string":
            return str(v)
        if a.type == "flag":
            return True
        raise ValueError("%s.%s (%s) cannot be put in a request"
                         % (aset.name, a.name, a.type))

    def encode_attrs(self, set_name, values):
        """pyroute2's attribute list for @values of set @set_name: a dict
        {attribute name: value}, or a list of (name, value) pairs (to
        repeat an attribute).  A nest takes a dict (a list of them when
        multi-attr), an address a string or bytes, an enum attribute a
        name; None, and False for a flag, leave the attribute out."""
        aset = self.sets[set_name]
        items = values.items() if isinstance(values, dict) else values
        out = []
        for key, val in items:
            a = aset.lookup(key)
            vals = val if a.multi and isinstance(val, (list, tuple)) \
                else [val]
            for v in vals:
                if v is None or (a.type == "flag" and not v):
                    continue
                out.append([a.nla_name, self._encode_value(aset, a, v)])
        return out

    def decode_attrs(self, set_name, obj):
        """{attribute name: value} of a decoded pyroute2 nla (or message)
        of set @set_name: numbers, bytes, str, True for a flag, a dict for
        a nest, a list of those for a multi-attr attribute.  Attributes
        the spec does not know, and pads, are left out."""
        aset = self.sets[set_name]
        out = {}
        for slot in (obj["attrs"] if "attrs" in obj else ()):
            a = aset.by_nla.get(slot[0])
            if a is None or a.type == "pad":
                continue
            v = slot[1]
            if a.type == "nest":
                v = self.decode_attrs(a.nested, v) if hasattr(v, "get") \
                    else {}
            elif a.type == "flag":
                v = True
            elif a.type == "binary":
                v = bytes(v) if v is not None else b""
            if a.multi:
                out.setdefault(a.name, []).append(v)
            else:
                out[a.name] = v
        return out

    def encode(self, op, attrs=None, flags=NLM_F_REQUEST | NLM_F_ACK,
               seq=0, family_id=0, pid=0):
        """The bytes of a request: operation @op (name or number) with the
        top-level attributes @attrs (see encode_attrs())."""
        msg = self.msg_class()
        msg["cmd"] = self.op(op)
        msg["version"] = self.version
        msg["reserved"] = 0
        msg["attrs"] = self.encode_attrs(self.top, attrs or {})
        msg["header"] = {"type": family_id, "flags": flags,
                         "sequence_number": seq, "pid": pid}
        msg.encode()
        return bytes(msg.data)

    def decode(self, data, offset=0):
        """(command number, {top-level attribute: value}) of the message of
        this family at @offset of @data."""
        msg = self.msg_class(bytearray(data), offset=offset)
        msg.decode()
        return msg["cmd"], self.decode_attrs(self.top, msg)


_families = {}


def load_family(spec=None):
    """The Family of the YNL spec at @spec, else at $SVCGW_YNL_SPEC, else
    at DEFAULT_SPEC; read once per path.  Raises SpecError."""
    path = spec or os.environ.get(SPEC_ENV) or DEFAULT_SPEC
    path = os.path.abspath(path)
    fam = _families.get(path)
    if fam is None:
        fam = _families[path] = Family(path)
    return fam


# Read the spec now, so that the classes exist from the start; a missing
# spec is reported when it is needed (family(), Svcgw()), which lets
# Svcgw(spec=PATH) and load_family(PATH) work without the default one.
try:
    FAMILY = load_family()
    _FAMILY_ERROR = None
except SpecError as _e:
    FAMILY = None
    _FAMILY_ERROR = _e


def family():
    """The Family of the default spec (as imported); SpecError if none."""
    if FAMILY is None:
        raise _FAMILY_ERROR
    return FAMILY


# --- addresses and names ----------------------------------------------

def _pack_addr(addr):
    """(family, network-order bytes) of an IPv4 or IPv6 address string."""
    if isinstance(addr, (bytes, bytearray)):
        for fam, n in _ADDR_LEN.items():
            if len(addr) == n:
                return fam, bytes(addr)
        raise ValueError("an address is 4 or 16 bytes, not %d" % len(addr))
    s = str(addr)
    if s.startswith("[") and s.endswith("]"):
        s = s[1:-1]
    for fam in (socket.AF_INET, socket.AF_INET6):
        try:
            return fam, socket.inet_pton(fam, s)
        except OSError:
            pass
    raise ValueError("not an IPv4 or IPv6 address: %r" % (addr,))


def _ntop(fam, data):
    """The string of address @data of family @fam, or None if its length is
    not the family's."""
    if data is None or _ADDR_LEN.get(fam) != len(data):
        return None
    return socket.inet_ntop(fam, data)


def _addr_str(data):
    """An address of 4 or 16 bytes as a string (family by the length)."""
    for fam, n in _ADDR_LEN.items():
        if len(data) == n:
            return socket.inet_ntop(fam, data)
    return data.hex()


def _proto(proto):
    if isinstance(proto, int):
        return proto
    try:
        return _PROTOS[str(proto).lower()]
    except KeyError:
        raise ValueError("proto is tcp, udp or a number, not %r"
                         % (proto,)) from None


def _proto_name(v):
    return _PROTO_NAMES.get(v, str(v))


def _gw_addr(v):
    """fullnat, encap-src: None (not given), "" or False (off: empty), an
    address string or its bytes."""
    if v is None:
        return None
    if v is False or v == "" or v == b"":
        return b""
    return _pack_addr(v)[1]


def _counters(out, attrs):
    st = attrs.get("stats") or {}
    out["packets"] = st.get("packets", 0)
    out["bytes"] = st.get("bytes", 0)
    out["sessions"] = st.get("sessions", 0)


def _server_out(fam, s, svc_port):
    """A server nest as "svcgw -j service show" prints it."""
    f = s.get("family")
    d = {"address": _ntop(f, s.get("addr")),
         "port": s.get("port") or svc_port,
         "weight": s.get("weight", 0),
         "method": fam.enum_name("method", s.get("method", 0))}
    if "gue-port" in s:
        d["gue_port"] = s["gue-port"]
    d["shared"] = bool(s.get("shared"))
    if "state" in s:
        d["state"] = fam.enum_name("server-state", s["state"])
    if "deadline" in s:
        d["deadline_ms"] = s["deadline"]
    _counters(d, s)
    return d


def _service_out(fam, a):
    """A service nest as "svcgw -j service show" prints it."""
    f = a.get("family")
    d = {"address": _ntop(f, a.get("addr")),
         "port": a.get("port", 0),
         "proto": _proto_name(a.get("proto")),
         "mode": fam.enum_name("mode", a.get("mode", 0)),
         "table": a.get("table-size", 0)}
    if "transition" in a:
        d["transition"] = a["transition"]
    if "stateful" in a:
        d["stateful"] = bool(a["stateful"])
    if "down-policy" in a:
        d["down_policy"] = fam.enum_name("down-policy", a["down-policy"])
    for key, attr in (("fullnat", "fullnat"), ("encap_src", "encap-src")):
        v = _ntop(f, a.get(attr))
        if v is not None:
            d[key] = v
    if "state" in a:
        d["state"] = {0: "stateless", 1: "stateful"}.get(a["state"],
                                                          str(a["state"]))
    if "reason" in a:
        d["reason"] = fam.enum_name("reason", a["reason"])
    if "marked" in a:
        d["marked"] = a["marked"]
    if "transition-left" in a:
        d["transition_left_ms"] = a["transition-left"]
    _counters(d, a)
    if "switches" in a:
        d["switches"] = a["switches"]
    d["servers"] = [_server_out(fam, s, d["port"])
                    for s in (a.get("servers") or {}).get("server", [])]
    return d


def _sess_state(fam, v):
    """A session state as the CLI names it: the spec's name without "tcp-",
    "_" for "-" (syn_sent, established, udp, ...)."""
    name = fam.enum_names.get("sess-state", {}).get(v)
    if name is None:
        return str(v)
    if name.startswith("tcp-"):
        name = name[4:]
    return _key_name(name)


def _session_out(fam, s):
    """A session nest as "svcgw -j session show" prints it."""
    f = s.get("family")
    d = {"proto": _proto_name(s.get("proto"))}
    for key, attr in (("client", "client"), ("service", "service"),
                      ("server", "server")):
        d[key] = _ntop(f, s.get(attr + "-addr"))
        d[key + "_port"] = s.get(attr + "-port", 0)
    if not d["server_port"]:
        d["server_port"] = d["service_port"]
    fn = _ntop(f, s.get("fullnat-addr"))
    if fn is not None:
        d["fullnat"] = fn
        d["fullnat_port"] = s.get("fullnat-port", 0)
    d["state"] = _sess_state(fam, s.get("state", 0))
    d["expires_ms"] = s.get("expires", 0)
    if s.get("origin"):
        d["origin"] = s["origin"]
    d["replica"] = bool(s.get("replica"))
    return d


def _values_out(fam, set_name, attrs):
    """A nest of numbers and addresses (stats, config) as "svcgw -j stats" /
    "config show" print it: "_" names, spec order, addresses as strings."""
    out = {}
    for a in fam.sets[set_name].attrs:
        if a.name not in attrs:
            continue
        v = attrs[a.name]
        out[_key_name(a.name)] = _addr_str(v) if a.type == "binary" else v
    return out


def _parse_extack(data, off, end):
    """{NLMSGERR_ATTR_*: payload} of the attributes in data[off:end]."""
    tlv = {}
    while off + 4 <= end:
        ln, t = struct.unpack_from("HH", data, off)
        if ln < 4 or off + ln > end:
            break
        tlv[t & 0x3fff] = bytes(data[off + 4:off + ln])
        off += (ln + 3) & ~3
    return tlv


def parse_error(data, off=0):
    """The SvcgwError of the NLMSG_ERROR or NLMSG_DONE message at @off of
    @data, or None if it is an ack or a dump's clean end.  The extended ack
    attributes follow the echoed request (all of it, or its header alone
    with NLM_F_CAPPED) in NLMSG_ERROR, the error number in NLMSG_DONE."""
    length, mtype, flags = struct.unpack_from("IHH", data, off)
    end = min(off + length, len(data))
    if end - off < 20:
        return None
    (err,) = struct.unpack_from("i", data, off + 16)
    if err == 0:
        return None
    tlv_off = off + 20
    if mtype == NLMSG_ERROR:
        if flags & NLM_F_CAPPED or end - tlv_off < 16:
            tlv_off += 16
        else:
            (echo_len,) = struct.unpack_from("I", data, tlv_off)
            tlv_off += (max(echo_len, 16) + 3) & ~3
    tlv = _parse_extack(data, tlv_off, end) if flags & NLM_F_ACK_TLVS else {}

    def u32(t):
        v = tlv.get(t)
        return struct.unpack("I", v[:4])[0] if v and len(v) >= 4 else None

    msg = tlv.get(NLMSGERR_ATTR_MSG)
    if msg is not None:
        msg = msg.split(b"\0", 1)[0].decode("utf-8", "replace")
    return SvcgwError(abs(err), msg, u32(NLMSGERR_ATTR_OFFS),
                      u32(NLMSGERR_ATTR_MISS_TYPE),
                      u32(NLMSGERR_ATTR_MISS_NEST))


# Keys of services() that a batch cannot set: ignored in batch() input, so
# that what services() returned can be given back.
_BATCH_SVC_IGNORED = {"state", "reason", "marked", "transition_left_ms",
                      "packets", "bytes", "sessions", "switches"}
_BATCH_SRV_IGNORED = {"shared", "state", "deadline_ms", "packets", "bytes",
                      "sessions"}


class Svcgw(object):
    """One generic netlink socket bound to the svcgw family, in the network
    namespace of the caller.  Not for several threads at once.

    spec: the YNL spec to use (default: $SVCGW_YNL_SPEC, else the one of
    the source tree).  Raises SpecError without a spec, SvcgwError (ENOENT)
    without the module.
    """

    _sock = None

    def __init__(self, spec=None):
        self.family = load_family(spec)
        self._seq = 0
        sock = GenericNetlinkSocket(ext_ack=True)
        sock.module_err_level = "debug"
        try:
            sock.bind(self.family.name, self.family.msg_class)
        except NetlinkError as e:
            sock.close()
            if e.code == errno.ENOENT:
                raise SvcgwError(errno.ENOENT,
                                 "the svcgw module is not loaded (generic "
                                 "netlink family \"%s\" not found)"
                                 % self.family.name) from None
            raise SvcgwError(e.code, "cannot resolve generic netlink family "
                             "\"%s\"" % self.family.name) from None
        except BaseException:
            sock.close()
            raise
        self._sock = sock
        self.family_id = sock.prid
        # Ask for error messages (pyroute2 did already, with ext_ack), and
        # for acks without the request echoed: a refused big batch would
        # otherwise come back whole.
        for opt in (NETLINK_EXT_ACK, NETLINK_CAP_ACK):
            try:
                sock.setsockopt(SOL_NETLINK, opt, 1)
            except OSError:
                pass
        self._sndbuf = sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)

    def close(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    # --- transport ----------------------------------------------------

    def _send(self, data):
        if len(data) + 4096 > self._sndbuf:
            want = len(data) + 4096
            try:
                self._sock.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, want)
            except OSError:
                self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF,
                                      want)
            self._sndbuf = self._sock.getsockopt(socket.SOL_SOCKET,
                                                 socket.SO_SNDBUF)
        self._sock.sendto(data, (0, 0))

    def _recv(self):
        peek = bytearray(16)
        n = self._sock.recv_into(peek, 16, socket.MSG_PEEK | socket.MSG_TRUNC)
        return self._sock.recv(max(n, 16384))

    def transact(self, op, attrs=None, dump=False):
        """Send operation @op (name or number) with the top-level attributes
        @attrs (Family.encode_attrs()) as a do request (acked) or a dump;
        return ([{top-level attribute: value} of each reply], whether a
        dump message had NLM_F_DUMP_INTR).  Raises SvcgwError."""
        if self._sock is None:
            raise SvcgwError(errno.EBADF, "the socket is closed")
        self._seq = self._seq % 0x7fffffff + 1
        seq = self._seq
        flags = NLM_F_REQUEST | (NLM_F_DUMP if dump else NLM_F_ACK)
        self._send(self.family.encode(op, attrs, flags=flags, seq=seq,
                                      family_id=self.family_id))
        replies, intr = [], False
        while True:
            data = self._recv()
            off = 0
            while off + 16 <= len(data):
                length, mtype, mflags, mseq = struct.unpack_from("IHHI",
                                                                 data, off)
                if length < 16:
                    break
                if mseq == seq:
                    if mtype in (NLMSG_ERROR, NLMSG_DONE):
                        err = parse_error(data, off)
                        if err is not None:
                            raise err
                        return replies, intr
                    if mtype == self.family_id:
                        if mflags & NLM_F_DUMP_INTR:
                            intr = True
                        replies.append(self.family.decode(
                            data[off:off + length])[1])
                off += (length + 3) & ~3

    def request(self, op, attrs=None, dump=False):
        """transact() without the NLM_F_DUMP_INTR indication: the replies."""
        return self.transact(op, attrs, dump)[0]

    # --- requests -----------------------------------------------------

    @staticmethod
    def _key(addr, port, proto):
        fam, packed = _pack_addr(addr)
        return {"family": fam, "addr": packed, "port": int(port),
                "proto": _proto(proto)}

    @staticmethod
    def _filter(addr, port, proto):
        given = [x is not None for x in (addr, port, proto)]
        if not any(given):
            return {}
        if not all(given):
            raise ValueError("a service is addr, port and proto together")
        return {"service": Svcgw._key(addr, port, proto)}

    @staticmethod
    def _server(server, server_port=None):
        fam, packed = _pack_addr(server)
        d = {"family": fam, "addr": packed}
        if server_port:
            d["port"] = int(server_port)
        return d

    @staticmethod
    def _settings(d, mode=None, table=None, transition=None, stateful=None,
                  down_policy=None, fullnat=None, encap_src=None):
        d.update({"mode": mode, "table-size": table,
                  "transition": transition,
                  "stateful": None if stateful is None else int(stateful),
                  "down-policy": down_policy,
                  "fullnat": _gw_addr(fullnat),
                  "encap-src": _gw_addr(encap_src)})
        return d

    def services(self, addr=None, port=None, proto=None):
        """Every service (or the one given), with its settings, counters
        and servers: a list of dicts as "svcgw -j service show" prints.
        A dump that raced with a change is done again (DUMP_TRIES)."""
        attrs = self._filter(addr, port, proto)
        for _ in range(DUMP_TRIES):
            replies, intr = self.transact("service-get", attrs, dump=True)
            if not intr:
                break
        else:
            warnings.warn("services kept changing during the dump, the list "
                          "may be inconsistent")
        out = []
        for r in replies:
            a = r.get("service")
            if not a:
                continue
            d = _service_out(self.family, a)
            last = out[-1] if out else None
            # A service too big for one message continues in the next.
            if last and all(last[k] == d[k]
                            for k in ("address", "port", "proto")):
                last["servers"].extend(d["servers"])
            else:
                out.append(d)
        return out

    def service_add(self, addr, port, proto, mode=None, table=None,
                    transition=None, stateful=None, down_policy=None,
                    fullnat=None, encap_src=None):
        """SERVICE_NEW: a service without servers.  mode "stateless",
        "stateful" or "hybrid"; table a prime; transition seconds; stateful
        a bool; down_policy "reschedule" or "expire"; fullnat and encap_src
        an address (of the service's family)."""
        svc = self._settings(self._key(addr, port, proto), mode, table,
                             transition, stateful, down_policy, fullnat,
                             encap_src)
        self.request("service-new", {"service": svc})

    def service_set(self, addr, port, proto, mode=None, transition=None,
                    stateful=None, down_policy=None, fullnat=None,
                    encap_src=None):
        """SERVICE_SET: change settings; fullnat="" or encap_src="" turns
        them off."""
        svc = self._settings(self._key(addr, port, proto), mode, None,
                             transition, stateful, down_policy, fullnat,
                             encap_src)
        self.request("service-set", {"service": svc})

    def service_del(self, addr, port, proto):
        """SERVICE_DEL: the service, its servers and its sessions."""
        self.request("service-del",
                     {"service": self._key(addr, port, proto)})

    def server_add(self, addr, port, proto, server, server_port=None,
                   weight=None, method=None, gue_port=None):
        """SERVER_NEW: server address @server (port @server_port, default
        the service's) in the service; method "nat", "ipip" or "gue" (with
        gue_port)."""
        srv = self._server(server, server_port)
        srv.update({"weight": weight, "method": method,
                    "gue-port": gue_port})
        self.request("server-new", {"service": self._key(addr, port, proto),
                                    "server": srv})

    def server_del(self, addr, port, proto, server, server_port=None):
        """SERVER_DEL."""
        self.request("server-del", {"service": self._key(addr, port, proto),
                                    "server": self._server(server,
                                                           server_port)})

    def server_set(self, addr, port, proto, server, server_port=None,
                   weight=None, state=None, deadline=None):
        """SERVER_SET: weight; state "active", "draining" or "down";
        deadline, seconds before a draining server is set down."""
        srv = self._server(server, server_port)
        srv.update({"weight": weight, "state": state, "deadline": deadline})
        self.request("server-set", {"service": self._key(addr, port, proto),
                                    "server": srv})

    def server_replace(self, addr, port, proto, server, new_server,
                       server_port=None, new_server_port=None, weight=None,
                       method=None, gue_port=None):
        """SERVER_REPLACE: @new_server takes @server's place in one table
        change (weight: the old one's unless given)."""
        new = self._server(new_server, new_server_port)
        new.update({"weight": weight, "method": method,
                    "gue-port": gue_port})
        self.request("server-replace",
                     {"service": self._key(addr, port, proto),
                      "server": self._server(server, server_port),
                      "server-new": new})

    def sessions(self, addr=None, port=None, proto=None):
        """Every session (or those of the service given): a list of dicts as
        "svcgw -j session show" prints."""
        replies = self.request("session-get", self._filter(addr, port, proto),
                               dump=True)
        return [_session_out(self.family, r["session"])
                for r in replies if "session" in r]

    def session_flush(self, addr=None, port=None, proto=None, server=None,
                      server_port=None):
        """SESSION_FLUSH: every session, a service's, or one server's."""
        attrs = self._filter(addr, port, proto)
        if server is not None:
            attrs["server"] = self._server(server, server_port)
        self.request("session-flush", attrs)

    def _one(self, op, attr, what):
        for r in self.request(op):
            if attr in r:
                return r[attr]
        raise SvcgwError(errno.EPROTO, "the kernel sent no %s" % what)

    def stats(self):
        """The namespace's counters, named as "svcgw -j stats" names them."""
        return _values_out(self.family, "stats",
                           self._one("stats-get", "stats", "statistics"))

    def config(self):
        """The namespace's settings as "svcgw -j config show" prints them."""
        return _values_out(self.family, "config",
                           self._one("config-get", "config",
                                     "configuration"))

    def config_set(self, **settings):
        """CONFIG_SET: session_max=, timeout_tcp_syn=, timeout_tcp_est=,
        timeout_tcp_fin=, timeout_udp= (numbers), encap_src4=,
        encap_src6= (addresses; "0.0.0.0" / "::" clear them)."""
        if not settings:
            raise ValueError("nothing to set")
        self.request("config-set", {"config": settings})

    def batch(self, services, replace=False):
        """BATCH: the services (dicts with address, port, proto, optionally
        mode, table, transition, stateful, down_policy, and servers: dicts
        with address, optionally port, weight, method, gue_port) in one
        request, all or nothing.  replace=True makes them the namespace's
        whole service set.  What services() returns is accepted (its
        counters and states are ignored)."""
        top = []
        if replace:
            top.append(("batch-flags",
                        self.family.enums["batch-flags"]["replace"]))
        for s in services:
            s = dict(s)
            addr = s.pop("address", None) or s.pop("addr", None)
            port, proto = s.pop("port", None), s.pop("proto", None)
            if addr is None or port is None or proto is None:
                raise ValueError("a batch service needs address, port and "
                                 "proto")
            svc = self._key(addr, port, proto)
            servers = s.pop("servers", None) or []
            for k in ("fullnat", "encap_src"):
                if s.get(k) is not None:
                    raise ValueError("%s is not for a batch: set it with "
                                     "service_set()" % k)
                s.pop(k, None)
            table = s.pop("table", None)
            if table is None:
                table = s.pop("table_size", None)
            settings = {k: s.pop(k, None) for k in
                        ("mode", "transition", "stateful", "down_policy")}
            bad = set(s) - _BATCH_SVC_IGNORED
            if bad:
                raise ValueError("unknown service keys: %s"
                                 % ", ".join(sorted(bad)))
            self._settings(svc, table=table, **settings)
            srvs = []
            for v in servers:
                v = dict(v)
                a = v.pop("address", None) or v.pop("addr", None)
                if a is None:
                    raise ValueError("a batch server needs an address")
                srv = self._server(a, v.pop("port", None))
                srv.update({"weight": v.pop("weight", None),
                            "method": v.pop("method", None),
                            "gue-port": v.pop("gue_port", None)})
                bad = set(v) - _BATCH_SRV_IGNORED
                if bad:
                    raise ValueError("unknown server keys: %s"
                                     % ", ".join(sorted(bad)))
                srvs.append(srv)
            if srvs:
                svc["servers"] = {"server": srvs}
            top.append(("service", svc))
        self.request("batch", top)

    def flush(self):
        """FLUSH: every service, server and session, and the policy set."""
        self.request("flush")
