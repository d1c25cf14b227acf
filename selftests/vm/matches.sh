# SPDX-License-Identifier: GPL-2.0
#
# matches NAME PAT[,PAT...]: whether a test script's file name is chosen by
# the patterns of "make vm-test T=..." / "make check-debug T=...": a
# pattern with a glob character matches the whole name, any other a part
# of it; no pattern chooses every script.  Sourced by guest-run.sh (in
# the guest) and check-debug.sh (on the host, to share the scripts out).

matches()
{
	local name=$1 pat pats

	[ -z "$2" ] && return 0
	IFS=, read -r -a pats <<< "$2"
	for pat in "${pats[@]}"; do
		# shellcheck disable=SC2053 # $pat is a glob on purpose
		case $pat in
		*[*?[]*)	[[ $name == $pat ]] && return 0 ;;
		*)		[[ $name == *"$pat"* ]] && return 0 ;;
		esac
	done
	return 1
}
