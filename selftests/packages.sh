#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# packages.sh: the Debian packages as an operator gets them.  make deb
# builds svcgw, svcgw-dkms and python3-svcgw (lintian: no error); their contents are
# unpacked (dpkg -x) into build/pkg/, DKMS builds the module from the
# svcgw-dkms source there for the guest's kernel (dkms add and build with
# --sourcetree and --dkmstree in build/pkg/: this machine's own DKMS tree
# and /lib/modules are not touched; DKMS makes its signing key
# /var/lib/dkms/mok.key if there is none), and the guest's smoke test
# (10-balance: real TCP and UDP through the gateway) runs with that
# module and the packaged svcgw.  TAP on stdout.  Run from the top of the
# tree after "make all"; boots one guest.

set -u
cd "$(dirname "$0")/.." || exit 1
kver=${KVER:-$(ls -1 /lib/modules | sort -V | tail -n 1)}
# shellcheck source=selftests/tap.sh
source selftests/tap.sh
finish()
{
	tap_done
	exit
}

for t in dpkg-buildpackage lintian dkms; do
	command -v $t > /dev/null ||
		{ echo "1..0 # SKIP $t missing (make deps installs it)"; exit 0; }
done
make -s --no-print-directory deb > build/deb.log 2>&1
rc=$?
grep -v "^running with root privileges" build/deb.log | sed 's/^/# /'
ok $rc "make deb: svcgw and svcgw-dkms built, lintian reports no error"
[ $rc = 0 ] || finish
ver=$(dpkg-parsechangelog -l debian/changelog -SVersion)
deb=build/deb/svcgw_${ver}_amd64.deb
dkmsdeb=build/deb/svcgw-dkms_${ver}_all.deb
pydeb=build/deb/python3-svcgw_${ver}_all.deb
ok "$(dpkg-deb -f "$deb" Depends | grep -q "svcgw-dkms (= $ver)" &&
      dpkg-deb -f "$dkmsdeb" Depends | grep -q dkms; echo $?)" \
	"svcgw depends on svcgw-dkms (= $ver), svcgw-dkms on dkms"
stage=build/pkg
rm -rf "$stage"
mkdir -p "$stage/root" "$stage/dkms"
dpkg -x "$deb" "$stage/root" && dpkg -x "$dkmsdeb" "$stage/root" &&
	dpkg -x "$pydeb" "$stage/root"
ok $? "the three unpacked (svcgw, svcgw-dkms, python3-svcgw)"
for f in usr/sbin/svcgw usr/sbin/svcgwd lib/systemd/system/svcgwd.service \
	 usr/share/man/man8/svcgw.8.gz usr/share/man/man8/svcgwd.8.gz \
	 usr/share/man/man5/svcgwd.conf.5.gz usr/src/svcgw-$ver/dkms.conf; do
	[ -e "$stage/root/$f" ] || missing+=" $f"
done
ok "$([ -z "${missing:-}" ]; echo $?)" \
	"the programs, the unit, the man pages, the DKMS source${missing:+; missing:$missing}"
pyroot=$PWD/$stage/root/usr/lib/python3/dist-packages
ok "$(cd / && PYTHONPATH=$pyroot /usr/bin/python3 -c '
import svcgw_nl, sys
sys.exit(svcgw_nl.FAMILY is None or "/usr/share/svcgw/svcgw.yaml" not in svcgw_nl.DEFAULT_SPEC)' 2> /dev/null; echo $?)" \
	"python3-svcgw: svcgw_nl imports with the spec it installs"
dk=(dkms --sourcetree "$PWD/$stage/root/usr/src" --dkmstree "$PWD/$stage/dkms"
    -m svcgw -v "$ver" -k "$kver")
"${dk[@]}" add > "$stage/dkms.log" 2>&1 &&
	nice "${dk[@]}" build >> "$stage/dkms.log" 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/# /' "$stage/dkms.log" | tail -n 20
ko=$stage/dkms/svcgw/$ver/$kver/$(uname -m)/module/svcgw.ko
[ -f "$ko" ] || ko=$(find "$stage/dkms/svcgw/$ver/$kver" -name 'svcgw.ko*' | head -n 1)
ok "$([ $rc = 0 ] && [ -f "$ko" ]; echo $?)" "DKMS built the module for $kver: ${ko#$stage/}"
ok "$(modinfo -F vermagic "$ko" 2> /dev/null | grep -q "^$kver "; echo $?)" \
	"  its vermagic is $kver's"
# The guest's smoke test with them.
SVCGW_TEST_KO=$ko SVCGW_TEST_BIN=$stage/root/usr/sbin/svcgw \
	selftests/vm/run-vm.sh --job test --tests 10-balance > "$stage/vm.out" 2>&1
rc=$?
sed -n 's/^# \(module .*\)/\1/p' "$stage/vm.out" | head -n 1 | sed 's/^/# /'
passed=$(grep -c "^ok" "$stage/vm.out")
failed=$(grep -c "^not ok" "$stage/vm.out")
grep "^not ok" "$stage/vm.out" | sed 's/^/# /'
ok "$([ $rc = 0 ] && [ "$failed" = 0 ] && [ "$passed" -gt 10 ] &&
      grep -q "^# module ${ko} (vermagic $kver)" "$stage/vm.out"; echo $?)" \
	"the guest's smoke test (10-balance) with the DKMS module and the packaged svcgw: $passed passed, $failed failed"
finish
