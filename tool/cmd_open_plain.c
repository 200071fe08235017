// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil open --plain: a headerless mapping. Its key is read raw from a key
 * file (for swap: --key-file /dev/urandom, a new key every boot), or hashed
 * from a passphrase as cryptsetup's plain mode does, with cryptsetup's plain
 * defaults, so existing plain dm-crypt volumes open. Nothing on the device
 * says it is encrypted, so nothing is checked either: a wrong passphrase
 * maps garbage, as with cryptsetup.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "veil.h"
#include "commands.h"

int cmd_open_plain(struct veil_opts *o)
{
	struct secret key = { 0 };
	struct mapping m = { 0 };
	struct dm_info_lite info;
	char dev[PATH_MAX], desc[MAPPING_KEY_DESC_MAX], dm_uuid[MAPPING_DM_UUID_MAX];
	/* A key file keeps veil's default cipher (swap and veiltab rely on it); a
	 * passphrase takes cryptsetup's plain defaults, so its volumes open. */
	bool passphrase = !o->key_file;
	const char *cipher = o->cipher ? o->cipher :
			     passphrase ? plain_default_cipher : VEIL_DEFAULT_CIPHER;
	const char *hash = o->hash ? o->hash : plain_default_hash;
	unsigned int sector = o->sector_size ? o->sector_size : 512;
	uint32_t key_bytes;
	uint64_t bytes, sectors;
	const char *name;
	int loopfd = -1, r;

	if (o->given & (OPT_HEADER | OPT_KEY_SLOT | OPT_TEST_PASSPHRASE | OPT_TRIES |
			OPT_PERSISTENT | OPT_VOLUME_KEY_FILE))
		return fail(-EINVAL, "--header, --key-slot, --tries, --persistent, "
			    "--volume-key-file and --test-passphrase do not apply to --plain");
	if (want_args(o, 2, 2, "DEVICE NAME"))
		return -EINVAL;
	name = o->argv[1];
	if (name_check(name))
		return -EINVAL;
	if (o->hash && !passphrase)
		return fail(-EINVAL, "--hash applies to a passphrase; a --key-file is used raw in "
			    "plain mode, as cryptsetup does (drop --hash, or pipe the passphrase)");
	key_bytes = o->key_bits ? o->key_bits / 8 :
		    passphrase && !o->cipher ? plain_default_key_bits / 8 :
		    veil_cipher_default_key_size(cipher);
	if (veil_cipher_check(cipher, key_bytes))
		return fail(-EINVAL, "cipher %s with a %u-bit key is not supported: %s", cipher,
			    key_bytes * 8, veil_error_detail());
	if (o->keyfile_size && o->keyfile_size != key_bytes)
		return fail(-EINVAL, "--keyfile-size %llu does not match --key-size %u bits",
			    (unsigned long long)o->keyfile_size, key_bytes * 8);
	if (!dm_available())
		return fail(-ENODEV, "device-mapper is not available "
			    "(no /dev/mapper/control or dm-mod not loaded)");
	if (!dm_query(name, &info))
		return fail(-EEXIST, "a mapping named %s already exists", name);
	r = path_size_bytes(o->argv[0], &bytes);
	if (r)
		return fail(r, "%s: %s", o->argv[0], strerror(-r));
	sectors = bytes / 512;
	if (o->offset >= sectors)
		return fail(-EINVAL, "%s: --offset %llu is beyond the end of the device (%llu sectors)",
			    o->argv[0], (unsigned long long)o->offset, (unsigned long long)sectors);
	sectors -= o->offset;
	if (o->size) {
		if (o->size > sectors)
			return fail(-EINVAL, "%s: --size %llu goes beyond the end of the device",
				    o->argv[0], (unsigned long long)o->size);
		sectors = o->size;
	}
	sectors -= sectors % (sector / 512);
	if (!sectors || o->offset % (sector / 512))
		return fail(-EINVAL, "%s: the mapping would be empty or --offset is not a multiple "
			    "of the sector size", o->argv[0]);
	if (passphrase) {
		struct secret pass = { 0 };
		char prompt[PATH_MAX + 32];

		snprintf(prompt, sizeof(prompt), "Enter passphrase for %s: ", o->argv[0]);
		r = get_secret(o, prompt, &pass);
		if (r)
			return r ? r : -EINVAL;
		r = plain_key_from_passphrase(o->argv[0], cipher, hash, key_bytes, &pass, &key);
		secret_free(&pass);
		if (r)
			return fail(r, "cannot hash the passphrase with %s for %s (%u bits): %s",
				    hash, cipher, key_bytes * 8, strerror(-r));
	} else {
		r = read_keyfile(o->key_file, o->keyfile_offset, key_bytes, &key);
		if (r)
			return r;
	}
	r = data_device(o->argv[0], o->readonly, dev, sizeof(dev), &loopfd);
	if (r)
		goto out;
	if (mapping_plain_key_desc(name, desc, sizeof(desc)) ||
	    mapping_plain_dm_uuid(name, dm_uuid, sizeof(dm_uuid))) {
		r = fail(-EINVAL, "%s: cannot name the mapping", name);
		goto out;
	}
	m.target = o->target ? o->target : "veil";
	m.cipher = cipher;
	m.key_desc = desc;
	m.iv_offset = o->skip;
	m.device = dev;
	m.offset = o->offset;
	m.len = sectors;
	m.sector_size = sector;
	m.iv_large_sectors = o->iv_large_sectors;
	m.flags = o->map_flags;
	m.readonly = o->readonly;
	r = open_mapping(name, dm_uuid, &m, &key, o);
out:
	if (loopfd >= 0)
		close(loopfd);
	secret_free(&key);
	return r;
}
