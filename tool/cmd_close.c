// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil close: remove the mapping, then anything it leaves: a keyring key
 * named after it, and the autoclear loop device open attached (the kernel
 * detaches it on last close; we wait for that so the caller sees it gone).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "veil.h"
#include "commands.h"

static bool loop_autoclear(const char *loopdev)
{
	char path[PATH_MAX], c = '0';
	const char *base = strrchr(loopdev, '/');
	FILE *f;

	snprintf(path, sizeof(path), "/sys/block/%s/loop/autoclear", base ? base + 1 : loopdev);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fread(&c, 1, 1, f) != 1)
		c = '0';
	fclose(f);
	return c == '1';
}

/* Number of holders of a dm device in sysfs (a stacked dm, md, ...). */
static int holders(uint32_t major, uint32_t minor)
{
	char path[96];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/holders", major, minor);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

int cmd_close(int argc, char *argv[])
{
	struct veil_opts o;
	struct dm_info_lite info;
	struct dm_target_line t = { 0 };
	struct mapping m;
	struct mapping_owner owner;
	char cipher[64], desc[160] = "", tdesc[160], dev[64], backing[PATH_MAX] = "";
	uint32_t major, minor;
	const char *name;
	int r;

	if (parse_options(argc, argv, 0, &o) || want_args(&o, 1, 1, "NAME"))
		return -EINVAL;
	name = o.argv[0];
	if (!dm_available())
		return fail(-ENODEV, "device-mapper is not available");
	r = dm_query(name, &info);
	if (r)
		return fail(-ENODEV, "%s is not active", name);
	if (!mapping_is_ours(info.uuid))
		return fail(-EINVAL, "%s is not a veil mapping (DM UUID '%s'); use dmsetup remove",
			    name, info.uuid);
	/* udev's probe after a change holds the device for a moment: wait it out. */
	for (int i = 0; i < 20 && info.open_count > 0 && !holders(info.major, info.minor); i++) {
		usleep(100000);
		if (dm_query(name, &info))
			return fail(-ENODEV, "%s disappeared while closing", name);
	}
	if (info.open_count > 0 || holders(info.major, info.minor))
		return fail(-EBUSY, "%s is in use (open count %d, %d holders): unmount it or "
			    "close what uses /dev/mapper/%s first", name, info.open_count,
			    holders(info.major, info.minor), name);
	if (!mapping_dm_uuid_parse(info.uuid, &owner))
		snprintf(desc, sizeof(desc), "%s", owner.key_desc);
	if (!dm_table(name, &t)) {
		if (!mapping_parse(t.params, &m, cipher, sizeof(cipher), tdesc, sizeof(tdesc),
				   dev, sizeof(dev)) &&
		    !dm_deps_first(name, &major, &minor) &&
		    !devno_path(major, minor, dev, sizeof(dev)) && loop_autoclear(dev))
			loop_backing_file(dev, backing, sizeof(backing));
		dm_line_free(&t);
	}
	r = dm_remove(name, true);
	if (r == -EBUSY)
		return fail(r, "%s is busy: something opened it while we were closing", name);
	if (r)
		return fail(r, "cannot remove %s: %s", name, strerror(-r));
	if (*desc)
		keyring_drop_desc(desc);
	/* Autoclear runs on the loop's last close, which udev may delay. */
	for (int i = 0; *backing && i < 100; i++) {
		char still[PATH_MAX];

		if (loop_backing_file(dev, still, sizeof(still)) || strcmp(still, backing))
			break;
		usleep(20000);
	}
	return 0;
}
