// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A mapping into the kernel: the key goes into the keyring, the table
 * (built by mapping.c) into device-mapper, and the key out of the keyring
 * again, since the target holds its own copy from construction on. When
 * the veil target is missing, mapping_fallback() decides whether to offer
 * the stock dm-crypt target, which reads the same ciphertext.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "veil.h"

int mapping_load(const char *name, const char *dm_uuid, struct mapping *m,
		 const struct secret *key)
{
	int32_t serial = 0;
	char *params;
	int r;

	m->key_bytes = (unsigned int)key->len;
	r = keyring_add_logon(m->key_desc, key->data, key->len, &serial);
	if (r)
		return r;
	params = mapping_params(m);
	if (!params) {
		keyring_drop(serial);
		return -ENOMEM;
	}
	r = dm_create(name, dm_uuid, m->target, m->len, params, m->readonly);
	keyring_drop(serial);
	free(params);
	return r;
}

/* Is the veil target unusable? Loading a table autoloads dm-veil, so this
 * is asked only after a failed create. */
static bool veil_target_missing(void)
{
	uint32_t ver[3];

	return dm_target_version("veil", ver) == -ENOENT;
}

/*
 * Say why the veil target is missing: most often no dm-veil.ko was built for
 * the running kernel (a new kernel without DKMS, or DKMS that failed). The
 * module index, modules.dep, is what modprobe reads; VEIL_MODULES_DIR stands
 * in for /lib/modules/<release> in tests.
 */
static void explain_missing_target(void)
{
	char dir[512], path[600], line[1024];
	const char *override = getenv("VEIL_MODULES_DIR");
	struct utsname u;
	bool found = false;
	FILE *f;

	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	if (override && *override)
		snprintf(dir, sizeof(dir), "%s", override);
	else
		snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (colon) {
			*colon = 0;
			found = strstr(line, "/dm-veil.ko") != NULL || !strncmp(line, "dm-veil.ko", 10);
		}
	}
	if (f)
		fclose(f);
	if (found)
		err_msg("the veil target is not available in this kernel: dm-veil for kernel %s "
			"is installed in %s but did not load (see dmesg)", u.release, dir);
	else
		err_msg("the veil target is not available in this kernel: no dm-veil module "
			"for kernel %s in %s (install veil-dkms, or run make install-module)",
			u.release, dir);
}

/* The table's flags that the loaded veil target is too old to know. */
static uint32_t flags_too_new(const struct mapping *m, uint32_t *minor)
{
	uint32_t ver[3];

	if (strcmp(m->target, "veil") || dm_target_version("veil", ver) || ver[0] != 1)
		return 0;
	*minor = ver[1];
	return mapping_flags_newer(m->flags, ver[1]);
}

/* Create the mapping; when the veil target is missing, offer dm-crypt. */
int open_mapping(const char *name, const char *dm_uuid, struct mapping *m,
		 const struct secret *key, const struct veil_opts *o)
{
	uint32_t cannot = mapping_flags_unsupported(m->target, m->flags);
	bool given = o->target != NULL;
	uint32_t too_new, minor = 0;
	int r;

	/*
	 * A flag the target would refuse (or ignore) is said here, by name:
	 * the header's persistent set is either applied or the open refused.
	 */
	if (cannot)
		return fail(-EINVAL, "cannot map %s: the %s target does not implement %s "
			    "(a dm-crypt performance flag, from the header's persistent flags "
			    "or the command line); open it with --target crypt, or without the "
			    "flag: 'veil open --persistent' stores only the flags it is given",
			    name, m->target, mapping_flag_word(cannot));
	r = mapping_load(name, dm_uuid, m, key);

	if (mapping_fallback_possible(r, m->target, given)) {
		switch (mapping_fallback(r, m->target, given, veil_target_missing(),
					 !o->batch && have_tty())) {
		case FALLBACK_NONE:
			break;
		case FALLBACK_REFUSE:
			explain_missing_target();
			err_msg("use --target crypt to map %s with the stock dm-crypt target", name);
			return -ENODEV;
		case FALLBACK_ASK:
			explain_missing_target();
			if (confirm_yes("Map the volume with the stock dm-crypt target instead?\n"
					"The data is the same; only the kernel target differs."))
				return -ENODEV;
			m->target = "crypt";
			r = mapping_load(name, dm_uuid, m, key);
			break;
		}
	}
	if (r == -EEXIST || r == -EBUSY)
		err_msg("cannot create mapping %s: a device with that name already exists", name);
	else if (r && (too_new = flags_too_new(m, &minor)))
		err_msg("cannot create mapping %s: the loaded dm-veil (1.%u) is too old for %s "
			"(from the command line or the header's persistent flags); update the "
			"module, or open with --persistent and without the flag", name, minor,
			mapping_flag_word(too_new));
	else if (r)
		err_msg("cannot create mapping %s with the %s target on %s: %s (see dmesg)",
			name, m->target, m->device, strerror(-r));
	return r;
}

int name_check(const char *name)
{
	const char *why;
	int r = mapping_name_check(name, &why);

	if (r)
		err_msg("invalid mapping name '%s': %s", name, why);
	return r;
}

/* /dev path of a block device number, through sysfs. */
int devno_path(uint32_t major, uint32_t minor, char *out, size_t outlen)
{
	char path[64], line[256];
	FILE *f;
	int r = -ENOENT;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", major, minor);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "DEVNAME=", 8)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(out, outlen, "/dev/%s", line + 8);
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}
