// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An open mapping, read back from device-mapper, and the way back to its
 * key: resume and resize must load the key again (suspend wiped it, and a
 * new table constructs a new target), so they unlock its header again.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "veil.h"

/* Returns an exit code, with the message printed. */
int active_lookup(const char *name, struct active *a)
{
	struct dm_target_line t = { 0 };
	struct mapping_owner owner;
	uint32_t major, minor;
	char devnum[64];
	int r;

	memset(a, 0, sizeof(*a));
	a->name = name;
	if (!dm_available())
		return fail(-ENODEV, "device-mapper is not available");
	if (dm_query(name, &a->info))
		return fail(-ENODEV, "%s is not active", name);
	if (mapping_dm_uuid_parse(a->info.uuid, &owner))
		return fail(-EINVAL, "%s is not a veil mapping (DM UUID '%s')", name, a->info.uuid);
	r = dm_table(name, &t);
	if (r)
		return fail(r, "%s: cannot read its table: %s", name, strerror(-r));
	snprintf(a->target, sizeof(a->target), "%s", t.type);
	a->len = t.len;
	r = mapping_parse(t.params, &a->m, a->cipher, sizeof(a->cipher), a->desc,
			  sizeof(a->desc), devnum, sizeof(devnum));
	dm_line_free(&t);
	if (r)
		return fail(r, "%s: cannot parse its %s table", name, a->target);
	a->m.target = a->target;
	a->m.len = a->len;
	a->m.readonly = a->info.readonly;
	/* The key's name follows from the DM UUID, as open made both; the
	 * table stops showing it once a suspend wiped the key. */
	a->plain = owner.plain;
	snprintf(a->uuid, sizeof(a->uuid), "%s", owner.volume_uuid);
	snprintf(a->desc, sizeof(a->desc), "%s", owner.key_desc);
	a->m.key_desc = a->desc;
	if (dm_deps_first(name, &major, &minor) || devno_path(major, minor, a->dev, sizeof(a->dev)))
		snprintf(a->dev, sizeof(a->dev), "%s", devnum);
	snprintf(a->devnum, sizeof(a->devnum), "%s", devnum);
	a->m.device = a->devnum;
	loop_backing_file(a->dev, a->backing, sizeof(a->backing));
	if (a->m.key_state == KEY_HEX)
		return fail(-EINVAL, "%s: its table carries a hex key, not a keyring key; "
			    "it was not opened by veil", name);
	return 0;
}

/*
 * The key of an open mapping, asked again: the plain key file, or the
 * passphrase for its header (--header, else the loop's file, else the
 * device), which must carry the UUID the mapping was opened with. With
 * max_len, also the largest data length (512-byte sectors) the header
 * allows on the mapped device now, from the same authenticated load.
 */
int active_key_range(struct active *a, const struct veil_opts *o, struct secret *key,
		     uint64_t *max_len)
{
	char uuid[VEIL_UUID_STR_LEN + 1];
	const char *hdr = o->header ? o->header : (*a->backing ? a->backing : a->dev);
	uint64_t bytes, off;
	struct vol v;
	int r;

	if (a->plain) {
		if (!o->key_file)
			return fail(-EINVAL, "%s is a plain mapping: give its --key-file", a->name);
		if (!a->m.key_bytes)	/* wiped: the table no longer says */
			a->m.key_bytes = o->key_bits ? o->key_bits / 8 :
					 veil_cipher_default_key_size(a->cipher);
		return read_keyfile(o->key_file, o->keyfile_offset, a->m.key_bytes, key);
	}
	r = vol_open(&v, o->header ? a->dev : hdr, o->header, VOL_DATA);
	if (r)
		return r;
	veil_uuid_unparse(vol_header(&v)->uuid, uuid);
	if (strcmp(uuid, a->uuid)) {
		vol_close(&v);
		return fail(-EINVAL, "%s: header UUID %s is not the UUID %s that %s was opened with",
			    hdr, uuid, a->uuid, a->name);
	}
	r = vol_unlock(&v, o, key, NULL);
	if (!r && max_len) {
		/* The data device is the mapped one: a loop sees its file's new size. */
		r = path_size_bytes(a->dev, &bytes);
		if (!r)
			r = veil_volume_data_range(v.vol, bytes, &off, max_len);
		if (r)
			r = vol_fail(r, a->dev, "cannot compute the data area");
	}
	vol_close(&v);
	if (!r && !a->m.key_bytes)
		a->m.key_bytes = (unsigned int)key->len;
	if (!r && key->len != a->m.key_bytes)
		r = fail(-EINVAL, "%s: volume key size differs from the mapping's", hdr);
	if (r)
		secret_free(key);
	return r;
}

int active_key(struct active *a, const struct veil_opts *o, struct secret *key)
{
	return active_key_range(a, o, key, NULL);
}
