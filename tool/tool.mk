# SPDX-License-Identifier: GPL-2.0-or-later
# The veil command. Included by the top-level Makefile.

TOOL_SRCS := $(wildcard tool/*.c)
TOOL_OBJS := $(TOOL_SRCS:%.c=$(BUILD)/%.o)
TOOL_LIBS := $(shell pkg-config --libs devmapper libcrypto libargon2 blkid uuid libcryptsetup json-c 2>/dev/null) -lkeyutils

USERSPACE += $(BUILD)/veil

$(BUILD)/veil: $(TOOL_OBJS) $(BUILD)/libveilformat.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TOOL_OBJS) $(BUILD)/libveilformat.a $(TOOL_LIBS)

$(TOOL_OBJS): CPPFLAGS += -Itool

.PHONY: tool demo
tool: $(BUILD)/veil

# The main job end to end: natively when we are root on a kernel that can
# load modules and has device-mapper, else in the VM lane.
# VEIL_DEMO_NATIVE=1 forces the native run, VEIL_DEMO_NATIVE=0 the VM lane.
demo: deps-check all
	@if [ "$${VEIL_DEMO_NATIVE:-}" = 1 ] || { [ "$${VEIL_DEMO_NATIVE:-}" != 0 ] && \
		[ "$$(id -u)" = 0 ] && [ -e /proc/modules ] && [ -e /dev/mapper/control ]; }; then \
		tests/demo.sh; \
	else \
		tests/vm/run --timeout $${VEIL_DEMO_TIMEOUT:-900} -- $(CURDIR)/tests/demo.sh; \
	fi

# The tool-kernel contract (tool/mapping.c) has no I/O, so its unit test and
# its fuzzer link it alone.
HOST_TESTS += $(BUILD)/tests/host/mapping-contract
$(BUILD)/tests/host/mapping-contract: tests/unit/mapping-contract.c tool/mapping.c tool/mapping.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itool $(CFLAGS) $(LDFLAGS) -o $@ tests/unit/mapping-contract.c tool/mapping.c

# libFuzzer target for the table and DM UUID parsers; tests/fuzz/check.sh
# runs it for a bounded time in make check.
FUZZ_CC ?= clang
$(BUILD)/fuzz/fuzz-table: tests/fuzz/fuzz-table.c tool/mapping.c tool/mapping.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -Itool -g -O1 -std=gnu11 -fno-omit-frame-pointer \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ tests/fuzz/fuzz-table.c tool/mapping.c

.PHONY: fuzz-table
fuzz-table: $(BUILD)/fuzz/fuzz-table
	@mkdir -p $(BUILD)/fuzz/corpus-table-work $(BUILD)/fuzz/artifacts
	$(BUILD)/fuzz/fuzz-table -max_total_time=$(or $(FUZZ_TIME),1800) -max_len=1024 \
		-artifact_prefix=$(BUILD)/fuzz/artifacts/ $(BUILD)/fuzz/corpus-table-work \
		tests/fuzz/corpus-table
