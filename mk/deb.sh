#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make deb`: build the Debian packages veil and veil-dkms into build/deb/
# from a copy of the tree, run lintian on them, and compare their contents
# with the lists kept in tests/deb/.
#   mk/deb.sh               build, then check
#   mk/deb.sh --check       check the packages already in build/deb/
#   mk/deb.sh --update-lists  rewrite tests/deb/*.list from build/deb/ (after
#                           a deliberate change to what the packages hold)
# Each check prints a PASS:/FAIL: line; the exit status is 1 if any failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/build/deb
version=$(cat VERSION)
failed=0

pass() { echo "PASS: deb: $*"; }
fail() { echo "FAIL: deb: $*"; failed=1; }

# The Debian version is the project's version: a native package, one number.
check_changelog() {
	local logged
	logged=$(dpkg-parsechangelog -l debian/changelog -S Version 2>&1)
	if [ "$logged" = "$version" ]; then
		pass "debian/changelog version is VERSION ($version)"
	else
		fail "debian/changelog says '$logged' but VERSION says '$version'; add an entry: dch -v $version"
		return 1
	fi
}

# The files git knows (tracked, or new and not ignored) as they are in the
# work tree; outside git, the tree without build/.
copy_tree() {
	local dest=$1
	mkdir -p "$dest"
	if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$top" ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
			tar -C "$top" --null -T - -cf - | tar -C "$dest" -xf -
	else
		tar -C "$top" --exclude=./build -cf - . | tar -C "$dest" -xf -
	fi
}

build() {
	local stage=$out/src pkgdir log=$out/build.log
	check_changelog || return 1
	rm -rf "$out"
	mkdir -p "$stage"
	pkgdir=$stage/veil-$version
	copy_tree "$pkgdir" || { fail "copying the tree to $pkgdir failed"; return 1; }
	echo "deb: dpkg-buildpackage -us -uc -b in $pkgdir (log: $log)"
	if ! (cd "$pkgdir" && dpkg-buildpackage -us -uc -b) > "$log" 2>&1; then
		tail -n 40 "$log"
		fail "dpkg-buildpackage failed (see $log)"
		return 1
	fi
	mv "$stage"/*.deb "$stage"/*.buildinfo "$stage"/*.changes "$out"/
	rm -rf "$stage"
	pass "dpkg-buildpackage -us -uc -b built $(cd "$out" && echo *.deb)"
}

# dpkg -c without sizes and dates, which change with every build; the
# version in paths is written @VERSION@ so a release does not touch the lists.
file_list() {
	dpkg-deb -c "$1" | awk '{
		path = $6; for (i = 7; i <= NF; i++) path = path " " $i
		print $1, $2, path }' | sed "s/$(printf '%s' "$version" | sed 's/\./\\./g')/@VERSION@/g" | sort -k3
}

check() {
	local changes deb pkg list rc
	changes=$(ls "$out"/veil_"$version"_*.changes 2>/dev/null | head -n1)
	if [ -z "$changes" ]; then
		fail "no veil_${version}_*.changes in $out: run make deb"
		return 1
	fi
	# Errors and warnings fail; each accepted warning is overridden in
	# debian/*.lintian-overrides with its reason.
	lintian --fail-on error,warning --display-info "$changes" > "$out/lintian.log" 2>&1
	rc=$?
	sed 's/^/lintian: /' "$out/lintian.log"
	if [ "$rc" -eq 0 ]; then
		pass "lintian: no errors or warnings"
	else
		fail "lintian reported errors or warnings (exit $rc)"
	fi
	for pkg in veil veil-dkms; do
		deb=$(ls "$out/${pkg}_${version}"_*.deb 2>/dev/null | head -n1)
		list=tests/deb/$pkg.list
		if [ -z "$deb" ]; then
			fail "$pkg: no package in $out"
			continue
		fi
		if [ "${update:-0}" = 1 ]; then
			file_list "$deb" > "$list"
			echo "deb: wrote $list"
		fi
		if diff -u "$list" <(file_list "$deb") > "$out/$pkg.list.diff"; then
			pass "$pkg: dpkg -c matches $list"
		else
			cat "$out/$pkg.list.diff"
			fail "$pkg: dpkg -c differs from $list (-: expected, +: built; mk/deb.sh --update-lists if deliberate)"
		fi
	done
}

case "${1:-}" in
"")             build && check ;;
--check)        check ;;
--update-lists) update=1 check ;;
*)              echo "usage: mk/deb.sh [--check|--update-lists]" >&2; exit 2 ;;
esac
exit "$failed"
