#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One server pool behind several service addresses (one per tenant, say),
# on the same ports: the servers' endpoints are shared.  The first service
# to have an endpoint holds it and its replies without a session are
# translated for it; the others are guests there, and their NAT flows all
# get sessions (reason "shared"), by which their replies are told apart.
# Full NAT flows have sessions anyway.  Each client must see only the
# address it used: TCP connections work only then, and the UDP client
# records every address an answer came from.  Also: a stateless service
# cannot be a NAT guest (EADDRINUSE, by the CLI and in a batch), a guest
# outlives the holder's service, a batch may give one endpoint to many
# services, IPv6 too.  Topology: topo.sh; the second service address is
# 192.0.2.11 / 2001:db8:10::11.

set -u

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/topo.sh"

topo_init socat

VIP2=192.0.2.11
VIP62=2001:db8:10::11
GW_S=198.51.100.1

svcgw_load || { ktap_fail "module loads"; ktap_finish; }
ktap_ok "module loads"
topo_setup || { ktap_fail "topology"; ktap_finish; }
topo_servers || { ktap_fail "servers start"; ktap_finish; }

# field SERVICE_ADDR PORT PROTO EXPR: EXPR over service s of service show -j
field()
{
	gwcli -j service show | python3 -c '
import json, sys
d = json.load(sys.stdin)
s = [s for s in d if s["address"] == sys.argv[1] and
     s["port"] == int(sys.argv[2]) and s["proto"] == sys.argv[3]]
print(eval(sys.argv[4]) if s else "none")' "$@"
}

# udp_only ADDR PORT OUT: 60 UDP requests to ADDR:PORT; every one answered,
# by all three servers, and only ever from ADDR:PORT.
udp_only()
{
	client_run udp "$1" "$2" --count 60 --sport-base "$4" > "$3"
	python3 - "$3" "$1" "$2" <<'PY'
import ipaddress, json, sys
d = json.load(open(sys.argv[1]))
want = "[%s]:%s" % (sys.argv[2], sys.argv[3]) if ":" in sys.argv[2] \
    else "%s:%s" % (sys.argv[2], sys.argv[3])
print("# %s: ok %d failed %d servers %s peers %s" % (
    want, d["ok"], d["failed"], json.dumps(d["servers"]), d["peers"]))
sys.exit(0 if d["ok"] == 60 and len(d["servers"]) == 3 and
         d["peers"] == [want] else 1)
PY
}

# tcp_ok ADDR PORT OUT: 30 TCP connections of 2000 bytes, each echoed whole
# (a SYN-ACK from another address would reset it), by all three servers.
tcp_ok()
{
	client_run tcp "$1" "$2" --conns 30 --bytes 2000 > "$3"
	test "$(json_get 'd["ok"], len(d["servers"])' < "$3")" = "(30, 3)"
}

# --- 1. two service addresses, one pool ----------------------------------
# Transition 0: servers added one by one would otherwise tie moved entries
# to the first server for a minute (UDP flows stay there meanwhile), and
# the reason shown would be "transition".
ok=true
gwcli service add $VIP:80 proto tcp transition 0 || ok=false
gwcli service add $VIP2:80 proto tcp transition 0 || ok=false
gwcli service add $VIP:53 proto udp mode stateless transition 0 || ok=false
gwcli service add $VIP2:53 proto udp transition 0 || ok=false
for s in "${SERVERS[@]}"; do
	for v in $VIP $VIP2; do
		gwcli server add $v:80 proto tcp server "$s" || ok=false
		gwcli server add $v:53 proto udp server "$s" || ok=false
	done
done
check "two services on each of tcp:80 and udp:53 share the three servers" $ok
check "the first service holds the endpoints (shared false), the second is a guest (shared true)" \
	test "$(field $VIP 80 tcp '[v["shared"] for v in s[0]["servers"]]') $(field $VIP2 80 tcp '[v["shared"] for v in s[0]["servers"]]')" = \
	"[False, False, False] [True, True, True]"
check "the guest hybrid service makes sessions, reason shared; the holder none" \
	test "$(field $VIP2 80 tcp 's[0]["state"], s[0]["reason"]') $(field $VIP 80 tcp 's[0]["reason"]')" = \
	"('stateful', 'shared') none"
gwcli service show $VIP2:80 proto tcp > "$tmp/text.txt"
check "service show (text) marks the shared servers" \
	test "$(grep -c ' shared packets' "$tmp/text.txt")" -eq 3

tcp_ok $VIP 80 "$tmp/t1.json"
check "TCP to $VIP:80: 30 connections echoed whole by the three servers" test $? -eq 0
tcp_ok $VIP2 80 "$tmp/t2.json"
check "TCP to $VIP2:80 (same servers): 30 connections echoed whole" test $? -eq 0
udp_only $VIP 53 "$tmp/u1.json" 31000
check "UDP to $VIP:53 (stateless holder): answered by all three, only from $VIP:53" test $? -eq 0
udp_only $VIP2 53 "$tmp/u2.json" 32000
check "UDP to $VIP2:53 (guest): answered by all three, only from $VIP2:53" test $? -eq 0
check "the guest's flows have sessions (30 TCP + 60 UDP), the stateless holder's none" \
	test "$(field $VIP2 53 udp 's[0]["sessions"]') $(field $VIP2 80 tcp 's[0]["sessions"]') $(field $VIP 53 udp 's[0]["sessions"]')" = "60 30 0"
check "no flow dropped for want of a session" \
	test "$(gwcli -j stats | json_get 'd["drop_no_session"]')" -eq 0

# --- 2. what a stateless service may not do ------------------------------
gwcli service add $VIP:54 proto udp mode stateless transition 0
out=$(gwcli server add $VIP:54 proto udp server "${SERVERS[0]}:53" 2>&1)
rc=$?
check "a stateless service sharing an endpoint by NAT: refused, exit 1 ($out)" \
	test $rc -eq 1 -a "$(echo "$out" | grep -c 'another service.*stateless')" -eq 1
out=$(gwcli service set $VIP2:53 proto udp mode stateless 2>&1)
rc=$?
check "a guest service set stateless: refused, exit 1 ($out)" \
	test $rc -eq 1 -a "$(field $VIP2 53 udp 's[0]["mode"]')" = hybrid
gwcli service del $VIP:54 proto udp

# --- 3. the guest outlives the holder ------------------------------------
gwcli service del $VIP:53 proto udp
udp_only $VIP2 53 "$tmp/u3.json" 33000
check "holder's service deleted: the guest still answers, only from $VIP2:53" test $? -eq 0
gwcli service add $VIP:53 proto udp mode stateless transition 0
ok=true
for s in "${SERVERS[@]}"; do
	gwcli server add $VIP:53 proto udp server "$s" || ok=false
done
check "a stateless service takes the endpoints again (nobody holds them)" \
	test $ok = true -a "$(field $VIP 53 udp '[v["shared"] for v in s[0]["servers"]]')" = "[False, False, False]"
udp_only $VIP 53 "$tmp/u4.json" 34000
check "UDP to both again: $VIP:53 only from $VIP:53" test $? -eq 0
udp_only $VIP2 53 "$tmp/u5.json" 35000
check "and $VIP2:53 only from $VIP2:53" test $? -eq 0

# --- 4. full NAT shares too ----------------------------------------------
gwcli service add $VIP:8080 proto tcp transition 0
gwcli service add $VIP2:8080 proto tcp transition 0 fullnat $GW_S
for s in "${SERVERS[@]}"; do
	gwcli server add $VIP:8080 proto tcp server "$s"
	gwcli server add $VIP2:8080 proto tcp server "$s"
done
tcp_ok $VIP 8080 "$tmp/t3.json"
check "TCP to $VIP:8080 (NAT, holder): 30 connections whole" test $? -eq 0
tcp_ok $VIP2 8080 "$tmp/t4.json"
check "TCP to $VIP2:8080 (full NAT guest at the same servers): 30 connections whole" test $? -eq 0

# --- 5. a batch gives one endpoint to several services --------------------
{
	for v in $VIP $VIP2 192.0.2.12; do
		echo "service add $v:80 proto tcp transition 0"
		for s in "${SERVERS[@]}"; do
			echo "server add $v:80 proto tcp server $s"
		done
	done
} > "$tmp/batch.txt"
out=$(gwcli -b "$tmp/batch.txt" --replace 2>&1)
check "replace batch: three services on the same three servers, accepted ($out)" \
	test -z "$out" -a "$(gwcli -j service show | json_get 'len(d), sum(v["shared"] for s in d for v in s["servers"])')" = "(3, 6)"
tcp_ok 192.0.2.12 80 "$tmp/t5.json"
check "TCP to the third address, 192.0.2.12:80: 30 connections whole" test $? -eq 0
tcp_ok $VIP2 80 "$tmp/t6.json"
check "and to $VIP2:80, a guest kept by the batch" test $? -eq 0
{
	echo "service add 192.0.2.13:80 proto tcp mode stateless"
	echo "server add 192.0.2.13:80 proto tcp server ${SERVERS[0]}"
} > "$tmp/bad.txt"
out=$(gwcli -b "$tmp/bad.txt" 2>&1)
rc=$?
check "batch: a stateless service sharing by NAT refused at its line ($out)" \
	test $rc -eq 1 -a "$(echo "$out" | grep -c 'bad.txt:2: .*another service')" -eq 1 \
	-a "$(gwcli -j service show | json_get 'len(d)')" -eq 3

# --- 6. IPv6 -------------------------------------------------------------
ok=true
gwcli service add "[$VIP6]:53" proto udp transition 0 || ok=false
gwcli service add "[$VIP62]:53" proto udp transition 0 || ok=false
for s in "${SERVERS6[@]}"; do
	gwcli server add "[$VIP6]:53" proto udp server "[$s]:53" || ok=false
	gwcli server add "[$VIP62]:53" proto udp server "[$s]:53" || ok=false
done
check "IPv6: two services share the three servers" $ok
udp_only $VIP6 53 "$tmp/u6.json" 36000
check "IPv6 UDP to [$VIP6]:53: only from [$VIP6]:53" test $? -eq 0
udp_only $VIP62 53 "$tmp/u7.json" 37000
check "IPv6 UDP to [$VIP62]:53: only from [$VIP62]:53" test $? -eq 0
check "still no flow dropped for want of a session" \
	test "$(gwcli -j stats | json_get 'd["drop_no_session"]')" -eq 0

gwcli flush
check "flush leaves nothing" test "$(gwcli -j service show | json_get 'len(d)')" -eq 0
ktap_finish
