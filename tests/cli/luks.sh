#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# LUKS interop on image files (no mapping: that is VM test 80): LUKS1 and
# LUKS2 images made by cryptsetup luksFormat convert to veil and back to
# LUKS2 with the same volume key, the data area untouched, every supplied
# key file opening and no other; the write log of each conversion is
# replayed at every cut point by tests/luks/convcheck; bad input is refused
# with nothing written.
. "$(dirname "$0")/common.bash"

CONVCHECK=${CONVCHECK:-$top/build/tests/bin/convcheck}
if ! command -v cryptsetup >/dev/null; then
	skip "luks" "cryptsetup is not installed (make deps)"
	exit 0
fi
if [ ! -x "$CONVCHECK" ]; then
	fail "luks: convcheck" "$CONVCHECK is missing; run make check"
	exit 1
fi
printf 'wrong passphrase' > kbad
LUKSKDF=(--pbkdf pbkdf2 --pbkdf-force-iterations 1000)

# luks_vk IMG KEYFILE [cryptsetup args]: the volume key in hex, from cryptsetup.
luks_vk() {
	local img=$1 key=$2
	shift 2
	cryptsetup luksDump --dump-volume-key --batch-mode --key-file "$key" "$@" "$img" 2>/dev/null |
		sed -n '/^MK dump:/,/^[^[:space:]]/p' | sed 's/^MK dump://' | grep -v '^[^[:space:]]' |
		tr -d ' \t\n'
}
luks_opens() { local img=$1 key=$2; shift 2; cryptsetup open --test-passphrase --key-file "$key" "$@" "$img" 2>/dev/null; }

# crash NAME from|to LOG DATA_OFFSET VK KEYFILE...: the cut-every-write
# replay; its own PASS/FAIL lines name the cut points it tried.
crash() {
	local name=$1
	shift
	"$CONVCHECK" crash "$@" | sed "s/^\(PASS\|FAIL\): /&luks $name: /"
	[ "${PIPESTATUS[0]}" = 0 ] || VEIL_TESTS_FAILED=$((VEIL_TESTS_FAILED + 1))
}

# negative NAME from|to LOG DATA_OFFSET VK KEYFILE...: the crash checker's
# negative control. The same writes in reverse order (the primary header
# first, keyslot areas last) must leave some cut point that opens neither
# way; if the checker passed that, its PASS above would prove nothing.
negative() {
	local name=$1 kind=$2 log=$3 out rc
	shift 3
	rm -f "$log.reversed"
	if ! "$CONVCHECK" reverse "$log" "$log.reversed"; then
		fail "luks $name: negative control" "convcheck reverse $log failed"
		return
	fi
	out=$("$CONVCHECK" crash "$kind" "$log.reversed" "$@" 2>&1) && rc=0 || rc=$?
	if [ "$rc" -ne 0 ] && grep -q "neither LUKS nor veil gives the volume key" <<<"$out"; then
		pass "luks $name: negative control: the crash checker rejects the $kind writes in reverse order"
	else
		fail "luks $name: negative control" "crash checker exit $rc on a reversed write order: $(tail -n 3 <<<"$out")"
	fi
	rm -f "$log.reversed"
}

# tail_sha FILE OFFSET: checksum of everything from OFFSET on.
tail_sha() { tail -c +$(($2 + 1)) "$1" | sha256sum | cut -d' ' -f1; }

# roundtrip NAME MiB DATA_OFFSET "luksFormat args": the whole matrix cell.
# CRASH=1: replay the write logs at every cut point (the cipher does not
# change the write order, so one cell per layout is enough).
roundtrip() {
	local name=$1 mib=$2 doff=$3 fargs=$4 img=$1.img vk vk2 data uuid label out
	new_image "$img" "$mib"
	# shellcheck disable=SC2086
	if ! out=$(cryptsetup luksFormat --batch-mode "${LUKSKDF[@]}" $fargs "$img" k1 2>&1); then
		skip "luks $name" "cryptsetup luksFormat $fargs failed on this host: $out"
		return
	fi
	dd if=/dev/urandom of="$img" bs=1M seek=$((doff >> 20)) conv=notrunc status=none \
		count=$((mib - (doff >> 20)))
	vk=$(luks_vk "$img" k1)
	data=$(tail_sha "$img" "$doff")
	uuid=$(cryptsetup luksUUID "$img")
	label=$(cryptsetup luksDump "$img" | sed -n 's/^Label:[[:space:]]*//p')
	rm -f "$name".log "$img".luks-header-backup
	check "luks $name: convert --from-luks" env VEIL_TEST_WRITE_LOG="$name.log" \
		"$VEIL" convert --from-luks --batch --key-file k1 --add-key-file k2 "${KDF[@]}" "$img"
	check_fails "luks $name: cryptsetup isLuks says no" cryptsetup isLuks "$img"
	check "luks $name: veil isveil says yes" "$VEIL" isveil "$img"
	check_eq "luks $name: same volume key in the veil header" "$("$CONVCHECK" vk "$img" k2)" "$vk"
	check_eq "luks $name: data area byte-for-byte untouched" "$(tail_sha "$img" "$doff")" "$data"
	check "luks $name: k1 opens the veil volume" opens "$img" k1
	check "luks $name: k2 (--add-key-file) opens it" opens "$img" k2
	check_exit "luks $name: another key file does not: exit 2" 2 "$VEIL" open --test-passphrase --key-file kbad "$img"
	check_eq "luks $name: UUID carried over" "$("$VEIL" uuid "$img")" "$uuid"
	if [ -n "$label" ] && [ "$label" != "(no label)" ]; then
		check "luks $name: label carried over" grep -q "Label:[[:space:]]*$label\$" <<<"$("$VEIL" dump "$img")"
	fi
	check_eq "luks $name: LUKS header backup is 0400" "$(stat -c %a "$img".luks-header-backup)" 400
	check "luks $name: cryptsetup --header BACKUP opens the data" \
		luks_opens "$img" k1 --header "$img".luks-header-backup
	if [ "${CRASH:-0}" = 1 ]; then
		crash "$name" from "$name".log "$doff" "$vk" k1 k2
		negative "$name" from "$name".log "$doff" "$vk" k1 k2
	fi

	rm -f "$name".log2 "$img".veil-header-backup
	check "luks $name: convert --to-luks2" env VEIL_TEST_WRITE_LOG="$name.log2" \
		"$VEIL" convert --to-luks2 --batch --key-file k2 --add-key-file k1 "${KDF[@]}" "$img"
	check "luks $name: cryptsetup isLuks says yes again" cryptsetup isLuks "$img"
	check_exit "luks $name: veil isveil says no: exit 1 (as isLuks)" 1 "$VEIL" isveil "$img"
	vk2=$(luks_vk "$img" k2)
	check_eq "luks $name: same volume key after --to-luks2 (luksDump --dump-volume-key)" "$vk2" "$vk"
	check_eq "luks $name: data area still untouched" "$(tail_sha "$img" "$doff")" "$data"
	check "luks $name: LUKS2 k1 opens" luks_opens "$img" k1
	check "luks $name: LUKS2 k2 opens" luks_opens "$img" k2
	check_fails "luks $name: LUKS2 other key does not" luks_opens "$img" kbad
	check_eq "luks $name: UUID still carried" "$(cryptsetup luksUUID "$img")" "$uuid"
	check_eq "luks $name: veil header backup is 0600" "$(stat -c %a "$img".veil-header-backup)" 600
	if [ "${CRASH:-0}" = 1 ]; then
		crash "$name" to "$name".log2 "$doff" "$vk" k2 k1
		negative "$name" to "$name".log2 "$doff" "$vk" k2 k1
	fi
	rm -f "$img" "$img".* "$name".log "$name".log2
}

M=$((1 << 20))
CRASH=1 roundtrip luks2-xts512-4k 20 $((16 * M)) "--type luks2 -c aes-xts-plain64 -s 512 --sector-size 4096 --label migrated"
roundtrip luks2-xts256-512 20 $((16 * M)) "--type luks2 -c aes-xts-plain64 -s 256 --sector-size 512"
roundtrip luks2-essiv 20 $((16 * M)) "--type luks2 -c aes-cbc-essiv:sha256 -s 256 --sector-size 512"
roundtrip luks2-adiantum 20 $((16 * M)) "--type luks2 -c xchacha12,aes-adiantum-plain64 -s 256 --sector-size 4096"
CRASH=1 roundtrip luks1-xts512 4 $((2 * M)) "--type luks1 -c aes-xts-plain64 -s 512"
roundtrip luks1-essiv 4 $((2 * M)) "--type luks1 -c aes-cbc-essiv:sha256 -s 256"

# Detached LUKS2 header: the header file converts, the data device is untouched.
new_image data.img 4
dd if=/dev/urandom of=data.img bs=1M count=4 conv=notrunc status=none
datasha=$(sha256sum < data.img)
cryptsetup luksFormat --batch-mode "${LUKSKDF[@]}" --type luks2 --header hdr.img data.img k1 >/dev/null 2>&1
vk=$(luks_vk data.img k1 --header hdr.img)
check "luks detached: convert --from-luks --header" env VEIL_TEST_WRITE_LOG=det.log \
	"$VEIL" convert --from-luks --batch --key-file k1 --header hdr.img "${KDF[@]}" data.img
check "luks detached: veil opens with --header" opens data.img k1 --header hdr.img
check_eq "luks detached: same volume key" "$("$CONVCHECK" vk hdr.img k1)" "$vk"
crash detached from det.log 0 "$vk" k1
check "luks detached: convert --to-luks2 --header" env VEIL_TEST_WRITE_LOG=det.log2 \
	"$VEIL" convert --to-luks2 --batch --key-file k1 --header hdr.img "${KDF[@]}" data.img
check "luks detached: cryptsetup opens with --header" luks_opens data.img k1 --header hdr.img
check_eq "luks detached: volume key after the round trip" "$(luks_vk data.img k1 --header hdr.img)" "$vk"
crash detached to det.log2 0 "$vk" k1
check_eq "luks detached: data device never written" "$(sha256sum < data.img)" "$datasha"

# KDF options reach the new keyslots.
new_image kdf.img 20
cryptsetup luksFormat --batch-mode "${LUKSKDF[@]}" --type luks2 kdf.img k1 >/dev/null 2>&1
check "luks kdf: --pbkdf argon2id options" "$VEIL" convert --from-luks --batch --key-file k1 \
	--pbkdf argon2id --pbkdf-force-iterations 2 --pbkdf-memory 8192 --pbkdf-parallel 1 kdf.img
check "luks kdf: new keyslot is argon2id t=2 m=8192 p=1" \
	grep -Pzq 'argon2id.*\n.*2.*\n.*8192.*\n.*1' <<<"$("$VEIL" dump kdf.img | grep -A4 "PBKDF:")"

# cryptsetup's --type luks, luks1 and luks2 are open --luks (luks1/luks2:
# only that version, as cryptsetup).
new_image ty.img 20
cryptsetup luksFormat --batch-mode "${LUKSKDF[@]}" --type luks2 ty.img k1 >/dev/null 2>&1
check "luks --type luks: opens as --luks does" "$VEIL" open --type luks --test-passphrase --key-file k1 ty.img
check "luks -M luks2: opens a LUKS2 volume" "$VEIL" open -M luks2 --test-passphrase --key-file k1 ty.img
check_exit "luks --type luks1 on a LUKS2 volume: refused, exit 4" 4 \
	"$VEIL" open --type luks1 --test-passphrase --key-file k1 ty.img
check "luks --type luks1 on LUKS2: the message names both versions" \
	grep -q "is LUKS2, not luks1" <<<"$(stderr_of "$VEIL" open --type luks1 --test-passphrase --key-file k1 ty.img)"
check_exit "luks --type tcrypt: refused with what veil opens, exit 1" 1 \
	"$VEIL" open --type tcrypt --test-passphrase --key-file k1 ty.img

# A LUKS2 data segment of fixed size (as cryptsetup reencrypt --device-size
# leaves it) is mapped exactly, as the LUKS2 format says (cryptsetup 2.7+
# maps it so; 2.6 maps to the device end), and convert keeps it. VM test 80 compares the live mapping with cryptsetup's.
new_image seg.img 24
cryptsetup luksFormat --batch-mode "${LUKSKDF[@]}" --type luks2 --sector-size 4096 seg.img k1 >/dev/null 2>&1
python3 "$top/tests/luks/luks2-fixed-size.py" seg.img $((4 * M))
check "luks fixed segment: cryptsetup reads the edited header" \
	grep -q "length: 4194304 \[bytes\]" <<<"$(cryptsetup luksDump seg.img)"
check_eq "luks fixed segment: open --luks maps the segment's 8192 sectors, not to the device end" \
	"$(stderr_of "$VEIL" open --luks --test-passphrase -v --key-file k1 seg.img | grep '^Data:')" \
	"Data: 8192 sectors from sector 32768 (the LUKS2 segment's fixed size)."
cp seg.img short.img
truncate -s $((16 * M + 2 * M)) short.img
check_exit "luks fixed segment past the device end: refused, exit 1" 1 \
	"$VEIL" open --luks --test-passphrase --key-file k1 short.img
check "luks fixed segment past the end: the message gives both sizes" \
	grep -q "segment is 4194304 bytes .* only 2097152 bytes" <<<"$(stderr_of "$VEIL" open --luks --test-passphrase --key-file k1 short.img)"
check "luks fixed segment: convert --from-luks" "$VEIL" convert --from-luks --batch --key-file k1 "${KDF[@]}" seg.img
check "luks fixed segment: the veil header keeps the size" \
	grep -q "length: *4194304 bytes" <<<"$("$VEIL" dump seg.img)"

# Refusals: each leaves the image bit-for-bit as it was.
# refused NAME CODE IMG ARGS...: convert must fail with CODE and write nothing.
refused() {
	local name=$1 code=$2 img=$3 before
	shift 3
	before=$(sha256sum < "$img")
	check_exit "luks refuse $name: exit $code" "$code" "$VEIL" convert --from-luks --batch "$@" "$img"
	check_eq "luks refuse $name: nothing written" "$(sha256sum < "$img")" "$before"
}
new_image r.img 20
cryptsetup luksFormat --batch-mode "${LUKSKDF[@]}" --type luks2 r.img k1 >/dev/null 2>&1
refused "wrong passphrase" 2 r.img --key-file kbad
msg=$(stderr_of "$VEIL" open --luks --test-passphrase --key-file kbad r.img)
check "luks open --test-passphrase with a wrong key: says so" grep -q "no LUKS key" <<<"$msg"
check "luks open --luks --test-passphrase with the right key" "$VEIL" open --luks --test-passphrase --key-file k1 r.img

# A token (systemd-tpm2, FIDO2, ...) is how the volume unlocks without a
# passphrase; veil cannot carry it over, so convert refuses rather than
# silently drop it. open --luks with a passphrase still works (as cryptsetup).
new_image tok.img 20
cryptsetup luksFormat --batch-mode "${LUKSKDF[@]}" --type luks2 tok.img k1 >/dev/null 2>&1
echo '{"type":"systemd-tpm2","keyslots":["0"],"tpm2-blob":"AAAA","tpm2-pcrs":[7],"tpm2-pcr-bank":"sha256","tpm2-primary-alg":"ecc","tpm2-policy-hash":"00"}' |
	cryptsetup token import tok.img
refused "a LUKS2 token (systemd-tpm2)" 1 tok.img --key-file k1
check "luks refuse token: the message names the token and how to remove it" \
	grep -q "token(s) 0 (systemd-tpm2).*cryptsetup token remove" <<<"$(stderr_of "$VEIL" convert --from-luks --batch --key-file k1 tok.img)"
check "luks refuse token: no backup file left behind" test ! -e tok.img.luks-header-backup
check "luks token: open --luks --test-passphrase still opens it" \
	"$VEIL" open --luks --test-passphrase --key-file k1 tok.img

new_image cipher.img 20
cryptsetup luksFormat --batch-mode "${LUKSKDF[@]}" --type luks2 -c aes-cbc-plain64 -s 256 cipher.img k1 >/dev/null 2>&1
refused "unsupported cipher aes-cbc-plain64" 1 cipher.img --key-file k1
check "luks refuse cipher: the message names the cipher" \
	grep -q "aes-cbc-plain64" <<<"$(stderr_of "$VEIL" convert --from-luks --batch --key-file k1 cipher.img)"
check_exit "luks open --luks refuses it too" 1 "$VEIL" open --luks --test-passphrase --key-file k1 cipher.img

new_image reenc.img 20
cryptsetup luksFormat --batch-mode "${LUKSKDF[@]}" --type luks2 reenc.img k1 >/dev/null 2>&1
if cryptsetup reencrypt --init-only --batch-mode "${LUKSKDF[@]}" --key-file k1 reenc.img >/dev/null 2>&1; then
	refused "mid-reencryption" 5 reenc.img --key-file k1
	check "luks refuse reencryption: the message says reencryption" \
		grep -q "reencryption" <<<"$(stderr_of "$VEIL" convert --from-luks --batch --key-file k1 reenc.img)"
else
	skip "luks refuse mid-reencryption" "cryptsetup reencrypt --init-only failed on this host"
fi

new_image integ.img 24
if cryptsetup luksFormat --batch-mode "${LUKSKDF[@]}" --type luks2 --integrity hmac-sha256 \
		--integrity-no-wipe integ.img k1 >/dev/null 2>&1; then
	refused "integrity" 1 integ.img --key-file k1
	check "luks refuse integrity: the message says integrity" \
		grep -q "integrity" <<<"$(stderr_of "$VEIL" convert --from-luks --batch --key-file k1 integ.img)"
else
	skip "luks refuse integrity" "cryptsetup luksFormat --integrity needs dm-integrity here; VM test 80 covers it"
fi

new_image small.img 4
cryptsetup luksFormat --batch-mode "${LUKSKDF[@]}" --type luks2 --offset 2048 small.img k1 >/dev/null 2>&1
printf 'extra one' > e1; printf 'extra two' > e2; printf 'extra three' > e3
refused "no room before the data" 1 small.img --key-file k1 --add-key-file e1 --add-key-file e2 --add-key-file e3
check "luks refuse no room: the message gives the numbers" \
	grep -Eq "need [0-9]+ bytes .*[0-9]+ bytes there are free" <<<"$(stderr_of "$VEIL" convert --from-luks --batch --key-file k1 --add-key-file e1 --add-key-file e2 --add-key-file e3 small.img)"
check "luks small: one key fits" "$VEIL" convert --from-luks --batch --key-file k1 "${KDF[@]}" small.img

new_image odd.img 8
cryptsetup luksFormat --batch-mode "${LUKSKDF[@]}" --type luks2 --offset 3000 odd.img k1 >/dev/null 2>&1
refused "data offset not 1 MiB aligned" 1 odd.img --key-file k1
check "luks refuse alignment: the message gives the offset" \
	grep -q "1536000" <<<"$(stderr_of "$VEIL" convert --from-luks --batch --key-file k1 odd.img)"

new_image notluks.img 20
refused "not a LUKS device" 4 notluks.img --key-file k1
check_exit "luks convert without a direction: exit 1" 1 "$VEIL" convert --batch r.img
touch r.img.luks-header-backup
refused "backup file already there" 5 r.img --key-file k1
rm -f r.img.luks-header-backup
check_exit "luks convert without --batch and no terminal: refused" 1 setsid "$VEIL" convert --from-luks --key-file k1 r.img
check "luks convert without confirmation: still LUKS" cryptsetup isLuks r.img
exit $((VEIL_TESTS_FAILED > 0))
