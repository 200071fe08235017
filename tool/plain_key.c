// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The key of a plain mapping from a passphrase, hashed exactly as
 * cryptsetup's plain mode does (--hash H[:bytes], "plain" for none). The
 * hashing is libcryptsetup's own (crypt_volume_key_get on a CRYPT_PLAIN
 * context, which writes nothing to the device), so a volume made with
 * "cryptsetup open --type plain" maps to the same key.
 */
#include <errno.h>
#include <libcryptsetup.h>
#include <stdio.h>
#include <string.h>

#include "veil.h"

/* cryptsetup's compiled-in plain defaults (cryptsetup --help, Debian 12's 2.6). */
const char *const plain_default_cipher = "aes-cbc-essiv:sha256";
const unsigned int plain_default_key_bits = 256;
const char *const plain_default_hash = "ripemd160";

static void quiet(int level, const char *msg, void *usrptr)
{
	(void)usrptr;
	if (level == CRYPT_LOG_ERROR && verbosity)
		fprintf(stderr, "veil: libcryptsetup: %s", msg);
	else if (verbosity > 1)
		fprintf(stderr, "# libcryptsetup: %s", msg);
}

int plain_key_from_passphrase(const char *device, const char *cipher, const char *hash,
			      size_t key_bytes, const struct secret *pass, struct secret *key)
{
	struct crypt_params_plain params = { .hash = hash };
	struct crypt_device *cd = NULL;
	char name[64], mode[64];
	size_t n = strcspn(cipher, "-"), len = key_bytes;
	int r;

	if (!cipher[n] || n >= sizeof(name) || strlen(cipher + n + 1) >= sizeof(mode))
		return -EINVAL;
	memcpy(name, cipher, n);
	name[n] = 0;
	snprintf(mode, sizeof(mode), "%s", cipher + n + 1);
	crypt_set_log_callback(NULL, quiet, NULL);
	r = crypt_init(&cd, device);
	if (r < 0)
		return r;
	crypt_set_log_callback(cd, quiet, NULL);
	r = crypt_format(cd, CRYPT_PLAIN, name, mode, NULL, NULL, key_bytes, &params);
	if (!r)
		r = secret_alloc(key, key_bytes);
	if (!r) {
		r = crypt_volume_key_get(cd, CRYPT_ANY_SLOT, (char *)key->data, &len,
					 (const char *)pass->data, pass->len);
		if (r >= 0 && len == key_bytes) {
			key->len = len;
			r = 0;
		} else {
			secret_free(key);
			r = r < 0 ? r : -EINVAL;
		}
	}
	crypt_free(cd);
	return r;
}
