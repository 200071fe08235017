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
#include "kdf-vectors.h"
#include "testutil.h"

static void argon2id_rfc9106(void)
{
	struct argon2_rfc9106 in;
	uint8_t tag[32], want[32];
	argon2_context ctx;
	int rc;

	argon2_rfc9106_inputs(&in);
	tu_unhex(ARGON2_RFC9106_TAG_HEX, want, sizeof(want));

	memset(&ctx, 0, sizeof(ctx));
	ctx.out = tag;
	ctx.outlen = sizeof(tag);
	ctx.pwd = in.pwd;
	ctx.pwdlen = sizeof(in.pwd);
	ctx.salt = in.salt;
	ctx.saltlen = sizeof(in.salt);
	ctx.secret = in.secret;
	ctx.secretlen = sizeof(in.secret);
	ctx.ad = in.ad;
	ctx.adlen = sizeof(in.ad);
	ctx.t_cost = ARGON2_RFC9106_T;
	ctx.m_cost = ARGON2_RFC9106_M_KIB;
	ctx.lanes = ARGON2_RFC9106_LANES;
	ctx.threads = ARGON2_RFC9106_LANES;
	ctx.version = ARGON2_VERSION_13;
	ctx.flags = ARGON2_DEFAULT_FLAGS;

	rc = argon2_ctx(&ctx, Argon2_id);
	CHECK(rc == ARGON2_OK, "argon2id rfc9106 5.3: argon2_ctx succeeds (%s)",
	      argon2_error_message(rc));
	CHECK(memcmp(tag, want, sizeof(tag)) == 0, "argon2id rfc9106 5.3: tag matches the RFC");

	/* The secret and the associated data must both feed the tag. */
	in.ad[0] ^= 1;
	rc = argon2_ctx(&ctx, Argon2_id);
	CHECK(rc == ARGON2_OK && memcmp(tag, want, sizeof(tag)) != 0,
	      "argon2id rfc9106 5.3: changing the associated data changes the tag");
	in.ad[0] ^= 1;
	ctx.secretlen = 0;
	ctx.secret = NULL;
	rc = argon2_ctx(&ctx, Argon2_id);
	CHECK(rc == ARGON2_OK && memcmp(tag, want, sizeof(tag)) != 0,
	      "argon2id rfc9106 5.3: dropping the secret changes the tag");
	OPENSSL_cleanse(tag, sizeof(tag));
}

static void pbkdf2_rfc7914(void)
{
	size_t i;

	for (i = 0; i < PBKDF2_RFC7914_COUNT; i++) {
		const struct pbkdf2_rfc7914 *v = &pbkdf2_rfc7914_vectors[i];
		uint8_t dk[64], want[64];
		int ok;

		tu_unhex(v->dk_hex, want, sizeof(want));
		ok = PKCS5_PBKDF2_HMAC(v->pass, (int)strlen(v->pass),
				       (const unsigned char *)v->salt, (int)strlen(v->salt),
				       (int)v->iter, EVP_sha256(), sizeof(dk), dk);
		CHECK(ok == 1 && memcmp(dk, want, sizeof(dk)) == 0,
		      "pbkdf2-sha256 rfc7914 11 vector %zu (openssl, c=%u)", i + 1, v->iter);
		OPENSSL_cleanse(dk, sizeof(dk));
	}
}

int main(void)
{
	argon2id_rfc9106();
	pbkdf2_rfc7914();
	return CHECK_EXIT();
}
