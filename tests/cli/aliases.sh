#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Habit 2: cryptsetup's spellings are aliases where the meaning is the same;
# unknown options and cryptsetup's command names are refused with what to
# type instead; -v and --debug report as cryptsetup does.
. "$(dirname "$0")/common.bash"

# stderr_has NAME WANT-SUBSTRING WANT-EXIT CMD...: exit code and message.
stderr_has() {
	local name=$1 want=$2 code=$3 out rc
	shift 3
	out=$("$@" 2>&1 >/dev/null) && rc=0 || rc=$?
	if [ "$rc" -eq "$code" ] && [[ $out == *"$want"* ]]; then
		pass "$name"
	else
		fail "$name" "exit $rc (want $code), stderr: $out"
	fi
}
json_has() { "$VEIL" dump --json "$1" | grep -q "$2"; }

new_image img 32
check_exit "alias: format without -q and no terminal is refused" 1 setsid "$VEIL" format --key-file k1 "${KDF[@]}" img </dev/null
check_exit "alias: -q is --batch (format)" 0 setsid "$VEIL" format -q -c aes-cbc-essiv:sha256 -s 256 --key-file k1 "${KDF[@]}" img </dev/null
check "alias: -c and -s set the cipher and key size" json_has img '"cipher":"aes-cbc-essiv:sha256","key_size_bits":256'
new_image img2 32
check_exit "alias: --batch-mode is --batch" 0 setsid "$VEIL" format --batch-mode --key-file k1 "${KDF[@]}" img2 </dev/null

check_exit "alias: -S and --new-keyfile (keyslot add)" 0 "$VEIL" keyslot add -d k1 --new-keyfile k2 -S 3 "${KDF[@]}" img
check "alias: the key added with --new-keyfile -S 3 opens slot 3" opens img k2 -S 3
check_exit "alias: keyslot add DEVICE NEWKEYFILE (positional, as luksAddKey)" 0 "$VEIL" keyslot add -d k1 "${KDF[@]}" img k3
check "alias: the positional new key file was added" opens img k3
check_exit "alias: a new key file given twice is refused" 1 "$VEIL" keyslot add -d k1 --new-keyfile k2 "${KDF[@]}" img k3

check_exit "alias: header backup --header-backup-file" 0 "$VEIL" header backup img --header-backup-file bk1
check_exit "alias: header backup DEVICE FILE" 0 "$VEIL" header backup img bk2
check "alias: both backups are the same bytes" cmp -s bk1 bk2
check_exit "alias: header restore --header-backup-file" 0 "$VEIL" header restore -q img --header-backup-file bk1

stderr_has "alias: --type plain is --plain (plain-only refusal proves it)" "do not apply to --plain" 1 \
	"$VEIL" open --type plain --test-passphrase -d k1 img x
stderr_has "alias: -M plain is --type plain" "do not apply to --plain" 1 \
	"$VEIL" open -M plain --test-passphrase -d k1 img x
stderr_has "alias: --type luks2 is open --luks (a veil volume is not LUKS)" "not a LUKS device" 4 \
	"$VEIL" open --type luks2 --test-passphrase -d k1 img x
stderr_has "alias: another --type says which veil opens" "plain, luks, luks1 and luks2" 1 \
	"$VEIL" open --type tcrypt -d k1 img x

out=$("$VEIL" isveil -v img 2>/dev/null) && rc=0 || rc=$?
check_eq "alias: -v reports success on stdout (exit $rc)" "$out" "Command successful."
stderr_has "alias: --verbose reports failure with the exit code" "Command failed with code 4." 4 \
	"$VEIL" uuid --verbose nonexistent-device
stderr_has "alias: --debug prints the command being processed" "# veil" 0 "$VEIL" isveil --debug img

stderr_has "did you mean: an unknown option names the closest one" "did you mean --cipher?" 1 \
	"$VEIL" format --ciper aes-xts-plain64 img
stderr_has "did you mean: a misspelt cryptsetup alias" "did you mean --new-keyfile?" 1 \
	"$VEIL" keyslot add --new-keyfle k2 img
stderr_has "did you mean: an option of another command is named as such" "is not valid here" 1 \
	"$VEIL" uuid --allow-discards img
stderr_has "did you mean: an unknown command names the closest one" "did you mean 'format'?" 1 \
	"$VEIL" fromat img
stderr_has "did you mean: cryptsetup's luksFormat says what to type" "veil format" 1 "$VEIL" luksFormat img
stderr_has "did you mean: cryptsetup's luksAddKey says what to type" "veil keyslot add" 1 "$VEIL" luksAddKey img
stderr_has "did you mean: nothing close is just unknown" "unknown option --zzzzzzzz" 1 "$VEIL" dump --zzzzzzzz img
tests_done
