#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Traffic for the svcgw selftests: servers that say who they are, and
clients that check every byte and every peer address.

  lbtool.py serve NAME [--tcp PORT] [--udp PORT[,PORT...]] [--bind ADDR]
      TCP: sends "NAME\\n", then echoes everything until the client closes.
      UDP: answers each datagram with "NAME:" + the datagram.
  lbtool.py tcp ADDR PORT [--conns N] [--bytes B] [--parallel]
      N connections, each sends B random bytes and expects them echoed.
  lbtool.py udp ADDR PORT [--count N] [--sport-base P]
      N requests, each from its own source port.
  lbtool.py hold ADDR PORT --conns N --seconds S [--stop-file F]
      N connections that trickle data for S seconds (or until the file F
      exists), checking the echo.
  lbtool.py udphold ADDR PORT --conns N --seconds S [--sport-base P]
                    [--stop-file F]
      N UDP flows (one socket each, from ports P.. if given) that send a
      datagram every round for S seconds; each must be answered, with up
      to 3 tries a round, and by the server that answered its first one.
  lbtool.py udperr ADDR PORT [--ttl N]
      one datagram from a connected socket: the answer, or the ICMP error
      the kernel delivered to the socket and its sender.
  lbtool.py frag ADDR PORT [--count N] [--bytes B] [--order reverse|shuffle]
      UDP datagrams of B bytes sent as fragments out of order (raw
      socket); each must be answered whole, from ADDR:PORT.

Clients print one JSON object: per-server counts, failures, and the peer
addresses seen; they exit 0 only when every exchange was exact and every
peer was ADDR:PORT.
"""
import argparse
import json
import os
import select
import socket
import socketserver
import sys
import threading
import time


IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)	# Linux's value


def serve(args):
    name = args.name.encode()

    class TCPHandler(socketserver.BaseRequestHandler):
        def handle(self):
            s = self.request
            try:
                s.sendall(name + b"\n")
                while True:
                    d = s.recv(65536)
                    if not d:
                        break
                    s.sendall(d)
            except OSError:
                pass

    class TCPServer(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True
        # "::" takes IPv4 too (bindv6only is 0 by default).
        address_family = family(args.bind)

    threads = []
    if args.tcp:
        srv = TCPServer((args.bind, args.tcp), TCPHandler)
        threads.append(threading.Thread(target=srv.serve_forever,
                                        daemon=True))
    for port in filter(None, args.udp.split(",")):
        u = socket.socket(family(args.bind), socket.SOCK_DGRAM)
        u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        u.bind((args.bind, int(port)))

        def udp_loop(u=u):
            # The answer leaves from the address the request was sent to,
            # as a DNS server's does (IP_PKTINFO, IPV6_PKTINFO): a server
            # behind an encapsulating gateway holds the service address
            # too, and its answers must come from it (direct server return).
            v6 = u.family == socket.AF_INET6
            if v6:
                u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
            else:
                u.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
            while True:
                d, anc, _, peer = u.recvmsg(65535, 256)
                out = []
                for level, typ, data in anc:
                    if v6 and typ == socket.IPV6_PKTINFO:
                        # in6_pktinfo: the address, any interface
                        out.append((level, typ, data[:16] + bytes(4)))
                    elif not v6 and typ == IP_PKTINFO:
                        # in_pktinfo: ifindex, spec_dst, addr (the
                        # request's destination) -> from addr
                        out.append((level, typ,
                                    bytes(4) + data[8:12] + bytes(4)))
                u.sendmsg([name + b":" + d], out, 0, peer)
        threads.append(threading.Thread(target=udp_loop, daemon=True))
    for t in threads:
        t.start()
    print("ready", flush=True)
    while True:
        time.sleep(3600)


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def endpoint(addr, port):
    """ADDR:PORT, [ADDR]:PORT for IPv6, as the CLI prints it."""
    return ("[%s]:%d" if ":" in addr else "%s:%d") % (addr, port)


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            break
        buf += d
    return bytes(buf)


def recv_line(s):
    buf = bytearray()
    while not buf.endswith(b"\n"):
        d = s.recv(1)
        if not d:
            break
        buf += d
    return buf.decode(errors="replace").strip()


def source(args):
    """The source address --src asks for (port any), or None."""
    return (args.src, 0) if args.src else None


def tcp_one(addr, port, nbytes, timeout, src=None):
    """One connection: returns (server name, ok, peer, error)."""
    payload = os.urandom(nbytes)
    s = socket.create_connection((addr, port), timeout=timeout,
                                 source_address=src)
    try:
        peer = endpoint(*s.getpeername()[:2])
        name = recv_line(s)
        got = bytearray()
        sent = 0
        s.setblocking(False)
        deadline = time.monotonic() + timeout
        while len(got) < nbytes:
            if time.monotonic() > deadline:
                return name, False, peer, "timeout"
            w = [s] if sent < nbytes else []
            r, w, _ = select.select([s], w, [], 1.0)
            if w:
                sent += s.send(payload[sent:sent + 16384])
            if r:
                d = s.recv(65536)
                if not d:
                    break
                got += d
        s.setblocking(True)
        s.shutdown(socket.SHUT_WR)
        rest = s.recv(1)
        ok = bytes(got) == payload and rest == b""
        return name, ok, peer, None if ok else "payload mismatch"
    finally:
        s.close()


def tcp(args):
    res = {"servers": {}, "ok": 0, "failed": 0, "errors": [], "peers": []}
    lock = threading.Lock()

    def run():
        try:
            name, ok, peer, err = tcp_one(args.addr, args.port, args.bytes,
                                          args.timeout, source(args))
        except OSError as e:
            name, ok, peer, err = None, False, None, str(e)
        with lock:
            if name:
                res["servers"][name] = res["servers"].get(name, 0) + 1
            res["ok" if ok else "failed"] += 1
            if err:
                res["errors"].append(err)
            if peer and peer not in res["peers"]:
                res["peers"].append(peer)

    if args.parallel:
        ts = [threading.Thread(target=run) for _ in range(args.conns)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    else:
        for _ in range(args.conns):
            run()
    return finish(res, args)


def udp_answer(res, d, peer, payload, sport):
    """Count the answer @d from @peer to the datagram @payload sent from
    @sport: "NAME:" + the datagram."""
    name, _, echo = d.partition(b":")
    p = endpoint(*peer[:2])
    if p not in res["peers"]:
        res["peers"].append(p)
    n = name.decode(errors="replace")
    res["servers"][n] = res["servers"].get(n, 0) + 1
    res["flows"][str(sport)] = n
    ok = echo == payload
    res["ok" if ok else "failed"] += 1
    if not ok:
        res["errors"].append("payload mismatch")


def udp(args):
    """One datagram per request, each from a socket of its own; like a
    real client (a resolver, say), a request not answered within --timeout
    is sent again from the same socket, at most --retries times (counted
    in "retries"): it fails when no try is answered."""
    res = {"servers": {}, "ok": 0, "failed": 0, "errors": [], "peers": [],
           "flows": {}, "retries": 0}
    for i in range(args.count):
        s = socket.socket(family(args.addr), socket.SOCK_DGRAM)
        s.settimeout(args.timeout)
        if args.sport_base or args.src:
            s.bind((args.src or ("::" if ":" in args.addr else "0.0.0.0"),
                    args.sport_base + i if args.sport_base else 0))
        payload = os.urandom(args.bytes)
        try:
            for t in range(args.retries + 1):
                try:
                    s.sendto(payload, (args.addr, args.port))
                    d, peer = s.recvfrom(65535)
                    break
                except socket.timeout:
                    if t == args.retries:
                        raise
                    res["retries"] += 1
            udp_answer(res, d, peer, payload, s.getsockname()[1])
        except OSError as e:
            res["failed"] += 1
            res["errors"].append("sport %d: %s" % (s.getsockname()[1], e))
        finally:
            s.close()
    return finish(res, args)


def stop_file(args):
    """hold, udphold: --stop-file ends the run early once it exists."""
    return args.stop_file and os.path.exists(args.stop_file)


def hold(args):
    """Long-lived connections trickling data; counts any that break.

    Each round sends a chunk on every live connection, then waits at most
    --round-timeout seconds, all connections together, for the echoes: a
    connection that is reset, closed, or silent that long is broken.
    """
    res = {"servers": {}, "ok": 0, "failed": 0, "errors": [], "peers": [],
           "broken_at": []}
    socks, names = [], []
    start = time.monotonic()
    for _ in range(args.conns):
        s = socket.create_connection((args.addr, args.port),
                                     timeout=args.timeout,
                                     source_address=source(args))
        name = recv_line(s)
        res["servers"][name] = res["servers"].get(name, 0) + 1
        s.setblocking(False)
        socks.append(s)
        names.append(name)
    end = time.monotonic() + args.seconds
    broken = set()

    def fail(i, why):
        # Which connection, its first server and when (seconds since the
        # first connect): what a failure is matched against in the log.
        broken.add(i)
        res["errors"].append("%s (conn %d, %s, port %d, at %.1fs)" % (
            why, i, names[i], socks[i].getsockname()[1],
            time.monotonic() - start))
        # When each broke, all of them (errors keeps the first five).
        res["broken_at"].append(round(time.monotonic() - start, 1))

    while time.monotonic() < end and not stop_file(args):
        want, got = {}, {}
        for i, s in enumerate(socks):
            if i in broken:
                continue
            chunk = os.urandom(64)
            try:
                s.send(chunk)
                want[i], got[i] = chunk, b""
            except OSError as e:
                fail(i, str(e))
        deadline = time.monotonic() + args.round_timeout
        while want and time.monotonic() < deadline:
            fds = {socks[i].fileno(): i for i in want}
            r, _, _ = select.select([socks[i] for i in want], [], [],
                                    max(0, deadline - time.monotonic()))
            for s in r:
                i = fds[s.fileno()]
                try:
                    d = s.recv(4096)
                except OSError as e:
                    del want[i]
                    fail(i, str(e))
                    continue
                if not d:
                    del want[i]
                    fail(i, "closed by peer")
                    continue
                got[i] += d
                if len(got[i]) >= len(want[i]):
                    if got[i] != want[i]:
                        fail(i, "payload mismatch")
                    del want[i]
        for i in want:
            fail(i, "no echo within %.1fs" % args.round_timeout)
        time.sleep(args.interval)
    for i, s in enumerate(socks):
        res["failed" if i in broken else "ok"] += 1
        s.close()
    return finish(res, args)


def udphold(args):
    """Long-lived UDP flows: like hold, for UDP.  A datagram lost (a flood
    may overflow a queue) is sent again, up to 3 tries a round; a flow
    fails if a round gets no answer or an answer comes from another server
    than its first.  "flows" maps each flow's port to its server."""
    res = {"servers": {}, "ok": 0, "failed": 0, "errors": [], "peers": [],
           "flows": {}, "retries": 0, "rounds": 0}
    v6 = ":" in args.addr
    socks, names = [], []
    for i in range(args.conns):
        s = socket.socket(family(args.addr), socket.SOCK_DGRAM)
        if args.sport_base:
            s.bind(("::" if v6 else "0.0.0.0", args.sport_base + i))
        s.setblocking(False)
        socks.append(s)
        names.append(None)
    broken = set()
    start = time.monotonic()
    end = start + args.seconds

    def fail(i, why):
        broken.add(i)
        res["errors"].append("%s (flow %d, port %d, at %.1fs)" % (
            why, i, socks[i].getsockname()[1], time.monotonic() - start))

    while True:
        res["rounds"] += 1
        want = {i: os.urandom(32) for i in range(len(socks))
                if i not in broken}
        for tries in range(3):
            if not want:
                break
            if tries:
                res["retries"] += len(want)
            for i, d in want.items():
                try:
                    socks[i].sendto(d, (args.addr, args.port))
                except OSError:
                    pass    # a full queue: the retry sends it again
            deadline = time.monotonic() + args.round_timeout / 3
            while want and time.monotonic() < deadline:
                fds = {socks[i].fileno(): i for i in want}
                r, _, _ = select.select([socks[i] for i in want], [], [],
                                        max(0, deadline - time.monotonic()))
                for s in r:
                    i = fds[s.fileno()]
                    try:
                        d, peer = s.recvfrom(65535)
                    except OSError:
                        continue    # an ICMP error: the retry will tell
                    p = endpoint(*peer[:2])
                    if p not in res["peers"]:
                        res["peers"].append(p)
                    name, _, echo = d.partition(b":")
                    if i not in want or echo != want[i]:
                        continue    # a late answer to an earlier try
                    del want[i]
                    name = name.decode(errors="replace")
                    if names[i] is None:
                        names[i] = name
                        res["servers"][name] = res["servers"].get(name, 0) + 1
                    elif name != names[i]:
                        fail(i, "moved from %s to %s" % (names[i], name))
        for i in want:
            fail(i, "no answer in 3 tries")
        if time.monotonic() >= end or stop_file(args):
            break
        time.sleep(args.interval)
    for i, s in enumerate(socks):
        res["failed" if i in broken else "ok"] += 1
        res["flows"][str(s.getsockname()[1])] = names[i]
        s.close()
    return finish(res, args)


def udperr(args):
    """One UDP datagram from a connected socket with IP(V6)_RECVERR: prints
    the answer, or the ICMP error the socket got and who sent it (the
    offender), as the kernel matched it to this socket."""
    import struct
    v6 = ":" in args.addr
    s = socket.socket(family(args.addr), socket.SOCK_DGRAM)
    if v6:
        s.setsockopt(socket.IPPROTO_IPV6, 25, 1)      # IPV6_RECVERR
        if args.ttl:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS,
                         args.ttl)
    else:
        s.setsockopt(socket.IPPROTO_IP, 11, 1)        # IP_RECVERR
        if args.ttl:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, args.ttl)
    s.connect((args.addr, args.port))
    res = {"local": endpoint(*s.getsockname()[:2])}
    s.send(os.urandom(args.bytes))
    r, _, x = select.select([s], [], [s], args.timeout)
    if not r and not x:
        res["timeout"] = True
    else:
        try:
            d = s.recv(65535)
            res["answer"] = d.partition(b":")[0].decode(errors="replace")
        except OSError as e:
            res["errno"] = e.errno
            _, anc, _, _ = s.recvmsg(256, 512, socket.MSG_ERRQUEUE)
            for level, typ, data in anc:
                ee = struct.unpack_from("=IBBBBII", data)
                res.update(origin=ee[1], type=ee[2], code=ee[3], info=ee[5])
                off = data[16:]
                if v6:
                    res["offender"] = socket.inet_ntop(socket.AF_INET6,
                                                       off[8:24])
                else:
                    res["offender"] = socket.inet_ntop(socket.AF_INET,
                                                       off[4:8])
    json.dump(res, sys.stdout)
    print()
    return 0


def csum16(data):
    if len(data) & 1:
        data += b"\0"
    s = sum(int.from_bytes(data[i:i + 2], "big")
            for i in range(0, len(data), 2))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def fragments(src, dst, sport, dport, payload, size, ident):
    """A UDP datagram as IPv4 or IPv6 fragments of @size bytes of data."""
    import struct
    v6 = ":" in dst
    fam = family(dst)
    sa, da = socket.inet_pton(fam, src), socket.inet_pton(fam, dst)
    ulen = 8 + len(payload)
    pseudo = (sa + da + struct.pack("!IxxxB", ulen, 17) if v6 else
              sa + da + struct.pack("!xBH", 17, ulen))
    udp = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
    c = csum16(pseudo + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    out = []
    for off in range(0, len(udp), size):
        chunk = udp[off:off + size]
        more = off + size < len(udp)
        if v6:
            fh = struct.pack("!BxHI", 17, off | more, ident)
            hdr = struct.pack("!IHBB", 6 << 28, len(fh) + len(chunk), 44,
                              64) + sa + da
            out.append(hdr + fh + chunk)
        else:
            h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(chunk),
                            ident & 0xffff, (more << 13) | (off >> 3), 64,
                            17, 0, sa, da)
            h = h[:10] + struct.pack("!H", csum16(h)) + h[12:]
            out.append(h + chunk)
    return out


def frag(args):
    """UDP datagrams sent as fragments in the order asked (reverse,
    shuffled), by a raw socket; each must come back whole, from ADDR:PORT."""
    import random
    res = {"servers": {}, "ok": 0, "failed": 0, "errors": [], "peers": [],
           "flows": {}}
    fam = family(args.addr)
    raw = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for i in range(args.count):
        u = socket.socket(fam, socket.SOCK_DGRAM)
        u.settimeout(args.timeout)
        u.connect((args.addr, args.port))   # picks the source address
        src, sport = u.getsockname()[:2]
        payload = os.urandom(args.bytes)
        frags = fragments(src, args.addr, sport, args.port, payload, 1232,
                          random.getrandbits(32))
        if args.order == "reverse":
            frags.reverse()
        else:
            random.shuffle(frags)
        try:
            for f in frags:
                raw.sendto(f, (args.addr, 0))
            d, peer = u.recvfrom(65535)
            udp_answer(res, d, peer, payload, sport)
        except OSError as e:
            res["failed"] += 1
            res["errors"].append(str(e))
        finally:
            u.close()
    return finish(res, args)


def finish(res, args):
    want = endpoint(args.addr, args.port)
    res["errors"] = res["errors"][:5]
    json.dump(res, sys.stdout)
    print()
    good = res["failed"] == 0 and all(p == want for p in res["peers"])
    return 0 if good else 1


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("serve")
    p.add_argument("name")
    p.add_argument("--tcp", type=int, default=0)
    p.add_argument("--udp", default="", help="ports, comma-separated")
    p.add_argument("--bind", default="::")
    for c in ("tcp", "udp", "hold", "udphold", "udperr", "frag"):
        p = sub.add_parser(c)
        p.add_argument("addr")
        p.add_argument("port", type=int)
        p.add_argument("--conns", type=int, default=10)
        p.add_argument("--count", type=int, default=10)
        p.add_argument("--bytes", type=int, default=1000)
        p.add_argument("--seconds", type=float, default=5)
        p.add_argument("--timeout", type=float,
                       default=3 if c == "udp" else 20)
        p.add_argument("--sport-base", type=int, default=0)
        p.add_argument("--parallel", action="store_true")
        p.add_argument("--interval", type=float, default=0.2)
        p.add_argument("--round-timeout", type=float, default=5)
        p.add_argument("--retries", type=int, default=0,
                       help="udp: a request sent again this many times")
        p.add_argument("--ttl", type=int, default=0)
        p.add_argument("--stop-file", default="")
        p.add_argument("--src", default="",
                       help="tcp, hold, udp: the source address")
        p.add_argument("--order", choices=("reverse", "shuffle"),
                       default="reverse")
    args = ap.parse_args()
    if args.cmd == "serve":
        serve(args)
        return 0
    return {"tcp": tcp, "udp": udp, "hold": hold, "udphold": udphold,
            "udperr": udperr, "frag": frag}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
