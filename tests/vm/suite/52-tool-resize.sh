#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# veil resize: grow to a grown image (the loop's capacity is refreshed),
# shrink with --size, refuse a size beyond the device; data survives.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 256m
VEIL=$REPO/build/veil
KDF=(--pbkdf pbkdf2 --pbkdf-force-iterations 1000)
cd "$WORK" || exit 1
printf 'first passphrase' > k1
N=$PFX-vol

truncate -s 64M img
"$VEIL" format --batch --key-file k1 "${KDF[@]}" img 2>/dev/null
check "open" "$VEIL" open --key-file k1 img "$N"
head -c 4M /dev/urandom > pt
dd_to pt "/dev/mapper/$N"
settle
check_eq "initial size" "$(blockdev --getsz "/dev/mapper/$N")" $((48 * 2048))
check "shrink with --size" "$VEIL" resize --key-file k1 --size $((32 * 2048)) "$N"
check_eq "shrunk" "$(blockdev --getsz "/dev/mapper/$N")" $((32 * 2048))
check_exit "--size not a multiple of the 4096-byte sector: exit 1" 1 "$VEIL" resize --key-file k1 --size 1001 "$N"
check_exit "--size beyond the device: exit 1" 1 "$VEIL" resize --key-file k1 --size $((64 * 2048)) "$N"
truncate -s 96M img
check "grow to the grown image" "$VEIL" resize --key-file k1 "$N"
check_eq "grown" "$(blockdev --getsz "/dev/mapper/$N")" $((80 * 2048))
check_eq "status size" "$("$VEIL" status --json "$N" | jq -r .size)" $((80 * 2048))
dd_from "/dev/mapper/$N" back $((4 << 20))
same_bytes "data intact across resizes" pt back
check_fails "table has no hex key" grep -Eq '[0-9a-f]{64}' <<<"$(dmsetup table --showkeys "$N")"
settle
check "close" "$VEIL" close "$N"
finish
