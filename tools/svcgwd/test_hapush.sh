#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test_hapush.sh SVCGWD: a controller with an ha section on the loopback
# (no kernel module), its agents played by fake_agent.py: the "ha" message
# after the welcome, each node its own local id (0 on a forwarder), one
# generation and key for all; HA generations in node notices; a reload
# that changes the ha section pushes a later generation, one that changes
# nothing pushes nothing; a restart takes a later generation and a new
# key; a reload or restart without the ha section sends its removal;
# no key in the log nor in the state file.  With SVCGWD_TEST_LONG=1
# also the key rotation (60 s) and the end of its rollover (30 s more).
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
"$here/mkcerts.sh" "$dir/pki" ctl gw1 gw2 fwd1 > /dev/null 2>&1 ||
	{ echo "not ok 1 - certificates"; exit 1; }
port=$((20000 + ($$ + 7) % 20000))
rotation=${SVCGWD_TEST_LONG:+60s}
write_conf()	# BACKUPS_OF_GW2 PORT
{
	cat > "$dir/ctl.conf" <<CONF
node: ctl
tls: {ca: $dir/pki/ca.crt, cert: $dir/pki/ctl.crt, key: $dir/pki/ctl.key}
listen: {address: 127.0.0.1, port: $port}
heartbeat: 200ms
dead_after: 5s
nodes: [gw1, gw2, fwd1]
policy_sets:
  - name: A
    groups:
      - name: ga
        dests: [{address: 198.51.100.11, method: ipip}]
    policies:
      - {address: 192.0.2.10, port: 80, proto: tcp, group: ga}
ha:
  port: $2
  key_rotation: ${rotation:-24h}
  nodes:
    - {name: gw1, id: 11, sync: 10.7.0.11, address: 198.51.100.11,
       backups: [gw2], fnat: 203.0.113.11}
    - {name: gw2, id: 12, sync: 10.7.0.12, backups: [$1]}
CONF
}
start_ctl()
{
	"$svcgwd" -f "$dir/ctl.conf" --state "$dir/state" \
		--control "$dir/sock" >> "$dir/log" 2>&1 &
	ctl=$!
	pids+=("$ctl")
}
agent()	# NAME: a fake agent, its messages in $dir/NAME.msgs
{
	"$py" "$here/fake_agent.py" "$1" "$dir/pki" "$port" \
		"$dir/$1.msgs" 2>> "$dir/$1.err" &
	eval "pid_$1=$!"
	pids+=("$!")
}
# wait_for FILE PATTERN N: FILE has N lines matching PATTERN (30 s at most:
# a loaded host starts python slowly)
wait_for()
{
	local i

	for i in $(seq 300); do
		[ "$(count "$1" "$2")" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}
# count FILE PATTERN: lines of FILE matching PATTERN (0 without FILE)
count()
{
	local c

	c=$(grep -c -- "$2" "$1" 2> /dev/null)
	echo "${c:-0}"
}
# q NAME EXPR: EXPR over m, the list of NAME's messages, and ha, its "ha"
# messages (python)
q()
{
	"$py" -c '
import json, sys
m = [json.loads(l) for l in open(sys.argv[1])]
ha = [x for x in m if x["type"] == "ha"]
notices = lambda name: [x for x in m if x["type"] == "node" and x["name"] == name]
print(eval(sys.argv[2]))' "$dir/$1.msgs" "$2"
}
# t NAME EXPR: 0 if EXPR holds over NAME's messages
t()
{
	[ "$(q "$1" "$2")" = True ]
	echo $?
}

write_conf gw1 7441
start_ctl
wait_for "$dir/log" "switch to generation 1" 1	# set A chosen
agent gw1
wait_for "$dir/gw1.msgs" '"type": "ha"' 1
ok $? "gw1 got an ha message"
ok "$(t gw1 '[x["type"] for x in m][:4] == ["node", "welcome", "policy_set", "ha"]')" \
	"  after its notice, the welcome and the set: $(q gw1 '[x["type"] for x in m]')"
ok "$(t gw1 'ha[0]["local"] == 11 and ha[0]["port"] == 7441 and len(ha[0]["key"]) == 64 and int(ha[0]["key"], 16) >= 0 and 0 < ha[0]["key_id"] < 2**32 and "prev_key" not in ha[0]')" \
	"  local 11, port 7441, a key of 64 hex digits with its id, no previous key"
ok "$(t gw1 '[(x["id"], x["name"], x["sync"], x["address"], x["backups"], x.get("fnat"), x.get("state")) for x in ha[0]["nodes"]] == [(11, "gw1", "10.7.0.11", "198.51.100.11", [12], "203.0.113.11", "up"), (12, "gw2", "10.7.0.12", "10.7.0.12", [11], None, None)]')" \
	"  nodes: ids, names, addresses, backups as ids, fnat; gw1 up (its hello), gw2 without a notice"
now_us=$(date +%s%6N)
ok "$(t gw1 "$now_us - 60000000 < ha[0][\"generation\"] <= $now_us")" \
	"  generation $(q gw1 'ha[0]["generation"]'): the wall clock in microseconds at the start"
ok "$(t gw1 'ha[0]["nodes"][0]["state_generation"] > ha[0]["generation"]')" \
	"  gw1's HA generation ($(q gw1 'ha[0]["nodes"][0]["state_generation"]')) above the policy's"
wait_for "$dir/log" "node gw1 has HA policy generation $(q gw1 'ha[0]["generation"]')" 1
ok $? "  the controller logged gw1's ha_applied"

agent fwd1
wait_for "$dir/fwd1.msgs" '"type": "ha"' 1
gw1ha=$(q gw1 'json.dumps(ha[0])')
ok "$(t fwd1 "ha[0]['local'] == 0 and all(ha[0][k] == json.loads('$gw1ha')[k] for k in ('generation', 'key_id', 'key', 'port'))")" \
	"fwd1 (a forwarder): local 0, the same generation, key and port as gw1"
agent gw2
wait_for "$dir/fwd1.msgs" '"name": "gw2", "state": "up"' 1
ok $? "fwd1 heard gw2 up"
kill "$pid_gw2"
wait_for "$dir/fwd1.msgs" '"name": "gw2", "state": "down"' 1
ok $? "gw2's connection ended: fwd1 heard gw2 down"
g2='[x["ha_generation"] for x in notices("gw2")]'
ok "$(t fwd1 "len($g2) == 2 and $g2 == sorted(set($g2)) and min($g2) > ha[0]['generation']")" \
	"  gw2's notices carry growing HA generations, above the policy's: $(q fwd1 '[(x["state"], x["ha_generation"]) for x in notices("gw2")]')"
ok "$(t fwd1 'notices("fwd1") and all("ha_generation" not in x for x in notices("fwd1"))')" \
	"  a forwarder's own notice has no HA generation"

nha=$(count "$dir/fwd1.msgs" '"type": "ha"')
write_conf gw1 7441
sed -i 's/^heartbeat: 200ms$/heartbeat: 250ms/' "$dir/ctl.conf"
kill -HUP "$ctl"
wait_for "$dir/log" "reloaded $dir/ctl.conf" 1
sleep 1
ok "$([ "$(count "$dir/fwd1.msgs" '"type": "ha"')" -eq "$nha" ]; echo $?)" \
	"a reload that leaves ha as it was: no ha message"
write_conf gw1 7500
kill -HUP "$ctl"
wait_for "$dir/fwd1.msgs" '"type": "ha"' $((nha + 1))
ok "$(t fwd1 'ha[-1]["port"] == 7500 and ha[-1]["generation"] > max(x.get("ha_generation", 0) for x in m) and ha[-1]["key_id"] == ha[0]["key_id"] and ha[-1]["key"] == ha[0]["key"]')" \
	"its port changed: a later generation, the same key ($(q fwd1 '[x["generation"] for x in ha]'))"
ok "$(t fwd1 '[x["state"] for x in ha[-1]["nodes"]] == ["up", "down"] and ha[-1]["nodes"][1]["state_generation"] == notices("gw2")[-1]["ha_generation"]')" \
	"  with the nodes' last notices: gw1 up, gw2 down at its notice's HA generation"

if [ -n "${SVCGWD_TEST_LONG:-}" ]; then
	nha=$(count "$dir/fwd1.msgs" '"type": "ha"')
	wait_for_long()
	{
		local i

		for i in $(seq 800); do
			[ "$(count "$dir/fwd1.msgs" '"type": "ha"')" -ge "$1" ] &&
				return 0
			sleep 0.1
		done
		return 1
	}
	wait_for_long $((nha + 1))
	ok "$(t fwd1 'ha[-1]["key_id"] == (ha[-2]["key_id"] + 1 if ha[-2]["key_id"] < 2**32 - 1 else 1) and ha[-1]["prev_key_id"] == ha[-2]["key_id"] and ha[-1]["prev_key"] == ha[-2]["key"] and ha[-1]["key"] != ha[-2]["key"] and ha[-1]["generation"] > ha[-2]["generation"]')" \
		"key rotation: a new key with the next id, the old one as prev_key, a later generation"
	wait_for_long $((nha + 2))
	ok "$(t fwd1 '"prev_key" not in ha[-1] and "prev_key_id" not in ha[-1] and ha[-1]["key"] == ha[-2]["key"] and ha[-1]["generation"] > ha[-2]["generation"]')" \
		"  30 s later (half the rotation) the rollover ended: the previous key gone, a later generation"
fi

last=$(q fwd1 'max([x["generation"] for x in ha] + [x.get("ha_generation", 0) for x in m])')
kill "$ctl"
wait "$ctl"
ok $? "the controller stops on SIGTERM"
ok "$(python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["ha_generation"] != int(sys.argv[2]))' "$dir/state" "$last"; echo $?)" \
	"  the state file keeps the last HA generation ($last)"
# restart: the controller again, fwd1 again (a fake agent does not
# reconnect)
restart()
{
	wait "$pid_gw1" "$pid_fwd1" 2> /dev/null
	local ngw

	nha=$(count "$dir/fwd1.msgs" '"type": "ha"')
	ngw=$(count "$dir/gw1.msgs" '"type": "ha"')
	start_ctl
	wait_for "$dir/log" "listening on" "$1"
	agent fwd1
	agent gw1
	wait_for "$dir/fwd1.msgs" '"type": "ha"' $((nha + 1))
	wait_for "$dir/gw1.msgs" '"type": "ha"' $((ngw + 1))
}
restart 2
ok "$(t fwd1 "ha[-1]['generation'] > $last and ha[-1]['key'] != ha[-2]['key'] and ha[-1]['key_id'] != ha[-2]['key_id']")" \
	"restarted: a later generation ($(q fwd1 'ha[-1]["generation"]')), a new key and id"
rm "$dir/state"
kill "$ctl"
wait "$ctl"
restart 3
ok "$(t fwd1 'ha[-1]["generation"] > ha[-2]["generation"]')" \
	"restarted without its state file: still a later generation (the wall clock)"
ok "$(t gw1 'ha[-1]["nodes"][0].get("state") == "up" and ha[-1]["nodes"][1].get("state") is None')" \
	"  to gw1, gw1 up again (its hello to this run), gw2 without a notice of this run"

# The ha section goes: a removal with a later generation, to every node
# at the reload and after each hello, across a restart (the state file
# says the last run had one), until a file has one again.
rm_of() { q "$1" '[x["generation"] for x in m if x["type"] == "ha_removed"]'; }
last=$(q fwd1 'max([x["generation"] for x in ha] + [x.get("ha_generation", 0) for x in m])')
write_conf gw1 7441
sed -i '/^ha:/,$d' "$dir/ctl.conf"
kill -HUP "$ctl"
wait_for "$dir/fwd1.msgs" '"type": "ha_removed"' 1
wait_for "$dir/gw1.msgs" '"type": "ha_removed"' 1
ok "$(t fwd1 "len(rm_of := [x['generation'] for x in m if x['type'] == 'ha_removed']) == 1 and rm_of[0] > $last")" \
	"reloaded without an ha section: fwd1 got ha_removed, generation $(rm_of fwd1) above the last ($last)"
ok "$(t gw1 "[x['generation'] for x in m if x['type'] == 'ha_removed'] == $(rm_of fwd1)")" \
	"  gw1 too, the same generation"
removed=$(q fwd1 '[x["generation"] for x in m if x["type"] == "ha_removed"][0]')
kill "$ctl"
wait "$ctl"
wait "$pid_gw1" "$pid_fwd1" 2> /dev/null
start_ctl
wait_for "$dir/log" "listening on" 4
agent fwd1
wait_for "$dir/fwd1.msgs" '"type": "ha_removed"' 2
ok "$(t fwd1 "[x['generation'] for x in m if x['type'] == 'ha_removed'] == [$removed, $removed]")" \
	"  restarted without: fwd1's hello answered with the same removal ($(rm_of fwd1))"
kill "$ctl"
wait "$ctl"
wait "$pid_fwd1" 2> /dev/null
python3 - "$dir/state" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
del s["ha_removed"]
s["ha"] = True
json.dump(s, open(sys.argv[1], "w"))
PY
start_ctl
wait_for "$dir/log" "listening on" 5
agent fwd1
wait_for "$dir/fwd1.msgs" '"type": "ha_removed"' 3
ok "$(t fwd1 "len(r := [x['generation'] for x in m if x['type'] == 'ha_removed']) == 3 and r[2] > $removed")" \
	"  a last run with an ha section (state file) and a file without: a removal at the start ($(rm_of fwd1))"
removed=$(q fwd1 '[x["generation"] for x in m if x["type"] == "ha_removed"][-1]')
nha=$(count "$dir/fwd1.msgs" '"type": "ha"')
write_conf gw1 7441
kill -HUP "$ctl"
wait_for "$dir/fwd1.msgs" '"type": "ha"' $((nha + 1))
ok "$(t fwd1 "ha[-1]['generation'] > $removed")" \
	"  an ha section again: an ha message above the removal ($(q fwd1 'ha[-1]["generation"]'))"
kill "$ctl"
wait "$ctl"
wait "$pid_fwd1" 2> /dev/null
nrm=$(count "$dir/fwd1.msgs" '"type": "ha_removed"')
nha=$(count "$dir/fwd1.msgs" '"type": "ha"')
start_ctl
wait_for "$dir/log" "listening on" 6
agent fwd1
wait_for "$dir/fwd1.msgs" '"type": "ha"' $((nha + 1))
ok "$([ "$(count "$dir/fwd1.msgs" '"type": "ha_removed"')" -eq "$nrm" ]; echo $?)" \
	"  restarted with it: the policy after the hello, no removal"
kill "$ctl"
wait "$ctl"
keys=$(cat "$dir"/*.msgs | python3 -c '
import json, sys
for l in sys.stdin:
    m = json.loads(l)
    for k in ("key", "prev_key"):
        if k in m:
            print(m[k])' | sort -u)
leaks=0
for k in $keys; do
	grep -qi -- "${k:0:16}" "$dir/log" "$dir/state" && leaks=$((leaks + 1))
done
ok "$leaks" "no key (of the $(echo "$keys" | wc -l) sent) in the controller's log or state file"
sed 's/^/# /' "$dir/log"
echo "1..$n"
[ "$fails" -eq 0 ]
