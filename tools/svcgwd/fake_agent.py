#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# fake_agent.py NAME PKI PORT OUT: a node agent of the control channel
# without a kernel, for test_hapush.sh.  It connects to the controller
# "ctl" on 127.0.0.1:PORT with PKI/NAME.crt (TLS 1.3), says hello, sends a
# heartbeat every 200 ms, answers ha_applied to every "ha" message and
# writes each message it receives as one JSON line to OUT.  It runs until
# killed (its connection then ends) or the controller closes.

import json
import socket
import ssl
import struct
import sys
import threading
import time

name, pki, port, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
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


send({"type": "hello", "set": "", "generation": 0})
threading.Thread(target=beat, daemon=True).start()
with open(out, "a") as f:
    while True:
        (n,) = struct.unpack(">I", recv_exact(4))
        msg = json.loads(recv_exact(n))
        f.write(json.dumps(msg) + "\n")
        f.flush()
        if msg.get("type") == "ha":
            send({"type": "ha_applied", "generation": msg["generation"],
                  "unchanged": False})
