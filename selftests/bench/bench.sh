#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh DIR: the benchmark of "make bench", run in the test guest by
# selftests/vm/guest-run.sh (job bench). Builds one pair of namespaces per
# configuration, configures the balancer under test in it, times the
# control plane, then hands over to bench.py, which measures and writes
# DIR/results.json and DIR/bench.txt. How to read them: README.rst.
#
#   netns b-NAME-gw                                  netns b-NAME-sink
#   +------------------------------------------+     +----------------------+
#   | in0 (dummy) 203.0.113.1/24               |     |                      |
#   |   ^ pktgen, xmit_mode netif_receive:     |     | eg1: netdev ingress  |
#   |   | UDP to 192.0.2.10:80, 1024 flows     |     |   counter per ip     |
#   | balancer under test (or plain routing)   |     |   daddr, then drop   |
#   | eg0 198.51.100.1/24 ---------- veth -------->  |                      |
#   |   static neighbours .11-.18 -> eg1's MAC |     | (the "servers" need  |
#   +------------------------------------------+     |  not exist)          |
#                                                    +----------------------+
#
# Environment: BENCH_TIME, BENCH_ROUNDS, BENCH_SESSIONS (bench.py),
# BENCH_SCALE (1000,10000: services of the scaling table, 0 for none),
# BENCH_CLI_SERVICES (10: services configured with the CLI, one process per
# command, for the control-plane figure), BENCH_CP_SERVICES (10000:
# services of the svcgw -b / ipvsadm -R / nft -f comparison, control.sh).

set -u

dir=${1:?usage: bench.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
source "$here/control.sh"
SVCGW_BIN=${SVCGW_BIN:-$SVCGW_SRC/tools/svcgw/svcgw}
export SVCGW_BIN

VIP=192.0.2.10
IN_MAC=02:00:00:00:00:01	# bench.py sends to this address
SINK_MAC=02:00:00:00:01:01
SCALE=${BENCH_SCALE:-1000,10000}
CLI_SERVICES=${BENCH_CLI_SERVICES:-10}
SESSION_MAX=1000000
LONG=3600		# UDP timeouts of every engine: flows stay known

cfgs=$dir/configs.jsonl
control=$dir/control.jsonl

cleanup()
{
	cleanup_all_ns
	svcgw_unload 2>/dev/null || true
}
trap cleanup EXIT

# config NAME TABLE LABEL EXPECT SERVERS STATUS NOTE [JSON]: describe one
# configuration to bench.py. EXPECT: plain (packets keep 192.0.2.10) or
# balanced (they reach the servers); STATUS ok, skip or fail.
config()
{
	python3 - "$@" >> "$cfgs" <<'PY'
import json, sys
a = sys.argv[1:]
d = dict(zip(("name", "table", "label", "expect", "servers", "status",
              "note"), a[:7]))
d.update(servers=int(d["servers"]), gw="b-%s-gw" % a[0],
         sink="b-%s-sink" % a[0])
d.update(json.loads(a[7]) if len(a) > 7 else {})
print(json.dumps(d))
PY
}

# jline KEY PYTHON-EXPR: one line of control.jsonl
jline()
{
	python3 -c 'import json, sys; print(json.dumps({sys.argv[1]: eval(sys.argv[2])}))' \
		"$1" "$2" >> "$control"
}

# note TEXT: a note for the report (and the console).
note()
{
	echo "# $*"
	python3 -c 'import json, sys; print(json.dumps({"note": sys.argv[1]}))' \
		"$*" >> "$control"
}

# topo NAME: the two namespaces of one configuration. Always room for 8
# servers (neighbours, sink counters), whatever the configuration uses:
# the same work per packet outside the gateway's balancer everywhere.
topo()
{
	local gw=b-$1-gw sink=b-$1-sink n=8 i ns

	for ns in "$gw" "$sink"; do
		ip netns add "$ns" || return 1
		NS_LIST+=("$ns")
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		ip -n "$ns" link set lo up
	done
	ip -n "$gw" link add in0 address $IN_MAC type dummy &&
	ip -n "$gw" addr add 203.0.113.1/24 dev in0 &&
	ip -n "$gw" link set in0 up &&
	ip -n "$gw" link add eg0 type veth peer name eg1 netns "$sink" &&
	ip -n "$sink" link set eg1 address $SINK_MAC up &&
	ip -n "$gw" addr add 198.51.100.1/24 dev eg0 &&
	ip -n "$gw" link set eg0 up || return 1
	for ((i = 11; i < 11 + n; i++)); do
		ip -n "$gw" neigh add 198.51.100.$i lladdr $SINK_MAC dev eg0 \
			nud permanent || return 1
	done
	ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.in0.rp_filter=0 || return 1
	# One set lookup counts every destination: the same work per packet
	# whatever its address (a chain of rules would favour the first).
	{
		echo "table netdev sink {"
		echo "	set addrs {"
		echo "		type ipv4_addr; counter;"
		echo -n "		elements = { $VIP"
		for ((i = 11; i < 11 + n; i++)); do echo -n ", 198.51.100.$i"; done
		echo " }"
		echo "	}"
		echo "	counter other {}"
		echo "	chain in {"
		echo "		type filter hook ingress device eg1 priority 0; policy drop;"
		echo "		ip daddr @addrs drop"
		echo "		counter name other drop"
		echo "	}"
		echo "}"
	} | ip netns exec "$sink" nft -f -
}

cli()
{
	local ns=$1

	shift
	ip netns exec "$ns" "$SVCGW_BIN" "$@"
}

# svcgw_service NS MODE NSERVERS: 192.0.2.10:80 with its servers, by the
# CLI; the CLI's message on stdout if it refused. "transition 0" where the
# CLI has it: adding the servers one by one must not tie flows to the
# first for a minute (hybrid and stateful services): steady state only.
svcgw_service()
{
	local ns=$1 mode=$2 n=$3 i out

	out=$(cli "$ns" service add $VIP:80 proto udp mode "$mode" transition 0 2>&1) ||
	out=$(cli "$ns" service add $VIP:80 proto udp mode "$mode" 2>&1) ||
		{ echo "${out:-service add failed}"; return 1; }
	for ((i = 11; i < 11 + n; i++)); do
		out=$(cli "$ns" server add $VIP:80 proto udp server 198.51.100.$i 2>&1) ||
			{ echo "${out:-server add failed}"; return 1; }
	done
}

cfg_ref()
{
	topo ref && ip -n b-ref-gw route add $VIP/32 via 198.51.100.11 &&
		config ref main "plain IP forwarding" plain 3 ok "reference" && return
	config ref main "plain IP forwarding" plain 3 fail "setup failed"
}

# The generator alone: packets to another MAC address, dropped on receipt
# (PACKET_OTHERHOST) before IP. What pktgen and the receive path cost.
cfg_gen()
{
	topo gen &&
		config gen main "pktgen alone, dropped on receipt" sent 3 ok \
			"the injection ceiling" '{"pktgen": ["dst_mac 02:00:00:00:00:99"]}' &&
		return
	config gen main "pktgen alone, dropped on receipt" sent 3 fail "setup failed"
}

# cfg_svcgw NAME MODE LABEL [TABLE [JSON]]
cfg_svcgw()
{
	local name=$1 mode=$2 label=$3 table=${4:-main} json=${5:-'{}'} gw=b-$1-gw msg

	if [ ! -d /sys/module/svcgw ]; then
		config "$name" "$table" "$label" balanced 3 fail "module not loaded"
		return
	fi
	topo "$name" || { config "$name" "$table" "$label" balanced 3 fail "setup failed"; return; }
	cli "$gw" config set session-max $SESSION_MAX timeout-udp $LONG || {
		config "$name" "$table" "$label" balanced 3 fail "config set refused"
		return
	}
	if msg=$(svcgw_service "$gw" "$mode" 3); then
		config "$name" "$table" "$label" balanced 3 ok "" "$json"
	elif [ "$mode" = hybrid ]; then
		config "$name" "$table" "$label" balanced 3 skip \
			"mode hybrid refused: $(echo "$msg" | head -n 1)"
	else
		config "$name" "$table" "$label" balanced 3 fail "$(echo "$msg" | head -n 1)"
	fi
}

cfg_ipvs()
{
	local gw=b-ipvs-gw label="IPVS NAT, mh" i flags="-b mh-port"

	if ! command -v ipvsadm > /dev/null; then
		config ipvs main "$label" balanced 3 skip "ipvsadm missing"
		return
	fi
	if ! modprobe -a ip_vs ip_vs_mh; then
		config ipvs main "$label" balanced 3 skip "ip_vs or ip_vs_mh missing"
		return
	fi
	topo ipvs || { config ipvs main "$label" balanced 3 fail "setup failed"; return; }
	# IPVS takes the packets in LOCAL_IN: the address must be local.
	ip -n $gw addr add $VIP/32 dev lo
	ip netns exec $gw sysctl -qw net.netfilter.nf_conntrack_udp_timeout=$LONG 2>/dev/null
	ip netns exec $gw ipvsadm --set 900 120 $LONG
	# mh hashes the source address only, unless told the port too.
	if ! ip netns exec $gw ipvsadm -A -u $VIP:80 -s mh $flags 2>/dev/null; then
		flags=
		ip netns exec $gw ipvsadm -A -u $VIP:80 -s mh ||
			{ config ipvs main "$label" balanced 3 fail "ipvsadm -A refused"; return; }
		label="$label (no mh-port)"
	fi
	for i in 11 12 13; do
		ip netns exec $gw ipvsadm -a -u $VIP:80 -r 198.51.100.$i:80 -m ||
			{ config ipvs main "$label" balanced 3 fail "ipvsadm -a refused"; return; }
	done
	config ipvs main "$label" balanced 3 ok "" '{"fill": "after", "fill_kind": "ipvs"}'
}

cfg_nft()
{
	local gw=b-nft-gw label="nftables DNAT, jhash map"

	if ! command -v nft > /dev/null; then
		config nft main "$label" balanced 3 skip "nft missing"
		return
	fi
	topo nft || { config nft main "$label" balanced 3 fail "setup failed"; return; }
	if ! ip netns exec $gw nft -f - <<EOF
table ip bench {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr $VIP udp dport 80 dnat to jhash ip saddr . udp sport mod 3 map { 0 : 198.51.100.11, 1 : 198.51.100.12, 2 : 198.51.100.13 }
	}
}
EOF
	then
		config nft main "$label" balanced 3 fail "ruleset refused"
		return
	fi
	ip netns exec $gw sysctl -qw net.netfilter.nf_conntrack_udp_timeout=$LONG
	config nft main "$label" balanced 3 ok "" '{"fill": "after", "fill_kind": "conntrack"}'
}

# cli_timing: CLI_SERVICES services of 8 servers through the CLI, one
# process per command, as an operator's script would do it.
cli_timing()
{
	local ns=b-cli-gw t0 t1 n=$CLI_SERVICES

	ip netns add $ns && NS_LIST+=("$ns") || return 1
	t0=$(date +%s.%N)
	ip netns exec $ns bash -c '
		for ((k = 0; k < $2; k++)); do
			p=$((20000 + k))
			"$1" service add 192.0.2.10:$p proto udp mode stateless || exit 1
			for ((i = 11; i < 19; i++)); do
				"$1" server add 192.0.2.10:$p proto udp server 198.51.100.$i:$p || exit 1
			done
		done' - "$SVCGW_BIN" "$n" || { note "CLI timing: a command failed"; return 1; }
	t1=$(date +%s.%N)
	jline cli "{'services': $n, 'servers': 8, 'commands': $((n * 9)), 'seconds': round($t1 - $t0, 2)}"
	cleanup_ns $ns
}

# batch_supported: does the CLI take a batch file (-b FILE)?
batch_supported()
{
	"$SVCGW_BIN" -b /dev/null > /dev/null 2>&1
}

# bulk NS FIRST_PORT COUNT: COUNT more services of 8 servers, by a batch
# file if the CLI has one, else svcgw_bulk.py (one process, netlink).
bulk()
{
	local ns=$1 first=$2 n=$3 t0 t1 m0 m1 how out

	m0=$(awk '/^MemAvailable:/ { print $2 * 1024 }' /proc/meminfo)
	t0=$(date +%s.%N)
	if batch_supported; then
		how="CLI batch file (-b)"
		python3 - "$first" "$n" > "$dir/batch-$ns.txt" <<'PY'
import sys
first, n = int(sys.argv[1]), int(sys.argv[2])
for p in range(first, first + n):
    print("service add 192.0.2.10:%d proto udp mode stateless" % p)
    for i in range(11, 19):
        print("server add 192.0.2.10:%d proto udp server 198.51.100.%d:%d" % (p, i, p))
PY
		cli "$ns" -b "$dir/batch-$ns.txt" > /dev/null || return 1
		rm -f "$dir/batch-$ns.txt"
	else
		how="netlink from one process (svcgw_bulk.py; the CLI has no -b)"
		out=$(ip netns exec "$ns" python3 "$here/svcgw_bulk.py" \
			"$SVCGW_SRC/uapi/linux/svcgw.h" "$first" "$n" 8 stateless) ||
			return 1
	fi
	t1=$(date +%s.%N)
	sleep 1
	m1=$(awk '/^MemAvailable:/ { print $2 * 1024 }' /proc/meminfo)
	jline bulk "{'how': '$how', 'services': $n, 'servers': 8, 'seconds': round($t1 - $t0, 2), 'bytes_per_service': round(($m0 - $m1) / $n)}"
}

# cfg_scale N: N services of 8 servers, traffic to one.
cfg_scale()
{
	local n=$1 name gw label

	case $n in
	1)	name=svc1 ;;
	*000)	name=svc${n%000}k ;;
	*)	name=svc$n ;;
	esac
	gw=b-$name-gw
	label=$n
	topo $name || { config $name scale "$label" balanced 8 fail "setup failed"; return; }
	if ! msg=$(svcgw_service $gw stateless 8); then
		config $name scale "$label" balanced 8 fail "$msg"
		return
	fi
	if [ "$n" -gt 1 ] && ! bulk $gw 1000 $((n - 1)); then
		config $name scale "$label" balanced 8 fail "configuring $n services failed"
		return
	fi
	config $name scale "$label" balanced 8 ok ""
}

main()
{
	local n t0

	: > "$cfgs"
	: > "$control"
	t0=$(date +%s)
	modprobe -a pktgen dummy veth nf_tables nf_conntrack ||
		{ echo "not ok - modules pktgen dummy veth nf_tables nf_conntrack"; return 1; }
	# nf_conntrack_max is global (init namespace only): room for the fills.
	sysctl -qw net.netfilter.nf_conntrack_max=1048576
	if ! svcgw_load; then
		echo "not ok - svcgw module loads"
	fi
	batch_supported || note "the CLI has no batch option (-b FILE): thousands of services are configured through netlink from one process (svcgw_bulk.py)"

	cfg_ref
	cfg_svcgw stateless stateless "svcgw stateless"
	cfg_svcgw stateful stateful "svcgw stateful"
	cfg_svcgw hybrid hybrid "svcgw hybrid"
	cfg_ipvs
	cfg_nft
	cfg_gen
	cfg_svcgw sess stateful "+100k" sessions '{"fill": "before", "fill_kind": "svcgw"}'
	if [ -d /sys/module/svcgw ]; then
		cli_timing
		control_plane
		if [ "$SCALE" != 0 ]; then
			for n in 1 ${SCALE//,/ }; do
				cfg_scale "$n"
			done
		fi
	fi
	echo "# set up in $(($(date +%s) - t0)) s"
	python3 "$here/bench.py" "$dir"
}

main
