#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-kernel-log.sh [--console] FILE...
#
# Fail (exit 1) if a guest kernel log shows an oops, a BUG, a WARN splat, a
# lockdep or leak report, a hung task, an RCU stall, a device that cannot be
# freed or a panic, and print the offending lines as TAP
# comments. With --console the files are serial console logs: the lines that
# guest-run.sh writes there ("ok", "not ok", "# ...", the TAP header and
# plan) are the tests' own words, not the kernel's, and are left out.
# Missing files are ignored.

console=0
if [ "${1:-}" = --console ]; then
	console=1
	shift
fi

# A match must start a word: "loops_per_jiffy" is no oops, "DEBUG:" no BUG.
w='(^|[^[:alnum:]_])'
# The kernel writes these in capitals ("kernel BUG at mm/slub.c:42!",
# "WARNING: CPU: 1 PID: 7 at ..."); "Warning:" in ordinary messages is fine.
strict="${w}BUG:|kernel BUG at|${w}WARNING:"
# These match in any case.
# Hung tasks, RCU stalls and a device whose references never drop (a leak
# that no WARN reports) too.
loose="${w}oops|call trace|general protection|lockdep|leak|kernel panic|blocked for more than|detected stall|waiting for [^ ]+ to become free"
# Lines that match but are harmless (an extended regexp): the banners of the
# debug kernel of "make check-debug" (lockdep's table sizes, PROVE_RCU's and
# kmemleak's start), each seen in a clean boot of it. Nothing else.
allow='[.][.][.] MAX_LOCKDEP_[A-Z_]+:[[:space:]]+[0-9]+$|rcu:[[:space:]]+RCU lockdep checking is enabled[.]$|kmemleak: Kernel memory leak detector initialized [(]mem pool available: [0-9]+[)]$'

files=()
for f in "$@"; do
	[ -f "$f" ] && files+=("$f")
done
[ ${#files[@]} -gt 0 ] || exit 0

# Serial logs carry terminal escapes and carriage returns: drop them first.
bad=$(cat "${files[@]}" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g; s/\r//g' |
	awk -v console="$console" -v strict="$strict" -v loose="$loose" \
	    -v allow="$allow" '
		console && /^(ok |not ok |#|TAP version |1\.\.[0-9])/ { next }
		$0 ~ allow { next }
		$0 ~ strict || tolower($0) ~ loose { print }')

[ -z "$bad" ] && exit 0
printf '%s\n' "$bad" | head -n 50 | sed 's/^/# /'
exit 1
