// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil refresh: load a live mapping's table again with other flags
 * (--allow-discards, --perf-*), as cryptsetup refresh. The flags given
 * replace the active ones; none given means the header's stored set (none
 * for a plain mapping). A new table builds a new target instance, which
 * needs the key, so the passphrase is asked again. --persistent also
 * stores the new set in the header.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil.h"
#include "commands.h"

#define REFRESH_OPTS (OPT_MAP_FLAGS | OPT_PERSISTENT | OPT_KEY_FILE | OPT_KEYFILE_OFFSET | \
		      OPT_KEYFILE_SIZE | OPT_KEY_SLOT | OPT_HEADER | OPT_TRIES | OPT_TIMEOUT | \
		      OPT_VOLUME_KEY_FILE | OPT_KEY_SIZE)

/* The key of a header-backed mapping, and its stored flags; v stays open. */
static int header_key(struct active *a, const struct veil_opts *o, struct vol *v,
		      bool *opened, struct secret *key)
{
	const char *hdr = o->header ? o->header : (*a->backing ? a->backing : a->dev);
	char uuid[VEIL_UUID_STR_LEN + 1];
	int r;

	r = vol_open(v, o->header ? a->dev : hdr, o->header, o->persistent ? VOL_WRITE : 0);
	if (r)
		return r;
	*opened = true;
	veil_uuid_unparse(vol_header(v)->uuid, uuid);
	if (strcmp(uuid, a->uuid))
		return fail(-EINVAL, "%s: header UUID %s is not the UUID %s that %s was opened with",
			    hdr, uuid, a->uuid, a->name);
	r = vol_volume_key(v, o, NULL, o->key_slot, key);
	if (r)
		return r;
	if (a->m.key_bytes && key->len != a->m.key_bytes)
		return fail(-EINVAL, "%s: volume key size differs from the mapping's", hdr);
	return 0;
}

int cmd_refresh(int argc, char *argv[])
{
	struct veil_opts o;
	struct active a;
	struct secret key = { 0 };
	struct vol v = { .fd = -1 };
	bool have_vol = false;
	int32_t serial = 0;
	char *params = NULL;
	int r;

	if (parse_options(argc, argv, REFRESH_OPTS, &o) || want_args(&o, 1, 1, "NAME"))
		return -EINVAL;
	r = active_lookup(o.argv[0], &a);
	if (r)
		return r;
	if (a.info.suspended)
		return fail(-EBUSY, "%s is suspended; resume it first", a.name);
	/*
	 * Said before the passphrase, by name: the kernel's refusal would come
	 * only after it, and say no more than "Invalid argument".
	 */
	if (o.given & OPT_MAP_FLAGS && mapping_flags_unsupported(a.target, o.map_flags))
		return fail(-EINVAL, "%s: the %s target does not implement %s (a dm-crypt "
			    "performance flag); the mapping is unchanged", a.name, a.target,
			    mapping_flag_word(mapping_flags_unsupported(a.target, o.map_flags)));
	if (a.plain) {
		if (o.persistent)
			return fail(-EINVAL, "%s is a plain mapping: there is no header to store "
				    "flags in", a.name);
		r = active_key(&a, &o, &key);
		if (r)
			goto out;
		a.m.flags = o.map_flags;
	} else {
		r = header_key(&a, &o, &v, &have_vol, &key);
		if (r)
			goto out;
		a.m.flags = o.given & OPT_MAP_FLAGS ? o.map_flags :
			    vol_header(&v)->flags & mapping_flag_bits();
	}
	if (mapping_flags_unsupported(a.target, a.m.flags)) {
		r = fail(-EINVAL, "%s: the header stores %s, which the %s target does not "
			 "implement; refresh with the flags to use (and --persistent to store "
			 "them)", a.name, mapping_flag_word(mapping_flags_unsupported(a.target,
			 a.m.flags)), a.target);
		goto out;
	}
	a.m.key_bytes = (unsigned int)key.len;
	r = keyring_add_logon(a.desc, key.data, key.len, &serial);
	if (r)
		goto out;
	a.m.key_desc = a.desc;
	a.m.key_state = KEY_KEYRING;
	params = mapping_params(&a.m);
	r = params ? dm_reload(a.name, a.target, a.len, params, a.info.readonly) : -ENOMEM;
	if (r) {
		r = fail(r, "%s: the %s target refused the new table (%s); the mapping is "
			 "unchanged", a.name, a.target, strerror(-r));
		goto out;
	}
	r = dm_suspend(a.name);
	if (!r)
		r = dm_resume_dev(a.name);
	if (r) {
		r = fail(r, "%s: cannot switch to the new table: %s", a.name, strerror(-r));
		goto out;
	}
	if (o.persistent)
		r = store_flags(&v, &key, a.m.flags, a.name);
out:
	free(params);
	keyring_drop(serial);
	secret_free(&key);
	if (have_vol)
		vol_close(&v);
	return r;
}
