#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""synflood.py ADDR PORT COUNT: send COUNT TCP SYNs to ADDR:PORT from
random source ports of this host's address, through a raw socket."""
import random
import socket
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def main():
    dst, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.connect((dst, port))
    src = probe.getsockname()[0]
    probe.close()
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    sa, da = socket.inet_aton(src), socket.inet_aton(dst)
    for _ in range(count):
        sport = random.randint(10000, 60000)
        seq = random.getrandbits(32)
        tcp = struct.pack("!HHIIBBHHH", sport, port, seq, 0, 5 << 4, 0x02,
                          64240, 0, 0)
        pseudo = sa + da + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
        s.sendto(tcp, (dst, 0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
