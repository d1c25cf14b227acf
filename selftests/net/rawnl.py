#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raw generic netlink requests to the svcgw family, below the CLI, to see
the kernel's own checks: each malformed request must fail with the right
errno and an extended-ack message, and change nothing.  Prints one line per
check, "ok NAME" or "fail NAME", and "# " details."""
import errno
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
from genl import GenlSock, attr, nest, u8, u16, u32, uapi_enums  # noqa: E402

E = uapi_enums()
CMD_SERVICE_NEW = E["SVCGW_CMD_SERVICE_NEW"]
CMD_SERVER_NEW = E["SVCGW_CMD_SERVER_NEW"]
A_SERVICE, A_SERVER = E["SVCGW_A_SERVICE"], E["SVCGW_A_SERVER"]
SVC_FAMILY, SVC_ADDR = E["SVCGW_SVC_A_FAMILY"], E["SVCGW_SVC_A_ADDR"]
SVC_PORT, SVC_PROTO = E["SVCGW_SVC_A_PORT"], E["SVCGW_SVC_A_PROTO"]
SVC_MODE, SVC_TABLE = E["SVCGW_SVC_A_MODE"], E["SVCGW_SVC_A_TABLE_SIZE"]
SVC_STATS = E["SVCGW_SVC_A_STATS"]
SRV_FAMILY, SRV_ADDR = E["SVCGW_SRV_A_FAMILY"], E["SVCGW_SRV_A_ADDR"]
SRV_WEIGHT = E["SVCGW_SRV_A_WEIGHT"]
SRV_STATE = E["SVCGW_SRV_A_STATE"]
SRV_PORT = E["SVCGW_SRV_A_PORT"]
CMD_BATCH = E["SVCGW_CMD_BATCH"]
A_BATCH_FLAGS = E["SVCGW_A_BATCH_FLAGS"]
SVC_SERVERS = E["SVCGW_SVC_A_SERVERS"]


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


def server(addr, *extra):
    return nest(A_SERVER, u16(SRV_FAMILY, socket.AF_INET),
                attr(SRV_ADDR, socket.inet_aton(addr)), *extra)


def batch_svc(port, *servers, extra=b""):
    """A batch service nest: key, then its server list."""
    return svc_key(port=port, extra=extra +
                   (nest(SVC_SERVERS, *servers) if servers else b""))


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
        # Batches: valid services first, so that a refusal that applied
        # anything would show in the "changed nothing" check.
        ("batch: server list entry of another type", CMD_BATCH,
         batch_svc(81, server("198.51.100.51")) +
         batch_svc(82, nest(A_SERVICE, u16(SRV_FAMILY, 2))), errno.EINVAL),
        ("batch: server with a state", CMD_BATCH,
         batch_svc(81, server("198.51.100.51")) +
         batch_svc(82, server("198.51.100.52", u8(SRV_STATE, 1))),
         errno.EINVAL),
        ("batch: unknown flag", CMD_BATCH,
         batch_svc(81) + u32(A_BATCH_FLAGS, 2), errno.EINVAL),
        ("batch: top-level server", CMD_BATCH,
         batch_svc(81) + server("198.51.100.51"), errno.EINVAL),
        ("batch: service twice", CMD_BATCH,
         batch_svc(81) + batch_svc(82) + batch_svc(81), errno.EINVAL),
        ("batch: endpoint twice in a service", CMD_BATCH,
         batch_svc(81, server("198.51.100.51", u16(SRV_PORT, 9))) +
         batch_svc(82, server("198.51.100.52"),
                   server("198.51.100.51", u16(SRV_PORT, 9)),
                   server("198.51.100.52")),
         errno.EINVAL),
        # Several services may share an endpoint, a stateless one not by
        # NAT: its replies are told apart by session.
        ("batch: endpoint of an existing service, stateless", CMD_BATCH,
         batch_svc(81, server("198.51.100.51")) +
         batch_svc(82, server("198.51.100.11", u16(SRV_PORT, 80)),
                   extra=u8(SVC_MODE, 1)),
         errno.EADDRINUSE),
        ("batch: existing service", CMD_BATCH,
         batch_svc(81) + batch_svc(80), errno.EEXIST),
        # Two server lists in one service: the request is sized by the
        # first and was parsed by the last (found by 66-nlfuzz).
        ("batch: two server lists in one service", CMD_BATCH,
         batch_svc(81, server("198.51.100.51")) +
         svc_key(port=82, extra=nest(SVC_SERVERS) +
                 nest(SVC_SERVERS, server("198.51.100.52"),
                      server("198.51.100.53"))), errno.EINVAL),
        ("batch: two server lists, the first shorter, in the only service",
         CMD_BATCH,
         svc_key(port=82, extra=nest(SVC_SERVERS) +
                 nest(SVC_SERVERS, server("198.51.100.52"),
                      server("198.51.100.53"))), errno.EINVAL),
        ("batch: server weight out of range", CMD_BATCH,
         batch_svc(81, server("198.51.100.51", u32(SRV_WEIGHT, 1 << 20))),
         errno.ERANGE),
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
