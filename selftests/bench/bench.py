#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench.py DIR: the measuring half of selftests/bench/bench.sh, in the guest.

bench.sh builds one gateway namespace per configuration and describes each
in DIR/configs.jsonl; this script drives pktgen in them, counts what
arrives at the servers' side and writes DIR/results.json (every raw
sample) and DIR/bench.txt (the tables).  Per configuration, in order:

  verify   one short run that doubles as warm-up: the packets must arrive
           at the servers' addresses (plain forwarding: at 192.0.2.10),
           else the configuration is reported failed, with no number
  fill     for the sessions and memory figures: pktgen from random sources
           creates N entries; /proc/meminfo before and after
  rounds   a warm-up round, then BENCH_ROUNDS rounds, every configuration
           once per round, the order rotated by one each round,
           BENCH_TIME seconds per run, in three phases (phase_of()): the
           1024-flow tables, the new-flow tables, the sessions table;
           the references are measured again in phases 2 and 3, whose
           namespaces (big session tables) are deleted after them

Prints TAP lines ("ok - ...", "not ok - ...") for the guest's runner and
the tables at the end.  Exit status 1 if a configuration failed or the
benchmark could not run, 0 otherwise: slow ratios are no failure.

Session replication (BENCH_HA): nf-ha, svcgw stateful with new flows and
an HA policy replicating to a backup namespace, runs in phase 2 beside
nf-stateful (no policy); every run of it is followed by reads of both
nodes' HA counters (HA_GET over netlink, HaReader) every 50 ms until the
backup has every record of the run (ha_follow()).  After phase 3, ha-bulk
is filled with BENCH_HA_BULK sessions and the backup's bulk resync is
timed twice (ha_bulk()).

Traffic comes from pktgen (UDP) or from tcpgen (TCP, bench.sh builds it):
the 1024 measured flows, or, in the new-flow configurations, a new flow
with every packet, whose entries (svcgw sessions, IPVS connections,
conntrack entries) are counted per run.

bench.py --ab DIR: the measuring half of bench-ab.sh (make bench-ab): two
builds of the module in one boot, swapped by "bench-ab.sh --load" before
each half of a round; writes DIR/bench-ab.json and DIR/bench-ab.txt
(main_ab()).  Environment: BENCH_ROUNDS (8 there), BENCH_AB_WARM (1),
BENCH_AB_TOLERANCE, BENCH_AB_CLOCK, BENCH_AB_{BASE,HEAD}_{REV,KO,CLI,CODE}.

Environment: BENCH_TIME (3), BENCH_ROUNDS (4), BENCH_VERIFY_TIME (1.5),
BENCH_SESSIONS (1000000: entries of the IPVS and conntrack memory figures),
SVCGW_BIN (the CLI), TCPGEN (the TCP generator), BENCH_PROFILE (names of
configurations to profile: after the verification, one more run of each
under "perf record" (every CPU, by command and symbol); the
profile goes to DIR/perf-NAME.txt, not into the results)."""
import ctypes
import errno
import json
import math
import os
import platform
import re
import signal
import statistics
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
try:
    import genl         # selftests/genl.py: HA_GET without a process
except ImportError:
    genl = None

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)

RUN_TIME = float(os.environ.get("BENCH_TIME", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
VERIFY_TIME = float(os.environ.get("BENCH_VERIFY_TIME", "1.5"))
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "1000000"))
SVCGW_BIN = os.environ.get("SVCGW_BIN", "svcgw")
TCPGEN = os.environ.get("TCPGEN", "tcpgen")

DEV = "in0"
DEV_MAC = "02:00:00:00:00:01"   # bench.sh gives in0 this address
# The measured traffic: 32 sources x 32 source ports = 1024 flows.  With
# the *_RND flags pktgen draws from [min, max): max is one past the last.
TRAFFIC = ["src_min 203.0.113.2", "src_max 203.0.113.34",
           "udp_src_min 10000", "udp_src_max 10032", "count 0"]
# Filling tables and new flows: random sources from 10.0.0.0/14 and random
# ports, so that nearly every packet is a new flow (1 in 2^34 pairs).
FILL = ["src_min 10.0.0.1", "src_max 10.3.255.254",
        "udp_src_min 1024", "udp_src_max 65535"]
PKTGEN = ["clone_skb 0", "pkt_size 60", "delay 0", "burst 1",
          "xmit_mode netif_receive", "dst 192.0.2.10", "dst_mac " + DEV_MAC,
          "udp_dst_min 80", "udp_dst_max 80", "flag IPSRC_RND",
          "flag UDPSRC_RND", "flag UDPCSUM",
          # No time stamp in the payload: emulated, the clock read (HPET)
          # was a fifth of each packet's cost, the same in every
          # configuration, which squeezed every ratio toward 1.
          "flag NO_TIMESTAMP"] + TRAFFIC

PROFILE = [n for n in os.environ.get("BENCH_PROFILE", "").split(",") if n]

# Session replication (BENCH_HA, bench.sh's cfg_ha and cfg_ha_bulk): the
# backup is read every HA_POLL s after each run until it has every record
# of the run, at most HA_LAG_MAX s; a bulk resync is waited for at most
# HA_BULK_MAX s.
HA_POLL = 0.05
HA_LAG_MAX = float(os.environ.get("BENCH_HA_LAG_MAX", "10"))
HA_BULK_MAX = float(os.environ.get("BENCH_HA_BULK_MAX", "120"))
# The wire formats, for the bytes per record: svcgw's (kmod/syncmsg.h:
# a 40-byte header and a 16-byte tag per datagram, 40 bytes an IPv4
# record, 1400 bytes of UDP payload at most) and IPVS's sync protocol v1
# (net/netfilter/ipvs/ip_vs_sync.c: struct ip_vs_sync_mesg, 8 bytes,
# struct ip_vs_sync_v4, 36 bytes; a master's messages are at most
# 1500 - 28 bytes, start_sync_thread()). Ethernet, IPv4 and UDP headers:
# 14 + 20 + 8 bytes a datagram.
SYNC_HDR, SYNC_TAG, SYNC_REC4, SYNC_DGRAM = 40, 16, 40, 1400
IPVS_HDR, IPVS_CONN4, IPVS_MAXLEN = 8, 36, 1500 - 28
WIRE_HDRS = 14 + 20 + 8

SVCGW_CONFIGS = ("stateless", "stateful", "hybrid")

tap_failed = False


def tap(ok, text):
    global tap_failed
    if not ok:
        tap_failed = True
    print("%s - %s" % ("ok" if ok else "not ok", text), flush=True)


def log(text):
    print("# " + text, flush=True)


class netns:
    """with netns(NAME): the calling thread in that namespace."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.back = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        setns("/run/netns/" + self.name)

    def __exit__(self, *exc):
        if libc.setns(self.back, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), "setns back")
        os.close(self.back)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), "setns " + path)
    finally:
        os.close(fd)


def pg_write(fname, *cmds):
    """Write pktgen commands, one per write() as pktgen wants them."""
    path = "/proc/thread-self/net/pktgen/" + fname
    for c in cmds:
        with open(path, "w") as f:
            f.write(c + "\n")


def pg_result():
    text = open("/proc/thread-self/net/pktgen/" + DEV).read()
    m = re.search(r"Result: OK: (\d+)\(c\d+\+d\d+\) usec, (\d+) \(", text)
    if not m:
        r = re.search(r"Result: (.*)", text)
        raise RuntimeError("pktgen: %s" % (r.group(1) if r else "no result"))
    err = re.search(r"errors: (\d+)", text)
    return int(m.group(1)), int(m.group(2)), int(err.group(1)) if err else 0


def pg_run(ns, seconds=None, retry=True):
    """Run pktgen in @ns for @seconds (None: until its count is done, at
    most 300 s); return (elapsed us, packets sent, errors)."""
    entered = threading.Event()

    def start():
        with netns(ns):
            entered.set()
            pg_write("pgctrl", "start")

    with netns(ns):
        t = threading.Thread(target=start)
        t.start()
        # The clock starts when the thread is about to start pktgen: on a
        # loaded machine that can take long enough for a "stop" to come
        # first.
        entered.wait()
        t.join(seconds if seconds is not None else 300)
        if t.is_alive():
            pg_write("pgctrl", "stop")
            t.join()
        try:
            return pg_result()
        except RuntimeError:
            # Seen once on a loaded machine: a "start" that ran nothing
            # (the result still the last command's, "OK: count=0").
            if not retry:
                raise
    log("pktgen in %s ran nothing, again" % ns)
    time.sleep(0.5)
    return pg_run(ns, seconds, retry=False)


def gen_run(cfg, seconds):
    """One run of the configuration's generator: (elapsed us, packets
    sent, errors)."""
    if cfg.get("gen") != "tcpgen":
        return pg_run(cfg["gw"], seconds)
    # On CPU 0, as pktgen's kpktgend_0: the receive path runs there too.
    # The child inherits this thread's namespace: no "ip netns exec".
    with netns(cfg["gw"]):
        out = run(["taskset", "-c", "0", TCPGEN, "tx0",
                   cfg.get("dst_mac", DEV_MAC), str(seconds),
                   "new" if cfg.get("traffic") == "new" else "flows"])
    elapsed, sent, errors = (int(x) for x in out.split())
    return elapsed, sent, errors


def run(cmd, ns=None):
    if ns:
        cmd = ["ip", "netns", "exec", ns] + cmd
    return subprocess.run(cmd, check=True, capture_output=True,
                          text=True).stdout


def sink_counters(cfg):
    """Packets that reached the sink: vip (192.0.2.10), s11.. (the
    servers 198.51.100.11..), other."""
    d = json.loads(run(["nft", "-j", "list", "table", "netdev", "sink"],
                       cfg["sink"]))
    out = {}
    for o in d["nftables"]:
        if "counter" in o:
            out[o["counter"]["name"]] = o["counter"]["packets"]
        for e in o.get("set", {}).get("elem", []):
            e = e["elem"]
            last = e["val"].rsplit(".", 1)[1]
            out["vip" if e["val"] == "192.0.2.10" else "s" + last] = \
                e["counter"]["packets"]
    return out


def sink_rx(cfg):
    """Packets the sink's eg1 received: cheaper to read than the nft
    counters (no process to start)."""
    with netns(cfg["sink"]):
        for line in open("/proc/thread-self/net/dev"):
            name, _, rest = line.partition(":")
            if name.strip() == "eg1":
                return int(rest.split()[1])
    raise RuntimeError("no eg1 in " + cfg["sink"])


def delivered_of(cfg, dst, sent):
    servers = sum(v for k, v in dst.items() if k.startswith("s"))
    return {"plain": dst["vip"], "balanced": servers,
            "sent": sent}[cfg["expect"]]


def measure(cfg, seconds, full=True, settle=0):
    """One run.  @full: count per destination with the sink's nft
    counters (verification), else every packet that reached the sink
    (the rounds: the destinations of all of them are checked once after
    the rounds, by check_rounds()).  Entries made by a new-flow
    configuration are counted here when @full (after @settle seconds: the
    IPVS counters follow its estimator, every 2 s), else by
    count_made() after the rounds."""
    kind = cfg.get("count_kind")
    before = (cfg.get("_last") or sink_counters(cfg)) if full else None
    e0 = entries(cfg, kind) if kind else None
    ha, hs = cfg["table"] == "ha", None
    if ha:
        try:
            c0 = ha_counts(cfg)
        except (OSError, RuntimeError, ValueError,
                subprocess.CalledProcessError) as e:
            ha, hs = False, {"error": "before the run: %s" % e}
    rx0 = sink_rx(cfg)
    elapsed, sent, errors = gen_run(cfg, seconds)
    t_end = time.monotonic()
    if ha:
        # The backup followed until it caught up: before anything else,
        # so that the lag counts from the end of the traffic.
        try:
            hs = ha_follow(cfg, c0, t_end)
        except (OSError, RuntimeError, ValueError,
                subprocess.CalledProcessError) as e:
            hs = {"error": "after the run: %s" % e}
    # The last packets leave the backlog.
    time.sleep(max(0, 0.05 - (time.monotonic() - t_end)))
    rx = sink_rx(cfg) - rx0
    s = {"elapsed_us": elapsed, "sent": sent, "errors": errors,
         "arrived": rx}
    if hs:
        s["ha"] = hs
    if full:
        after = sink_counters(cfg)
        cfg["_last"] = after
        s["dst"] = {k: after[k] - before.get(k, 0) for k in after}
        s["delivered"] = delivered_of(cfg, s["dst"], sent)
    else:
        s["delivered"] = sent if cfg["expect"] == "sent" else rx
    s["pps"] = round(s["delivered"] * 1e6 / elapsed, 1) if elapsed else 0
    if kind:
        s["entries_before"] = e0
        if full:
            time.sleep(settle)
            s["made"] = entries(cfg, kind) - e0
            s["made_per_s"] = round(s["made"] * 1e6 / elapsed, 1) \
                if elapsed else 0
    return s


def count_made(cfg, runs):
    """Entries made by each of @runs (in order): the count at the start
    of the next run, or now, minus the count at its start."""
    kind = cfg["count_kind"]
    final = entries(cfg, kind)
    for i, s in enumerate(runs):
        nxt = runs[i + 1]["entries_before"] if i + 1 < len(runs) else final
        s["made"] = nxt - s["entries_before"]
        s["made_per_s"] = round(s["made"] * 1e6 / s["elapsed_us"], 1) \
            if s["elapsed_us"] else 0


def check_rounds(cfg, runs):
    """The destinations of every packet of @runs, from the nft counters
    read last at the verification: None if they went where they should."""
    after = sink_counters(cfg)
    before = cfg.get("_last") or {}
    dst = {k: after[k] - before.get(k, 0) for k in after}
    sent = sum(s["sent"] for s in runs)
    cfg["_last"] = after
    total = {"sent": sent, "dst": dst,
             "delivered": delivered_of(cfg, dst, sent)}
    if cfg.get("count_kind"):
        total["made"] = sum(s["made"] for s in runs)
    why = verify(cfg, total)
    # The check that each packet made its entry is there for the engines
    # compared (svcgw at its cap serves flows without one and would look
    # fast).  nftables' conntrack made one per SYN at the verification
    # but lost some over the TCP rounds (seen: 0.85 per packet): its
    # figure stands, with that in its "per pkt" column and note.
    if why and cfg.get("count_kind") == "conntrack" and \
            verify(dict(cfg, count_kind=None), total) is None:
        cfg["note"] = ((cfg.get("note", "") + "; ").lstrip("; ") + why)
        why = None
    return total, why


def verify(cfg, s):
    """None if the packets went where they should, else why not."""
    if s["sent"] == 0:
        return "pktgen sent nothing"
    dst, sent = s["dst"], s["sent"]
    if cfg["expect"] == "sent":
        if sum(dst.values()):
            return "%d packets were forwarded" % sum(dst.values())
        return None
    if cfg["expect"] == "plain":
        if dst["vip"] < 0.95 * sent:
            return "%d of %d packets arrived (to 192.0.2.10)" % (dst["vip"],
                                                                sent)
        return None
    if dst["vip"]:
        return "%d packets left untranslated, to 192.0.2.10" % dst["vip"]
    if s["delivered"] < 0.95 * sent:
        return "%d of %d packets reached a server" % (s["delivered"], sent)
    n = cfg["servers"]
    mine = ["s%d" % (11 + i) for i in range(n)]
    stray = sum(v for k, v in dst.items() if k.startswith("s") and
                k not in mine)
    if stray:
        return "%d packets went to addresses that are no server" % stray
    low = [k for k in mine if dst.get(k, 0) < sent / (4 * n)]
    if low:
        return "servers %s got less than a quarter of their share: %s" % (
            ",".join(low), json.dumps(dst, sort_keys=True))
    # New flows: each packet that arrived must have made its entry; an
    # engine serving flows without one (a full table) is not measured.
    if cfg.get("count_kind") and s["made"] < 0.9 * s["delivered"]:
        return "%d %s entries made for %d packets delivered" % (
            s["made"], cfg["count_kind"], s["delivered"])
    return None


def profile(d, cfg):
    """One run of @cfg under perf (software clock: no PMU under
    emulation), every CPU; the report to @d/perf-NAME.txt.  perf starts
    disabled and is enabled through its control FIFO once it is ready
    (setting up takes seconds when emulated: longer than a run)."""
    data = "/tmp/perf-%s.data" % cfg["name"]
    ctl, ack = "/tmp/perf-ctl", "/tmp/perf-ack"
    for f in (ctl, ack):
        if os.path.exists(f):
            os.unlink(f)
        os.mkfifo(f)
    rec = subprocess.Popen(["perf", "record", "-a", "-g", "-e", "cpu-clock",
                            "-F", "2000", "-D", "-1", "--control",
                            "fifo:%s,%s" % (ctl, ack), "-o", data],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True)
    try:
        with open(ctl, "w") as cf, open(ack) as af:
            cf.write("enable\n")
            cf.flush()
            af.readline()
            s = measure(cfg, RUN_TIME, full=False)
            cf.write("disable\n")
            cf.flush()
            af.readline()
    finally:
        rec.send_signal(signal.SIGINT)
        err = rec.communicate()[1]
    # Stopped by SIGINT, as meant: its status says little; its file tells.
    if not os.path.exists(data) or os.path.getsize(data) == 0:
        raise RuntimeError("perf record (status %d): %s" % (
            rec.returncode, err.strip()[-200:]))
    rep = ["perf", "report", "-i", data, "--stdio", "--no-children"]
    flat = run(rep + ["--sort", "comm,dso,sym", "-g", "none",
                      "--percent-limit", "0.2"])
    incl = run(["perf", "report", "-i", data, "--stdio", "--children",
                "--sort", "sym", "-g", "none", "--percent-limit", "0.5"])
    graph = run(rep + ["--sort", "sym", "-G", "--percent-limit", "2"])
    with open(os.path.join(d, "perf-%s.txt" % cfg["name"]), "w") as f:
        f.write("# %s: %.0f pps in this run\n" % (cfg["name"], s["pps"]))
        f.write(flat)
        f.write("\n\n# inclusive (self and callees)\n")
        f.write(incl)
        f.write("\n\n# call graphs\n")
        f.write(graph)
    for f in (data, ctl, ack):
        os.unlink(f)
    return s


def meminfo():
    m = {}
    for line in open("/proc/meminfo"):
        k, v = line.split(":")
        m[k] = int(v.split()[0]) * 1024
    return m


def slabinfo():
    s = {}
    for line in open("/proc/slabinfo").readlines()[2:]:
        f = line.split()
        s[f[0]] = (int(f[1]), int(f[3]))    # active objects, object size
    return s


def slab_aliases(name):
    """The names of a cache that SLUB merged with others: slabinfo shows
    one of them."""
    base = "/sys/kernel/slab"
    try:
        target = os.path.realpath(os.path.join(base, name))
        return sorted(n for n in os.listdir(base) if not n.startswith(":")
                      and os.path.realpath(os.path.join(base, n)) == target)
    except OSError:
        return [name]


def entries(cfg, kind):
    """Entries of @kind in the configuration's gateway namespace.  svcgw:
    live sessions; conntrack: live entries; ipvs: connections made since
    the service was added (reading a million lines of ip_vs_conn takes
    too long), the same as live ones while none expires."""
    if kind == "svcgw":
        return json.loads(run([SVCGW_BIN, "-j", "stats"],
                              cfg["gw"]))["sessions_cur"]
    with netns(cfg["gw"]):
        if kind == "ipvs":
            # Totals in hex: Conns InPkts OutPkts InBytes OutBytes.
            return int(open("/proc/net/ip_vs_stats").readlines()[2]
                       .split()[0], 16)
        if kind == "conntrack":
            try:
                return int(open("/proc/sys/net/netfilter/"
                                "nf_conntrack_count").read())
            except OSError:
                return 0
    raise ValueError(kind)


def hash_table_bytes(kind):
    """The size of the fixed hash table of @kind, allocated when the
    module loads (svcgw's grows with its table: it is in VmallocUsed)."""
    try:
        if kind == "ipvs":
            bits = int(open("/sys/module/ip_vs/parameters/conn_tab_bits")
                       .read())
            return (1 << bits) * 8      # struct hlist_head
        if kind == "conntrack":
            return int(open("/proc/sys/net/netfilter/nf_conntrack_buckets")
                       .read()) * 8     # struct hlist_nulls_head
    except OSError:
        pass
    return None


def fill(cfg, kind, n):
    """Create about @n entries of @kind with new flows; memory figures."""
    ct0 = entries(cfg, "conntrack")
    e0 = entries(cfg, kind)
    time.sleep(0.5)
    m0, s0 = meminfo(), slabinfo()
    with netns(cfg["gw"]):
        pg_write(DEV, *FILL, "count %d" % int(n * 1.02))
    t0 = time.monotonic()
    elapsed, sent, _ = pg_run(cfg["gw"])
    wall = time.monotonic() - t0
    with netns(cfg["gw"]):
        pg_write(DEV, *TRAFFIC)
    cfg["_last"] = sink_counters(cfg)
    time.sleep(1)               # RCU frees the skbs, the workers settle
    m1, s1 = meminfo(), slabinfo()
    e1 = entries(cfg, kind)
    ct1 = entries(cfg, "conntrack")
    made = e1 - e0
    r = {"kind": kind, "config": cfg["name"], "packets": sent,
         "entries_before": e0, "entries_after": e1, "entries": made,
         "conntrack_entries": ct1 - ct0, "fill_pps":
         round(sent * 1e6 / elapsed) if elapsed else 0,
         "fill_wall_s": round(wall, 1),
         "meminfo_delta": {k: m1[k] - m0[k] for k in
                           ("MemAvailable", "MemFree", "Slab", "SUnreclaim",
                            "SReclaimable", "VmallocUsed", "Percpu")
                           if k in m0},
         "slab_growth": {k: {"objects": s1[k][0] - s0.get(k, (0, 0))[0],
                             "objsize": s1[k][1],
                             "aliases": slab_aliases(k)}
                         for k in s1
                         if s1[k][0] - s0.get(k, (0, 0))[0] > made // 2}}
    if made > 0:
        d = r["meminfo_delta"]
        fixed = hash_table_bytes(kind)
        # The hash table: svcgw's grew (vmalloc'd buckets), the others'
        # were allocated at load time: their size / N.
        table = d.get("VmallocUsed", 0) if kind == "svcgw" else fixed or 0
        r["hash_table_bytes"] = table
        r["bytes_per_entry"] = {
            "slab": round(d["Slab"] / made),
            "table": round(table / made),
            "slab_table": round((d["Slab"] + table) / made),
            "kernel": round((d["SUnreclaim"] + d.get("VmallocUsed", 0) +
                             d.get("Percpu", 0)) / made),
            "memavailable": round(-d["MemAvailable"] / made)}
    return r


def do_fill(res, c):
    """fill() with its TAP line; True if it made 90% of the entries."""
    n = c.get("fill_n", SESSIONS)
    try:
        m = fill(c, c["fill_kind"], n)
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        tap(False, "%s: filling the %s table: %s" % (c["name"],
                                                    c["fill_kind"], e))
        return False
    res["memory"].append(m)
    ok = m["entries"] >= 0.9 * n
    tap(ok, "%s: %d %s entries made by %d packets" % (
        c["name"], m["entries"], c["fill_kind"], m["packets"]))
    return ok


def work_items(seconds, during=None):
    """What the kernel's work items cost with no traffic: over @seconds,
    the workqueue tracepoints' start and end of every item, summed by
    function and by work struct (one per namespace for svcgw's and
    conntrack's collectors).  None if tracefs is not there.  With
    @during, a callable: over its call instead of @seconds (the seconds
    it took in the result)."""
    t = "/sys/kernel/tracing"
    if not os.path.exists(t + "/events/workqueue"):
        subprocess.run(["mount", "-t", "tracefs", "nodev", t],
                       capture_output=True)
    ev = [t + "/events/workqueue/workqueue_execute_" + e + "/enable"
          for e in ("start", "end")]
    if not all(os.path.exists(e) for e in ev):
        return None

    def put(path, text):
        with open(path, "w") as f:
            f.write(text)

    put(t + "/tracing_on", "0")
    put(t + "/buffer_size_kb", "8192")
    put(t + "/trace", "")
    for e in ev:
        put(e, "1")
    put(t + "/tracing_on", "1")
    t0 = time.monotonic()
    try:
        if during:
            during()
            seconds = round(time.monotonic() - t0, 3)
        else:
            time.sleep(seconds)
    finally:
        put(t + "/tracing_on", "0")
        for e in ev:
            put(e, "0")
    pat = re.compile(r"\s(\d+\.\d+): workqueue_execute_(start|"
                     r"end): work struct (\S+): function (\S+)")
    began, items = {}, {}
    for line in open(t + "/trace"):
        m = pat.search(line)
        if not m:
            continue
        ts, what, work, fn = m.groups()
        if what == "start":
            began[work] = float(ts)
        elif work in began:
            d = float(ts) - began.pop(work)
            it = items.setdefault(fn, {}).setdefault(work, [0, 0.0, 0.0])
            it[0] += 1
            it[1] += d
            it[2] = max(it[2], d)
    put(t + "/trace", "")
    out = {}
    for fn, works in items.items():
        out[fn] = {"runs": sum(w[0] for w in works.values()),
                   "cpu_s": round(sum(w[1] for w in works.values()), 4),
                   "per_work": sorted(({"runs": w[0],
                                        "cpu_s": round(w[1], 4),
                                        "longest_s": round(w[2], 4)}
                                       for w in works.values()),
                                      key=lambda w: -w["cpu_s"])}
    return {"seconds": seconds, "functions": out}


# --- Session replication (BENCH_HA) ---------------------------------------


def nl_attrs(m, off, end):
    """The netlink attributes of m[off:end], by type (nested bit off): a
    list of payloads each."""
    out = {}
    while off + 4 <= end:
        alen, atyp = struct.unpack_from("HH", m, off)
        if alen < 4:
            break
        out.setdefault(atyp & 0x3fff, []).append(m[off + 4:off + alen])
        off += (alen + 3) & ~3
    return out


def nl_uint(b):
    """A u8, u16, u32 or u64 attribute's payload (counters come as u64,
    some fields narrower)."""
    return int.from_bytes(b[:8], sys.byteorder)


def enum_names(enums, prefix):
    """{value: name} of the enumerators PREFIX_NAME, lower case, without
    the UNSPEC, PAD and MAX ones."""
    return {v: k[len(prefix):].lower() for k, v in enums.items()
            if k.startswith(prefix) and
            k[len(prefix):] not in ("UNSPEC", "PAD", "MAX")}


def ha_parse(m, enums):
    """An SVCGW_CMD_HA_GET reply (the whole netlink message) as
    {"local", "generation", "sync": {counter: n} or None, "peers": {node
    id: {"tx_state", "synced", "unacked", counter: n}}}: the names and
    values of "svcgw -j ha show", from the attributes' names in the uapi
    header (SVCGW_HA_SYNC_A_QUEUE_DROPPED: "queue_dropped", ...)."""
    top = nl_attrs(m, 20, len(m))
    ha = nl_attrs(top[enums["SVCGW_A_HA"]][0], 0,
                  len(top[enums["SVCGW_A_HA"]][0]))
    out = {"generation": nl_uint(ha[enums["SVCGW_HA_A_GEN"]][0]),
           "local": nl_uint(ha.get(enums["SVCGW_HA_A_LOCAL"], [b"\0"])[0]),
           "sync": None, "peers": {}}
    if enums["SVCGW_HA_A_SYNC"] in ha:
        raw = ha[enums["SVCGW_HA_A_SYNC"]][0]
        names = enum_names(enums, "SVCGW_HA_SYNC_A_")
        out["sync"] = {names[t]: nl_uint(v[0]) for t, v in
                       nl_attrs(raw, 0, len(raw)).items() if t in names}
    pnames = enum_names(enums, "SVCGW_HA_PEER_A_")
    tx = enum_names(enums, "SVCGW_HA_TX_")
    for raw in top.get(enums["SVCGW_A_HA_NODE"], []):
        node = nl_attrs(raw, 0, len(raw))
        nid = nl_uint(node[enums["SVCGW_HA_NODE_A_ID"]][0])
        if enums["SVCGW_HA_NODE_A_PEER"] not in node:
            continue
        praw = node[enums["SVCGW_HA_NODE_A_PEER"]][0]
        peer = {}
        for t, v in nl_attrs(praw, 0, len(praw)).items():
            name = pnames.get(t)
            if name == "tx_state":
                peer[name] = tx.get(nl_uint(v[0]), str(nl_uint(v[0])))
            elif name == "synced":
                peer[name] = bool(nl_uint(v[0]))
            elif name:
                peer[name] = nl_uint(v[0])
        out["peers"][nid] = peer
    return out


def ha_from_json(d):
    """"svcgw -j ha show" in ha_parse()'s shape."""
    if not d:
        return None
    return {"generation": d.get("generation"), "local": d.get("local"),
            "sync": d.get("sync"),
            "peers": {n["id"]: n["peer"] for n in d.get("nodes", [])
                      if n.get("peer")}}


class HaReader:
    """HA_GET in one namespace: over generic netlink from this process
    (a socket made in the namespace: no process started, so that a read
    every 50 ms is possible under emulation), else "svcgw -j ha show".
    read() returns ha_parse()'s dict, None without an HA policy."""
    enums = None

    def __init__(self, ns):
        self.ns, self.how, self.g, self.why = ns, "cli", None, ""
        if genl is None:
            self.why = "no selftests/genl.py"
            return
        try:
            if HaReader.enums is None:
                HaReader.enums = genl.uapi_enums()
            with netns(ns):
                g = genl.GenlSock(rcvbuf=1 << 20)
            self.fam = g.family("svcgw")
            if self.fam is not None:
                self.g, self.how = g, "netlink"
        except (OSError, KeyError, SyntaxError, NameError) as e:
            self.why = str(e)

    def read(self):
        if self.g:
            try:
                err, msg, rep = self.g.request(
                    self.fam, HaReader.enums["SVCGW_CMD_HA_GET"], b"")
                if err == -errno.ENOENT:
                    return None
                if err or not rep:
                    raise OSError(-err, "HA_GET: %s" % msg)
                return ha_parse(rep[0], HaReader.enums)
            except (OSError, KeyError, IndexError, struct.error) as e:
                log("HA_GET over netlink in %s: %s; the CLI from now on" %
                    (self.ns, e))
                self.g, self.how, self.why = None, "cli", str(e)
        return ha_from_json(json.loads(
            run([SVCGW_BIN, "-j", "ha", "show"], self.ns)))


def dev_counts(ns, dev):
    """(rx bytes, rx packets, tx bytes, tx packets) of @dev in @ns."""
    with netns(ns):
        for line in open("/proc/thread-self/net/dev"):
            name, _, rest = line.partition(":")
            if name.strip() == dev:
                f = [int(x) for x in rest.split()]
                return f[0], f[1], f[8], f[9]
    raise RuntimeError("no %s in %s" % (dev, ns))


def ha_readers(cfg):
    if "_ha" not in cfg:
        cfg["_ha"] = {"gw": HaReader(cfg["gw"]),
                      "bk": HaReader(cfg["backup"])}
    return cfg["_ha"]


def ha_counts(cfg, gw=True, bk=True):
    """What the replication figures need, now: the gateway's channel and
    its stream to the backup, the backup's channel and its stream from
    the gateway, the sync link's byte counters (at the gateway: tx is the
    sync datagrams, rx the acknowledgements), and when it was read (after
    the reads: the time a poll saw it)."""
    r = ha_readers(cfg)
    c = {}
    if gw:
        g = r["gw"].read() or {}
        gs = g.get("sync") or {}
        gp = (g.get("peers") or {}).get(cfg["ha_peer"]) or {}
        c.update({k: gs.get(k, 0) for k in ("queued", "queue_dropped")})
        c.update({k: gp.get(k, 0) for k in (
            "tx_dgrams", "tx_records", "tx_retrans", "tx_acked", "tx_errors",
            "tx_lost", "tx_bulks", "tx_bulk_records", "unacked")})
        # The backup's stream the other way (failback records, if any).
        c.update({"back_" + k: gp.get(k, 0) for k in (
            "rx_records", "rx_conflict")})
        c["tx_state"] = gp.get("tx_state")
        rxb, rxp, txb, txp = dev_counts(cfg["gw"], cfg["sync_dev"])
        c.update(wire_tx_bytes=txb, wire_tx_packets=txp,
                 wire_rx_bytes=rxb, wire_rx_packets=rxp)
    if bk:
        b = r["bk"].read() or {}
        bs = b.get("sync") or {}
        bp = (b.get("peers") or {}).get(cfg["ha_local"]) or {}
        c.update({k: bs.get(k, 0) for k in ("replicas", "rx_queue_full")})
        c.update({k: bp.get(k, 0) for k in (
            "rx_dgrams", "rx_records", "rx_replayed", "rx_other_epoch",
            "rx_ahead", "rx_no_service", "rx_no_server", "rx_conflict",
            "rx_full", "rx_bulks", "rx_epochs")})
        c["synced"] = bool(bp.get("synced"))
    c["t"] = time.monotonic()
    return c


def ha_delta(a, b):
    """b - a for the numbers, b's value for the rest."""
    return {k: (b[k] - a.get(k, 0) if isinstance(b[k], int) and
                not isinstance(b[k], bool) else b[k]) for k in b if k != "t"}


def ha_follow(cfg, c0, t_end):
    """After a run of a replicating configuration: its counts at the end
    of the traffic (@t_end), then the backup read every HA_POLL s until
    it caught up: it received at least every record the gateway queued
    since @c0 (before the run), its stream from the gateway is synced,
    and the gateway's stream to it is up with nothing unacknowledged. The
    lag is the time of that read after @t_end; None if it did not come
    within HA_LAG_MAX s (then "grew_s": when the backup last received
    anything)."""
    end = cur = ha_counts(cfg)
    caught, polls, last_rx, t_grow = None, 1, None, t_end
    while True:
        rx = cur["rx_records"] - c0["rx_records"]
        if rx != last_rx:
            last_rx, t_grow = rx, cur["t"]
        if rx >= cur["queued"] - c0["queued"] and cur["synced"] and \
                cur["unacked"] == 0 and cur["tx_state"] == "up":
            caught = cur["t"]
            break
        if cur["t"] - t_end >= HA_LAG_MAX:
            break
        time.sleep(max(0, HA_POLL - (time.monotonic() - cur["t"])))
        cur = ha_counts(cfg)
        polls += 1
    r = ha_readers(cfg)
    return {"during": ha_delta(c0, end), "after": ha_delta(c0, cur),
            "end_read_s": round(end["t"] - t_end, 4),
            "lag_s": round(caught - t_end, 4) if caught else None,
            "grew_s": round(t_grow - t_end, 4), "polls": polls,
            "poll_s": round((cur["t"] - end["t"]) / (polls - 1), 4)
            if polls > 1 else None,
            "read": "%s/%s" % (r["gw"].how, r["bk"].how)}


def ha_verify(s):
    """None if the records of the verification run @s reached the
    backup and found their service and server there (the replication
    works at all: its figures mean something), else why not. Slow is no
    failure: ha_kept_up() reports it."""
    h = s.get("ha", {})
    if "after" not in h:
        return "replication counters: %s" % h.get("error", "not read")
    a = h["after"]
    if not a["rx_records"]:
        return "no record reached the backup (%d queued at the gateway, " \
            "%d datagrams sent)" % (a["queued"], a["tx_dgrams"])
    if a["rx_no_service"] or a["rx_no_server"]:
        return "the backup had no service for %d records, no server for " \
            "%d" % (a["rx_no_service"], a["rx_no_server"])
    return None


def ha_kept_up(h):
    """None if the backup kept up in the run of @h (ha_follow()), else
    why not."""
    if "error" in h:
        return "not read: %s" % h["error"]
    a, why = h["after"], []
    if a["queue_dropped"]:
        why.append("%d records found the queue full" % a["queue_dropped"])
    if a["tx_lost"]:
        why.append("the stream given up (%d)" % a["tx_lost"])
    if a["rx_records"] < a["queued"]:
        why.append("%d of %d records received" % (a["rx_records"],
                                                  a["queued"]))
    if h["lag_s"] is None:
        why.append("not caught up %g s after the traffic" % HA_LAG_MAX)
    return "; ".join(why) or None


def ha_wait_bulk(cfg, b0, t0, deadline):
    """Read the backup every HA_POLL s until its stream from the gateway
    had one more bulk whole than in @b0 (and is synced): the time of that
    read after @t0, the counts then, and the backup's progress (seconds,
    records received, replicas) every 10 reads."""
    polls, prog, cur = 0, [], b0
    while True:
        time.sleep(max(0, HA_POLL - (time.monotonic() - cur["t"])))
        cur = ha_counts(cfg, gw=False)
        if polls % 10 == 0:
            prog.append([round(cur["t"] - t0, 3),
                         cur["rx_records"] - b0["rx_records"],
                         cur["replicas"]])
        polls += 1
        if cur["synced"] and cur["rx_bulks"] > b0["rx_bulks"]:
            return cur["t"] - t0, cur, prog, polls
        if cur["t"] - t0 > deadline:
            return None, cur, prog, polls


def ha_bulk_one(cfg, what, cmd):
    """One bulk resync: the command @cmd in the gateway (the HA policy
    set, or a notice that the backup is up) at t0, then the backup
    followed until it is synced (ha_wait_bulk()). The gateway's stream
    counts and the sync link's bytes over it, MemAvailable's drop."""
    c0 = ha_counts(cfg)
    m0 = meminfo()
    t0 = time.monotonic()
    run(cmd, cfg["gw"])
    t_cmd = time.monotonic() - t0
    secs, b1, prog, polls = ha_wait_bulk(cfg, c0, t0, HA_BULK_MAX)
    c1 = ha_counts(cfg)
    m1 = meminfo()
    d = ha_delta(c0, c1)
    r = {"what": what, "command": " ".join(cmd[1:]),
         "command_s": round(t_cmd, 3),
         "synced_s": round(secs, 3) if secs is not None else None,
         "counts": d, "progress": prog, "polls": polls,
         "memavailable_drop": m0["MemAvailable"] - m1["MemAvailable"],
         "slab_growth": m1["Slab"] - m0["Slab"]}
    recs = d["tx_bulk_records"]
    if secs:
        r["records_per_s"] = round(recs / secs)
    if recs:
        r["wire_bytes_per_record"] = round(d["wire_tx_bytes"] / recs, 2)
    tap(secs is not None, "%s: %s: backup synced %s (%d records in the "
        "bulk)" % (cfg["name"], what, "after %.2f s" % secs if secs is not
                   None else "not within %g s" % HA_BULK_MAX, recs))
    return r


def ha_phase_end(res, c):
    """After the rounds of phase 2: the replicating configuration's
    totals (the gateway's sessions, the backup's replicas, every counter
    of both nodes), and whether the backup kept up in every run."""
    r = res["configs"][c["name"]]
    runs = [s for s in r.get("warmup", []) + r.get("samples", [])
            if "ha" in s]
    live = res.setdefault("ha", {})["live"] = {}
    try:
        live["counts"] = ha_counts(c)
        live["counts"].pop("t")
        live["sessions"] = entries(c, "svcgw")
        live["read"] = "%s/%s" % (c["_ha"]["gw"].how, c["_ha"]["bk"].how)
    except (OSError, RuntimeError, ValueError,
            subprocess.CalledProcessError) as e:
        live["error"] = str(e)
    why = [(s.get("round"), ha_kept_up(s["ha"])) for s in runs]
    live["runs"] = len(runs)
    live["not_kept_up"] = [[n, w] for n, w in why if w]
    # One more run, not one of the measured ones, under the workqueue
    # tracepoints: the time both nodes' sync work items (sync_work, one a
    # namespace) ran for its records, the lag after it included.
    box = {}
    try:
        wi = work_items(RUN_TIME, during=lambda: box.update(
            s=measure(c, RUN_TIME, full=False)))
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        live["cost"] = {"error": str(e)}
        return
    if wi is None or "s" not in box:
        live["cost"] = {"error": "no workqueue tracepoints"}
        return
    live["cost"] = {"run": box["s"], "seconds": wi["seconds"],
                    "sync_work": wi["functions"].get("sync_work"),
                    "functions": {k: {"runs": v["runs"], "cpu_s": v["cpu_s"]}
                                  for k, v in wi["functions"].items()}}


def ha_bulk(res, c):
    """The bulk resync figure: fill() the gateway with fill_n sessions
    (no HA policy anywhere yet), then (1) the backup's HA policy, and at
    t0 the gateway's: the gateway's stream to the backup starts with a
    bulk of the whole table; time until the backup is synced from it; (2)
    the gateway told that the backup is down, then up again (svcgw ha
    node): a new stream, a bulk of the whole table over a backup that
    holds every session already."""
    n = c["fill_n"]
    out = res.setdefault("ha", {})["bulk"] = {"sessions_wanted": n}
    try:
        m = fill(c, "svcgw", n)
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        out["error"] = "filling: %s" % e
        tap(False, "%s: %s" % (c["name"], out["error"]))
        return
    out["fill"] = m
    ok = m["entries"] >= 0.9 * n
    tap(ok, "%s: %d svcgw sessions made by %d packets" % (
        c["name"], m["entries"], m["packets"]))
    if not ok:
        out["error"] = "%d sessions made, %d wanted" % (m["entries"], n)
        return
    try:
        run([SVCGW_BIN, "ha", "set", c["ha_bk_conf"]], c["backup"])
        out["fresh"] = ha_bulk_one(c, "HA policy set, fresh backup", [
            SVCGW_BIN, "ha", "set", c["ha_conf"]])
        if out["fresh"]["synced_s"] is None:
            # A restart now would cut the bulk still running: no figure.
            out["again_skipped"] = "the first bulk did not end"
            return
        run([SVCGW_BIN, "ha", "node", str(c["ha_peer"]), "down",
             "generation", "1"], c["gw"])
        time.sleep(0.5)
        out["again"] = ha_bulk_one(c, "backup down, then up", [
            SVCGW_BIN, "ha", "node", str(c["ha_peer"]), "up",
            "generation", "2"])
        out["sessions"] = entries(c, "svcgw")
        out["read"] = "%s/%s" % (c["_ha"]["gw"].how, c["_ha"]["bk"].how)
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        out["error"] = "%s" % (getattr(e, "stderr", None) or e)
        tap(False, "%s: %s" % (c["name"], out["error"]))


def stats(samples):
    pps = [s["pps"] for s in samples]
    return {"median": statistics.median(pps), "min": min(pps),
            "max": max(pps), "n": len(pps)}


def ratio(x, ref):
    return "%.2f" % (x / ref) if ref else "-"


def table(rows, heads):
    w = [max(len(str(r[i])) for r in rows + [heads])
         for i in range(len(heads))]
    fmt = lambda r: "  ".join(str(c).ljust(w[i]) if i == 0 or i == len(w) - 1
                              else str(c).rjust(w[i])
                              for i, c in enumerate(r)).rstrip()
    return [fmt(heads)] + [fmt(r) for r in rows]


def report(res, cfgs, control):
    ref = res["configs"].get("ref", {}).get("stats", {}).get("median")
    out = []
    out += ["svcgw benchmark, kernel %s, %d vCPUs, %s" % (
                res["kernel"], res["cpus"], res["date"]),
            "64-byte UDP frames to 192.0.2.10:80, 1024 flows, injected by"
            " pktgen (netif_receive)",
            "on one CPU. rate = packets that reached the servers' side /"
            " pktgen's run time;",
            "%d rounds x %g s per configuration, round-robin, after a warm-up"
            " round." % (ROUNDS, RUN_TIME),
            "ratio = median rate / median rate of plain IP forwarding in this"
            " boot;",
            "spread = the slowest and the fastest run against the same"
            " median;",
            "paired = median over the rounds of (rate / the reference's rate"
            " in that round);",
            "cost = time per packet above the generator's (last row),"
            " relative to plain",
            "forwarding's. Software emulation (TCG): compare ratios within"
            " one run only."]

    by = {c["name"]: c for c in cfgs}

    def pstats(name, p):
        """The statistics of config @name in phase @p."""
        r = res["configs"].get(name, {})
        if r.get("status") != "ok" or name not in by:
            return None
        if phase_of(by[name]) == p:
            return r.get("stats")
        return r.get("phases", {}).get(str(p), {}).get("stats")

    def median(name, p=1):
        st = pstats(name, p)
        return st["median"] if st else None

    def vs(c, name, p=1):
        """The median of @c against the median of config @name."""
        st, b = pstats(c["name"], p), median(name, p)
        return ratio(st["median"], b) if st and b else "-"

    def row(c, label, extra=(), refname="ref", p=1):
        r = res["configs"][c["name"]]
        st, rf = pstats(c["name"], p), median(refname, p)
        if r["status"] != "ok" or not st:
            return [label, r["status"].upper(), "", ""] + \
                [""] * len(extra) + [r["note"]]
        return [label, ratio(st["median"], rf),
                "%s-%s" % (ratio(st["min"], rf), ratio(st["max"], rf)),
                "%.0f" % st["median"]] + list(extra) + [c.get("note", "")]

    def rate_table(name, refname, genname):
        """The table of configurations @name: ratios to @refname, the cost
        above the generator's rate (@genname)."""
        # Per-packet cost above the generator's, relative to plain
        # forwarding: time per packet is 1/pps, of which 1/gen is
        # injection and receipt.
        gen, rf = median(genname), median(refname)
        rows = []
        for c in cfgs:
            if c["table"] != name:
                continue
            st, cost = res["configs"][c["name"]].get("stats"), ""
            if gen and rf and st and c["name"] != genname:
                cost = "%.2f" % ((1 / st["median"] - 1 / gen) /
                                 (1 / rf - 1 / gen))
                res["configs"][c["name"]]["cost"] = float(cost)
            paired = "%.2f" % st["paired_ratio_median"] \
                if st and "paired_ratio_median" in st else ""
            rows.append(row(c, c["label"], (paired, cost), refname))
        out = table(rows, ["configuration", "ratio", "spread", "pps",
                           "paired", "cost", "note"])
        st = res["configs"].get(refname, {}).get("stats")
        if st and (st["max"] - st["min"]) / st["median"] > 0.2:
            out.append("Noisy run: the reference's own runs spread over "
                       "%s-%s; re-run on an idler machine" % (
                           ratio(st["min"], rf), ratio(st["max"], rf)))
            out.append("before reading differences of that size.")
        return out

    def new_table(name, refname):
        rows = []
        for c in cfgs:
            if c["table"] != name:
                continue
            st = res["configs"][c["name"]].get("stats")
            extra = ["", "", "", ""]
            if st and "made_per_s_median" in st:
                # Each against its own phase's reference: the twin's
                # 1024 flows were measured in phase 1.
                tw = pstats(c.get("twin", ""), 1)
                r1, r2 = median(refname, 1), median(refname, 2)
                extra = ["%.0f" % st["made_per_s_median"],
                         "%.2f" % st["made_per_packet"],
                         str(res["configs"][c["name"]].get("entries_live",
                                                           "")),
                         ratio(st["median"] / r2, tw["median"] / r1)
                         if tw and r1 and r2 else "-"]
            rows.append(row(c, c["label"], extra, refname, 2))
        return table(rows, ["configuration", "ratio", "spread", "pps",
                            "new/s", "per pkt", "at end", "vs 1024",
                            "note"])

    out += [""] + rate_table("main", "ref", "gen")
    if any(c["table"] == "encap" for c in cfgs):
        out += ["", "Encapsulated servers: the same traffic sent on in a "
                "tunnel header to 3 servers", "(outer packets counted at the"
                " sink). Ratios to plain forwarding of the bare packets."]
        out += rate_table("encap", "ref", "gen")
    pol = [c for c in cfgs if c["table"] == "policy"]
    if pol:
        out += ["", "Forwarding policies: a network node (no service), the "
                "traffic's policy among", "others of its shape, sent by "
                "ipip to a group of 3; vs 1 = against the same set", "with "
                "one policy (one client prefix)."]
        out += table([row(c, c["label"], [vs(c, "pfx1" if c["name"]
                                                 .startswith("pfx")
                                                 else "pol1")])
                      for c in pol],
                     ["policies", "ratio", "spread", "pps", "vs 1", "note"])
    if any(c["table"] == "tcp" for c in cfgs):
        out += ["", "TCP: 64-byte ACK segments of 1024 flows (32 x 32), "
                "from tcpgen: AF_PACKET", "on the peer of in0, a veth, same "
                "CPU. Ratios to plain forwarding of these segments."]
        out += rate_table("tcp", "tref", "tgen")
    for name, refname, what in (
            ("new", "ref", "UDP, pktgen"),
            ("newtcp", "tref", "TCP SYN segments, tcpgen")):
        if not any(c["table"] == name for c in cfgs):
            continue
        out += ["", "New flows (%s): every packet from a random source "
                "(10.0.0.0/14, random port)" % what,
                "(phase 2: measured apart, beside plain forwarding of %s "
                "again)." % ("UDP" if refname == "ref" else "TCP"),
                "ratio = packets that arrived / s against that "
                "plain forwarding; new/s = entries",
                "made per second (median); per pkt = entries made per packet"
                " that arrived;",
                "at end = entries live after the rounds; vs 1024 = ratio "
                "against the same engine's ratio", "with the 1024 flows "
                "(phase 1)."]
        out += new_table(name, refname)
    out += ha_lines(res, by, row)
    scale = [c for c in cfgs if c["table"] == "scale"]
    if scale:
        out += ["", "Scaling: svcgw stateless, 8 servers per service, traffic"
                " to one of them"]
        out += table([row(c, c["label"], [vs(c, "svc1")]) for c in scale],
                     ["services", "ratio", "spread", "pps", "vs 1", "note"])
    sess = [c for c in cfgs if c["table"] == "sessions"]
    if sess and "stateful" in by:
        out += ["", "Sessions: svcgw stateful, the same 1024 flows, with more"
                " sessions live (phase 3:", "measured apart, with the "
                "reference and the base again; ratio to this phase's "
                "reference)"]
        base = res["configs"]["stateful"].get("sessions_live", "?")
        rows = [row(by["stateful"], "%s (0 + the measured flows)" % base,
                    [vs(by["stateful"], "stateful", 3)], "ref", 3)]
        rows += [row(c, "%s" % res["configs"][c["name"]].get(
            "sessions_live", c["label"]), [vs(c, "stateful", 3)], "ref", 3)
            for c in sess]
        out += table(rows, ["live sessions", "ratio", "spread", "pps",
                            "vs base", "note"])
    if control.get("cli") or control["bulk"] or control.get("control_plane") \
            or control.get("policy_replace"):
        out += ["", "Control plane"]
        pr = control.get("policy_replace")
        if pr:
            out.append("  svcgw policy replace, a set of %d policies (CLI: "
                       "parse, one message, build and swap): %.2f s into an "
                       "empty namespace, %.2f s over a set of as many" % (
                           pr["policies"], pr["first_s"], pr["again_s"]))
        cli = control.get("cli")
        if cli:
            per = cli["seconds"] / cli["commands"]
            out.append("  CLI, one process per command: %d commands (%d "
                       "services x 1+%d servers) in %.1f s = %.0f ms each"
                       % (cli["commands"], cli["services"], cli["servers"],
                          cli["seconds"], per * 1000))
            out.append("  -> 10000 services x 9 commands would take about "
                       "%.0f min (extrapolated, not run)" %
                       (per * 90000 / 60))
        for b in control.get("bulk", []):
            out.append("  %s: %d services (+%d servers each) in %.1f s%s" % (
                b["how"], b["services"], b["servers"], b["seconds"],
                ", %.0f B/service" % b["bytes_per_service"]
                if b.get("bytes_per_service") else ""))
        cp = control.get("control_plane")
        if cp:
            out += control_table(cp)
    wi = res.get("work_items")
    if wi:
        out += ["", "Background work with no traffic, %g s after the rounds "
                "(workqueue tracepoints)," % wi["seconds"],
                "per work item, i.e. per namespace, the busiest first:"]
        rows = []
        for fn, label in (("session_gc", "svcgw session_gc"),
                          ("gc_worker", "conntrack gc_worker")):
            for w in wi["functions"].get(fn, {}).get("per_work", [])[:5]:
                ms = w["cpu_s"] * 1000 / max(1, w["runs"])
                # svcgw's collector queues itself again 1 s after a pass.
                rows.append([label, w["runs"], "%.1f" % ms,
                             "%.1f" % (w["longest_s"] * 1000),
                             "%.0f%%" % (100 * ms / (ms + 1000))
                             if fn == "session_gc" else ""])
            if not wi["functions"].get(fn):
                rows.append([label, 0, "", "", ""])
        out += table(rows, ["work", "runs", "ms/run", "longest ms",
                            "duty"])
        out.append("  duty = ms/run / (ms/run + the 1 s svcgw waits between"
                   " passes): the share of a CPU")
        live = ["%s %d" % (c["name"], res["configs"][c["name"]]
                           ["sessions_live"]) for c in cfgs
                if phase_of(c) != 2 and res["configs"][c["name"]].get(
                    "sessions_live", 0) > 1024]
        if live:
            out.append("  svcgw sessions then: %s; services: svc10k 10000,"
                       " svc1k 1000 (x 8 servers)" % ", ".join(live))
    if res["memory"]:
        out += ["", "Memory per entry: N entries made by new flows, "
                "/proc/meminfo before and after"]
        rows = []
        names = {"svcgw": "svcgw session", "ipvs": "IPVS connection",
                 "conntrack": "nf_conntrack entry (DNAT)"}
        for m in res["memory"]:
            b = m.get("bytes_per_entry")
            # The objects the caches gained: unlike Slab's growth, not
            # lowered by objects freed earlier in the same slabs.
            obj = sum(v["objects"] * v["objsize"]
                      for v in m["slab_growth"].values())
            obj = round(obj / m["entries"]) if m["entries"] > 0 else None
            slabs = ", ".join("%s %d B" % ("=".join(v["aliases"]) or k,
                                           v["objsize"])
                              for k, v in sorted(m["slab_growth"].items()))
            rows.append([names.get(m["kind"], m["kind"]), m["entries"],
                         obj if obj is not None else "-",
                         b["table"] if b else "-",
                         obj + b["table"] if b and obj is not None else "-",
                         b["slab"] if b else "-",
                         b["kernel"] if b else "-",
                         b["memavailable"] if b else "-",
                         (slabs or "-") + ("; %d conntrack entries too" %
                                           m["conntrack_entries"]
                                           if m["kind"] != "conntrack" and
                                           m["conntrack_entries"] > 0
                                           else "")])
        out += table(rows, ["entry", "N", "obj B", "table B", "sum B",
                            "slab B", "kernel B", "avail B",
                            "caches that grew (object size)"])
        out.append("  obj = objects the caches gained x object size / N;"
                   " table = hash table / N: svcgw's")
        out.append("  grows (VmallocUsed delta), IPVS's (2^conn_tab_bits)"
                   " and conntrack's (nf_conntrack_buckets)")
        out.append("  are fixed, 8 B a bucket; sum = obj + table. slab = "
                   "Slab delta / N; kernel = (SUnreclaim")
        out.append("  + VmallocUsed + Percpu) delta / N: both lowered when "
                   "freed memory is reused or freed")
        out.append("  meanwhile (a deleted namespace's), as is")
        out.append("  avail = MemAvailable drop / N. a=b: caches SLUB merged,"
                   " one slab for both.")
    if res["notes"]:
        out += ["", "Notes"] + ["  - " + n for n in res["notes"]]
    return "\n".join(out) + "\n"


def ha_lines(res, by, row):
    """The replication table and its figures (bench.sh's cfg_ha and
    cfg_ha_bulk); [] when neither ran."""
    hc, off, hb = by.get("nf-ha"), by.get("nf-stateful"), by.get("ha-bulk")
    ha = res.get("ha", {})
    out = []
    if hc:
        r = res["configs"]["nf-ha"]
        runs = [s for s in r.get("warmup", []) + r.get("samples", [])
                if "ha" in s]

        def rate_of(name):
            st = res["configs"].get(name, {}).get("stats") or {}
            return st.get("median")

        def by_round(name):
            return {s["round"]: s["pps"] for s in
                    res["configs"].get(name, {}).get("samples", [])}

        def repl_per_s(s):
            h = s.get("ha", {})
            if "during" not in h or not s["elapsed_us"]:
                return None
            return h["during"]["tx_records"] * 1e6 / s["elapsed_us"]

        new_s = lambda name: "%.0f" % res["configs"][name]["stats"][
            "made_per_s_median"] if "made_per_s_median" in (
                res["configs"].get(name, {}).get("stats") or {}) else ""
        reps = [x for x in (repl_per_s(s) for s in r.get("samples", []))
                if x is not None]
        a, b = rate_of("nf-ha"), rate_of("nf-stateful")
        ra, rb = by_round("nf-ha"), by_round("nf-stateful")
        paired = [ra[n] / rb[n] for n in ra if rb.get(n)]
        out += ["", "Session replication (BENCH_HA): svcgw stateful with new "
                "flows (UDP, pktgen), every session", "replicated to a "
                "backup node, a second svcgw in another namespace reached "
                "over a veth", "(phase 2, in the same rounds as the new-flow "
                "table). ratio, pps, new/s: as there;", "repl/s = records "
                "the gateway put into sync datagrams per second of traffic "
                "(median);", "vs off = median rate / the median rate of the "
                "same service without an HA policy;", "paired = median over "
                "the rounds of that ratio within one round."]
        rows = []
        if off:
            rows.append(row(off, "svcgw stateful, no HA policy",
                            [new_s("nf-stateful"), "", "1.00", "1.00"],
                            "ref", 2))
        rows.append(row(hc, "svcgw stateful, replicated", [
            new_s("nf-ha"),
            "%.0f" % statistics.median(reps) if reps else "",
            ratio(a, b) if a and b else "-",
            "%.2f" % statistics.median(paired) if paired else "-"],
            "ref", 2))
        out += table(rows, ["configuration", "ratio", "spread", "pps",
                            "new/s", "repl/s", "vs off", "paired", "note"])
        if runs:
            out += ["Per run (round 0: the warm-up round; v: the "
                    "verification): sessions made at the gateway, records",
                    "queued for the backup, received by it and replicas it "
                    "gained by the end of the lag,", "records that found "
                    "the queue full, streams given up, datagrams sent "
                    "again; lag = end of", "the traffic -> the first read "
                    "(every %.0f ms) showing the backup with every record "
                    "queued," % (HA_POLL * 1000), "its stream synced and "
                    "nothing unacknowledged."]
            rr = []
            for s in ([r["verify"]] if "ha" in (r.get("verify") or {})
                      else []) + runs:
                h = s["ha"]
                if "after" not in h:
                    rr.append([s.get("round", "v"), "%.0f" % s["pps"]] +
                              [""] * 9 + [h.get("error", "")])
                    continue
                x = h["after"]
                rp = repl_per_s(s)
                rr.append([s.get("round", "v"), "%.0f" % s["pps"],
                           s.get("made", ""), "%.0f" % rp if rp else "",
                           x["queued"], x["rx_records"], x["replicas"],
                           x["queue_dropped"], x["tx_lost"],
                           x["tx_retrans"],
                           "%.0f" % (h["lag_s"] * 1000)
                           if h["lag_s"] is not None else
                           ">%.0f" % (HA_LAG_MAX * 1000),
                           ha_kept_up(h) or ""])
            out += table(rr, ["round", "pps", "made", "repl/s", "queued",
                              "received", "replicas+", "dropped", "lost",
                              "retrans", "lag ms", "not kept up"])
            ok = [s for s in runs if "after" in s["ha"]]
            bad = [(s.get("round"), ha_kept_up(s["ha"])) for s in runs
                   if ha_kept_up(s["ha"])]
            lags = [s["ha"]["lag_s"] for s in ok
                    if s["ha"]["lag_s"] is not None]
            if not bad:
                out.append("  The backup kept up: in all %d runs every record"
                           " queued reached it, none found the queue full,"
                           " no stream was given up." % len(runs))
            else:
                out.append("  The backup did NOT keep up in %d of %d runs: %s"
                           % (len(bad), len(runs), "; ".join(
                               "round %s: %s" % b for b in bad)))
            if lags:
                polls = [s["ha"]["poll_s"] for s in ok if s["ha"]["poll_s"]]
                out.append("  lag: median %.0f ms, max %.0f ms (reads by "
                           "%s%s)" % (
                               statistics.median(lags) * 1000,
                               max(lags) * 1000, ok[0]["ha"]["read"],
                               ", %.0f ms apart" % (statistics.median(polls)
                                                    * 1000)
                               if polls else ""))
            tx = sum(s["ha"]["after"]["tx_records"] for s in ok)
            if tx:
                wtx = sum(s["ha"]["after"]["wire_tx_bytes"] for s in ok)
                wrx = sum(s["ha"]["after"]["wire_rx_bytes"] for s in ok)
                dg = sum(s["ha"]["after"]["tx_dgrams"] for s in ok)
                out.append("  on the wire (the byte counters of the "
                           "gateway's sync veth, Ethernet frames, over these"
                           " runs):")
                out.append("    %.2f B per record to the backup (%.1f "
                           "records a datagram), %.2f B per record of "
                           "acknowledgements back" % (
                               wtx / tx, tx / dg if dg else 0, wrx / tx))
        k = (SYNC_DGRAM - SYNC_HDR - SYNC_TAG) // SYNC_REC4
        kv = (IPVS_MAXLEN - IPVS_HDR) // IPVS_CONN4
        if runs:
            out.append("    svcgw, full datagrams (from the format): %d "
                       "records of %d B a datagram, %.2f B per record" % (
                           k, SYNC_REC4, (SYNC_HDR + SYNC_TAG +
                                          k * SYNC_REC4 + WIRE_HDRS) / k))
            out.append("    IPVS sync protocol v1, a constant from "
                       "net/netfilter/ipvs/ip_vs_sync.c, NOT measured here")
            out.append("    (the bench's IPVS runs no sync daemon): %d B "
                       "per IPv4 connection, an %d B header per" % (
                           IPVS_CONN4, IPVS_HDR))
            out.append("    message of at most %d B (%d connections): %.2f "
                       "B per connection with the same headers" % (
                           IPVS_MAXLEN, kv, (IPVS_HDR + kv * IPVS_CONN4 +
                                             WIRE_HDRS) / kv))
        cost = ha.get("live", {}).get("cost", {})
        sw, cr = cost.get("sync_work"), cost.get("run", {}).get("ha", {})
        if sw and "after" in cr and cr["after"]["tx_records"]:
            recs = cr["after"]["tx_records"]
            out.append("  sync work items (sync_work, both nodes), one more "
                       "run under the workqueue")
            out.append("  tracepoints: %.0f ms in %d runs for %d records "
                       "= %.1f us a record; per node:" % (
                           sw["cpu_s"] * 1000, sw["runs"], recs,
                           sw["cpu_s"] * 1e6 / recs))
            out.append("  %s (the node is not told apart)" % ", ".join(
                "%.0f ms in %d runs" % (w["cpu_s"] * 1000, w["runs"])
                for w in sw["per_work"]))
        elif cost.get("error"):
            out.append("  sync work items not timed: %s" % cost["error"])
        live = ha.get("live", {})
        if "counts" in live:
            c = live["counts"]
            out.append("  after the rounds: the gateway has %d sessions, the "
                       "backup %d replicas; in all:" % (live["sessions"],
                                                        c["replicas"]))
            out.append("  %d records queued, %d found the queue full, %d "
                       "streams given up, %d datagrams sent again," % (
                           c["queued"], c["queue_dropped"], c["tx_lost"],
                           c["tx_retrans"]))
            out.append("  %d refused by the socket; at the backup %d records"
                       " without service, %d without server," % (
                           c["tx_errors"], c["rx_no_service"],
                           c["rx_no_server"]))
            out.append("  %d at the replicas' cap, %d datagrams dropped on "
                       "arrival" % (c["rx_full"], c["rx_queue_full"]))
    bulk = ha.get("bulk")
    if hb and (bulk or res["configs"]["ha-bulk"]["status"] != "ok"):
        out += ["", "Bulk resync (BENCH_HA_BULK): the gateway filled with new"
                " flows, no HA policy anywhere; then"]
        if not bulk:
            out.append("  %s: %s" % (res["configs"]["ha-bulk"]["status"]
                                     .upper(),
                                     res["configs"]["ha-bulk"]["note"]))
            return out
        fill_ = bulk.get("fill", {})
        out.append("  the backup's HA policy, and at t0 the gateway's (fresh"
                   " backup), or at t0 the gateway told")
        out.append("  that the backup is up after a down notice (a new "
                   "stream over a backup that holds every")
        out.append("  session). s = t0 -> the first read (every %.0f ms) "
                   "showing the backup synced from the" % (HA_POLL * 1000))
        out.append("  gateway (peer synced, one more bulk received whole); "
                   "the command's own time is in it.")
        rows = []
        for key in ("fresh", "again"):
            b = bulk.get(key)
            if not b:
                continue
            d = b["counts"]
            rows.append([b["what"], d["tx_bulk_records"],
                         "%.2f" % b["synced_s"] if b["synced_s"] is not None
                         else ">%g" % HA_BULK_MAX,
                         b.get("records_per_s", "-"),
                         b.get("wire_bytes_per_record", "-"),
                         d["replicas"], "%.2f" % b["command_s"],
                         d["back_rx_records"]])
        if rows:
            out += table(rows, ["", "records", "s", "records/s", "B/record",
                                "replicas+", "command s", "sent back"])
            out.append("  %d sessions in the gateway (%d made by the fill "
                       "at %s pps); records = the bulk's, as the" % (
                           bulk.get("sessions", 0), fill_.get("entries", 0),
                           fill_.get("fill_pps", "?")))
            out.append("  gateway counts them; B/record: the sync veth's "
                       "bytes to the backup / records; sent back =")
            out.append("  records the backup's own stream sent the gateway "
                       "meanwhile (its bulk: the gateway's sessions")
            out.append("  it holds, the failback path), refused there as "
                       "this node's flows. The down/up counts as")
            out.append("  one stream given up (tx_lost) at the gateway.")
            fr = bulk.get("fresh")
            if fr and fr["counts"]["replicas"] > 0:
                out.append("  memory: MemAvailable dropped %.0f B per "
                           "replica made by the fresh bulk (Slab %.0f B)" % (
                               fr["memavailable_drop"] /
                               fr["counts"]["replicas"],
                               fr["slab_growth"] / fr["counts"]["replicas"]))
        if bulk.get("again_skipped"):
            out.append("  backup down, then up: not measured (%s)" %
                       bulk["again_skipped"])
        if bulk.get("error"):
            out.append("  BROKEN: %s" % bulk["error"])
    return out


def phase_of(c):
    """The phase a configuration is measured in: 1 the 1024-flow tables,
    2 the new-flow tables (and the replicating twin of svcgw's), 3 the
    sessions table; 4: no rounds (the bulk resync's pair: ha_bulk() after
    phase 3).  Big svcgw session tables cost CPU even with no traffic
    (the collector walks all of them every second): they exist only in
    their own phase, with the references measured again beside them."""
    return {"new": 2, "newtcp": 2, "ha": 2, "sessions": 3,
            "habulk": 4}.get(c["table"], 1)


def slot(res, c, p):
    """Where the runs of @c in phase @p go: its own record in its own
    phase, else a record of that phase under "phases"."""
    r = res["configs"][c["name"]]
    if phase_of(c) == p:
        return r
    return r.setdefault("phases", {}).setdefault(
        str(p), {"samples": [], "warmup": []})


def drop_namespaces(cfgs):
    """Delete the namespaces of @cfgs, wait for their memory to return."""
    for c in cfgs:
        for ns in (c["gw"], c["sink"], c.get("backup")):
            if ns:
                subprocess.run(["ip", "netns", "del", ns],
                               capture_output=True)
    last = meminfo()["MemAvailable"]
    for _ in range(60):
        time.sleep(1)
        now = meminfo()["MemAvailable"]
        if abs(now - last) < 4 << 20:
            break
        last = now


def run_phase(res, p, cfgs, t0):
    """Warm-up round and ROUNDS rounds of phase @p, then the checks and
    the statistics of its configurations."""
    by = {c["name"]: c for c in cfgs}
    own = [c for c in cfgs if c["status"] == "ok" and phase_of(c) == p]
    if not own:
        return
    for c in own:
        if c.get("fill") == "before" and not do_fill(res, c):
            c["status"] = "fail"
            c["note"] = "could not make %d sessions" % c.get("fill_n",
                                                            SESSIONS)
            res["configs"][c["name"]].update(status="fail", note=c["note"])
    guests = {1: [], 2: ["ref", "tref"], 3: ["ref", "stateful"]}[p]
    live = [by[n] for n in guests if n in by and by[n]["status"] == "ok"
            and (n != "tref" or any(c["table"] == "newtcp" for c in own))]
    live += [c for c in own if c["status"] == "ok"]
    # Round 0 warms up (the guest settles after the set-up), not counted.
    for rnd in range(ROUNDS + 1):
        k = rnd % len(live) if live else 0
        for pos, c in enumerate(live[k:] + live[:k]):
            if c["status"] != "ok":
                continue
            try:
                s = measure(c, RUN_TIME, full=False)
            except (OSError, RuntimeError,
                    subprocess.CalledProcessError) as e:
                c["status"], c["note"] = "fail", "round %d: %s" % (rnd, e)
                res["configs"][c["name"]].update(status="fail",
                                                 note=c["note"])
                tap(False, "%s: %s" % (c["name"], c["note"]))
                continue
            s.update({"round": rnd, "position": pos, "phase": p})
            slot(res, c, p)["samples" if rnd else "warmup"].append(s)
        log("phase %d: %s done, %.0f s" % (
            p, "round %d of %d" % (rnd, ROUNDS) if rnd else "warm-up round",
            time.monotonic() - t0))
    live = [c for c in live if c["status"] == "ok"]
    if any(c.get("count_kind") == "ipvs" for c in live):
        time.sleep(2.5)         # IPVS's counters catch up (estimator)
    for c in live:
        r = slot(res, c, p)
        runs = r["warmup"] + r["samples"]
        try:
            if c.get("count_kind"):
                count_made(c, runs)
            r["rounds_total"], why = check_rounds(c, runs)
        except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
            why = "counting after the rounds: %s" % e
        if why:
            c["status"] = "fail"
            c["note"] = "rounds: " + why
            res["configs"][c["name"]].update(status="fail", note=c["note"])
            tap(False, "%s: %s" % (c["name"], c["note"]))
    live = [c for c in live if c["status"] == "ok"]
    for c in live:
        r = slot(res, c, p)
        r["stats"] = stats(r["samples"])
        # Against the reference's run of the same round: drifts cancel.
        refc = by.get(c.get("ref", "ref"))
        ref = {s["round"]: s["pps"] for s in
               (slot(res, refc, p).get("samples", []) if refc else [])}
        paired = [s["pps"] / ref[s["round"]] for s in r["samples"]
                  if ref.get(s["round"])]
        if paired:
            r["stats"]["paired_ratio_median"] = round(
                statistics.median(paired), 3)
        if phase_of(c) != p:
            continue
        r = res["configs"][c["name"]]
        if c.get("count_kind"):
            made = [s["made_per_s"] for s in r["samples"]]
            r["stats"].update(
                made_per_s_median=statistics.median(made),
                made_per_s_min=min(made), made_per_s_max=max(made),
                made_per_packet=round(
                    sum(s["made"] for s in r["samples"]) /
                    max(1, sum(s["delivered"] for s in r["samples"])), 3))
            r["entries_live"] = entries(c, c["count_kind"])
        r["conntrack_entries"] = entries(c, "conntrack")
        if c["name"] in SVCGW_CONFIGS or c["table"] in ("sessions", "scale") \
                or c.get("count_kind") == "svcgw" or \
                c["name"].startswith("tstate"):
            r["sessions_live"] = entries(c, "svcgw")
            if c["name"] == "hybrid":
                c["note"] = "%d sessions live" % r["sessions_live"]
        bad = [s for s in r["samples"] if s["delivered"] < 0.95 * s["sent"]]
        if bad:
            c["note"] = ((c.get("note", "") + "; ").lstrip("; ") +
                         "%d runs lost over 5%%" % len(bad))


def pg_setup(res, cfgs):
    """pktgen: one device, on the first thread, in every gateway namespace
    whose traffic it makes."""
    for c in cfgs:
        if c["status"] != "ok" or c.get("gen") == "tcpgen":
            continue
        extra = FILL if c.get("traffic") == "new" else []
        if "dst_mac" in c:
            extra = extra + ["dst_mac " + c["dst_mac"]]
        try:
            with netns(c["gw"]):
                # A fresh namespace: no device to remove first (the
                # removal is asynchronous, it could take in0 along).
                pg_write("kpktgend_0", "add_device " + DEV)
                pg_write(DEV, *PKTGEN, *extra)
        except OSError as e:
            c["status"], c["note"] = "fail", "pktgen setup: %s" % e
            res["configs"][c["name"]].update(status="fail", note=c["note"])


def verify_all(res, cfgs):
    """The verification run of every configuration (its TAP line): one
    that fails it is marked failed."""
    for c in cfgs:
        r = res["configs"][c["name"]]
        if c["status"] == "skip":
            tap(True, "%s # SKIP %s" % (c["name"], c["note"]))
            continue
        if c["status"] != "ok":
            tap(False, "%s: %s" % (c["name"], c["note"]))
            continue
        try:
            s = measure(c, VERIFY_TIME, settle=2.2 if c.get("count_kind") ==
                        "ipvs" else 0)
            why = verify(c, s) or (ha_verify(s) if c["table"] == "ha"
                                   else None)
        except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
            s, why = None, "measuring: %s" % e
        r["verify"] = s
        if why:
            c["status"] = r["status"] = "fail"
            c["note"] = r["note"] = why
            tap(False, "%s: %s" % (c["name"], why))
            continue
        tap(True, "%s: verified, %.0f pps, to %s" % (
            c["name"], s["pps"], json.dumps(s["dst"], sort_keys=True)))


def control_table(cp):
    """control.sh's comparison: one configuration applied, then replaced,
    by svcgw -b, ipvsadm -R and nft -f (wall seconds, same boot)."""
    def sec(k):
        return "-" if cp.get(k) is None else "%.2f" % cp[k]

    def ratio(k):
        a, b = cp.get(k), cp.get("svcgw_batch_s")
        return "-" if a is None or not b else "%.0fx" % (a / b)

    out = ["  %d services x %d servers (%d applied by svcgw), wall seconds "
           "of the whole command:" % (cp["services"], cp["servers"],
                                      cp.get("applied") or 0)]
    out += table([
        ["svcgw -b FILE (one request)", sec("svcgw_batch_s"), "1x"],
        ["svcgw, a request per object, one process",
         sec("svcgw_per_object_s"), ratio("svcgw_per_object_s")],
        ["ipvsadm -R (scheduler %s)" % cp.get("ipvs_scheduler", "?"),
         sec("ipvsadm_restore_s"), ratio("ipvsadm_restore_s")],
        ["nft -f (one map, one rule)", sec("nft_file_s"),
         ratio("nft_file_s")],
    ], ["apply", "s", "vs svcgw"])
    out += table([
        ["svcgw -b --replace, same set", sec("svcgw_replace_same_s"), ""],
        ["svcgw -b --replace, 10% gone/new/changed",
         sec("svcgw_replace_changed_s"), "atomic"],
        ["ipvsadm -C; ipvsadm -R (changed set)",
         sec("ipvsadm_clear_restore_s"), "not atomic"],
        ["nft -f: flush map + elements (changed set)",
         sec("nft_flush_refill_s"), "atomic"],
    ], ["replace", "s", ""])
    k = cp.get("svcgw_kernel")
    if k:
        out.append("  the BATCH request alone (%d bytes, built beforehand): "
                   "apply %.2f s, replace by the same set %.2f s, by an "
                   "empty set %.2f s" % (k["bytes"], k["batch_s"],
                                         k["replace_same_s"],
                                         k["replace_empty_s"]))
    return out


def main():
    d = sys.argv[1]
    cfgs = [json.loads(l) for l in open(os.path.join(d, "configs.jsonl"))]
    # bench.sh's control-plane figures and notes, one JSON object a line.
    control = {"bulk": [], "notes": []}
    path = os.path.join(d, "control.jsonl")
    for line in open(path) if os.path.exists(path) else []:
        o = json.loads(line)
        if "cli" in o:
            control["cli"] = o["cli"]
        elif "bulk" in o:
            control["bulk"].append(o["bulk"])
        elif "control_plane" in o:
            control["control_plane"] = o["control_plane"]
        elif "policy_replace" in o:
            control["policy_replace"] = o["policy_replace"]
        elif "note" in o:
            control["notes"].append(o["note"])
    res = {"date": time.strftime("%Y-%m-%d %H:%M:%S"),
           "kernel": platform.release(), "cpus": os.cpu_count(),
           "params": {"run_s": RUN_TIME, "rounds": ROUNDS,
                      "verify_s": VERIFY_TIME, "sessions": SESSIONS,
                      "frame_bytes": 64, "flows": 1024, "pktgen": PKTGEN},
           "configs": {}, "memory": [], "control": control,
           "notes": control["notes"],
           "memory_mb": {"total": meminfo()["MemTotal"] >> 20,
                         "available_at_start": meminfo()["MemAvailable"]
                         >> 20}}

    def save():
        out = dict(res)
        for c in cfgs:
            out["configs"][c["name"]].update(
                {k: v for k, v in c.items() if not k.startswith("_")})
        with open(os.path.join(d, "results.json"), "w") as f:
            json.dump(out, f, indent=1, sort_keys=True)

    for c in cfgs:
        res["configs"][c["name"]] = {"status": c["status"], "note":
                                     c.get("note", ""), "samples": [],
                                     "warmup": []}
    pg_setup(res, cfgs)
    verify_all(res, cfgs)
    save()
    for c in cfgs:
        if c["name"] in PROFILE and c["status"] == "ok":
            try:
                s = profile(d, c)
                log("profiled %s: %.0f pps" % (c["name"], s["pps"]))
            except (OSError, RuntimeError,
                    subprocess.CalledProcessError) as e:
                log("profiling %s failed: %s" % (c["name"], e))
            # The rounds' destinations count from here (check_rounds()).
            c["_last"] = sink_counters(c)

    t0 = time.monotonic()
    run_phase(res, 1, cfgs, t0)
    save()
    run_phase(res, 2, cfgs, t0)
    save()
    for c in cfgs:
        if c["table"] == "ha" and c["status"] == "ok":
            ha_phase_end(res, c)
    drop_namespaces([c for c in cfgs if phase_of(c) == 2])
    run_phase(res, 3, cfgs, t0)
    save()
    # What the tables cost when nothing happens: svcgw's collector walks
    # its whole table every second; conntrack's works in bounded slices.
    try:
        res["work_items"] = work_items(5)
    except OSError as e:
        log("work items not measured: %s" % e)
    res["memory_mb"]["available_after_rounds"] = \
        meminfo()["MemAvailable"] >> 20
    drop_namespaces([c for c in cfgs if phase_of(c) == 3])
    for c in cfgs:
        if phase_of(c) != 4:
            continue
        res["configs"][c["name"]].setdefault("conntrack_entries", 0)
        if c["status"] == "ok":
            ha_bulk(res, c)
            save()
            log("HA bulk resync done, %.0f s" % (time.monotonic() - t0))
    drop_namespaces([c for c in cfgs if phase_of(c) == 4])
    live = [c for c in cfgs if c["status"] == "ok"]
    for c in live:
        if c.get("fill") == "after":
            do_fill(res, c)
    mb = res["memory_mb"]
    mb["available_at_end"] = meminfo()["MemAvailable"] >> 20
    res["notes"].append("guest memory: %d MB, %d available at the start of"
                        " the measurements, %d after the rounds, %d at the"
                        " end" % (mb["total"], mb["available_at_start"],
                                  mb["available_after_rounds"],
                                  mb["available_at_end"]))
    ct = ["%s %d" % (c["name"], res["configs"][c["name"]]
                     ["conntrack_entries"]) for c in live
          if res["configs"][c["name"]]["conntrack_entries"]]
    res["notes"].append("conntrack entries after the rounds: %s, none in the"
                        " other namespaces" % (", ".join(ct) or "none")
                        if ct else "no namespace made conntrack entries")
    save()
    text = report(res, cfgs, control)
    with open(os.path.join(d, "bench.txt"), "w") as f:
        f.write(text)
    tap(True, "results written")
    sys.stdout.write("\n" + text)
    return 1 if tap_failed else 0


# make bench-ab: two builds of the module, "base" and "head", in one boot
# (bench-ab.sh sets the namespaces up, main_ab() measures).
AB_BUILDS = ("base", "head")
AB_ROUNDS = int(os.environ.get("BENCH_ROUNDS", "8"))
AB_WARM = float(os.environ.get("BENCH_AB_WARM", "1"))
AB_CLOCK = os.environ.get("BENCH_AB_CLOCK", "host")
# Counted instructions vary by well under 1 % between identical builds;
# the host's clock by 10 % and more on a loaded machine.
AB_TOLERANCE = float(os.environ.get("BENCH_AB_TOLERANCE") or
                     (1 if AB_CLOCK.startswith("icount") else 5))


def ab_load(d, build, cfgs):
    """Swap the module for @build's and configure the services of @cfgs
    again (bench-ab.sh --load).  Returns (loaded, {namespace: message}
    of the services refused, stderr, seconds)."""
    here = os.path.dirname(os.path.abspath(__file__))
    args = ["%s:%s:%s" % (c["gw"], c["mode"], c["proto"]) for c in cfgs
            if c["status"] == "ok"]
    t0 = time.monotonic()
    p = subprocess.run(["bash", os.path.join(here, "bench-ab.sh"), "--load",
                        build, d] + args, capture_output=True, text=True)
    refused = {}
    for line in p.stdout.splitlines():
        if line.startswith("refused "):
            ns, _, msg = line[len("refused "):].partition(" ")
            refused[ns] = msg
    err = "; ".join(l for l in p.stderr.splitlines() if l.strip())
    return p.returncode == 0, refused, err[-300:], time.monotonic() - t0


def ab_build_info(b):
    src = os.environ.get("SVCGW_SRC", ".")
    ko = os.environ.get("BENCH_AB_%s_KO" % b.upper(),
                        "kmod/svcgw.ko" if b == "head" else "")
    info = {"rev": os.environ.get("BENCH_AB_%s_REV" % b.upper(), b),
            "ko": ko, "cli": os.environ.get("BENCH_AB_%s_CLI" % b.upper(),
                                            "tools/svcgw/svcgw"
                                            if b == "head" else "")}
    # ab.sh's hash of the .text sections: equal for the same code.
    info["code"] = os.environ.get("BENCH_AB_%s_CODE" % b.upper(), "?")
    return info


def ab_fail(res, c, why):
    c["status"], c["note"] = "fail", why
    res["configs"][c["name"]].update(status="fail", note=why)
    tap(False, "%s: %s" % (c["name"], why))


def ab_half(d, res, cfgs, rnd, b):
    """One half of round @rnd: @b's module loaded and its services
    configured, a verified warm-up run of each svcgw configuration, then
    every configuration once, the order rotated by the round (the same
    in both halves), then the destinations of the half's packets
    checked.  False if the module did not load."""
    svc = [c for c in cfgs if "mode" in c]
    ok, refused, err, secs = ab_load(d, b, svc)
    half = {"round": rnd, "build": b, "load_s": round(secs, 1)}
    res["halves"].append(half)
    if not ok:
        res["broken"] = "round %d: loading %s's module (%s): %s" % (
            rnd, b, res["builds"][b]["rev"], err or "failed")
        tap(False, res["broken"])
        return False
    for c in svc:
        if c["status"] == "ok" and c["gw"] in refused:
            why = "%s refused it: %s" % (b, refused[c["gw"]])
            if c["mode"] == "hybrid":
                # As bench.sh does: a version without hybrid is skipped.
                c["status"], c["note"] = "skip", why
                res["configs"][c["name"]].update(status="skip", note=why)
                tap(True, "%s # SKIP %s" % (c["name"], why))
            else:
                ab_fail(res, c, "round %d: %s" % (rnd, why))
    # After the swap: the code is translated anew (emulation), the
    # sessions made again; the packets must reach the servers.
    for c in svc:
        if c["status"] != "ok":
            continue
        try:
            s = measure(c, AB_WARM)
            why = verify(c, s)
        except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
            s, why = None, "measuring: %s" % e
        res["configs"][c["name"]]["warmup"][b].append(
            dict(s or {}, round=rnd))
        if why:
            ab_fail(res, c, "round %d, %s: %s" % (rnd, b, why))
    live = [c for c in cfgs if c["status"] == "ok"]
    if not live:
        return True
    # The references first and last: their mean is the half's yardstick,
    # whatever drift there is within the half.
    refs = [c for c in live if "mode" not in c]
    svc = [c for c in live if "mode" in c]
    k = (rnd - 1) % len(svc) if svc else 0
    runs = {}
    for pos, c in enumerate(refs + svc[k:] + svc[:k] + refs[::-1]):
        if c["status"] != "ok":
            continue
        try:
            s = measure(c, RUN_TIME, full=False)
        except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
            ab_fail(res, c, "round %d, %s: %s" % (rnd, b, e))
            continue
        s.update({"round": rnd, "position": pos})
        res["configs"][c["name"]]["samples"][b].append(s)
        runs.setdefault(c["name"], []).append(s)
    for c in live:
        if c["status"] != "ok" or c["name"] not in runs:
            continue
        try:
            _, why = check_rounds(c, runs[c["name"]])
        except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
            why = "counting: %s" % e
        if why:
            ab_fail(res, c, "round %d, %s: %s" % (rnd, b, why))
    return True


def geomean(xs):
    xs = list(xs)
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def ab_stats(res, cfgs):
    """Per configuration: each build's ratios to plain forwarding (the
    geometric mean of its reference's two runs in the same half), the
    paired ratios head/base per round, the verdict.  The references:
    their own rate, head's half / base's half (the yardstick: what the
    drift between halves alone does), and their two runs in a half, the
    last / the first (what the noise of one run is)."""
    def by_round(name, b):
        rates = {}
        for s in res["configs"].get(name, {}).get("samples", {}).get(b, []):
            if s["pps"] > 0:
                rates.setdefault(s["round"], []).append(s["pps"])
        return {n: geomean(v) for n, v in rates.items()}

    def spread(xs):
        return {"median": round(statistics.median(xs), 4),
                "min": round(min(xs), 4), "max": round(max(xs), 4),
                "n": len(xs)}

    for c in cfgs:
        r = res["configs"][c["name"]]
        if c["status"] != "ok":
            continue
        own = {b: by_round(c["name"], b) for b in AB_BUILDS}
        if "mode" in c:
            ref = {b: by_round(c.get("ref", "ref"), b) for b in AB_BUILDS}
            x = {b: {n: p / ref[b][n] for n, p in own[b].items()
                     if ref[b].get(n)} for b in AB_BUILDS}
        else:
            x = own
        rounds = sorted(set(x["base"]) & set(x["head"]))
        if not rounds:
            continue
        paired = [x["head"][n] / x["base"][n] for n in rounds]
        st = {"pps_median": {b: round(statistics.median(own[b].values()))
                             for b in AB_BUILDS},
              "paired_by_round": {str(n): round(p, 4)
                                  for n, p in zip(rounds, paired)},
              "paired": dict(spread(paired), slower_rounds=sum(
                  1 for p in paired if p < 1 - AB_TOLERANCE / 100),
                  faster_rounds=sum(1 for p in paired
                                    if p > 1 + AB_TOLERANCE / 100))}
        # The same without the yardstick: head's rate / base's.
        raw = [own["head"][n] / own["base"][n] for n in rounds
               if n in own["head"] and n in own["base"]]
        st["paired_raw"] = spread(raw)
        if "mode" not in c:
            ends = [ss[-1]["pps"] / ss[0]["pps"]
                    for b in AB_BUILDS for n in rounds
                    for ss in [[s for s in r["samples"][b]
                                if s["round"] == n]]
                    if len(ss) == 2 and ss[0]["pps"]]
            if ends:
                st["last_vs_first"] = spread(ends)
        else:
            st["ratio_median"] = {b: round(statistics.median(
                x[b][n] for n in rounds), 4) for b in AB_BUILDS}
            p = st["paired"]["median"]
            if abs(p - 1) * 100 <= AB_TOLERANCE:
                v = "head within %g%% of base" % AB_TOLERANCE
            elif p < 1:
                v = "head slower by %.1f%%" % ((1 - p) * 100)
            else:
                v = "head faster by %.1f%%" % ((p - 1) * 100)
            st["verdict"] = v + "; rounds beyond %g%%: %d slower, %d " \
                "faster of %d" % (AB_TOLERANCE, st["paired"]["slower_rounds"],
                                  st["paired"]["faster_rounds"], len(paired))
        r["stats"] = st


def clock_text(clock):
    if clock.startswith("icount-"):
        return ("Guest clock: instructions, %d ns each, one vCPU (icount):"
                " a rate is packets per" % (1 << int(clock[7:])) +
                "\ninstructions executed, whatever the host's load.")
    return "Guest clock: the host's (rates move with the host's load)."


def ab_report(res, cfgs):
    bi = res["builds"]
    out = ["svcgw A/B, kernel %s, %d vCPUs, %s" % (res["kernel"],
                                                     res["cpus"],
                                                     res["date"]),
           "base %s, head %s: %s code (executable sections %s, %s)" % (
               bi["base"]["rev"], bi["head"]["rev"],
               "the same" if bi["base"]["code"] == bi["head"]["code"]
               else "different", bi["base"]["code"], bi["head"]["code"]),
           clock_text(res["params"]["clock"]),
           "%d round%s of two halves, base then head in odd rounds, head"
           " then base in even ones." % (res["params"]["rounds"],
                                         "s"[:res["params"]["rounds"] - 1]),
           "A half: the module swapped (rmmod, insmod, services configured"
           " again), each svcgw",
           "configuration warmed up and verified (%g s), then plain"
           " forwarding, every svcgw" % AB_WARM,
           "configuration and plain forwarding again, %g s each: the"
           " geometric mean of the" % RUN_TIME,
           "two plain forwarding runs is the half's yardstick.",
           "base, head = median over the rounds of rate / the yardstick of"
           " the same half;",
           "paired = per round, head's ratio / base's ratio: median, and"
           " min-max;",
           "verdict: the paired median against +-%g%% (BENCH_AB_TOLERANCE)."
           % AB_TOLERANCE,
           ""]
    rows, refs, noise = [], [], []
    for c in cfgs:
        r = res["configs"][c["name"]]
        label = "%s, %s" % (c["label"], c["proto"].upper())
        st = r.get("stats")
        if "mode" not in c:
            if st:
                refs.append("  %s: %.3f, %.3f-%.3f" % (
                    label, st["paired"]["median"], st["paired"]["min"],
                    st["paired"]["max"]))
                if "last_vs_first" in st:
                    lf = st["last_vs_first"]
                    noise.append("  %s: %.3f, %.3f-%.3f" % (
                        label, lf["median"], lf["min"], lf["max"]))
            elif r["status"] != "ok":
                rows.append([label, r["status"].upper(), "", "", "",
                             r["note"]])
            continue
        if r["status"] != "ok":
            rows.append([label, r["status"].upper(), "", "", "", r["note"]])
            continue
        if not st:
            rows.append([label, "-", "-", "-", "", "no result: %s" % (
                res.get("broken") or "no round measured both builds")])
            continue
        pr = st["paired"]
        rows.append([label, "%.3f" % st["ratio_median"]["base"],
                     "%.3f" % st["ratio_median"]["head"],
                     "%.3f" % pr["median"],
                     "%.3f-%.3f" % (pr["min"], pr["max"]), st["verdict"]])
    out += table(rows, ["configuration", "base", "head", "paired",
                        "min-max", "verdict"])
    if res.get("broken"):
        out += ["", "BROKEN: %s" % res["broken"]]
    if refs:
        out += ["", "Yardstick: plain forwarding's rate in head's half / in"
                " base's, median, min-max over", "the rounds: the drift"
                " between halves that the ratios take out (no svcgw hook in"
                " its", "namespace):"] + refs
    if noise:
        out += ["Its last run in a half / its first: the noise of one run"
                " (and the drift within", "a half): differences of that size"
                " between single runs are no finding:"] + noise
    out += ["", "Paired ratios by round (head/base):"]
    for c in cfgs:
        st = res["configs"][c["name"]].get("stats")
        if st:
            out.append("  %-16s %s" % (c["name"], " ".join(
                "%.3f" % v for _, v in sorted(st["paired_by_round"].items(),
                                              key=lambda kv: int(kv[0])))))
    loads = [h["load_s"] for h in res["halves"]]
    if loads:
        out += ["", "module swaps: %d, %.1f-%.1f s each; measuring took "
                "%.0f s" % (len(loads), min(loads), max(loads),
                            res.get("seconds", 0))]
    if res["notes"]:
        out += ["", "Notes"] + ["  - " + n for n in res["notes"]]
    return "\n".join(out) + "\n"


def main_ab(d):
    cfgs = [json.loads(l) for l in open(os.path.join(d, "configs.jsonl"))]
    path = os.path.join(d, "control.jsonl")
    notes = [json.loads(l)["note"] for l in
             (open(path) if os.path.exists(path) else [])
             if "note" in json.loads(l)]
    global ROUNDS
    ROUNDS = AB_ROUNDS
    res = {"date": time.strftime("%Y-%m-%d %H:%M:%S"),
           "kernel": platform.release(), "cpus": os.cpu_count(),
           "params": {"run_s": RUN_TIME, "rounds": ROUNDS, "warm_s": AB_WARM,
                      "verify_s": VERIFY_TIME,
                      "tolerance_pct": AB_TOLERANCE, "frame_bytes": 64,
                      "clock": AB_CLOCK,
                      "flows": 1024, "pktgen": PKTGEN},
           "builds": {b: ab_build_info(b) for b in AB_BUILDS},
           "configs": {}, "halves": [], "notes": notes}

    def save():
        for c in cfgs:
            res["configs"][c["name"]].update(
                {k: v for k, v in c.items() if not k.startswith("_")})
        with open(os.path.join(d, "bench-ab.json"), "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)

    for c in cfgs:
        res["configs"][c["name"]] = {
            "status": c["status"], "note": c.get("note", ""),
            "samples": {b: [] for b in AB_BUILDS},
            "warmup": {b: [] for b in AB_BUILDS}}
    pg_setup(res, cfgs)
    verify_all(res, cfgs)       # with head's module, as bench-ab.sh left it
    save()
    t0 = time.monotonic()
    loaded = True
    for rnd in range(1, ROUNDS + 1):
        for b in (AB_BUILDS if rnd % 2 else AB_BUILDS[::-1]):
            loaded = ab_half(d, res, cfgs, rnd, b)
            if not loaded:
                break
            log("round %d of %d, %s done: %.0f s" % (
                rnd, ROUNDS, b, time.monotonic() - t0))
        save()
        if not loaded:
            break
    res["seconds"] = round(time.monotonic() - t0)
    ab_stats(res, cfgs)
    save()
    text = ab_report(res, cfgs)
    with open(os.path.join(d, "bench-ab.txt"), "w") as f:
        f.write(text)
    for c in cfgs:
        if c["status"] == "ok" and "mode" in c and \
                res["configs"][c["name"]].get("stats"):
            tap(True, "%s: the packets reached the servers in every run of"
                " both builds" % c["name"])
    tap(True, "results written")
    sys.stdout.write("\n" + text)
    return 1 if tap_failed else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--ab"]:
        sys.exit(main_ab(sys.argv[2]))
    sys.exit(main())
