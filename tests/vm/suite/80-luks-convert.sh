#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# LUKS interop where it maps: a file system written through cryptsetup open
# (dm-crypt) reads with the same checksums, fsck clean, through veil open
# --luks (no conversion), through veil open after convert --from-luks, and
# through cryptsetup open again after convert --to-luks2. Also LUKS1 and
# adiantum data, and the refusals that need device-mapper to set up (a
# device that is open, a LUKS2 volume with integrity).
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 256m
VEIL=$REPO/build/veil
KDF=(--pbkdf pbkdf2 --pbkdf-force-iterations 1000)
cd "$WORK" || exit 1
printf 'first passphrase' > k1
printf 'second passphrase' > k2
modprobe dm-crypt
N=$PFX-vol
C=$PFX-crypt
mkdir -p mnt

# fs_sums DEV: mount read-only and print the checksums of every file.
fs_sums() {
	mount -o ro "$1" mnt || return 1
	(cd mnt && find . -type f -name 'f*' | sort | xargs sha256sum)
	umount mnt
}
fsck_clean() { e2fsck -fn "$1" >/dev/null 2>&1; }
hdr_sha() { head -c $((16 << 20)) "$1" | sha256sum; }

# A LUKS2 volume with an ext4 file system, written through dm-crypt.
truncate -s 48M img
cryptsetup luksFormat --batch-mode "${KDF[@]}" --type luks2 --label vmtest img k1 ||
	{ fail "luks2/format" "cryptsetup luksFormat failed"; finish; exit 0; }
cryptsetup open --key-file k1 img "$C" || { fail "luks2/open" "cryptsetup open failed"; finish; exit 0; }
mkfs.ext4 -q -F "/dev/mapper/$C"
mount "/dev/mapper/$C" mnt
for i in 1 2 3 4; do head -c 3M /dev/urandom > "mnt/f$i"; done
(cd mnt && find . -type f -name 'f*' | sort | xargs sha256sum) > sums
umount mnt

# An open device is refused with nothing written.
before=$(hdr_sha img)
check_exit "convert of an open volume: exit 5" 5 "$VEIL" convert --from-luks --batch --key-file k1 "${KDF[@]}" img
check_eq "convert of an open volume: nothing written" "$(hdr_sha img)" "$before"
settle; cryptsetup close "$C"

check "open --luks maps the LUKS2 volume with the veil target" "$VEIL" open --luks --key-file k1 img "$N"
check "open --luks: table uses the veil target" grep -q " veil " <<<"$(dmsetup table "$N")"
check "open --luks: key handed over through the keyring" grep -q ":logon:veil:" <<<"$(dmsetup table "$N")"
check_eq "open --luks: same checksums" "$(fs_sums "/dev/mapper/$N")" "$(cat sums)"
settle; "$VEIL" close "$N"

check "convert --from-luks" "$VEIL" convert --from-luks --batch --key-file k1 --add-key-file k2 "${KDF[@]}" img
check_fails "after --from-luks: not LUKS" cryptsetup isLuks img
check "veil open after --from-luks (k2)" "$VEIL" open --key-file k2 img "$N"
check "fsck clean through veil" fsck_clean "/dev/mapper/$N"
check_eq "same checksums through veil" "$(fs_sums "/dev/mapper/$N")" "$(cat sums)"
# Write through veil, read back through cryptsetup after the way back.
mount "/dev/mapper/$N" mnt && head -c 2M /dev/urandom > mnt/f5 &&
	(cd mnt && find . -type f -name 'f*' | sort | xargs sha256sum) > sums && umount mnt
settle; "$VEIL" close "$N"

check "convert --to-luks2" "$VEIL" convert --to-luks2 --batch --key-file k1 --add-key-file k2 "${KDF[@]}" img
check "after --to-luks2: LUKS again" cryptsetup isLuks img
check "cryptsetup open after --to-luks2" cryptsetup open --key-file k2 img "$C"
check "fsck clean through dm-crypt" fsck_clean "/dev/mapper/$C"
check_eq "same checksums through dm-crypt (incl. a file veil wrote)" "$(fs_sums "/dev/mapper/$C")" "$(cat sums)"
settle; cryptsetup close "$C"

# raw_roundtrip NAME MiB luksFormat-args...: data written by dm-crypt reads
# the same through veil after --from-luks.
raw_roundtrip() {
	local name=$1 mib=$2
	shift 2
	rm -f r.img r.img.*; truncate -s "${mib}M" r.img
	if ! cryptsetup luksFormat --batch-mode "${KDF[@]}" "$@" r.img k1 >/dev/null 2>&1; then
		fail "$name/format" "cryptsetup luksFormat $* failed"
		return
	fi
	cryptsetup open --key-file k1 r.img "$C" || { fail "$name/open" "cryptsetup open"; return; }
	head -c 1M /dev/urandom > pt
	dd_to pt "/dev/mapper/$C"
	settle; cryptsetup close "$C"
	check "$name: convert --from-luks" "$VEIL" convert --from-luks --batch --key-file k1 "${KDF[@]}" r.img
	check "$name: veil open" "$VEIL" open --key-file k1 r.img "$N" || return
	dd_from "/dev/mapper/$N" back $((1 << 20))
	same_bytes "$name: veil reads what dm-crypt wrote" pt back
	settle; "$VEIL" close "$N"
}
raw_roundtrip luks1-xts 8 --type luks1 -c aes-xts-plain64 -s 512
raw_roundtrip luks2-adiantum 24 --type luks2 -c xchacha12,aes-adiantum-plain64 -s 256 --sector-size 4096

# A LUKS2 segment of fixed size: veil open --luks maps exactly the segment
# (as the LUKS2 format says and cryptsetup 2.7+ maps it; 2.6 maps to the
# device end), and the same bytes dm-crypt wrote there.
rm -f s.img; truncate -s 32M s.img
cryptsetup luksFormat --batch-mode "${KDF[@]}" --type luks2 s.img k1 >/dev/null 2>&1 &&
	python3 "$REPO/tests/luks/luks2-fixed-size.py" s.img $((5 << 20)) ||
	fail "fixed-segment/format" "cannot make a LUKS2 volume with a fixed-size segment"
if cryptsetup open --key-file k1 s.img "$C"; then
	csize=$(blockdev --getsz "/dev/mapper/$C")
	head -c 5M /dev/urandom > pt5
	dd_to pt5 "/dev/mapper/$C"
	settle; cryptsetup close "$C"
	if "$VEIL" open --luks --key-file k1 s.img "$N"; then
		pass "fixed segment: veil open --luks"
		vsize=$(blockdev --getsz "/dev/mapper/$N")
		check_eq "fixed segment: veil maps the segment's 10240 sectors" "$vsize" 10240
		dd_from "/dev/mapper/$N" back5 $((5 << 20))
		same_bytes "fixed segment: veil reads what dm-crypt wrote" pt5 back5
		settle; "$VEIL" close "$N"
	else
		fail "fixed segment: veil open --luks" "exit $?"
	fi
	csver=$(cryptsetup --version | awk '{print $2}')
	if [ "$(printf '%s\n2.7.0\n' "$csver" | sort -V | head -n 1)" = 2.7.0 ]; then
		check_eq "fixed segment: cryptsetup $csver maps as many sectors as veil" "$csize" 10240
	else
		skip "fixed segment: same size as cryptsetup open" "cryptsetup $csver maps LUKS2 to the device end ($csize sectors) whatever the segment size; 2.7 honours it"
	fi
else
	fail "fixed-segment/open" "cryptsetup open of the fixed-size segment failed"
fi

# Integrity (dm-integrity below dm-crypt) is refused by name.
rm -f i.img; truncate -s 40M i.img
if cryptsetup luksFormat --batch-mode "${KDF[@]}" --type luks2 --integrity hmac-sha256 \
		--integrity-no-wipe i.img k1 >/dev/null 2>&1; then
	before=$(hdr_sha i.img)
	msg=$("$VEIL" convert --from-luks --batch --key-file k1 i.img 2>&1)
	rc=$?
	check_eq "integrity: convert refused with exit 1" "$rc" 1
	check "integrity: the message says integrity" grep -q integrity <<<"$msg"
	check_eq "integrity: nothing written" "$(hdr_sha i.img)" "$before"
	check_exit "integrity: open --luks refused" 1 "$VEIL" open --luks --key-file k1 i.img "$N"
elif ! { modprobe -q dm-integrity 2>/dev/null; dmsetup targets | grep -q '^integrity '; }; then
	skip "integrity: convert refused" "this kernel has no dm-integrity target, so cryptsetup cannot make a LUKS2 volume with integrity"
else
	fail "integrity/format" "cryptsetup luksFormat --integrity failed in the guest"
fi
finish
