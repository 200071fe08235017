// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The I/O abstraction: fd-backed and memory-backed devices, plus the
 * helpers the rest of the library uses so every access is checked.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

struct fd_ctx {
	int fd;
	bool owned;
};

/* pread or pwrite until len bytes are done: short transfers and EINTR
 * continue, end of file is -EIO. */
static int fd_xfer(struct fd_ctx *f, uint8_t *p, size_t len, uint64_t off, bool write)
{
	while (len) {
		ssize_t n = write ? pwrite(f->fd, p, len, (off_t)off) :
				    pread(f->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int fd_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	return fd_xfer(ctx, buf, len, off, false);
}

static int fd_pwrite(void *ctx, const void *buf, size_t len, uint64_t off)
{
	/* pwrite never writes through p; the cast only shares the loop. */
	return fd_xfer(ctx, (uint8_t *)buf, len, off, true);
}

static int fd_sync(void *ctx)
{
	struct fd_ctx *f = ctx;

	return fsync(f->fd) ? -errno : 0;
}

static void fd_close(void *ctx)
{
	struct fd_ctx *f = ctx;

	if (f->owned)
		close(f->fd);
	free(f);
}

int veil_io_from_fd(struct veil_io *io, int fd, bool read_only)
{
	struct fd_ctx *f;
	struct stat st;
	uint64_t size;

	veil_error_clear();
	memset(io, 0, sizeof(*io));
	if (fstat(fd, &st))
		return veil_fail(-errno, "cannot stat device: %s", strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &size))
			return veil_fail(-errno, "cannot get device size: %s",
					 strerror(errno));
	} else if (S_ISREG(st.st_mode)) {
		size = (uint64_t)st.st_size;
	} else {
		return veil_fail(-ENODEV, "not a block device or regular file");
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return veil_fail(-ENOMEM, "out of memory");
	f->fd = fd;
	io->ctx = f;
	io->pread = fd_pread;
	io->pwrite = fd_pwrite;
	io->sync = fd_sync;
	io->close = fd_close;
	io->size = size;
	io->read_only = read_only;
	return 0;
}

int veil_io_open_path(struct veil_io *io, const char *path, bool read_only)
{
	int fd, r;

	veil_error_clear();
	fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return veil_fail(-errno, "cannot open %s: %s", path,
				 strerror(errno));
	r = veil_io_from_fd(io, fd, read_only);
	if (r) {
		close(fd);
		return r;
	}
	((struct fd_ctx *)io->ctx)->owned = true;
	return 0;
}

/*
 * The memory device's ctx is the buffer itself, so it needs no allocation
 * and no close: tests may create and drop them freely. Bounds are checked
 * against io->size by veil_io_read/veil_io_write before these are called.
 */
static int mem_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	memcpy(buf, (uint8_t *)ctx + off, len);
	return 0;
}

static int mem_pwrite(void *ctx, const void *buf, size_t len, uint64_t off)
{
	memcpy((uint8_t *)ctx + off, buf, len);
	return 0;
}

static int mem_sync(void *ctx)
{
	(void)ctx;
	return 0;
}

void veil_io_from_memory(struct veil_io *io, uint8_t *buf, uint64_t size,
			 bool read_only)
{
	memset(io, 0, sizeof(*io));
	io->ctx = buf;
	io->pread = mem_pread;
	io->pwrite = mem_pwrite;
	io->sync = mem_sync;
	io->size = size;
	io->read_only = read_only;
}

void veil_io_close(struct veil_io *io)
{
	if (!io)
		return;
	if (io->close)
		io->close(io->ctx);
	memset(io, 0, sizeof(*io));
}

/* Bounds, then the backend; a failure names the offset. A write never
 * writes through buf: the cast in veil_io_write only shares this path. */
static int io_xfer(struct veil_io *io, void *buf, size_t len, uint64_t off, bool write)
{
	const char *what = write ? "write" : "read";
	int r;

	if (write && io->read_only)
		return veil_fail(-EROFS, "device is opened read-only");
	if (write ? !io->pwrite : !io->pread)
		return veil_fail(-EIO, "no I/O backend");
	if (off > io->size || len > io->size - off)
		return veil_fail(write ? -ENOSPC : -EIO, "%s of %zu bytes at %llu beyond "
				 "the end of the device (%llu bytes)", what, len,
				 (unsigned long long)off, (unsigned long long)io->size);
	r = write ? io->pwrite(io->ctx, buf, len, off) : io->pread(io->ctx, buf, len, off);
	if (r)
		return veil_fail(r < 0 ? r : -EIO, "%s at offset %llu failed: %s", what,
				 (unsigned long long)off, strerror(r < 0 ? -r : EIO));
	return 0;
}

int veil_io_read(struct veil_io *io, void *buf, size_t len, uint64_t off)
{
	return io_xfer(io, buf, len, off, false);
}

int veil_io_write(struct veil_io *io, const void *buf, size_t len,
		  uint64_t off)
{
	return io_xfer(io, (void *)buf, len, off, true);
}

int veil_io_sync(struct veil_io *io)
{
	int r;

	if (!io->sync)
		return 0;
	r = io->sync(io->ctx);
	if (r)
		return veil_fail(r < 0 ? r : -EIO, "sync failed: %s",
				 strerror(r < 0 ? -r : EIO));
	return 0;
}

int veil_io_wipe(struct veil_io *io, uint64_t off, uint64_t len)
{
	const size_t chunk = VEIL_MIB;
	uint8_t *buf;
	int r = 0;

	buf = malloc(chunk);
	if (!buf)
		return veil_fail(-ENOMEM, "out of memory");
	while (len && !r) {
		size_t n = len > chunk ? chunk : (size_t)len;

		r = veil_random(buf, n);
		if (!r)
			r = veil_io_write(io, buf, n, off);
		off += n;
		len -= n;
	}
	free(buf);
	return r;
}
