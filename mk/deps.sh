#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages listed in mk/packages.txt that are missing.
# Idempotent: a machine that has them all runs no apt-get at all.
#   mk/deps.sh          install what is missing
#   mk/deps.sh --check  only report; exit 1 naming the missing packages
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mapfile -t wanted < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/packages.txt")

missing=()
for pkg in "${wanted[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "${1:-}" = "--check" ]; then
	echo "veil: missing Debian packages: ${missing[*]} (run 'make deps')" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "veil: need root to install: ${missing[*]}" >&2
	exit 1
fi
echo "veil: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
if ! apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"; then
	echo "veil: apt-get could not install: ${missing[*]}" >&2
	exit 1
fi
# Re-check: apt-get may exit 0 yet leave a package unconfigured.
exec "$0" --check
