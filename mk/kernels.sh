#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Which kernels veil builds for.
#   mk/kernels.sh default  the release `make` builds for when KVER/KDIR are not
#                          given: the running kernel when its headers are
#                          installed, else the newest kernel that has both
#                          headers and a bootable image (a build host or a
#                          container whose running kernel is not Debian's).
#                          Installing another kernel never changes the answer
#                          for a system that runs a kernel with headers.
#   mk/kernels.sh lane     one line per kernel of the test lane:
#                          "SERIES KVER PACKAGES", KVER "-" when that kernel
#                          (image and headers) is not installed; PACKAGES are
#                          the Debian packages that provide it.
set -euo pipefail

has_headers() { [ -d "/lib/modules/$1/build" ]; }
bootable() { has_headers "$1" && [ -f "/boot/vmlinuz-$1" ]; }

# newest [PREFIX]: the newest bootable release, optionally of one series.
newest() {
	local d
	for d in $(ls -1 /lib/modules 2>/dev/null | sort -V -r); do
		case $d in "${1:-}"*) ;; *) continue ;; esac
		bootable "$d" && { echo "$d"; return 0; }
	done
	return 0
}

case ${1:-} in
default)
	running=$(uname -r)
	if has_headers "$running"; then
		echo "$running"
	else
		newest
	fi
	;;
lane)
	# Debian 12's default kernel, and the 6.12 LTS it also ships (Debian 13's).
	# The series prefix ends in '.' so 6.1 never matches 6.12.
	k=$(newest 6.1.)
	echo "6.1 ${k:--} linux-image-amd64,linux-headers-amd64"
	k=$(newest 6.12.)
	echo "6.12 ${k:--} linux-image-6.12-amd64,linux-headers-6.12-amd64"
	;;
*)
	echo "usage: mk/kernels.sh default|lane" >&2
	exit 2
	;;
esac
