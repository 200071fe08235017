#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Habit 5: live mappings. veil refresh NAME reloads a live mapping with
# other flags (as cryptsetup refresh), keeping its data; open --persistent
# and refresh --persistent store the flags in the header, and a later open
# without flags uses the stored set.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 256m
VEIL=$REPO/build/veil
cd "$WORK" || exit 1
N=$PFX-rf
KDF=(--pbkdf pbkdf2 --pbkdf-force-iterations 1000)
printf 'refresh passphrase' > k1
printf 'wrong passphrase' > kw
truncate -s 48M img
# The volume key is known so that the test can load a table of its own.
head -c 64 /dev/urandom > vk
"$VEIL" format --batch --key-file k1 "${KDF[@]}" --volume-key-file vk img >/dev/null 2>&1 ||
	fail "setup: format" "failed"

opts() { dmsetup table "$N" | awk '{ for (i = 10; i <= NF; i++) printf "%s ", $i }'; }
stored() { "$VEIL" dump --json img | jq -r '.flags | join(",")'; }
has() { case " $1 " in *" $2 "*) return 0 ;; *) return 1 ;; esac; }

check "open without flags" "$VEIL" open -d k1 img "$N"
check_fails "no allow_discards in the table" has "$(opts)" allow_discards
head -c 2M /dev/urandom > pt
dd if=pt of="/dev/mapper/$N" bs=1M oflag=direct status=none

check "refresh --allow-discards" "$VEIL" refresh --allow-discards -d k1 "$N"
check "allow_discards is in the live table" has "$(opts)" allow_discards
check_eq "refresh without --persistent leaves the header alone" "$(stored)" ""
dd if="/dev/mapper/$N" of=back bs=1M count=2 iflag=direct status=none
same_bytes "the data reads the same after a refresh" pt back
check_eq "discards reach the mapped device" "$(cat "/sys/block/$(basename "$(readlink -f "/dev/mapper/$N")")/queue/discard_max_bytes" 2>/dev/null | awk '{print ($1 > 0)}')" 1

check "refresh with no flags: the header's set (none)" "$VEIL" refresh -d k1 "$N"
check_fails "allow_discards is gone from the live table" has "$(opts)" allow_discards

before=$(dmsetup table "$N")
check_exit "refresh with a wrong passphrase: exit 2" 2 "$VEIL" refresh --allow-discards -d kw "$N"
check_eq "a refused refresh leaves the table as it was" "$(dmsetup table "$N")" "$before"
check_exit "refresh of a mapping that does not exist: exit 4" 4 "$VEIL" refresh -d k1 "$PFX-none"

check "refresh --allow-discards --persistent" "$VEIL" refresh --allow-discards --persistent -d k1 "$N"
check "allow_discards is in the live table (persistent)" has "$(opts)" allow_discards
check_eq "the header stores allow-discards" "$(stored)" "allow-discards"
settle; check "close" "$VEIL" close "$N"
check "open again without flags" "$VEIL" open -d k1 img "$N"
check "the stored flag applies to a plain open" has "$(opts)" allow_discards
settle; "$VEIL" close "$N"

check "open --persistent with no flags" "$VEIL" open --persistent -d k1 img "$N"
check_eq "open --persistent with no flags clears the stored set" "$(stored)" ""
check_fails "and the table has no allow_discards" has "$(opts)" allow_discards
settle; "$VEIL" close "$N"
check "open --persistent --allow-discards" "$VEIL" open --persistent --allow-discards -d k1 img "$N"
check_eq "open --persistent stores allow-discards" "$(stored)" "allow-discards"

# A dm-crypt performance flag on the veil target: refused by name, before
# the passphrase (the key file is not even read), and nothing changes.
before=$(dmsetup table "$N")
"$VEIL" refresh --perf-no_read_workqueue -d /nonexistent-key "$N" 2>err
check_eq "refresh --perf-no_read_workqueue on the veil target: exit 1" "$?" 1
check "the refusal names the flag and the target" \
	grep -q "veil target does not implement no_read_workqueue" err
check_eq "a refused perf flag leaves the table unchanged" "$(dmsetup table "$N")" "$before"
dd if="/dev/mapper/$N" of=back bs=1M count=2 iflag=direct status=none
same_bytes "the data reads the same after every refresh" pt back
settle; "$VEIL" close "$N"

# On dm-crypt: a perf flag is taken; an option the tool does not interpret
# (high_priority, 6.10+) survives a refresh, as the flags given replace
# only the flags.
check "open --target crypt" "$VEIL" open --target crypt -d k1 img "$N"
check "refresh --perf-no_read_workqueue (crypt target)" \
	"$VEIL" refresh --perf-no_read_workqueue -d k1 "$N"
check "no_read_workqueue is in the live crypt table" has "$(opts)" no_read_workqueue
add_logon_key "veil:$("$VEIL" uuid img)" "$(od -An -tx1 -v vk | tr -d ' \n')" >/dev/null
hp=$(dmsetup table "$N" | awk '{ $9 = $9 + 1; print $0 " high_priority" }')
if dmsetup reload "$N" --table "$hp" 2>/dev/null && dmsetup resume "$N"; then
	check "refresh --allow-discards of a table with high_priority" \
		"$VEIL" refresh --allow-discards -d k1 "$N"
	check "the unknown option (high_priority) is kept" has "$(opts)" high_priority
	check "the given flag is applied" has "$(opts)" allow_discards
	check_fails "the flags not given are dropped" has "$(opts)" no_read_workqueue
else
	dmsetup clear "$N" >/dev/null 2>&1
	skip "refresh keeps an option veil does not know" \
		"dm-crypt of $(uname -r) has no high_priority option to try it with"
fi
dd if="/dev/mapper/$N" of=back bs=1M count=2 iflag=direct status=none
same_bytes "the data reads the same after the crypt-target refreshes" pt back
settle; "$VEIL" close "$N"
finish
