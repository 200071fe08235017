#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# veil resize: grow to a grown image (the loop's capacity is refreshed),
# shrink with --size, refuse a size beyond the device; data survives.
# The new length comes from the header load the passphrase authenticated
# (a header swapped in after the unlock is never read), and the reloaded
# table keeps every option of the live one.
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

# Re-authentication: stop resize at its unlock (hook "unlock": the header
# is loaded, the passphrase in hand) and swap in a header with the same
# UUID but another data offset (32 MiB). Only a second, unauthenticated
# load would see it; the length must come from the authenticated one.
hook_wait() { timeout 120 head -n 1 "$1" || echo "timeout"; }
hook_release() { timeout 120 bash -c ': > "$1"' _ "$1" || echo "release timeout" >&2; }
uuid=$("$VEIL" uuid img)
truncate -s 96M img2
"$VEIL" format --batch --key-file k1 "${KDF[@]}" --uuid "$uuid" --offset $((32 * 2048)) img2 2>/dev/null
dd if=img of=orig-hdr bs=32k count=1 status=none
check "shrink before the swap" "$VEIL" resize --key-file k1 --size $((40 * 2048)) "$N"
mkfifo hook
VEIL_TEST_HOOK="unlock:$PWD/hook" "$VEIL" resize --key-file k1 "$N" >out 2>&1 &
pid=$!
check_eq "resize reached its unlock" "$(hook_wait hook)" unlock
dd if=img2 of=img bs=32k count=1 conv=notrunc status=none
hook_release hook
wait $pid && rc=0 || rc=$?
dd if=orig-hdr of=img bs=32k count=1 conv=notrunc status=none
check_eq "resize with a header swapped after the unlock: exit 0" "$rc" 0
check_eq "the length is the authenticated header's (80 MiB), not the swapped one's (64 MiB)" \
	"$(blockdev --getsz "/dev/mapper/$N")" $((80 * 2048))
dd_from "/dev/mapper/$N" back $((4 << 20))
same_bytes "data intact after the swapped-header resize" pt back
settle
check "close" "$VEIL" close "$N"

# Every option of the live table survives a resize: a mapping with
# allow_discards, same_cpu_crypt and a 4096-byte sector (crypt target,
# which implements the workqueue flags). Only the length may change. The
# volume key is known (--volume-key-file) so that the test can load a
# table of its own with an option veil does not interpret.
opts_of() { dmsetup table "$1" | cut -d' ' -f3-; }
head -c 64 /dev/urandom > vk3
truncate -s 64M img3
"$VEIL" format --batch --key-file k1 "${KDF[@]}" --volume-key-file vk3 img3 2>/dev/null
check "open --target crypt with allow_discards and same_cpu_crypt" \
	"$VEIL" open --target crypt --allow-discards --perf-same_cpu_crypt --key-file k1 img3 "$N"
dd_to pt "/dev/mapper/$N"
before=$(opts_of "$N")
check "the table has the three options" \
	bash -c '[[ $1 == *allow_discards* && $1 == *same_cpu_crypt* && $1 == *sector_size:4096* ]]' _ "$before"
check "resize --size (crypt target)" "$VEIL" resize --key-file k1 --size $((40 * 2048)) "$N"
check_eq "after a shrink the table is the same but for its length" "$(opts_of "$N")" "$before"
truncate -s 96M img3
check "resize to the grown image (crypt target)" "$VEIL" resize --key-file k1 "$N"
check_eq "after a grow the table is the same but for its length" "$(opts_of "$N")" "$before"
check_eq "grown (crypt target)" "$(blockdev --getsz "/dev/mapper/$N")" $((80 * 2048))
# An option the tool does not interpret: dm-crypt's high_priority (6.10+).
add_logon_key "veil:$("$VEIL" uuid img3)" "$(od -An -tx1 -v vk3 | tr -d ' \n')" >/dev/null
hp=$(dmsetup table "$N" | awk '{ $9 = $9 + 1; print $0 " high_priority" }')
if dmsetup reload "$N" --table "$hp" 2>/dev/null && dmsetup resume "$N"; then
	before=$(opts_of "$N")
	check "resize of a table with an option veil does not know" \
		"$VEIL" resize --key-file k1 --size $((40 * 2048)) "$N"
	check_eq "the unknown option (high_priority) is kept" "$(opts_of "$N")" "$before"
else
	dmsetup clear "$N" >/dev/null 2>&1
	skip "resize keeps an option veil does not know" \
		"dm-crypt of $(uname -r) has no high_priority option to try it with"
fi
dd_from "/dev/mapper/$N" back $((4 << 20))
same_bytes "data intact after the crypt-target resizes" pt back
settle
check "close" "$VEIL" close "$N"
finish
