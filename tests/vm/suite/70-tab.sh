#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# veil tab open|close|list without systemd, on the table the systemd boot
# test (tests/vm/boots/70-systemd) uses: a key-file volume found by the
# veil header's UUID through the udev rule, a passphrase volume (through
# the ask-password protocol with a stand-in systemd-ask-password, and on a
# terminal), a key file on a second "removable" disk, swap and tmp with a
# fresh key, a missing nofail device, and a swap entry pointing at ext4
# (refused, nothing written).
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 320m
VEIL=$REPO/build/veil
cd "$WORK" || exit 1
FAST=(--pbkdf pbkdf2 --pbkdf-force-iterations 1000 --batch)
# loop DEVVAR FILE: attach, and let udev finish with the new device (udevd
# holds a shared lock on it while it probes, and veil format wants it alone).
loop() { local d; d=$(losetup -f --show "$2") && settle && printf -v "$1" %s "$d"; }
# format DEV ARGS...: a veil header, prepared quickly (PBKDF2, 1000 iterations).
format() { local d=$1; shift; check "prep: format $d" "$VEIL" format "${FAST[@]}" "$@" "$d"; }
PW='correct horse battery'
TAB=$WORK/veiltab

# The udev rule, with this tree's veil.
mkdir -p /run/udev/rules.d
sed "s|@SBINDIR@/veil|$VEIL|" "$REPO/udev/60-veil.rules" > /run/udev/rules.d/60-veil.rules
udevadm control --reload
defer "rm -f /run/udev/rules.d/60-veil.rules; udevadm control --reload"

# Devices. ext4 images get data whose checksums are compared later.
head -c 64 /dev/urandom > data.key
truncate -s 48M data.img && loop DATA data.img
format "$DATA" --key-file data.key
"$VEIL" open --key-file data.key "$DATA" "$PFX-prep"
mkfs.ext4 -q "/dev/mapper/$PFX-prep"
mkdir -p mnt && mount "/dev/mapper/$PFX-prep" mnt && head -c 1M /dev/urandom > mnt/file && sync
SUM=$(sha256sum < mnt/file)
umount mnt; settle; "$VEIL" close "$PFX-prep"
[ -n "$SUM" ] || fail "prep: data volume" "no checksum"
DATA_UUID=$("$VEIL" uuid "$DATA")

printf %s "$PW" > pw
truncate -s 24M pass.img && loop PASS pass.img
format "$PASS" --key-file pw --label vt70pass

head -c 64 /dev/urandom > usb.key
truncate -s 16M keys.img && mkfs.ext4 -q -L VT70KEYS keys.img
mkdir -p kmnt && mount keys.img kmnt && cp usb.key kmnt/key.bin && umount kmnt
loop KEYS keys.img
truncate -s 24M usb.img && loop USB usb.img
format "$USB" --key-file usb.key

truncate -s 32M swap.img && loop SWAP swap.img
truncate -s 32M tmp.img && loop TMPD tmp.img
truncate -s 16M ext.img && mkfs.ext4 -q ext.img && mount ext.img kmnt &&
	head -c 512K /dev/urandom > kmnt/precious && umount kmnt
loop EXT ext.img
EXT_SUM=$(sha256sum < ext.img)
# udev watches devices opened for writing and re-probes them on close; a
# trigger makes that explicit for the freshly formatted ones.
udevadm trigger --action=change --settle "$DATA" "$PASS" "$USB" "$KEYS"

cat > "$TAB" <<EOF
# the boot test's table, by loop device
$PFX-data UUID=$DATA_UUID $WORK/data.key discard,no-inline
$PFX-pass LABEL=vt70pass none tries=2
$PFX-usb  $USB /key.bin:LABEL=VT70KEYS
$PFX-swap $SWAP /dev/urandom swap,no-inline
$PFX-gone UUID=00000000-0000-4000-8000-000000000000 none nofail,x-systemd.device-timeout=1
$PFX-ext  $EXT none swap,noauto
$PFX-tmp  $TMPD none tmp
EOF

# udev: the veil header's UUID and label as links and properties.
out=$("$VEIL" probe "$DATA")
check_eq "probe: ID_FS_TYPE" "$(sed -n 's/^ID_FS_TYPE=//p' <<<"$out")" veil
check_eq "probe: ID_FS_UUID" "$(sed -n 's/^ID_FS_UUID=//p' <<<"$out")" "$DATA_UUID"
check_exit "probe: not veil exits 1" 1 "$VEIL" probe "$SWAP"
check_eq "udev: by-uuid link to the veil device" "$(readlink -f "/dev/disk/by-uuid/$DATA_UUID")" "$DATA"
check_eq "udev: by-label link from the veil label" "$(readlink -f /dev/disk/by-label/vt70pass)" "$PASS"
check_eq "udev: ID_FS_TYPE=veil" "$(udevadm info -q property -n "$PASS" | sed -n 's/^ID_FS_TYPE=//p')" veil

# A stand-in for systemd-ask-password that logs its arguments and answers
# wrongly first, to prove the retry asks again without the cache.
mkdir -p bin
cat > bin/systemd-ask-password <<EOF
#!/bin/bash
echo "\$*" >> $WORK/ask.log
if [ "\$(wc -l < $WORK/ask.log)" = 1 ]; then echo wrong; else printf '%s\n' '$PW'; fi
EOF
chmod +x bin/systemd-ask-password

out=$("$VEIL" tab list --tab "$TAB")
check_eq "list: 7 entries, all inactive" "$(grep -c " inactive " <<<"$out")" 7

check "tab open --systemd: every auto entry (nofail one missing)" \
	env PATH="$WORK/bin:$PATH" "$VEIL" tab open --systemd --tab "$TAB"
for n in data pass usb swap tmp; do
	check "$n is open" dm_exists "$PFX-$n"
done
check_fails "missing nofail device not open" dm_exists "$PFX-gone"
check_fails "noauto entry not open" dm_exists "$PFX-ext"
first=$(sed -n 1p ask.log 2>/dev/null); second=$(sed -n 2p ask.log 2>/dev/null)
check_eq "ask-password asked twice (one wrong answer)" "$(wc -l < ask.log)" 2
case $first in
*--id=veil:*" --keyname=cryptsetup "*"--accept-cached"*) pass "ask-password: --id=veil:DEV --keyname=cryptsetup --accept-cached" ;;
*) fail "ask-password: --id=veil:DEV --keyname=cryptsetup --accept-cached" "got: $first" ;;
esac
case $second in
*--accept-cached*) fail "retry without --accept-cached" "got: $second" ;;
*) pass "retry without --accept-cached" ;;
esac
mount -o ro "/dev/mapper/$PFX-data" mnt
check_eq "key-file volume: file intact" "$(sha256sum < mnt/file)" "$SUM"
umount mnt
check_fails "key device unmounted after the unlock" grep -q /run/veil/keydev /proc/mounts
# Table flags from the options: discard and no-inline where listed only.
table_has() { dmsetup table "$1" | tr ' ' '\n' | grep -qx "$2"; }
check "data: discard gives allow_discards" table_has "$PFX-data" allow_discards
check "data: no-inline gives no_inline" table_has "$PFX-data" no_inline
check "swap: no-inline gives no_inline" table_has "$PFX-swap" no_inline
check_fails "pass: no no_inline without the option" table_has "$PFX-pass" no_inline
check_eq "swap: mapped device holds swap" "$(blkid -o value -s TYPE "/dev/mapper/$PFX-swap")" swap
check_eq "swap: plain mapping" "$(dmsetup info -c --noheadings -o uuid "$PFX-swap")" "VEIL-PLAIN-$PFX-swap"
check_eq "tmp: mapped device holds ext4" "$(blkid -o value -s TYPE "/dev/mapper/$PFX-tmp")" ext4
mount "/dev/mapper/$PFX-tmp" mnt
check_eq "tmp: root mode 1777" "$(stat -c %a mnt)" 1777
umount mnt
out=$("$VEIL" tab list --tab "$TAB")
check_eq "list: 5 active" "$(grep -c " active " <<<"$out")" 5

check "open again: already open is success" "$VEIL" tab open --tab "$TAB" "$PFX-data"
check_exit "unknown name: exit 1" 1 "$VEIL" tab open --tab "$TAB" nosuch

# The guard: a swap entry on ext4 writes nothing.
out=$("$VEIL" tab open --tab "$TAB" "$PFX-ext" 2>&1); rc=$?
check_eq "swap on ext4: refused (exit 5)" "$rc" 5
case $out in *"holds a ext4 signature"*"Nothing was written"*) pass "swap on ext4: says why" ;;
*) fail "swap on ext4: says why" "got: $out" ;; esac
check_fails "swap on ext4: no mapping" dm_exists "$PFX-ext"
settle
check_eq "swap on ext4: image unchanged" "$(sha256sum < ext.img)" "$EXT_SUM"
check "swap on ext4: fsck clean" fsck.ext4 -fn "$EXT"
# Nor on a veil header, which libblkid does not know.
echo "$PFX-onveil $PASS none swap" > tab2
check_exit "swap on a veil header: refused" 5 "$VEIL" tab open --tab tab2

# A fresh key each time: what was written is gone after close and reopen.
printf 'VEIL-SWAP-MARKER-%s' "$$" | dd of="/dev/mapper/$PFX-swap" bs=4096 seek=10 conv=notrunc,fsync status=none
check "marker readable while open" grep -qa "VEIL-SWAP-MARKER-$$" <(dd if="/dev/mapper/$PFX-swap" bs=4096 skip=10 count=1 iflag=direct status=none)
settle
check "tab close NAME (swap)" "$VEIL" tab close --tab "$TAB" "$PFX-swap"
check_fails "raw device: no plaintext marker" grep -qa "VEIL-SWAP-MARKER-$$" swap.img
check "swap reopened (its own swap signature allowed)" "$VEIL" tab open --tab "$TAB" "$PFX-swap"
check_fails "new key: marker unreadable" grep -qa "VEIL-SWAP-MARKER-$$" <(dd if="/dev/mapper/$PFX-swap" bs=4096 skip=10 count=1 iflag=direct status=none)
check_eq "new key: mkswap ran again" "$(blkid -o value -s TYPE "/dev/mapper/$PFX-swap")" swap
if swapon "/dev/mapper/$PFX-swap" 2>/dev/null; then
	check_exit "tab close while swapping: busy (exit 5)" 5 "$VEIL" tab close --tab "$TAB" "$PFX-swap"
	swapoff "/dev/mapper/$PFX-swap"
else
	skip "tab close while swapping" "this guest kernel cannot swap on a loop-backed device"
fi

settle
check "tab close: every entry" "$VEIL" tab close --tab "$TAB"
left=$(dmsetup ls | awk -v p="$PFX-" 'index($1, p) == 1')
check_eq "tab close: no mapping left" "$left" ""
check "tab close of closed entries is success" "$VEIL" tab close --tab "$TAB"

# Without systemd, a passphrase is asked on the terminal.
if command -v expect >/dev/null; then
	cat > ask.exp <<EOF
set timeout 120
spawn $VEIL tab open --tab $TAB $PFX-pass
expect "passphrase" { send "$PW\r" }
expect eof
catch wait result
exit [lindex \$result 3]
EOF
	check "terminal passphrase (no systemd)" expect ask.exp
	check "terminal: pass is open" dm_exists "$PFX-pass"
	settle; "$VEIL" close "$PFX-pass"
else
	skip "terminal passphrase (no systemd)" "expect is not installed"
fi

# A key file missing from the key device: the passphrase is asked instead.
mount keys.img kmnt && rm kmnt/key.bin && umount kmnt
: > ask.log
check_exit "key device without the key file: asks, wrong answers refused (exit 2)" 2 \
	env PATH="$WORK/bin:$PATH" "$VEIL" tab open --systemd --tab "$TAB" "$PFX-usb"
check_eq "key device without the key file: asked tries=3 times" "$(wc -l < ask.log)" 3
check_fails "usb not opened by a wrong passphrase" dm_exists "$PFX-usb"
settle

# A malformed line is reported with its number and does not stop the others.
printf '%s\n' "# bad first" "$PFX-bad /dev/x none tries=many" "$PFX-data UUID=$DATA_UUID $WORK/data.key" > tab3
out=$("$VEIL" tab open --tab tab3 2>&1); rc=$?
check_eq "malformed line: exit 1" "$rc" 1
case $out in *"tab3:2: option tries=many"*) pass "malformed line: reported with its number" ;;
*) fail "malformed line: reported with its number" "got: $out" ;; esac
check "malformed line: other entry opened" dm_exists "$PFX-data"
settle
check "tab close --tab tab3" "$VEIL" tab close --tab tab3
for d in "$DATA" "$PASS" "$KEYS" "$USB" "$SWAP" "$TMPD" "$EXT"; do losetup -d "$d"; done
finish
