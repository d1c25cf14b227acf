#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# garp.py DEV ADDR [COUNT] [--after FILE]: announce that IPv4 address ADDR
# is at DEV's MAC address with COUNT (default 3) gratuitous ARP requests,
# 100 ms apart, as a VRRP daemon or svcgwd does when it takes an address
# over.  The guest has no arping.  With --after, started ahead: ready
# (Python loaded, socket open), it makes FILE.ready, then sends when FILE
# appears, so that the
# announcement follows the takeover at once even where starting Python
# takes seconds (the debug kernel); it gives up after 30 minutes.
import os
import socket
import struct
import sys
import time


def main():
    args = sys.argv[1:]
    after = None
    if "--after" in args:
        i = args.index("--after")
        after = args[i + 1]
        del args[i:i + 2]
    dev, addr = args[0], args[1]
    count = int(args[2]) if len(args) > 2 else 3
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
    if after:
        open(after + ".ready", "w").close()
        deadline = time.monotonic() + 1800
        while not os.path.exists(after):
            if time.monotonic() > deadline:
                return 1
            time.sleep(0.01)
    for i in range(count):
        s.send(frame)
        if i + 1 < count:
            time.sleep(0.1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
