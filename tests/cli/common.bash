# SPDX-License-Identifier: GPL-2.0-or-later
# Shared setup for the veil CLI tests (sourced; not a test itself).
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/lib/tap.sh"
VEIL=${VEIL:-$top/build/veil}
# Cheap but valid KDF settings: the tests are about behaviour, not strength.
KDF=(--pbkdf pbkdf2 --pbkdf-force-iterations 1000)
work=$(mktemp -d "${TMPDIR:-/tmp}/veil-cli.XXXXXX")
# Only the test's own shell cleans up: a background job killed between fork
# and exec is still a copy of this shell and runs this trap too (there even
# $BASHPID still names the parent; /proc/self does not lie).
test_shell_pid=$$
trap 'read -r self _ </proc/self/stat; [ "$self" != "$test_shell_pid" ] || rm -rf "$work"' EXIT
cd "$work" || exit 1
if [ ! -x "$VEIL" ]; then
	fail "veil binary" "$VEIL is missing; run make"
	exit 1
fi
printf 'first passphrase' > k1
printf 'second passphrase' > k2
printf 'third passphrase' > k3

# new_image FILE MiB: a fresh sparse image.
new_image() { rm -f "$1"; truncate -s "${2}M" "$1"; }

# fmt IMG [args]: format with k1 and cheap KDF settings.
fmt() { local img=$1; shift; "$VEIL" format --batch --key-file k1 "${KDF[@]}" "$@" "$img"; }

# opens IMG KEYFILE [args]: does this key file unlock IMG?
opens() { local img=$1 key=$2; shift 2; "$VEIL" open --test-passphrase --key-file "$key" "$@" "$img" 2>/dev/null; }

# stderr_of CMD...: the command's stderr (its exit code is ignored).
stderr_of() { "$@" 2>&1 >/dev/null || true; }

# sha_range FILE OFFSET LENGTH (bytes, 1 MiB multiples): checksum of a byte range.
sha_range() { dd if="$1" bs=1M skip=$(($2 >> 20)) count=$(($3 >> 20)) status=none | sha256sum | cut -d' ' -f1; }

# changed_outside FILE_A FILE_B RANGES...: prints the first changed byte
# offset not inside any "start:end" range (end exclusive); empty if none.
changed_outside() {
	local a=$1 b=$2
	shift 2
	cmp -l "$a" "$b" | awk -v ranges="$*" '
		BEGIN { n = split(ranges, r, " "); for (i = 1; i <= n; i++) { split(r[i], se, ":"); s[i] = se[1]; e[i] = se[2] } }
		{ off = $1 - 1; ok = 0; for (i = 1; i <= n; i++) if (off >= s[i] && off < e[i]) ok = 1; if (!ok) { print off; exit } }'
}

# blocks_left SRC OFFSET LENGTH DST: how many 512-byte blocks of SRC's byte
# range (uniform blocks ignored) are still found anywhere in DST (aligned).
blocks_left() {
	python3 - "$@" <<'PY'
import sys
src, off, length, dst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
with open(src, 'rb') as f:
    f.seek(off)
    data = f.read(length)
want = {data[i:i + 512] for i in range(0, len(data) - 511, 512) if len(set(data[i:i + 512])) > 1}
found = set()
with open(dst, 'rb') as f:
    while True:
        b = f.read(1 << 20)
        if not b:
            break
        for i in range(0, len(b) - 511, 512):
            blk = b[i:i + 512]
            if blk in want:
                found.add(blk)
print(len(found))
PY
}

# on_terminal NAME PATTERN CMD: run the shell command CMD on a pty (script(1))
# and pass when its output matches the glob PATTERN; a skip names the package
# when script(1) is missing.
on_terminal() {
	local name=$1 pattern=$2 cmd=$3 out
	if ! command -v script >/dev/null 2>&1; then
		skip "$name" "script(1) is not installed (package bsdutils)"
		return
	fi
	out=$(script -qec "$cmd" /dev/null 2>&1)
	# shellcheck disable=SC2053 # the pattern is a glob on purpose
	if [[ $out == $pattern ]]; then pass "$name"; else fail "$name" "got: $(printf '%q' "$out")"; fi
}

# hook_wait FIFO: wait (bounded) until a veil process reaches its
# VEIL_TEST_HOOK point; prints the point's name. hook_release FIFO lets it
# go on. The guard only stops a hang: it never decides a result.
hook_wait() { timeout "${HOOK_TIMEOUT:-120}" head -n 1 "$1" || echo "timeout"; }
hook_release() { timeout 120 bash -c ': > "$1"' _ "$1" || echo "release timeout" >&2; }
