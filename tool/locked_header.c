// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Opening a veil volume's header for the subcommands: the device (or the
 * detached header file) is locked with flock, shared to read and exclusive
 * to write, and every write first checks that the header bytes on disk are
 * still the ones we parsed, so a writer that ignores the lock is detected
 * and nothing is written over its update.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "veil.h"

static int guarded_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct vol *v = ctx;

	return v->raw.pread(v->raw.ctx, buf, len, off);
}

static int guarded_pwrite(void *ctx, const void *buf, size_t len, uint64_t off)
{
	struct vol *v = ctx;

	if (!v->write_checked) {
		uint8_t *now = malloc(v->snap_len ? v->snap_len : 1);
		int r;

		if (!now)
			return -ENOMEM;
		r = v->raw.pread(v->raw.ctx, now, v->snap_len, 0);
		if (!r && memcmp(now, v->snap, v->snap_len))
			r = -EBUSY;
		free(now);
		if (r) {
			err_msg("%s: the header changed on disk since it was read "
				"(concurrent modification); nothing was written", v->hdr_path);
			v->concurrent = true;
			return r;
		}
		v->write_checked = true;
	}
	if (v->progress) {
		v->written += len;
		progress_update(v->progress, v->written);
	}
	return v->raw.pwrite(v->raw.ctx, buf, len, off);
}

static int guarded_sync(void *ctx)
{
	struct vol *v = ctx;

	return v->raw.sync(v->raw.ctx);
}

int device_size_bytes(int fd, uint64_t *bytes)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, bytes) ? -errno : 0;
	if (!S_ISREG(st.st_mode))
		return -ENOTBLK;
	*bytes = (uint64_t)st.st_size;
	return 0;
}

int path_size_bytes(const char *path, uint64_t *bytes)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = device_size_bytes(fd, bytes);
	close(fd);
	return r;
}

/* Report a library failure: the device, what we were doing, and why. */
int vol_fail(int r, const char *device, const char *doing)
{
	const char *detail = veil_error_detail();

	return fail(r, "%s: %s: %s", device, doing,
		    detail && *detail ? detail : veil_strerror(r));
}

/*
 * Lock and open the header of device (or header_file). flags: VOL_WRITE for
 * an update, VOL_NOLOAD to stop before parsing (format, restore, erase).
 * Returns an exit code, the message printed.
 */
int vol_open(struct vol *v, const char *device, const char *header_file, unsigned flags)
{
	bool write = flags & VOL_WRITE;
	int r;

	memset(v, 0, sizeof(*v));
	v->fd = -1;
	v->device = device;
	v->hdr_path = header_file ? header_file : device;
	v->fd = open(v->hdr_path, (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (v->fd < 0) {
		r = -errno;
		return fail(r, "cannot open %s: %s", v->hdr_path, strerror(errno));
	}
	if (flock(v->fd, (write ? LOCK_EX : LOCK_SH) | LOCK_NB)) {
		r = errno == EWOULDBLOCK ? -EBUSY : -errno;
		fail(r, "%s: header is locked by another veil process (%s); try again",
		     v->hdr_path, strerror(errno));
		goto fail;
	}
	r = veil_io_from_fd(&v->raw, v->fd, !write);
	if (r) {
		vol_fail(r, v->hdr_path, "cannot use it");
		goto fail;
	}
	if (header_file) {
		r = path_size_bytes(device, &v->data_dev_size);
		if (r) {
			fail(r, "%s: cannot get the data device size: %s", device, strerror(-r));
			goto fail;
		}
	} else {
		v->data_dev_size = v->raw.size;
	}
	v->snap_len = v->raw.size < VEIL_HDR_PARSE_LEN ? (size_t)v->raw.size : VEIL_HDR_PARSE_LEN;
	v->snap = malloc(v->snap_len ? v->snap_len : 1);
	if (!v->snap) {
		r = -ENOMEM;
		fail(r, "out of memory");
		goto fail;
	}
	r = v->raw.pread(v->raw.ctx, v->snap, v->snap_len, 0);
	if (r) {
		fail(r, "%s: cannot read the header: %s", v->hdr_path, strerror(-r));
		goto fail;
	}
	v->io = v->raw;
	v->io.ctx = v;
	v->io.pread = guarded_pread;
	v->io.pwrite = guarded_pwrite;
	v->io.sync = guarded_sync;
	v->io.close = NULL;
	if (flags & VOL_NOLOAD)
		return 0;
	r = veil_load(&v->io, write ? VEIL_LOAD_REPAIR : 0, &v->vol, &v->report);
	if (r) {
		if (r == -ENODEV)
			fail(r, "%s: not a veil device (no veil header found)", v->hdr_path);
		else
			vol_fail(r, v->hdr_path, "cannot read the veil header");
		goto fail;
	}
	for (int i = 0; i < 2; i++) {
		if (v->report.repaired[i])
			fprintf(stderr, "veil: %s: header copy %d was %s and has been repaired\n",
				v->hdr_path, i, veil_copy_status_str(v->report.copy[i]));
		else if (v->report.copy[i] != VEIL_COPY_OK)
			fprintf(stderr, "veil: %s: warning: header copy %d is %s%s%s\n",
				v->hdr_path, i, veil_copy_status_str(v->report.copy[i]),
				v->report.copy_detail[i][0] ? ": " : "", v->report.copy_detail[i]);
	}
	return 0;
fail:
	vol_close(v);
	return exit_code(r);
}

void vol_close(struct vol *v)
{
	if (v->vol)
		veil_volume_free(v->vol);
	v->vol = NULL;
	if (v->raw.close)
		veil_io_close(&v->raw);
	if (v->fd >= 0)
		close(v->fd);	/* drops the flock */
	v->fd = -1;
	free(v->snap);
	v->snap = NULL;
}

const struct veil_header *vol_header(const struct vol *v)
{
	return veil_volume_header(v->vol);
}

/*
 * Unlock: a key file is tried once; a terminal passphrase up to --tries
 * times (default 3). slot: -1 any, else only that one. On success vk (if
 * not NULL) holds the volume key and pass (if not NULL) the passphrase
 * that opened slot_out. Returns an exit code, the message printed.
 */
int vol_unlock_ex(struct vol *v, const struct veil_opts *o, const char *prompt, int slot,
		  struct secret *vk, struct secret *pass_out, int *slot_out)
{
	/* A key file or a pipe gives one answer (as cryptsetup): no retry. */
	unsigned int tries = o->key_file || !stdin_is_tty() ? 1 : (o->tries ? o->tries : 3);
	char buf[512];
	int r = -EPERM;

	if (!prompt) {
		snprintf(buf, sizeof(buf), "Enter passphrase for %s: ", v->device);
		prompt = buf;
	}
	for (unsigned int i = 0; i < tries; i++) {
		struct secret pass;
		struct veil_secret *key = NULL;

		r = get_secret(o, prompt, &pass);
		if (r)
			return exit_code(r) == EXIT_OK ? EXIT_PARAMS : exit_code(r);
		r = veil_unlock(v->vol, slot, pass.data, pass.len, &key, slot_out);
		secrets_signal_point();
		if (!r) {
			if (vk)
				secret_adopt(vk, key);
			else
				veil_secret_free(key);
			if (pass_out) {
				/* Hand the passphrase over; re-register at its new address. */
				*pass_out = pass;
				secret_adopt(pass_out, pass.vs);
				pass_out->len = pass.len;
				pass_out->cap = pass.cap;
				secret_forget(&pass);
			} else {
				secret_free(&pass);
			}
			return 0;
		}
		secret_free(&pass);
		if (r != -EPERM)
			break;
		err_msg("%s: no key available with this passphrase%s", v->device,
			slot >= 0 ? " in that keyslot" : "");
	}
	if (r == -EPERM)
		return EXIT_PERM;
	if (r == -ENOENT && slot >= 0)
		return fail(-EINVAL, "%s: keyslot %d is not active", v->device, slot);
	if (r == -ENOENT)
		return fail(-EPERM, "%s: no active keyslot to unlock", v->device);
	if (r == -EBADMSG)
		return fail(r, "%s: header authentication failed: the header was modified; "
			    "refusing to use it", v->device);
	return vol_fail(r, v->device, "cannot unlock");
}

int vol_unlock(struct vol *v, const struct veil_opts *o, struct secret *vk, int *slot_out)
{
	return vol_unlock_ex(v, o, NULL, o->key_slot, vk, NULL, slot_out);
}
