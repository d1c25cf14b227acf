# SPDX-License-Identifier: GPL-2.0
#
# make            build kmod/svcgw.ko and tools/svcgw/svcgw
# make check      install what is missing, build, run every test
# make check-debug  every guest test on a debug kernel (KASAN, lockdep,
#                 kmemleak...), built once from Debian's source and cached;
#                 PART=K/N runs the K-th of N parts (README)
# make layers     the layering of kmod/'s files (kmod/LAYERS)
# make demo       install, build, boot a throwaway guest, show traffic
# make man        the man pages into build/man/
# make deb        the Debian packages svcgw and svcgw-dkms into build/deb/
# make install    the module (modules_install + depmod: modprobe svcgw
#                 loads what it needs), svcgw and svcgwd, their man pages,
#                 the unit; DESTDIR= and PREFIX= (default /usr) honoured

KVER ?= $(shell ls -1 /lib/modules 2>/dev/null | sort -V | tail -n 1)
KDIR ?= /lib/modules/$(KVER)/build

all: module tools

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools/svcgw
	$(MAKE) -C tools/svcgwd

# Test-only modules (selftests/kmod): built for check, never installed.
# With them the test programs the guest runs from the host's build
# (selftests/net/pktfuzz.c; the guest compiles it itself if it is missing).
testmods: build/pktfuzz
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/kmod modules

build/pktfuzz: selftests/net/pktfuzz.c
	@mkdir -p build
	$(CC) -O2 -Wall -o $@ $<

clean:
	rm -rf build
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/kmod clean
	$(MAKE) -C tools/svcgw clean
	$(MAKE) -C tools/svcgwd clean

# install-deps.sh may install the kernel headers, and KVER above was taken
# before it ran: so check and demo build in a fresh make after deps.
deps:
	@scripts/install-deps.sh

check: deps
	$(MAKE) all testmods
	@selftests/run-all.sh

# The guest tests on a kernel with KASAN, lockdep, PROVE_RCU, kmemleak and
# debug objects (selftests/vm/debug.config): the first run builds it (see
# README for the times), later runs reuse it. T=pattern runs some tests only.
check-debug: deps
	@selftests/vm/check-debug.sh $(if $(T),--tests $(T)) $(if $(PART),--part $(PART))

.PHONY: check-debug

# Which file of kmod/ uses which, by layer (kmod/LAYERS); fails on a use of
# a higher layer, a cycle or a global no other file uses (make check runs
# it too).  DOT=build/layers.dot also writes the graph for Graphviz.
layers: module
	@python3 scripts/check-layers.py $(if $(DOT),--dot $(DOT))

.PHONY: layers

# Installed as a distribution would: the module under updates/ of its
# kernel's tree (modules_install, then depmod, so that "modprobe svcgw"
# loads nf_defrag_ipv4, nf_defrag_ipv6 and udp_tunnel first), the
# programs in PREFIX/sbin, the man pages, the systemd unit (its paths
# made PREFIX's) and the example files.  With DESTDIR depmod indexes
# DESTDIR's tree (depmod -b); "make check" installs into one and asks
# modprobe there what svcgw needs (selftests/install.sh).  The module is
# not signed unless MODULE_SIGN=1 (the kernel's signing key, which a
# distribution's kernel does not ship: DKMS signs with the machine's own).
PREFIX ?= /usr
SBINDIR = $(PREFIX)/sbin
MANDIR = $(PREFIX)/share/man
DOCDIR = $(PREFIX)/share/doc/svcgw
UNITDIR ?= /lib/systemd/system

install: install-module install-tools

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates INSTALL_MOD_STRIP=1 \
		$(if $(MODULE_SIGN),,CONFIG_MODULE_SIG_ALL=) modules_install
	depmod $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)

# Everything but the module (the svcgw package: the module comes by DKMS).
install-tools: tools man
	install -D -m 0755 tools/svcgw/svcgw $(DESTDIR)$(SBINDIR)/svcgw
	install -D -m 0755 tools/svcgwd/svcgwd $(DESTDIR)$(SBINDIR)/svcgwd
	install -D -m 0644 build/man/svcgw.8 $(DESTDIR)$(MANDIR)/man8/svcgw.8
	install -D -m 0644 build/man/svcgwd.8 $(DESTDIR)$(MANDIR)/man8/svcgwd.8
	install -D -m 0644 build/man/svcgwd.conf.5 \
		$(DESTDIR)$(MANDIR)/man5/svcgwd.conf.5
	install -D -m 0644 tools/python/svcgw_nl.py \
		$(DESTDIR)$(PREFIX)/lib/python3/dist-packages/svcgw_nl.py
	install -D -m 0644 Documentation/netlink/specs/svcgw.yaml \
		$(DESTDIR)$(PREFIX)/share/svcgw/svcgw.yaml
	install -D -m 0644 tools/completion/svcgw \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/svcgw
	ln -sf svcgw $(DESTDIR)$(PREFIX)/share/bash-completion/completions/svcgwd
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/sbin/|$(SBINDIR)/|g' tools/svcgwd/svcgwd.service \
		> $(DESTDIR)$(UNITDIR)/svcgwd.service
	install -D -m 0644 -t $(DESTDIR)$(DOCDIR) README \
		Documentation/svcgw.rst Documentation/svcgwd.rst \
		Documentation/ha.rst Documentation/netlink.rst \
		Documentation/python.rst Documentation/deployment.rst
	install -D -m 0644 -t $(DESTDIR)$(DOCDIR)/examples \
		tools/svcgwd/examples/*.conf

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KVER)/updates/kmod/svcgw.ko
	depmod $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)
	rm -f $(DESTDIR)$(SBINDIR)/svcgw $(DESTDIR)$(SBINDIR)/svcgwd \
		$(DESTDIR)$(MANDIR)/man8/svcgw.8 $(DESTDIR)$(MANDIR)/man8/svcgwd.8 \
		$(DESTDIR)$(MANDIR)/man5/svcgwd.conf.5 \
		$(DESTDIR)$(UNITDIR)/svcgwd.service \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/svcgw \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/svcgwd \
		$(DESTDIR)$(PREFIX)/lib/python3/dist-packages/svcgw_nl.py
	rm -rf $(DESTDIR)$(DOCDIR) $(DESTDIR)$(PREFIX)/share/svcgw

.PHONY: install install-module install-tools uninstall

# The Debian packages svcgw (the programs) and svcgw-dkms (the module's
# source, built by DKMS for each kernel) into build/deb/, built by
# dpkg-buildpackage from a copy of the tree's files (git ls-files: what
# is committed or staged, as it is now), then checked by lintian, which
# must report no error.  selftests/packages.sh builds the module from
# them with DKMS and runs the guest's smoke test with what they install.
DEB_VERSION = $(shell dpkg-parsechangelog -l debian/changelog -SVersion)
deb:
	rm -rf build/deb && mkdir -p build/deb/svcgw-$(DEB_VERSION)
	git ls-files -z | xargs -0 cp --parents -t build/deb/svcgw-$(DEB_VERSION)
	cd build/deb/svcgw-$(DEB_VERSION) && \
		dpkg-buildpackage -b -uc -us > ../build.log 2>&1 || \
		{ tail -n 30 ../build.log; exit 1; }
	lintian --fail-on error build/deb/*.changes
	@ls build/deb/*.deb

.PHONY: deb

# The man pages svcgw(8), svcgwd(8) and svcgwd.conf(5) from
# Documentation/man/*.rst (docutils' rst2man writer) into build/man/,
# checked against the programs' own help (make check does the same).
man: tools
	@python3 scripts/check-man.py --out build/man
	@ls build/man

.PHONY: man

demo: deps
	$(MAKE) all
	@selftests/vm/run-vm.sh --job demo

# Boot a guest, measure packet rates (ratios to plain forwarding in the same
# boot): a table on the console, every sample in build/bench/results.json.
# 3G: the new-flow runs and the million-entry tables of the memory figures.
# Not part of check; how to read it: selftests/bench/README.rst.
bench: deps
	$(MAKE) all
	@VM_TIMEOUT=$${VM_TIMEOUT:-1900} VM_MEM=$${VM_MEM:-3G} selftests/vm/run-vm.sh --job bench --out build/bench

# The module of git revision BASE against this tree's, in one boot:
# interleaved rounds, the paired ratios head/base per configuration, in
# build/bench-ab/. BASE defaults to HEAD if the tree has changes, else
# HEAD~1. How to read it: selftests/bench/README.rst.
bench-ab: deps
	$(MAKE) all
	@selftests/bench/ab.sh $(BASE)

.PHONY: bench bench-ab

# Boot the guest, run only the tests matching T: make vm-test T=00-harness
vm-test: testmods
	@selftests/vm/run-vm.sh --job test $(if $(T),--tests $(T))

.PHONY: all module tools testmods clean deps check demo vm-test
