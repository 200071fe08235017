// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil: block-device encryption with an authenticated header.
 * main() only dispatches; every subcommand lives in its own file.
 */
#include <stdio.h>
#include <string.h>

#include "veil.h"
#include "commands.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *summary;
	const char *usage;
} commands[] = {
	{ "format", cmd_format, "create a header and keyslot 0 on a device",
	  "[--cipher|-c C] [--key-size|-s BITS] [--sector-size N] [--pbkdf argon2id|pbkdf2]\n"
	  "\t[--pbkdf-memory KiB] [--pbkdf-parallel N] [--iter-time|-i MS]\n"
	  "\t[--pbkdf-force-iterations N] [--label L] [--uuid U] [--offset|-o SECTORS]\n"
	  "\t[--iv-large-sectors] [--allow-discards] [--perf-FLAG...] [--header FILE]\n"
	  "\t[--key-file|-d F] [--keyfile-offset N] [--keyfile-size|-l N] [--key-slot|-S N]\n"
	  "\t[--volume-key-file F] [--wipe] [--progress-json] [--batch|-q] [--force] DEVICE" },
	{ "open", cmd_open, "unlock a volume and map it as /dev/mapper/NAME",
	  "[--key-file|-d F] [--keyfile-offset N] [--keyfile-size|-l N] [--key-slot|-S N]\n"
	  "\t[--volume-key-file F] [--header FILE] [--readonly|-r] [--allow-discards]\n"
	  "\t[--perf-FLAG...] [--persistent] [--tries|-T N] [--timeout|-t S]\n"
	  "\t[--test-passphrase] [--target veil|crypt] DEVICE NAME\n"
	  "   or: veil open --plain|--type plain [--cipher C] [--key-size BITS] [--hash H]\n"
	  "\t[--key-file F] [--keyfile-offset N] [--keyfile-size N] [--offset N] [--skip N]\n"
	  "\t[--size N] [--sector-size N] [--iv-large-sectors] [--readonly] [--allow-discards]\n"
	  "\t[--target veil|crypt] DEVICE NAME\n"
	  "\tflags: --perf-same_cpu_crypt --perf-submit_from_crypt_cpus\n"
	  "\t       --perf-no_read_workqueue --perf-no_write_workqueue --perf-no_inline\n"
	  "   or: veil open --luks|--type luks|luks1|luks2 [open options] DEVICE NAME" },
	{ "close", cmd_close, "remove a mapping, its key and its loop device", "NAME" },
	{ "status", cmd_status, "show an open mapping", "[--json] NAME" },
	{ "dump", cmd_dump, "print every header field and keyslot",
	  "[--json] [--header FILE] DEVICE\n"
	  "   or: veil dump --dump-volume-key [--volume-key-file OUT] [--key-file F]\n"
	  "\t[--key-slot N] [--batch] DEVICE" },
	{ "keyslot", cmd_keyslot, "add, remove, change, kill or list keyslots",
	  "add [--key-file|-d F] [--volume-key-file F] [--new-key-file|--new-keyfile F]\n"
	  "\t[--key-slot|-S N] [KDF options] [--progress-json] DEVICE [NEW-KEY-FILE]\n"
	  "   or: veil keyslot remove [--key-file F] [--key-slot N] [--batch] DEVICE\n"
	  "   or: veil keyslot change [--key-file F] [--new-key-file F] [--key-slot N] DEVICE\n"
	  "   or: veil keyslot kill [--key-file F] [--volume-key-file F] [--batch] DEVICE SLOT\n"
	  "   or: veil keyslot list [--header FILE] DEVICE" },
	{ "header", cmd_header, "back up or restore a header",
	  "backup [--header FILE] DEVICE FILE|--header-backup-file FILE\n"
	  "   or: veil header restore [--header FILE] [--force] [--batch] DEVICE\n"
	  "\tFILE|--header-backup-file FILE" },
	{ "erase", cmd_erase, "wipe every keyslot (as luksErase); the data becomes unreadable",
	  "[--header FILE] [--batch] [--progress-json] DEVICE" },
	{ "resize", cmd_resize, "change the size of an open mapping", "[--size SECTORS] NAME" },
	{ "suspend", cmd_suspend, "suspend a mapping and wipe its key from the kernel", "NAME" },
	{ "resume", cmd_resume, "ask the passphrase again and resume a mapping",
	  "[--key-file F] [--keyfile-offset N] [--keyfile-size N] [--key-slot N]\n"
	  "\t[--header FILE] [--tries N] NAME" },
	{ "config", cmd_config, "set the label, subsystem or a keyslot's priority",
	  "[--label L] [--subsystem S] [--header FILE] DEVICE\n"
	  "   or: veil config --priority prefer|normal|ignore --key-slot N [--key-file F]\n"
	  "\t[--volume-key-file F] DEVICE" },
	{ "refresh", cmd_refresh, "reload a live mapping with other flags (as cryptsetup refresh)",
	  "[--allow-discards] [--perf-FLAG...] [--persistent] [--key-file|-d F]\n"
	  "\t[--keyfile-offset N] [--keyfile-size N] [--key-slot N] [--volume-key-file F]\n"
	  "\t[--header FILE] [--tries N] [--timeout S] NAME\n"
	  "\tflags given replace the active ones; none: the header's stored set" },
	{ "repair", cmd_repair, "finish an unfinished header update (stale copy, unwiped keyslot area)",
	  "[--key-file F] [--keyfile-offset N] [--keyfile-size N] [--key-slot N]\n"
	  "\t[--header FILE] [--tries N] [--timeout S] DEVICE" },
	{ "benchmark", cmd_benchmark, "measure KDF and cipher speed",
	  "(no options: it measures every supported cipher)" },
	{ "isveil", cmd_isveil, "exit 0 when DEVICE has a veil header", "[--header FILE] DEVICE" },
	{ "uuid", cmd_uuid, "print the volume UUID, or set it with --uuid",
	  "[--header FILE] DEVICE\n"
	  "   or: veil uuid --uuid U [--key-file F] [--volume-key-file F] [--batch] DEVICE" },
	{ "convert", cmd_convert, "convert a LUKS volume to veil in place, or back to LUKS2",
	  "--from-luks [--key-file F] [--add-key-file F2]... [--header FILE] [KDF options]\n"
	  "\t[--header-backup-file B] [--progress-json] [--batch] DEVICE\n"
	  "   or: veil convert --to-luks2 [--key-file F] [--add-key-file F2]... [--header FILE]\n"
	  "\t[KDF options] [--header-backup-file B] [--progress-json] [--batch] DEVICE" },
	{ "tab", cmd_tab, "open, close or list the volumes of /etc/veiltab",
	  "open|close|list [--tab FILE] [--systemd] [NAME...]" },
	{ "probe", cmd_probe, "print udev properties (ID_FS_TYPE=veil ...) of a veil device",
	  "DEVICE" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* cryptsetup's command names, and what to type instead. */
static const struct {
	const char *cryptsetup, *veil;
} cryptsetup_names[] = {
	{ "luksFormat", "format" }, { "luksOpen", "open" }, { "luksClose", "close" },
	{ "remove", "close" }, { "luksDump", "dump" }, { "luksAddKey", "keyslot add" },
	{ "luksRemoveKey", "keyslot remove" }, { "luksChangeKey", "keyslot change" },
	{ "luksKillSlot", "keyslot kill" }, { "luksHeaderBackup", "header backup" },
	{ "luksHeaderRestore", "header restore" }, { "luksErase", "erase" },
	{ "luksSuspend", "suspend" }, { "luksResume", "resume" }, { "isLuks", "isveil" },
	{ "luksUUID", "uuid" }, { "plainOpen", "open --plain" }, { "create", "open --plain" },
	{ "token", NULL }, { "reencrypt", NULL },
};

static int find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return (int)i;
	return -1;
}

static void print_usage(FILE *f, size_t i)
{
	fprintf(f, "usage: veil %s %s\n\n%s.\n", commands[i].name, commands[i].usage,
		commands[i].summary);
	fprintf(f, "Every command also takes -v/--verbose and --debug; see veil(8).\n");
}

void usage_of(const char *cmd)
{
	size_t n = strcspn(cmd, " ");

	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strncmp(commands[i].name, cmd, n) && !commands[i].name[n])
			fprintf(stderr, "usage: veil %s %s\n", commands[i].name, commands[i].usage);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: veil <command> [options] [arguments]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "  %-10s %s\n", "help", "show a command's synopsis and options");
	fprintf(f, "\n'veil help <command>' or 'veil <command> --help' shows a command's "
		"options; see veil(8).\n");
}

static int unknown_command(const char *name)
{
	const char *names[NCOMMANDS], *hit;

	for (size_t i = 0; i < sizeof(cryptsetup_names) / sizeof(cryptsetup_names[0]); i++) {
		if (strcmp(cryptsetup_names[i].cryptsetup, name))
			continue;
		if (cryptsetup_names[i].veil)
			fprintf(stderr, "veil: '%s' is cryptsetup's command; with veil type: "
				"veil %s\n", name, cryptsetup_names[i].veil);
		else
			fprintf(stderr, "veil: cryptsetup's '%s' has no veil equivalent; "
				"see veil(8)\n", name);
		return EXIT_PARAMS;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	hit = closest_name(name, names, NCOMMANDS);
	if (hit)
		fprintf(stderr, "veil: unknown command '%s'; did you mean '%s'?\n", name, hit);
	else {
		fprintf(stderr, "veil: unknown command '%s'\n", name);
		usage(stderr);
	}
	return EXIT_PARAMS;
}

static bool wants_help(int argc, char *argv[])
{
	for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") || !strcmp(argv[i], "-?"))
			return true;
	return false;
}

int main(int argc, char *argv[])
{
	int i, r;

	if (argc < 2) {
		usage(stderr);
		return EXIT_PARAMS;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("veil %s\n", VEIL_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "-?") ||
	    (!strcmp(argv[1], "help") && argc == 2)) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		i = find_command(argv[2]);
		if (i < 0)
			return unknown_command(argv[2]);
		print_usage(stdout, (size_t)i);
		return EXIT_OK;
	}
	i = find_command(argv[1]);
	if (i < 0)
		return unknown_command(argv[1]);
	if (wants_help(argc, argv)) {
		print_usage(stdout, (size_t)i);
		return EXIT_OK;
	}
	secrets_install_signal_wipe();
	prog_cmd = commands[i].name;
	/* Subcommands return 0 or -errno: the exit code is decided here only. */
	r = translate_errno(commands[i].fn(argc - 1, argv + 1));
	/* As cryptsetup -v: say how it ended. */
	if (verbosity && !r)
		printf("Command successful.\n");
	else if (verbosity)
		fprintf(stderr, "Command failed with code %d.\n", r);
	return r;
}
