#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo's script, run as part of the suite so it cannot rot.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 64m
out=$("$REPO/tests/demo.sh" 2>&1)
rc=$?
printf '%s\n' "$out" | tail -n 25 | sed 's/^/    | /'
check_eq "demo exits 0" "$rc" 0
check "demo verified the files with the second passphrase" grep -q "numbers.txt: OK" <<<"$out"
check "demo shows veil dump" grep -q "VEIL header information" <<<"$out"
check "demo ends with DEMO OK" grep -q "^DEMO OK" <<<"$out"
finish
