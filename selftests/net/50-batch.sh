#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Batches (svcgw -b FILE, SVCGW_CMD_BATCH): thousands of services in one
# request; a refused batch changes nothing and names its line; a replacing
# batch (--replace) drops, keeps and changes services, and the flows of a
# service it keeps keep their servers (TCP connections held across it,
# UDP flows mapped alike); an empty replacing batch clears everything.
# Topology: topo.sh (client, gateway, servers s1 s2 s3).

set -u

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/topo.sh"

topo_init

S1=198.51.100.11 S2=198.51.100.12 S3=198.51.100.13
BULK=2000	# services of 8 servers in the bulk part of the batch

svcgw_load || { ktap_fail "module loads"; ktap_finish; }
topo_setup
topo_servers || topo_servers_wait 120000 || { ktap_fail "servers start"; ktap_finish; }

# bulk FIRST COUNT [WEIGHT]: COUNT services of 8 servers each, UDP ports
# FIRST.., servers 198.51.100.11-18 on the service's port (none listens:
# they are configuration only).
bulk()
{
	python3 - "$@" <<'PY'
import sys
first, n = int(sys.argv[1]), int(sys.argv[2])
w = " weight %s" % sys.argv[3] if len(sys.argv) > 3 else ""
for p in range(first, first + n):
    print("service add 192.0.2.10:%d proto udp mode stateless" % p)
    for i in range(11, 19):
        print("server add 192.0.2.10:%d proto udp server 198.51.100.%d:%d%s"
              % (p, i, p, w))
PY
}

# The services real traffic goes through: TCP 80 stateful (sessions),
# UDP 53 stateless, UDP 5353 hybrid (changed by the replace below).
real()
{
	cat <<EOF
# services with real servers
service add $VIP:80 proto tcp mode stateful
server add $VIP:80 proto tcp server $S1
server add $VIP:80 proto tcp server $S2
server add $VIP:80 proto tcp server $S3
service add $VIP:53 proto udp mode stateless
server add $VIP:53 proto udp server $S1
server add $VIP:53 proto udp server $S2
server add $VIP:53 proto udp server $S3
service add $VIP:5353 proto udp
server add $VIP:5353 proto udp server $S1
server add $VIP:5353 proto udp server $S2
EOF
}

# counts FILE: "SERVICES SERVERS" of a service show -j
counts()
{
	json_get 'len(d), sum(len(s["servers"]) for s in d)' < "$1" |
		tr -d '(),'
}

# svc FILE PORT PROTO EXPR: EXPR over service s of a service show -j
svc()
{
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = [s for s in d if s["port"] == int(sys.argv[2]) and s["proto"] == sys.argv[3]]
print(eval(sys.argv[4]) if s else "none")' "$1" "$2" "$3" "$4"
}

# --- 1. one batch of 2,003 services -------------------------------------
{ real; bulk 10000 $BULK; } > "$tmp/batch.txt"
lines=$(wc -l < "$tmp/batch.txt")
t0=$(date +%s.%N)
gwcli -b "$tmp/batch.txt" 2> "$tmp/err"
rc=$?
t1=$(date +%s.%N)
ktap_info "batch of $lines lines ($((BULK + 3)) services): $(python3 -c "print(round($t1 - $t0, 2))") s, rc $rc $(cat "$tmp/err")"
check "batch: exit status 0, nothing on stderr" \
	test $rc -eq 0 -a ! -s "$tmp/err"
gwcli -j service show > "$tmp/s1.json"
check "batch: service show counts $((BULK + 3)) services, $((BULK * 8 + 8)) servers" \
	test "$(counts "$tmp/s1.json")" = "$((BULK + 3)) $((BULK * 8 + 8))"
check "batch: a bulk service has its 8 servers on its port, in file order" \
	test "$(svc "$tmp/s1.json" 10777 udp '[(x["address"], x["port"]) for x in s[0]["servers"]] == [("198.51.100.%d" % i, 10777) for i in range(11, 19)]')" = True
check "batch: settings of the file (stateful, stateless, hybrid default)" \
	test "$(svc "$tmp/s1.json" 80 tcp 's[0]["mode"]') $(svc "$tmp/s1.json" 53 udp 's[0]["mode"]') $(svc "$tmp/s1.json" 5353 udp 's[0]["mode"]')" = "stateful stateless hybrid"
client_run tcp $VIP 80 --conns 30 --bytes 2000 > "$tmp/tcp.json"
check "batch: TCP through a batched service, every byte back from $VIP:80" \
	test "$(json_get 'd["ok"], len(d["servers"])' < "$tmp/tcp.json")" = "(30, 3)"
client_run udp $VIP 53 --count 60 --sport-base 30000 > "$tmp/udp-before.json"
check "batch: UDP through a batched service, all three servers answer" \
	test "$(json_get 'd["ok"], len(d["servers"])' < "$tmp/udp-before.json")" = "(60, 3)"

# --- 2. a refused batch changes nothing and names its line --------------
gwcli -j service show > "$tmp/before.json"

# refused NAME PATTERN FILE [OPTIONS]: exit 1, one line on stderr matching
# PATTERN, the configuration exactly as before.
refused()
{
	local name=$1 pattern=$2 file=$3 rc

	shift 3
	gwcli -b "$file" "$@" > /dev/null 2> "$tmp/err"
	rc=$?
	gwcli -j service show > "$tmp/after.json"
	if [ $rc -eq 1 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] &&
	   grep -Eq -- "$pattern" "$tmp/err" &&
	   cmp -s "$tmp/before.json" "$tmp/after.json"; then
		ktap_ok "$name: $(cat "$tmp/err")"
	else
		ktap_fail "$name (rc=$rc, stderr: $(head -c 300 "$tmp/err"))"
	fi
}

# The kernel's checks, deep in a big file: the request is all or nothing.
{ bulk 20000 500; echo "service add $VIP:29999 proto udp table 1000"; bulk 21000 500; } > "$tmp/bad1.txt"
refused "kernel error at line 4501 (table not prime): nothing applied" \
	"bad1.txt:4501: .*prime" "$tmp/bad1.txt"
{ bulk 20000 300; echo "server add $VIP:20299 proto udp server $S1:10005"; bulk 21000 100; } > "$tmp/bad2.txt"
refused "kernel error at line 2701 (stateless service sharing an endpoint by NAT): nothing applied" \
	"bad2.txt:2701: .*another service" "$tmp/bad2.txt"
{ bulk 20000 10; echo "service add $VIP:10100 proto udp"; } > "$tmp/bad3.txt"
refused "kernel error at line 91 (service exists): nothing applied" \
	"bad3.txt:91: .*exists" "$tmp/bad3.txt"
{ bulk 20000 10; echo "server add $VIP:20003 proto udp server $S1:20003"; } > "$tmp/bad4.txt"
refused "kernel error at line 91 (endpoint twice in a service): nothing applied" \
	"bad4.txt:91: .*twice" "$tmp/bad4.txt"
{ bulk 20000 10; echo "service add $VIP:20100 proto udp frobnicate 1"; bulk 21000 10; } > "$tmp/bad5.txt"
refused "CLI error at line 91 (unknown keyword): nothing sent" \
	"bad5.txt:91: .*frobnicate" "$tmp/bad5.txt"
{ bulk 20000 2; echo "service del $VIP:80 proto tcp"; } > "$tmp/bad6.txt"
refused "replace: a line that is no add is refused at line 19" \
	"bad6.txt:19: " "$tmp/bad6.txt" --replace
{ bulk 20000 2; echo "server add $VIP:10001 proto udp server $S1:9"; } > "$tmp/bad7.txt"
refused "replace: a server of a service not in the file is refused at line 19" \
	"bad7.txt:19: .*not added" "$tmp/bad7.txt" --replace
{ bulk 20000 1; echo "service add $VIP:80 proto tcp table 1000"; } > "$tmp/bad8.txt"
refused "replace: kernel error at line 10 changes nothing" \
	"bad8.txt:10: .*prime" "$tmp/bad8.txt" --replace

# Lines that are not adds run alone, in order, after the adds before them.
cat > "$tmp/mixed.txt" <<EOF
service add $VIP:40000 proto udp
server add $VIP:40000 proto udp server $S1:40000
service set $VIP:40000 proto udp transition 5
server add $VIP:40000 proto udp server $S2:40000
service del $VIP:40000 proto udp
EOF
gwcli -b "$tmp/mixed.txt" 2> "$tmp/err"
rc=$?
gwcli -j service show > "$tmp/after.json"
check "batch: other commands run in order between the adds" \
	test $rc -eq 0 -a ! -s "$tmp/err" -a \
	"$(counts "$tmp/after.json")" = "$(counts "$tmp/before.json")"

# --- 3. replace: drop, keep, change ---------------------------------------
# Kept unchanged: tcp 80 (held connections, sessions), udp 53 (stateless
# flows), bulk 10000..10999.  Dropped: bulk 11000..11999.  Changed:
# udp 5353 (a third server), bulk 10000..10099 (weights), and a new
# service.
gwcli -j session show $VIP:80 proto tcp > "$tmp/sess-before.json"
# Held until the checks below are done (the stop file): on the debug
# kernel, on a busy host, opening them and the replace take most of a
# minute.
client_run hold $VIP 80 --conns 30 --seconds 600 --interval 1 \
	--stop-file "$tmp/hold-stop" > "$tmp/hold.json" &
hold_pid=$!

# sessions_at_least N: the held connections have their sessions (the
# client may take a while to open them in a busy guest).
sessions_at_least()
{
	gwcli -j session show $VIP:80 proto tcp > "$tmp/sess-held.json" &&
		[ "$(json_get 'len(d)' < "$tmp/sess-held.json")" -ge "$1" ]
}
busywait 120000 sessions_at_least 30
sleep 2
gwcli -j service show > "$tmp/pre.json"
{
	real | sed "s|^server add $VIP:5353 proto udp server $S2|&\nserver add $VIP:5353 proto udp server $S3|"
	bulk 10000 100 3
	bulk 10100 900
	echo "service add $VIP:7000 proto udp"
	echo "server add $VIP:7000 proto udp server $S1:7000"
} > "$tmp/replace.txt"
t0=$(date +%s.%N)
gwcli -b "$tmp/replace.txt" --replace 2> "$tmp/err"
rc=$?
t1=$(date +%s.%N)
ktap_info "replace: $(python3 -c "print(round($t1 - $t0, 2))") s, rc $rc $(cat "$tmp/err")"
gwcli -j service show > "$tmp/post.json"
gwcli -j session show $VIP:80 proto tcp > "$tmp/sess-after.json"
# For a failure below: all sessions, whatever their service.
ktap_info "sessions in the namespace after the replace: $(gwcli -j stats | json_get 'd["sessions_cur"]')"
check "replace: exit status 0" test $rc -eq 0 -a ! -s "$tmp/err"
check "replace: 1,004 services left, 1,000 dropped; $((1000 * 8 + 9 + 1)) servers" \
	test "$(counts "$tmp/post.json")" = "1004 $((1000 * 8 + 9 + 1))"
check "replace: a dropped service is gone, a new one is there" \
	test "$(svc "$tmp/post.json" 11500 udp 's') $(svc "$tmp/post.json" 7000 udp 'len(s[0]["servers"])')" = "none 1"
check "replace: changed weights are applied" \
	test "$(svc "$tmp/post.json" 10050 udp 'sorted(set(x["weight"] for x in s[0]["servers"]))')" = "[3]"
check "replace: a changed server set goes through a transition" \
	test "$(svc "$tmp/post.json" 5353 udp 'len(s[0]["servers"]), s[0]["marked"] > 0')" = "(3, True)"
check "replace: an unchanged service keeps its counters and has no transition" \
	test "$(svc "$tmp/post.json" 80 tcp 's[0]["packets"] >= '"$(svc "$tmp/pre.json" 80 tcp 's[0]["packets"]')"' and s[0]["marked"] == 0')" = True
check "replace: the stateful service keeps its sessions, each on its server" \
	python3 -c '
import json, sys
held, after = (json.load(open(f)) for f in sys.argv[1:3])
key = lambda s: (s["client_port"], s["server"], s["server_port"])
a, b = set(map(key, held)), set(map(key, after))
print("# sessions held %d, after %d, kept %d" % (len(a), len(b), len(a & b)))
sys.exit(0 if len(a) >= 30 and a <= b else 1)' \
	"$tmp/sess-held.json" "$tmp/sess-after.json"
touch "$tmp/hold-stop"
wait $hold_pid
check "replace: 30 TCP connections held across it kept every byte" \
	test "$(json_get 'd["ok"], d["failed"]' < "$tmp/hold.json")" = "(30, 0)"
client_run udp $VIP 53 --count 60 --sport-base 30000 > "$tmp/udp-after.json"
check "replace: stateless UDP flows of an unchanged service keep their servers" \
	python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
sys.exit(0 if a["flows"] == b["flows"] and b["ok"] == 60 else 1)' \
	"$tmp/udp-before.json" "$tmp/udp-after.json"
client_run udp $VIP 5353 --count 30 > "$tmp/udp5353.json"
check "replace: the changed service answers" \
	test "$(json_get 'd["ok"]' < "$tmp/udp5353.json")" = 30

# A table size change makes the service afresh.
{ real | sed "s|^service add $VIP:53 proto udp mode stateless|& table 2039|"; } > "$tmp/replace2.txt"
gwcli -b "$tmp/replace2.txt" --replace
gwcli -j service show > "$tmp/post2.json"
check "replace: table size changed, service made afresh with it" \
	test "$(svc "$tmp/post2.json" 53 udp 's[0]["table"], s[0]["packets"]')" = "(2039, 0)"
check "replace: 3 services left" test "$(counts "$tmp/post2.json")" = "3 8"

# --- 4. an empty replacing batch clears everything ------------------------
gwcli -b /dev/null --replace
rc=$?
gwcli -j service show > "$tmp/empty.json"
check "replace with an empty file: no service left" \
	test $rc -eq 0 -a "$(counts "$tmp/empty.json")" = "0 0"
check "replace with an empty file: no session left" \
	test "$(gwcli -j stats | json_get 'd["sessions_cur"]')" = 0

gwcli flush
ktap_finish
