/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The contract between the tool and the kernel, in one place: the names
 * that tie a mapping to its volume and key, and the table line. Nothing
 * here does I/O or prints, so unit tests and the fuzzer call it directly.
 *
 *   keyring key      logon "veil:<volume uuid>"   (plain: "veil:PLAIN-<name>")
 *   DM UUID          "VEIL-<32 hex>-<name>"       (plain: "VEIL-PLAIN-<name>")
 *   key reference    ":<bytes>:logon:<description>"
 *   table            <cipher> <key> <iv_offset> <device> <offset> [<n> <opt>...]
 */
#ifndef VEIL_MAPPING_H
#define VEIL_MAPPING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAPPING_UUID_STR_LEN 36		/* 8-4-4-4-12, without the NUL */
#define MAPPING_UUID_HEX_LEN 32
#define MAPPING_DM_UUID_MAX 129		/* device-mapper's DM_UUID_LEN, with the NUL */
#define MAPPING_NAME_MAX 90		/* "VEIL-" + 32 hex + "-" + name < 128 */
#define MAPPING_KEY_DESC_MAX 160
#define MAPPING_EXTRA_MAX 256		/* unknown table options kept, with the NUL */

/*
 * Table options that are on/off flags, with the command-line option that
 * sets them and the header flag that stores them (open --persistent).
 * Adding a flag is one line in mapping_flags[] (mapping.c).
 */
struct mapping_flag {
	const char *table;	/* the option word in the table line */
	const char *option;	/* the command-line option, without "--" */
	uint32_t header_flag;	/* VEIL_FLAG_* bit; also the bit in mapping.flags */
	const char *status;	/* as veil status (and cryptsetup status) names it */
	bool veil_target;	/* the veil target implements it (dm-crypt implements all) */
	/* dm-crypt behaves so without it: a crypt table leaves it out. */
	bool crypt_default;
	unsigned int veil_minor;	/* the veil target's minor version that has it */
};
extern const struct mapping_flag mapping_flags[];
extern const size_t mapping_nflags;
const struct mapping_flag *mapping_flag_by_option(const char *option);
uint32_t mapping_flag_bits(void);	/* every header_flag of the table */
/* The bits of flags that target cannot apply (0: it applies them all). */
uint32_t mapping_flags_unsupported(const char *target, uint32_t flags);
/* The table word of the lowest bit of flags, or NULL. */
const char *mapping_flag_word(uint32_t flags);
/* The bits of flags that a veil target of version 1.minor does not know. */
uint32_t mapping_flags_newer(uint32_t flags, unsigned int minor);

struct mapping {
	const char *target;	/* "veil" or "crypt" */
	const char *cipher;
	unsigned int key_bytes;
	const char *key_desc;	/* logon key description */
	uint64_t iv_offset;	/* 512-byte sectors */
	const char *device;
	uint64_t offset;	/* 512-byte sectors */
	uint64_t len;		/* 512-byte sectors */
	unsigned int sector_size;
	bool iv_large_sectors, readonly;
	uint32_t flags;		/* VEIL_FLAG_* bits of mapping_flags[] */
	enum { KEY_KEYRING, KEY_HEX, KEY_WIPED } key_state;	/* as parsed */
	/*
	 * Options of a live table that the tool does not interpret (a newer
	 * target's, dmsetup's), in their order, space-separated: a reload
	 * (resize, refresh) passes them on unchanged instead of dropping them.
	 */
	char extra[MAPPING_EXTRA_MAX];
	unsigned int nextra;
};

/* Names. Each returns 0, or -EINVAL for a bad input, -ENAMETOOLONG when out is short. */
int mapping_name_check(const char *name, const char **why);
int mapping_key_desc(const char *volume_uuid, char *out, size_t len);
int mapping_plain_key_desc(const char *name, char *out, size_t len);
int mapping_dm_uuid(const char *volume_uuid, const char *name, char *out, size_t len);
int mapping_plain_dm_uuid(const char *name, char *out, size_t len);

/* A DM UUID read back: ours or not, plain or not, and the key it implies. */
struct mapping_owner {
	bool plain;
	char volume_uuid[MAPPING_UUID_STR_LEN + 1];	/* "" when plain */
	char name[MAPPING_NAME_MAX + 1];		/* the name it was opened as */
	char key_desc[MAPPING_KEY_DESC_MAX];
};
bool mapping_is_ours(const char *dm_uuid);
int mapping_dm_uuid_parse(const char *dm_uuid, struct mapping_owner *out);

/* ":<bytes>:logon:<desc>" */
int mapping_key_ref(unsigned int bytes, const char *desc, char *out, size_t len);
int mapping_key_ref_parse(const char *ref, unsigned int *bytes, char *desc, size_t desclen);

/* The table line: built (malloc'ed, NULL on ENOMEM) and parsed back. */
char *mapping_params(const struct mapping *m);
int mapping_parse(const char *params, struct mapping *m, char *cipher, size_t cipherlen,
		  char *desc, size_t desclen, char *dev, size_t devlen);

/*
 * When creating the mapping with the veil target failed: what next?
 * Only the default target (none asked for) falls back, only when the veil
 * target is missing from the kernel, and only after the user agreed.
 */
enum mapping_fallback {
	FALLBACK_NONE,		/* report the error as it is */
	FALLBACK_REFUSE,	/* tell the user to pass --target crypt */
	FALLBACK_ASK,		/* ask, then retry with the crypt target */
};
bool mapping_fallback_possible(int load_err, const char *target, bool target_given);
enum mapping_fallback mapping_fallback(int load_err, const char *target, bool target_given,
				       bool veil_missing, bool may_ask);

#endif
