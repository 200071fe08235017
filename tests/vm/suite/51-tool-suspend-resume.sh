#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# veil suspend wipes the key in the kernel ("key wipe"), so a plain resume
# is refused; veil resume asks again and hands the key back through the
# keyring ("key set"). Data written before the suspend survives.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 256m
VEIL=$REPO/build/veil
KDF=(--pbkdf pbkdf2 --pbkdf-force-iterations 1000)
cd "$WORK" || exit 1
printf 'first passphrase' > k1
printf 'wrong passphrase' > kx
N=$PFX-vol

truncate -s 64M img
"$VEIL" format --batch --key-file k1 "${KDF[@]}" img 2>/dev/null
uuid=$("$VEIL" uuid img)
check "open" "$VEIL" open --key-file k1 img "$N"
head -c 4M /dev/urandom > pt
dd_to pt "/dev/mapper/$N"
settle

check "suspend" "$VEIL" suspend "$N"
check "dm says suspended" grep -q SUSPENDED <<<"$(dmsetup info "$N")"
check "status says suspended" grep -q "(suspended)" <<<"$("$VEIL" status "$N")"
check_eq "status --json: suspended" "$("$VEIL" status --json "$N" | jq -r .suspended)" true
check_exit "suspend again: exit 5" 5 "$VEIL" suspend "$N"
check_fails "a bare dmsetup resume is refused: the key is gone" dmsetup resume "$N"
check "still suspended" grep -q SUSPENDED <<<"$(dmsetup info "$N")"
check_exit "resume with a wrong passphrase: exit 2" 2 "$VEIL" resume --key-file kx "$N"
check "still suspended after the wrong passphrase" grep -q SUSPENDED <<<"$(dmsetup info "$N")"
check "resume" "$VEIL" resume --key-file k1 "$N"
check "active again" grep -q "State: *ACTIVE" <<<"$(dmsetup info "$N")"
# Only this volume's key: other scripts' unlinked keys linger in /proc/keys until key GC.
check_eq "no veil:<uuid> key left in any keyring" "$(grep -c "veil:$uuid" /proc/keys)" 0
if grep -q "State: *ACTIVE" <<<"$(dmsetup info "$N")"; then
	dd_from "/dev/mapper/$N" back $((4 << 20))
	same_bytes "data intact across suspend/resume" pt back
else
	fail "data intact across suspend/resume" "still suspended; reading would block"
	exit 1
fi
check_exit "resume of an active device: exit 1" 1 "$VEIL" resume --key-file k1 "$N"
check_exit "suspend of an unknown name: exit 4" 4 "$VEIL" suspend "$PFX-nothing"
table=$(dmsetup table --showkeys "$N")
check_fails "table after resume has no hex key" grep -Eq '[0-9a-f]{64}' <<<"$table"
settle
check "close" "$VEIL" close "$N"

# suspend/resume keeps every option of the live table: the resumed table
# is the table that was suspended, byte for byte (crypt target, which
# implements same_cpu_crypt; veil target with allow_discards).
for target in crypt veil; do
	flags=(--allow-discards)
	[ "$target" = crypt ] && flags+=(--perf-same_cpu_crypt)
	check "open --target $target ${flags[*]}" "$VEIL" open --target "$target" "${flags[@]}" --key-file k1 img "$N"
	before=$(dmsetup table "$N")
	check "$target table has allow_discards and sector_size:4096" \
		bash -c '[[ $1 == *allow_discards* && $1 == *sector_size:4096* ]]' _ "$before"
	check "suspend ($target)" "$VEIL" suspend "$N"
	check "resume ($target)" "$VEIL" resume --key-file k1 "$N"
	check_eq "the resumed $target table is the suspended one" "$(dmsetup table "$N")" "$before"
	settle
	check "close ($target)" "$VEIL" close "$N"
done

# A persistent flag the veil target cannot apply is refused at open, by
# name, with the way out; nothing is mapped. With the crypt target it is
# applied.
truncate -s 64M perf
"$VEIL" format --batch --key-file k1 "${KDF[@]}" --perf-no_read_workqueue perf 2>/dev/null
check_exit "open (veil target) of a header with no_read_workqueue: exit 1" 1 \
	"$VEIL" open --key-file k1 perf "$N"
check "the refusal names the flag and --target crypt" \
	bash -c '"$1" open --key-file k1 perf "$2" 2>&1 | grep no_read_workqueue | grep -q -- "--target crypt"' _ "$VEIL" "$N"
check_fails "nothing was mapped" dmsetup info "$N"
check "open --target crypt applies it" "$VEIL" open --target crypt --key-file k1 perf "$N"
check "no_read_workqueue is in the crypt table" grep -q no_read_workqueue <<<"$(dmsetup table "$N")"
settle
check "close (perf)" "$VEIL" close "$N"
check "open --persistent without the flag stores a set the veil target applies" \
	"$VEIL" open --persistent --key-file k1 perf "$N"
settle
check "close (persistent)" "$VEIL" close "$N"
check "and a plain open works again" "$VEIL" open --key-file k1 perf "$N"
settle
check "close (after clearing)" "$VEIL" close "$N"

# no_inline, veil's own flag: stored by format, in the veil table at every
# open and through suspend/resume; the crypt target does it by default, so
# its table leaves the word out; open --persistent without it clears it.
truncate -s 64M noinl
check "format --perf-no_inline" "$VEIL" format --batch --key-file k1 "${KDF[@]}" --perf-no_inline noinl
check "dump lists no-inline among the flags" bash -c '"$1" dump noinl | grep "^Flags:" | grep -qw no-inline' _ "$VEIL"
check "open (veil) of a header with no_inline" "$VEIL" open --key-file k1 noinl "$N"
table=$(dmsetup table "$N")
check "the veil table has no_inline" grep -qw no_inline <<<"$table"
check "suspend (no_inline)" "$VEIL" suspend "$N"
check "resume (no_inline)" "$VEIL" resume --key-file k1 "$N"
check_eq "the resumed table keeps no_inline" "$(dmsetup table "$N")" "$table"
check "data round trip with no_inline" bash -c \
	'head -c 1048576 /dev/urandom >noinl.data && dd if=noinl.data of="$1" bs=4k oflag=direct status=none &&
	 cmp <(dd if="$1" bs=4k count=256 iflag=direct status=none) noinl.data' _ "/dev/mapper/$N"
settle
check "close (no_inline)" "$VEIL" close "$N"
check "open --target crypt of a header with no_inline" "$VEIL" open --target crypt --key-file k1 noinl "$N"
check_fails "the crypt table leaves no_inline out" grep -qw no_inline <<<"$(dmsetup table "$N")"
check "the data reads the same through dm-crypt" bash -c \
	'cmp <(dd if="$1" bs=4k count=256 iflag=direct status=none) noinl.data' _ "/dev/mapper/$N"
settle
check "close (no_inline, crypt)" "$VEIL" close "$N"
check "open --persistent without the flag clears it" "$VEIL" open --persistent --key-file k1 noinl "$N"
check_fails "and the table has no no_inline" grep -qw no_inline <<<"$(dmsetup table "$N")"
settle
check "close (no_inline cleared)" "$VEIL" close "$N"
check_fails "dump no longer lists no-inline" bash -c '"$1" dump noinl | grep "^Flags:" | grep -qw no-inline' _ "$VEIL"
rm -f noinl noinl.data
finish
