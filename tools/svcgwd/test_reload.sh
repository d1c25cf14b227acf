#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test_reload.sh SVCGWD: a controller on the loopback (no kernel module
# needed) reloaded with SIGHUP: a changed file, one with an error, none at
# all. It must take the first, refuse the others naming them, and run on.
# (Its first reload once left it reading a model freed on return, and the
# next timer tick crashed it.) TAP on stdout.

set -u
svcgwd=$(realpath "${1:?SVCGWD}")
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'kill "$pid" 2> /dev/null; rm -rf "$dir"' EXIT
n=0
fails=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}

"$here/mkcerts.sh" "$dir/pki" ctl nn > /dev/null 2>&1 || { echo "not ok 1 - certificates"; exit 1; }
port=$((20000 + $$ % 20000))
cat > "$dir/ctl.conf" <<CONF
node: ctl
tls: {ca: $dir/pki/ca.crt, cert: $dir/pki/ctl.crt, key: $dir/pki/ctl.key}
listen: {address: 127.0.0.1, port: $port}
heartbeat: 100ms
nodes: [nn]
policy_sets:
  - name: A
    groups:
      - name: ga
        dests: [{address: 198.51.100.21, method: ipip}]
    policies:
      - {address: 192.0.2.10, port: 80, proto: tcp, group: ga}
CONF
"$svcgwd" -f "$dir/ctl.conf" --state "$dir/state" --control "$dir/sock" \
	> "$dir/log" 2>&1 &
pid=$!
# wait_for PATTERN N: the log has N lines matching PATTERN (5 s at most)
wait_for()
{
	local i

	for i in $(seq 50); do
		[ "$(grep -c -- "$1" "$dir/log")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
wait_for "switch to generation 1" 1
ok $? "the controller chose set A"
sed -i 's/method: ipip}/method: ipip, weight: 2}/' "$dir/ctl.conf"
kill -HUP "$pid"
wait_for "reloaded $dir/ctl.conf" 1
ok $? "a changed file: reloaded"
sleep 0.5	# timer ticks read the new model
sed -i 's/^heartbeat: 100ms$/heartbeat: soon/' "$dir/ctl.conf"
kill -HUP "$pid"
wait_for "reload refused" 1
ok $? "a file with an error: refused"
grep -q "$dir/ctl.conf:4: heartbeat" "$dir/log"
ok $? "  named with its line"
rm "$dir/ctl.conf"
kill -HUP "$pid"
wait_for "reload refused" 2
ok $? "no file at all: refused"
sleep 0.5
kill -0 "$pid"
ok $? "the controller runs on"
"$svcgwd" --control "$dir/sock" --status | grep -q '"active":"A"'
ok $? "  and answers --status: set A active"
kill "$pid"
wait "$pid"
ok $? "it stops cleanly on SIGTERM"
sed 's/^/# /' "$dir/log"
echo "1..$n"
[ "$fails" -eq 0 ]
