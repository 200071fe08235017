#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# In the lane guest: install the packages from build/deb/ the way a user
# does (apt-get install ./...deb, no network), check that DKMS built and
# installed dm-veil for the running kernel and that modprobe loads that
# copy, use a volume with the installed /usr/sbin/veil, then purge both
# packages and check that nothing of ours is left.
# Run by tests/vm/boots/60-deb; result names carry the running kernel.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/tests/lib/tap.sh"
kver=$(uname -r)
version=$(cat "$REPO/VERSION")
debs=$REPO/build/deb
T="deb [$kver]"
export DEBIAN_FRONTEND=noninteractive
work=$(mktemp -d /tmp/veil-deb.XXXXXX)
t0=$(date +%s.%N)

# step NAME: the seconds since the previous step, for the report.
step_start=$t0
step() {
	local now
	now=$(date +%s.%N)
	printf 'deb: %-40s %6.1f s\n' "$1" "$(echo "$now - $step_start" | bc)"
	step_start=$now
}

# logged LOG CMD...: run CMD, its output both in LOG and on stdout with the
# guest's uptime, so a slow step shows where the time goes.
logged() {
	local log=$1
	shift
	"$@" 2>&1 | while IFS= read -r line; do
		read -r up _ < /proc/uptime
		printf '    | [%s] %s\n' "$up" "$line"
	done | tee "$log"
	return "${PIPESTATUS[0]}"
}

# The lane makes the tree's dm-veil.ko loadable (a copy in updates/ and a
# module index bound over the real one); a user's system has neither, and
# DKMS must be the only source of the module here.
for index in /lib/modules/"$kver"/modules.*; do
	# Lazily: udevd keeps the index files mapped.
	mountpoint -q "$index" && umount -l "$index"
done
rm -f "/lib/modules/$kver/updates/dm-veil.ko"
check_fails "$T: before install, no dm-veil is loadable" modprobe -n dm-veil
# DKMS builds for the running kernel and for the newest one in /boot. Each
# lane kernel has its own run of this test, so this guest shows DKMS only its
# own kernel: a second module build under TCG would double the test's time.
boot=$(mktemp -d /tmp/veil-deb-boot.XXXXXX)
cp "/boot/config-$kver" "$boot/" && mount --bind "$boot" /boot
# man-db's trigger re-indexes every manual page over 9p (about two minutes
# under TCG, at install and again at purge); it tests nothing of ours.
# Debian's trigger does nothing without this file (the overlay keeps the
# host's copy).
rm -f /var/lib/man-db/auto-update
state=$(dpkg-query -W -f='${Status}' veil veil-dkms 2>/dev/null | grep -c 'ok installed')
check_eq "$T: before install, veil and veil-dkms are not installed" "$state" 0

deb_veil=$(ls "$debs"/veil_"$version"_*.deb 2>/dev/null | head -n1)
deb_dkms=$(ls "$debs"/veil-dkms_"$version"_all.deb 2>/dev/null | head -n1)
if [ -z "$deb_veil" ] || [ -z "$deb_dkms" ]; then
	fail "$T: packages" "no veil_${version}_*.deb and veil-dkms_${version}_all.deb in $debs (make deb)"
	exit 1
fi
step "setup"

# --- install ---------------------------------------------------------------
# The guest has no network: what the packages need must be installed already.
if logged "$work/install.log" apt-get install -y "$deb_veil" "$deb_dkms"; then
	pass "$T: apt-get install ./veil_*.deb ./veil-dkms_*.deb"
else
	fail "$T: apt-get install ./veil_*.deb ./veil-dkms_*.deb" "exit status non-zero"
fi
step "apt-get install (DKMS build included)"
check_fails "$T: install did not rebuild the initramfs (root is not on veil)" \
	grep -q update-initramfs "$work/install.log"
# dpkg -L, kept for the purge check.
dpkg -L veil veil-dkms > "$work/files" 2>/dev/null

# --- DKMS and the module -----------------------------------------------------
# DKMS compresses the module as the kernel's own modules are: 6.1's are
# plain .ko, Debian's 6.12 ships .ko.xz.
ko=$(ls /lib/modules/"$kver"/updates/dkms/dm-veil.ko* 2>/dev/null | head -n1)
status=$(dkms status "veil/$version" -k "$kver" 2>&1)
echo "deb: dkms status: $status"
check "$T: dkms status: veil/$version installed for $kver" grep -q ": installed" <<<"$status"
check "$T: DKMS installed updates/dkms/dm-veil.ko (or .ko.xz/.ko.zst)" test -f "${ko:-/nonexistent}"
check_eq "$T: modinfo -n dm-veil is the DKMS copy" "$(modinfo -n dm-veil 2>&1)" "$ko"
check_eq "$T: the DKMS module's version is VERSION" "$(modinfo -F version dm-veil 2>&1)" "$version"
check "$T: modprobe dm-veil" modprobe dm-veil
# The loaded module is that file: the kernel's copy of its build ID is
# compared with the file's (the tree's build differs: other paths).
build_id() {
	local file=$1 plain=$work/build-id.ko
	case $file in
	*.xz) xz -dc "$file" > "$plain" 2>/dev/null || return ;;
	*.zst) zstd -qdc "$file" > "$plain" 2>/dev/null || return ;;
	*.gz) gzip -dc "$file" > "$plain" 2>/dev/null || return ;;
	*) plain=$file ;;
	esac
	readelf -n "$plain" 2>/dev/null | awk '/Build ID:/ { print $3; exit }'
}
loaded=$(od -An -tx1 -v /sys/module/dm_veil/notes/.note.gnu.build-id 2>/dev/null | tr -d ' \n')
dkms_id=$(build_id "$ko")
check "$T: the loaded module's build ID is the DKMS file's" \
	test -n "$dkms_id" -a -n "$loaded" -a "${loaded%"$dkms_id"}" != "$loaded"
tree_id=$(build_id "$REPO/kernel/dm-veil.ko")
if [ -n "$tree_id" ] && [ "$tree_id" = "$dkms_id" ]; then
	echo "deb: note: the tree's dm-veil.ko has the same build ID; the check above cannot tell them apart"
fi
step "module checks and modprobe"

# --- a volume with the installed tool ---------------------------------------
check_eq "$T: veil on PATH is /usr/sbin/veil" "$(command -v veil)" /usr/sbin/veil
check "$T: /usr/sbin/veil --version says $version" grep -qF "$version" <<<"$(/usr/sbin/veil --version 2>&1)"
name=veil-deb-test
printf 'deb test passphrase' > "$work/key"
truncate -s 48M "$work/img"
check "$T: /usr/sbin/veil format" /usr/sbin/veil format --batch --key-file "$work/key" \
	--pbkdf pbkdf2 --pbkdf-force-iterations 1000 "$work/img"
check "$T: /usr/sbin/veil open" /usr/sbin/veil open --key-file "$work/key" "$work/img" "$name"
check "$T: the mapping uses the veil target" grep -q ' veil ' <<<"$(dmsetup table "$name" 2>&1)"
head -c 1M /dev/urandom > "$work/data"
dd if="$work/data" of="/dev/mapper/$name" bs=1M oflag=direct status=none 2>/dev/null
check "$T: data reads back through the mapping" \
	cmp "$work/data" <(dd if="/dev/mapper/$name" bs=1M count=1 iflag=direct status=none)
check_fails "$T: the image holds ciphertext, not the data" \
	cmp -s "$work/data" <(dd if="$work/img" bs=1M skip=16 count=1 status=none)
udevadm settle --timeout=60 >/dev/null 2>&1
check "$T: /usr/sbin/veil close" /usr/sbin/veil close "$name"
check_fails "$T: close removed the mapping" dmsetup info "$name"
check "$T: modprobe -r dm-veil" modprobe -r dm-veil
step "format, open, I/O, close"

# --- purge ---------------------------------------------------------------------
if logged "$work/purge.log" apt-get purge -y veil veil-dkms; then
	pass "$T: apt-get purge veil veil-dkms"
else
	fail "$T: apt-get purge veil veil-dkms" "exit status non-zero"
fi
step "apt-get purge (DKMS removal included)"
state=$(dpkg-query -W -f='${db:Status-Status} ' veil veil-dkms 2>/dev/null)
check "$T: dpkg knows neither package any more" test -z "$(tr -d ' ' <<<"${state//not-installed/}")"
left=()
while IFS= read -r path; do
	# Directories shared with other packages (/usr, /usr/share/doc) stay.
	[ -e "$path" ] && ! [ -d "$path" ] && left+=("$path")
	[ -d "$path" ] && [ -z "$(ls -A "$path" 2>/dev/null)" ] && case $path in
		*veil*) left+=("$path (empty directory)") ;; esac
done < "$work/files"
check_eq "$T: no file the packages held is left" "${left[*]}" ""
[ -s "$work/files" ] || fail "$T: dpkg -L listed the packages' files before the purge" "empty list"
# What DKMS and dpkg make outside the packages' lists (globs, not find:
# walking trees over 9p under TCG takes minutes). Each path is tested: a
# word without a wildcard (/var/lib/dkms/veil) survives nullglob whether it
# exists or not, which once reported a purge that had left nothing.
left=$(shopt -s nullglob
	for path in /usr/src/veil-* /var/lib/dkms/veil /var/lib/dpkg/info/veil.* \
		/var/lib/dpkg/info/veil-dkms.* /lib/modules/*/updates/dkms/dm-veil.ko* /etc/veil* \
		/etc/*/veil* /etc/*/*/veil* /run/veil*; do
		if [ -e "$path" ] || [ -L "$path" ]; then echo "$path"; fi
	done | tr '\n' ' ' | sed 's/ $//')
check_eq "$T: nothing of ours in /usr/src, /var/lib/dkms, dpkg's info, /lib/modules, /etc, /run" "$left" ""
# shellcheck disable=SC2086
[ -z "$left" ] || ls -laR $left 2>&1 | sed 's/^/deb: left: /'
check_fails "$T: after purge, no dm-veil is loadable" modprobe -n dm-veil
step "purge checks"
printf 'deb: %-40s %6.1f s\n' "total in the guest" "$(echo "$(date +%s.%N) - $t0" | bc)"
rm -rf "$work"
tests_done
