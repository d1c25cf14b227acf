# SPDX-License-Identifier: GPL-2.0
"""Raw generic netlink for the svcgw tests and benchmark: attribute
packing, a socket that sends requests (one or a batch) and collects acks
with their extended-ack messages, family lookup, and the uapi header's
enumerators read from the header itself, so no test keeps a copy of the
contract."""
import os
import re
import socket
import struct

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLMSG_ERROR = 2
NLMSGERR_ATTR_MSG = 1
NLA_F_NESTED = 0x8000
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2

UAPI_HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "..", "uapi", "linux", "svcgw.h")


def uapi_enums(path=UAPI_HEADER):
    """Every enumerator of the header's enums, by name."""
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    vals = {}
    for body in re.findall(r"enum\s+\w+\s*{([^}]*)}", text):
        n = -1
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            name, _, expr = item.partition("=")
            name, expr = name.strip(), expr.strip()
            # Values are numbers, earlier names or "NAME - 1" (the _MAX).
            n = eval(expr, {"__builtins__": {}}, dict(vals)) if expr else n + 1
            vals[name] = n
    return vals


def attr(t, data):
    n = 4 + len(data)
    return struct.pack("HH", n, t) + data + b"\0" * ((4 - n % 4) % 4)


def nest(t, *parts):
    return attr(t | NLA_F_NESTED, b"".join(parts))


def u8(t, v):
    return attr(t, struct.pack("B", v))


def u16(t, v):
    return attr(t, struct.pack("H", v))


def u32(t, v):
    return attr(t, struct.pack("I", v))


def attr_list(buf, off=0, end=None):
    """The netlink attributes of buf[off:end], in order: (type without
    the nested and byte-order bits, payload) each; stops at one whose
    length is below 4."""
    end = len(buf) if end is None else end
    out = []
    while off + 4 <= end:
        ln, t = struct.unpack_from("HH", buf, off)
        if ln < 4:
            break
        out.append((t & 0x3fff, buf[off + 4:off + ln]))
        off += (ln + 3) & ~3
    return out


def attr_map(buf, off=0, end=None):
    """The attributes of attr_list() by type: a list of payloads each."""
    out = {}
    for t, v in attr_list(buf, off, end):
        out.setdefault(t, []).append(v)
    return out


def _extack(m, flags):
    """The extended-ack message of an NLMSG_ERROR message, or None."""
    if not flags & NLM_F_ACK_TLVS:
        return None
    inner = struct.unpack_from("I", m, 20)[0]
    off = 20 + (16 if flags & NLM_F_CAPPED else inner)
    for t, v in attr_list(m, off):
        if t == NLMSGERR_ATTR_MSG:
            return v.rstrip(b"\0").decode()
    return None


class GenlSock:
    def __init__(self, rcvbuf=None):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                               NETLINK_GENERIC)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.bind((0, 0))
        self.seq = 0

    def msg(self, family, cmd, payload):
        self.seq += 1
        body = struct.pack("BBH", cmd, 1, 0) + payload
        return struct.pack("IHHII", 16 + len(body), family,
                           NLM_F_REQUEST | NLM_F_ACK, self.seq, 0) + body

    def send(self, msgs):
        """Send the messages at once; return their acks, (errno, extack
        message) each in order, and the other messages (replies)."""
        self.s.send(b"".join(msgs))
        acks, replies = [], []
        while len(acks) < len(msgs):
            data = self.s.recv(1 << 20)
            off = 0
            while off < len(data):
                ln, typ, fl = struct.unpack_from("IHH", data, off)
                m = data[off:off + ln]
                off += (ln + 3) & ~3
                if typ == NLMSG_ERROR:
                    acks.append((struct.unpack_from("i", m, 16)[0],
                                 _extack(m, fl)))
                else:
                    replies.append(m)
        return acks, replies

    def request(self, family, cmd, payload):
        """One request: (errno, extack message, replies)."""
        acks, replies = self.send([self.msg(family, cmd, payload)])
        return acks[0][0], acks[0][1], replies

    def family(self, name):
        err, _, rep = self.request(
            GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
            attr(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
        if err or not rep:
            return None
        for t, v in attr_list(rep[0], 20):
            if t == CTRL_ATTR_FAMILY_ID:
                return struct.unpack_from("H", v)[0]
        return None
