#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad input to the CLI and to the kernel: each is refused with a non-zero
# exit and one clear line on stderr, and changes nothing.  Runs in one
# namespace; no traffic.
#
#   +-------------------------------+
#   | netns $gw: svcgw configured   |
#   | service 192.0.2.10:80 tcp     |
#   |   server 198.51.100.11        |
#   +-------------------------------+

set -u

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/topo.sh"

topo_init

svcgw_load || { ktap_fail "module loads"; ktap_finish; }
setup_ns gw

gwcli service add $VIP:80 proto tcp
gwcli server add $VIP:80 proto tcp server 198.51.100.11
gwcli -j service show > "$tmp/before.json"

# refused NAME PATTERN ARGS...: the CLI fails, prints one stderr line that
# matches PATTERN (extended regex), and the configuration is unchanged.
refused()
{
	local name=$1 pattern=$2 rc lines

	shift 2
	gwcli "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	lines=$(wc -l < "$tmp/err")
	gwcli -j service show > "$tmp/after.json"
	if [ $rc -ne 0 ] && [ "$lines" -eq 1 ] &&
	   grep -Eqi -- "$pattern" "$tmp/err" &&
	   cmp -s "$tmp/before.json" "$tmp/after.json"; then
		ktap_ok "$name: $(cat "$tmp/err")"
	else
		ktap_fail "$name (rc=$rc, stderr: $(head -c 300 "$tmp/err"))"
	fi
}

refused "bad address" 'invalid|address' \
	service add 300.1.2.3:80 proto tcp
refused "bad port" 'port' service add $VIP:70000 proto tcp
refused "port zero" 'port' service add $VIP:0 proto tcp
refused "unknown protocol" 'proto' service add $VIP:80 proto sctp
refused "missing protocol" 'proto' service add $VIP:80
refused "unknown keyword" 'frobnicate' service add $VIP:80 proto tcp frobnicate
refused "unknown mode" 'mode' service add $VIP:82 proto tcp mode sometimes
refused "duplicate service" 'exists' service add $VIP:80 proto tcp
refused "table size not a prime" 'prime' service add $VIP:83 proto tcp table 1000
refused "table size out of range" 'range|table' service add $VIP:83 proto tcp table 70001
refused "multicast service address" 'unicast' service add 224.0.0.5:80 proto tcp
refused "delete unknown service" 'no such service' service del $VIP:99 proto tcp
refused "server for unknown service" 'no such service' \
	server add $VIP:99 proto tcp server 198.51.100.12
refused "duplicate server" 'exists' \
	server add $VIP:80 proto tcp server 198.51.100.11
refused "weight out of range" 'weight|range' \
	server add $VIP:80 proto tcp server 198.51.100.12 weight 70000
refused "bad server address" 'invalid|address' \
	server add $VIP:80 proto tcp server 198.51.100.300
refused "missing server" 'server' server add $VIP:80 proto tcp
refused "delete unknown server" 'no such server' \
	server del $VIP:80 proto tcp server 198.51.100.99
refused "mixed families" 'famil|IPv6' \
	server add $VIP:80 proto tcp server '[2001:db8::1]:80'
refused "session flush of unknown service" 'no such service' \
	session flush $VIP:99 proto tcp
refused "config value out of range" 'range|timeout' \
	config set timeout-udp 0
refused "--replace without a batch" 'replace.*batch' --replace service show
refused "batch file missing" 'cannot open' -b "$tmp/no-such-file"

# Services may share a server endpoint, but a stateless one not by NAT:
# its replies would not be told apart (they are by session).
gwcli service add $VIP:8080 proto tcp mode stateless
gwcli -j service show > "$tmp/before.json"
refused "stateless service sharing another's server endpoint by NAT" \
	'another service.*stateless' \
	server add $VIP:8080 proto tcp server 198.51.100.11:80
gwcli service del $VIP:8080 proto tcp
gwcli -j service show > "$tmp/before.json"

# Raw netlink, below the CLI: missing and malformed attributes reach the
# kernel's own checks and come back with an extended ack.
ip netns exec "$gw" python3 "$SVCGW_SRC/selftests/net/rawnl.py" > "$tmp/raw.txt" 2>&1
while read -r status name; do
	if [ "$status" = ok ]; then ktap_ok "netlink: $name"; else ktap_fail "netlink: $name"; fi
done < <(grep -E '^(ok|fail) ' "$tmp/raw.txt")
grep -E '^#' "$tmp/raw.txt" || true
gwcli -j service show > "$tmp/after.json"
if cmp -s "$tmp/before.json" "$tmp/after.json"; then
	ktap_ok "netlink: refused requests changed nothing"
else
	ktap_fail "netlink: refused requests changed nothing"
fi

# An unprivileged caller may look but not change anything.
if command -v setpriv > /dev/null; then
	ip netns exec "$gw" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$SVCGW_BIN" service add $VIP:81 proto tcp > /dev/null 2> "$tmp/err"
	rc=$?
	gwcli -j service show > "$tmp/after.json"
	if [ $rc -ne 0 ] && grep -qi 'not permitted' "$tmp/err" &&
	   cmp -s "$tmp/before.json" "$tmp/after.json"; then
		ktap_ok "unprivileged add refused: $(cat "$tmp/err")"
	else
		ktap_fail "unprivileged add refused (rc=$rc: $(cat "$tmp/err"))"
	fi
	ip netns exec "$gw" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$SVCGW_BIN" -j service show > "$tmp/unpriv.json" 2> "$tmp/err"
	check_rc=$?
	if [ $check_rc -eq 0 ] && cmp -s "$tmp/before.json" "$tmp/unpriv.json"; then
		ktap_ok "unprivileged show works"
	else
		ktap_fail "unprivileged show works ($(cat "$tmp/err"))"
	fi
else
	ktap_skip "unprivileged caller" "setpriv missing"
fi

gwcli flush
ktap_finish
