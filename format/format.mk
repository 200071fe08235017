# SPDX-License-Identifier: GPL-2.0-or-later
# libveilformat: the on-disk header and keyslot library (format/SPEC.md).
# Users link $(LIBVEILFORMAT) and $(LIBVEILFORMAT_LIBS).

LIBVEILFORMAT := $(BUILD)/libveilformat.a
LIBVEILFORMAT_SRCS := format/util.c format/device.c format/crypto.c format/kdf.c \
	format/header.c format/auth.c format/volume.c format/keyslot.c \
	format/backup.c format/json.c format/adopt.c
LIBVEILFORMAT_OBJS := $(LIBVEILFORMAT_SRCS:%.c=$(BUILD)/%.o)
LIBVEILFORMAT_CFLAGS := $(shell pkg-config --cflags libcrypto libargon2 uuid 2>/dev/null)
LIBVEILFORMAT_LIBS := $(shell pkg-config --libs libcrypto libargon2 uuid 2>/dev/null || \
	echo -lcrypto -largon2 -luuid)

$(LIBVEILFORMAT_OBJS): CPPFLAGS += $(LIBVEILFORMAT_CFLAGS)

$(LIBVEILFORMAT): $(LIBVEILFORMAT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# A quick developer smoke test of the library (not part of make check; the
# real tests live in tests/unit).
$(BUILD)/format/smoke: format/smoke.c $(LIBVEILFORMAT)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(LIBVEILFORMAT_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
		$(LIBVEILFORMAT) $(LIBVEILFORMAT_LIBS)

.PHONY: format-smoke
format-smoke: $(BUILD)/format/smoke
	$(BUILD)/format/smoke

USERSPACE += $(LIBVEILFORMAT)

# Prints the SPEC.md test vectors (developer aid).
$(BUILD)/format/specvec: format/specvec.c $(LIBVEILFORMAT)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(LIBVEILFORMAT_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
		$(LIBVEILFORMAT) $(LIBVEILFORMAT_LIBS)

.PHONY: format-specvec
format-specvec: $(BUILD)/format/specvec
	@$(BUILD)/format/specvec
