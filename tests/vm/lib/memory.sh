# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the memory-pressure scripts (tests/vm/suite/4x-memory-*),
# sourced after common.sh.

# meminfo_kib FIELD: a /proc/meminfo value in KiB (bash builtins only, so it
# is cheap enough to sample often).
meminfo_kib() {
	local k v _
	while read -r k v _; do
		[ "$k" = "$1:" ] && { echo "$v"; return 0; }
	done </proc/meminfo
	return 1
}

# watermark_kib min|low|high: that watermark summed over all zones, in KiB,
# without the zone's boost. /proc/zoneinfo prints each watermark with the
# boost added, and the kernel raises the boost for a while after a
# fragmenting allocation, which the huge-page reservation makes likely:
# read then, min came out at 71676 KiB against 45052 a minute before
# (.ci/run, 6.1, VM 40), and the check compared MemFree with a reserve the
# allocator does not keep. The boost line comes first in each zone.
watermark_kib() {
	awk -v w="$1" -v kib="$(($(getconf PAGESIZE) / 1024))" '
		$1 == "pages" && $2 == "free" { boost = 0 }
		$1 == "boost" && NF == 2 { boost = $2 }
		$1 == w && NF == 2 { s += $2 - boost }
		END { print s * kib }' /proc/zoneinfo
}

# memfree_floor_kib: the lowest MemFree (KiB) a bounded writer may leave,
# from the watermarks read now: a quarter of the way from the min watermark
# to the low one. Ordinary allocations, page cache included, may take free
# memory down to min while kswapd catches up, as GFP_NOWAIT does; with veil's
# capped pool the lane has seen such dips to 42% of the gap above min (6.12,
# .ci/run, VM 40), never lower. An uncapped bounce pool over a backend that
# holds writes keeps free memory at min for as long as it holds them: with
# the cap raised to all of RAM, VM 42 saw 46016 KiB against min 45180, 7% of
# the gap, and failed here.
memfree_floor_kib() {
	local wmin wlow
	wmin=$(watermark_kib min) wlow=$(watermark_kib low)
	echo $((wmin + (wlow - wmin) / 4))
}

# shrink_ram MIB: takes memory away from the page allocator with 2 MiB
# huge pages until about MIB of it is available, so that "twice the RAM"
# of data stays a few hundred MiB under TCG. Sets RAM_KIB to what is left
# (MemTotal minus the huge pages). The pages are given back on exit.
RAM_KIB=
shrink_ram() {
	local want_kib=$(($1 * 1024)) avail pages got
	sync
	echo 3 >/proc/sys/vm/drop_caches
	avail=$(meminfo_kib MemAvailable)
	pages=$(((avail - want_kib) / 2048))
	[ "$pages" -lt 0 ] && pages=0
	# The reservation leaves the free memory fragmented on purpose, and
	# proactive compaction would work against it the whole script long:
	# under TCG, kcompactd zeroing the pages it takes (init_on_alloc) once
	# held a CPU long enough for the soft-lockup watchdog (.ci/run, 6.1).
	# What is tested here is veil's memory, not compaction's. Restored
	# after the huge pages are given back (defers run last first).
	if [ -w /proc/sys/vm/compaction_proactiveness ]; then
		defer "echo $(cat /proc/sys/vm/compaction_proactiveness) >/proc/sys/vm/compaction_proactiveness"
		echo 0 >/proc/sys/vm/compaction_proactiveness
	fi
	defer "echo 0 >/proc/sys/vm/nr_hugepages"
	echo "$pages" >/proc/sys/vm/nr_hugepages
	got=$(cat /proc/sys/vm/nr_hugepages)
	RAM_KIB=$(($(meminfo_kib MemTotal) - got * 2048))
	echo "# huge pages reserved: $got of $pages asked; RAM left: $((RAM_KIB / 1024)) MiB," \
		"available: $(($(meminfo_kib MemAvailable) / 1024)) MiB"
}

# Hung-task detection with a short limit: a writer stuck behind exhausted
# pools shows as a "blocked for more than" warning, which fails the script.
hung_task_watch() {
	local f=/proc/sys/kernel/hung_task_timeout_secs old
	if [ ! -w "$f" ]; then
		skip "$T/hung-task-detector" "this kernel has no hung-task detector ($f)"
		return
	fi
	old=$(cat "$f")
	defer "echo $old >$f"
	echo "${1:-60}" >"$f"
	pass "$T/hung-task-detector-armed"
}

# memfree_watch_start / memfree_watch_stop: the lowest MemFree (KiB) seen
# while a workload ran, sampled every 20 ms; stop sets MEMFREE_LOWEST. Call
# stop in the script's own shell, never in $(...): wait only waits for a
# child of the shell that calls it, and in a command substitution it returns
# at once, so the result was read before the watcher wrote it.
memfree_watch_start() {
	MEMFREE_STOP=$WORK/memfree.stop MEMFREE_OUT=$WORK/memfree.min
	rm -f "$MEMFREE_STOP" "$MEMFREE_OUT"
	rm -f "$WORK/memfree.tick"
	mkfifo "$WORK/memfree.tick"
	(
		exec 3<>"$WORK/memfree.tick"
		low=$(meminfo_kib MemFree)
		while [ ! -e "$MEMFREE_STOP" ]; do
			while read -r k v _; do [ "$k" = MemFree: ] && break; done </proc/meminfo
			[ "$v" -lt "$low" ] && low=$v
			read -r -t 0.02 -u 3 _
		done
		echo "$low" >"$MEMFREE_OUT"
	) &
	MEMFREE_PID=$!
}
MEMFREE_LOWEST=
memfree_watch_stop() {
	touch "$MEMFREE_STOP"
	wait "$MEMFREE_PID"
	MEMFREE_LOWEST=$(cat "$MEMFREE_OUT")
}

# oom_since TAG: OOM-killer lines logged since kmsg_mark TAG.
oom_since() { kmsg_since "$1" | grep -E 'invoked oom-killer|Out of memory'; }

# memory_run_checks PREFIX DEV BYTES MARK FLOOR WMIN: after a run between
# kmsg_mark MARK and memfree_watch_stop, the checks every memory run makes:
# MemFree stayed at or above FLOOR KiB (WMIN: the min watermark, for the
# message), veil device DEV counted at least BYTES written, no OOM kill.
memory_run_checks() {
	local prefix=$1 dev=$2 bytes=$3 mark=$4 floor=$5 wmin=$6 writes oom
	if [ "$MEMFREE_LOWEST" -ge "$floor" ]; then
		pass "$prefix/memfree-above-min-watermark"
	else
		fail "$prefix/memfree-above-min-watermark" \
			"MemFree fell to $MEMFREE_LOWEST KiB; min watermark $wmin KiB, floor $floor KiB"
	fi
	writes=$(dmsetup status "$dev" | grep -o 'write_bytes=[0-9]*' | cut -d= -f2)
	if [ "${writes:-0}" -ge "$bytes" ]; then
		pass "$prefix/all-written-through-veil"
	else
		fail "$prefix/all-written-through-veil" "veil wrote ${writes:-0} of $bytes bytes"
	fi
	oom=$(oom_since "$mark")
	[ -z "$oom" ] && pass "$prefix/no-oom" || fail "$prefix/no-oom" "$(echo "$oom" | head -n1)"
}

# slow_brd_stack BYTES: brd <- delay (writes held 200 ms) <- veil (AES,
# 4096-byte sectors, key $KEY), BYTES long, as the script's $D and $V;
# removed on exit. A script that cannot build it ends there.
slow_brd_stack() {
	local len=$(($1 / 512))
	brd_load 1 $(($1 / 1024)) || { finish; exit 1; }
	defer "dmsetup remove --retry $V $D"
	dm_create "$D" "0 $len delay /dev/ram0 0 0 /dev/ram0 0 200" &&
		dm_create "$V" "$(veil_table "$len" aes-xts-plain64 "$KEY" 0 "/dev/mapper/$D" 0 sector_size:4096)" ||
		{ fail "$T/verify-stack" "cannot build brd <- delay <- veil"; finish; exit 1; }
}

# writeback_script_start: how the writeback scripts (40, 42) begin, after
# setup: dm-delay, dm-zero and brd loaded, the hung-task detector at 60 s,
# the RAM cut to about 256 MiB; sets KEY (an AES-XTS key) and MiB.
writeback_script_start() {
	local m
	for m in dm-delay dm-zero brd; do
		modprobe "$m" || { fail "$T/modules" "cannot load $m"; finish; exit 1; }
	done
	hung_task_watch 60
	shrink_ram 256
	KEY=$(randhex 64)
	MiB=$((1024 * 1024))
}

# zero_write_checked PREFIX MARK BYTES FLOOR WMIN: BYTES of zeros written
# buffered to /dev/mapper/$V and synced while MemFree is watched, then
# PREFIX/writeback-completes and memory_run_checks (MARK: the kmsg mark
# for the OOM check; FLOOR, WMIN: as there).
zero_write_checked() {
	local prefix=$1 mark=$2 bytes=$3 rc
	kmsg_mark "$mark"
	memfree_watch_start
	timeout 900 dd if=/dev/zero of="/dev/mapper/$V" bs=1M count=$((bytes / MiB)) conv=fsync status=none
	rc=$?
	memfree_watch_stop
	echo "# lowest MemFree while writing: $MEMFREE_LOWEST KiB"
	check_eq "$prefix/writeback-completes" "$rc" 0
	memory_run_checks "$prefix" "$V" "$bytes" "$mark" "$4" "$5"
}
