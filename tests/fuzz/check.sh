#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bounded fuzzing run for make check: builds the libFuzzer target of the
# header parser (tests/fuzz/fuzz.mk) and runs it for FUZZ_CHECK_TIME seconds
# (default 60) over the committed seed corpus. Any crash, leak, ASan or UBSan
# report is a FAIL; a machine without clang/libFuzzer gets a SKIP, never a PASS.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

secs=${FUZZ_CHECK_TIME:-60}
target=build/fuzz/fuzz-header
name="fuzz: header parser ${secs}s (libFuzzer, ASan, UBSan)"

if ! command -v clang >/dev/null 2>&1; then
	skip "$name" "clang not installed (package clang, see mk/packages.txt)"
	exit 0
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
	> "$probe/p.c"
if ! clang -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" >"$probe/log" 2>&1; then
	skip "$name" "clang cannot link -fsanitize=fuzzer (libclang-rt-dev missing?): $(head -n 1 "$probe/log")"
	exit 0
fi

if ! out=$(make -s "$target" 2>&1); then
	printf '%s\n' "$out" | tail -n 20 | sed 's/^/    | /'
	fail "$name" "fuzz target did not build"
	tests_done
	exit
fi

# New inputs go to a scratch directory so the committed seed corpus stays as is.
work=build/fuzz/corpus-work
arts=build/fuzz/artifacts
mkdir -p "$work" "$arts"
log=build/fuzz/check.log
"$target" -max_total_time="$secs" -max_len=20480 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$arts/" "$work" tests/fuzz/corpus >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ "$rc" -eq 0 ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
	pass "$name: ${runs:-?} inputs, no crash"
else
	grep -E 'ERROR:|runtime error:|SUMMARY:|Test unit written' "$log" | head -n 10 | sed 's/^/    | /'
	fail "$name" "exit $rc after ${runs:-?} inputs; log in $log, reproducer in $arts/"
fi
tests_done
