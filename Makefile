# SPDX-License-Identifier: GPL-2.0-or-later
# veil: top-level build. Each component keeps its rules in its own fragment
# (format/format.mk, tool/tool.mk, tests/unit/unit.mk, tests/fuzz/fuzz.mk);
# this file holds what they share and the targets DESIGN.md promises.

VERSION := $(shell cat VERSION)
BUILD   := build

# The kernel to build against: the newest one under /lib/modules that has
# both a build dir and a bootable image, since the lane must boot what we build for.
KVER ?= $(shell for d in $$(ls -1 /lib/modules 2>/dev/null | sort -V -r); do \
	[ -d /lib/modules/$$d/build ] && [ -f /boot/vmlinuz-$$d ] && { echo $$d; break; }; done)
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
	bench fuzz clean install uninstall dkms
all: module userspace

deps:
	@mk/deps.sh

deps-check:
	@mk/deps.sh --check || mk/deps.sh

module: deps-check
	@if [ ! -d "$(KDIR)" ]; then \
		echo "veil: no kernel build dir at '$(KDIR)' (install linux-headers-amd64 or set KDIR)" >&2; exit 1; fi
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel W=$(KBUILD_W) modules

-include format/format.mk tool/tool.mk tests/unit/unit.mk tests/fuzz/fuzz.mk

userspace: $(USERSPACE)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

check: all $(HOST_TESTS)
	@KVER=$(KVER) KDIR=$(KDIR) tests/check all

check-host: userspace $(HOST_TESTS)
	@tests/check host

check-vm: all
	@KVER=$(KVER) KDIR=$(KDIR) tests/check vm

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel clean
