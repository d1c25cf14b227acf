#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hybrid mode and graceful transitions with real connections: changing the
# server set under load breaks nothing; UDP flows keep their server through
# a transition and move after it; a server set down loses its flows at
# once; the hybrid conditions (operator, transition, pressure) switch
# sessions on and off.  The same churn is run against IPVS (mh) in the same
# boot and both counts of broken connections are reported.
# Topology: topo.sh (client, gateway, servers s1 s2 s3).

set -u

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/topo.sh"

topo_init

# svc_field ADDR:PORT PROTO EXPR: a field of one service's JSON object.
svc_field()
{
	gwcli -j service show "$1" proto "$2" | json_get "d[0]$3"
}

stat_field()
{
	gwcli -j stats | json_get "d['$1']"
}

S1=198.51.100.11 S2=198.51.100.12 S3=198.51.100.13

svcgw_load
topo_setup
topo_servers || { ktap_fail "servers start"; ktap_finish; }

# rsts: TCP resets sent so far by the client and each server; when a held
# connection breaks, the one that grew says who met a packet of a
# connection it did not know (the client: a reply left untranslated; a
# server: a flow sent to the wrong server).
rsts()
{
	local ns n

	for ns in client s1 s2 s3; do
		eval n=\$$ns
		printf '%s=%s ' $ns "$(ip netns exec "$n" nstat -az TcpOutRsts |
			awk '$1 == "TcpOutRsts" { print $2 }')"
	done
}

# --- 1. churn under 100 long-lived TCP connections -------------------------
# churn_svcgw MODE: hold 100 connections while servers are added, drained,
# replaced and removed; prints the lbtool JSON of the held connections.
churn_svcgw()
{
	gwcli flush
	# Set up without transitions, so that the start is not one.
	gwcli service add $VIP:80 proto tcp mode "$1" transition 0
	gwcli server add $VIP:80 proto tcp server $S1
	gwcli server add $VIP:80 proto tcp server $S2
	gwcli service set $VIP:80 proto tcp transition 30
	local before=$(rsts)
	client_run hold $VIP 80 --conns 100 --seconds 40 --interval 1 \
		> "$tmp/hold-$1.json" &
	local pid=$!

	sleep 8
	gwcli server add $VIP:80 proto tcp server $S3
	sleep 5
	gwcli server set $VIP:80 proto tcp server $S1 state draining
	sleep 5
	gwcli server replace $VIP:80 proto tcp server $S2 with $S3:8080
	sleep 5
	gwcli server del $VIP:80 proto tcp server $S1
	wait $pid
	ktap_info "svcgw $1: TCP resets sent, before: $before after: $(rsts)"
	client_run tcp $VIP 80 --conns 20 --bytes 2000 > "$tmp/new-$1.json"
}

churn_svcgw hybrid
cp "$tmp/hold-hybrid.json" "$tmp/hold.json"
broken_svcgw=$(json_get 'd["failed"]' < "$tmp/hold.json")
ktap_info "svcgw hybrid: $(cat "$tmp/hold.json")"
check "svcgw hybrid churn: 100 connections kept every byte, none broken" \
	test "$(json_get 'd["ok"]' < "$tmp/hold.json")" -eq 100
check "svcgw hybrid churn: new connections land on the new set only" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("# new connections:", d["servers"])
sys.exit(0 if d["failed"] == 0 and set(d["servers"]) == {"s3"} else 1)' \
	"$tmp/new-hybrid.json"
check "svcgw hybrid churn: the transition made sessions and counted switches" \
	test "$(svc_field $VIP:80 tcp '["switches"]')" -ge 1

churn_svcgw stateless
broken_stateless=$(json_get 'd["failed"]' < "$tmp/hold-stateless.json")
ktap_info "svcgw stateless (no sessions, for contrast): broken $broken_stateless of 100"

# The same churn through IPVS, mh scheduler, in the same boot: weight 0
# stands for draining, add-then-delete for replace.
gwcli flush
if modprobe ip_vs 2>/dev/null && modprobe ip_vs_mh 2>/dev/null &&
   command -v ipvsadm > /dev/null; then
	ipvs() { ip netns exec "$gw" ipvsadm "$@"; }
	ip -n "$gw" addr add $VIP/32 dev lo
	# mh-port: hash the source port too, so flows spread as in svcgw.
	ipvs -A -t $VIP:80 -s mh -b mh-port
	ipvs -a -t $VIP:80 -r $S1:80 -m
	ipvs -a -t $VIP:80 -r $S2:80 -m
	# The measurement itself, without churn: IPVS must keep these.
	client_run hold $VIP 80 --conns 20 --seconds 8 --interval 1 \
		> "$tmp/hold-ipvs0.json"
	check "IPVS without churn keeps 20 held connections (the yardstick works)" \
		test "$(json_get 'd["ok"]' < "$tmp/hold-ipvs0.json")" -eq 20
	client_run hold $VIP 80 --conns 100 --seconds 40 --interval 1 \
		> "$tmp/hold-ipvs.json" &
	pid=$!
	sleep 8
	ipvs -a -t $VIP:80 -r $S3:80 -m
	sleep 5
	ipvs -e -t $VIP:80 -r $S1:80 -m -w 0
	sleep 5
	ipvs -a -t $VIP:80 -r $S3:8080 -m
	ipvs -d -t $VIP:80 -r $S2:80
	sleep 5
	ipvs -d -t $VIP:80 -r $S1:80
	wait $pid
	broken_ipvs=$(json_get 'd["failed"]' < "$tmp/hold-ipvs.json")
	ktap_info "IPVS mh: $(cat "$tmp/hold-ipvs.json")"
	ktap_info "$(ipvs -Ln)"
	ipvs -C
	ip -n "$gw" addr del $VIP/32 dev lo
	ktap_info "broken connections under the same churn: svcgw hybrid $broken_svcgw, IPVS mh $broken_ipvs, svcgw stateless $broken_stateless (of 100 each)"
	ktap_ok "IPVS churn measured in the same boot"
else
	ktap_skip "IPVS churn" "ip_vs, ip_vs_mh or ipvsadm missing"
fi

# --- 2. UDP across a transition --------------------------------------------------
gwcli flush
gwcli config set timeout-udp 3
gwcli service add $VIP:53 proto udp mode hybrid transition 0
gwcli server add $VIP:53 proto udp server $S1
gwcli server add $VIP:53 proto udp server $S2
# Long enough for the 60 requests below on a loaded host (8 s was not, once),
# and on the debug kernel (make check-debug), which is slower still.
udp_transition=20
[ "${SVCGW_TEST_LONG:-0}" = 1 ] && udp_transition=60
gwcli service set $VIP:53 proto udp transition $udp_transition
client_run udp $VIP 53 --count 60 --sport-base 40000 > "$tmp/u0.json"
check "udp hybrid, steady: no sessions made" test "$(stat_field sessions_cur)" -eq 0
gwcli server add $VIP:53 proto udp server $S3
marked=$(svc_field $VIP:53 udp '["marked"]')
ktap_info "entries marked by adding a third server: $marked"
check "a server added: entries marked, state stateful (transition)" \
	test "$marked" -gt 0 -a "$(svc_field $VIP:53 udp '["reason"]')" = transition
client_run udp $VIP 53 --count 60 --sport-base 40000 > "$tmp/u1.json"
check "during the transition every udp flow keeps its server" \
	python3 -c '
import json, sys
a, b = (json.load(open(f))["flows"] for f in sys.argv[1:3])
sys.exit(0 if a == b else 1)' "$tmp/u0.json" "$tmp/u1.json"
# Sessions made, not sessions now: on a loaded machine the first ones may
# have expired (timeout-udp 3) before the last request.
check "during the transition the flows on moved entries got sessions" \
	test "$(svc_field $VIP:53 udp '["sessions"]')" -gt 0
# The transition ends, then the sessions made in it expire (3 s).
busywait $(((udp_transition + 30) * 1000)) bash -c "[ \"\$(ip netns exec $gw $SVCGW_BIN -j service show | python3 -c 'import json,sys; print(json.load(sys.stdin)[0][\"marked\"])')\" -eq 0 ]"
check "timer expiry: no entry marked, state back to stateless" \
	test "$(svc_field $VIP:53 udp '["marked"]')" -eq 0 -a \
	     "$(svc_field $VIP:53 udp '["reason"]')" = none
busywait 15000 bash -c "[ \"\$(ip netns exec $gw $SVCGW_BIN -j stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"sessions_cur\"])')\" -eq 0 ]"
client_run udp $VIP 53 --count 60 --sport-base 40000 > "$tmp/u2.json"
check "after the transition the flows of moved entries are on the new server" \
	python3 -c '
import json, sys
a, b = (json.load(open(f))["flows"] for f in sys.argv[1:3])
moved = [p for p in a if a[p] != b[p]]
print("# moved after the transition:", len(moved), "of", len(a))
sys.exit(0 if moved and all(b[p] == "s3" for p in moved) else 1)' \
	"$tmp/u0.json" "$tmp/u2.json"

# Back-to-back: a change, then its undoing, while the first runs.
gwcli server del $VIP:53 proto udp server $S3
check "a change during a transition: entries marked again" \
	test "$(svc_field $VIP:53 udp '["marked"]')" -gt 0
gwcli server add $VIP:53 proto udp server $S3
check "undoing it within the transition leaves no entry marked" \
	test "$(svc_field $VIP:53 udp '["marked"]')" -eq 0
gwcli server set $VIP:53 proto udp server $S1 weight 3
gwcli server set $VIP:53 proto udp server $S2 weight 2
client_run udp $VIP 53 --count 60 --sport-base 40000 > "$tmp/u3.json"
check "two changes in one transition: every flow still on its first server" \
	python3 -c '
import json, sys
a, b = (json.load(open(f))["flows"] for f in sys.argv[1:3])
sys.exit(0 if a == b else 1)' "$tmp/u2.json" "$tmp/u3.json"

# Down: flows leave the server at once, sessions or not.
client_run udp $VIP 53 --count 60 --sport-base 41000 > "$tmp/u4.json"
gwcli server set $VIP:53 proto udp server $S3 state down
client_run udp $VIP 53 --count 60 --sport-base 41000 > "$tmp/u5.json"
check "server set down: its flows move at once, all answered" \
	python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
print("# on s3 before:", a["servers"].get("s3", 0), "after:", b["servers"].get("s3", 0))
sys.exit(0 if b["failed"] == 0 and "s3" not in b["servers"]
         and a["servers"].get("s3", 0) > 0 else 1)' "$tmp/u4.json" "$tmp/u5.json"
check "service show reports the server down" \
	test "$(gwcli -j service show $VIP:53 proto udp | json_get '[s["state"] for s in d[0]["servers"] if s["address"] == "198.51.100.13"][0]')" = down

# Draining ends at a deadline, or by itself once the server's flows end.
srv_state()
{
	gwcli -j service show $VIP:53 proto udp |
		json_get "[s['state'] for s in d[0]['servers'] if s['address'] == '$1'][0]"
}
gwcli server set $VIP:53 proto udp server $S3 state active
# The deadline must outlast the query below: on the debug kernel, beside
# another guest, 3 s did not (the state read "down" already).
drain_deadline=3
[ "${SVCGW_TEST_LONG:-0}" = 1 ] && drain_deadline=15
gwcli server set $VIP:53 proto udp server $S2 state draining deadline $drain_deadline
check "draining with a deadline: reported draining" test "$(srv_state $S2)" = draining
busywait $(((drain_deadline + 12) * 1000)) bash -c "[ \"\$(ip netns exec $gw $SVCGW_BIN -j service show $VIP:53 proto udp | python3 -c 'import json,sys; print([s[\"state\"] for s in json.load(sys.stdin)[0][\"servers\"] if s[\"address\"] == \"$S2\"][0])')\" = down ]"
check "drain deadline passed: the server is down" test "$(srv_state $S2)" = down
gwcli server set $VIP:53 proto udp server $S2 state active
client_run udp $VIP 53 --count 30 --sport-base 46000 > /dev/null
gwcli server set $VIP:53 proto udp server $S1 state draining
check "draining without a deadline: stays draining while it has flows" \
	test "$(srv_state $S1)" = draining
# The drain starts a transition ($udp_transition s): wait for it and more.
busywait $(((udp_transition + 60) * 1000)) bash -c "[ \"\$(ip netns exec $gw $SVCGW_BIN -j service show $VIP:53 proto udp | python3 -c 'import json,sys; print([s[\"state\"] for s in json.load(sys.stdin)[0][\"servers\"] if s[\"address\"] == \"$S1\"][0])')\" = down ]"
check "draining without a deadline: down once its sessions and the transition ended" \
	test "$(srv_state $S1)" = down
gwcli server set $VIP:53 proto udp server $S1 state active
# These sessions must outlive the flush and the listing below (3 s did not
# on the debug kernel of make check-debug).
gwcli config set timeout-udp 60
client_run udp $VIP 53 --count 30 --sport-base 47000 > /dev/null

gwcli session flush $VIP:53 proto udp server $S1
check "session flush of one server leaves the others' sessions" \
	python3 -c '
import json, subprocess, sys
d = json.loads(sys.stdin.read())
sys.exit(0 if d and all(s["server"] != "198.51.100.11" for s in d) else 1)' \
	< <(gwcli -j session show)

# --- 3. hybrid conditions ------------------------------------------------------------
gwcli flush
# The 150 flows of the pressure check below must all be alive at its end:
# the debug kernel took longer than 60 s to send them once (its pressure
# went off as the first ones expired).
hybrid_udp_timeout=60
[ "${SVCGW_TEST_LONG:-0}" = 1 ] && hybrid_udp_timeout=600
gwcli config set timeout-udp $hybrid_udp_timeout session-max 100
gwcli service add $VIP:54 proto udp transition 0
for s in $S1 $S2 $S3; do gwcli server add $VIP:54 proto udp server $s:5353; done
check "hybrid is the default mode" test "$(svc_field $VIP:54 udp '["mode"]')" = hybrid
gwcli service set $VIP:54 proto udp stateful on
client_run udp $VIP 54 --count 20 --sport-base 42000 > /dev/null
check "operator condition on: every new flow gets a session" \
	test "$(stat_field sessions_cur)" -eq 20 -a \
	     "$(svc_field $VIP:54 udp '["reason"]')" = operator
gwcli service set $VIP:54 proto udp stateful off
client_run udp $VIP 54 --count 20 --sport-base 43000 > "$tmp/off.json"
check "operator condition off: new flows stateless, answered" \
	test "$(stat_field sessions_cur)" -eq 20 -a \
	     "$(json_get 'd["failed"]' < "$tmp/off.json")" -eq 0
client_run udp $VIP 54 --count 20 --sport-base 42000 > "$tmp/old.json"
check "sessions made earlier keep working" \
	test "$(json_get 'd["failed"]' < "$tmp/old.json")" -eq 0
check "switches counted (on, then off)" \
	test "$(svc_field $VIP:54 udp '["switches"]')" -ge 2

gwcli service set $VIP:54 proto udp stateful on
client_run udp $VIP 54 --count 150 --sport-base 44000 > "$tmp/flood.json"
check "pressure: 150 new flows against a cap of 100 all answered" \
	test "$(json_get 'd["failed"]' < "$tmp/flood.json")" -eq 0
cur=$(stat_field sessions_cur) pressure=$(stat_field pressure)
reason=$(svc_field $VIP:54 udp '["reason"]')
check "pressure: sessions stop at the high watermark ($cur sessions, pressure $pressure, reason $reason)" \
	test "$cur" -le 100 -a "$pressure" -eq 1 -a "$reason" = pressure
gwcli session flush
busywait 5000 bash -c "[ \"\$(ip netns exec $gw $SVCGW_BIN -j stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"pressure\"])')\" -eq 0 ]"
check "pressure off below the low watermark: sessions made again" \
	bash -c "ip netns exec $client python3 $LBTOOL udp $VIP 54 --count 5 --sport-base 45000 > /dev/null"
check "pressure switched on and off, counted" \
	test "$(stat_field pressure_switches)" -ge 2 -a "$(stat_field sessions_cur)" -eq 5

# A SYN flood far beyond the cap: established connections live on.
gwcli service add $VIP:80 proto tcp stateful on transition 0
for s in $S1 $S2 $S3; do gwcli server add $VIP:80 proto tcp server $s; done
gwcli config set session-max 200
client_run hold $VIP 80 --conns 20 --seconds 25 --interval 1 > "$tmp/hold-flood.json" &
pid=$!
sleep 6
ip netns exec "$client" python3 "$SVCGW_SRC/selftests/net/synflood.py" $VIP 80 3000
wait $pid
check "syn flood of 3000 beyond a cap of 200: the 20 held connections intact" \
	test "$(json_get 'd["ok"]' < "$tmp/hold-flood.json")" -eq 20
check "syn flood: the session table stayed within its cap" \
	test "$(stat_field sessions_cur)" -le 200

# --- 4. unload during a transition -----------------------------------------------------
gwcli service set $VIP:54 proto udp transition 60
gwcli server add $VIP:54 proto udp server $S1:5354
check "a transition is running" test "$(svc_field $VIP:54 udp '["marked"]')" -gt 0
check "rmmod during a transition" rmmod svcgw

ktap_finish
