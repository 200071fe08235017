#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The volume key and the keyring: open works from a fresh session keyring
# with no link to the user keyring (the key goes to the thread keyring),
# no veil key outlives open, resume or resize, close sweeps a leftover
# veil:<uuid> key, and no table ever shows key bytes (veil or crypt).
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 256m
VEIL=$REPO/build/veil
KDF=(--pbkdf pbkdf2 --pbkdf-force-iterations 1000)
cd "$WORK" || exit 1
printf 'first passphrase' > k1
modprobe dm-crypt
N=$PFX-vol

truncate -s 48M img
"$VEIL" format --batch --key-file k1 "${KDF[@]}" img 2>/dev/null
uuid=$("$VEIL" uuid img)
# Only this volume's key: other scripts' unlinked keys linger in /proc/keys until key GC.
veil_keys() { grep -c " logon .*veil:$uuid" /proc/keys; }
vk_hex_pattern='[0-9a-fA-F]{32}'

check "open from an anonymous session keyring" keyctl session - "$VEIL" open --key-file k1 img "$N"
check "mapped" dm_exists "$N"
check_eq "no veil key after open" "$(veil_keys)" 0
for t in table status; do
	check_fails "dmsetup $t --showkeys shows no key bytes" grep -Eq "$vk_hex_pattern" <<<"$(dmsetup $t --showkeys "$N" 2>/dev/null || dmsetup $t "$N")"
done
"$VEIL" suspend "$N"
check "resume from an anonymous session keyring" keyctl session - "$VEIL" resume --key-file k1 "$N"
check_eq "no veil key after resume" "$(veil_keys)" 0
truncate -s 64M img
check "resize" "$VEIL" resize --key-file k1 "$N"
check_eq "no veil key after resize" "$(veil_keys)" 0
check_fails "table after resize shows no key bytes" grep -Eq "$vk_hex_pattern" <<<"$(dmsetup table --showkeys "$N")"

# A leftover key (say, from a crashed older tool) under the volume's name.
id=$(head -c 64 /dev/urandom | keyctl padd logon "veil:$uuid" @u)
check "a leftover key exists" test -n "$id"
settle
check "close" "$VEIL" close "$N"
check_eq "close swept the leftover veil:<uuid> key" "$(veil_keys)" 0

check "open --target crypt" "$VEIL" open --target crypt --key-file k1 img "$N"
check "crypt table references the logon key" grep -q ":64:logon:veil:$uuid" <<<"$(dmsetup table --showkeys "$N")"
check_fails "crypt table shows no key bytes" grep -Eq "$vk_hex_pattern" <<<"$(dmsetup table --showkeys "$N")"
check_eq "no veil key after a crypt open" "$(veil_keys)" 0
"$VEIL" suspend "$N"
check "crypt: resume" "$VEIL" resume --key-file k1 "$N"
settle
check "crypt: close" "$VEIL" close "$N"
finish
