#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Proves the test harness itself: network namespaces joined by veth, ping,
# a TCP payload checked byte for byte, and that kmod/svcgw.ko loads and
# unloads in the guest kernel.
#
#   +--------------------------+            +--------------------------+
#   | netns $client            |            | netns $server            |
#   |                          |    veth    |                          |
#   |   veth0  192.0.2.1/24  --+------------+--  veth0  192.0.2.2/24   |
#   |                          |            |                          |
#   |   socat: 64 KiB random  ---> TCP 8080 --->  socat: to a file     |
#   +--------------------------+            +--------------------------+

set -eu

source "$(dirname "$0")/../lib.sh"

PORT=8080
PAYLOAD_BYTES=65536
tmp=

cleanup()
{
	cleanup_all_ns
	[ -z "$tmp" ] || rm -rf "$tmp"
	svcgw_unload 2>/dev/null || true
}
trap cleanup EXIT

checktool ip
checktool ss
checktool ping
checktool socat
checktool cmp

tmp=$(mktemp -d)
client='' server=''	# set by setup_ns
setup_ns client server
ip link add veth0 netns "$client" type veth peer name veth0 netns "$server"
ip -n "$client" addr add 192.0.2.1/24 dev veth0
ip -n "$server" addr add 192.0.2.2/24 dev veth0
ip -n "$client" link set veth0 up
ip -n "$server" link set veth0 up

if ip netns exec "$client" ping -q -c 1 -W 5 192.0.2.2 > /dev/null; then
	ktap_ok "ping 192.0.2.1 -> 192.0.2.2 over veth"
else
	ktap_fail "ping 192.0.2.1 -> 192.0.2.2 over veth"
fi

server_listening()
{
	ip netns exec "$server" ss -Htln "sport = :$PORT" | grep -q .
}

head -c "$PAYLOAD_BYTES" /dev/urandom > "$tmp/sent"
ip netns exec "$server" socat -u \
	"TCP-LISTEN:$PORT,bind=192.0.2.2,reuseaddr" "CREATE:$tmp/received" &
server_pid=$!
if busywait 5000 server_listening &&
   ip netns exec "$client" socat -u "OPEN:$tmp/sent" "TCP:192.0.2.2:$PORT" &&
   wait "$server_pid" &&
   cmp "$tmp/sent" "$tmp/received"; then
	ktap_ok "TCP payload of $PAYLOAD_BYTES bytes arrives intact"
else
	ktap_fail "TCP payload of $PAYLOAD_BYTES bytes arrives intact"
fi

if [ ! -f "$SVCGW_KO" ]; then
	ktap_fail "insmod svcgw.ko: $SVCGW_KO missing, run make module"
	ktap_skip "rmmod svcgw" "module not loaded"
else
	svcgw_unload
	if svcgw_load && [ "$(cat /sys/module/svcgw/initstate)" = live ]; then
		ktap_ok "insmod svcgw.ko"
		if rmmod svcgw && [ ! -d /sys/module/svcgw ]; then
			ktap_ok "rmmod svcgw"
		else
			ktap_fail "rmmod svcgw"
		fi
	else
		ktap_fail "insmod svcgw.ko"
		ktap_skip "rmmod svcgw" "module not loaded"
	fi
fi

ktap_finish
