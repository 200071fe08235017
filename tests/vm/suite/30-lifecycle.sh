#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Lifecycle: 100 create/remove cycles (hex and keyring keys, every cipher,
# I/O in every fifth, plus a refused table each time) leave nothing behind: no slab cache
# keeps growing, crypto tfm and keyring references return to baseline, no
# veil workqueue thread survives, the module's reference count is 0; then
# the module unloads, loads again and works.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 32m

BYTES=$((4 * 1024 * 1024))
LEN=$((BYTES / 512))
LOOP=$(mkloop "$WORK/backing" "$BYTES") || { fail "$T/setup" "no loop device"; exit 1; }
K32=$(randhex 32) K64=$(randhex 64)
ID=$(add_logon_key "veil:t30-$$" "$K64") || { fail "$T/setup" "keyctl failed"; exit 1; }
V=$PFX-v
head -c 65536 /dev/urandom >"$WORK/p"

CIPHERS=("aes-xts-plain64 $K64" "aes-xts-plain64 :64:logon:veil:t30-$$" "aes-xts-plain $K32"
	"aes-cbc-essiv:sha256 $K32" "xchacha12,aes-adiantum-plain64 $K32" "cipher_null-ecb -")
ALGS=('xts(aes)' 'essiv(cbc(aes),sha256)' 'adiantum(xchacha12,aes)' 'ecb(cipher_null)')

cycle_errors=0
NOUDEV=(--noudevsync --noudevrules)
# cycle I: one refused table, then a mapping created and removed; every
# fifth cycle goes through udev and does I/O (write, read back, compare).
cycle() {
	local spec=${CIPHERS[$(($1 % ${#CIPHERS[@]}))]} ss=512 table
	[ $(($1 % 2)) = 1 ] && ss=4096
	# Refused late: at resume (offset past the device's end: dm core's check,
	# after the whole target was built) or after the keyring lookup.
	if [ $(($1 % 2)) = 0 ]; then
		dmsetup "${NOUDEV[@]}" create "$PFX-bad" --table "$(veil_table 8 aes-xts-plain64 "$K64" 0 "$LOOP" $LEN)" >/dev/null 2>&1
	else
		dmsetup "${NOUDEV[@]}" create "$PFX-bad" --table "$(veil_table 8 aes-xts-plain64 ":32:logon:veil:t30-$$" 0 "$LOOP" 0)" >/dev/null 2>&1
	fi && { cycle_errors=$((cycle_errors + 1)); dm_remove "$PFX-bad"; }
	# shellcheck disable=SC2086
	table=$(veil_table $LEN $spec 0 "$LOOP" 0 sector_size:$ss)
	if [ $(($1 % 5)) != 0 ]; then
		dmsetup "${NOUDEV[@]}" create "$V" --table "$table" &&
			dmsetup "${NOUDEV[@]}" remove --retry "$V" 2>/dev/null || cycle_errors=$((cycle_errors + 1))
		return
	fi
	if ! dm_create "$V" "$table" ||
		! timeout 60 dd if="$WORK/p" of="/dev/mapper/$V" bs=64k seek=$(($1 % 64)) oflag=direct conv=notrunc status=none ||
		! timeout 60 dd if="/dev/mapper/$V" of="$WORK/r" bs=64k skip=$(($1 % 64)) count=1 iflag=direct status=none ||
		! cmp -s "$WORK/r" "$WORK/p"; then
		cycle_errors=$((cycle_errors + 1))
	fi
	dm_remove_all "$V"
}

# slab_snapshot FILE: "cache active_objs" for every cache, after freeing
# what can be freed so that only live objects count.
slab_snapshot() {
	settle
	sync
	echo 3 >/proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do echo 1 >"$f" 2>/dev/null; done
	awk 'NR > 2 { print $1, $2 }' /proc/slabinfo | LC_ALL=C sort >"$1"
}
# growth A B MIN: caches that grew by at least MIN objects from A to B.
# vmap_area is left out: vfree() releases areas lazily (the kernel stacks of
# the workqueue rescuer threads every dm device starts end up there), so its
# count says nothing; vmalloc_busy measures what vmalloc still holds.
# debug_objects_cache exists only on a DEBUG_OBJECTS kernel (make
# debug-kernel): it is that checker's own record of every live work item and
# timer in the whole guest, filled and drained in batches, so it grows with
# what the rest of the system does; dm-veil allocates nothing from it, and
# kmemleak on that kernel is what reports an object dm-veil forgets.
growth() { LC_ALL=C join "$1" "$2" | awk -v min="$3" '$1 != "vmap_area" && $1 != "debug_objects_cache" && $3 - $2 >= min { print $1, $3 - $2 }'; }
vmalloc_busy() { grep -vc 'unpurged' /proc/vmallocinfo; }
veil_threads() { ps -e -o comm= | grep -c '^kveil' || true; }

for i in $(seq 1 10); do cycle "$i"; done # warm up: templates, caches, udev
declare -A base_crypto
for a in "${ALGS[@]}"; do base_crypto[$a]=$(crypto_refcnt "$a"); done
base_key=$(key_usage "$ID")
slab_snapshot "$WORK/slab0"
vmalloc0=$(vmalloc_busy)

start=$SECONDS
for i in $(seq 1 100); do cycle "$i"; done
echo "# 100 cycles took $((SECONDS - start)) s"
check_eq "$T/cycles-all-worked" "$cycle_errors" 0
slab_snapshot "$WORK/slab1"
vmalloc1=$(vmalloc_busy)
if [ $((vmalloc1 - vmalloc0)) -lt 50 ]; then pass "$T/vmalloc-no-growth"; else
	fail "$T/vmalloc-no-growth" "busy vmalloc areas $vmalloc0 -> $vmalloc1 over 100 cycles"; fi
grew=$(growth "$WORK/slab0" "$WORK/slab1" 100)
# Noise or a leak? A leak grows again in every further round of 50 cycles;
# noise (frees still pending on a loaded host, the guest's own daemons) does
# not keep growing round after round. A cache is a leak only if it grew in
# the first 100 cycles and in each of two more rounds.
leaks=$grew round=1 prev=$WORK/slab1
while [ -n "$leaks" ] && [ $round -le 2 ]; do
	for i in $(seq $((50 * round + 51)) $((50 * round + 100))); do cycle "$i"; done
	slab_snapshot "$WORK/slab-r$round"
	growth "$prev" "$WORK/slab-r$round" 50 | LC_ALL=C sort >"$WORK/again"
	echo "$leaks" | LC_ALL=C sort >"$WORK/so-far"
	leaks=$(LC_ALL=C join "$WORK/so-far" "$WORK/again")
	prev=$WORK/slab-r$round round=$((round + 1))
done
if [ -z "$leaks" ]; then
	pass "$T/slab-no-growth"
	[ -z "$grew" ] || echo "# slab growth that did not repeat in every round of 50 more cycles: $(echo "$grew" | tr '\n' ' ')"
else
	fail "$T/slab-no-growth" "caches growing in every round (objects per 100, then per 50 twice): $(echo "$leaks" | tr '\n' ' ')"
fi
settle
for a in "${ALGS[@]}"; do check_eq "$T/crypto-refcnt-$a" "$(crypto_refcnt "$a")" "${base_crypto[$a]}"; done
check_eq "$T/keyring-refs" "$(key_usage "$ID")" "$base_key"
check_eq "$T/no-veil-threads-left" "$(veil_threads)" 0

# --- module reload -------------------------------------------------------------
if [ "$TARGET" = veil ]; then
	check_eq "$T/module-refcnt-zero" "$(module_refcnt dm_veil)" 0
	check "$T/rmmod" rmmod dm_veil
	if [ -e /sys/module/dm_veil ]; then fail "$T/unloaded" "/sys/module/dm_veil still exists"; else pass "$T/unloaded"; fi
	check "$T/modprobe-again" modprobe dm-veil
	cycle_errors=0
	for i in 1 2 3 4 5 6 7 8 9 10; do cycle "$i"; done
	check_eq "$T/works-after-reload" "$cycle_errors" 0
	check_eq "$T/module-refcnt-zero-after-reload" "$(module_refcnt dm_veil)" 0
	check "$T/rmmod-again" rmmod dm_veil
	check "$T/modprobe-final" modprobe dm-veil
fi

finish
