#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Honest commits (issue 8, defect 4): a header update whose writes start
# failing at the N-th one (VEIL_TEST_FAIL_WRITE, for every N) reports what
# is on the device. A failure (exit != 0) means the old header holds; once
# the new header is complete in one copy the change took effect: exit 0,
# and a warning says what is left undone and to run 'veil repair'. The next
# command reports it, and 'veil repair' (or any writing command) finishes
# it: both copies in order, the replaced key material gone.
. "$(dirname "$0")/common.bash"

# state IMG OLDKEY NEWKEY: "old", "new" or "neither/both".
state() {
	local o n
	opens "$1" "$2" && o=1 || o=0
	opens "$1" "$3" && n=1 || n=0
	case $o$n in 10) echo old ;; 01) echo new ;; *) echo "neither/both ($o$n)" ;; esac
}
in_order() { "$VEIL" dump --json "$1" 2>/dev/null | jq -c '[[.copies[].status], .retired_areas]'; }

# sweep NAME IMG-BASE CMD...: run CMD on a copy of the base image with the
# writes failing from N on, N = 1, 2, ... until a run writes everything.
# Checks every outcome; leaves img.N of the first "took effect" run.
sweep() {
	local name=$1 base=$2 oldkey=$3 newkey=$4 n rc st failed=0 unfinished=0 bad=""
	shift 4
	first_unfinished=""
	for n in $(seq 1 12); do
		cp "$base" img
		VEIL_TEST_FAIL_WRITE=$n "$@" img >out 2>err && rc=0 || rc=$?
		st=$(state img "$oldkey" "$newkey")
		if [ "$rc" != 0 ]; then
			failed=$((failed + 1))
			[ "$st" = old ] || bad="$bad N=$n:exit-$rc-but-$st"
			! grep -q "took effect" err || bad="$bad N=$n:failure-says-took-effect"
			continue
		fi
		[ "$st" = new ] || bad="$bad N=$n:exit-0-but-$st"
		if grep -q "took effect" err; then
			unfinished=$((unfinished + 1))
			grep -q "veil repair img" err || bad="$bad N=$n:no-repair-hint"
			[ -n "$first_unfinished" ] || { first_unfinished=$n; cp img "img.$n"; }
		else
			break	# every write went through
		fi
	done
	check_eq "$name: every outcome matches the device (exit != 0: old header; exit 0: new)" "$bad" ""
	check "$name: some runs fail ($failed), some take effect unfinished ($unfinished)" \
		test "$failed" -gt 0 -a "$unfinished" -gt 0
}

new_image base 40
fmt base >/dev/null 2>&1
old_off=$("$VEIL" dump --json base | jq -r '.keyslots[0].area.offset')
old_size=$("$VEIL" dump --json base | jq -r '.keyslots[0].area.size')

# keyslot change: the N-th write fails, for every N.
sweep "keyslot change" base k1 k2 "$VEIL" keyslot change "${KDF[@]}" --key-file k1 --new-key-file k2
n=$first_unfinished
cp "img.$n" img
e=$(stderr_of "$VEIL" open --test-passphrase --key-file k2 img)
check "keyslot change unfinished: the next (read-only) command reports it" \
	bash -c '[[ $1 == *"veil repair img"* ]]' _ "$e"
check_fails "keyslot change unfinished: the dump shows it" \
	test "$(in_order img)" = '[["ok","ok"],[]]'
check_exit "keyslot change unfinished: repair with the replaced passphrase: exit 2" 2 \
	"$VEIL" repair --key-file k1 img
check "keyslot change unfinished: veil repair with the new passphrase" "$VEIL" repair --key-file k2 img
check_eq "keyslot change unfinished: after repair both copies ok, nothing awaiting a wipe" \
	"$(in_order img)" '[["ok","ok"],[]]'
check_eq "keyslot change unfinished: after repair no block of the old keyslot is left" \
	"$(blocks_left base "$old_off" "$old_size" img)" 0
check_eq "keyslot change unfinished: after repair only the new passphrase opens" \
	"$(state img k1 k2)" new
e=$(stderr_of "$VEIL" repair --key-file k2 img)
check "veil repair of a volume in order says so" bash -c '[[ $1 == *"nothing to repair"* ]]' _ "$e"

# keyslot add: the same sweep; the next writing command finishes it.
cp base img
"$VEIL" keyslot add "${KDF[@]}" --key-file k1 --new-key-file k3 img 2>/dev/null
check_eq "keyslot add control: k3 opens after a clean add" "$(state img k2 k3)" new
ok=1 bad=""
for n in 1 2 3 4 5; do
	cp base img
	VEIL_TEST_FAIL_WRITE=$n "$VEIL" keyslot add "${KDF[@]}" --key-file k1 --new-key-file k3 img \
		>/dev/null 2>err && rc=0 || rc=$?
	if opens img k3; then st=added; else st=absent; fi
	if [ "$rc" = 0 ]; then
		[ "$st" = added ] || bad="$bad N=$n:exit-0-but-$st"
		if grep -q "took effect" err; then
			add_unfinished=$n
			cp img "add.$n"
		fi
	else
		[ "$st" = absent ] || bad="$bad N=$n:exit-$rc-but-$st"
	fi
done
check_eq "keyslot add: exit 0 exactly when the new passphrase opens" "$bad" ""
if [ -n "${add_unfinished:-}" ]; then
	cp "add.$add_unfinished" img
	check "keyslot add unfinished: the next writing command (keyslot add) succeeds" \
		"$VEIL" keyslot add "${KDF[@]}" --key-file k1 --new-key-file k2 img
	check_eq "keyslot add unfinished: and it repaired the copy" "$(in_order img)" '[["ok","ok"],[]]'
else
	fail "keyslot add unfinished" "no run of keyslot add took effect unfinished"
fi
tests_done
