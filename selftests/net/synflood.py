#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""synflood.py ADDR PORT COUNT [--udp] [--sport-min N] [--sport-max M]:
send COUNT TCP SYNs (with --udp: COUNT UDP datagrams, each a new flow) to
ADDR:PORT from this host's address, through a raw socket.  Source ports
are drawn from [N, M] (default 10000-60000), all different while COUNT
fits the range: with a range outside the local port range the flood
cannot hit the host's own connections.  Prints the packets sent and the
time taken."""
import argparse
import random
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("addr")
    ap.add_argument("port", type=int)
    ap.add_argument("count", type=int)
    ap.add_argument("--udp", action="store_true")
    ap.add_argument("--sport-min", type=int, default=10000)
    ap.add_argument("--sport-max", type=int, default=60000)
    args = ap.parse_args()
    dst, port, count = args.addr, args.port, args.count
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.connect((dst, port))
    src = probe.getsockname()[0]
    probe.close()
    proto = socket.IPPROTO_UDP if args.udp else socket.IPPROTO_TCP
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, proto)
    sa, da = socket.inet_aton(src), socket.inet_aton(dst)
    span = range(args.sport_min, args.sport_max + 1)
    if count <= len(span):
        ports = random.sample(span, count)
    else:
        ports = [random.choice(span) for _ in range(count)]
    sent = 0
    t0 = time.monotonic()
    for sport in ports:
        if args.udp:
            data = b"flood"
            hdr = struct.pack("!HHHH", sport, port, 8 + len(data), 0) + data
        else:
            seq = random.getrandbits(32)
            hdr = struct.pack("!HHIIBBHHH", sport, port, seq, 0, 5 << 4,
                              0x02, 64240, 0, 0)
        pseudo = sa + da + struct.pack("!BBH", 0, proto, len(hdr))
        c = csum(pseudo + hdr) or 0xffff
        off = 6 if args.udp else 16
        hdr = hdr[:off] + struct.pack("!H", c) + hdr[off + 2:]
        while True:
            try:
                s.sendto(hdr, (dst, 0))
                break
            except OSError:
                time.sleep(0.001)    # ENOBUFS: let the queue drain
        sent += 1
    print("sent %d %s in %.1f s" % (sent, "UDP" if args.udp else "SYN",
                                     time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
