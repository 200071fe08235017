#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The lane itself: the module loads, the target registers, stock dm-crypt
# (the oracle) works, udev makes /dev/mapper nodes, the results share is writable.
. "$(dirname "$0")/../../lib/tap.sh"

if modprobe dm-veil; then
	pass "lane: modprobe dm-veil"
else
	fail "lane: modprobe dm-veil" "the built module does not load"
fi
if grep -q '^dm_veil ' /proc/modules; then pass "lane: dm_veil in /proc/modules"; else fail "lane: dm_veil in /proc/modules" "not listed"; fi
if dmsetup targets | grep -q '^veil '; then
	pass "lane: dmsetup targets lists veil ($(dmsetup targets | awk '$1 == "veil" {print $2}'))"
else
	fail "lane: dmsetup targets lists veil" "$(dmsetup targets | tr '\n' ' ')"
fi

# dm-crypt as the oracle: a plain mapping must round-trip and must not store
# the plaintext. Its module is not loaded by hand: autoloading must work.
work=$(mktemp -d)
trap 'dmsetup remove --retry lane-crypt >/dev/null 2>&1; [ -n "${loopdev:-}" ] && losetup -d "$loopdev"; rm -rf "$work"' EXIT
truncate -s 4M "$work/backing"
loopdev=$(losetup -f --show "$work/backing")
key=$(head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n')
if dmsetup create lane-crypt --table "0 8192 crypt aes-xts-plain64 $key 0 $loopdev 0"; then
	pass "lane: dm-crypt table loads (crypto and dm-crypt modules autoload)"
else
	fail "lane: dm-crypt table loads" "see dmesg: $(dmesg | grep -i crypt | tail -n 3)"
fi
udevadm settle
if [ -b /dev/mapper/lane-crypt ]; then pass "lane: udev made /dev/mapper/lane-crypt"; else fail "lane: udev made /dev/mapper/lane-crypt" "node missing"; fi
head -c 1M /dev/urandom > "$work/plain"
dd if="$work/plain" of=/dev/mapper/lane-crypt bs=1M oflag=direct status=none
echo 3 > /proc/sys/vm/drop_caches
if cmp -s <(head -c 1M /dev/mapper/lane-crypt) "$work/plain"; then
	pass "lane: dm-crypt round-trips 1 MiB"
else
	fail "lane: dm-crypt round-trips 1 MiB" "data differs"
fi
if cmp -s <(head -c 1M "$loopdev") "$work/plain"; then
	fail "lane: dm-crypt stores ciphertext" "the backing device holds the plaintext"
else
	pass "lane: dm-crypt stores ciphertext"
fi

if [ -n "${VEIL_VM_RESULTS:-}" ] && echo "written in the guest" > "$VEIL_VM_RESULTS/lane-canary"; then
	pass "lane: results directory is writable from the guest"
else
	fail "lane: results directory is writable from the guest" "VEIL_VM_RESULTS='${VEIL_VM_RESULTS:-}'"
fi
tests_done
