#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Servers reached by encapsulation (method ipip and gue), IPv4 and IPv6,
# answering the clients directly (direct server return), as
# Documentation/svcgw.rst's recipe sets them up: the service address on
# lo (arp_ignore 1, arp_announce 2), the kernel's own decapsulation (the
# ipip and ip6tnl fallback devices; "ip fou add PORT gue"), rp_filter off.
#
#   client --veth-- gw (svcgw) --br0-- s1 s2 s3 --br0-- ret --veth-- client
#
# topo.sh's network, plus a return router $ret on the servers' bridge with
# a link of its own to the client: the servers' default route goes
# through it, so a reply never crosses the gateway's IP layer (counted
# there by nft: 0).  Checked: 1 MiB TCP echoes and UDP exchanges intact
# and HTTP downloads (curl) of 1 MiB through ipip and gue servers, with
# offloads on and off; packets too big
# for the tunnel refused with the MTU less the header (path MTU discovery
# then lets the transfers through), counted; the GUE flow identifier the
# servers receive, the same for every packet of a flow and different
# between flows.

set -u

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/topo.sh"

topo_init tcpdump curl
GUE_PORT=6080

field()
{
	json_get "$2" < "$1"
}

svcgw_load || { ktap_fail "module loads"; ktap_finish; }
ktap_ok "module loads"
topo_setup || { ktap_fail "topology"; ktap_finish; }

# --- the return path and the receivers ---------------------------------------
setup_ns ret
ok=true
ip link add veth0 netns "$ret" type veth peer name vr netns "$gw" || ok=false
ip -n "$gw" link set vr master br0 up || ok=false
ip -n "$ret" addr add 198.51.100.254/24 dev veth0 || ok=false
ip -n "$ret" addr add 2001:db8:2::fe/64 dev veth0 nodad || ok=false
ip -n "$ret" link set veth0 up
ip link add vcl netns "$ret" type veth peer name veth1 netns "$client" || ok=false
ip -n "$ret" addr add 192.0.2.253/30 dev vcl
ip -n "$ret" addr add 2001:db8:4::1/64 dev vcl nodad
ip -n "$ret" link set vcl up
ip -n "$client" addr add 192.0.2.254/30 dev veth1
ip -n "$client" addr add 2001:db8:4::2/64 dev veth1 nodad
ip -n "$client" link set veth1 up
ip netns exec "$client" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.conf.veth1.rp_filter=0
ip netns exec "$ret" sysctl -qw net.ipv4.ip_forward=1 \
	net.ipv6.conf.all.forwarding=1
ip -n "$ret" route add 203.0.113.0/24 via 192.0.2.254 || ok=false
ip -n "$ret" -6 route add 2001:db8:1::/64 via 2001:db8:4::2 || ok=false
check "return router: servers -> ret -> client, beside the gateway" $ok

# The recipe (topo.sh's topo_dsr_receiver), and replies by the return
# router.
receiver()
{
	topo_dsr_receiver "$1" $GUE_PORT || return 1
	ip -n "$1" route replace default via 198.51.100.254 || return 1
	ip -n "$1" -6 route replace default via 2001:db8:2::fe || return 1
}
ok=true
for ns in "$s1" "$s2" "$s3"; do
	receiver "$ns" || ok=false
done
check "servers: service addresses on lo, tunl0 and ip6tnl0 up, GUE port $GUE_PORT, default route via ret" $ok
topo_servers || topo_servers_wait 240000 || { ktap_fail "servers start"; ktap_finish; }
# HTTP: Python's http.server on 8000 in each server, a 1 MiB file.
mkdir -p "$tmp/www"
head -c 1048576 /dev/urandom > "$tmp/www/blob"
for ns in "$s1" "$s2" "$s3"; do
	ip netns exec "$ns" python3 -m http.server 8000 --bind :: \
		--directory "$tmp/www" > /dev/null 2>&1 &
done
ok=true
for ns in "$s1" "$s2" "$s3"; do
	busywait 120000 ns_listens "$ns" 8000 || ok=false
done
check "HTTP servers on port 8000" $ok

# --- services ------------------------------------------------------------------
# :80 tcp and :53 udp by ipip, :8080 tcp and :5353 udp by gue; s3 of :80
# by gue too (one service, both methods).
ok=true
for v in "$VIP" "[$VIP6]"; do
	[ "$v" = "$VIP" ] && S=("${SERVERS[@]}") || S=("[${SERVERS6[0]}]" "[${SERVERS6[1]}]" "[${SERVERS6[2]}]")
	gwcli service add "$v:80" proto tcp || ok=false
	gwcli service add "$v:8080" proto tcp || ok=false
	gwcli service add "$v:53" proto udp || ok=false
	gwcli service add "$v:5353" proto udp mode stateful || ok=false
	for i in 0 1 2; do
		if [ $i -lt 2 ]; then
			gwcli server add "$v:80" proto tcp server "${S[i]}" method ipip || ok=false
		else
			gwcli server add "$v:80" proto tcp server "${S[i]}" method gue gue-port $GUE_PORT || ok=false
		fi
		gwcli server add "$v:8080" proto tcp server "${S[i]}" method gue gue-port $GUE_PORT || ok=false
		gwcli server add "$v:53" proto udp server "${S[i]}" method ipip || ok=false
		gwcli server add "$v:5353" proto udp server "${S[i]}" method gue gue-port $GUE_PORT || ok=false
	done
	gwcli service add "$v:8000" proto tcp || ok=false
	gwcli server add "$v:8000" proto tcp server "${S[0]}" method ipip || ok=false
	gwcli server add "$v:8000" proto tcp server "${S[1]}" method gue gue-port $GUE_PORT || ok=false
done
check "services with ipip and gue servers on $VIP and $VIP6" $ok
gwcli -j service show $VIP:80 proto tcp > "$tmp/svc.json"
check "service show -j: the servers' methods and GUE port" \
	test "$(field "$tmp/svc.json" '[s["method"] for s in d[0]["servers"]] + [d[0]["servers"][2].get("gue_port")]')" = "['ipip', 'ipip', 'gue', $GUE_PORT]"

# Packets the gateway's IP layer sees from the service addresses (a
# reply that came back through it) and to them.
ip netns exec "$gw" nft -f - <<'EOF'
table inet svcgwencap {
	counter replies {}
	chain pre {
		type filter hook prerouting priority -400; policy accept;
		ip saddr 192.0.2.10 counter name replies
		ip6 saddr 2001:db8:10::10 counter name replies
	}
}
EOF
check "nft counter of replies through the gateway" test $? -eq 0
replies() { ip netns exec "$gw" nft -j list counter inet svcgwencap replies | json_get 'd["nftables"][1]["counter"]["packets"]'; }
stat() { gwcli -j stats | json_get "d['$1']"; }

# Capture what s1 receives on its GUE port, for the flow identifiers.
ip netns exec "$s1" tcpdump -i veth0 -nn -U -w "$tmp/gue.pcap" \
	"udp dst port $GUE_PORT" 2> /dev/null &
cap=$!
busywait 10000 test -s "$tmp/gue.pcap"

# --- traffic, offloads on, then off ----------------------------------------------
run_traffic()
{
	local tag=$1 v f

	for v in "$VIP" "$VIP6"; do
		[ "$v" = "$VIP" ] && f=4 || f=6
		client_run tcp "$v" 80 --conns 6 --bytes 1048576 --timeout 60 > "$tmp/t80.json"
		check "$tag: $v:80 (ipip, gue): 6 TCP echoes of 1 MiB intact, peer the service" \
			test $? -eq 0
		client_run tcp "$v" 8080 --conns 6 --bytes 1048576 --timeout 60 > "$tmp/t8080.json"
		check "$tag: $v:8080 (gue): 6 TCP echoes of 1 MiB intact" test $? -eq 0
		# Spread: 16 small connections (6 big ones all landed on one of
		# two servers once, a 1 in 32 chance).
		client_run tcp "$v" 8080 --conns 16 --bytes 1000 --timeout 60 > "$tmp/s8080.json"
		check "  spread over the servers (16 connections: $(field "$tmp/s8080.json" 'd["servers"]'))" \
			test "$(field "$tmp/s8080.json" 'len(d["servers"])')" -ge 2
		[ $f = 4 ] && url=http://$v:8000/blob || url=http://[$v]:8000/blob
		ok=true
		for i in 1 2 3 4; do
			ip netns exec "$client" curl -sfg --max-time 60 -o "$tmp/got" "$url" &&
				cmp -s "$tmp/got" "$tmp/www/blob" || ok=false
		done
		check "$tag: curl $url (ipip, gue) 4 times: 1 MiB intact" $ok
		client_run udp "$v" 53 --count 20 > "$tmp/u53.json"
		check "$tag: $v:53 (ipip): 20 UDP exchanges answered from the service" \
			test $? -eq 0
		client_run udp "$v" 5353 --count 20 > "$tmp/u5353.json"
		check "$tag: $v:5353 (gue, stateful): 20 UDP exchanges answered" \
			test $? -eq 0
	done
}

tb0=$(stat encap_too_big) ep0=$(stat encap_packets)
run_traffic "offloads on"
tb1=$(stat encap_too_big) ep1=$(stat encap_packets)
check "packets sent encapsulated counted ($((ep1 - ep0)))" test $((ep1 - ep0)) -gt 1000
check "too big for the tunnel: refused with the path's MTU less the header, counted ($((tb1 - tb0)))" \
	test $((tb1 - tb0)) -gt 0
pmtu4=$(ip -n "$client" route get $VIP | grep -o 'mtu [0-9]*')
pmtu6=$(ip -n "$client" -6 route get $VIP6 | grep -o 'mtu [0-9]*')
learnt()
{
	case ${pmtu4#mtu } in 1480|1464) ;; *) return 1 ;; esac
	case ${pmtu6#mtu } in 1460|1444) ;; *) return 1 ;; esac
}
check "  the client learnt the tunnel's MTU: $VIP ${pmtu4:-none} (1480 for ipip, 1464 for gue), $VIP6 ${pmtu6:-none} (1460, 1444)" \
	learnt
check "no reply crossed the gateway ($(replies) seen)" test "$(replies)" -eq 0

ip netns exec "$client" ethtool -K veth0 tso off gso off > /dev/null 2>&1
ip netns exec "$gw" ethtool -K vc gro off > /dev/null 2>&1
ip -n "$client" route flush cache
ip -n "$client" -6 route flush cache
run_traffic "offloads off"
check "no reply crossed the gateway ($(replies) seen)" test "$(replies)" -eq 0

# --- flow identifiers ------------------------------------------------------------
sleep 1
kill $cap 2> /dev/null
wait $cap 2> /dev/null
python3 - "$tmp/gue.pcap" > "$tmp/flows.txt" <<'EOF'
import struct, sys

# Classic pcap, Ethernet: outer IP, UDP, GUE (hlen 1: the flow word),
# inner IP: the inner 5-tuple's flow words and outer source ports.
data = open(sys.argv[1], "rb").read()
off, flows, bad = 24, {}, 0
while off + 16 <= len(data):
    incl = struct.unpack_from("<I", data, off + 8)[0]
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    et = struct.unpack_from("!H", pkt, 12)[0]
    p = pkt[14:]
    if et == 0x0800:
        l4 = p[(p[0] & 15) * 4:]
    elif et == 0x86DD:
        l4 = p[40:]
    else:
        continue
    sport = struct.unpack_from("!H", l4, 0)[0]
    g = l4[8:]
    if g[0] != 1 or g[2] or g[3]:
        bad += 1
        continue
    fid = struct.unpack_from("!I", g, 4)[0]
    inner = g[8:]
    if inner[0] >> 4 == 4:
        src, dst, proto = inner[12:16], inner[16:20], inner[9]
        l4i = inner[(inner[0] & 15) * 4:]
    else:
        src, dst, proto = inner[8:24], inner[24:40], inner[6]
        l4i = inner[40:]
    key = (src, dst, proto, l4i[0:4])
    flows.setdefault(key, set()).add((fid, sport))
ids = [next(iter(v))[0] for v in flows.values() if len(v) == 1]
print(len(flows), sum(len(v) > 1 for v in flows.values()), len(set(ids)), bad)
EOF
read -r nflows nmixed nids nbad < "$tmp/flows.txt"
ktap_info "GUE at s1: $nflows flows, $nmixed with more than one identifier or port, $nids distinct identifiers, $nbad not svcgw's header"
check "GUE flow identifier: one per flow, with one outer source port ($nflows flows seen at s1)" \
	test "${nflows:-0}" -ge 4 -a "${nmixed:-1}" -eq 0 -a "${nbad:-1}" -eq 0
check "  different between flows ($nids identifiers for $nflows flows)" \
	test "${nids:-0}" -eq "${nflows:-1}"

# --- refusals ------------------------------------------------------------------------
out=$(gwcli server add $VIP:80 proto tcp server 198.51.100.99:81 method ipip 2>&1)
check "an encapsulated server on another port than the service's is refused ($out)" \
	test $? -ne 0
gwcli service add $VIP:21 proto tcp fullnat 198.51.100.1
out=$(gwcli server add $VIP:21 proto tcp server 198.51.100.99 method gue gue-port $GUE_PORT 2>&1)
check "a full NAT service refuses an encapsulated server ($out)" test $? -ne 0
out=$(gwcli server add $VIP:80 proto tcp server 198.51.100.98 method gue 2>&1)
check "a GUE server without its GUE port is refused ($out)" test $? -ne 0

ktap_finish
