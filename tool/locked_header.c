// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Opening a veil volume's header for the subcommands.
 *
 * Locking: one flock per volume, on the regular file behind a loop device
 * when the header is on one (so "veil keyslot add /dev/loop0" and "veil
 * keyslot add disk.img" exclude each other). It is taken only for the short
 * windows where bytes are read or written, never across a passphrase
 * prompt or a KDF: shared while the header is read, exclusive from the
 * first write of an update until the command ends. Waiting for it is
 * bounded (VEIL_LOCK_TIMEOUT_S, default 60 s) and says so after a second.
 *
 * Every write first checks that the header bytes on disk are still the
 * ones we parsed (and, after our own writes, the ones we wrote), so an
 * update that another process committed in the meantime, or a writer that
 * ignores the lock, is detected and nothing is written over it. Fatal
 * signals are held back from the first write to the end of the command:
 * an update is never left half-done by Ctrl-C.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "veil.h"

#define LOCK_TIMEOUT_DEFAULT_S 60
#define LOCK_SAY_AFTER_MS 1000

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static unsigned int lock_timeout_s(void)
{
	const char *e = getenv("VEIL_LOCK_TIMEOUT_S");
	char *end;
	unsigned long v;

	if (!e || !*e)
		return LOCK_TIMEOUT_DEFAULT_S;
	v = strtoul(e, &end, 10);
	return *end || v > 86400 ? LOCK_TIMEOUT_DEFAULT_S : (unsigned int)v;
}

/* Wait (bounded) for the volume lock: LOCK_SH or LOCK_EX. */
static int lock_wait(struct vol *v, int op)
{
	uint64_t start = now_ms(), limit = (uint64_t)lock_timeout_s() * 1000;
	bool said = false;

	for (;;) {
		uint64_t waited;

		if (!flock(v->lock_fd, op | LOCK_NB))
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return fail(-errno, "%s: cannot lock the header: %s", v->hdr_path,
				    strerror(errno));
		waited = now_ms() - start;
		if (waited >= limit)
			return fail(-EBUSY, "%s: the header is still locked by another veil "
				    "process after %u s; try again", v->hdr_path,
				    (unsigned int)(limit / 1000));
		if (!said && waited >= LOCK_SAY_AFTER_MS) {
			fprintf(stderr, "veil: %s: waiting for another veil process that holds "
				"the header lock...\n", v->hdr_path);
			said = true;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	}
}

static void lock_drop(struct vol *v)
{
	if (v->lock_fd >= 0)
		flock(v->lock_fd, LOCK_UN);
	v->lock_held = 0;
}

/* The lock object: the file behind a loop device, else the path itself. */
static int open_lock(struct vol *v)
{
	char sys[64], backing[PATH_MAX];
	struct stat st;
	FILE *f;

	v->lock_fd = -1;
	if (!fstat(v->fd, &st) && S_ISBLK(st.st_mode)) {
		snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/loop/backing_file",
			 major(st.st_rdev), minor(st.st_rdev));
		f = fopen(sys, "re");
		if (f) {
			if (fgets(backing, sizeof(backing), f)) {
				backing[strcspn(backing, "\n")] = 0;
				v->lock_fd = open(backing, O_RDONLY | O_CLOEXEC);
			}
			fclose(f);
		}
	}
	if (v->lock_fd < 0)
		v->lock_fd = open(v->hdr_path, O_RDONLY | O_CLOEXEC);
	if (v->lock_fd < 0)
		return fail(-errno, "%s: cannot open it for locking: %s", v->hdr_path,
			    strerror(errno));
	return 0;
}

static int guarded_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct vol *v = ctx;

	return v->raw.pread(v->raw.ctx, buf, len, off);
}

/* What we wrote is what the next check expects to find. */
static void snap_apply(struct vol *v, const void *buf, size_t len, uint64_t off)
{
	if (off >= v->snap_len)
		return;
	if (len > v->snap_len - off)
		len = v->snap_len - (size_t)off;
	memcpy(v->snap + off, buf, len);
}

static int guarded_pwrite(void *ctx, const void *buf, size_t len, uint64_t off)
{
	struct vol *v = ctx;
	uint8_t *now;
	int r;

	if (v->concurrent)
		return -EBUSY;
	if (v->lock_held != LOCK_EX) {
		/* From here to the end of the command nothing stops us halfway. */
		if (!v->signals_held)
			signals_hold();
		v->signals_held = true;
		r = lock_wait(v, LOCK_EX);
		if (r)
			return r;
		v->lock_held = LOCK_EX;
		test_hook("write");
	}
	now = malloc(v->snap_len ? v->snap_len : 1);
	if (!now)
		return -ENOMEM;
	r = v->raw.pread(v->raw.ctx, now, v->snap_len, 0);
	if (!r && memcmp(now, v->snap, v->snap_len))
		r = -EBUSY;
	free(now);
	if (r) {
		err_msg("%s: the header changed on disk since it was read "
			"(concurrent modification); %s", v->hdr_path,
			v->written ? "the update was stopped there" : "nothing was written");
		v->concurrent = true;
		return r;
	}
	if (v->progress)
		progress_update(v->progress, v->written + len);
	r = test_write_fault();
	if (!r)
		r = v->raw.pwrite(v->raw.ctx, buf, len, off);
	if (!r) {
		v->written += len;
		snap_apply(v, buf, len, off);
	}
	return r;
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

/* A device that cannot be opened is "wrong or missing device" (exit 4). */
int device_errno(int e)
{
	switch (e) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
	case ENOTBLK:
	case EACCES:
	case ENOMEDIUM:
	case ENOTDIR:
		return -ENODEV;
	default:
		return -e;
	}
}

/* Report a library failure: the device, what we were doing, and why. */
int vol_fail(int r, const char *device, const char *doing)
{
	const char *detail = veil_error_detail();

	return fail(r, "%s: %s: %s", device, doing,
		    detail && *detail ? detail : veil_strerror(r));
}

/* What an earlier, unfinished update left: a writer finishes it after
 * its unlock (vol_finish); anyone else is told how. */
static void report_copies(const struct vol *v)
{
	unsigned pending = veil_volume_pending(v->vol);

	for (int i = 0; i < 2; i++)
		if (v->report.copy[i] != VEIL_COPY_OK)
			fprintf(stderr, "veil: %s: warning: header copy %d is %s%s%s\n",
				v->hdr_path, i, veil_copy_status_str(v->report.copy[i]),
				v->report.copy_detail[i][0] ? ": " : "", v->report.copy_detail[i]);
	if (pending & VEIL_PENDING_RETIRED)
		fprintf(stderr, "veil: %s: warning: an unfinished keyslot change left the "
			"replaced key material on the device\n", v->hdr_path);
	if (pending && !v->write)
		fprintf(stderr, "veil: %s: 'veil repair %s' finishes it (so does any command "
			"that changes the header)\n", v->hdr_path, v->device);
}

/*
 * The detached flag against how we were called: a header read through
 * --header must be a detached one, and a detached header read as DEVICE
 * must not be taken for the data device (VOL_DATA: open, restore...).
 */
static int check_detached(const struct vol *v, bool detached, bool header_given,
			  unsigned flags)
{
	if (header_given && !detached)
		return fail(-EINVAL, "%s: this header is not a detached one (its data area "
			    "follows it on the same device); use it as DEVICE, without --header",
			    v->hdr_path);
	if (!header_given && detached && (flags & VOL_DATA))
		return fail(-EINVAL, "%s holds a detached header, not the data: give it with "
			    "--header FILE and name the data device as DEVICE", v->device);
	return 0;
}

/*
 * Open the header of device (or header_file) and parse it under a shared
 * lock. flags: VOL_WRITE for an update, VOL_NOLOAD to stop before parsing
 * (format, restore, erase), VOL_DATA when the command uses DEVICE as the
 * data device. Nothing is written here: a damaged or stale copy is only
 * repaired after an unlock has authenticated the copy we keep
 * (vol_unlock_ex). Returns 0 or -errno, the message printed.
 */
int vol_open(struct vol *v, const char *device, const char *header_file, unsigned flags)
{
	bool write = flags & VOL_WRITE;
	int r;

	memset(v, 0, sizeof(*v));
	v->fd = -1;
	v->lock_fd = -1;
	v->device = device;
	v->write = write;
	v->hdr_path = header_file ? header_file : device;
	v->fd = open(v->hdr_path, (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (v->fd < 0)
		return fail(device_errno(errno), "cannot open %s: %s", v->hdr_path,
			    strerror(errno));
	r = open_lock(v);
	if (r)
		goto fail;
	r = veil_io_from_fd(&v->raw, v->fd, !write);
	if (r) {
		vol_fail(r, v->hdr_path, "cannot use it");
		goto fail;
	}
	if (header_file) {
		r = path_size_bytes(device, &v->data_dev_size);
		if (r) {
			fail(device_errno(-r), "%s: cannot get the data device size: %s", device,
			     strerror(-r));
			r = device_errno(-r);
			goto fail;
		}
	} else {
		v->data_dev_size = v->raw.size;
	}
	v->snap_len = v->raw.size < VEIL_HDR_PARSE_LEN ? (size_t)v->raw.size : VEIL_HDR_PARSE_LEN;
	v->snap = malloc(v->snap_len ? v->snap_len : 1);
	if (!v->snap) {
		r = fail(-ENOMEM, "out of memory");
		goto fail;
	}
	v->io = v->raw;
	v->io.ctx = v;
	v->io.pread = guarded_pread;
	v->io.pwrite = guarded_pwrite;
	v->io.sync = guarded_sync;
	v->io.close = NULL;
	r = lock_wait(v, LOCK_SH);
	if (r)
		goto fail;
	r = v->raw.pread(v->raw.ctx, v->snap, v->snap_len, 0);
	if (r) {
		fail(r, "%s: cannot read the header: %s", v->hdr_path, strerror(-r));
		goto fail;
	}
	if (!(flags & VOL_NOLOAD))
		r = veil_load(&v->io, 0, &v->vol, &v->report);
	lock_drop(v);
	if (flags & VOL_NOLOAD)
		return 0;
	if (r) {
		if (r == -ENODEV)
			r = fail(-EINVAL, "%s: not a veil device (no veil header found)",
				 v->hdr_path);
		else
			vol_fail(r, v->hdr_path, "cannot read the veil header");
		goto fail;
	}
	report_copies(v);
	r = check_detached(v, vol_header(v)->segment.detached, header_file != NULL, flags);
	if (r)
		goto fail;
	return 0;
fail:
	vol_close(v);
	return r;
}

/*
 * Finish what an earlier update left (SPEC.md 9.2, 9.5), now that vk has
 * authenticated the copy kept: rewrite bad or stale copies, wipe replaced
 * key material. Says what it did; returns 0 or -errno (message printed).
 */
int vol_finish(struct vol *v, const struct veil_secret *vk)
{
	struct veil_load_report rep;
	unsigned pending = veil_volume_pending(v->vol);
	int r = 0;

	if (!v->write || !pending)
		return 0;
	if (pending & VEIL_PENDING_COPY) {
		r = veil_repair(v->vol, vk, &rep);
		if (r)
			return fail(r, "%s: cannot repair the header copies: %s", v->hdr_path,
				    *veil_error_detail() ? veil_error_detail() : veil_strerror(r));
		for (int i = 0; i < 2; i++)
			if (rep.repaired[i] && !v->report.repaired[i])
				fprintf(stderr, "veil: %s: header copy %d was %s and has been "
					"repaired\n", v->hdr_path, i,
					veil_copy_status_str(rep.copy[i]));
		v->report = rep;
	}
	if (pending & VEIL_PENDING_RETIRED) {
		r = veil_finish_pending(v->vol, vk);
		if (r)
			return fail(r, "%s: cannot wipe the key material an unfinished keyslot "
				    "change left: %s", v->hdr_path,
				    *veil_error_detail() ? veil_error_detail() : veil_strerror(r));
		fprintf(stderr, "veil: %s: the key material an unfinished keyslot change left "
			"has been wiped\n", v->hdr_path);
	}
	/* A commit of ours that is itself unfinished is reported at close. */
	return veil_volume_pending(v->vol) ? -EIO : 0;
}

/*
 * An update of this command that took effect but is not complete (its
 * second header copy or a wipe failed): the command's result stands, and
 * the user is told what is left and how to finish it.
 */
static void report_unfinished(const struct vol *v)
{
	const char *what = veil_unfinished();

	if (!*what)
		return;
	fprintf(stderr, "veil: %s: warning: the change took effect, but it is not complete: "
		"%s\n", v->hdr_path, what);
	if (!v->vol || veil_volume_pending(v->vol))
		fprintf(stderr, "veil: %s: 'veil repair %s' finishes it (so does the next "
			"command that changes the header)\n", v->hdr_path, v->device);
	veil_unfinished_clear();
}

void vol_close(struct vol *v)
{
	if (v->write)
		report_unfinished(v);
	if (v->vol)
		veil_volume_free(v->vol);
	v->vol = NULL;
	if (v->raw.close)
		veil_io_close(&v->raw);
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	if (v->lock_fd >= 0)
		close(v->lock_fd);	/* drops the flock */
	v->lock_fd = -1;
	free(v->snap);
	v->snap = NULL;
	if (v->signals_held) {
		/* The update is whole: a held-back Ctrl-C takes effect now. */
		v->signals_held = false;
		signals_release();
	}
}

const struct veil_header *vol_header(const struct vol *v)
{
	return veil_volume_header(v->vol);
}

/*
 * Unlock: a key file is tried once; a terminal passphrase up to --tries
 * times (default 3). slot: -1 any, else only that one. On success vk (if
 * not NULL) holds the volume key and pass (if not NULL) the passphrase
 * that opened slot_out, and on a writable volume the header copies are
 * repaired (the key has just authenticated the copy kept). Returns 0 or
 * -errno, the message printed.
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
			return r;
		test_hook("unlock");
		r = veil_unlock(v->vol, slot, pass.data, pass.len, &key, slot_out);
		if (!r) {
			/* A failure to finish is said, and left for a later writer. */
			(void)vol_finish(v, key);
			if (vk)
				secret_adopt(vk, key);
			else
				veil_secret_free(key);
			if (pass_out) {
				secret_move(pass_out, &pass);
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
		return -EPERM;	/* said above, once per try */
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
