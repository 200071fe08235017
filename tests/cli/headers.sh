#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Header backup and restore, erase, detached headers, tamper and damage.
. "$(dirname "$0")/common.bash"

new_image img 64
fmt img >/dev/null 2>&1 || { fail "format" "cannot format"; exit 1; }
uuid=$("$VEIL" uuid img)

check "header backup" "$VEIL" header backup img bk
check_eq "backup file is 0600" "$(stat -c %a bk)" 600
check_eq "backup holds the whole metadata area" "$(stat -c %s bk)" 16777216
check_exit "backup over an existing file: exit 5" 5 "$VEIL" header backup img bk
check "backup is itself dumpable" "$VEIL" dump bk
check_eq "backup has the volume's UUID" "$("$VEIL" uuid bk)" "$uuid"

check "add a slot after the backup" "$VEIL" keyslot add "${KDF[@]}" --key-file k1 --new-key-file k2 img
check "restore" "$VEIL" header restore --batch img bk
check_exit "restored header: k2's slot is gone: exit 2" 2 "$VEIL" open --test-passphrase --key-file k2 img
check "restored header: k1 opens" opens img k1
check_exit "restore without --batch and no terminal: refused" 1 setsid "$VEIL" header restore img bk

new_image other 64
fmt other >/dev/null 2>&1
msg=$(stderr_of "$VEIL" header restore --batch other bk)
check_exit "restore of another volume's backup: refused, exit 5" 5 "$VEIL" header restore --batch other bk
check "refusal mentions --force" grep -q -- "--force" <<<"$msg"
check_fails "other volume kept its UUID" test "$("$VEIL" uuid other)" = "$uuid"
check "restore --force over another volume" "$VEIL" header restore --batch --force other bk
check_eq "now it has the backup's UUID" "$("$VEIL" uuid other)" "$uuid"
check_exit "restore from a non-backup file: refused" 1 "$VEIL" header restore --batch img k1

cp img before
check_exit "erase without --batch and no terminal: refused" 1 setsid "$VEIL" erase img
check "erase refused: still veil" "$VEIL" isveil img
check "erase --batch" "$VEIL" erase --batch img
check "after erase: still a veil header (as luksErase)" "$VEIL" isveil img
check_eq "after erase: no keyslot left" "$("$VEIL" keyslot list img 2>/dev/null | grep -c active)" 0
check_exit "after erase: nothing opens" 2 "$VEIL" open --test-passphrase --key-file k1 img
area=$("$VEIL" keyslot list --json bk | jq -r '.[0] | "\(.area_offset) \(.area_size)"')
read -r aoff asize <<<"$area"
check_eq "erase overwrote slot 0's area" "$(cmp <(dd if=before bs=4096 skip=$((aoff / 4096)) count=$((asize / 4096)) status=none) \
	<(dd if=img bs=4096 skip=$((aoff / 4096)) count=$((asize / 4096)) status=none) >/dev/null && echo same || echo differs)" "differs"
check_eq "erase left the data area alone" "$(sha_range img 16777216 $((48 << 20)))" "$(sha_range before 16777216 $((48 << 20)))"
check_exit "erase of a non-veil device: exit 1" 1 "$VEIL" erase --batch k1
check "restore after erase brings it back" "$VEIL" header restore --batch img bk
check "and it opens again" opens img k1

# Detached header: the data device carries no header at all.
new_image data 32
rm -f hdr
check "format --header" fmt data --header hdr
check_eq "header file is 0600" "$(stat -c %a hdr)" 600
check_exit "data device is not veil" 1 "$VEIL" isveil data
check "header file is veil" "$VEIL" isveil hdr
check "isveil --header" "$VEIL" isveil --header hdr data
check "open --test-passphrase --header" opens data k1 --header hdr
check "dump --header says detached" grep -q 'detached:   yes' <<<"$("$VEIL" dump --header hdr data)"
check_eq "data offset 0 when detached" "$("$VEIL" dump --json --header hdr data | jq -r .segment.data_offset)" 0
check "keyslot add --header" "$VEIL" keyslot add "${KDF[@]}" --header hdr --key-file k1 --new-key-file k2 data
check "k2 opens via the detached header" opens data k2 --header hdr
check "header backup --header" "$VEIL" header backup --header hdr data hbk
check_eq "data device still has no signature" "$(blkid -p data >/dev/null 2>&1; echo $?)" 2

# Damage and tamper: a broken copy is reported and the other one used;
# a changed MAC-covered field refuses to open and says so.
new_image dmg 64
fmt dmg >/dev/null 2>&1
dd if=/dev/zero of=dmg bs=512 count=1 conv=notrunc status=none
check "primary copy zeroed: still opens from the secondary" opens dmg k1
msg=$(stderr_of "$VEIL" dump dmg)
check "damaged copy is reported" grep -qi "copy 0" <<<"$msg"
check "writable use repairs the copy" "$VEIL" keyslot add "${KDF[@]}" --key-file k1 --new-key-file k2 dmg
check_eq "both copies ok after the repair" "$("$VEIL" dump --json dmg | jq -r '[.copies[].status] | join(",")')" "ok,ok"
dd if=/dev/zero of=dmg bs=4096 count=5 conv=notrunc status=none
msg=$(stderr_of "$VEIL" open --test-passphrase --key-file k1 dmg)
check_exit "both copies destroyed: exit 1" 1 "$VEIL" open --test-passphrase --key-file k1 dmg
check "and the message says why" grep -q "dmg.*not a veil device" <<<"$msg"

# Tamper: change the cipher (a MAC-covered field) in both copies and fix
# their checksums (SPEC.md: SHA-256 of bytes 0x000-0xFDF at 0xFE0). The
# checksums pass, the keyslot opens, and the MAC refuses the header.
new_image tam 64
fmt tam >/dev/null 2>&1
for base in 0 16384; do
	printf 'aes-xts-plain\0\0' | dd of=tam bs=1 seek=$((base + 0x120)) conv=notrunc status=none
	dd if=tam bs=1 skip=$base count=$((0xFE0)) status=none | sha256sum | cut -c1-64 | perl -ne 'chomp; print pack("H*", $_)' |
		dd of=tam bs=1 seek=$((base + 0xFE0)) conv=notrunc status=none
done
check_eq "tampered copies still pass their checksums" "$("$VEIL" dump --json tam | jq -r .segment.cipher)" aes-xts-plain
msg=$(stderr_of "$VEIL" open --test-passphrase --key-file k1 tam)
check_exit "tampered header refuses to open: exit 1" 1 "$VEIL" open --test-passphrase --key-file k1 tam
check "the message says the header was modified" grep -q "tam: header authentication failed: the header was modified" <<<"$msg"
check_exit "keyslot add on a tampered header: refused" 1 "$VEIL" keyslot add "${KDF[@]}" --key-file k1 --new-key-file k2 tam
# Detached headers: the detached flag is checked against how the command
# was called (issue 8, defect 1).
new_image ddata 64
rm -f dhdr
fmt ddata --header dhdr >/dev/null 2>&1 || fail "format with --header" "cannot format"
check "header backup of a detached header" "$VEIL" header backup --header dhdr ddata dbk
dd if=/dev/urandom of=ddata bs=1M count=64 conv=notrunc status=none
data_sum=$(sha256sum < ddata)
msg=$(stderr_of "$VEIL" header restore --batch ddata dbk)
check_exit "restore of a detached header's backup onto the data device: refused, exit 1" 1 \
	"$VEIL" header restore --batch ddata dbk
check "the refusal names --header" grep -q -- "--header" <<<"$msg"
check_eq "the data device is untouched by the refused restore" "$(sha256sum < ddata)" "$data_sum"
check "restore of it with --header" "$VEIL" header restore --batch --header dhdr ddata dbk
check_eq "the data device is untouched by the restore" "$(sha256sum < ddata)" "$data_sum"
check_exit "restore of an attached header's backup with --header: refused, exit 1" 1 \
	"$VEIL" header restore --batch --header dhdr ddata bk
msg=$(stderr_of "$VEIL" open --test-passphrase --key-file k1 dhdr)
check_exit "open --test-passphrase of a detached header without --header: refused, exit 1" 1 \
	"$VEIL" open --test-passphrase --key-file k1 dhdr
check "the refusal names --header" grep -q -- "--header" <<<"$msg"
check_exit "--header naming an attached header: refused, exit 1" 1 \
	"$VEIL" open --test-passphrase --key-file k1 --header img ddata
check "the detached header still opens with --header" opens ddata k1 --header dhdr

# The header file is secret-bearing: 0600 even if it existed, never
# through a symlink (defect 10).
new_image d2 64
: > h644; chmod 644 h644
check "format --header onto an existing empty file" fmt d2 --header h644
check_eq "the existing header file is made 0600" "$(stat -c %a h644)" 600
rm -f elsewhere; ln -sf elsewhere hlink
check_exit "format --header through a symlink: refused, exit 1" 1 fmt d2 --force --header hlink
check_fails "nothing was created behind the symlink" test -e elsewhere

# format --force leaves no old keyslot usable (defect 2).
new_image old 64
fmt old >/dev/null 2>&1
cp old old.before
check "old veil volume opens before" opens old k1
rm -f newh
check "format --force --header over a veil device" fmt old --force --header newh --key-file k2
check_exit "the old key file no longer opens the device: exit 1" 1 "$VEIL" open --test-passphrase --key-file k1 old
check_eq "none of the old keyslot material is left on the device" "$(blocks_left old.before 32768 $((16 << 20)) old)" 0
check "the new header opens" opens old k2 --header newh
if command -v cryptsetup >/dev/null; then
	for t in luks1 luks2; do
		new_image "$t" 64
		cryptsetup luksFormat --batch-mode --type "$t" --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
			--key-file k1 "$t" >/dev/null 2>&1
		cp "$t" "$t.before"
		rm -f "$t.h"
		check "format --force --header over $t" fmt "$t" --force --header "$t.h"
		check_eq "none of the $t keyslot material is left" "$(blocks_left "$t.before" 0 $((16 << 20)) "$t")" 0
		cp "$t.before" "$t"
		check "format --force over $t (attached)" fmt "$t" --force
		check_eq "none of the $t keyslot material is left (attached)" "$(blocks_left "$t.before" 0 $((16 << 20)) "$t")" 0
	done
else
	skip "format --force over LUKS" "cryptsetup is not installed"
fi

# erase when no copy is readable still wipes the keyslots (defect 8).
new_image er 64
fmt er >/dev/null 2>&1
printf 'X' | dd of=er bs=1 seek=100 conv=notrunc status=none
printf 'X' | dd of=er bs=1 seek=$((16384 + 100)) conv=notrunc status=none
cp er er.before
check_exit "both copies fail their checksums: open refuses, exit 1" 1 "$VEIL" open --test-passphrase --key-file k1 er
check "erase still erases" "$VEIL" erase --batch er
check_eq "no keyslot material left after the erase" "$(blocks_left er.before 32768 $((16 << 20)) er)" 0
check_exit "erase of a file with no veil header: refused, exit 1" 1 "$VEIL" erase --batch k1
# Repair only after authentication (defect 3): copy 1 forged with a higher
# seqid (outside the MAC) and another digest salt. A wrong passphrase, or
# a read-only command, must not let it overwrite the intact copy 0.
new_image fg 64
fmt fg >/dev/null 2>&1
python3 - fg <<'PY'
import hashlib, struct, sys
with open(sys.argv[1], 'r+b') as f:
    f.seek(16384)
    c = bytearray(f.read(4096))
    c[0x10:0x18] = struct.pack('<Q', struct.unpack('<Q', c[0x10:0x18])[0] + 5)
    c[0x170] ^= 1
    c[0xFE0:0x1000] = hashlib.sha256(bytes(c[:0xFE0])).digest()
    f.seek(16384)
    f.write(c)
PY
cp fg fg.before
check_exit "forged newer copy: keyslot add with a wrong passphrase, exit 2" 2 \
	"$VEIL" keyslot add "${KDF[@]}" --key-file k3 --new-key-file k2 fg
check_eq "the intact copy was not overwritten by the forged one" "$(cmp fg fg.before >/dev/null && echo same || echo changed)" same
"$VEIL" dump fg >/dev/null 2>&1
check_eq "dump of it writes nothing either" "$(cmp fg fg.before >/dev/null && echo same || echo changed)" same
tests_done
