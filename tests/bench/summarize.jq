# SPDX-License-Identifier: GPL-2.0-or-later
# Turns the fio runs of tests/bench/guest.sh (jq -s over runs.jsonl) into
# summary.json: per configuration and job the median MiB/s, its spread and
# median latencies; the ratios the targets are stated in; and each target
# met or missed. Arguments: $meta (configs, jobs, run settings), $limit
# (one-CPU AF_ALG rates or null), $unlock (open times or null).

def median: sort | length as $n
	| if $n == 0 then null
	  elif $n % 2 == 1 then .[($n - 1) / 2]
	  else (.[$n / 2 - 1] + .[$n / 2]) / 2 end;
def r3: if . == null then null else (. * 1000 | round) / 1000 end;
def ratio($a; $b): if $a == null or $b == null or $b == 0 then null else ($a / $b | r3) end;
def stats: {
	n: length,
	median: (map(.mibs) | median | r3),
	min: (map(.mibs) | min | r3),
	max: (map(.mibs) | max | r3),
	p50_us: (map(.p50_us) | median | r3),
	p99_us: (map(.p99_us) | median | r3)
} | .spread_pct = (if .median > 0 then ((.max - .min) / .median * 100 | r3) else null end);
def geomean: if length == 0 or any(. == null or . <= 0) then null
	else (map(log) | add / length | exp | r3) end;

. as $runs
| $meta.configs as $configs
| $meta.jobs as $jobs
| (reduce $configs[] as $c ({};
	.[$c] = (reduce $jobs[] as $j ({};
		[$runs[] | select(.config == $c and .job == $j)] as $rs
		| if ($rs | length) > 0 then .[$j] = ($rs | stats) else . end)))) as $res
| def med($c; $j): $res[$c][$j].median // null;
  (reduce ("aes-xts-plain64", "cipher_null-ecb") as $cipher ({};
	.[$cipher] = [$jobs[] as $j
		| med("\($cipher)/veil"; $j) as $v
		| med("\($cipher)/veil-noinline"; $j) as $n
		| med("\($cipher)/crypt-def"; $j) as $d
		| med("\($cipher)/crypt-nowq"; $j) as $w
		| (if $d == null or $w == null then null elif $d >= $w then "crypt-def" else "crypt-nowq" end) as $best
		| (if $v == null or $n == null then null elif $v >= $n then "veil" else "veil-noinline" end) as $vbest
		| {job: $j, veil_vs_crypt_def: ratio($v; $d), better_crypt_mode: $best,
		   veil_vs_better_crypt: (if $best == null then null else ratio($v; [$d, $w] | max) end),
		   veil_vs_raw: ratio($v; med("raw"; $j)),
		   veil_noinline_vs_crypt_def: ratio($n; $d), better_veil_mode: $vbest,
		   better_veil_vs_better_crypt: (if $best == null or $vbest == null then null
			else ratio([$v, $n] | max; [$d, $w] | max) end)}])) as $ratios
| ($ratios["aes-xts-plain64"]) as $aes
| ($aes | map(.veil_vs_better_crypt) | geomean) as $gm
| ($aes | map(.better_veil_vs_better_crypt) | geomean) as $gm_modes
| (if $limit == null then null else {
	read_mibs: ($limit.one_cpu_decrypt_mibs * $limit.cpus | r3),
	write_mibs: ($limit.one_cpu_encrypt_mibs * $limit.cpus | r3)} end) as $cap
| (if $unlock == null then null else {
	veil_median_s: ($unlock.veil_open_s | median | r3),
	cryptsetup_median_s: ($unlock.cryptsetup_open_s | median | r3)} end) as $open
| {
	meta: $meta,
	results: $res,
	missing: [$configs[] as $c | $jobs[] as $j | select($res[$c][$j] == null) | "\($c) \($j)"],
	ratios: $ratios,
	# Not a target: each side in its better mode per job, the flags a user
	# would pick for that workload on either.
	geomean_better_veil_vs_better_crypt: $gm_modes,
	cipher_limit: (if $limit == null then null else $limit + {guest_limit: $cap} end),
	unlock: (if $unlock == null then null else $unlock + $open end),
	targets: [
		($aes[] | {target: "veil >= 1.0x better dm-crypt mode: \(.job)", value: .veil_vs_better_crypt,
			met: (.veil_vs_better_crypt != null and .veil_vs_better_crypt >= 1.0)}),
		{target: "geometric mean veil / better dm-crypt mode >= 1.15", value: $gm,
			met: ($gm != null and $gm >= 1.15)},
		($ratios["cipher_null-ecb"][] | select(.job | startswith("seq-"))
			| {target: "null-cipher veil >= 0.9x raw brd: \(.job)", value: .veil_vs_raw,
			   met: (.veil_vs_raw != null and .veil_vs_raw >= 0.9)}),
		({j: "seq-read-1M-QD8", cap: $cap.read_mibs?}, {j: "seq-write-1M-QD8", cap: $cap.write_mibs?}
			| ratio(med("aes-xts-plain64/veil"; .j); .cap) as $x
			| {target: "aes-xts veil >= 0.8x guest cipher limit (one CPU x CPUs): \(.j)",
			   value: $x, met: ($x != null and $x >= 0.8)}),
		(ratio($open.veil_median_s?; $open.cryptsetup_median_s?) as $x
			| {target: "veil open <= cryptsetup open (same argon2id)", value: $x,
			   met: ($x != null and $x <= 1.0)})
	]
}
