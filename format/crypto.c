// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Cryptographic primitives, all delegated to OpenSSL and libargon2: the
 * keyslot XTS, the KDFs, the anti-forensic splitter and HKDF/HMAC.
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

int veil_xts_crypt(bool encrypt, const uint8_t *key, size_t key_len,
		   size_t unit_size, uint64_t first_unit,
		   const uint8_t *in, uint8_t *out, size_t len)
{
	const EVP_CIPHER *cipher;
	EVP_CIPHER_CTX *ctx;
	uint8_t tweak[16];
	size_t done;
	int outl, r = 0;

	if (key_len == 32)
		cipher = EVP_aes_128_xts();
	else if (key_len == 64)
		cipher = EVP_aes_256_xts();
	else
		return veil_fail(-EINVAL, "XTS key must be 32 or 64 bytes, not %zu",
				 key_len);
	if (unit_size < 16 || unit_size > INT_MAX || len % unit_size)
		return veil_fail(-EINVAL, "XTS length %zu is not a multiple of "
				 "the data unit %zu", len, unit_size);
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return veil_fail(-ENOMEM, "out of memory");
	/* Key schedule once; each data unit only sets its tweak. */
	if (EVP_CipherInit_ex(ctx, cipher, NULL, key, NULL, encrypt) != 1) {
		r = veil_fail(-EINVAL, "XTS key rejected by OpenSSL (equal halves?)");
		goto out;
	}
	for (done = 0; done < len; done += unit_size) {
		uint64_t unit = first_unit + done / unit_size;
		int i;

		memset(tweak, 0, sizeof(tweak));
		for (i = 0; i < 8; i++)
			tweak[i] = (uint8_t)(unit >> (8 * i));
		if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, tweak, encrypt) != 1 ||
		    EVP_CipherUpdate(ctx, out + done, &outl, in + done,
				     (int)unit_size) != 1 ||
		    (size_t)outl != unit_size) {
			r = veil_fail(-EINVAL, "XTS %s failed",
				      encrypt ? "encryption" : "decryption");
			goto out;
		}
	}
out:
	EVP_CIPHER_CTX_free(ctx);
	return r;
}

int veil_argon2id(const void *pwd, size_t pwd_len, const uint8_t *salt,
		  size_t salt_len, const uint8_t *secret, size_t secret_len,
		  const uint8_t *ad, size_t ad_len, uint32_t t_cost,
		  uint32_t m_cost_kib, uint32_t parallelism,
		  uint8_t *out, size_t out_len)
{
	argon2_context ctx;
	int r;

	if (pwd_len > UINT32_MAX || salt_len > UINT32_MAX ||
	    secret_len > UINT32_MAX || ad_len > UINT32_MAX ||
	    out_len > UINT32_MAX)
		return veil_fail(-EINVAL, "argon2id input too long");
	memset(&ctx, 0, sizeof(ctx));
	ctx.out = out;
	ctx.outlen = (uint32_t)out_len;
	/* argon2_context wants non-const pointers but only reads them. */
	ctx.pwd = (uint8_t *)(uintptr_t)pwd;
	ctx.pwdlen = (uint32_t)pwd_len;
	ctx.salt = (uint8_t *)(uintptr_t)salt;
	ctx.saltlen = (uint32_t)salt_len;
	ctx.secret = (uint8_t *)(uintptr_t)secret;
	ctx.secretlen = (uint32_t)secret_len;
	ctx.ad = (uint8_t *)(uintptr_t)ad;
	ctx.adlen = (uint32_t)ad_len;
	ctx.t_cost = t_cost;
	ctx.m_cost = m_cost_kib;
	ctx.lanes = parallelism;
	ctx.threads = parallelism;
	ctx.version = ARGON2_VERSION_13;
	ctx.flags = ARGON2_DEFAULT_FLAGS;
	r = argon2_ctx(&ctx, Argon2_id);
	if (r == ARGON2_MEMORY_ALLOCATION_ERROR)
		return veil_fail(-ENOMEM, "argon2id: cannot allocate %u KiB",
				 m_cost_kib);
	if (r != ARGON2_OK)
		return veil_fail(-EINVAL, "argon2id: %s", argon2_error_message(r));
	return 0;
}

int veil_pbkdf2_sha256(const void *pwd, size_t pwd_len, const uint8_t *salt,
		       size_t salt_len, uint32_t iterations,
		       uint8_t *out, size_t out_len)
{
	static const char empty[1];

	if (pwd_len > INT_MAX || salt_len > INT_MAX || out_len > INT_MAX ||
	    iterations == 0 || iterations > INT_MAX)
		return veil_fail(-EINVAL, "pbkdf2: parameter out of range");
	if (PKCS5_PBKDF2_HMAC(pwd_len ? pwd : empty, (int)pwd_len, salt,
			      (int)salt_len, (int)iterations, EVP_sha256(),
			      (int)out_len, out) != 1)
		return veil_fail(-EINVAL, "pbkdf2-sha256 failed");
	return 0;
}

int veil_sha256(const void *buf, size_t len, uint8_t out[32])
{
	unsigned int n = 32;

	if (EVP_Digest(buf, len, out, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return veil_fail(-EIO, "sha256 failed");
	return 0;
}

/* One diffuser block: SHA-256(be32(index) || src), truncated to len. */
static int diffuse_block(EVP_MD_CTX *ctx, const EVP_MD *md, uint32_t index,
			 const uint8_t *src, size_t len, uint8_t *dst)
{
	uint8_t iv[4] = { index >> 24, index >> 16, index >> 8, index };
	uint8_t out[32];
	unsigned int n;
	int ok;

	ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
	     EVP_DigestUpdate(ctx, iv, 4) == 1 &&
	     EVP_DigestUpdate(ctx, src, len) == 1 &&
	     EVP_DigestFinal_ex(ctx, out, &n) == 1;
	if (!ok)
		return veil_fail(-EIO, "sha256 failed");
	memcpy(dst, out, len);
	veil_wipe(out, sizeof(out));
	return 0;
}

/* The hash context is reused across all stripes: fetching SHA-256 and
 * allocating a context per block would dominate an unlock. */
struct diffuser {
	EVP_MD_CTX *ctx;
	EVP_MD *md;
};

static int diffuser_init(struct diffuser *d)
{
	d->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	d->ctx = EVP_MD_CTX_new();
	if (!d->md || !d->ctx) {
		EVP_MD_CTX_free(d->ctx);
		EVP_MD_free(d->md);
		return veil_fail(-ENOMEM, "SHA-256 unavailable");
	}
	return 0;
}

static void diffuser_free(struct diffuser *d)
{
	EVP_MD_CTX_free(d->ctx);
	EVP_MD_free(d->md);
}

static int diffuse(struct diffuser *d, uint8_t *buf, size_t len)
{
	size_t blocks = len / 32, pad = len % 32, i;
	int r = 0;

	for (i = 0; i < blocks && !r; i++)
		r = diffuse_block(d->ctx, d->md, (uint32_t)i, buf + 32 * i, 32,
				  buf + 32 * i);
	if (!r && pad)
		r = diffuse_block(d->ctx, d->md, (uint32_t)blocks,
				  buf + 32 * blocks, pad, buf + 32 * blocks);
	return r;
}

static int af_check(size_t key_len, uint32_t stripes)
{
	if (key_len == 0 || key_len > VEIL_MAX_KEY_SIZE || stripes == 0 ||
	    stripes > VEIL_STRIPES_MAX)
		return veil_fail(-EINVAL, "AF split: bad key size %zu or stripes %u",
				 key_len, stripes);
	return 0;
}

/*
 * Both directions fold the first stripes-1 stripes into one diffused
 * accumulator, which the last stripe XORs to the key. Split draws those
 * stripes at random as it goes (fresh != NULL, the same buffer as material);
 * merge only reads them. On success *acc holds the fold, for the caller to
 * free.
 */
static int af_fold(const uint8_t *material, uint8_t *fresh, size_t key_len,
		   uint32_t stripes, struct veil_secret **acc)
{
	struct diffuser df;
	uint32_t s;
	size_t i;
	int r = af_check(key_len, stripes);

	if (r || (r = diffuser_init(&df)))
		return r;
	*acc = veil_secret_new(key_len);
	if (!*acc) {
		diffuser_free(&df);
		return veil_fail(-ENOMEM, "cannot allocate secure memory");
	}
	for (s = 0; s + 1 < stripes && !r; s++) {
		size_t at = (size_t)s * key_len;

		if (fresh)
			r = veil_random(fresh + at, key_len);
		for (i = 0; i < key_len && !r; i++)
			(*acc)->data[i] ^= material[at + i];
		if (!r)
			r = diffuse(&df, (*acc)->data, key_len);
	}
	diffuser_free(&df);
	if (r) {
		veil_secret_free(*acc);
		*acc = NULL;
	}
	return r;
}

int veil_af_split(const uint8_t *key, size_t key_len, uint32_t stripes,
		  uint8_t *material)
{
	struct veil_secret *acc;
	uint8_t *last;
	size_t i;
	int r = af_fold(material, material, key_len, stripes, &acc);

	if (r)
		return r;
	last = material + (size_t)(stripes - 1) * key_len;
	for (i = 0; i < key_len; i++)
		last[i] = acc->data[i] ^ key[i];
	veil_secret_free(acc);
	return 0;
}

int veil_af_merge(const uint8_t *material, size_t key_len, uint32_t stripes,
		  uint8_t *key)
{
	struct veil_secret *acc;
	const uint8_t *last;
	size_t i;
	int r = af_fold(material, NULL, key_len, stripes, &acc);

	if (r)
		return r;
	last = material + (size_t)(stripes - 1) * key_len;
	for (i = 0; i < key_len; i++)
		key[i] = acc->data[i] ^ last[i];
	veil_secret_free(acc);
	return 0;
}

int veil_hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt,
		     size_t salt_len, const char *info, uint8_t *out,
		     size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[5], *p = params;
	int r = 0;

	if (!ctx) {
		r = veil_fail(-ENOMEM, "HKDF unavailable");
		goto out;
	}
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)(uintptr_t)ikm, ikm_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
						 (void *)(uintptr_t)salt, salt_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
						 (void *)(uintptr_t)info,
						 strlen(info));
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, out, out_len, params) != 1)
		r = veil_fail(-EIO, "HKDF-SHA256 failed");
out:
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return r;
}

int veil_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *a,
		     size_t a_len, const uint8_t *b, size_t b_len,
		     uint8_t out[32])
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[2];
	size_t n = 0;
	int r = 0;

	if (!ctx) {
		r = veil_fail(-ENOMEM, "HMAC unavailable");
		goto out;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key, key_len, params) != 1 ||
	    EVP_MAC_update(ctx, a, a_len) != 1 ||
	    EVP_MAC_update(ctx, b, b_len) != 1 ||
	    EVP_MAC_final(ctx, out, &n, 32) != 1 || n != 32)
		r = veil_fail(-EIO, "HMAC-SHA256 failed");
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return r;
}

/* ------------------------------------------------------------------------ */

struct cipher_spec {
	const char *name;
	uint32_t sizes[3];      /* allowed key sizes in bytes, 0-terminated */
	uint32_t def;
};

static const struct cipher_spec ciphers[] = {
	{ "aes-xts-plain64", { 32, 64, 0 }, 64 },
	{ "aes-xts-plain", { 32, 64, 0 }, 64 },
	{ "aes-cbc-essiv:sha256", { 16, 24, 32 }, 32 },
	{ "xchacha12,aes-adiantum-plain64", { 32, 0, 0 }, 32 },
};

static const struct cipher_spec *cipher_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (!strcmp(ciphers[i].name, name))
			return &ciphers[i];
	return NULL;
}

int veil_cipher_check(const char *cipher, uint32_t key_len)
{
	const struct cipher_spec *c = cipher ? cipher_find(cipher) : NULL;
	size_t i;

	if (!c)
		return veil_fail(-EINVAL, "unsupported cipher '%s' (supported: "
				 "aes-xts-plain64, aes-xts-plain, "
				 "aes-cbc-essiv:sha256, "
				 "xchacha12,aes-adiantum-plain64)",
				 cipher ? cipher : "(null)");
	for (i = 0; i < 3 && c->sizes[i]; i++)
		if (c->sizes[i] == key_len)
			return 0;
	return veil_fail(-EINVAL, "cipher %s does not take a %u-bit key",
			 cipher, key_len * 8);
}

uint32_t veil_cipher_default_key_size(const char *cipher)
{
	const struct cipher_spec *c = cipher ? cipher_find(cipher) : NULL;

	return c ? c->def : 0;
}
