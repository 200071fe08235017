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

/* The largest length the volume allows on its device now, in sectors. */
static int max_length(const struct active *a, const struct veil_opts *o, uint64_t *len)
{
	const char *hdr = o->header ? o->header : (*a->backing ? a->backing : a->dev);
	uint64_t bytes, off;
	struct vol v;
	int r;

	if (*a->backing)
		loop_refresh_capacity(a->dev);
	if (a->plain) {
		r = path_size_bytes(a->dev, &bytes);
		if (r)
			return fail(r, "%s: %s", a->dev, strerror(-r));
		*len = bytes / 512 > a->m.offset ? bytes / 512 - a->m.offset : 0;
		return 0;
	}
	r = vol_open(&v, o->header ? a->dev : hdr, o->header, 0);
	if (r)
		return r;
	/* The data device is the mapped one: the loop sees the file's new size. */
	r = path_size_bytes(a->dev, &bytes);
	if (!r)
		r = veil_volume_data_range(v.vol, bytes, &off, len);
	if (r)
		r = vol_fail(r, a->dev, "cannot compute the data area");
	vol_close(&v);
	return r;
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
	r = max_length(&a, &o, &max);
	if (r)
		return r;
	unit = a.m.sector_size / 512;
	len = o.size ? o.size : max - max % unit;
	if (o.size && o.size > max)
		return fail(-EINVAL, "%s: --size %" PRIu64 " is larger than the %" PRIu64
			    " sectors available", a.name, o.size, max);
	if (!len || len % unit)
		return fail(-EINVAL, "%s: size %" PRIu64 " is not a non-zero multiple of the "
			    "%u-byte sector size", a.name, len, a.m.sector_size);
	if (len == a.len) {
		fprintf(stderr, "%s already has %" PRIu64 " sectors.\n", a.name, len);
		return 0;
	}
	r = active_key(&a, &o, &key);
	if (r)
		goto out;
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
