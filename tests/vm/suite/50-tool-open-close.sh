#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# veil open/close/status on an image file (auto-loop with autoclear) and on
# a block device: the node exists when open returns, the DM UUID and table
# are as docs/ARCHITECTURE.md says, no key material is in any table or left in a
# keyring, close refuses a mounted device and cleans up everything.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 512m
VEIL=$REPO/build/veil
KDF=(--pbkdf pbkdf2 --pbkdf-force-iterations 1000)
cd "$WORK" || exit 1
printf 'first passphrase' > k1
printf 'wrong passphrase' > kx
N=$PFX-vol

truncate -s 96M img
check "format image" "$VEIL" format --batch --key-file k1 "${KDF[@]}" img
uuid=$("$VEIL" uuid img)
hex=${uuid//-/}

check_exit "open with a wrong passphrase: exit 2" 2 "$VEIL" open --key-file kx img "$N"
check_fails "a failed open leaves no mapping" dm_exists "$N"
check_eq "a failed open leaves no loop" "$(losetup -j "$WORK/img" | wc -l)" 0

check "open" "$VEIL" open --key-file k1 img "$N"
check "node exists when open returns (udev cookie)" test -b "/dev/mapper/$N"
check_eq "DM UUID" "$(dmsetup info -c --noheadings -o uuid "$N")" "VEIL-$hex-$N"
table=$(dmsetup table --showkeys "$N")
check "table uses the veil target" grep -q " veil aes-xts-plain64 " <<<"$table"
check "table key is the logon key veil:<uuid>" grep -q ":64:logon:veil:$uuid " <<<"$table"
check_fails "table has no hex key" grep -Eq '[0-9a-f]{64}' <<<"$table"
check "table carries sector_size:4096" grep -q "sector_size:4096" <<<"$table"
# Only this volume's key: other scripts' unlinked keys linger in /proc/keys until key GC.
check_eq "no veil:<uuid> key left in any keyring" "$(grep -c "veil:$uuid" /proc/keys)" 0
loopdev=$(losetup -j "$WORK/img" -O NAME -n | head -n1)
check "image got a loop device" test -n "$loopdev"
check_eq "loop has autoclear" "$(cat /sys/block/${loopdev#/dev/}/loop/autoclear 2>/dev/null)" 1
check_eq "mapping size: image minus the 16 MiB header" "$(blockdev --getsz "/dev/mapper/$N")" $(((96 - 16) * 2048))
check_eq "logical block size is the volume's sector size" "$(blockdev --getss "/dev/mapper/$N")" 4096

st=$("$VEIL" status "$N")
check "status: active" grep -q "/dev/mapper/$N is active" <<<"$st"
check "status: cipher" grep -q "cipher:       aes-xts-plain64" <<<"$st"
check "status: key size" grep -q "keysize:      512 bits" <<<"$st"
check "status: sector size" grep -q "sector size:  4096" <<<"$st"
check "status: device" grep -q "device:       $loopdev" <<<"$st"
check "status: loop file" grep -q "loop:         $WORK/img" <<<"$st"
check "status: offset" grep -q "offset:       32768 sectors" <<<"$st"
check "status: mode" grep -q "mode:         read/write" <<<"$st"
js=$("$VEIL" status --json "$N")
check "status --json is JSON" jq -e . <<<"$js"
check_eq "status --json fields" "$(jq -r '[.type,.target,.cipher,.key_size,.sector_size,.offset,.size,.mode,.uuid] | join(" ")' <<<"$js")" \
	"veil veil aes-xts-plain64 512 4096 32768 $(((96 - 16) * 2048)) read-write $uuid"
check_exit "status of an inactive name: exit 4" 4 "$VEIL" status "$PFX-nothing"
check_exit "open the same name again: exit 5" 5 "$VEIL" open --key-file k1 img "$N"
check_exit "open with a bad name: exit 1" 1 "$VEIL" open --key-file k1 img "a/b"

check "mkfs.ext4" mkfs.ext4 -q "/dev/mapper/$N"
mkdir -p mnt
check "mount" mount "/dev/mapper/$N" mnt
head -c 5M /dev/urandom > mnt/file1
sum=$(sha256sum < mnt/file1)
msg=$("$VEIL" close "$N" 2>&1)
check_exit "close of a mounted device: exit 5" 5 "$VEIL" close "$N"
check "refusal says it is in use" grep -q "in use" <<<"$msg"
check "still mapped after the refusal" dm_exists "$N"
umount mnt
settle
check "close" "$VEIL" close "$N"
check_fails "mapping gone" dm_exists "$N"
check_fails "node gone" test -e "/dev/mapper/$N"
check_eq "loop detached" "$(losetup -j "$WORK/img" | wc -l)" 0
check_exit "close again: exit 4" 4 "$VEIL" close "$N"

check "reopen" "$VEIL" open --key-file k1 img "$N"
mount "/dev/mapper/$N" mnt
check_eq "file intact after reopen" "$(sha256sum < mnt/file1)" "$sum"
umount mnt
settle
"$VEIL" close "$N"

check "--test-passphrase" "$VEIL" open --test-passphrase --key-file k1 img
check_fails "--test-passphrase maps nothing" dm_exists "$N"
check_eq "--test-passphrase leaves no loop" "$(losetup -j "$WORK/img" | wc -l)" 0

check "open --readonly" "$VEIL" open --readonly --key-file k1 img "$N"
check_eq "read-only block device" "$(blockdev --getro "/dev/mapper/$N")" 1
check "status says readonly" grep -q "mode:         readonly" <<<"$("$VEIL" status "$N")"
check_fails "writing is refused" dd if=/dev/zero of="/dev/mapper/$N" bs=4096 count=1 oflag=direct status=none
check "read-only mount works" mount -o ro "/dev/mapper/$N" mnt
check_eq "file readable read-only" "$(sha256sum < mnt/file1)" "$sum"
umount mnt
settle
"$VEIL" close "$N"

check "open --allow-discards" "$VEIL" open --allow-discards --key-file k1 img "$N"
check "table has allow_discards" grep -q "allow_discards" <<<"$(dmsetup table "$N")"
check "status flags: discards" grep -q "flags:        discards" <<<"$("$VEIL" status "$N")"
check_fails "without it there is none" grep -q allow_discards <<<"$table"
settle
"$VEIL" close "$N"

# A block device as DEVICE: no loop of ours, and close leaves it alone.
blk=$(losetup -f --show "$WORK/img")
check "open a block device" "$VEIL" open --key-file k1 "$blk" "$N"
check_eq "no second loop" "$(losetup -j "$WORK/img" | wc -l)" 1
check "status names the device" grep -q "device:       $blk" <<<"$("$VEIL" status "$N")"
settle
check "close" "$VEIL" close "$N"
check "the user's loop is still there" losetup "$blk"
losetup -d "$blk"

# format on a block device; a mounted one is refused even with --force.
truncate -s 48M blkimg
blk=$(losetup -f --show "$WORK/blkimg")
check "format a block device" "$VEIL" format --batch --key-file k1 "${KDF[@]}" "$blk"
check "open it" "$VEIL" open --key-file k1 "$blk" "$N"
settle
check "close it" "$VEIL" close "$N"
mkfs.ext4 -q -F "$blk"
mount "$blk" mnt
msg=$("$VEIL" format --batch --force --key-file k1 "${KDF[@]}" "$blk" 2>&1)
check_exit "format of a mounted device, even with --force: exit 5" 5 "$VEIL" format --batch --force --key-file k1 "${KDF[@]}" "$blk"
check "the refusal says it is in use" grep -q "in use" <<<"$msg"
umount mnt
check_eq "the mounted file system survived" "$(blkid -p -o value -s TYPE "$blk")" ext4
losetup -d "$blk"

# Detached header: the data device carries only ciphertext.
truncate -s 32M data
check "format --header" "$VEIL" format --batch --key-file k1 "${KDF[@]}" --header hdr data
check "open --header" "$VEIL" open --header hdr --key-file k1 data "$N"
check_eq "detached: the whole device is data" "$(blockdev --getsz "/dev/mapper/$N")" $((32 * 2048))
head -c 1M /dev/urandom > pt
dd_to pt "/dev/mapper/$N"
settle
"$VEIL" close "$N"
"$VEIL" open --header hdr --key-file k1 data "$N"
dd_from "/dev/mapper/$N" back $((1 << 20))
same_bytes "detached: data back after reopen" pt back
settle
"$VEIL" close "$N"
check_exit "data without its header: not veil, exit 1" 1 "$VEIL" open --key-file k1 data "$N"
hsum=$(sha256sum < hdr)
msg=$("$VEIL" open --key-file k1 hdr "$N" 2>&1)
check_exit "the detached header opened as the data device: refused, exit 1" 1 "$VEIL" open --key-file k1 hdr "$N"
check "the refusal names --header" grep -q -- "--header" <<<"$msg"
check_fails "no mapping was made of the header file" dmsetup info "$N"
check_eq "the header file is unchanged" "$(sha256sum < hdr)" "$hsum"
finish
