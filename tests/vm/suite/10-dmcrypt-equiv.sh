#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dm-veil writes exactly the ciphertext dm-crypt writes, and reads what
# dm-crypt wrote, for every cipher, key size, sector size, IV option,
# iv_offset (including one crossing 2^32) and device offset they share.
#
# Each case uses two backing files filled with the same junk: the same random
# plaintext goes through veil on one and through dm-crypt on the other, and
# the two backing files must then be identical, offset region included.
# Then dm-crypt writes fresh plaintext and veil must read it back.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 64m

DATA=$((1024 * 1024))            # bytes written per case
MAXOFF=2056                      # largest device offset used, in sectors
FILE_BYTES=$((MAXOFF * 512 + DATA))
BIG_IVOFF=$(((1 << 32) - 8))     # the first 8 sectors sit below 2^32

head -c "$FILE_BYTES" /dev/urandom >"$WORK/junk"
cp "$WORK/junk" "$WORK/a" && cp "$WORK/junk" "$WORK/b"
LA=$(mkloop "$WORK/a" "$FILE_BYTES") && LB=$(mkloop "$WORK/b" "$FILE_BYTES") || {
	fail "$T/setup" "cannot attach loop devices"
	exit 1
}

# run_case NAME CIPHER KEYBYTES IVOFF OFFSET [OPTS...]
# Three mappings at once: veil on A, dm-crypt on B, and veil on B.
run_case() {
	local name=$1 cipher=$2 keybytes=$3 ivoff=$4 off=$5
	shift 5
	local key len=$((DATA / 512))
	key=$(randhex "$keybytes")
	cp "$WORK/junk" "$WORK/a" && cp "$WORK/junk" "$WORK/b"
	randfile "$WORK/p1" "$DATA"
	randfile "$WORK/p2" "$DATA"

	local va cb vb
	if ! dm_fast_create "$PFX-va" "$(veil_table $len "$cipher" "$key" "$ivoff" "$LA" "$off" "$@")"; then
		fail "$T/$name/create" "veil refused: $(veil_table $len "$cipher" - "$ivoff" "$LA" "$off" "$@")"
		return
	fi
	va=$DM_DEV
	if ! dm_fast_create "$PFX-cb" "$(crypt_table $len "$cipher" "$key" "$ivoff" "$LB" "$off" "$@")" || ! cb=$DM_DEV ||
		! dm_fast_create "$PFX-vb" "$(veil_table $len "$cipher" "$key" "$ivoff" "$LB" "$off" "$@")"; then
		fail "$T/$name/create-b" "could not map B with dm-crypt and veil"
		dm_remove_all "$PFX-va" "$PFX-cb" "$PFX-vb"
		return
	fi
	vb=$DM_DEV
	if dd_to "$WORK/p1" "$va" && dd_to "$WORK/p1" "$cb"; then
		same_bytes "$T/$name/ciphertext-equals-dm-crypt" "$WORK/a" "$WORK/b"
		if cmp -s "$WORK/a" "$WORK/junk"; then
			fail "$T/$name/backing-written" "the backing file did not change"
		fi
		if dd_from "$va" "$WORK/r1" "$DATA"; then
			same_bytes "$T/$name/roundtrip" "$WORK/r1" "$WORK/p1"
		else
			fail "$T/$name/roundtrip" "read through veil failed"
		fi
	else
		fail "$T/$name/write" "a write through veil or dm-crypt failed"
	fi
	# dm-crypt writes new data; veil on the same backing must read it.
	if dd_to "$WORK/p2" "$cb" && dd_from "$vb" "$WORK/r2" "$DATA"; then
		same_bytes "$T/$name/reads-dm-crypt-data" "$WORK/r2" "$WORK/p2"
	else
		fail "$T/$name/reads-dm-crypt-data" "write through dm-crypt or read through veil failed"
	fi
	dm_fast_remove "$PFX-va" "$PFX-cb" "$PFX-vb" || dm_remove_all "$PFX-va" "$PFX-cb" "$PFX-vb"
	rm -f "$WORK/p1" "$WORK/p2" "$WORK/r1" "$WORK/r2"
}

# The aes-xts-plain64 matrix: 2 key sizes x 2 sector sizes x iv_large_sectors
# off/on x 2 iv_offsets x 2 device offsets.
for keybytes in 32 64; do
	for ss in 512 4096; do
		for large in 0 1; do
			for ivoff in 0 "$BIG_IVOFF"; do
				for off in 0 "$MAXOFF"; do
					opts=()
					[ "$ss" != 512 ] && opts+=("sector_size:$ss")
					[ "$large" = 1 ] && opts+=(iv_large_sectors)
					run_case "xts$((keybytes * 4))-ss$ss-large$large-iv$ivoff-off$off" \
						aes-xts-plain64 "$keybytes" "$ivoff" "$off" "${opts[@]}"
				done
			done
		done
	done
done

# An odd device offset is legal at 512-byte sectors.
run_case "xts256-ss512-off1001" aes-xts-plain64 32 0 1001
# sector_size given explicitly as 512 means the default.
run_case "xts256-ss512-explicit" aes-xts-plain64 32 8 8 sector_size:512
# The middle sector sizes.
run_case "xts512-ss1024-large1" aes-xts-plain64 64 "$BIG_IVOFF" 2 sector_size:1024 iv_large_sectors
run_case "xts256-ss2048" aes-xts-plain64 32 "$BIG_IVOFF" 4 sector_size:2048

# aes-xts-plain: a 32-bit IV, so the 2^32 crossing wraps (unlike plain64).
run_case "xts-plain-iv0" aes-xts-plain 32 0 0
run_case "xts-plain-wrap" aes-xts-plain 32 "$BIG_IVOFF" 0
run_case "xts-plain-wrap-ss4096" aes-xts-plain 64 "$BIG_IVOFF" "$MAXOFF" sector_size:4096

# aes-cbc-essiv:sha256 with each AES key size.
run_case "cbc-essiv-128" aes-cbc-essiv:sha256 16 0 0
run_case "cbc-essiv-192" aes-cbc-essiv:sha256 24 "$BIG_IVOFF" "$MAXOFF"
run_case "cbc-essiv-256-ss4096" aes-cbc-essiv:sha256 32 "$BIG_IVOFF" 0 sector_size:4096 iv_large_sectors

# Adiantum.
run_case "adiantum" xchacha12,aes-adiantum-plain64 32 0 0
run_case "adiantum-ss4096-wrap" xchacha12,aes-adiantum-plain64 32 "$BIG_IVOFF" "$MAXOFF" sector_size:4096
run_case "adiantum-ss4096-large" xchacha12,aes-adiantum-plain64 32 "$BIG_IVOFF" 8 sector_size:4096 iv_large_sectors

finish
