# SPDX-License-Identifier: GPL-2.0-or-later
# veiltab: the parser's unit test, the systemd generator, its fuzz target,
# and their installation.
# Included by the top-level Makefile.

GENERATOR := $(BUILD)/veil-generator
USERSPACE += $(GENERATOR)
HOST_TESTS += $(BUILD)/tests/host/veiltab-parser

$(BUILD)/generator/%.o: CPPFLAGS += -Itool -DVEIL_SBIN=\"$(SBINDIR)/veil\"

$(GENERATOR): $(BUILD)/generator/veil-generator.o $(BUILD)/tool/veiltab.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/tests/tab/%.o: CPPFLAGS += -Itool -Itests/lib

$(BUILD)/tests/host/veiltab-parser: $(BUILD)/tests/tab/parser.o $(BUILD)/tool/veiltab.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

# libFuzzer target (tests/fuzz/check.sh runs it in make check).
$(FUZZ_DIR)/fuzz-veiltab: tool/veiltab.c tests/fuzz/fuzz-veiltab.c tool/veiltab.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -D_GNU_SOURCE -Itool $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ \
		tool/veiltab.c tests/fuzz/fuzz-veiltab.c

.PHONY: fuzz-veiltab
fuzz-veiltab: $(FUZZ_DIR)/fuzz-veiltab
	@mkdir -p $(FUZZ_DIR)/corpus-veiltab-work $(FUZZ_DIR)/artifacts
	$(FUZZ_DIR)/fuzz-veiltab -max_total_time=$(FUZZ_TIME) -max_len=4096 -timeout=10 \
		-print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/artifacts/ \
		$(FUZZ_DIR)/corpus-veiltab-work tests/fuzz/corpus-veiltab

# Installed with the tool: the generator where systemd looks for it, the
# udev rule (with this install's veil path), veiltab(5). Outside PREFIX, as
# systemd and udev only look in their own directories.
SYSTEMD_GENERATOR_DIR ?= $(shell pkg-config --variable=systemdsystemgeneratordir systemd 2>/dev/null || echo /lib/systemd/system-generators)
UDEV_RULES_DIR ?= $(shell d=$$(pkg-config --variable=udevdir udev 2>/dev/null); echo $${d:-/lib/udev}/rules.d)

.PHONY: install-tab uninstall-tab
install: install-tab
uninstall: uninstall-tab

install-tab: all
	install -D -m 0755 $(GENERATOR) $(DESTDIR)$(SYSTEMD_GENERATOR_DIR)/veil-generator
	install -d $(DESTDIR)$(UDEV_RULES_DIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' udev/60-veil.rules > $(DESTDIR)$(UDEV_RULES_DIR)/60-veil.rules
	chmod 0644 $(DESTDIR)$(UDEV_RULES_DIR)/60-veil.rules
	install -D -m 0644 man/veiltab.5 $(DESTDIR)$(MANDIR)/man5/veiltab.5

uninstall-tab:
	rm -f $(DESTDIR)$(SYSTEMD_GENERATOR_DIR)/veil-generator \
		$(DESTDIR)$(UDEV_RULES_DIR)/60-veil.rules $(DESTDIR)$(MANDIR)/man5/veiltab.5
