/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The /etc/veiltab parser: crypttab(5) syntax, see veiltab(5).
 *
 * veiltab_parse() is a pure function of its input buffer: no I/O, no
 * globals, no dependency on the rest of the tool (only libc), so the veil
 * command, the systemd generator, an initramfs script's helper and the
 * fuzzer all call the same code. Problems are reported through the warn
 * callback with their line number; a malformed line is skipped and the
 * other entries are still returned.
 *
 *	struct veiltab t;
 *	int bad = veiltab_parse(buf, len, &t, my_warn, ctx);
 *	if (bad < 0) out of memory; else bad lines were skipped
 *	for (size_t i = 0; i < t.n; i++) use t.entries[i];
 *	veiltab_free(&t);
 */
#ifndef VEIL_VEILTAB_H
#define VEIL_VEILTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VEILTAB_PATH "/etc/veiltab"
#define VEILTAB_NAME_MAX 90	/* as veil open: the DM UUID must fit */

/* Flag options (no value). */
enum {
	VT_DISCARD = 1u << 0,	/* discard */
	VT_READONLY = 1u << 1,	/* readonly, read-only */
	VT_NOAUTO = 1u << 2,	/* noauto: not opened by "veil tab open" without names, nor at boot */
	VT_NOFAIL = 1u << 3,	/* nofail: boot does not wait for nor fail on it */
	VT_NETDEV = 1u << 4,	/* _netdev: needs the network (remote-cryptsetup.target) */
	VT_SWAP = 1u << 5,	/* swap: plain, fresh random key, mkswap */
	VT_TMP = 1u << 6,	/* tmp[=fstype]: plain, fresh random key, mkfs */
	VT_PLAIN = 1u << 7,	/* plain: headerless (implied by swap and tmp) */
	VT_INITRAMFS = 1u << 8,	/* initramfs, x-initrd.attach: opened in the initramfs */
	VT_NO_INLINE = 1u << 9,	/* no-inline: every bio to dm-veil's workers (--perf-no_inline) */
};

/* The keyfile field. */
enum veiltab_key {
	VT_KEY_ASK,		/* "none", "-" or absent: ask for a passphrase */
	VT_KEY_FILE,		/* an absolute path */
	VT_KEY_DEVICE_FILE,	/* "path:DEVSPEC": a path on another (removable) device */
	VT_KEY_RANDOM,		/* swap/tmp: fresh bytes from the kernel RNG, never stored */
};

struct veiltab_entry {
	unsigned int line;	/* 1-based line number in the input */
	char *name;		/* mapping name, /dev/mapper/<name> */
	char *device;		/* as written: a path, UUID=, LABEL=, PARTUUID=, PARTLABEL= */
	enum veiltab_key key;
	char *keyfile;		/* VT_KEY_FILE, VT_KEY_DEVICE_FILE: absolute path */
	char *keydev;		/* VT_KEY_DEVICE_FILE: the DEVSPEC holding keyfile */
	unsigned int flags;	/* VT_* */
	unsigned int tries;	/* passphrase attempts, 0 = unlimited; default 3 */
	unsigned int timeout_s;	/* passphrase prompt timeout, 0 = none */
	unsigned int device_timeout_s;	/* x-systemd.device-timeout=, default 90 s */
	unsigned int keyfile_timeout_s;	/* keyfile-timeout=: wait for keydev, 0 = device timeout */
	uint64_t keyfile_offset;	/* bytes */
	uint64_t keyfile_size;	/* bytes, 0 = whole file */
	int key_slot;		/* -1 = any */
	char *header;		/* detached header, a path or DEVSPEC; NULL = on device */
	/* plain, swap and tmp only */
	char *cipher;		/* NULL = veil's default */
	unsigned int key_bits;	/* size=, 0 = cipher default */
	unsigned int sector_size;	/* sector-size=, 0 = 512 */
	uint64_t offset;	/* offset=, 512-byte sectors */
	uint64_t skip;		/* skip=, IV offset in 512-byte sectors */
	char *tmp_fstype;	/* VT_TMP: filesystem to create, default "ext4" */
};

struct veiltab {
	struct veiltab_entry *entries;
	size_t n;
};

/* Called once per problem; line is 1-based, severe is true when the line
 * was skipped (false: an option was ignored, the entry stands). */
typedef void (*veiltab_warn_fn)(void *ctx, unsigned int line, bool severe, const char *msg);

/*
 * Parses len bytes of buf (need not be NUL-terminated). Returns the number of
 * skipped (malformed) lines, or -ENOMEM with *t empty. warn may be NULL.
 */
int veiltab_parse(const char *buf, size_t len, struct veiltab *t, veiltab_warn_fn warn,
		  void *ctx);
void veiltab_free(struct veiltab *t);
const struct veiltab_entry *veiltab_find(const struct veiltab *t, const char *name);

/* Splits "UUID=x" style specs: returns the tag ("UUID", "LABEL", "PARTUUID",
 * "PARTLABEL") and sets *value, or returns NULL for a path. */
const char *veiltab_spec_tag(const char *spec, const char **value);

#endif
