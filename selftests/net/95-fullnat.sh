#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Full NAT and hairpin, IPv4 and IPv6.  The servers here have no route
# back to the client (no default route): a service that translates only
# the destination cannot work, one with full NAT (source translated to a
# gateway address and port, restored on the way back) does.  Hairpin: a
# server calls its own service, and may land on itself.  Topology: topo.sh.

set -u

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/topo.sh"

topo_init
GW_S=198.51.100.1
GW_S6=2001:db8:2::1

field()
{
	json_get "$2" < "$1"
}

# server_run NS ARGS...: lbtool.py in a server's namespace.
server_run()
{
	local ns=$1

	shift
	ip netns exec "$ns" python3 "$LBTOOL" "$@"
}

# peers_of NS PORT: the remote addresses of NS's established connections
# on local port PORT (IPv4 ones as such, though the servers listen on ::).
peers_of()
{
	ip netns exec "$1" ss -Htn state established "( sport = :$2 )" |
		awk '{ print $4 }' |
		sed 's/:[0-9]*$//; s/^\[//; s/\]$//; s/^::ffff://' | sort -u
}

svcgw_load || { ktap_fail "module loads"; ktap_finish; }
ktap_ok "module loads"
topo_setup || { ktap_fail "topology"; ktap_finish; }
topo_servers || { ktap_fail "servers start"; ktap_finish; }
for ns in "$s1" "$s2" "$s3"; do
	ip -n "$ns" route del default
	ip -n "$ns" -6 route del default
	ip -n "$ns" route add $VIP/32 via $GW_S
	ip -n "$ns" -6 route add $VIP6/128 via $GW_S6
done

ok=true
gwcli service add $VIP:80 proto tcp mode stateful || ok=false
gwcli service add $VIP:81 proto tcp fullnat $GW_S || ok=false
gwcli service add $VIP:53 proto udp fullnat $GW_S || ok=false
gwcli service add "[$VIP6]:81" proto tcp fullnat $GW_S6 || ok=false
gwcli service add "[$VIP6]:53" proto udp fullnat $GW_S6 || ok=false
for i in 0 1 2; do
	gwcli server add $VIP:80 proto tcp server "${SERVERS[i]}:8080" || ok=false
	gwcli server add $VIP:81 proto tcp server "${SERVERS[i]}:80" || ok=false
	gwcli server add $VIP:53 proto udp server "${SERVERS[i]}" || ok=false
	gwcli server add "[$VIP6]:81" proto tcp server "[${SERVERS6[i]}]:80" || ok=false
	gwcli server add "[$VIP6]:53" proto udp server "${SERVERS6[i]}" || ok=false
done
check "services with and without full NAT" $ok

gwcli -j service show $VIP:81 proto tcp > "$tmp/svc.json"
check "service show -j reports the full NAT address and mode stateful" \
	test "$(field "$tmp/svc.json" 'd[0].get("fullnat") == "198.51.100.1" and d[0]["mode"] == "stateful"')" = True

client_run tcp $VIP 80 --conns 3 --timeout 4 > "$tmp/no.json"
check "without full NAT the servers cannot answer the client (they have no route)" \
	test $? -ne 0

for v in "$VIP" "$VIP6"; do
	client_run tcp "$v" 81 --conns 20 --bytes 65536 > "$tmp/t.json"
	check "$v:81: 20 TCP connections through full NAT echoed exactly, peer the service" \
		test $? -eq 0
	check "  spread over the servers" \
		test "$(field "$tmp/t.json" 'len(d["servers"])')" -ge 2
	client_run udp "$v" 53 --count 40 > "$tmp/u.json"
	check "$v:53: 40 UDP flows through full NAT answered from the service" \
		test $? -eq 0
done

# What a server sees: the gateway's address, never the client's.
client_run hold $VIP 81 --conns 9 --seconds 5 > "$tmp/hold.json" &
hold=$!
client_run hold $VIP6 81 --conns 9 --seconds 5 > "$tmp/hold6.json" &
hold6=$!
sleep 3
peers=$(for ns in "$s1" "$s2" "$s3"; do peers_of "$ns" 80; done | sort -u | tr '\n' ' ')
echo "# servers' peers on port 80: $peers"
# The sessions while the connections are open (closed ones age out).
gwcli -j session show $VIP:81 proto tcp > "$tmp/sess.json"
wait $hold
r1=$?
wait $hold6
check "held connections through full NAT unbroken" test $r1 -eq 0 -a $? -eq 0
check "servers see only the gateway's addresses as peers" \
	test "$peers" = "$GW_S $GW_S6 " -o "$peers" = "$GW_S6 $GW_S "

check "sessions name the client, and the gateway address and port the server sees" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d, d
ports = set()
for s in d:
    assert s["client"] == "203.0.113.2", s
    assert s["fullnat"] == "198.51.100.1" and s["fullnat_port"] > 0, s
    ports.add(s["fullnat_port"])
assert len(ports) == len(d), "a port given twice"
' "$tmp/sess.json"

# Hairpin: servers call the service; some land on themselves.
for v in "$VIP" "$VIP6"; do
	server_run "$s1" tcp "$v" 81 --conns 24 --bytes 20000 > "$tmp/hp.json"
	check "$v:81 hairpin: 24 connections from s1 to its own service exact" \
		test $? -eq 0
	sed 's/^/# /' "$tmp/hp.json" | cut -c1-150
	check "  s1 reached itself too" \
		test "$(field "$tmp/hp.json" '"s1" in d["servers"]')" = True
	server_run "$s2" udp "$v" 53 --count 30 > "$tmp/hu.json"
	check "$v:53 hairpin: 30 UDP flows from s2 answered from the service" \
		test $? -eq 0
done
server_run "$s1" tcp $VIP 80 --conns 6 --timeout 4 > "$tmp/hn.json"
check "hairpin without full NAT fails (a server answers its neighbour directly)" \
	test $? -ne 0

# The gateway itself (a health check, say) talks to a server endpoint of a
# full NAT service directly: no session, not the service's, left alone
# (it used to be dropped after routing, uncounted: found by 67-pktfuzz).
direct()
{
	ip netns exec "$gw" python3 -c '
import socket, sys
for a in sys.argv[1:]:
    c = socket.create_connection((a, 80), timeout=10)
    c.sendall(b"x\n")
    if not c.recv(100):
        sys.exit(1)
    c.close()' "${SERVERS[0]}" "${SERVERS6[0]}"
}
check "the gateway reaches ${SERVERS[0]}:80 and [${SERVERS6[0]}]:80, full NAT server endpoints, directly" \
	direct

# A full session table: a full NAT flow cannot go on without a session
# (the server would answer a port nobody knows), so its packet is
# dropped and counted as drop_no_session, beside session_full.
stat() { gwcli -j stats | json_get "d['$1']"; }
max0=$(gwcli -j config show | json_get "d['session_max']")
gwcli session flush
cur0=$(stat sessions_cur) dns0=$(stat drop_no_session) full0=$(stat session_full)
gwcli config set session-max $((cur0 + 3))
client_run udp $VIP 53 --count 3 --timeout 3 > "$tmp/f3.json"
check "session-max $((cur0 + 3)) ($cur0 left after a flush): 3 full NAT flows fill the table" \
	test $? -eq 0 -a "$(stat sessions_cur)" -eq $((cur0 + 3))
client_run udp $VIP 53 --count 2 --timeout 2 > "$tmp/f4.json"
check "  flows beyond it are not answered" test $? -ne 0
dns=$(($(stat drop_no_session) - dns0)) full=$(($(stat session_full) - full0))
check "  their packets are counted: drop_no_session +$dns, session_full +$full (2 each)" \
	test $dns -eq 2 -a $full -eq 2
gwcli config set session-max "$max0"
client_run udp $VIP 53 --count 3 > /dev/null
check "  room again: new full NAT flows answered" test $? -eq 0

# Refusals.
out=$(gwcli service add $VIP:82 proto tcp mode stateless fullnat $GW_S 2>&1)
check "full NAT with mode stateless is refused" test $? -eq 1
echo "# $out"
out=$(gwcli service add $VIP:83 proto tcp fullnat $GW_S6 2>&1)
check "a full NAT address of the other family is refused" test $? -eq 1
echo "# $out"
out=$(gwcli service set $VIP:81 proto tcp mode hybrid 2>&1)
check "a full NAT service cannot become hybrid" test $? -eq 1
echo "# $out"

# Batches carry no full NAT, and leave a full NAT service as it is.
n0=$(gwcli -j service show | json_get 'len(d)')
out=$(echo "service add $VIP:84 proto tcp fullnat $GW_S" | gwcli -b - 2>&1)
check "full NAT in a batch is refused, naming the line" \
	test $? -eq 1 -a -n "$(echo "$out" | grep -- '-:1:')"
echo "# $out"
out=$(echo "service add $VIP:81 proto tcp" | gwcli -b - --replace 2>&1)
check "a replace that would make a full NAT service hybrid is refused" test $? -eq 1
echo "# $out"
check "  and nothing changed" test "$(gwcli -j service show | json_get 'len(d)')" -eq "$n0" -a \
	"$(gwcli -j service show $VIP:81 proto tcp | json_get 'd[0].get("fullnat")')" = $GW_S

ktap_finish
