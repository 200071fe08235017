#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Faults below veil: errors from the device underneath reach the caller as
# EIO, promptly (no hang), are counted in INFO status, and never turn into
# wrong data: every read either fails or returns what was written. The
# lower device can be swapped for an error target under an open volume and
# back again.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 64m

MiB=$((1024 * 1024))
BYTES=$((8 * MiB))
LEN=$((BYTES / 512))
LOOP=$(mkloop "$WORK/backing" "$BYTES") || { fail "$T/setup" "no loop device"; exit 1; }
KEY=$(randhex 64)
LOW=$PFX-low
V=$PFX-v
DEVICE=/dev/mapper/$V
randfile "$WORK/p" "$BYTES"

# io_eio NAME CMD...: CMD must fail with EIO, within the timeout.
io_eio() {
	local name=$1 out rc
	shift
	out=$(timeout 60 "$@" 2>&1) && rc=0 || rc=$?
	if [ "$rc" = 0 ]; then
		fail "$name" "succeeded on a failing device"
	elif [ "$rc" = 124 ]; then
		fail "$name" "hung (killed after 60 s)"
	elif printf '%s' "$out" | grep -q 'Input/output error'; then
		pass "$name"
	else
		fail "$name" "failed, but not with EIO: $(printf '%s' "$out" | head -n 1)"
	fi
}
relow() { # relow TABLE: replace the lower device's table while veil stays open
	dmsetup suspend "$LOW" && printf '%b\n' "$1" | dmsetup load "$LOW" && dmsetup resume "$LOW"
}
errors() { dmsetup status "$V" | tr ' ' '\n' | sed -n 's/^errors=//p'; }
LINEAR="0 $LEN linear $LOOP 0"

if ! dm_create "$LOW" "$LINEAR" ||
	! dm_create "$V" "$(veil_table $LEN aes-xts-plain64 "$KEY" 0 "/dev/mapper/$LOW" 0)"; then
	fail "$T/setup" "cannot build loop -> linear -> veil"
	finish
	exit 1
fi
dd_to "$WORK/p" "$DEVICE" 1M || fail "$T/write" "initial write failed"

# --- the whole lower device becomes an error target, under an open volume ----
exec 7<"$DEVICE"
e0=$(errors)
check "$T/swap-to-error" relow "0 $LEN error"
io_eio "$T/error-direct-read" dd if="$DEVICE" of=/dev/null bs=64k count=1 iflag=direct
# Writes put back the bytes already there, so whatever lands, data stays intact.
io_eio "$T/error-direct-write" dd if="$WORK/p" of="$DEVICE" bs=64k count=1 oflag=direct conv=notrunc
blockdev --flushbufs "$DEVICE" 2>/dev/null
io_eio "$T/error-buffered-read" dd if="$DEVICE" of=/dev/null bs=4k count=1 skip=100
io_eio "$T/error-fsync-write" dd if="$WORK/p" of="$DEVICE" bs=4k count=1 skip=200 seek=200 conv=notrunc,fsync
e1=$(errors)
if [ -n "$e0" ] && [ -n "$e1" ] && [ "$e1" -gt "$e0" ]; then pass "$T/errors-counted"; else
	fail "$T/errors-counted" "INFO errors $e0 -> $e1"; fi
check "$T/swap-back" relow "$LINEAR"
blockdev --flushbufs "$DEVICE" 2>/dev/null
if dd_from "$DEVICE" "$WORK/r" "$BYTES" 1M; then
	same_bytes "$T/data-intact-after-error-phase" "$WORK/r" "$WORK/p"
else
	fail "$T/data-intact-after-error-phase" "read failed after swapping back"
fi
exec 7<&-

# --- the second half fails: the first half reads correctly, the rest EIO ----
check "$T/swap-half-error" relow "0 $((LEN / 2)) linear $LOOP 0\n$((LEN / 2)) $((LEN / 2)) error"
rm -f "$WORK/r"
out=$(timeout 60 dd if="$DEVICE" of="$WORK/r" bs=1M iflag=direct status=none 2>&1) && rc=0 || rc=$?
if [ "$rc" = 124 ]; then
	fail "$T/half-read" "hung"
elif [ "$rc" = 0 ]; then
	fail "$T/half-read" "reading into the failing half succeeded"
else
	case $out in *'Input/output error'*) pass "$T/half-read-eio" ;; *) fail "$T/half-read-eio" "$out" ;; esac
	got=$(stat -c %s "$WORK/r")
	if [ "$got" -eq $((BYTES / 2)) ] && cmp -s -n "$got" "$WORK/r" "$WORK/p"; then
		pass "$T/half-read-good-part-correct"
	else
		fail "$T/half-read-good-part-correct" "got $got bytes before the error, or they differ"
	fi
fi
# One request straddling the boundary fails as a whole.
io_eio "$T/straddling-read" dd if="$DEVICE" of=/dev/null bs=1M count=1 skip=$((BYTES / 2 - MiB / 2)) iflag=direct,skip_bytes
check "$T/swap-back-2" relow "$LINEAR"

# --- flakey: intermittent failures, never wrong data -------------------------
# up 1 s, down 1 s; during "down" all I/O fails.
check "$T/swap-to-flakey" relow "0 $LEN flakey $LOOP 0 1 1"
ok=0 bad=0 wrong=0 hung=0
end=$((SECONDS + 8))
while [ $SECONDS -lt $end ] || [ $((ok + bad)) -lt 10 ]; do
	blk=$((RANDOM % (BYTES / (64 * 1024))))
	rm -f "$WORK/fr"
	if timeout 60 dd if="$DEVICE" of="$WORK/fr" bs=64k count=1 skip="$blk" iflag=direct status=none 2>/dev/null; then
		ok=$((ok + 1))
		cmp -s -i 0:$((blk * 65536)) -n 65536 "$WORK/fr" "$WORK/p" || wrong=$((wrong + 1))
	else
		[ $? = 124 ] && hung=$((hung + 1))
		bad=$((bad + 1))
	fi
	[ $((ok + bad)) -ge 400 ] && break
done
check_eq "$T/flakey-no-wrong-data" "$wrong" 0
check_eq "$T/flakey-no-hang" "$hung" 0
if [ "$bad" -gt 0 ]; then pass "$T/flakey-errors-reach-caller"; else fail "$T/flakey-errors-reach-caller" "no read failed in $ok reads"; fi
if [ "$ok" -gt 0 ]; then pass "$T/flakey-good-reads"; else fail "$T/flakey-good-reads" "every read failed ($bad)"; fi

# Flakey writes of single 4 KiB pages (one bio each, so none is half
# written): afterwards each page holds either the old or the new data.
randfile "$WORK/q" "$BYTES"
wok=0 wbad=0
for ((blk = 0; blk < 512; blk += 8)); do
	if timeout 60 dd if="$WORK/q" of="$DEVICE" bs=4k count=1 skip="$blk" seek="$blk" oflag=direct conv=notrunc status=none 2>/dev/null; then
		wok=$((wok + 1))
	else
		[ $? = 124 ] && hung=$((hung + 1))
		wbad=$((wbad + 1))
	fi
done
check "$T/swap-back-3" relow "$LINEAR"
check_eq "$T/flakey-write-no-hang" "$hung" 0
if dd_from "$DEVICE" "$WORK/r" "$BYTES" 1M; then
	mixed=$(perl -e '
		open(my $r, "<", $ARGV[0]) or die; open(my $p, "<", $ARGV[1]) or die; open(my $q, "<", $ARGV[2]) or die;
		my ($a, $b, $c, $bad) = ("", "", "", 0);
		while (read($r, $a, 4096)) { read($p, $b, 4096); read($q, $c, 4096); $bad++ if $a ne $b && $a ne $c; }
		print $bad;' "$WORK/r" "$WORK/p" "$WORK/q")
	check_eq "$T/flakey-writes-old-or-new" "$mixed" 0
else
	fail "$T/flakey-writes-old-or-new" "read failed after swapping back"
fi
echo "# flakey: $ok good and $bad failed reads, $wok good and $wbad failed writes"

# --- veil directly on a dm-error device ---------------------------------------
dm_remove_all "$V"
if dm_create "$PFX-err" "0 $LEN error" &&
	dm_create "$V" "$(veil_table $LEN aes-xts-plain64 "$KEY" 0 "/dev/mapper/$PFX-err" 0)"; then
	io_eio "$T/on-error-target-read" dd if="$DEVICE" of=/dev/null bs=4k count=1 iflag=direct
	io_eio "$T/on-error-target-write" dd if=/dev/zero of="$DEVICE" bs=4k count=1 oflag=direct
else
	fail "$T/on-error-target" "cannot stack veil on an error target"
fi
dm_remove_all "$V" "$PFX-err" "$LOW"
if dm_exists "$V" || dm_exists "$LOW"; then fail "$T/removable" "devices left after the faults"; else pass "$T/removable"; fi

finish
