#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# open --plain: headerless mappings. Swap on a /dev/urandom key; a fixed
# key file gives the same data on reopen and the same data as cryptsetup's
# plain mode with the same key, cipher, offset and sector size.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 256m
VEIL=$REPO/build/veil
cd "$WORK" || exit 1
N=$PFX-plain

truncate -s 64M swapimg
check "plain from /dev/urandom" "$VEIL" open --plain --cipher aes-xts-plain64 --key-size 512 --key-file /dev/urandom swapimg "$N"
check_eq "DM UUID VEIL-PLAIN-<name>" "$(dmsetup info -c --noheadings -o uuid "$N")" "VEIL-PLAIN-$N"
check_eq "status type plain" "$("$VEIL" status --json "$N" | jq -r .type)" plain
check_fails "table has no hex key" grep -Eq '[0-9a-f]{64}' <<<"$(dmsetup table --showkeys "$N")"
check "mkswap" mkswap -q "/dev/mapper/$N"
if swapon "/dev/mapper/$N" 2>/dev/null; then
	pass "swapon"
	check_exit "close while swapping: exit 5" 5 "$VEIL" close "$N"
	swapoff "/dev/mapper/$N"
else
	skip "swapon" "this guest kernel cannot swap on a loop-backed device"
fi
settle
check "close" "$VEIL" close "$N"
check "the raw image does not contain the swap signature" bash -c "! grep -q SWAPSPACE2 swapimg"

head -c 64 /dev/urandom > key
truncate -s 64M img
check_exit "--plain with no key file and nothing on stdin: exit 1" 1 "$VEIL" open --plain img "$N" </dev/null
check_exit "--plain with a key file too short: exit 1" 1 "$VEIL" open --plain --key-file <(head -c 10 /dev/zero) img "$N"
check "plain with offset and 4096-byte sectors" "$VEIL" open --plain --key-file key --offset 2048 --sector-size 4096 img "$N"
check_eq "size: device minus offset" "$(blockdev --getsz "/dev/mapper/$N")" $((64 * 2048 - 2048))
head -c 2M /dev/urandom > pt
dd_to pt "/dev/mapper/$N"
settle; "$VEIL" close "$N"
check "reopen with the same key" "$VEIL" open --plain --key-file key --offset 2048 --sector-size 4096 img "$N"
dd_from "/dev/mapper/$N" back $((2 << 20))
same_bytes "plain: same data on reopen" pt back
settle; "$VEIL" close "$N"
if command -v cryptsetup >/dev/null; then
	cryptsetup open --type plain --cipher aes-xts-plain64 --key-size 512 --key-file key \
		--offset 2048 --sector-size 4096 img "$PFX-cs" 2>/dev/null
	dd_from "/dev/mapper/$PFX-cs" back $((2 << 20))
	same_bytes "plain: cryptsetup plain reads the same data" pt back
	settle; cryptsetup close "$PFX-cs"
else
	skip "plain vs cryptsetup" "cryptsetup is not installed"
fi
check "plain --target crypt" "$VEIL" open --plain --target crypt --key-file key --offset 2048 --sector-size 4096 img "$N"
dd_from "/dev/mapper/$N" back $((2 << 20))
same_bytes "plain: dm-crypt target reads the same data" pt back
settle; "$VEIL" close "$N"
finish
