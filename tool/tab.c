// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil tab open|close|list [--tab FILE] [--systemd] [NAME...]: the boot
 * table without systemd (sysvinit, containers, initramfs, tests), and the
 * ExecStart/ExecStop of the generated veil@NAME.service units. Each entry
 * is handled on its own: one that fails does not stop the others, and the
 * exit code is the first failure's (nofail entries excepted).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "veil.h"
#include "commands.h"
#include "tab.h"

#define TAB_MAX_BYTES (1u << 20)

static void tab_warn(void *ctx, unsigned int line, bool severe, const char *msg)
{
	fprintf(stderr, "veil: %s:%u: %s%s\n", (const char *)ctx, line, msg,
		severe ? "; entry skipped" : "");
}

/* Reads and parses the table; returns the number of bad lines or -errno. */
static int tab_load(const char *path, struct veiltab *t)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t len = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		err_msg("cannot read %s: %s", path, strerror(errno));
		return r;
	}
	if (fstat(fd, &st) || st.st_size > TAB_MAX_BYTES) {
		close(fd);
		err_msg("%s: not a readable table of at most %u bytes", path, TAB_MAX_BYTES);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (len < (size_t)st.st_size + 1 &&
	       (n = read(fd, buf + len, (size_t)st.st_size + 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			err_msg("cannot read %s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return r;
		}
		len += (size_t)n;
	}
	close(fd);
	r = veiltab_parse(buf, len, t, tab_warn, (void *)path);
	free(buf);
	if (r == -ENOMEM)
		err_msg("out of memory reading %s", path);
	return r;
}

static bool named(const char *name, int argc, char *argv[])
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

/* Every NAME must be in the table (a skipped line counts as absent). */
static int check_names(const struct veiltab *t, const char *path, int argc, char *argv[])
{
	int r = 0;

	for (int i = 0; i < argc; i++) {
		if (!veiltab_find(t, argv[i])) {
			err_msg("%s: no valid entry named '%s'", path, argv[i]);
			r = -ENOENT;
		}
	}
	return r;
}

static void print_options(const struct veiltab_entry *e)
{
	static const struct { unsigned int bit; const char *s; } f[] = {
		{ VT_DISCARD, "discard" }, { VT_READONLY, "readonly" }, { VT_NOAUTO, "noauto" },
		{ VT_NOFAIL, "nofail" }, { VT_NETDEV, "_netdev" }, { VT_SWAP, "swap" },
		{ VT_PLAIN, "plain" }, { VT_INITRAMFS, "initramfs" }, { VT_NO_INLINE, "no-inline" },
	};
	const char *sep = "";

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (e->flags & f[i].bit) {
			printf("%s%s", sep, f[i].s);
			sep = ",";
		}
	}
	if (e->flags & VT_TMP) {
		printf("%stmp=%s", sep, e->tmp_fstype);
		sep = ",";
	}
	if (!*sep)
		printf("-");
}

static int tab_list(const struct veiltab *t, int argc, char *argv[])
{
	bool dm = dm_available();

	printf("%-16s %-40s %-24s %-8s %s\n", "NAME", "DEVICE", "KEY", "STATE", "OPTIONS");
	for (size_t i = 0; i < t->n; i++) {
		const struct veiltab_entry *e = &t->entries[i];
		struct dm_info_lite info;
		char key[4200];
		const char *state = "-";

		if (argc && !named(e->name, argc, argv))
			continue;
		if (dm)
			state = dm_query(e->name, &info) ? "inactive" : "active";
		switch (e->key) {
		case VT_KEY_ASK: snprintf(key, sizeof(key), "passphrase"); break;
		case VT_KEY_FILE: snprintf(key, sizeof(key), "%s", e->keyfile); break;
		case VT_KEY_DEVICE_FILE:
			snprintf(key, sizeof(key), "%s:%s", e->keyfile, e->keydev);
			break;
		case VT_KEY_RANDOM: snprintf(key, sizeof(key), "random"); break;
		}
		printf("%-16s %-40s %-24s %-8s ", e->name, e->device, key, state);
		print_options(e);
		printf("\n");
	}
	return EXIT_OK;
}

static int tab_close_one(const struct veiltab_entry *e)
{
	struct dm_info_lite info;
	char *argv[] = { "veil", "close", e->name, NULL };

	if (dm_query(e->name, &info))
		return EXIT_OK;	/* closing what is closed is done */
	return tab_run_veil(argv, -1);
}

int cmd_tab(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "tab", required_argument, NULL, 't' },
		{ "systemd", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tab_ctx c = { .path = VEILTAB_PATH };
	struct veiltab t = { 0 };
	const char *verb;
	int opt, bad, rc = EXIT_OK;

	if (argc < 2) {
		usage_of("tab");
		return EXIT_PARAMS;
	}
	verb = argv[1];
	if (strcmp(verb, "open") && strcmp(verb, "close") && strcmp(verb, "list")) {
		err_msg("unknown action '%s': expected open, close or list", verb);
		usage_of("tab");
		return EXIT_PARAMS;
	}
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc - 1, argv + 1, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 't': c.path = optarg; break;
		case 's': c.systemd = true; break;
		case 'h': usage_of("tab"); return EXIT_OK;
		default:
			err_msg("unknown option '%s' or missing argument", argv[optind]);
			usage_of("tab");
			return EXIT_PARAMS;
		}
	}
	if (c.systemd && strcmp(verb, "open"))
		return fail(-EINVAL, "--systemd is for 'veil tab open'");
	argc -= optind + 1;
	argv += optind + 1;
	for (int i = 0; i < argc; i++)
		if (name_check(argv[i]))
			return EXIT_PARAMS;
	bad = tab_load(c.path, &t);
	if (bad < 0)
		return translate_errno(bad);
	if (check_names(&t, c.path, argc, argv)) {
		rc = EXIT_PARAMS;
		goto out;
	}
	if (!strcmp(verb, "list")) {
		rc = tab_list(&t, argc, argv);
		goto out;
	}
	if (!dm_available()) {
		rc = fail(-ENODEV, "device-mapper is not available "
			  "(no /dev/mapper/control or dm-mod not loaded)");
		goto out;
	}
	for (size_t k = 0; k < t.n; k++) {
		/* close runs in reverse: a later entry may sit on an earlier one */
		size_t i = strcmp(verb, "close") ? k : t.n - 1 - k;
		const struct veiltab_entry *e = &t.entries[i];
		int r;

		if (argc ? !named(e->name, argc, argv) : (verb[0] == 'o' && (e->flags & VT_NOAUTO)))
			continue;
		r = verb[0] == 'o' ? tab_open_entry(&c, e) : tab_close_one(e);
		if (r && !argc && (e->flags & VT_NOFAIL)) {
			fprintf(stderr, "veil: %s: failed, but it is marked nofail\n", e->name);
			continue;
		}
		if (r && rc == EXIT_OK)
			rc = r;
	}
	/* A malformed line is a volume that did not open; for close it is
	 * only a warning, since nothing of it can be open. */
	if (bad && !argc && verb[0] == 'o' && rc == EXIT_OK) {
		err_msg("%s: %d malformed line%s skipped", c.path, bad, bad > 1 ? "s" : "");
		rc = EXIT_PARAMS;
	}
out:
	veiltab_free(&t);
	return rc;
}
