#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Habit 9: bash completion, installed by make install and driven here in a
# real bash with bash-completion loaded: commands, options (from veil help),
# option values, keyslot/header verbs, mapping names and files.
. "$(dirname "$0")/common.bash"

bc=/usr/share/bash-completion/bash_completion
if [ ! -r "$bc" ]; then
	skip "completion" "bash-completion is not installed ($bc; package bash-completion)"
	exit 0
fi
dest=$work/dest
if ! make -s -C "$top" install-tool DESTDIR="$dest" >"$work/install.log" 2>&1; then
	sed 's/^/    | /' "$work/install.log" | tail -n 10
	fail "completion: make install-tool" "failed"
	exit 1
fi
installed=$dest/usr/share/bash-completion/completions/veil
check "completion: make install puts it in /usr/share/bash-completion/completions/veil" \
	cmp -s "$installed" "$top/tool/completion.bash"

mkdir -p mapper bin
touch mapper/control mapper/datavol mapper/swapvol
ln -s "$VEIL" bin/veil
new_image img 1

# complete WORDS...: what bash completion offers for the command line
# "WORDS" with the cursor at the end of the last word (give '' for a new one).
complete_line() {
	PATH="$work/bin:$PATH" VEIL_COMPLETION_MAPPER_DIR="$work/mapper" bash --norc --noprofile -c '
		. "$1"; . "$2"; shift 2
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_veil veil "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort -u | tr "\n" " "' _ "$bc" "$installed" "$@"
}
# offers NAME WANT WORDS...: the completions are exactly WANT (sorted, space-separated).
offers() { local name=$1 want=$2; shift 2; check_eq "$name" "$(complete_line "$@")" "$want"; }
# offers_has NAME WANT WORDS...: WANT is among the completions.
offers_has() {
	local name=$1 want=$2 got; shift 2
	got=$(complete_line "$@")
	case " $got" in *" $want "*) pass "$name" ;; *) fail "$name" "'$want' not in: $got" ;; esac
}

offers "completion: a command prefix" "format " veil fo
offers_has "completion: every command at the first word" "refresh" veil ''
offers_has "completion: help is a command" "help" veil ''
offers "completion: an option of open, from veil help open" "--key-file --key-size --key-slot " veil open --key-
offers_has "completion: open knows --allow-discards" "--allow-discards" veil open --all
offers "completion: format knows --wipe" "--wipe " veil format --wi
offers "completion: an option value (--pbkdf)" "argon2id " veil format --pbkdf ar
offers "completion: --priority values" "ignore normal prefer " veil config --priority ''
offers "completion: keyslot verbs" "add change kill list remove " veil keyslot ''
offers "completion: header verbs" "backup restore " veil header ''
offers "completion: close offers mapping names, not control" "datavol swapvol " veil close ''
offers "completion: status offers mapping names by prefix" "swapvol " veil status sw
offers "completion: a key file is a file" "k1 k2 k3 " veil open --key-file k
offers "completion: a device may be an image file" "img " veil dump im
offers "completion: veil help CMD offers commands" "close " veil help cl
tests_done
