# SPDX-License-Identifier: GPL-2.0-or-later
# Shared test reporting for shell tests, host and guest alike.
# Every result is one line on stdout that tests/summarize counts:
#   PASS: <name>
#   FAIL: <name>: <why>
#   SKIP: <name>: <reason>
# Source this file; do not execute it.

VEIL_TESTS_FAILED=${VEIL_TESTS_FAILED:-0}

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: ${2:-failed}"; VEIL_TESTS_FAILED=$((VEIL_TESTS_FAILED + 1)); }
skip() { echo "SKIP: $1: ${2:?a skip needs a reason}"; }

# check NAME CMD...: pass when CMD exits 0; on failure show its output.
check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [ "$rc" -eq 0 ]; then
		pass "$name"
	else
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/    | /'
		fail "$name" "exit $rc from: $*"
	fi
}

# check_fails NAME CMD...: pass when CMD exits non-zero (bad input must be refused).
check_fails() {
	local name=$1 rc
	shift
	"$@" >/dev/null 2>&1 && rc=0 || rc=$?
	if [ "$rc" -ne 0 ]; then pass "$name"; else fail "$name" "succeeded but should have failed: $*"; fi
}

# check_exit NAME CODE CMD...: pass when CMD exits with exactly CODE.
check_exit() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >/dev/null 2>&1 && rc=0 || rc=$?
	if [ "$rc" -eq "$want" ]; then pass "$name"; else fail "$name" "exit $rc, want $want: $*"; fi
}

# check_eq NAME GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi
}

# Exit status for a test script: non-zero when anything failed.
tests_done() { [ "$VEIL_TESTS_FAILED" -eq 0 ]; }
