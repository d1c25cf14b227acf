#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-debug.sh [--tests PATTERN] [--jobs N] [--part K/N]
#
# "make check-debug": every guest test on a debug kernel. Builds the kernel
# once (debug-kernel.sh: KASAN, lockdep, PROVE_RCU, kmemleak, debug objects,
# SLUB debug; cached), copies this tree to build/debug/tree and builds the
# module, the test modules and the CLI there against that kernel (the
# tree's own kmod/svcgw.ko stays built for Debian's kernel), then boots the
# debug kernel with the usual harness and runs the guest tests with:
#
#   SVCGW_TEST_LONG=1        the fuzzers and loops run longer
#   svcgw.timeout_scale=4    each script's time limit four times longer
#   pci=noacpi               no PCI interrupt routing by ACPI: its AML
#                            interpreter, under KASAN and lockdep in
#                            emulation, ran each PCI routing method (_PRT)
#                            into its 30 s loop timeout.  ACPI itself
#                            stays on: its tables (MADT) list the second
#                            CPU, which the MP table does not
#   no5lvl                   4-level paging, though "-cpu max" offers
#                            5: with it, KASAN reported a wild access to
#                            an IRQ descriptor's lock (direct map at
#                            0xff11...) at the first interrupt of the
#                            boot
#
# --jobs N (or SVCGW_DEBUG_JOBS; default 2) boots N debug guests side by
# side, each running its share of the scripts: a guest of this kernel keeps
# about 1.4 of the machine's 2 cores busy (measured: 131 to 158% CPU for
# qemu during 10-balance), so a second guest uses what one leaves idle.
# The scripts are shared out longest first, each to the guest with the
# least work so far, by their times in this checkout's last run
# (build/debug/test-results/all.tap, "# NAME: N s"), else by the table
# below (seconds on this kernel, measured in earlier runs). Each guest's
# TAP is in build/debug/test-results/guest-K.tap, its console and kernel
# log in build/debug/out/K/; all.tap renumbers them into one stream.
#
# After each script the kernel log is checked and kmemleak scans
# (guest-run.sh): a KASAN, lockdep, RCU, sleep-in-atomic, debug-objects,
# kmemleak, WARN or BUG report fails that script's tests. The TAP is in
# build/debug/test-results/all.tap, the kernel log in build/debug/out/; the
# last line is "N passed, N failed". Exit status non-zero on any failure.
#
# --part K/N (or SVCGW_DEBUG_PART) runs the K-th of N parts of the chosen
# scripts: they are dealt out longest first, each to the part with the
# least work so far, by the same times, so that the N parts, run one after
# another (in different sittings, at one commit), run every script once.
# The whole suite takes longer than a sitting on this project's machines
# (README). all.tap names the part and its scripts.
#
# Environment: SVCGW_DEBUG_CACHE (where the kernel is kept, default
# /var/cache/svcgw-debug), VM_TIMEOUT (default 14400 s).

set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo" || exit 1
results=build/debug/test-results
tree=build/debug/tree

filter=
while [ $# -gt 0 ]; do
	case $1 in
	--tests)	filter=${2:?}; shift ;;
	--jobs)		SVCGW_DEBUG_JOBS=${2:?}; shift ;;
	--part)		SVCGW_DEBUG_PART=${2:?}; shift ;;
	*)		echo "check-debug: unknown option '$1'" >&2; exit 2 ;;
	esac
	shift
done
jobs=${SVCGW_DEBUG_JOBS:-2}
case $jobs in
''|*[!0-9]*|0)	echo "check-debug: --jobs wants a number from 1, not '$jobs'" >&2
		exit 2 ;;
esac

part=${SVCGW_DEBUG_PART:-1/1}
if ! [[ $part =~ ^([1-9][0-9]*)/([1-9][0-9]*)$ ]] ||
   [ "${BASH_REMATCH[1]}" -gt "${BASH_REMATCH[2]}" ]; then
	echo "check-debug: --part wants K/N with 1 <= K <= N, not '$part'" >&2
	exit 2
fi
part_k=${BASH_REMATCH[1]} part_n=${BASH_REMATCH[2]}

start=$(date +%s)
kdir=$(selftests/vm/debug-kernel.sh | tail -n 1) || exit 1
[ -r "$kdir/bzImage" ] || { echo "check-debug: no kernel in '$kdir'" >&2; exit 1; }
krel=$(cat "$kdir/release")
built=$(($(date +%s) - start))

# A copy of the tree, as git sees it (tracked and new files, not ignored
# ones), so that this build's objects do not replace the normal ones.
rm -rf "$tree"
mkdir -p "$tree" "$results"
git ls-files -z --cached --others --exclude-standard |
	grep -zv '^build/' |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	tar --null -T - -cf - | tar -xf - -C "$tree" || exit 1

echo "check-debug: building svcgw against $krel" >&2
if ! { make -C "$kdir/linux" M="$repo/$tree" modules &&
       make -C "$kdir/linux" M="$repo/$tree/selftests/kmod" modules &&
       make -C "$tree/tools/svcgw" &&
       make -C "$tree/tools/svcgwd" svcgwd; } > "$results/build.log" 2>&1; then
	tail -n 30 "$results/build.log" >&2
	echo "check-debug: build failed ($results/build.log)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

# Seconds per script on the debug kernel. Measured with two guests side by
# side, on 2026-12-04 (a slow day: 72-encap took 2,173 s there and 699 s
# on 2026-12-03): 50, 65, 66, 72, 74; the others are estimates from the
# runs of 2026-12-02 and 2026-12-03, times three (README); 88-ecmp
# (not yet run there) from its 230 to 400 s on the production kernel,
# times four. Scripts not listed count as 600 s. A run's own times replace these (below).
declare -A weight=(
	[67-pktfuzz.sh]=2000 [40-transition.sh]=2200 [10-balance.sh]=1200
	[45-retire.sh]=2000 [79-controller.sh]=3600 [78-svcgwd.sh]=900
	[72-encap.sh]=2173 [66-nlfuzz.sh]=2044 [95-fullnat.sh]=1200
	[97-teardown.sh]=1200 [74-policy.sh]=1308 [50-batch.sh]=1084
	[65-floods.sh]=805 [82-ha.sh]=3000 [88-ecmp.sh]=1500
)
# Not when the run is in parts: each part must deal out the same way.
if [ "$part_n" -eq 1 ] && [ -f "$results/all.tap" ]; then
	while read -r name secs; do
		weight[$name.sh]=$secs
	done < <(sed -n 's/^# \([0-9][0-9]-[a-z0-9-]*\): \([0-9][0-9]*\) s$/\1 \2/p' \
		"$results/all.tap")
fi

# The same choice of scripts as the guest's.
source "$repo/selftests/vm/matches.sh"

# The scripts the guest would run, heaviest first.
names=()
for t in "$tree"/selftests/net/*.sh; do
	name=${t##*/}
	[ -x "$t" ] && [ "$(head -c 2 "$t")" = "#!" ] || continue
	matches "$name" "$filter" || continue
	names+=("$name")
done
if [ ${#names[@]} -eq 0 ]; then
	echo "check-debug: no test script matches '$filter'" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
# This part's scripts: all of them dealt out into part_n parts, heaviest
# first, each to the lightest part so far.
if [ "$part_n" -gt 1 ]; then
	declare -a pload pnames
	for ((k = 0; k < part_n; k++)); do pload[k]=0; pnames[k]=; done
	while read -r _ n; do
		best=0
		for ((k = 1; k < part_n; k++)); do
			[ "${pload[k]}" -lt "${pload[best]}" ] && best=$k
		done
		pnames[best]+=" $n"
		pload[best]=$((pload[best] + ${weight[$n]:-600}))
	done < <(for n in "${names[@]}"; do echo "${weight[$n]:-600} $n"; done |
		 sort -k1,1nr -k2)
	read -ra names <<< "${pnames[part_k - 1]}"
	echo "check-debug: part $part: ${names[*]} (about ${pload[part_k - 1]} s of guest time)" >&2
	if [ ${#names[@]} -eq 0 ]; then
		echo "check-debug: part $part has no script" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
fi
[ "$jobs" -le ${#names[@]} ] || jobs=${#names[@]}
mapfile -t names < <(for n in "${names[@]}"; do
	echo "${weight[$n]:-600} $n"; done | sort -k1,1nr -k2 | cut -d' ' -f2)
declare -a share load
for ((k = 0; k < jobs; k++)); do share[k]=; load[k]=0; done
for n in "${names[@]}"; do
	best=0
	for ((k = 1; k < jobs; k++)); do
		[ "${load[k]}" -lt "${load[best]}" ] && best=$k
	done
	share[best]+=${share[best]:+,}$n
	load[best]=$((load[best] + ${weight[$n]:-600}))
done

# The guests share one initramfs: made here, before they boot (run-vm.sh
# finds it up to date).
"$tree/selftests/vm/mkinitramfs.sh" "$tree/build/vm/initramfs-$krel.cpio.gz" \
	"$krel" "$kdir/root" >&2 || exit 1
rm -rf build/debug/out
pids=()
for ((k = 0; k < jobs; k++)); do
	g=$((k + 1))
	echo "check-debug: guest $g: ${share[k]//,/ } (about ${load[k]} s)" >&2
	KVER=$krel VM_KERNEL=$kdir/bzImage VM_MODROOT=$kdir/root \
		VM_TIMEOUT=${VM_TIMEOUT:-14400} SVCGW_TEST_LONG=1 \
		VM_APPEND="svcgw.timeout_scale=4 pci=noacpi no5lvl" \
		"$tree/selftests/vm/run-vm.sh" --job test --out "build/debug/out/$g" \
		--tests "${share[k]}" > "$results/guest-$g.tap" < /dev/null &
	pids+=($!)
done
rc=0
for p in "${pids[@]}"; do
	wait "$p" || rc=1
done

# One TAP stream: each guest's results renumbered, its own checks (the
# kernel log, the time limit) named after it.
re='^(not ok|ok)[[:space:]]+[0-9]+[[:space:]]*(-[[:space:]]*)?(.*)$'
{
	echo "TAP version 13"
	[ "$part_n" -gt 1 ] && echo "# part $part: ${names[*]}"
	num=0
	for ((k = 0; k < jobs; k++)); do
		g=$((k + 1))
		echo "# guest $g of $jobs: ${share[k]//,/ }"
		while IFS= read -r line; do
			if [[ $line =~ $re ]]; then
				num=$((num + 1))
				desc=${BASH_REMATCH[3]}
				[[ $desc == guest* ]] && desc="guest $g: ${desc#guest }"
				[[ $desc == boot:* ]] && desc="guest $g $desc"
				echo "${BASH_REMATCH[1]} $num $desc"
			elif [[ $line =~ ^(TAP\ version|1\.\.[0-9]) ]]; then
				:
			else
				echo "$line"
			fi
		done < "$results/guest-$g.tap"
	done
	echo "1..$num"
} > "$results/all.tap"
cat "$results/all.tap"

pass=$(grep -c '^ok ' "$results/all.tap")
fail=$(grep '^not ok ' "$results/all.tap" | grep -vc '# TODO')
elapsed=$(($(date +%s) - start))
echo "# check-debug: part $part, kernel $krel (built or found in ${built}s), $jobs guests, whole run ${elapsed}s"
echo "$pass passed, $fail failed" | tee "$results/summary.txt"
[ "$rc" -eq 0 ] && [ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
