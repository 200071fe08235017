/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The published KDF answers, kept once: kat-argon2-pbkdf2.c checks the
 * libraries against them and kat-format.c checks veil's wrappers, so the
 * two can never drift onto different numbers.
 */
#ifndef VEIL_TESTS_KDF_VECTORS_H
#define VEIL_TESTS_KDF_VECTORS_H

#include <stdint.h>
#include <string.h>

/* RFC 9106 §5.3 Argon2id: m=32 KiB, t=3, p=4, 32-byte tag, version 0x13. */
struct argon2_rfc9106 {
	uint8_t pwd[32], salt[16], secret[8], ad[12];
};
#define ARGON2_RFC9106_T 3
#define ARGON2_RFC9106_M_KIB 32
#define ARGON2_RFC9106_LANES 4
#define ARGON2_RFC9106_TAG_HEX "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"

static inline void argon2_rfc9106_inputs(struct argon2_rfc9106 *in)
{
	memset(in->pwd, 0x01, sizeof(in->pwd));
	memset(in->salt, 0x02, sizeof(in->salt));
	memset(in->secret, 0x03, sizeof(in->secret));
	memset(in->ad, 0x04, sizeof(in->ad));
}

/* RFC 7914 §11 PBKDF2-HMAC-SHA256, 64-byte outputs. */
static const struct pbkdf2_rfc7914 {
	const char *pass, *salt;
	uint32_t iter;
	const char *dk_hex;
} pbkdf2_rfc7914_vectors[] = {
	{ "passwd", "salt", 1,
	  "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
	  "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783" },
	{ "Password", "NaCl", 80000,
	  "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
	  "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d" },
};
#define PBKDF2_RFC7914_COUNT (sizeof(pbkdf2_rfc7914_vectors) / sizeof(pbkdf2_rfc7914_vectors[0]))

#endif
