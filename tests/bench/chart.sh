#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/chart.sh SUMMARY.json OUT.png: bars of median MiB/s per job and
# configuration, whiskers from the slowest to the fastest round, one panel
# per cipher; a log scale, since 4K QD1 and 1M QD8 differ tenfold.
set -euo pipefail
s=$1 png=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for c in aes-xts-plain64 cipher_null-ecb; do
	jq -r --arg c "$c" '.results as $r | .meta.jobs[] as $j
		| [$j] + ([("raw", "\($c)/crypt-def", "\($c)/crypt-nowq", "\($c)/veil", "\($c)/veil-noinline") as $k
			| ($r[$k][$j] // {median: 0, min: 0, max: 0}) | .median, .min, .max])
		| map(tostring) | join(" ")' "$s" > "$dir/$c.dat"
done
title=$(jq -r '.meta | "veil benchmark: \(.guest_cpus) CPUs, \(.rounds) rounds of \(.runtime_s) s, median and range"' "$s")
gnuplot <<GP
set terminal pngcairo size 1400,1000 font ",10"
set output "$png"
set multiplot layout 2,1 title "$title"
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "MiB/s"
set yrange [1:*]
set key outside right top noenhanced
set xtics noenhanced
set grid ytics
do for [c in "aes-xts-plain64 cipher_null-ecb"] {
	set title c noenhanced
	plot "$dir/".c.".dat" using 2:3:4:xtic(1) title "raw brd", \
	     "" using 5:6:7 title "dm-crypt default", \
	     "" using 8:9:10 title "dm-crypt no workqueues", \
	     "" using 11:12:13 title "dm-veil", \
	     "" using 14:15:16 title "dm-veil no_inline"
}
unset multiplot
GP
