#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ICMP and ICMPv6 errors through svcgw, IPv4 and IPv6: path MTU discovery
# across a smaller-MTU link on either side of the gateway, time exceeded
# (traceroute) and port unreachable reaching the client's socket as errors
# about the service address, and the rule for echo requests.
# Topology: topo.sh with a router between client and gateway:
#
#   client --- r --- gateway (svcgw) --- br0 --- s1 s2 s3
#
# Path MTU: the links are all 1500 bytes; a route MTU of 1280 makes one hop
# smaller.  On the gateway's route to the servers, the gateway itself
# cannot forward the client's full-sized segments: its "fragmentation
# needed" / "packet too big" quotes client -> server and must reach the
# client as about client -> service.  On r's route to the client, r cannot
# forward the server's full-sized replies: its error goes to the service
# address and must reach the server as about server -> client.  Without
# the translation the TCP transfers below stall (black hole).

set -u

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/topo.sh"

topo_init

# pmtu NS ADDR: NS has a path MTU of 1280 cached for ADDR.
pmtu()
{
	local f=-4

	[ "${2#*:}" = "$2" ] || f=-6
	{ ip -n "$1" $f route get "$2"; ip -n "$1" $f route show cache; } 2>&1 |
		tee -a "$tmp/pmtu.txt" | grep -q "mtu 1280"
}

# mtu_route NS DEV PREFIX [SRC] [mtu 1280]: the connected route with or
# without a smaller MTU (same metric and protocol, so it replaces it).
mtu_route()
{
	local ns=$1 dev=$2 prefix=$3 src=$4

	shift 4
	if [ "${prefix#*:}" = "$prefix" ]; then
		ip -n "$ns" route replace "$prefix" dev "$dev" proto kernel \
			scope link src "$src" "$@"
	else
		ip -n "$ns" -6 route replace "$prefix" dev "$dev" proto kernel \
			metric 256 "$@"
	fi
}

# flush_pmtu NS...: forget learned path MTUs.
flush_pmtu()
{
	local ns

	for ns in "$@"; do
		ip -n "$ns" route flush cache
		ip -n "$ns" -6 route flush cache
	done
}

# field FILE EXPR: a Python expression over the JSON object "d" in FILE.
field()
{
	json_get "$2" < "$1"
}

svcgw_load || { ktap_fail "module loads"; ktap_finish; }
ktap_ok "module loads"
topo_setup router || { ktap_fail "topology"; ktap_finish; }
topo_servers || { ktap_fail "servers start"; ktap_finish; }

ok=true
for v in "$VIP" "[$VIP6]"; do
	gwcli service add "$v:80" proto tcp mode stateful || ok=false
	gwcli service add "$v:81" proto tcp mode stateless || ok=false
	gwcli service add "$v:53" proto udp mode stateful || ok=false
	gwcli service add "$v:5399" proto udp mode stateless || ok=false
done
for i in 0 1 2; do
	for s in "${SERVERS[i]}" "${SERVERS6[i]}"; do
		[ "$s" = "${SERVERS[i]}" ] && v=$VIP || v="[$VIP6]"
		gwcli server add "$v:80" proto tcp server "$s" || ok=false
		[ "$v" = "$VIP" ] && e=$s:8080 || e="[$s]:8080"
		gwcli server add "$v:81" proto tcp server "$e" || ok=false
		gwcli server add "$v:53" proto udp server "$s" || ok=false
		gwcli server add "$v:5399" proto udp server "$s" || ok=false
	done
done
check "services on $VIP and $VIP6 with three servers each" $ok

client_run tcp "$VIP" 80 --conns 3 > /dev/null &&
	client_run tcp "$VIP6" 80 --conns 3 > /dev/null
check "small exchanges work end to end through the router" test $? -eq 0

# --- path MTU, client -> server (the gateway's own error) -----------------
# The hop's MTU is a route's, so that frames of every size still cross
# the veth links (a veth drops frames larger than the receiver's MTU).
mtu_route "$gw" br0 198.51.100.0/24 198.51.100.1 mtu 1280
mtu_route "$gw" br0 2001:db8:2::/64 "" mtu 1280
for v in "$VIP" "$VIP6"; do
	for port in 80 81; do
		client_run tcp "$v" $port --conns 4 --bytes 400000 --timeout 30 \
			> "$tmp/up.json"
		check "$v:$port: 4 x 400 KB echoed across a 1280-byte hop behind the gateway" \
			test $? -eq 0
	done
	check "$v: the client learned path MTU 1280 for the service address" \
		pmtu "$client" "$v"
done
mtu_route "$gw" br0 198.51.100.0/24 198.51.100.1
mtu_route "$gw" br0 2001:db8:2::/64 ""
# The client would advertise the smaller MSS from now on.
flush_pmtu "$client" "$gw"

# --- path MTU, server -> client (a router's error to the service) ---------
mtu_route "$r" vc 203.0.113.0/24 203.0.113.1 mtu 1280
mtu_route "$r" vc 2001:db8:1::/64 "" mtu 1280
for v in "$VIP" "$VIP6"; do
	for port in 80 81; do
		client_run tcp "$v" $port --conns 4 --bytes 400000 --timeout 30 \
			> "$tmp/down.json"
		check "$v:$port: 4 x 400 KB echoed across a 1280-byte hop in front of the gateway" \
			test $? -eq 0
	done
done
for c in "$CLIENT_IP" "$CLIENT_IP6"; do
	n=0
	for ns in "$s1" "$s2" "$s3"; do
		pmtu "$ns" "$c" && n=$((n + 1))
	done
	check "servers learned path MTU 1280 toward $c ($n of 3)" test $n -ge 2
done
mtu_route "$r" vc 203.0.113.0/24 203.0.113.1
mtu_route "$r" vc 2001:db8:1::/64 ""

# --- time exceeded and port unreachable, on the client's socket -----------
# Hop limit 2: r forwards, the gateway translates, then cannot forward.
for v in "$VIP" "$VIP6"; do
	client_run udperr "$v" 53 --ttl 2 > "$tmp/te.json"
	sed 's/^/# /' "$tmp/te.json"
	[ "$v" = "$VIP" ] && want='d.get("type") == 11 and d.get("offender") == "192.0.2.130"' ||
		want='d.get("type") == 3 and d.get("offender") == "2001:db8:3::2"'
	check "$v:53 hop limit 2: time exceeded from the gateway, on the client's socket" \
		test "$(field "$tmp/te.json" "$want")" = True
	client_run udperr "$v" 53 --ttl 3 > "$tmp/te3.json"
	check "$v:53 hop limit 3: answered by a server" \
		test "$(field "$tmp/te3.json" 'd.get("answer", "")[:1]')" = s
	# No server listens on 5399: the server's own port unreachable comes
	# back as the service's.
	client_run udperr "$v" 5399 > "$tmp/pu.json"
	sed 's/^/# /' "$tmp/pu.json"
	[ "$v" = "$VIP" ] && want='d.get("errno") == 111 and d.get("type") == 3 and d.get("code") == 3' ||
		want='d.get("errno") == 111 and d.get("type") == 1 and d.get("code") == 4'
	check "$v:5399: port unreachable on the client's socket (ECONNREFUSED)" \
		test "$(field "$tmp/pu.json" "$want")" = True
	check "  sent from the service address" \
		test "$(field "$tmp/pu.json" 'd.get("offender")')" = "$v"
done

# --- echo: routed like any packet -------------------------------------------
ip netns exec "$client" ping -c 2 -W 1 $VIP > /dev/null 2>&1
check "echo to $VIP, configured nowhere: no answer" test $? -ne 0
ip -n "$gw" addr add $VIP/32 dev lo
ip -n "$gw" addr add $VIP6/128 dev lo
ip netns exec "$client" ping -c 2 -W 2 $VIP > /dev/null 2>&1
check "echo to $VIP on the gateway's lo: answered" test $? -eq 0
ip netns exec "$client" ping -6 -c 2 -W 2 $VIP6 > /dev/null 2>&1
check "echo to $VIP6 on the gateway's lo: answered" test $? -eq 0
client_run tcp "$VIP" 80 --conns 6 > "$tmp/lo.json" &&
	client_run tcp "$VIP6" 80 --conns 6 > "$tmp/lo6.json"
check "  TCP to the service address still goes to the servers" \
	test $? -eq 0 -a "$(field "$tmp/lo.json" 'len(d["servers"]) >= 2')" = True

ktap_finish
