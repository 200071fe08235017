#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Habit 3: metadata editing. veil config --label/--subsystem (no key needed),
# --priority with --key-slot (needs a passphrase), veil uuid --uuid.
. "$(dirname "$0")/common.bash"

jq_field() { "$VEIL" dump --json "$1" | grep -o "\"$2\":\"[^\"]*\"" | head -n 1 | cut -d'"' -f4; }
# slot_priority IMG N: the priority dump shows for keyslot N.
slot_priority() { "$VEIL" dump --json "$1" | grep -o "{\"slot\":$2,[^}]*" | grep -o '"priority":"[a-z]*"' | cut -d'"' -f4; }

new_image img 32
fmt img >/dev/null 2>&1 || { fail "setup: format" "veil format failed"; exit 1; }
"$VEIL" keyslot add -d k1 --new-key-file k2 "${KDF[@]}" img 2>/dev/null || fail "setup: keyslot add" "failed"

check_exit "config: --label and --subsystem" 0 "$VEIL" config --label data-2026 --subsystem backup img </dev/null
check_eq "config: the label was written" "$(jq_field img label)" "data-2026"
check_eq "config: the subsystem was written" "$(jq_field img subsystem)" "backup"
check_exit "config: --label alone keeps the subsystem" 0 "$VEIL" config --label other img </dev/null
check_eq "config: subsystem kept" "$(jq_field img subsystem)" "backup"
check_exit "config: a 48-byte label is refused" 1 "$VEIL" config --label "$(printf '%048d' 0)" img
check_eq "config: a refused label changes nothing" "$(jq_field img label)" "other"
check_exit "config: nothing to change is exit 1" 1 "$VEIL" config img

check_exit "config: --priority prefer --key-slot 1 with a passphrase" 0 \
	"$VEIL" config --priority prefer --key-slot 1 -d k1 img
check_eq "config: slot 1 is now preferred" "$(slot_priority img 1)" "prefer"
check_eq "config: slot 0 is untouched" "$(slot_priority img 0)" "normal"
check_exit "config: --priority ignore -S 0 with slot 1's passphrase" 0 \
	"$VEIL" config --priority ignore -S 0 -d k2 img
check_eq "config: slot 0 is now ignored" "$(slot_priority img 0)" "ignore"
check_exit "config: --priority without --key-slot is exit 1" 1 "$VEIL" config --priority prefer -d k1 img
check_exit "config: --priority with a wrong passphrase is exit 2" 2 "$VEIL" config --priority normal -S 0 -d k3 img
check_eq "config: a refused priority changes nothing" "$(slot_priority img 0)" "ignore"
check_exit "config: --priority bogus is exit 1" 1 "$VEIL" config --priority bogus -S 0 -d k1 img
check_exit "config: --priority of an inactive slot is exit 1" 1 "$VEIL" config --priority prefer -S 7 -d k1 img

# Slot 0 is "ignore" now: it opens only when named, so k2 (slot 1) unlocks below.
check_exit "config: an ignored slot is not tried unless named" 2 "$VEIL" open --test-passphrase -d k1 img
check_exit "config: an ignored slot opens when named" 0 "$VEIL" open --test-passphrase -d k1 -S 0 img

u=11111111-2222-3333-4444-555555555555
check_exit "uuid: --uuid without --batch and no terminal is refused" 1 setsid "$VEIL" uuid --uuid $u -d k1 img </dev/null
check_exit "uuid: --uuid U -q with a passphrase" 0 "$VEIL" uuid -q --uuid $u -d k2 img
check_eq "uuid: veil uuid prints the new UUID" "$("$VEIL" uuid img)" "$u"
check "uuid: the volume still opens after the UUID change" opens img k2
check_exit "uuid: a malformed --uuid is exit 1" 1 "$VEIL" uuid -q --uuid not-a-uuid -d k2 img
check_exit "uuid: --uuid with a wrong passphrase is exit 2" 2 "$VEIL" uuid -q --uuid 22222222-2222-3333-4444-555555555555 -d k3 img
check_eq "uuid: a refused change keeps the UUID" "$("$VEIL" uuid img)" "$u"
tests_done
