#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real TCP and UDP traffic balanced by svcgw through a gateway namespace,
# in both modes, with and without nf_conntrack; counters, sessions, server
# changes while idle, and the CLI's text and JSON.  Topology: topo.sh.

set -u

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/topo.sh"

topo_init socat

# spread FILE MIN: every server got at least MIN of the exchanges.
spread()
{
	python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
n = d["servers"]
print("# servers:", json.dumps(n, sort_keys=True))
sys.exit(0 if sorted(n) == ["s1", "s2", "s3"] and
         min(n.values()) >= int(sys.argv[2]) else 1)
PY
}

svcgw_load || { ktap_fail "module loads"; ktap_finish; }
ktap_ok "module loads"
# (selftests/packages.sh runs this file with the module DKMS built and
# the packaged CLI: which ones ran is said here.)
ktap_info "module ${SVCGW_KO#$SVCGW_SRC/} (vermagic $(modinfo -F vermagic "$SVCGW_KO" | cut -d" " -f1)), CLI ${SVCGW_BIN#$SVCGW_SRC/}"
topo_setup || { ktap_fail "topology"; ktap_finish; }
topo_servers || { ktap_fail "servers start"; ktap_finish; }

# --- configuration through the CLI ---------------------------------------
ok=true
gwcli service add $VIP:80 proto tcp mode stateful || ok=false
gwcli service add $VIP:81 proto tcp mode stateless || ok=false
gwcli service add $VIP:53 proto udp mode stateless || ok=false
gwcli service add $VIP:54 proto udp mode stateful || ok=false
for s in "${SERVERS[@]}"; do
	gwcli server add $VIP:80 proto tcp server "$s" || ok=false
	gwcli server add $VIP:81 proto tcp server "$s:8080" || ok=false
	gwcli server add $VIP:53 proto udp server "$s" || ok=false
	gwcli server add $VIP:54 proto udp server "$s:5353" weight 2 || ok=false
done
check "services and servers added with the CLI" $ok

gwcli -j service show > "$tmp/svc.json"
check "service show -j lists 4 services with 3 servers each" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 4, d
for s in d:
    assert s["address"] == "192.0.2.10" and len(s["servers"]) == 3, s
    for k in ("port", "proto", "mode", "packets", "bytes", "sessions"):
        assert k in s, k
    for v in s["servers"]:
        assert {"address", "port", "weight"} <= set(v), v
m = {(s["port"], s["proto"]): s for s in d}
assert m[(80, "tcp")]["mode"] == "stateful"
assert m[(81, "tcp")]["mode"] == "stateless"
assert {v["port"] for v in m[(81, "tcp")]["servers"]} == {8080}
assert {v["weight"] for v in m[(54, "udp")]["servers"]} == {2}
' "$tmp/svc.json"

gwcli -j service show $VIP:81 proto tcp > "$tmp/one.json"
check "service show with a key lists that service only" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if len(d) == 1 and d[0]["port"] == 81 and d[0]["proto"] == "tcp"
         and len(d[0]["servers"]) == 3 else 1)' "$tmp/one.json"

gwcli service show > "$tmp/svc.txt"
check "service show text names every service" \
	test "$(grep -c '^service ' "$tmp/svc.txt")" -eq 4

# --- TCP, stateful and stateless -------------------------------------------
client_run tcp $VIP 80 --conns 30 --bytes 65536 > "$tmp/tcp80.json"
check "tcp stateful: 30 connections, 64 KiB each echoed byte for byte, peer always $VIP:80" \
	test $? -eq 0
check "tcp stateful: connections spread over all three servers" \
	spread "$tmp/tcp80.json" 3

client_run tcp $VIP 81 --conns 30 --bytes 65536 --parallel > "$tmp/tcp81.json"
check "tcp stateless: 30 parallel connections echoed exactly, peer always $VIP:81" \
	test $? -eq 0
check "tcp stateless: connections spread over all three servers" \
	spread "$tmp/tcp81.json" 3

# --- UDP -------------------------------------------------------------------
client_run udp $VIP 53 --count 90 --sport-base 20000 > "$tmp/udp53.json"
check "udp stateless: 90 requests answered exactly, replies from $VIP:53" \
	test $? -eq 0
check "udp stateless: requests spread over all three servers" \
	spread "$tmp/udp53.json" 10

# The 90 sessions below are counted until the session flush near the end:
# they must outlive the slowest run of this file (the default 60 s did not
# on the debug kernel of make check-debug).
gwcli config set timeout-udp 600
client_run udp $VIP 54 --count 90 --sport-base 21000 > "$tmp/udp54.json"
check "udp stateful: 90 requests answered exactly, replies from $VIP:54" \
	test $? -eq 0
check "udp stateful: requests spread over all three servers" \
	spread "$tmp/udp54.json" 10

# Same source port again: the same server (mapping or session).
client_run udp $VIP 53 --count 90 --sport-base 20000 > "$tmp/udp53b.json"
check "udp stateless: the same flows reach the same servers again" \
	python3 -c '
import json, sys
a, b = (json.load(open(f))["servers"] for f in sys.argv[1:3])
sys.exit(0 if a == b else 1)' "$tmp/udp53.json" "$tmp/udp53b.json"

# The gateway itself may talk to a server on its service port (a health
# check): that reply is no service flow and keeps the server's address.
ip netns exec "$gw" python3 "$LBTOOL" tcp 198.51.100.11 80 --conns 2 --bytes 1000 > "$tmp/direct.json"
check "the gateway's own connection to a server's service port is left alone" \
	test $? -eq 0
ip netns exec "$gw" python3 "$LBTOOL" udp 198.51.100.12 53 --count 2 > "$tmp/direct-udp.json"
check "the gateway's own udp request to a server is answered by the server" \
	test $? -eq 0

# --- counters and sessions ---------------------------------------------------
gwcli -j service show > "$tmp/svc2.json"
check "counters: udp:53 saw exactly 180 packets, each server its share" \
	python3 -c '
import json, sys
d = {(s["port"], s["proto"]): s for s in json.load(open(sys.argv[1]))}
a, b = (json.load(open(f))["servers"] for f in sys.argv[2:4])
s = d[(53, "udp")]
assert s["packets"] == 180, s["packets"]
assert s["sessions"] == 0, s
per = {v["address"]: v["packets"] for v in s["servers"]}
want = {"198.51.100.1%d" % i: a.get("s%d" % i, 0) + b.get("s%d" % i, 0)
        for i in (1, 2, 3)}
assert per == want, (per, want)
' "$tmp/svc2.json" "$tmp/udp53.json" "$tmp/udp53b.json"
check "counters: udp:54 made 90 sessions, bytes match 90 datagrams of 1000 bytes" \
	python3 -c '
import json, sys
d = {(s["port"], s["proto"]): s for s in json.load(open(sys.argv[1]))}
s = d[(54, "udp")]
assert s["sessions"] == 90, s
assert s["packets"] == 90, s
assert s["bytes"] == 90 * (20 + 8 + 1000), s["bytes"]
' "$tmp/svc2.json"
check "counters: tcp:80 made exactly 30 sessions, stateless tcp:81 none" \
	python3 -c '
import json, sys
d = {(s["port"], s["proto"]): s for s in json.load(open(sys.argv[1]))}
assert d[(80, "tcp")]["sessions"] == 30, d[(80, "tcp")]
assert d[(81, "tcp")]["sessions"] == 0, d[(81, "tcp")]
assert d[(81, "tcp")]["packets"] > 30 * 4
' "$tmp/svc2.json"

gwcli -j session show $VIP:54 proto udp > "$tmp/sess.json"
check "session show -j: 90 udp sessions from the client to the three servers" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 90, len(d)
for s in d:
    assert s["client"] == "203.0.113.2" and s["service"] == "192.0.2.10"
    assert s["service_port"] == 54 and s["state"] == "udp", s
    assert s["server"] in ("198.51.100.11", "198.51.100.12", "198.51.100.13")
    assert 0 < s["expires_ms"] <= 600000, s
' "$tmp/sess.json"
gwcli session show $VIP:54 proto udp > "$tmp/sess.txt"
check "session show text: one line per udp session, client, service and server" \
	test "$(grep -Ec '^udp 203\.0\.113\.2:2[0-9]+ -> 192\.0\.2\.10:54 via 198\.51\.100\.1[123]:5353 udp expires [0-9]+s$' "$tmp/sess.txt")" -eq 90

# The TCP connections all ended: their sessions closed, and the garbage
# collector removes them once the close timeout (10 s) has passed.
busywait 40000 bash -c "[ \"\$(ip netns exec $gw $SVCGW_BIN -j stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"session_expired\"])')\" -ge 30 ]"
gwcli -j stats > "$tmp/stats.json"
check "stats -j: closed tcp sessions collected, udp sessions live, no drops" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("# stats:", json.dumps(d, sort_keys=True))
assert d["services"] == 4, d
assert d["sessions"] == 120, d
assert d["session_expired"] == 30, d
assert d["sessions_cur"] == 90, d
assert d["drop_malformed"] == 0 and d["drop_no_server"] == 0, d
assert d["packets"] > 0 and d["bytes"] > 0, d
' "$tmp/stats.json"

# --- malformed headers -----------------------------------------------------------
# A UDP packet cut after 4 bytes of its header: dropped and counted when
# it is for a service address; for any other address svcgw leaves it to
# the hosts (the first hook passes TCP and UDP to addresses no service
# has, from the IP header), uncounted.
cut_udp()
{
	ip netns exec "$client" python3 - "$CLIENT_IP" "$1" <<'PY'
import socket, struct, sys
src, dst = (socket.inet_aton(a) for a in sys.argv[1:3])
udp = struct.pack("!HH", 40000, 53)
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17,
                 0, src, dst)
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
for _ in range(3):
    s.sendto(ip + udp, (sys.argv[2], 0))
PY
}
malformed() { gwcli -j stats | json_get 'd["drop_malformed"]'; }
m0=$(malformed)
cut_udp ${SERVERS[0]}
sleep 0.5
m1=$(malformed)
check "cut UDP header to a server's address (no service): not counted ($m0 -> $m1)" \
	test "$m1" -eq "$m0"
cut_udp $VIP
busywait 5000 bash -c "[ \"\$(ip netns exec $gw $SVCGW_BIN -j stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"drop_malformed\"])')\" -ge $((m1 + 3)) ]"
m2=$(malformed)
check "cut UDP header to a service: dropped and counted ($m1 -> $m2)" \
	test "$m2" -eq $((m1 + 3))

gwcli session flush $VIP:80 proto tcp
check "session flush of one service leaves the others" \
	test "$(gwcli -j stats | json_get 'd["sessions_cur"]')" -eq 90
gwcli session flush
check "session flush empties the table" \
	test "$(gwcli -j stats | json_get 'd["sessions_cur"]')" -eq 0

# --- server del / add while idle ---------------------------------------------
gwcli server del $VIP:53 proto udp server 198.51.100.13
client_run udp $VIP 53 --count 90 --sport-base 20000 > "$tmp/udp-del.json"
check "server del: udp flows answered, none by the deleted server" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["failed"] == 0 and "s3" not in d["servers"], d
assert set(d["servers"]) == {"s1", "s2"}, d' "$tmp/udp-del.json"
check "server del: only the deleted server's flows moved" \
	python3 -c '
import json, sys
a, b = (json.load(open(f))["flows"] for f in sys.argv[1:3])
moved = [p for p in a if a[p] != "s3" and b[p] != a[p]]
print("# flows moved that did not have to:", len(moved))
sys.exit(0 if not moved and len(a) == len(b) == 90 else 1)' \
	"$tmp/udp53.json" "$tmp/udp-del.json"
gwcli server add $VIP:53 proto udp server 198.51.100.13
client_run udp $VIP 53 --count 90 --sport-base 20000 > "$tmp/udp-add.json"
check "server add back: the original flows land where they first did" \
	python3 -c '
import json, sys
a, b = (json.load(open(f))["servers"] for f in sys.argv[1:3])
sys.exit(0 if a == b else 1)' "$tmp/udp53.json" "$tmp/udp-add.json"

# --- weights -------------------------------------------------------------------
gwcli service add $VIP:55 proto udp mode stateless
gwcli server add $VIP:55 proto udp server 198.51.100.11:5354 weight 1
gwcli server add $VIP:55 proto udp server 198.51.100.12:5354 weight 3
client_run udp $VIP 55 --count 200 --sport-base 23000 > "$tmp/udp-w.json"
check "weights 1:3 give about a quarter and three quarters of the flows" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["servers"]
print("# weighted:", d)
s1, s2 = d.get("s1", 0), d.get("s2", 0)
sys.exit(0 if s1 + s2 == 200 and 25 <= s1 <= 80 else 1)' "$tmp/udp-w.json"
gwcli server add $VIP:55 proto udp server 198.51.100.13:5354 weight 0
client_run udp $VIP 55 --count 100 --sport-base 24000 > "$tmp/udp-w0.json"
check "weight 0: a server takes no new flows" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["failed"] == 0 and "s3" not in d["servers"] else 1)' "$tmp/udp-w0.json"

# --- no server: dropped and counted ----------------------------------------------
gwcli service add $VIP:56 proto udp
client_run udp $VIP 56 --count 3 --timeout 1 > /dev/null
check "service without servers: packets dropped and counted" \
	test "$(gwcli -j stats | json_get 'd["drop_no_server"]')" -eq 3

# --- with nf_conntrack tracking the gateway ----------------------------------------
if modprobe nf_conntrack 2>/dev/null && command -v nft > /dev/null; then
	ip netns exec "$gw" nft -f - <<'NFT'
table inet t {
	chain forward_check {
		type filter hook forward priority 0; policy accept;
		ct state invalid counter drop
		ct state new,established counter accept
	}
}
NFT
	client_run tcp $VIP 80 --conns 10 --bytes 65536 > "$tmp/ct.json"
	check "with conntrack: tcp stateful exact, no packet seen as invalid" \
		test $? -eq 0
	client_run tcp $VIP 81 --conns 10 --bytes 65536 > "$tmp/ct81.json"
	check "with conntrack: tcp stateless exact" test $? -eq 0
	ip netns exec "$gw" conntrack -L > "$tmp/ct.txt" 2>/dev/null ||
		cat /proc/net/nf_conntrack > "$tmp/ct.txt" 2>/dev/null || true
	check "with conntrack: invalid counter stays at zero" \
		bash -c "ip netns exec $gw nft list chain inet t forward_check | grep 'ct state invalid' | grep -q 'packets 0 '"
	ip netns exec "$gw" nft delete table inet t
else
	ktap_skip "with conntrack" "nf_conntrack or nft missing"
fi

# --- the table depends on the server set, not on the order it came in -----------------
# Gateways behind ECMP must map every flow alike (Documentation/
# deployment.rst), whatever order each was configured in: one by one,
# the other way round, or in one batch in a third order.
order_run()
{
	local name=$1 s

	shift
	for s in "$@"; do
		gwcli server add $VIP:56 proto udp server ${s%/*}:5353 weight ${s#*/}
	done
	client_run udp $VIP 56 --count 90 --sport-base 24000 > "$tmp/order-$name.json"
}
gwcli flush		# a stateless service's endpoints are its own
gwcli service add $VIP:56 proto udp mode stateless
order_run abc 198.51.100.11/1 198.51.100.12/2 198.51.100.13/3
gwcli service del $VIP:56 proto udp
gwcli service add $VIP:56 proto udp mode stateless
order_run cba 198.51.100.13/3 198.51.100.12/2 198.51.100.11/1
gwcli service del $VIP:56 proto udp
cat > "$tmp/order.txt" <<EOF
service add $VIP:56 proto udp mode stateless
server add $VIP:56 proto udp server 198.51.100.12:5353 weight 2
server add $VIP:56 proto udp server 198.51.100.11:5353 weight 1
server add $VIP:56 proto udp server 198.51.100.13:5353 weight 3
EOF
gwcli -b "$tmp/order.txt"
order_run batch
check "the same servers in three orders (one by one, reversed, a batch): every flow on the same server" \
	python3 -c '
import json, sys
a, b, c = (json.load(open(f)) for f in sys.argv[1:4])
assert a["failed"] == b["failed"] == c["failed"] == 0, (a, b, c)
assert len(a["flows"]) == 90 and len(set(a["flows"].values())) == 3, a
assert a["flows"] == b["flows"] == c["flows"], (a, b, c)' \
	"$tmp/order-abc.json" "$tmp/order-cba.json" "$tmp/order-batch.json"
gwcli service del $VIP:56 proto udp

# --- flush -----------------------------------------------------------------------------
gwcli flush
check "flush removes every service" \
	test "$(gwcli -j service show | json_get 'len(d)')" -eq 0
client_run udp $VIP 53 --count 2 --timeout 1 > /dev/null
check "after flush the service address is no longer translated" test $? -ne 0

ktap_finish
