#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# garp.py DEV ADDR [COUNT]: announce that IPv4 address ADDR is at DEV's MAC
# address with COUNT (default 3) gratuitous ARP requests, 100 ms apart, as
# a VRRP daemon or svcgwd does when it takes an address over.  The guest
# has no arping.
import socket
import struct
import sys
import time


def main():
    dev, addr = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    with open("/sys/class/net/%s/address" % dev) as f:
        mac = bytes.fromhex(f.read().strip().replace(":", ""))
    ip = socket.inet_aton(addr)
    bcast = b"\xff" * 6
    # Ethernet, then ARP: request, sender = target = ADDR.
    frame = (bcast + mac + struct.pack("!H", 0x0806) +
             struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) +
             mac + ip + b"\x00" * 6 + ip)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((dev, 0))
    for i in range(count):
        s.send(frame)
        if i + 1 < count:
            time.sleep(0.1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
