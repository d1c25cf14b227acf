#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ha_hostcheck.py: host-only checks of bench.py's replication parts, no
guest, no module, no root: the HA_GET parser against a reply built from
the uapi header's enums (and its names against the CLI's JSON names),
ha_follow()/ha_wait_bulk()/ha_bulk_one()/ha_phase_end() against scripted
counters, and the report rendered from made-up results (printed: read
it).  Not the measurement: that needs "make bench"."""
import re
import struct
import sys
import time
import os

sys.dont_write_bytecode = True      # bench.py's __pycache__ stays as is
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import bench  # noqa: E402
import genl  # noqa: E402
from genl import attr, nest, u8, u32  # noqa: E402


def check_parse():
    E = genl.uapi_enums()
    def u64(t, v): return attr(t, struct.pack("Q", v))
    sync = nest(E["SVCGW_A_HA"] and E["SVCGW_HA_A_SYNC"],
                u64(E["SVCGW_HA_SYNC_A_QUEUED"], 1234),
                u64(E["SVCGW_HA_SYNC_A_QUEUE_DROPPED"], 5),
                u64(E["SVCGW_HA_SYNC_A_REPLICAS"], 777),
                u64(E["SVCGW_HA_SYNC_A_ADOPTED"], 3),
                u64(E["SVCGW_HA_SYNC_A_NOT_PEER"], 9))
    ha = nest(E["SVCGW_A_HA"], u64(E["SVCGW_HA_A_GEN"], 1), u32(E["SVCGW_HA_A_LOCAL"], 1),
              attr(E["SVCGW_HA_A_PORT"], struct.pack("H", 7441)), sync)
    peer = nest(E["SVCGW_HA_NODE_A_PEER"], u8(E["SVCGW_HA_PEER_A_TX_STATE"], E["SVCGW_HA_TX_UP"]),
                u8(E["SVCGW_HA_PEER_A_SYNCED"], 1), u32(E["SVCGW_HA_PEER_A_UNACKED"], 4),
                u64(E["SVCGW_HA_PEER_A_TX_RECORDS"], 1000), u64(E["SVCGW_HA_PEER_A_TX_BULK_RECORDS"], 42),
                u64(E["SVCGW_HA_PEER_A_RX_EPOCHS"], 2), u64(E["SVCGW_HA_PEER_A_RX_RECORDS"], 999))
    n1 = nest(E["SVCGW_A_HA_NODE"], u32(E["SVCGW_HA_NODE_A_ID"], 1), attr(E["SVCGW_HA_NODE_A_NAME"], b"gw\0"))
    n2 = nest(E["SVCGW_A_HA_NODE"], u32(E["SVCGW_HA_NODE_A_ID"], 2), attr(E["SVCGW_HA_NODE_A_NAME"], b"bk\0"), peer)
    body = struct.pack("BBH", E["SVCGW_CMD_HA_GET"], 1, 0) + ha + n1 + n2
    msg = struct.pack("IHHII", 16 + len(body), 30, 0, 1, 0) + body
    d = bench.ha_parse(msg, E)
    print(d)
    assert d["sync"] == {"queued": 1234, "queue_dropped": 5, "replicas": 777, "adopted": 3, "not_peer": 9}, d["sync"]
    assert d["peers"] == {2: {"tx_state": "up", "synced": True, "unacked": 4, "tx_records": 1000,
                              "tx_bulk_records": 42, "rx_epochs": 2, "rx_records": 999}}, d["peers"]
    assert d["local"] == 1 and d["generation"] == 1
    # the CLI's JSON path gives the same shape
    j = {"generation": 1, "local": 1, "sync": {"queued": 1234}, "nodes": [{"id": 1}, {"id": 2, "peer": {"tx_state": "up", "synced": True}}]}
    assert bench.ha_from_json(j)["peers"] == {2: {"tx_state": "up", "synced": True}}
    assert bench.ha_from_json(None) is None
    # every counter name the CLI prints in JSON is one the enums give
    names = set(bench.enum_names(E, "SVCGW_HA_PEER_A_").values()) | set(bench.enum_names(E, "SVCGW_HA_SYNC_A_").values())
    src = open(os.path.join(HERE, "..", "..", "tools", "svcgw", "ha.c")).read()
    cli = set(re.findall(r"(?:SYNC|PEER)_CTR\(\w+, (\w+),", src)) | {"tx_state", "synced", "unacked"}
    print("cli names not in enums:", cli - names, "enum names not in cli:", names - cli)
    assert cli - {"field"} <= names
    print("tx names", bench.enum_names(E, "SVCGW_HA_TX_"))
    print("parse: ok")


def check_logic():
    bench.HA_POLL = 0.01
    base = dict(queued=0, queue_dropped=0, tx_dgrams=0, tx_records=0, tx_retrans=0, tx_acked=0, tx_errors=0,
                tx_lost=0, tx_bulks=0, tx_bulk_records=0, unacked=0, back_rx_records=0, back_rx_conflict=0,
                tx_state="up", wire_tx_bytes=0, wire_tx_packets=0, wire_rx_bytes=0, wire_rx_packets=0,
                replicas=0, rx_queue_full=0, rx_dgrams=0, rx_records=0, rx_replayed=0, rx_other_epoch=0, rx_ahead=0,
                rx_no_service=0, rx_no_server=0, rx_conflict=0, rx_full=0, rx_bulks=1, rx_epochs=1, synced=True)
    seq = []
    def fake(cfg, gw=True, bk=True):
        d = dict(seq.pop(0) if len(seq) > 1 else seq[0]); d["t"] = time.monotonic(); return d
    bench.ha_counts = fake
    bench.ha_readers = lambda cfg: {"gw": type("R", (), {"how": "netlink"})(), "bk": type("R", (), {"how": "netlink"})()}
    c0 = dict(base, t=time.monotonic())
    # the backup catches up at the 4th read
    seq[:] = [dict(base, queued=1000, rx_records=100, unacked=3, tx_records=1000),
              dict(base, queued=1000, rx_records=500, unacked=2, tx_records=1000),
              dict(base, queued=1000, rx_records=990, unacked=1, tx_records=1000),
              dict(base, queued=1000, rx_records=1000, unacked=0, tx_records=1000, wire_tx_bytes=43000)]
    t_end = time.monotonic()
    h = bench.ha_follow({}, c0, t_end)
    print(h["lag_s"], h["polls"], h["after"]["rx_records"], h["during"]["rx_records"], bench.ha_kept_up(h))
    assert h["polls"] == 4 and h["lag_s"] is not None and h["after"]["rx_records"] == 1000 and h["during"]["rx_records"] == 100
    assert bench.ha_kept_up(h) is None
    assert bench.ha_verify({"ha": h}) is None
    # never catches up
    bench.HA_LAG_MAX = 0.1
    seq[:] = [dict(base, queued=1000, rx_records=900, tx_lost=1)]
    h = bench.ha_follow({}, c0, time.monotonic())
    print(h["lag_s"], h["polls"], bench.ha_kept_up(h))
    assert h["lag_s"] is None and "given up" in bench.ha_kept_up(h)
    # bulk wait
    seq[:] = [dict(base, rx_bulks=1, synced=False, rx_records=10), dict(base, rx_bulks=1, synced=True),
              dict(base, rx_bulks=2, synced=True, rx_records=5000, replicas=5000)]
    secs, cur, prog, polls = bench.ha_wait_bulk({}, dict(base, rx_bulks=1, t=time.monotonic()), time.monotonic(), 5)
    print(secs, polls, prog)
    assert secs is not None and polls == 3
    # ha_bulk_one with a fake run
    bench.run = lambda cmd, ns=None: ""
    seq[:] = [dict(base, rx_bulks=0, synced=False), dict(base, rx_bulks=0, synced=False),
              dict(base, rx_bulks=1, synced=True, tx_bulk_records=0),
              dict(base, rx_bulks=1, synced=True, tx_bulk_records=2000, replicas=2000, wire_tx_bytes=86000)]
    r = bench.ha_bulk_one({"name": "ha-bulk", "gw": "g"}, "fresh", ["svcgw", "ha", "set", "f"])
    print(r)
    assert r["counts"]["tx_bulk_records"] == 2000 and r["wire_bytes_per_record"] == 43.0
    print("logic: ok")


def check_report():
    import copy
    def cfg(name, table, label, **kw):
        d = {"name": name, "table": table, "label": label, "expect": "balanced", "servers": 3,
             "status": "ok", "note": "", "gw": "b-%s-gw" % name, "sink": "b-%s-sink" % name}
        d.update(kw); return d
    cfgs = [cfg("ref", "main", "plain", expect="plain"), cfg("stateful", "main", "svcgw stateful"),
            cfg("gen", "main", "pktgen alone", expect="sent"),
            cfg("nf-stateful", "new", "svcgw stateful", count_kind="svcgw", traffic="new", twin="stateful"),
            cfg("nf-ha", "ha", "svcgw stateful, replicated", count_kind="svcgw", traffic="new", twin="stateful",
                off="nf-stateful", backup="b-nf-ha-bk", sync_dev="sy0", ha_local=1, ha_peer=2),
            cfg("ha-bulk", "habulk", "bulk resync", fill_n=1000000, backup="b-ha-bulk-bk", sync_dev="sy0", ha_local=1, ha_peer=2)]
    def samples(pps, phase, ha=False):
        out = []
        for r in range(1, 5):
            s = {"pps": pps * (1 + 0.01 * r), "round": r, "elapsed_us": 3000000, "made": 90000, "phase": phase}
            if ha:
                after = {"queued": 90000, "queue_dropped": 0, "tx_lost": 0 if r != 3 else 1, "tx_retrans": 2,
                         "rx_records": 90000, "replicas": 90000, "tx_records": 90000, "wire_tx_bytes": 90000 * 43,
                         "wire_rx_bytes": 5000, "tx_dgrams": 2728, "tx_errors": 0, "rx_no_service": 0}
                s["ha"] = {"during": dict(after, tx_records=85000), "after": after,
                           "lag_s": 0.12 if r != 2 else None, "grew_s": 0.1, "polls": 3, "poll_s": 0.052,
                           "read": "netlink/netlink", "end_read_s": 0.01}
            out.append(s)
        return out
    res = {"kernel": "x", "cpus": 2, "date": "d", "memory": [], "notes": [], "configs": {}}
    for c in cfgs:
        res["configs"][c["name"]] = {"status": "ok", "note": "", "samples": [], "warmup": []}
    res["configs"]["ref"]["stats"] = {"median": 50000, "min": 45000, "max": 52000, "n": 4}
    res["configs"]["ref"]["phases"] = {"2": {"stats": {"median": 48000, "min": 45000, "max": 52000, "n": 4}}}
    for n, pps, ha in (("nf-stateful", 30000, False), ("nf-ha", 27000, True)):
        r = res["configs"][n]
        r["samples"] = samples(pps, 2, ha)
        r["stats"] = bench.stats(r["samples"]); r["stats"]["made_per_s_median"] = 30000; r["stats"]["made_per_packet"] = 1.0
        r["entries_live"] = 450000
    res["configs"]["nf-ha"]["verify"] = {"pps": 26000, "made": 40000, "elapsed_us": 1500000, "ha": {"error": "after the run: boom"}}
    res["configs"]["nf-ha"]["warmup"] = [dict(samples(27000, 2, True)[0], round=0)]
    counts = {k: 0 for k in ("queued", "queue_dropped", "tx_dgrams", "tx_records", "tx_retrans", "tx_acked", "tx_errors",
              "tx_lost", "tx_bulks", "tx_bulk_records", "unacked", "back_rx_records", "back_rx_conflict",
              "wire_tx_bytes", "wire_tx_packets", "wire_rx_bytes", "wire_rx_packets", "replicas", "rx_queue_full",
              "rx_dgrams", "rx_records", "rx_replayed", "rx_other_epoch", "rx_ahead", "rx_no_service", "rx_no_server",
              "rx_conflict", "rx_full", "rx_bulks", "rx_epochs")}
    res["ha"] = {"live": {"counts": dict(counts, tx_state="up", synced=True, replicas=450000, queued=450000), "sessions": 450000,
                          "runs": 5, "not_kept_up": [],
                          "cost": {"run": {"ha": {"after": {"tx_records": 80000}}}, "seconds": 3.2,
                                   "sync_work": {"runs": 300, "cpu_s": 0.41, "per_work": [{"runs": 200, "cpu_s": 0.3, "longest_s": 0.01}, {"runs": 100, "cpu_s": 0.11, "longest_s": 0.004}]}}},
                 "bulk": {"sessions_wanted": 1000000, "fill": {"entries": 1019000, "fill_pps": 33000},
                          "fresh": {"what": "HA policy set, fresh backup", "command_s": 0.05, "synced_s": 12.3,
                                    "counts": dict(counts, tx_bulk_records=1019000, replicas=1019000, back_rx_records=20000),
                                    "records_per_s": 82845, "wire_bytes_per_record": 43.1,
                                    "memavailable_drop": 130000000, "slab_growth": 90000000},
                          "again": {"what": "backup down, then up", "command_s": 0.04, "synced_s": None,
                                    "counts": dict(counts, tx_bulk_records=0), "memavailable_drop": 0, "slab_growth": 0},
                          "sessions": 1019000}}
    control = {"bulk": [], "notes": []}
    txt = bench.report(res, cfgs, control)
    print(txt)
    # a failed nf-ha and no bulk
    res2 = copy.deepcopy(res); res2["configs"]["nf-ha"].update(status="fail", note="the nodes did not sync"); 
    res2["configs"]["nf-ha"]["samples"] = []; res2["configs"]["nf-ha"]["warmup"] = []; del res2["configs"]["nf-ha"]["stats"]
    del res2["ha"]["bulk"]; res2["configs"]["ha-bulk"].update(status="skip", note="no HA in this svcgw")
    cf2 = copy.deepcopy(cfgs); cf2[4]["status"] = "fail"; cf2[4]["note"] = "the nodes did not sync"; cf2[5]["status"] = "skip"
    print(bench.report(res2, cf2, control))


def check_phase_end():
    base = {k: 0 for k in ("queued","queue_dropped","tx_dgrams","tx_records","tx_retrans","tx_acked","tx_errors","tx_lost",
            "tx_bulks","tx_bulk_records","unacked","back_rx_records","back_rx_conflict","wire_tx_bytes","wire_tx_packets",
            "wire_rx_bytes","wire_rx_packets","replicas","rx_queue_full","rx_dgrams","rx_records","rx_replayed",
            "rx_other_epoch","rx_ahead","rx_no_service","rx_no_server","rx_conflict","rx_full","rx_bulks","rx_epochs")}
    bench.ha_counts = lambda cfg, gw=True, bk=True: dict(base, t=time.monotonic(), tx_state="up", synced=True)
    bench.entries = lambda c, k: 123
    def wi(seconds, during=None):
        during(); return {"seconds": 3.1, "functions": {"sync_work": {"runs": 3, "cpu_s": 0.1, "per_work": []}}}
    bench.work_items = wi
    bench.measure = lambda c, t, full=True: {"pps": 1, "ha": {"after": dict(base, tx_records=10)}}
    R = type("R", (), {"how": "netlink"})
    c = {"name": "nf-ha", "_ha": {"gw": R(), "bk": R()}}
    res = {"configs": {"nf-ha": {"samples": [], "warmup": []}}}
    bench.ha_phase_end(res, c)
    print(res["ha"]["live"]["sessions"], res["ha"]["live"]["cost"]["sync_work"], res["ha"]["live"]["cost"]["run"]["pps"])
    print("phase end: ok")


if __name__ == "__main__":
    check_parse()
    check_report()      # before the others replace bench's functions
    check_logic()
    check_phase_end()
    print("all ok")
