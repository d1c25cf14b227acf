#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Netlink fuzzing: nlfuzz.py sends at least 100,000 generated and mutated
# messages of the svcgw family (150,000 with SVCGW_TEST_LONG=1) to the
# gateway namespace while real TCP and UDP clients, v4 and v6, run through
# it to services of every mode; privileged, and from a child at uid 65534
# (every admin command must be EPERM and change nothing); dumps are
# interrupted midway.  Then the configuration left must be consistent: the
# CLI's listing and JSON parse, counters are plausible and monotone, the
# namespace totals agree with the listing, every server endpoint is held
# exactly when a server not shared is listed there (no orphan), sessions belong to listed services; a
# flush and rmmod work, a fresh configuration balances real traffic, and
# the kernel log shows no WARN, BUG or oops.
#
# Seeded: the seed is printed; SVCGW_TEST_SEED=N replays a run (and
# SVCGW_TEST_NLFUZZ_COUNT=N changes the number of messages).
# Topology: topo.sh (client, gateway, servers s1 s2 s3).

set -u

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/topo.sh"

topo_init

NLFUZZ=$SVCGW_SRC/selftests/net/nlfuzz.py
SEED=${SVCGW_TEST_SEED:-$(( (RANDOM << 15) | RANDOM ))}
# The debug kernel (make check-debug, SVCGW_TEST_LONG=1, each file's time
# limit 3,600 s there) answers a few times slower: more messages, and more
# time before the deadline stops sending.
if [ "${SVCGW_TEST_LONG:-0}" = 1 ]; then
	COUNT=${SVCGW_TEST_NLFUZZ_COUNT:-150000}
	DEADLINE=${SVCGW_TEST_NLFUZZ_DEADLINE:-2400}
else
	COUNT=${SVCGW_TEST_NLFUZZ_COUNT:-100000}
	DEADLINE=${SVCGW_TEST_NLFUZZ_DEADLINE:-600}
fi
START=$(date +%s)
ktap_info "seed $SEED (replay: SVCGW_TEST_SEED=$SEED), $COUNT messages"

dmesg_lines=$(dmesg | wc -l)

svcgw_load || { ktap_fail "module loads"; ktap_finish; }
topo_setup
topo_servers || topo_servers_wait 120000 || { ktap_fail "servers start"; ktap_finish; }

# --- fuzz with traffic running ----------------------------------------------
ip netns exec "$client" python3 "$NLFUZZ" traffic --stop "$tmp/stop" \
	--out "$tmp/traffic.json" &
traffic_pid=$!
# Progress on stderr (the console); stops sending after $DEADLINE seconds
# (SVCGW_TEST_NLFUZZ_DEADLINE) if the guest is too slow, and then fails the
# count.
ip netns exec "$gw" python3 "$NLFUZZ" fuzz --seed "$SEED" --count "$COUNT" \
	--deadline "$DEADLINE" > "$tmp/fuzz.txt"
fuzz_rc=$?
touch "$tmp/stop"
wait $traffic_pid
while read -r status name; do
	if [ "$status" = ok ]; then ktap_ok "fuzz: $name"; else ktap_fail "fuzz: $name"; fi
done < <(grep -E '^(ok|fail) ' "$tmp/fuzz.txt")
grep -E '^#' "$tmp/fuzz.txt" | cut -c1-600 || true
check "fuzz: nlfuzz.py exits 0" test $fuzz_rc -eq 0
grep -v -E '^(ok|fail|#) ' "$tmp/fuzz.txt" | head -20 | sed 's/^/# /'
ktap_info "traffic during the fuzz: $(cat "$tmp/traffic.json" 2>/dev/null)"
check "traffic ran through the gateway during the fuzz" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if all(d.get(k + ".ok", 0) > 0 for k in ("tcp4", "udp4", "tcp6", "udp6")) else 1)
' "$tmp/traffic.json"

# --- the configuration left is consistent ----------------------------------
# nlfuzz.py ended with the base configuration set again; traffic through it
# makes sessions and counts.
client_run tcp $VIP 80 --conns 6 > /dev/null
client_run udp $VIP6 53 --count 6 > /dev/null
gwcli service show > "$tmp/show.txt"
check "service show works" test $? -eq 0
gwcli -j service show > "$tmp/svc1.json"
gwcli -j stats > "$tmp/stats1.json"
gwcli -j config show > "$tmp/config.json"
gwcli -j session show > "$tmp/sessions.json"
gwcli -j ha show > "$tmp/ha.json"
client_run tcp $VIP 80 --conns 3 > /dev/null
gwcli -j stats > "$tmp/stats2.json"
gwcli -j service show > "$tmp/svc2.json"
check "JSON of service show, stats, config show, session show, ha show parses" \
	python3 -c '
import json, sys
for f in sys.argv[1:]:
    json.load(open(f))' "$tmp/svc1.json" "$tmp/stats1.json" \
	"$tmp/config.json" "$tmp/sessions.json" "$tmp/ha.json"
# What the fuzz left of the HA policy holds together: nodes unique, each
# backup one of them, not the node itself.
check "ha show after the fuzz: no policy, or one whose nodes and backups hold ($(json_get '"none" if d is None else "generation %d, %d nodes" % (d["generation"], len(d["nodes"]))' < "$tmp/ha.json"))" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
if d is not None:
    ids = [n["id"] for n in d["nodes"]]
    assert len(ids) == len(set(ids)) == d["nnodes"] >= 1
    for n in d["nodes"]:
        b = [x["id"] for x in n["backups"]]
        assert b and len(b) == len(set(b)) and n["id"] not in b
        assert set(b) <= set(ids)' "$tmp/ha.json"
check "plain listing names every service of the JSON one" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
n = sum(1 for l in open(sys.argv[2]) if l.startswith("service "))
sys.exit(0 if n == len(d) else 1)' "$tmp/svc1.json" "$tmp/show.txt"
check "counters plausible: services count, totals, sessions_cur <= session-max, monotone" \
	python3 -c '
import json, sys
svc1, st1, cfg, sess, st2, svc2 = (json.load(open(f)) for f in sys.argv[1:7])
def fail(*m):
    print("#", *m); sys.exit(1)
if st1["services"] != len(svc1):
    fail("services", st1["services"], "listed", len(svc1))
if st1["sessions_cur"] > cfg["session_max"]:
    fail("sessions_cur", st1["sessions_cur"], "cap", cfg["session_max"])
for k in ("packets", "bytes", "sessions"):
    s1 = sum(s[k] for s in svc1)
    s2 = sum(s[k] for s in svc2)
    # stats1 was read between the two listings.
    if not s1 <= st1[k] <= s2:
        fail(k, "listing", s1, "stats", st1[k], "listing later", s2)
    if st2[k] < st1[k]:
        fail(k, "went back", st1[k], st2[k])
    for s in svc1:
        if sum(v[k] for v in s["servers"]) > s[k]:
            fail(k, "servers count more than their service", s)
for k in st1:
    if isinstance(st1[k], int) and k not in ("sessions_cur", "pressure", "session_mem") and st2[k] < st1[k]:
        fail(k, "went back", st1[k], st2[k])
keys = {(s["address"], s["port"], s["proto"]) for s in svc1}
if len(keys) != len(svc1):
    fail("a service listed twice")
eps = [(s["address"], s["port"], s["proto"], v["address"], v["port"])
       for s in svc1 for v in s["servers"]]
if len(eps) != len(set(eps)):
    fail("a server endpoint listed twice in a service")
held = [(v["address"], v["port"], s["proto"]) for s in svc1
        for v in s["servers"] if not v["shared"]]
if len(held) != len(set(held)):
    fail("an endpoint held by two servers (not shared)")
for x in sess:
    if (x["service"], x["service_port"], x["proto"]) not in keys:
        fail("session of no listed service", x)
' "$tmp/svc1.json" "$tmp/stats1.json" "$tmp/config.json" \
	"$tmp/sessions.json" "$tmp/stats2.json" "$tmp/svc2.json"
ip netns exec "$gw" python3 "$NLFUZZ" endpoints "$tmp/svc2.json" > "$tmp/ep.txt" 2>&1
grep -E '^#' "$tmp/ep.txt" || true
check "no orphan server: every endpoint held exactly when listed" \
	grep -q '^ok ' "$tmp/ep.txt"

# --- flush, unload, a fresh configuration -----------------------------------
check "flush" gwcli flush
check "after flush: no service, no session" python3 -c '
import json, subprocess, sys
g = sys.argv[1:]
st = json.loads(subprocess.check_output(g + ["-j", "stats"]))
sv = json.loads(subprocess.check_output(g + ["-j", "service", "show"]))
sys.exit(0 if st["services"] == 0 and st["sessions_cur"] == 0 and sv == [] else 1)
' ip netns exec "$gw" "$SVCGW_BIN"
check "module unloads" svcgw_unload
check "module loads again" svcgw_load
gwcli service add $VIP:80 proto tcp mode stateful
gwcli service add "[$VIP6]:80" proto tcp mode stateless
# transition 0: else a hybrid service whose servers come one by one sends
# every UDP flow to the first until the transition ends (README).
gwcli service add $VIP:53 proto udp mode hybrid transition 0
for i in 0 1 2; do
	gwcli server add $VIP:80 proto tcp server "${SERVERS[i]}"
	gwcli server add "[$VIP6]:80" proto tcp server "${SERVERS6[i]}"
	gwcli server add $VIP:53 proto udp server "${SERVERS[i]}"
done
spread()
{
	python3 -c '
import json, sys
n = json.load(open(sys.argv[1]))["servers"]
print("# servers:", json.dumps(n, sort_keys=True))
sys.exit(0 if sorted(n) == ["s1", "s2", "s3"] else 1)' "$1"
}
client_run tcp $VIP 80 --conns 30 > "$tmp/t4.json"
check "fresh configuration: tcp v4 stateful, 30 connections exact" test $? -eq 0
check "fresh configuration: tcp v4 spread over the three servers" spread "$tmp/t4.json"
client_run tcp $VIP6 80 --conns 30 > "$tmp/t6.json"
check "fresh configuration: tcp v6 stateless, 30 connections exact" test $? -eq 0
check "fresh configuration: tcp v6 spread over the three servers" spread "$tmp/t6.json"
client_run udp $VIP 53 --count 60 > "$tmp/u4.json"
check "fresh configuration: udp v4 hybrid, 60 requests exact" test $? -eq 0
check "fresh configuration: udp v4 spread over the three servers" spread "$tmp/u4.json"

# --- kernel log --------------------------------------------------------------
dmesg | tail -n +$((dmesg_lines + 1)) > "$tmp/dmesg.txt"
check "kernel log: no WARN, BUG, oops or leak during the test" \
	"$SVCGW_SRC/selftests/vm/check-kernel-log.sh" "$tmp/dmesg.txt"

ktap_info "run time $(( $(date +%s) - START )) s (seed $SEED, $COUNT messages)"
ktap_finish
