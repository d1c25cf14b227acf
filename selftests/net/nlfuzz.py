#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Structure-aware fuzzer of the svcgw generic netlink family (66-nlfuzz.sh).

  nlfuzz.py fuzz --seed S --count N     fuzz the family in this namespace
  nlfuzz.py traffic --stop FILE --out FILE
                                        TCP and UDP clients through the
                                        gateway until FILE exists
  nlfuzz.py endpoints                   every server endpoint the fuzzer
                                        uses is held iff a server not shared is listed there

The family is described once, in POLICIES and COMMANDS below, from the uapi
header's enumerators (genl.uapi_enums) and kmod/genl.c's policies: every
command with its permission, do/dump, and the nests and attributes it
takes, each attribute with its type and a kind of value.  Messages are
generated from that description, then mutated (wrong widths, short and
long payloads, missing, duplicated, unknown and reply-only attributes,
nests of wrong depth or without NLA_F_NESTED, boundary values, bad nla
lengths, garbage bytes, NLM_F_* combinations, bad genl headers, huge
batches), sent privileged and from a child that dropped to uid 65534, and
dumps are interrupted midway.  Every N messages the configuration is
flushed and the base one (real services of topo.sh, both families, every
mode, plus bulk services) is set again; this must succeed.

Output: "ok NAME" / "fail NAME" lines and "# " comments (counts, errno
histogram, samples of what failed, as hex, to replay with --seed).
"""
import argparse
import errno
import json
import os
import random
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
from genl import GenlSock, attr_list, uapi_enums  # noqa: E402

E = uapi_enums()

NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_ECHO = 1, 2, 4, 8
NLM_F_DUMP_INTR = 0x10
NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC = 0x100, 0x200, 0x400
NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLA_F_NESTED, NLA_F_NET_BYTEORDER = 0x8000, 0x4000
SOL_NETLINK, NETLINK_EXT_ACK, NETLINK_CAP_ACK = 270, 11, 10
SO_SNDBUFFORCE, SO_RCVBUFFORCE = 32, 33

# ---------------------------------------------------------------------------
# The family, written once.  Types of attributes:
U8, U16, U32, U64, BIN, NEST, ARRAY, REPLY = "u8", "u16", "u32", "u64", \
    "binary", "nest", "nest-array", "reply-only"
WIDTH = {U8: 1, U16: 2, U32: 4, U64: 8}
FMT = {U8: "B", U16: "H", U32: "I", U64: "Q"}


class Policy:
    """The attributes of one nest: id -> (name, type, kind); kind is the
    kind of value of a scalar, or the Policy of a nest's content."""

    def __init__(self, name, prefix, attrs):
        self.name = name
        self.attrs = {}
        self.byname = {}
        for short, (typ, kind) in attrs.items():
            aid = E[prefix + short]
            self.attrs[aid] = (short, typ, kind)
            self.byname[short] = aid
        self.max = E[prefix + "MAX"]
        self.reply_only = [a for a, (_, t, _) in self.attrs.items()
                           if t == REPLY]


SRV = Policy("server", "SVCGW_SRV_A_", {
    "FAMILY": (U16, "family"), "ADDR": (BIN, "srvaddr"),
    "PORT": (U16, "srvport"), "WEIGHT": (U32, "weight"),
    "STATS": (REPLY, None), "PAD": (REPLY, None),
    "STATE": (U8, "srvstate"), "DEADLINE": (U32, "deadline"),
    "METHOD": (U8, "method"), "GUE_PORT": (U16, "gueport"),
    "SHARED": (REPLY, None)})
SVC_ATTRS = {
    "FAMILY": (U16, "family"), "ADDR": (BIN, "svcaddr"),
    "PORT": (U16, "port"), "PROTO": (U8, "proto"), "MODE": (U8, "mode"),
    "TABLE_SIZE": (U32, "table"), "STATS": (REPLY, None),
    "SERVERS": (REPLY, None), "PAD": (REPLY, None),
    "TRANSITION": (U32, "transition"), "STATEFUL": (U8, "bool"),
    "DOWN_POLICY": (U8, "downpol"), "STATE": (REPLY, None),
    "REASON": (REPLY, None), "SWITCHES": (REPLY, None),
    "MARKED": (REPLY, None), "TRANSITION_LEFT": (REPLY, None),
    "FULLNAT": (BIN, "fullnat"), "ENCAP_SRC": (BIN, "fullnat")}
SVC = Policy("service", "SVCGW_SVC_A_", SVC_ATTRS)
# A batch's service nest: a server list, no full NAT nor encapsulation
# source.
BSVC = Policy("batch service", "SVCGW_SVC_A_", dict(
    SVC_ATTRS, SERVERS=(ARRAY, SRV), FULLNAT=(REPLY, None),
    ENCAP_SRC=(REPLY, None)))
CFG = Policy("config", "SVCGW_CFG_A_", {
    "SESSION_MAX": (U32, "sessmax"), "TIMEOUT_TCP_SYN": (U32, "timeout"),
    "TIMEOUT_TCP_EST": (U32, "timeout"), "TIMEOUT_TCP_FIN": (U32, "timeout"),
    "TIMEOUT_UDP": (U32, "timeout"), "ENCAP_SRC4": (BIN, "encapsrc4"),
    "ENCAP_SRC6": (BIN, "encapsrc6")})
# Forwarding policies: a set, groups of destinations, policies.
PSET = Policy("policy set", "SVCGW_PSET_A_", {
    "NAME": (BIN, "name"), "GEN": (U64, "gen"),
    "TRANSITION": (U32, "transition"), "TRANSITION_LEFT": (REPLY, None),
    "NGROUPS": (REPLY, None), "NPOLICIES": (REPLY, None),
    "PREV_GEN": (REPLY, None), "PAD": (REPLY, None),
    "REASON": (BIN, "reason"), "AGE_MS": (REPLY, None)})
GRP = Policy("group", "SVCGW_GROUP_A_", {
    "NAME": (BIN, "name"), "TABLE_SIZE": (U32, "table"),
    "DESTS": (ARRAY, SRV), "STATS": (REPLY, None), "FAMILY": (REPLY, None)})
POL = Policy("policy", "SVCGW_POLICY_A_", {
    "FAMILY": (U16, "family"), "ADDR": (BIN, "paddr"),
    "PORT": (U16, "port"), "PROTO": (U8, "proto"), "SRC": (BIN, "psrc"),
    "SRC_PLEN": (U8, "plen"), "GROUP": (BIN, "name"),
    "STATS": (REPLY, None)})
# The HA policy (SVCGW_CMD_HA_*): its nest and its nodes.
HA = Policy("ha", "SVCGW_HA_A_", {
    "GEN": (U64, "gen"), "LOCAL": (U32, "haid"), "PORT": (U16, "port"),
    "KEY_ID": (U32, "keyid"), "KEY": (BIN, "key"),
    "PREV_KEY_ID": (U32, "keyid"), "PREV_KEY": (BIN, "key"),
    "NNODES": (REPLY, None), "STALE": (REPLY, None),
    "AGE_MS": (REPLY, None), "PAD": (REPLY, None), "SYNC": (REPLY, None)})
HANODE = Policy("ha node", "SVCGW_HA_NODE_A_", {
    "ID": (U32, "haid"), "NAME": (BIN, "name"), "FAMILY": (U16, "family"),
    "SYNC_ADDR": (BIN, "srvaddr"), "DEST_FAMILY": (U16, "family"),
    "DEST_ADDR": (BIN, "srvaddr"), "FNAT_FAMILY": (U16, "family"),
    "FNAT_ADDR": (BIN, "srvaddr"), "BACKUPS": (BIN, "backups"),
    "STATE": (U8, "hastate"), "STATE_GEN": (U64, "gen"),
    "PAD": (REPLY, None), "PEER": (REPLY, None)})
TOP = Policy("top", "SVCGW_A_", {
    "SERVICE": (NEST, SVC), "SERVER": (NEST, SRV), "SESSION": (REPLY, None),
    "STATS": (REPLY, None), "CONFIG": (NEST, CFG),
    "SERVER_NEW": (NEST, SRV), "BATCH_FLAGS": (REPLY, None),
    "POLICY_SET": (REPLY, None), "GROUP": (REPLY, None),
    "POLICY": (REPLY, None), "HA": (REPLY, None),
    "HA_NODE": (REPLY, None)})
BTOP = Policy("batch top", "SVCGW_A_", {
    "SERVICE": (NEST, BSVC), "SERVER": (REPLY, None),
    "SESSION": (REPLY, None), "STATS": (REPLY, None),
    "CONFIG": (REPLY, None), "SERVER_NEW": (REPLY, None),
    "BATCH_FLAGS": (U32, "batchflags"), "POLICY_SET": (REPLY, None),
    "GROUP": (REPLY, None), "POLICY": (REPLY, None), "HA": (REPLY, None),
    "HA_NODE": (REPLY, None)})
PTOP = Policy("policy top", "SVCGW_A_", {
    "SERVICE": (REPLY, None), "SERVER": (REPLY, None),
    "SESSION": (REPLY, None), "STATS": (REPLY, None),
    "CONFIG": (REPLY, None), "SERVER_NEW": (REPLY, None),
    "BATCH_FLAGS": (REPLY, None), "POLICY_SET": (NEST, PSET),
    "GROUP": (NEST, GRP), "POLICY": (NEST, POL), "HA": (REPLY, None),
    "HA_NODE": (REPLY, None)})
HTOP = Policy("ha top", "SVCGW_A_", {
    "SERVICE": (REPLY, None), "SERVER": (REPLY, None),
    "SESSION": (REPLY, None), "STATS": (REPLY, None),
    "CONFIG": (REPLY, None), "SERVER_NEW": (REPLY, None),
    "BATCH_FLAGS": (REPLY, None), "POLICY_SET": (REPLY, None),
    "GROUP": (REPLY, None), "POLICY": (REPLY, None), "HA": (NEST, HA),
    "HA_NODE": (NEST, HANODE)})

KEY = ("FAMILY", "ADDR", "PORT", "PROTO")
SRVKEY = ("FAMILY", "ADDR")
SVC_OPT = ("MODE", "TABLE_SIZE", "TRANSITION", "STATEFUL", "DOWN_POLICY",
           "FULLNAT", "ENCAP_SRC")
SVC_SET = ("MODE", "TRANSITION", "STATEFUL", "DOWN_POLICY", "FULLNAT",
           "ENCAP_SRC")

# Each command: admin (needs CAP_NET_ADMIN), do, dump, and its top-level
# attributes: (attr, required, key attrs, optional attrs).
COMMANDS = {
    "SERVICE_NEW": (1, 1, 0, [("SERVICE", 1, KEY, SVC_OPT)]),
    "SERVICE_DEL": (1, 1, 0, [("SERVICE", 1, KEY, ())]),
    "SERVICE_GET": (0, 1, 1, [("SERVICE", 0, KEY, ())]),
    "SERVER_NEW": (1, 1, 0, [("SERVICE", 1, KEY, ()),
                             ("SERVER", 1, SRVKEY, ("PORT", "WEIGHT",
                                                    "METHOD", "GUE_PORT"))]),
    "SERVER_DEL": (1, 1, 0, [("SERVICE", 1, KEY, ()),
                             ("SERVER", 1, SRVKEY, ("PORT",))]),
    "SESSION_GET": (1, 0, 1, [("SERVICE", 0, KEY, ())]),
    "SESSION_FLUSH": (1, 1, 0, [("SERVICE", 0, KEY, ()),
                                ("SERVER", 0, SRVKEY, ("PORT",))]),
    "STATS_GET": (0, 1, 0, []),
    "FLUSH": (1, 1, 0, []),
    "CONFIG_SET": (1, 1, 0, [("CONFIG", 1, (), tuple(CFG.byname))]),
    "CONFIG_GET": (0, 1, 0, []),
    "SERVICE_SET": (1, 1, 0, [("SERVICE", 1, KEY, SVC_SET)]),
    "SERVER_SET": (1, 1, 0, [("SERVICE", 1, KEY, ()),
                             ("SERVER", 1, SRVKEY,
                              ("PORT", "WEIGHT", "STATE", "DEADLINE",
                               "METHOD"))]),
    "SERVER_REPLACE": (1, 1, 0, [("SERVICE", 1, KEY, ()),
                                 ("SERVER", 1, SRVKEY, ("PORT",)),
                                 ("SERVER_NEW", 1, SRVKEY,
                                  ("PORT", "WEIGHT", "METHOD",
                                   "GUE_PORT"))]),
    "BATCH": (1, 1, 0, []),     # generated by gen_batch()
    "POLICY_SET_REPLACE": (1, 1, 0, []),    # generated by Gen.pset()
    "POLICY_GET": (0, 0, 1, []),
    "HA_SET": (1, 1, 0, []),        # generated by Gen.ha()
    "HA_GET": (0, 1, 0, []),
    "HA_NODE_SET": (1, 1, 0, []),   # generated by Gen.ha_node()
    "HA_DEL": (1, 1, 0, []),        # generated by Gen.ha_del()
}
CMD = {name: E["SVCGW_CMD_" + name] for name in COMMANDS}
CMDNAME = {v: k for k, v in CMD.items()}
assert set(CMD.values()) == set(range(1, E["SVCGW_CMD_MAX"] + 1)), \
    "uapi has commands the fuzzer does not know"
for _p, _pre in ((SVC, "SVCGW_SVC_A_"), (SRV, "SVCGW_SRV_A_"),
                 (CFG, "SVCGW_CFG_A_"), (TOP, "SVCGW_A_"),
                 (PSET, "SVCGW_PSET_A_"), (GRP, "SVCGW_GROUP_A_"),
                 (POL, "SVCGW_POLICY_A_"), (HA, "SVCGW_HA_A_"),
                 (HANODE, "SVCGW_HA_NODE_A_"), (BTOP, "SVCGW_A_"),
                 (PTOP, "SVCGW_A_"), (HTOP, "SVCGW_A_")):
    assert set(_p.attrs) == set(range(1, _p.max + 1)), \
        "uapi has %s attributes the fuzzer does not know" % _p.name

# Values: (valid, invalid or boundary) per kind.
VALUES = {
    "mode": ([1, 2, 3], [0, 4, 255]),
    "method": ([0, 1, 2], [3, 255]),
    "gueport": ([6080, 1, 65535], [0]),
    "table": ([7, 13, 251, 1021], [0, 5, 6, 8, 1000, 65521, 65522,
                                   0xffffffff]),
    "transition": ([0, 1, 60, 3600], [3601, 0xffffffff]),
    "bool": ([0, 1], [2, 255]),
    "downpol": ([0, 1], [2, 255]),
    "weight": ([0, 1, 2, 100, 65535], [65536, 1 << 20, 0xffffffff]),
    "srvstate": ([0, 1, 2], [3, 255]),
    "deadline": ([0, 1, 300, 86400], [86401, 0xffffffff]),
    "sessmax": ([100, 10000, 1048576, 1 << 28], [0, (1 << 28) + 1,
                                                  0xffffffff]),
    "timeout": ([1, 60, 3600, 86400], [0, 86401, 0xffffffff]),
    "proto": ([6, 17], [0, 1, 132, 255]),
    "port": ([80, 53, 80, 53, 81, 82, 2000, 2001], [0, 65535]),
    "srvport": ([0, 80, 53, 8080, 5353], [1, 65535]),
    "batchflags": ([0, 1], [2, 3, 0x80000000, 0xffffffff]),
    "family": ([2, 10], [0, 1, 99, 0xffff]),
    "gen": ([1, 2, 7, 1 << 40], [0, (1 << 64) - 1]),
    "plen": ([0, 8, 24, 25, 32, 64], [33, 128, 129, 255]),
    "haid": ([1, 2, 3], [0, 9, 0xffffffff]),
    "keyid": ([1, 2, 7], [0, 0xffffffff]),
    "hastate": ([1, 2], [0, 3, 255]),
}
# HA keys: 32 bytes (SVCGW_HA_KEY_LEN), now and then another length;
# backups: node ids as u32 (1 to 8 of them), now and then broken.
HAKEYS = [bytes(range(32)), b"\xaa" * 32]
BADHAKEYS = [b"", b"k" * 31, b"k" * 33, b"k" * 64]
BADBACKUPS = [b"", b"\x01\x00", b"\x00" * 4, b"\x01\0\0\0" * 9,
              b"\x09\0\0\0"]
# Policies: their own addresses (no live traffic goes there), their
# destinations the load balancer nodes of nowhere.
PADDR = {2: ["192.0.2.30", "192.0.2.31"],
         10: ["2001:db8:10::30", "2001:db8:10::31"]}
PSRC = {2: ["203.0.113.0", "203.0.113.128", "203.0.113.7", "0.0.0.0"],
        10: ["2001:db8:1::", "2001:db8:1:8000::", "2001:db8:1::7", "::"]}
PDEST = {2: ["198.51.100.200", "198.51.100.201", "198.51.100.202"],
         10: ["2001:db8:2::200", "2001:db8:2::201"]}
NAMES = [b"ga\0", b"gb\0", b"gc\0", b"edge\0"]
BADNAMES = [b"\0", b"x" * 31 + b"\0", b"x" * 40 + b"\0", b"noterm"]
# A set's reason: up to 127 bytes and the NUL (SVCGW_REASON_MAX).
REASONS = [b"\0", b"operator: lb2 joins ga\0", b"r" * 127 + b"\0",
           b"1 of 3 healthy\0trailing"]
BADREASONS = [b"r" * 128 + b"\0", b"r" * 200 + b"\0", b"noterm", b""]
VIP4, VIP6 = "192.0.2.10", "2001:db8:10::10"
SVCADDR = {2: [VIP4, VIP4, "192.0.2.11", "192.0.2.20"],
           10: [VIP6, VIP6, "2001:db8:10::11", "2001:db8:10::20"]}
SRVADDR = {2: ["198.51.100.%d" % i for i in (11, 12, 13, 11, 12, 13, 20,
                                             21, 22, 100)],
           10: ["2001:db8:2::%x" % i for i in (0x11, 0x12, 0x13, 0x11, 0x12,
                                               0x13, 0x20, 0x21)]}
BADADDR = {2: ["0.0.0.0", "224.0.0.1", "255.255.255.255"],
           10: ["::", "ff02::1", "::ffff:192.0.2.1"]}
FULLNAT = {2: "198.51.100.1", 10: "2001:db8:2::1"}


def ip(family, a):
    return socket.inet_pton(family, a)


# ---------------------------------------------------------------------------
# Messages as trees: a node is [type (with flags), payload (bytes, or a
# list of nodes for a nest), spec (type, kind) or None].
class Gen:
    def __init__(self, rng):
        self.r = rng

    def scalar(self, typ, kind, fam):
        r = self.r
        if typ == BIN:
            if kind == "name":
                return r.choice(NAMES) if r.random() < 0.9 else \
                    r.choice(BADNAMES)
            if kind == "reason":
                return r.choice(REASONS) if r.random() < 0.9 else \
                    r.choice(BADREASONS)
            if kind == "key":
                return r.choice(HAKEYS) if r.random() < 0.9 else \
                    r.choice(BADHAKEYS)
            if kind == "backups":
                if r.random() < 0.1:
                    return r.choice(BADBACKUPS)
                ids = r.sample((1, 2, 3), r.randint(1, 2))
                return b"".join(struct.pack("I", i) for i in ids)
            if kind in ("paddr", "psrc"):
                pool = PADDR if kind == "paddr" else PSRC
                if r.random() < 0.05:     # the other family's
                    return ip(12 - fam, r.choice(pool[12 - fam]))
                return ip(fam, r.choice(pool[fam]))
            if kind in ("encapsrc4", "encapsrc6"):
                # the namespace's sources: a fixed length, any address
                # (zero: none); now and then the other family's length
                n = 4 if kind == "encapsrc4" else 16
                if r.random() < 0.1:
                    n = 20 - n
                f = 2 if n == 4 else 10
                return ip(f, FULLNAT[f]) if r.random() < 0.5 else bytes(n)
            if kind == "fullnat":
                if r.random() < 0.3:
                    return b""
                return ip(fam, FULLNAT[fam] if r.random() < 0.8 else
                          r.choice(BADADDR[fam]))
            pool = SVCADDR if kind == "svcaddr" else SRVADDR
            if r.random() < 0.05:
                return ip(fam, r.choice(BADADDR[fam]))
            return ip(fam, r.choice(pool[fam]))
        if kind == "family":
            v = fam if r.random() < 0.95 else r.choice(
                VALUES["family"][0] + VALUES["family"][1])
        else:
            good, bad = VALUES[kind]
            v = r.choice(good) if r.random() < 0.9 else r.choice(bad)
        return struct.pack(FMT[typ], v & ((1 << (8 * WIDTH[typ])) - 1))

    def nest(self, pol, key, opt, fam, nopt=None):
        """A nest of @pol: the @key attributes, some of @opt."""
        r = self.r
        names = list(key)
        if opt:
            k = r.randint(0, min(len(opt), 3)) if nopt is None else nopt
            names += r.sample(opt, k)
        out = []
        for n in names:
            aid = pol.byname[n]
            _, typ, kind = pol.attrs[aid]
            out.append([aid, self.scalar(typ, kind, fam), (typ, kind)])
        return out

    def message(self, cmd):
        """(cmd, flags, tree) for one command, well formed."""
        r = self.r
        admin, do, dump, tops = COMMANDS[cmd]
        fam = 2 if r.random() < 0.6 else 10
        if cmd == "BATCH":
            return self.batch(fam)
        if cmd == "POLICY_SET_REPLACE":
            return self.pset(fam)
        if cmd == "HA_SET":
            return self.ha(fam)
        if cmd == "HA_NODE_SET":
            return self.ha_node()
        if cmd == "HA_DEL":
            return self.ha_del(fam)
        flags = NLM_F_REQUEST | NLM_F_ACK
        if dump and (not do or r.random() < 0.5):
            flags |= NLM_F_DUMP
        tree = []
        for attr, req, key, opt in tops:
            if not req and r.random() < 0.5:
                continue
            aid = TOP.byname[attr]
            pol = TOP.attrs[aid][2]
            tree.append([aid | NLA_F_NESTED,
                         self.nest(pol, key, opt, fam,
                                   1 if cmd in ("SERVICE_SET",
                                                "SERVER_SET") else None),
                         (NEST, pol)])
        return CMD[cmd], flags, tree

    def batch(self, fam, nsvc=None, nsrv=None, ports=None):
        r = self.r
        tree = []
        if nsvc is None:
            nsvc = r.choice((0, 1, 1, 2, 3, 5))
        if ports is None:
            ports = r.sample(range(2000, 2016), min(nsvc, 16)) \
                if nsvc <= 16 else range(3000, 3000 + nsvc)
        for i, port in zip(range(nsvc), ports):
            svc = self.nest(BSVC, ("FAMILY", "ADDR", "PROTO"),
                            ("MODE", "TABLE_SIZE", "TRANSITION", "STATEFUL",
                             "DOWN_POLICY"), fam)
            svc.insert(2, [BSVC.byname["PORT"], struct.pack("H", port),
                           (U16, "port")])
            n = r.choice((0, 1, 2, 3)) if nsrv is None else nsrv
            srvs = []
            for j in range(n):
                s = [[SRV.byname["FAMILY"], struct.pack("H", fam),
                      (U16, "family")],
                     [SRV.byname["ADDR"], self.srvaddr(fam, j, n),
                      (BIN, "srvaddr")]]
                if r.random() < 0.3:
                    s.append([SRV.byname["WEIGHT"],
                              self.scalar(U32, "weight", fam),
                              (U32, "weight")])
                srvs.append([TOP.byname["SERVER"] | NLA_F_NESTED, s,
                             (NEST, SRV)])
            if srvs or r.random() < 0.2:
                svc.append([BSVC.byname["SERVERS"] | NLA_F_NESTED, srvs,
                            (ARRAY, SRV)])
            tree.append([TOP.byname["SERVICE"] | NLA_F_NESTED, svc,
                         (NEST, BSVC)])
        if r.random() < 0.3:
            tree.append([BTOP.byname["BATCH_FLAGS"],
                         self.scalar(U32, "batchflags", fam),
                         (U32, "batchflags")])
        return CMD["BATCH"], NLM_F_REQUEST | NLM_F_ACK, tree

    def pset(self, fam):
        """A policy set: its nest, 0-3 groups of 1-3 destinations (ipip
        or gue), 0-5 policies naming them."""
        r = self.r
        tree = [[PTOP.byname["POLICY_SET"] | NLA_F_NESTED,
                 self.nest(PSET, ("NAME",), ("GEN", "TRANSITION", "REASON"),
                           fam),
                 (NEST, PSET)]]
        names = r.sample(NAMES[:3], r.randint(0, 3))
        for g in names:
            dests = []
            for _ in range(r.randint(1, 3)):
                d = [[SRV.byname["FAMILY"], struct.pack("H", fam),
                      (U16, "family")],
                     [SRV.byname["ADDR"], ip(fam, r.choice(PDEST[fam])),
                      (BIN, "srvaddr")],
                     [SRV.byname["METHOD"], struct.pack(
                         "B", r.choice((1, 2, 2, 0))), (U8, "method")]]
                if d[2][1] == b"\x02" or r.random() < 0.05:
                    d.append([SRV.byname["GUE_PORT"],
                              self.scalar(U16, "gueport", fam),
                              (U16, "gueport")])
                if r.random() < 0.3:
                    d.append([SRV.byname["WEIGHT"],
                              self.scalar(U32, "weight", fam),
                              (U32, "weight")])
                dests.append([TOP.byname["SERVER"] | NLA_F_NESTED, d,
                              (NEST, SRV)])
            grp = [[GRP.byname["NAME"], g, (BIN, "name")],
                   [GRP.byname["DESTS"] | NLA_F_NESTED, dests,
                    (ARRAY, SRV)]]
            if r.random() < 0.3:
                grp.append([GRP.byname["TABLE_SIZE"],
                            self.scalar(U32, "table", fam), (U32, "table")])
            tree.append([PTOP.byname["GROUP"] | NLA_F_NESTED, grp,
                         (NEST, GRP)])
        for _ in range(r.randint(0, 5)):
            pol = self.nest(POL, ("FAMILY", "ADDR"),
                            ("PROTO", "PORT", "SRC", "SRC_PLEN"), fam)
            pol.append([POL.byname["GROUP"],
                        r.choice(names) if names and r.random() < 0.9
                        else self.scalar(BIN, "name", fam), (BIN, "name")])
            tree.append([PTOP.byname["POLICY"] | NLA_F_NESTED, pol,
                         (NEST, POL)])
        return CMD["POLICY_SET_REPLACE"], NLM_F_REQUEST | NLM_F_ACK, tree

    def ha(self, fam):
        """An HA policy: its nest (generation, key, maybe the previous
        key, local id, port) and 1-3 nodes of ids 1-3, each with a sync
        address and, mostly, backups among the others (a valid policy
        now and then, so that replaces succeed and stale ones meet
        ESTALE)."""
        r = self.r
        top = self.nest(HA, ("GEN", "KEY_ID", "KEY"),
                        ("PORT", "PREV_KEY_ID", "PREV_KEY"), fam)
        nids = r.sample((1, 2, 3), r.choice((1, 2, 3, 3)))
        if r.random() < 0.5:
            top.append([HA.byname["LOCAL"], struct.pack(
                "I", r.choice(nids) if r.random() < 0.9 else 9),
                (U32, "haid")])
        tree = [[HTOP.byname["HA"] | NLA_F_NESTED, top, (NEST, HA)]]
        for nid in nids:
            others = [x for x in nids if x != nid]
            if others and r.random() < 0.9:
                bk = b"".join(struct.pack("I", x) for x in
                              r.sample(others, r.randint(1, len(others))))
            else:
                bk = self.scalar(BIN, "backups", fam)
            n = [[HANODE.byname["ID"], struct.pack("I", nid), (U32, "haid")],
                 [HANODE.byname["NAME"], NAMES[nid - 1], (BIN, "name")],
                 [HANODE.byname["BACKUPS"], bk, (BIN, "backups")]]
            n += self.nest(HANODE, ("FAMILY", "SYNC_ADDR"),
                           ("DEST_FAMILY", "DEST_ADDR", "FNAT_FAMILY",
                            "FNAT_ADDR"), fam, 0 if r.random() < 0.8
                           else None)
            tree.append([HTOP.byname["HA_NODE"] | NLA_F_NESTED, n,
                         (NEST, HANODE)])
        return CMD["HA_SET"], NLM_F_REQUEST | NLM_F_ACK, tree

    def ha_node(self):
        """A node notice: id, state, node generation."""
        n = self.nest(HANODE, ("ID", "STATE", "STATE_GEN"), (), 2)
        return CMD["HA_NODE_SET"], NLM_F_REQUEST | NLM_F_ACK, [
            [HTOP.byname["HA_NODE"] | NLA_F_NESTED, n, (NEST, HANODE)]]

    def ha_del(self, fam):
        """A removal: the ha nest with its generation alone, now and
        then with other members (ignored)."""
        top = self.nest(HA, ("GEN",), ("PORT", "KEY_ID"), fam,
                        0 if self.r.random() < 0.8 else None)
        return CMD["HA_DEL"], NLM_F_REQUEST | NLM_F_ACK, [
            [HTOP.byname["HA"] | NLA_F_NESTED, top, (NEST, HA)]]

    def srvaddr(self, fam, j, n):
        if n <= 8:
            return ip(fam, self.r.choice(SRVADDR[fam]))
        # Many distinct servers: 10.x.y.z / 2001:db8:2::1:x
        if fam == 2:
            return struct.pack("!I", 0x0a000000 + j + 1)
        return ip(10, "2001:db8:2::1:%x" % (j + 1))


# ---------------------------------------------------------------------------
# Mutations of a tree: each returns its name, or None if it did not apply.
def walk(tree, parent=None, depth=0):
    """Every (list holding the node, index, node, depth)."""
    for i, node in enumerate(tree):
        yield tree, i, node, depth
        if isinstance(node[1], list):
            yield from walk(node[1], node, depth + 1)


def pick(r, tree, pred=lambda n: True):
    cands = [x for x in walk(tree) if x[2][0] is not None and pred(x[2])]
    return r.choice(cands) if cands else None


def is_scalar(n):
    return not isinstance(n[1], list)


def is_nest(n):
    return isinstance(n[1], list)


def m_width(r, tree, gen):
    x = pick(r, tree, is_scalar)
    if not x:
        return None
    n = x[2]
    n[1] = bytes(r.randrange(256) for _ in range(
        r.choice([w for w in (0, 1, 2, 3, 4, 5, 8) if w != len(n[1])])))
    return "width"


def m_value(r, tree, gen):
    x = pick(r, tree, lambda n: is_scalar(n) and n[2] and n[2][0] in WIDTH)
    if not x:
        return None
    n = x[2]
    w = len(n[1])
    if not w:
        return None
    v = r.choice((0, 1, (1 << (8 * w)) - 1, 1 << (8 * w - 1),
                  r.getrandbits(8 * w)))
    n[1] = v.to_bytes(w, "little")
    return "value"


def m_binlen(r, tree, gen):
    x = pick(r, tree, lambda n: is_scalar(n) and n[2] and n[2][0] == BIN)
    if not x:
        return None
    n = x[2]
    ln = r.choice((0, 1, 3, 4, 5, 15, 16, 17, 20, 64, 300))
    n[1] = (n[1] * (ln // max(len(n[1]), 1) + 1))[:ln] if n[1] else \
        bytes(ln)
    return "binlen"


def m_drop(r, tree, gen):
    x = pick(r, tree)
    if not x:
        return None
    del x[0][x[1]]
    return "drop"


def m_dup(r, tree, gen):
    x = pick(r, tree)
    if not x:
        return None
    lst, i, n, _ = x
    c = copy_node(n)
    if r.random() < 0.5:
        # The same attribute with other content.
        if is_nest(c) and c[2] and c[2][0] == ARRAY:
            fam = 2 if r.random() < 0.5 else 10
            c[1] = [[TOP.byname["SERVER"] | NLA_F_NESTED,
                     gen.nest(SRV, SRVKEY, ("PORT",), fam), (NEST, SRV)]
                    for _ in range(r.randint(0, 6))]
        elif is_nest(c):
            r.shuffle(c[1])
            del c[1][r.randint(0, len(c[1])):]
        elif c[2] and c[2][0] in WIDTH:
            c[1] = r.getrandbits(8 * len(c[1])).to_bytes(len(c[1]),
                                                         "little")
    lst.insert(r.choice((i, i + 1, len(lst))), c)
    return "dup"


def copy_node(n):
    return [n[0], [copy_node(c) for c in n[1]] if is_nest(n) else n[1], n[2]]


def m_unknown(r, tree, gen):
    lst, mx = tree, TOP.max
    x = pick(r, tree, is_nest)
    if x and r.random() < 0.7:
        lst = x[2][1]
        spec = x[2][2]
        mx = spec[1].max if spec and isinstance(spec[1], Policy) else 8
    t = r.choice((0, mx + 1, mx + 2, 0x3fff, r.randrange(0x4000)))
    payload = bytes(r.randrange(256) for _ in range(r.choice((0, 1, 4, 8))))
    lst.insert(r.randint(0, len(lst)), [t, payload, None])
    return "unknown"


def m_reply_only(r, tree, gen):
    x = pick(r, tree, lambda n: is_nest(n) and n[2] and
             isinstance(n[2][1], Policy) and n[2][1].reply_only)
    if x:
        lst, pol = x[2][1], x[2][2][1]
    else:
        lst, pol = tree, TOP
    t = r.choice(pol.reply_only or [TOP.byname["SESSION"]])
    lst.append([t | (NLA_F_NESTED if r.random() < 0.5 else 0),
                b"\0" * r.choice((0, 4, 8)), None])
    return "reply-only"


def m_nestflag(r, tree, gen):
    x = pick(r, tree)
    if not x:
        return None
    x[2][0] ^= NLA_F_NESTED if r.random() < 0.8 else NLA_F_NET_BYTEORDER
    return "nestflag"


def m_deepen(r, tree, gen):
    x = pick(r, tree)
    if not x:
        return None
    lst, i, n, _ = x
    if is_nest(n) and r.random() < 0.5:
        # The nest within itself.
        n[1].append(copy_node(n))
    else:
        lst[i] = [n[0] | NLA_F_NESTED, [n], (NEST, None)]
    return "deepen"


def m_flatten(r, tree, gen):
    x = pick(r, tree, is_nest)
    if not x:
        return None
    lst, i, n, _ = x
    lst[i:i + 1] = n[1]
    return "flatten"


def m_swapnest(r, tree, gen):
    x = pick(r, tree, is_nest)
    if not x:
        return None
    n = x[2]
    pol, key, opt = r.choice(((SVC, KEY, SVC_OPT), (SRV, SRVKEY, ("PORT",)),
                              (CFG, (), tuple(CFG.byname))))
    n[1] = gen.nest(pol, key, opt, r.choice((2, 10)))
    return "swapnest"


def m_nest2scalar(r, tree, gen):
    x = pick(r, tree, is_nest)
    if not x:
        return None
    n = x[2]
    n[0] &= ~NLA_F_NESTED
    n[1] = struct.pack("I", r.getrandbits(32))
    return "nest2scalar"


def m_empty(r, tree, gen):
    x = pick(r, tree, is_nest)
    if not x:
        return None
    x[2][1] = []
    return "empty"


def m_repeat(r, tree, gen):
    """One attribute very many times (encoded once: a raw node)."""
    x = pick(r, tree)
    if not x:
        return None
    lst, i, n, _ = x
    raw = bytearray()
    encode([n], raw, [])
    lst[i] = [None, bytes(raw) * r.choice((20, 100, 1000)), None]
    return "repeat"


TREE_MUTATIONS = [m_width, m_value, m_value, m_binlen, m_drop, m_drop, m_dup,
                  m_dup, m_unknown, m_reply_only, m_nestflag, m_deepen,
                  m_flatten, m_swapnest, m_nest2scalar, m_empty, m_repeat]


def encode(tree, out, offs):
    for t, p, _ in tree:
        if t is None:           # raw, encoded already
            out += p
            continue
        start = len(out)
        offs.append(start)
        out += b"\0\0\0\0"
        if isinstance(p, list):
            encode(p, out, offs)
        else:
            out += p
        n = len(out) - start
        struct.pack_into("HH", out, start, n & 0xffff, t & 0xffff)
        out += b"\0" * (-n % 4)


FLAG_COMBOS = [0, NLM_F_REQUEST, NLM_F_ACK, NLM_F_REQUEST | NLM_F_ECHO,
               NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO,
               NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP,
               NLM_F_REQUEST | NLM_F_DUMP, NLM_F_REQUEST | NLM_F_ACK |
               NLM_F_ROOT, NLM_F_REQUEST | NLM_F_ACK | NLM_F_MATCH,
               NLM_F_REQUEST | NLM_F_ACK | NLM_F_ATOMIC,
               NLM_F_REQUEST | NLM_F_ACK | 0x800, NLM_F_REQUEST |
               NLM_F_ACK | NLM_F_MULTI, NLM_F_REQUEST | NLM_F_ACK |
               NLM_F_DUMP_INTR, NLM_F_REQUEST | NLM_F_ACK | 0xffe0]


# ---------------------------------------------------------------------------
class Stats:
    def __init__(self):
        self.sent = 0
        self.hist = {}
        self.fails = []
        self.noextack = {}
        self.mut = {}
        self.time = {}

    def took(self, what, t0):
        self.time[what] = self.time.get(what, 0) + time.perf_counter() - t0

    def errno_seen(self, name):
        self.hist[name] = self.hist.get(name, 0) + 1

    def fail(self, what, msg=None):
        if len(self.fails) < 200:
            self.fails.append(what + ((" msg " + msg[:256].hex())
                                      if msg is not None else ""))

    def merge(self, d):
        self.sent += d["sent"]
        for k, v in d["hist"].items():
            self.hist[k] = self.hist.get(k, 0) + v
        self.fails += d["fails"]


def errname(e):
    return errno.errorcode.get(e, str(e)) if e else "ok"


def genl_header_refused(msg):
    """Whether the generic netlink core refuses @msg in
    genl_header_check() (EINVAL, before the command's permission is
    checked): a reserved genlmsghdr field, or nlmsg_flags other than
    REQUEST, ACK, ECHO and the two bits of DUMP together."""
    flags = struct.unpack_from("H", msg, 6)[0]
    if len(msg) >= 20 and struct.unpack_from("H", msg, 18)[0]:
        return True
    if flags & NLM_F_DUMP == NLM_F_DUMP:
        flags &= ~NLM_F_DUMP
    return bool(flags & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO))


# Errors the family may answer a privileged request with.
ALLOWED = {0, errno.EINVAL, errno.ERANGE, errno.ENOENT, errno.EEXIST,
           errno.EADDRINUSE, errno.EAFNOSUPPORT, errno.EPROTONOSUPPORT,
           errno.EOPNOTSUPP, errno.ENOSPC, errno.E2BIG, errno.EMSGSIZE,
           errno.EBUSY, errno.ESTALE}


class Sock:
    """A raw generic netlink socket for the fuzzer: sends a chunk of
    requests, drains every answer (the kernel handles a send synchronously
    and continues dumps as we read), reports per sequence number."""

    def __init__(self, fam, stats, priv=True, rcvbuf=1 << 22):
        self.fam = fam
        self.st = stats
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        # Errors do not echo the request: huge requests would fill the
        # receive buffer with their copies.
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.overruns = 0
        self.send_failed = False
        try:
            self.s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf)
            self.s.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 1 << 23)
        except OSError:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        self.s.bind((0, 0))
        self.seq = random.randrange(1 << 30)
        self.priv = priv

    def build(self, cmd, flags, tree, ver=1, rsv=0, tail=b"", offs=None):
        out = bytearray(20)
        o = [] if offs is None else offs
        encode(tree, out, o)
        out += tail
        self.seq = (self.seq + 1) & 0xffffffff
        struct.pack_into("IHHIIBBH", out, 0, len(out), self.fam, flags,
                         self.seq, 0, cmd, ver, rsv)
        return out

    def xfer(self, msgs, limit=None):
        """Send the messages (one datagram), drain; returns {seq: [errno or
        None, extack?, replies, done, dumpintr]}."""
        res = {}
        # The kernel finds the next message at NLMSG_ALIGN(nlmsg_len).
        data = b"".join(m + b"\0" * (-len(m) % 4) for m in msgs)
        self.send_failed = False
        try:
            self.s.send(data)
        except OSError as e:
            # Not sent (EMSGSIZE: larger than the send buffer, which an
            # unprivileged socket cannot raise): not counted, no answer.
            self.st.errno_seen("send:" + errname(e.errno))
            self.send_failed = True
            return res
        self.st.sent += len(msgs)
        self.drain(res, limit)
        return res

    def drain(self, res, limit=None):
        n = 0
        while limit is None or n < limit:
            try:
                data = self.s.recv(1 << 20, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            except OSError as e:
                self.st.errno_seen("recv:" + errname(e.errno))
                self.overruns += 1
                continue
            n += 1
            off = 0
            while off + 16 <= len(data):
                ln, typ, fl, seq = struct.unpack_from("IHHI", data, off)
                if ln < 16:
                    break
                m = data[off:off + ln]
                off += (ln + 3) & ~3
                r = res.setdefault(seq, [None, False, 0, False, False])
                if fl & NLM_F_DUMP_INTR:
                    r[4] = True
                if typ == NLMSG_ERROR:
                    r[0] = -struct.unpack_from("i", m, 16)[0]
                    r[1] = self.has_extack(m, fl)
                elif typ == NLMSG_DONE:
                    r[3] = True
                    if len(m) >= 20:
                        e = -struct.unpack_from("i", m, 16)[0]
                        if e:
                            r[0] = e
                            r[1] = r[1] or len(m) > 20
                else:
                    r[2] += 1
        return n

    @staticmethod
    def has_extack(m, fl):
        if not fl & NLM_F_ACK_TLVS:
            return False
        inner = struct.unpack_from("I", m, 20)[0]
        off = 20 + (16 if fl & NLM_F_CAPPED else inner)
        return bool(attr_list(m, off))

    def close(self):
        self.s.close()


# ---------------------------------------------------------------------------
# The configuration the fuzzer restores: topo.sh's real services in both
# families, every mode, and bulk services (configuration only) so that
# dumps take several parts.
REAL = [(2, VIP4, 80, 6, 2), (2, VIP4, 53, 17, 1),
        (10, VIP6, 80, 6, 3), (10, VIP6, 53, 17, 2)]
REAL_SERVERS = {2: ["198.51.100.11", "198.51.100.12", "198.51.100.13"],
                10: ["2001:db8:2::11", "2001:db8:2::12", "2001:db8:2::13"]}
BULK = 60


def base_batch():
    svcs = []
    for fam, a, port, proto, mode in REAL:
        srvs = [[TOP.byname["SERVER"] | NLA_F_NESTED,
                 [[SRV.byname["FAMILY"], struct.pack("H", fam), None],
                  [SRV.byname["ADDR"], ip(fam, s), None]], None]
                for s in REAL_SERVERS[fam]]
        svcs.append((fam, a, port, proto, mode, 1021, srvs))
    for i in range(BULK):
        srvs = [[TOP.byname["SERVER"] | NLA_F_NESTED,
                 [[SRV.byname["FAMILY"], struct.pack("H", 2), None],
                  [SRV.byname["ADDR"], ip(2, "198.51.100.%d" % (100 + j)),
                   None]], None] for j in range(3)]
        svcs.append((2, "192.0.2.20", 2000 + i, 17, 1, 7, srvs))
    tree = []
    for fam, a, port, proto, mode, table, srvs in svcs:
        tree.append([TOP.byname["SERVICE"] | NLA_F_NESTED, [
                         [BSVC.byname["FAMILY"], struct.pack("H", fam), None],
                         [BSVC.byname["ADDR"], ip(fam, a), None],
                         [BSVC.byname["PORT"], struct.pack("H", port), None],
                         [BSVC.byname["PROTO"], struct.pack("B", proto), None],
                         [BSVC.byname["MODE"], struct.pack("B", mode), None],
                         [BSVC.byname["TABLE_SIZE"], struct.pack("I", table),
                          None],
                         [BSVC.byname["TRANSITION"], struct.pack("I", 0),
                          None],
                         [BSVC.byname["SERVERS"] | NLA_F_NESTED, srvs, None]],
                     None])
    return tree


def base_config_tree():
    return [[TOP.byname["CONFIG"] | NLA_F_NESTED,
             [[CFG.byname["SESSION_MAX"], struct.pack("I", 1048576), None],
              [CFG.byname["TIMEOUT_TCP_SYN"], struct.pack("I", 60), None],
              [CFG.byname["TIMEOUT_TCP_EST"], struct.pack("I", 7200), None],
              [CFG.byname["TIMEOUT_TCP_FIN"], struct.pack("I", 60), None],
              [CFG.byname["TIMEOUT_UDP"], struct.pack("I", 60), None]],
             None]]


def restore(sk):
    """Flush, then the base configuration: must succeed."""
    ok = True
    for cmd, tree in (("FLUSH", []), ("CONFIG_SET", base_config_tree()),
                      ("BATCH", base_batch())):
        m = sk.build(CMD[cmd], NLM_F_REQUEST | NLM_F_ACK, tree)
        res = sk.xfer([m])
        r = res.get(sk.seq)
        if not r or r[0] != 0:
            sk.st.fail("restore: %s answered %s" % (
                cmd, errname(r[0]) if r else "nothing"))
            ok = False
    return ok


def start_extack(sk):
    """Whether a refusal by a dump's start callback (the service filter
    of SERVICE_GET, svcgw_nl_service_dump_start()) reaches userspace with
    its extended ack.  Not on 6.1: __netlink_dump_start() runs ->start
    with cb->extack NULL (it is set around ->dump only), so the family's
    NL_SET_ERR_MSG() there sets nothing; later kernels pass the request's
    extack to ->start.  The family has no other way to the request's
    extended ack from a dump's start."""
    tree = [[TOP.byname["SERVICE"] | NLA_F_NESTED, [
        [SVC.byname["FAMILY"], struct.pack("H", 99), None],
        [SVC.byname["ADDR"], ip(2, VIP4), None],
        [SVC.byname["PORT"], struct.pack("H", 80), None],
        [SVC.byname["PROTO"], struct.pack("B", 6), None]], None]]
    m = sk.build(CMD["SERVICE_GET"], NLM_F_REQUEST | NLM_F_DUMP, tree)
    r = sk.xfer([bytes(m)]).get(sk.seq)
    return r is not None and r[0] == errno.EAFNOSUPPORT and r[1]


def snapshot(sk):
    """The configuration, without counters: services (dump) and config."""
    res = {}
    m = sk.build(CMD["SERVICE_GET"], NLM_F_REQUEST | NLM_F_DUMP, [])
    sk.s.send(m)
    seq = sk.seq
    svcs = []
    while True:
        data = sk.s.recv(1 << 20)
        off, done = 0, False
        while off + 16 <= len(data):
            ln, typ, fl, sq = struct.unpack_from("IHHI", data, off)
            msg = data[off:off + ln]
            off += (ln + 3) & ~3
            if sq != seq:
                continue
            if typ in (NLMSG_DONE, NLMSG_ERROR):
                done = True
                break
            for t, p in attr_list(msg, 20):
                if t != TOP.byname["SERVICE"]:
                    continue
                d = {}
                for a, v in attr_list(p):
                    name = SVC.attrs.get(a, (str(a),))[0]
                    if name == "SERVERS":
                        d.setdefault("servers", [])
                        for _, sv in attr_list(v):
                            sd = {SRV.attrs.get(b, (str(b),))[0]: w.hex()
                                  for b, w in attr_list(sv)
                                  if SRV.attrs.get(b, ("",))[0] in
                                  ("FAMILY", "ADDR", "PORT", "WEIGHT",
                                   "STATE")}
                            d["servers"].append(sd)
                    elif name in KEY + SVC_OPT + ("STATEFUL",):
                        d[name] = v.hex()
                svcs.append(d)
        if done:
            break
    key = lambda d: tuple(d.get(k, "") for k in KEY)  # noqa: E731
    merged = {}
    for d in svcs:
        # A service continued in the next message repeats its key.
        m = merged.setdefault(key(d), dict(d, servers=[]))
        m["servers"] += d.get("servers", [])
    for d in merged.values():
        d["servers"].sort(key=lambda s: sorted(s.items()))
    res["services"] = sorted(merged.values(), key=key)
    m = sk.build(CMD["CONFIG_GET"], NLM_F_REQUEST | NLM_F_ACK, [])
    r = {}
    sk.s.send(m)
    sk.drain(r)
    res["config_answer"] = errname((r.get(sk.seq) or [0])[0])
    return res


# ---------------------------------------------------------------------------
class Fuzzer:
    def __init__(self, fam, seed, stats, priv=True):
        self.r = random.Random(seed)
        self.gen = Gen(self.r)
        self.st = stats
        self.fam = fam
        self.priv = priv
        self.sk = Sock(fam, stats, priv,
                       rcvbuf=1 << 22 if priv else 1 << 18)
        self.cmds = list(COMMANDS)
        self.cache = []
        # Whether a refusal by a dump's start callback keeps its extended
        # ack (start_extack()); fuzz() sets it.
        self.dump_extack = True

    def one(self):
        """One message: (bytes, meta); meta = (cmd, flags, mutations).
        Most (85%) replay a message generated before (the state they
        meet differs), with a new sequence number and sometimes other
        flags or a few bytes changed: the tree generator is the slow part
        in an emulated guest."""
        r = self.r
        if len(self.cache) >= 64 and r.random() < 0.85:
            m, (cmd, flags, muts) = r.choice(self.cache)
            m = bytearray(m)
            self.sk.seq = (self.sk.seq + 1) & 0xffffffff
            if r.random() < 0.1:
                flags = r.choice(FLAG_COMBOS)
                muts = muts + ["flags"]
            if len(m) > 20 and r.random() < 0.05:
                m[r.randrange(20, len(m))] = r.randrange(256)
                muts = muts + ["bytes"]
            struct.pack_into("=HI", m, 6, flags, self.sk.seq)
            self.st.mut["replay"] = self.st.mut.get("replay", 0) + 1
            return bytes(m), (cmd, flags, muts)
        m, meta = self.fresh()
        if len(self.cache) < 512:
            self.cache.append((m, meta))
        else:
            self.cache[r.randrange(512)] = (m, meta)
        return m, meta

    def fresh(self):
        r = self.r
        name = r.choice(self.cmds)
        cmd, flags, tree = self.gen.message(name)
        muts = []
        # 10%: as generated (valid), else 1-3 mutations of the tree.
        if r.random() >= 0.1:
            for _ in range(r.choice((1, 1, 1, 2, 2, 3))):
                mu = r.choice(TREE_MUTATIONS)(r, tree, self.gen)
                if mu:
                    muts.append(mu)
        ver, rsv, tail = 1, 0, b""
        if r.random() < 0.15:
            flags = r.choice(FLAG_COMBOS)
            muts.append("flags")
        if r.random() < 0.03:
            ver = r.choice((0, 2, 255))
            muts.append("version")
        if r.random() < 0.03:
            rsv = r.randrange(1, 0x10000)
            muts.append("reserved")
        if r.random() < 0.02:
            cmd = r.choice((0, E["SVCGW_CMD_MAX"] + 1, 100, 255))
            muts.append("unknown-cmd")
        if r.random() < 0.03:
            tail = bytes(r.randrange(256) for _ in range(r.randint(1, 7)))
            muts.append("trailing")
        offs = []
        m = self.sk.build(cmd, flags, tree, ver, rsv, tail, offs)
        if offs and r.random() < 0.06:
            # A bad nla_len inside the message (nlmsg_len stays right).
            o = r.choice(offs)
            ln = struct.unpack_from("H", m, o)[0]
            bad = r.choice((0, 1, 2, 3, ln - 1, ln + 1, ln + 4, 0xffff,
                            len(m) - o + 1))
            struct.pack_into("H", m, o, bad & 0xffff)
            muts.append("nla_len")
        if len(m) > 20 and r.random() < 0.03:
            for _ in range(r.randint(1, 4)):
                m[r.randrange(20, len(m))] = r.randrange(256)
            muts.append("bytes")
        for mu in muts:
            self.st.mut[mu] = self.st.mut.get(mu, 0) + 1
        return bytes(m), (cmd, flags, muts)

    def check(self, seq, meta, r, msg):
        cmd, flags, muts = meta
        name = CMDNAME.get(cmd)
        e = None if r is None else r[0]
        if r is None or (e is None and not r[2] and not r[3]):
            self.st.errno_seen("silent")
            # No answer: only without NLM_F_REQUEST, or without NLM_F_ACK
            # on a do that succeeded with no reply.
            if flags & NLM_F_REQUEST and flags & NLM_F_ACK:
                self.st.fail("%s: no answer" % name, msg)
            return
        if e is None:
            self.st.errno_seen("done" if r[3] else "reply")
            return
        self.st.errno_seen(errname(e))
        if not flags & NLM_F_REQUEST:
            if e:
                self.st.fail("%s: not a request, answered %s" % (
                    name, errname(e)), msg)
            return
        admin = name is not None and COMMANDS[name][0]
        if not self.priv:
            # The core checks the genl header before the permission
            # (genl_header_check(), 6.1): EINVAL, with its own extack.
            if admin and e != errno.EPERM and not (
                    e == errno.EINVAL and genl_header_refused(msg)):
                self.st.fail("unprivileged %s answered %s" % (
                    name, errname(e)), msg)
            return
        if e == errno.EPERM or e not in ALLOWED:
            self.st.fail("%s (%s) answered %s" % (
                name, ",".join(muts), errname(e)), msg)
        elif e and not r[1] and name is not None and e not in (
                errno.EOPNOTSUPP, errno.EBUSY, errno.EMSGSIZE) and (
                    self.dump_extack or
                    flags & NLM_F_DUMP != NLM_F_DUMP):
            # Dump requests are left out where the kernel drops what a
            # dump's start callback puts in the extended ack: the
            # family's messages are set, the core loses them.
            k = "%s %s" % (name, errname(e))
            if k not in self.st.noextack:
                self.st.noextack[k] = (",".join(muts), msg[:256].hex())

    def chunk(self, n):
        msgs, metas = [], {}
        for _ in range(n):
            m, meta = self.one()
            msgs.append(m)
            metas[self.sk.seq] = (meta, m)
        over = self.sk.overruns
        t = time.perf_counter()
        res = self.sk.xfer(msgs)
        self.st.took("chunk-xfer", t)
        if self.sk.send_failed:
            return
        lost = self.sk.overruns != over
        for seq, (meta, m) in metas.items():
            if lost and seq not in res:
                continue        # answer dropped: receive buffer full
            self.check(seq, meta, res.get(seq), m)

    def bad_header(self):
        """A message whose nlmsghdr lies: sent alone (the kernel drops the
        rest of a datagram after it)."""
        r = self.r
        m, meta = self.one()
        m = bytearray(m)
        kind = r.choice(("short", "long", "genl", "type", "tiny"))
        if kind == "short":
            struct.pack_into("I", m, 0, r.randint(0, 15))
        elif kind == "long":
            struct.pack_into("I", m, 0, len(m) + r.choice((1, 4, 4096)))
        elif kind == "genl":
            m = m[:r.randint(16, 19)]
            struct.pack_into("I", m, 0, len(m))
        elif kind == "type":
            struct.pack_into("H", m, 4, r.choice((0, 1, 2, 3, 15, 0xffff)))
        else:
            m = m[:r.randint(1, 15)]
        self.st.mut["hdr-" + kind] = self.st.mut.get("hdr-" + kind, 0) + 1
        self.sk.xfer([bytes(m)])

    def interrupted_dump(self):
        """Start a dump on a fresh socket with a small buffer, read one
        part, then close it, or send other requests first."""
        r = self.r
        sk = Sock(self.fam, self.st, self.priv, rcvbuf=r.choice((4096,
                                                                  16384)))
        cmd = r.choice(("SERVICE_GET", "SESSION_GET"))
        tree = []
        if r.random() < 0.2:
            tree = self.gen.message("SERVICE_DEL")[2]
        sk.s.send(sk.build(CMD[cmd], NLM_F_REQUEST | NLM_F_DUMP, tree))
        self.st.sent += 1
        self.st.errno_seen("dump-interrupted")
        res = {}
        sk.drain(res, limit=1)
        how = r.random()
        if how < 0.5:
            # Other requests while the dump is in progress (a second dump
            # must be refused, EBUSY, or wait), then close.
            msgs = []
            for _ in range(r.randint(1, 4)):
                c = r.choice(self.cmds)
                msgs.append(bytes(sk.build(*self.gen.message(c))))
            sk.st.sent += len(msgs)
            try:
                sk.s.send(b"".join(m + b"\0" * (-len(m) % 4)
                                   for m in msgs))
            except OSError as e:
                self.st.errno_seen("send:" + errname(e.errno))
            if how < 0.25:
                sk.drain(res, limit=r.randint(1, 3))
        sk.close()

    def huge(self):
        """A batch of very many services or servers, sometimes with one
        bad entry at the end: a refused batch must change nothing."""
        r = self.r
        fam = 2 if r.random() < 0.7 else 10
        if r.random() < 0.5:
            nsvc, nsrv = r.choice((500, 2000, 4000)), r.choice((0, 1, 2))
        else:
            nsvc, nsrv = r.choice((1, 2)), r.choice((1024, 1025, 3000))
        cmd, flags, tree = self.gen.batch(fam, nsvc, nsrv)
        for svc in tree:
            for a in svc[1] if isinstance(svc[1], list) else ():
                if a[2] and a[2][1] == "table":
                    a[1] = struct.pack("I", 7)
        svcs = [n for n in tree if n[0] & 0x3fff == TOP.byname["SERVICE"]]
        bad = r.random() < 0.5 and svcs
        if bad:
            # In the last service (the batch may end with BATCH_FLAGS).
            last = svcs[-1][1]
            r.choice((m_width, m_value, m_drop, m_dup, m_unknown))(
                r, [last[-1]] if last else tree, self.gen)
        before = snapshot(self.sk) if bad else None
        m = bytes(self.sk.build(cmd, flags, tree))
        res = self.sk.xfer([m])
        if self.sk.send_failed:
            return
        rr = res.get(self.sk.seq)
        self.st.mut["huge"] = self.st.mut.get("huge", 0) + 1
        self.check(self.sk.seq, (cmd, flags, ["huge"]), rr, m)
        if bad and rr and rr[0]:
            if snapshot(self.sk) != before:
                self.st.fail("huge batch refused (%s) but changed the "
                             "configuration" % errname(rr[0]))

    def run(self, count, restore_every=2500, deadline=None):
        r = self.r
        since = restore_every
        progress = 0
        while self.st.sent < count:
            if self.st.sent >= progress:
                print("# %s: %d messages, %.0f s" % (
                    "privileged" if self.priv else "unprivileged",
                    self.st.sent, time.time() - T0), file=sys.stderr,
                    flush=True)
                progress += 10000
            if deadline and time.time() > deadline:
                break
            if self.priv and since >= restore_every:
                t = time.perf_counter()
                restore(self.sk)
                self.st.took("restore", t)
                since = 0
            x = r.random()
            before = self.st.sent
            t = time.perf_counter()
            if x < 0.0015 and self.priv:
                self.huge()
                self.st.took("huge", t)
            elif x < 0.02:
                self.interrupted_dump()
                self.st.took("interrupted-dump", t)
            elif x < 0.04:
                self.bad_header()
                self.st.took("bad-header", t)
            else:
                self.chunk(r.randint(1, 24 if self.priv else 8))
                self.st.took("chunk", t)
            since += self.st.sent - before


def unprivileged(fam, seed, count):
    """In a child that dropped to uid 65534: every command, fuzzed; admin
    ones must all be EPERM.  Returns the child's Stats as a dict."""
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        st = Stats()
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            f = Fuzzer(fam, seed, st, priv=False)
            n = 0
            # Every command several times with a valid message first.
            for name in COMMANDS:
                cmd, flags, tree = f.gen.message(name)
                m = bytes(f.sk.build(cmd, flags, tree))
                res = f.sk.xfer([m])
                f.check(f.sk.seq, (cmd, flags, []), res.get(f.sk.seq), m)
                n += 1
            f.run(count)
        except Exception as e:  # noqa: BLE001
            st.fail("unprivileged child: %r" % e)
        os.write(wr, json.dumps({"sent": st.sent, "hist": st.hist,
                                 "fails": st.fails}).encode())
        os._exit(0)
    os.close(wr)
    data = b""
    while True:
        d = os.read(rd, 1 << 16)
        if not d:
            break
        data += d
    os.waitpid(pid, 0)
    return json.loads(data)


T0 = time.time()


def fuzz(args):
    fam = GenlSock().family("svcgw")
    if fam is None:
        print("fail family svcgw resolves")
        return 1
    st = Stats()
    t0 = time.time()
    f = Fuzzer(fam, args.seed, st)
    ok = restore(f.sk)
    print(("ok" if ok else "fail") + " base configuration set")
    f.dump_extack = start_extack(f.sk)
    if not f.dump_extack:
        print("# this kernel drops the extended ack of a dump's start "
              "callback: dump refusals are not checked for one")
    # Unprivileged, against the base configuration: nothing may change.
    before = snapshot(f.sk)
    u = unprivileged(fam, args.seed ^ 0x5eed, args.unpriv)
    after = snapshot(f.sk)
    nunpriv = u["sent"]
    ufails = u["fails"]
    st.merge(dict(u, fails=[]))
    print("# unprivileged: %d messages, %d unexpected answers" % (
        nunpriv, len(ufails)))
    for x in ufails[:20]:
        print("# " + x)
    print(("ok" if not ufails else "fail") +
          " unprivileged: every admin command refused with EPERM")
    print(("ok" if before == after else "fail") +
          " unprivileged: configuration unchanged")
    f.run(args.count, deadline=T0 + args.deadline)
    ok = restore(f.sk)
    print(("ok" if ok else "fail") + " base configuration set again")
    dt = time.time() - t0
    print("# seed %d: %d messages in %.0f s (%.0f/s), %d unprivileged" % (
        args.seed, st.sent, dt, st.sent / dt, nunpriv))
    print("# answers: " + " ".join("%s=%d" % kv for kv in
                                   sorted(st.hist.items(),
                                          key=lambda kv: -kv[1])))
    print("# mutations: " + " ".join("%s=%d" % kv for kv in
                                     sorted(st.mut.items())))
    # chunk = generating (chunk - chunk-xfer) + the kernel's answers
    # (chunk-xfer: send, then receive every answer).
    print("# time, privileged (s): " + " ".join(
        "%s=%.0f" % kv for kv in sorted(st.time.items())))
    for x in st.fails[:30]:
        print("# " + x)
    print(("ok" if st.sent >= args.count else "fail") +
          " %d messages sent (at least %d)" % (st.sent, args.count))
    print(("ok" if not st.fails else "fail") +
          " privileged: every answer expected (%d not)" % len(st.fails))
    for k, (muts, hexmsg) in sorted(st.noextack.items()):
        print("# no extack: %s (%s) msg %s" % (k, muts, hexmsg))
    print(("ok" if not st.noextack else "fail") +
          " privileged: every refusal has an extended ack")
    return 0


# ---------------------------------------------------------------------------
def traffic(args):
    """Clients until the stop file exists: TCP connections (send, echo)
    and UDP requests to the real services, v4 and v6.  Counts by kind.
    The fuzz leaves the base services in place only for short spells
    (a FLUSH, SERVICE_DEL or SERVER_SET comes soon after each restore),
    so about one attempt in ten gets through: short timeouts make many
    attempts, and each kind gets through at least once (a CI run with
    2 s and 1 s timeouts made about 30 attempts of each kind and one
    kind got none)."""
    cnt = {}
    kinds = [("tcp4", socket.AF_INET, VIP4, 80), ("udp4", socket.AF_INET,
                                                  VIP4, 53),
             ("tcp6", socket.AF_INET6, VIP6, 80),
             ("udp6", socket.AF_INET6, VIP6, 53)]
    i = 0
    while not os.path.exists(args.stop):
        kind, fam, addr, port = kinds[i % 4]
        i += 1
        ok = False
        try:
            if kind.startswith("tcp"):
                with socket.socket(fam, socket.SOCK_STREAM) as s:
                    s.settimeout(1)
                    s.connect((addr, port))
                    s.sendall(b"x" * 100)
                    got = b""
                    while not got.endswith(b"x" * 100):
                        d = s.recv(4096)
                        if not d:
                            break
                        got += d
                    ok = got.endswith(b"x" * 100)
            else:
                with socket.socket(fam, socket.SOCK_DGRAM) as s:
                    s.settimeout(0.4)
                    s.sendto(b"ping", (addr, port))
                    d, peer = s.recvfrom(4096)
                    ok = d.endswith(b":ping") and peer[1] == port
        except OSError:
            pass
        k = kind + (".ok" if ok else ".fail")
        cnt[k] = cnt.get(k, 0) + 1
        time.sleep(0.01)
    with open(args.out, "w") as f:
        json.dump(cnt, f)
    return 0


def canon(a):
    f = socket.AF_INET6 if ":" in a else socket.AF_INET
    return socket.inet_ntop(f, socket.inet_pton(f, a))


def endpoints(args):
    """Every server endpoint of the fuzzer's pools (and every one listed)
    is held (EADDRINUSE when added by NAT to a stateless probe service,
    which cannot share it) exactly when the listing shows a server there
    that is not a guest (shared): no orphan server in the endpoint
    table."""
    listed, every = set(), set()
    data = json.load(open(args.listing))
    for s in data:
        for v in s["servers"]:
            ep = (canon(v["address"]), v["port"], s["proto"])
            every.add(ep)
            if not v["shared"]:
                listed.add(ep)
    st = Stats()
    fam = GenlSock().family("svcgw")
    sk = Sock(fam, st)
    bad = []
    probes = set(every)
    for f, addrs in SRVADDR.items():
        for a in set(map(canon, addrs)):
            for p in (80, 53, 8080, 5353, 2000, 2001, 2002):
                for proto in ("tcp", "udp"):
                    probes.add((a, p, proto))
    for a, p, proto in sorted(probes):
        f = 10 if ":" in a else 2
        svc = [[TOP.byname["SERVICE"] | NLA_F_NESTED, [
            [SVC.byname["FAMILY"], struct.pack("H", f), None],
            [SVC.byname["ADDR"], ip(f, "192.0.2.99" if f == 2 else
                                    "2001:db8:10::99"), None],
            [SVC.byname["PORT"], struct.pack("H", 9), None],
            [SVC.byname["PROTO"], struct.pack("B", 6 if proto == "tcp"
                                              else 17), None],
            [SVC.byname["MODE"], struct.pack("B", 1), None]], None]]
        srv = [[TOP.byname["SERVER"] | NLA_F_NESTED, [
            [SRV.byname["FAMILY"], struct.pack("H", f), None],
            [SRV.byname["ADDR"], ip(f, a), None],
            [SRV.byname["PORT"], struct.pack("H", p), None]], None]]
        res = sk.xfer([bytes(sk.build(CMD["SERVICE_NEW"], NLM_F_REQUEST |
                                      NLM_F_ACK, svc))])
        res = sk.xfer([bytes(sk.build(CMD["SERVER_NEW"], NLM_F_REQUEST |
                                      NLM_F_ACK, svc + srv))])
        e = res.get(sk.seq, [None])[0]
        want = errno.EADDRINUSE if (a, p, proto) in listed else 0
        if e != want:
            bad.append("%s:%d/%s: %s, want %s" % (a, p, proto, errname(e),
                                                   errname(want)))
        sk.xfer([bytes(sk.build(CMD["SERVICE_DEL"], NLM_F_REQUEST |
                                NLM_F_ACK, svc))])
    for b in bad[:20]:
        print("# " + b)
    print(("ok" if not bad else "fail") +
          " %d endpoints probed, %d held, held exactly when listed" % (
              len(probes), len(listed)))
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("fuzz")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--count", type=int, default=100000)
    p.add_argument("--unpriv", type=int, default=5000)
    p.add_argument("--deadline", type=float, default=600,
                   help="stop sending after this many seconds")
    p = sub.add_parser("traffic")
    p.add_argument("--stop", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("endpoints")
    p.add_argument("listing")
    args = ap.parse_args()
    return {"fuzz": fuzz, "traffic": traffic, "endpoints": endpoints}[
        args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
