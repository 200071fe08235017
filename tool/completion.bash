# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for veil(8): commands, options, mapping names and devices.
# Options come from 'veil help CMD', so they never drift from the tool.
# Installed as /usr/share/bash-completion/completions/veil.

_veil_mappings()
{
	local d=${VEIL_COMPLETION_MAPPER_DIR:-/dev/mapper} f
	for f in "$d"/*; do
		[ -e "$f" ] || continue
		f=${f##*/}
		[ "$f" = control ] || printf '%s\n' "$f"
	done
}

_veil_devices()
{
	local f
	for f in /sys/class/block/*; do
		[ -e "$f" ] && printf '/dev/%s\n' "${f##*/}"
	done
}

_veil()
{
	local cur prev words cword
	_init_completion || return

	local veil=${words[0]} cmd="" sub="" i nargs=0
	local cmds="format open close status dump keyslot header erase resize suspend resume
		config refresh repair benchmark isveil uuid tab probe convert help"
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-*) ;;
		*)
			if [ -z "$cmd" ]; then cmd=${words[i]}
			elif [ -z "$sub" ] && [[ $cmd == @(keyslot|header|tab) ]]; then sub=${words[i]}
			else nargs=$((nargs + 1)); fi
			;;
		esac
	done
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
		return
	fi
	case $prev in
	--key-file | -d | --new-key-file | --new-keyfile | --header | --header-backup-file | \
	--volume-key-file | --tab)
		_filedir
		return ;;
	--cipher | -c)
		COMPREPLY=($(compgen -W "aes-xts-plain64 aes-xts-plain aes-cbc-essiv:sha256
			xchacha12,aes-adiantum-plain64" -- "$cur"))
		return ;;
	--pbkdf) COMPREPLY=($(compgen -W "argon2id pbkdf2" -- "$cur")); return ;;
	--target) COMPREPLY=($(compgen -W "veil crypt" -- "$cur")); return ;;
	--type | -M) COMPREPLY=($(compgen -W "plain luks luks1 luks2" -- "$cur")); return ;;
	--priority) COMPREPLY=($(compgen -W "prefer normal ignore" -- "$cur")); return ;;
	--hash) COMPREPLY=($(compgen -W "ripemd160 sha1 sha256 sha512 plain" -- "$cur")); return ;;
	--key-size | -s | --sector-size | --pbkdf-memory | --pbkdf-parallel | --iter-time | -i | \
	--pbkdf-force-iterations | --label | --subsystem | --uuid | --keyfile-offset | \
	--keyfile-size | -l | --new-keyfile-offset | --new-keyfile-size | --key-slot | -S | \
	--tries | -T | --timeout | -t | --offset | -o | --size | -b | --skip | -p | --data-offset)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		local opts
		opts=$("$veil" help "$cmd" 2>/dev/null | grep -o -- '--[a-z][a-z0-9_-]*' | sort -u)
		COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
		return
	fi
	case $cmd in
	help)
		[ "$nargs" -eq 0 ] && COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
		return ;;
	keyslot)
		if [ -z "$sub" ]; then
			COMPREPLY=($(compgen -W "add remove change kill list" -- "$cur"))
			return
		fi ;;
	header)
		if [ -z "$sub" ]; then
			COMPREPLY=($(compgen -W "backup restore" -- "$cur"))
			return
		fi ;;
	tab)
		if [ -z "$sub" ]; then
			COMPREPLY=($(compgen -W "open close list" -- "$cur"))
			return
		fi
		return ;;
	close | status | resize | suspend | resume | refresh)
		[ "$nargs" -eq 0 ] && COMPREPLY=($(compgen -W "$(_veil_mappings)" -- "$cur"))
		return ;;
	open)
		# DEVICE, then a NAME of the user's choosing
		[ "$nargs" -ge 1 ] && return ;;
	esac
	# A device: block devices, or any file (an image is attached to a loop).
	if [[ $cur == /dev/* ]]; then
		COMPREPLY=($(compgen -W "$(_veil_devices)" -- "$cur"))
	fi
	_filedir
}
complete -F _veil veil
