#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Discards: without allow_discards a veil device advertises no discard
# support, blkdiscard fails and the loop file keeps every allocated block;
# with allow_discards the discarded range becomes a hole in the loop file
# (fewer allocated blocks), and the data around it is untouched.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 64m

BYTES=$((8 * 1024 * 1024))
LEN=$((BYTES / 512))
FILE=$WORK/backing
LOOP=$(mkloop "$FILE" "$BYTES") || { fail "$T/setup" "no loop device"; exit 1; }
KEY=$(randhex 64)
V=$PFX-v
DEVICE=/dev/mapper/$V
MiB=$((1024 * 1024))
randfile "$WORK/p" "$BYTES"

allocated() { stat -c %b "$FILE"; }     # 512-byte blocks, per stat(1) %B
blocks_of() { echo $(($1 / $(stat -c %B "$FILE"))); }
fill() { dd_to "$WORK/p" "$DEVICE" 1M && sync; }

loopname=${LOOP#/dev/}
check "$T/loop-supports-discard" test "$(cat "/sys/block/$loopname/queue/discard_max_bytes")" -gt 0

# --- default: discards are refused and nothing is punched --------------------
if dm_create "$V" "$(veil_table $LEN aes-xts-plain64 "$KEY" 0 "$LOOP" 0)"; then
	fill
	dmname=$(basename "$(readlink -f "$DEVICE")")
	check_eq "$T/default-no-discard-advertised" "$(cat "/sys/block/$dmname/queue/discard_max_bytes")" 0
	full=$(allocated)
	check_fails "$T/default-blkdiscard-fails" timeout 60 blkdiscard "$DEVICE"
	check_fails "$T/default-blkdiscard-range-fails" timeout 60 blkdiscard -o $MiB -l $MiB "$DEVICE"
	sync
	check_eq "$T/default-allocation-kept" "$(allocated)" "$full"
	dd_from "$DEVICE" "$WORK/r" "$BYTES" 1M && same_bytes "$T/default-data-kept" "$WORK/r" "$WORK/p" ||
		fail "$T/default-data-kept" "read failed"
	dm_remove "$V"
else
	fail "$T/default-create" "veil refused the table"
fi

# --- allow_discards: a range discard punches a hole --------------------------
for ss in 512 4096; do
	if dm_create "$V" "$(veil_table $LEN aes-xts-plain64 "$KEY" 0 "$LOOP" 0 allow_discards "sector_size:$ss")"; then
		fill
		dmname=$(basename "$(readlink -f "$DEVICE")")
		adv=$(cat "/sys/block/$dmname/queue/discard_max_bytes")
		if [ "$adv" -gt 0 ]; then pass "$T/allow-advertised-$ss"; else fail "$T/allow-advertised-$ss" "discard_max_bytes=$adv"; fi
		full=$(allocated)
		check "$T/allow-blkdiscard-range-$ss" timeout 60 blkdiscard -o $((2 * MiB)) -l $((3 * MiB)) "$DEVICE"
		sync
		now=$(allocated)
		freed=$((full - now))
		# 3 MiB discarded: at least most of it must be freed in the file.
		if [ "$freed" -ge "$(blocks_of $((2 * MiB)))" ]; then
			pass "$T/allow-hole-punched-$ss"
		else
			fail "$T/allow-hole-punched-$ss" "allocated $full -> $now blocks after a 3 MiB discard"
		fi
		# Everything outside the range is still there.
		if dd_from "$DEVICE" "$WORK/r" "$BYTES" 1M; then
			cmp -s -n $((2 * MiB)) "$WORK/r" "$WORK/p" &&
				cmp -s -i $((5 * MiB)) "$WORK/r" "$WORK/p" &&
				pass "$T/allow-data-outside-kept-$ss" ||
				fail "$T/allow-data-outside-kept-$ss" "data outside the discarded range changed"
		else
			fail "$T/allow-data-outside-kept-$ss" "read failed"
		fi
		# The whole device, then the file is (nearly) empty.
		check "$T/allow-blkdiscard-all-$ss" timeout 60 blkdiscard "$DEVICE"
		sync
		now=$(allocated)
		if [ "$now" -le "$(blocks_of $MiB)" ]; then pass "$T/allow-all-punched-$ss"; else
			fail "$T/allow-all-punched-$ss" "still $now blocks allocated after discarding everything"; fi
		dm_remove "$V"
	else
		fail "$T/allow-create-$ss" "veil refused allow_discards"
	fi
done

finish
