#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Keyring keys: a mapping with ":64:logon:<desc>" encrypts exactly like the
# same key given in hex, and neither the table (even --showkeys), the status,
# the IMA measurement nor the kernel log ever shows key bytes. The target
# copies the key: it keeps working once the key is gone from the keyring,
# and it holds no reference to the key afterwards.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 32m

BYTES=$((2 * 1024 * 1024))
LEN=$((BYTES / 512))
LOOP=$(mkloop "$WORK/backing" "$BYTES") || { fail "$T/setup" "no loop device"; exit 1; }
KEY=$(randhex 64)
DESC=veil:t13-$$
ID=$(add_logon_key "$DESC" "$KEY") || { fail "$T/setup" "keyctl padd logon failed"; exit 1; }
REF=":64:logon:$DESC"
MAJMIN=$(lsblk -dno MAJ:MIN "$LOOP" | tr -d ' ')
base_usage=$(key_usage "$ID")

# no_key_bytes NAME TEXT: TEXT shows no part of the key (no 8-byte window).
no_key_bytes() {
	local i lower
	lower=$(printf '%s' "$2" | tr 'A-F' 'a-f')
	for ((i = 0; i + 16 <= ${#KEY}; i += 8)); do
		case $lower in *"${KEY:i:16}"*)
			fail "$1" "key bytes at hex offset $i are visible"
			return ;;
		esac
	done
	pass "$1"
}

randfile "$WORK/p1" "$BYTES"
randfile "$WORK/p2" "$BYTES"
kmsg_mark "$T-keyring"
if dm_create "$PFX-kr" "$(veil_table $LEN aes-xts-plain64 "$REF" 0 "$LOOP" 0 sector_size:4096)"; then
	pass "$T/create-with-logon-key"
	# The target copied the key and dropped its reference at once.
	check_eq "$T/no-key-reference-kept" "$(key_usage "$ID")" "$base_usage"
	shown=$(dmsetup table --showkeys "$PFX-kr")
	check_eq "$T/table-shows-reference" "$shown" \
		"0 $LEN $TARGET aes-xts-plain64 $REF 0 $MAJMIN 0 1 sector_size:4096"
	no_key_bytes "$T/table-showkeys-no-key" "$shown"
	no_key_bytes "$T/table-no-key" "$(dmsetup table "$PFX-kr")"
	no_key_bytes "$T/status-no-key" "$(dmsetup status "$PFX-kr")"
	if ima=$(dmsetup measure "$PFX-kr" 2>&1); then
		no_key_bytes "$T/measure-no-key" "$ima"
		case $ima in
		*aes-xts-plain64*) pass "$T/measure-names-cipher" ;;
		*) fail "$T/measure-names-cipher" "IMA data lacks the cipher: $ima" ;;
		esac
	else
		fail "$T/measure" "dmsetup measure failed: $ima"
	fi
	dd_to "$WORK/p1" "/dev/mapper/$PFX-kr" || fail "$T/write-keyring" "write failed"
	# The target holds a copy: unlinking the key from the keyring changes nothing.
	keyctl unlink "$ID" @u >/dev/null
	if dd_to "$WORK/p2" "/dev/mapper/$PFX-kr" && dd_from "/dev/mapper/$PFX-kr" "$WORK/r" "$BYTES"; then
		same_bytes "$T/works-after-keyring-unlink" "$WORK/r" "$WORK/p2"
	else
		fail "$T/works-after-keyring-unlink" "I/O failed after the key left the keyring"
	fi
	ID=$(add_logon_key "$DESC" "$KEY")
	dd_to "$WORK/p1" "/dev/mapper/$PFX-kr" || fail "$T/write-keyring" "write failed"
	dm_remove "$PFX-kr"
else
	fail "$T/create-with-logon-key" "veil refused $REF"
fi

# The same key in hex reads what the keyring mapping wrote, and vice versa.
if dm_create "$PFX-hex" "$(veil_table $LEN aes-xts-plain64 "$KEY" 0 "$LOOP" 0 sector_size:4096)"; then
	if dd_from "/dev/mapper/$PFX-hex" "$WORK/r" "$BYTES"; then
		same_bytes "$T/hex-reads-keyring-data" "$WORK/r" "$WORK/p1"
	else
		fail "$T/hex-reads-keyring-data" "read failed"
	fi
	shown=$(dmsetup table --showkeys "$PFX-hex")
	no_key_bytes "$T/hex-table-showkeys-no-key" "$shown"
	check_eq "$T/hex-table-dash" "$shown" "0 $LEN $TARGET aes-xts-plain64 - 0 $MAJMIN 0 1 sector_size:4096"
	no_key_bytes "$T/hex-status-no-key" "$(dmsetup status "$PFX-hex")"
	no_key_bytes "$T/hex-measure-no-key" "$(dmsetup measure "$PFX-hex" 2>&1)"
	dd_to "$WORK/p2" "/dev/mapper/$PFX-hex" || fail "$T/hex-write" "write failed"
	dm_remove "$PFX-hex"
	if dm_create "$PFX-kr" "$(veil_table $LEN aes-xts-plain64 "$REF" 0 "$LOOP" 0 sector_size:4096)" &&
		dd_from "/dev/mapper/$PFX-kr" "$WORK/r" "$BYTES"; then
		same_bytes "$T/keyring-reads-hex-data" "$WORK/r" "$WORK/p2"
	else
		fail "$T/keyring-reads-hex-data" "keyring mapping failed"
	fi
	dm_remove_all "$PFX-kr"
else
	fail "$T/create-with-hex-key" "veil refused the hex key"
fi

# A keyring key is the same key as dm-crypt's hex key: same ciphertext.
if dm_create "$PFX-c" "$(crypt_table $LEN aes-xts-plain64 "$KEY" 0 "$LOOP" 0 sector_size:4096)" &&
	dd_from "/dev/mapper/$PFX-c" "$WORK/r" "$BYTES"; then
	same_bytes "$T/dm-crypt-reads-veil-data" "$WORK/r" "$WORK/p2"
else
	fail "$T/dm-crypt-reads-veil-data" "dm-crypt with the hex key failed"
fi
dm_remove_all "$PFX-c"

# Other ciphers take keyring keys of their own sizes.
K32=$(randhex 32)
ID32=$(add_logon_key "veil:t13-32-$$" "$K32")
for c in xchacha12,aes-adiantum-plain64 aes-cbc-essiv:sha256 aes-xts-plain; do
	if dm_create "$PFX-o" "$(veil_table $LEN "$c" ":32:logon:veil:t13-32-$$" 0 "$LOOP" 0)" &&
		dd_to "$WORK/p1" "/dev/mapper/$PFX-o"; then
		dm_remove "$PFX-o"
		if dm_create "$PFX-o" "$(veil_table $LEN "$c" "$K32" 0 "$LOOP" 0)" &&
			dd_from "/dev/mapper/$PFX-o" "$WORK/r" "$BYTES"; then
			same_bytes "$T/keyring-equals-hex-$c" "$WORK/r" "$WORK/p1"
		else
			fail "$T/keyring-equals-hex-$c" "hex mapping failed"
		fi
	else
		fail "$T/keyring-equals-hex-$c" "keyring mapping failed"
	fi
	dm_remove_all "$PFX-o"
done

log=$(kmsg_since "$T-keyring")
no_key_bytes "$T/kernel-log-no-key" "$log"

finish
