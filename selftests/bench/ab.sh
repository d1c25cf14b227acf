#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ab.sh [BASE]: the host half of "make bench-ab". Builds the module and the
# CLI of git revision BASE in build/ab/base (git archive, then its own
# "make all", against the same kernel headers as this tree), then boots one
# guest (selftests/vm/run-vm.sh --job bench-ab) that measures BASE's module
# ("base") against this tree's ("head", built beforehand by "make all") in
# the same boot: selftests/bench/bench-ab.sh. Results in build/bench-ab/.
#
# BASE defaults to HEAD when the working tree has changes (git status not
# empty: what the uncommitted changes do), else to HEAD~1 (what the last
# commit did).
#
# Environment: KVER (newest in /lib/modules), VM_TIMEOUT (2400), VM_MEM
# (2G), VM_ICOUNT (3: the guest's clock counts instructions, one vCPU;
# empty: the host's clock, VM_SMP vCPUs, 2), BENCH_* (README.rst).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

die()
{
	echo "bench-ab: $*" >&2
	exit 1
}

# find_ko DIR: the one svcgw.ko built in DIR (not the test modules).
find_ko()
{
	local found

	found=$(find "$1" \( -path "$1/build" -o -path "$1/selftests" \) -prune \
		-o -name svcgw.ko -type f -print)
	[ -n "$found" ] || die "no svcgw.ko in $1"
	[ "$(printf '%s\n' "$found" | wc -l)" -eq 1 ] ||
		die "more than one svcgw.ko in $1: $(echo $found)"
	echo "${found#./}"
}

# code_id KO: a hash of the module's code (its executable sections, before
# relocation): equal for two builds of the same source, whatever paths the
# builds had.
code_id()
{
	local t sec

	t=$(mktemp -d)
	for sec in $(readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\]//p' |
		     awk '$7 ~ /X/ { print $1 }'); do
		objcopy -O binary -j "$sec" "$1" "$t/sec" && cat "$t/sec"
	done | sha256sum | cut -c1-12
	rm -rf "$t"
}

dirty=
[ -z "$(git status --porcelain 2>/dev/null)" ] || dirty=1
base=${1:-}
if [ -z "$base" ]; then
	if [ -n "$dirty" ]; then base=HEAD; else base=HEAD~1; fi
fi
rev=$(git rev-parse --verify -q "$base^{commit}") ||
	die "BASE $base is no commit"
head_rev=$(git rev-parse --short HEAD)${dirty:++changes}
base_rev=$(git rev-parse --short "$rev")

KVER=${KVER:-$(ls -1 /lib/modules 2>/dev/null | sort -V | tail -n 1)}
[ -n "$KVER" ] || die "no kernel in /lib/modules (make deps)"
# A fresh copy every time (seconds to build): nothing left over from an
# earlier BASE, whose files git archive may have dated later.
dir=build/ab/base
rm -rf "$dir"
mkdir -p "$dir"
git archive "$rev" | tar -x -C "$dir"
echo "bench-ab: building base $base ($base_rev) in $dir, kernel $KVER" >&2
make -C "$dir" KVER="$KVER" all > "$dir/.ab-build.log" 2>&1 ||
	{ tail -n 30 "$dir/.ab-build.log" >&2; die "building $base_rev failed"; }

BENCH_AB_BASE_KO=$dir/$(cd "$dir" && find_ko .)
BENCH_AB_BASE_CLI=$dir/tools/svcgw/svcgw
BENCH_AB_HEAD_KO=$(find_ko .)
BENCH_AB_HEAD_CLI=tools/svcgw/svcgw
for f in "$BENCH_AB_BASE_CLI" "$BENCH_AB_HEAD_CLI"; do
	[ -x "$f" ] || die "no CLI $f"
done
export BENCH_AB_BASE_KO BENCH_AB_BASE_CLI BENCH_AB_HEAD_KO BENCH_AB_HEAD_CLI
export BENCH_AB_BASE_REV=$base_rev BENCH_AB_HEAD_REV=$head_rev
export BENCH_AB_BASE_CODE=$(code_id "$BENCH_AB_BASE_KO")
export BENCH_AB_HEAD_CODE=$(code_id "$BENCH_AB_HEAD_KO")
echo "bench-ab: base $base_rev $BENCH_AB_BASE_KO (code $BENCH_AB_BASE_CODE)," \
	"head $head_rev $BENCH_AB_HEAD_KO (code $BENCH_AB_HEAD_CODE)" >&2
# Instruction-counted guest time by default: see README.rst. VM_ICOUNT=
# (empty) for the host's clock, and then two vCPUs as "make bench" has.
export VM_ICOUNT=${VM_ICOUNT-3}
if [ -n "$VM_ICOUNT" ]; then
	export VM_SMP=1 BENCH_AB_CLOCK=icount-$VM_ICOUNT
else
	export BENCH_AB_CLOCK=host
fi
VM_TIMEOUT=${VM_TIMEOUT:-2400} VM_MEM=${VM_MEM:-2G} KVER=$KVER \
	exec "$repo/selftests/vm/run-vm.sh" --job bench-ab --out build/bench-ab
