#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bounded libFuzzer run of the table-line and DM UUID parsers (tool/mapping.c)
# for make check: FUZZ_CHECK_TIME seconds (default 20) over the committed
# corpus. A crash, a sanitizer report or a broken round trip is a FAIL; a
# machine without clang's libFuzzer gets a SKIP, never a PASS.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

secs=${FUZZ_CHECK_TIME:-20}
target=build/fuzz/fuzz-table
name="fuzz: table and DM UUID parsers ${secs}s (libFuzzer, ASan, UBSan)"

if ! command -v clang >/dev/null 2>&1; then
	skip "$name" "clang not installed (package clang, see mk/packages.txt)"
	exit 0
fi
if ! out=$(make -s "$target" 2>&1); then
	if printf '%s' "$out" | grep -q 'fsanitize=fuzzer\|libclang_rt.fuzzer'; then
		skip "$name" "clang cannot link -fsanitize=fuzzer: $(printf '%s' "$out" | head -n 1)"
		exit 0
	fi
	printf '%s\n' "$out" | tail -n 20 | sed 's/^/    | /'
	fail "$name" "fuzz target did not build"
	exit 1
fi
work=build/fuzz/corpus-table-work
arts=build/fuzz/artifacts
log=build/fuzz/check-table.log
mkdir -p "$work" "$arts"
"$target" -max_total_time="$secs" -max_len=1024 -timeout=10 -print_final_stats=1 \
	-artifact_prefix="$arts/" "$work" tests/fuzz/corpus-table >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ "$rc" -eq 0 ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
	pass "$name: ${runs:-?} inputs, no crash"
else
	grep -E 'ERROR:|runtime error:|SUMMARY:|Test unit written|deadly signal' "$log" | head -n 10 | sed 's/^/    | /'
	fail "$name" "exit $rc after ${runs:-?} inputs; log in $log, reproducer in $arts/"
	exit 1
fi
