// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Known answers for the primitives under the keyslot KDFs, through the
 * libraries veil links: RFC 9106 §5.3 Argon2id (with secret and associated
 * data) through libargon2's context API, and RFC 7914 §11 PBKDF2-HMAC-SHA256
 * through OpenSSL. The keyslot code's own KDF wrapper is checked against the
 * same answers in kat-format.c.
 */
#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

#include "../lib/check.h"
#include "testutil.h"

static void argon2id_rfc9106(void)
{
	/* RFC 9106 §5.3: m=32 KiB, t=3, p=4, tag 32 bytes, version 0x13. */
	static const char *want_hex =
		"0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659";
	uint8_t pwd[32], salt[16], secret[8], ad[12], tag[32], want[32];
	argon2_context ctx;
	int rc;

	memset(pwd, 0x01, sizeof(pwd));
	memset(salt, 0x02, sizeof(salt));
	memset(secret, 0x03, sizeof(secret));
	memset(ad, 0x04, sizeof(ad));
	tu_unhex(want_hex, want, sizeof(want));

	memset(&ctx, 0, sizeof(ctx));
	ctx.out = tag;
	ctx.outlen = sizeof(tag);
	ctx.pwd = pwd;
	ctx.pwdlen = sizeof(pwd);
	ctx.salt = salt;
	ctx.saltlen = sizeof(salt);
	ctx.secret = secret;
	ctx.secretlen = sizeof(secret);
	ctx.ad = ad;
	ctx.adlen = sizeof(ad);
	ctx.t_cost = 3;
	ctx.m_cost = 32;
	ctx.lanes = 4;
	ctx.threads = 4;
	ctx.version = ARGON2_VERSION_13;
	ctx.flags = ARGON2_DEFAULT_FLAGS;

	rc = argon2_ctx(&ctx, Argon2_id);
	CHECK(rc == ARGON2_OK, "argon2id rfc9106 5.3: argon2_ctx succeeds (%s)",
	      argon2_error_message(rc));
	CHECK(memcmp(tag, want, sizeof(tag)) == 0, "argon2id rfc9106 5.3: tag matches the RFC");

	/* The secret and the associated data must both feed the tag. */
	ad[0] ^= 1;
	rc = argon2_ctx(&ctx, Argon2_id);
	CHECK(rc == ARGON2_OK && memcmp(tag, want, sizeof(tag)) != 0,
	      "argon2id rfc9106 5.3: changing the associated data changes the tag");
	ad[0] ^= 1;
	ctx.secretlen = 0;
	ctx.secret = NULL;
	rc = argon2_ctx(&ctx, Argon2_id);
	CHECK(rc == ARGON2_OK && memcmp(tag, want, sizeof(tag)) != 0,
	      "argon2id rfc9106 5.3: dropping the secret changes the tag");
	OPENSSL_cleanse(tag, sizeof(tag));
}

static void pbkdf2_rfc7914(void)
{
	static const struct {
		const char *pass, *salt;
		int iter;
		const char *dk;
	} v[] = {
		{ "passwd", "salt", 1,
		  "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
		  "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783" },
		{ "Password", "NaCl", 80000,
		  "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
		  "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d" },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t dk[64], want[64];
		int ok;

		tu_unhex(v[i].dk, want, sizeof(want));
		ok = PKCS5_PBKDF2_HMAC(v[i].pass, (int)strlen(v[i].pass),
				       (const unsigned char *)v[i].salt, (int)strlen(v[i].salt),
				       v[i].iter, EVP_sha256(), sizeof(dk), dk);
		CHECK(ok == 1 && memcmp(dk, want, sizeof(dk)) == 0,
		      "pbkdf2-sha256 rfc7914 11 vector %zu (openssl, c=%d)", i + 1, v[i].iter);
		OPENSSL_cleanse(dk, sizeof(dk));
	}
}

int main(void)
{
	argon2id_rfc9106();
	pbkdf2_rfc7914();
	return CHECK_EXIT();
}
