#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo: the main job end to end, printing each command and its result.
#   1. create a 256 MiB image file and format it
#   2. open it, make ext4, write files
#   3. close it, add a second passphrase
#   4. reopen with the second passphrase, verify the files, close
#   5. show veil dump
# Runs as root where dm-veil can be loaded: in the VM lane (make demo does
# tests/vm/run -- tests/demo.sh) or natively.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
PATH=$repo/build:$PATH	# so the commands shown are the commands run: "veil ..."
dir=$(mktemp -d /tmp/veil-demo.XXXXXX)
name=veil-demo
mounted=

cleanup() {
	set +e
	[ -n "$mounted" ] && umount "$dir/mnt"
	udevadm settle >/dev/null 2>&1
	dmsetup info "$name" >/dev/null 2>&1 && veil close "$name"
	rm -rf "$dir"
}
trap cleanup EXIT

step() { printf '\n=== %s\n' "$*"; }
# run CMD...: show the command, run it, show its output and status.
run() {
	printf '$ %s\n' "$*"
	"$@" 2>&1 | sed 's/^/  /'
	local rc=${PIPESTATUS[0]}
	[ "$rc" -eq 0 ] || { echo "  (exit status $rc)"; exit "$rc"; }
}
# sh_run 'PIPELINE': the same for a shell pipeline, shown as written.
sh_run() {
	printf '$ %s\n' "$1"
	bash -o pipefail -c "$1" 2>&1 | sed 's/^/  /'
	local rc=${PIPESTATUS[0]}
	[ "$rc" -eq 0 ] || { echo "  (exit status $rc)"; exit "$rc"; }
}

[ "$(id -u)" = 0 ] || { echo "demo: needs root (run it through 'make demo')" >&2; exit 1; }
[ -x "$repo/build/veil" ] || { echo "demo: build/veil is missing (run 'make')" >&2; exit 1; }
if ! grep -qw veil <(dmsetup targets 2>/dev/null); then
	modprobe dm-veil 2>/dev/null || insmod "$repo/kernel/dm-veil.ko" ||
		{ echo "demo: cannot load dm-veil" >&2; exit 1; }
fi
cd "$dir"
mkdir mnt
printf 'correct horse battery staple' > first.pass
printf 'a second, independent passphrase' > second.pass
chmod 600 first.pass second.pass

# A real format calibrates argon2id to about 1 s on this machine:
#   veil format demo.img
# Under QEMU's emulation that costs minutes, so the demo passes cheap (but
# valid) argon2id costs; the KDF is the only difference.
kdf="--pbkdf argon2id --pbkdf-force-iterations 2 --pbkdf-memory 65536 --pbkdf-parallel 2"

step "1. Create a 256 MiB image file and format it"
echo "# The real command is just:  veil format demo.img"
echo "# (it asks YES and the passphrase twice, and calibrates argon2id to about 1 s)."
echo "# Unattended, the passphrase comes from a file; under QEMU's emulation a 1 s"
echo "# calibration costs minutes, so the demo gives cheap but valid argon2id costs."
run veil --version
run truncate -s 256M demo.img
sh_run "veil format --batch --key-file first.pass $kdf --label demo demo.img"
run veil isveil demo.img

step "2. Open it, make ext4 and write files"
run veil open --key-file first.pass demo.img "$name"
run ls -l "/dev/mapper/$name"
run veil status "$name"
sh_run "dmsetup table --showkeys $name   # the key is a keyring reference, never bytes"
run mkfs.ext4 -q -L demo "/dev/mapper/$name"
run mount "/dev/mapper/$name" mnt
mounted=1
sh_run "echo 'Hello from inside a veil volume.' > mnt/hello.txt"
sh_run "seq 1 100000 > mnt/numbers.txt"
sh_run "head -c 20M /dev/urandom > mnt/random.bin"
sh_run "cd mnt && sha256sum hello.txt numbers.txt random.bin | tee ../manifest"
run df -h mnt
run umount mnt
mounted=

step "3. Close it, then add a second passphrase"
run udevadm settle
run veil close "$name"
sh_run "dmsetup ls | grep -c $name || true"
sh_run "veil keyslot add --key-file first.pass --new-key-file second.pass $kdf demo.img"
run veil keyslot list demo.img

step "4. Reopen it with the second passphrase, verify the files, close it"
run veil open --key-file second.pass demo.img "$name"
run mount -o ro "/dev/mapper/$name" mnt
mounted=1
run cat mnt/hello.txt
sh_run "cd mnt && sha256sum -c ../manifest"
run umount mnt
mounted=
run udevadm settle
run veil close "$name"
sh_run "grep -c 'Hello from inside' demo.img || true   # the plaintext is not on disk"

step "5. veil dump"
run veil dump demo.img

printf '\nDEMO OK: formatted, opened, wrote, closed, added a passphrase, reopened and verified.\n'
