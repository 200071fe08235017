#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Habit 8: help that answers. veil --help lists every command with one line;
# veil help CMD and veil CMD --help show its synopsis and options; every
# option a synopsis names is one the command accepts.
. "$(dirname "$0")/common.bash"

cmds="format open close status dump keyslot header erase resize suspend resume config repair benchmark isveil uuid"
out=$("$VEIL" --help) && rc=0 || rc=$?
check_eq "help: veil --help exits 0" "$rc" 0
missing=""
for c in $cmds help; do
	printf '%s\n' "$out" | grep -qE "^  $c +[a-z]" || missing="$missing $c"
done
check_eq "help: veil --help lists every command with a line" "$missing" ""
check_eq "help: veil help (no command) is veil --help" "$("$VEIL" help)" "$out"
check_exit "help: veil with no command is exit 1" 1 "$VEIL"

for c in $cmds; do
	h=$("$VEIL" help "$c") && rc=0 || rc=$?
	if [ "$rc" -eq 0 ] && [[ $h == "usage: veil $c"* ]]; then pass "help: veil help $c"; else fail "help: veil help $c" "exit $rc: $h"; fi
	check_eq "help: veil $c --help is veil help $c" "$("$VEIL" "$c" --help)" "$h"
	# Every option in the synopsis is accepted by the command (no "unknown", no "not valid here").
	bad=""
	for opt in $(printf '%s\n' "$h" | grep -o -- '--[a-z][a-z0-9_-]*' | sort -u); do
		[ "$opt" = --perf- ] && continue
		e=$("$VEIL" "$c" $( [ "$c" = keyslot ] && echo add ) "$opt" 1 </dev/null 2>&1 >/dev/null || true)
		case $e in *"unknown option"*|*"not valid here"*) bad="$bad $opt" ;; esac
	done
	check_eq "help: every option veil help $c names is accepted" "$bad" ""
done
h=$("$VEIL" keyslot add --help)
[[ $h == "usage: veil keyslot"* ]] && pass "help: veil keyslot add --help shows keyslot's synopsis" || fail "help: veil keyslot add --help" "$h"
[[ $("$VEIL" help open) == *"--perf-no_read_workqueue"* ]] && pass "help: open names the perf flags" || fail "help: open names the perf flags" "not listed"
check_exit "help: veil help nosuch is exit 1" 1 "$VEIL" help nosuch
e=$("$VEIL" help opne 2>&1 >/dev/null || true)
[[ $e == *"did you mean 'open'"* ]] && pass "help: veil help opne suggests open" || fail "help: veil help opne suggests open" "$e"
tests_done
