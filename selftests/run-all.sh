#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-all.sh [run-vm.sh options, e.g. --tests 00-harness]
#
# Run every test and print one TAP stream: first the host unit tests
# ("make -C selftests/unit run", when that folder has a Makefile), the
# layering of kmod/'s objects, which make must have built
# (scripts/check-layers.py --tap), then the guest tests
# (selftests/vm/run-vm.sh --job test). Results are renumbered
# and prefixed with their suite. The last line is "N passed, N failed" (plus
# ", N skipped" when some were skipped); it is also saved in
# build/test-results/summary.txt and the whole stream in .../all.tap.
# A "not ok ... # TODO" (a known problem, TAP's expected failure) counts as
# skipped, as in the guest's own count.
# Exit status is non-zero if a test failed or nothing ran.

set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
results=build/test-results
mkdir -p "$results"
rm -f "$results"/*

num=0
pass=0
fail=0
skip=0

out()
{
	printf '%s\n' "$1" | tee -a "$results/all.tap"
}

count()
{
	local status=$1 desc=$2

	num=$((num + 1))
	if [ "$status" != ok ] && [[ $desc != *"# TODO"* ]]; then
		fail=$((fail + 1))
	elif [ "$status" != ok ] || [[ ${desc^^} == *"# SKIP"* ]]; then
		skip=$((skip + 1))
	else
		pass=$((pass + 1))
	fi
	out "$status $num $desc"
}

# merge SUITE FILE STATUS: fold one suite's output into the stream.
merge()
{
	local suite=$1 file=$2 rc=$3 line
	local fails_before=$fail tests_before=$num
	local re='^(not ok|ok)([[:space:]]+[0-9]+)?([[:space:]]+-)?[[:space:]]*(.*)$'

	while IFS= read -r line; do
		if [[ $line =~ $re ]]; then
			count "${BASH_REMATCH[1]}" "$suite: ${BASH_REMATCH[4]}"
		elif [[ -z $line || $line =~ ^(TAP\ version|1\.\.[0-9]) ]]; then
			:
		elif [[ $line == "#"* ]]; then
			out "$line"
		else
			out "# $line"
		fi
	done < "$file"

	if [ "$rc" -ne 0 ] && [ "$fail" -eq "$fails_before" ]; then
		count "not ok" "$suite: exit status $rc"
	elif [ "$num" -eq "$tests_before" ]; then
		count "not ok" "$suite: printed no test result"
	fi
}

out "TAP version 13"

if [ -f selftests/unit/Makefile ]; then
	make -s --no-print-directory -C selftests/unit run \
		> "$results/unit.out" 2>&1 < /dev/null
	merge unit "$results/unit.out" $?
fi

make -s --no-print-directory -C tools/svcgw test \
	> "$results/cli.out" 2>&1 < /dev/null
merge cli "$results/cli.out" $?

# svcgwd: unit tests (file, health, conditions, control channel), then its
# fuzzers (file, channel framing) for 10 s each.
{ make -s --no-print-directory -C tools/svcgwd test &&
  make -s --no-print-directory -C tools/svcgwd fuzz-smoke; } \
	> "$results/svcgwd.out" 2>&1 < /dev/null
merge svcgwd "$results/svcgwd.out" $?

# kmod/LAYERS against the objects "make all" left in kmod/.
python3 scripts/check-layers.py --tap > "$results/layers.out" 2>&1 < /dev/null
merge layers "$results/layers.out" $?

# The YNL spec against the uapi header, enum for enum.
python3 scripts/check-ynl.py --tap > "$results/ynl.out" 2>&1 < /dev/null
merge ynl "$results/ynl.out" $?

# Documentation/deployment.rst's BIRD, FRR and svcgwd configurations,
# as the daemons read them.
python3 scripts/check-deployment.py --tap > "$results/deployment.out" 2>&1 < /dev/null
merge deployment "$results/deployment.out" $?

# make install into a DESTDIR: the module indexed for modprobe, the
# programs, pages and unit where they belong; make uninstall.
selftests/install.sh > "$results/install.out" 2>&1 < /dev/null
merge install "$results/install.out" $?

# The Python module (pyroute2, from the YNL spec) without a kernel: its
# classes, encoding and decoding; 86-pyroute2.sh drives the module with it.
/usr/bin/python3 tools/python/test_svcgw_nl.py > "$results/python.out" 2>&1 < /dev/null
merge python "$results/python.out" $?

# bash completion against the programs' help.
selftests/completion.sh > "$results/completion.out" 2>&1 < /dev/null
merge completion "$results/completion.out" $?

# The Debian packages: built, lintian-clean, the module built by DKMS
# from them, the guest's smoke test with what they hold (one guest).
selftests/packages.sh > "$results/packages.out" 2>&1 < /dev/null
merge packages "$results/packages.out" $?

# The man pages build from their rst and list what the programs' help
# lists (scripts/check-man.py).
python3 scripts/check-man.py --tap > "$results/man.out" 2>&1 < /dev/null
merge man "$results/man.out" $?

selftests/vm/run-vm.sh --job test "$@" > "$results/vm.out" < /dev/null
merge vm "$results/vm.out" $?

out "1..$num"
summary="$pass passed, $fail failed"
[ "$skip" -eq 0 ] || summary+=", $skip skipped"
echo "$summary" > "$results/summary.txt"
out "$summary"

[ "$fail" -eq 0 ] && [ $((pass + fail)) -gt 0 ]
