# SPDX-License-Identifier: GPL-2.0-or-later
# Host unit tests of the format library. Each binary in build/tests/host/ is
# run by tests/check host; helper programs (generators) go to build/tests/bin/.

UNIT_LIBS   := $(shell pkg-config --libs libcrypto libargon2 uuid)
UNIT_DEFS   := -DVEIL_SRCDIR=\"$(CURDIR)\"
UNIT_COMMON := $(BUILD)/tests/unit/testutil.o

$(BUILD)/tests/unit/%.o: CPPFLAGS += $(UNIT_DEFS)

# Tests that need only the crypto libraries, not libveilformat.
UNIT_PLAIN := kat-argon2-pbkdf2
HOST_TESTS += $(addprefix $(BUILD)/tests/host/,$(UNIT_PLAIN))

$(addprefix $(BUILD)/tests/host/,$(UNIT_PLAIN)): $(BUILD)/tests/host/%: \
		$(BUILD)/tests/unit/%.o $(UNIT_COMMON)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(UNIT_LIBS)

ifneq ($(LIBVEILFORMAT),)
# Tests of the library.
UNIT_LIB := kat-format kat-spec golden corrupt tamper crash nowrite failwrite calib
UNIT_FIXTURE := $(UNIT_COMMON) $(BUILD)/tests/unit/fixture.o
HOST_TESTS += $(addprefix $(BUILD)/tests/host/,$(UNIT_LIB))

$(addprefix $(BUILD)/tests/host/,$(UNIT_LIB)): $(BUILD)/tests/host/%: \
		$(BUILD)/tests/unit/%.o $(UNIT_FIXTURE) $(LIBVEILFORMAT)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(UNIT_LIBS)

# The golden image generator: run by hand, once per format version
# (make golden-image), never by make check.
$(BUILD)/tests/bin/gen-golden: $(BUILD)/tests/unit/gen-golden.o $(UNIT_FIXTURE) $(LIBVEILFORMAT)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(UNIT_LIBS)

.PHONY: golden-image
golden-image: $(BUILD)/tests/bin/gen-golden
	$(BUILD)/tests/bin/gen-golden tests/vectors/golden-v1.img

# The corrupted-header corpus again, with the library and the test built
# with ASan and UBSan: any report aborts the test, and tests/check counts
# the abnormal exit as a failure.
ASAN_CC     ?= $(shell command -v clang >/dev/null 2>&1 && echo clang || echo $(CC))
ASAN_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
ASAN_DIR    := $(BUILD)/tests/asan
ASAN_SRCS   := $(LIBVEILFORMAT_SRCS) tests/unit/corrupt.c tests/unit/fixture.c tests/unit/testutil.c
ASAN_OBJS   := $(ASAN_SRCS:%.c=$(ASAN_DIR)/%.o)
ifneq ($(wildcard tests/unit/corrupt.c),)
HOST_TESTS  += $(BUILD)/tests/host/corrupt-asan
endif

$(ASAN_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) $(UNIT_DEFS) $(LIBVEILFORMAT_CFLAGS) $(ASAN_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/host/corrupt-asan: $(ASAN_OBJS)
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(ASAN_CFLAGS) -o $@ $^ $(UNIT_LIBS)
endif
