#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test_barrier.sh SVCGWD: the barrier on the loopback (no kernel module),
# the agents played by fake_agent.py.  gw1 and gw2 are servicing nodes
# (ha), fwd1 and fwd2 forwarders:
# - gw1 reports synced when told (a file): fwd1 hears gw1 up only after that
#   report, with the notice's node and HA generations that gw2 got at
#   once; a stale report before it changes nothing; --status shows gw1
#   waiting (not synced from 12), then released synced;
# - gw2 never reports synced: fwd1 hears its up after sync_wait (20 s), the
#   controller logs and counts that the barrier timed out;
# - after a reload to sync_wait 60s (no ha message), gw2 again, gone
#   before the bound: fwd1 hears its down and never that
#   up; a forwarder (fwd2) connecting meanwhile is not told gw2 is up,
#   neither in its welcome nor in its ha message;
# - HA generations at the forwarders only grow.
# TAP on stdout.

set -u
svcgwd=$(realpath "${1:?SVCGWD}")
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2> /dev/null; rm -rf "$dir"' EXIT
n=0
fails=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}

if ! python3 -c 'import ssl; assert ssl.HAS_TLSv1_3' 2> /dev/null; then
	echo "1..0 # SKIP no python3 with TLS 1.3"
	exit 0
fi
# The interpreter itself, not a shim (pyenv's start slowly: many runs here).
py=$(python3 -c 'import sys; print(sys.executable)')
"$here/mkcerts.sh" "$dir/pki" ctl gw1 gw2 fwd1 fwd2 > /dev/null 2>&1 ||
	{ echo "not ok 1 - certificates"; exit 1; }
port=$((20000 + ($$ + 11) % 20000))
# dead_after is generous: python under a loaded host beats late, and
# only the ends of connections take nodes down here.
write_conf()	# SYNC_WAIT
{
	cat > "$dir/ctl.conf" <<CONF
node: ctl
tls: {ca: $dir/pki/ca.crt, cert: $dir/pki/ctl.crt, key: $dir/pki/ctl.key}
listen: {address: 127.0.0.1, port: $port}
heartbeat: 1s
dead_after: 60s
nodes: [gw1, gw2, fwd1, fwd2]
policy_sets:
  - name: A
    groups:
      - name: ga
        dests: [{address: 198.51.100.11, method: ipip}]
    policies:
      - {address: 192.0.2.10, port: 80, proto: tcp, group: ga}
ha:
  sync_wait: $1
  nodes:
    - {name: gw1, id: 11, sync: 10.7.0.11, backups: [gw2]}
    - {name: gw2, id: 12, sync: 10.7.0.12, backups: [gw1]}
CONF
}
write_conf 20s
"$svcgwd" -f "$dir/ctl.conf" --state "$dir/state" --control "$dir/sock" \
	>> "$dir/log" 2>&1 &
ctl=$!
pids+=("$ctl")
agent()	# NAME [SYNCED_AFTER]: a fake agent, its messages in $dir/NAME.msgs
{
	"$py" "$here/fake_agent.py" "$1" "$dir/pki" "$port" \
		"$dir/$1.msgs" ${2:+"$2"} 2>> "$dir/$1.err" &
	eval "pid_$1=$!"
	pids+=("$!")
}
# wait_for FILE PATTERN N: FILE has N lines matching PATTERN (120 s at most:
# a loaded host starts python slowly)
wait_for()
{
	local i

	for i in $(seq 1200); do
		[ "$(count "$1" "$2")" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}
count()
{
	local c

	c=$(grep -c -- "$2" "$1" 2> /dev/null)
	echo "${c:-0}"
}
# q NAME EXPR: EXPR over m, NAME's messages; up(N)/down(N): the notices of
# node N up/down; sent: the reports it sent
q()
{
	"$py" -c '
import json, sys
m = [json.loads(l) for l in open(sys.argv[1])]
got = [x for x in m if not x.get("_sent")]
sent = [x for x in m if x.get("_sent")]
notices = lambda n: [x for x in got if x["type"] == "node" and x["name"] == n]
up = lambda n: [x for x in notices(n) if x["state"] == "up"]
down = lambda n: [x for x in notices(n) if x["state"] == "down"]
ha = [x for x in got if x["type"] == "ha"]
print(eval(sys.argv[2]))' "$dir/$1.msgs" "$2"
}
t()
{
	[ "$(q "$1" "bool($2)" 2> /dev/null)" = True ]
	echo $?
}
# wait_t NAME EXPR: until EXPR holds over NAME's messages (120 s at most)
wait_t()
{
	local i

	for i in $(seq 240); do
		[ "$(t "$1" "$2")" = 0 ] && return 0
		sleep 0.5
	done
	return 1
}
# st EXPR: EXPR over s, the controller's --status answer
st()
{
	"$svcgwd" --status --control "$dir/sock" > "$dir/status" 2>&1
	"$py" -c '
import json, sys
s = json.load(open(sys.argv[1]))
node = lambda n: [x for x in s["ha"]["nodes"] if x["name"] == n][0]
print(eval(sys.argv[2]))' "$dir/status" "$1"
}
stt()
{
	[ "$(st "bool($1)" 2> /dev/null)" = True ]
	echo $?
}

wait_for "$dir/log" "listening on" 1
agent fwd1
wait_for "$dir/fwd1.msgs" '"type": "ha"' 1
ok $? "fwd1 connected and has the HA policy"
# gw2 first (it never reports synced), then gw1 (synced when told).
agent gw2 never
wait_t gw2 'up("gw2")'
agent gw1 file
wait_for "$dir/gw1.msgs" '"_sent": true' 2
ok $? "gw1 said hello and reported (a stale report, then not synced)"
wait_t gw2 'up("gw1")'
ok $? "gw2 (servicing) heard gw1 up"
ok "$(t fwd1 'not up("gw1")')" "  fwd1 (a forwarder) not yet"
ok "$(stt 'node("gw1")["barrier"] == "waiting" and node("gw1")["synced"] is False and node("gw1")["not_synced_from"] == [12] and node("gw1")["waiting_ms"] >= 0')" \
	"  --status: gw1 up, waiting for $(st 'node("gw1").get("waiting_ms")') ms, not synced from 12"
wait_for "$dir/log" "node gw1 reports synced yes for HA generation .*older than its up.*ignored" 1
ok $? "  its stale synced report was ignored and logged"
ok "$(t fwd1 'not up("gw1")')" "  fwd1 still not"
touch "$dir/gw1.msgs.go"
wait_t fwd1 'up("gw1")'
ok $? "fwd1 heard gw1 up"
ok "$("$py" -c '
import json, sys
gw1 = [json.loads(l) for l in open(sys.argv[1])]
fwd1 = [json.loads(l) for l in open(sys.argv[2])]
synced = [x for x in gw1 if x.get("_sent") and x["synced"] and x["generation"] == [y for y in gw1 if y.get("type") == "node" and y["name"] == "gw1"][0]["ha_generation"]]
up = [x for x in fwd1 if x.get("type") == "node" and x["name"] == "gw1" and x["state"] == "up"]
sys.exit(not (synced and up and up[0]["_t"] >= synced[0]["_t"]))' "$dir/gw1.msgs" "$dir/fwd1.msgs"; echo $?)" \
	"  only after gw1 sent its synced report"
g1=$(q gw2 '(up("gw1")[0]["generation"], up("gw1")[0]["ha_generation"])')
ok "$(t fwd1 "(up('gw1')[0]['generation'], up('gw1')[0]['ha_generation']) == $g1")" \
	"  with the node and HA generations gw2 got: $g1"
ok "$(t fwd1 'up("gw1")[0]["_t"] - [x for x in got if x["type"] == "welcome"][0]["_t"] > 0 and "synced from its peers after" in up("gw1")[0]["why"]')" \
	"  why: $(q fwd1 'up("gw1")[0]["why"]')"
wait_for "$dir/log" "node gw1 up to the forwarders .*synced from its peers after" 1
ok $? "  the controller logged the release with the time from the hello"
ok "$(stt 'node("gw1")["barrier"] == "released" and node("gw1")["synced"] is True and node("gw1")["timed_out"] is False and node("gw1")["released_after_ms"] > 0')" \
	"  --status: gw1 released after $(st 'node("gw1").get("released_after_ms")') ms, synced"

wait_t fwd1 'up("gw2")'
ok $? "gw2 never synced: fwd1 heard it up after all"
ok "$(t fwd1 'up("gw2")[0]["_t"] - [x for x in got if x["type"] == "welcome"][0]["_t"] >= 0 and "NOT synced (sync_wait 20000 ms: the barrier timed out; not synced from: gw2 (12))" in up("gw2")[0]["why"]')" \
	"  why: $(q fwd1 'up("gw2")[0]["why"]')"
ok "$("$py" -c '
import json, sys
gw2 = [json.loads(l) for l in open(sys.argv[1])]
fwd1 = [json.loads(l) for l in open(sys.argv[2])]
own = [x for x in gw2 if x.get("type") == "node" and x["name"] == "gw2" and x["state"] == "up"][0]
up = [x for x in fwd1 if x.get("type") == "node" and x["name"] == "gw2" and x["state"] == "up"][0]
sys.exit(not (up["_t"] - own["_t"] >= 19.5 and up["ha_generation"] == own["ha_generation"]))' "$dir/gw2.msgs" "$dir/fwd1.msgs"; echo $?)" \
	"  at least sync_wait after gw2 heard its own up, with its HA generation"
ok "$(stt 'node("gw2")["barrier"] == "released" and node("gw2")["timed_out"] is True and node("gw2")["synced"] is False and s["ha"]["barrier"]["timed_out"] == 1 and s["ha"]["barrier"]["released"] == 1')" \
	"  --status: timed out, counted ($(st 's["ha"]["barrier"]'))"
grep -q "node gw2 up to the forwarders .*the barrier timed out" "$dir/log"
ok $? "  logged"

# gw2 goes, comes back and goes again before the bound (60 s now: a
# reload that changes sync_wait only, no ha message).
nha=$(count "$dir/fwd1.msgs" '"type": "ha"')
write_conf 60s
kill -HUP "$ctl"
wait_for "$dir/log" "reloaded $dir/ctl.conf" 1
ok "$(stt 's["ha"]["sync_wait_ms"] == 60000')" "reloaded with sync_wait 60s"
kill "$pid_gw2"
wait_t fwd1 'down("gw2")'
ok $? "gw2 gone: fwd1 heard it down at once"
agent gw2 never
wait_t gw1 'len(up("gw2")) == 1'
ok $? "gw2 again: gw1 heard it up"
agent fwd2
wait_for "$dir/fwd2.msgs" '"type": "ha"' 1
ok "$(t fwd2 '[(x["name"], x["state"]) for x in [y for y in got if y["type"] == "welcome"][0]["nodes"]][:2] == [("gw1", "up"), ("gw2", "down")]')" \
	"  fwd2, connecting while gw2 waits: gw2 down in its welcome"
ok "$(t fwd2 '[(x["name"], x.get("state")) for x in ha[0]["nodes"]] == [("gw1", "up"), ("gw2", "down")]')" \
	"  and in its ha message: $(q fwd2 '[(x["name"], x.get("state"), x.get("state_generation")) for x in ha[0]["nodes"]]')"
ok "$("$py" -c '
import json, sys
fwd1 = [json.loads(l) for l in open(sys.argv[1])]
fwd2 = [json.loads(l) for l in open(sys.argv[2])]
down = [x for x in fwd1 if x.get("type") == "node" and x["name"] == "gw2" and x["state"] == "down"][-1]
ha = [x for x in fwd2 if x.get("type") == "ha"][0]
sys.exit(ha["nodes"][1]["state_generation"] != down["ha_generation"])' "$dir/fwd1.msgs" "$dir/fwd2.msgs"; echo $?)" \
	"  at the HA generation of gw2's down that fwd1 heard"
kill "$pid_gw2"
wait_t fwd1 'len(down("gw2")) == 2'
ok $? "gw2 gone before its bound: fwd1 heard it down"
sleep 2
ok "$(t fwd1 '[x["state"] for x in notices("gw2")] == ["up", "down", "down"]')" \
	"  and never that up ($(q fwd1 '[x["state"] for x in notices("gw2")]'))"
ok "$(t fwd2 '[x["state"] for x in notices("gw2")] == ["down"]')" \
	"  fwd2 neither ($(q fwd2 '[x["state"] for x in notices("gw2")]'))"
ok "$(t fwd1 'all(a < b for n in ("gw1", "gw2") for a, b in zip([x["ha_generation"] for x in notices(n)], [x["ha_generation"] for x in notices(n)][1:]))')" \
	"HA generations at fwd1 grow per node: $(q fwd1 '{n: [x["ha_generation"] for x in notices(n)] for n in ("gw1", "gw2")}')"
ok "$(stt 's["ha"]["barrier"]["cancelled"] == 1 and node("gw2")["barrier"] == "down" and s["ha"]["barrier"]["held"] == 3 and s["ha"]["barrier"]["stale"] >= 3')" \
	"--status counters: $(st 's["ha"]["barrier"]')"
kill "$ctl"
wait "$ctl"
ok $? "the controller stops on SIGTERM"
ok "$([ "$(count "$dir/fwd1.msgs" '"type": "ha"')" -eq "$nha" ]; echo $?)" \
	"  the reload of sync_wait sent no ha message"
grep -q "barrier counters: 3 ups held, 1 released synced, 1 released by sync_wait (timed out), 1 ended by a down" "$dir/log"
ok $? "  its barrier counters logged"
sed 's/^/# /' "$dir/log"
for f in "$dir"/*.err; do
	[ -s "$f" ] && sed "s|^|# $(basename "$f"): |" "$f"
done
echo "1..$n"
[ "$fails" -eq 0 ]
