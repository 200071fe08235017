// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * swap and tmp entries: a plain mapping with a fresh key from the kernel
 * RNG (read by "veil open --plain" straight from /dev/urandom, never
 * stored), then mkswap or mkfs. The source device is probed first: any
 * signature other than swap (a filesystem, LUKS, veil, a partition table,
 * a RAID member) means the table points at the wrong disk (sdb became
 * sda), and nothing is written. The mapped device is probed again before
 * mkswap, so a mapping that somehow shows content is never formatted.
 */
#include <blkid/blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "veil.h"
#include "tab.h"

/*
 * Returns 0 when dev has no signature (or only what allow names), 1 with a
 * description of what is there, or -errno when it cannot be probed (which
 * the callers treat as a refusal too).
 */
static int probe_foreign(const char *dev, const char *allow, char *what, size_t whatlen)
{
	uint8_t magic[VEIL_MAGIC_LEN];
	blkid_probe pr;
	const char *type = NULL, *pttype = NULL;
	int fd, r;

	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* libblkid does not know veil headers. */
	if (pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
	    veil_probe_magic(magic, sizeof(magic))) {
		close(fd);
		snprintf(what, whatlen, "a veil header");
		return 1;
	}
	pr = blkid_new_probe();
	if (!pr || blkid_probe_set_device(pr, fd, 0, 0)) {
		if (pr)
			blkid_free_probe(pr);
		close(fd);
		return -ENOMEM;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_BADCSUM);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
	r = blkid_do_safeprobe(pr);
	if (r == 0) {
		blkid_probe_lookup_value(pr, "TYPE", &type, NULL);
		blkid_probe_lookup_value(pr, "PTTYPE", &pttype, NULL);
		if (type && allow && !strcmp(type, allow) && !pttype)
			r = 0;
		else if (type)
			snprintf(what, whatlen, "a %s signature", type), r = 1;
		else
			snprintf(what, whatlen, "a %s partition table", pttype ? pttype : "?"), r = 1;
	} else if (r == -2) {
		snprintf(what, whatlen, "several conflicting signatures");
		r = 1;
	} else if (r == 1) {
		r = 0;
	} else {
		r = -EIO;
	}
	blkid_free_probe(pr);
	close(fd);
	return r;
}

int tab_fs_type(const char *dev, char *type, size_t typelen)
{
	blkid_probe pr = blkid_new_probe_from_filename(dev);
	const char *t = NULL;
	int r = -ENOENT;

	if (!pr)
		return -ENOENT;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	if (blkid_do_safeprobe(pr) == 0 && !blkid_probe_lookup_value(pr, "TYPE", &t, NULL) && t) {
		snprintf(type, typelen, "%s", t);
		r = 0;
	}
	blkid_free_probe(pr);
	return r;
}

/* A fresh filesystem's root is 0755; a /tmp needs 1777 (as cryptdisks does). */
static int tmp_sticky(const struct veiltab_entry *e, const char *mapped)
{
	char dir[PATH_MAX];
	int r = 0;

	mkdir("/run/veil", 0700);
	snprintf(dir, sizeof(dir), "/run/veil/tmp-%s", e->name);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	if (mount(mapped, dir, e->tmp_fstype, MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
		r = -errno;
		err_msg("%s: cannot mount the new %s filesystem to set its mode: %s", e->name,
			e->tmp_fstype, strerror(errno));
	} else {
		if (chmod(dir, 01777))
			r = -errno;
		if (umount2(dir, 0) && !r)
			r = -errno;
	}
	rmdir(dir);
	return r;
}

static void close_mapping(const char *name)
{
	char *argv[] = { "veil", "close", (char *)name, NULL };

	tab_run_veil(argv, -1);
}

int tab_open_random(const struct veiltab_entry *e, const char *dev)
{
	const char *what = e->flags & VT_SWAP ? "swap" : "tmp";
	char found[128], mapped[PATH_MAX], mkfs[64];
	char nums[6][24];
	char *argv[32];
	uint8_t one;
	int n = 0, r;

	r = probe_foreign(dev, "swap", found, sizeof(found));
	if (r) {
		if (r < 0)
			return fail(r, "%s: cannot probe %s: %s; refusing to set up %s", e->name,
				    dev, strerror(-r), what);
		return fail(-EEXIST, "%s: refusing to set up %s on %s: it holds %s. Nothing was "
			    "written. If this is the right device, erase the signature "
			    "(wipefs -a %s) and try again", e->name, what, dev, found, dev);
	}
	/* Block until the kernel RNG is initialised, so the key read from
	 * /dev/urandom below is never an early-boot weak one. */
	while (getrandom(&one, 1, 0) < 0 && errno == EINTR)
		;
	argv[n++] = "veil";
	argv[n++] = "open";
	argv[n++] = "--plain";
	argv[n++] = "--key-file";
	argv[n++] = "/dev/urandom";
	if (e->cipher) {
		argv[n++] = "--cipher";
		argv[n++] = e->cipher;
	}
#define NUM(opt, i, val)                                                     \
	do {                                                               \
		snprintf(nums[i], sizeof(nums[i]), "%llu", (unsigned long long)(val)); \
		argv[n++] = opt;                                           \
		argv[n++] = nums[i];                                     \
	} while (0)
	if (e->key_bits)
		NUM("--key-size", 0, e->key_bits);
	if (e->sector_size)
		NUM("--sector-size", 1, e->sector_size);
	if (e->offset)
		NUM("--offset", 2, e->offset);
	if (e->skip)
		NUM("--skip", 3, e->skip);
#undef NUM
	if (e->flags & VT_DISCARD)
		argv[n++] = "--allow-discards";
	if (e->flags & VT_NO_INLINE)
		argv[n++] = "--perf-no_inline";
	argv[n++] = (char *)dev;
	argv[n++] = e->name;
	argv[n] = NULL;
	r = tab_run_veil(argv, -1);
	if (r)
		return r;
	snprintf(mapped, sizeof(mapped), "/dev/mapper/%s", e->name);
	r = probe_foreign(mapped, NULL, found, sizeof(found));
	if (r) {
		close_mapping(e->name);
		return fail(r < 0 ? r : -EEXIST, "%s: the new mapping %s shows %s; not formatting "
			    "it", e->name, mapped, r < 0 ? "an unreadable device" : found);
	}
	if (e->flags & VT_SWAP) {
		char *mk[] = { "mkswap", mapped, NULL };

		r = tab_run("mkswap", mk);
	} else {
		char *mk[] = { mkfs, "-q", mapped, NULL };

		snprintf(mkfs, sizeof(mkfs), "mkfs.%s", e->tmp_fstype);
		if (strcmp(e->tmp_fstype, "ext2") && strcmp(e->tmp_fstype, "ext3") &&
		    strcmp(e->tmp_fstype, "ext4"))
			mk[1] = mapped, mk[2] = NULL;	/* -q is mke2fs's */
		r = tab_run(mkfs, mk);
		if (!r && tmp_sticky(e, mapped))
			r = EXIT_PARAMS;
	}
	if (r) {
		err_msg("%s: %s failed on %s", e->name, e->flags & VT_SWAP ? "mkswap" : mkfs, mapped);
		close_mapping(e->name);
		return r;
	}
	return EXIT_OK;
}
