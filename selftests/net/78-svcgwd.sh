#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# svcgwd, the node agent, on the gateway with a file of services and
# health-checked servers: the file applied as one batch; a server whose
# listener stops is set down within fall x interval (+ timeout) and the
# traffic goes on to the others (failures during detection counted and
# printed, none after); restarted, it comes back after rise probes; a
# server losing one probe in three never changes state; checks pointed at
# a closed port, a black-holed address and a server that answers garbage
# all fail within their timeouts; SIGHUP with the same file moves no flow,
# with a broken file changes nothing; the kernel flushed or the module
# reloaded under the agent: the file is applied again and what the checks
# found holds; SIGTERM leaves the kernel as it is, and a restart with the
# same file changes nothing.  Topology: topo.sh.

set -u

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/topo.sh"

topo_init socat

SVCGWD=$SVCGW_SRC/tools/svcgwd/svcgwd
[ -x "$SVCGWD" ] || { echo "# SKIP: $SVCGWD not built"; exit "$ksft_skip"; }

# On the debug kernel (make check-debug, SVCGW_TEST_LONG=1) everything,
# the agent's probes too, runs several times slower: its waits and the
# detection times it must stay within are four times longer there (the
# production run keeps the strict figures).
SLOW=1
[ "${SVCGW_TEST_LONG:-0}" = 1 ] && SLOW=4
# The checks' interval and timeout, four times longer there too: a
# starved python HTTP server answered s2's check later than 300 ms and
# s2 went down for tcp:8080 (2026-12-05).
IV=$((500 * SLOW)) TO=$((300 * SLOW))

svcgw_load || { ktap_fail "module loads"; ktap_finish; }
ktap_ok "module loads"
topo_setup || { ktap_fail "topology"; ktap_finish; }
topo_servers || { ktap_fail "servers start"; ktap_finish; }
for i in 1 2 3; do
	eval ns=\$s$i
	ip netns exec "$ns" python3 -m http.server 8081 --bind 0.0.0.0 \
		--directory /tmp > /dev/null 2>&1 &
	disown
done
for i in 1 2 3; do
	eval ns=\$s$i
	busywait 60000 ns_listens "$ns" 8081 ||
		{ ktap_fail "HTTP servers start"; ktap_finish; }
done

conf=$tmp/svcgwd.conf
cat > "$conf" <<EOF
node: gw
checks:
  conn: {type: tcp, interval: ${IV}ms, timeout: ${TO}ms, rise: 2, fall: 3}
  dns: {type: udp, send: ping, expect: "s", interval: ${IV}ms, timeout: ${TO}ms}
  web: {type: http, port: 8081, path: /, status: 200, interval: ${IV}ms,
        timeout: ${TO}ms}
  garbage: {type: http, port: 80, interval: ${IV}ms, timeout: ${TO}ms}
services:
  - address: $VIP
    port: 80
    proto: tcp
    transition: 0
    check: conn
    servers:
      - address: ${SERVERS[0]}
      - address: ${SERVERS[1]}
      - address: ${SERVERS[2]}
  - address: $VIP
    port: 53
    proto: udp
    mode: stateless
    check: dns
    servers: [{address: ${SERVERS[0]}}, {address: ${SERVERS[1]}},
              {address: ${SERVERS[2]}}]
  - address: $VIP
    port: 8080
    proto: tcp
    transition: 0
    check: web
    servers: [{address: ${SERVERS[0]}}, {address: ${SERVERS[1]}},
              {address: ${SERVERS[2]}}]
  - address: $VIP
    port: 9
    proto: tcp
    servers:
      - {address: ${SERVERS[0]}, check: conn}    # closed port
      - {address: 198.51.100.99, check: conn}    # nobody there
      - {address: ${SERVERS[2]}, check: garbage} # echo, not HTTP
EOF

# state ADDR PORT PROTO SERVER: the kernel's state of a server
state()
{
	gwcli -j service show "$1:$2" proto "$3" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print([v["state"] for v in d[0]["servers"] if v["address"] == sys.argv[1]][0])' "$4"
}
state_is() { local want=$1; shift; [ "$(state "$@")" = "$want" ]; }

log=$tmp/svcgwd.log
start_agent()
{
	ip netns exec "$gw" "$SVCGWD" -f "$conf" --reconcile 2 >> "$log" 2>&1 &
	agent=$!
}

out=$("$SVCGWD" --check "$conf" 2>&1)
check "svcgwd --check: $out" test $? -eq 0

# --- 1. the file applied --------------------------------------------------
start_agent
busywait $((20000 * SLOW)) grep -q "running:" "$log"
check "the agent applied the file and runs its 12 checks" \
	grep -q "running: 12 health checks" "$log"
gwcli -j service show > "$tmp/svc.json"
check "the kernel has the file's 4 services and 12 servers" \
	test "$(json_get 'len(d), sum(len(s["servers"]) for s in d)' < "$tmp/svc.json")" = "(4, 12)"
out=$(ip netns exec "$gw" "$SVCGWD" --diff "$conf" 2>&1)
check "svcgwd --diff: no change ($out)" \
	test "$(echo "$out" | grep -c '^no change')" -eq 1

# --- 2. bad checks fail within their timeouts -----------------------------
t0=$(date +%s%3N)
busywait $((10000 * SLOW)) state_is down $VIP 9 tcp ${SERVERS[0]} &&
	busywait $((10000 * SLOW)) state_is down $VIP 9 tcp 198.51.100.99 &&
	busywait $((10000 * SLOW)) state_is down $VIP 9 tcp ${SERVERS[2]}
rc=$?
t1=$(date +%s%3N)
check "closed port, black hole, garbage: all three down in $((t1 - t0)) ms (3 x $IV ms + $TO ms each, spread)" \
	test $rc -eq 0
check "the log gives each reason (refused, timeout, unexpected status)" \
	test "$(grep -c "${SERVERS[0]}:9 of $VIP:9.*check conn: 3 failures in a row, last: Connection refused" "$log") $(grep -Ec '198.51.100.99.*last: (timeout|No route to host)' "$log") $(grep -c "${SERVERS[2]}:9 of $VIP:9.*check garbage.*last: unexpected status" "$log")" = "1 1 1"
check "the healthy servers stay active" \
	test "$(gwcli -j service show | json_get 'sum(v["state"] == "active" for s in d if s["port"] != 9 for v in s["servers"])')" -eq 9

# --- 3. a server dies: detection, traffic on the others -------------------
client_run udp $VIP 53 --count 600 --timeout 0.2 --retries 0 \
	--sport-base 20000 > "$tmp/during.json" &
udp_pid=$!
sleep 1
ip netns exec "$s2" pkill -f "serve s2 --tcp 80 --udp"
t0=$(date +%s%3N)
busywait $((10000 * SLOW)) state_is down $VIP 80 tcp ${SERVERS[1]} &&
	busywait $((10000 * SLOW)) state_is down $VIP 53 udp ${SERVERS[1]}
rc=$?
t1=$(date +%s%3N)
# after MS: the agent's own time from the run's first probe to the change
# (log line of server ${SERVERS[1]} for port $1 and word $2).
after_ms()
{
	grep "${SERVERS[1]}:$1 of $VIP:$1 .*: $2 after" "$log" | tail -n 1 |
		sed -E 's/.* after ([0-9]+) ms.*/\1/'
}
d80=$(after_ms 80 down)
d53=$(after_ms 53 down)
check "s2 stopped: down for tcp:80 and udp:53, seen by the test in $((t1 - t0)) ms; the agent took $d80 and $d53 ms from the first failed probe (2 x $IV ms + $TO ms, and $((200 * SLOW)) ms of slack)" \
	test $rc -eq 0 -a "${d80:-9999}" -le $((1500 * SLOW)) -a "${d53:-9999}" -le $((1500 * SLOW))
wait $udp_pid
ktap_info "UDP during the detection: $(json_get '"ok %d, failed %d" % (d["ok"], d["failed"])' < "$tmp/during.json")"
client_run udp $VIP 53 --count 60 --sport-base 21000 > "$tmp/after.json"
check "after: 60 UDP requests, none failed, none to s2" \
	test "$(json_get 'd["ok"], d["failed"], "s2" in d["servers"]' < "$tmp/after.json")" = "(60, 0, False)"
client_run tcp $VIP 80 --conns 30 --bytes 1000 > "$tmp/tcp.json"
check "after: 30 TCP connections, all whole, none to s2" \
	test "$(json_get 'd["ok"], "s2" in d["servers"]' < "$tmp/tcp.json")" = "(30, False)"
check "s2 stays active for tcp:8080 (its HTTP check still passes)" \
	state_is active $VIP 8080 tcp ${SERVERS[1]}

ip netns exec "$s2" python3 "$LBTOOL" serve s2 --tcp 80 --udp 53,5353,5354 \
	> /dev/null 2>&1 &
disown
t0=$(date +%s%3N)
busywait $((15000 * SLOW)) state_is active $VIP 80 tcp ${SERVERS[1]} &&
	busywait $((10000 * SLOW)) state_is active $VIP 53 udp ${SERVERS[1]}
rc=$?
t1=$(date +%s%3N)
u80=$(after_ms 80 up)
check "s2 back: active again, seen by the test in $((t1 - t0)) ms; the agent took $u80 ms from the first good probe ($IV ms + $TO ms, and $((200 * SLOW)) ms of slack)" \
	test $rc -eq 0 -a "${u80:-9999}" -le $((1000 * SLOW))
client_run udp $VIP 53 --count 90 --sport-base 22000 > "$tmp/back.json"
check "90 UDP requests reach s2 again" \
	test "$(json_get 'd["ok"], d["servers"].get("s2", 0) > 0' < "$tmp/back.json")" = "(90, True)"

# --- 4. one probe in three lost: no flapping -------------------------------
ip netns exec "$s1" nft -f - <<EOF
table inet flap {
	chain in {
		type filter hook input priority 0;
		tcp dport 80 tcp flags & (syn | ack) == syn numgen inc mod 3 == 0 counter drop
	}
}
EOF
before=$(grep -c "${SERVERS[0]}:80 of $VIP:80" "$log")
sleep $((12 * SLOW))		# 24 probes at any speed
dropped=$(ip netns exec "$s1" nft list table inet flap | grep -o 'packets [0-9]*' | awk '{print $2}')
after=$(grep -c "${SERVERS[0]}:80 of $VIP:80" "$log")
ip netns exec "$s1" nft delete table inet flap
check "s1 lost one probe in three for $((12 * SLOW)) s ($dropped SYNs dropped): never changed state" \
	test "$dropped" -ge 5 -a "$before" -eq "$after" -a \
	"$(state $VIP 80 tcp ${SERVERS[0]})" = active

# --- 5. reloads ----------------------------------------------------------
gwcli -j service show > "$tmp/pre.json"
kill -HUP $agent
busywait $((10000 * SLOW)) grep -q "applied $conf (reload)" "$log"
gwcli -j service show > "$tmp/post.json"
# (Entries may be in transition from s2's return: the reload adds none and
# restarts no transition.)
check "SIGHUP, same file: applied, no new transition, counters kept" \
	python3 -c '
import json, sys
a = {(s["address"], s["port"], s["proto"]): s for s in json.load(open(sys.argv[1]))}
b = {(s["address"], s["port"], s["proto"]): s for s in json.load(open(sys.argv[2]))}
assert a.keys() == b.keys()
for k in a:
    assert b[k]["marked"] <= a[k]["marked"], (k, a[k], b[k])
    assert b[k].get("transition_left_ms", 0) <= a[k].get("transition_left_ms", 0), k
    assert b[k]["packets"] >= a[k]["packets"], k
' "$tmp/pre.json" "$tmp/post.json"
cp "$conf" "$tmp/good.conf"
printf 'services:\n  - {address: %s, port: 80, proto: tcp, mode: fast}\n' $VIP > "$conf"
kill -HUP $agent
busywait $((10000 * SLOW)) grep -q "reload refused" "$log"
check "SIGHUP, broken file: refused with its line, nothing changed" \
	test "$(grep -c "svcgwd: .*$conf:2: mode must be" "$log")" -eq 1 -a \
	"$(gwcli -j service show | json_get 'len(d)')" -eq 4
cp "$tmp/good.conf" "$conf"

# --- 6. the kernel drifts: reconciled --------------------------------------
gwcli flush
t0=$(date +%s%3N)
busywait $((15000 * SLOW)) eval '[ "$(gwcli -j service show | json_get "len(d)")" -eq 4 ]'
rc=$?
t1=$(date +%s%3N)
check "svcgw flush under the agent: the file applied again in $((t1 - t0)) ms (reconcile every 2 s)" \
	test $rc -eq 0
busywait $((5000 * SLOW)) state_is down $VIP 9 tcp 198.51.100.99
check "what the checks found holds: the black-holed server is down again" \
	test $? -eq 0
svcgw_unload
svcgw_load
t0=$(date +%s%3N)
busywait $((20000 * SLOW)) eval '[ "$(gwcli -j service show 2>/dev/null | json_get "len(d)" 2>/dev/null)" = 4 ]'
rc=$?
t1=$(date +%s%3N)
check "module reloaded under the agent: the file applied again in $((t1 - t0)) ms" \
	test $rc -eq 0
client_run tcp $VIP 80 --conns 12 --bytes 1000 > "$tmp/tcp2.json"
check "and traffic flows: 12 TCP connections whole" \
	test "$(json_get 'd["ok"]' < "$tmp/tcp2.json")" -eq 12

# --- 7. stop and restart ---------------------------------------------------
gwcli -j service show > "$tmp/pre.json"
kill -TERM $agent
wait $agent
rc=$?
check "SIGTERM: exit 0, the kernel's services left as they were" \
	test $rc -eq 0 -a "$(gwcli -j service show | json_get 'len(d)')" -eq 4
start_agent
busywait $((20000 * SLOW)) eval '[ "$(grep -c "running:" "$log")" -eq 2 ]'
sleep 2
gwcli -j service show > "$tmp/post.json"
check "restarted with the same file: nothing moved, the down servers still down" \
	python3 -c '
import json, sys
a = {(s["address"], s["port"], s["proto"]): s for s in json.load(open(sys.argv[1]))}
b = {(s["address"], s["port"], s["proto"]): s for s in json.load(open(sys.argv[2]))}
assert a.keys() == b.keys()
for k in a:
    assert b[k]["marked"] == 0, k
    assert [v["state"] for v in a[k]["servers"]] == [v["state"] for v in b[k]["servers"]], k
' "$tmp/pre.json" "$tmp/post.json"

# --- 8. metrics --------------------------------------------------------------
# Off by default (no listener); with "metrics" the agent serves the
# kernel's counters in the Prometheus text format, read when scraped.
check "no metrics endpoint without the key (nothing listens on 9477)" \
	bash -c "! ip netns exec '$gw' ss -Htln 'sport = :9477' | grep -q ."
echo "metrics: {address: 127.0.0.1, port: 9477}" >> "$conf"
kill -HUP $agent
busywait $((10000 * SLOW)) ns_listens "$gw" 9477
check "SIGHUP with metrics: the agent listens on 127.0.0.1:9477" \
	ns_listens "$gw" 9477
scrape() { ip netns exec "$gw" curl -s -o "$2" -w '%{http_code} %{content_type}' "http://127.0.0.1:9477$1"; }
scrape /metrics "$tmp/metrics0.txt" > /dev/null
client_run tcp $VIP 80 --conns 6 --bytes 1000 > /dev/null
head=$(scrape /metrics "$tmp/metrics.txt")
gwcli -j stats > "$tmp/stats.json"
gwcli -j service show > "$tmp/svc-m.json"
check "GET /metrics: $head" \
	test "$head" = "200 text/plain; version=0.0.4; charset=utf-8"
# Every counter and every service and server counter of the kernel is
# there with the kernel's value (idle now: the values cannot move).
check "  every counter of svcgw stats, every service's and server's, with the kernel's values" \
	python3 - "$tmp/metrics.txt" "$tmp/stats.json" "$tmp/svc-m.json" <<'PY'
import json, re, sys
samples = {}
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    m = re.fullmatch(r'([a-z_]+)(\{.*\})? (\d+)\n', line)
    assert m, line
    samples[m.group(1) + (m.group(2) or "")] = int(m.group(3))
gauges = {"services", "sessions_cur", "pressure", "session_mem"}
stats = json.load(open(sys.argv[2]))
for k, v in stats.items():
    name = "svcgw_" + k + ("" if k in gauges else "_total")
    # sessions_cur and session_mem may move as sessions expire
    if k in ("sessions_cur", "session_mem"):
        assert name in samples, name
    else:
        assert samples[name] == v, (name, samples.get(name), v)
n = 0
for s in json.load(open(sys.argv[3])):
    svc = s["address"] + ":" + str(s["port"])
    lab = '{service="%s",proto="%s"}' % (svc, s["proto"])
    assert samples["svcgw_service_packets_total" + lab] == s["packets"], lab
    assert samples["svcgw_service_bytes_total" + lab] == s["bytes"], lab
    assert samples["svcgw_service_sessions_total" + lab] == s["sessions"], lab
    for v in s["servers"]:
        slab = lab[:-1] + ',server="%s:%d"}' % (v["address"], v["port"])
        assert samples["svcgw_server_packets_total" + slab] == v["packets"], slab
        assert samples["svcgw_server_weight" + slab] == v["weight"], slab
        st = slab[:-1] + ',state="%s"}' % v["state"]
        assert samples["svcgw_server_state" + st] == 1, st
        n += 1
assert n == 12, n
assert samples["svcgw_packets_total"] > 0
PY
# (:80 is hybrid without a transition: it makes no sessions; packets.)
pk80() { grep "^svcgw_service_packets_total{service=\"$VIP:80\",proto=\"tcp\"}" "$1" | cut -d' ' -f2; }
pk0=$(pk80 "$tmp/metrics0.txt") pk=$(pk80 "$tmp/metrics.txt")
check "  the 6 connections made between two scrapes are counted: svcgw_service_packets_total of $VIP:80 ${pk0:-none} -> ${pk:-none}" \
	test "$(( ${pk:-0} - ${pk0:-0} ))" -ge 18
check "  another path: $(scrape /nothing /dev/null | cut -d' ' -f1)" \
	test "$(scrape /nothing /dev/null | cut -d' ' -f1)" = 404
check "  another method: $(ip netns exec "$gw" curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:9477/metrics)" \
	test "$(ip netns exec "$gw" curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:9477/metrics)" = 405
grep -m 3 '^svcgw_server_state' "$tmp/metrics.txt" | sed 's/^/# /'
kill -TERM $agent
wait $agent
grep '^svcgwd: ' "$log" | sed 's/^/# /' | tail -n 40

ktap_finish
