#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Habit 7: progress. erase, convert (writing its header) and KDF calibration show a progress line on a terminal (percent,
# amount, rate, time left), JSON lines with --progress-json, and nothing on
# a non-terminal unless asked.
. "$(dirname "$0")/common.bash"

new_image img 32
fmt img >/dev/null 2>&1 || { fail "setup: format" "veil format failed"; exit 1; }
cp img img2; cp img img3

out=$("$VEIL" erase -q --progress-json img 2>err) && rc=0 || rc=$?
check_eq "progress: erase --progress-json exits 0" "$rc" 0
n=$(printf '%s\n' "$out" | grep -c '^{')
if [ "$n" -ge 2 ] && printf '%s\n' "$out" | jq -e . >/dev/null 2>&1; then
	pass "progress: --progress-json prints $n JSON lines on stdout"
else
	fail "progress: --progress-json prints JSON lines on stdout" "got: $out"
fi
first=$(printf '%s\n' "$out" | head -n 1)
last=$(printf '%s\n' "$out" | tail -n 1)
check_eq "progress: the first line is at 0 bytes" "$(jq -r .done_bytes <<<"$first")" 0
check_eq "progress: the last line is at the total" "$(jq -r '.done_bytes == .total_bytes and .percent == 100' <<<"$last")" true
check_eq "progress: the total is the metadata area (16 MiB)" "$(jq -r .total_bytes <<<"$last")" 16777216
check_eq "progress: it names the operation and the device" "$(jq -r '.operation + " " + .device' <<<"$last")" "Erasing keyslots img"
check_eq "progress: done_bytes never goes back" \
	"$(printf '%s\n' "$out" | jq -s '[.[].done_bytes] as $d | $d == ($d | sort)')" true
check_eq "progress: --progress-json keeps stderr free of the terminal line" "$(grep -c '%' err)" 0
check_exit "progress: the erased volume no longer opens" 2 "$VEIL" open --test-passphrase -d k1 img

err=$("$VEIL" erase -q img2 2>&1 >/dev/null)
check_eq "progress: nothing on a non-terminal unless asked" "$(printf '%s' "$err" | grep -c '%')" 0

# A terminal: script(1) gives erase a pty.
on_terminal "progress: a terminal gets the percent, amount, rate and time left" \
	'*Erasing keyslots: 100% (16.0 of 16.0 MiB, * MiB/s, * s left)*' "'$VEIL' erase -q img3"
# convert writes its new header with progress too (--progress-json).
if command -v cryptsetup >/dev/null 2>&1; then
	new_image cv.img 20
	cryptsetup luksFormat --batch-mode --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --type luks2 \
		cv.img k1 >/dev/null 2>&1
	out=$("$VEIL" convert --from-luks -q --progress-json -d k1 "${KDF[@]}" cv.img 2>err) && rc=0 || rc=$?
	check_eq "progress: convert --from-luks --progress-json exits 0" "$rc" 0
	json=$(printf '%s\n' "$out" | grep '^{')
	check_eq "progress: convert --from-luks ends at the whole metadata area (16 MiB)" \
		"$(tail -n 1 <<<"$json" | jq -r '"\(.operation) \(.done_bytes) \(.total_bytes) \(.percent)"')" \
		"Writing the veil header 16777216 16777216 100"
	check_eq "progress: convert --from-luks starts at 0 and never goes back" \
		"$(jq -s '[.[].done_bytes] as $d | $d[0] == 0 and $d == ($d | sort) and ($d | length) > 2' <<<"$json")" true
	out=$("$VEIL" convert --to-luks2 -q --progress-json -d k1 "${KDF[@]}" cv.img 2>/dev/null) && rc=0 || rc=$?
	check_eq "progress: convert --to-luks2 --progress-json exits 0" "$rc" 0
	check_eq "progress: convert --to-luks2 reaches 100%" \
		"$(printf '%s\n' "$out" | grep '^{' | tail -n 1 | jq -r '"\(.operation) \(.percent) \(.done_bytes == .total_bytes)"')" \
		"Writing the LUKS2 header 100 true"
	rm -f cv.img.*
	err=$("$VEIL" convert --from-luks -q -d k1 "${KDF[@]}" cv.img 2>&1 >/dev/null)
	check_eq "progress: convert prints no progress on a non-terminal unless asked" \
		"$(printf '%s' "$err" | grep -c '%')" 0
else
	skip "progress: convert" "cryptsetup is not installed (make deps)"
fi
# KDF calibration (no --pbkdf-force-iterations) reports the share of its
# expected time: JSON lines with --progress-json, percent never going back,
# ending at 100; nothing on a non-terminal otherwise. Structure only: how
# many lines a machine prints depends on its speed.
CAL=(--pbkdf pbkdf2 --iter-time 200)
new_image cal.img 20
out=$("$VEIL" format --batch -d k1 "${CAL[@]}" --progress-json cal.img 2>err) && rc=0 || rc=$?
check_eq "progress: calibrated format --progress-json exits 0" "$rc" 0
json=$(printf '%s\n' "$out" | grep '^{')
if [ -n "$json" ] && jq -e . <<<"$json" >/dev/null 2>&1; then
	pass "progress: calibration prints well-formed JSON lines"
else
	fail "progress: calibration prints well-formed JSON lines" "got: $out"
fi
check_eq "progress: every calibration line names the operation and the device" \
	"$(jq -s 'all(.operation == "Calibrating pbkdf2" and .device == "cal.img")' <<<"$json")" true
check_eq "progress: calibration starts at 0%, never goes back and ends at 100% once" \
	"$(jq -s '[.[].percent] as $p | $p[0] == 0 and $p == ($p | sort) and $p[-1] == 100 and
		([$p[] | select(. == 100)] | length) == 1' <<<"$json")" true
check_eq "progress: the last calibration line has no time left" "$(tail -n 1 <<<"$json" | jq -r .eta_ms)" 0
check_eq "progress: calibration keeps stderr free of the terminal line" "$(grep -c '%' err)" 0
check_exit "progress: the calibrated volume opens" 0 "$VEIL" open --test-passphrase -d k1 cal.img
out=$("$VEIL" keyslot add -q -d k1 "${CAL[@]}" --progress-json cal.img k1 2>/dev/null) && rc=0 || rc=$?
check_eq "progress: calibrated keyslot add --progress-json ends at 100%" \
	"$rc $(printf '%s\n' "$out" | grep '^{' | tail -n 1 | jq -r '"\(.operation) \(.percent)"')" \
	"0 Calibrating pbkdf2 100"
err=$("$VEIL" format --batch --force -d k1 "${CAL[@]}" cal.img 2>&1 >/dev/null)
check_eq "progress: calibration prints nothing on a non-terminal unless asked" \
	"$(printf '%s' "$err" | grep -c -e '%' -e Calibrating)" 0
on_terminal "progress: a terminal gets the calibration percent and time left" \
	'*Calibrating pbkdf2:   0% (about * s left)*Calibrating pbkdf2: 100% (about 0 s left)*' \
	"'$VEIL' format --batch --force -d k1 ${CAL[*]} cal.img"
tests_done
