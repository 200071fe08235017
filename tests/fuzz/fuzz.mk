# SPDX-License-Identifier: GPL-2.0-or-later
# libFuzzer target for the header parser. The library sources are compiled
# again here with the fuzzer and sanitizer flags (not the gcc-built .a).
#   make build/fuzz/fuzz-header    build it
#   make fuzz [FUZZ_TIME=seconds]  fuzz long (default 30 min), new inputs
#                                  kept in build/fuzz/corpus-work
# tests/fuzz/check.sh (run by make check) does a bounded run of each target.

FUZZ_CC     ?= clang
FUZZ_TIME   ?= 1800
FUZZ_DIR    := $(BUILD)/fuzz
FUZZ_CFLAGS := -g -O1 -std=gnu11 -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_LIBS   := $(shell pkg-config --libs libcrypto libargon2 uuid)
FUZZ_SRCS   := $(LIBVEILFORMAT_SRCS) tests/fuzz/fuzz-header.c
FUZZ_OBJS   := $(FUZZ_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(LIBVEILFORMAT_CFLAGS) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/fuzz-header: $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(FUZZ_LIBS)

fuzz: $(FUZZ_DIR)/fuzz-header
	@mkdir -p $(FUZZ_DIR)/corpus-work $(FUZZ_DIR)/artifacts
	$(FUZZ_DIR)/fuzz-header -max_total_time=$(FUZZ_TIME) -max_len=20480 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/artifacts/ \
		$(FUZZ_DIR)/corpus-work tests/fuzz/corpus
