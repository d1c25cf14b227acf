#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: real traffic balanced by svcgw in a throwaway guest.
# The network is the selftests' (selftests/net/topo.sh): a client, a
# gateway running svcgw, three servers; the service address 192.0.2.10 is
# configured nowhere but in svcgw.

set -u

SVCGW_SRC=${SVCGW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$SVCGW_SRC/selftests/lib.sh"
source "$SVCGW_SRC/selftests/net/topo.sh"

trap cleanup_all_ns EXIT

say()
{
	printf '\n=== %s\n' "$*"
}

run()
{
	printf '$ %s\n' "$*"
	"$@"
}

svcgw_load
topo_setup
topo_servers || { echo "servers did not start"; exit 1; }

say "Configure: one TCP and one UDP service, three servers each"
run gwcli service add $VIP:80 proto tcp mode stateful
run gwcli service add $VIP:53 proto udp mode stateless
for s in "${SERVERS[@]}"; do
	run gwcli server add $VIP:80 proto tcp server "$s"
	run gwcli server add $VIP:53 proto udp server "$s"
done

say "30 TCP connections from the client to $VIP:80, 64 KiB echoed each"
client_run tcp $VIP 80 --conns 30 --bytes 65536 | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("connections ok: %d, failed: %d, peers seen by the client: %s"
      % (d["ok"], d["failed"], ", ".join(d["peers"])))
for s, n in sorted(d["servers"].items()):
    print("  %s served %2d  %s" % (s, n, "#" * n))'

say "90 UDP requests to $VIP:53, each from its own port"
client_run udp $VIP 53 --count 90 | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("answered: %d, failed: %d, replies came from: %s"
      % (d["ok"], d["failed"], ", ".join(d["peers"])))
for s, n in sorted(d["servers"].items()):
    print("  %s served %2d  %s" % (s, n, "#" * (n // 2)))'

say "What svcgw saw"
run gwcli service show
run gwcli stats
say "A few of the TCP sessions"
gwcli session show | head -n 5

say "Drain-free change: remove server 198.51.100.13 from the UDP service"
run gwcli server del $VIP:53 proto udp server 198.51.100.13
client_run udp $VIP 53 --count 60 | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("answered: %d, failed: %d, by: %s" % (d["ok"], d["failed"],
      json.dumps(d["servers"], sort_keys=True)))'
say "JSON for scripts"
run gwcli -j -p service show $VIP:53 proto udp

say "Direct server return: servers reached by GUE answer the client themselves"
for ns in "$s1" "$s2" "$s3"; do
	topo_dsr_receiver "$ns" 6080 || { echo "receiver setup failed"; exit 1; }
done
echo "(each server: $VIP on lo, GUE on port 6080, the kernel's tunl0 decapsulates)"
run gwcli service add $VIP:8080 proto tcp
for s in "${SERVERS[@]}"; do
	run gwcli server add $VIP:8080 proto tcp server "$s" method gue gue-port 6080
done
client_run tcp $VIP 8080 --conns 12 --bytes 262144 | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("connections ok: %d, failed: %d, answers came from: %s"
      % (d["ok"], d["failed"], ", ".join(d["peers"])))
for s, n in sorted(d["servers"].items()):
    print("  %s served %2d  %s" % (s, n, "#" * n))'
run gwcli service show $VIP:8080 proto tcp
gwcli -j stats | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("encapsulated packets sent: %d, too big for the tunnel (ICMP sent): %d"
      % (d["encap_packets"], d["encap_too_big"]))'

say "A network node: forwarding policies, the whole set replaced in one step"
cat > /tmp/demo-edge1 <<SET
set edge transition 5
group servers
dest servers ${SERVERS[0]} method ipip
dest servers ${SERVERS[1]} method ipip
policy $VIP:5353 proto udp from 203.0.113.0/24 group servers
SET
sed 's/^/    /' /tmp/demo-edge1
run gwcli policy replace /tmp/demo-edge1
udp_by()
{
	client_run udp $VIP 5353 --count 40 --sport-base "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("  answered: %d, failed: %d, by: %s" % (d["ok"], d["failed"],
      json.dumps(d["servers"], sort_keys=True)))'
}
echo "40 UDP flows (ports 42000-42039), sent on in IPIP to the policy's group;"
echo "the servers answer the client directly ($VIP is on their lo):"
udp_by 42000
sed -e 's/^set edge /set edge2 /' -e "\$i dest servers ${SERVERS[2]} method ipip" \
	/tmp/demo-edge1 > /tmp/demo-edge2
say "Replace the set with one that adds ${SERVERS[2]}: flows in progress keep their server"
run gwcli policy replace /tmp/demo-edge2
echo "the same 40 flows, during the 5 s transition (each moved one gets a session):"
udp_by 42000
sleep 6
echo "after the transition, 40 new flows (ports 43000-43039) use the new set:"
udp_by 43000
echo "and the first 40 flows are still where they were (their sessions):"
udp_by 42000
run gwcli policy show
gwcli -j stats | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("packets matched by a policy: %d, flows kept on their server by the transition: %d"
      % (d["policy_packets"], d["policy_pinned"]))'

say "svcgwd, the node agent: one file, health checks, a dead server taken out"
cat > /tmp/demo-svcgwd.conf <<CONF
checks:
  conn: {type: tcp, interval: 500ms, timeout: 300ms, rise: 2, fall: 3}
services:
  - address: $VIP
    port: 80
    proto: tcp
    mode: stateful
    check: conn
    servers:
      - address: ${SERVERS[0]}
      - address: ${SERVERS[1]}
      - address: ${SERVERS[2]}
CONF
sed 's/^/    /' /tmp/demo-svcgwd.conf
svcgwd() { ip netns exec "$gw" "$SVCGW_SRC/tools/svcgwd/svcgwd" "$@"; }
run svcgwd --diff /tmp/demo-svcgwd.conf
echo "(the file is the whole configuration: the other services go)"
echo '$ svcgwd -f /tmp/demo-svcgwd.conf &'
ip netns exec "$gw" "$SVCGW_SRC/tools/svcgwd/svcgwd" -f /tmp/demo-svcgwd.conf \
	> /tmp/demo-svcgwd.log 2>&1 &
agent=$!
busywait 20000 grep -q "running:" /tmp/demo-svcgwd.log
echo "stop the server on ${SERVERS[1]}:80 ..."
ip netns exec "$s2" pkill -f "serve s2 --tcp 80 --udp"
busywait 10000 grep -q "${SERVERS[1]}:80 of $VIP:80 .*: down" /tmp/demo-svcgwd.log
sed 's/^/    /' /tmp/demo-svcgwd.log
run gwcli service show $VIP:80 proto tcp
client_run tcp $VIP 80 --conns 20 --bytes 1000 | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("20 new connections: ok %d, failed %d, by %s" % (d["ok"], d["failed"],
      json.dumps(d["servers"], sort_keys=True)))'
kill -TERM $agent
wait $agent
tail -n 1 /tmp/demo-svcgwd.log

say "svcgwd, the controller: a policy set switched by condition, pushed over TLS"
"$SVCGW_SRC/tools/svcgwd/mkcerts.sh" /tmp/demo-pki ctl gw > /dev/null 2>&1
setup_ns ctl
ip link add veth0 netns "$ctl" type veth peer name vctl netns "$gw"
ip -n "$gw" link set vctl master br0 up
ip -n "$ctl" addr add 198.51.100.200/24 dev veth0
ip -n "$ctl" link set veth0 up
cat > /tmp/demo-ctl.conf <<CONF
node: ctl
tls: {ca: /tmp/demo-pki/ca.crt, cert: /tmp/demo-pki/ctl.crt, key: /tmp/demo-pki/ctl.key}
listen: {address: 198.51.100.200}
heartbeat: 500ms
hold_down: 5s
nodes: [gw]
checks:
  web: {type: tcp, port: 8080, interval: 500ms, timeout: 300ms, rise: 2, fall: 2}
policy_sets:
  - name: backup                # when the primary's server fails
    when: {health: primary, min_healthy: 1}
    transition: 0
    groups:
      - {name: far, check: web, dests: [{address: ${SERVERS[2]}, method: ipip}]}
    policies:
      - {address: $VIP, port: 5353, proto: udp, from: 203.0.113.0/24, group: far}
  - name: primary               # the fallback: no condition
    transition: 0
    groups:
      - {name: near, check: web, dests: [{address: ${SERVERS[0]}, method: ipip}]}
    policies:
      - {address: $VIP, port: 5353, proto: udp, from: 203.0.113.0/24, group: near}
CONF
sed 's/^/    /' /tmp/demo-ctl.conf
echo "the gateway's agent: the same file as before, and where its controller is:"
{ cat /tmp/demo-svcgwd.conf
  echo "node: gw"
  echo "tls: {ca: /tmp/demo-pki/ca.crt, cert: /tmp/demo-pki/gw.crt, key: /tmp/demo-pki/gw.key}"
  echo "controller: {address: 198.51.100.200, name: ctl}"
} > /tmp/demo-gw.conf
tail -n 3 /tmp/demo-gw.conf | sed 's/^/    /'
echo '$ svcgwd -f /tmp/demo-ctl.conf &    (in its own namespace)'
ip netns exec "$ctl" "$SVCGW_SRC/tools/svcgwd/svcgwd" -f /tmp/demo-ctl.conf \
	--state /tmp/demo-ctl.state > /tmp/demo-ctl.log 2>&1 &
ctlpid=$!
echo '$ svcgwd -f /tmp/demo-gw.conf &     (on the gateway)'
ip netns exec "$gw" "$SVCGW_SRC/tools/svcgwd/svcgwd" -f /tmp/demo-gw.conf \
	> /tmp/demo-gw.log 2>&1 &
agent=$!
busywait 20000 grep -q "node gw has set primary" /tmp/demo-ctl.log
run gwcli policy show
echo "40 UDP flows to $VIP:5353:"
udp_by 44000
echo "stop ${SERVERS[0]}'s port 8080 (what the check probes) ..."
ip netns exec "$s1" pkill -f "serve s1 --tcp 8080"
busywait 15000 grep -q "node gw has set backup" /tmp/demo-ctl.log
echo "the controller's log:"
sed 's/^/    /' /tmp/demo-ctl.log
run gwcli policy show
echo "40 new UDP flows to $VIP:5353:"
udp_by 45000
kill -TERM $agent $ctlpid
wait $agent $ctlpid

say "High availability: every session replicated to a backup; a node fails, no connection breaks"
echo "(two servicing nodes, ha1 and ha2, on the servers' segment; the gateway"
echo " becomes their forwarder: one policy sends $VIP:7000 to both by IPIP)"
setup_ns ha1 ha2
for i in 1 2; do
	eval ns=\$ha$i
	ip link add veth0 netns "$ns" type veth peer name vh$i netns "$gw"
	ip -n "$gw" link set vh$i master br0 up
	ip -n "$ns" addr add 198.51.100.2$i/24 dev veth0
	ip -n "$ns" addr add 198.51.100.3$i/24 dev veth0	# its sync address
	ip -n "$ns" link set veth0 up
	ip -n "$ns" link set tunl0 up
	ip -n "$ns" route add default via 198.51.100.1
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.tunl0.rp_filter=0
done
i=0
for ns in "$s1" "$s2" "$s3"; do
	i=$((i + 1))
	ip netns exec "$ns" python3 "$LBTOOL" serve s$i --tcp 7000 > /dev/null 2>&1 &
	disown
done
for ns in "$s1" "$s2" "$s3"; do
	busywait 60000 ns_listens "$ns" 7000
done
hacli() { local ns; eval ns=\$$1; shift; ip netns exec "$ns" "$SVCGW_BIN" "$@"; }
key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
ha_policy()	# [LOCAL]
{
	echo "ha generation 10${1:+ local $1} key 1 $key"
	echo "node ha1 id 1 sync 198.51.100.31 dest 198.51.100.21 backups 2"
	echo "node ha2 id 2 sync 198.51.100.32 dest 198.51.100.22 backups 1"
}
ha_policy 1 > /tmp/demo-ha1
sed 's/ key 1 .*/ key 1 (32 random bytes in hex)/' /tmp/demo-ha1 | sed 's/^/    /'
for i in 1 2; do
	echo "\$ svcgw service add $VIP:7000 proto tcp mode stateful transition 0    (on ha$i, and its servers by ipip)"
	hacli ha$i service add $VIP:7000 proto tcp mode stateful transition 0
	for s in "${SERVERS[@]}"; do
		hacli ha$i server add $VIP:7000 proto tcp server "$s" method ipip
	done
	ha_policy $i > /tmp/demo-ha$i
	echo "\$ svcgw ha set /tmp/demo-ha$i    (on ha$i: local $i)"
	hacli ha$i ha set /tmp/demo-ha$i
done
ha_policy > /tmp/demo-hafw
run gwcli ha set /tmp/demo-hafw
echo "(the gateway holds the policy too, without local: it replicates nothing,"
echo " it knows each node's backup)"
cat > /tmp/demo-haset <<SET
set fabric transition 0
group nodes
dest nodes 198.51.100.21 method ipip
dest nodes 198.51.100.22 method ipip
policy $VIP:7000 proto tcp group nodes
SET
run gwcli policy replace /tmp/demo-haset
synced() { [ "$(hacli ha1 -j ha show | python3 -c 'import json,sys; d=json.load(sys.stdin); print(all((n.get("peer") or {}).get("synced") for n in d["nodes"] if n["id"] == 2))')" = True ]; }
busywait 20000 synced
echo "30 TCP connections to $VIP:7000, each echoing a chunk every second ..."
rm -f /tmp/demo-ha.stop
ip netns exec "$client" python3 "$LBTOOL" hold $VIP 7000 --conns 30 \
	--seconds 120 --stop-file /tmp/demo-ha.stop --interval 1 \
	--round-timeout 3 > /tmp/demo-ha.json &
holder=$!
up30() { [ "$(ip netns exec "$client" ss -Htn state established dst $VIP | wc -l)" -ge 30 ]; }
busywait 60000 up30
sleep 2
sessions() { hacli "$1" -j session show | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d if isinstance(d, list) else d.get("sessions", [])
me = int(sys.argv[1][-1])
rep = sum(1 for s in d if s.get("replica"))
adopted = sum(1 for s in d if not s.get("replica") and s.get("origin", me) != me)
own = len(d) - rep - adopted
print("%s: %d sessions of its own, %d replicas of its peer'"'"'s, %d adopted from it"
      % (sys.argv[1], own, rep, adopted))' "$1"; }
sessions ha1
sessions ha2
echo "a replica on ha2, as svcgw session show prints it:"
hacli ha2 session show | grep -m1 -i replica | sed 's/^/    /'
echo "ha1 fails: its link goes down; the controller's notice (svcgwd sends it;"
echo "by hand here) tells the gateway and ha2 that node 1 is down:"
ip -n "$ha1" link set veth0 down
run gwcli ha node 1 down generation 2
hacli ha2 ha node 1 down generation 2
sleep 6
sessions ha2
touch /tmp/demo-ha.stop
wait $holder
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("30 connections held through the failure: %d kept every byte, %d broke"
      % (d["ok"], d["failed"]))' /tmp/demo-ha.json
gwcli -j stats | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("packets the gateway sent to ha1'"'"'s backup while ha1 was down: %d" % d["policy_failover"])'
echo "ha2's sync counters:"
hacli ha2 ha show | sed 's/^/    /'

say "Scale-out: two gateways behind ECMP, announced by BGP (BIRD) from svcgwd"
VIP2=192.0.2.30
echo "(the demo's gateway becomes the router in front: BIRD, AS 65000, one"
echo " ECMP route to $VIP2 from what ga and gb announce; ga and gb run svcgw"
echo " and svcgwd, and reach the servers by IPIP: they answer the client"
echo " directly)"
setup_ns ga gb
ip netns exec "$gw" sysctl -qw net.ipv4.fib_multipath_hash_policy=1
i=0
for ns in "$ga" "$gb"; do
	i=$((i + 1))
	ip link add veth0 netns "$ns" type veth peer name vn$i netns "$gw"
	ip -n "$gw" link set vn$i master br0 up
	ip -n "$ns" addr add 198.51.100.4$i/24 dev veth0
	ip -n "$ns" link set veth0 up
	ip -n "$ns" route add default via 198.51.100.1
	ip -n "$ns" link add vips type dummy
	ip -n "$ns" link set vips up
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
done
for ns in "$s1" "$s2" "$s3"; do
	ip -n "$ns" addr add $VIP2/32 dev lo
done
cat > /tmp/demo-rt.conf <<BIRD
router id 198.51.100.1;
protocol device { scan time 1; }
protocol kernel { ipv4 { import none; export all; }; merge paths on; }
template bgp gws {
	local 198.51.100.1 as 65000;
	hold time 3; keepalive time 1; connect retry time 1;
	ipv4 { import where net ~ [ 192.0.2.0/24{32,32} ]; export none; };
}
protocol bgp ga from gws { neighbor 198.51.100.41 as 65001; }
protocol bgp gb from gws { neighbor 198.51.100.42 as 65001; }
BIRD
echo "the router's BIRD:"
sed 's/^/    /' /tmp/demo-rt.conf
ip netns exec "$gw" bird -c /tmp/demo-rt.conf -s /tmp/demo-rt.ctl -P /tmp/demo-rt.pid
cat > /tmp/demo-scale.conf <<CONF
checks:
  up: {type: tcp, interval: 500ms, timeout: 450ms, rise: 2, fall: 3}
announce: {interface: vips, when: all}
services:
  - address: $VIP2
    port: 80
    proto: tcp
    check: up
    servers:
      - {address: ${SERVERS[0]}, method: ipip}
      - {address: ${SERVERS[1]}, method: ipip}
      - {address: ${SERVERS[2]}, method: ipip}
CONF
echo "each gateway's svcgwd file (the same on both):"
sed 's/^/    /' /tmp/demo-scale.conf
for g in a b; do
	eval ns=\$g$g
	n=$([ $g = a ] && echo 41 || echo 42)
	cat > /tmp/demo-g$g.conf <<BIRD
router id 198.51.100.$n;
protocol device { scan time 1; }
protocol direct { ipv4; interface "vips"; }
protocol bgp up {
	local 198.51.100.$n as 65001;
	neighbor 198.51.100.1 as 65000;
	hold time 3; keepalive time 1; connect retry time 1;
	ipv4 { import none; export where source = RTS_DEVICE; };
}
BIRD
	ip netns exec "$ns" bird -c /tmp/demo-g$g.conf -s /tmp/demo-g$g.ctl \
		-P /tmp/demo-g$g.pid
	ip netns exec "$ns" "$SVCGW_SRC/tools/svcgwd/svcgwd" -f /tmp/demo-scale.conf \
		> /tmp/demo-g$g.log 2>&1 &
	eval agent_g$g=$!
done
echo "and each gateway's BIRD exports what is on vips (protocol direct)."
# paths: how many paths the router's route to $VIP2 has (0: none).
paths()
{
	local r

	r=$(ip -n "$gw" route show $VIP2)
	[ -n "$r" ] || { echo 0; return; }
	case $r in
	*nexthop*) grep -c 'nexthop via' <<< "$r" ;;
	*) echo 1 ;;
	esac
}
busywait 60000 eval '[ "$(paths)" -eq 2 ]'
echo "svcgwd on ga put $VIP2 on vips once its servers were up:"
grep "announce:" /tmp/demo-ga.log | sed 's/^/    /'
run ip -n "$gw" route show $VIP2
echo "30 TCP connections to $VIP2:80, each echoing a chunk every second ..."
rm -f /tmp/demo-scale.stop
ip netns exec "$client" python3 "$LBTOOL" hold $VIP2 80 --conns 30 \
	--seconds 120 --stop-file /tmp/demo-scale.stop --interval 1 \
	--round-timeout 3 > /tmp/demo-scale.json &
holder=$!
up30() { [ "$(ip netns exec "$client" ss -Htn state established dst $VIP2 | wc -l)" -ge 30 ]; }
busywait 60000 up30
sleep 2
for g in a b; do
	eval ns=\$g$g
	echo "g$g's svcgw: $(ip netns exec "$ns" "$SVCGW_BIN" -j service show | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("%d packets of %s:80 so far (the router hashes each flow to one gateway)" % (d[0]["packets"], d[0]["address"]))')"
done
echo "ga's svcgwd stops (SIGTERM): it withdraws $VIP2 first, the router moves"
echo "ga's flows to gb, whose table sends each to the same server:"
kill -TERM "$agent_ga"
wait "$agent_ga"
busywait 20000 eval '[ "$(paths)" -eq 1 ]'
grep "announce:" /tmp/demo-ga.log | tail -2 | sed 's/^/    /'
run ip -n "$gw" route show $VIP2
sleep 6
touch /tmp/demo-scale.stop
wait $holder
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("30 connections held while ga left: %d kept every byte, %d broke"
      % (d["ok"], d["failed"]))' /tmp/demo-scale.json
kill "$agent_gb" 2> /dev/null
for f in /tmp/demo-rt.pid /tmp/demo-ga.pid /tmp/demo-gb.pid; do
	kill "$(cat "$f")" 2> /dev/null
done
