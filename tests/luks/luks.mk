# SPDX-License-Identifier: GPL-2.0-or-later
# The LUKS conversion checker (tests/luks/convcheck.c), a helper that
# tests/cli/luks.sh runs; built with make check's host tests.

CONVCHECK := $(BUILD)/tests/bin/convcheck
HOST_TESTS += $(CONVCHECK)

$(BUILD)/tests/luks/convcheck.o: CPPFLAGS += -DVEIL_SRCDIR=\"$(CURDIR)\"

$(CONVCHECK): $(BUILD)/tests/luks/convcheck.o $(BUILD)/tests/unit/testutil.o $(LIBVEILFORMAT)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBVEILFORMAT_LIBS) \
		$(shell pkg-config --libs libcryptsetup)
