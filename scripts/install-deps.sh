#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages that building and testing svcgw need. Does
# nothing, silently, when all are there; otherwise runs "apt-get update"
# once and installs the missing ones. Run as root (or with sudo available).
#
# The guest kernel for the tests is linux-image-amd64; its headers build
# the module. Everything the tests run (ip, nft, ipvsadm, socat, ping,
# python3) is taken from this machine's root file system by the guest.

set -euo pipefail

packages=(
	build-essential pkg-config		# gcc, make
	linux-image-amd64 linux-headers-amd64	# guest kernel, module build
	qemu-system-x86 busybox-static cpio kmod	# the test guest
	libnl-3-dev libnl-genl-3-dev		# the svcgw CLI
	libyaml-dev libsystemd-dev clang	# svcgwd, its fuzzer
	libjansson-dev libssl-dev openssl	# svcgwd's control channel
	libmicrohttpd-dev			# svcgwd's metrics endpoint
	iproute2 nftables ipvsadm socat iputils-ping python3	# the tests
	iperf3 ethtool				# bulk TCP, offload settings
	tcpdump curl				# captures (GUE flow ids), HTTP
	python3-docutils			# the man pages (rst2man)
	debhelper dh-dkms dkms lintian		# make deb, its test
	bash-completion				# the completion's test
	python3-pyroute2 python3-yaml		# tools/python/svcgw_nl.py
	bird2					# 88-ecmp: the BGP daemon
	frr					# deployment.rst's FRR blocks (vtysh -C)
)

missing=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo > /dev/null ||
		{ echo "install-deps: need root to install ${missing[*]}" >&2; exit 1; }
	sudo=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q "${missing[@]}"
