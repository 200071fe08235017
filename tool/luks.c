// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LUKS through libcryptsetup: load, the checks of what the veil target can
 * map, unlock to a volume key, and the I/O wrapper conversions write
 * through. Every LUKS byte is read and written by libcryptsetup; this file
 * only asks it questions.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libcryptsetup.h>

#include "luks.h"

static void quiet_log(int level, const char *msg, void *usrptr)
{
	(void)usrptr;
	/* libcryptsetup's own errors are useful ("Device is too small", ...). */
	if (level == CRYPT_LOG_ERROR && getenv("VEIL_DEBUG"))
		fprintf(stderr, "libcryptsetup: %s", msg);
}

int cipher_split(const char *spec, char *cipher, size_t clen, char *mode, size_t mlen)
{
	const char *dash = strchr(spec, '-');

	if (!dash || (size_t)(dash - spec) >= clen || strlen(dash + 1) >= mlen)
		return -EINVAL;
	snprintf(cipher, clen, "%.*s", (int)(dash - spec), spec);
	snprintf(mode, mlen, "%s", dash + 1);
	return 0;
}

/*
 * The size of the data segment in LUKS2 metadata (crypt_dump_json's
 * text): 0 for "dynamic" (to the device end), else its bytes. The public
 * API has no getter, and cryptsetup maps a fixed size exactly, so we read
 * it from the JSON libcryptsetup has already verified. Pure: no I/O.
 * With more than one segment (reencryption) the caller refuses anyway;
 * then the first crypt segment is reported. -EINVAL on anything odd.
 */
static int luks2_segment_size(const char *text, uint64_t *size)
{
	struct json_object *root = json_tokener_parse(text), *segs, *type, *sz;
	const char *best = NULL, *val = NULL;
	int r = -EINVAL;

	*size = 0;
	if (!root || !json_object_object_get_ex(root, "segments", &segs) ||
	    !json_object_is_type(segs, json_type_object))
		goto out;
	json_object_object_foreach(segs, key, seg) {
		if (!json_object_object_get_ex(seg, "type", &type) ||
		    strcmp(json_object_get_string(type), "crypt") ||
		    !json_object_object_get_ex(seg, "size", &sz) ||
		    !json_object_is_type(sz, json_type_string))
			continue;
		if (!best || strtoull(key, NULL, 10) < strtoull(best, NULL, 10)) {
			best = key;
			val = json_object_get_string(sz);
		}
	}
	if (!val)
		goto out;
	if (!strcmp(val, "dynamic")) {
		r = 0;
	} else {
		char *end;

		errno = 0;
		*size = strtoull(val, &end, 10);
		r = (errno || *end || !*val || *val == '-' || !*size) ? -EINVAL : 0;
	}
out:
	json_object_put(root);
	return r;
}

int luks_data_range(const struct luks_vol *l, uint64_t dev_size, uint64_t *off, uint64_t *len)
{
	uint64_t room = dev_size > l->data_offset ? dev_size - l->data_offset : 0;

	*off = l->data_offset / 512;
	if (l->data_size) {
		/* As cryptsetup: exactly the segment, never more; a short device
		 * is an error, not a smaller mapping. */
		if (room < l->data_size)
			return fail(-ENOSPC, "%s: the LUKS2 data segment is %llu bytes from offset "
				    "%llu, but the device has only %llu bytes there",
				    l->device, (unsigned long long)l->data_size,
				    (unsigned long long)l->data_offset, (unsigned long long)room);
		*len = l->data_size / 512;
		return 0;
	}
	*len = room / l->sector_size * l->sector_size / 512;
	if (!*len)
		return fail(-ENOSPC, "%s: no data area past the LUKS data offset %llu",
			    l->device, (unsigned long long)l->data_offset);
	return 0;
}

int luks_load(struct luks_vol *l, const char *device, const char *header)
{
	const char *c, *m;
	int r;

	memset(l, 0, sizeof(*l));
	l->device = device;
	l->hdr_path = header ? header : device;
	crypt_set_log_callback(NULL, quiet_log, NULL);
	r = header ? crypt_init_data_device(&l->cd, header, device) : crypt_init(&l->cd, device);
	if (r < 0)
		return fail(r, "cannot open %s: %s", l->hdr_path, strerror(-r));
	crypt_set_log_callback(l->cd, quiet_log, NULL);
	r = crypt_load(l->cd, CRYPT_LUKS, NULL);
	if (r < 0) {
		luks_free(l);
		if (r == -EINVAL)
			return fail(-ENODEV, "%s: not a LUKS device (libcryptsetup found no "
				    "valid LUKS1 or LUKS2 header)", l->hdr_path);
		return fail(r, "%s: cannot load the LUKS header: %s", l->hdr_path,
			    strerror(-r));
	}
	l->type = crypt_get_type(l->cd);
	c = crypt_get_cipher(l->cd);
	m = crypt_get_cipher_mode(l->cd);
	snprintf(l->cipher, sizeof(l->cipher), "%s-%s", c ? c : "?", m ? m : "?");
	l->key_size = (size_t)crypt_get_volume_key_size(l->cd);
	l->sector_size = (uint32_t)crypt_get_sector_size(l->cd);
	l->data_offset = crypt_get_data_offset(l->cd) * 512;
	l->iv_offset = crypt_get_iv_offset(l->cd);
	if (!strcmp(l->type, CRYPT_LUKS2)) {
		const char *js = NULL;
		uint32_t f = 0;

		if (crypt_dump_json(l->cd, &js, 0) || !js ||
		    luks2_segment_size(js, &l->data_size) || l->data_size % l->sector_size) {
			luks_free(l);
			return fail(-EINVAL, "%s: cannot read the size of the LUKS2 data segment "
				    "(not a whole number of %u-byte sectors?)", l->hdr_path,
				    l->sector_size);
		}

		if (!crypt_persistent_flags_get(l->cd, CRYPT_FLAGS_ACTIVATION, &f)) {
			if (f & CRYPT_ACTIVATE_ALLOW_DISCARDS)
				l->flags |= VEIL_FLAG_ALLOW_DISCARDS;
			if (f & CRYPT_ACTIVATE_SAME_CPU_CRYPT)
				l->flags |= VEIL_FLAG_SAME_CPU_CRYPT;
			if (f & CRYPT_ACTIVATE_SUBMIT_FROM_CRYPT_CPUS)
				l->flags |= VEIL_FLAG_SUBMIT_FROM_CRYPT_CPUS;
			if (f & CRYPT_ACTIVATE_NO_READ_WORKQUEUE)
				l->flags |= VEIL_FLAG_NO_READ_WORKQUEUE;
			if (f & CRYPT_ACTIVATE_NO_WRITE_WORKQUEUE)
				l->flags |= VEIL_FLAG_NO_WRITE_WORKQUEUE;
		}
	}
	return 0;
}

void luks_free(struct luks_vol *l)
{
	if (l->cd)
		crypt_free(l->cd);
	l->cd = NULL;
}

int luks_check_mappable(struct luks_vol *l)
{
	struct crypt_params_integrity ip;
	uint32_t req = 0;

	if (!strcmp(l->type, CRYPT_LUKS2)) {
		crypt_reencrypt_info ri = crypt_reencrypt_status(l->cd, NULL);

		if (ri != CRYPT_REENCRYPT_NONE)
			return fail(-EBUSY, "%s: the LUKS2 volume is in the middle of "
				    "reencryption (%s); finish it with cryptsetup reencrypt "
				    "first", l->hdr_path,
				    ri == CRYPT_REENCRYPT_CRASH ? "interrupted" : "in progress");
		if (!crypt_persistent_flags_get(l->cd, CRYPT_FLAGS_REQUIREMENTS, &req) && req)
			return fail(-EINVAL, "%s: the LUKS2 header has requirements (0x%x) "
				    "that veil does not implement", l->hdr_path, req);
	}
	memset(&ip, 0, sizeof(ip));
	if (!crypt_get_integrity_info(l->cd, &ip) && ip.integrity && *ip.integrity)
		return fail(-EINVAL, "%s: the volume uses authenticated encryption (integrity "
			    "%s); the veil target maps only plain length-preserving ciphers",
			    l->hdr_path, ip.integrity);
	if (veil_cipher_check(l->cipher, (uint32_t)l->key_size))
		return fail(-EINVAL, "%s: cipher %s with a %zu-bit key is not one the veil "
			    "target maps (aes-xts-plain64, aes-xts-plain with 256 or 512 bits; "
			    "aes-cbc-essiv:sha256 with 128, 192 or 256; "
			    "xchacha12,aes-adiantum-plain64 with 256)",
			    l->hdr_path, l->cipher, l->key_size * 8);
	if (l->iv_offset % (l->sector_size / 512))
		return fail(-EINVAL, "%s: IV offset %llu is not a multiple of the sector size",
			    l->hdr_path, (unsigned long long)l->iv_offset);
	return 0;
}

int luks_tokens(struct luks_vol *l, char *list, size_t len)
{
	size_t used = 0;
	int n = 0;

	if (len)
		list[0] = 0;
	if (strcmp(l->type, CRYPT_LUKS2))
		return 0;
	for (int i = 0; i < 32; i++) {
		const char *type = NULL;
		crypt_token_info ti = crypt_token_status(l->cd, i, &type);
		int k;

		if (ti == CRYPT_TOKEN_INACTIVE || ti == CRYPT_TOKEN_INVALID)
			continue;
		n++;
		if (used < len) {
			k = snprintf(list + used, len - used, "%s%d (%s)", n > 1 ? ", " : "", i,
				     type ? type : "?");
			used += k > 0 ? (size_t)k : 0;
		}
	}
	return n;
}

int luks_unlock(struct luks_vol *l, const struct veil_opts *o, struct secret *vk,
		struct secret *pass_out, int *slot)
{
	unsigned int tries = o->key_file ? 1 : (o->tries ? o->tries : 3);
	char prompt[512];
	int r = -EPERM;

	snprintf(prompt, sizeof(prompt), "Enter passphrase for %s: ", l->device);
	r = secret_alloc(vk, l->key_size);
	if (r)
		return r;
	for (unsigned int i = 0; i < tries; i++) {
		struct secret pass;
		size_t len = l->key_size;

		r = get_secret(o, prompt, &pass);
		if (r) {
			secret_free(vk);
			return r;
		}
		r = crypt_volume_key_get(l->cd, o->key_slot >= 0 ? o->key_slot : CRYPT_ANY_SLOT,
					 (char *)vk->data, &len, (const char *)pass.data,
					 pass.len);
		secrets_signal_point();
		if (r >= 0) {
			vk->len = len;
			*slot = r;
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
		err_msg("%s: no LUKS key available with this passphrase%s", l->device,
			o->key_slot >= 0 ? " in that keyslot" : "");
	}
	secret_free(vk);
	if (r == -EPERM) {
		char tokens[256];
		int n = luks_tokens(l, tokens, sizeof(tokens));

		if (n)
			err_msg("%s: the volume has LUKS2 token(s) %s; veil does not run token "
				"plugins (FIDO2, TPM2, ...), unlock needs a passphrase or key file",
				l->device, tokens);
	}
	if (r == -EPERM)
		return -EPERM;
	if (r == -ENOENT)
		return fail(-EINVAL, "%s: LUKS keyslot %d is not active", l->device, o->key_slot);
	return fail(r, "%s: cannot unlock the LUKS volume: %s", l->device, strerror(-r));
}

/* Is some loop device over this file held (mapped, mounted)? */
static int file_loop_busy(const char *path, char *loop, size_t looplen)
{
	char real[PATH_MAX], back[PATH_MAX], holders[300];
	DIR *d, *h;
	struct dirent *e, *he;
	int busy = 0;

	if (!realpath(path, real))
		return 0;
	d = opendir("/sys/block");
	if (!d)
		return 0;
	while (!busy && (e = readdir(d))) {
		if (strncmp(e->d_name, "loop", 4))
			continue;
		if (loop_backing_file(e->d_name, back, sizeof(back)) || strcmp(back, real))
			continue;
		snprintf(holders, sizeof(holders), "/sys/block/%s/holders", e->d_name);
		h = opendir(holders);
		while (h && (he = readdir(h)))
			if (he->d_name[0] != '.')
				busy = 1;
		if (h)
			closedir(h);
		if (!busy) {
			int fd;

			snprintf(holders, sizeof(holders), "/dev/%s", e->d_name);
			fd = open(holders, O_RDONLY | O_EXCL | O_CLOEXEC);
			if (fd < 0 && errno == EBUSY)
				busy = 1;
			if (fd >= 0)
				close(fd);
		}
		if (busy)
			snprintf(loop, looplen, "/dev/%s", e->d_name);
	}
	closedir(d);
	return busy;
}

int device_check_unused(const char *path)
{
	struct stat st;
	char loop[300];

	if (stat(path, &st)) {
		int r = -errno;

		err_msg("cannot open %s: %s", path, strerror(errno));
		return r;
	}
	if (S_ISBLK(st.st_mode)) {
		int fd = open(path, O_RDONLY | O_EXCL | O_CLOEXEC);

		if (fd < 0 && errno == EBUSY) {
			err_msg("%s is in use (mapped, mounted or held open); close it first",
				path);
			return -EBUSY;
		}
		if (fd >= 0)
			close(fd);
	} else if (S_ISREG(st.st_mode) && file_loop_busy(path, loop, sizeof(loop))) {
		err_msg("%s is in use through %s (mapped or mounted); close it first", path, loop);
		return -EBUSY;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The write log for the crash harness (tests only, VEIL_TEST_WRITE_LOG)  */
/* and the progress of the writes.                                          */

struct logged_io {
	struct veil_io *inner;
	FILE *log;		/* NULL: no log */
	struct progress *progress;
	uint64_t done;
};

static int log_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct logged_io *w = ctx;

	return w->inner->pread(w->inner->ctx, buf, len, off);
}

static int log_pwrite(void *ctx, const void *buf, size_t len, uint64_t off)
{
	struct logged_io *w = ctx;
	uint64_t rec[2] = { off, len };
	int r;

	if (w->log && (fputc('W', w->log) == EOF || fwrite(rec, sizeof(rec), 1, w->log) != 1 ||
		       fwrite(buf, 1, len, w->log) != len || fflush(w->log)))
		return -EIO;
	r = w->inner->pwrite(w->inner->ctx, buf, len, off);
	if (!r && w->progress) {
		w->done += len;
		progress_update(w->progress, w->done);
	}
	return r;
}

static int log_sync(void *ctx)
{
	struct logged_io *w = ctx;

	if (w->log && (fputc('S', w->log) == EOF || fflush(w->log)))
		return -EIO;
	return w->inner->sync(w->inner->ctx);
}

static void log_close(void *ctx)
{
	struct logged_io *w = ctx;

	if (w->log)
		fclose(w->log);
	free(w);
}

static int start_log(struct logged_io *w, struct veil_io *inner, const char *path)
{
	uint64_t size = inner->size;
	uint8_t *snap;
	int r;

	if (size > (64u << 20)) {
		err_msg("VEIL_TEST_WRITE_LOG: device over 64 MiB");
		return -EFBIG;
	}
	snap = malloc(size ? size : 1);
	if (!snap) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	r = inner->pread(inner->ctx, snap, size, 0);
	w->log = r ? NULL : fopen(path, "wxe");
	if (!w->log || fwrite("VEILWLOG", 8, 1, w->log) != 1 ||
	    fwrite(&size, sizeof(size), 1, w->log) != 1 ||
	    fwrite(snap, 1, size, w->log) != size || fflush(w->log)) {
		if (w->log)
			fclose(w->log);
		w->log = NULL;
		free(snap);
		err_msg("VEIL_TEST_WRITE_LOG: cannot write %s", path);
		return -EIO;
	}
	free(snap);
	return 0;
}

int convert_io(struct veil_io *inner, struct veil_io *out, struct progress *p)
{
	const char *path = getenv("VEIL_TEST_WRITE_LOG");
	struct logged_io *w;
	int r;

	*out = *inner;
	out->close = NULL;
	if ((!path || !*path) && !p)
		return 0;
	w = calloc(1, sizeof(*w));
	if (!w) {
		err_msg("out of memory");
		return -ENOMEM;
	}
	w->inner = inner;
	w->progress = p;
	if (path && *path) {
		r = start_log(w, inner, path);
		if (r) {
			free(w);
			return r;
		}
	}
	out->ctx = w;
	out->pread = log_pread;
	out->pwrite = log_pwrite;
	out->sync = log_sync;
	out->close = log_close;
	return 0;
}

void convert_io_close(struct veil_io *io)
{
	if (io->close)
		io->close(io->ctx);
	memset(io, 0, sizeof(*io));
}
