#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-vm.sh [--job test|demo|bench|bench-ab] [--tests PATTERN] [--out DIR] [--verbose]
#
# Boot Debian's kernel under QEMU software emulation (the host kernel cannot
# load modules), with the host's root file system as the guest's read-only
# root, run one job of guest-run.sh in it and print the job's TAP. The guest
# has no network card. Three 9p shares:
#
#   hostroot  /                read-only   the guest's root
#   src       this repository  read-only   /tmp/svcgw-src in the guest
#   out       --out DIR        read-write  /tmp/svcgw-out in the guest
#
# Exit status is non-zero if the guest wrote no result, ran out of time
# (VM_TIMEOUT seconds, default 3000), a test failed, or the kernel log shows
# an oops, BUG, WARNING, lockdep or leak report or a panic. The kernel log
# check is a TAP test of its own. The guest console is in DIR/console.log.
#
# Environment: KVER (default: newest in /lib/modules; never uname -r, that
# is the host's kernel), VM_KERNEL (default /boot/vmlinuz-$KVER) and
# VM_MODROOT (default /: the guest's modules are in VM_MODROOT/lib/modules,
# shared as the guest's /lib/modules when not /) for another kernel, as
# "make check-debug" boots; VM_APPEND (more kernel parameters), VM_TIMEOUT, VM_MEM (2G), VM_SMP (2), VM_ICOUNT
# (unset: the guest's clock follows the host's; N: it counts instructions,
# 2^N ns each, see below; needs VM_SMP=1); BENCH_* and SVCGW_TEST_* are
# passed to the guest's environment (selftests/bench/README.rst; the tests'
# budgets: SVCGW_TEST_LONG=1 runs the fuzzers and loops longer, as
# "make check-debug" does).

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
job="test"
tests=
out=$repo/build/vm/out
verbose=0

usage()
{
	sed -n 's/^# \{0,1\}//; 4,5p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--job)		job=${2:?}; shift ;;
	--tests)	tests=${2:?}; shift ;;
	--out)		out=${2:?}; shift ;;
	-v|--verbose)	verbose=1 ;;
	*)		usage ;;
	esac
	shift
done
case $tests in
*[[:space:]]*)	echo "run-vm: --tests must not contain spaces" >&2; exit 2 ;;
esac

KVER=${KVER:-$(ls -1 /lib/modules 2>/dev/null | sort -V | tail -n 1)}
kernel=${VM_KERNEL:-/boot/vmlinuz-$KVER}
modroot=${VM_MODROOT:-/}
initrd=$repo/build/vm/initramfs-$KVER.cpio.gz
if [ -z "$KVER" ] || [ ! -r "$kernel" ]; then
	echo "run-vm: no guest kernel $kernel (make deps)" >&2
	exit 1
fi
command -v qemu-system-x86_64 > /dev/null ||
	{ echo "run-vm: qemu-system-x86_64 missing (make deps)" >&2; exit 1; }

"$here/mkinitramfs.sh" "$initrd" "$KVER" "$modroot" || exit 1
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)

# no_timer_check: on a starved host the emulated CPU can miss the kernel's
# early check of the IO-APIC timer, which then panics ("IO-APIC + timer
# doesn't work!"), as seen with a kernel build running beside the guest.
append="console=ttyS0 panic=-1 quiet no_timer_check svcgw.job=$job${tests:+ svcgw.tests=$tests}"
[ "$modroot" = / ] || append+=" svcgw.mods=1"
[ -z "${VM_APPEND:-}" ] || append+=" $VM_APPEND"
# The benchmark's and the tests' settings (BENCH_*, SVCGW_TEST_*, values
# without spaces) go along.
for var in $(compgen -e | grep -E '^(BENCH|SVCGW_TEST)_'); do
	append+=" svcgw.env=$var=${!var}"
done
fsdev=security_model=none,multidevs=remap
qemu=(qemu-system-x86_64 -accel tcg -cpu max -m "${VM_MEM:-2G}"
	-smp "${VM_SMP:-2}" -nographic -no-reboot -nic none
	-kernel "$kernel" -initrd "$initrd" -append "$append"
	-virtfs "local,path=/,mount_tag=hostroot,$fsdev,readonly=on"
	-virtfs "local,path=$repo,mount_tag=src,$fsdev,readonly=on"
	-virtfs "local,path=$out,mount_tag=out,$fsdev")
[ "$modroot" = / ] ||
	qemu+=(-virtfs "local,path=$modroot/lib/modules,mount_tag=mods,$fsdev,readonly=on")
# The guest's clock counts instructions (2^VM_ICOUNT ns each) while it
# runs, instead of following the host's clock: what the host's other work
# takes no longer shows in rates measured in the guest. Waiting (for the
# 9p shares) still takes the host's time (sleep=on). One vCPU only: a
# second one never came up in this mode.
[ -n "${VM_ICOUNT:-}" ] && qemu+=(-icount "shift=$VM_ICOUNT,sleep=on")

echo "run-vm: booting $KVER (TCG), job $job${tests:+, tests $tests}," \
	"console in $out/console.log" >&2
start=$(date +%s)
if [ "$verbose" -eq 1 ]; then
	timeout -k 10 "${VM_TIMEOUT:-3000}" "${qemu[@]}" < /dev/null 2>&1 |
		tee "$out/console.log" >&2
	rc=${PIPESTATUS[0]}
else
	timeout -k 10 "${VM_TIMEOUT:-3000}" "${qemu[@]}" < /dev/null \
		> "$out/console.log" 2>&1
	rc=$?
fi
elapsed=$(($(date +%s) - start))
echo "run-vm: guest ran for ${elapsed}s" >&2

# The demo's own output first, as it is: it is meant for people.
[ "$job" = demo ] && [ -f "$out/demo.txt" ] && cat "$out/demo.txt"
[ "$job" = bench ] && [ -f "$out/bench.txt" ] && cat "$out/bench.txt"
[ "$job" = bench-ab ] && [ -f "$out/bench-ab.txt" ] && cat "$out/bench-ab.txt"

# The guest's TAP, without its plan: the tests below extend it.
num=0
failed=0
if [ -f "$out/tap.txt" ]; then
	grep -v '^1\.\.[0-9]' "$out/tap.txt"
	num=$(grep -cE '^(not )?ok ' "$out/tap.txt")
	# The guest's verdict: 0 if none failed ("not ok # TODO" is no failure).
	[ "$(cat "$out/done" 2>/dev/null)" = 0 ] || failed=1
else
	echo "TAP version 13"
fi

fail()
{
	num=$((num + 1))
	failed=1
	echo "not ok $num $1"
}

if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	fail "guest finished within ${VM_TIMEOUT:-3000}s"
elif [ ! -f "$out/done" ]; then
	fail "guest wrote its results (qemu exit status $rc)"
fi
if [ ! -f "$out/done" ] && [ -s "$out/console.log" ]; then
	echo "# last lines of $out/console.log:"
	tail -n 30 "$out/console.log" |
		sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g; s/\r//g; s/^/#   /'
fi

num=$((num + 1))
if "$here/check-kernel-log.sh" "$out/dmesg.txt" &&
   "$here/check-kernel-log.sh" --console "$out/console.log"; then
	echo "ok $num guest kernel log clean"
else
	echo "not ok $num guest kernel log clean"
	failed=1
fi
echo "1..$num"
echo "# guest run: ${elapsed}s wall time"
exit "$failed"
