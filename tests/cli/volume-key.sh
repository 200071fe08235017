#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Habit 4: volume-key operations. format and keyslot add --volume-key-file,
# dump --dump-volume-key (confirmation, passphrase, warning; to stdout or a
# new 0600 file), keyslot kill with -q.
. "$(dirname "$0")/common.bash"

head -c 64 /dev/urandom > vk
head -c 64 /dev/urandom > otherkey
new_image img 32
check_exit "volume key: format --volume-key-file" 0 "$VEIL" format -q --volume-key-file vk -d k1 "${KDF[@]}" img
check "volume key: the formatted volume opens with its passphrase" opens img k1
check_exit "volume key: dump --dump-volume-key without -q and no terminal is refused" 1 \
	setsid "$VEIL" dump --dump-volume-key -d k1 img </dev/null
check_exit "volume key: dump --dump-volume-key with a wrong passphrase is exit 2" 2 \
	"$VEIL" dump -q --dump-volume-key -d k2 img
out=$("$VEIL" dump -q --dump-volume-key -d k1 img 2>err) && rc=0 || rc=$?
check_eq "volume key: dump --dump-volume-key -q with the passphrase: exit 0" "$rc" 0
check_eq "volume key: the dumped key is the one format was given" \
	"$(printf '%s\n' "$out" | sed -n 's/^\(MK dump:\)\?[[:space:]]*\([0-9a-f]\{32\}\)$/\2/p' | tr -d '\n')" \
	"$(od -An -tx1 -v vk | tr -d ' \n')"
if grep -q WARNING err; then pass "volume key: dump warns on stderr"; else fail "volume key: dump warns on stderr" "$(cat err)"; fi
check_exit "volume key: dump --dump-volume-key --volume-key-file writes a file" 0 \
	"$VEIL" dump -q --dump-volume-key --volume-key-file vk-out -d k1 img
check "volume key: the written file holds the key" cmp -s vk vk-out
check_eq "volume key: the written file is mode 0600" "$(stat -c %a vk-out)" "600"
check_exit "volume key: an existing file is never overwritten (exit 5, exists)" 5 \
	"$VEIL" dump -q --dump-volume-key --volume-key-file vk-out -d k1 img
check "volume key: the existing file kept its bytes" cmp -s vk vk-out
check_exit "volume key: --volume-key-file without --dump-volume-key is exit 1" 1 \
	"$VEIL" dump --volume-key-file x img

# keyslot add without any passphrase, as luksAddKey --volume-key-file.
check_exit "volume key: keyslot add --volume-key-file (no passphrase asked)" 0 \
	setsid "$VEIL" keyslot add --volume-key-file vk --new-key-file k2 "${KDF[@]}" img </dev/null
check "volume key: the slot added with the volume key opens" opens img k2
check_exit "volume key: keyslot add with a wrong volume key is exit 2" 2 \
	setsid "$VEIL" keyslot add --volume-key-file otherkey --new-key-file k3 "${KDF[@]}" img </dev/null
check_exit "volume key: the wrong volume key added nothing" 2 "$VEIL" open --test-passphrase -d k3 img
head -c 32 vk > shortkey
check_exit "volume key: a key file shorter than the key is exit 1" 1 \
	setsid "$VEIL" keyslot add --volume-key-file shortkey --new-key-file k3 "${KDF[@]}" img </dev/null

# kill: -q skips the confirmation; the volume key replaces the passphrase.
check_exit "volume key: keyslot kill -q with the volume key (no passphrase)" 0 \
	setsid "$VEIL" keyslot kill -q --volume-key-file vk img 1 </dev/null
check_exit "volume key: the killed slot no longer opens" 2 "$VEIL" open --test-passphrase -d k2 img
check_exit "volume key: keyslot kill -q with a remaining passphrase" 0 \
	"$VEIL" keyslot kill -q -d k1 img 0 </dev/null
check_exit "volume key: the last slot is gone: nothing opens" 2 "$VEIL" open --test-passphrase -d k1 img
check_exit "volume key: after losing every slot, the volume key adds one back" 0 \
	setsid "$VEIL" keyslot add --volume-key-file vk --new-key-file k3 "${KDF[@]}" img </dev/null
check "volume key: the new slot opens" opens img k3

# kill -q with no key at all, as luksKillSlot -q: the slot's material is
# destroyed, the header (and its MAC) is left as it was (SPEC.md 9.4.1).
new_image kq.img 32
{ "$VEIL" format -q --volume-key-file vk -d k1 "${KDF[@]}" kq.img &&
	"$VEIL" keyslot add -d k1 --new-key-file k2 "${KDF[@]}" kq.img &&
	"$VEIL" keyslot add -d k1 --new-key-file k3 "${KDF[@]}" kq.img; } >/dev/null 2>&1 ||
	fail "kill -q: setup" "format and two keyslot adds failed"
hdr0=$(head -c 20480 kq.img | sha256sum)
check_exit "kill -q: no passphrase, no key file, no terminal: slot 1 destroyed" 0 \
	setsid "$VEIL" keyslot kill -q kq.img 1 </dev/null
check_eq "kill -q: the header copies were not written" "$(head -c 20480 kq.img | sha256sum)" "$hdr0"
check_exit "kill -q: the killed passphrase no longer opens: exit 2" 2 "$VEIL" open --test-passphrase -d k2 kq.img
check "kill -q: slot 0's passphrase still opens (the header MAC verifies)" opens kq.img k1
check "kill -q: slot 2's passphrase still opens" opens kq.img k3
check "kill -q: the volume key still verifies against the header" \
	"$VEIL" open --test-passphrase --volume-key-file vk kq.img
check "kill -q: keyslot list shows slot 1 destroyed" \
	grep -q "^1 .*destroyed" <<<"$("$VEIL" keyslot list kq.img)"
check "kill -q: keyslot list --json says destroyed" \
	grep -q '"slot":1,[^}]*"destroyed":true' <<<"$("$VEIL" keyslot list --json kq.img)"
check_exit "kill -q of a destroyed slot: exit 1" 1 setsid "$VEIL" keyslot kill -q kq.img 1 </dev/null
check_exit "kill -q: the next keyslot add (with a passphrase) succeeds" 0 \
	"$VEIL" keyslot add -d k1 --new-key-file k2 "${KDF[@]}" kq.img
check_eq "kill -q: ... and drops the destroyed descriptor (slot 1 is reused, none destroyed)" \
	"$("$VEIL" keyslot list kq.img | grep -c destroyed)" 0
check "kill -q: the re-added passphrase opens slot 1" opens kq.img k2 -S 1
check_exit "kill -q: slot 2 destroyed too" 0 setsid "$VEIL" keyslot kill -q kq.img 2 </dev/null
check_exit "kill -q: slot 1" 0 setsid "$VEIL" keyslot kill -q kq.img 1 </dev/null
check_exit "kill the last usable slot without confirmation and no terminal: refused" 1 \
	setsid "$VEIL" keyslot kill kq.img 0 </dev/null
check "kill -q: the last usable slot still opens" opens kq.img k1
tests_done
