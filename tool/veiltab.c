// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veiltab(5) parser. Pure: it reads a buffer and allocates, nothing else,
 * so the generator, the initramfs and the fuzzer share it with veil tab.
 * Each line is parsed into a scratch entry that is kept only when the whole
 * line is valid; options crypttab knows but veil has no use for, and unknown
 * options, are warned about and ignored, as systemd-cryptsetup does.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veiltab.h"

#define DEFAULT_TRIES 3
#define DEFAULT_DEVICE_TIMEOUT_S 90

struct ctx {
	veiltab_warn_fn warn;
	void *warn_ctx;
	unsigned int line;
};

static void say(struct ctx *c, bool severe, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(struct ctx *c, bool severe, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!c->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->warn(c->warn_ctx, c->line, severe, msg);
}

static void entry_free(struct veiltab_entry *e)
{
	free(e->name);
	free(e->device);
	free(e->keyfile);
	free(e->keydev);
	free(e->header);
	free(e->cipher);
	free(e->tmp_fstype);
	memset(e, 0, sizeof(*e));
}

void veiltab_free(struct veiltab *t)
{
	for (size_t i = 0; i < t->n; i++)
		entry_free(&t->entries[i]);
	free(t->entries);
	t->entries = NULL;
	t->n = 0;
}

const struct veiltab_entry *veiltab_find(const struct veiltab *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->entries[i].name, name))
			return &t->entries[i];
	return NULL;
}

static const char *const tags[] = { "UUID", "LABEL", "PARTUUID", "PARTLABEL" };

const char *veiltab_spec_tag(const char *spec, const char **value)
{
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		size_t n = strlen(tags[i]);

		if (!strncmp(spec, tags[i], n) && spec[n] == '=') {
			*value = spec + n + 1;
			return tags[i];
		}
	}
	return NULL;
}

/* A device: an absolute path or TAG=value with a non-empty value. */
static bool spec_valid(const char *spec)
{
	const char *v;

	if (veiltab_spec_tag(spec, &v))
		return *v != 0;
	return spec[0] == '/' && spec[1];
}

static bool name_valid(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > VEILTAB_NAME_MAX || !strcmp(s, ".") || !strcmp(s, "..") ||
	    !strcmp(s, "control"))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)s[i]) || s[i] == '/')
			return false;
	return true;
}

/* Decimal, whole string, no sign, at most max. */
static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static bool parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	uint64_t v;

	if (!parse_u64(s, max, &v))
		return false;
	*out = (unsigned int)v;
	return true;
}

/*
 * A systemd time span in whole seconds: "90", "90s", "2min", "1h", "500ms"
 * (rounded up), "infinity" (0: no limit). One number and one unit; that is
 * what crypttab lines use in practice.
 */
static bool parse_timespan(const char *s, unsigned int *out)
{
	static const struct { const char *unit; uint64_t ms; } units[] = {
		{ "", 1000 }, { "s", 1000 }, { "sec", 1000 }, { "second", 1000 },
		{ "seconds", 1000 }, { "ms", 1 }, { "msec", 1 }, { "m", 60000 },
		{ "min", 60000 }, { "minute", 60000 }, { "minutes", 60000 },
		{ "h", 3600000 }, { "hr", 3600000 }, { "hour", 3600000 }, { "hours", 3600000 },
	};
	char num[21];
	size_t n = 0;
	uint64_t v, ms;

	if (!strcmp(s, "infinity")) {
		*out = 0;
		return true;
	}
	while (s[n] >= '0' && s[n] <= '9')
		n++;
	if (!n || n >= sizeof(num))
		return false;
	memcpy(num, s, n);
	num[n] = 0;
	if (!parse_u64(num, 86400ull * 1000 * 366, &v))
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(s + n, units[i].unit))
			continue;
		ms = v * units[i].ms;
		if (ms / 1000 + 1 > 86400ull * 366)
			return false;
		*out = (unsigned int)((ms + 999) / 1000);
		return true;
	}
	return false;
}

static bool fstype_valid(const char *s)
{
	if (!*s || strlen(s) > 32)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.')
			return false;
	return true;
}

static bool cipher_valid(const char *s)
{
	if (!*s || strlen(s) > 63)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_,:()", *s))
			return false;
	return true;
}

static int dup_to(char **dst, const char *src)
{
	char *d = strdup(src);

	if (!d)
		return -ENOMEM;
	free(*dst);
	*dst = d;
	return 0;
}

/* crypttab options veil accepts but that change nothing for it. */
static const char *const ignored_known[] = {
	"luks", "bitlk", "tcrypt", "veracrypt", "fido2-device", "tpm2-device",
	"pkcs11-uri", "headless", "verify", "same-cpu-crypt", "submit-from-crypt-cpus",
	"no-read-workqueue", "no-write-workqueue", "password-echo", "silent",
	"x-systemd.automount", "check", "checkargs", "keyscript", "loud", "quiet",
};

/* Parses one option into e. Returns 0, 1 (ignored, warned), -EINVAL (line
 * bad, warned) or -ENOMEM. */
static int parse_option(struct ctx *c, struct veiltab_entry *e, char *opt)
{
	char *val = strchr(opt, '=');
	uint64_t u64;
	unsigned int u;

	if (val)
		*val++ = 0;
#define FLAG(str, bit)                                                              \
	if (!strcmp(opt, str)) {                                                    \
		if (val) {                                                          \
			say(c, true, "option '%s' takes no value (got '%s')", opt, val); \
			return -EINVAL;                                             \
		}                                                                   \
		e->flags |= (bit);                                                  \
		return 0;                                                           \
	}
#define NEED_VAL()                                                                  \
	do {                                                                        \
		if (!val || !*val) {                                                \
			say(c, true, "option '%s' needs a value", opt);             \
			return -EINVAL;                                             \
		}                                                                   \
	} while (0)
#define BAD_VAL(what)                                                               \
	do {                                                                        \
		say(c, true, "option %s=%s: %s", opt, val, what);                  \
		return -EINVAL;                                                     \
	} while (0)

	FLAG("discard", VT_DISCARD);
	FLAG("readonly", VT_READONLY);
	FLAG("read-only", VT_READONLY);
	FLAG("noauto", VT_NOAUTO);
	FLAG("auto", 0);
	FLAG("nofail", VT_NOFAIL);
	FLAG("_netdev", VT_NETDEV);
	FLAG("swap", VT_SWAP);
	FLAG("plain", VT_PLAIN);
	FLAG("initramfs", VT_INITRAMFS);
	FLAG("no-inline", VT_NO_INLINE);
	FLAG("x-initrd.attach", VT_INITRAMFS);
	if (!strcmp(opt, "tmp")) {
		e->flags |= VT_TMP;
		if (!val)
			return dup_to(&e->tmp_fstype, "ext4");
		if (!fstype_valid(val))
			BAD_VAL("not a filesystem type");
		return dup_to(&e->tmp_fstype, val);
	}
	if (!strcmp(opt, "tries")) {
		NEED_VAL();
		if (!parse_uint(val, 1000, &e->tries))
			BAD_VAL("expected a number of attempts from 0 (unlimited) to 1000");
		return 0;
	}
	if (!strcmp(opt, "timeout") || !strcmp(opt, "x-systemd.device-timeout") ||
	    !strcmp(opt, "keyfile-timeout")) {
		NEED_VAL();
		if (!parse_timespan(val, &u))
			BAD_VAL("expected a time span such as 30, 30s, 2min or infinity");
		if (opt[0] == 't')
			e->timeout_s = u;
		else if (opt[0] == 'x')
			e->device_timeout_s = u;
		else
			e->keyfile_timeout_s = u;
		return 0;
	}
	if (!strcmp(opt, "keyfile-offset")) {
		NEED_VAL();
		if (!parse_u64(val, INT64_MAX, &e->keyfile_offset))
			BAD_VAL("expected a byte count");
		return 0;
	}
	if (!strcmp(opt, "keyfile-size")) {
		NEED_VAL();
		if (!parse_u64(val, 8u << 20, &u64) || !u64)
			BAD_VAL("expected a byte count from 1 to 8388608");
		e->keyfile_size = u64;
		return 0;
	}
	if (!strcmp(opt, "key-slot") || !strcmp(opt, "keyslot")) {
		NEED_VAL();
		if (!parse_uint(val, 31, &u))
			BAD_VAL("expected a keyslot number from 0 to 31");
		e->key_slot = (int)u;
		return 0;
	}
	if (!strcmp(opt, "header")) {
		NEED_VAL();
		if (!spec_valid(val))
			BAD_VAL("expected an absolute path or UUID=, LABEL=, PARTUUID=, PARTLABEL=");
		return dup_to(&e->header, val);
	}
	if (!strcmp(opt, "cipher")) {
		NEED_VAL();
		if (!cipher_valid(val))
			BAD_VAL("not a cipher specification");
		return dup_to(&e->cipher, val);
	}
	if (!strcmp(opt, "size")) {
		NEED_VAL();
		if (!parse_uint(val, 4096, &u) || !u || u % 8)
			BAD_VAL("expected a key size in bits, a non-zero multiple of 8");
		e->key_bits = u;
		return 0;
	}
	if (!strcmp(opt, "sector-size")) {
		NEED_VAL();
		if (!parse_uint(val, 4096, &u) || u < 512 || (u & (u - 1)))
			BAD_VAL("expected 512, 1024, 2048 or 4096");
		e->sector_size = u;
		return 0;
	}
	if (!strcmp(opt, "offset") || !strcmp(opt, "skip")) {
		NEED_VAL();
		if (!parse_u64(val, UINT64_MAX >> 10, &u64))
			BAD_VAL("expected a count of 512-byte sectors");
		*(opt[0] == 'o' ? &e->offset : &e->skip) = u64;
		return 0;
	}
	if (!strcmp(opt, "hash")) {
		/* plain dm-crypt hashes a passphrase into the key; veil's plain
		 * mode takes the key raw from a key file. Ignoring it would open
		 * the device with a different key, so the entry is refused. */
		say(c, true, "option hash= is not supported: veil plain mappings read the raw key "
		    "from the key file");
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(ignored_known) / sizeof(ignored_known[0]); i++) {
		if (!strcmp(opt, ignored_known[i])) {
			say(c, false, "option '%s' has no meaning for veil, ignored", opt);
			return 1;
		}
	}
	say(c, false, "unknown option '%s', ignored", opt);
	return 1;
#undef FLAG
#undef NEED_VAL
#undef BAD_VAL
}

/* Checks that hold between options and fields, once the line is read. */
static int entry_check(struct ctx *c, struct veiltab_entry *e, const struct veiltab *t)
{
	bool random_key = e->flags & (VT_SWAP | VT_TMP);

	if (veiltab_find(t, e->name)) {
		say(c, true, "duplicate name '%s' (first on line %u)", e->name,
		    veiltab_find(t, e->name)->line);
		return -EINVAL;
	}
	if ((e->flags & VT_SWAP) && (e->flags & VT_TMP)) {
		say(c, true, "'swap' and 'tmp' exclude each other");
		return -EINVAL;
	}
	if (random_key) {
		e->flags |= VT_PLAIN;
		if (e->key != VT_KEY_ASK && e->key != VT_KEY_RANDOM) {
			say(c, true, "'%s' takes a fresh random key each boot: the key file must be "
			    "none, - or /dev/urandom", e->flags & VT_SWAP ? "swap" : "tmp");
			return -EINVAL;
		}
		e->key = VT_KEY_RANDOM;
		free(e->keyfile);
		e->keyfile = NULL;
		if (e->flags & VT_READONLY) {
			say(c, true, "'%s' needs to write: read-only makes no sense",
			    e->flags & VT_SWAP ? "swap" : "tmp");
			return -EINVAL;
		}
	} else if (e->key == VT_KEY_RANDOM) {
		say(c, true, "a random key file (/dev/urandom) needs 'swap' or 'tmp': the data "
		    "would be unreadable after the next boot");
		return -EINVAL;
	}
	if (e->flags & VT_PLAIN) {
		if (e->key == VT_KEY_ASK) {
			say(c, true, "'plain' needs a key file (veil does not hash passphrases "
			    "into plain keys)");
			return -EINVAL;
		}
		if (e->header || e->key_slot >= 0) {
			say(c, true, "header= and key-slot= need a veil header; 'plain' has none");
			return -EINVAL;
		}
	} else if (e->cipher || e->key_bits || e->sector_size || e->offset || e->skip) {
		say(c, true, "cipher=, size=, sector-size=, offset= and skip= are for 'plain', "
		    "'swap' and 'tmp'; a veil header has its own");
		return -EINVAL;
	}
	if (e->keyfile_size && e->key_bits && (e->flags & VT_PLAIN) && !random_key &&
	    e->keyfile_size != e->key_bits / 8) {
		say(c, true, "keyfile-size=%llu does not match size=%u bits",
		    (unsigned long long)e->keyfile_size, e->key_bits);
		return -EINVAL;
	}
	return 0;
}

static int parse_keyfile(struct ctx *c, struct veiltab_entry *e, const char *f)
{
	const char *colon;

	if (!f || !strcmp(f, "none") || !strcmp(f, "-")) {
		e->key = VT_KEY_ASK;
		return 0;
	}
	if (!strcmp(f, "/dev/urandom") || !strcmp(f, "/dev/random")) {
		e->key = VT_KEY_RANDOM;
		return 0;
	}
	if (f[0] != '/') {
		say(c, true, "key file '%s' must be none, -, an absolute path or path:DEVSPEC", f);
		return -EINVAL;
	}
	colon = strchr(f, ':');
	if (!colon) {
		e->key = VT_KEY_FILE;
		return dup_to(&e->keyfile, f);
	}
	if (colon == f + 1 || !spec_valid(colon + 1)) {
		say(c, true, "key file '%s': expected /path/on/device:DEVSPEC with DEVSPEC an "
		    "absolute device path or UUID=, LABEL=, PARTUUID=, PARTLABEL=", f);
		return -EINVAL;
	}
	e->key = VT_KEY_DEVICE_FILE;
	e->keyfile = strndup(f, (size_t)(colon - f));
	if (!e->keyfile || dup_to(&e->keydev, colon + 1))
		return -ENOMEM;
	return 0;
}

static char bad_quote_mark;
#define OPT_BAD_QUOTE (&bad_quote_mark)

/*
 * The next comma-separated option, in place. A value may be double-quoted
 * to hold commas (cipher="xchacha12,aes-adiantum-plain64"); the quotes are
 * removed. Returns NULL at the end, OPT_BAD_QUOTE for an unclosed quote.
 */
static char *next_option(char *s, char **save)
{
	char *start = s ? s : *save, *r, *w;
	bool quoted = false;

	if (!start)
		return NULL;
	for (r = w = start; *r && (quoted || *r != ','); r++) {
		if (*r == '"')
			quoted = !quoted;
		else
			*w++ = *r;
	}
	if (quoted)
		return OPT_BAD_QUOTE;
	*save = *r ? r + 1 : NULL;
	*w = 0;
	return start;
}

/* Splits line in place at blanks into at most max fields; returns the count
 * found (max + 1 when there are more). */
static int split_fields(char *line, char **field, int max)
{
	int n = 0;

	for (char *p = line;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return n;
		if (n == max)
			return max + 1;
		field[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = 0;
	}
}

/* 0: e filled, 1: blank or comment, -EINVAL: bad line (warned), -ENOMEM. */
static int parse_line(struct ctx *c, char *line, struct veiltab_entry *e,
		      const struct veiltab *t)
{
	char *field[4], *opt, *save = NULL;
	int n, r;

	n = split_fields(line, field, 4);
	if (n == 0 || field[0][0] == '#')
		return 1;
	if (n == 1) {
		say(c, true, "expected 'name device [keyfile] [options]', got only '%s'", field[0]);
		return -EINVAL;
	}
	if (n > 4) {
		say(c, true, "too many fields: expected 'name device [keyfile] [options]' "
		    "(options are separated by commas, without blanks)");
		return -EINVAL;
	}
	if (!name_valid(field[0])) {
		say(c, true, "invalid name '%s': 1 to %d printable characters, no '/'", field[0],
		    VEILTAB_NAME_MAX);
		return -EINVAL;
	}
	if (!spec_valid(field[1])) {
		say(c, true, "invalid device '%s': expected an absolute path or UUID=, LABEL=, "
		    "PARTUUID=, PARTLABEL=", field[1]);
		return -EINVAL;
	}
	e->line = c->line;
	e->tries = DEFAULT_TRIES;
	e->device_timeout_s = DEFAULT_DEVICE_TIMEOUT_S;
	e->key_slot = -1;
	if (dup_to(&e->name, field[0]) || dup_to(&e->device, field[1]))
		return -ENOMEM;
	r = parse_keyfile(c, e, n > 2 ? field[2] : NULL);
	if (r)
		return r;
	if (n > 3) {
		for (opt = next_option(field[3], &save); opt; opt = next_option(NULL, &save)) {
			if (opt == OPT_BAD_QUOTE) {
				say(c, true, "unbalanced double quote in the options");
				return -EINVAL;
			}
			if (!*opt)
				continue;	/* ",," as crypttab allows */
			r = parse_option(c, e, opt);
			if (r < 0)
				return r;
		}
	}
	return entry_check(c, e, t);
}

int veiltab_parse(const char *buf, size_t len, struct veiltab *t, veiltab_warn_fn warn,
		  void *warn_ctx)
{
	struct ctx c = { .warn = warn, .warn_ctx = warn_ctx };
	size_t pos = 0, cap = 0;
	int bad = 0;

	t->entries = NULL;
	t->n = 0;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		struct veiltab_entry e = { 0 };
		char *line;
		int r;

		c.line++;
		if (memchr(buf + pos, 0, ll)) {
			say(&c, true, "NUL byte in line");
			bad++;
			pos += ll + 1;
			continue;
		}
		line = strndup(buf + pos, ll);
		pos += ll + 1;
		if (!line)
			goto nomem;
		if (ll && line[ll - 1] == '\r')
			line[ll - 1] = 0;
		r = parse_line(&c, line, &e, t);
		free(line);
		if (r == -ENOMEM) {
			entry_free(&e);
			goto nomem;
		}
		if (r) {
			entry_free(&e);
			bad += r < 0;
			continue;
		}
		if (t->n == cap) {
			struct veiltab_entry *n;

			cap = cap ? 2 * cap : 8;
			n = realloc(t->entries, cap * sizeof(*n));
			if (!n) {
				entry_free(&e);
				goto nomem;
			}
			t->entries = n;
		}
		t->entries[t->n++] = e;
	}
	return bad;
nomem:
	veiltab_free(t);
	return -ENOMEM;
}
