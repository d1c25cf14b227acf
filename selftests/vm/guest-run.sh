#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the test guest, started by the initramfs /init after switch_root
# into the host's read-only root. Runs the job named on the kernel command
# line, then powers the guest off whatever happened.
#
#   svcgw.job=test          run every executable selftests/net/*.sh that
#                           starts with "#!", in sorted order
#   svcgw.job=demo          insmod kmod/svcgw.ko, run selftests/vm/demo.sh
#   svcgw.job=bench         run selftests/bench/bench.sh (make bench)
#   svcgw.job=bench-ab      run selftests/bench/bench-ab.sh (make bench-ab)
#   svcgw.env=BENCH_X=V     export BENCH_X=V (the benchmark's settings)
#   svcgw.env=SVCGW_TEST_X=V
#                           export SVCGW_TEST_X=V (the tests' budgets)
#   svcgw.tests=PAT[,PAT]   with job=test: only scripts whose file name
#                           matches a glob PAT (no wildcard: a substring)
#   svcgw.timeout_scale=N   multiply every script's time limit by N (the
#                           debug kernel of make check-debug is slower)
#
# After each script of job=test, what the kernel said while it ran is
# checked (check-kernel-log.sh): an oops, WARN, BUG, lockdep, KASAN or RCU
# report fails "NAME: kernel log clean", naming the script. When the kernel
# has kmemleak (make check-debug), it scans first and any report fails
# "NAME: no kmemleak report" the same way.
#
# Each script runs under "timeout", its limit read from "timeout=N" in the
# settings file of its folder (default 300 s), or from "timeout.NAME=N"
# there for the script NAME alone. Its TAP lines are renumbered
# into one stream and prefixed with the script name; everything else it
# prints becomes a "# " comment.
#
# Results, in the "out" share (/tmp/svcgw-out):
#   tap.txt    the job's TAP, also copied to the console as it comes
#   demo.txt   the demo's own output (job=demo)
#   bench.txt, results.json
#              the benchmark's output and results (job=bench)
#   bench-ab.txt, bench-ab.json
#              the same of job=bench-ab
#   dmesg.txt  the kernel log: what the kernel said until the first script,
#              then after each script, appended (the ring is read and
#              cleared each time, so that each part is checked once)
#   done       the job's exit status, written last: no file, no result

SRC=/tmp/svcgw-src
OUT=/tmp/svcgw-out
DEFAULT_TIMEOUT=300
TIMEOUT_SCALE=1
KMEMLEAK=/sys/kernel/debug/kmemleak

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TMPDIR=/tmp LC_ALL=C TERM=dumb
export SVCGW_SRC=$SRC SVCGW_OUT=$OUT SVCGW_KO=$SRC/kmod/svcgw.ko

shopt -s lastpipe nullglob

tap_num=0
tap_pass=0
tap_fail=0
tap_skip=0

power_off()
{
	sync
	# A reboot, not a power-off: qemu runs with -no-reboot, so a reboot
	# ends it, with or without ACPI (a kernel booted with acpi=off only
	# halts the CPU on a power-off, and qemu would wait for its
	# timeout).
	busybox reboot -f
	echo b > /proc/sysrq-trigger
	sleep 60
}

# Write one line to tap.txt and the console.
emit()
{
	printf '%s\n' "$1" >> "$OUT/tap.txt"
	printf '%s\n' "$1"
}

# result "ok"|"not ok" DESCRIPTION: emit a numbered test line and count it.
result()
{
	local status=$1 desc=$2

	tap_num=$((tap_num + 1))
	emit "$status $tap_num $desc"
	if [ "$status" != ok ] && [[ $desc != *"# TODO"* ]]; then
		tap_fail=$((tap_fail + 1))
	elif [ "$status" != ok ] || [[ ${desc^^} == *"# SKIP"* ]]; then
		tap_skip=$((tap_skip + 1))
	else
		tap_pass=$((tap_pass + 1))
	fi
}

setup_guest()
{
	mkdir -p /dev/pts /dev/shm
	mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
	mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	# devtmpfs has no /dev/fd: bash's <(...) and /dev/stdin need it.
	ln -sfn /proc/self/fd /dev/fd
	ln -sfn /proc/self/fd/0 /dev/stdin
	ln -sfn /proc/self/fd/1 /dev/stdout
	ln -sfn /proc/self/fd/2 /dev/stderr
	hostname svcgw-guest
	ip link set lo up
	# Put warnings (WARN() splats) on the console too, not only errors.
	dmesg -n 5
}

# Settings of a test folder, kselftest style: "timeout=N".
test_timeout()
{
	local dir=$1 name=${2:-} val= own=

	if [ -f "$dir/settings" ]; then
		val=$(sed -n 's/^timeout=\([0-9]\+\)$/\1/p' "$dir/settings" | tail -n 1)
		[ -n "$name" ] && own=$(awk -F= -v k="timeout.$name" '$1 == k && $2 ~ /^[0-9]+$/ { v = $2 } END { print v }' "$dir/settings")
	fi
	echo $((${own:-${val:-$DEFAULT_TIMEOUT}} * TIMEOUT_SCALE))
}

# matches NAME PATTERNS: the choice of T=... (matches.sh).
source "$SRC/selftests/vm/matches.sh"

# run_test PATH: run one kselftest-style script and fold its TAP in.
run_test()
{
	local dir=${1%/*} name=${1##*/} line rc limit ns
	local id=${name%.sh} fails_before=$tap_fail tests_before=$tap_num
	local re='^(not ok|ok)([[:space:]]+[0-9]+)?([[:space:]]+-)?[[:space:]]*(.*)$'
	local t0=$SECONDS

	limit=$(test_timeout "$dir" "$name")
	emit "# selftests: ${dir#"$SRC"/selftests/}: $name (timeout ${limit}s)"
	(cd "$dir" && exec timeout -k 10 "$limit" "./$name") < /dev/null 2>&1 |
	while IFS= read -r line; do
		if [[ $line =~ $re ]]; then
			result "${BASH_REMATCH[1]}" "$id: ${BASH_REMATCH[4]}"
		elif [[ $line =~ ^(TAP\ version|1\.\.[0-9]) ]]; then
			:
		elif [[ $line == "#"* ]]; then
			emit "$line"
		else
			emit "# $line"
		fi
	done
	rc=${PIPESTATUS[0]}

	if [ "$rc" -eq 124 ]; then
		result "not ok" "$id: timed out after ${limit}s"
	elif [ "$rc" -eq 137 ]; then
		# timeout's own SIGKILL 10 s past the limit, or the OOM
		# killer's (the kernel log check below shows which)
		result "not ok" "$id: killed (SIGKILL: past its ${limit}s limit, or out of memory)"
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$tap_fail" -eq "$fails_before" ]; then
		result "not ok" "$id: exit status $rc"
	elif [ "$tap_num" -eq "$tests_before" ]; then
		if [ "$rc" -eq 4 ]; then
			result ok "$id # SKIP"
		else
			result ok "$id"
		fi
	fi

	# Leftovers would disturb the next script: report and remove them.
	for ns in /run/netns/*; do
		emit "# $id left network namespace ${ns##*/} behind"
		ip netns pids "${ns##*/}" | xargs -r kill -9
		ip netns del "${ns##*/}"
	done
	kernel_check "$id"
	# For budgets (make check-debug above all): the script, its checks.
	emit "# $id: $((SECONDS - t0)) s"
}

# emit_comments PREFIX < TEXT: each line as a TAP comment, at most 40.
emit_comments()
{
	local line n=0

	while IFS= read -r line; do
		n=$((n + 1))
		[ "$n" -le 40 ] && emit "# $1$line"
	done
	[ "$n" -le 40 ] || emit "# $1... $((n - 40)) more lines in dmesg.txt"
}

# kernel_check ID: with kmemleak, a scan must find nothing new; then the
# kernel's log since the last check must be clean. Both fail ID's tests.
kernel_check()
{
	local id=$1 leaks

	if [ -w "$KMEMLEAK" ]; then
		# kmemleak holds back objects younger than 5 s: let this
		# script's last allocations age, so that a leak of its own is
		# reported here, not after the next script.
		sleep 6
		echo scan > "$KMEMLEAK"
		leaks=$(cat "$KMEMLEAK")
		if [ -n "$leaks" ]; then
			result "not ok" "$id: no kmemleak report"
			printf '%s\n' "$leaks" | emit_comments "kmemleak: "
			printf '%s\n' "$leaks" >> "$OUT/kmemleak.txt"
			echo clear > "$KMEMLEAK"
		else
			result ok "$id: no kmemleak report"
		fi
	fi
	kernel_log_check "$id"
}

# kernel_log_check ID: what the kernel said since the last check (read and
# cleared from the ring, appended to dmesg.txt) must be clean.
kernel_log_check()
{
	local id=$1 chunk=/tmp/svcgw-dmesg.part bad

	dmesg -c > "$chunk" 2>/dev/null || dmesg > "$chunk"
	cat "$chunk" >> "$OUT/dmesg.txt"
	if bad=$("$SRC/selftests/vm/check-kernel-log.sh" "$chunk"); then
		result ok "$id: kernel log clean"
	else
		result "not ok" "$id: kernel log clean"
		printf '%s\n' "$bad" | sed 's/^# //' | emit_comments ""
	fi
}

# kernel_boot_check: the boot's messages are checked as test "boot";
# kmemleak's view of the boot (its own allocations, early objects it cannot
# follow) is scanned and cleared, so that only the scripts' leaks count.
kernel_boot_check()
{
	if [ -w "$KMEMLEAK" ]; then
		echo scan > "$KMEMLEAK"
		cat "$KMEMLEAK" > "$OUT/kmemleak-boot.txt"
		echo clear > "$KMEMLEAK"
		emit "# kmemleak: $(grep -c '^unreferenced object' "$OUT/kmemleak-boot.txt") objects of the boot cleared (kmemleak-boot.txt)"
	fi
	kernel_log_check boot
}

job_test()
{
	local filter=$1 t ran=0

	for t in "$SRC"/selftests/net/*.sh; do
		matches "${t##*/}" "$filter" || continue
		if [ ! -x "$t" ]; then
			emit "# ${t##*/} is not executable, not run"
			continue
		fi
		# An executable without "#!" is a library to source (topo.sh).
		if [ "$(head -c 2 "$t")" != "#!" ]; then
			emit "# ${t##*/} has no #! line: a library, not run"
			continue
		fi
		run_test "$t"
		ran=$((ran + 1))
	done
	[ "$ran" -gt 0 ] || result "not ok" "guest: no test script matches '${filter:-*}'"
}

job_demo()
{
	local demo=$SRC/selftests/vm/demo.sh rc line deps=()

	# insmod does not resolve dependencies: modprobe them first.
	IFS=, read -r -a deps < <(modinfo -F depends "$SVCGW_KO")
	[ ${#deps[@]} -eq 0 ] || modprobe -a "${deps[@]}"
	if ! insmod "$SVCGW_KO"; then
		result "not ok" "demo: insmod $SVCGW_KO"
		return
	fi
	if [ ! -f "$demo" ]; then
		result ok "demo # SKIP selftests/vm/demo.sh does not exist yet"
		return
	fi
	(cd "$SRC" && exec timeout -k 10 "$(test_timeout "${demo%/*}")" bash "$demo") \
		< /dev/null 2>&1 |
	while IFS= read -r line; do
		printf '%s\n' "$line" >> "$OUT/demo.txt"
		printf '# %s\n' "$line"
	done
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 0 ]; then
		result ok "demo"
	else
		result "not ok" "demo: exit status $rc"
	fi
}

# The benchmark writes its files to a folder of its own, copied out at the
# end: a run cut short by its timeout still leaves what it had.
# job_bench SCRIPT RESULTS: run selftests/bench/SCRIPT, which must write
# RESULTS.
job_bench()
{
	local bench=$SRC/selftests/bench/$1 results=$2 dir=/tmp/svcgw-bench rc line
	local re='^(not ok|ok)([[:space:]]+[0-9]+)?([[:space:]]+-)?[[:space:]]*(.*)$'
	local id=${1%.sh}

	mkdir -p "$dir"
	(cd "$SRC" && exec timeout -k 10 "$(test_timeout "${bench%/*}")" bash "$bench" "$dir") \
		< /dev/null 2>&1 |
	while IFS= read -r line; do
		if [[ $line =~ $re ]]; then
			result "${BASH_REMATCH[1]}" "$id: ${BASH_REMATCH[4]}"
		elif [[ $line == "#"* ]]; then
			printf '%s\n' "$line"
		else
			printf '# %s\n' "$line"
		fi
	done
	rc=${PIPESTATUS[0]}
	cp "$dir"/* "$OUT/" 2>/dev/null
	if [ "$rc" -ne 0 ]; then
		result "not ok" "$id: exit status $rc"
	elif [ ! -s "$OUT/$results" ]; then
		result "not ok" "$id: no $results"
	fi
}

main()
{
	local job=test filter='' arg args

	setup_guest
	read -r -a args < /proc/cmdline
	for arg in "${args[@]}"; do
		case $arg in
		svcgw.job=*)	job=${arg#*=} ;;
		svcgw.tests=*)	filter=${arg#*=} ;;
		svcgw.timeout_scale=[1-9]*)	TIMEOUT_SCALE=${arg#*=} ;;
		svcgw.env=BENCH_*=*|svcgw.env=SVCGW_TEST_*=*)
			export "${arg#svcgw.env=}" ;;
		esac
	done
	# The packages' test (selftests/packages.sh): the module that DKMS
	# built and the CLI the package installs, paths in the source tree.
	[ -z "${SVCGW_TEST_KO:-}" ] || export SVCGW_KO=$SRC/$SVCGW_TEST_KO
	[ -z "${SVCGW_TEST_BIN:-}" ] || export SVCGW_BIN=$SRC/$SVCGW_TEST_BIN

	: > "$OUT/tap.txt"
	: > "$OUT/dmesg.txt"
	emit "TAP version 13"
	emit "# guest: kernel $(uname -r), job $job${filter:+, tests $filter}"
	case $job in
	test)	kernel_boot_check
		job_test "$filter" ;;
	demo)	job_demo ;;
	bench)	job_bench bench.sh results.json ;;
	bench-ab)	job_bench bench-ab.sh bench-ab.json ;;
	*)	result "not ok" "guest: unknown job '$job'" ;;
	esac
	emit "1..$tap_num"
	emit "# guest: $tap_pass passed, $tap_fail failed, $tap_skip skipped"

	dmesg -c >> "$OUT/dmesg.txt" 2>/dev/null
	[ "$tap_fail" -eq 0 ]
	echo $? > "$OUT/done"
}

main
power_off
