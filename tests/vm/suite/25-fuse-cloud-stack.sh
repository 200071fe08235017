#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The FUSE cloud stack: s3backer in test mode (its "bucket" a local
# directory) -> a loop device on its file -> veil -> ext4. Files written,
# everything unmounted and closed, then the whole stack rebuilt from the
# bucket alone: the checksums match, fsck is clean, and no plaintext ever
# reached the bucket.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 160m

KEY=$(randhex 64)
BUCKET=$WORK/bucket
S3=$WORK/s3
MNT=$WORK/mnt
V=$PFX-v
DEVICE=/dev/mapper/$V
MARKER="veil-s3-marker-$$-$(randhex 8)"
mkdir -p "$BUCKET" "$S3" "$MNT"
S3PID=
LOOP=

if ! command -v s3backer >/dev/null; then
	fail "$T/s3backer" "s3backer is not installed (mk/packages.txt lists it)"
	finish
	exit 1
fi
modprobe fuse 2>/dev/null

s3_up() {
	s3backer -f --test --blockSize=64k --size=64M --listBlocks "$BUCKET" "$S3" >"$WORK/s3backer.log" 2>&1 &
	S3PID=$!
	VEIL_WAIT_PIDS+=("$S3PID")  # the generic cleanup unmounts it, then waits
	local i
	for i in $(seq 1 120); do
		[ -f "$S3/file" ] && return 0
		kill -0 "$S3PID" 2>/dev/null || break
		sleep 0.5
	done
	sed 's/^/    | /' "$WORK/s3backer.log" | tail -n 10
	return 1
}
s3_down() {
	umount "$S3" || return
	timeout 120 tail --pid="$S3PID" -f /dev/null
	S3PID=
}
stack_up() { # stack_up: s3backer, loop, veil
	s3_up || return
	LOOP=$(losetup -f --show "$S3/file") || return
	dm_create "$V" "$(veil_table 131072 aes-xts-plain64 "$KEY" 0 "$LOOP" 0 sector_size:4096)"
}
stack_down() {
	dm_remove "$V" && losetup -d "$LOOP" && settle && s3_down
}

if stack_up; then
	pass "$T/stack-up"
	if mkfs.ext4 -q -F "$DEVICE" && mount "$DEVICE" "$MNT"; then
		for size in 1 4096 100000 $((5 * 1024 * 1024 + 7)); do head -c "$size" /dev/urandom >"$MNT/f$size"; done
		mkdir "$MNT/dir"
		for i in $(seq 1 50); do head -c $((RANDOM % 20000)) /dev/urandom >"$MNT/dir/s$i"; done
		for i in $(seq 1 1000); do echo "$MARKER"; done >"$MNT/marker.txt"
		(cd "$MNT" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$WORK/sums"
		umount "$MNT"
		pass "$T/write-files"
	else
		fail "$T/write-files" "mkfs or mount on the stack failed"
	fi
	if stack_down; then pass "$T/stack-down"; else fail "$T/stack-down" "could not close the stack"; fi
	nblocks=$(find "$BUCKET" -type f | wc -l)
	if [ "$nblocks" -gt 0 ]; then pass "$T/bucket-has-blocks"; else fail "$T/bucket-has-blocks" "the bucket is empty"; fi
	if grep -rqa "$MARKER" "$BUCKET"; then fail "$T/no-plaintext-in-bucket" "the marker is in the bucket"; else
		pass "$T/no-plaintext-in-bucket"; fi

	echo 3 >/proc/sys/vm/drop_caches
	if stack_up; then
		pass "$T/stack-reopen"
		if mount "$DEVICE" "$MNT"; then
			check "$T/checksums-after-reopen" bash -c "cd '$MNT' && sha256sum --quiet -c '$WORK/sums'"
			umount "$MNT"
		else
			fail "$T/checksums-after-reopen" "mount after reopening failed"
		fi
		check "$T/fsck-clean" e2fsck -fn "$DEVICE"
		if stack_down; then pass "$T/stack-down-2"; else fail "$T/stack-down-2" "could not close the stack"; fi
	else
		fail "$T/stack-reopen" "could not rebuild the stack from the bucket"
	fi
else
	fail "$T/stack-up" "s3backer, loop or veil failed"
fi

finish
