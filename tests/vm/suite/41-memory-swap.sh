#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Swap on a veil volume under memory pressure. A swap write is what the
# kernel sends when it has no memory left, so everything veil needs for it
# must come from its reserves: swap writes are never converted inline (they
# go to the WQ_MEM_RECLAIM workers), bounce pages are capped, and dm limits
# the swap bios in flight (limit_swap_bios).
#
# The RAM is shrunk to about 256 MiB and swap goes on veil (AES, 4096-byte
# sectors) over a slow device: brd, pre-filled so that it never allocates
# while swapping, below dm-delay holding writes 20 ms. Then, at the same
# time, stress-ng's vm stressor dirties and verifies more memory than the
# RAM left (so pages go out through veil and come back in), and fio writes
# and verifies data through a second veil volume. With the hung-task
# detector at 60 s: both complete and verify, pages really went through the
# swap volume, no OOM kill, swapoff brings everything back, no kernel
# warning.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$REPO/tests/vm/lib/memory.sh"
setup 64m

for tool in stress-ng fio mkswap swapon; do
	command -v "$tool" >/dev/null || { fail "$T/tools" "$tool is not installed (mk/packages.txt lists it)"; finish; exit 1; }
done
for m in dm-delay; do
	modprobe "$m" || { fail "$T/modules" "cannot load $m"; finish; exit 1; }
done
if grep -q '^/' /proc/swaps; then
	fail "$T/swap" "a swap device is already active: $(grep '^/' /proc/swaps | head -n1)"
	finish
	exit 1
fi

MiB=$((1024 * 1024))
SWAP_MIB=256 DATA_MIB=48
# ram0: swap, ram1: the fio volume. Filled before the RAM is shrunk, so
# their pages are already taken and counted out of what is left.
brd_load 2 $((SWAP_MIB * 1024)) || { finish; exit 1; }
for d in /dev/ram0 /dev/ram1; do
	dd if=/dev/zero of=$d bs=1M count=$SWAP_MIB oflag=direct status=none ||
		{ fail "$T/brd-fill" "cannot fill $d"; finish; exit 1; }
done
hung_task_watch 60
shrink_ram 256

D=$PFX-delay S=$PFX-swap V=$PFX-data
slen=$((SWAP_MIB * 2048)) dlen=$((DATA_MIB * 2048))
defer "dmsetup remove --retry $V $S $D"
defer "swapoff /dev/mapper/$S 2>/dev/null"
if ! dm_create "$D" "0 $slen delay /dev/ram0 0 0 /dev/ram0 0 20" ||
	! dm_create "$S" "$(veil_table $slen aes-xts-plain64 "$(randhex 64)" 0 /dev/mapper/$D 0 sector_size:4096)" ||
	! dm_create "$V" "$(veil_table $dlen aes-xts-plain64 "$(randhex 64)" 0 /dev/ram1 0 sector_size:4096)"; then
	fail "$T/stack" "cannot build the swap and data volumes"
	finish
	exit 1
fi
check "$T/mkswap" mkswap -q /dev/mapper/$S
check "$T/swapon" swapon /dev/mapper/$S

# A third more than the memory available (the RAM left, less the ram
# disks' pages), so that a quarter of it lives in swap at any time;
# stress-ng checks every page it wrote when it reads it back.
avail_kib=$(meminfo_kib MemAvailable)
hog_kib=$((avail_kib * 4 / 3))
echo "# available $((avail_kib / 1024)) MiB; stress-ng dirties $((hog_kib / 1024)) MiB;" \
	"fio verifies $DATA_MIB MiB through the second volume"
kmsg_mark "$T-load"
timeout 900 stress-ng --vm 1 --vm-bytes "${hog_kib}K" --vm-keep --vm-ops 4 --verify \
	--temp-path "$WORK" --metrics-brief >"$WORK/stress.out" 2>&1 &
hog=$!
fio_out=$(timeout 900 fio --name=verify --filename=/dev/mapper/$V --rw=randwrite --bsrange=4k-256k \
	--direct=1 --ioengine=libaio --iodepth=16 --size=${DATA_MIB}M --verify=crc32c --verify_fatal=1 \
	--do_verify=1 --output-format=terse --terse-version=3 2>&1)
fio_rc=$?
wait "$hog"
hog_rc=$?

if [ "$hog_rc" -eq 0 ]; then
	pass "$T/stress-ng-completes-and-verifies"
else
	tail -n 15 "$WORK/stress.out" | sed 's/^/    | /'
	fail "$T/stress-ng-completes-and-verifies" "stress-ng exit $hog_rc"
fi
if [ "$fio_rc" -eq 0 ]; then
	pass "$T/fio-verify"
else
	printf '%s\n' "$fio_out" | grep -v '^3;' | tail -n 15 | sed 's/^/    | /'
	fail "$T/fio-verify" "fio exit $fio_rc"
fi

# The pages went out through veil and came back in through it.
status=$(dmsetup status "$S")
wrote=$(grep -o 'write_bytes=[0-9]*' <<<"$status" | cut -d= -f2)
reads=$(grep -o 'read_bytes=[0-9]*' <<<"$status" | cut -d= -f2)
echo "# swap volume: wrote $((${wrote:-0} / MiB)) MiB, read $((${reads:-0} / MiB)) MiB"
if [ "${wrote:-0}" -ge $((16 * MiB)) ] && [ "${reads:-0}" -ge $((16 * MiB)) ]; then
	pass "$T/swapped-through-veil"
else
	fail "$T/swapped-through-veil" "the swap volume wrote ${wrote:-0} and read ${reads:-0} bytes; the load did not swap"
fi
oom=$(oom_since "$T-load")
[ -z "$oom" ] && pass "$T/no-oom" || fail "$T/no-oom" "$(echo "$oom" | head -n1)"
check "$T/swapoff" timeout 300 swapoff /dev/mapper/$S
finish
