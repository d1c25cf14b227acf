#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IPv6 through svcgw: TCP and UDP services on an IPv6 address with IPv6
# servers, each mode, alongside IPv4 services on the same gateway; what the
# client sees, counters, sessions and the CLI's output; mixed families
# refused.  Topology: topo.sh (its IPv6 half).

set -u

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/topo.sh"

topo_init

# servers_seen FILE N MIN: the client's exchanges reached N servers, each
# at least MIN times.
servers_seen()
{
	python3 - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
n = d["servers"]
print("# servers:", json.dumps(n, sort_keys=True), "peers:", d["peers"])
sys.exit(0 if len(n) >= int(sys.argv[2]) and
         min(n.values()) >= int(sys.argv[3]) else 1)
PY
}

svcgw_load || { ktap_fail "module loads"; ktap_finish; }
ktap_ok "module loads"
topo_setup || { ktap_fail "topology"; ktap_finish; }
topo_servers || { ktap_fail "servers start"; ktap_finish; }
busywait 5000 ip netns exec "$client" ping -6 -c1 -W1 2001:db8:2::11 > /dev/null ||
	ktap_fail "IPv6 routing through the gateway"

ok=true
gwcli service add "[$VIP6]:80" proto tcp mode stateful || ok=false
gwcli service add "[$VIP6]:81" proto tcp mode stateless || ok=false
gwcli service add "[$VIP6]:53" proto udp mode stateless || ok=false
gwcli service add "[$VIP6]:54" proto udp || ok=false
gwcli service add "$VIP:80" proto tcp mode stateful || ok=false
for i in 0 1 2; do
	gwcli server add "[$VIP6]:80" proto tcp server "${SERVERS6[i]}" || ok=false
	gwcli server add "[$VIP6]:81" proto tcp server "[${SERVERS6[i]}]:8080" || ok=false
	gwcli server add "[$VIP6]:53" proto udp server "${SERVERS6[i]}" || ok=false
	gwcli server add "[$VIP6]:54" proto udp server "[${SERVERS6[i]}]:5353" || ok=false
	gwcli server add "$VIP:80" proto tcp server "${SERVERS[i]}" || ok=false
done
check "IPv6 services and servers added with the CLI" $ok

client_run tcp "$VIP6" 80 --conns 30 --bytes 65536 > "$tmp/t80.json"
check "30 TCP connections to [$VIP6]:80 (stateful) echoed exactly, peer always the service" \
	test $? -eq 0
check "  spread over the three servers" servers_seen "$tmp/t80.json" 3 1
client_run tcp "$VIP6" 81 --conns 30 --bytes 65536 --parallel > "$tmp/t81.json"
check "30 parallel TCP connections to [$VIP6]:81 (stateless, servers on 8080) exact" \
	test $? -eq 0
check "  spread over the three servers" servers_seen "$tmp/t81.json" 3 1
client_run udp "$VIP6" 53 --count 60 > "$tmp/u53.json"
check "60 UDP flows to [$VIP6]:53 (stateless) answered from the service address" \
	test $? -eq 0
check "  spread over the three servers" servers_seen "$tmp/u53.json" 3 1
client_run udp "$VIP6" 54 --count 60 > "$tmp/u54.json"
check "60 UDP flows to [$VIP6]:54 (hybrid) answered from the service address" \
	test $? -eq 0
client_run tcp "$VIP" 80 --conns 10 > "$tmp/t4.json"
check "IPv4 service on the same gateway still exact" test $? -eq 0

# Same flow, same server: the UDP flows again from the same ports.
client_run udp "$VIP6" 53 --count 40 --sport-base 20000 > "$tmp/a.json"
client_run udp "$VIP6" 53 --count 40 --sport-base 20000 > "$tmp/b.json"
check "the same 40 IPv6 flows reach the same servers again" \
	python3 -c '
import json, sys
a, b = (json.load(open(f))["flows"] for f in sys.argv[1:3])
sys.exit(0 if len(a) == 40 and a == b else 1)' "$tmp/a.json" "$tmp/b.json"

gwcli -j service show > "$tmp/svc.json"
check "service show -j: IPv6 addresses, counters match what the clients did" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
m = {(s["address"], s["port"], s["proto"]): s for s in d}
s80 = m[("2001:db8:10::10", 80, "tcp")]
assert s80["sessions"] == 30, s80
assert {v["address"] for v in s80["servers"]} == \
    {"2001:db8:2::11", "2001:db8:2::12", "2001:db8:2::13"}, s80
u53 = m[("2001:db8:10::10", 53, "udp")]
assert u53["packets"] == 140 and u53["sessions"] == 0, u53
assert sum(v["packets"] for v in u53["servers"]) == 140, u53
assert m[("192.0.2.10", 80, "tcp")]["sessions"] == 10
' "$tmp/svc.json"

gwcli service show "[$VIP6]:81" proto tcp > "$tmp/svc.txt"
check "service show text prints [$VIP6]:81 and [server]:8080" \
	grep -q "\[2001:db8:10::10\]:81" "$tmp/svc.txt"
grep -q "\[2001:db8:2::11\]:8080" "$tmp/svc.txt" || ktap_fail "text lists [server]:8080"

# A session while a flow is open: the hold client keeps connections up.
# five_live: the session table shows the held connections established.
five_live()
{
	gwcli -j session show "[$VIP6]:80" proto tcp > "$tmp/sess.json" &&
		[ "$(json_get 'len([s for s in d if s.get("state") == "established"])' \
			< "$tmp/sess.json")" -ge 5 ]
}
client_run hold "$VIP6" 80 --conns 5 --seconds 8 > "$tmp/hold.json" &
hold=$!
busywait 20000 five_live
wait $hold
check "5 held IPv6 connections unbroken" test $? -eq 0
check "session show -j: IPv6 client, service and server addresses" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
live = [s for s in d if s.get("state") == "established"]
assert len(live) >= 5, d
for s in live:
    assert s["client"] == "2001:db8:1::2", s
    assert s["service"] == "2001:db8:10::10" and s["service_port"] == 80, s
    assert s["server"] in ("2001:db8:2::11", "2001:db8:2::12",
                           "2001:db8:2::13") and s["server_port"] == 80, s
' "$tmp/sess.json"

# Mixed families: refused with the kernel's message, nothing changes.
out=$(gwcli server add "[$VIP6]:80" proto tcp server 198.51.100.11 2>&1)
rc=$?
check "an IPv4 server for an IPv6 service is refused (exit 1, one line)" \
	test $rc -eq 1 -a "$(echo "$out" | wc -l)" -eq 1
echo "# $out"
echo "$out" | grep -q "family" || ktap_fail "the message names the family"
out=$(gwcli server add "$VIP:80" proto tcp server 2001:db8:2::11 2>&1)
check "an IPv6 server for an IPv4 service is refused" test $? -eq 1
out=$(gwcli service add "[ff02::1]:80" proto tcp 2>&1)
check "a multicast IPv6 service address is refused" test $? -eq 1
echo "# $out"
out=$(gwcli service add "[::ffff:192.0.2.1]:80" proto tcp 2>&1)
check "an IPv4-mapped service address is refused" test $? -eq 1

ktap_finish
