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

/*
 * Long name, argument, short letter (0: none), and the OPT_* bit. Several
 * names may share a bit: cryptsetup's spellings are aliases of ours. The
 * on/off table flags (--allow-discards, --perf-*) come from mapping_flags[]
 * and share OPT_MAP_FLAGS, so a new flag is one line in mapping.c.
 */
static const struct {
	const char *name;
	int has_arg;
	char short_name;
	uint64_t bit;
} table[] = {
	{ "cipher", required_argument, 'c', OPT_CIPHER },
	{ "key-size", required_argument, 's', OPT_KEY_SIZE },
	{ "sector-size", required_argument, 0, OPT_SECTOR_SIZE },
	{ "pbkdf", required_argument, 0, OPT_PBKDF },
	{ "pbkdf-memory", required_argument, 0, OPT_PBKDF_MEMORY },
	{ "pbkdf-parallel", required_argument, 0, OPT_PBKDF_PARALLEL },
	{ "iter-time", required_argument, 'i', OPT_ITER_TIME },
	{ "pbkdf-force-iterations", required_argument, 0, OPT_PBKDF_FORCE_ITER },
	{ "label", required_argument, 0, OPT_LABEL },
	{ "subsystem", required_argument, 0, OPT_SUBSYSTEM },
	{ "priority", required_argument, 0, OPT_PRIORITY },
	{ "header", required_argument, 0, OPT_HEADER },
	{ "header-backup-file", required_argument, 0, OPT_HEADER_BACKUP_FILE },
	{ "key-file", required_argument, 'd', OPT_KEY_FILE },
	{ "keyfile-offset", required_argument, 0, OPT_KEYFILE_OFFSET },
	{ "keyfile-size", required_argument, 'l', OPT_KEYFILE_SIZE },
	{ "new-key-file", required_argument, 0, OPT_NEW_KEY_FILE },
	{ "new-keyfile", required_argument, 0, OPT_NEW_KEY_FILE },
	{ "new-keyfile-offset", required_argument, 0, OPT_NEW_KEYFILE_OFFSET },
	{ "new-keyfile-size", required_argument, 0, OPT_NEW_KEYFILE_SIZE },
	{ "volume-key-file", required_argument, 0, OPT_VOLUME_KEY_FILE },
	{ "dump-volume-key", no_argument, 0, OPT_DUMP_VOLUME_KEY },
	{ "key-slot", required_argument, 'S', OPT_KEY_SLOT },
	{ "batch", no_argument, 'q', OPT_BATCH },
	{ "batch-mode", no_argument, 0, OPT_BATCH },
	{ "force", no_argument, 0, OPT_FORCE },
	{ "readonly", no_argument, 'r', OPT_READONLY },
	{ "persistent", no_argument, 0, OPT_PERSISTENT },
	{ "tries", required_argument, 'T', OPT_TRIES },
	{ "timeout", required_argument, 't', OPT_TIMEOUT },
	{ "test-passphrase", no_argument, 0, OPT_TEST_PASSPHRASE },
	{ "target", required_argument, 0, OPT_TARGET },
	{ "plain", no_argument, 0, OPT_PLAIN },
	{ "type", required_argument, 'M', OPT_PLAIN },
	{ "hash", required_argument, 0, OPT_HASH },
	{ "offset", required_argument, 'o', OPT_OFFSET },
	{ "size", required_argument, 'b', OPT_SIZE },
	{ "json", no_argument, 0, OPT_JSON },
	{ "skip", required_argument, 'p', OPT_SKIP },
	{ "iv-large-sectors", no_argument, 0, OPT_IV_LARGE_SECTORS },
	{ "uuid", required_argument, 0, OPT_UUID },
	{ "data-offset", required_argument, 0, OPT_DATA_OFFSET },
	{ "progress-json", no_argument, 0, OPT_PROGRESS_JSON },
	{ "verbose", no_argument, 'v', OPT_VERBOSE },
	{ "debug", no_argument, 0, OPT_DEBUG },
	{ "luks", no_argument, 0, OPT_LUKS },
	{ "from-luks", no_argument, 0, OPT_FROM_LUKS },
	{ "to-luks2", no_argument, 0, OPT_TO_LUKS2 },
	{ "add-key-file", required_argument, 0, OPT_ADD_KEY_FILE },
	{ "wipe", no_argument, 0, OPT_WIPE },
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

/* Options every subcommand takes. */
#define OPT_ALWAYS (OPT_VERBOSE | OPT_DEBUG)
int verbosity;	/* 1: --verbose, 2: --debug */

static int set_option(size_t idx, const char *arg, struct veil_opts *o)
{
	const char *name = table[idx].name;
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
	case OPT_PLAIN:
		/* --plain, or cryptsetup's --type plain|luks|luks1|luks2 */
		if (!arg || !strcmp(arg, "plain")) {
			o->plain = true;
		} else if (!strcmp(arg, "luks") || !strcmp(arg, "luks1") || !strcmp(arg, "luks2")) {
			o->luks = true;
			o->luks_type = arg;
		} else {
			err_msg("--type %s: veil opens plain, luks, luks1 and luks2 (as cryptsetup "
				"spells them); a veil volume needs no --type", arg);
			r = -EINVAL;
		}
		break;
	case OPT_HASH: o->hash = arg; break;
	case OPT_SUBSYSTEM: o->subsystem = arg; break;
	case OPT_PRIORITY:
		if (strcmp(arg, "prefer") && strcmp(arg, "normal") && strcmp(arg, "ignore")) {
			err_msg("--priority %s: must be prefer, normal or ignore", arg);
			r = -EINVAL;
		}
		o->priority = arg;
		break;
	case OPT_HEADER_BACKUP_FILE: o->header_backup_file = arg; break;
	case OPT_VOLUME_KEY_FILE: o->volume_key_file = arg; break;
	case OPT_DUMP_VOLUME_KEY: o->dump_volume_key = true; break;
	case OPT_PERSISTENT: o->persistent = true; break;
	case OPT_PROGRESS_JSON: o->progress_json = true; break;
	case OPT_WIPE: o->wipe = true; break;
	case OPT_VERBOSE: if (verbosity < 1) verbosity = 1; break;
	case OPT_DEBUG:
		if (verbosity < 2)
			fprintf(stderr, "# veil %s processing \"veil %s\"\n", VEIL_VERSION, prog_cmd);
		verbosity = 2;
		break;
	case OPT_OFFSET: r = parse_u64(name, arg, UINT64_MAX >> 10, &o->offset); break;
	case OPT_SIZE: r = parse_u64(name, arg, UINT64_MAX >> 10, &o->size); break;
	case OPT_JSON: o->json = true; break;
	case OPT_SKIP: r = parse_u64(name, arg, UINT64_MAX >> 10, &o->skip); break;
	case OPT_IV_LARGE_SECTORS: o->iv_large_sectors = true; break;
	case OPT_UUID: o->uuid = arg; break;
	case OPT_DATA_OFFSET: r = parse_u64(name, arg, UINT64_MAX >> 10, &o->data_offset); break;
	case OPT_LUKS: o->luks = true; break;
	case OPT_FROM_LUKS: o->from_luks = true; break;
	case OPT_TO_LUKS2: o->to_luks2 = true; break;
	case OPT_ADD_KEY_FILE:
		if (o->n_add_key_files == sizeof(o->add_key_files) / sizeof(o->add_key_files[0])) {
			err_msg("--add-key-file given more than %u times", o->n_add_key_files);
			r = -EINVAL;
			break;
		}
		o->add_key_files[o->n_add_key_files++] = arg;
		break;
	}
	return r;
}

/* Edit distance, for "did you mean"; names are short. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(cur[0]));
	}
	return prev[lb];
}

const char *closest_name(const char *word, const char *const *names, size_t n)
{
	size_t best = SIZE_MAX, len = strlen(word);
	const char *found = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t d = distance(word, names[i]);

		if (d < best) {
			best = d;
			found = names[i];
		}
	}
	/* Close enough to be a typo, not a different word. */
	return best <= (len > 6 ? len / 3 : 2) ? found : NULL;
}

static void unknown_option(const char *arg, uint64_t allowed)
{
	const char *names[NOPTS + 16], *hit;
	char word[64];
	size_t n = 0;

	if (strncmp(arg, "--", 2)) {
		err_msg("unknown option '%s' or missing argument", arg);
		return;
	}
	snprintf(word, sizeof(word), "%.*s", (int)strcspn(arg + 2, "="), arg + 2);
	for (size_t i = 0; i < NOPTS; i++)
		if ((allowed | OPT_ALWAYS) & table[i].bit)
			names[n++] = table[i].name;
	for (size_t i = 0; i < mapping_nflags && n < NOPTS + 16; i++)
		if (allowed & OPT_MAP_FLAGS)
			names[n++] = mapping_flags[i].option;
	hit = closest_name(word, names, n);
	if (hit && !strcmp(hit, word))
		err_msg("option --%s needs an argument", word);
	else if (hit)
		err_msg("unknown option --%s; did you mean --%s?", word, hit);
	else
		err_msg("unknown option --%s", word);
}

/*
 * argv[0] is the subcommand (or "keyslot add" style: the caller shifts).
 * Leaves the positional arguments in o->argc/o->argv.
 */
int parse_options(int argc, char *argv[], uint64_t allowed, struct veil_opts *o)
{
	struct option longopts[NOPTS + 16 + 1];
	char shortopts[2 * NOPTS + 2];
	size_t n = 0, s = 0;
	int c, idx;

	memset(o, 0, sizeof(*o));
	o->key_slot = -1;
	allowed |= OPT_ALWAYS;
	for (size_t i = 0; i < NOPTS; i++) {
		longopts[n++] = (struct option){ table[i].name, table[i].has_arg, NULL,
						 256 + (int)i };
		if (table[i].short_name && (allowed & table[i].bit)) {
			shortopts[s++] = table[i].short_name;
			if (table[i].has_arg)
				shortopts[s++] = ':';
		}
	}
	for (size_t i = 0; i < mapping_nflags && i < 16; i++)
		longopts[n++] = (struct option){ mapping_flags[i].option, no_argument, NULL,
						 256 + (int)(NOPTS + i) };
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
				unknown_option(argv[optind - 1], allowed);
			usage_of(prog_cmd);
			return -EINVAL;
		}
		if (c < 256) {
			for (i = 0; i < NOPTS && table[i].short_name != c; i++)
				;
		} else {
			i = (size_t)c - 256;
		}
		if (i >= NOPTS) {	/* a table flag: --allow-discards, --perf-* */
			const struct mapping_flag *f = &mapping_flags[i - NOPTS];

			if (!(allowed & OPT_MAP_FLAGS)) {
				err_msg("option --%s is not valid here", f->option);
				usage_of(prog_cmd);
				return -EINVAL;
			}
			o->map_flags |= f->header_flag;
			if (f->header_flag == VEIL_FLAG_ALLOW_DISCARDS)
				o->allow_discards = true;
			o->given |= OPT_MAP_FLAGS;
			continue;
		}
		if (!(allowed & table[i].bit)) {
			err_msg("option --%s is not valid here", table[i].name);
			usage_of(prog_cmd);
			return -EINVAL;
		}
		if (set_option(i, optarg, o))
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
