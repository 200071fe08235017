#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/table.sh SUMMARY.json: the text table of a `make bench` run.
set -euo pipefail
s=$1
jq -r '
def f($w): (if . == null then "-" else tostring end) as $t
	| if ($t | length) >= $w then $t else (" " * ($w - ($t | length))) + $t end;
def l($w): tostring | . + " " * ([$w - length, 0] | max);
def cell: if . == null then "-" else "\(.median * 10 | round / 10) ±\(.spread_pct | round)%" end;
.meta as $m | .results as $r | .ratios as $ra
| "veil benchmark: \($m.guest_cpus) guest CPUs, \($m.guest_mem_mib) MiB, kernel \($m.guest_kernel); brd \($m.device_mib) MiB, 4096-byte sectors, fio O_DIRECT",
  "\($m.rounds) interleaved rounds of \($m.runtime_s) s; MiB/s median ±spread ((max-min)/median); guest load at end \($m.guest_loadavg_at_end); \($m.guest_page_init // "init_on_alloc: not recorded")",
  (if $m.smoke then "SMOKE RUN: figures are meaningless" else empty end),
  "",
  ( ("aes-xts-plain64", "cipher_null-ecb") as $c
    | "== \($c)\(if $c == "aes-xts-plain64" then " (512-bit key)" else " (no encryption: framework cost)" end)",
      ("job" | l(20)) + ("raw brd" | f(15)) + ("crypt-def" | f(15)) + ("crypt-nowq" | f(15)) + ("veil" | f(15))
        + ("veil-noinline" | f(15))
        + ("v/def" | f(8)) + ("v/better" | f(14)) + ("v/raw" | f(8)) + ("vbest/better" | f(14)),
      ($m.jobs[] as $j
        | ($ra[$c][] | select(.job == $j)) as $x
        | ($j | l(20)) + ($r.raw[$j] | cell | f(15)) + ($r["\($c)/crypt-def"][$j] | cell | f(15))
          + ($r["\($c)/crypt-nowq"][$j] | cell | f(15)) + ($r["\($c)/veil"][$j] | cell | f(15))
          + ($r["\($c)/veil-noinline"][$j] | cell | f(15))
          + ($x.veil_vs_crypt_def | f(8))
          + ("\($x.veil_vs_better_crypt // "-")\(if $x.better_crypt_mode == "crypt-nowq" then "(nowq)" elif $x.better_crypt_mode == "crypt-def" then "(def)" else "" end)" | f(14))
          + ($x.veil_vs_raw | f(8))
          + ("\($x.better_veil_vs_better_crypt // "-")\(if $x.better_veil_mode == "veil-noinline" then "(noinl)" else "" end)" | f(14))),
      "latency p50 / p99 (us), median of rounds:",
      ($m.jobs[] | select(test("QD1$")) as $j
        | ("  " + $j | l(20))
          + ([("raw", "\($c)/crypt-def", "\($c)/crypt-nowq", "\($c)/veil", "\($c)/veil-noinline") as $k
              | $r[$k][$j] | if . == null then "-" else "\(.p50_us | floor)/\(.p99_us | floor)" end | f(15)] | add)),
      "" ),
  ( .cipher_limit | if . == null then "cipher limit: not measured" else
      "cipher limit (AF_ALG, one CPU, \(.cipher)): encrypt \(.one_cpu_encrypt_mibs) MiB/s, decrypt \(.one_cpu_decrypt_mibs) MiB/s; x \(.cpus) CPUs = write \(.guest_limit.write_mibs), read \(.guest_limit.read_mibs) MiB/s" end ),
  ( .geomean_better_veil_vs_better_crypt as $g
    | "each in its better mode per job (not a target): aes-xts geometric mean of veil / dm-crypt \($g // "-")" ),
  ( .unlock | if . == null then "unlock: not measured" else
      "unlock (\(.kdf)): veil open \(.veil_median_s) s, cryptsetup open \(.cryptsetup_median_s) s (medians of \(.veil_open_s | length))" end ),
  "",
  "targets:",
  ( .targets[] | "  \(if .met then "met   " else "MISSED" end) \(.value // "-" | tostring | l(7)) \(.target)" ),
  ( if (.missing | length) > 0 then "missing results: \(.missing | join(", "))" else empty end )
' "$s"
