# SPDX-License-Identifier: GPL-2.0-or-later
# Which suite scripts a VEIL_VM_SUITE selection names; sourced by
# tests/vm/suite/run-all (in the guest) and tests/check (which splits the
# selection between the suite's guest and the memory scripts' guest), so
# both read it the same way.

# suite_selected NAME GLOBS: true when one of GLOBS (separated by spaces)
# matches the script NAME (its file name without .sh). The globs are
# matched against the name, never expanded against files in the cwd.
suite_selected() {
	local glob hit=1
	set -f
	for glob in $2; do
		# shellcheck disable=SC2254
		case $1 in $glob) hit=0; break ;; esac
	done
	set +f
	return "$hit"
}
