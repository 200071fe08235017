#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bounded memory over a slow backend: veil over dm-delay (every write held
# 200 ms, as a remote or cloud store would), and twice the guest's RAM of
# buffered writes. Writeback keeps sending dirty pages while earlier writes
# are still held below, so whatever veil allocates per write in flight piles
# up; it must stay bounded: MemFree never falls below the min watermark plus
# a margin, the writes complete, no task hangs, no kernel warning, no OOM.
# Then fio's verify over the same kind of stack, still in the reduced RAM,
# must stay green.
#
# The RAM is first cut down to about 256 MiB available with reserved huge
# pages, so "twice the RAM" is under 1 GiB of data.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$REPO/tests/vm/lib/memory.sh"
setup 64m

writeback_script_start

# --- 2x RAM of buffered writes over zero <- delay(200 ms writes) <- veil -----
bytes=$((2 * RAM_KIB * 1024 / MiB * MiB))
len=$((bytes / 512))
Z=$PFX-zero D=$PFX-delay V=$PFX-v
dm_create "$Z" "0 $len zero" &&
dm_create "$D" "0 $len delay /dev/mapper/$Z 0 0 /dev/mapper/$Z 0 200" &&
dm_create "$V" "$(veil_table $len aes-xts-plain64 "$KEY" 0 /dev/mapper/$D 0 sector_size:4096)" ||
	{ fail "$T/stack" "cannot build zero <- delay <- veil"; finish; exit 1; }

wmin=$(watermark_kib min) wlow=$(watermark_kib low) floor=$(memfree_floor_kib)
echo "# writing $((bytes / MiB)) MiB buffered; watermarks min $wmin KiB, low $wlow KiB; floor $floor KiB"
zero_write_checked "$T" "$T-writeback" "$bytes" "$floor" "$wmin"
dm_remove_all "$V" "$D" "$Z"

# --- fio verify over brd <- delay(200 ms writes) <- veil ---------------------
vbytes=$((48 * MiB))
slow_brd_stack "$vbytes"
out=$(timeout 900 fio --name=slow --filename=/dev/mapper/$V --thread --size=$vbytes \
	--rw=randwrite --bsrange=4k-1M \
	--direct=0 --ioengine=psync --fsync_on_close=1 --verify=crc32c --verify_fatal=1 \
	--do_verify=1 --randrepeat=1 --group_reporting --output-format=terse --terse-version=3 2>&1)
rc=$?
readk=$(printf '%s\n' "$out" | awk -F';' '$1 == 3 { s += $6 } END { print s + 0 }')
if [ "$rc" -ne 0 ]; then
	printf '%s\n' "$out" | tail -n 15 | sed 's/^/    | /'
	fail "$T/fio-verify" "fio exit $rc"
elif [ "$readk" -le 0 ]; then
	fail "$T/fio-verify" "fio read nothing back, so verified nothing"
else
	pass "$T/fio-verify"
fi
finish
