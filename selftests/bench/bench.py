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
           BENCH_TIME seconds per run

Prints TAP lines ("ok - ...", "not ok - ...") for the guest's runner and
the tables at the end.  Exit status 1 if a configuration failed or the
benchmark could not run, 0 otherwise: slow ratios are no failure.

Environment: BENCH_TIME (3), BENCH_ROUNDS (5), BENCH_VERIFY_TIME (1.5),
BENCH_SESSIONS (100000), SVCGW_BIN (the CLI)."""
import ctypes
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)

RUN_TIME = float(os.environ.get("BENCH_TIME", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
VERIFY_TIME = float(os.environ.get("BENCH_VERIFY_TIME", "1.5"))
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "100000"))
SVCGW_BIN = os.environ.get("SVCGW_BIN", "svcgw")

DEV = "in0"
DEV_MAC = "02:00:00:00:00:01"   # bench.sh gives in0 this address
# The measured traffic: 32 sources x 32 source ports = 1024 flows.  With
# the *_RND flags pktgen draws from [min, max): max is one past the last.
TRAFFIC = ["src_min 203.0.113.2", "src_max 203.0.113.34",
           "udp_src_min 10000", "udp_src_max 10032", "count 0"]
# Filling tables: random sources from 10.0.0.0/14 and random ports, so
# that nearly every packet is a new flow.
FILL = ["src_min 10.0.0.1", "src_max 10.3.255.254",
        "udp_src_min 1024", "udp_src_max 65535"]
PKTGEN = ["clone_skb 0", "pkt_size 60", "delay 0", "burst 1",
          "xmit_mode netif_receive", "dst 192.0.2.10", "dst_mac " + DEV_MAC,
          "udp_dst_min 80", "udp_dst_max 80", "flag IPSRC_RND",
          "flag UDPSRC_RND", "flag UDPCSUM"] + TRAFFIC

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


def pg_run(ns, seconds=None):
    """Run pktgen in @ns for @seconds (None: until its count is done, at
    most 120 s); return (elapsed us, packets sent, errors)."""
    def start():
        with netns(ns):
            pg_write("pgctrl", "start")

    with netns(ns):
        t = threading.Thread(target=start)
        t.start()
        t.join(seconds if seconds is not None else 120)
        if t.is_alive():
            pg_write("pgctrl", "stop")
            t.join()
        return pg_result()


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


def measure(cfg, seconds):
    before = cfg.get("_last") or sink_counters(cfg)
    elapsed, sent, errors = pg_run(cfg["gw"], seconds)
    time.sleep(0.05)            # the last packets leave the backlog
    after = sink_counters(cfg)
    cfg["_last"] = after
    dst = {k: after[k] - before.get(k, 0) for k in after}
    servers = sum(v for k, v in dst.items() if k.startswith("s"))
    delivered = {"plain": dst["vip"], "balanced": servers,
                 "sent": sent}[cfg["expect"]]
    return {"elapsed_us": elapsed, "sent": sent, "errors": errors,
            "delivered": delivered, "dst": dst,
            "pps": round(delivered * 1e6 / elapsed, 1) if elapsed else 0}


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
    return None


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
    if kind == "svcgw":
        return json.loads(run([SVCGW_BIN, "-j", "stats"],
                              cfg["gw"]))["sessions_cur"]
    with netns(cfg["gw"]):
        if kind == "ipvs":
            return len(open("/proc/net/ip_vs_conn").readlines()) - 1
        if kind == "conntrack":
            try:
                return int(open("/proc/sys/net/netfilter/"
                                "nf_conntrack_count").read())
            except OSError:
                return 0
    raise ValueError(kind)


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
    cfg["_last"] = None
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
        r["bytes_per_entry"] = {
            "slab": round(d["Slab"] / made),
            "kernel": round((d["SUnreclaim"] + d.get("VmallocUsed", 0) +
                             d.get("Percpu", 0)) / made),
            "memavailable": round(-d["MemAvailable"] / made)}
    return r


def do_fill(res, c):
    """fill() with its TAP line; True if it made 90% of the entries."""
    try:
        m = fill(c, c["fill_kind"], SESSIONS)
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        tap(False, "%s: filling the %s table: %s" % (c["name"],
                                                    c["fill_kind"], e))
        return False
    res["memory"].append(m)
    ok = m["entries"] >= 0.9 * SESSIONS
    tap(ok, "%s: %d %s entries made by %d packets" % (
        c["name"], m["entries"], c["fill_kind"], m["packets"]))
    return ok


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

    def median(name):
        r = res["configs"].get(name, {})
        return r.get("stats", {}).get("median") if r.get("status") == "ok" \
            else None

    def vs(c, name):
        """The median of @c against the median of config @name."""
        st, b = res["configs"][c["name"]].get("stats"), median(name)
        return ratio(st["median"], b) if st and b else "-"

    def row(c, label, extra=()):
        r = res["configs"][c["name"]]
        if r["status"] != "ok":
            return [label, r["status"].upper(), "", ""] + \
                [""] * len(extra) + [r["note"]]
        st = r["stats"]
        return [label, ratio(st["median"], ref),
                "%s-%s" % (ratio(st["min"], ref), ratio(st["max"], ref)),
                "%.0f" % st["median"]] + list(extra) + [c.get("note", "")]

    # Per-packet cost above the generator's, relative to plain forwarding:
    # time per packet is 1/pps, of which 1/gen is injection and receipt.
    gen = median("gen")
    main_rows = []
    for c in cfgs:
        if c["table"] != "main":
            continue
        st, cost = res["configs"][c["name"]].get("stats"), ""
        if gen and ref and st and c["name"] != "gen":
            cost = "%.2f" % ((1 / st["median"] - 1 / gen) /
                             (1 / ref - 1 / gen))
            res["configs"][c["name"]]["cost"] = float(cost)
        paired = "%.2f" % st["paired_ratio_median"] \
            if st and "paired_ratio_median" in st else ""
        main_rows.append(row(c, c["label"], (paired, cost)))
    out += [""] + table(main_rows, ["configuration", "ratio", "spread", "pps",
                                    "paired", "cost", "note"])
    st = res["configs"].get("ref", {}).get("stats")
    if st and (st["max"] - st["min"]) / st["median"] > 0.2:
        out.append("Noisy run: the reference's own runs spread over %s-%s;"
                   " re-run on an idler machine" % (
                       ratio(st["min"], ref), ratio(st["max"], ref)))
        out.append("before reading differences of that size.")
    scale = [c for c in cfgs if c["table"] == "scale"]
    if scale:
        out += ["", "Scaling: svcgw stateless, 8 servers per service, traffic"
                " to one of them"]
        out += table([row(c, c["label"], [vs(c, "svc1")]) for c in scale],
                     ["services", "ratio", "spread", "pps", "vs 1", "note"])
    sess = [c for c in cfgs if c["table"] == "sessions"]
    if sess and "stateful" in by:
        out += ["", "Sessions: svcgw stateful, the same 1024 flows, with more"
                " sessions live"]
        base = res["configs"]["stateful"].get("sessions_live", "?")
        rows = [row(by["stateful"], "%s (the measured flows)" % base,
                    [vs(by["stateful"], "stateful")])]
        rows += [row(c, "%s" % res["configs"][c["name"]].get(
            "sessions_live", c["label"]), [vs(c, "stateful")]) for c in sess]
        out += table(rows, ["live sessions", "ratio", "spread", "pps",
                            "vs base", "note"])
    if control.get("cli") or control["bulk"] or control.get("control_plane"):
        out += ["", "Control plane"]
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
    if res["memory"]:
        out += ["", "Memory per entry: N entries made by new flows, "
                "/proc/meminfo before and after"]
        rows = []
        names = {"svcgw": "svcgw session", "ipvs": "IPVS connection",
                 "conntrack": "nf_conntrack entry (DNAT)"}
        for m in res["memory"]:
            b = m.get("bytes_per_entry")
            slabs = ", ".join("%s %d B" % ("=".join(v["aliases"]) or k,
                                           v["objsize"])
                              for k, v in sorted(m["slab_growth"].items()))
            rows.append([names.get(m["kind"], m["kind"]), m["entries"],
                         b["slab"] if b else "-", b["kernel"] if b else "-",
                         b["memavailable"] if b else "-",
                         (slabs or "-") + ("; %d conntrack entries too" %
                                           m["conntrack_entries"]
                                           if m["kind"] != "conntrack" and
                                           m["conntrack_entries"] > 0
                                           else "")])
        out += table(rows, ["entry", "N", "slab B", "kernel B", "avail B",
                            "caches that grew (object size)"])
        out.append("  slab = Slab delta / N; kernel = (SUnreclaim + "
                   "VmallocUsed + Percpu) delta / N;")
        out.append("  avail = MemAvailable drop / N. a=b: caches SLUB merged,"
                   " one slab for both.")
    if res["notes"]:
        out += ["", "Notes"] + ["  - " + n for n in res["notes"]]
    return "\n".join(out) + "\n"


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
        elif "note" in o:
            control["notes"].append(o["note"])
    res = {"date": time.strftime("%Y-%m-%d %H:%M:%S"),
           "kernel": platform.release(), "cpus": os.cpu_count(),
           "params": {"run_s": RUN_TIME, "rounds": ROUNDS,
                      "verify_s": VERIFY_TIME, "sessions": SESSIONS,
                      "frame_bytes": 64, "flows": 1024, "pktgen": PKTGEN},
           "configs": {}, "memory": [], "control": control,
           "notes": control["notes"]}

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
    # pktgen: one device, on the first thread, in every gateway namespace.
    for c in cfgs:
        if c["status"] != "ok":
            continue
        try:
            with netns(c["gw"]):
                pg_write("kpktgend_0", "rem_device_all", "add_device " + DEV)
                pg_write(DEV, *PKTGEN, *c.get("pktgen", []))
        except OSError as e:
            c["status"], c["note"] = "fail", "pktgen setup: %s" % e
            res["configs"][c["name"]].update(status="fail", note=c["note"])

    for c in cfgs:
        r = res["configs"][c["name"]]
        if c["status"] == "skip":
            tap(True, "%s # SKIP %s" % (c["name"], c["note"]))
            continue
        if c["status"] != "ok":
            tap(False, "%s: %s" % (c["name"], c["note"]))
            continue
        try:
            s = measure(c, VERIFY_TIME)
            why = verify(c, s)
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
        if c.get("fill") == "before" and not do_fill(res, c):
            c["status"] = r["status"] = "fail"
            c["note"] = r["note"] = "could not make %d sessions" % SESSIONS
    save()

    live = [c for c in cfgs if c["status"] == "ok"]
    t0 = time.monotonic()
    # Round 0 warms up (the guest settles after the set-up), not counted.
    for rnd in range(ROUNDS + 1):
        k = rnd % len(live) if live else 0
        for pos, c in enumerate(live[k:] + live[:k]):
            if c["status"] != "ok":
                continue
            try:
                s = measure(c, RUN_TIME)
            except (OSError, RuntimeError,
                    subprocess.CalledProcessError) as e:
                c["status"], c["note"] = "fail", "round %d: %s" % (rnd, e)
                res["configs"][c["name"]].update(status="fail",
                                                 note=c["note"])
                tap(False, "%s: %s" % (c["name"], c["note"]))
                continue
            s.update({"round": rnd, "position": pos})
            res["configs"][c["name"]]["samples" if rnd else
                                      "warmup"].append(s)
        log("%s done, %.0f s" % ("round %d of %d" % (rnd, ROUNDS) if rnd
                                 else "warm-up round",
                                 time.monotonic() - t0))
    live = [c for c in live if c["status"] == "ok"]
    ref = {s["round"]: s["pps"] for s in
           res["configs"].get("ref", {}).get("samples", [])}
    for c in live:
        r = res["configs"][c["name"]]
        r["stats"] = stats(r["samples"])
        # Against the reference's run of the same round: drifts cancel.
        paired = [s["pps"] / ref[s["round"]] for s in r["samples"]
                  if ref.get(s["round"])]
        if paired:
            r["stats"]["paired_ratio_median"] = round(
                statistics.median(paired), 3)
        r["conntrack_entries"] = entries(c, "conntrack")
        if c["name"] in SVCGW_CONFIGS or c["table"] != "main":
            r["sessions_live"] = entries(c, "svcgw")
            if c["name"] == "hybrid":
                c["note"] = "%d sessions live" % r["sessions_live"]
        bad = [s for s in r["samples"] if s["delivered"] < 0.95 * s["sent"]]
        if bad:
            c["note"] = ((c.get("note", "") + "; ").lstrip("; ") +
                         "%d runs lost over 5%%" % len(bad))
    save()

    for c in live:
        if c.get("fill") == "after":
            do_fill(res, c)
    ct = ["%s %d" % (c["name"], res["configs"][c["name"]]
                     ["conntrack_entries"]) for c in live
          if res["configs"][c["name"]]["conntrack_entries"]]
    res["notes"].append("conntrack entries after the rounds: %s, none in the"
                        " other namespaces" % (", ".join(ct) or "none")
                        if ct else "no namespace made conntrack entries")
    res["notes"].append("TCP is not measured: pktgen makes UDP only")
    save()
    text = report(res, cfgs, control)
    with open(os.path.join(d, "bench.txt"), "w") as f:
        f.write(text)
    tap(True, "results written")
    sys.stdout.write("\n" + text)
    return 1 if tap_failed else 0


if __name__ == "__main__":
    sys.exit(main())
