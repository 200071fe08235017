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
	  "[--cipher C] [--key-size BITS] [--sector-size N] [--pbkdf argon2id|pbkdf2]\n"
	  "\t[--pbkdf-memory KiB] [--pbkdf-parallel N] [--iter-time MS] [--pbkdf-force-iterations N]\n"
	  "\t[--label L] [--uuid U] [--header FILE] [--key-file F] [--batch] [--force] DEVICE" },
	{ "open", cmd_open, "unlock a volume and map it as /dev/mapper/NAME",
	  "[--key-file F] [--keyfile-offset N] [--keyfile-size N] [--key-slot N]\n"
	  "\t[--header FILE] [--readonly] [--allow-discards] [--tries N] [--timeout S]\n"
	  "\t[--test-passphrase] [--target veil|crypt] DEVICE NAME\n"
	  "   or: veil open --plain --cipher C --key-size BITS --key-file F [--keyfile-offset N]\n"
	  "\t[--offset N] [--skip N] [--size N] [--sector-size N] [--iv-large-sectors]\n"
	  "\t[--readonly] [--allow-discards] [--target veil|crypt] DEVICE NAME" },
	{ "close", cmd_close, "remove a mapping, its key and its loop device", "NAME" },
	{ "status", cmd_status, "show an open mapping", "[--json] NAME" },
	{ "dump", cmd_dump, "print every header field and keyslot",
	  "[--json] [--header FILE] DEVICE" },
	{ "keyslot", cmd_keyslot, "add, remove, change, kill or list keyslots",
	  "add [--key-file F] [--new-key-file F] [--key-slot N] [KDF options] DEVICE\n"
	  "   or: veil keyslot remove [--key-file F] [--batch] DEVICE\n"
	  "   or: veil keyslot change [--key-file F] [--new-key-file F] [--key-slot N] DEVICE\n"
	  "   or: veil keyslot kill [--key-file F] [--batch] DEVICE SLOT\n"
	  "   or: veil keyslot list [--header FILE] DEVICE" },
	{ "header", cmd_header, "back up or restore a header",
	  "backup [--header FILE] DEVICE FILE\n"
	  "   or: veil header restore [--header FILE] [--force] [--batch] DEVICE FILE" },
	{ "erase", cmd_erase, "wipe every keyslot (as luksErase); the data becomes unreadable",
	  "[--header FILE] [--batch] DEVICE" },
	{ "resize", cmd_resize, "change the size of an open mapping", "[--size SECTORS] NAME" },
	{ "suspend", cmd_suspend, "suspend a mapping and wipe its key from the kernel", "NAME" },
	{ "resume", cmd_resume, "ask the passphrase again and resume a mapping",
	  "[--key-file F] [--keyfile-offset N] [--keyfile-size N] [--key-slot N]\n"
	  "\t[--header FILE] [--tries N] NAME" },
	{ "benchmark", cmd_benchmark, "measure KDF and cipher speed",
	  "[--cipher C] [--key-size BITS]" },
	{ "isveil", cmd_isveil, "exit 0 when DEVICE has a veil header", "[--header FILE] DEVICE" },
	{ "uuid", cmd_uuid, "print the volume UUID", "[--header FILE] DEVICE" },
};

void usage_of(const char *cmd)
{
	size_t n = strcspn(cmd, " ");

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strncmp(commands[i].name, cmd, n) && !commands[i].name[n])
			fprintf(stderr, "usage: veil %s %s\n", commands[i].name, commands[i].usage);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: veil <command> [options] [arguments]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'veil <command> --help' shows a command's options; see veil(8).\n");
}

int main(int argc, char *argv[])
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_PARAMS;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("veil %s\n", VEIL_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	secrets_install_signal_wipe();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		prog_cmd = commands[i].name;
		if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
			printf("usage: veil %s %s\n", commands[i].name, commands[i].usage);
			return EXIT_OK;
		}
		return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "veil: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_PARAMS;
}
