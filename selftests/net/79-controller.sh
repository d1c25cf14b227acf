#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# svcgwd, controller and agents: forwarding policy sets switched by
# condition, pushed over the authenticated control channel, node notices.
#
#   client 203.0.113.2 --veth-- nn (svcgw, agent "nn") --br0-- lb1 -- s1
#          2001:db8:1::2                    2001:db8:5::/64
#                                                         +--- lb2 -- s2
#                                                         +--- ctl (controller)
#                                                         +--- nn2 (agent "nn2")
#
# The controller has two sets for the service address: A (group ga: lb1,
# ipip) as the fallback, and before it B (group gb: lb2, GUE) when fewer
# than 1 of A's destinations is healthy (a TCP check of port 8080 on
# lb1).  Checked:
#   - the agents connect, the controller pushes A with a generation, nn's
#     kernel has it (svcgw policy show: set, generation, reason, since);
#   - lb1's check fails (its listener stops: maintenance): B replaces A on
#     nn, atomically: a stream of new TCP connections and UDP requests sent
#     throughout reaches s1 (A) then s2 (B), none lost, never back to A
#     (no mixture); 20 connections held across the switch all survive
#     (the forwarder's transition); detection time printed;
#   - a flapping check (lb1's listener up 1.5 s, down 1.5 s) switches at
#     most once per hold-down;
#   (on the debug kernel, SVCGW_TEST_LONG=1, every time above, the
#   daemons' heartbeat, probes and hold-down included, is four times
#   longer)
#   - the controller killed: nn's set and traffic unchanged; restarted with
#     the same file: nothing pushed anew (generation unchanged, the agent
#     says "already in the kernel"), no transition started;
#   - svcgw policy flush on nn: the agent applies the set again;
#   - the operator's command (svcgwd --operator M=on): M (its condition
#     "operator", first in order) replaces B; off, B again;
#   - node notices: nn2 frozen (SIGSTOP) goes down after dead_after, nn
#     hears it with a node generation; thawed, it is back up;
#   - connections refused and counted: no certificate (plain TCP), a
#     certificate of another CA, a certificate of the CA that is not a
#     node, a node's certificate sending a message that claims another
#     node, the same message twice (replayed) and garbage.
#   - the controller's file reloaded (SIGHUP) with IPv6 policies and
#     groups in every set: the active set pushed again with a new
#     generation, IPv6 TCP and UDP follow it (GUE over IPv6), held
#     connections survive; a file with an error and a missing file:
#     refused, named, the controller runs on with what it had; lb1 back:
#     A again, IPv6 too (ip6ip6);
#   - a load condition (set L, reloaded in before the others): a burst of
#     UDP requests above its rate switches to L, and after it, below the
#     lower rate and past the hold-down, back to A.

set -u

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/topo.sh"

topo_init openssl

SVCGWD=$SVCGW_SRC/tools/svcgwd/svcgwd
MKCERTS=$SVCGW_SRC/tools/svcgwd/mkcerts.sh
[ -x "$SVCGWD" ] || { echo "# SKIP: $SVCGWD not built"; exit "$ksft_skip"; }
GUE_PORT=6080
LB=(198.51.100.21 198.51.100.22)
LB6=(2001:db8:5::21 2001:db8:5::22)
CTL_IP=198.51.100.40
NN2_IP=198.51.100.41

# The debug kernel (SVCGW_TEST_LONG=1) is several times slower: the waits
# for what the daemons do are four times longer there.
SLOW=1
[ "${SVCGW_TEST_LONG:-0}" = 1 ] && SLOW=4
# The daemons' own times too: a 200 ms probe timeout, there, failed now and
# then and flapped the sets from the start.
HB=$((300 * SLOW))		# heartbeat, ms
DEAD=$((1500 * SLOW))		# dead_after, ms
HOLD=$((6 * SLOW))		# hold_down, s
PROBE="interval: $((300 * SLOW))ms, timeout: $((200 * SLOW))ms"
FLAP=$((15 * SLOW))		# tenths of a second up, then down
TRANS=$((30 * SLOW))		# the sets' transition, s

svcgw_load || { ktap_fail "module loads"; ktap_finish; }
ktap_ok "module loads"
for m in ipip ip6_tunnel fou fou6; do
	modprobe "$m" 2> /dev/null
done

nncli() { ip netns exec "$nn" "$SVCGW_BIN" "$@"; }

# --- the network ---------------------------------------------------------------
setup_ns client nn lb1 lb2 s1 s2 ctl nn2 || { ktap_fail "namespaces"; ktap_finish; }
ok=true
ip link add veth0 netns "$client" type veth peer name vc netns "$nn" || ok=false
ip -n "$client" addr add $CLIENT_IP/24 dev veth0
ip -n "$client" addr add $CLIENT_IP6/64 dev veth0 nodad
ip -n "$client" link set veth0 up
ip -n "$client" route add default via 203.0.113.1
ip -n "$client" -6 route add default via 2001:db8:1::1
ip -n "$nn" addr add 203.0.113.1/24 dev vc
ip -n "$nn" addr add 2001:db8:1::1/64 dev vc nodad
ip -n "$nn" link set vc up
ip -n "$nn" link add br0 mtu 1600 type bridge
ip -n "$nn" addr add 198.51.100.1/26 dev br0
ip -n "$nn" addr add 2001:db8:5::1/64 dev br0 nodad
ip -n "$nn" link set br0 up
ip netns exec "$nn" sysctl -qw net.ipv4.ip_forward=1 \
	net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.rp_filter=0
for i in 1 2; do
	eval lb=\$lb$i
	eval s=\$s$i
	ip link add veth0 mtu 1600 netns "$lb" type veth peer name vl$i mtu 1600 netns "$nn" || ok=false
	ip -n "$nn" link set vl$i master br0 up
	ip -n "$lb" addr add "${LB[i - 1]}/26" dev veth0
	ip -n "$lb" addr add "${LB6[i - 1]}/64" dev veth0 nodad
	ip -n "$lb" link set veth0 up
	ip -n "$lb" route add default via 198.51.100.1
	ip -n "$lb" -6 route add default via 2001:db8:5::1
	ip netns exec "$lb" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 || ok=false
	ip -n "$lb" link set tunl0 up || ok=false
	ip -n "$lb" link set ip6tnl0 up || ok=false
	ip netns exec "$lb" sysctl -qw net.ipv4.conf.tunl0.rp_filter=0
	ip -n "$lb" fou add port $GUE_PORT gue || ok=false
	ip -n "$lb" -6 fou add port $GUE_PORT gue || ok=false
	ip link add veth0 netns "$s" type veth peer name vs netns "$lb" || ok=false
	ip -n "$lb" addr add "198.51.100.$((64 + 4 * i + 1))/30" dev vs
	ip -n "$lb" addr add "2001:db8:6:$i::1/64" dev vs nodad
	ip -n "$lb" link set vs up
	ip -n "$s" addr add "198.51.100.$((64 + 4 * i + 2))/30" dev veth0
	ip -n "$s" addr add "2001:db8:6:$i::2/64" dev veth0 nodad
	ip -n "$s" link set veth0 up
	ip -n "$s" route add default via "198.51.100.$((64 + 4 * i + 1))"
	ip -n "$s" -6 route add default via "2001:db8:6:$i::1"
	for svc in "$VIP:80 proto tcp" "$VIP:53 proto udp"; do
		ip netns exec "$lb" "$SVCGW_BIN" service add $svc || ok=false
		ip netns exec "$lb" "$SVCGW_BIN" server add $svc \
			server "198.51.100.$((64 + 4 * i + 2))" || ok=false
	done
	for svc in "[$VIP6]:80 proto tcp" "[$VIP6]:53 proto udp"; do
		ip netns exec "$lb" "$SVCGW_BIN" service add $svc || ok=false
		ip netns exec "$lb" "$SVCGW_BIN" server add $svc \
			server "2001:db8:6:$i::2" || ok=false
	done
	ip netns exec "$s" python3 "$LBTOOL" serve s$i --tcp 80 --udp 53 \
		> /dev/null 2>&1 &
	disown
done
for pair in "ctl $CTL_IP 2001:db8:5::40" "nn2 $NN2_IP 2001:db8:5::41"; do
	set -- $pair
	eval ns=\$$1
	ip link add veth0 netns "$ns" type veth peer name v$1 netns "$nn" || ok=false
	ip -n "$nn" link set v$1 master br0 up
	ip -n "$ns" addr add "$2/26" dev veth0
	ip -n "$ns" addr add "$3/64" dev veth0 nodad
	ip -n "$ns" link set veth0 up
done
check "network: client, network node nn, lb1 (ipip), lb2 (GUE $GUE_PORT) with a server each (IPv4 and IPv6), controller and nn2 on the bridge" $ok
ok=true
for s in "$s1" "$s2"; do
	busywait 240000 ns_listens "$s" 80 || ok=false
done
check "servers listen" $ok

# lb1's health listener (the controller's check): up while it runs, on
# IPv4 and IPv6.
health_up()
{
	ip netns exec "$lb1" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 8080)); s.listen(64)
while True:
    c, _ = s.accept(); c.close()' > /dev/null 2>&1 &
	health_pid=$!
	busywait 20000 ns_listens "$lb1" 8080
}
health_down() { kill "$health_pid" 2> /dev/null; wait "$health_pid" 2> /dev/null; }
health_up
ip netns exec "$lb2" python3 -m http.server 8080 --bind 0.0.0.0 \
	--directory /tmp > /dev/null 2>&1 &
disown
busywait 20000 ns_listens "$lb2" 8080

# --- certificates ---------------------------------------------------------------
ok=true
"$MKCERTS" "$tmp/pki" ctl nn nn2 intruder > /dev/null 2>&1 || ok=false
"$MKCERTS" "$tmp/evil" nn > /dev/null 2>&1 || ok=false
check "certificates: a CA, ctl, nn, nn2, intruder; another CA's nn" $ok
tls()
{
	printf 'tls:\n  ca: %s\n  cert: %s\n  key: %s\n' "$tmp/pki/ca.crt" \
		"$tmp/pki/$1.crt" "$tmp/pki/$1.key"
}

# --- the files ------------------------------------------------------------------
# ctl_conf [v6] [load]: the controller's file; "v6" adds IPv6 policies and
# groups to every set, "load" a set L (load above $LOAD_HIGH packets/s,
# until below $LOAD_LOW) before the others.
LOAD_HIGH=$((160 / SLOW))
LOAD_LOW=$((40 / SLOW))
# six_group V6 NAME LB METHOD [CHECK], six_pol V6 GROUP: a set's IPv6 part
six_group()
{
	$1 || return 0
	echo "      - name: $2"
	[ -z "${5:-}" ] || echo "        check: $5"
	echo "        dests: [{address: \"$3\", $4}]"
}
six_pol()
{
	$1 || return 0
	echo "      - {address: \"$VIP6\", port: 80, proto: tcp, group: $2}"
	echo "      - {address: \"$VIP6\", port: 53, proto: udp, group: $2}"
}
ctl_conf()
{
	local v6=false load=false a

	for a; do
		case $a in v6) v6=true ;; load) load=true ;; esac
	done
	cat <<EOF
node: ctl
$(tls ctl)
listen: {address: $CTL_IP, port: 7440}
heartbeat: ${HB}ms
dead_after: ${DEAD}ms
hold_down: ${HOLD}s
nodes: [nn, nn2]
checks:
  lb: {type: tcp, port: 8080, $PROBE, rise: 1, fall: 2}
policy_sets:
EOF
	$load && cat <<EOF
  - name: L                  # busy: more than $LOAD_HIGH packets/s
    when: {load: $LOAD_HIGH, below: $LOAD_LOW}
    transition: $TRANS
    groups:
      - name: gl
        dests: [{address: ${LB[1]}, method: ipip}]
$(six_group $v6 gl6 "${LB6[1]}" "method: ipip")
    policies:
      - {address: $VIP, port: 80, proto: tcp, group: gl}
      - {address: $VIP, port: 53, proto: udp, group: gl}
$(six_pol $v6 gl6)
EOF
	cat <<EOF
  - name: M                  # maintenance: while the operator says so
    when: operator
    transition: $TRANS
    groups:
      - name: gm
        dests: [{address: ${LB[1]}, method: ipip}]
$(six_group $v6 gm6 "${LB6[1]}" "method: ipip")
    policies:
      - {address: $VIP, port: 80, proto: tcp, group: gm}
      - {address: $VIP, port: 53, proto: udp, group: gm}
$(six_pol $v6 gm6)
  - name: B
    when: {health: A, min_healthy: 1}
    transition: $TRANS
    groups:
      - name: gb
        check: lb
        dests: [{address: ${LB[1]}, method: gue, gue_port: $GUE_PORT}]
$(six_group $v6 gb6 "${LB6[1]}" "method: gue, gue_port: $GUE_PORT")
    policies:
      - {address: $VIP, port: 80, proto: tcp, group: gb}
      - {address: $VIP, port: 53, proto: udp, group: gb}
$(six_pol $v6 gb6)
  - name: A
    transition: $TRANS
    groups:
      - name: ga
        check: lb
        dests: [{address: ${LB[0]}, method: ipip}]
$(six_group $v6 ga6 "${LB6[0]}" "method: ipip" lb)
    policies:
      - {address: $VIP, port: 80, proto: tcp, group: ga}
      - {address: $VIP, port: 53, proto: udp, group: ga}
$(six_pol $v6 ga6)
EOF
}
ctl_conf > "$tmp/ctl.conf"
for n in nn nn2; do
	cat > "$tmp/$n.conf" <<EOF
node: $n
$(tls $n)
controller: {address: $CTL_IP, port: 7440, name: ctl}
EOF
done
out=$("$SVCGWD" --check "$tmp/ctl.conf" 2>&1)
check "svcgwd --check of the controller's file: $out" test $? -eq 0
out=$("$SVCGWD" --check "$tmp/nn.conf" 2>&1)
check "svcgwd --check of an agent's file: $out" test $? -eq 0

ctl_log=$tmp/ctl.log	# the controller's; the agents' in $tmp/NODE.log
start_ctl()
{
	ip netns exec "$ctl" "$SVCGWD" -f "$tmp/ctl.conf" \
		--state "$tmp/ctl.state" --control "$tmp/ctl.sock" \
		>> "$ctl_log" 2>&1 &
	ctl_pid=$!
}
start_agent()
{
	ip netns exec "$(eval echo \$$1)" "$SVCGWD" -f "$tmp/$1.conf" \
		--reconcile 1 >> "$tmp/$1.log" 2>&1 &
	eval agent_$1=$!
}
pset() { nncli -j policy show | json_get "$1"; }
# more FILE PATTERN N: FILE has more than N lines matching PATTERN (for
# busywait, which runs it again each time)
more() { [ "$(grep -c -E "$2" "$1")" -gt "$3" ]; }
set_is() { [ "$(pset 'd["name"]')" = "$1" ]; }

# --- 1. A pushed ----------------------------------------------------------------
start_ctl
start_agent nn
start_agent nn2
busywait $((30000 * SLOW)) grep -q "node nn has set A" "$ctl_log"
check "the controller chose A and nn applied it" grep -q "node nn has set A generation 1" "$ctl_log"
busywait $((10000 * SLOW)) grep -q "node nn2 up" "$ctl_log"
check "both agents connected (node nn up, node nn2 up)" \
	test "$(grep -c -E 'node nn2? up' "$ctl_log")" -eq 2
check "nn's kernel: set A generation 1 ($(pset '(d["name"], d["generation"])'))" \
	test "$(pset '(d["name"], d["generation"])')" = "('A', 1)"
nncli policy show | head -n 3 | sed 's/^/# /'
check "  with its reason and age" \
	test "$(pset 'bool(d.get("reason")) and d.get("age_ms", -1) >= 0')" = True
client_run tcp $VIP 80 --conns 5 --bytes 1000 > "$tmp/a.json"
check "traffic follows A: s1 ($(json_get 'sorted(d["servers"])' < "$tmp/a.json"))" \
	test "$(json_get 'sorted(d["servers"]) if d["failed"] == 0 else d["errors"]' < "$tmp/a.json")" = "['s1']"

# --- 2. A's destination fails: B replaces A --------------------------------------
cat > "$tmp/stream.py" <<'PY'
# New TCP connections and UDP requests, alternately, every 50 ms until the
# stop file exists: the server of each (or "lost") in order; STOP.started
# once the first pair is done.
import json, os, socket, sys, time
sys.path.insert(0, os.path.dirname(sys.argv[1]))
import lbtool
vip, stop = sys.argv[2], sys.argv[3]
seq = []
while not os.path.exists(stop):
    try:
        name, ok, _, err = lbtool.tcp_one(vip, 80, 200, 3)
        seq.append(("tcp", name if ok else "lost:" + str(err)))
    except OSError as e:
        seq.append(("tcp", "lost:" + str(e)))
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(3)
    try:
        u.sendto(b"x" * 16, (vip, 53))
        d, _ = u.recvfrom(2048)
        seq.append(("udp", d.partition(b":")[0].decode()))
    except OSError as e:
        seq.append(("udp", "lost:" + str(e)))
    u.close()
    if len(seq) == 2:
        open(stop + ".started", "w").close()
    time.sleep(0.05)
json.dump(seq, sys.stdout)
PY
client_run hold $VIP 80 --conns 20 --seconds 22 --interval 1 > "$tmp/hold.json" &
hold_pid=$!
ip netns exec "$client" python3 "$tmp/stream.py" "$LBTOOL" $VIP "$tmp/stop" \
	> "$tmp/stream.json" &
stream_pid=$!
# The failure once the stream has begun (its first connection and datagram
# done; starting Python takes seconds on the debug kernel), and a few more
# of A's.
busywait $((20000 * SLOW)) test -e "$tmp/stop.started" ||
	ktap_info "the stream has not begun"
sleep 2
t0=$(date +%s%3N)
health_down
busywait $((15000 * SLOW)) grep -q "set A -> B" "$ctl_log"
t1=$(date +%s%3N)
busywait $((10000 * SLOW)) grep -q "node nn has set B" "$ctl_log"
t2=$(date +%s%3N)
check "lb1's check failed: the controller switched A -> B in $((t1 - t0)) ms (fall 2 x $((300 * SLOW)) ms)" \
	grep -q "switch to generation 2: set A -> B: 0 of 1 destinations of set A healthy, fewer than 1" "$ctl_log"
check "  nn applied B generation 2, $((t2 - t0)) ms after the failure" \
	test "$(pset '(d["name"], d["generation"], d.get("previous_generation"))')" = "('B', 2, 1)"
ktap_info "$(grep 'set A -> B' "$ctl_log")"
ktap_info "$(grep 'policy set B generation 2' "$tmp/nn.log")"
sleep 4
touch "$tmp/stop"
wait $stream_pid
check "the stream: $(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(len(s), "requests,", sum(1 for _, n in s if n.startswith("lost")), "lost")' "$tmp/stream.json")" \
	python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
lost = [x for x in s if x[1].startswith("lost")]
tcp = [n for p, n in s if p == "tcp"]
udp = [n for p, n in s if p == "udp"]
def monotone(seq):
    # s1 ... s1 s2 ... s2: A before, B after, never back
    return seq and seq == sorted(seq) and set(seq) <= {"s1", "s2"}
print("# tcp:", "".join("A" if n == "s1" else "B" if n == "s2" else "?" for n in tcp))
print("# udp:", "".join("A" if n == "s1" else "B" if n == "s2" else "?" for n in udp))
sys.exit(0 if not lost and monotone(tcp) and tcp[0] == "s1" and
         tcp[-1] == "s2" and monotone(udp) and udp[0] == "s1" else 1)' "$tmp/stream.json"
wait $hold_pid
check "20 connections held across the switch: $(json_get 'd["ok"]' < "$tmp/hold.json") kept, $(json_get 'd["failed"]' < "$tmp/hold.json") broken" \
	test "$(json_get 'd["ok"]' < "$tmp/hold.json")" -eq 20
client_run tcp $VIP 80 --conns 5 --bytes 1000 > "$tmp/b.json"
check "new connections follow B: s2 ($(json_get 'sorted(d["servers"])' < "$tmp/b.json"))" \
	test "$(json_get 'sorted(d["servers"]) if d["failed"] == 0 else d["errors"]' < "$tmp/b.json")" = "['s2']"

# --- 3. a flapping condition: at most one switch per hold-down ------------------
n0=$(grep -c "switch to generation" "$ctl_log")
d0=$(grep -c "destination ${LB[0]} of set A: " "$ctl_log")
f0=$(date +%s)
for round in 1 2 3 4 5; do
	health_up
	sleep "$((FLAP / 10)).$((FLAP % 10))"
	health_down
	sleep "$((FLAP / 10)).$((FLAP % 10))"
done
f1=$(date +%s)
n1=$(grep -c "switch to generation" "$ctl_log")
d1=$(grep -c "destination ${LB[0]} of set A: " "$ctl_log")
check "flapping for $((f1 - f0)) s: lb1 changed $((d1 - d0)) times, the set $((n1 - n0)) times (hold-down $HOLD s)" \
	test $((d1 - d0)) -ge 6 -a $((n1 - n0)) -le $(( (f1 - f0) / HOLD + 1 ))
check "  switches during the flapping at least the hold-down apart" \
	python3 -c '
import re, sys
t = [float(x) for x in re.findall(r"\[\s*([\d.]+)\] switch to generation", open(sys.argv[1]).read())]
t = t[int(sys.argv[2]) - 1:]    # the last switch before the flapping, and those in it
gaps = [round(b - a, 1) for a, b in zip(t, t[1:])]
print("# gaps between switches (s):", gaps)
sys.exit(0 if all(g >= float(sys.argv[3]) - 0.1 for g in gaps) else 1)' "$ctl_log" "$n0" "$HOLD"
grep "switch to generation" "$ctl_log" | sed 's/^/# /'
# Settle on B (lb1 down), past the hold-down.
sleep $((HOLD + 2))
check "settled: B on nn ($(pset '(d["name"], d["generation"])'))" \
	test "$(pset 'd["name"]')" = B
gen_before=$(pset 'd["generation"]')

# --- 4. the controller killed, then restarted ------------------------------------
kill -9 $ctl_pid
wait $ctl_pid 2> /dev/null
busywait $((10000 * SLOW)) grep -q "controller ctl lost" "$tmp/nn.log"
check "the controller killed: nn's agent notices" grep -q "controller ctl lost" "$tmp/nn.log"
client_run tcp $VIP 80 --conns 5 --bytes 1000 > "$tmp/nc.json"
check "  data plane unchanged: set B generation $gen_before, traffic to s2" \
	test "$(pset 'd["generation"]')" = "$gen_before" -a \
	"$(json_get 'sorted(d["servers"]) if d["failed"] == 0 else d["errors"]' < "$tmp/nc.json")" = "['s2']"
client_run hold $VIP 80 --conns 10 --seconds 12 --interval 1 > "$tmp/hold2.json" &
hold_pid=$!
sleep 1
c0=$(grep -c "node nn connected" "$ctl_log")
age0=$(pset 'd["age_ms"]')
l0=$(wc -l < "$ctl_log")
start_ctl
busywait $((20000 * SLOW)) more "$ctl_log" 'node nn connected' "$c0"
sleep $((3 * SLOW))	# past the controller's settling time: its first choice is made
tail -n +$((l0 + 1)) "$ctl_log" | sed 's/^/# /'
check "restarted with the same file: nn reconnected with B generation $gen_before, nothing pushed, no switch" \
	test "$(tail -n +$((l0 + 1)) "$ctl_log" | grep -c -E "node nn connected .* set B generation $gen_before\$")" -eq 1 -a \
	"$(tail -n +$((l0 + 1)) "$ctl_log" | grep -c -E "switch to generation|node nn has set")" -eq 0
check "  nn's set not replaced: generation $(pset 'd["generation"]') as before, its age grew from $age0 to $(pset 'd["age_ms"]') ms" \
	test "$(pset '(d["generation"], d["age_ms"] > '"$age0"')')" = "($gen_before, True)"
wait $hold_pid
check "  10 connections held across the restart: $(json_get 'd["failed"]' < "$tmp/hold2.json") broken" \
	test "$(json_get 'd["ok"]' < "$tmp/hold2.json")" -eq 10

# --- 5. the kernel's set flushed under the agent ---------------------------------
nncli policy flush transition 0
busywait $((10000 * SLOW)) set_is B
check "svcgw policy flush on nn: the agent applied B again ($(pset '(d["name"], d["generation"])'))" \
	test "$(pset '(d["name"], d["generation"])')" = "('B', $gen_before)"

# --- 5b. the operator's command ------------------------------------------------
op() { ip netns exec "$ctl" "$SVCGWD" --control "$tmp/ctl.sock" "$@"; }
out=$(op --operator M=on)
check "svcgwd --operator M=on: $out" test $? -eq 0
busywait $((10000 * SLOW)) set_is M
check "  nn has M ($(pset '(d["name"], d["generation"], d.get("reason"))'))" \
	test "$(pset '(d["name"], d.get("reason"))')" = "('M', 'set B -> M: the operator asked for it')"
out=$(op --operator B=on 2>&1)
check "--operator of a set whose condition is not operator: refused ($out)" \
	test $? -ne 0
out=$(op --operator M=off)
check "svcgwd --operator M=off: $out" test $? -eq 0
busywait $((10000 * SLOW)) set_is B
check "  back to B after the hold-down ($(pset '(d["name"], d["generation"])'))" \
	test "$(pset 'd["name"]')" = B
out=$(op --status)
check "svcgwd --status: $out" test "$(echo "$out" | json_get '(d["ok"], d["active"])')" = "(True, 'B')"
gen_before=$(pset 'd["generation"]')

# --- 6. node notices ------------------------------------------------------------
g0=$(grep -c "node nn2 down" "$tmp/nn.log")
kill -STOP $agent_nn2
t0=$(date +%s%3N)
busywait $((10000 * SLOW)) more "$tmp/nn.log" 'node nn2 down' "$g0"
t1=$(date +%s%3N)
check "nn2 frozen: down after $((t1 - t0)) ms (dead_after $DEAD ms), nn hears it" \
	test "$(grep -c 'node nn2 down' "$tmp/nn.log")" -gt "$g0"
ktap_info "$(grep 'node nn2 down' "$tmp/nn.log" | tail -n 1)"
u0=$(grep -c 'node nn2 up' "$tmp/nn.log")
kill -CONT $agent_nn2
busywait $((15000 * SLOW)) more "$tmp/nn.log" 'node nn2 up' "$u0"
check "thawed: nn2 reconnects and is up again, with a later node generation" \
	python3 -c '
import re, sys
g = [int(m) for m in re.findall(r"node nn2 (?:up|down) \(node generation (\d+)\):", open(sys.argv[1]).read())]
print("# nn2 node generations seen by nn:", g)
sys.exit(0 if len(g) >= 2 and g == sorted(g) and len(set(g)) == len(g) else 1)' "$tmp/nn.log"

# --- 7. refused connections -----------------------------------------------------
cat > "$tmp/intrude.py" <<'PY'
# intrude.py MODE DIR: a connection to the controller as MODE says.
import json, socket, ssl, struct, sys, time
mode, d, other = sys.argv[1], sys.argv[2], sys.argv[3]
addr = (sys.argv[4], 7440)
def frame(o):
    b = json.dumps(o).encode()
    return struct.pack(">I", len(b)) + b
def tls(cert_dir, name):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.minimum_version = ssl.TLSVersion.TLSv1_3
    c.load_verify_locations(d + "/ca.crt")
    c.load_cert_chain(cert_dir + "/" + name + ".crt", cert_dir + "/" + name + ".key")
    c.check_hostname = False
    s = c.wrap_socket(socket.create_connection(addr, timeout=5))
    return s
def closed(s):
    # The controller ends the connection: EOF or an error.
    s.settimeout(5)
    try:
        while s.recv(4096):
            pass
    except (OSError, ssl.SSLError):
        pass
    return True
if mode == "plain":
    s = socket.create_connection(addr, timeout=5)
    s.sendall(frame({"type": "hello", "seq": 1, "node": "nn"}))
    closed(s)
elif mode == "evil":
    try:
        s = tls(other, "nn")
        s.sendall(frame({"type": "hello", "seq": 1, "node": "nn"}))
        closed(s)
    except (OSError, ssl.SSLError) as e:
        print("refused:", e)
elif mode == "intruder":
    s = tls(d, "intruder")
    s.sendall(frame({"type": "hello", "seq": 1, "node": "intruder"}))
    closed(s)
elif mode == "forged":
    s = tls(d, "nn2")
    s.sendall(frame({"type": "hello", "seq": 1, "node": "nn"}))
    closed(s)
elif mode == "replay":
    s = tls(d, "nn2")
    m = frame({"type": "hello", "seq": 1, "node": "nn2", "set": "", "generation": 0})
    s.sendall(m + m)
    closed(s)
elif mode == "garbage":
    s = tls(d, "nn2")
    s.sendall(struct.pack(">I", 5) + b"hello")
    closed(s)
PY
intrude() { ip netns exec "$nn2" timeout 20 python3 "$tmp/intrude.py" "$1" "$tmp/pki" "$tmp/evil" $CTL_IP; }
refusals() { grep -c "$1" "$ctl_log"; }
r0=$(refusals "refused a connection from $NN2_IP.*not authenticated")
intrude plain
intrude evil
busywait $((5000 * SLOW)) more "$ctl_log" "refused a connection from $NN2_IP.*not authenticated" $((r0 + 1))
check "a connection without TLS and one with another CA's certificate: refused, not authenticated ($(( $(refusals "refused a connection from $NN2_IP.*not authenticated") - r0 )))" \
	test "$(refusals "refused a connection from $NN2_IP.*not authenticated")" -ge $((r0 + 2))
intrude intruder
busywait $((5000 * SLOW)) grep -q '"intruder" is not a node' "$ctl_log"
check "a certificate of the CA that is not a node: refused" grep -q '"intruder" is not a node' "$ctl_log"
for m in forged replay garbage; do
	intrude $m
done
busywait $((5000 * SLOW)) grep -q "ended: garbage" "$ctl_log"
check "nn2's certificate claiming to be nn: refused as forged" \
	grep -q "connection of nn2 from $NN2_IP:[0-9]* ended: forged" "$ctl_log"
check "the same message twice: refused as replayed" \
	grep -q "connection of nn2 from $NN2_IP:[0-9]* ended: replayed" "$ctl_log"
check "garbage: refused" \
	grep -q "connection of nn2 from $NN2_IP:[0-9]* ended: garbage" "$ctl_log"
grep -E "refused a connection|ended: " "$ctl_log" | sed 's/^/# /'
kill -USR1 $ctl_pid
busywait $((5000 * SLOW)) grep -q "controller counters" "$ctl_log"
counters=$(grep "controller counters" "$ctl_log" | tail -n 1)
ktap_info "$counters"
check "the counters count them" \
	python3 -c '
import re, sys
c = sys.argv[1]
def n(what):
    return int(re.search(r"(\d+) " + what, c).group(1))
sys.exit(0 if n("not authenticated") >= 3 and n("forged") >= 1 and
         n("replayed") >= 1 and n("garbage") >= 1 else 1)' "$counters"
check "nn is still served after all that: set B" test "$(pset 'd["name"]')" = B

# --- 8. the file reloaded (SIGHUP): IPv6 added; a bad file, a missing one ---------
gen_is() { [ "$(pset 'd["generation"]')" = "$1" ]; }
served() { json_get 'sorted(d["servers"]) if d["failed"] == 0 else d["errors"]' < "$1"; }
gen0=$(pset 'd["generation"]')
ctl_conf v6 > "$tmp/ctl.conf.new"
out=$("$SVCGWD" --check "$tmp/ctl.conf.new" 2>&1)
check "svcgwd --check of a new file (IPv6 policies and groups in every set): $out" test $? -eq 0
mv "$tmp/ctl.conf.new" "$tmp/ctl.conf"
client_run hold $VIP 80 --conns 10 --seconds 10 --interval 1 > "$tmp/hold3.json" &
hold_pid=$!
sleep 1
kill -HUP $ctl_pid
busywait $((10000 * SLOW)) gen_is $((gen0 + 1))
check "SIGHUP: the controller reloaded the file, nn has B generation $((gen0 + 1)) ($(pset '(d["name"], d["generation"], d.get("reason"))'))" \
	test "$(pset '(d["name"], d["generation"], d.get("reason"))')" = "('B', $((gen0 + 1)), 'the file was reloaded')"
check "  the controller says so" grep -q "reloaded $tmp/ctl.conf" "$ctl_log"
client_run tcp $VIP6 80 --conns 5 --bytes 1000 > "$tmp/v6b.json"
check "IPv6 TCP follows B (GUE over IPv6 to lb2): s2 ($(served "$tmp/v6b.json"))" \
	test "$(served "$tmp/v6b.json")" = "['s2']"
client_run udp $VIP6 53 --count 10 > "$tmp/v6bu.json"
check "IPv6 UDP follows B: s2 ($(served "$tmp/v6bu.json"))" \
	test "$(served "$tmp/v6bu.json")" = "['s2']"
client_run tcp $VIP 80 --conns 5 --bytes 1000 > "$tmp/v4b.json"
check "IPv4 still B: s2 ($(served "$tmp/v4b.json"))" test "$(served "$tmp/v4b.json")" = "['s2']"
wait $hold_pid
check "  10 connections held across the reload: $(json_get 'd["failed"]' < "$tmp/hold3.json") broken" \
	test "$(json_get 'd["ok"]' < "$tmp/hold3.json")" -eq 10
# A file with an error, then no file at all: refused, nothing changes.
cp "$tmp/ctl.conf" "$tmp/ctl.conf.good"
sed -i 's/^heartbeat: .*/heartbeat: soon/' "$tmp/ctl.conf"
hb_line=$(grep -n '^heartbeat:' "$tmp/ctl.conf" | cut -d: -f1)
r0=$(grep -c "reload refused" "$ctl_log")
kill -HUP $ctl_pid
busywait $((5000 * SLOW)) more "$ctl_log" "reload refused" "$r0"
check "SIGHUP with an error in the file: refused, named ($(grep "$tmp/ctl.conf:[0-9]*:" "$ctl_log" | tail -n 1 | sed 's/^\[[ 0-9.]*\] //'))" \
	grep -q "$tmp/ctl.conf:$hb_line: " "$ctl_log"
rm "$tmp/ctl.conf"
kill -HUP $ctl_pid
busywait $((5000 * SLOW)) more "$ctl_log" "reload refused" $((r0 + 1))
check "SIGHUP with the file gone: refused ($(grep -c "reload refused" "$ctl_log") refusals), the controller runs on" \
	kill -0 $ctl_pid
out=$(op --status)
check "  svcgwd --status answers: B generation $((gen0 + 1)) still active, nn has it" \
	test "$(echo "$out" | json_get '(d["ok"], d["active"])')" = "(True, 'B')" -a \
	"$(pset '(d["name"], d["generation"])')" = "('B', $((gen0 + 1)))"
mv "$tmp/ctl.conf.good" "$tmp/ctl.conf"

# lb1's check passes again (IPv4 and IPv6): A after the hold-down, IPv6 too.
health_up
busywait $((20000 * SLOW)) set_is A
check "lb1 healthy again: A replaces B ($(pset '(d["name"], d["generation"], d.get("reason"))'))" \
	test "$(pset 'd["name"]')" = A
client_run tcp $VIP6 80 --conns 5 --bytes 1000 > "$tmp/v6a.json"
check "IPv6 TCP follows A (ip6ip6 to lb1): s1 ($(served "$tmp/v6a.json"))" \
	test "$(served "$tmp/v6a.json")" = "['s1']"
# UDP has no first packet that tells a new flow from an old one: during
# the set's transition ($TRANS s) every UDP flow stays where the old set sent
# it, new source ports too.
client_run udp $VIP6 53 --count 10 > "$tmp/v6au.json"
check "IPv6 UDP during A's transition: all answered, still by s2 as under B ($(served "$tmp/v6au.json"))" \
	test "$(served "$tmp/v6au.json")" = "['s2']"

# --- 9. a load condition ----------------------------------------------------------
# L (first in order) while the packets/s that nn's policies match are above
# LOAD_HIGH, until below LOAD_LOW: reloaded in, then driven by a UDP burst.
ctl_conf v6 load > "$tmp/ctl.conf"
l0=$(grep -c "reloaded " "$ctl_log")
kill -HUP $ctl_pid
busywait $((5000 * SLOW)) more "$ctl_log" "reloaded " "$l0"
sleep 2
check "set L reloaded in (load $LOAD_HIGH packets/s, below $LOAD_LOW): quiet, A stays" \
	set_is A
cat > "$tmp/burst.py" <<'PY'
# burst.py VIP RATE SECONDS STOP: UDP requests to VIP:53 at RATE per
# second, for SECONDS at most, until the file STOP exists.
import os, socket, sys, time
vip, rate, secs, stop = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setblocking(False)
t0 = time.monotonic()
n = 0
while time.monotonic() - t0 < secs and not os.path.exists(stop):
    while n < (time.monotonic() - t0) * rate:
        try:
            u.sendto(b"x" * 16, (vip, 53))
        except BlockingIOError:
            pass
        n += 1
    time.sleep(0.005)
print(n)
PY
t0=$(date +%s%3N)
# It lasts until the checks under L are done (60 s at most): the switch
# may wait for the hold-down of the reload, and the checks take their time.
ip netns exec "$client" python3 "$tmp/burst.py" $VIP $((LOAD_HIGH * 3)) $((60 * SLOW)) \
	"$tmp/burst.stop" > "$tmp/burst.out" &
burst_pid=$!
busywait $((20000 * SLOW)) set_is L
t1=$(date +%s%3N)
check "a burst of $((LOAD_HIGH * 3)) UDP requests/s: L replaces A after $((t1 - t0)) ms ($(pset '(d["name"], d.get("reason"))'))" \
	test "$(pset 'd["name"]')" = L
ktap_info "$(grep 'set A -> L' "$ctl_log" | tail -n 1)"
client_run tcp $VIP 80 --conns 3 --bytes 1000 > "$tmp/l.json"
check "  traffic follows L: s2 ($(served "$tmp/l.json"))" test "$(served "$tmp/l.json")" = "['s2']"
touch "$tmp/burst.stop"
wait $burst_pid
t0=$(date +%s%3N)
busywait $((20000 * SLOW)) set_is A
t1=$(date +%s%3N)
check "the burst over ($(cat "$tmp/burst.out") sent): A again $((t1 - t0)) ms later (hold-down $HOLD s) ($(pset '(d["name"], d.get("reason"))'))" \
	test "$(pset 'd["name"]')" = A
ktap_info "$(grep 'set L -> A' "$ctl_log" | tail -n 1)"

health_down	# the last background job the wait below would wait for
kill $ctl_pid $agent_nn $agent_nn2 2> /dev/null
kill -CONT $agent_nn2 2> /dev/null
wait 2> /dev/null
for f in ctl nn nn2; do
	echo "# --- $f.log (the last 40 lines)"
	tail -n 40 "$tmp/$f.log" | sed 's/^/# /'
done
ktap_finish
