#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# High availability (issue 14, Documentation/ha.rst): a servicing node dies
# and comes back while long-lived connections stream through the fabric.
# This file holds the HA policy's netlink commands (rawha.py: refusals,
# generations, node notices, no key ever read back), the sync channel's
# refusals (rawsync.py: a peer written from the wire format), and three
# runs of the same sequence in the same boot: svcgw with replication (the
# sync channel, failover at the forwarder by the controller's notices,
# failback after the node is synced; 10% of the sync datagrams lost),
# svcgw without replication, and IPVS with its own connection sync daemon
# (master and backups); then svcgwd's controller pushing the HA policy,
# and taking it away.
#
#                                  br0 198.51.100.0/24 (in fw)
#   client 203.0.113.2 --veth-- fw --+-- gw1 .21 --+
#                       (svcgw:      +-- gw2 .22   |  each gw: the service
#                        policy:     +-- gw3 .23   |  192.0.2.10:80, servers
#                        VIP -> ipip +-- s1 .11 ---+  by ipip, no NAT (direct
#                        to gw1..3)  +-- s2 .12       return: the servers
#                                    +-- s3 .13       answer the client
#                                    +-- s4 .14       through fw)
#
# The sequence, for each gateway kind:
#   1. 100 TCP connections held, each echoing a chunk every second, and 50
#      UDP flows, each answered every second (by the server of its first);
#   2. the server set changes: s4 joins on every gw (its mapping table now
#      sends about a quarter of new flows elsewhere: only state keeps the
#      old flows where they are; svcgw's services have transition 0 here,
#      else for the transition's time, 60 s by default, every gw would
#      keep any flow of a moved entry on its old server, state or not);
#   3. gw1 fails (its link goes down) and the forwarder's policy set is
#      replaced without it (transition 0: gw1's flows go to gw2 and gw3 at
#      once; the others stay);
#   4. gw1 comes back empty (a restarted node) and the forwarder's set has
#      it again: its flows return to it;
#   5. the connections that broke, before and after the failback, counted.
# svcgw today (no replication): gw2 and gw3 know nothing of gw1's flows,
# so those of moved entries break at the failover, and at the failback
# gw1 knows nothing either.  IPVS with its sync daemon (gw1 master, gw2
# and gw3 backups, as keepalived sets it up): the backups hold gw1's
# connections, but gw1 back has none and no one sends it any (IPVS has no
# resync): the failback breaks them.  The yardsticks must show breakage
# (they must be able to fail) for the comparison to mean anything.

set -u

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/topo.sh"

topo_init

GW=(198.51.100.21 198.51.100.22 198.51.100.23)
SYNC=(198.51.100.31 198.51.100.32 198.51.100.33)
# Each gateway's full NAT address: the servers see flows of VIP:81 come
# from it, and answer it.
FN=(198.51.100.41 198.51.100.42 198.51.100.43)
FCONNS=30
SRV=(198.51.100.11 198.51.100.12 198.51.100.13 198.51.100.14)
CONNS=100
UFLOWS=50
SLOW=1
[ "${SVCGW_TEST_LONG:-0}" = 1 ] && SLOW=4
# When the events happen, seconds after the connections are up; how long
# they are held in all.
T_JOIN=$((4 * SLOW))
T_FAIL=$((8 * SLOW))
T_BACK=$((16 * SLOW))
HOLD=$((48 * SLOW))

svcgw_load || { ktap_fail "module loads"; ktap_finish; }
ktap_ok "module loads"
modprobe ipip 2> /dev/null

fwcli() { ip netns exec "$fw" "$SVCGW_BIN" "$@"; }

# --- the network ---------------------------------------------------------------
setup_ns client fw gw1 gw2 gw3 s1 s2 s3 s4 || { ktap_fail "namespaces"; ktap_finish; }
ok=true
ip link add veth0 netns "$client" type veth peer name vc netns "$fw" || ok=false
ip -n "$client" addr add $CLIENT_IP/24 dev veth0
ip -n "$client" link set veth0 up
ip -n "$client" route add default via 203.0.113.1
ip -n "$fw" addr add 203.0.113.1/24 dev vc
ip -n "$fw" link set vc up
ip -n "$fw" link add br0 mtu 1600 type bridge
ip -n "$fw" addr add 198.51.100.1/24 dev br0
ip -n "$fw" link set br0 up
ip netns exec "$fw" sysctl -qw net.ipv4.ip_forward=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 || ok=false
# attach NS ADDR PORT [MAC]: NS on the bridge with ADDR (its end of the
# veth with MAC if given), fw's end PORT, default route via fw
attach()
{
	local ns=$1 addr=$2 port=$3 mac=${4:-}

	ip link add veth0 mtu 1600 ${mac:+address $mac} netns "$ns" type veth \
		peer name "$port" mtu 1600 netns "$fw" || return 1
	ip -n "$fw" link set "$port" master br0 up
	ip -n "$ns" addr add "$addr/24" dev veth0
	ip -n "$ns" link set veth0 up
	ip -n "$ns" route add default via 198.51.100.1
}
# gw_net I: gateway I's namespace on the bridge, forwarding, decapsulating.
gw_net()
{
	local ns

	eval ns=\$gw$1
	# A gateway made again keeps its MAC address, as a rebooted machine
	# keeps its network card's (with a new one, fw sends to the old
	# address until its neighbour entry ages: seconds in which gw1's
	# flows go nowhere after the failback, whatever gw1 knows).
	attach "$ns" "${GW[$1 - 1]}" vg$1 "02:00:5e:00:00:2$1" || return 1
	# The sync address, apart from the one the forwarder sends to (which
	# a backup takes over at the failover).
	ip -n "$ns" addr add "${SYNC[$1 - 1]}/24" dev veth0 || return 1
	ip -n "$ns" addr add "${FN[$1 - 1]}/32" dev veth0 || return 1
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 || return 1
	ip -n "$ns" link set tunl0 up || return 1
	ip netns exec "$ns" sysctl -qw net.ipv4.conf.tunl0.rp_filter=0
}
# gw1_restart: gw1 as after a reboot: a new namespace, nothing in it.
gw1_restart()
{
	cleanup_ns "$gw1"
	# A namespace goes in the background: its veth's peer in fw with it.
	busywait $((20000 * SLOW)) no_link vg1
	setup_ns gw1 && gw_net 1 || ktap_info "gw1 could not be made again"
}
no_link() { ! ip -n "$fw" link show "$1" > /dev/null 2>&1; }
for i in 1 2 3; do
	gw_net $i || ok=false
done
for i in 1 2 3 4; do
	eval ns=\$s$i
	attach "$ns" "${SRV[i - 1]}" vs$i || ok=false
	topo_dsr_receiver "$ns" 6080 || ok=false
	ip netns exec "$ns" python3 "$LBTOOL" serve s$i --tcp 80 --udp 53 > /dev/null 2>&1 &
	disown
done
check "network: client, forwarder fw, gw1..gw3, s1..s4 on fw's bridge" $ok
ok=true
for i in 1 2 3 4; do
	eval ns=\$s$i
	busywait 240000 ns_listens "$ns" 80 || ok=false
done
check "servers listen" $ok

# --- 0. the HA policy: its netlink commands below the CLI --------------------------
setup_ns hans || ktap_fail "namespace for the HA policy's checks"
ip netns exec "$hans" python3 "$SVCGW_SRC/selftests/net/rawha.py" > "$tmp/rawha.txt" 2>&1
rc=$?
while read -r status name; do
	if [ "$status" = ok ]; then ktap_ok "ha netlink: $name"; else ktap_fail "ha netlink: $name"; fi
done < <(grep -E '^(ok|fail) ' "$tmp/rawha.txt")
grep -vE '^(ok|fail) ' "$tmp/rawha.txt" | sed 's/^\([^#]\)/# \1/'
check "ha netlink: rawha.py ran to its end (exit $rc)" test $rc -eq 0

# The same through the CLI, in a namespace of its own (a servicing node).
setup_ns hacli || ktap_fail "namespace for the CLI's checks"
hacli() { ip netns exec "$hacli" "$SVCGW_BIN" "$@"; }
KEYHEX=$(printf '%064x' 7)
cat > "$tmp/ha.conf" <<EOF
# three servicing nodes, each backing up the next
ha generation 3 local 1 key 1 $KEYHEX
node gw1 id 1 sync ${GW[0]} backups 2,3
node gw2 id 2 sync ${GW[1]} backups 3,1
node gw3 id 3 sync ${GW[2]} fnat 203.0.113.100 backups 1,2
EOF
out=$(hacli ha set "$tmp/ha.conf" 2>&1)
check "svcgw ha set: generation 3, three nodes ($out)" test $? -eq 0
hacli ha show | sed 's/^/# /'
check "svcgw ha show: generation 3, local 1, key id 1 and no key bytes" \
	bash -c "out=\$(ip netns exec $hacli $SVCGW_BIN ha show); [[ \$out == *'generation 3'* && \$out == *'key-id 1'* && \$out != *$KEYHEX* ]]"
check "svcgw -j ha show: three nodes, gw3's backups gw1 then gw2, its fnat, states unknown" \
	test "$(hacli -j ha show | json_get '(d["generation"], len(d["nodes"]), [b["name"] for b in d["nodes"][2]["backups"]], d["nodes"][2].get("fnat"), sorted(set(n["state"] for n in d["nodes"])))')" = "(3, 3, ['gw1', 'gw2'], '203.0.113.100', ['unknown'])"
out=$(hacli ha set "$tmp/ha.conf" 2>&1)
check "the same generation again: refused ($out)" test $? -ne 0
sed -i 's/^ha generation 3/ha generation 2/' "$tmp/ha.conf"
out=$(hacli ha set "$tmp/ha.conf" 2>&1)
check "an older generation: refused ($out)" test $? -ne 0
out=$(hacli ha node 2 down generation 4 2>&1)
check "svcgw ha node 2 down generation 4 ($out)" test $? -eq 0
out=$(hacli ha node 2 up generation 3 2>&1)
check "  an older notice (generation 3): refused ($out)" test $? -ne 0
check "  gw2 down with node generation 4, 3 stale refusals counted" \
	test "$(hacli -j ha show | json_get '(d["nodes"][1]["state"], d["nodes"][1]["state_generation"], d["stale"])')" = "('down', 4, 3)"
printf 'ha generation 9 key 1 %s\nnode gw1 id 1 sync %s backups 1\n' "$KEYHEX" "${GW[0]}" > "$tmp/ha-bad.conf"
out=$(hacli ha set "$tmp/ha-bad.conf" 2>&1)
check "a node its own backup: refused with FILE:LINE ($out)" \
	bash -c "[[ '$out' == *ha-bad.conf:2:* ]]"
check "  and nothing changed: generation 3" \
	test "$(hacli -j ha show | json_get 'd["generation"]')" = 3

# The sync channel's refusals: node 1 (namespace syncn) and a peer written
# from the wire format (rawsync.py, node 9, namespace syncp, which has the
# key): one good datagram makes one replica; the same again, a truncated
# one, a bad magic, a forged tag, the wrong key, an unknown key id,
# another epoch, a sequence number far ahead, a bad length, a bad record
# and another receiver are refused and counted, and none makes a replica.
setup_ns syncn syncp || ktap_fail "namespaces for the sync channel's checks"
ip link add veth0 netns "$syncn" type veth peer name veth0 netns "$syncp"
ip -n "$syncn" addr add 203.0.113.201/24 dev veth0
ip -n "$syncp" addr add 203.0.113.209/24 dev veth0
ip -n "$syncn" link set veth0 up
ip -n "$syncp" link set veth0 up
synccli() { ip netns exec "$syncn" "$SVCGW_BIN" "$@"; }
KEYHEX3=$(printf '%064x' 4242)
cat > "$tmp/ha.sync" <<EOF
ha generation 1 local 1 key 7 $KEYHEX3
node n1 id 1 sync 203.0.113.201 backups 9
node n9 id 9 sync 203.0.113.209 backups 1
EOF
ok=true
synccli service add $VIP:80 proto tcp mode stateful || ok=false
synccli server add $VIP:80 proto tcp server "${SRV[0]}" || ok=false
synccli ha set "$tmp/ha.sync" || ok=false
check "sync channel: node 1 with a service and the HA policy (peer: node 9)" $ok
ip netns exec "$syncp" python3 "$SVCGW_SRC/selftests/net/rawsync.py" \
	--bind 203.0.113.209 --target 203.0.113.201 --port 7441 \
	--peer-id 9 --target-id 1 --key-id 7 --key "$KEYHEX3" \
	--service $VIP:80 --server "${SRV[0]}:80" > "$tmp/rawsync.txt" 2>&1
rc=$?
sed 's/^/# rawsync: /' "$tmp/rawsync.txt"
check "sync channel: rawsync.py ran (exit $rc), got an epoch and an ACK" \
	bash -c "[ $rc -eq 0 ] && ! grep -q '^fail' '$tmp/rawsync.txt' && [ \$(grep -c '^ok' '$tmp/rawsync.txt') -eq 2 ]"
synccli -j session show > "$tmp/sync.sessions"
synccli -j ha show > "$tmp/sync.ha"
synccli ha show | sed 's/^/# node 1: /'
check "  one replica, of the good datagram (client port 40001), none of the others" \
	test "$(json_get 'sorted(x["client_port"] for x in d)' < "$tmp/sync.sessions")" = "[40001]"
# sync_count KEY: node 1's channel counter KEY; peer_count KEY: its
# counter KEY of the stream from node 9.
sync_count() { json_get 'd["sync"]["'"$1"'"]' < "$tmp/sync.ha"; }
peer_count() { json_get 'next(n["peer"] for n in d["nodes"] if n["id"] == 9)["'"$1"'"]' < "$tmp/sync.ha"; }
for c in truncated bad_magic forged no_key bad_length bad_record not_peer; do
	check "  refused and counted: $c" test "$(sync_count $c)" -ge 1
done
check "  refused and counted: the forged tag and the wrong key (forged 2)" \
	test "$(sync_count forged)" -eq 2
for c in rx_replayed rx_other_epoch rx_ahead; do
	check "  refused and counted in the stream from node 9: $c" test "$(peer_count $c)" -ge 1
done
check "  accepted from node 9: 1 datagram, 1 record" \
	test "$(peer_count rx_dgrams) $(peer_count rx_records)" = "1 1"

# The forwarder's policy set: the service address to gw1..gw3, or to those
# given, by ipip, switched at once (transition 0).
fw_set_groups()
{
	local name=$1 g

	shift
	{
		echo "set $name transition 0"
		echo "group g"
		for g in "$@"; do
			echo "dest g ${GW[g - 1]} method ipip"
		done
		echo "policy $VIP:80 proto tcp group g"
		echo "policy $VIP:53 proto udp group g"
		echo "policy $VIP:81 proto tcp group g"
	} > "$tmp/set.$name"
	fwcli policy replace "$tmp/set.$name"
}

fw_set() { fw_set_groups "$@"; }
# fw_set_whole NAME ...: the set with all three gateways, whatever is asked
# (the replication run moves gw1's address, not the forwarder's set).
fw_set_whole() { local name=$1; fw_set_groups "$name" 1 2 3; }

# established N: the client has N TCP connections to the service up.
established()
{
	[ "$(ip netns exec "$client" ss -Htn state established dst $VIP | wc -l)" -ge "$1" ]
}

# broken_split FILE T: of the connections in lbtool's hold result FILE,
# how many broke before second T and how many after, "N M".
broken_split()
{
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = float(sys.argv[2])
at = d["broken_at"]
print(sum(1 for x in at if x < t), sum(1 for x in at if x >= t))' "$1" "$2"
}

# run_sequence KIND JOIN FAIL BACK: the sequence of the header, the
# gateways' part done by the commands JOIN (s4 joins), FAIL (gw1 fails)
# and BACK (gw1 back, empty); the result in $tmp/KIND.json, and in
# $tmp/KIND.back the second (since lbtool began) that splits the breakage
# of the failover from that of the failback.
run_sequence()
{
	local kind=$1 join=$2 failcmd=$3 back=$4 t0 now tf

	local stop=$tmp/$kind.stop

	fw_set up 1 2 3 || return 1
	# The holds end when the stop file appears (at HOLD s after the start,
	# or later when the sequence itself took longer: the debug kernel
	# needs minutes to connect them all); 4 HOLD is only a backstop.
	rm -f "$stop"
	ip netns exec "$client" python3 "$LBTOOL" hold $VIP 80 --conns $CONNS \
		--seconds $((4 * HOLD)) --stop-file "$stop" --interval 1 \
		--round-timeout $((3 * SLOW)) > "$tmp/$kind.json" &
	local pid=$!
	ip netns exec "$client" python3 "$LBTOOL" udphold $VIP 53 \
		--conns $UFLOWS --seconds $((4 * HOLD)) --stop-file "$stop" \
		--interval 1 --round-timeout $((3 * SLOW)) > "$tmp/$kind.udp.json" &
	local upid=$! fpid=
	if [ "${FN_ON:-0}" = 1 ]; then
		ip netns exec "$client" python3 "$LBTOOL" hold $VIP 81 \
			--conns $FCONNS --seconds $((4 * HOLD)) --stop-file "$stop" \
			--interval 1 --round-timeout $((3 * SLOW)) > "$tmp/$kind.fn.json" &
		fpid=$!
	fi
	t0=$(date +%s%3N)
	# The events count from when every connection is up (connecting 100
	# takes seconds in the guest): lbtool's times count from its start.
	busywait $((60000 * SLOW)) established $((CONNS + ${FN_ON:-0} * FCONNS))
	ktap_info "$kind: $CONNS connections up after $(( ($(date +%s%3N) - t0) / 1000 )) s"
	sleep $T_JOIN
	$join
	sleep $((T_FAIL - T_JOIN))
	gw_sessions "$kind" > "$tmp/$kind.gw1"
	$failcmd
	fw_set failover 2 3
	tf=$(( ($(date +%s%3N) - t0) / 1000 ))
	sleep $((T_BACK - T_FAIL))
	$back
	fw_set failback 1 2 3 || ktap_info "$kind: the failback set was refused"
	now=$(date +%s%3N)
	# Where failover breakage ends and failback breakage begins, for
	# lbtool's clock (it starts a little after t0): half way between.
	echo "$(( (tf + (now - t0) / 1000) / 2 ))" > "$tmp/$kind.back"
	ktap_info "$kind: failover $tf s, failback $(( (now - t0) / 1000 )) s after the start"
	# A failback after the connections' hold ended would break nothing
	# and prove nothing: every holder must still be running.
	check "$kind: the failback ($(( (now - t0) / 1000 )) s) came while the connections were held" \
		kill -0 $pid $upid $fpid
	sleep $((3 * SLOW))
	ktap_info "$kind: $((3 * SLOW)) s after the failback, gw1 has $(gw_sessions "$kind") of them"
	fwcli policy show | head -n 8 | sed 's/^/# fw: /'
	# Held on until HOLD s after the start, and at least 12 s (x SLOW)
	# after the failback: what the failback breaks has time to show.
	local left=$(( HOLD - ($(date +%s%3N) - t0) / 1000 ))
	[ $left -ge $((9 * SLOW)) ] || left=$((9 * SLOW))
	sleep $left
	touch "$stop"
	wait $pid
	wait $upid
	[ -z "$fpid" ] || wait $fpid
}

# udp_result KIND: "FAILED MOVED" of the run's UDP flows: those that broke
# (no answer in a round), and of those the ones answered by another server.
udp_result()
{
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["failed"], sum(1 for e in d["errors"] if "moved from" in e))' "$tmp/$1.udp.json"
}

# --- 1. svcgw as it is: stateful service on each gw, no replication --------------
# gwsvc NS I: gateway I's services (in namespace NS): $VIP:80 (TCP) and
# $VIP:53 (UDP) to s1..s3 by ipip, $VIP:81 (TCP) with full NAT from its own
# address FN[I] to s1..s3 port 80 (NAT: the servers answer FN[I]).
gwsvc()
{
	local ns=$1 me=$2 i

	ip netns exec "$ns" "$SVCGW_BIN" service add $VIP:80 proto tcp \
		mode stateful transition 0 || return 1
	ip netns exec "$ns" "$SVCGW_BIN" service add $VIP:53 proto udp \
		mode stateful transition 0 || return 1
	ip netns exec "$ns" "$SVCGW_BIN" service add $VIP:81 proto tcp \
		mode stateful transition 0 fullnat "${FN[me - 1]}" || return 1
	for i in 1 2 3; do
		ip netns exec "$ns" "$SVCGW_BIN" server add $VIP:81 proto tcp \
			server "${SRV[i - 1]}:80" || return 1
		ip netns exec "$ns" "$SVCGW_BIN" server add $VIP:80 proto tcp \
			server "${SRV[i - 1]}" method ipip || return 1
		ip netns exec "$ns" "$SVCGW_BIN" server add $VIP:53 proto udp \
			server "${SRV[i - 1]}" method ipip || return 1
	done
}
gw_sessions()
{
	case $1 in
	svcgw*)	ip netns exec "$gw1" "$SVCGW_BIN" -j session show |
			json_get 'len(d)' ;;
	ipvs)	ip netns exec "$gw1" ipvsadm -Lnc | grep -c ESTABLISHED ;;
	esac
}
ok=true
for i in 1 2 3; do
	eval ns=\$gw$i
	gwsvc "$ns" $i || ok=false
done
check "svcgw on gw1..gw3: $VIP:80 and :53 stateful, transition 0, s1..s3 by ipip; :81 full NAT" $ok
sv_join()
{
	local ns

	for ns in "$gw1" "$gw2" "$gw3"; do
		ip netns exec "$ns" "$SVCGW_BIN" server add $VIP:80 proto tcp \
			server "${SRV[3]}" method ipip
		ip netns exec "$ns" "$SVCGW_BIN" server add $VIP:53 proto udp \
			server "${SRV[3]}" method ipip
		ip netns exec "$ns" "$SVCGW_BIN" server add $VIP:81 proto tcp \
			server "${SRV[3]}:80"
	done
}
gw1_fail() { ip -n "$gw1" link set veth0 down; }
sv_back()
{
	gw1_restart
	gwsvc "$gw1" 1
	ip netns exec "$gw1" "$SVCGW_BIN" server add $VIP:80 proto tcp \
		server "${SRV[3]}" method ipip
	ip netns exec "$gw1" "$SVCGW_BIN" server add $VIP:53 proto udp \
		server "${SRV[3]}" method ipip
	ip netns exec "$gw1" "$SVCGW_BIN" server add $VIP:81 proto tcp \
		server "${SRV[3]}:80"
}
FN_ON=1
run_sequence svcgw sv_join gw1_fail sv_back
read -r sv_fail sv_back_n < <(broken_split "$tmp/svcgw.json" "$(cat "$tmp/svcgw.back")")
ktap_info "svcgw without replication: gw1 held $(cat "$tmp/svcgw.gw1") sessions when it failed; servers $(json_get 'd["servers"]' < "$tmp/svcgw.json")"
json_get '"\n".join("# " + e for e in d["errors"][:10])' < "$tmp/svcgw.json"
read -r sv_ffail sv_fback < <(broken_split "$tmp/svcgw.fn.json" "$(cat "$tmp/svcgw.back")")
ktap_info "svcgw without replication: of $FCONNS full NAT connections $sv_ffail broke at the failover, $sv_fback at the failback"
read -r sv_ufail sv_umoved < <(udp_result svcgw)
ktap_info "svcgw without replication: of $UFLOWS UDP flows $sv_ufail broke, $sv_umoved of them answered by another server"
check "svcgw without replication: $sv_fail of $CONNS broken at the failover, $sv_back_n at the failback (the yardstick: some must break)" \
	test $((sv_fail + sv_back_n)) -gt 0 -a \
	"$(json_get 'd["ok"] + d["failed"]' < "$tmp/svcgw.json")" -eq $CONNS

# --- 1b. svcgw with replication -------------------------------------------------
# The same gateways, each with the HA policy: gw1 backed up by gw2 (then
# gw3), gw2 by gw3, gw3 by gw1; the sync on addresses of their own
# (198.51.100.3N), the forwarder's destinations their .2N.  The forwarder
# has the policy too (no LOCAL: it replicates nothing) and its set stays
# whole: the controller's notices (svcgw ha node, as svcgwd will send
# them) move a down node's flows, and only those, to its first backup
# that is up.  The failback: gw1 comes back empty, gets the policy, gw2
# and gw3 hear "gw1 up" and sync it (gw2 sends it gw1's sessions back in
# a bulk); only when gw1 says it is synced from gw2 does the forwarder
# hear "gw1 up".
KEYHEX2=$(printf '%064x' 11)
ha_file()
{
	local local_id=$1 gen=$2

	echo "ha generation $gen${local_id:+ local $local_id} key 5 $KEYHEX2"
	echo "node gw1 id 1 sync ${SYNC[0]} dest ${GW[0]} fnat ${FN[0]} backups 2,3"
	echo "node gw2 id 2 sync ${SYNC[1]} dest ${GW[1]} fnat ${FN[1]} backups 3,1"
	echo "node gw3 id 3 sync ${SYNC[2]} dest ${GW[2]} fnat ${FN[2]} backups 1,2"
}
# ha_on NS [ID]: the policy in NS, as node ID (none: the forwarder).
ha_on()
{
	ha_file "${2:-}" 10 > "$tmp/ha.$1"
	ip netns exec "$1" "$SVCGW_BIN" ha set "$tmp/ha.$1"
}
# peer_synced NS ID: NS's stream from node ID has had its whole bulk.
peer_synced()
{
	[ "$(ip netns exec "$1" "$SVCGW_BIN" -j ha show 2> /dev/null |
	     json_get 'next((n.get("peer") or {}).get("synced") for n in d["nodes"] if n["id"] == '"$2"')')" = True ]
}
# notice ID up|down NS...: the controller's notice about node ID to the
# nodes NS..., one node generation for all of them.
NODE_GEN=1
notice()
{
	local id=$1 state=$2 ns

	shift 2
	NODE_GEN=$((NODE_GEN + 1))
	for ns in "$@"; do
		ip netns exec "$ns" "$SVCGW_BIN" ha node "$id" "$state" \
			generation $NODE_GEN 2> /dev/null
	done
}
# sync_loss NS: 10% of NS's sync datagrams (UDP to port 7441) lost on
# the way out, at random (nftables numgen: the debug kernel has no
# netem or prio qdisc), the other traffic untouched; counted.
sync_loss()
{
	ip netns exec "$1" nft -f - <<-'NFT'
	table inet svcgw_loss {
		counter lost { }
		chain out {
			type filter hook output priority 0;
			udp dport 7441 numgen random mod 10 == 0 counter name lost drop
		}
	}
	NFT
}
# sync_lost NS: how many sync datagrams sync_loss dropped in NS.
sync_lost()
{
	local n

	n=$(ip netns exec "$1" nft list counter inet svcgw_loss lost 2> /dev/null |
		sed -n 's/.*packets \([0-9]*\).*/\1/p')
	echo "${n:-0}"
}
ok=true
for i in 1 2 3; do
	eval ns=\$gw$i
	ip netns exec "$ns" "$SVCGW_BIN" flush || ok=false
	gwsvc "$ns" $i || ok=false
	sync_loss "$ns" || ok=false
done
check "svcgw with replication: 10% of the sync datagrams lost (nftables numgen) on gw1..gw3" $ok
ok=true
for i in 1 2 3; do
	eval ns=\$gw$i
	ha_on "$ns" $i || ok=false
done
ha_on "$fw" || ok=false
check "svcgw with replication: services again, the HA policy on gw1..gw3 and fw" $ok
ok=true
for i in 2 3; do
	busywait $((20000 * SLOW)) peer_synced "$gw1" $i || ok=false
done
check "gw1 synced from gw2 and gw3 (their streams' bulks received)" $ok
# gw2, gw1's first backup, takes gw1's full NAT address with its flows:
# the address on its interface and a gratuitous ARP that moves the
# servers' neighbour entries (what svcgwd is to do; by hand here).
# The announcement's garp.py starts ahead and waits for its file: on the
# debug kernel starting Python takes seconds, which the servers' replies
# to the old MAC address would wait through.
garp_ready()
{
	rm -f "$tmp/garp.go" "$tmp/garp.go.ready"
	ip netns exec "$1" python3 "$SVCGW_SRC/selftests/net/garp.py" veth0 \
		"${FN[0]}" --after "$tmp/garp.go" &
	garp_pid=$!
	busywait $((20000 * SLOW)) test -e "$tmp/garp.go.ready" ||
		ktap_info "garp.py not ready"
}
garp_go() { touch "$tmp/garp.go"; wait $garp_pid; }
ha_fail()
{
	garp_ready "$gw2"
	ip -n "$gw1" link set veth0 down
	notice 1 down "$fw" "$gw2" "$gw3"
	ip -n "$gw2" addr add "${FN[0]}/32" dev veth0
	garp_go
}
ha_back()
{
	local t0=$(date +%s%3N) synced=ok

	gw1_restart
	garp_ready "$gw1"
	gwsvc "$gw1" 1
	ip netns exec "$gw1" "$SVCGW_BIN" server add $VIP:80 proto tcp \
		server "${SRV[3]}" method ipip
	ip netns exec "$gw1" "$SVCGW_BIN" server add $VIP:53 proto udp \
		server "${SRV[3]}" method ipip
	ip netns exec "$gw1" "$SVCGW_BIN" server add $VIP:81 proto tcp \
		server "${SRV[3]}:80"
	sync_loss "$gw1"
	ha_on "$gw1" 1
	notice 1 up "$gw1" "$gw2" "$gw3"
	busywait $((20000 * SLOW)) peer_synced "$gw1" 2 || synced=no
	ktap_info "svcgwha: gw1 synced from gw2: $synced, $(( $(date +%s%3N) - t0 )) ms after it was made again; it holds $(gw_sessions svcgwha) replicas"
	# The controller's "gw1 up" reaches the forwarder only now, and
	# gw2 gives gw1's full NAT address back.
	NODE_GEN=$((NODE_GEN - 1))
	notice 1 up "$fw"
	ip -n "$gw2" addr del "${FN[0]}/32" dev veth0
	garp_go
}
# The forwarder's set stays whole: its HA policy moves gw1's flows.
fw_set() { fw_set_whole "$@"; }
run_sequence svcgwha sv_join ha_fail ha_back
read -r ha_fail_n ha_back_n < <(broken_split "$tmp/svcgwha.json" "$(cat "$tmp/svcgwha.back")")
json_get '"\n".join("# " + e for e in d["errors"][:10])' < "$tmp/svcgwha.json"
for i in 1 2 3; do
	eval ns=\$gw$i
	ip netns exec "$ns" "$SVCGW_BIN" ha show | grep -iE 'sync|peer|gw[123]' | sed "s/^/# gw$i: /"
done
read -r ha_ffail ha_fback < <(broken_split "$tmp/svcgwha.fn.json" "$(cat "$tmp/svcgwha.back")")
json_get '"\n".join("# " + e for e in d["errors"][:10])' < "$tmp/svcgwha.fn.json"
check "svcgw with replication: of $FCONNS full NAT connections $ha_ffail broke at the failover, $ha_fback at the failback (gw2 took gw1's address ${FN[0]})" \
	test $((ha_ffail + ha_fback)) -eq 0 -a \
	"$(json_get 'd["ok"] + d["failed"]' < "$tmp/svcgwha.fn.json")" -eq $FCONNS
read -r ha_ufail ha_umoved < <(udp_result svcgwha)
json_get '"\n".join("# " + e for e in d["errors"][:10])' < "$tmp/svcgwha.udp.json"
check "svcgw with replication: of $UFLOWS UDP flows $ha_ufail broke, $ha_umoved answered by another server" \
	test "$ha_ufail $ha_umoved" = "0 0"
retrans=0 lost=0
for i in 1 2 3; do
	eval ns=\$gw$i
	retrans=$((retrans + $(ip netns exec "$ns" "$SVCGW_BIN" -j ha show | json_get 'sum((n.get("peer") or {}).get("tx_retrans", 0) for n in d["nodes"])')))
	lost=$((lost + $(sync_lost "$ns")))
done
check "  the sync's losses were made good: $lost datagrams dropped, $retrans sent again" \
	test $lost -gt 0 -a $retrans -gt 0
check "svcgw with replication: $ha_fail_n of $CONNS broken at the failover, $ha_back_n at the failback" \
	test $((ha_fail_n + ha_back_n)) -eq 0 -a \
	"$(json_get 'd["ok"] + d["failed"]' < "$tmp/svcgwha.json")" -eq $CONNS
check "  gw2 adopted gw1's replicas" \
	test "$(ip netns exec "$gw2" "$SVCGW_BIN" -j ha show | json_get 'd["sync"]["adopted"]')" -gt 0
check "  the forwarder sent gw1's flows to gw2 while gw1 was down" \
	test "$(fwcli -j stats | json_get 'd["policy_failover"]')" -gt 0
fw_set() { fw_set_groups "$@"; }

# --- 1c. the HA policy pushed by svcgwd's controller -------------------------------
# The controller in fw (198.51.100.1 on br0), an agent in fw and in each
# gateway.  An agent applies its file's services (none here) as one
# replace: this runs after the replication run, whose svcgw services it
# removes (the IPVS run flushes them anyway).
SVCGWD=$SVCGW_SRC/tools/svcgwd/svcgwd
"$SVCGW_SRC/tools/svcgwd/mkcerts.sh" "$tmp/pki" ctl fw gw1 gw2 gw3 > /dev/null 2>&1 ||
	ktap_fail "certificates for svcgwd"
tls() { echo "tls: {ca: $tmp/pki/ca.crt, cert: $tmp/pki/$1.crt, key: $tmp/pki/$1.key}"; }
# heartbeat and dead_after SLOW times longer on the debug kernel: there
# (2026-12-05) agents starved for a second were declared dead, and the
# nodes went up and down every few seconds, each up a new barrier.
cat > "$tmp/hactl.conf" <<EOC
node: ctl
$(tls ctl)
listen: {address: 198.51.100.1, port: 7440}
heartbeat: $((200 * SLOW))ms
dead_after: $((1000 * SLOW))ms
nodes: [fw, gw1, gw2, gw3]
ha:
  nodes:
    - {name: gw1, id: 1, sync: ${GW[0]}, fnat: ${FN[0]}, backups: [gw2, gw3]}
    - {name: gw2, id: 2, sync: ${GW[1]}, fnat: ${FN[1]}, backups: [gw3, gw1]}
    - {name: gw3, id: 3, sync: ${GW[2]}, fnat: ${FN[2]}, backups: [gw1, gw2]}
EOC
ip netns exec "$fw" "$SVCGWD" -f "$tmp/hactl.conf" --state "$tmp/hactl.state" \
	--control "$tmp/hactl.sock" > "$tmp/hactl.log" 2>&1 &
ha_pids=($!)
for n in fw gw1 gw2 gw3; do
	printf 'node: %s\n%s\ncontroller: {address: 198.51.100.1, port: 7440, name: ctl}\n' \
		"$n" "$(tls $n)" > "$tmp/ha-$n.conf"
	ip netns exec "${!n}" "$SVCGWD" -f "$tmp/ha-$n.conf" --reconcile 1 \
		> "$tmp/ha-$n.log" 2>&1 &
	ha_pids+=($!)
done
ha_json() { ip netns exec "$1" "$SVCGW_BIN" -j ha show; }
ha_of() { ha_json "$1" | json_get "$2"; }
# has_gen NS: NS's kernel has a policy of a generation above the hand-made
# ones of the replication run (10): the controller's.
has_gen() { [ "$(ha_of "$1" 'd and d["generation"] > 10')" = True ]; }
# state_is NS NODE STATE: NS's kernel has NODE in STATE
state_is()
{
	[ "$(ha_of "$1" "[n['state'] for n in d['nodes'] if n['name'] == '$2'][0]")" = "$3" ]
}
ok=true
for n in fw gw1 gw2 gw3; do
	busywait $((15000 * SLOW)) has_gen "${!n}" || ok=false
done
check "svcgwd: fw, gw1, gw2 and gw3 installed the controller's HA policy" $ok
gen=$(ha_of "$fw" 'd["generation"]')
kid=$(ha_of "$fw" 'd["key_id"]')
check "  fw: local 0 (a forwarder), generation $gen, key id $kid, 3 nodes" \
	test "$(ha_of "$fw" '(d["local"], len(d["nodes"]), d["generation"] > 0, d["key_id"] > 0)')" = "(0, 3, True, True)"
for i in 1 2 3; do
	eval ns=\$gw$i
	check "  gw$i: generation $gen, key id $kid, local $i" \
		test "$(ha_of "$ns" '(d["generation"], d["key_id"], d["local"])')" = "($gen, $kid, $i)"
done
all_up() { [ "$(ha_of "$fw" '[n["state"] for n in d["nodes"]]')" = "['up', 'up', 'up']" ]; }
# Each node's up reaches fw once it is synced from its peers (the barrier).
busywait $((30000 * SLOW)) all_up
check "  fw's kernel has gw1, gw2 and gw3 up (their hellos' notices)" all_up
# The full NAT addresses (svcgwd's takeover): s1 knows gw1's at gw1's MAC
# address; no gw holds another's.
MAC=(02:00:5e:00:00:21 02:00:5e:00:00:22 02:00:5e:00:00:23)
# fn_on NS ADDR: ADDR is on NS's veth0
fn_on() { ip -n "$1" -o addr show dev veth0 | grep -q " $2/32 "; }
# s1_has ADDR MAC: s1's neighbour entry for ADDR is at MAC
s1_has() { ip -n "$s1" neigh show "$1" | grep -q "lladdr $2 "; }
# no_foreign: no gw holds the full NAT address of another (those held: $foreign).
no_foreign()
{
	local i j ns

	foreign=
	for i in 1 2 3; do
		for j in 1 2 3; do
			[ $i != $j ] || continue
			eval ns=\$gw$i
			fn_on "$ns" "${FN[j - 1]}" && foreign+=" gw$i:${FN[j - 1]}"
		done
	done
	[ -z "$foreign" ]
}
# (At the start a gw released before another holds the other's address
# until that one is released too, as the forwarders send its flows.)
busywait $((10000 * SLOW)) no_foreign
no_foreign
ip netns exec "$s1" ping -c 1 -W 2 "${FN[0]}" > /dev/null
check "svcgwd: each gw holds its own full NAT address only (${foreign:- none else}); s1 has gw1's ${FN[0]} at ${MAC[0]}" \
	test -z "$foreign" -a "$(ip -n "$s1" neigh show "${FN[0]}" | grep -o 'lladdr [^ ]*')" = "lladdr ${MAC[0]}"
ip -n "$gw1" link set veth0 down	# gw1 fails
busywait $((10000 * SLOW)) state_is "$fw" gw1 down
check "gw1's link down: fw's kernel has gw1 down ($(ha_of "$fw" '[(n["state"], n["state_generation"]) for n in d["nodes"] if n["name"] == "gw1"]'))" \
	state_is "$fw" gw1 down
others_down() { state_is "$gw2" gw1 down && state_is "$gw3" gw1 down; }
busywait $((5000 * SLOW)) others_down
check "  gw2's and gw3's kernels too" others_down
check "  the policy's generation unchanged by the notice ($(ha_of "$fw" 'd["generation"]'))" \
	test "$(ha_of "$fw" 'd["generation"]')" = "$gen"
# gw2, gw1's first backup, takes gw1's full NAT address over: on its
# interface, announced (gratuitous ARP) so that s1 sends it there.
took() { fn_on "$gw2" "${FN[0]}" && s1_has "${FN[0]}" "${MAC[1]}"; }
busywait $((5000 * SLOW)) took
check "  gw2's agent took gw1's full NAT address ${FN[0]} over, s1 has it at gw2's ${MAC[1]} ($(grep -o "node gw1's full NAT address.*" "$tmp/ha-gw2.log" | tail -1))" \
	took
check "  s1 reaches ${FN[0]} (at gw2)" \
	ip netns exec "$s1" ping -c 1 -W 2 "${FN[0]}"
check "  gw3 did not take it (gw2 is before it in gw1's backups)" \
	bash -c "! ip -n '$gw3' -o addr show dev veth0 | grep -q ' ${FN[0]}/32 '"
ip -n "$gw1" link set veth0 up
ip -n "$gw1" route add default via 198.51.100.1 2> /dev/null
busywait $((20000 * SLOW)) state_is "$fw" gw1 up
check "gw1 back: its agent reconnects, fw's kernel has gw1 up again" state_is "$fw" gw1 up
# The barrier: fw's kernel had gw1's up only once gw1's agent reported it
# synced from gw2 and gw3 (their streams to it started again at its up).
check "  svcgwd's barrier: gw1 up to the forwarders once synced ($(grep -o 'node gw1 up to the forwarders.*' "$tmp/hactl.log" | tail -1))" \
	grep -q 'node gw1 up to the forwarders .*synced from its peers after' "$tmp/hactl.log"
check "  gw1's agent reported it synced" \
	grep -q 'synced from its peers (HA generation' "$tmp/ha-gw1.log"
# At the release (not at gw1's up, when it had no replica yet) gw2 gives
# gw1's full NAT address back and gw1 announces it.
back() { ! fn_on "$gw2" "${FN[0]}" && s1_has "${FN[0]}" "${MAC[0]}"; }
busywait $((5000 * SLOW)) back
check "  gw2 gave ${FN[0]} back, s1 has it at gw1's ${MAC[0]} again" back
rel=$(grep -n 'node gw1 up to the forwarders' "$tmp/ha-gw2.log" | tail -1 | cut -d: -f1)
gave=$(grep -n "node gw1's full NAT address ${FN[0]} given back" "$tmp/ha-gw2.log" | tail -1 | cut -d: -f1)
check "  gw2 gave it back at the release (log lines ${rel:-none}, ${gave:-none}), gw1 announced its own" \
	test -n "$rel" -a -n "$gave" -a "${gave:-0}" -gt "${rel:-0}" -a \
	"$(grep -c "this node's full NAT address ${FN[0]} announced" "$tmp/ha-gw1.log")" -ge 1
grep -h "full NAT address" "$tmp"/ha-gw*.log | sed 's/^/# /'
st=$("$SVCGWD" --status --control "$tmp/hactl.sock")
check "  --status: gw1 released, synced, not timed out" \
	test "$(echo "$st" | json_get '[(n["barrier"], n.get("synced"), n.get("timed_out")) for n in d["ha"]["nodes"] if n["name"] == "gw1"][0]')" = "('released', True, False)"
check "  no barrier timed out: $(echo "$st" | json_get 'd["ha"]["barrier"]')" \
	test "$(echo "$st" | json_get 'd["ha"]["barrier"]["timed_out"]')" = 0
check "  fw and gw1 have gw1's up at one HA generation" \
	test "$(ha_of "$fw" "[n['state_generation'] for n in d['nodes'] if n['name'] == 'gw1'][0]")" = \
	     "$(ha_of "$gw1" "[n['state_generation'] for n in d['nodes'] if n['name'] == 'gw1'][0]")"
grep -E "synced|barrier|to the forwarders" "$tmp/hactl.log" "$tmp/ha-gw1.log" | sed 's/^/# /'
check "  no 32 hex digits in a row (a key) in any svcgwd log" \
	bash -c "! grep -Eq '[0-9a-fA-F]{32}' '$tmp/hactl.log' '$tmp'/ha-*.log"
grep -E "HA (policy|node)" "$tmp/hactl.log" "$tmp/ha-fw.log" | sed 's/^/# /'
# The ha section goes (a reload): the controller's removal reaches every
# agent, which removes its kernel's policy (SVCGW_CMD_HA_DEL) and gives
# back any full NAT address of another node it holds.
sed -i '/^ha:/,$d' "$tmp/hactl.conf"
kill -HUP "${ha_pids[0]}"
no_policy()
{
	local n

	for n in fw gw1 gw2 gw3; do
		[ "$(ha_json "${!n}")" = null ] || return 1
	done
}
busywait $((10000 * SLOW)) no_policy
check "svcgwd: the ha section removed (a reload): no HA policy left in fw's, gw1's, gw2's and gw3's kernels" \
	no_policy
check "  each agent removed it ($(grep -h 'HA policy removed' "$tmp/ha-fw.log" | tail -1))" \
	test "$(grep -l 'HA policy removed (generation' "$tmp"/ha-{fw,gw1,gw2,gw3}.log | wc -l)" = 4
no_foreign
check "  no gw holds another's full NAT address (${foreign:- none})" test -z "$foreign"
kill "${ha_pids[@]}" 2> /dev/null
wait "${ha_pids[@]}" 2> /dev/null

# --- 2. IPVS with its connection sync daemon ---------------------------------------
# (IPVS has no full NAT: its run holds the TCP and UDP flows only.)
FN_ON=0
if ! command -v ipvsadm > /dev/null || ! modprobe ip_vs_mh 2> /dev/null; then
	ktap_skip "IPVS with its sync daemon" "ipvsadm or ip_vs_mh missing"
	ktap_finish
fi
ok=true
for ns in "$gw1" "$gw2" "$gw3"; do
	ip netns exec "$ns" "$SVCGW_BIN" flush || ok=false
done
ipvs_svc()
{
	local ns=$1 i

	ip -n "$ns" addr add $VIP/32 dev lo || return 1
	ip netns exec "$ns" ipvsadm -A -t $VIP:80 -s mh -b mh-port || return 1
	ip netns exec "$ns" ipvsadm -A -u $VIP:53 -s mh -b mh-port || return 1
	for i in 1 2 3; do
		ip netns exec "$ns" ipvsadm -a -t $VIP:80 -r "${SRV[i - 1]}" -i || return 1
		ip netns exec "$ns" ipvsadm -a -u $VIP:53 -r "${SRV[i - 1]}" -i || return 1
	done
}
for i in 1 2 3; do
	eval ns=\$gw$i
	ipvs_svc "$ns" || ok=false
done
ip netns exec "$gw1" ipvsadm --start-daemon master --mcast-interface veth0 --syncid 1 || ok=false
for ns in "$gw2" "$gw3"; do
	ip netns exec "$ns" ipvsadm --start-daemon backup --mcast-interface veth0 --syncid 1 || ok=false
done
check "IPVS on gw1..gw3: $VIP:80 mh (with ports), s1..s3 by tunnel; sync daemon: gw1 master, gw2 and gw3 backups" $ok
ipvs_join()
{
	local ns

	for ns in "$gw1" "$gw2" "$gw3"; do
		ip netns exec "$ns" ipvsadm -a -t $VIP:80 -r "${SRV[3]}" -i
		ip netns exec "$ns" ipvsadm -a -u $VIP:53 -r "${SRV[3]}" -i
	done
}
ipvs_back()
{
	# A restarted gw1: its connections gone, its service as before, its
	# master daemon started again.
	gw1_restart
	ipvs_svc "$gw1"
	ip netns exec "$gw1" ipvsadm -a -t $VIP:80 -r "${SRV[3]}" -i
	ip netns exec "$gw1" ipvsadm -a -u $VIP:53 -r "${SRV[3]}" -i
	ip netns exec "$gw1" ipvsadm --start-daemon master --mcast-interface veth0 --syncid 1
}
run_sequence ipvs ipvs_join gw1_fail ipvs_back
read -r ip_fail ip_back_n < <(broken_split "$tmp/ipvs.json" "$(cat "$tmp/ipvs.back")")
synced=$(ip netns exec "$gw2" ipvsadm -Lnc | grep -c ESTABLISHED)
ktap_info "IPVS: gw1 held $(cat "$tmp/ipvs.gw1") established connections when it failed; gw2 had $synced at the end; servers $(json_get 'd["servers"]' < "$tmp/ipvs.json")"
json_get '"\n".join("# " + e for e in d["errors"][:10])' < "$tmp/ipvs.json"
read -r ip_ufail ip_umoved < <(udp_result ipvs)
ktap_info "IPVS with its sync daemon: of $UFLOWS UDP flows $ip_ufail broke, $ip_umoved of them answered by another server"
check "IPVS with its sync daemon: $ip_fail of $CONNS broken at the failover, $ip_back_n at the failback (the yardstick: some must break)" \
	test $((ip_fail + ip_back_n)) -gt 0 -a \
	"$(json_get 'd["ok"] + d["failed"]' < "$tmp/ipvs.json")" -eq $CONNS
ktap_info "broken of $CONNS TCP connections (failover + failback): svcgw with replication $ha_fail_n + $ha_back_n, without $sv_fail + $sv_back_n, IPVS sync $ip_fail + $ip_back_n; UDP flows of $UFLOWS broken: $ha_ufail, $sv_ufail, $ip_ufail; full NAT connections of $FCONNS: $ha_ffail + $ha_fback, $sv_ffail + $sv_fback, IPVS none"
ktap_finish
