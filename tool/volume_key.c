// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The volume key itself, as cryptsetup's --volume-key-file and
 * --dump-volume-key handle it: read from a file of exactly the key size
 * (checked against the header's digest and MAC before any use), or shown
 * and written only after a confirmation and a passphrase. Whoever holds
 * the volume key reads the data whatever the keyslots say.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "veil.h"

/* Exactly key_bytes from path ("-": standard input), as a library secret. */
int read_volume_key_file(const char *path, size_t key_bytes, struct secret *vk)
{
	struct secret raw = { 0 };
	struct veil_secret *vs;
	int r;

	r = read_keyfile(path, 0, key_bytes, &raw);
	if (r)
		return r;
	vs = veil_secret_dup(raw.data, key_bytes);
	secret_free(&raw);
	if (!vs)
		return -ENOMEM;
	secret_adopt(vk, vs);
	return 0;
}

/*
 * The volume key of an open header: from --volume-key-file, verified,
 * else unlocked with a passphrase or key file (prompt NULL: the default).
 * Returns 0 or -errno, the message printed.
 */
int vol_volume_key(struct vol *v, const struct veil_opts *o, const char *prompt, int slot,
		   struct secret *vk)
{
	size_t key_bytes = vol_header(v)->segment.key_size;
	int r;

	if (!o->volume_key_file)
		return vol_unlock_ex(v, o, prompt, slot, vk, NULL, NULL);
	r = read_volume_key_file(o->volume_key_file, key_bytes, vk);
	if (r)
		return r;
	r = veil_unlock_volume_key(v->vol, vk->vs);
	if (r == -EPERM) {
		secret_free(vk);
		return fail(r, "%s: %s is not this volume's key", v->device, o->volume_key_file);
	}
	if (r) {
		secret_free(vk);
		return vol_fail(r, v->device, "cannot verify the volume key");
	}
	return 0;
}

/* A new secret file: O_EXCL|O_NOFOLLOW, mode 0600, never over anything. */
int write_secret_file(const char *path, const void *data, size_t len)
{
	const uint8_t *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int r = 0;

	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (!r && fsync(fd))
		r = -errno;
	if (close(fd) && !r)
		r = -errno;
	if (r)
		unlink(path);
	return r;
}
