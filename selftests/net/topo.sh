# SPDX-License-Identifier: GPL-2.0
#
# The test network of the svcgw selftests and the demo; source after lib.sh.
#
#   +-----------------+        +-------------------------+
#   | netns $client   |        | netns $gw (svcgw)       |      +-------------+
#   | 203.0.113.2/24  +--veth--+ 203.0.113.1/24          |   +--+ $s1 .11     |
#   | default via .1  |        |                         |   |  +-------------+
#   +-----------------+        |    br0 198.51.100.1/24  +---+--+ $s2 .12     |
#                              |    ip_forward=1         |   |  +-------------+
#   services on 192.0.2.10     |    no address for the   |   +--+ $s3 .13     |
#   (never configured on any   |    service: the hook    |      +-------------+
#   interface)                 |    translates it        |   198.51.100.0/24,
#                              +-------------------------+   default via .1
#
# IPv6 alongside, same shape: client 2001:db8:1::2/64 (gateway ::1),
# servers 2001:db8:2::11-13/64 on br0 (gateway 2001:db8:2::1), services on
# 2001:db8:10::10.
#
# Each server runs lbtool.py serve: TCP 80 and 8080 echo after its name,
# UDP 53, 5353 and 5354 answer with it.

VIP=192.0.2.10
CLIENT_IP=203.0.113.2
SERVERS=(198.51.100.11 198.51.100.12 198.51.100.13)
VIP6=2001:db8:10::10
CLIENT_IP6=2001:db8:1::2
SERVERS6=(2001:db8:2::11 2001:db8:2::12 2001:db8:2::13)
SVCGW_BIN=${SVCGW_BIN:-$SVCGW_SRC/tools/svcgw/svcgw}
LBTOOL=$SVCGW_SRC/selftests/net/lbtool.py

tmp=

# topo_cleanup: the EXIT trap of the tests: namespaces, scratch, modules.
topo_cleanup()
{
	cleanup_all_ns
	[ -z "$tmp" ] || rm -rf "$tmp"
	# A test module probing svcgw (selftests/kmod) goes first.
	[ ! -d /sys/module/svcgw_stall ] || rmmod svcgw_stall
	svcgw_unload 2>/dev/null || true
}

# topo_init [TOOL...]: what every test on this topology does first: the
# cleanup trap, the tools it needs (python3 and TOOL...), the CLI (skip
# without it), a scratch directory in $tmp.
topo_init()
{
	local t

	trap topo_cleanup EXIT
	for t in python3 "$@"; do
		checktool "$t"
	done
	[ -x "$SVCGW_BIN" ] || { echo "# SKIP: $SVCGW_BIN not built"; exit $ksft_skip; }
	tmp=$(mktemp -d)
}

# topo_setup [router]: the network above; with "router", a router
# namespace $r sits between client and gateway (client link as above, r
# at .1 / ::1; r <-> gateway on 192.0.2.128/25 and 2001:db8:3::/64, r at
# .129 / ::1, gateway at .130 / ::2), for errors from beyond the gateway.
topo_setup()
{
	local i ns cl

	setup_ns client gw s1 s2 s3 || return 1
	cl=$gw
	if [ "${1:-}" = router ]; then
		setup_ns r || return 1
		cl=$r
	fi
	ip link add veth0 netns "$client" type veth peer name vc netns "$cl"
	ip -n "$client" addr add $CLIENT_IP/24 dev veth0
	ip -n "$client" link set veth0 up
	ip -n "$client" route add default via 203.0.113.1
	ip -n "$client" addr add $CLIENT_IP6/64 dev veth0 nodad
	ip -n "$client" -6 route add default via 2001:db8:1::1
	ip -n "$cl" addr add 203.0.113.1/24 dev vc
	ip -n "$cl" addr add 2001:db8:1::1/64 dev vc nodad
	ip -n "$cl" link set vc up
	if [ "$cl" != "$gw" ]; then
		ip link add vg netns "$r" type veth peer name vc netns "$gw"
		ip -n "$r" addr add 192.0.2.129/25 dev vg
		ip -n "$r" addr add 2001:db8:3::1/64 dev vg nodad
		ip -n "$r" link set vg up
		ip -n "$gw" addr add 192.0.2.130/25 dev vc
		ip -n "$gw" addr add 2001:db8:3::2/64 dev vc nodad
		ip -n "$gw" link set vc up
		for ns in "$r" "$gw"; do
			ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
			ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.forwarding=1
			ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0
		done
		ip -n "$r" route add $VIP/32 via 192.0.2.130
		ip -n "$r" route add 198.51.100.0/24 via 192.0.2.130
		ip -n "$r" -6 route add $VIP6/128 via 2001:db8:3::2
		ip -n "$r" -6 route add 2001:db8:2::/64 via 2001:db8:3::2
		ip -n "$gw" route add 203.0.113.0/24 via 192.0.2.129
		ip -n "$gw" -6 route add 2001:db8:1::/64 via 2001:db8:3::1
	fi
	ip -n "$gw" link add br0 type bridge
	ip -n "$gw" addr add 198.51.100.1/24 dev br0
	ip -n "$gw" addr add 2001:db8:2::1/64 dev br0 nodad
	ip -n "$gw" link set br0 up
	ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$gw" sysctl -qw net.ipv6.conf.all.forwarding=1
	ip netns exec "$gw" sysctl -qw net.ipv4.conf.all.rp_filter=0
	for i in 1 2 3; do
		eval ns=\$s$i
		ip link add veth0 netns "$ns" type veth peer name vs$i netns "$gw"
		ip -n "$gw" link set vs$i master br0 up
		ip -n "$ns" addr add "${SERVERS[i - 1]}/24" dev veth0
		ip -n "$ns" addr add "${SERVERS6[i - 1]}/64" dev veth0 nodad
		ip -n "$ns" link set veth0 up
		ip -n "$ns" route add default via 198.51.100.1
		ip -n "$ns" -6 route add default via 2001:db8:2::1
	done
}

# topo_servers: start the traffic servers and wait for them (60 s; their
# output in $tmp/server-sN-PORT.log).
topo_servers()
{
	local i ns

	for i in 1 2 3; do
		eval ns=\$s$i
		ip netns exec "$ns" python3 "$LBTOOL" serve s$i --tcp 80 --udp 53,5353,5354 \
			> "${tmp:-/tmp}/server-s$i-80.log" 2>&1 &
		disown
		ip netns exec "$ns" python3 "$LBTOOL" serve s$i --tcp 8080 \
			> "${tmp:-/tmp}/server-s$i-8080.log" 2>&1 &
		disown
	done
	# 60 s; on the debug kernel (SVCGW_TEST_LONG=1) 240 s: there a
	# server did not listen within 60 s (70-ipv6, 2026-12-04, the
	# second debug guest in 72-encap beside it; its output was not kept).
	if [ "${SVCGW_TEST_LONG:-0}" = 1 ]; then
		topo_servers_wait 240000
	else
		topo_servers_wait 60000
	fi
}

# topo_servers_wait MS: wait up to MS ms for the servers to listen (Python
# starts slowly in a busy emulated guest: give it longer after a failed
# topo_servers).
topo_servers_wait()
{
	local i ns port

	for i in 1 2 3; do
		eval ns=\$s$i
		for port in 80 8080; do
			busywait "$1" ns_listens "$ns" $port && continue
			ktap_info "server s$i does not listen on $port after $1 ms: $(tail -n 3 "${tmp:-/tmp}/server-s$i-$port.log" 2> /dev/null | tr '\n' ' ')"
			return 1
		done
	done
}

ns_listens()
{
	ip netns exec "$1" ss -Htln "sport = :$2" | grep -q .
}

# topo_dsr_receiver NS GUE_PORT: make server NS a receiver of encapsulated
# flows, as Documentation/svcgw.rst's recipe says: the service addresses
# on lo (arp_ignore 1, arp_announce 2), the ipip and ip6tnl fallback
# devices up, rp_filter off, GUE on GUE_PORT for IPv4 and IPv6.
topo_dsr_receiver()
{
	local ns=$1 m

	for m in ipip ip6_tunnel fou fou6; do
		modprobe "$m" 2> /dev/null
	done
	ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
		net.ipv4.conf.all.arp_announce=2 \
		net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 || return 1
	ip -n "$ns" addr add $VIP/32 dev lo || return 1
	ip -n "$ns" addr add $VIP6/128 dev lo || return 1
	ip -n "$ns" link set tunl0 up || return 1
	ip -n "$ns" link set ip6tnl0 up || return 1
	ip netns exec "$ns" sysctl -qw net.ipv4.conf.tunl0.rp_filter=0 || return 1
	ip -n "$ns" fou add port "$2" gue || return 1
	ip -n "$ns" -6 fou add port "$2" gue
}

# gwcli ARGS...: the svcgw CLI in the gateway namespace.
gwcli()
{
	ip netns exec "$gw" "$SVCGW_BIN" "$@"
}

# client_run ARGS...: lbtool.py in the client namespace.
client_run()
{
	ip netns exec "$client" python3 "$LBTOOL" "$@"
}

# jq-like access to JSON with python: json_get 'EXPR' < file, where EXPR
# is a Python expression over "d".
json_get()
{
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}
