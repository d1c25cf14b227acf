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
#   |   | (TCP: in0 is a veth; tcpgen sends    |     |   daddr, then drop   |
#   |   |  on its peer tx0 through AF_PACKET)  |     |                      |
#   | balancer under test (or plain routing)   |     |                      |
#   | eg0 198.51.100.1/24 ---------- veth -------->  |                      |
#   |   static neighbours .11-.18 -> eg1's MAC |     | (the "servers" need  |
#   +------------------------------------------+     |  not exist)          |
#                                                    +----------------------+
#
# Environment: BENCH_TIME, BENCH_ROUNDS, BENCH_SESSIONS (bench.py),
# BENCH_SCALE (1000,10000: services of the scaling table, 0 for none),
# BENCH_LIVE (100000,1000000: live sessions of the sessions table, 0 for
# none), BENCH_NEW (1: the new-flow tables, 0 for none), BENCH_TCP (1: the
# TCP tables, 0 for none),
# BENCH_FABRIC (1: the encapsulation and forwarding-policy tables, 0 for
# none), BENCH_POLICIES (10000: policies of the policy-set replace timed),
# BENCH_CLI_SERVICES (10: services configured with the CLI, one process per
# command, for the control-plane figure), BENCH_CP_SERVICES (10000:
# services of the svcgw -b / ipvsadm -R / nft -f comparison, control.sh),
# BENCH_HA (1: the session replication table, 0 for none), BENCH_HA_BULK
# (1000000: sessions of its bulk resync figure, 0 for none).
#
# Session replication (BENCH_HA): the gateway namespace of a configuration
# gets a second svcgw node, the backup, in a namespace of its own:
#
#   b-NAME-gw (node 1)                          b-NAME-bk (node 2)
#   sy0 192.0.2.201/30 ---------- veth ---------- sy1 192.0.2.202/30
#   the service under test,                     the same service (the
#   HA policy: local 1 backups 2                records find it), HA policy
#                                               local 2 backups 1

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
LIVE=${BENCH_LIVE:-100000,1000000}
NEW=${BENCH_NEW:-1}
TCP=${BENCH_TCP:-1}
FABRIC=${BENCH_FABRIC:-1}
POLICIES=${BENCH_POLICIES:-10000}
GUE_PORT=6080
HA=${BENCH_HA:-1}
HA_BULK=${BENCH_HA_BULK:-1000000}
# The sync key of the bench's HA policies (no secret in a throwaway guest)
# and the sync addresses, on a /30 of a documentation range that no other
# address of the gateway namespaces is in (192.0.2.10 is a route or an
# address of lo there, not a prefix).
HA_KEY=$(printf '%064x' 7441)
SYNC_GW=192.0.2.201
SYNC_BK=192.0.2.202
# Room for every session the new-flow runs make (none may be refused):
# svcgw serves a flow without a session at the cap, so a full table would
# look fast. The new-flow namespaces reach some 500000 each.
SESSION_MAX=4000000
LONG=3600		# flow timeouts of every engine: flows stay known
TCPGEN=/tmp/svcgw-bench-bin/tcpgen
export TCPGEN

cfgs=$dir/configs.jsonl
control=$dir/control.jsonl

cleanup()
{
	cleanup_all_ns
	svcgw_unload 2>/dev/null || true
}
trap cleanup EXIT

# config NAME TABLE LABEL EXPECT SERVERS STATUS NOTE [JSON...]: describe one
# configuration to bench.py. EXPECT: plain (packets keep 192.0.2.10) or
# balanced (they reach the servers); STATUS ok, skip or fail.
config()
{
	echo "# $1: $6 at ${SECONDS} s"
	python3 - "$@" >> "$cfgs" <<'PY'
import json, sys
a = sys.argv[1:]
d = dict(zip(("name", "table", "label", "expect", "servers", "status",
              "note"), a[:7]))
d.update(servers=int(d["servers"]), gw="b-%s-gw" % a[0],
         sink="b-%s-sink" % a[0])
for j in a[7:]:
    d.update(json.loads(j))
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

# topo NAME [tcp]: the two namespaces of one configuration. Always room
# for 8 servers (neighbours, sink counters), whatever the configuration
# uses: the same work per packet outside the gateway's balancer
# everywhere. With "tcp", in0 is a veth whose peer tx0, in the same
# namespace, takes tcpgen's frames.
topo()
{
	local gw=b-$1-gw sink=b-$1-sink n=8 i in0="type dummy"

	# A handful of processes, not one per command: starting one is slow
	# under emulation. IPv6 off before any link exists (no router
	# solicitations reach the sink, which counts every packet).
	printf 'netns add %s\n' "$gw" "$sink" | ip -batch - || return 1
	NS_LIST+=("$gw" "$sink")
	ip netns exec "$sink" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 &&
	ip netns exec "$gw" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 ||
		return 1
	[ "${2:-}" = tcp ] && in0="type veth peer name tx0"
	{
		echo "link set lo up"
		echo "link add in0 address $IN_MAC $in0"
		[ "${2:-}" = tcp ] && echo "link set tx0 up"
		echo "addr add 203.0.113.1/24 dev in0"
		echo "link set in0 up"
		echo "link add eg0 type veth peer name eg1 netns $sink"
		echo "addr add 198.51.100.1/24 dev eg0"
		echo "link set eg0 up"
		for ((i = 11; i < 11 + n; i++)); do
			echo "neigh add 198.51.100.$i lladdr $SINK_MAC dev eg0 nud permanent"
		done
	} | ip -n "$gw" -batch - || return 1
	printf 'link set lo up\nlink set eg1 address %s up\n' $SINK_MAC |
		ip -n "$sink" -batch - || return 1
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

# traffic PROTO FLOWS KIND: what bench.py needs to know of a configuration's
# traffic, as JSON. PROTO udp (pktgen) or tcp (tcpgen); FLOWS "flows" (the
# 1024 measured flows) or "new" (every packet a new flow: the entries of
# KIND, svcgw, ipvs or conntrack, made per run are counted).
traffic()
{
	local j="\"proto\": \"$1\", \"traffic\": \"$2\""

	[ "$1" = tcp ] && j+=", \"gen\": \"tcpgen\", \"ref\": \"tref\", \"gen_ref\": \"tgen\""
	[ "$2" = new ] && j+=", \"count_kind\": \"$3\""
	echo "{$j}"
}

# svcgw_service NS MODE NSERVERS [PROTO]: 192.0.2.10:80 with its servers,
# by the CLI; the CLI's message on stdout if it refused. "transition 0"
# where the CLI has it: adding the servers one by one must not tie flows
# to the first for a minute (hybrid and stateful services): steady state
# only.
svcgw_service()
{
	local ns=$1 mode=$2 n=$3 proto=${4:-udp} i out

	out=$(cli "$ns" service add $VIP:80 proto $proto mode "$mode" transition 0 2>&1) ||
	out=$(cli "$ns" service add $VIP:80 proto $proto mode "$mode" 2>&1) ||
		{ echo "${out:-service add failed}"; return 1; }
	for ((i = 11; i < 11 + n; i++)); do
		out=$(cli "$ns" server add $VIP:80 proto $proto server 198.51.100.$i 2>&1) ||
			{ echo "${out:-server add failed}"; return 1; }
	done
}

# cfg_ref NAME TABLE PROTO
cfg_ref()
{
	local t

	t=$(traffic "$3" flows)
	topo "$1" "$3" && ip -n "b-$1-gw" route add $VIP/32 via 198.51.100.11 &&
		config "$1" "$2" "plain IP forwarding" plain 3 ok "reference" "$t" &&
		return
	config "$1" "$2" "plain IP forwarding" plain 3 fail "setup failed" "$t"
}

# cfg_gen NAME TABLE PROTO GENERATOR: the generator alone, packets to
# another MAC address, dropped on receipt (PACKET_OTHERHOST) before IP.
# What the generator and the receive path cost.
cfg_gen()
{
	local t label="$4 alone, dropped on receipt"

	t=$(traffic "$3" flows)
	topo "$1" "$3" &&
		config "$1" "$2" "$label" sent 3 ok "the injection ceiling" "$t" \
			'{"dst_mac": "02:00:00:00:00:99"}' &&
		return
	config "$1" "$2" "$label" sent 3 fail "setup failed" "$t"
}

# cfg_svcgw NAME MODE LABEL [TABLE [PROTO [FLOWS [JSON]]]]
cfg_svcgw()
{
	local name=$1 mode=$2 label=$3 table=${4:-main} proto=${5:-udp}
	local flows=${6:-flows} json=${7:-'{}'} gw=b-$1-gw msg t

	t=$(traffic "$proto" "$flows" svcgw)
	if [ ! -d /sys/module/svcgw ]; then
		config "$name" "$table" "$label" balanced 3 fail "module not loaded" "$t"
		return
	fi
	topo "$name" "$proto" ||
		{ config "$name" "$table" "$label" balanced 3 fail "setup failed" "$t"; return; }
	cli "$gw" config set session-max $SESSION_MAX timeout-udp $LONG \
		timeout-tcp-syn $LONG timeout-tcp-est $LONG || {
		config "$name" "$table" "$label" balanced 3 fail "config set refused" "$t"
		return
	}
	if msg=$(svcgw_service "$gw" "$mode" 3 "$proto"); then
		config "$name" "$table" "$label" balanced 3 ok "" "$t" "$json"
	elif [ "$mode" = hybrid ]; then
		config "$name" "$table" "$label" balanced 3 skip \
			"mode hybrid refused: $(echo "$msg" | head -n 1)" "$t"
	else
		config "$name" "$table" "$label" balanced 3 fail "$(echo "$msg" | head -n 1)" "$t"
	fi
}

# cfg_ipvs NAME TABLE PROTO FLOWS [JSON]
cfg_ipvs()
{
	local name=$1 table=$2 proto=$3 flows=$4 json=${5:-'{}'}
	local gw=b-$1-gw label="IPVS NAT, mh" i flags="-b mh-port" p=-u t

	[ "$proto" = tcp ] && p=-t
	t=$(traffic "$proto" "$flows" ipvs)
	if ! command -v ipvsadm > /dev/null; then
		config $name $table "$label" balanced 3 skip "ipvsadm missing" "$t"
		return
	fi
	if ! modprobe -a ip_vs ip_vs_mh; then
		config $name $table "$label" balanced 3 skip "ip_vs or ip_vs_mh missing" "$t"
		return
	fi
	topo $name $proto || { config $name $table "$label" balanced 3 fail "setup failed" "$t"; return; }
	# IPVS takes the packets in LOCAL_IN: the address must be local.
	ip -n $gw addr add $VIP/32 dev lo
	ip netns exec $gw sysctl -qw net.netfilter.nf_conntrack_udp_timeout=$LONG 2>/dev/null
	ip netns exec $gw ipvsadm --set 900 120 $LONG
	# The measured TCP flows are ACKs of connections whose SYN went
	# before the benchmark: IPVS schedules on a SYN only, unless sloppy.
	[ "$proto$flows" = tcpflows ] &&
		ip netns exec $gw sysctl -qw net.ipv4.vs.sloppy_tcp=1
	# mh hashes the source address only, unless told the port too.
	if ! ip netns exec $gw ipvsadm -A $p $VIP:80 -s mh $flags 2>/dev/null; then
		flags=
		ip netns exec $gw ipvsadm -A $p $VIP:80 -s mh ||
			{ config $name $table "$label" balanced 3 fail "ipvsadm -A refused" "$t"; return; }
		label="$label (no mh-port)"
	fi
	for i in 11 12 13; do
		ip netns exec $gw ipvsadm -a $p $VIP:80 -r 198.51.100.$i:80 -m ||
			{ config $name $table "$label" balanced 3 fail "ipvsadm -a refused" "$t"; return; }
	done
	config $name $table "$label" balanced 3 ok "" "$t" "$json"
}

# cfg_nft NAME TABLE PROTO FLOWS [JSON]
cfg_nft()
{
	local name=$1 table=$2 proto=$3 flows=$4 json=${5:-'{}'}
	local gw=b-$1-gw label="nftables DNAT, jhash map" t

	t=$(traffic "$proto" "$flows" conntrack)
	if ! command -v nft > /dev/null; then
		config $name $table "$label" balanced 3 skip "nft missing" "$t"
		return
	fi
	topo $name $proto || { config $name $table "$label" balanced 3 fail "setup failed" "$t"; return; }
	if ! ip netns exec $gw nft -f - <<EOF
table ip bench {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr $VIP $proto dport 80 dnat to jhash ip saddr . $proto sport mod 3 map { 0 : 198.51.100.11, 1 : 198.51.100.12, 2 : 198.51.100.13 }
	}
}
EOF
	then
		config $name $table "$label" balanced 3 fail "ruleset refused" "$t"
		return
	fi
	# A SYN nobody answers is "unacknowledged" too: 300 s by default.
	ip netns exec $gw sysctl -qw net.netfilter.nf_conntrack_udp_timeout=$LONG \
		net.netfilter.nf_conntrack_tcp_timeout_syn_sent=$LONG \
		net.netfilter.nf_conntrack_tcp_timeout_unacknowledged=$LONG
	config $name $table "$label" balanced 3 ok "" "$t" "$json"
}

# ha_file LOCAL: the HA policy of the bench's pair of nodes, as node
# LOCAL: the gateway (node 1) backed up by the backup (node 2), and the
# other way round (as a real pair is: 82-ha.sh's ha_file()).
ha_file()
{
	echo "ha generation 1 local $1 key 1 $HA_KEY"
	echo "node gw id 1 sync $SYNC_GW backups 2"
	echo "node bk id 2 sync $SYNC_BK backups 1"
}

# ha_backup NAME: the backup node of configuration NAME (whose gateway
# namespace exists): namespace b-NAME-bk, the veth sy0 (gateway) - sy1
# (backup), svcgw's settings and the gateway's service (stateful, UDP,
# its 3 servers), so that the records find their service and servers.
# The HA policies go to $dir/ha-NAME-gw.conf and ha-NAME-bk.conf; they
# are not installed. On failure HA_WHY says why (not run in $(...): the
# namespace must reach NS_LIST).
ha_backup()
{
	local gw=b-$1-gw bk=b-$1-bk msg

	HA_WHY=
	if ! cli "$gw" ha show > /dev/null 2>&1; then
		HA_WHY="no HA in this svcgw (svcgw ha show failed)"
		return 1
	fi
	ip netns add "$bk" || { HA_WHY="ip netns add $bk failed"; return 1; }
	NS_LIST+=("$bk")
	ip netns exec "$bk" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 &&
	ip -n "$gw" link add sy0 type veth peer name sy1 netns "$bk" &&
	printf '%s\n' "addr add $SYNC_GW/30 dev sy0" "link set sy0 up" |
		ip -n "$gw" -batch - &&
	printf '%s\n' "link set lo up" "addr add $SYNC_BK/30 dev sy1" \
		"link set sy1 up" | ip -n "$bk" -batch - ||
		{ HA_WHY="the sync link could not be set up"; return 1; }
	cli "$bk" config set session-max $SESSION_MAX timeout-udp $LONG \
		timeout-tcp-syn $LONG timeout-tcp-est $LONG ||
		{ HA_WHY="config set refused on the backup"; return 1; }
	msg=$(svcgw_service "$bk" stateful 3 udp) ||
		{ HA_WHY="backup: $(echo "$msg" | head -n 1)"; return 1; }
	ha_file 1 > "$dir/ha-$1-gw.conf"
	ha_file 2 > "$dir/ha-$1-bk.conf"
}

# ha_synced NS ID: NS's stream from node ID has had its whole bulk.
ha_synced()
{
	[ "$(cli "$1" -j ha show 2> /dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin) or {"nodes": []}
print(next(((n.get("peer") or {}).get("synced") for n in d["nodes"]
            if n["id"] == int(sys.argv[1])), None))' "$2")" = True ]
}

# ha_json: what bench.py needs to know of a configuration with a backup.
ha_json()
{
	echo "{\"backup\": \"b-$1-bk\", \"sync_dev\": \"sy0\", \"ha_local\": 1, \"ha_peer\": 2, \"ha_conf\": \"$dir/ha-$1-gw.conf\", \"ha_bk_conf\": \"$dir/ha-$1-bk.conf\"}"
}

# cfg_ha: svcgw stateful with new flows, as nf-stateful (its twin with no
# HA policy, measured in the same rounds), every session replicated to
# the backup: both HA policies installed, both streams synced (their
# bulks: empty tables) before anything is measured.
cfg_ha()
{
	local name=nf-ha gw=b-nf-ha-gw bk=b-nf-ha-bk t msg
	local label="svcgw stateful, replicated"

	t=$(traffic udp new svcgw)
	[ -d /sys/module/svcgw ] ||
		{ config $name ha "$label" balanced 3 fail "module not loaded" "$t"; return; }
	topo $name ||
		{ config $name ha "$label" balanced 3 fail "setup failed" "$t"; return; }
	cli $gw config set session-max $SESSION_MAX timeout-udp $LONG \
		timeout-tcp-syn $LONG timeout-tcp-est $LONG ||
		{ config $name ha "$label" balanced 3 fail "config set refused" "$t"; return; }
	msg=$(svcgw_service $gw stateful 3 udp) ||
		{ config $name ha "$label" balanced 3 fail "$(echo "$msg" | head -n 1)" "$t"; return; }
	if ! ha_backup $name; then
		config $name ha "$label" balanced 3 skip "$HA_WHY" "$t"
		return
	fi
	msg=$(cli $bk ha set "$dir/ha-$name-bk.conf" 2>&1) &&
	msg=$(cli $gw ha set "$dir/ha-$name-gw.conf" 2>&1) ||
		{ config $name ha "$label" balanced 3 fail "ha set: $msg" "$t"; return; }
	if ! busywait 20000 ha_synced $bk 1 || ! busywait 10000 ha_synced $gw 2; then
		config $name ha "$label" balanced 3 fail \
			"the nodes did not sync in 30 s (empty tables)" "$t"
		return
	fi
	config $name ha "$label" balanced 3 ok "" "$t" \
		'{"twin": "stateful", "off": "nf-stateful"}' "$(ha_json $name)"
}

# cfg_ha_bulk: the bulk resync figure's pair, no HA policy installed yet:
# bench.py fills the gateway with HA_BULK sessions (the sessions table's
# fill), then installs the policies and times the backup's sync. The
# 1024 measured flows for its verification.
cfg_ha_bulk()
{
	local name=ha-bulk gw=b-ha-bulk-gw t msg label="bulk resync"

	t=$(traffic udp flows svcgw)
	[ -d /sys/module/svcgw ] ||
		{ config $name habulk "$label" balanced 3 fail "module not loaded" "$t"; return; }
	topo $name ||
		{ config $name habulk "$label" balanced 3 fail "setup failed" "$t"; return; }
	cli $gw config set session-max $SESSION_MAX timeout-udp $LONG \
		timeout-tcp-syn $LONG timeout-tcp-est $LONG ||
		{ config $name habulk "$label" balanced 3 fail "config set refused" "$t"; return; }
	msg=$(svcgw_service $gw stateful 3 udp) ||
		{ config $name habulk "$label" balanced 3 fail "$(echo "$msg" | head -n 1)" "$t"; return; }
	if ! ha_backup $name; then
		config $name habulk "$label" balanced 3 skip "$HA_WHY" "$t"
		return
	fi
	config $name habulk "$label" balanced 3 ok "" "$t" \
		"{\"fill_n\": $HA_BULK}" "$(ha_json $name)"
}

# cfg_encap NAME METHOD: svcgw stateless, its 3 servers reached by METHOD
# (ipip, gue): the outer packets reach the sink, counted by their
# destination (the server).
cfg_encap()
{
	local name=$1 method=$2 gw=b-$1-gw label="svcgw stateless, $2 servers"
	local t i extra=

	t=$(traffic udp flows svcgw)
	[ -d /sys/module/svcgw ] ||
		{ config "$name" encap "$label" balanced 3 fail "module not loaded" "$t"; return; }
	topo "$name" ||
		{ config "$name" encap "$label" balanced 3 fail "setup failed" "$t"; return; }
	[ "$method" = gue ] && extra="gue-port $GUE_PORT"
	if ! cli "$gw" service add $VIP:80 proto udp mode stateless transition 0; then
		config "$name" encap "$label" balanced 3 fail "service add refused" "$t"
		return
	fi
	for i in 11 12 13; do
		# shellcheck disable=SC2086
		cli "$gw" server add $VIP:80 proto udp server 198.51.100.$i \
			method "$method" $extra ||
			{ config "$name" encap "$label" balanced 3 fail "server add refused" "$t"; return; }
	done
	config "$name" encap "$label" balanced 3 ok "" "$t"
}

# cfg_ipvs_tun NAME: IPVS's TUN method (IPIP), mh: what svcgw's ipip is
# measured against.  (ipvsadm 1.31 cannot ask for GUE: no --tun-type.)
cfg_ipvs_tun()
{
	local name=$1 gw=b-$1-gw label="IPVS TUN (ipip), mh" i t

	t=$(traffic udp flows ipvs)
	if ! command -v ipvsadm > /dev/null || ! modprobe -a ip_vs ip_vs_mh; then
		config "$name" encap "$label" balanced 3 skip "IPVS or ipvsadm missing" "$t"
		return
	fi
	topo "$name" ||
		{ config "$name" encap "$label" balanced 3 fail "setup failed" "$t"; return; }
	ip -n "$gw" addr add $VIP/32 dev lo
	ip netns exec "$gw" ipvsadm --set 900 120 $LONG
	ip netns exec "$gw" ipvsadm -A -u $VIP:80 -s mh -b mh-port ||
		{ config "$name" encap "$label" balanced 3 fail "ipvsadm -A refused" "$t"; return; }
	for i in 11 12 13; do
		ip netns exec "$gw" ipvsadm -a -u $VIP:80 -r 198.51.100.$i:80 -i ||
			{ config "$name" encap "$label" balanced 3 fail "ipvsadm -a refused" "$t"; return; }
	done
	config "$name" encap "$label" balanced 3 ok "" "$t"
}

# policy_file NPOL NPFX: a policy set whose group sends to the 3 servers
# by ipip; the traffic's policy (192.0.2.10:80 udp, from 203.0.113.0/24
# with NPFX) among NPOL policies of its shape (other ports) or NPFX of
# its shape (other /24 client prefixes, 10.0.0.0/8: matches only).
policy_file()
{
	python3 - "$1" "$2" <<'PY'
import sys
npol, npfx = int(sys.argv[1]), int(sys.argv[2])
print("set bench transition 0")
print("group g")
for i in (11, 12, 13):
    print("dest g 198.51.100.%d method ipip" % i)
if npfx:
    print("policy 192.0.2.10:80 proto udp from 203.0.113.0/24 group g")
    for k in range(1, npfx):
        print("policy 192.0.2.10:80 proto udp from 10.%d.%d.0/24 group g"
              % (k >> 8, k & 255))
else:
    print("policy 192.0.2.10:80 proto udp group g")
    for k in range(1, npol):
        print("policy 192.0.2.10:%d proto udp group g" % (1000 + k))
PY
}

# cfg_policy NAME NPOL NPFX LABEL: a network node: no service, a policy
# set (policy_file) that sends the traffic to the servers by ipip.
cfg_policy()
{
	local name=$1 gw=b-$1-gw label=$4 t

	t=$(traffic udp flows svcgw)
	[ -d /sys/module/svcgw ] ||
		{ config "$name" policy "$label" balanced 3 fail "module not loaded" "$t"; return; }
	topo "$name" ||
		{ config "$name" policy "$label" balanced 3 fail "setup failed" "$t"; return; }
	policy_file "$2" "$3" > "$dir/policy-$name.txt"
	if ! cli "$gw" policy replace "$dir/policy-$name.txt"; then
		config "$name" policy "$label" balanced 3 fail "policy replace refused" "$t"
		return
	fi
	rm -f "$dir/policy-$name.txt"
	config "$name" policy "$label" balanced 3 ok "" "$t"
}

# policy_timing: a set of POLICIES policies replaced by the CLI (parse,
# one message, the kernel's build and swap), twice: into an empty
# namespace, then over the first (a transition from it).
policy_timing()
{
	local ns=b-pol-gw t0 t1 t2

	ip netns add $ns && NS_LIST+=("$ns") || return 1
	policy_file "$POLICIES" 0 > "$dir/policy-timing.txt"
	t0=$(date +%s.%N)
	cli $ns policy replace "$dir/policy-timing.txt" ||
		{ note "policy timing: replace refused"; return 1; }
	t1=$(date +%s.%N)
	sed -i 's/^set bench transition 0/set bench2 transition 60/' "$dir/policy-timing.txt"
	cli $ns policy replace "$dir/policy-timing.txt" ||
		{ note "policy timing: second replace refused"; return 1; }
	t2=$(date +%s.%N)
	rm -f "$dir/policy-timing.txt"
	jline policy_replace "{'policies': $POLICIES, 'first_s': round($t1 - $t0, 3), 'again_s': round($t2 - $t1, 3)}"
	cleanup_ns $ns
}

# build_tcpgen: the TCP generator, compiled in the guest (the host's
# compiler is on the shared root): nothing to build before "make bench".
build_tcpgen()
{
	mkdir -p "${TCPGEN%/*}" &&
		gcc -O2 -Wall -o "$TCPGEN" "$here/tcpgen.c" &&
		[ -x "$TCPGEN" ]
}

# count_name N: 100000 -> 100k, 1000000 -> 1M
count_name()
{
	if [ $(($1 % 1000000)) -eq 0 ]; then
		echo "$(($1 / 1000000))M"
	elif [ $(($1 % 1000)) -eq 0 ]; then
		echo "$(($1 / 1000))k"
	else
		echo "$1"
	fi
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
	# Hash tables sized for the million entries of the memory figures, as
	# an operator would size them (svcgw's grows by itself): IPVS's has
	# 2^conn_tab_bits buckets, set when ip_vs loads; conntrack's is global
	# (init namespace only), as is its cap.
	modprobe ip_vs conn_tab_bits=20 2>/dev/null
	sysctl -qw net.netfilter.nf_conntrack_max=4194304 \
		net.netfilter.nf_conntrack_buckets=1048576
	if ! svcgw_load; then
		echo "not ok - svcgw module loads"
	fi
	batch_supported || note "the CLI has no batch option (-b FILE): thousands of services are configured through netlink from one process (svcgw_bulk.py)"

	cfg_ref ref main udp
	cfg_svcgw stateless stateless "svcgw stateless"
	cfg_svcgw stateful stateful "svcgw stateful"
	cfg_svcgw hybrid hybrid "svcgw hybrid"
	cfg_ipvs ipvs main udp flows '{"fill": "after", "fill_kind": "ipvs"}'
	cfg_nft nft main udp flows '{"fill": "after", "fill_kind": "conntrack"}'
	cfg_gen gen main udp pktgen
	if [ "$FABRIC" != 0 ]; then
		cfg_encap enc-ipip ipip
		cfg_encap enc-gue gue
		cfg_ipvs_tun ipvs-tun
		cfg_policy pol1 1 0 "1 policy"
		cfg_policy pol10k 10000 0 "10000 policies"
		cfg_policy pfx1 0 1 "1 client prefix"
		cfg_policy pfx1k 0 1000 "1000 client prefixes"
	fi
	if [ "$LIVE" != 0 ]; then
		for n in ${LIVE//,/ }; do
			cfg_svcgw "sess$(count_name $n)" stateful "$n" sessions udp flows \
				"{\"fill\": \"before\", \"fill_kind\": \"svcgw\", \"fill_n\": $n}"
		done
	fi
	if [ "$NEW" != 0 ]; then
		cfg_svcgw nf-stateful stateful "svcgw stateful" new udp new '{"twin": "stateful"}'
		cfg_ipvs nf-ipvs new udp new '{"twin": "ipvs"}'
		cfg_nft nf-nft new udp new '{"twin": "nft"}'
	fi
	if [ "$HA" = 0 ]; then
		note "session replication not measured (BENCH_HA=0)"
	else
		if [ "$NEW" != 0 ]; then
			cfg_ha
		else
			note "replication's forwarding rate not measured: it is a new-flow run (BENCH_NEW=0)"
		fi
		if [ "$HA_BULK" != 0 ]; then
			cfg_ha_bulk
		fi
	fi
	if [ "$TCP" = 0 ]; then
		note "TCP not measured (BENCH_TCP=0)"
	elif ! build_tcpgen; then
		note "TCP not measured: tcpgen.c did not compile in the guest"
	else
		echo "# tcpgen built at ${SECONDS} s"
		cfg_ref tref tcp tcp
		cfg_svcgw tstateless stateless "svcgw stateless" tcp tcp
		cfg_svcgw tstateful stateful "svcgw stateful" tcp tcp
		cfg_ipvs tipvs tcp tcp flows
		cfg_nft tnft tcp tcp flows
		cfg_gen tgen tcp tcp tcpgen
		if [ "$NEW" != 0 ]; then
			cfg_svcgw tnf-stateful stateful "svcgw stateful" newtcp tcp new '{"twin": "tstateful"}'
			cfg_ipvs tnf-ipvs newtcp tcp new '{"twin": "tipvs"}'
			cfg_nft tnf-nft newtcp tcp new '{"twin": "tnft"}'
		fi
	fi
	if [ -d /sys/module/svcgw ]; then
		cli_timing
		[ "$FABRIC" = 0 ] || policy_timing
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

# Sourced (bench-ab.sh): the functions above, without running.
[ "${BASH_SOURCE[0]}" != "$0" ] || main
