#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# veil benchmark: KDF figures and AF_ALG cipher speeds for every cipher.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 64m
VEIL=$REPO/build/veil
modprobe algif_skcipher 2>/dev/null
out=$("$VEIL" benchmark 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/    | /'
check_eq "benchmark exits 0" "$rc" 0
check "PBKDF2 iterations per second" grep -Eq '^PBKDF2-sha256 +[0-9]+ iterations per second' <<<"$out"
check "argon2id costs" grep -Eq '^argon2id +[0-9]+ iterations, [0-9]+ KiB memory, [0-9]+ threads' <<<"$out"
for c in "aes-cbc +128b" "aes-cbc +256b" "aes-xts +256b" "aes-xts +512b" "adiantum +256b"; do
	check "cipher speed: $c" grep -Eq "^ *$c +[0-9.]+ MiB/s +[0-9.]+ MiB/s" <<<"$out"
done
finish
