# SPDX-License-Identifier: GPL-2.0
# TAP for the host-side test scripts (install.sh, packages.sh,
# completion.sh): ok STATUS TEXT prints one result (STATUS 0: ok),
# tap_done prints the plan and returns non-zero if any failed.

n=0
fails=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
tap_done()
{
	echo "1..$n"
	[ "$fails" -eq 0 ]
}
