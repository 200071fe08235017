// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A regular file used as DEVICE gets a loop device with LO_FLAGS_AUTOCLEAR:
 * the kernel detaches it when its last user (the mapping) goes away, so
 * close, a crash or a failed open never leaves one behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "veil.h"

bool is_regular_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static int configure(int loopfd, int filefd, const char *file, bool readonly)
{
	struct loop_config cfg;
	struct loop_info64 info;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (uint32_t)filefd;
	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR | (readonly ? LO_FLAGS_READ_ONLY : 0);
	memcpy(cfg.info.lo_file_name, file, strnlen(file, LO_NAME_SIZE - 1));
	if (!ioctl(loopfd, LOOP_CONFIGURE, &cfg))
		return 0;
	if (errno != EINVAL && errno != ENOTTY)
		return -errno;
	/* Kernels before 5.8: the two-step interface. */
	if (ioctl(loopfd, LOOP_SET_FD, filefd))
		return -errno;
	memset(&info, 0, sizeof(info));
	info.lo_flags = LO_FLAGS_AUTOCLEAR;
	memcpy(info.lo_file_name, file, strnlen(file, LO_NAME_SIZE - 1));
	if (ioctl(loopfd, LOOP_SET_STATUS64, &info)) {
		int r = -errno;

		ioctl(loopfd, LOOP_CLR_FD, 0);
		return r;
	}
	return 0;
}

/*
 * Attach file to a free loop device and name it in dev. The caller keeps no
 * descriptor: the loop stays bound only while the mapping built on it is,
 * so the caller must open (and hold) dev before this returns... which we do
 * by returning the open loop fd through the return value (>= 0).
 */
int loop_attach(const char *file, bool readonly, char *dev, size_t devlen)
{
	char path[PATH_MAX];
	int ctl, filefd, loopfd = -1, nr, r = -EBUSY;

	if (!realpath(file, path)) {
		err_msg("%s: %s", file, strerror(errno));
		return -ENOENT;
	}
	filefd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (filefd < 0) {
		r = -errno;
		err_msg("cannot open %s: %s", path, strerror(errno));
		return r;
	}
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		r = -errno;
		err_msg("%s is a regular file and needs a loop device, but /dev/loop-control: %s",
			path, strerror(errno));
		close(filefd);
		return r == -ENOENT ? -ENODEV : r;
	}
	/* Another process can grab the same free device; retry a few times. */
	for (int attempt = 0; attempt < 16; attempt++) {
		nr = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (nr < 0) {
			r = -errno;
			err_msg("no free loop device for %s: %s", path, strerror(errno));
			break;
		}
		snprintf(dev, devlen, "/dev/loop%d", nr);
		for (int wait = 0; wait < 50 && loopfd < 0; wait++) {
			loopfd = open(dev, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
			if (loopfd < 0 && errno == ENOENT)
				usleep(20000);	/* udev or devtmpfs still creating the node */
			else
				break;
		}
		if (loopfd < 0) {
			r = -errno;
			err_msg("cannot open %s: %s", dev, strerror(errno));
			break;
		}
		r = configure(loopfd, filefd, path, readonly);
		if (!r)
			break;
		close(loopfd);
		loopfd = -1;
		if (r != -EBUSY) {
			err_msg("cannot attach %s to %s: %s", path, dev, strerror(-r));
			break;
		}
	}
	close(ctl);
	close(filefd);
	return r ? r : loopfd;
}

/* The file behind a loop device, from sysfs; -ENOENT when not a loop. */
int loop_backing_file(const char *loopdev, char *out, size_t outlen)
{
	char path[PATH_MAX];
	const char *base = strrchr(loopdev, '/');
	FILE *f;

	base = base ? base + 1 : loopdev;
	if (strncmp(base, "loop", 4))
		return -ENOENT;
	snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", base);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	if (!fgets(out, (int)outlen, f)) {
		fclose(f);
		return -ENOENT;
	}
	fclose(f);
	out[strcspn(out, "\n")] = 0;
	return 0;
}

/* A loop device only sees its file grow when told (resize does this). */
int loop_refresh_capacity(const char *loopdev)
{
	int fd = open(loopdev, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, LOOP_SET_CAPACITY, 0))
		r = -errno;
	close(fd);
	return r;
}
