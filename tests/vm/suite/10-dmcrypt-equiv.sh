#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dm-veil writes exactly the ciphertext dm-crypt writes, and reads what
# dm-crypt wrote, for every cipher, key size, sector size, IV option,
# iv_offset (including one crossing 2^32) and device offset they share.
#
# Each case uses two backing files filled with the same junk: the same random
# plaintext goes through veil on one and through dm-crypt on the other, and
# the two backing files must then be identical, offset region included.
# Then dm-crypt writes fresh plaintext and veil must read it back.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 64m

DATA=$((1024 * 1024))            # bytes written per case
MAXOFF=2056                      # largest device offset used, in sectors
FILE_BYTES=$((MAXOFF * 512 + DATA))
BIG_IVOFF=$(((1 << 32) - 8))     # the first 8 sectors sit below 2^32

# Cases run in parallel workers, one per CPU, each with its own two loop
# devices (A and B) and device names.
WORKERS=$(nproc)
[ "$WORKERS" -gt 4 ] && WORKERS=4
CASES=()
head -c "$FILE_BYTES" /dev/urandom >"$WORK/junk"

add_case() { CASES+=("$*"); }

# run_case NAME CIPHER KEYBYTES IVOFF OFFSET [OPTS...], in a worker: A and B
# are its backing files on the loop devices LA and LB, N its name prefix.
# Three mappings at once: veil on A, dm-crypt on B, and veil on B.
run_case() {
	local name=$1 cipher=$2 keybytes=$3 ivoff=$4 off=$5
	shift 5
	local key len=$((DATA / 512))
	key=$(randhex "$keybytes")
	cp "$WORK/junk" "$A" && cp "$WORK/junk" "$B"
	randfile "$A.p1" "$DATA"
	randfile "$A.p2" "$DATA"

	local va cb vb
	if ! dm_fast_create "$N-va" "$(veil_table $len "$cipher" "$key" "$ivoff" "$LA" "$off" "$@")"; then
		fail "$T/$name/create" "veil refused: $(veil_table $len "$cipher" - "$ivoff" "$LA" "$off" "$@")"
		return
	fi
	va=$DM_DEV
	if ! dm_fast_create "$N-cb" "$(crypt_table $len "$cipher" "$key" "$ivoff" "$LB" "$off" "$@")" || ! cb=$DM_DEV ||
		! dm_fast_create "$N-vb" "$(veil_table $len "$cipher" "$key" "$ivoff" "$LB" "$off" "$@")"; then
		fail "$T/$name/create-b" "could not map B with dm-crypt and veil"
		dm_remove_all "$N-va" "$N-cb" "$N-vb"
		return
	fi
	vb=$DM_DEV
	if dd_to "$A.p1" "$va" && dd_to "$A.p1" "$cb"; then
		same_bytes "$T/$name/ciphertext-equals-dm-crypt" "$A" "$B"
		if cmp -s "$A" "$WORK/junk"; then
			fail "$T/$name/backing-written" "the backing file did not change"
		fi
		if dd_from "$va" "$A.r1" "$DATA"; then
			same_bytes "$T/$name/roundtrip" "$A.r1" "$A.p1"
		else
			fail "$T/$name/roundtrip" "read through veil failed"
		fi
	else
		fail "$T/$name/write" "a write through veil or dm-crypt failed"
	fi
	# dm-crypt writes new data; veil on the same backing must read it.
	if dd_to "$A.p2" "$cb" && dd_from "$vb" "$A.r2" "$DATA"; then
		same_bytes "$T/$name/reads-dm-crypt-data" "$A.r2" "$A.p2"
	else
		fail "$T/$name/reads-dm-crypt-data" "write through dm-crypt or read through veil failed"
	fi
	dm_fast_remove "$N-va" "$N-cb" "$N-vb" || dm_remove_all "$N-va" "$N-cb" "$N-vb"
	rm -f "$A.p1" "$A.p2" "$A.r1" "$A.r2"
}

# The aes-xts-plain64 matrix: 2 key sizes x 2 sector sizes x iv_large_sectors
# off/on x 2 iv_offsets x 2 device offsets.
for keybytes in 32 64; do
	for ss in 512 4096; do
		for large in 0 1; do
			for ivoff in 0 "$BIG_IVOFF"; do
				for off in 0 "$MAXOFF"; do
					opts=()
					[ "$ss" != 512 ] && opts+=("sector_size:$ss")
					[ "$large" = 1 ] && opts+=(iv_large_sectors)
					add_case "xts$((keybytes * 4))-ss$ss-large$large-iv$ivoff-off$off" \
						aes-xts-plain64 "$keybytes" "$ivoff" "$off" "${opts[@]}"
				done
			done
		done
	done
done

# An odd device offset is legal at 512-byte sectors.
add_case "xts256-ss512-off1001" aes-xts-plain64 32 0 1001
# sector_size given explicitly as 512 means the default.
add_case "xts256-ss512-explicit" aes-xts-plain64 32 8 8 sector_size:512
# The middle sector sizes.
add_case "xts512-ss1024-large1" aes-xts-plain64 64 "$BIG_IVOFF" 2 sector_size:1024 iv_large_sectors
add_case "xts256-ss2048" aes-xts-plain64 32 "$BIG_IVOFF" 4 sector_size:2048

# aes-xts-plain: a 32-bit IV, so the 2^32 crossing wraps (unlike plain64).
add_case "xts-plain-iv0" aes-xts-plain 32 0 0
add_case "xts-plain-wrap" aes-xts-plain 32 "$BIG_IVOFF" 0
add_case "xts-plain-wrap-ss4096" aes-xts-plain 64 "$BIG_IVOFF" "$MAXOFF" sector_size:4096

# aes-cbc-essiv:sha256 with each AES key size.
add_case "cbc-essiv-128" aes-cbc-essiv:sha256 16 0 0
add_case "cbc-essiv-192" aes-cbc-essiv:sha256 24 "$BIG_IVOFF" "$MAXOFF"
add_case "cbc-essiv-256-ss4096" aes-cbc-essiv:sha256 32 "$BIG_IVOFF" 0 sector_size:4096 iv_large_sectors

# Adiantum.
add_case "adiantum" xchacha12,aes-adiantum-plain64 32 0 0
add_case "adiantum-ss4096-wrap" xchacha12,aes-adiantum-plain64 32 "$BIG_IVOFF" "$MAXOFF" sector_size:4096
add_case "adiantum-ss4096-large" xchacha12,aes-adiantum-plain64 32 "$BIG_IVOFF" 8 sector_size:4096 iv_large_sectors

# worker W: runs every WORKERS-th case; its exit status is its failure count.
worker() {
	local w=$1 i
	A=$WORK/a$w B=$WORK/b$w N=$PFX-w$w LA=${LOOPS_A[w]} LB=${LOOPS_B[w]}
	for ((i = w; i < ${#CASES[@]}; i += WORKERS)); do
		# shellcheck disable=SC2086
		run_case ${CASES[i]}
	done
	exit $((VEIL_TESTS_FAILED > 255 ? 255 : VEIL_TESTS_FAILED))
}
# Loop devices are attached here, not in parallel in the workers.
LOOPS_A=() LOOPS_B=()
for ((w = 0; w < WORKERS; w++)); do
	cp "$WORK/junk" "$WORK/a$w" && cp "$WORK/junk" "$WORK/b$w" &&
		LOOPS_A[w]=$(mkloop "$WORK/a$w" "$FILE_BYTES") && LOOPS_B[w]=$(mkloop "$WORK/b$w" "$FILE_BYTES") || {
		fail "$T/setup" "cannot attach loop devices"
		exit 1
	}
done
pids=()
for ((w = 0; w < WORKERS; w++)); do
	worker "$w" &
	pids+=($!)
done
for pid in "${pids[@]}"; do
	wait "$pid"
	VEIL_TESTS_FAILED=$((VEIL_TESTS_FAILED + $?))
done
echo "# ${#CASES[@]} cases in $WORKERS workers"

finish
