// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cipher table. veil accepts a closed list of dm-crypt cipher specs
 * rather than parsing arbitrary ones: every entry is known to be
 * byte-compatible with dm-crypt, and anything else gets a precise error
 * instead of whatever the crypto API happens to resolve.
 */
#include <crypto/skcipher.h>
#include <linux/device-mapper.h>
#include <linux/string.h>

#include "cipher.h"
#include "target.h"

static const struct veil_cipher veil_ciphers[] = {
	{
		.spec = "aes-xts-plain64",
		.crypto_name = "xts(aes)",
		.iv_mode = VEIL_IV_PLAIN64,
		.min_iv_size = 16,
		.key_sizes = { 32, 48, 64 },
	},
	{
		.spec = "aes-xts-plain",
		.crypto_name = "xts(aes)",
		.iv_mode = VEIL_IV_PLAIN,
		.min_iv_size = 16,
		.key_sizes = { 32, 48, 64 },
	},
	{
		.spec = "aes-cbc-essiv:sha256",
		.crypto_name = "essiv(cbc(aes),sha256)",
		.iv_mode = VEIL_IV_ESSIV,
		.min_iv_size = 16,
		.key_sizes = { 16, 24, 32 },
	},
	{
		/* For CPUs without AES instructions. */
		.spec = "xchacha12,aes-adiantum-plain64",
		.crypto_name = "adiantum(xchacha12,aes)",
		.iv_mode = VEIL_IV_PLAIN64,
		.min_iv_size = 32,
		.key_sizes = { 32 },
	},
	{
		.spec = "cipher_null-ecb",
		.crypto_name = "ecb(cipher_null)",
		.iv_mode = VEIL_IV_NONE,
		.min_iv_size = 0,
		.keyless = true,
		.insecure = true,
	},
};

/*
 * Length of "cipher-chainmode", i.e. the spec without its IV part. A spec
 * with a single dash ("cipher_null-ecb") has no IV part: reading its mode as
 * an IV would call cipher_null-cbc an unsupported IV mode of cipher_null.
 */
static size_t veil_spec_mode_len(const char *spec)
{
	const char *dash = strrchr(spec, '-');

	if (!dash || !memchr(spec, '-', dash - spec))
		return strlen(spec);
	return dash - spec;
}

const struct veil_cipher *veil_cipher_lookup(const char *spec, const char **error)
{
	size_t mode_len = veil_spec_mode_len(spec);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(veil_ciphers); i++)
		if (!strcmp(spec, veil_ciphers[i].spec))
			return &veil_ciphers[i];

	if (!strncmp(spec, "capi:", 5)) {
		*error = "crypto API cipher specs (capi:) are not supported";
		DMERR("unsupported cipher %.64s: capi: syntax is not supported", spec);
		return NULL;
	}

	/* A known cipher and chaining mode with a foreign IV generator. */
	for (i = 0; i < ARRAY_SIZE(veil_ciphers); i++) {
		const char *known = veil_ciphers[i].spec;

		if (veil_spec_mode_len(known) == mode_len && spec[mode_len] == '-' &&
		    !strncmp(spec, known, mode_len)) {
			*error = "unsupported IV mode for this cipher";
			DMERR("unsupported IV mode %.32s for %.*s", spec + mode_len + 1,
			      (int)min_t(size_t, mode_len, 64), spec);
			return NULL;
		}
	}

	*error = "unsupported cipher";
	DMERR("unsupported cipher %.64s (supported: aes-xts-plain64, aes-xts-plain, aes-cbc-essiv:sha256, xchacha12,aes-adiantum-plain64, cipher_null-ecb)",
	      spec);
	return NULL;
}

bool veil_cipher_key_size_ok(const struct veil_cipher *cipher, unsigned int size)
{
	size_t i;

	if (cipher->keyless)
		return size == 0;
	for (i = 0; i < ARRAY_SIZE(cipher->key_sizes) && cipher->key_sizes[i]; i++)
		if (cipher->key_sizes[i] == size)
			return true;
	return false;
}

/*
 * Masking CRYPTO_ALG_ALLOCATES_MEMORY keeps out implementations that
 * allocate per request: under writeback those allocations could fail or
 * recurse into reclaim, and the data path must always make progress.
 */
struct crypto_skcipher *veil_cipher_alloc_tfm(const struct veil_cipher *cipher)
{
	struct crypto_skcipher *tfm;

	tfm = crypto_alloc_skcipher(cipher->crypto_name, 0, CRYPTO_ALG_ALLOCATES_MEMORY);
	if (IS_ERR(tfm))
		return tfm;

	if (crypto_skcipher_ivsize(tfm) < cipher->min_iv_size ||
	    crypto_skcipher_ivsize(tfm) > VEIL_MAX_IV_SIZE) {
		DMERR("%s: unexpected IV size %u", cipher->crypto_name,
		      crypto_skcipher_ivsize(tfm));
		crypto_free_skcipher(tfm);
		return ERR_PTR(-EINVAL);
	}

	DMDEBUG("%s uses %s", cipher->spec,
		crypto_skcipher_driver_name(tfm));
	return tfm;
}
