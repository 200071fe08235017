#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench`, run in the guest: dm-veil side by side with raw brd and both
# dm-crypt modes, on one pre-filled brd device, plus the guest's one-CPU
# cipher limit (AF_ALG) and the unlock time of `veil open` against
# `cryptsetup open` on LUKS2 with the same argon2id parameters.
#
# Configurations, each with aes-xts-plain64 (512-bit key) and cipher_null-ecb,
# 4096-byte sectors:
#   raw          /dev/ram0 itself (no device-mapper, no cipher)
#   crypt-def    dm-crypt with its default workqueues
#   crypt-nowq   dm-crypt with no_read_workqueue no_write_workqueue
#   veil         dm-veil with its defaults (no flags)
#   veil-noinline  dm-veil with no_inline: every bio to its workers, as
#                dm-crypt's default does (the flag a user sets for deep
#                queues over a fast device, as dm-crypt's users set
#                no_*_workqueue for the opposite case)
# Every mapping sits on the same brd device, so all read the same pages.
#
# Under TCG on a shared host two runs of one configuration differ by several
# percent and a busy neighbour can make one run several times slower, so
# absolute figures mean little: every job runs on every configuration in
# turn (rotated each round), the rounds are repeated, and the ratios of
# medians from one run are what to compare. Spread is (max - min) / median.
#
# Output in $VEIL_BENCH_OUT (default $VEIL_VM_RESULTS/bench):
#   runs.jsonl    one line per fio run
#   summary.json  medians, spread, ratios, cipher limit, unlock, targets
#   table.txt     the same as text (also printed)
#   bench.png     MiB/s per job and configuration (gnuplot)
#
# Environment: VEIL_BENCH_RUNTIME=S (8), VEIL_BENCH_REPEAT=N (3),
# VEIL_BENCH_SIZE_MIB=N (256), VEIL_BENCH_JOBS="JOB..." (all),
# VEIL_BENCH_SMOKE=1 (two jobs of 1 s on every configuration, one round,
# 16 MiB, one unlock each: proves every configuration starts and reports and
# every job parses; measures nothing).
# Exits non-zero when any configuration or measurement failed to report.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
VEIL=$repo/build/veil
here=$(cd "$(dirname "$0")" && pwd)

smoke=${VEIL_BENCH_SMOKE:-0}
if [ "$smoke" = 1 ]; then
	runtime=1 repeat=1 size_mib=16 ramp=0 unlock_repeat=1
else
	runtime=${VEIL_BENCH_RUNTIME:-8} repeat=${VEIL_BENCH_REPEAT:-3}
	size_mib=${VEIL_BENCH_SIZE_MIB:-256} ramp=1 unlock_repeat=${VEIL_BENCH_REPEAT:-3}
fi
out=${VEIL_BENCH_OUT:-${VEIL_VM_RESULTS:-}/bench}
[ "$out" != /bench ] || { echo "bench: set VEIL_BENCH_OUT or run under tests/vm/run" >&2; exit 2; }
for n in "$runtime" "$repeat" "$size_mib"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "bench: runtime, repeat and size must be positive integers" >&2; exit 2; }
done
for tool in fio jq dmsetup cryptsetup; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is not installed (make deps)" >&2; exit 2; }
done
[ -x "$VEIL" ] || { echo "bench: $VEIL is missing (make all)" >&2; exit 2; }
mkdir -p "$out" || exit 2
runs=$out/runs.jsonl
: > "$runs"
failures=0
note_failure() { echo "bench: $*" >&2; failures=$((failures + 1)); }

RAW=/dev/ram0 VEIL_DEV=/dev/ram1 LUKS_DEV=/dev/ram2
dm_names=()
cleanup() {
	local n
	for n in bench-unlock-veil bench-unlock-luks "${dm_names[@]}"; do
		dmsetup remove --retry "$n" >/dev/null 2>&1
	done
	rm -f "${keyfile:-}" "$out/.unlock.err"
	rmmod brd 2>/dev/null
}
trap cleanup EXIT

modprobe dm-mod && modprobe dm-crypt && modprobe dm-veil || { echo "bench: cannot load device-mapper modules" >&2; exit 1; }
modprobe algif_skcipher 2>/dev/null
if [ -e /sys/module/brd ]; then
	echo "bench: brd is already loaded; this benchmark needs its own ram disks" >&2
	exit 1
fi
# ram1 and ram2 hold the unlock volumes: a LUKS2 header alone is 16 MiB.
modprobe brd rd_nr=3 rd_size=$(((size_mib > 64 ? size_mib : 64) * 1024)) || { echo "bench: cannot load brd" >&2; exit 1; }

# Pre-fill, so reads hit allocated pages of random data and not brd's zero page.
fio --name=fill --filename=$RAW --rw=write --bs=1M --direct=1 --ioengine=libaio \
	--iodepth=8 --size=${size_mib}M --eta=never --output=/dev/null || { echo "bench: pre-fill failed" >&2; exit 1; }

sectors=$((size_mib * 2048))
aes_key=$(head -c 64 /dev/urandom | od -An -tx1 -v | tr -d ' \n')
# config key: "<cipher>/<mode>"; device path per config.
declare -A dev
configs=(raw)
dev[raw]=$RAW
for cipher in aes-xts-plain64 cipher_null-ecb; do
	key=$aes_key
	[ "$cipher" = cipher_null-ecb ] && key=-
	short=${cipher%%-*}
	for mode in crypt-def crypt-nowq veil veil-noinline; do
		case $mode in
		crypt-def)  table="0 $sectors crypt $cipher $key 0 $RAW 0 1 sector_size:4096" ;;
		crypt-nowq) table="0 $sectors crypt $cipher $key 0 $RAW 0 3 sector_size:4096 no_read_workqueue no_write_workqueue" ;;
		veil)       table="0 $sectors veil $cipher $key 0 $RAW 0 1 sector_size:4096" ;;
		veil-noinline) table="0 $sectors veil $cipher $key 0 $RAW 0 2 sector_size:4096 no_inline" ;;
		esac
		name=bench-$short-$mode
		if dmsetup create "$name" --table "$table"; then
			dm_names+=("$name")
			configs+=("$cipher/$mode")
			dev[$cipher/$mode]=/dev/mapper/$name
		else
			note_failure "$cipher/$mode: the table was refused"
		fi
	done
done
udevadm settle --timeout=60 >/dev/null 2>&1

# name: fio arguments. QD1 jobs use psync, the others libaio; all O_DIRECT.
all_jobs=(seq-read-1M-QD8 seq-write-1M-QD8 rand-read-4K-QD1 rand-write-4K-QD1
	rand-write-4K-QD32 rand-rw70-4K-QD16)
declare -A job_args=(
	[seq-read-1M-QD8]="--rw=read --bs=1M --ioengine=libaio --iodepth=8"
	[seq-write-1M-QD8]="--rw=write --bs=1M --ioengine=libaio --iodepth=8"
	[rand-read-4K-QD1]="--rw=randread --bs=4k --ioengine=psync"
	[rand-write-4K-QD1]="--rw=randwrite --bs=4k --ioengine=psync"
	[rand-write-4K-QD32]="--rw=randwrite --bs=4k --ioengine=libaio --iodepth=32"
	[rand-rw70-4K-QD16]="--rw=randrw --rwmixread=70 --bs=4k --ioengine=libaio --iodepth=16"
)

# Every job definition must parse, also those this run leaves out.
for job in "${all_jobs[@]}"; do
	# shellcheck disable=SC2086
	fio --parse-only --name=check --filename=$RAW ${job_args[$job]} >/dev/null 2>&1 ||
		note_failure "job $job: fio rejects its options"
done
if [ "$smoke" = 1 ]; then
	job_names=(seq-read-1M-QD8 rand-write-4K-QD1)
else
	read -r -a job_names <<<"${VEIL_BENCH_JOBS:-${all_jobs[*]}}"
fi
for job in "${job_names[@]}"; do
	[ -n "${job_args[$job]:-}" ] || { echo "bench: unknown job $job (known: ${all_jobs[*]})" >&2; exit 2; }
done

# run_job CONFIG JOB ROUND: one timed fio run, appended to runs.jsonl.
# MiB/s counts both directions; latency is completion latency of the
# direction that did more I/O, in microseconds.
run_job() {
	local config=$1 job=$2 round=$3 json line
	# shellcheck disable=SC2086
	json=$(timeout $((runtime * 10 + 120)) fio --name=bench --filename="${dev[$config]}" \
		--direct=1 --time_based --runtime="$runtime" --ramp_time="$ramp" \
		--size=${size_mib}M --randrepeat=0 --output-format=json ${job_args[$job]} 2>/dev/null)
	if ! line=$(jq -ce --arg c "$config" --arg j "$job" --argjson r "$round" '
		.jobs[0] as $x
		| (if $x.read.total_ios >= $x.write.total_ios then $x.read else $x.write end) as $d
		| {config: $c, job: $j, round: $r,
		   mibs: (($x.read.bw_bytes + $x.write.bw_bytes) / 1048576),
		   p50_us: (($d.clat_ns.percentile["50.000000"] // 0) / 1000),
		   p99_us: (($d.clat_ns.percentile["99.000000"] // 0) / 1000),
		   errors: ($x.error)}
		| select(.errors == 0 and .mibs > 0)' <<<"$json" 2>/dev/null); then
		note_failure "$config $job round $round: fio failed or moved no data"
		return
	fi
	echo "$line" >> "$runs"
}

echo "bench: $(nproc) CPUs, $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB," \
	"${#configs[@]} configurations x ${#job_names[@]} jobs x $repeat rounds of $runtime s"
for ((round = 1; round <= repeat; round++)); do
	for job in "${job_names[@]}"; do
		# Rotate the order each round, so no configuration always runs first.
		n=${#configs[@]}
		for ((i = 0; i < n; i++)); do
			run_job "${configs[(i + round - 1) % n]}" "$job" "$round"
		done
	done
	echo "bench: round $round of $repeat done"
done

# --- One-CPU cipher limit: AF_ALG through `veil benchmark` ----------------
limit_json=null
bm=$("$VEIL" benchmark 2>&1)
if read -r enc dec < <(awk '$1 == "aes-xts" && $2 == "512b" { print $3, $5 }' <<<"$bm") &&
   [[ $enc =~ ^[0-9.]+$ && $dec =~ ^[0-9.]+$ ]]; then
	limit_json=$(jq -cn --argjson e "$enc" --argjson d "$dec" --argjson c "$(nproc)" \
		'{cipher: "aes-xts 512b", one_cpu_encrypt_mibs: $e, one_cpu_decrypt_mibs: $d, cpus: $c}')
else
	printf '%s\n' "$bm" | sed 's/^/    | /' >&2
	note_failure "no aes-xts 512b figure from veil benchmark (AF_ALG)"
fi

# --- Unlock time: veil open vs cryptsetup open, argon2id m=64 MiB t=4 p=2 ---
unlock_json=null
keyfile=$(mktemp /tmp/bench-key.XXXXXX)
printf 'bench passphrase' > "$keyfile"
KDF=(--pbkdf argon2id --pbkdf-memory 65536 --pbkdf-parallel 2 --pbkdf-force-iterations 4)
now() { date +%s.%N; }
# time_cmd CMD...: seconds CMD took, or nothing when it failed.
time_cmd() {
	local t0 t1
	t0=$(now)
	"$@" >/dev/null 2>"$out/.unlock.err" || { cat "$out/.unlock.err" >&2; return 1; }
	t1=$(now)
	echo "$t1 - $t0" | bc
}
if fmt=$("$VEIL" format --batch --key-file "$keyfile" "${KDF[@]}" "$VEIL_DEV" 2>&1) &&
   fmt=$(cryptsetup luksFormat --type luks2 --batch-mode --key-file "$keyfile" --sector-size 4096 \
	"${KDF[@]}" "$LUKS_DEV" 2>&1); then
	veil_t=() luks_t=()
	for ((round = 1; round <= unlock_repeat; round++)); do
		if t=$(time_cmd "$VEIL" open --key-file "$keyfile" "$VEIL_DEV" bench-unlock-veil); then
			veil_t+=("$t")
		else
			note_failure "veil open failed"
		fi
		"$VEIL" close bench-unlock-veil >/dev/null 2>&1
		if t=$(time_cmd cryptsetup open --key-file "$keyfile" "$LUKS_DEV" bench-unlock-luks); then
			luks_t+=("$t")
		else
			note_failure "cryptsetup open failed"
		fi
		cryptsetup close bench-unlock-luks >/dev/null 2>&1
	done
	if [ ${#veil_t[@]} -gt 0 ] && [ ${#luks_t[@]} -gt 0 ]; then
		unlock_json=$(jq -cn --arg v "${veil_t[*]}" --arg l "${luks_t[*]}" \
			'{kdf: "argon2id m=65536 KiB t=4 p=2",
			  veil_open_s: ($v | split(" ") | map(tonumber)),
			  cryptsetup_open_s: ($l | split(" ") | map(tonumber))}')
	fi
else
	note_failure "formatting the unlock volumes failed: $fmt"
fi

# --- Summary, table, chart ---------------------------------------------------
meta=$(jq -cn --argjson cpus "$(nproc)" --arg kernel "$(uname -r)" \
	--argjson mem "$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)" \
	--argjson runtime "$runtime" --argjson repeat "$repeat" --argjson size "$size_mib" \
	--argjson smoke "$smoke" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
	--argjson jobs "$(printf '%s\n' "${job_names[@]}" | jq -R . | jq -cs .)" \
	--argjson configs "$(printf '%s\n' "${configs[@]}" | jq -R . | jq -cs .)" \
	--arg init "$(grep -o 'init_on_alloc=[0-9]*' /proc/cmdline || echo "init_on_alloc: the kernel's default")" \
	'{guest_cpus: $cpus, guest_kernel: $kernel, guest_mem_mib: $mem, runtime_s: $runtime,
	  rounds: $repeat, device_mib: $size, smoke: ($smoke == 1), guest_loadavg_at_end: $load,
	  guest_page_init: $init, jobs: $jobs, configs: $configs}')
if ! jq -s --argjson meta "$meta" --argjson limit "$limit_json" --argjson unlock "$unlock_json" \
	-f "$here/summarize.jq" "$runs" > "$out/summary.json"; then
	echo "bench: summarizing failed" >&2
	exit 1
fi
"$here/table.sh" "$out/summary.json" | tee "$out/table.txt"
if command -v gnuplot >/dev/null; then
	"$here/chart.sh" "$out/summary.json" "$out/bench.png" || note_failure "gnuplot failed"
else
	echo "bench: gnuplot is not installed, no chart (make deps)" >&2
fi

# Every configuration must have reported every job.
missing=$(jq -r '.missing[]' "$out/summary.json")
[ -z "$missing" ] || note_failure "no result for: $missing"
echo "bench: results in $out"
[ "$failures" -eq 0 ]
