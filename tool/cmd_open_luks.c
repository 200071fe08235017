// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil open --luks: libcryptsetup unlocks a LUKS1 or LUKS2 volume to its
 * volume key, and the veil target maps it as for a veil volume (the key
 * handed over as the logon key veil:<uuid>). The LUKS header is only read.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libcryptsetup.h>
#include <uuid/uuid.h>

#include "commands.h"
#include "luks.h"

int cmd_open_luks(struct veil_opts *o)
{
	struct luks_vol l = { 0 };
	struct secret vk = { 0 };
	struct mapping m = { 0 };
	struct dm_info_lite info;
	char dev[PATH_MAX], desc[64], dm_uuid[200];
	const char *name = o->argc > 1 ? o->argv[1] : NULL;
	const char *uuid;
	uint64_t size = 0, off, len;
	uint8_t bin[VEIL_UUID_SIZE];
	int loopfd = -1, slot = -1, r;

	if (want_args(o, o->test_passphrase ? 1 : 2, 2, "DEVICE NAME"))
		return -EINVAL;
	if (name && name_check(name))
		return -EINVAL;
	if (!o->test_passphrase) {
		if (!dm_available())
			return fail(-ENODEV, "device-mapper is not available "
				    "(no /dev/mapper/control or dm-mod not loaded)");
		if (!dm_query(name, &info))
			return fail(-EEXIST, "%s: a mapping named %s already exists", o->argv[0], name);
	}
	r = luks_load(&l, o->argv[0], o->header);
	/* As cryptsetup: --type luks1 or luks2 opens only that version. */
	if (!r && o->luks_type && strcmp(o->luks_type, "luks") &&
	    strcasecmp(o->luks_type, l.type))
		r = fail(-ENODEV, "%s is %s, not %s; give --type luks (or --luks) to open "
			 "either", o->argv[0], l.type, o->luks_type);
	if (!r)
		r = luks_check_mappable(&l);
	if (r)
		goto out;
	uuid = crypt_get_uuid(l.cd);
	if (!uuid || uuid_parse(uuid, bin)) {
		r = fail(-EINVAL, "%s: the LUKS UUID is not an RFC 4122 UUID", o->argv[0]);
		goto out;
	}
	r = path_size_bytes(o->argv[0], &size);
	if (r) {
		r = fail(r, "%s: cannot get its size: %s", o->argv[0], strerror(-r));
		goto out;
	}
	r = luks_data_range(&l, size, &off, &len);
	if (r)
		goto out;
	r = luks_unlock(&l, o, &vk, NULL, &slot);
	if (r)
		goto out;
	if (o->test_passphrase) {
		fprintf(stderr, "Key slot %d unlocked.\n", slot);
		if (verbosity)
			fprintf(stderr, "Data: %llu sectors from sector %llu%s.\n",
				(unsigned long long)len, (unsigned long long)off,
				l.data_size ? " (the LUKS2 segment's fixed size)" : "");
		goto out;
	}
	r = data_device(o->argv[0], o->readonly, dev, sizeof(dev), &loopfd);
	if (r)
			goto out;
	if (mapping_key_desc(uuid, desc, sizeof(desc)) ||
	    mapping_dm_uuid(uuid, name, dm_uuid, sizeof(dm_uuid))) {
		r = fail(-EINVAL, "%s: cannot name the mapping of volume %s", name, uuid);
		goto out;
	}
	m.target = o->target ? o->target : "veil";
	m.cipher = l.cipher;
	m.key_desc = desc;
	m.iv_offset = l.iv_offset;
	m.device = dev;
	m.offset = off;
	m.len = len;
	m.sector_size = l.sector_size;
	m.iv_large_sectors = false;	/* LUKS counts IVs in 512-byte sectors */
	m.flags = l.flags | o->map_flags;
	m.readonly = o->readonly;
	r = open_mapping(name, dm_uuid, &m, &vk, o);
out:
	if (loopfd >= 0)
		close(loopfd);
	secret_free(&vk);
	luks_free(&l);
	return r;
}
