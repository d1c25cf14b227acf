#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the test scripts in selftests/*/: source this file.
#
#   ktap_ok NAME / ktap_fail NAME / ktap_skip NAME REASON /
#   ktap_todo NAME REASON (a known problem: "not ok ... # TODO")
#                     print one numbered TAP result and count it
#   check NAME CMD... run CMD, ok or fail by its exit status
#   ktap_info TEXT    print a TAP comment
#   ktap_finish       print the totals; exit 1 if any test failed, 4 (skip)
#                     if all were skipped, else 0
#   setup_ns VAR...   create one network namespace per VAR, with lo up,
#                     under a unique name stored in VAR
#   cleanup_ns NS... / cleanup_all_ns
#                     kill what runs in them and delete them
#   busywait MS CMD...
#                     retry CMD until it succeeds or MS milliseconds pass
#   checktool CMD     skip the whole script (exit 4) if CMD is missing
#   svcgw_load / svcgw_unload
#                     insmod the freshly built module (after modprobe of
#                     the modules it depends on) / rmmod it
#
# Scripts should "trap cleanup EXIT": this file turns INT and TERM (sent by
# the runner's timeout) into an exit, so the trap runs then too.

ksft_skip=4

KTAP_COUNT=0
KTAP_PASS=0
KTAP_FAIL=0
KTAP_SKIP=0
NS_LIST=()

SVCGW_SRC=${SVCGW_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
SVCGW_KO=${SVCGW_KO:-$SVCGW_SRC/kmod/svcgw.ko}

trap 'exit 130' INT
trap 'exit 143' TERM

ktap_ok()
{
	KTAP_COUNT=$((KTAP_COUNT + 1))
	KTAP_PASS=$((KTAP_PASS + 1))
	echo "ok $KTAP_COUNT - $*"
}

ktap_fail()
{
	KTAP_COUNT=$((KTAP_COUNT + 1))
	KTAP_FAIL=$((KTAP_FAIL + 1))
	echo "not ok $KTAP_COUNT - $*"
}

# ktap_todo NAME REASON: a known problem, TAP's expected failure: printed
# "not ok ... # TODO REASON", counted as skipped, not failed.
ktap_todo()
{
	local name=$1

	shift
	KTAP_COUNT=$((KTAP_COUNT + 1))
	KTAP_SKIP=$((KTAP_SKIP + 1))
	echo "not ok $KTAP_COUNT - $name # TODO $*"
}

ktap_skip()
{
	local name=$1

	shift
	KTAP_COUNT=$((KTAP_COUNT + 1))
	KTAP_SKIP=$((KTAP_SKIP + 1))
	echo "ok $KTAP_COUNT - $name # SKIP $*"
}

# check NAME CMD...: one TAP result from a command's exit status.
check()
{
	local name=$1

	shift
	if "$@"; then
		ktap_ok "$name"
	else
		ktap_fail "$name"
	fi
}

ktap_info()
{
	echo "# $*"
}

ktap_finish()
{
	echo "# $KTAP_PASS passed, $KTAP_FAIL failed, $KTAP_SKIP skipped"
	[ "$KTAP_FAIL" -eq 0 ] || exit 1
	[ "$KTAP_PASS" -gt 0 ] || [ "$KTAP_SKIP" -eq 0 ] || exit "$ksft_skip"
	exit 0
}

# setup_ns VAR...: e.g. "setup_ns client server", then "ip -n $client ...".
setup_ns()
{
	local _var _ns

	for _var in "$@"; do
		_ns=$_var-$(printf '%04x%04x' $RANDOM $RANDOM)
		ip netns add "$_ns" || return 1
		NS_LIST+=("$_ns")
		ip -n "$_ns" link set lo up || return 1
		printf -v "$_var" '%s' "$_ns"
	done
}

cleanup_ns()
{
	local ns keep=() n

	for ns in "$@"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	for n in "${NS_LIST[@]}"; do
		[[ " $* " == *" $n "* ]] || keep+=("$n")
	done
	NS_LIST=("${keep[@]}")
}

cleanup_all_ns()
{
	[ ${#NS_LIST[@]} -eq 0 ] || cleanup_ns "${NS_LIST[@]}"
}

busywait()
{
	local timeout_ms=$1 start now

	shift
	start=$(date +%s%3N)
	while true; do
		"$@" && return 0
		now=$(date +%s%3N)
		[ $((now - start)) -lt "$timeout_ms" ] || return 1
		sleep 0.1
	done
}

checktool()
{
	if ! command -v "$1" > /dev/null; then
		echo "# SKIP: $1 is missing"
		exit "$ksft_skip"
	fi
}

# insmod does not load what a module needs (nf_defrag_ipv4, ...): modprobe
# the "depends" of the .ko first, they are in the guest's /lib/modules.
svcgw_load()
{
	local deps=()

	[ ! -d /sys/module/svcgw ] || return 0
	[ -f "$SVCGW_KO" ] || return 1
	IFS=, read -r -a deps < <(modinfo -F depends "$SVCGW_KO")
	[ ${#deps[@]} -eq 0 ] || modprobe -a "${deps[@]}" || return 1
	insmod "$SVCGW_KO"
}

svcgw_unload()
{
	[ ! -d /sys/module/svcgw ] || rmmod svcgw
}
