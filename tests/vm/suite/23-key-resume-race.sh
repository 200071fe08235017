#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# "key wipe" racing "resume": 500 rounds of suspend, then the wipe message
# and the resume at the same moment from two threads (raw dm ioctls, see
# tests/vm/helpers/key-resume-race.c). Either the wipe wins and the resume
# is refused, or the resume wins and the wipe is refused; the device is
# never live without a key. Data written afterwards reads back through a
# fresh mapping with the real key, so no round left a wrong key in place.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 64m

MiB=$((1024 * 1024))
BYTES=$((8 * MiB))
LEN=$((BYTES / 512))
LOOP=$(mkloop "$WORK/backing" "$BYTES") || { fail "$T/setup" "no loop device"; exit 1; }
KEY=$(randhex 64)
V=$PFX-v
DEVICE=/dev/mapper/$V
RACE=$WORK/key-resume-race
if ! cc -O2 -o "$RACE" "$REPO/tests/vm/helpers/key-resume-race.c" -lpthread; then
	fail "$T/setup" "cannot build the race helper"
	finish
	exit 1
fi

if dm_create "$V" "$(veil_table "$LEN" aes-xts-plain64 "$KEY" 0 "$LOOP" 0)"; then
	out=$(timeout 600 "$RACE" "$V" "$KEY" 500 2>&1) && rc=0 || rc=$?
	printf '%s\n' "$out" | sed 's/^/    | /'
	check_eq "$T/500-rounds-never-live-without-key" "$rc" 0
	dmsetup resume "$V" >/dev/null 2>&1
	randfile "$WORK/p" $MiB
	dd_to "$WORK/p" "$DEVICE" 256k && sync || fail "$T/write-after" "write failed"
	dm_remove "$V"
	if dm_create "$V" "$(veil_table "$LEN" aes-xts-plain64 "$KEY" 0 "$LOOP" 0)"; then
		dd_from "$DEVICE" "$WORK/r" $MiB && same_bytes "$T/data-after-reads-back-with-real-key" "$WORK/r" "$WORK/p" ||
			fail "$T/data-after-reads-back-with-real-key" "read failed"
		dm_remove "$V"
	else
		fail "$T/fresh-mapping" "table refused"
	fi
else
	fail "$T/create" "table refused"
fi

finish
