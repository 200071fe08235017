#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Side-by-side benchmark of dm-veil against stock dm-crypt, run in the guest
# by `make bench`. Both map the same brd device with the same cipher, key and
# sector size; the jobs are those LANE-NOTES.md measured for dm-crypt. Runs
# are interleaved (veil, crypt, veil, crypt...) and repeated, because two runs
# of one configuration differ by several percent under TCG; the median is shown.
#   VEIL_BENCH_RUNTIME=S (default 8)  VEIL_BENCH_REPEAT=N (default 3)
#   VEIL_BENCH_CIPHER=aes-xts-plain64  VEIL_BENCH_KEYBYTES=64
set -euo pipefail
runtime=${VEIL_BENCH_RUNTIME:-8}
repeat=${VEIL_BENCH_REPEAT:-3}
cipher=${VEIL_BENCH_CIPHER:-aes-xts-plain64}
keybytes=${VEIL_BENCH_KEYBYTES:-64}
size_mib=256
sectors=$((size_mib * 2048))

cleanup() {
	dmsetup remove --retry bench-veil >/dev/null 2>&1 || true
	dmsetup remove --retry bench-crypt >/dev/null 2>&1 || true
	rmmod brd 2>/dev/null || true
}
trap cleanup EXIT

modprobe dm-veil
modprobe brd rd_nr=2 rd_size=$((size_mib * 1024))
key=$(head -c "$keybytes" /dev/urandom | od -An -tx1 | tr -d ' \n')
dmsetup create bench-veil  --table "0 $sectors veil  $cipher $key 0 /dev/ram0 0 1 sector_size:4096"
dmsetup create bench-crypt --table "0 $sectors crypt $cipher $key 0 /dev/ram1 0 1 sector_size:4096"
udevadm settle
# Fill both so reads measure decryption, not brd's zero pages.
for t in veil crypt; do
	fio --name=fill --filename=/dev/mapper/bench-$t --rw=write --bs=1M --direct=1 \
		--ioengine=libaio --iodepth=8 --size=${size_mib}M >/dev/null
done

jobs=(
	"4K-QD1-randread   --rw=randread  --bs=4k --iodepth=1"
	"4K-QD1-randwrite  --rw=randwrite --bs=4k --iodepth=1"
	"4K-QD32-randwrite --rw=randwrite --bs=4k --iodepth=32"
	"1M-QD8-read       --rw=read      --bs=1M --iodepth=8"
	"1M-QD8-write      --rw=write     --bs=1M --iodepth=8"
)

# fio_mibs TARGET ARGS...: bandwidth in MiB/s of one timed run.
fio_mibs() {
	local target=$1
	shift
	fio --name=bench --filename=/dev/mapper/bench-$target --direct=1 --ioengine=libaio \
		--time_based --runtime="$runtime" --size=${size_mib}M --output-format=json "$@" |
	jq '[.jobs[0].read.bw, .jobs[0].write.bw] | add / 102.4 | floor / 10'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

printf '%s, %s, 4096-byte sectors, %s s x %s runs interleaved (median MiB/s)\n' \
	"$cipher" "$((keybytes * 8))-bit key" "$runtime" "$repeat"
printf '%-18s %10s %10s %8s\n' job dm-veil dm-crypt ratio
for job in "${jobs[@]}"; do
	read -r name args <<< "$job"
	veil=() crypt=()
	for _ in $(seq "$repeat"); do
		# shellcheck disable=SC2086
		veil+=("$(fio_mibs veil $args)")
		# shellcheck disable=SC2086
		crypt+=("$(fio_mibs crypt $args)")
	done
	v=$(printf '%s\n' "${veil[@]}" | median)
	c=$(printf '%s\n' "${crypt[@]}" | median)
	printf '%-18s %10s %10s %8s\n' "$name" "$v" "$c" "$(echo "$v $c" | awk '{ printf "%.2f", $2 > 0 ? $1 / $2 : 0 }')"
done
