/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ciphers veil accepts, and the crypto API transforms behind them. */
#ifndef _VEIL_CIPHER_H
#define _VEIL_CIPHER_H

#include <linux/types.h>

struct crypto_skcipher;

#define VEIL_MAX_KEY_SIZE 64	/* AES-256-XTS: two 256-bit keys */
#define VEIL_MAX_IV_SIZE 32	/* adiantum */

enum veil_iv_mode {
	VEIL_IV_NONE,		/* cipher_null-ecb: no IV at all */
	VEIL_IV_PLAIN,		/* low 32 bits of the sector, little endian */
	VEIL_IV_PLAIN64,	/* 64-bit sector, little endian */
	VEIL_IV_ESSIV,		/* plain64, encrypted by the essiv template */
};

struct veil_cipher {
	const char *spec;	/* table spelling, dm-crypt's legacy syntax */
	const char *crypto_name; /* crypto API algorithm it maps to */
	enum veil_iv_mode iv_mode;
	unsigned int min_iv_size; /* bytes the IV generator writes */
	u8 key_sizes[4];	/* accepted key sizes in bytes, 0-terminated */
	bool keyless;		/* takes "-" instead of a key */
	bool insecure;		/* no confidentiality: tests and benchmarks */
};

const struct veil_cipher *veil_cipher_lookup(const char *spec, const char **error);
bool veil_cipher_key_size_ok(const struct veil_cipher *cipher, unsigned int size);
struct crypto_skcipher *veil_cipher_alloc_tfm(const struct veil_cipher *cipher);

#endif /* _VEIL_CIPHER_H */
