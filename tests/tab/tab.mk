# SPDX-License-Identifier: GPL-2.0-or-later
# veiltab: the parser's unit test, the systemd generator, its fuzz target.
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

# libFuzzer target (tests/fuzz/check-veiltab.sh runs it in make check).
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
