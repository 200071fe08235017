#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A tiny run of `make bench` (tests/bench/guest.sh with VEIL_BENCH_SMOKE=1):
# every configuration maps and reports a bandwidth and latencies, every job
# definition parses (the script fails otherwise),
# the cipher limit and both unlock times are measured, and the table, JSON
# and chart are written. No figure is asserted: speed goals live in
# `make bench`, never in a test.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 64m
out=$WORK/bench
log=$(VEIL_BENCH_SMOKE=1 VEIL_BENCH_OUT=$out timeout 900 "$REPO/tests/bench/guest.sh" 2>&1)
rc=$?
printf '%s\n' "$log" | grep -v '^  \(met\|MISSED\) ' | tail -n 40 | sed 's/^/    | /'
check_eq "$T/bench-exit" "$rc" 0
s=$out/summary.json
if ! jq -e . "$s" >/dev/null 2>&1; then
	fail "$T/summary-json" "no valid $s"
	finish
	exit 1
fi
pass "$T/summary-json"
check_eq "$T/smoke-flag" "$(jq -r .meta.smoke "$s")" true
configs="raw aes-xts-plain64/crypt-def aes-xts-plain64/crypt-nowq aes-xts-plain64/veil
aes-xts-plain64/veil-noinline cipher_null-ecb/crypt-def cipher_null-ecb/crypt-nowq
cipher_null-ecb/veil cipher_null-ecb/veil-noinline"
check_eq "$T/configurations" "$(jq -r '.meta.configs | join(" ")' "$s")" "$(echo $configs)"
check_eq "$T/jobs" "$(jq -r '.meta.jobs | join(" ")' "$s")" "seq-read-1M-QD8 rand-write-4K-QD1"
for c in $configs; do
	got=$(jq -r --arg c "$c" '[.meta.jobs[] as $j | .results[$c][$j].median // 0 | select(. > 0)] | length' "$s")
	check_eq "$T/reports:$c" "$got" 2
done
got=$(jq -r '[.results[]["rand-write-4K-QD1"] | select(.p50_us > 0 and .p99_us >= .p50_us)] | length' "$s")
check_eq "$T/latency-p50-p99" "$got" 9
check "$T/ratios" jq -e '[.ratios[][] | .veil_vs_crypt_def, .veil_vs_raw, .veil_noinline_vs_crypt_def,
	.better_veil_vs_better_crypt] | all(. > 0)' "$s"
check "$T/geomean-modes" jq -e '.geomean_better_veil_vs_better_crypt > 0' "$s"
check "$T/cipher-limit" jq -e '.cipher_limit.one_cpu_encrypt_mibs > 0 and .cipher_limit.one_cpu_decrypt_mibs > 0' "$s"
check "$T/unlock-times" jq -e '.unlock.veil_median_s > 0 and .unlock.cryptsetup_median_s > 0' "$s"
check "$T/targets-judged" jq -e '(.targets | length) == 7 and all(.targets[]; .met | type == "boolean")' "$s"
check "$T/table" grep -q '^== aes-xts-plain64' "$out/table.txt"
if command -v gnuplot >/dev/null; then
	check_eq "$T/chart-png" "$(head -c 8 "$out/bench.png" 2>/dev/null | od -An -tx1 | tr -d ' ')" 89504e470d0a1a0a
else
	skip "$T/chart-png" "gnuplot is not installed (mk/packages.txt lists gnuplot-nox)"
fi
check_eq "$T/brd-unloaded" "$(test -e /sys/module/brd && echo loaded || echo gone)" gone
check_eq "$T/no-mapping-left" "$(dmsetup ls 2>/dev/null | grep -c '^bench-')" 0
finish
