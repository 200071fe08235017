#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# IEEE 1619 XTS-AES known answers through dm-veil: each 512-byte vector's
# ciphertext is placed raw on the backing device and read through veil, with
# the data unit number given once by iv_offset and once by the position on
# the device; writing the plaintext through veil must produce the ciphertext.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 16m

VECTORS=$REPO/tests/vectors/xts-aes-ieee1619.txt
REQUIRED="4 5 10"
FILE_BYTES=$((512 * 512))

if [ ! -r "$VECTORS" ]; then
	fail "$T/vectors" "missing $VECTORS"
	finish
	exit 1
fi
LOOP=$(mkloop "$WORK/backing" "$FILE_BYTES") || { fail "$T/setup" "no loop device"; exit 1; }

# field LINE NAME: the value of NAME=... in a vector line.
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# put_raw HEXDATA SECTOR: writes bytes at a 512-byte sector of the backing file.
put_raw() { hex2bin "$1" | dd of="$WORK/backing" bs=512 seek="$2" conv=notrunc status=none; }
get_raw() { dd if="$WORK/backing" bs=512 skip="$1" count=1 status=none | bin2hex; }
# read_sector DEV SECTOR: one 512-byte sector through a mapping, as hex.
read_sector() { timeout 60 dd if="$1" bs=512 skip="$2" count=1 iflag=direct status=none | bin2hex; }

# kat NAME CIPHER KEY IVOFF POS LEN PT CT: ct placed at POS (sector) and read
# through a mapping of LEN sectors whose data unit for POS is IVOFF + POS.
kat() {
	local name=$1 cipher=$2 key=$3 ivoff=$4 pos=$5 len=$6 pt=$7 ct=$8 got
	truncate -s 0 "$WORK/backing" && truncate -s "$FILE_BYTES" "$WORK/backing"
	put_raw "$ct" "$pos"
	if ! dm_fast_create "$PFX-kat" "$(veil_table "$len" "$cipher" "$key" "$ivoff" "$LOOP" 0)"; then
		fail "$T/$name/create" "veil refused the table"
		return
	fi
	got=$(read_sector "$DM_DEV" "$pos")
	check_eq "$T/$name/decrypt" "$got" "$pt"
	# Writing the plaintext back must give the published ciphertext.
	truncate -s 0 "$WORK/backing" && truncate -s "$FILE_BYTES" "$WORK/backing"
	if hex2bin "$pt" | timeout 60 dd of="$DM_DEV" bs=512 seek="$pos" oflag=direct status=none; then
		check_eq "$T/$name/encrypt" "$(get_raw "$pos")" "$ct"
	else
		fail "$T/$name/encrypt" "write through veil failed"
	fi
	dm_fast_remove "$PFX-kat"
}

declare -A seen
while read -r line; do
	case $line in vector=*) ;; *) continue ;; esac
	n=$(field "$line" vector)
	key=$(field "$line" key)
	sector=$(field "$line" sector)
	pt=$(field "$line" pt)
	ct=$(field "$line" ct)
	[ ${#pt} -eq 1024 ] || continue # only whole 512-byte data units
	seen[$n]=1
	kat "v$n-ivoffset" aes-xts-plain64 "$key" "$sector" 0 1 "$pt" "$ct"
	if [ "$sector" -lt 511 ]; then
		kat "v$n-position" aes-xts-plain64 "$key" 0 "$sector" $((sector + 1)) "$pt" "$ct"
		kat "v$n-position-plain" aes-xts-plain "$key" 0 "$sector" $((sector + 1)) "$pt" "$ct"
	fi
	# The IV must matter: one data unit further on, the same bytes are not pt.
	truncate -s 0 "$WORK/backing" && truncate -s "$FILE_BYTES" "$WORK/backing"
	put_raw "$ct" 0
	if dm_fast_create "$PFX-kat" "$(veil_table 1 aes-xts-plain64 "$key" $((sector + 1)) "$LOOP" 0)"; then
		got=$(read_sector "$DM_DEV" 0)
		if [ -n "$got" ] && [ "$got" != "$pt" ]; then
			pass "$T/v$n-wrong-sector-differs"
		else
			fail "$T/v$n-wrong-sector-differs" "data unit $((sector + 1)) decrypted to vector $n's plaintext (or the read failed)"
		fi
		dm_fast_remove "$PFX-kat"
	else
		fail "$T/v$n-wrong-sector-differs" "veil refused the table"
	fi
done <"$VECTORS"

for n in $REQUIRED; do
	[ -n "${seen[$n]:-}" ] || fail "$T/v$n" "vector $n (512-byte data unit) not found in $VECTORS"
done

finish
