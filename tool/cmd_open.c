// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil open: unlock the header, then map the data area with the volume key
 * handed over as the logon key veil:<uuid>. The stock dm-crypt target can
 * map the same volume (--target crypt), since the ciphertext is identical.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "veil.h"
#include "commands.h"

#define OPEN_OPTS (OPT_KEY_FILE | OPT_KEYFILE_OFFSET | OPT_KEYFILE_SIZE | OPT_KEY_SLOT | \
		   OPT_HEADER | OPT_READONLY | OPT_ALLOW_DISCARDS | OPT_TRIES | OPT_TIMEOUT | \
		   OPT_TEST_PASSPHRASE | OPT_TARGET | OPT_PLAIN | OPT_BATCH | OPT_CIPHER | \
		   OPT_KEY_SIZE | OPT_OFFSET | OPT_SKIP | OPT_SIZE | OPT_SECTOR_SIZE | \
		   OPT_IV_LARGE_SECTORS | OPT_LUKS | OPT_VOLUME_KEY_FILE | OPT_PERSISTENT | \
		   OPT_HASH)
#define PLAIN_ONLY (OPT_CIPHER | OPT_KEY_SIZE | OPT_OFFSET | OPT_SKIP | OPT_SIZE | \
		    OPT_SECTOR_SIZE | OPT_IV_LARGE_SECTORS | OPT_HASH)

/*
 * The mapping flags as the header's persistent set (open/refresh
 * --persistent); the other header flag bits are kept. Returns 0 or -errno.
 */
int store_flags(struct vol *v, const struct secret *vk, uint32_t flags, const char *device)
{
	uint32_t now = vol_header(v)->flags;
	int r;

	flags = (now & ~mapping_flag_bits()) | (flags & mapping_flag_bits());
	if (flags == now)
		return 0;
	r = veil_set_flags(v->vol, vk->vs, flags);
	secrets_signal_point();
	if (r)
		return vol_fail(r, device, "the mapping is active, but its flags could not be "
				"stored in the header");
	return 0;
}

/* DEVICE as a block device: itself, or a fresh autoclear loop on a file. */
int data_device(const char *device, bool readonly, char *dev, size_t devlen, int *loopfd)
{
	*loopfd = -1;
	if (is_regular_file(device)) {
		int fd = loop_attach(device, readonly, dev, devlen);

		if (fd < 0)
			return fd;
		*loopfd = fd;
		return 0;
	}
	if (!realpath(device, dev)) {
		int r = -errno;

		err_msg("%s: %s", device, strerror(errno));
		return r;
	}
	return 0;
}

int cmd_open(int argc, char *argv[])
{
	struct veil_opts o;
	struct vol v = { .fd = -1 };
	struct secret vk = { 0 };
	struct mapping m = { 0 };
	struct dm_info_lite info;
	const struct veil_header *h;
	char dev[PATH_MAX], uuid[VEIL_UUID_STR_LEN + 1], desc[MAPPING_KEY_DESC_MAX];
	char dm_uuid[MAPPING_DM_UUID_MAX];
	const char *name;
	uint64_t off, len;
	int loopfd = -1, slot = -1, r;

	if (parse_options(argc, argv, OPEN_OPTS, &o))
		return -EINVAL;
	if (o.plain)
		return cmd_open_plain(&o);
	if (o.luks && !(o.given & PLAIN_ONLY))
		return cmd_open_luks(&o);
	if (o.given & PLAIN_ONLY)
		return fail(-EINVAL, "--cipher, --key-size, --hash, --offset, --skip, --size, "
			    "--sector-size and --iv-large-sectors are for --plain; a veil header "
			    "has its own");
	if (o.persistent && o.test_passphrase)
		return fail(-EINVAL, "--persistent stores the flags of a mapping; "
			    "--test-passphrase makes none");
	if (want_args(&o, o.test_passphrase ? 1 : 2, 2, "DEVICE NAME"))
		return -EINVAL;
	name = o.argc > 1 ? o.argv[1] : NULL;
	if (name && name_check(name))
		return -EINVAL;
	if (!o.test_passphrase) {
		if (!dm_available())
			return fail(-ENODEV, "device-mapper is not available "
				    "(no /dev/mapper/control or dm-mod not loaded)");
		if (!dm_query(name, &info))
			return fail(-EEXIST, "%s: a mapping named %s already exists", o.argv[0], name);
	}
	r = vol_open(&v, o.argv[0], o.header, VOL_DATA | (o.persistent ? VOL_WRITE : 0));
	if (r)
		return r;
	if (o.volume_key_file)
		r = vol_volume_key(&v, &o, NULL, o.key_slot, &vk);
	else
		r = vol_unlock(&v, &o, &vk, &slot);
	if (r)
		goto out;
	if (o.test_passphrase) {
		if (slot >= 0)
			fprintf(stderr, "Key slot %d unlocked.\n", slot);
		else
			fprintf(stderr, "Volume key accepted.\n");
		goto out;
	}
	h = vol_header(&v);
	r = veil_volume_data_range(v.vol, v.data_dev_size, &off, &len);
	if (r) {
		r = vol_fail(r, o.argv[0], "no data area to map");
		goto out;
	}
	r = data_device(o.argv[0], o.readonly, dev, sizeof(dev), &loopfd);
	if (r)
		goto out;
	veil_uuid_unparse(h->uuid, uuid);
	if (mapping_key_desc(uuid, desc, sizeof(desc)) ||
	    mapping_dm_uuid(uuid, name, dm_uuid, sizeof(dm_uuid))) {
		r = fail(-EINVAL, "%s: cannot name the mapping of volume %s", name, uuid);
		goto out;
	}
	m.target = o.target ? o.target : "veil";
	m.cipher = h->segment.cipher;
	m.key_desc = desc;
	m.iv_offset = h->segment.iv_offset;
	m.device = dev;
	m.offset = off;
	m.len = len;
	m.sector_size = h->segment.sector_size;
	m.iv_large_sectors = h->segment.iv_large_sectors;
	/* --persistent: the flags given replace the stored ones; else they add to them. */
	m.flags = (o.persistent ? 0 : h->flags & mapping_flag_bits()) | o.map_flags;
	m.readonly = o.readonly;
	r = open_mapping(name, dm_uuid, &m, &vk, &o);
	if (!r && o.persistent)
		r = store_flags(&v, &vk, m.flags, o.argv[0]);
out:
	if (loopfd >= 0)
		close(loopfd);	/* the mapping holds the loop now; autoclear does the rest */
	secret_free(&vk);
	vol_close(&v);
	return r;
}
