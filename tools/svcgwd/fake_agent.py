#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# fake_agent.py NAME PKI PORT OUT [SYNCED_AFTER]: a node agent of the
# control channel without a kernel, for test_hapush.sh and test_barrier.sh.
# It connects to the controller "ctl" on 127.0.0.1:PORT with PKI/NAME.crt
# (TLS 1.3), says hello, sends a heartbeat every 200 ms, answers ha_applied
# to every "ha" message and writes each message it receives as one JSON
# line to OUT, with "_t", the time it came (time.time()).  It runs until
# killed (its connection then ends) or the controller closes.
#
# With SYNCED_AFTER (seconds, "file" or "never") it plays a servicing
# node's barrier: at its own "up" notice it reports ha_synced of the
# generation before (stale: to be ignored), then not synced (peers [12])
# of that notice's HA generation, and synced SYNCED_AFTER s later (or once
# the file OUT.go exists); each report it sends is written to OUT too, with
# "_sent": true and "_t" the time just before it was sent.

import json
import os
import socket
import ssl
import struct
import sys
import threading
import time

name, pki, port, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
synced_after = sys.argv[5] if len(sys.argv) > 5 else None
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_verify_locations(f"{pki}/ca.crt")
ctx.load_cert_chain(f"{pki}/{name}.crt", f"{pki}/{name}.key")
ctx.check_hostname = True
tls = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)),
                      server_hostname="ctl")
lock = threading.Lock()
seq = 0


def send(msg):
    global seq
    with lock:
        seq += 1
        msg.update(seq=seq, node=name)
        data = json.dumps(msg).encode()
        tls.sendall(struct.pack(">I", len(data)) + data)


def write(f, msg):
    with lock:
        f.write(json.dumps(msg) + "\n")
        f.flush()


def report(f, gen, synced, peers):
    msg = {"type": "ha_synced", "generation": gen, "synced": synced,
           "peers": peers}
    t = time.time()
    try:
        send(msg)
    except OSError:
        return
    write(f, dict(msg, _sent=True, _t=t))


def beat():
    while True:
        time.sleep(0.2)
        try:
            send({"type": "heartbeat", "packets": 0})
        except OSError:
            return


def recv_exact(n):
    buf = b""
    while len(buf) < n:
        chunk = tls.recv(n - len(buf))
        if not chunk:
            sys.exit(0)
        buf += chunk
    return buf


def when_file(f, gen):
    while not os.path.exists(out + ".go"):
        time.sleep(0.05)
    report(f, gen, True, [])


send({"type": "hello", "set": "", "generation": 0})
threading.Thread(target=beat, daemon=True).start()
with open(out, "a") as f:
    while True:
        (n,) = struct.unpack(">I", recv_exact(4))
        msg = json.loads(recv_exact(n))
        msg["_t"] = time.time()
        write(f, msg)
        if (synced_after and msg.get("type") == "node" and
                msg.get("name") == name and msg.get("state") == "up" and
                "ha_generation" in msg):
            g = msg["ha_generation"]
            report(f, g - 1, True, [])
            report(f, g, False, [12])
            if synced_after == "file":
                threading.Thread(target=when_file, args=(f, g),
                                 daemon=True).start()
            elif synced_after != "never":
                threading.Timer(float(synced_after), report,
                                (f, g, True, [])).start()
        if msg.get("type") == "ha":
            send({"type": "ha_applied", "generation": msg["generation"],
                  "unchanged": False})
