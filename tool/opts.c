// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One option table for every subcommand, so an option means the same thing
 * everywhere; each subcommand passes the set it accepts and anything else is
 * refused by name. Numbers are parsed whole: trailing junk is an error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil.h"

const char *prog_cmd = "";

static const struct {
	struct option lo;
	uint64_t bit;
} table[] = {
	{ { "cipher", required_argument, NULL, 'c' }, OPT_CIPHER },
	{ { "key-size", required_argument, NULL, 's' }, OPT_KEY_SIZE },
	{ { "sector-size", required_argument, NULL, 1000 }, OPT_SECTOR_SIZE },
	{ { "pbkdf", required_argument, NULL, 1001 }, OPT_PBKDF },
	{ { "pbkdf-memory", required_argument, NULL, 1002 }, OPT_PBKDF_MEMORY },
	{ { "pbkdf-parallel", required_argument, NULL, 1003 }, OPT_PBKDF_PARALLEL },
	{ { "iter-time", required_argument, NULL, 'i' }, OPT_ITER_TIME },
	{ { "pbkdf-force-iterations", required_argument, NULL, 1004 }, OPT_PBKDF_FORCE_ITER },
	{ { "label", required_argument, NULL, 1005 }, OPT_LABEL },
	{ { "header", required_argument, NULL, 1006 }, OPT_HEADER },
	{ { "key-file", required_argument, NULL, 'd' }, OPT_KEY_FILE },
	{ { "keyfile-offset", required_argument, NULL, 1007 }, OPT_KEYFILE_OFFSET },
	{ { "keyfile-size", required_argument, NULL, 'l' }, OPT_KEYFILE_SIZE },
	{ { "new-key-file", required_argument, NULL, 1008 }, OPT_NEW_KEY_FILE },
	{ { "new-keyfile-offset", required_argument, NULL, 1009 }, OPT_NEW_KEYFILE_OFFSET },
	{ { "new-keyfile-size", required_argument, NULL, 1010 }, OPT_NEW_KEYFILE_SIZE },
	{ { "key-slot", required_argument, NULL, 'S' }, OPT_KEY_SLOT },
	{ { "batch", no_argument, NULL, 'q' }, OPT_BATCH },
	{ { "force", no_argument, NULL, 1011 }, OPT_FORCE },
	{ { "readonly", no_argument, NULL, 'r' }, OPT_READONLY },
	{ { "allow-discards", no_argument, NULL, 1012 }, OPT_ALLOW_DISCARDS },
	{ { "tries", required_argument, NULL, 'T' }, OPT_TRIES },
	{ { "timeout", required_argument, NULL, 't' }, OPT_TIMEOUT },
	{ { "test-passphrase", no_argument, NULL, 1013 }, OPT_TEST_PASSPHRASE },
	{ { "target", required_argument, NULL, 1014 }, OPT_TARGET },
	{ { "plain", no_argument, NULL, 1015 }, OPT_PLAIN },
	{ { "offset", required_argument, NULL, 'o' }, OPT_OFFSET },
	{ { "size", required_argument, NULL, 'b' }, OPT_SIZE },
	{ { "json", no_argument, NULL, 1016 }, OPT_JSON },
	{ { "skip", required_argument, NULL, 'p' }, OPT_SKIP },
	{ { "iv-large-sectors", no_argument, NULL, 1017 }, OPT_IV_LARGE_SECTORS },
	{ { "uuid", required_argument, NULL, 1018 }, OPT_UUID },
	{ { "data-offset", required_argument, NULL, 1019 }, OPT_DATA_OFFSET },
};
#define NOPTS (sizeof(table) / sizeof(table[0]))

static int parse_u64(const char *name, const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	err_msg("invalid value '%s' for --%s", s, name);
	return -EINVAL;
}

static int parse_u32(const char *name, const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int r = parse_u64(name, s, max, &v);

	if (!r)
		*out = (uint32_t)v;
	return r;
}

static int set_option(int idx, const char *arg, struct veil_opts *o)
{
	const char *name = table[idx].lo.name;
	uint64_t v = 0;
	uint32_t u = 0;
	int r = 0;

	switch (table[idx].bit) {
	case OPT_CIPHER: o->cipher = arg; break;
	case OPT_KEY_SIZE:
		r = parse_u32(name, arg, 4096, &u);
		if (!r && (u == 0 || u % 8)) {
			err_msg("--key-size %s: must be a non-zero multiple of 8 bits", arg);
			r = -EINVAL;
		}
		o->key_bits = u;
		break;
	case OPT_SECTOR_SIZE:
		r = parse_u32(name, arg, 4096, &u);
		if (!r && (u < 512 || (u & (u - 1)))) {
			err_msg("--sector-size %s: must be 512, 1024, 2048 or 4096", arg);
			r = -EINVAL;
		}
		o->sector_size = u;
		break;
	case OPT_PBKDF:
		if (strcmp(arg, "argon2id") && strcmp(arg, "pbkdf2")) {
			err_msg("--pbkdf %s: must be argon2id or pbkdf2", arg);
			r = -EINVAL;
		}
		o->pbkdf = arg;
		break;
	case OPT_PBKDF_MEMORY: r = parse_u32(name, arg, 4u << 20, &o->pbkdf_memory_kib); break;
	case OPT_PBKDF_PARALLEL: r = parse_u32(name, arg, 64, &o->pbkdf_parallel); break;
	case OPT_ITER_TIME: r = parse_u32(name, arg, 3600000, &o->iter_time_ms); break;
	case OPT_PBKDF_FORCE_ITER: r = parse_u32(name, arg, UINT32_MAX, &o->pbkdf_iterations); break;
	case OPT_LABEL: o->label = arg; break;
	case OPT_HEADER: o->header = arg; break;
	case OPT_KEY_FILE: o->key_file = arg; break;
	case OPT_KEYFILE_OFFSET: r = parse_u64(name, arg, INT64_MAX, &o->keyfile_offset); break;
	case OPT_KEYFILE_SIZE: r = parse_u64(name, arg, VEIL_KEYFILE_MAX, &o->keyfile_size); break;
	case OPT_NEW_KEY_FILE: o->new_key_file = arg; break;
	case OPT_NEW_KEYFILE_OFFSET: r = parse_u64(name, arg, INT64_MAX, &o->new_keyfile_offset); break;
	case OPT_NEW_KEYFILE_SIZE: r = parse_u64(name, arg, VEIL_KEYFILE_MAX, &o->new_keyfile_size); break;
	case OPT_KEY_SLOT:
		r = parse_u64(name, arg, 31, &v);
		o->key_slot = (int)v;
		break;
	case OPT_BATCH: o->batch = true; break;
	case OPT_FORCE: o->force = true; break;
	case OPT_READONLY: o->readonly = true; break;
	case OPT_ALLOW_DISCARDS: o->allow_discards = true; break;
	case OPT_TRIES:
		r = parse_u64(name, arg, 1000, &v);
		o->tries = (unsigned int)v;
		break;
	case OPT_TIMEOUT:
		r = parse_u64(name, arg, 86400, &v);
		o->timeout_s = (unsigned int)v;
		break;
	case OPT_TEST_PASSPHRASE: o->test_passphrase = true; break;
	case OPT_TARGET:
		if (strcmp(arg, "veil") && strcmp(arg, "crypt")) {
			err_msg("--target %s: must be veil or crypt", arg);
			r = -EINVAL;
		}
		o->target = arg;
		break;
	case OPT_PLAIN: o->plain = true; break;
	case OPT_OFFSET: r = parse_u64(name, arg, UINT64_MAX >> 10, &o->offset); break;
	case OPT_SIZE: r = parse_u64(name, arg, UINT64_MAX >> 10, &o->size); break;
	case OPT_JSON: o->json = true; break;
	case OPT_SKIP: r = parse_u64(name, arg, UINT64_MAX >> 10, &o->skip); break;
	case OPT_IV_LARGE_SECTORS: o->iv_large_sectors = true; break;
	case OPT_UUID: o->uuid = arg; break;
	case OPT_DATA_OFFSET: r = parse_u64(name, arg, UINT64_MAX >> 10, &o->data_offset); break;
	}
	return r;
}

/*
 * argv[0] is the subcommand (or "keyslot add" style: the caller shifts).
 * Leaves the positional arguments in o->argc/o->argv.
 */
int parse_options(int argc, char *argv[], uint64_t allowed, struct veil_opts *o)
{
	struct option longopts[NOPTS + 1];
	char shortopts[2 * NOPTS + 2];
	size_t n = 0, s = 0;
	int c, idx;

	memset(o, 0, sizeof(*o));
	o->key_slot = -1;
	for (size_t i = 0; i < NOPTS; i++) {
		longopts[n++] = table[i].lo;
		if (table[i].lo.val < 256 && (allowed & table[i].bit)) {
			shortopts[s++] = (char)table[i].lo.val;
			if (table[i].lo.has_arg)
				shortopts[s++] = ':';
		}
	}
	memset(&longopts[n], 0, sizeof(longopts[n]));
	shortopts[s] = 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, &idx)) != -1) {
		size_t i;

		if (c == '?' || c == ':') {
			if (optopt && optopt < 256)
				err_msg("unknown option -%c or missing argument", optopt);
			else
				err_msg("unknown option '%s' or missing argument", argv[optind - 1]);
			usage_of(prog_cmd);
			return -EINVAL;
		}
		for (i = 0; i < NOPTS && table[i].lo.val != c; i++)
			;
		if (i == NOPTS)
			return -EINVAL;
		if (!(allowed & table[i].bit)) {
			err_msg("option --%s is not valid here", table[i].lo.name);
			usage_of(prog_cmd);
			return -EINVAL;
		}
		if (set_option((int)i, optarg, o))
			return -EINVAL;
		o->given |= table[i].bit;
	}
	o->argc = argc - optind;
	o->argv = argv + optind;
	return 0;
}

int want_args(const struct veil_opts *o, int min, int max, const char *what)
{
	if (o->argc >= min && o->argc <= max)
		return 0;
	err_msg("%s %s", o->argc < min ? "missing" : "too many arguments; expected", what);
	usage_of(prog_cmd);
	return -EINVAL;
}
