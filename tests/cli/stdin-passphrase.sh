#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Habit 1: a piped passphrase. When standard input is not a terminal and no
# --key-file is given, a passphrase is one line of it, newline stripped, as
# cryptsetup reads it; --key-file - still takes all of standard input.
. "$(dirname "$0")/common.bash"

new_image img 32
fmt img >/dev/null 2>&1 || { fail "setup: format" "veil format failed"; exit 1; }

# piped CMD... with the passphrase text as $1: printf's output on stdin, no terminal.
piped() { local text=$1; shift; printf "$text" | setsid "$VEIL" "$@"; }

check_exit "stdin: piped passphrase with newline unlocks" 0 piped 'first passphrase\n' open --test-passphrase img
check_exit "stdin: piped passphrase without newline unlocks" 0 piped 'first passphrase' open --test-passphrase img
check_exit "stdin: only the first line is the passphrase" 0 piped 'first passphrase\nsomething else\n' open --test-passphrase img
check_exit "stdin: a wrong piped passphrase is exit 2" 2 piped 'wrong passphrase\n' open --test-passphrase img
check_exit "stdin: a piped passphrase is tried once: the next line is not a retry" 2 piped 'wrong\nfirst passphrase\n' open --test-passphrase img
check_exit "stdin: --key-file - keeps the newline (as cryptsetup): exit 2" 2 piped 'first passphrase\n' open --test-passphrase --key-file - img
check_exit "stdin: --key-file - without newline unlocks" 0 piped 'first passphrase' open --test-passphrase --key-file - img
out=$(setsid "$VEIL" open --test-passphrase img </dev/null 2>&1) && rc=0 || rc=$?
check_eq "stdin: empty standard input is exit 1" "$rc" 1
case $out in *"no passphrase on standard input"*) pass "stdin: empty standard input says what to do" ;;
*) fail "stdin: empty standard input says what to do" "got: $out" ;; esac

# format --batch and keyslot add read their passphrases from the pipe too.
new_image img2 32
check_exit "stdin: format --batch takes a piped passphrase" 0 piped 'piped one\n' format --batch "${KDF[@]}" img2
printf 'piped one' > kp
check "stdin: the piped format passphrase (newline stripped) unlocks" opens img2 kp
check_exit "stdin: keyslot add reads the old then the new passphrase, one line each" 0 \
	piped 'piped one\npiped two\n' keyslot add "${KDF[@]}" img2
printf 'piped two' > kp2
check "stdin: the piped new passphrase was added" opens img2 kp2

# --timeout applies to a pipe that stays silent: a FIFO with a writer that never writes.
mkfifo fifo
exec 3<>fifo
out=$(setsid "$VEIL" open --test-passphrase --timeout 1 img <fifo 2>&1) && rc=0 || rc=$?
exec 3>&-
if [ "$rc" -ne 0 ] && [[ $out == *"timed out"* ]]; then
	pass "stdin: --timeout ends a wait on a silent pipe (exit $rc)"
else
	fail "stdin: --timeout ends a wait on a silent pipe" "exit $rc: $out"
fi
tests_done
