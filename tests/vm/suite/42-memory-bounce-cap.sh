#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The write bounce pages are capped (bounce.c: 2% of RAM shared by the veil
# devices, at least 16 whole writes each), and a writer past the cap waits
# for pages to come back instead of failing or deadlocking.
#
# Script 40 writes with the kernel's default dirty limits; here they are
# raised to 40% of the RAM (20% for background writeback), so writeback may
# put far more data in flight below veil than the cap allows, and an
# uncapped pool would copy all of it and drain MemFree to the min
# watermark. Twice the RAM goes through veil over dm-delay with the null
# cipher and writes held 1 s (script 40 does the same with AES and writes
# held 200 ms, at the default limits); then deep queues of direct writes
# held 2 s, the load that needs the cap (see there). Each time MemFree stays above the min watermark plus a
# margin, no task hangs, no OOM, every byte is counted.
# Then a buffered write of random data over brd <- delay <- veil, still
# with the raised limits, is read back (direct, past the page cache) and
# must hash the same.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$REPO/tests/vm/lib/memory.sh"
setup 64m

writeback_script_start

# Dirty limits in bytes, so they do not depend on how the kernel counts the
# reserved huge pages; the ratios are restored last (which clears the bytes).
for f in dirty_ratio dirty_background_ratio dirty_bytes dirty_background_bytes; do
	defer "echo $(cat /proc/sys/vm/$f) >/proc/sys/vm/$f"
done
echo $((RAM_KIB * 1024 * 2 / 5)) >/proc/sys/vm/dirty_bytes
echo $((RAM_KIB * 1024 / 5)) >/proc/sys/vm/dirty_background_bytes
echo "# dirty limit $((RAM_KIB * 2 / 5 / 1024)) MiB, background $((RAM_KIB / 5 / 1024)) MiB"

# bulk_write NAME CIPHER KEY DELAY_MS: 2x RAM buffered over
# zero <- delay <- veil, with the checks above.
bytes=$((2 * RAM_KIB * 1024 / MiB * MiB))
len=$((bytes / 512))
wmin=$(watermark_kib min) wlow=$(watermark_kib low) floor=$(memfree_floor_kib)
Z=$PFX-zero D=$PFX-delay V=$PFX-v
bulk_write() {
	local name=$1 cipher=$2 key=$3 delay=$4
	if ! dm_create "$Z" "0 $len zero" ||
		! dm_create "$D" "0 $len delay /dev/mapper/$Z 0 0 /dev/mapper/$Z 0 $delay" ||
		! dm_create "$V" "$(veil_table $len "$cipher" "$key" 0 /dev/mapper/$D 0 sector_size:4096)"; then
		fail "$T/$name/stack" "cannot build zero <- delay <- veil"
		dm_remove_all "$V" "$D" "$Z"
		return
	fi
	echo "# $name: $cipher, writes held $delay ms; writing $((bytes / MiB)) MiB buffered;" \
		"watermarks min $wmin KiB, low $wlow KiB; floor $floor KiB"
	zero_write_checked "$T/$name" "$T-$name" "$bytes" "$floor" "$wmin"
	dm_remove_all "$V" "$D" "$Z"
}

# Under TCG, AES runs at tens of MiB/s, and the data in flight below veil is
# about that rate times the delay: a few MiB at 200 ms (script 40). The null
# cipher copies as fast as writeback sends, so with writes held 1 s the
# dirty limit, not the cipher, sets what is in flight: there an uncapped
# pool takes as much again as the page cache holds.
bulk_write null cipher_null-ecb - 1000

# --- direct I/O, deep queues, null cipher, writes held 2 s -------------------
# Measured under TCG, neither load above puts enough in flight to need the
# cap (writeback throttles itself first). Direct I/O does: every write in
# flight holds the caller's buffer and, uncapped, as much again in bounce
# pages. Two jobs of 72 writes of 1 MiB hold 144 MiB of buffers; uncapped,
# 288 MiB are more than the RAM left, while the cap (2% of RAM, at least
# 16 MiB) keeps the total well inside it.
dbytes=$((512 * MiB))
dlen=$((dbytes / 512))
if dm_create "$Z" "0 $dlen zero" &&
	dm_create "$D" "0 $dlen delay /dev/mapper/$Z 0 0 /dev/mapper/$Z 0 2000" &&
	dm_create "$V" "$(veil_table $dlen cipher_null-ecb - 0 /dev/mapper/$D 0 sector_size:4096)"; then
	echo "# direct: 2 jobs x 72 x 1 MiB in flight, writes held 2000 ms; floor $floor KiB"
	kmsg_mark "$T-direct"
	memfree_watch_start
	out=$(timeout 900 fio --name=deep --filename=/dev/mapper/$V --rw=write --bs=1M --direct=1 \
		--ioengine=libaio --iodepth=72 --numjobs=2 --offset_increment=$((dbytes / 2)) \
		--size=$((dbytes / 2)) --group_reporting --output-format=terse --terse-version=3 2>&1)
	rc=$?
	memfree_watch_stop
	echo "# direct: lowest MemFree while writing: $MEMFREE_LOWEST KiB"
	if [ "$rc" -eq 0 ]; then
		pass "$T/direct/writes-complete"
	else
		printf '%s\n' "$out" | tail -n 10 | sed 's/^/    | /'
		fail "$T/direct/writes-complete" "fio exit $rc"
	fi
	memory_run_checks "$T/direct" "$V" "$dbytes" "$T-direct" "$floor" "$wmin"
else
	fail "$T/direct/stack" "cannot build zero <- delay <- veil"
fi
dm_remove_all "$V" "$D" "$Z"

# --- random data, buffered, over brd <- delay(200 ms writes) <- veil ---------
vbytes=$((48 * MiB))
slow_brd_stack "$vbytes"
randfile "$WORK/data" "$vbytes"
want=$(sha256sum <"$WORK/data" | cut -d' ' -f1)
if timeout 900 dd if="$WORK/data" of=/dev/mapper/$V bs=1M conv=fsync status=none; then
	echo 3 >/proc/sys/vm/drop_caches
	got=$(timeout 300 dd if=/dev/mapper/$V bs=1M iflag=direct status=none | sha256sum | cut -d' ' -f1)
	check_eq "$T/readback-hash" "$got" "$want"
else
	fail "$T/readback-hash" "the buffered write failed"
fi
rm -f "$WORK/data"
finish
