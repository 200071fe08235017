#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Data integrity under load: fio writes crc32c-verified data through veil
# with random and mixed patterns, block sizes from 512 bytes (4 KiB at
# sector_size 4096) to 1 MiB, more jobs than CPUs, direct and buffered I/O;
# buffered data is verified again from a fresh mapping after the page cache
# is dropped. A corrupted backing device must make the verification fail,
# which shows the verification really reads through veil.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 160m

MiB=$((1024 * 1024))
BYTES=$((64 * MiB))
LEN=$((BYTES / 512))
LOOP=$(mkloop "$WORK/backing" "$BYTES") || { fail "$T/setup" "no loop device"; exit 1; }
KEY=$(randhex 64)
V=$PFX-v
DEVICE=/dev/mapper/$V
JOBS=$(($(nproc) * 2))
[ "$JOBS" -lt 3 ] && JOBS=3
PER_JOB=$((BYTES / JOBS / MiB))M
echo "# $(nproc) CPUs, $JOBS jobs of $PER_JOB each"

if ! command -v fio >/dev/null; then
	fail "$T/fio" "fio is not installed (mk/packages.txt lists it)"
	finish
	exit 1
fi

# run_fio NAME [fio options...]: a verified run must exit 0 and must have read
# back data (field 6 of terse output: KiB read, which covers verify reads).
run_fio() {
	local name=$1 out rc readk
	shift
	out=$(timeout 600 fio --name=veil --filename="$DEVICE" --numjobs="$JOBS" \
		--size="$PER_JOB" --offset_increment="$PER_JOB" --group_reporting \
		--verify=crc32c --verify_fatal=1 --randrepeat=1 --output-format=terse \
		--terse-version=3 "$@" 2>&1) && rc=0 || rc=$?
	readk=$(printf '%s\n' "$out" | awk -F';' '$1 == 3 { s += $6 } END { print s + 0 }')
	if [ "$rc" -ne 0 ]; then
		printf '%s\n' "$out" | grep -v '^3;' | tail -n 15 | sed 's/^/    | /'
		fail "$T/$name" "fio exit $rc"
	elif [ "$readk" -le 0 ]; then
		fail "$T/$name" "fio read nothing back, so verified nothing"
	else
		pass "$T/$name"
	fi
}

map() { dm_create "$V" "$(veil_table $LEN aes-xts-plain64 "$KEY" 0 "$LOOP" 0 "$@")"; }

# --- 512-byte sectors --------------------------------------------------------
if map; then
	run_fio direct-randwrite --direct=1 --ioengine=libaio --iodepth=8 --rw=randwrite \
		--bsrange=512-1M --do_verify=1
	run_fio direct-randrw-mixed --direct=1 --ioengine=libaio --iodepth=4 --rw=randrw \
		--rwmixread=40 --bsrange=512-1M --verify_backlog=16
	run_fio direct-seq-rw-mixed --direct=1 --ioengine=psync --rw=rw --rwmixread=30 \
		--bsrange=512-1M
	run_fio buffered-randwrite --direct=0 --ioengine=psync --rw=randwrite \
		--bsrange=512-1M --fsync_on_close=1
	# The same data, verified cold from a new mapping.
	dm_remove "$V"
	echo 3 >/proc/sys/vm/drop_caches
	if map; then
		run_fio buffered-randwrite-verified-cold --direct=0 --ioengine=psync --rw=randwrite \
			--bsrange=512-1M --verify_only=1
		dm_remove "$V"
	else
		fail "$T/remap" "veil refused the table a second time"
	fi
	# Corrupt 1 MiB of ciphertext in every job's region: verification must fail.
	for ((j = 0; j < JOBS; j++)); do
		head -c $MiB /dev/urandom | dd of="$WORK/backing" bs=1M seek=$((j * ${PER_JOB%M} + 1)) conv=notrunc status=none
	done
	if map; then
		out=$(timeout 600 fio --name=veil --filename="$DEVICE" --numjobs="$JOBS" \
			--size="$PER_JOB" --offset_increment="$PER_JOB" --group_reporting --verify=crc32c \
			--randrepeat=1 --direct=0 --ioengine=psync --rw=randwrite --bsrange=512-1M \
			--verify_only=1 2>&1) && rc=0 || rc=$?
		if [ "$rc" -ne 0 ] && printf '%s' "$out" | grep -qiE 'verify|crc32c|bad magic'; then
			pass "$T/corruption-detected"
		else
			fail "$T/corruption-detected" "fio exit $rc on a corrupted device: $(printf '%s' "$out" | grep -i err | head -n 2)"
		fi
		dm_remove "$V"
	fi
else
	fail "$T/create" "veil refused the table"
fi

# --- 4096-byte sectors ---------------------------------------------------------
if map sector_size:4096 iv_large_sectors; then
	run_fio ss4096-direct-randrw --direct=1 --ioengine=libaio --iodepth=8 --rw=randrw \
		--rwmixread=50 --bsrange=4k-1M --verify_backlog=16
	run_fio ss4096-buffered-randwrite --direct=0 --ioengine=psync --rw=randwrite \
		--bsrange=512-1M --fsync_on_close=1
	dm_remove "$V"
else
	fail "$T/create-4096" "veil refused sector_size:4096"
fi

finish
