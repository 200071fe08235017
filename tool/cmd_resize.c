// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil resize: load the same table with a new length. A new table builds a
 * new target instance, which needs the key, so the passphrase (or the
 * plain key file) is asked again, as cryptsetup does for keyring keys.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil.h"
#include "commands.h"

/*
 * The key, and the largest length the volume allows on its device now, in
 * sectors: for a veil volume both come from one load of the header that
 * the passphrase has just authenticated.
 */
static int key_and_max_length(struct active *a, const struct veil_opts *o,
			      struct secret *key, uint64_t *len)
{
	uint64_t bytes;
	int r;

	if (*a->backing)
		loop_refresh_capacity(a->dev);
	if (!a->plain)
		return active_key_range(a, o, key, len);
	r = path_size_bytes(a->dev, &bytes);
	if (r)
		return fail(device_errno(-r), "%s: %s", a->dev, strerror(-r));
	*len = bytes / 512 > a->m.offset ? bytes / 512 - a->m.offset : 0;
	return active_key(a, o, key);
}

int cmd_resize(int argc, char *argv[])
{
	struct veil_opts o;
	struct active a;
	struct secret key = { 0 };
	int32_t serial = 0;
	uint64_t max, len, unit;
	char *params = NULL;
	int r;

	if (parse_options(argc, argv, OPT_SIZE | OPT_KEY_FILE | OPT_KEYFILE_OFFSET |
			  OPT_KEYFILE_SIZE | OPT_KEY_SLOT | OPT_HEADER | OPT_TRIES |
			  OPT_TIMEOUT, &o) || want_args(&o, 1, 1, "NAME"))
		return -EINVAL;
	r = active_lookup(o.argv[0], &a);
	if (r)
		return r;
	if (a.info.suspended)
		return fail(-EBUSY, "%s is suspended; resume it first", a.name);
	r = key_and_max_length(&a, &o, &key, &max);
	if (r)
		goto out;
	unit = a.m.sector_size / 512;
	len = o.size ? o.size : max - max % unit;
	if (o.size && o.size > max) {
		r = fail(-EINVAL, "%s: --size %" PRIu64 " is larger than the %" PRIu64
			 " sectors available", a.name, o.size, max);
		goto out;
	}
	if (!len || len % unit) {
		r = fail(-EINVAL, "%s: size %" PRIu64 " is not a non-zero multiple of the "
			 "%u-byte sector size", a.name, len, a.m.sector_size);
		goto out;
	}
	if (len == a.len) {
		fprintf(stderr, "%s already has %" PRIu64 " sectors.\n", a.name, len);
		goto out;
	}
	r = keyring_add_logon(a.desc, key.data, key.len, &serial);
	if (r)
		goto out;
	a.m.key_desc = a.desc;
	params = mapping_params(&a.m);
	r = params ? dm_reload(a.name, a.target, len, params, a.info.readonly) : -ENOMEM;
	if (r) {
		r = fail(r, "%s: cannot load the resized table: %s", a.name, strerror(-r));
		goto out;
	}
	r = dm_suspend(a.name);
	if (!r)
		r = dm_resume_dev(a.name);
	if (r)
		r = fail(r, "%s: cannot switch to the resized table: %s", a.name, strerror(-r));
out:
	free(params);
	keyring_drop(serial);
	secret_free(&key);
	return r;
}
