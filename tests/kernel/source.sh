#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Host checks of the module's source tree that need no kernel: the DKMS
# metadata agrees with the project, and version differences stay in compat.h.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

version=$(cat VERSION)
conf_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' kernel/dkms.conf)
check_eq "dkms.conf: PACKAGE_VERSION equals VERSION" "$conf_version" "$version"

# DKMS matches kernelver against BUILD_EXCLUSIVE_KERNEL as a bash ERE.
exclusive=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' kernel/dkms.conf)
dkms_builds() { [ -z "$exclusive" ] || [[ $1 =~ $exclusive ]]; }
for k in $(printf "%s\n" 6.1.0-57-amd64 6.12.48+deb12-amd64 6.19.1 7.0.0-1-amd64 $(ls /lib/modules 2>/dev/null) | sort -u); do
	case $k in [0-5].*|6.0.*) continue ;; esac
	if dkms_builds "$k"; then pass "dkms.conf: builds for kernel $k"; else fail "dkms.conf: builds for kernel $k" "BUILD_EXCLUSIVE_KERNEL='$exclusive' excludes it"; fi
done
for k in 5.10.0-30-amd64 6.0.12; do
	if dkms_builds "$k"; then fail "dkms.conf: no build for kernel $k (older than the module supports)" "BUILD_EXCLUSIVE_KERNEL='$exclusive' accepts it"; else pass "dkms.conf: no build for kernel $k (older than the module supports)"; fi
done

stray=$(grep -lE 'LINUX_VERSION_CODE|KERNEL_VERSION\(' kernel/*.[ch] | grep -v '^kernel/compat.h$')
check_eq "kernel: version tests only in compat.h" "$stray" ""

# Each guard carries its reason: the line before every "#if LINUX_VERSION_CODE"
# is a comment (or the end of one).
unexplained=$(awk '/^#if LINUX_VERSION_CODE/ && prev !~ /(^\/\*|\*\/$|^ \*)/ { print FILENAME ":" FNR } { prev = $0 }' kernel/compat.h)
check_eq "kernel/compat.h: every version guard has a reason" "$unexplained" ""
tests_done
