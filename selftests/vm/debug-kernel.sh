#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh
#
# Build, once, the debug guest kernel of "make check-debug" and print the
# folder that holds it (the last line of output). The kernel is Debian's own
# source (package linux-source-6.1), configured as x86_64_defconfig, then
# kvm_guest.config, then selftests/vm/debug.config (KASAN, lockdep, PROVE_RCU,
# kmemleak, debug objects, SLUB debug, the netfilter and IPVS options the
# tests need). The folder is named after the source package's version and a
# hash of the fragment and of $recipe below: a change to either builds a
# new kernel, an unchanged one is reused at once. Change $recipe when the
# way the kernel is built changes.
#
# The folder (under $SVCGW_DEBUG_CACHE, default /var/cache/svcgw-debug):
#   linux/      the built source tree: modules are built against it (M=)
#   bzImage     the kernel
#   release     its "uname -r"
#   root/lib/modules/RELEASE
#               its modules, for the guest's /lib/modules
#   build.log   the build's output; done: the build's time in seconds
#
# Environment: SVCGW_DEBUG_CACHE, JOBS (default: nproc).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
frag=$here/debug.config
cache=${SVCGW_DEBUG_CACHE:-/var/cache/svcgw-debug}
jobs=${JOBS:-$(nproc)}
tarball=/usr/src/linux-source-6.1.tar.xz
recipe="defconfig+kvm_guest+fragment, bzImage modules, v1"
packages=(linux-source-6.1 bc bison flex libelf-dev libssl-dev xz-utils)

log() { echo "debug-kernel: $*" >&2; }
die() { log "$*"; exit 1; }

missing=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
	sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	log "installing ${missing[*]}"
	"${sudo[@]}" apt-get update -q >&2
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q "${missing[@]}" >&2
fi
[ -r "$tarball" ] || die "$tarball missing (package linux-source-6.1)"

version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
hash=$( (cat "$frag"; echo "$recipe") | sha256sum | cut -c1-12)
dir=$cache/$version-$hash
mkdir -p "$cache"

# One build at a time: a second caller waits for the first, then reuses it.
exec 9> "$cache/.lock"
flock 9

if [ -f "$dir/done" ] && [ -r "$dir/bzImage" ]; then
	echo "$dir"
	exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"
start=$(date +%s)
log "building the debug kernel in $dir (the first run only; see $dir/build.log)"
tar -xaf "$tarball" -C "$dir"
mv "$dir/linux-source-6.1" "$dir/linux"
cd "$dir/linux"

{
	make -s x86_64_defconfig
	make -s kvm_guest.config
	scripts/kconfig/merge_config.sh -m .config "$frag"
	make -s olddefconfig
} > "$dir/build.log" 2>&1 || die "configuration failed: $dir/build.log"

# Every line of the fragment must have stuck: Kconfig drops what a missing
# dependency forbids, silently ("m" may become "y": another option selects
# it).
bad=$(awk '
	FNR == NR {
		if (match($0, /^CONFIG_[A-Za-z0-9_]+=/)) have[substr($0, 1, RLENGTH - 1)] = substr($0, RLENGTH + 1)
		else if (match($0, /^# CONFIG_[A-Za-z0-9_]+ is not set/)) have[$2] = "n"
		next
	}
	/^CONFIG_[A-Za-z0-9_]+=/ {
		i = index($0, "="); k = substr($0, 1, i - 1); v = substr($0, i + 1)
		got = (k in have) ? have[k] : "unset"
		# built in serves as well as a module: modprobe knows builtins
		if (got != v && !(v == "m" && got == "y")) print k " wanted " v ", got " got
	}
	/^# CONFIG_[A-Za-z0-9_]+ is not set/ {
		if ((k = $2) in have && have[k] != "n") print k " wanted off, got " have[k]
	}' .config "$frag")
[ -z "$bad" ] || die "$frag: options the kernel refused: $(echo "$bad" | paste -sd ';' -)"

log "compiling with $jobs jobs"
if ! make -j"$jobs" bzImage modules >> "$dir/build.log" 2>&1; then
	tail -n 20 "$dir/build.log" >&2
	die "build failed: $dir/build.log"
fi
make -s INSTALL_MOD_PATH="$dir/root" modules_install >> "$dir/build.log" 2>&1 ||
	die "modules_install failed: $dir/build.log"
make -s kernelrelease > "$dir/release"
cp arch/x86/boot/bzImage "$dir/bzImage"
echo $(($(date +%s) - start)) > "$dir/done"
log "built $(cat "$dir/release") in $(cat "$dir/done") s"
echo "$dir"
