#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Terminal prompts through a pty (expect): echo is off, a mismatched
# verification is refused, --tries is honoured, YES is required, and an
# interrupted prompt leaves the terminal as it was.
. "$(dirname "$0")/common.bash"
if ! command -v expect >/dev/null; then
	skip "tty prompts" "expect is not installed"
	exit 0
fi
export VEIL
kdf="${KDF[*]}"

# run_expect NAME SCRIPT: the script ends with "exit 0" when all went well.
run_expect() {
	local name=$1 out
	out=$(expect -c "set timeout 30; log_user 1; $2" 2>&1) && pass "$name" || {
		printf '%s\n' "$out" | tail -n 15 | sed 's/^/    | /'
		fail "$name" "expect script failed"
	}
}

new_image img 64
run_expect "format: passphrase twice, YES, echo off" "
	spawn \$env(VEIL) format $kdf img
	expect \"Type 'YES'\" { send \"YES\r\" } timeout { exit 1 }
	expect \"Enter new passphrase: \" { send \"s3cr3t-tty\r\" } timeout { exit 2 }
	expect {
		\"s3cr3t-tty\" { exit 3 }
		\"Verify new passphrase: \" { send \"s3cr3t-tty\r\" }
		timeout { exit 4 }
	}
	expect {
		\"s3cr3t-tty\" { exit 5 }
		\"Key slot 0 created.\" {}
		timeout { exit 6 }
	}
	expect eof
	catch wait r; exit [lindex \$r 3]"
check "the tty passphrase opens" "$VEIL" open --test-passphrase --key-file - img < <(printf 's3cr3t-tty')

new_image img2 64
run_expect "format: mismatched verification refused" "
	spawn \$env(VEIL) format $kdf img2
	expect \"Type 'YES'\" { send \"YES\r\" } timeout { exit 5 }
	expect \"Enter new passphrase: \" { send \"one\r\" } timeout { exit 1 }
	expect \"Verify new passphrase: \" { send \"two\r\" } timeout { exit 2 }
	expect \"do not match\" {} timeout { exit 3 }
	expect eof
	catch wait r; if {[lindex \$r 3] == 1} { exit 0 } else { exit 4 }"
check_exit "mismatch left no header" 1 "$VEIL" isveil img2

run_expect "format: lower-case yes is not YES" "
	spawn \$env(VEIL) format $kdf img2
	expect \"Type 'YES'\" { send \"yes\r\" } timeout { exit 1 }
	expect \"cancelled\" {} timeout { exit 2 }
	expect eof
	catch wait r; if {[lindex \$r 3] == 2} { exit 0 } else { exit 3 }"
check_exit "declined format wrote nothing" 1 "$VEIL" isveil img2

run_expect "open: --tries 2 asks exactly twice, exit 2" "
	spawn \$env(VEIL) open --test-passphrase --tries 2 img
	expect \"Enter passphrase for img: \" { send \"wrong1\r\" } timeout { exit 1 }
	expect \"Enter passphrase for img: \" { send \"wrong2\r\" } timeout { exit 2 }
	expect {
		\"Enter passphrase\" { exit 3 }
		eof {}
	}
	catch wait r; if {[lindex \$r 3] == 2} { exit 0 } else { exit 4 }"

run_expect "open: default 3 tries, the third right" "
	spawn \$env(VEIL) open --test-passphrase img
	expect \"Enter passphrase for img: \" { send \"wrong1\r\" } timeout { exit 1 }
	expect \"Enter passphrase for img: \" { send \"wrong2\r\" } timeout { exit 2 }
	expect \"Enter passphrase for img: \" { send \"s3cr3t-tty\r\" } timeout { exit 3 }
	expect \"Key slot 0 unlocked\" {} timeout { exit 4 }
	expect eof
	catch wait r; exit [lindex \$r 3]"

run_expect "open: --timeout gives up waiting" "
	set timeout 20
	spawn \$env(VEIL) open --test-passphrase --timeout 1 img
	expect \"Enter passphrase for img: \" {} timeout { exit 1 }
	expect \"timed out\" {} timeout { exit 2 }
	expect eof
	catch wait r; if {[lindex \$r 3] == 1} { exit 0 } else { exit 3 }"

run_expect "open: a key file is tried once" "
	spawn \$env(VEIL) open --test-passphrase --tries 5 --key-file k2 img
	expect {
		\"Enter passphrase\" { exit 1 }
		eof {}
	}
	catch wait r; if {[lindex \$r 3] == 2} { exit 0 } else { exit 2 }"

run_expect "Ctrl-C at the prompt restores echo" "
	spawn bash --norc --noprofile
	send \"PS1=P\\\\QS%; stty echo; \$env(VEIL) open --test-passphrase img\r\"
	expect \"Enter passphrase for img: \" { sleep 0.2; send \"\003\" } timeout { exit 1 }
	expect \"PQS%\" {} timeout { exit 2 }
	send \"stty -a | tr ' ' '\\\\n' | grep -cx -- -echo | sed s/^/N=/\r\"
	expect -re {N=1\r} { exit 3 } -re {N=0\r} {} timeout { exit 4 }
	send \"exit\r\"
	expect eof
	exit 0"

run_expect "keyslot add: asks an existing passphrase first, then the new one twice" "
	spawn \$env(VEIL) keyslot add $kdf img
	expect \"Enter any existing passphrase: \" { send \"s3cr3t-tty\r\" } timeout { exit 1 }
	expect \"Enter new passphrase: \" { send \"second-tty\r\" } timeout { exit 2 }
	expect \"Verify new passphrase: \" { send \"second-tty\r\" } timeout { exit 3 }
	expect \"Key slot 1 created.\" {} timeout { exit 4 }
	expect eof
	catch wait r; exit [lindex \$r 3]"
check "the added tty passphrase opens" "$VEIL" open --test-passphrase --key-file - img < <(printf 'second-tty')

run_expect "keyslot kill of a slot that is not the last: no YES" "
	spawn \$env(VEIL) keyslot kill img 1
	expect {
		\"Type 'YES'\" { exit 1 }
		\"Enter any remaining passphrase\" { send \"s3cr3t-tty\r\" }
		timeout { exit 2 }
	}
	expect \"Key slot 1 killed.\" {} timeout { exit 3 }
	expect eof
	catch wait r; exit [lindex \$r 3]"
run_expect "keyslot remove of the last slot: YES removes it" "
	spawn \$env(VEIL) keyslot remove img
	expect \"passphrase of the keyslot to remove: \" { send \"s3cr3t-tty\r\" } timeout { exit 1 }
	expect \"Type 'YES'\" { send \"YES\r\" } timeout { exit 2 }
	expect \"Key slot 0 removed.\" {} timeout { exit 3 }
	expect eof
	catch wait r; exit [lindex \$r 3]"
check_eq "no slot left" "$("$VEIL" keyslot list --json img | jq length)" 0
tests_done
