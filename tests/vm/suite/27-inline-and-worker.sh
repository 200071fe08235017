#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Small bios are converted inline (a write in the submitter's context, a
# read where the device below completes it), larger ones in the crypto
# workers (io.c, VEIL_INLINE_MAX_BYTES = 64 KiB), and a bio of 256 KiB or
# more, alone on the device, is cut into chunks converted on several CPUs
# at once (convert.c, VEIL_CHUNK_MIN_BYTES = 128 KiB, one chunk per CPU).
# All three must write dm-crypt's ciphertext and read dm-crypt's data back.
#
# For each backend (brd completes a bio in its submitter's task, loop in its
# own kernel thread: both let the read side decrypt inline), sector size and
# cipher: one plaintext goes through veil in direct I/O pieces of 4 KiB and
# 64 KiB (inline), 128 KiB (worker), 260 KiB and 1000 KiB (chunks; 260 KiB
# halves into chunks that are not whole 4096-byte units, so the first is
# rounded up), one at a time, and through dm-crypt in 1 MiB pieces onto a
# twin device with the same junk; the two devices must be identical. veil
# reads it back in 4 KiB, 1 MiB and 1000 KiB pieces; then dm-crypt writes new
# data, and veil reads it in 4 KiB and 128 KiB pieces. One more case per
# backend maps veil with no_inline, which sends every bio to the workers.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 96m

KiB=1024 MiB=$((1024 * 1024))
DATA=$((4 * MiB))
LEN=$((DATA / 512))
# The plaintext's layout: OFFSET:LENGTH:BLOCKSIZE, in KiB.
PIECES="0:512:4 512:512:64 1024:512:128 1536:1560:260 3096:1000:1000"

# put FILE DEV: FILE onto DEV, each piece of $PIECES in its own block size.
put() {
	local p off len bs
	for p in $PIECES; do
		IFS=: read -r off len bs <<<"$p"
		timeout 120 dd if="$1" of="$2" bs=$((bs * KiB)) skip=$((off * KiB)) seek=$((off * KiB)) \
			count=$((len / bs)) iflag=skip_bytes oflag=direct,seek_bytes conv=notrunc status=none || return
	done
}
# get DEV FILE BS: DATA bytes of DEV into FILE, in BS-byte reads (the last may be short).
get() { timeout 120 dd if="$1" of="$2" bs="$3" count=$(((DATA + $3 - 1) / $3)) iflag=direct status=none; }

# Chunks need a second CPU (the lane's guests have 2).
if [ "$(nproc)" -lt 2 ]; then
	skip "$T/chunks" "one CPU online: no bio is cut into chunks, the 260 KiB and 1000 KiB pieces take the worker path"
fi

head -c "$DATA" /dev/urandom >"$WORK/junk"
randfile "$WORK/p1" "$DATA"
randfile "$WORK/p2" "$DATA"

# run_case NAME DEV_A DEV_B CIPHER KEYBYTES [OPTS...]; no_inline goes to
# veil's tables only (dm-crypt does that by default).
run_case() {
	local name=$1 a=$2 b=$3 cipher=$4 keybytes=$5 key bs o copts=()
	shift 5
	for o in "$@"; do [ "$o" = no_inline ] || copts+=("$o"); done
	key=$(randhex "$keybytes")
	if ! dd if="$WORK/junk" of="$a" bs=1M oflag=direct status=none ||
		! dd if="$WORK/junk" of="$b" bs=1M oflag=direct status=none; then
		fail "$T/$name/setup" "cannot fill the backing devices"
		return
	fi
	if ! dm_create "$PFX-va" "$(veil_table $LEN "$cipher" "$key" 0 "$a" 0 "$@")" ||
		! dm_create "$PFX-cb" "$(crypt_table $LEN "$cipher" "$key" 0 "$b" 0 "${copts[@]}")"; then
		fail "$T/$name/create" "could not map veil on $a and dm-crypt on $b"
		dm_remove_all "$PFX-va" "$PFX-cb"
		return
	fi
	if put "$WORK/p1" /dev/mapper/$PFX-va &&
		timeout 120 dd if="$WORK/p1" of=/dev/mapper/$PFX-cb bs=1M oflag=direct status=none; then
		dd if="$a" of="$WORK/ca" bs=1M count=$((DATA / MiB)) iflag=direct status=none
		dd if="$b" of="$WORK/cb" bs=1M count=$((DATA / MiB)) iflag=direct status=none
		same_bytes "$T/$name/ciphertext-equals-dm-crypt" "$WORK/ca" "$WORK/cb"
		cmp -s "$WORK/ca" "$WORK/junk" && fail "$T/$name/backing-written" "the backing device did not change"
		for bs in 4096 $MiB $((1000 * KiB)); do
			if get /dev/mapper/$PFX-va "$WORK/r" "$bs"; then
				same_bytes "$T/$name/roundtrip-bs$bs" "$WORK/r" "$WORK/p1"
			else
				fail "$T/$name/roundtrip-bs$bs" "read through veil failed"
			fi
		done
	else
		fail "$T/$name/write" "a write through veil or dm-crypt failed"
	fi
	dm_remove_all "$PFX-va"
	# dm-crypt writes new data on B; veil on B reads it.
	if timeout 120 dd if="$WORK/p2" of=/dev/mapper/$PFX-cb bs=1M oflag=direct status=none &&
		dm_create "$PFX-vb" "$(veil_table $LEN "$cipher" "$key" 0 "$b" 0 "$@")"; then
		for bs in 4096 $((128 * KiB)); do
			if get /dev/mapper/$PFX-vb "$WORK/r" "$bs"; then
				same_bytes "$T/$name/reads-dm-crypt-data-bs$bs" "$WORK/r" "$WORK/p2"
			else
				fail "$T/$name/reads-dm-crypt-data-bs$bs" "read through veil failed"
			fi
		done
	else
		fail "$T/$name/reads-dm-crypt-data" "write through dm-crypt or mapping veil on it failed"
	fi
	dm_remove_all "$PFX-vb" "$PFX-cb"
	rm -f "$WORK/ca" "$WORK/cb" "$WORK/r"
}

run_backend() {
	local be=$1 a=$2 b=$3
	run_case "$be-xts512-ss512" "$a" "$b" aes-xts-plain64 64
	run_case "$be-xts256-ss4096" "$a" "$b" aes-xts-plain64 32 sector_size:4096
	run_case "$be-essiv-ss4096-large" "$a" "$b" aes-cbc-essiv:sha256 32 sector_size:4096 iv_large_sectors
	run_case "$be-adiantum-ss512" "$a" "$b" xchacha12,aes-adiantum-plain64 32
	# Every bio on the workers, the small ones included.
	run_case "$be-xts256-ss4096-no_inline" "$a" "$b" aes-xts-plain64 32 sector_size:4096 no_inline
}

# brd: two RAM disks of DATA bytes.
if brd_load 2 $((DATA / KiB)); then
	run_backend brd /dev/ram0 /dev/ram1
	dm_remove_all "$PFX-va" "$PFX-vb" "$PFX-cb"
	rmmod brd 2>/dev/null
fi

# loop: two files on the script's tmpfs.
if la=$(mkloop "$WORK/la" "$DATA") && lb=$(mkloop "$WORK/lb" "$DATA"); then
	run_backend loop "$la" "$lb"
else
	fail "$T/loop" "cannot attach loop devices"
fi
finish
