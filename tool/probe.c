// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What is already on a device, as libblkid sees it: any filesystem, RAID
 * member, LUKS or veil superblock, or partition table. format refuses to
 * overwrite any of them without --force.
 */
#include <blkid/blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "veil.h"

/* 1 and a description when something is found, 0 when clean, -errno. */
int probe_signatures(const char *device, char *what, size_t whatlen)
{
	blkid_probe pr = blkid_new_probe_from_filename(device);
	const char *type = NULL, *usage = NULL, *pttype = NULL;
	int r;

	if (!pr)
		return -errno ? -errno : -EINVAL;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE |
					  BLKID_SUBLKS_BADCSUM);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
	r = blkid_do_safeprobe(pr);
	if (r == 0) {
		blkid_probe_lookup_value(pr, "TYPE", &type, NULL);
		blkid_probe_lookup_value(pr, "USAGE", &usage, NULL);
		blkid_probe_lookup_value(pr, "PTTYPE", &pttype, NULL);
		if (type)
			snprintf(what, whatlen, "a %s signature%s%s%s", type,
				 usage ? " (" : "", usage ? usage : "", usage ? ")" : "");
		else if (pttype)
			snprintf(what, whatlen, "a %s partition table", pttype);
		else
			snprintf(what, whatlen, "a signature");
		r = 1;
	} else if (r == -2) {
		snprintf(what, whatlen, "several conflicting signatures");
		r = 1;
	} else if (r == 1) {
		r = 0;
	} else {
		r = -EIO;
	}
	blkid_free_probe(pr);
	return r;
}

/* Erase every signature libblkid finds (format --force does this first, so
 * an old signature outside the new header cannot confuse later probes). */
int probe_wipe(const char *device)
{
	blkid_probe pr;
	int fd, r = 0;

	fd = open(device, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	pr = blkid_new_probe();
	if (!pr || blkid_probe_set_device(pr, fd, 0, 0)) {
		r = -ENOMEM;
		goto out;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_MAGIC | BLKID_SUBLKS_BADCSUM);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
	while (blkid_do_probe(pr) == 0) {
		if (blkid_do_wipe(pr, 0)) {
			r = -EIO;
			break;
		}
	}
	if (!r && fsync(fd))
		r = -errno;
out:
	if (pr)
		blkid_free_probe(pr);
	close(fd);
	return r;
}
