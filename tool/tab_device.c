// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Finding the device a veiltab entry names. udev's /dev/disk/by-* links
 * come first (they include veil headers' UUID and label through the veil
 * udev rule); without udev (initramfs, containers) libblkid's cache-free
 * evaluation finds filesystems and partitions, and for UUID= and LABEL= a
 * scan of /sys/class/block finds veil headers, which libblkid does not know.
 */
#include <blkid/blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "veil.h"
#include "tab.h"

int tab_probe_veil(const char *device, char *uuid, size_t uuidlen, char *label,
		   size_t labellen)
{
	uint8_t magic[VEIL_MAGIC_LEN];
	struct veil_io io;
	struct veil_volume *vol = NULL;
	char u[VEIL_UUID_STR_LEN + 1];
	ssize_t n;
	int fd, r;

	/* The cheap test first: one small read, as udev runs this on every disk. */
	fd = open(device, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	n = pread(fd, magic, sizeof(magic), 0);
	if (n != (ssize_t)sizeof(magic) || !veil_probe_magic(magic, sizeof(magic))) {
		close(fd);
		return -ENODEV;
	}
	r = veil_io_from_fd(&io, fd, true);
	if (r) {
		close(fd);
		return r;
	}
	r = veil_load(&io, 0, &vol, NULL);
	if (!r) {
		const struct veil_header *h = veil_volume_header(vol);

		veil_uuid_unparse(h->uuid, u);
		snprintf(uuid, uuidlen, "%s", u);
		snprintf(label, labellen, "%s", h->label);
	}
	veil_volume_free(vol);
	veil_io_close(&io);
	close(fd);
	return r;
}

/* Scans block devices for a veil header with this UUID or label. */
static int scan_veil(const char *tag, const char *value, char *out, size_t outlen)
{
	DIR *d = opendir("/sys/class/block");
	struct dirent *de;
	int r = -ENOENT;

	if (!d)
		return -ENOENT;
	while (r && (de = readdir(d))) {
		char dev[300], uuid[64], label[VEIL_LABEL_SIZE + 1];

		if (de->d_name[0] == '.')
			continue;
		snprintf(dev, sizeof(dev), "/dev/%s", de->d_name);
		if (tab_probe_veil(dev, uuid, sizeof(uuid), label, sizeof(label)))
			continue;
		if ((!strcmp(tag, "UUID") && !strcasecmp(uuid, value)) ||
		    (!strcmp(tag, "LABEL") && !strcmp(label, value))) {
			snprintf(out, outlen, "%s", dev);
			r = 0;
		}
	}
	closedir(d);
	return r;
}

static int resolve_once(const char *spec, char *out, size_t outlen)
{
	const char *tag, *value;
	char enc[1024], link[1200], lower[16];
	struct stat st;
	char *dev;

	tag = veiltab_spec_tag(spec, &value);
	if (!tag) {
		if (stat(spec, &st))
			return -errno;
		snprintf(out, outlen, "%s", spec);
		return 0;
	}
	for (size_t i = 0; tag[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)(tag[i] | 0x20), lower[i + 1] = 0;
	if (!blkid_encode_string(value, enc, sizeof(enc))) {
		snprintf(link, sizeof(link), "/dev/disk/by-%s/%s", lower, enc);
		if (!stat(link, &st) && S_ISBLK(st.st_mode)) {
			snprintf(out, outlen, "%s", link);
			return 0;
		}
	}
	dev = blkid_evaluate_tag(tag, value, NULL);
	if (dev) {
		snprintf(out, outlen, "%s", dev);
		free(dev);
		return 0;
	}
	if (!strcmp(tag, "UUID") || !strcmp(tag, "LABEL"))
		return scan_veil(tag, value, out, outlen);
	return -ENOENT;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int tab_resolve(const char *spec, unsigned int timeout_s, char *out, size_t outlen)
{
	uint64_t end = now_ms() + (uint64_t)timeout_s * 1000;
	bool said = false;
	int r;

	/* Devices appear when the kernel and udev are done with them; there is
	 * no event to wait on without udev, so look again every 200 ms. */
	while ((r = resolve_once(spec, out, outlen)) == -ENOENT && now_ms() < end) {
		if (!said) {
			fprintf(stderr, "veil: waiting up to %us for %s\n", timeout_s, spec);
			said = true;
		}
		poll(NULL, 0, 200);
	}
	return r;
}
