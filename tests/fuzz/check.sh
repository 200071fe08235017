#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bounded libFuzzer runs for make check, one per parser that reads untrusted
# input, each over its committed seed corpus (new inputs go to build/fuzz/,
# so the corpus in the tree never changes):
#   header parser (tests/fuzz/fuzz.mk)        FUZZ_CHECK_TIME s, default 60
#   table line and DM UUID (tool/tool.mk)     FUZZ_TABLE_TIME s, default 20
#   veiltab parser (mk/tab.mk)                FUZZ_VEILTAB_TIME s, default 20
# A crash, a leak, an ASan/UBSan report or a broken invariant is a FAIL. A
# machine without clang's libFuzzer gets a SKIP naming the reason, never a PASS.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

# The fuzzer runtime is a separate package from clang on Debian: probe it
# once so a missing runtime is a SKIP and a broken target stays a FAIL.
fuzzer_missing() {
	local probe rc
	command -v clang >/dev/null 2>&1 || { echo "clang not installed (package clang, see mk/packages.txt)"; return 0; }
	probe=$(mktemp -d)
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
		>"$probe/p.c"
	clang -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" >"$probe/log" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] || echo "clang cannot link -fsanitize=fuzzer (libclang-rt-dev missing?): $(head -n 1 "$probe/log")"
	rm -rf "$probe"
	return "$rc"
}

# fuzz_one WHAT TARGET SECS MAX_LEN RSS_MB CORPUS
fuzz_one() {
	local what=$1 target=build/fuzz/$2 secs=$3 max_len=$4 rss=$5 corpus=$6
	local name="fuzz: $what ${secs}s (libFuzzer, ASan, UBSan)"
	local work=build/fuzz/$2-work arts=build/fuzz/artifacts/$2- log=build/fuzz/$2.log out rc runs
	if [ -n "$no_fuzzer" ]; then
		skip "$name" "$no_fuzzer"
		return
	fi
	if ! out=$(make -s "$target" 2>&1); then
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/    | /'
		fail "$name" "fuzz target $target did not build"
		return
	fi
	mkdir -p "$work" build/fuzz/artifacts
	"$target" -max_total_time="$secs" -max_len="$max_len" -timeout=10 -rss_limit_mb="$rss" \
		-print_final_stats=1 -artifact_prefix="$arts" "$work" "$corpus" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|deadly signal' "$log"; then
		pass "$name: ${runs:-?} inputs, no crash"
	else
		grep -E 'ERROR:|runtime error:|SUMMARY:|Test unit written|deadly signal' "$log" | head -n 10 | sed 's/^/    | /'
		fail "$name" "exit $rc after ${runs:-?} inputs; log in $log, reproducer in ${arts}*"
	fi
}

no_fuzzer=$(fuzzer_missing)
fuzz_one "header parser" fuzz-header "${FUZZ_CHECK_TIME:-60}" 20480 2048 tests/fuzz/corpus
fuzz_one "table and DM UUID parsers" fuzz-table "${FUZZ_TABLE_TIME:-20}" 1024 2048 tests/fuzz/corpus-table
fuzz_one "veiltab parser" fuzz-veiltab "${FUZZ_VEILTAB_TIME:-20}" 4096 1024 tests/fuzz/corpus-veiltab
tests_done
