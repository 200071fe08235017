#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Polled I/O (io_uring with IORING_SETUP_IOPOLL, fio --hipri) over a device
# with poll queues (null_blk poll_queues=2). dm polls only the bios it
# submitted itself, so a veil clone still marked REQ_POLLED would sit in a
# poll queue nobody polls until the block layer times it out. Polled writes
# and verifying reads through veil must complete.
# dm-crypt is not the reference here: it keeps REQ_POLLED on its clones, and
# its polled I/O over this device times out on 6.12.
# Where the kernel refuses polled I/O on a dm device before it reaches the
# target ("Operation not supported"), the case is a SKIP saying so.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 64m

if ! modprobe null_blk nr_devices=1 queue_mode=2 submit_queues=1 poll_queues=2 \
	memory_backed=1 gb=1 bs=512 2>/dev/null; then
	fail "$T/setup" "modprobe null_blk poll_queues=2 failed"
	finish
	exit 1
fi
defer "modprobe -r null_blk"
settle
NB=/dev/nullb0
[ -b "$NB" ] || { fail "$T/setup" "no $NB"; finish; exit 1; }
check_eq "$T/lower-polls" "$(cat /sys/block/nullb0/queue/io_poll)" 1
# A request lost in a poll queue ends at the block layer's timeout: 10 s.
echo 10000 > /sys/block/nullb0/queue/io_timeout

LEN=$((32 * 1024 * 1024 / 512))
KEY=$(randhex 64)
V=$PFX-v
DEVICE=/dev/mapper/$V
OUT=$WORK/fio.out

if dm_create "$V" "$(veil_table "$LEN" aes-xts-plain64 "$KEY" 0 "$NB" 0)"; then
	dmname=$(basename "$(readlink -f "$DEVICE")")
	poll=$(cat "/sys/block/$dmname/queue/io_poll")
	timeout -k 5 120 fio --name=polled --filename="$DEVICE" --ioengine=io_uring --hipri \
		--direct=1 --rw=randwrite --bs=4k --size=4m --iodepth=8 --verify=crc32c \
		--verify_fatal=1 --do_verify=1 --output-format=terse >"$OUT" 2>&1 && rc=0 || rc=$?
	if [ "$rc" = 0 ]; then
		pass "$T/polled-io-completes"
	elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		fail "$T/polled-io-completes" "polled I/O hung (killed after 120 s)"
	elif grep -q 'Operation not supported' "$OUT"; then
		skip "$T/polled-io-completes" "kernel $(uname -r) refuses polled I/O on a dm device (io_poll=$poll): Operation not supported"
	else
		grep -v '^3;' "$OUT" | tail -n 5 | sed 's/^/    | /'
		fail "$T/polled-io-completes" "fio exit $rc"
	fi
	dm_remove "$V"
else
	fail "$T/create" "table refused"
fi

finish
