// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * format --wipe: overwrite the whole data area with the encryption of
 * zeros under the new volume key, so the mapping reads back zeros and no
 * old plaintext or old ciphertext survives. Done in userspace with
 * libcrypto, byte for byte what dm-crypt and dm-veil write for zeros
 * (IV = 512-byte sector + iv_offset, shifted to sector_size units with
 * iv_large_sectors), so it needs no kernel module.
 *
 * Fatal signals are held while it runs: at the next chunk a pending one
 * stops it, the device is synced, the user is told how far it got, and
 * only then does the signal take effect (wiping every secret).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "veil.h"

#define WIPE_CHUNK (1u << 20)

enum wipe_iv { IV_PLAIN64, IV_PLAIN, IV_ESSIV };

struct wipe_cipher {
	EVP_CIPHER_CTX *ctx;	/* the data cipher, keyed once */
	EVP_CIPHER_CTX *essiv;	/* ESSIV: AES-256-ECB under SHA-256(key) */
	enum wipe_iv iv;
};

/* The ciphers of SPEC.md 10.1 that libcrypto can do. */
static const EVP_CIPHER *data_cipher(const char *name, uint32_t key_size, enum wipe_iv *iv)
{
	if (!strcmp(name, "aes-xts-plain64") || !strcmp(name, "aes-xts-plain")) {
		*iv = name[strlen(name) - 1] == '4' ? IV_PLAIN64 : IV_PLAIN;
		return key_size == 32 ? EVP_aes_128_xts() : key_size == 64 ? EVP_aes_256_xts() : NULL;
	}
	if (!strcmp(name, "aes-cbc-essiv:sha256")) {
		*iv = IV_ESSIV;
		return key_size == 16 ? EVP_aes_128_cbc() : key_size == 24 ? EVP_aes_192_cbc() :
		       key_size == 32 ? EVP_aes_256_cbc() : NULL;
	}
	return NULL;
}

int wipe_data_check(const char *cipher, uint32_t key_size)
{
	enum wipe_iv iv;

	if (!data_cipher(cipher, key_size, &iv))
		return fail(-ENOTSUP, "--wipe cannot encrypt with %s (a %u-bit key) in userspace; "
			    "it supports aes-xts-plain64, aes-xts-plain and aes-cbc-essiv:sha256",
			    cipher, key_size * 8);
	return 0;
}

static void wipe_cipher_free(struct wipe_cipher *c)
{
	EVP_CIPHER_CTX_free(c->ctx);	/* cleanses the key schedule */
	EVP_CIPHER_CTX_free(c->essiv);
	c->ctx = c->essiv = NULL;
}

static int wipe_cipher_init(struct wipe_cipher *c, const struct veil_segment *seg,
			    const uint8_t *key)
{
	const EVP_CIPHER *ci = data_cipher(seg->cipher, seg->key_size, &c->iv);
	uint8_t salt[32];
	unsigned int n = 0;
	int ok;

	if (!ci)	/* cmd_format refused it with wipe_data_check() */
		return -ENOTSUP;
	c->ctx = EVP_CIPHER_CTX_new();
	c->essiv = c->iv == IV_ESSIV ? EVP_CIPHER_CTX_new() : NULL;
	if (!c->ctx || (c->iv == IV_ESSIV && !c->essiv)) {
		wipe_cipher_free(c);
		return -ENOMEM;
	}
	ok = EVP_EncryptInit_ex(c->ctx, ci, NULL, key, NULL) == 1 &&
	     EVP_CIPHER_CTX_set_padding(c->ctx, 0) == 1;
	if (ok && c->iv == IV_ESSIV) {
		ok = EVP_Digest(key, seg->key_size, salt, &n, EVP_sha256(), NULL) == 1 &&
		     EVP_EncryptInit_ex(c->essiv, EVP_aes_256_ecb(), NULL, salt, NULL) == 1 &&
		     EVP_CIPHER_CTX_set_padding(c->essiv, 0) == 1;
		OPENSSL_cleanse(salt, sizeof(salt));
	}
	if (!ok) {
		wipe_cipher_free(c);
		return -EINVAL;
	}
	return 0;
}

/* One sector of zeros, encrypted as dm-crypt would at IV sector iv_sector. */
static int encrypt_sector(struct wipe_cipher *c, uint64_t iv_sector, const uint8_t *zeros,
			  uint8_t *out, int len)
{
	uint8_t iv[16] = { 0 }, blk[16];
	int i, outl = 0, bl = 0;

	for (i = 0; i < (c->iv == IV_PLAIN ? 4 : 8); i++)
		iv[i] = (uint8_t)(iv_sector >> (8 * i));
	if (c->iv == IV_ESSIV) {
		if (EVP_EncryptUpdate(c->essiv, blk, &bl, iv, 16) != 1 || bl != 16)
			return -EINVAL;
		memcpy(iv, blk, 16);
	}
	if (EVP_EncryptInit_ex(c->ctx, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(c->ctx, out, &outl, zeros, len) != 1 || outl != len)
		return -EINVAL;
	return 0;
}

/* Bytes of the data area: data_size, or with dynamic_size up to the end. */
static uint64_t data_area_bytes(const struct veil_segment *seg, uint64_t dev_size)
{
	if (!seg->dynamic_size)
		return seg->data_size;
	if (dev_size <= seg->data_offset)
		return 0;
	return (dev_size - seg->data_offset) / seg->sector_size * seg->sector_size;
}

static int write_area(int fd, struct wipe_cipher *c, const struct veil_segment *seg,
		      uint64_t total, struct progress *pr, uint64_t *done)
{
	unsigned int shift = 0;
	uint8_t *zeros = calloc(1, WIPE_CHUNK), *buf = malloc(WIPE_CHUNK);
	int r = 0;

	while (seg->iv_large_sectors && (512u << shift) < seg->sector_size)
		shift++;
	if (!zeros || !buf) {
		r = -ENOMEM;
		goto out;
	}
	while (*done < total) {
		size_t n = total - *done < WIPE_CHUNK ? total - *done : WIPE_CHUNK, i;
		ssize_t w;

		for (i = 0; i < n && !r; i += seg->sector_size)
			r = encrypt_sector(c, (seg->iv_offset + (*done + i) / 512) >> shift, zeros,
					   buf + i, (int)seg->sector_size);
		if (r)
			goto out;
		w = pwrite(fd, buf, n, (off_t)(seg->data_offset + *done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r = w < 0 ? -errno : -EIO;
			goto out;
		}
		*done += (uint64_t)w / seg->sector_size * seg->sector_size;
		progress_update(pr, *done);
		if (*done == (uint64_t)w)
			test_hook("wipe");	/* one chunk written, signals held */
		if (signals_pending())
			break;
	}
out:
	free(zeros);
	free(buf);
	return r;
}

/* Returns an exit code, with the message printed. */
int wipe_data_area(const char *data_path, const struct veil_segment *seg, uint64_t dev_size,
		   const struct veil_secret *vk, bool json)
{
	struct wipe_cipher c = { 0 };
	struct progress pr;
	uint64_t total = data_area_bytes(seg, dev_size), done = 0;
	int fd, r;

	fd = open(data_path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(-errno, "%s: cannot open the data area for --wipe: %s", data_path,
			    strerror(errno));
	r = wipe_cipher_init(&c, seg, vk->data);
	if (r) {
		close(fd);
		return fail(r, "%s: libcrypto refused the volume key for --wipe", data_path);
	}
	signals_hold();
	progress_start(&pr, "Wiping the data area", data_path, total, json);
	r = write_area(fd, &c, seg, total, &pr, &done);
	wipe_cipher_free(&c);
	if (fsync(fd) && !r)
		r = -errno;
	close(fd);
	if (!r && done == total)
		progress_end(&pr);
	else if (pr.on && !pr.json)
		fputc('\n', stderr);
	if (r)
		r = fail(r, "%s: the wipe of the data area failed after %llu of %llu bytes: %s; "
			 "the volume opens, but old data may remain: run format --wipe again",
			 data_path, (unsigned long long)done, (unsigned long long)total,
			 strerror(-r));
	else if (done < total)
		fprintf(stderr, "veil format: %s: the wipe was interrupted after %llu of %llu "
			"bytes; the volume opens, but old data may remain in the rest of the data "
			"area: run veil format --wipe again\n", data_path,
			(unsigned long long)done, (unsigned long long)total);
	signals_release();	/* a held signal takes effect here, wiping the secrets */
	return r ? r : done < total ? -EINTR : 0;
}
