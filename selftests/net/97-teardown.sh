#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Teardown under load, in rounds: each round tears the gateway down one of
# three ways while real traffic, a transition (servers drained, added,
# removed, replaced), whole-set batch replaces and dumps (service show,
# session show, stats, text and JSON) run concurrently:
#
#   round % 3 == 0   svcgw flush
#   round % 3 == 1   ip netns del of the gateway namespace
#   round % 3 == 2   rmmod svcgw (retried while a dump holds the module)
#
# Rounds: SVCGW_TEST_TEARDOWN_ROUNDS, else 21 with SVCGW_TEST_LONG=1 (the
# debug-kernel run), else 3, one of each kind.  Each round prints where
# its time went, phase by phase, and its total.  The workers start in
# order: the held connections and flows first (Python starts slowly)
# until they are up, then the loops until each finished a step; the
# teardown follows at once, and the loops run on until each finished a
# step after it.  No fixed sleeps: every wait polls.  Each round checks:
#   - every worker was busy when the teardown came, and went on after it;
#   - the concurrent workers stopped and reaped, nothing left running in
#     the client and gateway namespaces;
#   - rmmod succeeded (after the module's refcount dropped to 0);
#   - the gateway namespace really went away: its name is gone and its
#     devices were destroyed (the client's and servers' veth peers vanish:
#     the namespace's cleanup ran, so nothing holds it);
#   - no oops, BUG or WARN in the kernel log lines of the round
#     (selftests/vm/check-kernel-log.sh);
#   - the module loads again, and a fresh gateway namespace with a fresh
#     configuration carries real TCP and UDP connections;
#   - session replication runs through it all: a backup node (namespace
#     bk on the gateway's bridge, the same services, an HA policy pairing
#     it with the gateway) holds replicas of the gateway's sessions before
#     each teardown, and still holds them after the gateway's namespace
#     was deleted (a node's death sends no DELETE); a flush or an rmmod
#     while the sync streams run leaves a clean kernel log.
#
# Topology: topo.sh's addresses (IPv4), client and servers s1 s2 s3 built
# once; the gateway namespace is built afresh every round:
#
#   client 203.0.113.2 --veth-- gw 203.0.113.1 | br0 198.51.100.1 --veth-- s1 s2 s3
#                                                                  \-- bk 198.51.100.9
#
#   VIP:80/tcp    hybrid, transition 5 s   churned by the transition worker
#   VIP:53/udp    stateful                 sessions for the dumps
#   VIP:5353/udp  hybrid
#   VIP:10000../udp  stateless, 4 servers each (batch bulk)

set -u

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/topo.sh"

topo_init socat
checktool nsenter

# Into a namespace with nsenter, not "ip netns exec": no mount namespace
# nor sysfs to set up for each command (they are many here, and each is
# slow in the emulated guest); what runs here needs neither.
gwcli()
{
	nsenter --net="/var/run/netns/$gw" "$SVCGW_BIN" "$@"
}

in_client()
{
	nsenter --net="/var/run/netns/$client" "$@"
}
# Job control: every worker is a process group of its own, so that one
# that must be killed goes with its children.
set -m

if [ -n "${SVCGW_TEST_TEARDOWN_ROUNDS:-}" ]; then
	ROUNDS=$SVCGW_TEST_TEARDOWN_ROUNDS
elif [ "${SVCGW_TEST_LONG:-0}" = 1 ]; then
	ROUNDS=21
else
	ROUNDS=3
fi
KERNEL_LOG_CHECK=$SVCGW_SRC/selftests/vm/check-kernel-log.sh
S1=198.51.100.11 S2=198.51.100.12 S3=198.51.100.13
t_start=$(date +%s)

# now_ms: milliseconds (no fork: bash's EPOCHREALTIME).
now_ms()
{
	local t=${EPOCHREALTIME/[.,]/}

	echo $((t / 1000))
}

# phase NAME: the time since the previous phase (or phase_reset) goes to
# NAME in $PHASES, printed per round: where a round's time goes.
phase_reset()
{
	PHASES=
	t_phase=$(now_ms)
}

phase()
{
	local t=$(now_ms)
	local d=$((t - t_phase))

	PHASES+=" $1 $((d / 1000)).$((d % 1000 / 100))"
	t_phase=$t
}

# gw_build: a fresh gateway namespace $gw, linked to the client and the
# servers (whose old links went with the previous gateway).  In as few
# commands as it takes (ip -batch: one per namespace), each is slow to
# start in the emulated guest.
gw_build()
{
	local i ns

	setup_ns gw || return 1
	{
		echo "link add vc type veth peer name veth0 netns $client"
		echo "addr add 203.0.113.1/24 dev vc"
		echo "link set vc up"
		echo "link add br0 type bridge"
		echo "addr add 198.51.100.1/24 dev br0"
		echo "link set br0 up"
		for i in 1 2 3; do
			eval ns=\$s$i
			echo "link add vs$i type veth peer name veth0 netns $ns"
			echo "link set vs$i master br0 up"
		done
		echo "link add vb type veth peer name veth0 netns $bk"
		echo "link set vb master br0 up"
	} | ip -n "$gw" -batch - || return 1
	printf '%s\n' "addr add 198.51.100.9/24 dev veth0" "link set veth0 up" |
		ip -n "$bk" -batch - || return 1
	nsenter --net="/var/run/netns/$gw" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 > /dev/null || return 1
	printf '%s\n' "addr add $CLIENT_IP/24 dev veth0" "link set veth0 up" \
		"route add default via 203.0.113.1" |
		ip -n "$client" -batch - || return 1
	for i in 1 2 3; do
		eval ns=\$s$i
		printf '%s\n' "addr add ${SERVERS[i - 1]}/24 dev veth0" \
			"link set veth0 up" "route add default via 198.51.100.1" |
			ip -n "$ns" -batch - || return 1
	done
}

# gw_gone: the gateway namespace's cleanup ran: its veths, and so their
# peers in the client and the servers, are destroyed.
gw_gone()
{
	local ns

	! ip netns list | grep -qw "$gw" || return 1
	for ns in "$client" "$s1" "$s2" "$s3"; do
		! ip -n "$ns" link show veth0 > /dev/null 2>&1 || return 1
	done
}

# gw_going: the cheap poll before gw_gone (one command a try): the
# client's veth is destroyed, with the others, when the namespace's
# cleanup runs.
gw_going()
{
	[ ! -e "/var/run/netns/$gw" ] &&
	! ip -n "$client" link show veth0 > /dev/null 2>&1
}

# batch_file A|B: a whole configuration, two variants that differ in the
# servers and weights of the real services and in the bulk services.
batch_file()
{
	local n=40 w=

	[ "$1" = A ] || { n=30; w=" weight 2"; }
	echo "service add $VIP:80 proto tcp mode hybrid transition 5"
	echo "server add $VIP:80 proto tcp server $S1$w"
	echo "server add $VIP:80 proto tcp server $S2"
	[ "$1" = B ] || echo "server add $VIP:80 proto tcp server $S3"
	echo "service add $VIP:53 proto udp mode stateful"
	for s in $S1 $S2 $S3; do
		echo "server add $VIP:53 proto udp server $s$w"
	done
	echo "service add $VIP:5353 proto udp"
	echo "server add $VIP:5353 proto udp server $S1"
	echo "server add $VIP:5353 proto udp server $([ "$1" = A ] && echo $S2 || echo $S3)"
	for p in $(seq 10000 $((10000 + n - 1))); do
		echo "service add $VIP:$p proto udp mode stateless"
		for i in 11 12 13 14; do
			echo "server add $VIP:$p proto udp server 198.51.100.$i$w"
		done
	done
}

# tcp_ok / udp_ok PORT: one exchange with socat (quicker to start than
# Python in the emulated guest): the server's name, then the echo.
tcp_ok()
{
	local out

	out=$(printf 'ping\n' | in_client timeout 20 \
		socat -t 5 -T 10 - TCP:$VIP:80,connect-timeout=10 2> /dev/null)
	[[ $out =~ ^s[123]$'\n'ping$ ]]
}

# UDP has no end: after its input's end socat waits -t for the answer,
# all of it even once the answer came.  So a short wait, doubled at each
# of 4 tries (0.5 to 4 s) in case the answer comes late.
udp_ok()
{
	local out t

	for t in 0.5 1 2 4; do
		out=$(printf 'ping' | in_client timeout 20 \
			socat -t $t - UDP:$VIP:$1 2> /dev/null)
		[[ ! $out =~ ^s[123]:ping$ ]] || return 0
	done
	return 1
}

bkcli()
{
	nsenter --net="/var/run/netns/$bk" "$SVCGW_BIN" "$@"
}

# bk_replicas: the replicas the backup holds now.
bk_replicas()
{
	bkcli -j ha show 2> /dev/null | json_get 'd["sync"]["replicas"]'
}
bk_has_replicas() { [ "$(bk_replicas)" -gt 0 ] 2> /dev/null; }

# fresh: a fresh configuration and a real TCP and UDP exchange through it;
# the gateway and the backup replicate (the module is new: generation 1).
fresh()
{
	gwcli -b "$tmp/A.conf" || return 1
	gwcli ha set "$tmp/ha.gw" || return 1
	bkcli -b "$tmp/A.conf" > /dev/null 2>&1 ||
		bkcli -b "$tmp/A.conf" --replace || return 1
	bkcli ha set "$tmp/ha.bk" 2> /dev/null || true
	phase config
	tcp_ok || return 1
	phase tcp
	udp_ok 53 && udp_ok 5353
}

# --- the workers: each loops until $tmp/stop exists -------------------------
# loop NAME STEP...: run the STEPs (shell words, eval'd) one after the
# other, round and round, until told to stop (checked before each step:
# a worker stops within one command); the steps finished so far into
# NAME.runs after each (see steps_done), "RUNS OK TIMEms" into NAME.count
# at the end.
loop()
{
	local name=$1 runs=0 ok=0 i=0 t=$(now_ms)

	shift
	while [ ! -e "$tmp/stop" ]; do
		i=$((i % $# + 1))
		eval "${!i}" > /dev/null 2>&1 && ok=$((ok + 1))
		runs=$((runs + 1))
		echo $runs > "$tmp/$name.runs"
	done
	echo "$runs $ok $(($(now_ms) - t))ms" > "$tmp/$name.count"
}

# steps_done NAME: the steps worker NAME finished so far, in REPLY (no
# fork: this is polled while the workers load the guest).  A read that
# races with the worker's rewrite of the file finds it empty: read again.
steps_done()
{
	local try

	REPLY=0
	[ -e "$tmp/$1.runs" ] || return 0
	for ((try = 0; try < 100; try++)); do
		read -r REPLY < "$tmp/$1.runs" 2> /dev/null
		[ -z "$REPLY" ] || return 0
	done
	REPLY=0
}

# steps_mark: each loop worker's steps so far, into MARK.
steps_mark()
{
	local i

	for i in "${!LOOPS[@]}"; do
		steps_done "${LOOPS[i]}"
		MARK[i]=$REPLY
	done
}

# steps_since N: each loop worker finished N steps or more since the
# MARK: with N = 2, each began one after the mark.
steps_since()
{
	local i

	for i in "${!LOOPS[@]}"; do
		steps_done "${LOOPS[i]}"
		[ "$REPLY" -ge $((MARK[i] + $1)) ] || return 1
	done
}

# New connections and flows, short ones (held ones: workers_start).
tcp_once()
{
	local out

	out=$(printf 'ping\n' | in_client timeout 5 \
		socat -t 1 -T 2 - TCP:$VIP:80,connect-timeout=2 2> /dev/null)
	[[ $out == *ping ]]
}

udp_once()
{
	printf 'ping' | in_client timeout 3 \
		socat -t 0.5 - UDP:$VIP:$1 | grep -q ping
}

SVC80="$VIP:80 proto tcp"

LOOPS=(traffic churn batch dump dump-text)

# workers_start: the held connections and flows first, alone (Python
# starts slowly in the emulated guest, slower still beside the loops),
# until they have their sessions; then the loops, until each finished a
# step: all of them busy.
workers_start()
{
	rm -f "$tmp/stop" "$tmp"/*.count "$tmp"/*.runs
	WORKERS=()
	# Held connections and flows, with sessions, through the teardown;
	# they end by themselves once $tmp/stop exists (-S: no site-packages
	# to scan, a quicker start).
	in_client python3 -S "$LBTOOL" hold $VIP 80 --conns 10 \
		--seconds 600 --interval 0.5 --round-timeout 2 \
		--stop-file "$tmp/stop" > /dev/null 2>&1 &
	WORKERS+=($!)
	in_client python3 -S "$LBTOOL" udphold $VIP 53 --conns 10 \
		--seconds 600 --interval 0.5 --round-timeout 2 --sport-base 62000 \
		--stop-file "$tmp/stop" > /dev/null 2>&1 &
	WORKERS+=($!)
	busywait 120000 held_ready || return 1
	phase sessions
	loop traffic tcp_once "udp_once 53" "udp_once 5353" &
	WORKERS+=($!)
	# A transition on VIP:80: drain, add, replace, remove, back.
	loop churn \
		"gwcli server set $SVC80 server $S1 state draining deadline 2" \
		"gwcli server add $SVC80 server $S3:8080" \
		"gwcli server replace $SVC80 server $S2 with $S2:8080" \
		"gwcli server del $SVC80 server $S3:8080" \
		"gwcli server set $SVC80 server $S1 state active" \
		"gwcli server replace $SVC80 server $S2:8080 with $S2" &
	WORKERS+=($!)
	loop batch "gwcli -b $tmp/B.conf --replace" \
		"gwcli -b $tmp/A.conf --replace" &
	WORKERS+=($!)
	loop dump "gwcli -j service show" "gwcli -j session show" \
		"gwcli -j stats" "gwcli config show" &
	WORKERS+=($!)
	loop dump-text "gwcli session show" "gwcli service show" &
	WORKERS+=($!)
	MARK=(0 0 0 0 0)
	busywait 120000 steps_since 1
}

# any_alive PID...: one of them runs still (an exited, unreaped child is
# a zombie: it does not count).
any_alive()
{
	local p st

	for p in "$@"; do
		st=$(awk '{ print $3 }' "/proc/$p/stat" 2> /dev/null)
		[ -z "$st" ] || [ "$st" = Z ] || return 0
	done
	return 1
}

# workers_stop: ask them to stop, wait (120 s at most), reap.  Returns 1
# if any had to be killed (each is a process group of its own: set -m).
workers_stop()
{
	local p forced=0

	touch "$tmp/stop"
	if ! busywait 120000 eval '! any_alive "${WORKERS[@]}"'; then
		forced=1
		for p in "${WORKERS[@]}"; do
			kill -9 -- "-$p" 2> /dev/null
		done
	fi
	for p in "${WORKERS[@]}"; do
		wait "$p" 2> /dev/null
	done
	return $forced
}

# nothing_left: no process in the client's namespace nor, if it still
# exists, the gateway's; every worker reaped.
nothing_left()
{
	[ -z "$(ip netns pids "$client" 2> /dev/null)" ] &&
	{ ! ip netns list | grep -qw "$gw" || [ -z "$(ip netns pids "$gw")" ]; } &&
	! any_alive "${WORKERS[@]}" &&
	[ -z "$(jobs -pr)" ]
}

sessions_now()
{
	gwcli stats 2> /dev/null | awk '$1 == "sessions_cur" { print $2 }'
}

sessions_at_least()
{
	[ "$(sessions_now)" -ge "$1" ] 2> /dev/null
}

# held_ready: the held UDP flows have their sessions (the service of
# port 80 is hybrid: no sessions but in a transition, and the transition
# worker has not started yet), the held TCP connections are established.
held_ready()
{
	sessions_at_least 10 &&
	[ "$(in_client ss -Htn state established \
		dst $VIP:80 | wc -l)" -ge 10 ]
}

refcnt_zero()
{
	[ "$(cat /sys/module/svcgw/refcnt 2> /dev/null)" = 0 ]
}

# rmmod_retry: rmmod, again while a dump in progress holds the module.
rmmod_retry()
{
	busywait 60000 rmmod svcgw 2> /dev/null
}

netns_objects()
{
	cat /sys/kernel/slab/net_namespace/objects 2> /dev/null | cut -d' ' -f1
}

# --- set up ----------------------------------------------------------------------
phase_reset
batch_file A > "$tmp/A.conf"
batch_file B > "$tmp/B.conf"
HAKEY=$(printf '%064x' 97)
for who in gw:1 bk:2; do
	{
		echo "ha generation 1 local ${who#*:} key 1 $HAKEY"
		echo "node gw id 1 sync 198.51.100.1 backups 2"
		echo "node bk id 2 sync 198.51.100.9 backups 1"
	} > "$tmp/ha.${who%:*}"
done
svcgw_load || { ktap_fail "module loads"; ktap_finish; }
phase load
setup_ns client s1 s2 s3 bk || { ktap_fail "namespaces"; ktap_finish; }
gw_build || { ktap_fail "gateway namespace"; ktap_finish; }
phase netns
topo_servers || topo_servers_wait 240000 || { ktap_fail "servers start"; ktap_finish; }
phase servers
check "a configuration of $(grep -c '^service' "$tmp/A.conf") services carries traffic" fresh
phase udp
ktap_info "set up (s):$PHASES"
ns_start=$(netns_objects)
ktap_info "rounds: $ROUNDS; net_namespace slab objects at the start: $ns_start"

kinds=(flush netns rmmod)
for round in $(seq 0 $((ROUNDS - 1))); do
	kind=${kinds[round % 3]}
	r="round $((round + 1))/$ROUNDS ($kind)"
	t0=$(date +%s)
	phase_reset
	dmesg > "$tmp/dmesg0"
	check "$r: held connections and flows with their sessions, every loop worker busy" \
		workers_start
	n=$(sessions_now)
	check "$r: the backup holds replicas of the gateway's sessions ($(bk_replicas))" \
		busywait 30000 bk_has_replicas
	phase loops
	case $kind in
	flush)
		check "$r: svcgw flush under load ($n sessions)" gwcli flush ;;
	netns)
		rep=$(bk_replicas)
		check "$r: gateway namespace deleted under load ($n sessions)" \
			ip netns del "$gw"
		busywait 30000 gw_going
		check "$r: the backup's replicas outlive the gateway's namespace ($rep, then $(bk_replicas))" \
			bk_has_replicas ;;
	rmmod)
		check "$r: rmmod under load ($n sessions)" rmmod_retry ;;
	esac
	phase teardown
	# The workers go on against what is left: each finishes a step (the
	# one running across the teardown, or a later one) after it.
	steps_mark
	check "$r: every loop worker went on after the teardown" \
		busywait 60000 steps_since 1
	phase after
	workers_stop
	check "$r: workers stopped by themselves and reaped" test $? -eq 0
	phase stop
	check "$r: nothing left running in the client and gateway namespaces" nothing_left
	ktap_info "$r: worker runs (ok): $(for f in "$tmp"/*.count; do
		printf '%s %s ' "$(basename "$f" .count)" "$(cat "$f")"; done)"
	# Finish the teardown: the module and the namespace go in every round.
	if [ "$kind" != rmmod ]; then
		[ "$kind" != netns ] || busywait 30000 gw_going
		busywait 30000 refcnt_zero
		check "$r: module refcount dropped to 0" refcnt_zero
		check "$r: rmmod" rmmod svcgw
	fi
	check "$r: module gone" test ! -d /sys/module/svcgw
	phase rmmod
	[ "$kind" = netns ] || ip netns del "$gw"
	busywait 30000 gw_going
	check "$r: gateway namespace really gone (name and devices)" gw_gone
	cleanup_ns "$gw"
	phase gone
	dmesg | tail -n +$(($(wc -l < "$tmp/dmesg0") + 1)) > "$tmp/dmesg1"
	check "$r: no oops, BUG or WARN in the kernel log" \
		"$KERNEL_LOG_CHECK" "$tmp/dmesg1"
	phase klog
	# Reload: a clean module, a fresh gateway, a fresh configuration.
	check "$r: module loads again" svcgw_load
	phase load
	gw_build
	phase netns
	check "$r: reloaded, fresh gateway and configuration: TCP and UDP served" fresh
	phase udp
	ktap_info "$r: phases (s):$PHASES"
	ktap_info "$r: $(( $(date +%s) - t0 )) s, net_namespace slab objects $(netns_objects)"
done

# The same namespaces exist as at the start: as many struct net objects,
# give or take one slab's (SLUB counts the free objects of the per-CPU
# slabs as in use): a namespace leaked in every round shows over the
# long run.
check "as many net namespaces as at the start ($ns_start -> $(netns_objects) net_namespace objects)" \
	test "$(netns_objects)" -le $((ns_start + $(cat /sys/kernel/slab/net_namespace/objs_per_slab)))
ktap_info "run time $(( $(date +%s) - t_start )) s for $ROUNDS rounds"
ktap_finish
