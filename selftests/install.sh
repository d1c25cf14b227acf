#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install.sh: "make install" into a DESTDIR (PREFIX /usr/local), as a
# distribution's package build does, and what it left there: the module
# under updates/ of its kernel's tree, indexed by depmod so that modprobe
# loads what svcgw needs first (asked of modprobe itself, against that
# tree with the kernel's own modules linked in); the programs, the man
# pages, the unit pointing at the programs' place, the examples; then
# "make uninstall" takes it all away.  TAP on stdout.  Run from the top
# of the tree after "make all".

set -u
cd "$(dirname "$0")/.." || exit 1
kver=${KVER:-$(ls -1 /lib/modules | sort -V | tail -n 1)}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
# shellcheck source=selftests/tap.sh
source selftests/tap.sh

make -s --no-print-directory install DESTDIR="$dest" PREFIX=/usr/local \
	KVER="$kver" > "$dest.log" 2>&1
rc=$?
grep -v "^depmod: WARNING: could not open modules.builtin" "$dest.log" | sed 's/^/# /'
rm -f "$dest.log"
ok $rc "make install DESTDIR=... PREFIX=/usr/local (exit $rc)"
mod=$dest/lib/modules/$kver/updates/kmod/svcgw.ko
ok "$([ -f "$mod" ]; echo $?)" "the module in lib/modules/$kver/updates/"
ok "$(modinfo -F vermagic "$mod" 2> /dev/null | grep -q "^$kver "; echo $?)" \
	"  built for $kver (vermagic $(modinfo -F vermagic "$mod" 2> /dev/null | cut -d' ' -f1))"
# The kernel's own modules beside it, as on a real system: depmod and
# modprobe resolve svcgw's dependencies there.
ln -s "/lib/modules/$kver/kernel" "$dest/lib/modules/$kver/kernel"
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -f "/lib/modules/$kver/$f" ] && cp "/lib/modules/$kver/$f" "$dest/lib/modules/$kver/"
done
depmod -b "$dest" "$kver" 2> /dev/null
deps=$(modprobe -d "$dest" -S "$kver" --show-depends svcgw 2>&1)
echo "$deps" | sed "s|$dest||g; s/^/# /"
order=$(echo "$deps" | sed -n 's|^insmod .*/\([^/]*\)\.ko.*|\1|p' | tr '\n' ' ')
want=true
for m in nf_defrag_ipv4 nf_defrag_ipv6 udp_tunnel; do
	echo " $order" | grep -q " $m .*svcgw " || want=false
done
ok "$($want && [ "${order##* }" = "" ] && echo "$order" | grep -q "svcgw $"; echo $?)" \
	"modprobe svcgw loads nf_defrag_ipv4, nf_defrag_ipv6 and udp_tunnel first, then svcgw ($order)"
for f in sbin/svcgw sbin/svcgwd; do
	ok "$([ -x "$dest/usr/local/$f" ]; echo $?)" "/usr/local/$f"
done
ok "$("$dest/usr/local/sbin/svcgw" -V > /dev/null 2>&1; echo $?)" \
	"  svcgw -V runs: $("$dest/usr/local/sbin/svcgw" -V 2>&1 | head -n 1)"
for f in man8/svcgw.8 man8/svcgwd.8 man5/svcgwd.conf.5; do
	ok "$(man -l "$dest/usr/local/share/man/$f" 2> /dev/null | grep -q '^NAME'; echo $?)" \
		"/usr/local/share/man/$f reads (man -l)"
done
ok "$([ -f "$dest/usr/local/share/bash-completion/completions/svcgw" ] &&
      [ -L "$dest/usr/local/share/bash-completion/completions/svcgwd" ]; echo $?)" \
	"bash completion for svcgw and svcgwd"
ok "$(cd / && PYTHONPATH=$dest/usr/local/lib/python3/dist-packages /usr/bin/python3 -c '
import svcgw_nl, sys
sys.exit(not svcgw_nl.DEFAULT_SPEC.endswith("/usr/local/share/svcgw/svcgw.yaml") or svcgw_nl.FAMILY is None)' 2> /dev/null; echo $?)" \
	"the Python module imports from its place, with the spec installed beside it"
unit=$dest/lib/systemd/system/svcgwd.service
ok "$(grep -q '^ExecStart=/usr/local/sbin/svcgwd ' "$unit" && ! grep -q '/usr/sbin/' "$unit"; echo $?)" \
	"the unit runs /usr/local/sbin/svcgwd ($(grep '^ExecStart=' "$unit"))"
ok "$([ -f "$dest/usr/local/share/doc/svcgw/examples/controller.conf" ] &&
      "$dest/usr/local/sbin/svcgwd" --check "$dest/usr/local/share/doc/svcgw/examples/controller.conf" > /dev/null 2>&1; echo $?)" \
	"the examples, and svcgwd --check reads the controller's"
make -s --no-print-directory uninstall DESTDIR="$dest" PREFIX=/usr/local \
	KVER="$kver" > /dev/null 2>&1
left=$(cd "$dest" && find . -type f ! -name 'modules.*' | sort | tr '\n' ' ')
ok "$([ -z "$left" ]; echo $?)" "make uninstall left ${left:-nothing} (but depmod's indexes)"
tap_done
