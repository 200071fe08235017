#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Suspend and key messages: "key wipe" and "key set" are refused while the
# device is active; after a wipe, resume is refused until "key set" gives a
# key; the key set is really the one used (a different key reads garbage,
# the right one the original data); a refused message never logs the key.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 32m

BYTES=$((1024 * 1024))
LEN=$((BYTES / 512))
LOOP=$(mkloop "$WORK/backing" "$BYTES") || { fail "$T/setup" "no loop device"; exit 1; }
KEY=$(randhex 64)
OTHER=$(randhex 64)
V=$PFX-v
DEVICE=/dev/mapper/$V

msg() { dmsetup message "$V" 0 "$@"; }
suspended() { dmsetup info -c --noheadings -o suspended "$V" 2>/dev/null | grep -qi '^suspended'; }
read_matches() { # read_matches FILE: the device's content equals FILE
	dd_from "$DEVICE" "$WORK/r" "$BYTES" && cmp -s "$WORK/r" "$1"
}

randfile "$WORK/p" "$BYTES"
kmsg_mark "$T-messages"
if ! dm_create "$V" "$(veil_table $LEN aes-xts-plain64 "$KEY" 0 "$LOOP" 0)"; then
	fail "$T/create" "veil refused the table"
	finish
	exit 1
fi
dd_to "$WORK/p" "$DEVICE" || fail "$T/write" "write failed"

check_fails "$T/key-set-refused-while-active" msg key set "$KEY"
check_fails "$T/key-wipe-refused-while-active" msg key wipe
if read_matches "$WORK/p"; then pass "$T/active-refusals-change-nothing"; else fail "$T/active-refusals-change-nothing" "data changed"; fi
for m in "key" "key set" "key wipe now" "key sett $KEY" "keys set $KEY" "key set $KEY extra" "wipe"; do
	# shellcheck disable=SC2086
	label=${m//$KEY/KEY}
	check_fails "$T/bad-message-[${label// /_}]" msg $m
done

check "$T/suspend" dmsetup suspend "$V"
check_fails "$T/key-set-wrong-size" msg key set "${KEY:0:64}${KEY:0:32}"
check_fails "$T/key-set-bad-hex" msg key set "${KEY:0:126}zz"
check "$T/key-wipe-while-suspended" msg key wipe
check_fails "$T/resume-refused-after-wipe" dmsetup resume "$V"
if suspended; then pass "$T/still-suspended"; else fail "$T/still-suspended" "the device is active without a key"; fi
check_fails "$T/key-set-short-refused" msg key set "${KEY:0:64}"
check_fails "$T/resume-still-refused" dmsetup resume "$V"

# A different key is accepted and used: the data reads as garbage.
check "$T/key-set-other" msg key set "$OTHER"
check "$T/resume-with-other-key" dmsetup resume "$V"
if dd_from "$DEVICE" "$WORK/r" "$BYTES"; then
	if cmp -s "$WORK/r" "$WORK/p"; then
		fail "$T/other-key-is-used" "a different key read the original plaintext"
	else
		pass "$T/other-key-is-used"
	fi
else
	fail "$T/other-key-is-used" "read failed"
fi

# Back to the right key without a wipe first: data intact.
dmsetup suspend "$V"
check "$T/key-set-right" msg key set "$KEY"
check "$T/resume-with-right-key" dmsetup resume "$V"
if read_matches "$WORK/p"; then pass "$T/data-intact"; else fail "$T/data-intact" "data differs after key set"; fi

# Wipe, then set the key from the keyring.
ID=$(add_logon_key "veil:t14-$$" "$KEY")
dmsetup suspend "$V"
check "$T/wipe-again" msg key wipe
check_fails "$T/key-set-keyring-wrong-size" msg key set ":32:logon:veil:t14-$$"
check_fails "$T/key-set-keyring-missing" msg key set ":64:logon:veil:t14-missing-$$"
check_fails "$T/resume-refused-again" dmsetup resume "$V"
check "$T/key-set-keyring" msg key set ":64:logon:veil:t14-$$"
check "$T/resume-keyring" dmsetup resume "$V"
if read_matches "$WORK/p"; then pass "$T/data-intact-keyring"; else fail "$T/data-intact-keyring" "data differs"; fi
# Writes work after the key change too, and read back.
randfile "$WORK/p2" "$BYTES"
if dd_to "$WORK/p2" "$DEVICE" && read_matches "$WORK/p2"; then pass "$T/write-after-key-set"; else fail "$T/write-after-key-set" "roundtrip failed"; fi

# I/O submitted while suspended waits, and completes after resume.
dmsetup suspend "$V"
timeout 120 dd if="$DEVICE" of="$WORK/r2" bs=256k count=4 iflag=direct status=none &
reader=$!
sleep 2
if kill -0 "$reader" 2>/dev/null; then pass "$T/io-waits-while-suspended"; else fail "$T/io-waits-while-suspended" "a read completed on a suspended device"; fi
dmsetup resume "$V"
head -c $((1024 * 1024)) "$WORK/p2" >"$WORK/p2-head"
if wait "$reader" && cmp -s "$WORK/r2" "$WORK/p2-head"; then
	pass "$T/io-completes-after-resume"
else
	fail "$T/io-completes-after-resume" "the waiting read failed or returned wrong data"
fi

log=$(kmsg_since "$T-messages")
case $(printf '%s' "$log" | tr 'A-F' 'a-f') in
*"${KEY:0:16}"* | *"${KEY:64:16}"* | *"${OTHER:0:16}"*) fail "$T/kernel-log-no-key" "key bytes in dmesg" ;;
*) pass "$T/kernel-log-no-key" ;;
esac
dm_remove "$V"
finish
