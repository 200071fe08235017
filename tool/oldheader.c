// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * format --force over an old header: removing the signatures libblkid
 * knows is not enough, an old header's keyslots would still open the old
 * volume key. Every old veil header (its whole metadata area) and every old
 * LUKS header with its keyslot areas is overwritten first.
 */
#include <errno.h>
#include <fcntl.h>
#include <libcryptsetup.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "veil.h"

/* The bytes a LUKS1/LUKS2 header and its keyslots occupy; 0 if not LUKS. */
static uint64_t luks_extent(const char *path)
{
	struct crypt_device *cd = NULL;
	uint64_t end = 0, md = 0, ks = 0, off, len;
	const char *type;
	int max;

	crypt_set_log_callback(NULL, NULL, NULL);
	if (crypt_init(&cd, path) || crypt_load(cd, CRYPT_LUKS, NULL)) {
		crypt_free(cd);
		return 0;
	}
	type = crypt_get_type(cd);
	max = crypt_keyslot_max(type);
	for (int i = 0; i < max; i++)
		if (!crypt_keyslot_area(cd, i, &off, &len) && off + len > end)
			end = off + len;
	if (type && !strcmp(type, CRYPT_LUKS2) && !crypt_get_metadata_size(cd, &md, &ks) &&
	    2 * md + ks > end)
		end = 2 * md + ks;
	if (end < 4096)
		end = 4096;	/* at least the LUKS1 header itself */
	crypt_free(cd);
	return end;
}

static int zero_range(int fd, uint64_t end)
{
	const size_t chunk = 1u << 20;
	uint8_t *zero = calloc(1, chunk);
	uint64_t off = 0;
	int r = 0;

	if (!zero)
		return -ENOMEM;
	while (off < end && !r) {
		size_t n = end - off > chunk ? chunk : (size_t)(end - off);

		if (pwrite(fd, zero, n, (off_t)off) != (ssize_t)n)
			r = -EIO;
		off += n;
	}
	free(zero);
	if (!r && fsync(fd))
		r = -errno;
	return r;
}

int wipe_old_headers(const char *path)
{
	struct veil_io io;
	uint64_t size, luks;
	int fd, r;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail(device_errno(errno), "cannot open %s: %s", path, strerror(errno));
	r = veil_io_from_fd(&io, fd, false);
	if (!r) {
		r = veil_wipe_metadata(&io);
		if (!r)
			fprintf(stderr, "veil format: %s: the old veil header and all its keyslots "
				"are wiped\n", path);
		else if (r == -ENODEV)
			r = 0;
		else
			r = vol_fail(r, path, "cannot wipe the old veil header");
	}
	size = io.size;
	veil_io_close(&io);
	luks = r ? 0 : luks_extent(path);
	if (luks) {
		r = zero_range(fd, luks < size ? luks : size);
		if (r)
			r = fail(r, "%s: cannot wipe the old LUKS header: %s", path, strerror(-r));
		else
			fprintf(stderr, "veil format: %s: the old LUKS header and all its keyslots "
				"are wiped\n", path);
	}
	close(fd);
	return r;
}
