#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The HA policy's netlink commands below the CLI (SVCGW_CMD_HA_SET, _GET,
_NODE_SET, _DEL): every malformed request fails with its errno and an
extended-ack message and changes nothing; generations only go up, across
a removal too; keys never come back.  Run in a fresh namespace.  Prints "ok NAME" or
"fail NAME" per check, "# " details."""
import errno
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
from genl import GenlSock, attr, attr_map, nest, u8, u16, u32, uapi_enums  # noqa: E402

E = uapi_enums()
A_HA, A_NODE = E["SVCGW_A_HA"], E["SVCGW_A_HA_NODE"]
HA = {k[len("SVCGW_HA_A_"):]: v for k, v in E.items()
      if k.startswith("SVCGW_HA_A_")}
ND = {k[len("SVCGW_HA_NODE_A_"):]: v for k, v in E.items()
      if k.startswith("SVCGW_HA_NODE_A_")}
SET, GET, NODE_SET, DEL = (E["SVCGW_CMD_HA_SET"], E["SVCGW_CMD_HA_GET"],
                           E["SVCGW_CMD_HA_NODE_SET"], E["SVCGW_CMD_HA_DEL"])
UP, DOWN = E["SVCGW_HA_STATE_UP"], E["SVCGW_HA_STATE_DOWN"]
KEY = bytes(range(0x40, 0x60))          # 32 bytes, easy to find
PREV = bytes(range(0xa0, 0xc0))


def u64(t, v):
    return attr(t, struct.pack("Q", v))


def string(t, s):
    return attr(t, s.encode() + b"\0")


def addr4(a):
    return socket.inet_aton(a)


def node(nid, name, sync="198.51.100.21", backups=(2,), family=None,
         extra=b"", dest=None):
    fam = socket.AF_INET if ":" not in sync else socket.AF_INET6
    raw = (addr4(sync) if fam == socket.AF_INET
           else socket.inet_pton(socket.AF_INET6, sync))
    parts = [u32(ND["ID"], nid), string(ND["NAME"], name),
             u16(ND["FAMILY"], family or fam), attr(ND["SYNC_ADDR"], raw),
             attr(ND["BACKUPS"], b"".join(struct.pack("I", b)
                                          for b in backups))]
    if dest:
        parts += [u16(ND["DEST_FAMILY"], socket.AF_INET),
                  attr(ND["DEST_ADDR"], addr4(dest))]
    return nest(A_NODE, *parts, extra)


def policy(gen, nodes, local=1, key=KEY, key_id=7, extra=b""):
    head = [u64(HA["GEN"], gen), u32(HA["LOCAL"], local),
            u32(HA["KEY_ID"], key_id)]
    if key is not None:
        head.append(attr(HA["KEY"], key))
    return nest(A_HA, *head, extra) + b"".join(nodes)


GOOD = [node(1, "gw1", "198.51.100.21", (2, 3)),
        node(2, "gw2", "198.51.100.22", (3,)),
        node(3, "gw3", "198.51.100.23", (1,), dest="198.51.100.33")]

results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("ok " if ok else "fail ") + name)
    if detail and detail != "None" and not ok:
        print("# " + detail)


def get(g, fam):
    err, msg, rep = g.request(fam, GET, b"")
    if err or not rep:
        return err, msg, None, None
    m = rep[0]
    top = attr_map(m, 20, len(m))
    ha = attr_map(top[A_HA][0], 0, len(top[A_HA][0]))
    nodes = [attr_map(n, 0, len(n)) for n in top.get(A_NODE, [])]
    return 0, msg, ha, nodes, m


def main():
    g = GenlSock()
    fam = g.family("svcgw")
    if fam is None:
        print("fail svcgw family found")
        return 1
    r = get(g, fam)
    check("HA_GET without a policy: ENOENT with a message",
          r[0] == -errno.ENOENT and r[1] == "no HA policy in this namespace",
          "%s %s" % r[:2])

    bad = [
        ("no generation", b"".join([nest(A_HA, u32(HA["KEY_ID"], 7),
                                         attr(HA["KEY"], KEY))] + GOOD),
         -errno.EINVAL, "an HA policy needs a generation and a key with its id"),
        ("a key of 31 bytes", policy(1, GOOD, key=KEY[:31]), -errno.ERANGE,
         None),
        ("no key", policy(1, GOOD, key=None), -errno.EINVAL,
         "an HA policy needs a generation and a key with its id"),
        ("no node", policy(1, []), -errno.EINVAL,
         "an HA policy has 1 to 256 nodes"),
        ("a node its own backup", policy(1, [node(1, "gw1", backups=(1,))]),
         -errno.EINVAL, "a node is not its own backup"),
        ("a backup twice", policy(1, [node(1, "gw1", backups=(2, 2)),
                                      node(2, "gw2", "198.51.100.22", (1,))]),
         -errno.EINVAL, "a backup given twice"),
        ("a backup that is no node", policy(1, [node(1, "gw1", backups=(9,))]),
         -errno.EINVAL, "a backup that is no node of the policy"),
        ("nine backups", policy(1, [node(1, "gw1", backups=range(2, 11))]),
         -errno.ERANGE, None),
        ("an id twice", policy(1, [node(1, "gw1", backups=(2,)),
                                   node(1, "gw2", "198.51.100.22", (2,)),
                                   node(2, "gw3", "198.51.100.23", (1,))]),
         -errno.EINVAL, "an HA node's id or name given twice"),
        ("sync addresses of two families",
         policy(1, [node(1, "gw1", backups=(2,)),
                    node(2, "gw2", "2001:db8::22", (1,))]),
         -errno.EINVAL, "the nodes' sync addresses are of two families"),
        ("a multicast sync address", policy(1, [node(1, "gw1", "224.0.0.81",
                                                     (2,)),
                                                GOOD[1]]),
         -errno.EINVAL, "HA node addresses must be unicast"),
        ("a local node that is no node", policy(1, GOOD, local=9),
         -errno.EINVAL, "the local node is no node of the policy"),
        ("a state in HA_SET", policy(1, [node(1, "gw1", backups=(2,),
                                              extra=u8(ND["STATE"], UP)),
                                         GOOD[1]]),
         -errno.EINVAL, "a node's state comes by SVCGW_CMD_HA_NODE_SET"),
        ("previous key without its id",
         policy(1, GOOD, extra=attr(HA["PREV_KEY"], PREV)), -errno.EINVAL,
         "the previous key comes with its id"),
        ("previous key id = current", policy(1, GOOD, extra=u32(
            HA["PREV_KEY_ID"], 7) + attr(HA["PREV_KEY"], PREV)),
         -errno.EINVAL, "the previous key's id is the current one's"),
        ("generation 0", policy(0, GOOD), -errno.ERANGE, None),
    ]
    for name, payload, want, text in bad:
        err, msg, _ = g.request(fam, SET, payload)
        check("HA_SET refused: %s (%s: %s)" % (name, err, msg),
              err == want and msg is not None and
              (text is None or msg == text))
    r = get(g, fam)
    check("  and none of them installed anything", r[0] == -errno.ENOENT)

    err, msg, _ = g.request(fam, SET, policy(5, GOOD, extra=u32(
        HA["PREV_KEY_ID"], 6) + attr(HA["PREV_KEY"], PREV)))
    check("HA_SET generation 5, 3 nodes: accepted", err == 0, str(msg))
    err, msg, ha, nodes, raw = get(g, fam)
    gen = struct.unpack("Q", ha[HA["GEN"]][0])[0]
    check("HA_GET: generation 5, local 1, port 7441, key ids 7 and 6, 3 nodes",
          (gen, struct.unpack("I", ha[HA["LOCAL"]][0])[0],
           struct.unpack("H", ha[HA["PORT"]][0][:2])[0],
           struct.unpack("I", ha[HA["KEY_ID"]][0])[0],
           struct.unpack("I", ha[HA["PREV_KEY_ID"]][0])[0],
           struct.unpack("I", ha[HA["NNODES"]][0])[0]) == (5, 1, 7441, 7, 6, 3))
    check("  no key in the reply, neither current nor previous",
          KEY not in raw and PREV not in raw and HA["KEY"] not in ha)
    n3 = nodes[2]
    check("  node 3: gw3, dest 198.51.100.33, backups [1], state unknown",
          n3[ND["NAME"]][0].rstrip(b"\0") == b"gw3" and
          n3[ND["DEST_ADDR"]][0] == addr4("198.51.100.33") and
          n3[ND["BACKUPS"]][0] == struct.pack("I", 1) and
          n3[ND["STATE"]][0][:1] == b"\0")
    check("  node 1: dest defaults to its sync address",
          nodes[0][ND["DEST_ADDR"]][0] == addr4("198.51.100.21"))

    for g_, want in ((5, -errno.ESTALE), (4, -errno.ESTALE)):
        err, msg, _ = g.request(fam, SET, policy(g_, GOOD))
        check("HA_SET generation %d after 5: refused, ESTALE (%s)" % (g_, msg),
              err == want and msg is not None)
    r = get(g, fam)
    check("  generation 5 and its 3 nodes still in force, 2 stale counted",
          struct.unpack("Q", r[2][HA["GEN"]][0])[0] == 5 and len(r[3]) == 3 and
          struct.unpack("Q", r[2][HA["STALE"]][0])[0] == 2)

    def notice(nid, state, gen):
        return nest(A_NODE, u32(ND["ID"], nid), u8(ND["STATE"], state),
                    u64(ND["STATE_GEN"], gen))
    err, msg, _ = g.request(fam, NODE_SET, notice(2, DOWN, 10))
    check("node notice: gw2 down, node generation 10", err == 0, str(msg))
    for what, payload, want in (
            ("an older node generation", notice(2, UP, 9), -errno.ESTALE),
            ("the same node generation", notice(2, UP, 10), -errno.ESTALE),
            ("an unknown node", notice(9, UP, 11), -errno.ENOENT),
            ("no generation", nest(A_NODE, u32(ND["ID"], 2),
                                   u8(ND["STATE"], UP)), -errno.EINVAL),
            ("state 3", notice(2, 3, 11), -errno.ERANGE)):
        err, msg, _ = g.request(fam, NODE_SET, payload)
        check("node notice refused: %s (%s: %s)" % (what, err, msg),
              err == want and msg is not None)
    r = get(g, fam)
    st = r[3][1]
    check("  gw2 still down with node generation 10",
          st[ND["STATE"]][0][:1] == bytes([DOWN]) and
          struct.unpack("Q", st[ND["STATE_GEN"]][0])[0] == 10)
    err, msg, _ = g.request(fam, SET, policy(6, GOOD))
    r = get(g, fam)
    st = r[3][1]
    check("HA_SET generation 6 with gw2 again: gw2 keeps its state (down, 10)",
          err == 0 and st[ND["STATE"]][0][:1] == bytes([DOWN]) and
          struct.unpack("Q", st[ND["STATE_GEN"]][0])[0] == 10)

    # The removal: above the policy's generation; the next policy above
    # the removal's.
    for what, payload, want in (
            ("the policy's generation", nest(A_HA, u64(HA["GEN"], 6)),
             -errno.ESTALE),
            ("an older generation", nest(A_HA, u64(HA["GEN"], 5)),
             -errno.ESTALE),
            ("generation 0", nest(A_HA, u64(HA["GEN"], 0)), -errno.ERANGE),
            ("no generation", nest(A_HA, u32(HA["KEY_ID"], 7)),
             -errno.EINVAL),
            ("no ha attribute", b"", -errno.EINVAL)):
        err, msg, _ = g.request(fam, DEL, payload)
        check("HA_DEL refused: %s (%s: %s)" % (what, err, msg),
              err == want and msg is not None)
    r = get(g, fam)
    check("  generation 6 still in force", r[0] == 0 and
          struct.unpack("Q", r[2][HA["GEN"]][0])[0] == 6)
    err, msg, _ = g.request(fam, DEL, nest(A_HA, u64(HA["GEN"], 8)))
    r = get(g, fam)
    check("HA_DEL generation 8: removed, HA_GET ENOENT (%s)" % (r[1],),
          err == 0 and r[0] == -errno.ENOENT)
    err, msg, _ = g.request(fam, DEL, nest(A_HA, u64(HA["GEN"], 10)))
    check("HA_DEL without a policy: ENOENT (%s)" % msg,
          err == -errno.ENOENT and msg == "no HA policy in this namespace")
    for g_ in (7, 8):
        err, msg, _ = g.request(fam, SET, policy(g_, GOOD))
        check("HA_SET generation %d after the removal at 8: refused, ESTALE (%s)"
              % (g_, msg), err == -errno.ESTALE and msg ==
              "HA policy generation not above the removal of the last one")
    err, msg, _ = g.request(fam, SET, policy(9, GOOD))
    r = get(g, fam)
    # Stale: 2 policies, 2 notices, 2 removals, 2 policies after it.
    check("HA_SET generation 9: in force, 8 stale counted, gw2's state gone "
          "with the policy removed", err == 0 and r[0] == 0 and
          struct.unpack("Q", r[2][HA["GEN"]][0])[0] == 9 and
          struct.unpack("Q", r[2][HA["STALE"]][0])[0] == 8 and
          r[3][1][ND["STATE"]][0][:1] != bytes([DOWN]),
          str(r[:2]))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
