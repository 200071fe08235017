# SPDX-License-Identifier: GPL-2.0-or-later
# Host unit tests of the format library. Each binary in build/tests/host/ is
# run by tests/check host; helper programs (generators) go to build/tests/bin/.

UNIT_LIBS   := $(shell pkg-config --libs libcrypto libargon2 uuid)
UNIT_CFLAGS := -DVEIL_SRCDIR=\"$(CURDIR)\"
UNIT_COMMON := $(BUILD)/tests/unit/testutil.o

$(BUILD)/tests/unit/%.o: CPPFLAGS += $(UNIT_CFLAGS)

# Tests that need only the crypto libraries, not libveilformat.
UNIT_PLAIN := kat-argon2-pbkdf2
HOST_TESTS += $(addprefix $(BUILD)/tests/host/,$(UNIT_PLAIN))

$(addprefix $(BUILD)/tests/host/,$(UNIT_PLAIN)): $(BUILD)/tests/host/%: \
		$(BUILD)/tests/unit/%.o $(UNIT_COMMON)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(UNIT_LIBS)
