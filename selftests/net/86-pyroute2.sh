#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/python/svcgw_nl.py (Documentation/python.rst), the Python module on
# pyroute2, against the module: services and servers it adds read back as
# "svcgw -j service show" shows them; real traffic, then its counters and
# sessions as the CLI shows them and as the client saw them; server state,
# weight and removal; refusals raised with the kernel's extended ack
# message; a replacing batch (and a refused one that changes nothing);
# service del, session flush and flush.  Each step is a Python script run
# in the gateway namespace that prints "ok NAME" / "fail NAME" per check.
# Topology: topo.sh.

set -u

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/topo.sh"

# Debian's python3-pyroute2 and python3-yaml are for this interpreter.
PY=/usr/bin/python3
if ! "$PY" -c 'import pyroute2.netlink.generic, yaml' 2> /dev/null; then
	echo "# SKIP: $PY cannot import pyroute2 and yaml (python3-pyroute2, python3-yaml)"
	exit "$ksft_skip"
fi

topo_init

svcgw_load || { ktap_fail "module loads"; ktap_finish; }
ktap_ok "module loads"
topo_setup || { ktap_fail "topology"; ktap_finish; }
topo_servers || topo_servers_wait 120000 || { ktap_fail "servers start"; ktap_finish; }

cat > "$tmp/drive.py" <<'PY'
"""The steps of 86-pyroute2.sh, in the gateway namespace: "ok NAME" or
"fail NAME" per check, "# " details; exit status 0 unless it broke."""
import errno
import json
import os
import subprocess
import sys
import time
import traceback

import svcgw_nl

VIP = "192.0.2.10"
VIP6 = "2001:db8:10::10"
CLIENT = "203.0.113.2"
SERVERS = ["198.51.100.11", "198.51.100.12", "198.51.100.13"]
NAME = {"s%d" % (i + 1): a for i, a in enumerate(SERVERS)}


def cli(*args):
    """svcgw -j ARGS..., the CLI next to this test, parsed."""
    out = subprocess.run([os.environ["SVCGW_BIN"], "-j"] + list(args),
                         stdout=subprocess.PIPE, check=True,
                         universal_newlines=True).stdout
    return json.loads(out)


def check(name, ok, *details):
    print("%s %s" % ("ok" if ok else "fail", name))
    if not ok:
        for d in details:
            print("# " + (d if isinstance(d, str) else
                          json.dumps(d, sort_keys=True))[:2000])
    sys.stdout.flush()
    return ok


def services_norm(lst):
    """Services without what counts down (transition_left_ms,
    deadline_ms), in a fixed order."""
    out = []
    for s in lst:
        s = {k: v for k, v in s.items() if k != "transition_left_ms"}
        s["servers"] = [{k: v for k, v in x.items() if k != "deadline_ms"}
                        for x in s["servers"]]
        out.append(s)
    return sorted(out, key=lambda s: (s["proto"], s["port"], s["address"]))


def sessions_norm(lst):
    return sorted(({k: v for k, v in s.items() if k != "expires_ms"}
                   for s in lst),
                  key=lambda s: (s["proto"], s["client"], s["client_port"],
                                 s["service"], s["service_port"]))


def agree(mine, theirs, norm=lambda x: x, tries=10):
    """The module's reading equals the CLI's just before or after it (the
    garbage collector may change things meanwhile): (ok, mine, cli)."""
    for _ in range(tries):
        c1 = norm(theirs())
        m = norm(mine())
        c2 = norm(theirs())
        if m == c1 or m == c2:
            return True, m, c2
        time.sleep(0.3)
    return False, m, c2


def by_key(svcs):
    return {(s["address"], s["port"], s["proto"]): s for s in svcs}


def refused(name, want_errno, want_msg, fn):
    """fn() must raise SvcgwError with that errno and extended ack
    message (any message if want_msg is True)."""
    try:
        fn()
    except svcgw_nl.SvcgwError as e:
        print("# refused: %s" % e)
        return check(name, e.errno == want_errno and
                     (e.message if want_msg is True else
                      e.message == want_msg),
                     "errno %s message %r" % (e.errno, e.message))
    return check(name, False, "accepted")


def step_add(gw):
    gw.config_set(timeout_udp=600)
    ok, m, c = agree(gw.config, lambda: cli("config", "show"))
    check("config_set(timeout_udp=600); config() is what svcgw config "
          "show says", ok and m["timeout_udp"] == 600, m, c)

    gw.service_add(VIP, 80, "tcp", mode="stateful", transition=0)
    gw.service_add(VIP, 53, "udp", mode="stateful", transition=0,
                   table=251)
    for s in SERVERS:
        gw.server_add(VIP, 80, "tcp", s)
        gw.server_add(VIP, 53, "udp", s, weight=2)
    mine = by_key(gw.services())
    tcp, udp = mine.get((VIP, 80, "tcp")), mine.get((VIP, 53, "udp"))
    check("service_add, server_add: services() has tcp:80 and udp:53 "
          "with their settings and 3 servers each",
          len(mine) == 2 and tcp and udp and
          tcp["mode"] == "stateful" and udp["mode"] == "stateful" and
          tcp["table"] == 1021 and udp["table"] == 251 and
          tcp["transition"] == 0 and
          [(v["address"], v["port"], v["weight"]) for v in tcp["servers"]]
          == [(s, 80, 1) for s in SERVERS] and
          [(v["address"], v["port"], v["weight"]) for v in udp["servers"]]
          == [(s, 53, 2) for s in SERVERS], mine)
    ok, m, c = agree(gw.services, lambda: cli("service", "show"),
                     services_norm)
    check("services() equals svcgw -j service show", ok, m, c)
    one = gw.services(VIP, 53, "udp")
    check("services(addr, port, proto) gives that service only",
          len(one) == 1 and one[0]["port"] == 53 and
          one[0]["proto"] == "udp", one)


def step_check(gw, tcp_file, udp_file):
    tcp = json.load(open(tcp_file))
    udp = json.load(open(udp_file))

    # --- counters and sessions after the traffic ---
    ok, m, c = agree(gw.stats, lambda: cli("stats"))
    check("stats() equals svcgw -j stats", ok, m, c)
    st = gw.stats()
    check("stats(): 2 services, 24 sessions made (12 tcp, 12 udp), no "
          "drops", st["services"] == 2 and st["sessions"] == 24 and
          st["drop_no_server"] == 0 and st["drop_malformed"] == 0, st)
    ok, m, c = agree(gw.services, lambda: cli("service", "show"),
                     services_norm)
    check("services() equals svcgw -j service show after the traffic",
          ok, m, c)
    svcs = by_key(gw.services())
    t, u = svcs[(VIP, 80, "tcp")], svcs[(VIP, 53, "udp")]
    check("services(): tcp:80 made 12 sessions, udp:53 12 sessions of 12 "
          "packets", t["sessions"] == 12 and u["sessions"] == 12 and
          u["packets"] == 12 and u["bytes"] == 12 * (20 + 8 + 1000),
          t, u)
    want = {NAME[n]: k for n, k in tcp["servers"].items()}
    got = {v["address"]: v["sessions"] for v in t["servers"]
           if v["sessions"]}
    check("services(): each tcp server's sessions are the connections it "
          "answered", got == want, got, want)

    sess = gw.sessions(VIP, 53, "udp")
    flows = {int(p): NAME[n] for p, n in udp["flows"].items()}
    got = {s["client_port"]: s["server"] for s in sess}
    check("sessions(udp:53): the 12 flows the client made, each with the "
          "server that answered it",
          len(sess) == 12 and got == flows and
          all(s["client"] == CLIENT and s["service"] == VIP and
              s["service_port"] == 53 and s["server_port"] == 53 and
              s["proto"] == "udp" and s["state"] == "udp" and
              0 < s["expires_ms"] <= 600000 for s in sess), sess, flows)
    ok, m, c = agree(gw.sessions, lambda: cli("session", "show"),
                     sessions_norm)
    check("sessions() equals svcgw -j session show", ok, m, c)

    # --- server changes ---
    # Drain a udp server that has sessions: they live 600 s, so it stays
    # draining (one without sessions would go down at once).
    busy = max(set(flows.values()), key=list(flows.values()).count)
    gw.server_set(VIP, 53, "udp", busy, state="draining")
    gw.server_set(VIP, 80, "tcp", SERVERS[1], weight=5)
    c = by_key(cli("service", "show"))
    srv = {v["address"]: v for v in c[(VIP, 53, "udp")]["servers"]}
    check("server_set(state=draining): svcgw shows udp server %s draining"
          % busy, srv[busy].get("state") == "draining", srv)
    srv = {v["address"]: v for v in c[(VIP, 80, "tcp")]["servers"]}
    check("server_set(weight=5): svcgw shows it for tcp server %s"
          % SERVERS[1], srv[SERVERS[1]]["weight"] == 5, srv)
    gw.server_del(VIP, 80, "tcp", SERVERS[2])
    c = by_key(cli("service", "show"))
    check("server_del: svcgw shows tcp:80 without %s" % SERVERS[2],
          [v["address"] for v in c[(VIP, 80, "tcp")]["servers"]] ==
          SERVERS[:2], c[(VIP, 80, "tcp")])
    ok, m, c = agree(gw.services, lambda: cli("service", "show"),
                     services_norm)
    check("services() equals svcgw -j service show after the changes",
          ok, m, c)

    # --- refusals ---
    before = services_norm(cli("service", "show"))
    refused("service added twice: SvcgwError EEXIST, \"service exists\"",
            errno.EEXIST, "service exists",
            lambda: gw.service_add(VIP, 80, "tcp"))
    refused("table size 1000: SvcgwError EINVAL, \"table size must be a "
            "prime\"", errno.EINVAL, "table size must be a prime",
            lambda: gw.service_add(VIP, 81, "tcp", table=1000))
    refused("server_set of no server: SvcgwError ENOENT, \"no such server "
            "in this service\"", errno.ENOENT,
            "no such server in this service",
            lambda: gw.server_set(VIP, 80, "tcp", "198.51.100.99",
                                  weight=2))
    refused("batch of a new and an existing service: EEXIST, "
            "\"service exists\"", errno.EEXIST, "service exists",
            lambda: gw.batch([{"address": VIP, "port": 54,
                               "proto": "udp"},
                              {"address": VIP, "port": 80,
                               "proto": "tcp"}]))
    after = services_norm(cli("service", "show"))
    check("the refused requests changed nothing (the batch is all or "
          "nothing)", before == after, before, after)

    # --- a replacing batch ---
    new = [
        {"address": VIP, "port": 80, "proto": "tcp", "mode": "stateful",
         "transition": 0,
         "servers": [{"address": SERVERS[0], "weight": 1},
                     {"address": SERVERS[1], "weight": 3}]},
        {"address": VIP, "port": 5353, "proto": "udp", "mode": "stateless",
         "servers": [{"address": s, "port": 5353} for s in SERVERS]},
        {"address": VIP6, "port": 53, "proto": "udp", "table": 13,
         "down_policy": "expire",
         "servers": [{"address": "2001:db8:2::11"},
                     {"address": "2001:db8:2::12", "weight": 0}]},
    ]
    gw.batch(new, replace=True)
    c = by_key(cli("service", "show"))
    check("batch(replace=True): svcgw shows exactly its three services",
          sorted(c) == sorted([(VIP, 80, "tcp"), (VIP, 5353, "udp"),
                               (VIP6, 53, "udp")]), sorted(c))
    want = {(VIP, 80, "tcp"): [(SERVERS[0], 80, 1), (SERVERS[1], 80, 3)],
            (VIP, 5353, "udp"): [(s, 5353, 1) for s in SERVERS],
            (VIP6, 53, "udp"): [("2001:db8:2::11", 53, 1),
                                ("2001:db8:2::12", 53, 0)]}
    got = {k: [(v["address"], v["port"], v["weight"]) for v in s["servers"]]
           for k, s in c.items()}
    check("batch(replace=True): their servers, ports and weights", got == want,
          got, want)
    s6 = c.get((VIP6, 53, "udp")) or {}
    check("batch(replace=True): the IPv6 service's settings (hybrid, table "
          "13, down-policy expire)", s6.get("mode") == "hybrid" and
          s6.get("table") == 13 and s6.get("down_policy") == "expire", s6)
    ok, m, c = agree(gw.services, lambda: cli("service", "show"),
                     services_norm)
    check("services() equals svcgw -j service show after the batch", ok,
          m, c)


def step_teardown(gw, udp_file):
    udp = json.load(open(udp_file))
    s = by_key(gw.services()).get((VIP, 5353, "udp"), {})
    check("udp:5353, made by the batch, counted the 6 requests",
          udp["ok"] == 6 and s.get("packets") == 6, s)
    gw.service_del(VIP, 5353, "udp")
    check("service_del: svcgw no longer shows udp:5353",
          (VIP, 5353, "udp") not in by_key(cli("service", "show")))
    refused("service_del of it again: ENOENT, \"no such service\"",
            errno.ENOENT, "no such service",
            lambda: gw.service_del(VIP, 5353, "udp"))
    gw.session_flush()
    check("session_flush(): sessions() and svcgw session show are empty",
          gw.sessions() == [] and cli("session", "show") == [])
    gw.flush()
    check("flush(): services() and svcgw service show are empty",
          gw.services() == [] and cli("service", "show") == [])
    for _ in range(50):
        if gw.stats()["sessions_cur"] == 0:
            break
        time.sleep(0.1)
    ok, m, c = agree(gw.stats, lambda: cli("stats"))
    check("flush(): stats() says no service, no session, as svcgw -j stats",
          ok and m["services"] == 0 and m["sessions_cur"] == 0, m, c)


def main():
    step = sys.argv[1]
    try:
        with svcgw_nl.Svcgw() as gw:
            globals()["step_" + step](gw, *sys.argv[2:])
    except Exception as e:
        check("step %s ran to its end (%s: %s)" % (step, type(e).__name__,
                                                   e), False)
        for line in traceback.format_exc().splitlines():
            print("# " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
PY

# pystep STEP ARGS...: a step of drive.py in the gateway namespace, its
# "ok"/"fail" lines as TAP results.
pystep()
{
	local step=$1 out="$tmp/step-$1.txt" rc line

	ip netns exec "$gw" env PYTHONPATH="$SVCGW_SRC/tools/python" \
		SVCGW_BIN="$SVCGW_BIN" "$PY" "$tmp/drive.py" "$@" > "$out" 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		'ok '*)		ktap_ok "${line#ok }" ;;
		'fail '*)	ktap_fail "${line#fail }" ;;
		'# '*)		echo "$line" ;;
		esac
	done < "$out"
	[ $rc -eq 0 ] || ktap_fail "step $step exits $rc: $(grep -vE \
		'^(ok|fail|#) ' "$out" | tail -n 3 | tr '\n' ' ')"
}

# --- configuration through the module -------------------------------------
pystep add

# --- real traffic through what it made ------------------------------------
client_run tcp $VIP 80 --conns 12 --bytes 1000 > "$tmp/tcp.json"
check "tcp: 12 connections to $VIP:80 echoed exactly" \
	test "$(json_get 'd["ok"]' < "$tmp/tcp.json")" -eq 12
client_run udp $VIP 53 --count 12 --sport-base 31000 > "$tmp/udp.json"
check "udp: 12 requests to $VIP:53 answered exactly" \
	test "$(json_get 'd["ok"]' < "$tmp/udp.json")" -eq 12

# --- counters, sessions, changes, refusals, batch -------------------------
pystep check "$tmp/tcp.json" "$tmp/udp.json"

client_run udp $VIP 5353 --count 6 --sport-base 32000 > "$tmp/udp5353.json"
check "udp: 6 requests to $VIP:5353, made by the batch, answered" \
	test "$(json_get 'd["ok"]' < "$tmp/udp5353.json")" -eq 6

# --- service del, session flush, flush ------------------------------------
pystep teardown "$tmp/udp5353.json"

ktap_finish
