#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --target crypt maps the same volume with stock dm-crypt and reads (and
# writes) the same data as the veil target, for every cipher both support;
# its table holds a keyring reference too. With the veil target missing,
# open says so and points at --target crypt.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 512m
VEIL=$REPO/build/veil
KDF=(--pbkdf pbkdf2 --pbkdf-force-iterations 1000)
cd "$WORK" || exit 1
printf 'first passphrase' > k1
modprobe dm-crypt
N=$PFX-vol

# one_cipher NAME FORMAT-OPTIONS...
one_cipher() {
	local name=$1
	shift
	rm -f img
	truncate -s 40M img
	"$VEIL" format --batch --key-file k1 "${KDF[@]}" "$@" img 2>/dev/null ||
		{ fail "$name/format" "cannot format with $*"; return; }
	head -c 2M /dev/urandom > pt1
	head -c 2M /dev/urandom > pt2
	"$VEIL" open --key-file k1 img "$N" || { fail "$name/open veil" "open failed"; return; }
	dd_to pt1 "/dev/mapper/$N"
	settle; "$VEIL" close "$N"
	check "$name: open --target crypt" "$VEIL" open --target crypt --key-file k1 img "$N" || return
	local table
	table=$(dmsetup table --showkeys "$N")
	check "$name: crypt table" grep -q " crypt " <<<"$table"
	check_fails "$name: crypt table has no hex key" grep -Eq '[0-9a-f]{32}' <<<"$table"
	check_eq "$name: status target" "$("$VEIL" status --json "$N" | jq -r .target)" crypt
	dd_from "/dev/mapper/$N" back $((2 << 20))
	same_bytes "$name: dm-crypt reads what veil wrote" pt1 back
	dd_to pt2 "/dev/mapper/$N"
	settle; "$VEIL" close "$N"
	"$VEIL" open --key-file k1 img "$N"
	dd_from "/dev/mapper/$N" back $((2 << 20))
	same_bytes "$name: veil reads what dm-crypt wrote" pt2 back
	settle; "$VEIL" close "$N"
}

one_cipher "aes-xts-plain64-512" 
one_cipher "aes-xts-plain64-256-512b" --key-size 256 --sector-size 512
one_cipher "aes-xts-plain-iv-large" --cipher aes-xts-plain --iv-large-sectors
one_cipher "aes-cbc-essiv" --cipher aes-cbc-essiv:sha256 --key-size 256
one_cipher "adiantum" --cipher xchacha12,aes-adiantum-plain64 --key-size 256

# The veil target missing: make request_module fail, unload dm-veil.
rm -f img; truncate -s 40M img
"$VEIL" format --batch --key-file k1 "${KDF[@]}" img 2>/dev/null
helper=$(cat /proc/sys/kernel/modprobe)
if modprobe -r dm-veil 2>/dev/null; then
	echo /bin/false > /proc/sys/kernel/modprobe
	defer "echo '$helper' > /proc/sys/kernel/modprobe"
	msg=$(setsid "$VEIL" open --key-file k1 img "$N" 2>&1 </dev/null)
	rc=$?
	check_eq "veil target missing: exit 4" "$rc" 4
	check "the message names the missing target" grep -q "veil target is not available" <<<"$msg"
	check "and offers --target crypt" grep -q -- "--target crypt" <<<"$msg"
	check_fails "nothing mapped" dm_exists "$N"
	check "--target crypt works without dm-veil" "$VEIL" open --target crypt --key-file k1 img "$N"
	settle; "$VEIL" close "$N"
	if command -v expect >/dev/null; then
		VEIL=$VEIL N=$N expect -c '
			set timeout 120
			spawn $env(VEIL) open --key-file k1 img $env(N)
			expect "stock dm-crypt target instead" {} timeout { exit 1 }
			expect "Type '"'"'YES'"'"'" { send "YES\r" } timeout { exit 2 }
			expect eof
			catch wait r; exit [lindex $r 3]' >/dev/null 2>&1 && rc=0 || rc=$?
		check_eq "on a terminal, open offers dm-crypt and uses it after YES" "$rc" 0
		check_eq "the offered mapping uses the crypt target" "$(dmsetup table "$N" 2>/dev/null | awk '{print $3}')" crypt
		settle; "$VEIL" close "$N"
	else
		skip "terminal offer of dm-crypt" "expect is not installed"
	fi
	echo "$helper" > /proc/sys/kernel/modprobe
	modprobe dm-veil
else
	skip "veil target missing" "dm-veil is in use and cannot be unloaded"
fi
finish
