#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The module's own known-answer self-test (kernel/selftest.c: numbers,
# options, cipher specs, IVs), run at load under its parameter: selftest=1
# loads and logs "selftest: PASS, N vectors"; selftest=2 adds one wrong
# vector, so the load must fail and name exactly that one, which shows the
# checker can fail at all.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 8m

# The vectors in kernel/selftest.c; more may be added, fewer means some were lost.
MIN_VECTORS=88

if [ "$TARGET" != veil ]; then
	finish
	exit
fi
if ! modprobe -r dm-veil 2>/dev/null; then
	skip "$T/selftest" "dm-veil is in use and cannot be unloaded"
	finish
	exit
fi
defer "modprobe dm-veil"

check "$T/parameter-exists" bash -c 'modinfo -F parm dm-veil | grep -q "^selftest:"'

kmsg_mark "$T-pass"
check "$T/selftest-1-loads" modprobe dm-veil selftest=1
log=$(kmsg_since "$T-pass")
n=$(sed -n 's/.*veil: selftest: PASS, \([0-9]*\) vectors.*/\1/p' <<<"$log" | tail -n 1)
if [ -z "$n" ]; then
	fail "$T/selftest-1-pass-line" "no 'selftest: PASS' line: $(grep veil <<<"$log" | tail -n 3)"
elif [ "$n" -lt "$MIN_VECTORS" ]; then
	fail "$T/selftest-1-pass-line" "only $n vectors, want at least $MIN_VECTORS"
else
	pass "$T/selftest-1-pass-line"
fi
check_fails "$T/selftest-1-no-fail-line" grep -q 'selftest: FAIL' <<<"$log"
check_eq "$T/selftest-parameter-reads-back" "$(cat /sys/module/dm_veil/parameters/selftest 2>/dev/null)" 1
check "$T/unload-after-selftest" modprobe -r dm-veil

kmsg_mark "$T-broken"
check_fails "$T/selftest-2-refuses-to-load" modprobe dm-veil selftest=2
log=$(kmsg_since "$T-broken")
check_eq "$T/selftest-2-module-absent" "$(test -d /sys/module/dm_veil && echo loaded || echo absent)" absent
check_eq "$T/selftest-2-names-the-wrong-vector" \
	"$(grep -c 'selftest: FAIL deliberately wrong vector 0' <<<"$log")" 1
check_eq "$T/selftest-2-counts-one-failure" \
	"$(grep -o 'selftest: FAIL, [0-9]* of [0-9]* vectors failed' <<<"$log")" \
	"selftest: FAIL, 1 of $((n + 1)) vectors failed"

kmsg_mark "$T-plain"
check "$T/plain-load" modprobe dm-veil
check_fails "$T/plain-load-runs-no-selftest" grep -q 'selftest:' <<<"$(kmsg_since "$T-plain")"

finish
