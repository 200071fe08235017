#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A filesystem on veil: mkfs.ext4, files of many sizes and a tree of small
# ones, checksums verified after a remount and after the mapping is torn
# down and rebuilt, a clean e2fsck -fn, the same filesystem readable through
# dm-crypt with the same key, and no plaintext on the backing device.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 192m

MiB=$((1024 * 1024))
BYTES=$((128 * MiB))
LEN=$((BYTES / 512))
LOOP=$(mkloop "$WORK/backing" "$BYTES") || { fail "$T/setup" "no loop device"; exit 1; }
KEY=$(randhex 64)
V=$PFX-v
DEVICE=/dev/mapper/$V
MNT=$WORK/mnt
mkdir -p "$MNT"
MARKER="veil-plaintext-marker-$$-$(randhex 8)"

for ss in 4096 512; do
	opts=("sector_size:$ss")
	[ "$ss" = 512 ] && opts=()
	table=$(veil_table $LEN aes-xts-plain64 "$KEY" 0 "$LOOP" 0 "${opts[@]}")
	n=ext4-ss$ss
	if ! dm_create "$V" "$table"; then
		fail "$T/$n/create" "veil refused the table"
		continue
	fi
	if ! mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$DEVICE" ||
		! mount "$DEVICE" "$MNT"; then
		fail "$T/$n/mount" "mkfs or mount failed"
		dm_remove "$V"
		continue
	fi
	# Files of many sizes, a tree of small files, a file with a known marker.
	for size in 0 1 511 512 4095 4096 4097 65536 1000000 $((3 * MiB + 123)) $((16 * MiB)); do
		head -c "$size" /dev/urandom >"$MNT/f$size"
	done
	mkdir -p "$MNT/tree"
	for i in $(seq 1 150); do head -c $((RANDOM % 9000)) /dev/urandom >"$MNT/tree/s$i"; done
	for i in $(seq 1 2000); do echo "$MARKER"; done >"$MNT/marker.txt"
	# Overwrite the middle of a big file in place.
	dd if=/dev/urandom of="$MNT/f$((16 * MiB))" bs=4k seek=777 count=300 conv=notrunc status=none
	(cd "$MNT" && find . -type f ! -name sums -print0 | sort -z | xargs -0 sha256sum) >"$WORK/sums"
	sync
	umount "$MNT"

	# Remount: the data comes back from the device.
	echo 3 >/proc/sys/vm/drop_caches
	if mount "$DEVICE" "$MNT"; then
		check "$T/$n/checksums-after-remount" bash -c "cd '$MNT' && sha256sum --quiet -c '$WORK/sums'"
		umount "$MNT"
	else
		fail "$T/$n/remount" "mount failed"
	fi
	check "$T/$n/fsck-clean" e2fsck -fn "$DEVICE"
	dm_remove "$V"

	# The ciphertext on the backing device shows no plaintext.
	if grep -qa "$MARKER" "$WORK/backing"; then
		fail "$T/$n/no-plaintext-on-backing" "the marker is readable on the backing file"
	else
		pass "$T/$n/no-plaintext-on-backing"
	fi

	# A new mapping with the same key, and dm-crypt with the same key.
	for tgt in "$TARGET" crypt; do
		t=${table/ $TARGET / $tgt }
		if dm_create "$PFX-$tgt" "$t" && mount -o ro "/dev/mapper/$PFX-$tgt" "$MNT"; then
			check "$T/$n/checksums-via-$tgt" bash -c "cd '$MNT' && sha256sum --quiet -c '$WORK/sums'"
			umount "$MNT"
		else
			fail "$T/$n/checksums-via-$tgt" "could not map and mount"
		fi
		dm_remove_all "$PFX-$tgt"
	done
done

finish
