#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh OUT KVER [MODROOT]
#
# Build the guest's tiny initramfs: a static busybox, the virtio and 9p
# modules of MODROOT/lib/modules/KVER (MODROOT defaults to /; Debian builds
# them as modules, the debug kernel of "make check-debug" has them built in)
# and the /init found next to this script. The guest's real root is the host's root, shared
# read-only over 9p, so nothing else is needed. OUT is rebuilt only when one
# of its inputs is newer.

set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: $0 OUT KVER [MODROOT]" >&2
	exit 2
fi
out=$1
kver=$2
modroot=${3:-/}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
moddir=$modroot/lib/modules/$kver
busybox=/bin/busybox		# from busybox-static: no shared libraries

# The modules that give the guest its 9p root. modprobe --show-depends puts
# them and their dependencies in load order (virtio_ring virtio
# virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs fscache 9pnet
# 9pnet_virtio 9p on Debian's 6.1).
roots="virtio_pci 9pnet_virtio 9p"

[ -x "$busybox" ] || { echo "$0: $busybox missing (busybox-static)" >&2; exit 1; }
[ -f "$moddir/modules.dep" ] || { echo "$0: no $moddir/modules.dep" >&2; exit 1; }

inputs=("$0" "$here/init" "$busybox" "$moddir/modules.dep")
if [ -s "$out" ]; then
	stale=0
	for f in "${inputs[@]}"; do
		[ "$f" -nt "$out" ] && stale=1
	done
	[ "$stale" -eq 0 ] && exit 0
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,newroot,lib/modules}
cp "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
install -m 0755 "$here/init" "$stage/init"

# Debian ships plain .ko for 6.1, later kernels may compress them; busybox's
# insmod is not relied on to decompress, so store every module plain.
: > "$stage/modules"
for root in $roots; do
	modprobe -d "$modroot" -S "$kver" --show-depends "$root"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r path; do
	name=$(basename "$path")
	name=${name%%.ko*}
	case $path in
	*.ko)		cp "$path" "$stage/lib/modules/$name.ko" ;;
	*.ko.xz)	xz -dc "$path" > "$stage/lib/modules/$name.ko" ;;
	*.ko.zst)	zstd -qdc "$path" > "$stage/lib/modules/$name.ko" ;;
	*.ko.gz)	gzip -dc "$path" > "$stage/lib/modules/$name.ko" ;;
	*)		echo "$0: unknown module format: $path" >&2; exit 1 ;;
	esac
	echo "$name" >> "$stage/modules"
done
[ -s "$stage/modules" ] || echo "$0: note: virtio and 9p look built in" >&2

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null --create --format=newc --owner=0:0 --quiet) |
	gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
