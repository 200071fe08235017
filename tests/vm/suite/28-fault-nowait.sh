#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The paths that take over when an allocation that may not wait fails:
# a write whose bounce bio is not there in the map function, a read whose
# clone is not (both go to the workers), an atomic conversion that stops
# before a unit, as when it gets no cipher request (a worker continues it
# from there), and a large bio that gets fewer chunks than CPUs. Real memory makes them
# fail only at random, so this script loads the test build of dm-veil
# (tests/vm/build-module --faults, path in VEIL_KO_FAULTS, which
# tests/check sets) and fails one such allocation in three
# (fault_nowait_every=3, kernel/fault.c). Then script 27's cases run as
# they are: every piece size and backend, ciphertext compared with
# dm-crypt's, every read compared with the data. Each call site must have
# been failed at least once, and the suite's own module is loaded again
# at the end.
set -u
. "$(dirname "$0")/../lib/common.sh"

param=/sys/module/dm_veil/parameters
if [ -z "${VEIL_KO_FAULTS:-}" ]; then
	skip "$T/faults" "VEIL_KO_FAULTS is not set: tests/check sets it to the module tests/vm/build-module --faults KVER builds"
	exit 0
fi
if [ ! -f "$VEIL_KO_FAULTS" ]; then
	fail "$T/faults-build" "VEIL_KO_FAULTS=$VEIL_KO_FAULTS: no such module"
	exit 1
fi
modprobe dm-mod || { fail "$T/dm-mod" "cannot load dm-mod"; exit 1; }
if [ -e /sys/module/dm_veil ] && ! rmmod dm_veil; then
	fail "$T/unload" "the suite's dm-veil is busy: $(dmsetup ls --target veil 2>&1 | head -n3)"
	exit 1
fi
# Whatever happens below, the next script gets the suite's module back.
restore() {
	[ -w "$param/fault_nowait_every" ] && echo 0 >"$param/fault_nowait_every"
	dmsetup remove_all >/dev/null 2>&1
	rmmod dm_veil 2>/dev/null
	modprobe dm-veil
}
trap restore EXIT
if ! insmod "$VEIL_KO_FAULTS"; then
	fail "$T/load" "insmod $VEIL_KO_FAULTS failed"
	exit 1
fi
check "$T/test-build-loaded" test -w "$param/fault_nowait_every"
echo 3 >"$param/fault_nowait_every"

VEIL_TEST_NAME=$T bash "$(dirname "$0")/27-inline-and-worker.sh"
rc=$?

injected=$(cat "$param/fault_nowait_injected")
echo "# injected: $injected"
echo 0 >"$param/fault_nowait_every"
for site in write_clone read_clone atomic_stop chunk; do
	n=$(tr ' ' '\n' <<<"$injected" | sed -n "s/^$site=//p")
	if [ "${n:-0}" -gt 0 ]; then
		pass "$T/injected-$site"
	else
		fail "$T/injected-$site" "no failure injected at $site ($injected)"
	fi
done

trap - EXIT
restore
check_fails "$T/suite-module-back" test -e "$param/fault_nowait_every"
check "$T/suite-module-loaded" test -d /sys/module/dm_veil
[ "$rc" = 0 ] && [ "${VEIL_TESTS_FAILED:-0}" = 0 ]
