#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# rawsync.py: a peer of the sync channel written from the wire format of
# Documentation/ha.rst (kmod/syncmsg.h), for 82-ha.sh: it plays node
# PEER_ID to the node TARGET_ID at TARGET:PORT, gets an epoch (HELLO,
# NONCE), sends one good SESSIONS datagram (one replica, client port
# 40001), then the same again (replayed) and bad ones, each with a record
# of its own client port (40002 and up), none of which may become a
# replica.  It prints "sent NAME PORT" for each, and the ACKs it got; the
# caller checks the kernel's counters and session table.
#
#   rawsync.py --bind ADDR --target ADDR --port N --peer-id N
#              --target-id N --key-id N --key HEX --service ADDR:PORT
#              --server ADDR:PORT
import argparse
import hashlib
import hmac
import os
import socket
import struct
import sys
import time

MAGIC, VERSION = 0x5347, 1
HELLO, NONCE, SESSIONS, ACK, BULK_BEGIN, BULK_END = 1, 2, 3, 4, 5, 6
OP_UPDATE = 1
TCP = 6
STATE_ESTABLISHED = 3


def header(typ, count, sender, receiver, key_id, epoch, seq, flags=0,
           magic=MAGIC, version=VERSION):
    return struct.pack("!HBBHHIIIIQQ", magic, version, typ, flags, count,
                       sender, receiver, key_id, 0, epoch, seq)


def tag(key, data):
    return hmac.new(key, data, hashlib.sha256).digest()[:16]


def ep4(addr, port):
    return socket.inet_aton(addr) + struct.pack("!H", port)


def record(origin, client_port, service, server, client="203.0.113.77",
           family=4):
    head = struct.pack("!BBBBHBBII", OP_UPDATE, family, TCP,
                       STATE_ESTABLISHED, 0, 0, 0, origin, 60000)
    return (head + ep4(client, client_port) + ep4(*service) +
            ep4(*server) + b"\0" * 6)


def split(s):
    a, p = s.rsplit(":", 1)
    return a, int(p)


def main():
    ap = argparse.ArgumentParser()
    for name in ("bind", "target", "key", "service", "server"):
        ap.add_argument("--" + name, required=True)
    for name in ("port", "peer-id", "target-id", "key-id"):
        ap.add_argument("--" + name, type=int, required=True)
    a = ap.parse_args()
    key = bytes.fromhex(a.key)
    service, server = split(a.service), split(a.server)
    me, you = a.peer_id, a.target_id
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.bind, a.port))
    s.settimeout(0.5)
    dst = (a.target, a.port)

    def send(data):
        s.sendto(data, dst)

    def signed(typ, count, body, epoch=0, seq=0, key_id=a.key_id, k=key):
        d = header(typ, count, me, you, key_id, epoch, seq) + body
        return d + tag(k, d)

    def wait_for(typ, seconds, check=None):
        end = time.time() + seconds
        while time.time() < end:
            try:
                d, _ = s.recvfrom(2048)
            except socket.timeout:
                continue
            if len(d) < 56 or d[3] != typ:
                continue
            if not hmac.compare_digest(tag(key, d[:-16]), d[-16:]):
                print("# a datagram whose tag does not verify", file=sys.stderr)
                continue
            if check is None or check(d):
                return d
        return None

    # The epoch.
    req = os.urandom(16)
    epoch = 0
    for _ in range(20):
        send(signed(HELLO, 0, req))
        d = wait_for(NONCE, 1.0, lambda d: d[40:56] == req)
        if d:
            epoch = struct.unpack("!Q", d[24:32])[0]
            break
    if not epoch:
        print("fail no NONCE for our HELLO")
        return 1
    print("ok a NONCE with an epoch for our HELLO")

    def sessions(port, seq, epoch=epoch, **kw):
        return signed(SESSIONS, 1, record(me, port, service, server),
                      epoch=epoch, seq=seq, **kw)

    # Seq 1: the one good datagram, acknowledged.
    good = sessions(40001, 1)
    send(good)
    d = wait_for(ACK, 5.0,
                 lambda d: struct.unpack("!Q", d[24:32])[0] == epoch and
                 struct.unpack("!Q", d[40:48])[0] >= 1)
    print(("ok" if d else "fail") + " an ACK of sequence number 1")
    print("sent good 40001")
    send(good)
    print("sent replayed 40001")
    # Bad ones, each of its own client port.
    bad = {}
    bad["truncated"] = (40002, sessions(40002, 2)[:30])
    d = sessions(40003, 2)
    bad["bad_magic"] = (40003, b"\x00\x00" + d[2:])
    bad["forged"] = (40004, sessions(40004, 2)[:-16] + os.urandom(16))
    bad["wrong_key"] = (40005, sessions(40005, 2, k=os.urandom(32)))
    bad["no_key"] = (40006, sessions(40006, 2, key_id=a.key_id + 1000))
    bad["other_epoch"] = (40007, sessions(40007, 2, epoch=epoch ^ 1))
    bad["ahead"] = (40008, sessions(40008, 1000))
    body = record(me, 40009, service, server)
    body = body[:1] + b"\x05" + body[2:]    # family 5
    bad["bad_length"] = (40009, signed(SESSIONS, 1, body, epoch=epoch, seq=2))
    body = record(me, 40010, service, server)
    body = body[:2] + b"\x2f" + body[3:]    # protocol 47
    bad["bad_record"] = (40010, signed(SESSIONS, 1, body, epoch=epoch, seq=2))
    bad["other_receiver"] = (40011, (lambda d: d + tag(key, d))(
        header(SESSIONS, 1, me, you + 1, a.key_id, epoch, 2) +
        record(me, 40011, service, server)))
    for name, (port, data) in bad.items():
        send(data)
        print("sent %s %d" % (name, port))
        time.sleep(0.05)
    time.sleep(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
