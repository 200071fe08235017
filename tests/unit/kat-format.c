// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Known answers through the format library's own primitives, the exact code
 * the keyslots use: IEEE 1619 XTS-AES (vectors 1-5 and 10, from
 * tests/vectors/xts-aes-ieee1619.txt) through veil_xts_crypt, RFC 9106 §5.3
 * Argon2id through veil_argon2id, RFC 7914 §11 PBKDF2-HMAC-SHA256 through
 * veil_pbkdf2_sha256, and the anti-forensic splitter's round trip.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil_format.h"

#include "../lib/check.h"
#include "kdf-vectors.h"
#include "testutil.h"

struct xts_vector {
	int n;
	uint8_t key[64];
	size_t key_len;
	unsigned long long sector;
	uint8_t pt[512], ct[512];
	size_t len;
};

static int load_xts_vectors(struct xts_vector *v, int max)
{
	char *line = NULL;
	size_t cap = 0;
	int count = 0;
	FILE *f = fopen(tu_src("tests/vectors/xts-aes-ieee1619.txt"), "r");

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		char key[160], pt[1100], ct[1100];
		long kl, pl, cl;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (count == max ||
		    sscanf(line, "vector=%d key=%159s sector=%llu pt=%1099s ct=%1099s",
			   &v[count].n, key, &v[count].sector, pt, ct) != 5)
			goto bad;
		kl = tu_unhex(key, v[count].key, sizeof(v[count].key));
		pl = tu_unhex(pt, v[count].pt, sizeof(v[count].pt));
		cl = tu_unhex(ct, v[count].ct, sizeof(v[count].ct));
		if ((kl != 32 && kl != 64) || pl <= 0 || pl != cl)
			goto bad;
		v[count].key_len = (size_t)kl;
		v[count].len = (size_t)pl;
		count++;
	}
	free(line);
	fclose(f);
	return count;
bad:
	free(line);
	fclose(f);
	return -1;
}

static void xts_ieee1619(void)
{
	struct xts_vector v[8];
	int n = load_xts_vectors(v, 8), i;
	uint8_t out[1024];

	CHECK(n == 6, "xts: vectors file has IEEE 1619 vectors 1-5 and 10 (%d read)", n);
	for (i = 0; i < n; i++) {
		bool dup_keys = !memcmp(v[i].key, v[i].key + v[i].key_len / 2,
					v[i].key_len / 2);
		int r;

		/* The whole vector is one data unit (32 or 512 bytes). */
		r = veil_xts_crypt(false, v[i].key, v[i].key_len, v[i].len,
				   v[i].sector, v[i].ct, out, v[i].len);
		CHECK(r == 0 && !memcmp(out, v[i].pt, v[i].len),
		      "xts: IEEE 1619 vector %d decrypts (veil_xts_crypt, r=%d)", v[i].n, r);
		r = veil_xts_crypt(true, v[i].key, v[i].key_len, v[i].len,
				   v[i].sector, v[i].pt, out, v[i].len);
		if (dup_keys)
			/* Vector 1 has key1 == key2, which OpenSSL 3 refuses to
			 * encrypt with; refusing is fine, a wrong answer is not. */
			CHECK(r < 0 || !memcmp(out, v[i].ct, v[i].len),
			      "xts: IEEE 1619 vector %d (equal key halves) encrypts right or is refused (r=%d)",
			      v[i].n, r);
		else
			CHECK(r == 0 && !memcmp(out, v[i].ct, v[i].len),
			      "xts: IEEE 1619 vector %d encrypts (veil_xts_crypt, r=%d)", v[i].n, r);
	}

	/* Vectors 4 and 5 are data units 0 and 1 under one key, and 5's
	 * plaintext is 4's ciphertext: one call over two 512-byte units must
	 * advance the plain64 tweak per unit. */
	for (i = 0; i + 1 < n; i++) {
		uint8_t in[1024], want[1024];
		int r;

		if (v[i].n != 4 || v[i + 1].n != 5)
			continue;
		memcpy(in, v[i].pt, 512);
		memcpy(in + 512, v[i + 1].pt, 512);
		memcpy(want, v[i].ct, 512);
		memcpy(want + 512, v[i + 1].ct, 512);
		r = veil_xts_crypt(true, v[i].key, v[i].key_len, 512, 0, in, out, 1024);
		CHECK(r == 0 && !memcmp(out, want, 1024),
		      "xts: vectors 4+5 as two consecutive 512-byte units in one call");
		memcpy(out, want, 1024);
		r = veil_xts_crypt(false, v[i].key, v[i].key_len, 512, 0, out, out, 1024);
		CHECK(r == 0 && !memcmp(out, in, 1024),
		      "xts: in-place decryption of two units");
	}
	CHECK(veil_xts_crypt(true, v[1].key, 48, 32, 0, v[1].pt, out, 32) < 0,
	      "xts: a 48-byte key is refused");
	CHECK(veil_xts_crypt(true, v[1].key, 32, 32, 0, v[1].pt, out, 40) < 0,
	      "xts: a length that is not a multiple of the unit is refused");
}

static void argon2id_rfc9106(void)
{
	struct argon2_rfc9106 in;
	uint8_t tag[32], want[32];
	int r;

	argon2_rfc9106_inputs(&in);
	tu_unhex(ARGON2_RFC9106_TAG_HEX, want, sizeof(want));
	r = veil_argon2id(in.pwd, sizeof(in.pwd), in.salt, sizeof(in.salt), in.secret,
			  sizeof(in.secret), in.ad, sizeof(in.ad), ARGON2_RFC9106_T,
			  ARGON2_RFC9106_M_KIB, ARGON2_RFC9106_LANES, tag, sizeof(tag));
	CHECK(r == 0 && !memcmp(tag, want, sizeof(tag)),
	      "argon2id rfc9106 5.3 through veil_argon2id (r=%d)", r);
	r = veil_argon2id(in.pwd, sizeof(in.pwd), in.salt, sizeof(in.salt), NULL, 0, in.ad,
			  sizeof(in.ad), ARGON2_RFC9106_T, ARGON2_RFC9106_M_KIB,
			  ARGON2_RFC9106_LANES, tag, sizeof(tag));
	CHECK(r == 0 && memcmp(tag, want, sizeof(tag)),
	      "argon2id: veil_argon2id without the secret gives another tag");
	veil_wipe(tag, sizeof(tag));
}

static void pbkdf2_rfc7914(void)
{
	size_t i;

	for (i = 0; i < PBKDF2_RFC7914_COUNT; i++) {
		const struct pbkdf2_rfc7914 *v = &pbkdf2_rfc7914_vectors[i];
		uint8_t dk[64], want[64];
		int r;

		tu_unhex(v->dk_hex, want, sizeof(want));
		r = veil_pbkdf2_sha256(v->pass, strlen(v->pass), (const uint8_t *)v->salt,
				       strlen(v->salt), v->iter, dk, sizeof(dk));
		CHECK(r == 0 && !memcmp(dk, want, sizeof(dk)),
		      "pbkdf2-sha256 rfc7914 11 vector %zu through veil_pbkdf2_sha256 (c=%u, r=%d)",
		      i + 1, v->iter, r);
		veil_wipe(dk, sizeof(dk));
	}
}

/* veil_kdf_derive dispatches to the two functions above with the slot's
 * 32-byte salt: it must agree with them. */
static void kdf_derive_dispatch(void)
{
	uint8_t salt[VEIL_SALT_SIZE], a[64], b[64];
	struct veil_kdf kdf = { VEIL_KDF_PBKDF2_SHA256, 1000, 0, 0 };
	int r1, r2;

	memset(salt, 0x5a, sizeof(salt));
	r1 = veil_kdf_derive(&kdf, "pass", 4, salt, a, sizeof(a));
	r2 = veil_pbkdf2_sha256("pass", 4, salt, sizeof(salt), 1000, b, sizeof(b));
	CHECK(r1 == 0 && r2 == 0 && !memcmp(a, b, sizeof(a)),
	      "kdf: veil_kdf_derive(pbkdf2) equals veil_pbkdf2_sha256");
	kdf = (struct veil_kdf){ VEIL_KDF_ARGON2ID, 1, 64, 2 };
	r1 = veil_kdf_derive(&kdf, "pass", 4, salt, a, sizeof(a));
	r2 = veil_argon2id("pass", 4, salt, sizeof(salt), NULL, 0, NULL, 0, 1, 64, 2,
			   b, sizeof(b));
	CHECK(r1 == 0 && r2 == 0 && !memcmp(a, b, sizeof(a)),
	      "kdf: veil_kdf_derive(argon2id) equals veil_argon2id");
	kdf.memory_kib = (4u << 20) + 1;
	CHECK(veil_kdf_derive(&kdf, "pass", 4, salt, a, sizeof(a)) == -ERANGE,
	      "kdf: argon2id memory above 4 GiB is refused before any work");
	veil_wipe(a, sizeof(a));
	veil_wipe(b, sizeof(b));
}

static void af_roundtrip(void)
{
	uint8_t key[64], back[64], *mat = malloc(64 * 4000);
	int r;

	if (!mat) {
		CHECK(0, "af: allocation");
		return;
	}
	for (r = 0; r < 64; r++)
		key[r] = (uint8_t)(r * 7 + 1);
	r = veil_af_split(key, sizeof(key), 4000, mat);
	CHECK(r == 0 && !tu_memmem(mat, 64 * 4000, key, sizeof(key)),
	      "af: split of 64 bytes into 4000 stripes does not contain the key");
	r = veil_af_merge(mat, sizeof(key), 4000, back);
	CHECK(r == 0 && !memcmp(key, back, sizeof(key)), "af: merge inverts split");
	mat[64 * 1234 + 5] ^= 1;
	r = veil_af_merge(mat, sizeof(key), 4000, back);
	CHECK(r == 0 && memcmp(key, back, sizeof(key)),
	      "af: one flipped bit in any stripe changes the merged key");
	veil_wipe(mat, 64 * 4000);
	veil_wipe(key, sizeof(key));
	veil_wipe(back, sizeof(back));
	free(mat);
}

int main(void)
{
	xts_ieee1619();
	argon2id_rfc9106();
	pbkdf2_rfc7914();
	kdf_derive_dispatch();
	af_roundtrip();
	return CHECK_EXIT();
}
