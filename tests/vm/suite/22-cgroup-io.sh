#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cgroup v2 I/O control below veil. veil encrypts writes in a kworker; the
# bio it sends down must still belong to the writer's cgroup, or io.max and
# io.weight stop applying. A cgroup gets an io.max write limit of 1 MiB/s on
# the backing device; a 4 MiB direct write through veil from inside it must
# be charged to that cgroup on the backing device (io.stat) and held to the
# limit (it cannot finish in under 2 s), exactly as through dm-crypt.
set -u
. "$(dirname "$0")/../lib/common.sh"
setup 64m

MiB=$((1024 * 1024))
BYTES=$((16 * MiB))
LEN=$((BYTES / 512))
LOOP=$(mkloop "$WORK/backing" "$BYTES") || { fail "$T/setup" "no loop device"; exit 1; }
KEY=$(randhex 64)
V=$PFX-v
DEVICE=/dev/mapper/$V

CG=/sys/fs/cgroup
if ! [ -e "$CG/cgroup.controllers" ]; then
	mount -t cgroup2 none "$CG" || { fail "$T/setup" "cannot mount cgroup2"; finish; exit 1; }
	defer "umount $CG"
fi
grep -qw io "$CG/cgroup.controllers" || { fail "$T/setup" "no io controller in cgroup2"; finish; exit 1; }
echo +io > "$CG/cgroup.subtree_control" || { fail "$T/setup" "cannot enable the io controller"; finish; exit 1; }
LIM=$CG/veil-$T
mkdir -p "$LIM"
defer "rmdir $LIM"
majmin=$(lsblk -dno MAJ:MIN "$LOOP" | tr -d ' ')
echo "$majmin wbps=$MiB" > "$LIM/io.max" || { fail "$T/setup" "cannot set io.max"; finish; exit 1; }

# wbytes charged to the cgroup on the backing device.
charged() { awk -v d="$majmin" '$1 == d { for (i = 2; i <= NF; i++) if ($i ~ /^wbytes=/) print substr($i, 8) }' "$LIM/io.stat"; }

for target in crypt veil; do
	if [ "$target" = veil ]; then table=$(veil_table "$LEN" aes-xts-plain64 "$KEY" 0 "$LOOP" 0)
	else table=$(crypt_table "$LEN" aes-xts-plain64 "$KEY" 0 "$LOOP" 0); fi
	dm_create "$V" "$table" || { fail "$T/$target-create" "table refused"; continue; }
	before=$(charged)
	start=$(date +%s.%N)
	# The writer joins the limited cgroup, then becomes dd.
	timeout -k 5 120 bash -c 'echo $$ > "$1/cgroup.procs" && exec dd if=/dev/zero of="$2" bs=256k count=16 oflag=direct status=none' \
		_ "$LIM" "$DEVICE" && rc=0 || rc=$?
	end=$(date +%s.%N)
	check_eq "$T/$target-write-done" "$rc" 0
	got=$(( $(charged) - ${before:-0} ))
	if [ "$got" -ge $((4 * MiB)) ]; then pass "$T/$target-charged-to-writer-cgroup"
	else fail "$T/$target-charged-to-writer-cgroup" "$got bytes charged on $majmin, want >= $((4 * MiB))"; fi
	took=$(echo "$end - $start" | bc)
	if [ "$(echo "$took >= 2" | bc)" = 1 ]; then pass "$T/$target-held-to-io-max"
	else fail "$T/$target-held-to-io-max" "4 MiB at 1 MiB/s took only $took s"; fi
	dm_remove "$V"
done

finish
