# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers for the dm-veil guest tests (tests/vm/suite/1x-3x).
# Source it from a suite script; it sources tests/lib/tap.sh, loads the
# module, gives the script a private tmpfs ($WORK) and a dm name prefix
# ($PFX), and installs an EXIT trap that removes every device, loop, mount
# and key the script made, so the next script starts clean.
#
# VEIL_TEST_TARGET=crypt runs the tables against dm-crypt instead, to prove a
# harness before the module is complete; such a run reports a SKIP saying so,
# since it tests nothing of dm-veil.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
. "$REPO/tests/lib/tap.sh"

# VEIL_TEST_NAME: the name results carry, when a script runs another's
# cases under its own (28 runs 27's with faults injected).
T=${VEIL_TEST_NAME:-$(basename "$0" .sh)}
PFX="vt${T%%-*}"
TARGET=${VEIL_TEST_TARGET:-veil}
WORK=
VEIL_KEYS_ADDED=()
VEIL_EXTRA_CLEANUP=()
VEIL_WAIT_PIDS=()     # daemons using $WORK that exit once their mounts are gone

# Bad-news lines the lane fails the whole run on.
KERNEL_TROUBLE='WARNING:|BUG:|Oops|KASAN|circular locking|blocked for more than|general protection|kernel BUG|RIP: '

# --- random data and hex ---------------------------------------------------
randhex() { od -An -tx1 -v -N"$1" /dev/urandom | tr -d ' \n'; }
hex2bin() { perl -e 'print pack("H*", $ARGV[0])' "$1"; }
bin2hex() { od -An -tx1 -v | tr -d ' \n'; }
randfile() { head -c "$2" /dev/urandom >"$1"; }

# --- kernel log ------------------------------------------------------------
# kmsg_mark TAG writes a marker into the kernel log; kmsg_since TAG prints the
# lines logged after the last such marker.
kmsg_mark() { echo "veil-test: mark $1 ." >/dev/kmsg; }
kmsg_since() {
	dmesg 2>/dev/null | awk -v m="veil-test: mark $1 ." \
		'index($0, m) { buf = ""; next } { buf = buf $0 "\n" } END { printf "%s", buf }'
}
kernel_trouble_since() { kmsg_since "$1" | grep -E "$KERNEL_TROUBLE"; }

# --- device-mapper -----------------------------------------------------------
settle() { udevadm settle --timeout=60 >/dev/null 2>&1 || true; }
# dm_create NAME TABLE [dmsetup options...]. dmsetup waits for udev to
# finish with the new device, so no settle is needed here.
dm_create() {
	local name=$1 table=$2
	shift 2
	dmsetup create "$name" "$@" --table "$table"
}
dm_remove() { settle; dmsetup remove --retry "$1" >/dev/null 2>&1 || { settle; dmsetup remove --retry "$1"; }; }
# dm_remove_all NAME...: removes those of the named devices that exist.
dm_remove_all() {
	local n names=()
	for n in "$@"; do dm_exists "$n" && names+=("$n"); done
	[ ${#names[@]} -eq 0 ] && return 0
	settle
	dmsetup remove --retry "${names[@]}" >/dev/null 2>&1 && return 0
	for n in "${names[@]}"; do dm_exists "$n" && dm_remove "$n"; done
	return 0
}
# Loops that create hundreds of mappings skip udev (no rules, no sync): under
# TCG its probing of every new device costs more than the test. The device
# node then comes from devtmpfs: dm_fast_create NAME TABLE sets DM_DEV to it.
DM_NOUDEV=(--noudevrules --noudevsync)
DM_DEV=
dm_fast_create() {
	local f n
	DM_DEV=
	dmsetup "${DM_NOUDEV[@]}" create "$1" --table "$2" || return
	for f in /sys/block/dm-*/dm/name; do
		read -r n 2>/dev/null <"$f" && [ "$n" = "$1" ] && { f=${f%/dm/name}; DM_DEV=/dev/${f##*/}; break; }
	done
	[ -b "$DM_DEV" ] || { echo "no device node for $1" >&2; return 1; }
}
# udev may still hold the device briefly: --retry waits, its EBUSY notes are noise.
dm_fast_remove() { dmsetup "${DM_NOUDEV[@]}" remove --retry "$@" 2>/dev/null || dmsetup "${DM_NOUDEV[@]}" remove --retry "$@"; }
dm_exists() { dmsetup info "$1" >/dev/null 2>&1; }
dev_sectors() { blockdev --getsz "$1"; }

# Table for the target under test: veil_table LEN CIPHER KEY IVOFF DEV OFF [OPTS...]
veil_table() {
	local len=$1 cipher=$2 key=$3 ivoff=$4 dev=$5 off=$6
	shift 6
	local t="0 $len $TARGET $cipher $key $ivoff $dev $off"
	[ $# -gt 0 ] && t="$t $# $*"
	echo "$t"
}
crypt_table() {
	local len=$1 cipher=$2 key=$3 ivoff=$4 dev=$5 off=$6
	shift 6
	local t="0 $len crypt $cipher $key $ivoff $dev $off"
	[ $# -gt 0 ] && t="$t $# $*"
	echo "$t"
}

# --- files, loops and I/O ----------------------------------------------------
# mkloop FILE BYTES: creates (sparse) FILE and prints the loop device on it.
mkloop() {
	[ -e "$1" ] || truncate -s "$2" "$1" || return
	losetup -f --show "$1"
}
# brd_load COUNT KIB: COUNT fresh RAM disks of KIB KiB each, /dev/ram0 on,
# unloaded at exit. A brd already loaded holds another size, so it is
# reloaded, and one still in use is a failure rather than a silent reuse.
# Returns non-zero, after reporting $T/brd, when brd cannot be loaded.
brd_load() {
	if [ -e /sys/module/brd ] && ! rmmod brd; then
		fail "$T/brd" "brd is loaded and busy"
		return 1
	fi
	modprobe brd rd_nr="$1" rd_size="$2" || { fail "$T/brd" "cannot load brd"; return 1; }
	defer "rmmod brd"
}
# I/O that can hang is bounded, so a hang is a failure and not a stuck run.
dd_to() { timeout 120 dd if="$1" of="$2" bs="${3:-256k}" oflag=direct conv=notrunc status=none; }
dd_from() { timeout 120 dd if="$1" of="$2" bs="${4:-256k}" count="$3" iflag=direct,count_bytes status=none; }
# same_bytes NAME A B: compares two files and reports the first difference.
same_bytes() {
	local out
	if out=$(cmp "$2" "$3" 2>&1); then pass "$1"; else fail "$1" "${out:-differ}"; fi
}

# --- keys --------------------------------------------------------------------
# add_logon_key DESC HEX: adds a logon key to the user keyring, prints its id.
add_logon_key() {
	local id
	id=$(hex2bin "$2" | keyctl padd logon "$1" @u) || return
	VEIL_KEYS_ADDED+=("$id")
	echo "$id"
}
add_user_key() {
	local id
	id=$(hex2bin "$2" | keyctl padd user "$1" @u) || return
	VEIL_KEYS_ADDED+=("$id")
	echo "$id"
}
# key_usage ID: the key's reference count from /proc/keys (decimal).
key_usage() { awk -v id="$(printf '%08x' "$1")" '$1 == id { print $3 }' /proc/keys; }

# --- leaks ---------------------------------------------------------------------
# crypto_refcnt NAME: sum of refcnt over /proc/crypto entries whose name or
# driver is NAME (a leaked tfm keeps it raised).
crypto_refcnt() {
	awk -v n="$1" '
		/^name/   { name = $3 }
		/^driver/ { drv = $3 }
		/^refcnt/ { if (name == n || drv == n) s += $3 }
		END { print s + 0 }' /proc/crypto
}
module_refcnt() { cat "/sys/module/$1/refcnt" 2>/dev/null || echo absent; }

# --- cleanup -------------------------------------------------------------------
defer() { VEIL_EXTRA_CLEANUP+=("$*"); }

cleanup_all() {
	local i name m dev round
	set +e
	cd /
	for ((i = ${#VEIL_EXTRA_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${VEIL_EXTRA_CLEANUP[i]}" >/dev/null 2>&1
	done
	if [ -n "$WORK" ]; then
		# Filesystems mounted below $WORK (not FUSE: loops may sit on it).
		awk -v w="$WORK/" 'index($2, w) == 1 && $3 !~ /^fuse/ { print $2 }' /proc/mounts |
			sort -r | while read -r m; do umount "$m" || umount -l "$m"; done
	fi
	settle
	for round in 1 2 3 4 5; do
		names=$(dmsetup ls 2>/dev/null | awk -v p="$PFX-" 'index($1, p) == 1 { print $1 }')
		[ -z "$names" ] && break
		for name in $names; do
			dmsetup resume "$name" >/dev/null 2>&1
			dmsetup remove --retry "$name" >/dev/null 2>&1 ||
				dmsetup remove --force "$name" >/dev/null 2>&1
		done
		settle
	done
	if [ -n "$WORK" ]; then
		losetup -nl -O NAME,BACK-FILE 2>/dev/null | awk -v w="$WORK/" 'index($2, w) == 1 { print $1 }' |
			while read -r dev; do losetup -d "$dev"; done
		settle
		awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts |
			sort -r | while read -r m; do umount "$m" || umount -l "$m"; done
		for i in "${VEIL_WAIT_PIDS[@]}"; do timeout 30 tail --pid="$i" -f /dev/null; done
		umount "$WORK" || umount -l "$WORK"
		rmdir "$WORK"
	fi
	for i in "${VEIL_KEYS_ADDED[@]}"; do keyctl unlink "$i" @u >/dev/null 2>&1; done
}

# setup [TMPFS_SIZE]: call once at the top of a suite script.
setup() {
	if [ "$(id -u)" != 0 ] || ! modprobe dm-mod; then
		fail "$T/setup" "must run as root in the guest (tests/vm/run -- $0)"
		exit 1
	fi
	if [ "$TARGET" != veil ]; then
		skip "$T/target" "VEIL_TEST_TARGET=$TARGET: harness check only, dm-veil itself is not tested"
	elif ! modprobe dm-veil; then
		fail "$T/setup" "modprobe dm-veil failed"
		exit 1
	fi
	modprobe loop 2>/dev/null
	trap cleanup_all EXIT
	WORK=$(mktemp -d "/tmp/veil-$T.XXXXXX") || exit 1
	mount -t tmpfs -o "size=${1:-256m}" "veil-$T" "$WORK" || { fail "$T/setup" "cannot mount tmpfs"; exit 1; }
	kmsg_mark "$T-start"
}

# finish: the last line of a suite script.
finish() {
	local trouble
	trouble=$(kernel_trouble_since "$T-start")
	if [ -n "$trouble" ]; then
		printf '%s\n' "$trouble" | head -n 20 | sed 's/^/    | /'
		fail "$T/kernel-log" "kernel warnings during the script"
	else
		pass "$T/kernel-log"
	fi
	tests_done
}
