#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raw generic netlink requests to the svcgw family, below the CLI, to see
the kernel's own checks: each malformed request must fail with the right
errno and an extended-ack message, and change nothing.  Prints one line per
check, "ok NAME" or "fail NAME", and "# " details."""
import errno
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NLM_F_ACK_TLVS = 0x200
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLA_F_NESTED = 0x8000

# uapi/linux/svcgw.h
CMD_SERVICE_NEW, CMD_SERVICE_GET, CMD_SERVER_NEW = 1, 3, 4
A_SERVICE, A_SERVER, A_SESSION, A_STATS = 1, 2, 3, 4
SVC_FAMILY, SVC_ADDR, SVC_PORT, SVC_PROTO, SVC_MODE, SVC_TABLE, SVC_STATS = \
    1, 2, 3, 4, 5, 6, 7
SRV_FAMILY, SRV_ADDR, SRV_PORT, SRV_WEIGHT = 1, 2, 3, 4


def attr(t, data):
    n = 4 + len(data)
    return struct.pack("HH", n, t) + data + b"\0" * ((4 - n % 4) % 4)


def nest(t, *parts):
    return attr(t | NLA_F_NESTED, b"".join(parts))


def u8(t, v):
    return attr(t, struct.pack("B", v))


def u16(t, v):
    return attr(t, struct.pack("H", v))


def u32(t, v):
    return attr(t, struct.pack("I", v))


class GenlSock:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                               NETLINK_GENERIC)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.bind((0, 0))
        self.seq = 0

    def request(self, family, cmd, payload, flags=NLM_F_REQUEST | NLM_F_ACK):
        self.seq += 1
        body = struct.pack("BBH", cmd, 1, 0) + payload
        msg = struct.pack("IHHII", 16 + len(body), family, flags,
                          self.seq, 0) + body
        self.s.send(msg)
        replies = []
        while True:
            data = self.s.recv(65536)
            off = 0
            while off < len(data):
                ln, typ, fl, seq, pid = struct.unpack_from("IHHII", data, off)
                m = data[off:off + ln]
                off += (ln + 3) & ~3
                if typ == NLMSG_ERROR:
                    err = struct.unpack_from("i", m, 16)[0]
                    msg = None
                    if fl & NLM_F_ACK_TLVS:
                        inner = struct.unpack_from("I", m, 20)[0]
                        toff = 20 + (inner if not fl & 0x100 else 16)
                        while toff + 4 <= len(m):
                            alen, atyp = struct.unpack_from("HH", m, toff)
                            if atyp == 1:
                                msg = m[toff + 4:toff + alen].rstrip(
                                    b"\0").decode()
                            toff += (alen + 3) & ~3
                    return err, msg, replies
                replies.append(m)

    def family(self, name):
        err, _, rep = self.request(
            GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
            attr(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
        if err or not rep:
            return None
        m = rep[0]
        off = 20
        while off + 4 <= len(m):
            alen, atyp = struct.unpack_from("HH", m, off)
            if atyp == CTRL_ATTR_FAMILY_ID:
                return struct.unpack_from("H", m, off + 4)[0]
            off += (alen + 3) & ~3
        return None


VIP = socket.inet_aton("192.0.2.10")


def svc_key(addr=VIP, port=80, proto=6, family=socket.AF_INET, extra=b""):
    parts = []
    if family is not None:
        parts.append(u16(SVC_FAMILY, family))
    if addr is not None:
        parts.append(attr(SVC_ADDR, addr))
    if port is not None:
        parts.append(u16(SVC_PORT, port))
    if proto is not None:
        parts.append(u8(SVC_PROTO, proto))
    return nest(A_SERVICE, *parts, extra)


def main():
    g = GenlSock()
    fam = g.family("svcgw")
    if fam is None:
        print("fail family svcgw resolves")
        return 1
    print("ok family svcgw resolves")
    cases = [
        ("no service attribute", CMD_SERVICE_NEW, b"", errno.EINVAL),
        ("service without port", CMD_SERVICE_NEW, svc_key(port=None),
         errno.EINVAL),
        ("service without address", CMD_SERVICE_NEW, svc_key(addr=None),
         errno.EINVAL),
        ("3-byte address", CMD_SERVICE_NEW, svc_key(addr=b"\xc0\x00\x02"),
         errno.EINVAL),
        ("unknown family", CMD_SERVICE_NEW, svc_key(family=99),
         errno.EAFNOSUPPORT),
        ("protocol icmp", CMD_SERVICE_NEW, svc_key(proto=1),
         errno.EPROTONOSUPPORT),
        ("port 0", CMD_SERVICE_NEW, svc_key(port=0), errno.ERANGE),
        ("mode 9", CMD_SERVICE_NEW, svc_key(extra=u8(SVC_MODE, 9)),
         errno.ERANGE),
        ("table size 5", CMD_SERVICE_NEW, svc_key(extra=u32(SVC_TABLE, 5)),
         errno.ERANGE),
        ("port attribute of wrong size", CMD_SERVICE_NEW,
         nest(A_SERVICE, u16(SVC_FAMILY, 2), attr(SVC_ADDR, VIP),
              u32(SVC_PORT, 80), u8(SVC_PROTO, 6)), errno.ERANGE),
        ("reply-only stats attribute in a request", CMD_SERVICE_NEW,
         svc_key(extra=nest(SVC_STATS)), errno.EINVAL),
        ("unknown top-level attribute", CMD_SERVICE_NEW,
         svc_key() + u32(42, 1), errno.EINVAL),
        ("server without server attribute", CMD_SERVER_NEW, svc_key(),
         errno.EINVAL),
        ("weight out of range", CMD_SERVER_NEW,
         svc_key() + nest(A_SERVER, u16(SRV_FAMILY, 2),
                          attr(SRV_ADDR, socket.inet_aton("198.51.100.50")),
                          u32(SRV_WEIGHT, 1 << 20)), errno.ERANGE),
    ]
    bad = 0
    for name, cmd, payload, want in cases:
        err, msg, _ = g.request(fam, cmd, payload)
        got = -err
        # The policy layer answers ERANGE or EINVAL depending on the check.
        okerr = got == want or (want == errno.ERANGE and got == errno.EINVAL)
        if okerr and msg:
            print("ok %s (%s: %s)" % (name, errno.errorcode.get(got), msg))
        else:
            bad += 1
            print("fail %s (errno %s, want %s, extack %r)" % (
                name, errno.errorcode.get(got, got),
                errno.errorcode.get(want), msg))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
