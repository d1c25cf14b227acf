#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-ab.sh DIR: the guest half of "make bench-ab", run by
# selftests/vm/guest-run.sh (job bench-ab). Two builds of the module, "base"
# (an older commit, built by ab.sh in build/ab/base) and "head" (this tree),
# measured in one boot: the namespaces of bench.sh's packet-path
# configurations are set up once, then bench.py --ab swaps the module
# (rmmod, insmod, the services configured again) between runs and writes
# DIR/bench-ab.json and DIR/bench-ab.txt. How to read them: README.rst.
#
# bench-ab.sh --load BUILD DIR NS:MODE:PROTO...: bench.py's module swap:
# unload svcgw, load BUILD's (base or head) and configure the 192.0.2.10:80
# service of each gateway namespace NS with BUILD's CLI. Prints "refused NS
# MESSAGE" for a namespace whose service was refused; exit status 1 if the
# module did not load.
#
# Environment (ab.sh sets them; paths relative to the source tree):
# BENCH_AB_BASE_KO, BENCH_AB_BASE_CLI, BENCH_AB_HEAD_KO (kmod/svcgw.ko),
# BENCH_AB_HEAD_CLI (tools/svcgw/svcgw), BENCH_AB_CONFIGS (the svcgw
# configurations measured, stateless,stateful,hybrid,tstateless,tstateful;
# a t prefix is TCP), BENCH_TCP (0: no TCP configuration at all), and
# bench.py's BENCH_TIME, BENCH_ROUNDS, BENCH_AB_*.

set -u

load=
if [ "${1:-}" = --load ]; then
	load=${2:?usage: bench-ab.sh --load BUILD DIR NS:MODE:PROTO...}
	shift 2
fi
dir=${1:?usage: bench-ab.sh DIR}
shift
here=$(cd "$(dirname "$0")" && pwd)
# bench.sh's settings and functions (topo, cfg_ref, cfg_svcgw, ...).
source "$here/bench.sh" "$dir"

AB_CONFIGS=${BENCH_AB_CONFIGS:-stateless,stateful,hybrid,tstateless,tstateful}

# ab_build BUILD: SVCGW_KO and SVCGW_BIN of base or head.
ab_build()
{
	case $1 in
	base)	SVCGW_KO=$SVCGW_SRC/${BENCH_AB_BASE_KO:?}
		SVCGW_BIN=$SVCGW_SRC/${BENCH_AB_BASE_CLI:?} ;;
	head)	SVCGW_KO=$SVCGW_SRC/${BENCH_AB_HEAD_KO:-kmod/svcgw.ko}
		SVCGW_BIN=$SVCGW_SRC/${BENCH_AB_HEAD_CLI:-tools/svcgw/svcgw} ;;
	*)	echo "bench-ab: no build '$1'" >&2; return 1 ;;
	esac
	export SVCGW_KO SVCGW_BIN
}

# ab_batch MODE PROTO: the batch file of one gateway namespace.
ab_batch()
{
	local i

	echo "config set session-max $SESSION_MAX timeout-udp $LONG" \
		"timeout-tcp-syn $LONG timeout-tcp-est $LONG"
	echo "service add $VIP:80 proto $2 mode $1 transition 0"
	for ((i = 11; i < 14; i++)); do
		echo "server add $VIP:80 proto $2 server 198.51.100.$i"
	done
}

# ab_load BUILD NS:MODE:PROTO...: bench.py's swap (see the header).
ab_load()
{
	local build=$1 arg ns mode proto msg batch=0

	shift
	ab_build "$build" || return 1
	svcgw_unload || { echo "bench-ab: rmmod svcgw failed" >&2; return 1; }
	svcgw_load || { echo "bench-ab: loading $SVCGW_KO failed" >&2; return 1; }
	batch_supported && batch=1
	for arg in "$@"; do
		IFS=: read -r ns mode proto <<< "$arg"
		# One process per namespace where the CLI takes a batch; the
		# commands one by one, as bench.sh does, where it has none
		# or the batch was refused.
		if [ $batch = 1 ]; then
			ab_batch "$mode" "$proto" | cli "$ns" -b - > /dev/null 2>&1 &&
				continue
			cli "$ns" flush > /dev/null 2>&1
		fi
		if ! msg=$(cli "$ns" config set session-max $SESSION_MAX \
				timeout-udp $LONG timeout-tcp-syn $LONG \
				timeout-tcp-est $LONG 2>&1); then
			echo "refused $ns config set: $(echo "$msg" | head -n 1)"
		elif ! msg=$(svcgw_service "$ns" "$mode" 3 "$proto"); then
			echo "refused $ns $(echo "$msg" | head -n 1)"
		fi
	done
}

ab_main()
{
	local c udp=0 tcp=0 mode proto t0

	: > "$cfgs"
	: > "$control"
	t0=$(date +%s)
	# No conntrack: nothing here uses it, and its collector would be
	# one more background job sharing the CPU with the packet path.
	modprobe -a pktgen dummy veth nf_tables ||
		{ echo "not ok - modules pktgen dummy veth nf_tables"; return 1; }
	for c in base head; do
		ab_build $c || { echo "not ok - $c build described"; return 1; }
		[ -f "$SVCGW_KO" ] && [ -x "$SVCGW_BIN" ] ||
			{ echo "not ok - $c build: $SVCGW_KO and $SVCGW_BIN exist"; return 1; }
	done
	# The namespaces are set up with head's module and CLI; bench.py
	# swaps before every half round.
	ab_build head
	svcgw_load || { echo "not ok - svcgw module (head) loads"; return 1; }
	for c in ${AB_CONFIGS//,/ }; do
		case $c in
		t*)	[ "$TCP" = 0 ] && continue
			tcp=1 ;;
		*)	udp=1 ;;
		esac
	done
	[ $udp = 1 ] && cfg_ref ref main udp
	if [ $tcp = 1 ]; then
		if build_tcpgen; then
			cfg_ref tref tcp tcp
		else
			note "TCP not measured: tcpgen.c did not compile in the guest"
			tcp=0
		fi
	fi
	for c in ${AB_CONFIGS//,/ }; do
		mode=${c#t} proto=udp
		case $c in
		t*)	[ $tcp = 1 ] || continue
			proto=tcp ;;
		esac
		case $mode in
		stateless|stateful|hybrid) ;;
		*)	echo "not ok - BENCH_AB_CONFIGS: no configuration '$c'"
			continue ;;
		esac
		if [ $proto = tcp ]; then
			cfg_svcgw "$c" "$mode" "svcgw $mode" tcp tcp flows \
				"{\"mode\": \"$mode\"}"
		else
			cfg_svcgw "$c" "$mode" "svcgw $mode" main udp flows \
				"{\"mode\": \"$mode\"}"
		fi
	done
	echo "# set up in $(($(date +%s) - t0)) s; modules:" \
		$(cut -d ' ' -f 1 /proc/modules | sort)
	python3 "$here/bench.py" --ab "$dir"
}

if [ -n "$load" ]; then
	trap - EXIT
	ab_load "$load" "$@"
else
	ab_main
fi
