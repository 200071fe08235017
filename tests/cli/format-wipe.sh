#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# format --wipe: after the header, the whole data area holds the encryption
# of zeros under the new volume key (the mapping reads zeros, old data is
# gone), with progress like erase; an unsupported cipher or a read-only
# device is refused before anything is written; an interrupted wipe leaves
# a volume that opens and says so.
. "$(dirname "$0")/common.bash"

if ! python3 -c 'import cryptography' 2>/dev/null; then
	skip "format --wipe" "python3-cryptography is not installed (apt-get install python3-cryptography): it decrypts the data area independently of veil"
	tests_done
	exit 0
fi

# zeros_under IMG VK CIPHER SECTOR LARGE [BYTES]: decrypt the data area (at
# 16 MiB, to the end or BYTES) as dm-crypt would and print "zeros" when all
# of it is zero, else the first bad byte offset. Independent of veil's code.
zeros_under() {
	python3 - "$@" <<'PY'
import sys, hashlib
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
img, vkf, cipher, sector, large = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] == "1"
limit = int(sys.argv[6]) if len(sys.argv) > 6 else None
key = open(vkf, 'rb').read()
off = 16 << 20
data = open(img, 'rb').read()[off:]
if limit is not None:
    data = data[:limit]
essiv = None
if cipher == "aes-cbc-essiv:sha256":
    essiv = Cipher(algorithms.AES(hashlib.sha256(key).digest()), modes.ECB()).encryptor()
for pos in range(0, len(data) - len(data) % sector, sector):
    ivs = pos // 512
    if large:
        ivs //= sector // 512
    if cipher == "aes-xts-plain":
        ivs &= 0xffffffff
    iv = ivs.to_bytes(8, 'little') + bytes(8)
    if essiv:
        iv = essiv.update(iv)
        d = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    else:
        d = Cipher(algorithms.AES(key), modes.XTS(iv)).decryptor()
    plain = d.update(data[pos:pos + sector]) + d.finalize()
    if plain != bytes(sector):
        print(off + pos)
        sys.exit(0)
print("zeros")
PY
}

# An image full of old data.
old_image() { rm -f "$1"; yes 'OLD PLAINTEXT' | head -c "$(($2 << 20))" > "$1"; }

old_image img 32
head -c 64 /dev/urandom > vk64
out=$("$VEIL" format --batch --wipe --volume-key-file vk64 -d k1 "${KDF[@]}" --progress-json img 2>err) \
	&& rc=0 || rc=$?
check_eq "format --wipe exits 0" "$rc" 0
check_eq "format --wipe: the data area decrypts to zeros (aes-xts-plain64, 4096-byte sectors)" \
	"$(zeros_under img vk64 aes-xts-plain64 4096 0)" zeros
check_eq "format --wipe: no old data is left in the data area" "$(dd if=img bs=1M skip=16 status=none | grep -a -q 'OLD PLAINTEXT' && echo old)" ""
check "format --wipe: the volume opens" opens img k1
json=$(printf '%s\n' "$out" | grep '^{' | grep 'Wiping the data area')
check_eq "format --wipe --progress-json: ends with the whole data area (16 MiB) at 100%" \
	"$(tail -n 1 <<<"$json" | jq -r '"\(.device) \(.done_bytes) \(.total_bytes) \(.percent)"')" \
	"img 16777216 16777216 100"
check_eq "format --wipe --progress-json: starts at 0 and never goes back" \
	"$(jq -s '[.[].done_bytes] as $d | $d[0] == 0 and $d == ($d | sort) and ($d | length) > 2' <<<"$json")" true
check_eq "format --wipe --progress-json: no terminal line on stderr" "$(grep -c '%' err)" 0

on_terminal "format --wipe: a terminal gets the percent, amount, rate and time left" \
	'*Wiping the data area: 100% (16.0 of 16.0 MiB, * MiB/s, * s left)*' \
	"'$VEIL' format --batch --force --wipe -d k1 ${KDF[*]} img"

# Other IV rules and ciphers: each checked against an independent decryption.
for spec in "aes-xts-plain64 4096 1 64" "aes-xts-plain64 512 0 64" "aes-xts-plain 4096 0 32" \
	"aes-cbc-essiv:sha256 4096 0 32" "aes-cbc-essiv:sha256 1024 1 32"; do
	read -r c s l kb <<<"$spec"
	old_image v.img 20
	head -c "$kb" /dev/urandom > vk
	args=(-c "$c" -s $((kb * 8)) --sector-size "$s")
	[ "$l" = 1 ] && args+=(--iv-large-sectors)
	err=$("$VEIL" format --batch --wipe --volume-key-file vk -d k1 "${KDF[@]}" "${args[@]}" v.img 2>&1 >/dev/null) \
		&& rc=0 || rc=$?
	check_eq "format --wipe $c, $s-byte sectors, iv_large_sectors=$l: exits 0" "$rc" 0
	check_eq "format --wipe $c, $s-byte sectors, iv_large_sectors=$l: zeros through the cipher" \
		"$(zeros_under v.img vk "$c" "$s" "$l")" zeros
	check_eq "format --wipe $c: no progress on a non-terminal unless asked" "$(grep -c '%' <<<"$err")" 0
done

# Refused before anything is written: a cipher libcrypto cannot do here.
old_image a.img 20
before=$(sha256sum < a.img)
err=$(stderr_of "$VEIL" format --batch --wipe -d k1 "${KDF[@]}" -c xchacha12,aes-adiantum-plain64 a.img)
"$VEIL" format --batch --wipe -d k1 "${KDF[@]}" -c xchacha12,aes-adiantum-plain64 a.img >/dev/null 2>&1 \
	&& rc=0 || rc=$?
check_eq "format --wipe with adiantum: refused with exit 1" "$rc" 1
case $err in
*"xchacha12,aes-adiantum-plain64"*) pass "format --wipe with adiantum: the message names the cipher" ;;
*) fail "format --wipe with adiantum: the message names the cipher" "got: $err" ;;
esac
check_eq "format --wipe with adiantum: the device is untouched" "$(sha256sum < a.img)" "$before"

# A read-only data device (with a detached header, so only --wipe needs to
# write it): refused before the header file is written.
if lo=$(losetup -r -f --show a.img 2>/dev/null); then
	"$VEIL" format --batch --wipe -d k1 "${KDF[@]}" --header ro.hdr "$lo" >/dev/null 2>ro.err && rc=0 || rc=$?
	losetup -d "$lo"
	check_eq "format --wipe on a read-only device: exit 4 (device)" "$rc" 4
	check_eq "format --wipe on a read-only device: the device is untouched" "$(sha256sum < a.img)" "$before"
	check_eq "format --wipe on a read-only device: no header file is made" "$([ -e ro.hdr ] && echo made)" ""
	case $(cat ro.err) in
	*"read-only"*|*"Read-only"*) pass "format --wipe on a read-only device: says so" ;;
	*) fail "format --wipe on a read-only device: says so" "got: $(cat ro.err)" ;;
	esac
else
	skip "format --wipe on a read-only device" "cannot attach a read-only loop device here (needs root)"
fi

# Interrupted: SIGINT while the wipe runs (held at the "wipe" hook after the
# first chunk) stops it at a chunk boundary; the volume opens, the user is
# told, the written part is zeros through the cipher. Rerunning finishes.
mkfifo held
old_image i.img 32
VEIL_TEST_HOOK="wipe:$PWD/held" "$VEIL" format --batch --wipe --volume-key-file vk64 -d k1 "${KDF[@]}" \
	i.img >/dev/null 2>i.err &
pid=$!
check_eq "format --wipe reached its first chunk" "$(hook_wait held)" wipe
kill -INT $pid
hook_release held
wait $pid && rc=0 || rc=$?
check_eq "format --wipe interrupted: killed by SIGINT (status 130)" "$rc" 130
case $(cat i.err) in
*"interrupted after 1048576 of 16777216 bytes"*"format --wipe again"*)
	pass "format --wipe interrupted: the user is told how far it got and to rerun" ;;
*) fail "format --wipe interrupted: the user is told how far it got and to rerun" "got: $(cat i.err)" ;;
esac
check "format --wipe interrupted: the volume opens" opens i.img k1
check_eq "format --wipe interrupted: the first chunk is zeros through the cipher" \
	"$(zeros_under i.img vk64 aes-xts-plain64 4096 0 1048576)" zeros
check_eq "format --wipe interrupted: the rest still holds old data" \
	"$(dd if=i.img bs=1M skip=17 count=1 status=none | grep -a -q 'OLD PLAINTEXT' && echo old)" old
"$VEIL" format --batch --force --wipe --volume-key-file vk64 -d k1 "${KDF[@]}" i.img >/dev/null 2>&1 && rc=0 || rc=$?
check_eq "format --wipe rerun: exits 0" "$rc" 0
check_eq "format --wipe rerun: the whole data area is zeros through the cipher" \
	"$(zeros_under i.img vk64 aes-xts-plain64 4096 0)" zeros
tests_done
