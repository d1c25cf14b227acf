#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""svcgw_bulk.py UAPI_HEADER FIRST_PORT COUNT SERVERS MODE

Add COUNT UDP services 192.0.2.10:FIRST_PORT.. with SERVERS servers each,
198.51.100.11..:PORT (a server endpoint may back one service only, so each
service's servers use its port), through generic netlink from one process:
the benchmark's fast path for thousands of services, where the CLI would
start one process per command.  Requests go in batches of 64 messages per
send(), each acknowledged.  The attribute numbers are read from the uapi
header, so the script follows the contract without copies of it.

Prints one JSON object: {"services": N, "requests": N, "seconds": S}.
Exit status 1 on the first refused request."""
import json
import re
import socket
import struct
import sys
import time

NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NLA_F_NESTED = 0x8000
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
BATCH = 64


def uapi_enums(path):
    """Every enumerator of the header's enums, by name."""
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    vals = {}
    for body in re.findall(r"enum\s+\w+\s*{([^}]*)}", text):
        n = -1
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            name, _, expr = item.partition("=")
            name, expr = name.strip(), expr.strip()
            # Values are numbers, earlier names or "NAME - 1" (the _MAX).
            n = eval(expr, {"__builtins__": {}}, dict(vals)) if expr else n + 1
            vals[name] = n
    return vals


def attr(t, data):
    n = 4 + len(data)
    return struct.pack("HH", n, t) + data + b"\0" * ((4 - n % 4) % 4)


def nest(t, *parts):
    return attr(t | NLA_F_NESTED, b"".join(parts))


class Genl:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                               NETLINK_GENERIC)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.s.bind((0, 0))
        self.seq = 0

    def msg(self, family, cmd, payload):
        self.seq += 1
        body = struct.pack("BBH", cmd, 1, 0) + payload
        return struct.pack("IHHII", 16 + len(body), family,
                           NLM_F_REQUEST | NLM_F_ACK, self.seq, 0) + body

    def send(self, msgs):
        """Send the messages at once; return their replies (non-ack
        messages) and the first error, 0 if none."""
        self.s.send(b"".join(msgs))
        acks, err, replies = 0, 0, []
        while acks < len(msgs):
            data = self.s.recv(1 << 20)
            off = 0
            while off < len(data):
                ln, typ = struct.unpack_from("IH", data, off)
                m = data[off:off + ln]
                off += (ln + 3) & ~3
                if typ == NLMSG_ERROR:
                    acks += 1
                    e = struct.unpack_from("i", m, 16)[0]
                    err = err or e
                else:
                    replies.append(m)
        return err, replies

    def family(self, name):
        m = self.msg(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                     attr(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
        err, rep = self.send([m])
        if err or not rep:
            return None
        m, off = rep[0], 20
        while off + 4 <= len(m):
            alen, atyp = struct.unpack_from("HH", m, off)
            if atyp == CTRL_ATTR_FAMILY_ID:
                return struct.unpack_from("H", m, off + 4)[0]
            off += (alen + 3) & ~3
        return None


def main():
    if len(sys.argv) != 6:
        print(__doc__.split("\n")[0], file=sys.stderr)
        return 2
    e = uapi_enums(sys.argv[1])
    first, count, nsrv = (int(a) for a in sys.argv[2:5])
    mode = e["SVCGW_MODE_" + sys.argv[5].upper()]
    g = Genl()
    fam = g.family("svcgw")
    if fam is None:
        print("svcgw_bulk: no generic netlink family svcgw", file=sys.stderr)
        return 1
    u8 = lambda t, v: attr(t, struct.pack("B", v))
    u16 = lambda t, v: attr(t, struct.pack("H", v))
    vip = socket.inet_aton("192.0.2.10")

    def key(port):
        return [u16(e["SVCGW_SVC_A_FAMILY"], socket.AF_INET),
                attr(e["SVCGW_SVC_A_ADDR"], vip),
                u16(e["SVCGW_SVC_A_PORT"], port),
                u8(e["SVCGW_SVC_A_PROTO"], socket.IPPROTO_UDP)]

    msgs = []
    for port in range(first, first + count):
        msgs.append(g.msg(fam, e["SVCGW_CMD_SERVICE_NEW"],
                          nest(e["SVCGW_A_SERVICE"], *key(port),
                               u8(e["SVCGW_SVC_A_MODE"], mode))))
        for i in range(nsrv):
            srv = socket.inet_aton("198.51.100.%d" % (11 + i))
            msgs.append(g.msg(fam, e["SVCGW_CMD_SERVER_NEW"],
                              nest(e["SVCGW_A_SERVICE"], *key(port)) +
                              nest(e["SVCGW_A_SERVER"],
                                   u16(e["SVCGW_SRV_A_FAMILY"], socket.AF_INET),
                                   attr(e["SVCGW_SRV_A_ADDR"], srv),
                                   u16(e["SVCGW_SRV_A_PORT"], port))))
    start = time.monotonic()
    for i in range(0, len(msgs), BATCH):
        err, _ = g.send(msgs[i:i + BATCH])
        if err:
            print("svcgw_bulk: request refused: errno %d" % -err,
                  file=sys.stderr)
            return 1
    print(json.dumps({"services": count, "requests": len(msgs),
                      "seconds": round(time.monotonic() - start, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
