#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every exit code, table-driven (cryptsetup's: EEXIST/EBUSY 5, ENODEV/
# ENOTBLK 4, ENOMEM 3, EPERM and a wrong passphrase 2, everything else 1;
# isveil's "no" is 1 as isLuks'). veil(8) "EXIT STATUS" says the same.
. "$(dirname "$0")/common.bash"

new_image img 64
fmt img >/dev/null 2>&1 || { fail "format" "cannot format"; exit 1; }
: > notveil
truncate -s 64M notveil
"$VEIL" header backup img bk >/dev/null 2>&1
"$VEIL" format --batch --key-file k1 --pbkdf argon2id --pbkdf-force-iterations 1 \
	--pbkdf-memory 262144 --pbkdf-parallel 1 "$(new_image big 64; echo big)" >/dev/null 2>&1

# code | what | command
while IFS='|' read -r code what cmd; do
	[ -n "$code" ] || continue
	check_exit "exit $code: $what" "$code" bash -c "$cmd"
done <<EOT
0|isveil of a veil device|"$VEIL" isveil img
0|the right passphrase|"$VEIL" open --test-passphrase --key-file k1 img
1|isveil of a non-veil file ("no", as isLuks)|"$VEIL" isveil notveil
1|open of a non-veil device|"$VEIL" open --test-passphrase --key-file k1 notveil
1|an unknown option|"$VEIL" open --no-such-option img
1|an unknown command|"$VEIL" no-such-command
1|a missing key file|"$VEIL" open --test-passphrase --key-file nothing img
2|a wrong passphrase|"$VEIL" open --test-passphrase --key-file k2 img
3|a keyslot needing more memory than allowed|ulimit -v 200000; "$VEIL" open --test-passphrase --key-file k1 big
4|a device that does not exist|"$VEIL" dump /nonexistent/device
4|a directory as the device|"$VEIL" dump /
5|a backup file that exists|"$VEIL" header backup img bk
5|a keyslot already in use|"$VEIL" keyslot add ${KDF[*]} --key-file k1 --new-key-file k2 --key-slot 0 img
EOT
tests_done
