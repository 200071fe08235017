#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# veil on image files: usage, exit codes, format, dump, uuid, isveil,
# signatures, key files.
. "$(dirname "$0")/common.bash"

check_eq "version" "$("$VEIL" --version)" "veil $(cat "$top/VERSION")"
check "help" "$VEIL" --help
check "help of a command" "$VEIL" open --help
check_exit "no command: exit 1" 1 "$VEIL"
check_exit "unknown command: exit 1" 1 "$VEIL" frobnicate
check_exit "unknown option: exit 1" 1 "$VEIL" dump --frob img
check_exit "option of another command: exit 1" 1 "$VEIL" dump --cipher aes-xts-plain64 img
check_exit "missing argument: exit 1" 1 "$VEIL" dump
check_exit "trailing junk in a number: exit 1" 1 "$VEIL" format --key-size 512x img
check_exit "bad sector size: exit 1" 1 "$VEIL" format --sector-size 3000 img
check_exit "missing device: exit 4" 4 "$VEIL" dump /nonexistent/device

new_image img 64
check_exit "format with unsupported cipher: exit 1" 1 "$VEIL" format --batch --key-file k1 --cipher serpent-xts-plain64 img
check_exit "format with bad key size: exit 1" 1 "$VEIL" format --batch --key-file k1 --key-size 384 img
check "format" fmt img
check "isveil after format" "$VEIL" isveil img
check_exit "isveil on a non-veil file: exit 1 (as isLuks)" 1 "$VEIL" isveil k1
uuid=$("$VEIL" uuid img)
check "uuid prints a UUID" grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' <<<"$uuid"
dump=$("$VEIL" dump img)
check "dump names the defaults" grep -q 'aes-xts-plain64' <<<"$dump"
check "dump: 512-bit key" grep -q 'key size:   512 bits' <<<"$dump"
check "dump: 4096-byte sectors" grep -q 'sector:     4096 bytes' <<<"$dump"
check "dump: uuid" grep -q "$uuid" <<<"$dump"
check "dump: keyslot 0 with its KDF" grep -q 'Iterations: 1000' <<<"$dump"
check_fails "dump never prints key material (no 'volume key' or 'key:' hex)" grep -qiE 'volume key|master key' <<<"$dump"
json=$("$VEIL" dump --json img)
check "dump --json is JSON" jq -e . <<<"$json"
check_eq "dump --json uuid" "$(jq -r '.. | .uuid? // empty' <<<"$json" | head -n1)" "$uuid"
check_eq "keyslot list --json: one slot" "$("$VEIL" keyslot list --json img | jq length)" 1

check "right key file opens" opens img k1
check_exit "wrong key file: exit 2" 2 "$VEIL" open --test-passphrase --key-file k2 img
check_exit "open --key-slot of an inactive slot: exit 1" 1 "$VEIL" open --test-passphrase --key-file k1 --key-slot 7 img
check_exit "key file missing: exit 1" 1 "$VEIL" open --test-passphrase --key-file nonexistent img
msg=$(stderr_of "$VEIL" open --test-passphrase --key-file k2 img)
check "wrong passphrase message names the device" grep -q "img" <<<"$msg"
check "passphrase from stdin (--key-file -)" "$VEIL" open --test-passphrase --key-file - img <k1
check_exit "wrong passphrase from stdin: exit 2" 2 "$VEIL" open --test-passphrase --key-file - img <k2

# Key file slicing: the passphrase is bytes 5..20 of a bigger file.
printf 'XXXXXfirst passphraseYYYY' > sliced
check "--keyfile-offset/--keyfile-size" opens img sliced --keyfile-offset 5 --keyfile-size 16
check_exit "--keyfile-size off by one: exit 2" 2 "$VEIL" open --test-passphrase --key-file sliced --keyfile-offset 5 --keyfile-size 15 img
check_exit "--keyfile-size beyond the file: exit 1" 1 "$VEIL" open --test-passphrase --key-file sliced --keyfile-offset 20 --keyfile-size 16 img
head -c $((8 * 1024 * 1024 + 1)) /dev/zero > huge
msg=$(stderr_of "$VEIL" open --test-passphrase --key-file huge img)
check "key file above the maximum: clear error" grep -q "larger than the maximum" <<<"$msg"
check_exit "key file above the maximum: exit 1" 1 "$VEIL" open --test-passphrase --key-file huge img
check_exit "empty key file: exit 1" 1 "$VEIL" open --test-passphrase --key-file /dev/null img

# Refusing to format over signatures.
new_image fs 64
mkfs.ext4 -q -F fs
msg=$(stderr_of "$VEIL" format --batch --key-file k1 "${KDF[@]}" fs)
check_exit "format over ext4 refused: exit 5" 5 "$VEIL" format --batch --key-file k1 "${KDF[@]}" fs
check "refusal names ext4 and --force" grep -q "ext4.*--force" <<<"$msg"
check "ext4 untouched after the refusal" blkid -p -o value -s TYPE fs
check_exit "format over veil refused: exit 5" 5 fmt img
check "format --force over ext4" fmt fs --force
check_eq "blkid sees no ext4 after --force" "$(blkid -p -o value -s TYPE fs 2>/dev/null | grep -c ext4)" 0
check "formatted volume opens" opens fs k1

# Format options land in the header.
new_image opt 64
check "format with options" fmt opt --cipher aes-cbc-essiv:sha256 --key-size 256 --sector-size 512 --label mylabel --uuid 01234567-89ab-cdef-0123-456789abcdef
d=$("$VEIL" dump opt)
check "cipher stored" grep -q 'aes-cbc-essiv:sha256' <<<"$d"
check "sector size stored" grep -q 'sector:     512 bytes' <<<"$d"
check "label stored" grep -q 'mylabel' <<<"$d"
check_eq "uuid stored" "$("$VEIL" uuid opt)" "01234567-89ab-cdef-0123-456789abcdef"
check_exit "format with a bad --uuid: exit 1" 1 "$VEIL" format --batch --key-file k1 --uuid nope opt
new_image a2 64
check "format argon2id with explicit cost" "$VEIL" format --batch --key-file k1 --pbkdf argon2id --pbkdf-force-iterations 1 --pbkdf-memory 8192 --pbkdf-parallel 1 a2
check "argon2id parameters in dump" grep -q 'Memory:     8192 KiB' <<<"$("$VEIL" dump a2)"
check "argon2id volume opens" opens a2 k1
new_image small 8
check_exit "device too small: exit 1" 1 fmt small

# Mapping commands need device-mapper; without it they say so (exit 4).
if ! dmsetup version >/dev/null 2>&1; then
	msg=$(stderr_of "$VEIL" open --key-file k1 img vt-cli)
	check_exit "open without device-mapper: exit 4" 4 "$VEIL" open --key-file k1 img vt-cli
	check "and says device-mapper is missing" grep -q "device-mapper is not available" <<<"$msg"
	check_exit "close without device-mapper: exit 4" 4 "$VEIL" close vt-cli
	check_exit "status without device-mapper: exit 4" 4 "$VEIL" status vt-cli
else
	skip "open without device-mapper" "this host has device-mapper; the VM suite covers open"
fi

# Without a terminal, format must not invent a passphrase or confirmation.
new_image img3 64
check_exit "format without --batch and no terminal: refused" 1 setsid "$VEIL" format --key-file k1 "${KDF[@]}" img3
check_exit "open without key file and no terminal: exit 1" 1 setsid "$VEIL" open --test-passphrase img </dev/null

# Table flags given to format are stored in the header, and dump names them.
new_image flg 64
check "format --allow-discards --perf-no_inline" fmt flg --allow-discards --perf-no_inline
flags=$("$VEIL" dump flg | grep '^Flags:')
check "dump names allow-discards and no-inline" bash -c '[[ $1 == *allow-discards* && $1 == *no-inline* ]]' _ "$flags"
# As cryptsetup with benchmarks disabled: a forced KDF leaves the digest
# at the minimum, not calibrated; without --pbkdf-force-iterations it is.
digest_iterations() { "$VEIL" dump "$1" | awk '/^Digest/ { d = 1 } d && $1 == "Iterations:" { print $2; exit }'; }
check_eq "format --pbkdf-force-iterations: digest iterations 1000" "$(digest_iterations flg)" 1000
new_image cal 64
check "format with a calibrated KDF" "$VEIL" format --batch --key-file k1 --pbkdf pbkdf2 --iter-time 20 cal
cal=$(digest_iterations cal)
check "a calibrated format calibrates the digest too (got ${cal:-none})" test "${cal:-0}" -gt 1000
check_exit "format --perf-no_inlined (no such flag): exit 1" 1 fmt flg --force --perf-no_inlined
tests_done
