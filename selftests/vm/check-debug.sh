#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-debug.sh [--tests PATTERN]
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
# After each script the kernel log is checked and kmemleak scans
# (guest-run.sh): a KASAN, lockdep, RCU, sleep-in-atomic, debug-objects,
# kmemleak, WARN or BUG report fails that script's tests. The TAP is in
# build/debug/test-results/all.tap, the kernel log in build/debug/out/; the
# last line is "N passed, N failed". Exit status non-zero on any failure.
#
# Environment: SVCGW_DEBUG_CACHE (where the kernel is kept, default
# /var/cache/svcgw-debug), VM_TIMEOUT (default 14400 s).

set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo" || exit 1
results=build/debug/test-results
tree=build/debug/tree

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

KVER=$krel VM_KERNEL=$kdir/bzImage VM_MODROOT=$kdir/root \
	VM_TIMEOUT=${VM_TIMEOUT:-14400} SVCGW_TEST_LONG=1 \
	VM_APPEND="svcgw.timeout_scale=4 pci=noacpi no5lvl" \
	"$tree/selftests/vm/run-vm.sh" --job test --out build/debug/out "$@" \
	> "$results/all.tap" < /dev/null
rc=$?
cat "$results/all.tap"

pass=$(grep -c '^ok ' "$results/all.tap")
fail=$(grep '^not ok ' "$results/all.tap" | grep -vc '# TODO')
elapsed=$(($(date +%s) - start))
echo "# check-debug: kernel $krel (built or found in ${built}s), whole run ${elapsed}s"
echo "$pass passed, $fail failed" | tee "$results/summary.txt"
[ "$rc" -eq 0 ] && [ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
