#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Discards over a device whose discard limits are not multiples of veil's
# sector_size: scsi_debug with 512-byte unmap granularity and an odd maximum
# of 4095 blocks. dm splits a whole-device discard at the stacked limits; veil
# must advertise limits in whole 4096-byte units so that no piece starts or
# ends inside a unit, and blkdiscard of the whole device succeeds as it does
# through dm-crypt. Data outside a discarded range is untouched.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 64m

MiB=$((1024 * 1024))
if ! modprobe scsi_debug dev_size_mb=16 sector_size=512 lbpu=1 unmap_granularity=1 \
	unmap_max_blocks=4095 unmap_max_desc=1 lbprz=1; then
	fail "$T/setup" "modprobe scsi_debug failed"
	finish
	exit 1
fi
defer "modprobe -r scsi_debug"
settle
SD=
for d in /sys/bus/pseudo/drivers/scsi_debug/adapter*/host*/target*/*/block/*; do
	[ -e "$d" ] && SD=/dev/${d##*/}
done
[ -b "$SD" ] || { fail "$T/setup" "no scsi_debug disk appeared"; finish; exit 1; }
sdname=${SD#/dev/}
check_eq "$T/lower-granularity-512" "$(cat /sys/block/$sdname/queue/discard_granularity)" 512
check_eq "$T/lower-max-odd" "$(cat /sys/block/$sdname/queue/discard_max_bytes)" $((4095 * 512))

LEN=$(dev_sectors "$SD")
KEY=$(randhex 64)
V=$PFX-v
DEVICE=/dev/mapper/$V
randfile "$WORK/p" $((LEN * 512))

for target in veil crypt; do
	if [ "$target" = veil ]; then table=$(veil_table "$LEN" aes-xts-plain64 "$KEY" 0 "$SD" 0 allow_discards sector_size:4096)
	else table=$(crypt_table "$LEN" aes-xts-plain64 "$KEY" 0 "$SD" 0 allow_discards sector_size:4096); fi
	dm_create "$V" "$table" || { fail "$T/$target-create" "table refused"; continue; }
	dmname=$(basename "$(readlink -f "$DEVICE")")
	gran=$(cat "/sys/block/$dmname/queue/discard_granularity")
	max=$(cat "/sys/block/$dmname/queue/discard_max_bytes")
	if [ "$target" = veil ]; then
		if [ $((gran % 4096)) = 0 ] && [ "$gran" -gt 0 ]; then pass "$T/veil-granularity-whole-units"
		else fail "$T/veil-granularity-whole-units" "discard_granularity=$gran"; fi
		if [ $((max % 4096)) = 0 ] && [ "$max" -gt 0 ]; then pass "$T/veil-max-whole-units"
		else fail "$T/veil-max-whole-units" "discard_max_bytes=$max"; fi
	fi
	dd_to "$WORK/p" "$DEVICE" 1M || fail "$T/$target-fill" "write failed"
	kmsg_mark "$T-$target"
	# 3 MiB from 1 MiB in: several pieces of at most 4095 blocks each.
	check "$T/$target-blkdiscard-range" timeout 60 blkdiscard -o $MiB -l $((3 * MiB)) "$DEVICE"
	if dd_from "$DEVICE" "$WORK/r" $((LEN * 512)) 1M; then
		if cmp -s -n $MiB "$WORK/r" "$WORK/p" && cmp -s -i $((4 * MiB)) "$WORK/r" "$WORK/p"; then
			pass "$T/$target-data-outside-kept"
		else
			fail "$T/$target-data-outside-kept" "data outside the discarded range changed"
		fi
	else
		fail "$T/$target-data-outside-kept" "read failed"
	fi
	check "$T/$target-blkdiscard-whole-device" timeout 60 blkdiscard "$DEVICE"
	if [ "$target" = veil ]; then
		killed=$(kmsg_since "$T-$target" | grep -c 'not aligned to sector_size')
		check_eq "$T/veil-no-discard-killed" "$killed" 0
		check_eq "$T/veil-no-errors-counted" "$(dmsetup status "$V" | tr ' ' '\n' | sed -n 's/^errors=//p')" 0
	fi
	dm_remove "$V"
done

finish
