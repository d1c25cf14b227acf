#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""svcgw_batch.py UAPI_HEADER FIRST_PORT COUNT SERVERS

The time of SVCGW_CMD_BATCH requests alone, without the CLI: COUNT UDP
services 192.0.2.10:FIRST_PORT.. of SERVERS servers each (the servers of
svcgw_bulk.py) in one message, built before the clock starts, sent
(socket buffer raised with SO_SNDBUFFORCE, NETLINK_CAP_ACK set) and
acknowledged; then the same message with SVCGW_BATCH_F_REPLACE (nothing
changes), then a replacing message with no service (everything goes).

Prints one JSON object: {"services": N, "bytes": B, "batch_s": S,
"replace_same_s": S, "replace_empty_s": S}.  Exit status 1 on a refusal."""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
from genl import GenlSock, attr, nest, u8, u16, u32, uapi_enums  # noqa: E402

SO_SNDBUFFORCE = 32
NETLINK_CAP_ACK = 10


def main():
    if len(sys.argv) != 5:
        print(__doc__.split("\n")[0], file=sys.stderr)
        return 2
    e = uapi_enums(sys.argv[1])
    first, count, nsrv = (int(a) for a in sys.argv[2:5])
    g = GenlSock(rcvbuf=1 << 20)
    fam = g.family("svcgw")
    if fam is None:
        print("svcgw_batch: no generic netlink family svcgw", file=sys.stderr)
        return 1
    vip = socket.inet_aton("192.0.2.10")
    services = []
    for port in range(first, first + count):
        srv = [nest(e["SVCGW_A_SERVER"],
                    u16(e["SVCGW_SRV_A_FAMILY"], socket.AF_INET),
                    attr(e["SVCGW_SRV_A_ADDR"],
                         socket.inet_aton("198.51.100.%d" % (11 + i))),
                    u16(e["SVCGW_SRV_A_PORT"], port)) for i in range(nsrv)]
        services.append(nest(e["SVCGW_A_SERVICE"],
                             u16(e["SVCGW_SVC_A_FAMILY"], socket.AF_INET),
                             attr(e["SVCGW_SVC_A_ADDR"], vip),
                             u16(e["SVCGW_SVC_A_PORT"], port),
                             u8(e["SVCGW_SVC_A_PROTO"], socket.IPPROTO_UDP),
                             u8(e["SVCGW_SVC_A_MODE"],
                                e["SVCGW_MODE_STATELESS"]),
                             nest(e["SVCGW_SVC_A_SERVERS"], *srv)))
    body = b"".join(services)
    replace = u32(e["SVCGW_A_BATCH_FLAGS"], 1)     # SVCGW_BATCH_F_REPLACE
    g.s.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, len(body) + (1 << 16))
    g.s.setsockopt(270, NETLINK_CAP_ACK, 1)
    out = {"services": count, "bytes": len(body)}
    for name, payload in (("batch_s", body), ("replace_same_s", replace + body),
                          ("replace_empty_s", replace)):
        msg = g.msg(fam, e["SVCGW_CMD_BATCH"], payload)
        start = time.monotonic()
        acks, _ = g.send([msg])
        out[name] = round(time.monotonic() - start, 3)
        err, ext = acks[0]
        if err:
            print("svcgw_batch: %s refused: errno %d %s" % (name, -err, ext),
                  file=sys.stderr)
            return 1
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
