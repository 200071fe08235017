/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What tests/vectors/golden-v1.img holds: a detached veil header file made
 * once by gen-golden with the format of version 1. Every later version of
 * the library must still open it with these passphrases and find exactly
 * these fields and this volume key (tests/unit/golden.c).
 */
#ifndef VEIL_TESTS_GOLDEN_H
#define VEIL_TESTS_GOLDEN_H

#include "veil_format.h"

#define GOLDEN_FILE          "tests/vectors/golden-v1.img"
#define GOLDEN_METADATA      (1u << 20)          /* the whole file */
#define GOLDEN_DATA_OFFSET   (2ull << 20)        /* on the data device */
#define GOLDEN_DATA_SIZE     (64ull << 20)
#define GOLDEN_DATA_DEV      (GOLDEN_DATA_OFFSET + GOLDEN_DATA_SIZE)
#define GOLDEN_IV_OFFSET     8ull
#define GOLDEN_SECTOR        4096u
#define GOLDEN_CIPHER        "aes-xts-plain64"
#define GOLDEN_KEY_SIZE      64u
#define GOLDEN_FLAGS         (VEIL_FLAG_ALLOW_DISCARDS | VEIL_FLAG_NO_READ_WORKQUEUE)
#define GOLDEN_LABEL         "golden v1"
#define GOLDEN_SUBSYSTEM     "veil-tests"
#define GOLDEN_UUID_STR      "0e1d2c3b-4a59-4687-a5b4-c3d2e1f00f1e"
#define GOLDEN_DIGEST_ITER   1000u
#define GOLDEN_SEQID         4u      /* format (1) + three keyslot adds */
#define GOLDEN_NSLOTS        3

/* The volume key: byte i is (0xa5 ^ (i * 29)) & 0xff. */
static inline void golden_volume_key(uint8_t *key)
{
	unsigned i;

	for (i = 0; i < GOLDEN_KEY_SIZE; i++)
		key[i] = (uint8_t)(0xa5 ^ (i * 29));
}

static const struct golden_slot {
	const char *pass;
	struct veil_kdf kdf;
	enum veil_keyslot_priority priority;
	uint32_t stripes;
} golden_slots[GOLDEN_NSLOTS] = {
	{ "correct horse battery staple", { VEIL_KDF_ARGON2ID, 2, 256, 2 }, VEIL_PRIO_NORMAL, 4000 },
	{ "pbkdf2 passphrase \xc3\xa9t\xc3\xa9", { VEIL_KDF_PBKDF2_SHA256, 1000, 0, 0 },
	  VEIL_PRIO_NORMAL, 4000 },
	{ "preferred slot", { VEIL_KDF_ARGON2ID, 1, 64, 1 }, VEIL_PRIO_PREFER, 4096 },
};

#endif
