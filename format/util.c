// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Error reporting, secret buffers, randomness and UUID text forms.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

static __thread char error_detail[256];

int veil_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error_detail, sizeof(error_detail), fmt, ap);
	va_end(ap);
	return err;
}

const char *veil_error_detail(void)
{
	return error_detail;
}

void veil_error_clear(void)
{
	error_detail[0] = '\0';
}

/*
 * What took effect but was left unfinished. Kept apart from error_detail,
 * which every API entry clears: a keyslot change notes its failed second
 * copy, then runs its wipe, which starts with a clear.
 */
static __thread char unfinished[512];

void veil_note_unfinished(const char *what)
{
	size_t n = strlen(unfinished);
	const char *why = error_detail[0] ? error_detail : "I/O error";

	snprintf(unfinished + n, sizeof(unfinished) - n, "%s%s (%s)", n ? "; " : "",
		 what, why);
}

const char *veil_unfinished(void)
{
	return unfinished;
}

void veil_unfinished_clear(void)
{
	unfinished[0] = '\0';
}

const char *veil_strerror(int err)
{
	if (err > 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case -ENODEV:
		return "not a veil device";
	case -EUCLEAN:
		return "header checksum mismatch in both copies";
	case -EPROTONOSUPPORT:
		return "unsupported veil header version or feature";
	case -ERANGE:
		return "header parameter out of the allowed range";
	case -EBADMSG:
		return "header authentication failed: the header was modified";
	case -EPERM:
		return "no key available with this passphrase";
	case -ENOENT:
		return "keyslot not active, or no active keyslot";
	case -EEXIST:
		return "already in use";
	case -ENOSPC:
		return "no space: no free keyslot or area, or device too small";
	case -EROFS:
		return "device is read-only";
	case -EINVAL:
		return "invalid argument";
	case -EIO:
		return "I/O error";
	case -ENOMEM:
		return "out of memory";
	default:
		return strerror(-err);
	}
}

void veil_wipe(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}

struct veil_secret *veil_secret_new(size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	struct veil_secret *s;
	size_t alloc;
	void *map;

	if (page <= 0)
		page = 4096;
	alloc = (len + (size_t)page - 1) / (size_t)page * (size_t)page;
	if (alloc == 0)
		alloc = (size_t)page;
	if (alloc < len)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	map = mmap(NULL, alloc, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		free(s);
		return NULL;
	}
	/* A core dump or swap must never hold key material. */
	(void)madvise(map, alloc, MADV_DONTDUMP);
	s->locked = mlock(map, alloc) == 0;
	s->data = map;
	s->len = len;
	s->alloc = alloc;
	return s;
}

struct veil_secret *veil_secret_dup(const void *p, size_t len)
{
	struct veil_secret *s = veil_secret_new(len);

	if (s && len)
		memcpy(s->data, p, len);
	return s;
}

void veil_secret_free(struct veil_secret *s)
{
	if (!s)
		return;
	OPENSSL_cleanse(s->data, s->alloc);
	if (s->locked)
		munlock(s->data, s->alloc);
	munmap(s->data, s->alloc);
	free(s);
}

int veil_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	/* RAND_bytes takes an int length. */
	while (len) {
		size_t n = len > (1u << 30) ? (1u << 30) : len;

		if (RAND_bytes(p, (int)n) != 1)
			return veil_fail(-EIO, "random number generator failed");
		p += n;
		len -= n;
	}
	return 0;
}

int veil_volume_key_generate(size_t len, struct veil_secret **out)
{
	struct veil_secret *s;

	veil_error_clear();
	*out = NULL;
	if (len == 0 || len > VEIL_MAX_KEY_SIZE)
		return veil_fail(-EINVAL, "volume key size %zu is not 1..%d bytes",
				 len, VEIL_MAX_KEY_SIZE);
	s = veil_secret_new(len);
	if (!s)
		return veil_fail(-ENOMEM, "cannot allocate secure memory");
	if (RAND_priv_bytes(s->data, (int)len) != 1) {
		veil_secret_free(s);
		return veil_fail(-EIO, "random number generator failed");
	}
	*out = s;
	return 0;
}

void veil_uuid_unparse(const uint8_t uuid[VEIL_UUID_SIZE], char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < VEIL_UUID_SIZE; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[uuid[i] >> 4];
		out[o++] = hex[uuid[i] & 15];
	}
	out[o] = '\0';
}

void veil_uuid_hex(const uint8_t uuid[VEIL_UUID_SIZE], char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < VEIL_UUID_SIZE; i++) {
		out[2 * i] = hex[uuid[i] >> 4];
		out[2 * i + 1] = hex[uuid[i] & 15];
	}
	out[2 * VEIL_UUID_SIZE] = '\0';
}
