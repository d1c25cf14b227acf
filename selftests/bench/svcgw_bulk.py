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
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
from genl import GenlSock, attr, nest, u8, u16, uapi_enums  # noqa: E402

BATCH = 64


def main():
    if len(sys.argv) != 6:
        print(__doc__.split("\n")[0], file=sys.stderr)
        return 2
    e = uapi_enums(sys.argv[1])
    first, count, nsrv = (int(a) for a in sys.argv[2:5])
    mode = e["SVCGW_MODE_" + sys.argv[5].upper()]
    g = GenlSock(rcvbuf=1 << 20)
    fam = g.family("svcgw")
    if fam is None:
        print("svcgw_bulk: no generic netlink family svcgw", file=sys.stderr)
        return 1
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
        acks, _ = g.send(msgs[i:i + BATCH])
        err = next((e for e, _ in acks if e), 0)
        if err:
            print("svcgw_bulk: request refused: errno %d" % -err,
                  file=sys.stderr)
            return 1
    print(json.dumps({"services": count, "requests": len(msgs),
                      "seconds": round(time.monotonic() - start, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
