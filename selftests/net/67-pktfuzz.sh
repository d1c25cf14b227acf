#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packet fuzzing of svcgw's packet path, on a real kernel, while real
# connections run through the gateway.
#
# Topology: topo.sh, plus an injection link into the gateway:
#
#   client --- veth --- gateway (svcgw) --- br0 --- s1 s2 s3
#                        fz0 10.99.0.1/24, 2001:db8:99::1/64, GRO on
#                         |  static neighbours 10.99.0.2-.9 and
#                        veth  2001:db8:99::2-9 -> fz1 (nothing waits
#                         |    for address resolution)
#                        fz1 in netns $fz, no address: pktfuzz
#
# pktfuzz (pktfuzz.c, built on the host by make testmods) sends exactly
# 1,000,000 mutated frames (about 5 minutes; under make check-debug,
# SVCGW_TEST_LONG=1, 300,000: at the debug kernel's 204 frames/s about
# 25 minutes, five times make check's, where the full count took 82 and
# the whole debug run no longer fitted a working session; every kind of
# mutation is drawn per frame, so each comes thousands of times either
# way; SVCGW_TEST_PKTFUZZ_COUNT=N sets another count) from a seed
# (printed; SVCGW_TEST_SEED=N repeats a run) through an AF_PACKET socket
# on fz1, paced so that the kernel's queues behind the veth (the per-CPU
# backlog, which the real traffic goes through too) are not overrun:
# truncated packets, bad IP/TCP/UDP lengths and checksums, IPv4 options,
# IPv6 extension header chains, ICMP and ICMPv6 errors quoting the
# fuzzer's sessions, packets to servers, full NAT packets and nothing,
# fragments (out of order, duplicated, overlapping, tiny), TCP flag soup,
# GSO super-packets (virtio-net headers) and trains of segments that GRO
# on fz0 merges.  They go to the fuzzing services on the service
# addresses (ports 7-25: stateful, stateless, hybrid, full NAT, no
# server), to the servers, to the gateway and to unrouted addresses.
#
# Checks:
#   - the real connections, started before the fuzzer and running until
#     it ends (TCP held open and trickling, TCP bulk with TSO/GRO, UDP;
#     IPv4 and IPv6; services of every mode), all complete correctly;
#     and new ones work afterwards.  The UDP clients behave like real
#     ones: a request not answered within 5 s is sent again, at most 3
#     times (retries counted and printed); one that no try gets answered
#     fails the test, and prints what each namespace counted
#     (SVCGW_TEST_PKTFUZZ_TRACE=1 adds captures of the client's ICMP and
#     UDP and of the gateway's ARP and port 53, and prints them either
#     way; SVCGW_TEST_PKTFUZZ_COUNT=N sends N frames instead);
#   - no path MTU of the gateway or client locked low by the fuzzer's
#     forged errors (the gateway runs with net.ipv4.ip_no_pmtu_disc=3,
#     see below);
#   - no softnet backlog drops while the fuzzer ran (link drops printed);
#   - every packet svcgw drops is counted: nft counters in the gateway
#     just before and after svcgw's hooks (svcgw_in at -350, svcgw_out at
#     110, kmod/hooks.c) see as many packets vanish as the module's
#     drop_malformed + drop_no_server + drop_nomem + drop_no_session grew;
#   - all the frames were sent (rate and time printed), within a safety
#     limit: the file's time limit (the runner's timeout, else settings;
#     SVCGW_TEST_TIMEOUT=N) less what the rest of the test needs;
#   - no WARNING, BUG, Oops, KASAN or UBSAN report in the kernel log.

set -u

source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/topo.sh"

here=$(cd "$(dirname "$0")" && pwd)
topo_init nft

if [ "${SVCGW_TEST_LONG:-0}" = 1 ]; then
	COUNT=${SVCGW_TEST_PKTFUZZ_COUNT:-300000}
else
	COUNT=${SVCGW_TEST_PKTFUZZ_COUNT:-1000000}
fi
# This file's time limit: the runner's ("timeout -k 10 N ./67-pktfuzz.sh",
# selftests/vm/guest-run.sh), else settings.
file_limit()
{
	local a i=1

	if [ -n "${SVCGW_TEST_TIMEOUT:-}" ]; then
		echo "$SVCGW_TEST_TIMEOUT"
		return
	fi
	mapfile -d '' a < "/proc/$PPID/cmdline" 2> /dev/null
	if [ "${a[0]:-}" = timeout ]; then
		while [ $i -lt ${#a[@]} ]; do
			case ${a[i]} in
			-k|-s) i=$((i + 2)) ;;
			-*) i=$((i + 1)) ;;
			*) echo "${a[i]%s}"; return ;;
			esac
		done
	fi
	sed -n 's/^timeout=\([0-9]\+\)$/\1/p' "$(dirname "$0")/settings" | tail -n 1
}
FILE_LIMIT=$(file_limit)
FILE_LIMIT=${FILE_LIMIT:-900}
SEED=${SVCGW_TEST_SEED:-$(( ($(date +%s%N) ^ $$ << 20) & 0x7fffffffffff ))}
ktap_info "seed $SEED (SVCGW_TEST_SEED=$SEED repeats this run), $COUNT frames, file limit $FILE_LIMIT s"

backlog0=$(sysctl -n net.core.netdev_max_backlog)
fuzz_cleanup()
{
	sysctl -qw net.core.netdev_max_backlog="$backlog0"
	topo_cleanup
}
trap fuzz_cleanup EXIT

# Built on the host by "make testmods" (build/pktfuzz), else here.
PKTFUZZ=$SVCGW_SRC/build/pktfuzz
if [ ! -x "$PKTFUZZ" ] || [ "$PKTFUZZ" -ot "$here/pktfuzz.c" ]; then
	PKTFUZZ=$tmp/pktfuzz
	gcc -O2 -Wall -o "$PKTFUZZ" "$here/pktfuzz.c"
fi
check "pktfuzz built ($PKTFUZZ, at ${SECONDS} s)" test -x "$PKTFUZZ"
[ -x "$PKTFUZZ" ] || ktap_finish

svcgw_load || { ktap_fail "module loads"; ktap_finish; }
ktap_ok "module loads"
topo_setup || { ktap_fail "topology"; ktap_finish; }
topo_servers || topo_servers_wait 240000 || { ktap_fail "servers start"; ktap_finish; }
ktap_info "topology and servers up at ${SECONDS} s"

# --- the injection link -----------------------------------------------------
setup_ns fz
ok=true
ip netns exec "$fz" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1 || ok=false
ip link add fz1 netns "$fz" type veth peer name fz0 netns "$gw" || ok=false
ip -n "$fz" link set fz1 up || ok=false
ip -n "$gw" addr add 10.99.0.1/24 dev fz0 || ok=false
ip -n "$gw" addr add 2001:db8:99::1/64 dev fz0 nodad || ok=false
ip -n "$gw" link set fz0 up || ok=false
FZ1_MAC=$(ip -n "$fz" -br link show fz1 | awk '{ print $3 }')
FZ0_MAC=$(ip -n "$gw" -br link show fz0 | awk '{ print $3 }')
for i in 2 3 4 5 6 7 8 9; do
	echo "neigh add 10.99.0.$i lladdr $FZ1_MAC dev fz0 nud permanent"
	echo "neigh add 2001:db8:99::$i lladdr $FZ1_MAC dev fz0 nud permanent"
done | ip -n "$gw" -batch - || ok=false
check "injection link fz1 ($FZ1_MAC) -> fz0 ($FZ0_MAC), static neighbours" $ok
# GRO on fz0: the veth receives through NAPI and merges the trains.
ip netns exec "$gw" ethtool -K fz0 gro on > /dev/null 2>&1 ||
	ktap_info "no GRO on fz0 (ethtool)"
# Room in the backlog (a global setting, the root namespace's): pktfuzz
# keeps it nearly empty; this is the margin for bursts (GSO, replies).
sysctl -qw net.core.netdev_max_backlog=10000
check "netdev_max_backlog 10000 (was $backlog0)" \
	test "$(sysctl -n net.core.netdev_max_backlog)" = 10000

# Hardened path MTU discovery on the gateway, as one facing untrusted
# senders should have it (README): "fragmentation needed" is taken only
# when it quotes a protocol that can validate it (TCP, SCTP, DCCP).
# Without it the fuzzer's forged errors sent to the gateway's own
# addresses, quoting UDP to a server, lower the gateway's path MTU toward
# that server (udp_err() updates it for any quote, socket or none) to
# 552, locked; the gateway then answers clients' 1000-byte UDP requests
# with "fragmentation needed", the clients fragment them, and the
# fragments die in the gateway's reassembly queues, which the fuzzer's
# incomplete fragments keep full: whole requests lost, v4 only (IPv6
# never goes below 1280).  Found by this test; checked below.
ip netns exec "$gw" sysctl -qw net.ipv4.ip_no_pmtu_disc=3
check "gateway: net.ipv4.ip_no_pmtu_disc=3" \
	test "$(ip netns exec "$gw" sysctl -n net.ipv4.ip_no_pmtu_disc)" = 3

# --- services ---------------------------------------------------------------
# One batch (one process: starting one is slow in the emulated guest), but
# for full NAT, which batches do not carry.
ok=true
for v in "$VIP" "[$VIP6]"; do
	# Real traffic.
	echo "service add $v:80 proto tcp"
	echo "service add $v:81 proto tcp mode stateless"
	echo "service add $v:53 proto udp mode stateful"
	echo "service add $v:54 proto udp"
	# Fuzzing.
	echo "service add $v:7 proto tcp mode stateful"
	echo "service add $v:9 proto udp mode stateful"
	echo "service add $v:17 proto tcp mode stateless"
	echo "service add $v:19 proto udp"
	echo "service add $v:25 proto tcp"
	echo "service add $v:25 proto udp mode stateless"
done > "$tmp/batch.txt"
for i in 0 1 2; do
	for s in "${SERVERS[i]}" "[${SERVERS6[i]}]"; do
		[ "$s" = "${SERVERS[i]}" ] && v=$VIP || v="[$VIP6]"
		echo "server add $v:80 proto tcp server $s"
		echo "server add $v:81 proto tcp server $s:8080"
		echo "server add $v:53 proto udp server $s"
		echo "server add $v:54 proto udp server $s:5353"
		echo "server add $v:7 proto tcp server $s"
		echo "server add $v:17 proto tcp server $s"
		echo "server add $v:9 proto udp server $s"
		echo "server add $v:19 proto udp server $s"
	done
done >> "$tmp/batch.txt"
gwcli -b "$tmp/batch.txt" || ok=false
for v in "$VIP" "[$VIP6]"; do
	[ "$v" = "$VIP" ] && fn=198.51.100.1 || fn=2001:db8:2::1
	gwcli service add "$v:21" proto tcp fullnat "$fn" || ok=false
	gwcli service add "$v:23" proto udp fullnat "$fn" || ok=false
done
for i in 0 1; do
	for s in "${SERVERS[i]}" "[${SERVERS6[i]}]"; do
		[ "$s" = "${SERVERS[i]}" ] && v=$VIP || v="[$VIP6]"
		gwcli server add "$v:21" proto tcp server "$s" || ok=false
		gwcli server add "$v:23" proto udp server "$s" || ok=false
	done
done
check "real and fuzzing services on $VIP and $VIP6 (at ${SECONDS} s)" $ok

# --- regression: a full NAT server's own address ------------------------------
# The gateway itself (a health check, say) connecting to a full NAT
# service's server endpoint has no session: svcgw_out used to drop its
# packets, uncounted, so the connection timed out.  s1 has no listener on
# 21: the server refuses at once.  (A client's direct connection gets
# through too now, but the server's answer, from a server endpoint, gets
# the service address as its source, as Documentation/svcgw.rst says.)
refused()
{
	ip netns exec "$1" python3 -c '
import socket, sys
for a in sys.argv[1:]:
    try:
        socket.create_connection((a, 21), timeout=15).close()
    except ConnectionRefusedError:
        continue
    except OSError as e:
        print("# %s: %s" % (a, e))
        sys.exit(1)
    sys.exit(1)' "${SERVERS[0]}" "${SERVERS6[0]}"
}
check "full NAT server endpoints ${SERVERS[0]}:21 and [${SERVERS6[0]}]:21 from the gateway: refused by the server, not dropped" \
	refused "$gw"

# --- counters around svcgw's hooks -------------------------------------------
ip netns exec "$gw" nft -f - <<'EOF'
table inet svcgwfz {
	counter in_b {}
	counter in_a {}
	counter out_b {}
	counter out_a {}
	counter fz_in {}
	chain pre_b {
		type filter hook prerouting priority -360; policy accept;
		counter name in_b
		iifname "fz0" counter name fz_in
	}
	chain pre_a {
		type filter hook prerouting priority -340; policy accept;
		counter name in_a
	}
	chain post_b {
		type filter hook postrouting priority 105; policy accept;
		counter name out_b
	}
	chain post_a {
		type filter hook postrouting priority 115; policy accept;
		counter name out_a
	}
}
EOF
check "nft counters at -360/-340 (prerouting) and 105/115 (postrouting)" test $? -eq 0

# counters: "in_b in_a out_b out_a fz_in drop_malformed drop_no_server
# drop_nomem drop_no_session", packets.
counters()
{
	{
		ip netns exec "$gw" nft -j list counters table inet svcgwfz
		echo
		gwcli -j stats
	} | python3 -c '
import json, sys
t = sys.stdin.read().split("\n", 1)
c = {o["counter"]["name"]: o["counter"]["packets"]
     for o in json.loads(t[0])["nftables"] if "counter" in o}
s = json.loads(t[1])
print(*[c[k] for k in ("in_b", "in_a", "out_b", "out_a", "fz_in")],
      *[s[k] for k in ("drop_malformed", "drop_no_server", "drop_nomem",
                       "drop_no_session")])'
}

klog0=$(dmesg | wc -l)
c0=$(counters)
check "counters read ($c0)" test -n "$c0"

# --- real traffic, before, during and after -----------------------------------
# loop NAME ARGS...: lbtool ARGS in the client namespace, again and again
# until $tmp/stop exists; one line "rc JSON" per run in $tmp/real-NAME.
loop()
{
	local name=$1 rc

	shift
	while [ ! -e "$tmp/stop" ]; do
		timeout 120 ip netns exec "$client" python3 "$LBTOOL" "$@" \
			> "$tmp/out-$name" 2>&1
		rc=$?
		echo "$rc $(head -c 600 "$tmp/out-$name" | tr '\n' ' ')" >> "$tmp/real-$name"
		sleep 4	# starting Python is costly in an emulated guest
	done
}

trace=()
if [ -n "${SVCGW_TEST_PKTFUZZ_TRACE:-}" ]; then
	ip netns exec "$client" tcpdump -i any -nn -l -tt 'icmp or udp port 53' > "$tmp/tr-client" 2>/dev/null &
	trace+=($!)
	ip netns exec "$gw" tcpdump -i br0 -nn -l -tt 'arp or udp port 53' > "$tmp/tr-gw" 2>/dev/null &
	trace+=($!)
fi
names=()
for v in "$VIP" "$VIP6"; do
	[ "$v" = "$VIP" ] && f=4 || f=6
	loop hold$f hold "$v" 80 --conns 4 --seconds 20 --interval 0.3 \
		--round-timeout 15 --timeout 30 &
	loop bulk$f tcp "$v" 81 --conns 4 --bytes 300000 --timeout 60 &
	[ $f = 4 ] && p=53 || p=54	# stateful, hybrid
	loop udp$f udp "$v" $p --count 30 --timeout 5 --retries 3 &
	names+=(hold$f bulk$f udp$f)
done
# Started before the fuzzer: the first connections are up.
held() { [ "$(ip netns exec "$client" ss -Htn state established '( dport = :80 )' | wc -l)" -ge 4 ]; }
busywait 300000 held
check "real connections up before the fuzzing" test $? -eq 0
ktap_info "real traffic running at ${SECONDS} s"

# --- fuzz ---------------------------------------------------------------------
# Per CPU: "dropped" (second column of /proc/net/softnet_stat, backlog
# drops) now.
softnet_drops() { while read -r _ d _; do printf '%d ' "0x$d"; done < /proc/net/softnet_stat; }
# Links' drops in the gateway and the client: "ns/link rx tx" lines.
# (awk, not Python: starting Python takes seconds in an emulated guest.)
link_drops()
{
	local ns

	for ns in "$gw" "$client"; do
		ip -n "$ns" -s -o link show | awk -v ns="${ns%%-*}" '{
			sub(/:$/, "", $2); sub(/@.*/, "", $2)
			# "RX: bytes packets errors dropped ... \ N N N N ...":
			# the number under "dropped".
			for (i = 1; i <= NF; i++) {
				if ($i != "RX:" && $i != "TX:")
					continue
				for (j = i + 1; $j != "\\"; j++)
					if ($j == "dropped")
						d = j - i
				v[$i] = $(j + d)
			}
			print ns "/" $2, v["RX:"] + 0, v["TX:"] + 0
		}'
	done
}
sd0=$(softnet_drops)
link_drops > "$tmp/links0"
# Each namespace's SNMP counters (nstat keeps its history per file), to
# tell where a lost request went if one is.
for ns in "$gw" "$client" "$s1" "$s2" "$s3"; do
	NSTAT_HISTORY=$tmp/nstat-${ns%%-*} ip netns exec "$ns" nstat -n
done
# The safety limit: the file's limit, less the time so far and what comes
# after (the clients' runs in progress, at most 120 s, and the checks).
LIMIT=$((FILE_LIMIT - SECONDS - 180))
[ $LIMIT -ge 60 ] || LIMIT=60
ktap_info "pktfuzz: $COUNT frames, safety limit $LIMIT s, from ${SECONDS} s"
start=$(date +%s%N)
timeout $((LIMIT + 30)) ip netns exec "$fz" "$PKTFUZZ" fz1 "$FZ1_MAC" \
	"$FZ0_MAC" $COUNT "$SEED" $LIMIT > "$tmp/fuzz.txt" 2> "$tmp/fuzz.err"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
sd1=$(softnet_drops)
ktap_info "fuzzing done at ${SECONDS} s"
sed 's/^/# pktfuzz: /' "$tmp/fuzz.txt" "$tmp/fuzz.err"
fz() { awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }' "$tmp/fuzz.txt"; }
sent=$(fz sent)
check "pktfuzz sent all its frames (exit $rc; 3: safety limit of $LIMIT s reached)" \
	test $rc -eq 0
check "$COUNT mutated frames injected: $sent in $((ms / 1000)).$((ms % 1000 / 100)) s, $((sent * 1000 / (ms > 0 ? ms : 1))) frames/s" \
	test "$sent" -eq $COUNT
check "  the kernel took nearly all ($(fz refused) refused as malformed, $(fz stalls) times turned away by the veth and sent again)" \
	test "$(fz refused)" -lt $((sent / 50 + 1))

# The real clients finish the run they are in.
# (each run is bounded by its timeout).
touch "$tmp/stop"
[ ${#trace[@]} -eq 0 ] || { sleep 1; kill "${trace[@]}"; }
wait
ktap_info "real clients done at ${SECONDS} s"
for n in "${names[@]}"; do
	runs=$(wc -l < "$tmp/real-$n")
	bad=$(awk '$1 != 0' "$tmp/real-$n" | wc -l)
	awk '$1 != 0' "$tmp/real-$n" | head -3 | cut -c1-300 | sed 's/^/# /'
	retries=$(grep -o '"retries": [0-9]*' "$tmp/real-$n" | awk '{ n += $2 } END { print n + 0 }')
	case $n in udp*) r=", $retries requests sent again" ;; *) r= ;; esac
	if [ "$runs" -ge 2 ] && [ "$bad" -eq 0 ]; then
		ktap_ok "real traffic $n: $runs runs during the fuzzing, $bad failed$r"
	else
		ktap_fail "real traffic $n: $runs runs during the fuzzing, $bad failed$r"
		diag=true
	fi
	# The sessions of the failed UDP requests' flows.
	for p in $(grep -o 'sport [0-9]*' "$tmp/real-$n" | awk '{ print $2 }' | sort -u); do
		gwcli session show | grep -w -- "$p" | sed "s/^/# session of sport $p: /"
	done
done
[ ${#trace[@]} -eq 0 ] || diag=true
if ${diag:-false}; then
	ip -n "$client" route get $VIP | sed 's/^/# client route to the service: /'
	ip -n "$client" -s route show cache 2>/dev/null | head -5 | sed 's/^/# client route cache: /'
	ip -n "$gw" -s route show cache 2>/dev/null | head -20 | sed 's/^/# gw route cache: /'
	for a in "${SERVERS[@]}"; do
		ip -n "$gw" route get "$a" | sed 's/^/# gw route to a server: /'
	done
	for ns in "$gw" "$client" "$s1" "$s2" "$s3"; do
		NSTAT_HISTORY=$tmp/nstat-${ns%%-*} ip netns exec "$ns" nstat |
			grep -viE '^#|InOctets|OutOctets|InPkts|OutPkts|InSegs|OutSegs|InDatagrams|OutDatagrams|InReceives|OutRequests|InDelivers|ForwDatagrams|InNoECTPkts|InMsgs|OutMsgs' |
			sed "s/^/# nstat ${ns%%-*}: /"
	done
	ip -n "$gw" -s neigh show | grep -v FAILED | sed 's/^/# gw neigh: /' | head -40
	ip -n "$gw" -s ntable show name arp_cache | sed 's/^/# gw ntable: /' | head -12
	for p in $(grep -o 'sport [0-9]*' "$tmp"/real-udp* | awk '{ print $2 }' | sort -u); do
		grep -w "$p" "$tmp/tr-client" 2>/dev/null | sed "s/^/# client trace $p: /" | head -20
		grep -w "$p" "$tmp/tr-gw" 2>/dev/null | sed "s/^/# gw br0 trace $p: /" | head -20
	done
	[ -f "$tmp/tr-client" ] && grep -i icmp "$tmp/tr-client" | head -30 | sed "s/^/# client icmp: /"
	[ -f "$tmp/tr-gw" ] && grep -ci arp "$tmp/tr-gw" | sed "s/^/# gw br0 arp lines: /"
fi

# Where packets may be lost outside svcgw: the per-CPU backlog (softnet
# drops) and the veths.  fz0's rx drops are pktfuzz's frames its NAPI
# ring had no room for, turned away (ENOBUFS) and sent again.
read -ra a0 <<< "$sd0"
read -ra a1 <<< "$sd1"
d=0 per=
for i in "${!a1[@]}"; do
	per+="$((a1[i] - ${a0[i]:-0})) "
	d=$((d + a1[i] - ${a0[i]:-0}))
done
check "no softnet backlog drops while pktfuzz ran (per CPU: $per; largest backlog seen $(fz backlog_max_seen), pktfuzz waited $(fz backlog_waits) times, $(fz backlog_wait_s) s)" \
	test $d -eq 0
link_drops > "$tmp/links1"
ktap_info "link drops during the run (rx tx): $(awk 'NR == FNR { r[$1] = $2; t[$1] = $3; next }
	$2 - r[$1] || $3 - t[$1] { printf "%s %d %d  ", $1, $2 - r[$1], $3 - t[$1] }' "$tmp/links0" "$tmp/links1")"

# The gateway's and the client's path MTUs untouched by forged errors.
pmtu_locked() { ip -n "$gw" route show cache | grep -c 'mtu lock'; }
pmtu_client() { ip -n "$client" route get $VIP | grep -o 'mtu [0-9]*'; }
check "no path MTU of the gateway locked low by a forged error ($(pmtu_locked) routes)" \
	test "$(pmtu_locked)" -eq 0
check "the client's path MTU to $VIP untouched ($(pmtu_client))" \
	test -z "$(pmtu_client)"

# --- drops: counted --------------------------------------------------------------
# Let what is in flight land (servers' retransmissions go on; none is
# dropped).
sleep 2
c1=$(counters)
read -r ib0 ia0 ob0 oa0 fzi0 dm0 dn0 dx0 ds0 <<< "$c0"
read -r ib1 ia1 ob1 oa1 fzi1 dm1 dn1 dx1 ds1 <<< "$c1"
lost_in=$(( (ib1 - ib0) - (ia1 - ia0) ))
lost_out=$(( (ob1 - ob0) - (oa1 - oa0) ))
drops=$(( (dm1 - dm0) + (dn1 - dn0) + (dx1 - dx0) + (ds1 - ds0) ))
ktap_info "frames from fz0 at the first hook: $((fzi1 - fzi0)) of $sent sent (GRO merges trains)"
ktap_info "lost in svcgw_in: $lost_in, in svcgw_out: $lost_out;" \
	"drop counters: malformed +$((dm1 - dm0)), no_server +$((dn1 - dn0)), nomem +$((dx1 - dx0)), no_session +$((ds1 - ds0))"
check "every packet svcgw dropped is counted: $((lost_in + lost_out)) lost, $drops counted" \
	test $((lost_in + lost_out)) -eq $drops
check "  the fuzzer made svcgw drop packets of each reason it can (malformed, no server)" \
	test $((dm1 - dm0)) -gt 0 -a $((dn1 - dn0)) -gt 0

# --- afterwards ------------------------------------------------------------------
client_run tcp "$VIP" 80 --conns 3 > /dev/null &&
	client_run tcp "$VIP6" 80 --conns 3 > /dev/null &&
	client_run udp "$VIP" 53 --count 3 > /dev/null &&
	client_run udp "$VIP6" 54 --count 3 > /dev/null
check "new connections after the fuzzing work" test $? -eq 0
n=$(gwcli -j stats | json_get 'd["sessions_cur"]')
check "the module answers (stats: ${n:-no answer} sessions)" test -n "$n"
dmesg | tail -n +$((klog0 + 1)) > "$tmp/klog"
grep -E 'WARNING|BUG|Oops|KASAN|UBSAN|general protection|refcount_t|list_(add|del) corruption' \
	"$tmp/klog" | head -20 | sed 's/^/# /'
n=$(grep -cE 'WARNING|BUG|Oops|KASAN|UBSAN|general protection|refcount_t|list_(add|del) corruption' "$tmp/klog")
check "kernel log: no WARNING, BUG, Oops, KASAN or UBSAN ($n lines)" test "$n" -eq 0

ktap_finish
