# SPDX-License-Identifier: GPL-2.0-or-later
# veil: top-level build. Each component keeps its rules in its own fragment
# (format/format.mk, tool/tool.mk, tests/unit/unit.mk, tests/fuzz/fuzz.mk);
# this file holds what they share and the targets docs/ARCHITECTURE.md lists.

VERSION := $(shell cat VERSION)
BUILD   := build

# The kernel to build the module for (README, "Which kernel"): KDIR= names a
# build tree, KVER= an installed release; by default the running kernel when
# its headers are installed, else the newest one with headers and an image.
ifeq ($(origin KVER),undefined)
ifneq ($(KDIR),)
KVER := $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
else
KVER := $(shell mk/kernels.sh default)
endif
endif
KDIR ?= /lib/modules/$(KVER)/build
KBUILD_W ?= 1

CC      ?= gcc
PKGS    := devmapper libcrypto libargon2 blkid uuid
CPPFLAGS += -D_GNU_SOURCE -DVEIL_VERSION=\"$(VERSION)\" -Iformat
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -fstack-protector-strong \
	   -D_FORTIFY_SOURCE=2 -fPIE
LDFLAGS += -pie -Wl,-z,relro,-z,now
PREFIX  ?= /usr
DESTDIR ?=

# Fragments append to these.
USERSPACE :=
HOST_TESTS :=

.PHONY: all module userspace deps deps-check check check-host check-vm demo \
	bench fuzz clean install install-tool uninstall install-module uninstall-module dkms deb check-deb debug-kernel check-kernels check-boots
# WITH_MODULE=0 leaves the kernel module out of make, make install and make
# uninstall: Debian's veil package is built so, its module comes from veil-dkms.
WITH_MODULE ?= 1
ifeq ($(WITH_MODULE),1)
BUILD_MODULE := module
INSTALL_MODULE := install-module
UNINSTALL_MODULE := uninstall-module
else ifneq ($(WITH_MODULE),0)
$(error WITH_MODULE must be 1 or 0, not '$(WITH_MODULE)')
endif

all: $(BUILD_MODULE) userspace

deps:
	@mk/deps.sh

deps-check:
	@mk/deps.sh --check || mk/deps.sh

module: deps-check
	@if [ ! -d "$(KDIR)" ]; then \
		echo "veil: no kernel build dir at '$(KDIR)' (install linux-headers-amd64 or set KDIR)" >&2; exit 1; fi
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel W=$(KBUILD_W) modules

-include format/format.mk tool/tool.mk tests/unit/unit.mk tests/fuzz/fuzz.mk mk/tab.mk tests/luks/luks.mk

userspace: $(USERSPACE)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# build/debug-kernel holds a kernel tree (make debug-kernel): not ours to scan.
-include $(shell find $(BUILD) -path $(BUILD)/debug-kernel -prune -o -name '*.d' -type f -print 2>/dev/null)

check: all $(HOST_TESTS)
	@KVER=$(KVER) KDIR=$(KDIR) tests/check all

check-host: userspace $(HOST_TESTS)
	@tests/check host

check-vm: all
	@KVER=$(KVER) KDIR=$(KDIR) tests/check vm

# The module built for each lane kernel (6.1 and 6.12, W=1, no warnings) and
# the VM suite run on each: one guest boot per kernel, one summary line.
check-kernels: all
	@tests/check kernels

# The boot tests (tests/vm/boots/*: systemd as PID 1 with /etc/veiltab, root on
# veil through the initramfs, the Debian packages installed in a guest), each
# booting guests of its own, on the first lane kernel (VEIL_CHECK_FULL=1: all).
check-boots: all
	@tests/check boots

# Installs the tool, the man pages and the module (install-module, left out
# with WITH_MODULE=0). Under DESTDIR (packaging) depmod is left to the
# package's own scripts.
SBINDIR := $(PREFIX)/sbin
MANDIR  := $(PREFIX)/share/man
# initramfs-tools reads hooks and scripts from here whatever the PREFIX.
INITRAMFS_DIR := $(DESTDIR)/usr/share/initramfs-tools
DKMS_SRC := $(DESTDIR)/usr/src/veil-$(VERSION)

BASHCOMPDIR := $(PREFIX)/share/bash-completion/completions

# The userspace half of install (tool, man pages, bash completion).
install-tool: userspace
	install -D -m 0755 $(BUILD)/veil $(DESTDIR)$(SBINDIR)/veil
	install -D -m 0644 man/veil.8 $(DESTDIR)$(MANDIR)/man8/veil.8
	install -D -m 0644 man/dm-veil.7 $(DESTDIR)$(MANDIR)/man7/dm-veil.7
	install -D -m 0755 initramfs/hook $(INITRAMFS_DIR)/hooks/veil
	install -D -m 0755 initramfs/local-top $(INITRAMFS_DIR)/scripts/local-top/veil
	install -D -m 0644 initramfs/conf-hook $(INITRAMFS_DIR)/conf-hooks.d/veil
	install -D -m 0644 tool/completion.bash $(DESTDIR)$(BASHCOMPDIR)/veil

install: all install-tool $(INSTALL_MODULE)

uninstall: $(UNINSTALL_MODULE)
	rm -f $(DESTDIR)$(SBINDIR)/veil $(DESTDIR)$(MANDIR)/man8/veil.8 $(DESTDIR)$(MANDIR)/man7/dm-veil.7
	rm -f $(INITRAMFS_DIR)/hooks/veil $(INITRAMFS_DIR)/scripts/local-top/veil $(INITRAMFS_DIR)/conf-hooks.d/veil
	rm -f $(DESTDIR)$(BASHCOMPDIR)/veil

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel INSTALL_MOD_PATH=$(DESTDIR)/ INSTALL_MOD_DIR=updates CONFIG_MODULE_SIG_ALL= modules_install
	@if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi

uninstall-module:
	rm -f $(DESTDIR)/lib/modules/$(KVER)/updates/dm-veil.ko
	@if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi

# Lays out /usr/src/veil-VERSION for DKMS (kernel sources, Kbuild, dkms.conf
# and a copy of VERSION), then registers, builds and installs it when dkms is there.
dkms:
	@grep -q 'PACKAGE_VERSION="$(VERSION)"' kernel/dkms.conf || \
		{ echo "veil: kernel/dkms.conf PACKAGE_VERSION differs from VERSION $(VERSION)" >&2; exit 1; }
	install -d $(DKMS_SRC)
	install -m 0644 $(filter-out %.mod.c,$(wildcard kernel/*.c)) kernel/*.h kernel/Kbuild kernel/dkms.conf VERSION $(DKMS_SRC)/
	@if [ -n "$(DESTDIR)" ]; then exit 0; fi; \
	if ! command -v dkms >/dev/null; then \
		echo "veil: sources are in $(DKMS_SRC); install the 'dkms' package, then: dkms install veil/$(VERSION)"; \
	else \
		dkms status veil/$(VERSION) | grep -q . || dkms add veil/$(VERSION); \
		dkms install veil/$(VERSION); \
	fi

# The Debian packages veil and veil-dkms, built from a copy of the tree into
# build/deb/, then checked: lintian, and their contents against tests/deb/*.list.
deb: deps-check
	@mk/deb.sh

# make deb's checks, then the packages installed, used and purged in a guest
# running KVER (tests/vm/boots/60-deb; make check runs it on both lane kernels).
check-deb: deps-check
	@mkdir -p $(BUILD)/check
	@KVER=$(KVER) KDIR=$(KDIR) tests/vm/boots/60-deb 2>&1 | tee $(BUILD)/check/deb.log
	@tests/summarize $(BUILD)/check/deb.log

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel clean

# A KASAN/lockdep/kmemleak 6.1 kernel for the VM suite (slow; not in CI).
debug-kernel:
	tests/vm/debug-kernel

# Side-by-side with raw brd and both dm-crypt modes in one guest boot;
# figures, not pass/fail. Results (table, JSON, PNG) go to BENCH_DIR.
# VEIL_BENCH_RUNTIME, VEIL_BENCH_REPEAT and VEIL_BENCH_SIZE_MIB tune it.
BENCH_STAMP := $(shell date -u +%Y%m%dT%H%M%SZ)
BENCH_DIR ?= $(BUILD)/bench/$(BENCH_STAMP)
bench: all
	@for t in jq fio gnuplot cryptsetup; do command -v $$t >/dev/null || { mk/deps.sh; break; }; done
	mkdir -p $(BENCH_DIR)
	VEIL_VM_INIT_ON_ALLOC=1 tests/vm/run --timeout $${VEIL_BENCH_TIMEOUT:-5400} --results $(BENCH_DIR) -- \
		env VEIL_BENCH_OUT=$(abspath $(BENCH_DIR)) $(CURDIR)/tests/bench/guest.sh
	@echo "bench: table, summary.json and bench.png in $(BENCH_DIR)"
