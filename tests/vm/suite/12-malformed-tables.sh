#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Malformed veil tables: every one must be refused by dmsetup create, leave
# no device behind, log a specific "veil: ..." message naming the problem
# (never the key) and no kernel warning. Afterwards nothing may be leaked:
# crypto tfm and keyring key reference counts are back where they were, the
# module's reference count is 0 and the module unloads and loads again.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 32m

DEV_SECTORS=8192
LOOP=$(mkloop "$WORK/backing" $((DEV_SECTORS * 512))) || { fail "$T/setup" "no loop device"; exit 1; }
LEN=2048
K16=$(randhex 16) K32=$(randhex 32) K64=$(randhex 64)
SECRETS=("$K16" "$K32" "$K64")

# Keyring keys the cases refer to.
ID32=$(add_logon_key veil:t12-k32 "$(randhex 32)")
ID64=$(add_logon_key veil:t12-k64 "$(randhex 64)")
ID16=$(add_logon_key veil:t12-k16 "$(randhex 16)")
IDUSER=$(add_user_key veil:t12-user "$(randhex 32)")
IDREV=$(add_logon_key veil:t12-revoked "$(randhex 32)")
if [ -z "$ID32" ] || [ -z "$ID64" ] || [ -z "$ID16" ] || [ -z "$IDUSER" ] || [ -z "$IDREV" ]; then
	fail "$T/setup" "cannot add keyring keys"
	exit 1
fi
keyctl revoke "$IDREV"

# Valid tables are accepted (the controls), which also instantiates every
# crypto template once so the reference count baselines are stable.
declare -A base_crypto
good() {
	local name=$1 table=$2
	if dm_create "$PFX-good" "$table" >/dev/null 2>&1; then
		pass "$T/control-$name"
		dm_remove "$PFX-good"
	else
		fail "$T/control-$name" "valid table refused: $table"
	fi
}
good xts "$(veil_table 2048 aes-xts-plain64 "$K64" 0 "$LOOP" 0)"
good xts-plain-keyring "$(veil_table 2048 aes-xts-plain :32:logon:veil:t12-k32 0 "$LOOP" 0 sector_size:4096)"
good cbc-essiv "$(veil_table 2048 aes-cbc-essiv:sha256 "$K16" 8 "$LOOP" 8 iv_large_sectors)"
good adiantum "$(veil_table 2048 xchacha12,aes-adiantum-plain64 "$K32" 0 "$LOOP" 0 allow_discards)"
good null "$(veil_table 2048 cipher_null-ecb - 0 "$LOOP" 0)"
settle
for alg in 'xts(aes)' 'essiv(cbc(aes),sha256)' 'adiantum(xchacha12,aes)' 'ecb(cipher_null)'; do
	base_crypto[$alg]=$(crypto_refcnt "$alg")
done
base_key32=$(key_usage "$ID32") base_key64=$(key_usage "$ID64") base_key16=$(key_usage "$ID16")

ncase=0
shopt -s nocasematch
# bad NAME REGEX TABLE: TABLE must be refused with a message matching REGEX
# (case-insensitive, extended). Written to spawn little: this runs 200 times.
bad() {
	local name=$1 want=$2 table=${3//\\n/$'\n'} log line msgs="" trouble="" f n
	ncase=$((ncase + 1))
	echo "veil-test: mark $T-$ncase ." >/dev/kmsg
	if dmsetup "${DM_NOUDEV[@]}" create "$PFX-bad" <<<"$table" >/dev/null 2>&1; then
		fail "$T/$name" "accepted: $table"
		dm_remove "$PFX-bad"
		return
	fi
	log=$(dmesg)
	log=${log##*"veil-test: mark $T-$ncase ."}
	while IFS= read -r line; do
		[[ $line == *"veil: "* ]] && msgs+="$line|"
		[[ $line =~ $KERNEL_TROUBLE ]] && trouble+="$line|"
	done <<<"$log"
	for f in /sys/block/dm-*/dm/name; do
		[ -e "$f" ] && read -r n <"$f" && [ "$n" = "$PFX-bad" ] && {
			fail "$T/$name" "a device was left behind"
			dmsetup remove --retry "$PFX-bad" >/dev/null 2>&1
			return
		}
	done
	if [ -n "$trouble" ]; then
		fail "$T/$name" "kernel trouble: $trouble"
	elif [ -z "$msgs" ]; then
		fail "$T/$name" "refused without a veil: message"
	elif [[ $msgs =~ unknown\ error|cannot\ construct\ target ]]; then
		fail "$T/$name" "generic message: $msgs"
	elif ! [[ $msgs =~ $want ]]; then
		fail "$T/$name" "message does not match /$want/: $msgs"
	else
		pass "$T/$name"
	fi
}
# vt CIPHER KEY IVOFF DEV OFF [OPTS...]: a veil table of LEN sectors.
vt() { local c=$1 k=$2 i=$3 d=$4 o=$5; shift 5; veil_table "$LEN" "$c" "$k" "$i" "$d" "$o" "$@"; }
X=aes-xts-plain64

# --- ciphers and IV modes ------------------------------------------------------
for iv in "" plain65 benbi essiv:sha256 null lmk tcw random eboiv plain64:sha256 plain64be; do
	bad "xts-iv-[$iv]" "iv mode.*${iv%%:*}" "$(vt "aes-xts-$iv" "$K64" 0 "$LOOP" 0)"
done
for iv in plain64 plain essiv:md5 essiv:sha256x essiv essiv:sha1 benbi; do
	bad "cbc-iv-$iv" "iv mode.*${iv%%:*}|essiv" "$(vt "aes-cbc-$iv" "$K32" 0 "$LOOP" 0)"
done
for iv in plain essiv:sha256 benbi; do
	bad "adiantum-iv-$iv" "iv mode.*${iv%%:*}" "$(vt "xchacha12,aes-adiantum-$iv" "$K32" 0 "$LOOP" 0)"
done
for c in aes aes-xts -xts-plain64 serpent-xts-plain64 twofish-xts-plain64 aes-ecb \
	aes-ctr-plain64 aes-lrw-benbi xts\(aes\)-plain64 AES-XTS-PLAIN64 aes:2-xts-plain64 \
	aes:64-xts-plain64 xchacha20,aes-adiantum-plain64 adiantum-plain64 \
	aes-gcm-random; do
	bad "cipher-${c//[^A-Za-z0-9:,_-]/_}" "unsupported cipher|unknown cipher" "$(vt "$c" "$K64" 0 "$LOOP" 0)"
done
bad "cipher-null-cbc" "unsupported cipher cipher_null-cbc" "$(vt cipher_null-cbc - 0 "$LOOP" 0)"
# cipher_null-ecb has no IV part, so an added one is named as the IV mode.
bad "cipher-null-with-iv" "iv mode plain64 for cipher_null-ecb" "$(vt cipher_null-ecb-plain64 - 0 "$LOOP" 0)"
bad "cipher-capi" "capi" "$(vt 'capi:xts(aes)-plain64' "$K64" 0 "$LOOP" 0)"
bad "cipher-very-long" "cipher" "$(vt "$(printf 'a%.0s' $(seq 300))-xts-plain64" "$K64" 0 "$LOOP" 0)"

# --- hex keys ------------------------------------------------------------------
bad key-odd-length "odd|hex" "$(vt $X "${K64:1}" 0 "$LOOP" 0)"
bad key-one-digit "odd|hex" "$(vt $X a 0 "$LOOP" 0)"
bad key-non-hex "hex" "$(vt $X "$(printf 'zz%.0s' $(seq 64))" 0 "$LOOP" 0)"
bad key-trailing-g "hex" "$(vt $X "${K64:2}g0" 0 "$LOOP" 0)"
bad key-0x-prefix "hex" "$(vt $X "0x${K64:2}" 0 "$LOOP" 0)"
bad key-missing "key.*required|no key|missing key" "$(vt $X - 0 "$LOOP" 0)"
for n in 1 16 31 33 40 63 65 96 128 500; do
	bad "xts-key-$n-bytes" "key size|key length" "$(vt $X "$(randhex $n)" 0 "$LOOP" 0)"
done
for n in 8 20 48 64; do
	bad "cbc-essiv-key-$n-bytes" "key size|key length" "$(vt aes-cbc-essiv:sha256 "$(randhex $n)" 0 "$LOOP" 0)"
done
for n in 16 24 64; do
	bad "adiantum-key-$n-bytes" "key size|key length" "$(vt xchacha12,aes-adiantum-plain64 "$(randhex $n)" 0 "$LOOP" 0)"
done
bad "xts-plain-key-16-bytes" "key size|key length" "$(vt aes-xts-plain "$K16" 0 "$LOOP" 0)"
bad "null-with-hex-key" "no key|takes no key|use -" "$(vt cipher_null-ecb "$K32" 0 "$LOOP" 0)"
bad "null-with-keyring-key" "no key|takes no key|use -" "$(vt cipher_null-ecb :32:logon:veil:t12-k32 0 "$LOOP" 0)"

# --- keyring references --------------------------------------------------------
bad keyring-missing "not found|no such key|missing" "$(vt $X :64:logon:veil:t12-nonexistent 0 "$LOOP" 0)"
bad keyring-user-key "logon" "$(vt $X :32:user:veil:t12-user 0 "$LOOP" 0)"
bad keyring-user-as-logon "not found|no such key|missing" "$(vt $X :32:logon:veil:t12-user 0 "$LOOP" 0)"
bad keyring-encrypted "logon|type" "$(vt $X :32:encrypted:veil:t12-k32 0 "$LOOP" 0)"
bad keyring-trusted "logon|type" "$(vt $X :32:trusted:veil:t12-k32 0 "$LOOP" 0)"
bad keyring-bogus-type "key type|bogus" "$(vt $X :32:bogus:veil:t12-k32 0 "$LOOP" 0)"
bad keyring-type-case "key type|LOGON" "$(vt $X :32:LOGON:veil:t12-k32 0 "$LOOP" 0)"
bad keyring-size-larger "wrong size|holds 32 bytes" "$(vt $X :64:logon:veil:t12-k32 0 "$LOOP" 0)"
bad keyring-size-smaller "wrong size|holds 64 bytes" "$(vt $X :32:logon:veil:t12-k64 0 "$LOOP" 0)"
bad keyring-size-bad-for-cipher "key size|key length" "$(vt $X :16:logon:veil:t12-k16 0 "$LOOP" 0)"
bad keyring-revoked "revoked|expired" "$(vt $X :32:logon:veil:t12-revoked 0 "$LOOP" 0)"
bad keyring-empty-description "description" "$(vt $X :32:logon: 0 "$LOOP" 0)"
bad keyring-no-description "reference|malformed" "$(vt $X :32:logon 0 "$LOOP" 0)"
bad keyring-size-only "reference|malformed" "$(vt $X :32 0 "$LOOP" 0)"
bad keyring-colon-only "reference|malformed|key" "$(vt $X : 0 "$LOOP" 0)"
bad keyring-empty-size "key size" "$(vt $X ::logon:veil:t12-k32 0 "$LOOP" 0)"
bad keyring-size-junk "key size.*32x" "$(vt $X :32x:logon:veil:t12-k32 0 "$LOOP" 0)"
bad keyring-size-word "key size.*abc" "$(vt $X :abc:logon:veil:t12-k32 0 "$LOOP" 0)"
bad keyring-size-negative "key size.*-32" "$(vt $X :-32:logon:veil:t12-k32 0 "$LOOP" 0)"
bad keyring-size-overflow "key size.*(range|overflow)" "$(vt $X :99999999999999999999999:logon:veil:t12-k32 0 "$LOOP" 0)"
bad keyring-size-wraps-to-32 "key size" "$(vt $X :18446744073709551648:logon:veil:t12-k32 0 "$LOOP" 0)"
bad keyring-size-4G-plus-32 "key size" "$(vt $X :4294967328:logon:veil:t12-k32 0 "$LOOP" 0)"

# --- numbers -------------------------------------------------------------------
for n in 1x x1 -1 +1 1.5 0x10 1e3 007 18446744073709551616 99999999999999999999999; do
	bad "iv_offset-$n" "iv_offset.*$(printf '%s' "$n" | sed 's/[.+]/\\&/g')" "$(vt $X "$K64" "$n" "$LOOP" 0)"
	bad "offset-$n" "offset.*$(printf '%s' "$n" | sed 's/[.+]/\\&/g')" "$(vt $X "$K64" 0 "$LOOP" "$n")"
done
bad iv_offset-not-sector-multiple "iv_offset.*multiple" "$(vt $X "$K64" 4 "$LOOP" 0 sector_size:4096)"
# Fits on no device at all: refused by the constructor.
bad offset-max-u64 "past" "$(vt $X "$K64" 0 "$LOOP" 18446744073709551615)"
bad offset-plus-length-wraps "past" "$(vt $X "$K64" 0 "$LOOP" 18446744073709550615)"

# --- devices -------------------------------------------------------------------
bad device-missing "device" "$(vt $X "$K64" 0 /dev/veil-no-such-device 0)"
bad device-bad-numbers "device" "$(vt $X "$K64" 0 4095:1048575 0)"
bad device-word "device" "$(vt $X "$K64" 0 notadevice 0)"
bad device-regular-file "device" "$(vt $X "$K64" 0 "$WORK/backing" 0)"

# --- optional arguments --------------------------------------------------------
for o in foo allow_discard same_cpu_crypt integrity:28:aead sector_size iv_large_sectors:1 \
	allow_discards=1 allow_discards: sector-size:4096; do
	bad "option-unknown-$o" "unknown.*$o|$o.*unknown" "$(vt $X "$K64" 0 "$LOOP" 0 "$o")"
done
for s in "" 3000 0 256 511 8192 65536 4096x -512 +512 0512 abc 4294967808 18446744073709552128 4096.0; do
	bad "sector_size-[$s]" "sector_size.*$(printf '%s' "$s" | sed 's/[.+]/\\&/g')" "$(vt $X "$K64" 0 "$LOOP" 0 "sector_size:$s")"
done
bad option-duplicate-discards "duplicate" "$(vt $X "$K64" 0 "$LOOP" 0 allow_discards allow_discards)"
bad option-duplicate-large "duplicate" "$(vt $X "$K64" 0 "$LOOP" 0 iv_large_sectors iv_large_sectors)"
if [ "$TARGET" = veil ]; then
	bad option-duplicate-no_inline "duplicate" "$(vt $X "$K64" 0 "$LOOP" 0 no_inline NO_INLINE)"
	bad option-no_inline-word "unknown" "$(vt $X "$K64" 0 "$LOOP" 0 no_inline=1)"
	bad option-five "too many" \
		"$(vt $X "$K64" 0 "$LOOP" 0 no_inline allow_discards iv_large_sectors sector_size:4096 allow_discards)"
fi
bad option-duplicate-sector-size "duplicate" "$(vt $X "$K64" 0 "$LOOP" 0 sector_size:512 sector_size:4096)"
bad option-duplicate-same-sector-size "duplicate" "$(vt $X "$K64" 0 "$LOOP" 0 sector_size:4096 sector_size:4096)"
bad option-duplicate-among-four "duplicate|too many" \
	"$(vt $X "$K64" 0 "$LOOP" 0 allow_discards iv_large_sectors sector_size:4096 allow_discards)"
O="0 $LEN $TARGET $X $K64 0 $LOOP 0"
bad count-more-than-given "count|fewer" "$O 2 allow_discards"
bad count-without-options "count|fewer" "$O 1"
bad count-zero-with-option "too many" "$O 0 allow_discards"
bad count-less-than-given "too many" "$O 1 allow_discards iv_large_sectors"
bad count-word "count" "$O x allow_discards"
bad count-negative "count" "$O -1 allow_discards"
bad count-leading-zero "count" "$O 01 allow_discards"
bad count-junk "count" "$O 1x allow_discards"
bad count-overflow "count" "$O 18446744073709551617 allow_discards"
bad count-4G-plus-1 "count|too many" "$O 4294967297 allow_discards"
bad count-nine "too many|unknown" "$O 9 a b c d e f g h i"
bad extra-argument "count|too many" "$O extra"

# --- geometry ------------------------------------------------------------------
bad length-not-multiple-4096 "length.*multiple" "0 $((LEN - 1)) $TARGET $X $K64 0 $LOOP 0 1 sector_size:4096"
bad length-not-multiple-1024 "length.*multiple" "0 1 $TARGET $X $K64 0 $LOOP 0 1 sector_size:1024"
bad length-not-multiple-2048 "length.*multiple" "0 $((LEN + 2)) $TARGET $X $K64 0 $LOOP 0 1 sector_size:2048"
bad start-not-multiple "start.*multiple" \
	"0 4 linear $LOOP 0\n4 $LEN $TARGET $X $K64 0 $LOOP 8 1 sector_size:4096"

# --- argument counts -----------------------------------------------------------
bad args-none "not enough|arguments" "0 $LEN $TARGET"
bad args-cipher-only "not enough|arguments" "0 $LEN $TARGET $X"
bad args-no-ivoffset "not enough|arguments" "0 $LEN $TARGET $X $K64"
bad args-no-device "not enough|arguments" "0 $LEN $TARGET $X $K64 0"
bad args-no-offset "not enough|arguments" "0 $LEN $TARGET $X $K64 0 $LOOP"

shopt -u nocasematch

# --- too big for the device: refused by device-mapper, as dm-crypt's ----------
# The first table of a new device is checked against the device's size when it
# is loaded, a later one (a reload: resize, or a device that has grown) when it
# is resumed, by device-mapper itself. The constructor leaves that check to
# it: a reload that does not fit yet is taken, and its resume refused.
# at_resume NAME TABLE: reloading a live mapping with TABLE.
at_resume() {
	local name=$1 table=$2 log
	ncase=$((ncase + 1))
	dmsetup "${DM_NOUDEV[@]}" create "$PFX-big" --table "$(vt $X "$K64" 0 "$LOOP" 0)" ||
		{ fail "$T/$name" "cannot create the mapping to reload"; return; }
	echo "veil-test: mark $T-$ncase ." >/dev/kmsg
	if ! dmsetup "${DM_NOUDEV[@]}" load "$PFX-big" --table "$table" 2>/dev/null; then
		fail "$T/$name" "reload refused by the constructor (dm-crypt takes it; device-mapper checks at resume): $(kmsg_since "$T-$ncase" | grep veil | tail -n 1)"
	elif dmsetup "${DM_NOUDEV[@]}" resume "$PFX-big" 2>/dev/null; then
		fail "$T/$name" "resumed a table that does not fit: $table"
	else
		log=$(kmsg_since "$T-$ncase")
		if [[ $log =~ $KERNEL_TROUBLE ]]; then
			fail "$T/$name" "kernel trouble: $log"
		elif [[ $log == *"too small for target"* ]]; then
			pass "$T/$name"
		else
			fail "$T/$name" "resume refused without device-mapper's size message: $log"
		fi
	fi
	# A refused resume leaves the old table, suspended.
	dmsetup "${DM_NOUDEV[@]}" resume "$PFX-big" >/dev/null 2>&1
	dmsetup "${DM_NOUDEV[@]}" remove --retry "$PFX-big" >/dev/null 2>&1
	dm_exists "$PFX-big" && fail "$T/$name-removed" "device left behind"
}
at_resume offset-at-end "$(vt $X "$K64" 0 "$LOOP" $DEV_SECTORS)"
at_resume offset-plus-length-past-end "$(vt $X "$K64" 0 "$LOOP" $((DEV_SECTORS - LEN + 8)))"
at_resume length-past-end "0 $((DEV_SECTORS + 8)) $TARGET $X $K64 0 $LOOP 0"
# A first table that does not fit: refused, and nothing is left.
kmsg_mark "$T-first-load"
if dmsetup "${DM_NOUDEV[@]}" create "$PFX-big" <<<"$(vt $X "$K64" 0 "$LOOP" $DEV_SECTORS)" >/dev/null 2>&1; then
	fail "$T/create-too-big" "dmsetup create made a device that does not fit"
	dmsetup "${DM_NOUDEV[@]}" remove --retry "$PFX-big" >/dev/null 2>&1
else
	check_fails "$T/create-too-big-leaves-nothing" dmsetup info "$PFX-big"
	check "$T/create-too-big-says-too-small" grep -q "too small for target" <<<"$(kmsg_since "$T-first-load")"
fi

# --- a lower device that is empty or not yet grown, on veil and dm-crypt ---------
# grow_case TARGET: an empty loop device takes a table (device-mapper skips
# its size check for a zero-size device) and fails I/O; a too-small one takes
# a table load but not a resume; each works once the loop device has grown.
node_of() { echo "/dev/dm-$(dmsetup info -c --noheadings -o minor "$1" | tr -d ' ')"; }
grow_case() {
	local tgt=$1 file=$WORK/grow-$1 loop dev name=$PFX-grow data=$WORK/grow-data back=$WORK/grow-back
	local t="0 $LEN $tgt $X $K64 0"
	truncate -s 0 "$file"
	loop=$(losetup -f --show "$file" 2>/dev/null) || { fail "$T/grow-$tgt/setup" "no loop on an empty file"; return; }
	if dmsetup "${DM_NOUDEV[@]}" create "$name" <<<"$t $loop 0" 2>/dev/null; then
		pass "$T/grow-$tgt/zero-size-device-taken"
		dev=$(node_of "$name")
		if dd if="$dev" of=/dev/null bs=4096 count=1 iflag=direct status=none 2>/dev/null; then
			fail "$T/grow-$tgt/zero-size-read-fails" "read 4 KiB from a mapping of an empty device"
		else
			pass "$T/grow-$tgt/zero-size-read-fails"
		fi
		truncate -s $((LEN * 512)) "$file" && losetup -c "$loop"
		: >"$back"
		dd_to "$data" "$dev" && dd_from "$dev" "$back" $((LEN * 512))
		same_bytes "$T/grow-$tgt/zero-size-works-once-grown" "$data" "$back"
		dmsetup "${DM_NOUDEV[@]}" remove --retry "$name" >/dev/null 2>&1
	else
		fail "$T/grow-$tgt/zero-size-device-taken" "table refused on an empty device: $(kmsg_since "$T-start" | grep -E 'veil|crypt' | tail -n 1)"
	fi
	# Half the size: mapped as it is, then reloaded at the full length
	# before the device has grown (taken, resume refused) and after.
	truncate -s $((LEN * 256)) "$file" && losetup -c "$loop"
	if ! dmsetup "${DM_NOUDEV[@]}" create "$name" --table "0 $((LEN / 2)) ${t#* * } $loop 0"; then
		fail "$T/grow-$tgt/small-device-mapped" "cannot map the small device"
		losetup -d "$loop"
		return
	fi
	check "$T/grow-$tgt/small-device-reload-taken" dmsetup "${DM_NOUDEV[@]}" load "$name" --table "$t $loop 0"
	check_fails "$T/grow-$tgt/small-device-resume-refused" dmsetup "${DM_NOUDEV[@]}" resume "$name"
	dmsetup "${DM_NOUDEV[@]}" resume "$name" 2>/dev/null	# the old table, after the refusal
	# A refused resume drops the loaded table (dm-ioctl): load it again.
	truncate -s $((LEN * 512)) "$file" && losetup -c "$loop"
	if dmsetup "${DM_NOUDEV[@]}" load "$name" --table "$t $loop 0" && dmsetup "${DM_NOUDEV[@]}" resume "$name"; then
		pass "$T/grow-$tgt/resume-once-grown"
		check_eq "$T/grow-$tgt/full-length-once-grown" "$(blockdev --getsz "$(node_of "$name")")" "$LEN"
		dev=$(node_of "$name")
		: >"$back"
		dd_to "$data" "$dev" && dd_from "$dev" "$back" $((LEN * 512))
		same_bytes "$T/grow-$tgt/small-device-works-once-grown" "$data" "$back"
	else
		fail "$T/grow-$tgt/resume-once-grown" "resume refused after the device grew"
	fi
	dmsetup "${DM_NOUDEV[@]}" remove --retry "$name" >/dev/null 2>&1
	losetup -d "$loop"
}
randfile "$WORK/grow-data" $((LEN * 512))
grow_case crypt
[ "$TARGET" = crypt ] || grow_case "$TARGET"

# --- option names: any case, as dm-crypt's strcasecmp; sector_size: exactly -------
case_opts="0 $LEN TGT $X $K64 0 $LOOP 0 3 ALLOW_DISCARDS Iv_Large_Sectors sector_size:4096"
for tgt in crypt "$TARGET"; do
	if dmsetup "${DM_NOUDEV[@]}" create "$PFX-case" <<<"${case_opts/TGT/$tgt}" 2>/dev/null; then
		table=$(dmsetup table "$PFX-case")
		# In each target's own order, in lower case.
		check_eq "$T/option-case-$tgt-canonical-in-table" \
			"$(tr ' ' '\n' <<<"$table" | grep -ixE 'allow_discards|iv_large_sectors|sector_size:4096' | sort | tr '\n' ' ')" \
			"allow_discards iv_large_sectors sector_size:4096 "
		dmsetup "${DM_NOUDEV[@]}" remove --retry "$PFX-case" >/dev/null 2>&1
	else
		fail "$T/option-case-$tgt-taken" "refused: ${case_opts/TGT/$tgt}"
	fi
	check_fails "$T/option-case-$tgt-sector_size-exact" dmsetup "${DM_NOUDEV[@]}" create "$PFX-case" \
		--table "0 $LEN $tgt $X $K64 0 $LOOP 0 1 SECTOR_SIZE:4096"
	dm_exists "$PFX-case" && dmsetup "${DM_NOUDEV[@]}" remove --retry "$PFX-case" >/dev/null 2>&1
	[ "$TARGET" = crypt ] && break
done

if [ "$ncase" -ge 100 ]; then pass "$T/at-least-100-cases"; else fail "$T/at-least-100-cases" "only $ncase"; fi

# --- nothing left behind -------------------------------------------------------
all_log=$(kmsg_since "$T-start")
leaked=0
for s in "${SECRETS[@]}"; do
	for part in "${s:0:24}" "${s: -24}"; do
		printf '%s\n' "$all_log" | grep -qi -- "$part" && leaked=1
	done
done
if [ $leaked = 0 ]; then pass "$T/no-key-in-kernel-log"; else fail "$T/no-key-in-kernel-log" "key hex appears in dmesg"; fi

settle
for alg in "${!base_crypto[@]}"; do
	check_eq "$T/crypto-refcnt-$alg" "$(crypto_refcnt "$alg")" "${base_crypto[$alg]}"
done
check_eq "$T/keyring-refs-k32" "$(key_usage "$ID32")" "$base_key32"
check_eq "$T/keyring-refs-k64" "$(key_usage "$ID64")" "$base_key64"
check_eq "$T/keyring-refs-k16" "$(key_usage "$ID16")" "$base_key16"
if [ "$TARGET" = veil ]; then
	check_eq "$T/module-refcnt" "$(module_refcnt dm_veil)" 0
	check "$T/module-unloads" rmmod dm_veil
	check "$T/module-reloads" modprobe dm-veil
fi

finish
