#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Block semantics of a veil device: the logical block size follows
# sector_size and smaller direct I/O is refused; read-only tables work (also
# over a read-only loop) and refuse writes; flushes and FUA writes reach the
# device below; TABLE status echoes the table exactly; INFO counts bytes and
# ios; cipher_null-ecb says it is insecure and stores plaintext.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 64m

BYTES=$((4 * 1024 * 1024))
LEN=$((BYTES / 512))
LOOP=$(mkloop "$WORK/backing" "$BYTES") || { fail "$T/setup" "no loop device"; exit 1; }
KEY=$(randhex 64)
MAJMIN=$(lsblk -dno MAJ:MIN "$LOOP" | tr -d ' ')
V=$PFX-v
DEVICE=/dev/mapper/$V
randfile "$WORK/p" "$BYTES"

# --- TABLE status echoes what was accepted -----------------------------------
for opts in "" "1 allow_discards" "1 iv_large_sectors" "1 sector_size:4096" "1 sector_size:512" \
	"2 sector_size:2048 iv_large_sectors" "2 iv_large_sectors sector_size:1024" \
	"3 allow_discards sector_size:4096 iv_large_sectors" \
	"3 iv_large_sectors allow_discards sector_size:512"; do
	for spec in "aes-xts-plain64 $KEY 8 $LOOP 16" "aes-cbc-essiv:sha256 ${KEY:0:64} 4096 $LOOP 0" \
		"cipher_null-ecb - 0 $LOOP 8"; do
		table="0 2048 $TARGET $spec${opts:+ $opts}"
		set -- $spec
		want="0 2048 $TARGET $1 - $3 $MAJMIN $5${opts:+ $opts}"
		name="table-echo-$1-[${opts// /,}]"
		if dm_fast_create "$PFX-t" "$table" >/dev/null 2>&1; then
			check_eq "$T/$name" "$(dmsetup table --showkeys "$PFX-t")" "$want"
			dm_fast_remove "$PFX-t"
		else
			fail "$T/$name" "refused: $want"
		fi
	done
done
# no_inline is veil's own (dm-crypt does so by default): echoed in its place.
if [ "$TARGET" = veil ]; then
	for opts in "1 no_inline" "2 no_inline sector_size:4096" "4 allow_discards no_inline iv_large_sectors sector_size:4096"; do
		if dm_fast_create "$PFX-t" "0 2048 veil cipher_null-ecb - 0 $LOOP 8 $opts" >/dev/null 2>&1; then
			check_eq "$T/table-echo-no_inline-[${opts// /,}]" "$(dmsetup table "$PFX-t")" \
				"0 2048 veil cipher_null-ecb - 0 $MAJMIN 8 $opts"
			dm_fast_remove "$PFX-t"
		else
			fail "$T/table-echo-no_inline-[${opts// /,}]" "refused: $opts"
		fi
	done
	check "$T/target-version-1.1-for-no_inline" bash -c "dmsetup targets | grep -E '^veil +v1\.([1-9]|[1-9][0-9]+)\.[0-9]+'"
fi
check "$T/targets-lists-veil" bash -c "dmsetup targets | grep -E '^$TARGET +v[0-9]+\.[0-9]+\.[0-9]+'"

# --- logical block size and alignment ----------------------------------------
for ss in 512 1024 2048 4096; do
	if dm_create "$V" "$(veil_table $LEN aes-xts-plain64 "$KEY" 0 "$LOOP" 0 "sector_size:$ss")"; then
		check_eq "$T/logical-block-size-$ss" "$(blockdev --getss "$DEVICE")" "$ss"
		if [ "$ss" -gt 512 ]; then
			check_fails "$T/direct-512-read-refused-$ss" \
				timeout 60 dd if="$DEVICE" of=/dev/null bs=512 count=1 iflag=direct status=none
			check_fails "$T/direct-512-write-refused-$ss" \
				timeout 60 dd if=/dev/zero of="$DEVICE" bs=512 count=1 oflag=direct status=none
			check_fails "$T/direct-unaligned-offset-read-refused-$ss" \
				timeout 60 dd if="$DEVICE" of=/dev/null bs=$ss skip=1 count=1 iflag=direct,skip_bytes status=none
		fi
		check "$T/direct-$ss-read-ok" timeout 60 dd if="$DEVICE" of=/dev/null bs="$ss" count=3 skip=1 iflag=direct status=none
		# Buffered sub-sector writes go through the page cache and land intact.
		head -c 1000 /dev/urandom >"$WORK/small"
		if timeout 60 dd if="$WORK/small" of="$DEVICE" bs=1000 seek=7 oflag=seek_bytes conv=notrunc,fsync status=none &&
			blockdev --flushbufs "$DEVICE" &&
			timeout 60 dd if="$DEVICE" of="$WORK/small-r" bs=1000 skip=7 count=1 iflag=skip_bytes status=none; then
			same_bytes "$T/buffered-partial-sector-$ss" "$WORK/small-r" "$WORK/small"
		else
			fail "$T/buffered-partial-sector-$ss" "I/O failed"
		fi
		dm_remove "$V"
	else
		fail "$T/create-ss$ss" "veil refused sector_size:$ss"
	fi
done

# --- read-only tables ----------------------------------------------------------
if dm_create "$V" "$(veil_table $LEN aes-xts-plain64 "$KEY" 0 "$LOOP" 0)" && dd_to "$WORK/p" "$DEVICE"; then
	dm_remove "$V"
	if dm_create "$V" "$(veil_table $LEN aes-xts-plain64 "$KEY" 0 "$LOOP" 0)" --readonly; then
		check_eq "$T/readonly-flag" "$(blockdev --getro "$DEVICE")" 1
		dd_from "$DEVICE" "$WORK/r" "$BYTES" && same_bytes "$T/readonly-reads" "$WORK/r" "$WORK/p" ||
			fail "$T/readonly-reads" "read failed"
		check_fails "$T/readonly-refuses-write" \
			timeout 60 dd if=/dev/zero of="$DEVICE" bs=4k count=1 oflag=direct conv=notrunc status=none
		dm_remove "$V"
	else
		fail "$T/readonly-create" "read-only table refused"
	fi
	# A read-only table opens its device read-only: a read-only loop will do.
	ROLOOP=$(losetup -f --show -r "$WORK/backing")
	if dm_create "$V" "$(veil_table $LEN aes-xts-plain64 "$KEY" 0 "$ROLOOP" 0)" --readonly; then
		dd_from "$DEVICE" "$WORK/r" "$BYTES" && same_bytes "$T/readonly-over-ro-loop" "$WORK/r" "$WORK/p" ||
			fail "$T/readonly-over-ro-loop" "read failed"
		dm_remove "$V"
	else
		fail "$T/readonly-over-ro-loop" "read-only table over a read-only loop refused"
	fi
	dm_remove_all "$V"
	losetup -d "$ROLOOP"
else
	fail "$T/readonly-setup" "could not write the test data"
fi

# --- flushes and FUA reach the loop device -----------------------------------
loopname=${LOOP#/dev/}
flushes() { awk '{ print $16 }' "/sys/block/$loopname/stat"; }
if dm_create "$V" "$(veil_table $LEN aes-xts-plain64 "$KEY" 0 "$LOOP" 0)"; then
	dmname=$(basename "$(readlink -f "$DEVICE")")
	check_eq "$T/write-cache-advertised" "$(cat "/sys/block/$dmname/queue/write_cache")" \
		"$(cat "/sys/block/$loopname/queue/write_cache")"
	before=$(flushes)
	check "$T/fsync" timeout 60 dd if="$WORK/p" of="$DEVICE" bs=64k count=4 conv=fsync,notrunc status=none
	after=$(flushes)
	if [ -n "$before" ] && [ "$after" -gt "$before" ]; then pass "$T/flush-reaches-device"; else
		fail "$T/flush-reaches-device" "loop flush count $before -> $after"; fi
	before=$after
	check "$T/fua-write" timeout 60 dd if="$WORK/p" of="$DEVICE" bs=64k count=1 oflag=direct,dsync conv=notrunc status=none
	after=$(flushes)
	if [ "$after" -gt "$before" ]; then pass "$T/fua-reaches-device"; else
		fail "$T/fua-reaches-device" "loop flush count $before -> $after"; fi
	check "$T/sync" timeout 60 sync
	dm_remove "$V"
else
	fail "$T/flush-create" "veil refused the table"
fi

# --- INFO counters -------------------------------------------------------------
# info_field NAME: a key=value from INFO status (0 when absent).
info_field() { dmsetup status "$V" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }
if dm_create "$V" "$(veil_table $LEN aes-xts-plain64 "$KEY" 0 "$LOOP" 0)"; then
	settle
	rb0=$(info_field read_bytes) wb0=$(info_field write_bytes) ri0=$(info_field read_ios) wi0=$(info_field write_ios)
	if [ -z "$rb0" ] || [ -z "$wb0" ] || [ -z "$ri0" ] || [ -z "$wi0" ]; then
		fail "$T/info-counters" "INFO lacks read/write byte and io counters: $(dmsetup status "$V")"
	else
		dd_to "$WORK/p" "$DEVICE" 1M
		check_eq "$T/info-write-bytes" $(($(info_field write_bytes) - wb0)) "$BYTES"
		# Closing a device written to makes udev probe it again: let it finish.
		settle
		rb0=$(info_field read_bytes)
		dd_from "$DEVICE" "$WORK/r" $((2 * 1024 * 1024)) 1M
		check_eq "$T/info-read-bytes" $(($(info_field read_bytes) - rb0)) $((2 * 1024 * 1024))
		wi=$(($(info_field write_ios) - wi0)) ri=$(($(info_field read_ios) - ri0))
		if [ "$wi" -ge 4 ] && [ "$ri" -ge 2 ]; then pass "$T/info-ios"; else fail "$T/info-ios" "write_ios +$wi, read_ios +$ri"; fi
		check_eq "$T/info-errors-zero" "$(info_field errors)" 0
	fi
	dm_remove "$V"
else
	fail "$T/info-create" "veil refused the table"
fi

# --- cipher_null-ecb -------------------------------------------------------------
if dm_create "$V" "$(veil_table $LEN cipher_null-ecb - 0 "$LOOP" 0)"; then
	status=$(dmsetup status "$V")
	case $status in
	*insecure* | *null*) pass "$T/null-status-says-insecure" ;;
	*) fail "$T/null-status-says-insecure" "status: $status" ;;
	esac
	randfile "$WORK/p3" $((1024 * 1024))
	dd_to "$WORK/p3" "$DEVICE" && head -c $((1024 * 1024)) "$WORK/backing" >"$WORK/raw" &&
		same_bytes "$T/null-stores-plaintext" "$WORK/raw" "$WORK/p3" || fail "$T/null-stores-plaintext" "I/O failed"
	dm_remove "$V"
else
	fail "$T/null-create" "veil refused cipher_null-ecb"
fi

finish
