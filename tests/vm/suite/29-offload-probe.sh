#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Over a device that completes each bio within submit_bio() (brd), veil
# never sees a queue below it, so each CPU sends one small bio in 512 that
# it could convert itself to a worker, as a probe: a submitter that queues
# more behind it finds it pending and turns that CPU deep (io.c,
# veil_offload_chosen()). A submitter that waits for each bio (dd with
# O_DIRECT here) must pay only for the probes: of 2048 writes and 2048
# reads of 4 KiB, at least 1 and at most 32 of each reach the crypto
# workqueue. Not exactly 4: each CPU counts its own bios, a CPU skips the
# count while the workers are busy, and the reads start where the writes
# left each count, so how dd's bios spread over the CPUs moves the total
# (the 6.1 debug kernel, slower, gave 3 reads). With no_inline every one of them must: that proves the count
# sees the workers. How many a queueing submitter sends depends on how fast
# the workers start, so `make bench` measures that, not this script.
# Workqueue items are counted with the workqueue_queue_work trace event,
# filtered on veil's crypto workqueue, in a trace instance of the script's
# own.
#
# Enabling an event rewrites kernel code (the tracepoint's static branch),
# and under TCG a CPU has been seen executing the temporary int3 of such a
# rewrite after it ended: "Oops: int3" in __schedule, in the sched_switch
# probe that records task names (.ci/run, 6.12, while this script toggled
# the event around each run). So the instance records no task names, and
# the event is enabled once, before any I/O, and disabled once at the end;
# between runs only its filter changes, which rewrites no code.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 64m

KiB=1024 MiB=$((1024 * 1024))
DATA=$((8 * MiB))
BIOS=$((DATA / (4 * KiB)))
LEN=$((32 * MiB / 512))
KEY=$(randhex 32)
V=$PFX-v
TRACING=/sys/kernel/tracing
INSTANCE=$TRACING/instances/veil-$T

# Workers need a second CPU to be worth a probe (io.c, veil_workers_idle()).
if [ "$(nproc)" -lt 2 ]; then
	skip "$T/probe" "one CPU online: veil sends no bio to a worker by choice"
	finish
	exit 0
fi

[ -d "$TRACING/events" ] || mount -t tracefs nodev "$TRACING" 2>/dev/null
# An instance takes record-cmd from the top level when it is created.
record_cmd=$(cat "$TRACING/options/record-cmd" 2>/dev/null) || record_cmd=
[ -z "$record_cmd" ] || echo 0 >"$TRACING/options/record-cmd"
made=0
mkdir "$INSTANCE" 2>/dev/null && made=1
[ -z "$record_cmd" ] || echo "$record_cmd" >"$TRACING/options/record-cmd"
if [ "$made" != 1 ]; then
	fail "$T/setup" "cannot create trace instance $INSTANCE"
	finish
	exit 1
fi
defer "rmdir $INSTANCE"
EVENT=$INSTANCE/events/workqueue/workqueue_queue_work
# Nothing matches until queued sets the device's filter.
if ! { echo 'workqueue == "kveil/none"' >"$EVENT/filter" && echo 1 >"$EVENT/enable"; }; then
	fail "$T/setup" "cannot enable $EVENT"
	finish
	exit 1
fi
defer "echo 0 > $EVENT/enable"

if ! brd_load 1 $((LEN / 2)); then
	finish
	exit 1
fi
randfile "$WORK/p" "$DATA"

# queued ACTION: how many items veil's crypto workqueue got while ACTION ran.
queued() {
	local dm r=0
	# The workqueue is named after the device's major:minor (io.c).
	dm=$(dmsetup info -c --noheadings -o major,minor "$V") || return
	echo "workqueue == \"kveil/$dm\"" >"$EVENT/filter" || return
	: >"$INSTANCE/trace"
	"$@" || r=1
	echo 'workqueue == "kveil/none"' >"$EVENT/filter"
	[ "$r" = 0 ] || return 1
	grep -c 'workqueue_queue_work:' "$INSTANCE/trace" || true
}
write_4k() { timeout 120 dd if="$WORK/p" of="/dev/mapper/$V" bs=4k count=$BIOS oflag=direct status=none; }
read_4k() { timeout 120 dd if="/dev/mapper/$V" of="$WORK/r" bs=4k count=$BIOS iflag=direct status=none; }

# run_case NAME MIN MAX [OPTS...]: each direction's count must be in [MIN, MAX].
run_case() {
	local name=$1 min=$2 max=$3 dir n
	shift 3
	if ! dm_create "$V" "$(veil_table $LEN aes-xts-plain64 "$KEY" 0 /dev/ram0 0 sector_size:4096 "$@")"; then
		fail "$T/$name/create" "table refused"
		return
	fi
	for dir in write read; do
		if ! n=$(queued "${dir}_4k"); then
			fail "$T/$name/$dir" "4 KiB direct ${dir}s through veil failed"
		elif [ "$n" -ge "$min" ] && [ "$n" -le "$max" ]; then
			echo "    $name: $n of $BIOS ${dir}s went to the crypto workers"
			pass "$T/$name/$dir-offloaded"
		else
			fail "$T/$name/$dir-offloaded" "$n of $BIOS bios went to the crypto workers, expected $min to $max"
		fi
	done
	same_bytes "$T/$name/roundtrip" "$WORK/r" "$WORK/p"
	dm_remove "$V"
	rm -f "$WORK/r"
}

# Each CPU probes its first eligible bio, then one in 512.
run_case waiting-submitter 1 $((BIOS / 64))
run_case no_inline "$BIOS" $((BIOS * 2)) no_inline
finish
