/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Volumes in memory for the library tests: cheap KDF parameters (so that
 * thousands of unlocks run in seconds), a fixed volume key, and a veil_io
 * that records every write and sync so crash tests can replay prefixes.
 */
#ifndef VEIL_TESTS_FIXTURE_H
#define VEIL_TESTS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "veil_format.h"

/* Byte offsets of the on-disk copy, from format/SPEC.md (restated here so
 * the tests notice if the encoder moves a field). */
#define L_MAGIC          0x000
#define L_VERSION        0x008
#define L_COPY_INDEX     0x00a
#define L_HDR_SIZE       0x00c
#define L_SEQID          0x010
#define L_UUID           0x018
#define L_LABEL          0x028
#define L_SUBSYSTEM      0x058
#define L_RESERVED0      0x088
#define L_INCOMPAT       0x100
#define L_FLAGS          0x104
#define L_METADATA_SIZE  0x108
#define L_KEYSLOTS_OFF   0x110
#define L_KEYSLOTS_SIZE  0x118
#define L_CIPHER         0x120
#define L_KEY_SIZE       0x140
#define L_SECTOR_SIZE    0x144
#define L_SEGMENT_FLAGS  0x148
#define L_RESERVED1      0x14c
#define L_DATA_OFFSET    0x150
#define L_DATA_SIZE      0x158
#define L_IV_OFFSET      0x160
#define L_DIGEST_ITER    0x168
#define L_RESERVED2      0x16c
#define L_DIGEST_SALT    0x170
#define L_DIGEST         0x190
#define L_RETIRED        0x1b0    /* 4 x {u64 offset, u64 size} */
#define L_RESERVED3      0x1f0
#define L_SLOTS          0x200    /* 32 x 96 bytes */
#define L_SLOT_SIZE      96
#define L_RESERVED4      0xe00
#define L_MAC            0xfc0
#define L_CHECKSUM       0xfe0
/* within a keyslot */
#define LS_STATE         0
#define LS_PRIORITY      1
#define LS_KDF_TYPE      2
#define LS_AREA_CIPHER   3
#define LS_KEK_SIZE      4
#define LS_KDF_TIME      8
#define LS_KDF_MEMORY    12
#define LS_KDF_PARALLEL  16
#define LS_STRIPES       20
#define LS_KEY_SIZE      24
#define LS_RESERVED0     28
#define LS_SALT          32
#define LS_AREA_OFFSET   64
#define LS_AREA_SIZE     72
#define LS_RESERVED1     80
/* segment flag bits */
#define SEGF_IV_LARGE    1u
#define SEGF_DYNAMIC     2u
#define SEGF_DETACHED    4u

#define FX_COPY(img, i) ((img) + ((i) ? VEIL_HDR_COPY1_OFFSET : VEIL_HDR_COPY0_OFFSET))
#define FX_SLOT(copy, s) ((copy) + L_SLOTS + (s) * L_SLOT_SIZE)

uint16_t fx_get16(const uint8_t *p);
uint32_t fx_get32(const uint8_t *p);
uint64_t fx_get64(const uint8_t *p);
void fx_put16(uint8_t *p, uint16_t v);
void fx_put32(uint8_t *p, uint32_t v);
void fx_put64(uint8_t *p, uint64_t v);

/* The fixed volume key of the test volumes (bytes 0x40, 0x41, ...); its
 * length is the segment key size of fx_new_volume. */
struct veil_secret *fx_volume_key(size_t len);

/* Cheap keyslot parameters: argon2id t=1 m=64 KiB p=1, or pbkdf2 1000. */
void fx_cheap_slot(struct veil_keyslot_params *p, enum veil_kdf_type type);

/*
 * A formatted volume in a malloc'ed image of `size` bytes, metadata of
 * `metadata` bytes, data from offset `metadata` to the end, digest at the
 * minimum 1000 iterations, label "fixture", and one keyslot per passphrase
 * (slot i gets passes[i]; even slots argon2id, odd slots pbkdf2).
 * Returns NULL (after a FAIL line) on error.
 */
uint8_t *fx_new_volume(size_t size, uint64_t metadata, const char *const *passes,
		       int npasses, struct veil_secret *vk);

/* Load (read-only unless writable) and unlock with pass; returns the
 * veil_unlock result, or the veil_load result when loading failed. *slot,
 * *seqid may be NULL. */
int fx_open(uint8_t *img, size_t size, bool writable, const char *pass,
	    int *slot, uint64_t *seqid, struct veil_load_report *rep);
/* The same, trying only keyslot try_slot (-1: all, by priority). */
int fx_open_slot(uint8_t *img, size_t size, bool writable, int try_slot,
		 const char *pass, int *slot, uint64_t *seqid,
		 struct veil_load_report *rep);

/* A veil_io over another one that records every write and sync. */
struct fx_write {
	uint64_t off;
	size_t len;
	uint8_t *data;
	unsigned syncs_before;  /* syncs issued before this write */
};
struct fx_recorder {
	struct veil_io io;      /* hand this to the library */
	struct veil_io *inner;
	struct fx_write *w;
	size_t n, cap;
	unsigned syncs;
	int fail_after;         /* >= 0: writes past this many return -EIO */
};
void fx_recorder_init(struct fx_recorder *r, struct veil_io *inner);
void fx_recorder_free(struct fx_recorder *r);

#endif
