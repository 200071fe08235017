#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bounded fuzzing run of the veiltab parser for make check (target in
# tests/tab/tab.mk): FUZZ_VEILTAB_TIME seconds (default 20) over the seed
# corpus. A crash, ASan/UBSan report or broken invariant is a FAIL; a
# machine without clang/libFuzzer gets a SKIP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

secs=${FUZZ_VEILTAB_TIME:-20}
target=build/fuzz/fuzz-veiltab
name="fuzz: veiltab parser ${secs}s (libFuzzer, ASan, UBSan)"

if ! command -v clang >/dev/null 2>&1; then
	skip "$name" "clang not installed (package clang, see mk/packages.txt)"
	exit 0
fi
if ! out=$(make -s "$target" 2>&1); then
	printf '%s\n' "$out" | tail -n 20 | sed 's/^/    | /'
	if printf '%s' "$out" | grep -q 'fuzzer'; then
		skip "$name" "clang cannot link -fsanitize=fuzzer: $(printf '%s' "$out" | head -n 1)"
		exit 0
	fi
	fail "$name" "fuzz target did not build"
	tests_done
	exit
fi
work=build/fuzz/corpus-veiltab-work
arts=build/fuzz/artifacts
log=build/fuzz/check-veiltab.log
mkdir -p "$work" "$arts"
"$target" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
	-print_final_stats=1 -artifact_prefix="$arts/veiltab-" "$work" tests/fuzz/corpus-veiltab \
	>"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ "$rc" -eq 0 ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|deadly signal' "$log"; then
	pass "$name: ${runs:-?} inputs, no crash"
else
	grep -E 'ERROR:|runtime error:|SUMMARY:|Test unit written|deadly' "$log" | head -n 10 | sed 's/^/    | /'
	fail "$name" "exit $rc after ${runs:-?} inputs; log in $log, reproducer in $arts/"
fi
tests_done
