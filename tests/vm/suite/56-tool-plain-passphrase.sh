#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Habit 6: open --plain from a passphrase, hashed as cryptsetup's plain mode
# does, with cryptsetup's plain defaults (aes-cbc-essiv:sha256, 256 bits,
# ripemd160). Data written through "cryptsetup open --type plain" reads back
# the same through veil, for the defaults and for an explicit --hash, and
# the table veil loads names the same cipher and key size.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 256m
VEIL=$REPO/build/veil
cd "$WORK" || exit 1
N=$PFX-pp
C=$PFX-ppc

if ! command -v cryptsetup >/dev/null 2>&1; then
	skip "plain passphrase vs cryptsetup" "cryptsetup is not installed (package cryptsetup-bin)"
	finish
	exit 0
fi
truncate -s 16M img
head -c 4M /dev/urandom > pt

# same_as_cryptsetup LABEL CRYPTSETUP-OPTS -- VEIL-OPTS: write pt through
# cryptsetup plain, read it back through veil with the same passphrase.
same_as_cryptsetup() {
	local label=$1 cs=() vo=()
	shift
	while [ "$1" != -- ]; do cs+=("$1"); shift; done
	shift
	vo=("$@")
	if ! printf 'old plain passphrase\n' | cryptsetup open --type plain "${cs[@]}" img "$C" 2>/dev/null; then
		fail "$label: cryptsetup open --type plain" "failed"
		return
	fi
	dd if=pt of="/dev/mapper/$C" bs=1M oflag=direct status=none
	settle; cryptsetup close "$C"
	check "$label: veil open --plain with the piped passphrase" \
		bash -c "printf 'old plain passphrase\n' | '$VEIL' open --plain ${vo[*]} img '$N'"
	if [ -e "/dev/mapper/$N" ]; then
		dd if="/dev/mapper/$N" of=back bs=1M count=4 iflag=direct status=none
		same_bytes "$label: veil reads what cryptsetup plain wrote" pt back
		settle; "$VEIL" close "$N"
	fi
}

same_as_cryptsetup "defaults" -- ""
same_as_cryptsetup "--hash sha256 --cipher aes-xts-plain64 --key-size 512" \
	--hash sha256 --cipher aes-xts-plain64 --key-size 512 -- \
	--hash sha256 --cipher aes-xts-plain64 --key-size 512
same_as_cryptsetup "--hash sha512 --offset 2048 --skip 8" \
	--hash sha512 --offset 2048 --skip 8 -- --hash sha512 --offset 2048 --skip 8

# What veil mapped with the defaults, read from device-mapper.
printf 'x\n' | "$VEIL" open --plain img "$N"
t=$(dmsetup table "$N")
check_eq "defaults: cipher in the table" "$(awk '{print $4}' <<<"$t")" "aes-cbc-essiv:sha256"
check_eq "defaults: 256-bit key reference" "$(awk '{print $5}' <<<"$t" | cut -d: -f2)" "32"
settle; "$VEIL" close "$N"

check_exit "--hash with --key-file is refused (a key file is used raw)" 1 \
	"$VEIL" open --plain --hash sha256 --key-file pt img "$N"
check_exit "--hash without --plain is refused" 1 "$VEIL" open --hash sha256 img "$N"
check_exit "an unknown hash is refused" 1 bash -c "printf 'x\n' | '$VEIL' open --plain --hash nosuchhash img '$N'"
check_fails "nothing is left mapped after the refusals" dmsetup info "$N"
finish
