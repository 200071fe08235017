// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tool-kernel contract (mapping.h): every name and table line the tool
 * hands to device-mapper or the keyring is built here, and everything read
 * back from them is parsed here. Parsing is strict (whole numbers, exact
 * option counts, no trailing words) because a table we misread would make
 * resume or resize load a different mapping than the one that was open.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapping.h"
#include "veil_format.h"

const struct mapping_flag mapping_flags[] = {
	{ "allow_discards", "allow-discards", VEIL_FLAG_ALLOW_DISCARDS, "discards", true, false, 0 },
	/* dm-crypt's workqueue tuning: dm-veil has no such queues to tune. */
	{ "same_cpu_crypt", "perf-same_cpu_crypt", VEIL_FLAG_SAME_CPU_CRYPT, "same_cpu_crypt",
	  false, false, 0 },
	{ "submit_from_crypt_cpus", "perf-submit_from_crypt_cpus",
	  VEIL_FLAG_SUBMIT_FROM_CRYPT_CPUS, "submit_from_crypt_cpus", false, false, 0 },
	{ "no_read_workqueue", "perf-no_read_workqueue", VEIL_FLAG_NO_READ_WORKQUEUE,
	  "no_read_workqueue", false, false, 0 },
	{ "no_write_workqueue", "perf-no_write_workqueue", VEIL_FLAG_NO_WRITE_WORKQUEUE,
	  "no_write_workqueue", false, false, 0 },
	/*
	 * veil's own: every bio to the workers, as dm-crypt's default does;
	 * dm-veil 1.1 and later. A crypt table does that without a word.
	 */
	{ "no_inline", "perf-no_inline", VEIL_FLAG_NO_INLINE, "no_inline", true, true, 1 },
};
const size_t mapping_nflags = sizeof(mapping_flags) / sizeof(mapping_flags[0]);

const struct mapping_flag *mapping_flag_by_option(const char *option)
{
	for (size_t i = 0; i < mapping_nflags; i++)
		if (!strcmp(mapping_flags[i].option, option))
			return &mapping_flags[i];
	return NULL;
}

uint32_t mapping_flag_bits(void)
{
	uint32_t bits = 0;

	for (size_t i = 0; i < mapping_nflags; i++)
		bits |= mapping_flags[i].header_flag;
	return bits;
}

uint32_t mapping_flags_unsupported(const char *target, uint32_t flags)
{
	uint32_t ok = 0;

	if (!strcmp(target, "crypt"))
		return flags & ~mapping_flag_bits();
	if (strcmp(target, "veil"))
		return flags;
	for (size_t i = 0; i < mapping_nflags; i++)
		if (mapping_flags[i].veil_target)
			ok |= mapping_flags[i].header_flag;
	return flags & ~ok;
}

uint32_t mapping_flags_newer(uint32_t flags, unsigned int minor)
{
	uint32_t newer = 0;

	for (size_t i = 0; i < mapping_nflags; i++)
		if (mapping_flags[i].veil_target && mapping_flags[i].veil_minor > minor)
			newer |= mapping_flags[i].header_flag;
	return flags & newer;
}

const char *mapping_flag_word(uint32_t flags)
{
	for (size_t i = 0; i < mapping_nflags; i++)
		if (flags & mapping_flags[i].header_flag)
			return mapping_flags[i].table;
	return NULL;
}

static const struct mapping_flag *flag_by_table_word(const char *word)
{
	for (size_t i = 0; i < mapping_nflags; i++)
		if (!strcmp(mapping_flags[i].table, word))
			return &mapping_flags[i];
	return NULL;
}

/* snprintf that reports truncation as -ENAMETOOLONG. */
static int put(char *out, size_t len, int n)
{
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= len) {
		if (len)
			out[0] = 0;
		return -ENAMETOOLONG;
	}
	return 0;
}

int mapping_name_check(const char *name, const char **why)
{
	size_t n = strlen(name);

	*why = NULL;
	if (n > MAPPING_NAME_MAX) {
		*why = "longer than 90 characters (its DM UUID must fit in 128 characters)";
		return -EINVAL;
	}
	if (!n || !strcmp(name, ".") || !strcmp(name, "..") || strchr(name, '/') ||
	    !strcmp(name, "control")) {
		*why = "not a name /dev/mapper can hold";
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!isprint((unsigned char)name[i]) || name[i] == ' ') {
			*why = "only printable characters without spaces";
			return -EINVAL;
		}
	}
	return 0;
}

/* A volume UUID in its 8-4-4-4-12 lower-case form. */
static bool uuid_str_ok(const char *u)
{
	if (strlen(u) != MAPPING_UUID_STR_LEN)
		return false;
	for (int i = 0; i < MAPPING_UUID_STR_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? u[i] != '-' : !(isdigit((unsigned char)u[i]) || (u[i] >= 'a' && u[i] <= 'f')))
			return false;
	}
	return true;
}

static bool name_ok(const char *name)
{
	const char *why;

	return !mapping_name_check(name, &why);
}

int mapping_key_desc(const char *volume_uuid, char *out, size_t len)
{
	if (!uuid_str_ok(volume_uuid))
		return -EINVAL;
	return put(out, len, snprintf(out, len, "veil:%s", volume_uuid));
}

int mapping_plain_key_desc(const char *name, char *out, size_t len)
{
	if (!name_ok(name))
		return -EINVAL;
	return put(out, len, snprintf(out, len, "veil:PLAIN-%s", name));
}

int mapping_dm_uuid(const char *volume_uuid, const char *name, char *out, size_t len)
{
	char hex[MAPPING_UUID_HEX_LEN + 1];
	int j = 0;

	if (!uuid_str_ok(volume_uuid) || !name_ok(name))
		return -EINVAL;
	for (const char *p = volume_uuid; *p; p++)
		if (*p != '-')
			hex[j++] = *p;
	hex[j] = 0;
	return put(out, len, snprintf(out, len, "VEIL-%s-%s", hex, name));
}

int mapping_plain_dm_uuid(const char *name, char *out, size_t len)
{
	if (!name_ok(name))
		return -EINVAL;
	return put(out, len, snprintf(out, len, "VEIL-PLAIN-%s", name));
}

bool mapping_is_ours(const char *dm_uuid)
{
	return !strncmp(dm_uuid, "VEIL-", 5);
}

int mapping_dm_uuid_parse(const char *dm_uuid, struct mapping_owner *out)
{
	const char *p = dm_uuid + 5;
	int j = 0;

	memset(out, 0, sizeof(*out));
	if (!mapping_is_ours(dm_uuid))
		return -EINVAL;
	if (!strncmp(p, "PLAIN-", 6)) {
		out->plain = true;
		p += 6;
	} else {
		for (int i = 0; i < MAPPING_UUID_HEX_LEN; i++) {
			if (!isdigit((unsigned char)p[i]) && !(p[i] >= 'a' && p[i] <= 'f'))
				return -EINVAL;
			if (i == 8 || i == 12 || i == 16 || i == 20)
				out->volume_uuid[j++] = '-';
			out->volume_uuid[j++] = p[i];
		}
		out->volume_uuid[j] = 0;
		p += MAPPING_UUID_HEX_LEN;
		if (*p++ != '-')
			return -EINVAL;
	}
	if (!name_ok(p))
		return -EINVAL;
	memcpy(out->name, p, strlen(p) + 1);
	if (out->plain)
		return mapping_plain_key_desc(out->name, out->key_desc, sizeof(out->key_desc));
	return mapping_key_desc(out->volume_uuid, out->key_desc, sizeof(out->key_desc));
}

int mapping_key_ref(unsigned int bytes, const char *desc, char *out, size_t len)
{
	if (!bytes || !*desc || strchr(desc, ' '))
		return -EINVAL;
	return put(out, len, snprintf(out, len, ":%u:logon:%s", bytes, desc));
}

/* A whole, canonical decimal number: no sign, no leading zero, no junk. */
static int parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!n || (n > 1 && s[0] == '0'))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int mapping_key_ref_parse(const char *ref, unsigned int *bytes, char *desc, size_t desclen)
{
	const char *colon;
	uint64_t v;

	if (ref[0] != ':')
		return -EINVAL;
	colon = strchr(ref + 1, ':');
	if (!colon || parse_u64(ref + 1, (size_t)(colon - ref - 1), 1024, &v) || !v)
		return -EINVAL;
	if (strncmp(colon + 1, "logon:", 6) || !colon[7] || strchr(colon + 7, ' '))
		return -EINVAL;
	*bytes = (unsigned int)v;
	return put(desc, desclen, snprintf(desc, desclen, "%s", colon + 7));
}

char *mapping_params(const struct mapping *m)
{
	char opts[256 + MAPPING_EXTRA_MAX] = "", *out = NULL;
	int nopt = 0, len = 0, r;

	if (m->sector_size && m->sector_size != 512) {
		len += snprintf(opts + len, sizeof(opts) - (size_t)len, " sector_size:%u",
				m->sector_size);
		nopt++;
	}
	if (m->iv_large_sectors) {
		len += snprintf(opts + len, sizeof(opts) - (size_t)len, " iv_large_sectors");
		nopt++;
	}
	for (size_t i = 0; i < mapping_nflags; i++) {
		if (!(m->flags & mapping_flags[i].header_flag))
			continue;
		if (mapping_flags[i].crypt_default && m->target && !strcmp(m->target, "crypt"))
			continue;
		len += snprintf(opts + len, sizeof(opts) - (size_t)len, " %s", mapping_flags[i].table);
		nopt++;
	}
	if (m->nextra) {
		len += snprintf(opts + len, sizeof(opts) - (size_t)len, " %s", m->extra);
		nopt += (int)m->nextra;
	}
	if (nopt)
		r = asprintf(&out, "%s :%u:logon:%s %" PRIu64 " %s %" PRIu64 " %d%s",
			     m->cipher, m->key_bytes, m->key_desc, m->iv_offset, m->device,
			     m->offset, nopt, opts);
	else
		r = asprintf(&out, "%s :%u:logon:%s %" PRIu64 " %s %" PRIu64,
			     m->cipher, m->key_bytes, m->key_desc, m->iv_offset, m->device,
			     m->offset);
	return r < 0 ? NULL : out;
}

/* The next space-separated word: start and length, or 0 at the end. */
static size_t next_word(const char **p, const char **word)
{
	size_t n;

	while (**p == ' ')
		(*p)++;
	*word = *p;
	n = strcspn(*p, " ");
	*p += n;
	return n;
}

static int copy_word(const char *w, size_t n, char *out, size_t outlen)
{
	if (!n || n >= outlen)
		return -EINVAL;
	memcpy(out, w, n);
	out[n] = 0;
	return 0;
}

static bool all_hex(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)w[i]))
			return false;
	return n > 0;
}

/*
 * The key word is a keyring reference (its description goes to desc), "-"
 * or all-zero hex (wiped by a suspend, in veil's and dm-crypt's spelling),
 * or a hex key from someone else's table, which is never copied out.
 */
static int parse_key(const char *w, size_t n, struct mapping *m, char *desc, size_t desclen)
{
	char ref[MAPPING_KEY_DESC_MAX + 32];

	if (w[0] == ':') {
		if (copy_word(w, n, ref, sizeof(ref)) ||
		    mapping_key_ref_parse(ref, &m->key_bytes, desc, desclen))
			return -EINVAL;
		m->key_desc = desc;
		m->key_state = KEY_KEYRING;
		return 0;
	}
	if (n == 1 && w[0] == '-') {
		m->key_state = KEY_WIPED;
		return 0;
	}
	if (!all_hex(w, n) || n % 2)
		return -EINVAL;
	m->key_bytes = (unsigned int)(n / 2);
	m->key_state = strspn(w, "0") >= n ? KEY_WIPED : KEY_HEX;
	return 0;
}

/*
 * An option the tool does not interpret is kept for the next reload, never
 * dropped. A word that looks like one of ours with a bad value (sector_size:
 * with junk) is not "unknown": it is refused like any misread table.
 */
static int keep_option(const char *word, struct mapping *m)
{
	size_t have = strlen(m->extra), n = strlen(word);

	if (!strncmp(word, "sector_size", 11) || !strncmp(word, "iv_large_sectors", 16))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)word[i]))
			return -EINVAL;
	if (have + (have ? 1 : 0) + n >= sizeof(m->extra))
		return -E2BIG;
	snprintf(m->extra + have, sizeof(m->extra) - have, "%s%s", have ? " " : "", word);
	m->nextra++;
	return 0;
}

static int parse_option(const char *w, size_t n, struct mapping *m)
{
	const struct mapping_flag *f;
	char word[64];
	uint64_t v;

	if (copy_word(w, n, word, sizeof(word)))
		return -EINVAL;
	if (!strncmp(word, "sector_size:", 12)) {
		if (parse_u64(word + 12, strlen(word + 12), 4096, &v) || v < 512 || (v & (v - 1)))
			return -EINVAL;
		m->sector_size = (unsigned int)v;
	} else if (!strcmp(word, "iv_large_sectors")) {
		m->iv_large_sectors = true;
	} else if ((f = flag_by_table_word(word))) {
		m->flags |= f->header_flag;
	} else {
		return keep_option(word, m);
	}
	return 0;
}

int mapping_parse(const char *params, struct mapping *m, char *cipher, size_t cipherlen,
		  char *desc, size_t desclen, char *dev, size_t devlen)
{
	const char *p = params, *w;
	uint64_t nopt = 0;
	size_t n;

	memset(m, 0, sizeof(*m));
	if (desclen)
		desc[0] = 0;
	m->sector_size = 512;
	n = next_word(&p, &w);
	if (copy_word(w, n, cipher, cipherlen))
		return -EINVAL;
	m->cipher = cipher;
	n = next_word(&p, &w);
	if (!n || parse_key(w, n, m, desc, desclen))
		return -EINVAL;
	n = next_word(&p, &w);
	if (parse_u64(w, n, UINT64_MAX, &m->iv_offset))
		return -EINVAL;
	n = next_word(&p, &w);
	if (copy_word(w, n, dev, devlen))
		return -EINVAL;
	m->device = dev;
	n = next_word(&p, &w);
	if (parse_u64(w, n, UINT64_MAX, &m->offset))
		return -EINVAL;
	n = next_word(&p, &w);
	if (n && (parse_u64(w, n, 64, &nopt) || !nopt))
		return -EINVAL;
	for (uint64_t i = 0; i < nopt; i++) {
		n = next_word(&p, &w);
		if (!n || parse_option(w, n, m))
			return -EINVAL;
	}
	n = next_word(&p, &w);
	return n ? -EINVAL : 0;
}

bool mapping_fallback_possible(int load_err, const char *target, bool target_given)
{
	return load_err && !target_given && !strcmp(target, "veil");
}

enum mapping_fallback mapping_fallback(int load_err, const char *target, bool target_given,
				       bool veil_missing, bool may_ask)
{
	if (!mapping_fallback_possible(load_err, target, target_given) || !veil_missing)
		return FALLBACK_NONE;
	return may_ask ? FALLBACK_ASK : FALLBACK_REFUSE;
}
