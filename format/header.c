// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The on-disk header copy: layout, the two endianness conversions, decode
 * with cheap checks before the checksum, validation of every limit, and the
 * choice between the two copies. No I/O here, so fuzzers call it directly.
 */
#include "internal.h"

#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

const uint8_t veil_magic0[VEIL_MAGIC_LEN] = { 'V', 'E', 'I', 'L', 0, 0xba, 0xbe, 1 };
const uint8_t veil_magic1[VEIL_MAGIC_LEN] = { 'L', 'I', 'E', 'V', 0, 0xba, 0xbe, 2 };

struct disk_area {
	uint64_t offset;
	uint64_t size;
} __attribute__((packed));

struct disk_keyslot {
	uint8_t state;
	uint8_t priority;
	uint8_t kdf_type;
	uint8_t area_cipher;
	uint32_t kek_size;
	uint32_t kdf_time;
	uint32_t kdf_memory;
	uint32_t kdf_parallel;
	uint32_t stripes;
	uint32_t key_size;
	uint32_t reserved0;
	uint8_t salt[VEIL_SALT_SIZE];
	struct disk_area area;
	uint8_t reserved1[16];
} __attribute__((packed));

struct disk_header {
	/* unauthenticated: identity, naming, ordering */
	uint8_t magic[VEIL_MAGIC_LEN];
	uint16_t version;
	uint16_t copy_index;
	uint32_t hdr_size;
	uint64_t seqid;
	uint8_t uuid[VEIL_UUID_SIZE];
	char label[VEIL_LABEL_SIZE];
	char subsystem[VEIL_SUBSYSTEM_SIZE];
	uint8_t reserved0[120];
	/* authenticated region: 0x100 .. 0xfc0 */
	uint32_t incompat;
	uint32_t flags;
	uint64_t metadata_size;
	uint64_t keyslots_offset;
	uint64_t keyslots_size;
	char cipher[VEIL_CIPHER_SIZE];
	uint32_t key_size;
	uint32_t sector_size;
	uint32_t segment_flags;
	uint32_t reserved1;
	uint64_t data_offset;
	uint64_t data_size;
	uint64_t iv_offset;
	uint32_t digest_iterations;
	uint32_t reserved2;
	uint8_t digest_salt[VEIL_SALT_SIZE];
	uint8_t digest[VEIL_DIGEST_SIZE];
	struct disk_area retired[VEIL_MAX_RETIRED];
	uint8_t reserved3[16];
	struct disk_keyslot slots[VEIL_MAX_KEYSLOTS];
	uint8_t reserved4[448];
	/* end of authenticated region */
	uint8_t mac[VEIL_MAC_SIZE];
	uint8_t checksum[32];
} __attribute__((packed));

#define AUTH_START 0x100u
#define AUTH_END   0xfc0u
#define SEGF_IV_LARGE_SECTORS (1u << 0)
#define SEGF_DYNAMIC_SIZE     (1u << 1)
#define SEGF_DETACHED         (1u << 2)
#define SEGF_KNOWN            0x7u
#define AREA_CIPHER_AES_XTS_PLAIN64 1u

_Static_assert(sizeof(struct disk_keyslot) == 96, "keyslot is 96 bytes");
_Static_assert(sizeof(struct disk_header) == VEIL_HDR_COPY_SIZE, "copy is 4 KiB");
_Static_assert(offsetof(struct disk_header, seqid) == 0x10, "seqid");
_Static_assert(offsetof(struct disk_header, uuid) == 0x18, "uuid");
_Static_assert(offsetof(struct disk_header, label) == 0x28, "label");
_Static_assert(offsetof(struct disk_header, subsystem) == 0x58, "subsystem");
_Static_assert(offsetof(struct disk_header, incompat) == AUTH_START, "auth start");
_Static_assert(offsetof(struct disk_header, cipher) == 0x120, "cipher");
_Static_assert(offsetof(struct disk_header, data_offset) == 0x150, "data offset");
_Static_assert(offsetof(struct disk_header, digest_iterations) == 0x168, "digest");
_Static_assert(offsetof(struct disk_header, retired) == 0x1b0, "retired");
_Static_assert(offsetof(struct disk_header, slots) == 0x200, "keyslots");
_Static_assert(offsetof(struct disk_header, mac) == AUTH_END, "auth end");
_Static_assert(offsetof(struct disk_header, checksum) == 0xfe0, "checksum");
_Static_assert(offsetof(struct disk_keyslot, salt) == 0x20, "slot salt");
_Static_assert(offsetof(struct disk_keyslot, area) == 0x40, "slot area");

/* ------------------------------------------------------------------------ */
/* The two endianness conversions.                                          */

/* Zero-padded, always terminated (the destination is pre-zeroed). */
static void copy_string(char *dst, const char *src, size_t size)
{
	memcpy(dst, src, strnlen(src, size - 1));
}

static void hdr_to_disk(const struct veil_header *h, unsigned index,
			struct disk_header *d)
{
	unsigned i;

	memset(d, 0, sizeof(*d));
	memcpy(d->magic, index ? veil_magic1 : veil_magic0, VEIL_MAGIC_LEN);
	d->version = htole16(h->version);
	d->copy_index = htole16((uint16_t)index);
	d->hdr_size = htole32(VEIL_HDR_COPY_SIZE);
	d->seqid = htole64(h->seqid);
	memcpy(d->uuid, h->uuid, VEIL_UUID_SIZE);
	copy_string(d->label, h->label, VEIL_LABEL_SIZE);
	copy_string(d->subsystem, h->subsystem, VEIL_SUBSYSTEM_SIZE);
	d->incompat = htole32(h->incompat);
	d->flags = htole32(h->flags);
	d->metadata_size = htole64(h->metadata_size);
	d->keyslots_offset = htole64(h->keyslots_offset);
	d->keyslots_size = htole64(h->keyslots_size);
	copy_string(d->cipher, h->segment.cipher, VEIL_CIPHER_SIZE);
	d->key_size = htole32(h->segment.key_size);
	d->sector_size = htole32(h->segment.sector_size);
	d->segment_flags = htole32(
		(h->segment.iv_large_sectors ? SEGF_IV_LARGE_SECTORS : 0) |
		(h->segment.dynamic_size ? SEGF_DYNAMIC_SIZE : 0) |
		(h->segment.detached ? SEGF_DETACHED : 0));
	d->data_offset = htole64(h->segment.data_offset);
	d->data_size = htole64(h->segment.data_size);
	d->iv_offset = htole64(h->segment.iv_offset);
	d->digest_iterations = htole32(h->digest_iterations);
	memcpy(d->digest_salt, h->digest_salt, VEIL_SALT_SIZE);
	memcpy(d->digest, h->digest, VEIL_DIGEST_SIZE);
	for (i = 0; i < VEIL_MAX_RETIRED; i++) {
		d->retired[i].offset = htole64(h->retired[i].offset);
		d->retired[i].size = htole64(h->retired[i].size);
	}
	for (i = 0; i < VEIL_MAX_KEYSLOTS; i++) {
		const struct veil_keyslot *s = &h->slots[i];
		struct disk_keyslot *ds = &d->slots[i];

		/* An inactive slot is all zeros on disk. */
		if (s->state != VEIL_SLOT_ACTIVE)
			continue;
		ds->state = (uint8_t)s->state;
		ds->priority = (uint8_t)s->priority;
		ds->kdf_type = (uint8_t)s->kdf.type;
		ds->area_cipher = (uint8_t)s->area_cipher;
		ds->kek_size = htole32(s->kek_size);
		ds->kdf_time = htole32(s->kdf.time);
		ds->kdf_memory = htole32(s->kdf.memory_kib);
		ds->kdf_parallel = htole32(s->kdf.parallel);
		ds->stripes = htole32(s->stripes);
		ds->key_size = htole32(s->key_size);
		memcpy(ds->salt, s->salt, VEIL_SALT_SIZE);
		ds->area.offset = htole64(s->area.offset);
		ds->area.size = htole64(s->area.size);
	}
	memcpy(d->mac, h->mac, VEIL_MAC_SIZE);
}

static void hdr_from_disk(const struct disk_header *d, struct veil_header *h)
{
	unsigned i;

	memset(h, 0, sizeof(*h));
	h->version = le16toh(d->version);
	h->seqid = le64toh(d->seqid);
	memcpy(h->uuid, d->uuid, VEIL_UUID_SIZE);
	memcpy(h->label, d->label, VEIL_LABEL_SIZE);
	h->label[VEIL_LABEL_SIZE - 1] = '\0';
	memcpy(h->subsystem, d->subsystem, VEIL_SUBSYSTEM_SIZE);
	h->subsystem[VEIL_SUBSYSTEM_SIZE - 1] = '\0';
	h->incompat = le32toh(d->incompat);
	h->flags = le32toh(d->flags);
	h->metadata_size = le64toh(d->metadata_size);
	h->keyslots_offset = le64toh(d->keyslots_offset);
	h->keyslots_size = le64toh(d->keyslots_size);
	memcpy(h->segment.cipher, d->cipher, VEIL_CIPHER_SIZE);
	h->segment.cipher[VEIL_CIPHER_SIZE - 1] = '\0';
	h->segment.key_size = le32toh(d->key_size);
	h->segment.sector_size = le32toh(d->sector_size);
	h->segment.iv_large_sectors = le32toh(d->segment_flags) & SEGF_IV_LARGE_SECTORS;
	h->segment.dynamic_size = le32toh(d->segment_flags) & SEGF_DYNAMIC_SIZE;
	h->segment.detached = le32toh(d->segment_flags) & SEGF_DETACHED;
	h->segment.data_offset = le64toh(d->data_offset);
	h->segment.data_size = le64toh(d->data_size);
	h->segment.iv_offset = le64toh(d->iv_offset);
	h->digest_iterations = le32toh(d->digest_iterations);
	memcpy(h->digest_salt, d->digest_salt, VEIL_SALT_SIZE);
	memcpy(h->digest, d->digest, VEIL_DIGEST_SIZE);
	for (i = 0; i < VEIL_MAX_RETIRED; i++) {
		h->retired[i].offset = le64toh(d->retired[i].offset);
		h->retired[i].size = le64toh(d->retired[i].size);
	}
	for (i = 0; i < VEIL_MAX_KEYSLOTS; i++) {
		const struct disk_keyslot *ds = &d->slots[i];
		struct veil_keyslot *s = &h->slots[i];

		s->state = ds->state;
		s->priority = ds->priority;
		s->kdf.type = ds->kdf_type;
		s->area_cipher = ds->area_cipher;
		s->kek_size = le32toh(ds->kek_size);
		s->kdf.time = le32toh(ds->kdf_time);
		s->kdf.memory_kib = le32toh(ds->kdf_memory);
		s->kdf.parallel = le32toh(ds->kdf_parallel);
		s->stripes = le32toh(ds->stripes);
		s->key_size = le32toh(ds->key_size);
		memcpy(s->salt, ds->salt, VEIL_SALT_SIZE);
		s->area.offset = le64toh(ds->area.offset);
		s->area.size = le64toh(ds->area.size);
	}
	memcpy(h->mac, d->mac, VEIL_MAC_SIZE);
}

/* ------------------------------------------------------------------------ */
/* Validation                                                               */

static bool all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/* A NUL-terminated string field with only zeros after the terminator. */
static bool canonical_string(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	return n < size && all_zero(s + n, size - n);
}

uint64_t veil_area_size_for(size_t key_len, uint32_t stripes)
{
	uint64_t raw = (uint64_t)key_len * stripes;

	return (raw + VEIL_AREA_ALIGN - 1) / VEIL_AREA_ALIGN * VEIL_AREA_ALIGN;
}

static bool overlaps(const struct veil_area *a, const struct veil_area *b)
{
	return a->offset < b->offset + b->size && b->offset < a->offset + a->size;
}

static int check_area(const struct veil_header *h, const struct veil_area *a,
		      const char *what, unsigned n)
{
	uint64_t end = h->keyslots_offset + h->keyslots_size;

	if (a->offset % VEIL_AREA_ALIGN || a->size % VEIL_AREA_ALIGN || !a->size)
		return veil_fail(-ERANGE, "%s %u: area %llu+%llu is not %u-byte "
				 "aligned", what, n,
				 (unsigned long long)a->offset,
				 (unsigned long long)a->size, VEIL_AREA_ALIGN);
	if (a->offset < h->keyslots_offset || a->offset > end ||
	    a->size > end - a->offset)
		return veil_fail(-ERANGE, "%s %u: area %llu+%llu lies outside the "
				 "keyslot region %llu+%llu", what, n,
				 (unsigned long long)a->offset,
				 (unsigned long long)a->size,
				 (unsigned long long)h->keyslots_offset,
				 (unsigned long long)h->keyslots_size);
	return 0;
}

static int check_slot(const struct veil_header *h, unsigned i)
{
	const struct veil_keyslot *s = &h->slots[i];
	int r;

	if (s->state == VEIL_SLOT_INACTIVE)
		return 0;
	if (s->state != VEIL_SLOT_ACTIVE)
		return veil_fail(-ERANGE, "keyslot %u: unknown state %d", i,
				 (int)s->state);
	if ((unsigned)s->priority > VEIL_PRIO_PREFER)
		return veil_fail(-ERANGE, "keyslot %u: unknown priority %d", i,
				 (int)s->priority);
	r = veil_kdf_check(&s->kdf);
	if (r)
		return veil_fail(r, "keyslot %u: %s", i,
				 strdupa(veil_error_detail()));
	if (s->area_cipher != AREA_CIPHER_AES_XTS_PLAIN64 ||
	    s->kek_size != VEIL_KEYSLOT_KEK_SIZE)
		return veil_fail(-ERANGE, "keyslot %u: unsupported area cipher "
				 "%u/%u", i, s->area_cipher, s->kek_size);
	if (s->stripes < VEIL_STRIPES_MIN || s->stripes > VEIL_STRIPES_MAX)
		return veil_fail(-ERANGE, "keyslot %u: %u stripes is not %u..%u",
				 i, s->stripes, VEIL_STRIPES_MIN,
				 VEIL_STRIPES_MAX);
	if (s->key_size != h->segment.key_size)
		return veil_fail(-ERANGE, "keyslot %u: key size %u differs from "
				 "the segment's %u", i, s->key_size,
				 h->segment.key_size);
	r = check_area(h, &s->area, "keyslot", i);
	if (r)
		return r;
	if (s->area.size < (uint64_t)s->key_size * s->stripes)
		return veil_fail(-ERANGE, "keyslot %u: area of %llu bytes is "
				 "smaller than its %u-byte material", i,
				 (unsigned long long)s->area.size,
				 s->key_size * s->stripes);
	return 0;
}

static int check_segment(const struct veil_header *h)
{
	const struct veil_segment *g = &h->segment;
	int r;

	r = veil_cipher_check(g->cipher, g->key_size);
	if (r)
		return veil_fail(-ERANGE, "segment: %s",
				 strdupa(veil_error_detail()));
	if (g->sector_size < VEIL_SECTOR_SIZE_MIN ||
	    g->sector_size > VEIL_SECTOR_SIZE_MAX ||
	    (g->sector_size & (g->sector_size - 1)))
		return veil_fail(-ERANGE, "segment: sector size %u is not a power "
				 "of two in 512..4096", g->sector_size);
	if (g->data_offset % VEIL_DATA_ALIGN || g->data_offset >= (1ull << 62))
		return veil_fail(-ERANGE, "segment: data offset %llu is not "
				 "1 MiB aligned", (unsigned long long)g->data_offset);
	if (!g->detached && g->data_offset < h->metadata_size)
		return veil_fail(-ERANGE, "segment: data offset %llu overlaps the "
				 "metadata (%llu bytes)",
				 (unsigned long long)g->data_offset,
				 (unsigned long long)h->metadata_size);
	if (g->dynamic_size != (g->data_size == 0))
		return veil_fail(-ERANGE, "segment: data size %llu contradicts the "
				 "to-end-of-device flag",
				 (unsigned long long)g->data_size);
	if (g->data_size % g->sector_size || g->data_size >= (1ull << 62))
		return veil_fail(-ERANGE, "segment: data size %llu is not a "
				 "multiple of the sector size",
				 (unsigned long long)g->data_size);
	if (g->iv_offset >= (1ull << 55) ||
	    g->iv_offset % (g->sector_size / 512))
		return veil_fail(-ERANGE, "segment: IV offset %llu is not aligned "
				 "to the sector size",
				 (unsigned long long)g->iv_offset);
	return 0;
}

/*
 * The most work one unlock attempt can cost (SPEC.md "Limits"): every
 * active slot may be tried, each costs its KDF and then the digest.
 */
uint64_t veil_header_unlock_work(const struct veil_header *h)
{
	uint64_t total = 0;
	unsigned i;

	for (i = 0; i < VEIL_MAX_KEYSLOTS; i++) {
		const struct veil_keyslot *s = &h->slots[i];

		if (s->state != VEIL_SLOT_ACTIVE)
			continue;
		if (s->kdf.type == VEIL_KDF_ARGON2ID)
			total += (uint64_t)s->kdf.time * s->kdf.memory_kib;
		else
			total += s->kdf.time;
		total += h->digest_iterations;
	}
	return total;
}

int veil_header_check_unlock_work(const struct veil_header *h)
{
	uint64_t work = veil_header_unlock_work(h);

	if (work > VEIL_UNLOCK_WORK_MAX)
		return veil_fail(-ERANGE, "the keyslots demand %llu units of unlock work, "
				 "more than the limit of %llu (argon2id passes x KiB "
				 "plus PBKDF2 iterations, over all active slots)",
				 (unsigned long long)work,
				 (unsigned long long)VEIL_UNLOCK_WORK_MAX);
	return 0;
}

int veil_header_validate(const struct veil_header *h)
{
	const struct veil_area *a[VEIL_MAX_KEYSLOTS + VEIL_MAX_RETIRED];
	char name[VEIL_MAX_KEYSLOTS + VEIL_MAX_RETIRED][24];
	unsigned n = 0, i, j;
	int r;

	if (h->version != VEIL_FORMAT_VERSION)
		return veil_fail(-EPROTONOSUPPORT, "unsupported header version %u",
				 h->version);
	if (h->incompat)
		return veil_fail(-EPROTONOSUPPORT, "unsupported incompatible "
				 "features 0x%x", h->incompat);
	if (h->flags & ~VEIL_FLAGS_KNOWN)
		return veil_fail(-EPROTONOSUPPORT, "unknown persistent flags 0x%x",
				 h->flags & ~VEIL_FLAGS_KNOWN);
	if (h->seqid == 0 || h->seqid >= (1ull << 63))
		return veil_fail(-ERANGE, "seqid %llu out of range",
				 (unsigned long long)h->seqid);
	if (strnlen(h->label, VEIL_LABEL_SIZE) >= VEIL_LABEL_SIZE ||
	    strnlen(h->subsystem, VEIL_SUBSYSTEM_SIZE) >= VEIL_SUBSYSTEM_SIZE)
		return veil_fail(-ERANGE, "label or subsystem not terminated");
	if (h->metadata_size % VEIL_AREA_ALIGN ||
	    h->metadata_size > VEIL_METADATA_SIZE_MAX)
		return veil_fail(-ERANGE, "metadata size %llu is not a 4 KiB "
				 "multiple up to %u MiB",
				 (unsigned long long)h->metadata_size,
				 VEIL_METADATA_SIZE_MAX / VEIL_MIB);
	if (h->keyslots_offset < VEIL_HDR_PARSE_LEN ||
	    h->keyslots_offset % VEIL_AREA_ALIGN ||
	    h->keyslots_size % VEIL_AREA_ALIGN ||
	    h->keyslots_offset > h->metadata_size ||
	    h->keyslots_size > h->metadata_size - h->keyslots_offset)
		return veil_fail(-ERANGE, "keyslot region %llu+%llu overlaps the "
				 "header copies or exceeds the metadata size %llu",
				 (unsigned long long)h->keyslots_offset,
				 (unsigned long long)h->keyslots_size,
				 (unsigned long long)h->metadata_size);
	r = check_segment(h);
	if (r)
		return r;
	if (h->digest_iterations < VEIL_DIGEST_ITER_MIN ||
	    h->digest_iterations > VEIL_PBKDF2_ITER_MAX)
		return veil_fail(-ERANGE, "digest iterations %u are not %u..%u",
				 h->digest_iterations, VEIL_DIGEST_ITER_MIN,
				 VEIL_PBKDF2_ITER_MAX);
	for (i = 0; i < VEIL_MAX_KEYSLOTS; i++) {
		r = check_slot(h, i);
		if (r)
			return r;
		if (h->slots[i].state == VEIL_SLOT_ACTIVE) {
			snprintf(name[n], sizeof(name[n]), "keyslot %u", i);
			a[n++] = &h->slots[i].area;
		}
	}
	r = veil_header_check_unlock_work(h);
	if (r)
		return r;
	for (i = 0; i < VEIL_MAX_RETIRED; i++) {
		if (!h->retired[i].size && !h->retired[i].offset)
			continue;
		r = check_area(h, &h->retired[i], "retired area", i);
		if (r)
			return r;
		snprintf(name[n], sizeof(name[n]), "retired area %u", i);
		a[n++] = &h->retired[i];
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (overlaps(a[i], a[j]))
				return veil_fail(-ERANGE, "areas overlap: %s "
						 "(%llu+%llu) and %s (%llu+%llu)",
						 name[i],
						 (unsigned long long)a[i]->offset,
						 (unsigned long long)a[i]->size,
						 name[j],
						 (unsigned long long)a[j]->offset,
						 (unsigned long long)a[j]->size);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Decode / encode one copy                                                 */

void veil_header_copy_reseal(uint8_t *copy)
{
	struct disk_header *d = (struct disk_header *)copy;

	veil_sha256(copy, offsetof(struct disk_header, checksum), d->checksum);
}

static int decode_raw(const struct disk_header *d, unsigned index,
		      enum veil_copy_status *st, bool *sum_ok)
{
	uint8_t sum[32];
	unsigned i;

	*st = VEIL_COPY_NO_MAGIC;
	if (memcmp(d->magic, index ? veil_magic1 : veil_magic0, VEIL_MAGIC_LEN))
		return veil_fail(-ENODEV, "no veil magic");
	*st = VEIL_COPY_BAD_VERSION;
	if (le16toh(d->version) != VEIL_FORMAT_VERSION)
		return veil_fail(-EPROTONOSUPPORT, "unsupported header version %u",
				 le16toh(d->version));
	*st = VEIL_COPY_INVALID;
	if (le16toh(d->copy_index) != index ||
	    le32toh(d->hdr_size) != VEIL_HDR_COPY_SIZE)
		return veil_fail(-ERANGE, "copy index %u or header size %u is wrong",
				 le16toh(d->copy_index), le32toh(d->hdr_size));
	*st = VEIL_COPY_BAD_CHECKSUM;
	if (veil_sha256(d, offsetof(struct disk_header, checksum), sum) ||
	    CRYPTO_memcmp(sum, d->checksum, sizeof(sum)))
		return veil_fail(-EUCLEAN, "header checksum mismatch");
	*sum_ok = true;
	*st = VEIL_COPY_INVALID;
	if (!all_zero(d->reserved0, sizeof(d->reserved0)) || d->reserved1 ||
	    d->reserved2 || !all_zero(d->reserved3, sizeof(d->reserved3)) ||
	    !all_zero(d->reserved4, sizeof(d->reserved4)))
		return veil_fail(-ERANGE, "reserved header bytes are not zero");
	if (!canonical_string(d->label, VEIL_LABEL_SIZE) ||
	    !canonical_string(d->subsystem, VEIL_SUBSYSTEM_SIZE) ||
	    !canonical_string(d->cipher, VEIL_CIPHER_SIZE))
		return veil_fail(-ERANGE, "label, subsystem or cipher is not a "
				 "NUL-terminated, zero-padded string");
	if (le32toh(d->segment_flags) & ~SEGF_KNOWN) {
		*st = VEIL_COPY_BAD_VERSION;
		return veil_fail(-EPROTONOSUPPORT, "unknown segment flags 0x%x",
				 le32toh(d->segment_flags) & ~SEGF_KNOWN);
	}
	for (i = 0; i < VEIL_MAX_KEYSLOTS; i++) {
		const struct disk_keyslot *s = &d->slots[i];

		if (s->state == VEIL_SLOT_INACTIVE) {
			if (!all_zero(s, sizeof(*s)))
				return veil_fail(-ERANGE, "inactive keyslot %u is "
						 "not all zeros", i);
			continue;
		}
		if (s->reserved0 || !all_zero(s->reserved1, sizeof(s->reserved1)))
			return veil_fail(-ERANGE, "keyslot %u: reserved bytes are "
					 "not zero", i);
	}
	return 0;
}

static int decode_copy(const uint8_t *buf, size_t len, unsigned index,
		       struct veil_header *hdr, enum veil_copy_status *st,
		       uint64_t *seqid)
{
	struct disk_header d;
	bool sum_ok = false;
	int r;

	memset(hdr, 0, sizeof(*hdr));
	*seqid = 0;
	if (index > 1)
		return veil_fail(-EINVAL, "copy index %u", index);
	if (len < VEIL_HDR_COPY_SIZE) {
		*st = VEIL_COPY_TRUNCATED;
		return veil_fail(-ENODEV, "device too small for header copy %u",
				 index);
	}
	/* Copy out: buf may be unaligned and the fuzzer's buffer is const. */
	memcpy(&d, buf, sizeof(d));
	r = decode_raw(&d, index, st, &sum_ok);
	if (!sum_ok)
		return r;
	/* The checksum held: the seqid is meaningful even if a field is not. */
	*seqid = le64toh(d.seqid);
	if (r)
		return r;
	hdr_from_disk(&d, hdr);
	r = veil_header_validate(hdr);
	if (r) {
		*st = r == -EPROTONOSUPPORT ? VEIL_COPY_BAD_VERSION : VEIL_COPY_INVALID;
		return r;
	}
	*st = VEIL_COPY_OK;
	return 0;
}

int veil_header_decode(const uint8_t *buf, size_t len, unsigned index,
		       struct veil_header *hdr, enum veil_copy_status *st)
{
	enum veil_copy_status dummy;
	uint64_t seqid;

	return decode_copy(buf, len, index, hdr, st ? st : &dummy, &seqid);
}

int veil_header_encode(const struct veil_header *hdr, unsigned index,
		       uint8_t *out)
{
	struct disk_header d;
	int r;

	if (index > 1)
		return veil_fail(-EINVAL, "copy index %u", index);
	r = veil_header_validate(hdr);
	if (r)
		return r;
	hdr_to_disk(hdr, index, &d);
	veil_header_copy_reseal((uint8_t *)&d);
	memcpy(out, &d, sizeof(d));
	return 0;
}

int veil_header_auth_bytes(const struct veil_header *hdr, uint8_t *copy)
{
	struct disk_header d;

	hdr_to_disk(hdr, 0, &d);
	memcpy(copy, (uint8_t *)&d + AUTH_START, AUTH_END - AUTH_START);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Both copies                                                              */

static int status_rank(enum veil_copy_status st)
{
	switch (st) {
	case VEIL_COPY_INVALID:
		return 4;
	case VEIL_COPY_BAD_VERSION:
		return 3;
	case VEIL_COPY_BAD_CHECKSUM:
		return 2;
	default:
		return 1;
	}
}

int veil_header_parse(const uint8_t *buf, size_t len, struct veil_header *hdr,
		      struct veil_load_report *rep)
{
	static const uint64_t off[2] = { VEIL_HDR_COPY0_OFFSET,
					 VEIL_HDR_COPY1_OFFSET };
	struct veil_header h[2];
	struct veil_load_report local;
	int r[2], worst, err;
	unsigned i;

	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof(*rep));
	memset(hdr, 0, sizeof(*hdr));
	rep->used_copy = -1;
	for (i = 0; i < 2; i++) {
		size_t avail = len > off[i] ? len - off[i] : 0;

		r[i] = decode_copy(avail ? buf + off[i] : buf, avail, i, &h[i],
				   &rep->copy[i], &rep->copy_seqid[i]);
		rep->copy_err[i] = r[i];
		if (r[i])
			snprintf(rep->copy_detail[i], sizeof(rep->copy_detail[i]),
				 "%s", veil_error_detail());
	}
	veil_error_clear();
	if (!r[0] && !r[1]) {
		struct veil_header a = h[0], b = h[1];

		if (h[1].seqid > h[0].seqid) {
			rep->used_copy = 1;
			rep->copy[0] = VEIL_COPY_STALE;
		} else if (h[0].seqid > h[1].seqid) {
			rep->used_copy = 0;
			rep->copy[1] = VEIL_COPY_STALE;
		} else {
			rep->used_copy = 0;
			if (memcmp(&a, &b, sizeof(a)))
				rep->copy[1] = VEIL_COPY_MISMATCH;
		}
	} else if (!r[0]) {
		rep->used_copy = 0;
	} else if (!r[1]) {
		rep->used_copy = 1;
	}
	if (rep->used_copy >= 0) {
		*hdr = h[rep->used_copy];
		return 0;
	}

	worst = status_rank(rep->copy[0]) >= status_rank(rep->copy[1]) ? 0 : 1;
	err = r[worst];
	if (rep->copy[0] == VEIL_COPY_BAD_CHECKSUM &&
	    rep->copy[1] == VEIL_COPY_BAD_CHECKSUM)
		return veil_fail(-EUCLEAN, "header checksum mismatch in both copies");
	if (status_rank(rep->copy[worst]) == 1)
		return veil_fail(-ENODEV, "not a veil device (%s)",
				 rep->copy[0] == VEIL_COPY_TRUNCATED ?
				 "device too small" : "no veil magic");
	return veil_fail(err, "no valid header copy: primary: %s; secondary: %s",
			 rep->copy_detail[0][0] ? rep->copy_detail[0] : "ok",
			 rep->copy_detail[1][0] ? rep->copy_detail[1] : "ok");
}

const char *veil_copy_status_str(enum veil_copy_status st)
{
	switch (st) {
	case VEIL_COPY_OK:
		return "ok";
	case VEIL_COPY_STALE:
		return "stale (older seqid)";
	case VEIL_COPY_MISMATCH:
		return "differs from the primary with the same seqid";
	case VEIL_COPY_TRUNCATED:
		return "missing (device too small)";
	case VEIL_COPY_NO_MAGIC:
		return "no veil magic";
	case VEIL_COPY_BAD_CHECKSUM:
		return "checksum mismatch";
	case VEIL_COPY_BAD_VERSION:
		return "unsupported version or feature";
	case VEIL_COPY_INVALID:
		return "invalid field";
	}
	return "unknown";
}

bool veil_probe_magic(const uint8_t *buf, size_t len)
{
	return len >= VEIL_MAGIC_LEN && !memcmp(buf, veil_magic0, VEIL_MAGIC_LEN);
}
