#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Memory per session: fill the session table of a stateful UDP service with
# N new flows injected by pktgen, then take the bytes per session three
# ways and fail any above SESSION_MEM_MAX (default 128).  N is
# SESSION_MEM_N, else BENCH_SESSION_MEM, else 500000 (20000 on a debug
# kernel, where the bound is not checked: see below); for the issue's
# figure at a million sessions, on the host:
#
#   BENCH_SESSION_MEM=1000000 selftests/vm/run-vm.sh --tests 60-session-memory
#
# (run-vm.sh passes BENCH_* variables into the guest).  The figure depends
# on N: the hash table doubles when 3/4 full, so right after a doubling
# its buckets cost twice what they cost right before, and the bucket
# array's header takes each power-of-two array just over an allocation
# boundary (kmalloc: the next power of two; vmalloc: the next 2 MB huge
# page).  From about 400,000 sessions on, every N stays under 128 bytes
# (Debian 6.1, 64-bit: 88-byte objects, 80 before replication); below,
# some N do not (about 133 with 80-byte objects
# at 200,000, right after the table reached 2^20 buckets).
#
#   module   svcgw stats' session_mem / sessions_cur: objects at their
#            slab object size plus the hash tables' bucket arrays
#   kernel   growth of the svcgw_session4 cache's slabs (whole slab pages,
#            from /sys/kernel/slab, which follows SLUB's merging) plus the
#            growth of the vmalloc'd bucket arrays (/proc/vmallocinfo,
#            bucket_table_alloc), over the sessions made
#   per-obj  the cache's slab bytes per object (/proc/slabinfo's
#            pagesperslab and objperslab) plus the module's bucket bytes
#            per session
#
# The module's bucket array must be one of the vmalloc'd ones.  Then
# the same table is walked: a dump lists every session once, a server set
# down under the reschedule policy hands its sessions to the others, and a
# flush empties the table.
#
#   netns $gw
#   in0 (dummy) 203.0.113.1/24   <- pktgen (xmit_mode netif_receive): UDP
#                                   to 192.0.2.10:80, random sources in
#                                   10.0.0.0/14 and ports: a flow a packet
#   eg0 (dummy) 198.51.100.1/24  -> servers .11-.18 (dropped by dummy)

set -u

source "$(dirname "$0")/../lib.sh"

VIP=192.0.2.10
IN_MAC=02:00:00:00:00:01
N=${SESSION_MEM_N:-${BENCH_SESSION_MEM:-500000}}
MAX=${SESSION_MEM_MAX:-128}
SVCGW_BIN=${SVCGW_BIN:-$SVCGW_SRC/tools/svcgw/svcgw}
CACHE=svcgw_session4
tmp=$(mktemp -d)

cleanup()
{
	cleanup_all_ns
	rm -rf "$tmp"
	svcgw_unload 2>/dev/null || true
}
trap cleanup EXIT

checktool python3
[ -x "$SVCGW_BIN" ] || { echo "# SKIP: $SVCGW_BIN not built"; exit $ksft_skip; }
modprobe -a pktgen dummy 2> /dev/null ||
	{ echo "# SKIP: no pktgen or dummy module"; exit $ksft_skip; }

gwcli()
{
	ip netns exec "$gw" "$SVCGW_BIN" "$@"
}

json_get()
{
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

stat_of()
{
	gwcli -j stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# pg FILE CMD...: pktgen commands in the gateway namespace, one a write.
pg()
{
	local f=$1 c

	shift
	for c in "$@"; do
		ip netns exec "$gw" sh -c 'echo "$1" > /proc/net/pktgen/$2' _ "$c" "$f" ||
			return 1
	done
}

# snapshot: one JSON line of the kernel's figures for the session cache
# and the vmalloc'd hash bucket arrays.
snapshot()
{
	python3 - "$CACHE" <<'PY'
import json, os, re, sys
name = sys.argv[1]
page = os.sysconf("SC_PAGE_SIZE")
d = {}
base = "/sys/kernel/slab/" + name
def rd(f):
    return int(open(os.path.join(base, f)).read().split()[0])
d["slabs"] = rd("slabs")
d["order"] = rd("order")
d["objs_per_slab"] = rd("objs_per_slab")
d["object_size"] = rd("object_size")
d["slab_size"] = rd("slab_size")
d["slab_bytes"] = d["slabs"] * (page << d["order"])
# /proc/slabinfo shows a merged cache under one of its names.
target = os.path.realpath(base)
names = [n for n in os.listdir("/sys/kernel/slab")
         if os.path.realpath("/sys/kernel/slab/" + n) == target]
for line in open("/proc/slabinfo").readlines()[2:]:
    f = line.split()
    if f[0] in names:
        d["slabinfo"] = {"name": f[0], "objsize": int(f[3]),
                         "objperslab": int(f[4]), "pagesperslab": int(f[5])}
d["aliases"] = sorted(n for n in names if not n.startswith(":"))
tables = []
for line in open("/proc/vmallocinfo"):
    if "bucket_table_alloc" in line:
        m = re.search(r"pages=(\d+)", line)
        if m:
            tables.append(int(m.group(1)))
d["vmalloc_buckets"] = sum(tables) * page
d["vmalloc_tables"] = sorted(tables)
print(json.dumps(d))
PY
}

svcgw_load || { echo "not ok 1 - svcgw loads"; exit 1; }
# A debug kernel (make check-debug: SLUB red zones and poison, KASAN,
# kmemleak tracking every object) makes each session dearer and slower:
# the table is filled and walked with fewer flows there, and its bytes per
# session are printed but not held to the bound, which is a production
# kernel's.
debug_slab=false
[ "$(cat /sys/kernel/slab/$CACHE/red_zone 2>/dev/null)" = 1 ] && debug_slab=true
if $debug_slab && [ -z "${SESSION_MEM_N:-}${BENCH_SESSION_MEM:-}" ]; then
	N=20000
fi
setup_ns gw || exit 1
ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
ip -n "$gw" link add in0 address $IN_MAC type dummy &&
ip -n "$gw" addr add 203.0.113.1/24 dev in0 &&
ip -n "$gw" link set in0 up &&
ip -n "$gw" link add eg0 type dummy &&
ip -n "$gw" addr add 198.51.100.1/24 dev eg0 &&
ip -n "$gw" link set eg0 up &&
ip netns exec "$gw" sysctl -qw net.ipv4.conf.in0.rp_filter=0 ||
	{ echo "not ok 1 - topology"; exit 1; }

cap=$((N + N / 5))
[ "$cap" -ge 1048576 ] || cap=1048576
configure()
{
	gwcli config set session-max $cap timeout-udp 3600 &&
	gwcli service add $VIP:80 proto udp mode stateful &&
	for i in $(seq 11 18); do
		gwcli server add $VIP:80 proto udp server 198.51.100.$i || return 1
	done
}
check "stateful UDP service with 8 servers, session-max $cap" configure

s0=$(snapshot)
m0=$(stat_of session_mem)
e0=$(stat_of sessions_cur)
ktap_info "before: sessions $e0, session_mem $m0, $s0"

# Random sources and ports: almost every packet is a new flow (pktgen
# draws from [min, max)).
pg kpktgend_0 rem_device_all "add_device in0" &&
pg in0 "clone_skb 0" "pkt_size 60" "delay 0" "burst 1" \
	"xmit_mode netif_receive" "dst $VIP" "dst_mac $IN_MAC" \
	"udp_dst_min 80" "udp_dst_max 80" "src_min 10.0.0.1" \
	"src_max 10.3.255.254" "udp_src_min 1024" "udp_src_max 65535" \
	"flag IPSRC_RND" "flag UDPSRC_RND" "count $N"
check "pktgen configured" test $? -eq 0
pg_done()
{
	ip netns exec "$gw" grep -q '^Result: OK' /proc/net/pktgen/in0
}
t0=$(date +%s)
# "start" returns when the run ends, or at once if the pktgen thread has
# not started it within 125 ms (software emulation): wait for the result.
timeout 600 ip netns exec "$gw" sh -c 'echo start > /proc/net/pktgen/pgctrl'
busywait 600000 pg_done || pg pgctrl stop
t1=$(date +%s)
ktap_info "pktgen: $(ip netns exec "$gw" grep -h -E 'Result|errors' /proc/net/pktgen/in0 | tr -s ' \n' ' ') in $((t1 - t0)) s"
pg kpktgend_0 rem_device_all

# buckets_match BYTES PAGES-LIST: one of the vmalloc'd bucket arrays
# (their page counts, a JSON list) is the module's array of BYTES, as the
# allocator rounds it: to pages, or to 2 MB pages when it is 2 MB or more.
buckets_match()
{
	python3 -c 'import json, sys
a, tables = int(sys.argv[1]), json.loads(sys.argv[2])
top = max((a + 4095) // 4096 * 4096, (a + (2 << 20) - 1) // (2 << 20) * (2 << 20))
sys.exit(not any(a <= t * 4096 <= top for t in tables))' "$1" "$2"
}

# The hash table grows in a worker and frees the old bucket array after a
# grace period: wait until the vmalloc'd arrays are as many bytes as the
# module's (30 s at most; the checks below tell if they never are).
settled()
{
	local m e o v

	m=$(stat_of session_mem)
	e=$(stat_of sessions_cur)
	o=$(echo "$s0" | json_get 'd["object_size"]')
	v=$(snapshot | json_get 'd["vmalloc_tables"]')
	buckets_match $((m - e * o)) "$v"
}
sleep 1
busywait 30000 settled || ktap_info "vmalloc'd bucket arrays still differ from the module's"

e1=$(stat_of sessions_cur)
m1=$(stat_of session_mem)
s1=$(snapshot)
made=$((e1 - e0))
ktap_info "after: sessions $e1, session_mem $m1, $s1"
check "at least 95% of $N packets made a session ($made)" \
	test "$made" -ge $((N * 95 / 100))

read -r mod kern perobj vmb modb rest < <(python3 - "$s0" "$s1" "$m0" "$m1" "$e0" "$e1" <<'PY'
import json, sys
s0, s1 = json.loads(sys.argv[1]), json.loads(sys.argv[2])
m0, m1, e0, e1 = map(int, sys.argv[3:7])
made = e1 - e0
mod = m1 / e1
slab = (s1["slab_bytes"] - s0["slab_bytes"]) / made
vmb = s1["vmalloc_buckets"] - s0["vmalloc_buckets"]
kern = slab + vmb / made
si = s1.get("slabinfo")
if si:
    per_obj = si["pagesperslab"] * 4096 / si["objperslab"]
else:
    per_obj = (4096 << s1["order"]) / s1["objs_per_slab"]
# The module's buckets: its total less the objects at their object size.
modb = m1 - e1 * s1["object_size"]
print("%.1f %.1f %.1f %d %d" % (mod, kern, per_obj + modb / e1, vmb, modb))
PY
)
ktap_info "bytes per session at $e1 sessions: module $mod, kernel $kern (slab growth + vmalloc growth), per-object slab + module buckets $perobj"
ktap_info "bucket arrays: module $modb B, vmalloc growth $vmb B"
le()
{
	python3 -c 'import sys; sys.exit(not float(sys.argv[1]) <= float(sys.argv[2]))' "$1" "$2"
}
if $debug_slab; then
	for w in module kernel per-object; do
		ktap_skip "$w: B/session <= $MAX" "slab debugging (red zones) on this kernel"
	done
else
	check "module: $mod B/session <= $MAX" le "$mod" "$MAX"
	check "kernel: $kern B/session <= $MAX" le "$kern" "$MAX"
	check "per-object: $perobj B/session <= $MAX" le "$perobj" "$MAX"
fi
# The module's bucket count is the truth only if the kernel sees it too;
# arrays below 4 MB may come from kmalloc, which vmallocinfo does not show.
if [ "$modb" -ge $((4 << 20)) ]; then
	check "module's bucket array ($modb B) is in /proc/vmallocinfo" \
		buckets_match "$modb" "$(echo "$s1" | json_get 'd["vmalloc_tables"]')"
else
	ktap_skip "module's bucket bytes match the vmalloc growth" "table too small for vmalloc"
fi

# --- the big table still works ---------------------------------------------
gwcli session show > "$tmp/sessions.txt"
n=$(awk '{ print $2 }' "$tmp/sessions.txt" | sort -u | wc -l)
check "session dump lists each of the $e1 sessions once ($n)" test "$n" -eq "$e1"
on11=$(grep -c 'via 198.51.100.11:80 ' "$tmp/sessions.txt")
rm -f "$tmp/sessions.txt"
r0=$(stat_of session_repick)
gwcli service set $VIP:80 proto udp down-policy reschedule &&
gwcli server set $VIP:80 proto udp server 198.51.100.11 state down
check "server set down (reschedule)" test $? -eq 0
r1=$(stat_of session_repick)
e2=$(stat_of sessions_cur)
left=$(gwcli session show | grep -c 'via 198.51.100.11:80 ')
ktap_info "server .11 had $on11 sessions, has $left; repicked $((r1 - r0)); sessions $e1 -> $e2"
check "reschedule: the down server keeps no session" test "$left" -eq 0
check "reschedule: each of its sessions moved ($((r1 - r0)) of $on11)" \
	test $((r1 - r0)) -eq "$on11"
check "reschedule: no session lost" test "$e2" -eq "$e1"

gwcli session flush
left=$(stat_of sessions_cur)
check "flush empties the table ($left left)" test "$left" -eq 0
check "an empty table's session_mem is small" test "$(stat_of session_mem)" -lt $((64 << 20))

ktap_finish
