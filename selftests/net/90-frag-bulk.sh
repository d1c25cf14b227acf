#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fragments and bulk transfers through svcgw, IPv4 and IPv6.
#
# Fragments: UDP datagrams larger than the MTU, fragmented by the client's
# stack (in order) and sent by a raw socket in reverse and shuffled order,
# reach one server whole and come back whole from the service address; the
# gateway reassembles before translating (the ports are in the first
# fragment only), so a service counts one packet per datagram.
#
# Bulk: iperf3 through the gateway both ways with the veth offloads on
# (TSO/GSO segments of up to 64 KB cross the gateway as single packets with
# CHECKSUM_PARTIAL), then with every offload off, so that every TCP and UDP
# checksum is computed and verified in software at the ends: transfers
# complete, and no host counts a checksum error.  Topology: topo.sh.

set -u

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/topo.sh"

topo_init iperf3 ethtool

field()
{
	json_get "$2" < "$1"
}

# svc_stat ADDR PORT PROTO KEY: a counter of one service, from show -j.
svc_stat()
{
	gwcli -j service show "$1:$2" proto "$3" | json_get "d[0][\"$4\"]"
}

# csum_errors: checksum errors counted by the client and the servers.
csum_errors()
{
	local ns n=0 v

	for ns in "$client" "$s1" "$s2" "$s3"; do
		for v in $(ip netns exec "$ns" nstat -az TcpInCsumErrors \
				UdpInCsumErrors Udp6InCsumErrors | awk 'NR > 1 { print $2 }'); do
			n=$((n + v))
		done
	done
	echo $n
}

# offloads on|off: every veth of the topology.
offloads()
{
	local ns dev

	for ns in "$client" "$gw" "$s1" "$s2" "$s3"; do
		for dev in $(ip -n "$ns" -o link show type veth | awk -F'[ :@]+' '{ print $2 }'); do
			ip netns exec "$ns" ethtool -K "$dev" rx "$1" tx "$1" \
				tso "$1" gso "$1" gro "$1" > /dev/null 2>&1 || return 1
		done
	done
}

svcgw_load || { ktap_fail "module loads"; ktap_finish; }
ktap_ok "module loads"
topo_setup || { ktap_fail "topology"; ktap_finish; }
topo_servers || { ktap_fail "servers start"; ktap_finish; }
for ns in "$s1" "$s2"; do
	ip netns exec "$ns" iperf3 -s -D -p 5201 > /dev/null 2>&1
done
for ns in "$s1" "$s2"; do
	busywait 20000 ns_listens "$ns" 5201 || ktap_fail "iperf3 server starts"
done

ok=true
for v in "$VIP" "[$VIP6]"; do
	gwcli service add "$v:53" proto udp mode stateless || ok=false
	gwcli service add "$v:54" proto udp mode stateful || ok=false
	gwcli service add "$v:5201" proto tcp || ok=false
done
for i in 0 1 2; do
	for s in "${SERVERS[i]}" "[${SERVERS6[i]}]"; do
		[ "$s" = "${SERVERS[i]}" ] && v=$VIP || v="[$VIP6]"
		gwcli server add "$v:53" proto udp server "$s" || ok=false
		gwcli server add "$v:54" proto udp server "$s:5353" || ok=false
	done
done
# iperf3 runs a control connection and a data connection from different
# ports: through any balancer without client affinity they may reach
# different servers, and iperf3 needs one.  One server per iperf service.
gwcli server add "$VIP:5201" proto tcp server "${SERVERS[0]}" || ok=false
gwcli server add "[$VIP6]:5201" proto tcp server "[${SERVERS6[1]}]" || ok=false
check "services on $VIP and $VIP6" $ok

# --- fragments ---------------------------------------------------------------
for v in "$VIP" "$VIP6"; do
	[ "$v" = "$VIP" ] && k=$v || k="[$v]"
	client_run udp "$v" 53 --count 20 --bytes 4000 > "$tmp/u.json"
	check "$v:53: 20 datagrams of 4000 bytes (fragmented by the client) answered whole" \
		test $? -eq 0
	for port in 53 54; do
		for order in reverse shuffle; do
			before=$(svc_stat "$k" $port udp packets)
			client_run frag "$v" $port --count 20 --bytes 4000 --order $order \
				> "$tmp/f.json"
			rc=$?
			sed 's/^/# /' "$tmp/f.json" | cut -c1-200
			check "$v:$port: 20 datagrams sent as 4 fragments in $order order answered whole" \
				test $rc -eq 0
			after=$(svc_stat "$k" $port udp packets)
			check "  the service counted 20 packets, one per datagram ($((after - before)))" \
				test $((after - before)) -eq 20
		done
	done
done
client_run frag "$VIP" 53 --count 30 --bytes 3000 > "$tmp/fs.json"
check "fragmented datagrams spread over the servers like any flow" \
	test "$(field "$tmp/fs.json" 'len(d["servers"])')" -ge 2

# --- bulk TCP, offloads on ---------------------------------------------------
# iperf3 JSON: bytes each way, and the gateway's view of segment sizes.
iperf()
{
	local try

	# An iperf3 server runs one test at a time and may still be ending
	# the last one: "busy" is retried.
	for try in 1 2 3; do
		timeout 60 ip netns exec "$client" iperf3 -c "$1" -p 5201 -t 3 -J \
			--connect-timeout 5000 $2 > "$tmp/ip.json" 2>&1
		grep -q busy "$tmp/ip.json" || break
		sleep 2
	done
	field "$tmp/ip.json" 'd["end"]["sum_received"]["bytes"] if "error" not in d else 0' ||
		echo 0
	field "$tmp/ip.json" 'd.get("error", "")' 2>/dev/null | grep . | sed 's/^/# iperf3: /' >&2
}

errs0=$(csum_errors)
for v in "$VIP" "$VIP6"; do
	[ "$v" = "$VIP" ] && k=$v || k="[$v]"
	p0=$(svc_stat "$k" 5201 tcp packets)
	b0=$(svc_stat "$k" 5201 tcp bytes)
	n=$(iperf "$v" "")
	check "$v: iperf3 upload with offloads on: $n bytes" test "${n:-0}" -gt 1000000
	p1=$(svc_stat "$k" 5201 tcp packets)
	b1=$(svc_stat "$k" 5201 tcp bytes)
	avg=$(( (b1 - b0) / (p1 - p0 > 0 ? p1 - p0 : 1) ))
	check "  the gateway translated segments larger than the MTU (average $avg bytes)" \
		test $avg -gt 1500
	n=$(iperf "$v" -R)
	check "$v: iperf3 download with offloads on: $n bytes" test "${n:-0}" -gt 1000000
done

# --- every checksum in software ---------------------------------------------
offloads off
check "offloads off on every veth" test $? -eq 0
for v in "$VIP" "$VIP6"; do
	n=$(iperf "$v" "")
	check "$v: iperf3 upload, offloads off: $n bytes" test "${n:-0}" -gt 100000
	n=$(iperf "$v" -R)
	check "$v: iperf3 download, offloads off: $n bytes" test "${n:-0}" -gt 100000
	client_run udp "$v" 54 --count 20 --bytes 3000 > /dev/null
	check "$v:54: UDP datagrams, offloads off, answered whole" test $? -eq 0
done
errs=$(csum_errors)
check "no checksum errors counted by client or servers ($errs0 before, $errs after)" \
	test "$errs" -eq "$errs0"

ktap_finish
