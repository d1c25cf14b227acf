# SPDX-License-Identifier: GPL-2.0
#
# control.sh: the control-plane comparison of the benchmark, sourced by
# bench.sh (which provides jline, note, NS_LIST, SVCGW_BIN and dir).
#
# The same configuration, BENCH_CP_SERVICES (10000) UDP services of 8
# servers each, applied in three ways in the same boot, each into a fresh
# namespace:
#   svcgw    svcgw -b FILE: one SVCGW_CMD_BATCH request
#   ipvs     ipvsadm -R: one netlink request per service and per server
#            (scheduler BENCH_CP_IPVS_SCHED, rr by default)
#   nft      nft -f: one transaction; a map from (port, hash of the
#            client mod 8) to the server, one DNAT rule using it
# then the whole set replaced: by the same set (nothing changes), and by
# one where a tenth of the services are gone, a tenth are new and a
# tenth have one server swapped:
#   svcgw    svcgw -b FILE --replace (atomic; unchanged services untouched)
#   ipvs     ipvsadm -C, then ipvsadm -R (not atomic: ipvs has no replace)
#   nft      nft -f of "flush map" + every element (atomic)
# Wall times of the whole command, parsing included.  Besides: the same
# services through svcgw's one-request-per-object commands from one
# process (svcgw_bulk.py, as ipvsadm -R does it), and the BATCH requests
# alone, built beforehand (svcgw_batch.py): the kernel's share.

CP_SERVICES=${BENCH_CP_SERVICES:-10000}
# IPVS's scheduler: rr by default, whose services cost no table build, so
# that IPVS's figure is its control plane alone.  mh (Maglev, as svcgw)
# rebuilds its 65521-entry table on every server added: 80,000 builds,
# far beyond the benchmark's time when emulated.
CP_IPVS_SCHED=${BENCH_CP_IPVS_SCHED:-rr}
# 0: svcgw's figures only (no ipvsadm, nft or per-object runs: minutes).
CP_REFS=${BENCH_CP_REFS:-1}

# cp_profile NS FILE: with "cp" in BENCH_PROFILE, one more svcgw -b FILE
# into NS under perf (both CPUs: the CLI and the kernel), the report to
# $dir/perf-cp.txt. Not timed.
cp_profile()
{
	local data=/tmp/perf-cp.data

	[[ ,${BENCH_PROFILE:-}, == *,cp,* ]] || return 0
	perf record -a -g -e cpu-clock -F 1000 -o $data -- \
		ip netns exec "$1" "$SVCGW_BIN" -b "$2" > /dev/null 2>&1 ||
		{ note "control plane: perf record failed"; return 1; }
	{
		perf report -i $data --stdio --no-children --sort comm,dso,sym \
			-g none --percent-limit 0.3
		echo "# inclusive (self and callees)"
		perf report -i $data --stdio --children --sort sym -g none \
			--percent-limit 1
		echo "# call graphs"
		perf report -i $data --stdio --no-children --sort sym -G \
			--percent-limit 3
	} > "$dir/perf-cp.txt" 2>&1
	rm -f $data
	cp_say "profiled svcgw -b: perf-cp.txt"
}

# cp_files DIR N SCHED: the configurations, in the three formats.
cp_files()
{
	python3 - "$@" <<'PY'
import os, sys
d, n, sched = sys.argv[1], int(sys.argv[2]), sys.argv[3]
first = 10000

def sets(changed):
    """(port, [server addresses]) of every service."""
    out = []
    for k in range(n):
        p = first + k
        srv = ["198.51.100.%d" % i for i in range(11, 19)]
        if changed:
            if k % 10 == 0:
                continue                    # a tenth gone
            if k % 10 == 1:
                srv[0] = "198.51.100.19"    # a tenth with a server swapped
        out.append((p, srv))
    if changed:
        out += [(first + n + k, ["198.51.100.%d" % i for i in range(11, 19)])
                for k in range(0, n, 10)]   # a tenth new
    return out

for tag, changed in (("", False), ("2", True)):
    s = sets(changed)
    with open(os.path.join(d, "svcgw%s.conf" % tag), "w") as f:
        for p, srv in s:
            f.write("service add 192.0.2.10:%d proto udp mode stateless\n" % p)
            for a in srv:
                f.write("server add 192.0.2.10:%d proto udp server %s:%d\n"
                        % (p, a, p))
    with open(os.path.join(d, "ipvs%s.rules" % tag), "w") as f:
        for p, srv in s:
            f.write("-A -u 192.0.2.10:%d -s %s\n" % (p, sched))
            for a in srv:
                f.write("-a -u 192.0.2.10:%d -r %s:%d -m -w 1\n" % (p, a, p))
    elems = ",\n".join("\t\t\t%d . %d : %s . %d" % (p, i, a, p)
                       for p, srv in s for i, a in enumerate(srv))
    with open(os.path.join(d, "nft%s.conf" % tag), "w") as f:
        if not changed:
            f.write("""table ip cp {
	map be {
		typeof udp dport . jhash ip saddr . udp sport mod 8 : ip daddr . udp dport
		elements = {
%s
		}
	}
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr 192.0.2.10 dnat ip to udp dport . jhash ip saddr . udp sport mod 8 map @be
	}
}
""" % elems)
        else:
            f.write("flush map ip cp be\nadd element ip cp be {\n%s\n}\n" % elems)
PY
}

# cp_time VAR CMD...: run CMD, its wall time in seconds into VAR; the
# command's status.
cp_time()
{
	local var=$1 t0 t1 rc

	shift
	t0=$(date +%s.%N)
	"$@"
	rc=$?
	t1=$(date +%s.%N)
	printf -v "$var" '%s' "$(python3 -c "print(round($t1 - $t0, 3))")"
	return $rc
}

# cp_say TEXT: progress on the console (a run takes minutes when emulated).
cp_say()
{
	echo "# control plane: $*"
}

# cp_ns NAME: a fresh namespace for one engine.
cp_ns()
{
	ip netns add "$1" && NS_LIST+=("$1") && ip -n "$1" link set lo up
}

control_plane()
{
	local d=$dir/cp n=$CP_SERVICES sched=$CP_IPVS_SCHED ns
	local sv_apply=None sv_same=None sv_changed=None sv_count=0
	local ipvs_apply=None ipvs_replace=None nft_apply=None nft_replace=None
	local per_object=None raw=None

	mkdir -p "$d" || return 1
	[ "$sched" != mh ] || modprobe -q ip_vs_mh || sched=rr
	cp_files "$d" "$n" "$sched" || { note "control plane: no files"; return 1; }
	cp_say "$n services of 8 servers, files written"

	ns=b-cp-svcgw
	if cp_ns $ns; then
		cp_time sv_apply ip netns exec $ns "$SVCGW_BIN" -b "$d/svcgw.conf" ||
			{ note "control plane: svcgw -b failed"; sv_apply=None; }
		sv_count=$(ip netns exec $ns "$SVCGW_BIN" -j stats |
			python3 -c 'import json, sys; print(json.load(sys.stdin)["services"])')
		cp_time sv_same ip netns exec $ns "$SVCGW_BIN" -b "$d/svcgw.conf" --replace ||
			{ note "control plane: svcgw replace failed"; sv_same=None; }
		cp_time sv_changed ip netns exec $ns "$SVCGW_BIN" -b "$d/svcgw2.conf" --replace ||
			{ note "control plane: svcgw replace failed"; sv_changed=None; }
		cp_say "svcgw -b $sv_apply s ($sv_count services), replace: same $sv_same s, changed $sv_changed s"
		ip netns exec $ns "$SVCGW_BIN" flush
		cleanup_ns $ns
	fi
	if cp_ns b-cp-prof; then
		cp_profile b-cp-prof "$d/svcgw.conf"
		ip netns exec b-cp-prof "$SVCGW_BIN" flush
		cleanup_ns b-cp-prof
	fi

	ns=b-cp-raw
	if cp_ns $ns; then
		raw=$(ip netns exec $ns python3 "$here/svcgw_batch.py" \
			"$SVCGW_SRC/uapi/linux/svcgw.h" 10000 "$n" 8) ||
			{ note "control plane: svcgw_batch.py failed"; raw=None; }
		cp_say "BATCH requests alone: $raw"
		cleanup_ns $ns
	fi

	ns=b-cp-ipvs
	if [ "$CP_REFS" = 0 ]; then
		note "control plane: svcgw only (BENCH_CP_REFS=0)"
	elif command -v ipvsadm > /dev/null && modprobe -q ip_vs && cp_ns $ns; then
		cp_time ipvs_apply ip netns exec $ns ipvsadm -R < "$d/ipvs.rules" ||
			{ note "control plane: ipvsadm -R failed"; ipvs_apply=None; }
		cp_time ipvs_replace ip netns exec $ns sh -c \
			'ipvsadm -C && ipvsadm -R < "$1"' - "$d/ipvs2.rules" ||
			{ note "control plane: ipvsadm -C, -R failed"; ipvs_replace=None; }
		cp_say "ipvsadm -R $ipvs_apply s, -C then -R $ipvs_replace s"
		ip netns exec $ns ipvsadm -C
		cleanup_ns $ns
	else
		note "control plane: no ipvsadm or ip_vs, no IPVS figure"
	fi

	ns=b-cp-nft
	if [ "$CP_REFS" = 0 ]; then
		:
	elif command -v nft > /dev/null && cp_ns $ns; then
		cp_time nft_apply ip netns exec $ns nft -f "$d/nft.conf" ||
			{ note "control plane: nft -f failed"; nft_apply=None; }
		cp_time nft_replace ip netns exec $ns nft -f "$d/nft2.conf" ||
			{ note "control plane: nft -f (replace) failed"; nft_replace=None; }
		cp_say "nft -f $nft_apply s, flush and refill $nft_replace s"
		cleanup_ns $ns
	else
		note "control plane: no nft, no nftables figure"
	fi

	ns=b-cp-bulk
	if [ "$CP_REFS" != 0 ] && cp_ns $ns; then
		per_object=$(ip netns exec $ns python3 "$here/svcgw_bulk.py" \
			"$SVCGW_SRC/uapi/linux/svcgw.h" 10000 "$n" 8 stateless |
			python3 -c 'import json, sys; print(json.load(sys.stdin)["seconds"])') ||
			{ note "control plane: svcgw_bulk.py failed"; per_object=None; }
		cp_say "svcgw, a request per object: $per_object s"
		ip netns exec $ns "$SVCGW_BIN" flush
		cleanup_ns $ns
	fi

	rm -rf "$d"
	jline control_plane "{'services': $n, 'servers': 8, 'applied': $sv_count, 'ipvs_scheduler': '$sched', 'svcgw_batch_s': $sv_apply, 'svcgw_replace_same_s': $sv_same, 'svcgw_replace_changed_s': $sv_changed, 'ipvsadm_restore_s': $ipvs_apply, 'ipvsadm_clear_restore_s': $ipvs_replace, 'nft_file_s': $nft_apply, 'nft_flush_refill_s': $nft_replace, 'svcgw_per_object_s': $per_object, 'svcgw_kernel': $raw}"
}
