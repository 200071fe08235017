# SPDX-License-Identifier: GPL-2.0-or-later
# The veil command. Included by the top-level Makefile.

TOOL_SRCS := $(wildcard tool/*.c)
TOOL_OBJS := $(TOOL_SRCS:%.c=$(BUILD)/%.o)
TOOL_LIBS := $(shell pkg-config --libs devmapper libcrypto libargon2 blkid uuid 2>/dev/null) -lkeyutils

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
