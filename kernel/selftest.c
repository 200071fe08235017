// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Known-answer self-test of the pure parts of dm-veil: canonical number
 * parsing, the optional table arguments, cipher spec lookup and IV
 * generation. The Debian kernels veil targets have no KUnit for modules
 * built out of tree, so, as WireGuard does, the module runs these at load
 * when asked:
 *
 *   modprobe dm-veil selftest=1   run them; refuse to load if one fails
 *   modprobe dm-veil selftest=2   the same plus one vector whose expected
 *                                 answer is wrong, to show a failure is seen
 *                                 (the load then always fails)
 *
 * The result is one kernel log line: "selftest: PASS, N vectors" or
 * "selftest: FAIL, F of N vectors failed". Refused arguments log their
 * usual messages on the way, as they would for a real table.
 */
#include <linux/device-mapper.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "cipher.h"
#include "iv.h"
#include "parse.h"
#include "selftest.h"
#include "target.h"

static unsigned int selftest;
module_param(selftest, uint, 0444);
MODULE_PARM_DESC(selftest, "1: run the known-answer self-test at load and refuse to load on a failure; 2: also run one deliberately wrong vector (the load fails)");

struct veil_st {
	unsigned int run;
	unsigned int failed;
};

static void st_check(struct veil_st *st, bool ok, const char *what, unsigned int i)
{
	st->run++;
	if (!ok) {
		st->failed++;
		DMERR("selftest: FAIL %s vector %u", what, i);
	}
}

/* --- numbers --------------------------------------------------------------- */

static const struct {
	const char *s;
	size_t len;		/* 0: strlen(s) */
	int ret;
	u64 value;
} u64_vectors[] = {
	{ "0", 0, 0, 0 },
	{ "1", 0, 0, 1 },
	{ "4096", 0, 0, 4096 },
	{ "18446744073709551615", 0, 0, U64_MAX },
	{ "18446744073709551616", 0, -ERANGE },
	{ "99999999999999999999999", 0, -ERANGE },
	{ "", 0, -EINVAL },
	{ "01", 0, -EINVAL },
	{ "00", 0, -EINVAL },
	{ "+1", 0, -EINVAL },
	{ "-1", 0, -EINVAL },
	{ " 1", 0, -EINVAL },
	{ "1 ", 0, -EINVAL },
	{ "1\n", 0, -EINVAL },
	{ "0x10", 0, -EINVAL },
	{ "1e3", 0, -EINVAL },
	{ "1.5", 0, -EINVAL },
	{ "12x", 2, 0, 12 },	/* exactly len bytes are read */
	{ "512:", 3, 0, 512 },
};

static void st_numbers(struct veil_st *st)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(u64_vectors); i++) {
		const char *s = u64_vectors[i].s;
		size_t len = u64_vectors[i].len ?: strlen(s);
		u64 value = 0x5a5a5a5a;
		int r = veil_parse_u64(s, len, &value);

		st_check(st, r == u64_vectors[i].ret &&
			 (r || value == u64_vectors[i].value), "number", i);
	}
}

/* --- optional table arguments ---------------------------------------------- */

#define ST_MAX_ARGS 6
static const struct {
	unsigned int argc;
	const char *argv[ST_MAX_ARGS];
	int ret;
	unsigned int sector_size;
	bool iv_large_sectors, allow_discards;
	unsigned int nr_opts;
	bool no_inline;
} opt_vectors[] = {
	{ 0, {}, 0, 512, false, false, 0 },
	{ 1, { "0" }, 0, 512, false, false, 0 },
	{ 2, { "1", "allow_discards" }, 0, 512, false, true, 1 },
	{ 2, { "1", "ALLOW_DISCARDS" }, 0, 512, false, true, 1 },
	{ 2, { "1", "Iv_Large_Sectors" }, 0, 512, true, false, 1 },
	{ 4, { "3", "sector_size:4096", "iv_large_sectors", "allow_discards" }, 0, 4096, true, true, 3 },
	{ 2, { "1", "sector_size:1024" }, 0, 1024, false, false, 1 },
	{ 2, { "1", "sector_size:512" }, 0, 512, false, false, 1 },
	{ 2, { "1", "no_inline" }, 0, 512, false, false, 1, true },
	{ 2, { "1", "No_Inline" }, 0, 512, false, false, 1, true },
	{ 5, { "4", "no_inline", "sector_size:4096", "allow_discards", "iv_large_sectors" },
	  0, 4096, true, true, 4, true },
	/* dm-crypt matches "sector_size:" with sscanf: exactly. */
	{ 2, { "1", "SECTOR_SIZE:4096" }, -EINVAL },
	{ 2, { "1", "sector_size:3000" }, -EINVAL },
	{ 2, { "1", "sector_size:8192" }, -EINVAL },
	{ 2, { "1", "sector_size:256" }, -EINVAL },
	{ 2, { "1", "sector_size:04096" }, -EINVAL },
	{ 2, { "1", "sector_size:" }, -EINVAL },
	{ 2, { "1", "same_cpu_crypt" }, -EINVAL },
	{ 2, { "1", "allow_discard" }, -EINVAL },
	{ 3, { "2", "allow_discards", "allow_discards" }, -EINVAL },
	{ 3, { "2", "sector_size:512", "sector_size:4096" }, -EINVAL },
	{ 2, { "2", "allow_discards" }, -EINVAL },
	{ 2, { "0", "allow_discards" }, -EINVAL },
	{ 2, { "01", "allow_discards" }, -EINVAL },
	{ 2, { "x", "allow_discards" }, -EINVAL },
	{ 5, { "4", "allow_discards", "iv_large_sectors", "sector_size:4096", "allow_discards" }, -EINVAL },
	{ 3, { "2", "no_inline", "NO_INLINE" }, -EINVAL },
	{ 2, { "1", "no_inline_crypt" }, -EINVAL },
	{ 6, { "5", "no_inline", "iv_large_sectors", "sector_size:4096", "allow_discards",
	       "no_inline" }, -EINVAL },
};

static void st_options(struct veil_st *st, struct veil_target *v)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(opt_vectors); i++) {
		char *argv[ST_MAX_ARGS];
		const char *error = NULL;
		unsigned int j;
		bool ok;
		int r;

		memset(v, 0, sizeof(*v));
		v->sector_size = 512;
		for (j = 0; j < opt_vectors[i].argc; j++)
			argv[j] = (char *)opt_vectors[i].argv[j];
		r = veil_parse_options(v, opt_vectors[i].argc, argv, &error);
		if (opt_vectors[i].ret)
			ok = r == opt_vectors[i].ret && error;
		else
			ok = !r && v->sector_size == opt_vectors[i].sector_size &&
			     v->sector_shift == __ffs(v->sector_size) - SECTOR_SHIFT &&
			     v->iv_large_sectors == opt_vectors[i].iv_large_sectors &&
			     v->allow_discards == opt_vectors[i].allow_discards &&
			     v->no_inline == opt_vectors[i].no_inline &&
			     v->nr_opts == opt_vectors[i].nr_opts &&
			     v->opt_count_given == (opt_vectors[i].argc > 0);
		st_check(st, ok, "option", i);
	}
}

/* --- cipher specs ---------------------------------------------------------- */

static const struct {
	const char *spec;
	const char *crypto_name;	/* NULL: refused */
	enum veil_iv_mode iv_mode;
	const char *error;		/* part of the refusal's ti->error */
} cipher_vectors[] = {
	{ "aes-xts-plain64", "xts(aes)", VEIL_IV_PLAIN64 },
	{ "aes-xts-plain", "xts(aes)", VEIL_IV_PLAIN },
	{ "aes-cbc-essiv:sha256", "essiv(cbc(aes),sha256)", VEIL_IV_ESSIV },
	{ "xchacha12,aes-adiantum-plain64", "adiantum(xchacha12,aes)", VEIL_IV_PLAIN64 },
	{ "cipher_null-ecb", "ecb(cipher_null)", VEIL_IV_NONE },
	{ "aes-xts-benbi", NULL, 0, "IV mode" },
	{ "aes-xts-plain64be", NULL, 0, "IV mode" },
	{ "aes-cbc-essiv:sha1", NULL, 0, "IV mode" },
	{ "aes-cbc-plain64", NULL, 0, "IV mode" },
	{ "cipher_null-ecb-plain64", NULL, 0, "IV mode" },
	{ "capi:xts(aes)-plain64", NULL, 0, "capi" },
	{ "AES-XTS-PLAIN64", NULL, 0, "unsupported cipher" },
	{ "serpent-xts-plain64", NULL, 0, "unsupported cipher" },
	{ "cipher_null-cbc", NULL, 0, "unsupported cipher" },
	{ "aes", NULL, 0, "unsupported cipher" },
	{ "", NULL, 0, "unsupported cipher" },
};

static const struct {
	const char *spec;
	unsigned int size;
	bool ok;
} key_size_vectors[] = {
	{ "aes-xts-plain64", 32, true }, { "aes-xts-plain64", 48, true },
	{ "aes-xts-plain64", 64, true }, { "aes-xts-plain64", 16, false },
	{ "aes-xts-plain64", 0, false }, { "aes-xts-plain", 64, true },
	{ "aes-cbc-essiv:sha256", 16, true }, { "aes-cbc-essiv:sha256", 32, true },
	{ "aes-cbc-essiv:sha256", 64, false },
	{ "xchacha12,aes-adiantum-plain64", 32, true },
	{ "xchacha12,aes-adiantum-plain64", 64, false },
	{ "cipher_null-ecb", 0, true }, { "cipher_null-ecb", 16, false },
};

static void st_ciphers(struct veil_st *st)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cipher_vectors); i++) {
		const char *error = NULL;
		const struct veil_cipher *c = veil_cipher_lookup(cipher_vectors[i].spec, &error);
		bool ok;

		if (cipher_vectors[i].crypto_name)
			ok = c && !strcmp(c->crypto_name, cipher_vectors[i].crypto_name) &&
			     c->iv_mode == cipher_vectors[i].iv_mode;
		else
			ok = !c && error && strstr(error, cipher_vectors[i].error);
		st_check(st, ok, "cipher", i);
	}
	for (i = 0; i < ARRAY_SIZE(key_size_vectors); i++) {
		const char *error = NULL;
		const struct veil_cipher *c = veil_cipher_lookup(key_size_vectors[i].spec, &error);

		st_check(st, c && veil_cipher_key_size_ok(c, key_size_vectors[i].size) ==
			 key_size_vectors[i].ok, "key size", i);
	}
}

/* --- IVs --------------------------------------------------------------------- */

/*
 * The IV for one unit: the target-relative sector, iv_offset and
 * iv_large_sectors give the IV sector; the mode lays it out. The expected
 * bytes are dm-crypt's (plain: le32, plain64: le64, zero padded; essiv:
 * the plain64 bytes, which the essiv template then encrypts).
 */
static const struct {
	enum veil_iv_mode mode;
	unsigned int iv_size;
	u64 sector, iv_offset;
	unsigned int sector_size;
	bool large;
	u8 iv[VEIL_MAX_IV_SIZE];
} iv_vectors[] = {
	{ VEIL_IV_PLAIN64, 16, 0, 0, 512, false, {} },
	{ VEIL_IV_PLAIN64, 16, 1, 0, 512, false, { 1 } },
	{ VEIL_IV_PLAIN64, 16, 0x0123456789abcdefULL, 0, 512, false,
	  { 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01 } },
	{ VEIL_IV_PLAIN64, 16, 0x100, 0x23, 512, false, { 0x23, 0x01 } },
	/* u64 wrap, as dm-crypt's arithmetic */
	{ VEIL_IV_PLAIN64, 16, 8, U64_MAX - 7, 512, false, {} },
	/* 4096-byte units: counted in 512-byte sectors, or in units */
	{ VEIL_IV_PLAIN64, 16, 64, 8, 4096, false, { 72 } },
	{ VEIL_IV_PLAIN64, 16, 64, 8, 4096, true, { 9 } },
	{ VEIL_IV_PLAIN64, 16, 0xfffffff8ULL, 0, 4096, true, { 0xff, 0xff, 0xff, 0x1f } },
	{ VEIL_IV_PLAIN64, 16, 4, 0, 2048, true, { 1 } },
	{ VEIL_IV_PLAIN64, 32, 0x0123456789abcdefULL, 0, 512, false,
	  { 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01 } },
	{ VEIL_IV_PLAIN, 16, 0x0123456789abcdefULL, 0, 512, false, { 0xef, 0xcd, 0xab, 0x89 } },
	{ VEIL_IV_PLAIN, 16, 0x100000005ULL, 0, 512, false, { 5 } },
	{ VEIL_IV_PLAIN, 16, 0xffffffffULL, 1, 512, false, {} },
	{ VEIL_IV_ESSIV, 16, 0x0123456789abcdefULL, 0, 512, false,
	  { 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01 } },
	{ VEIL_IV_ESSIV, 16, 16, 16, 4096, true, { 4 } },
	{ VEIL_IV_NONE, 16, 0x0123456789abcdefULL, 0, 512, false, {} },
};

static void st_ivs(struct veil_st *st, struct veil_target *v)
{
	u8 iv[VEIL_MAX_IV_SIZE + 1];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(iv_vectors); i++) {
		unsigned int size = iv_vectors[i].iv_size;

		memset(v, 0, sizeof(*v));
		v->iv_offset = iv_vectors[i].iv_offset;
		v->sector_size = iv_vectors[i].sector_size;
		v->sector_shift = __ffs(v->sector_size) - SECTOR_SHIFT;
		v->iv_large_sectors = iv_vectors[i].large;
		/* Garbage before, and a canary after the IV. */
		memset(iv, 0xa5, sizeof(iv));
		veil_iv_generate(iv_vectors[i].mode, iv, size,
				 veil_iv_sector(v, iv_vectors[i].sector));
		st_check(st, !memcmp(iv, iv_vectors[i].iv, size) && iv[size] == 0xa5,
			 "IV", i);
	}
	/* No IV at all: nothing is written. */
	memset(iv, 0xa5, sizeof(iv));
	veil_iv_generate(VEIL_IV_NONE, iv, 0, 1);
	st_check(st, iv[0] == 0xa5, "IV size 0", 0);
}

int veil_selftest(void)
{
	struct veil_st st = {};
	struct veil_target *v;

	if (!selftest)
		return 0;
	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;

	st_numbers(&st);
	st_options(&st, v);
	st_ciphers(&st);
	st_ivs(&st, v);
	if (selftest >= 2) {
		/* The negative control: "1" does not parse as 2. */
		u64 value = 0;
		int r = veil_parse_u64("1", 1, &value);

		DMINFO("selftest: the next vector is wrong on purpose (selftest=2)");
		st_check(&st, !r && value == 2, "deliberately wrong", 0);
	}
	kfree(v);

	if (st.failed) {
		DMERR("selftest: FAIL, %u of %u vectors failed", st.failed, st.run);
		return -ENOTRECOVERABLE;
	}
	DMINFO("selftest: PASS, %u vectors", st.run);
	return 0;
}
