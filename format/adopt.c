// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Adopting a data area: a veil header written in place of another format's
 * header (a LUKS conversion), around a volume key, segment and layout that
 * already exist. The work is split so that all the slow parts (KDF, AF
 * split, encryption of the keyslot material) happen in memory first, and
 * the device sees only the short write sequence of SPEC.md "Adopting a data
 * area": keyslot areas into space the old header does not use, copy 1,
 * copy 0, then the old metadata is wiped.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

struct veil_adopt {
	struct veil_header hdr;
	struct veil_secret *material[VEIL_MAX_KEYSLOTS];   /* encrypted areas */
	unsigned nslots;
};

void veil_adopt_params_init(struct veil_adopt_params *p)
{
	memset(p, 0, sizeof(*p));
}

static bool range_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* First fit in the keyslot region outside busy ranges and the areas
 * already chosen (slots 0..n-1 of h). */
static int adopt_alloc(const struct veil_header *h, unsigned n,
		       const struct veil_adopt_params *p, uint64_t size,
		       struct veil_area *out)
{
	uint64_t start = h->keyslots_offset;
	uint64_t end = h->keyslots_offset + h->keyslots_size;
	bool moved = true;

	while (moved) {
		moved = false;
		if (start > end || size > end - start)
			return -ENOSPC;
		for (unsigned i = 0; i < n; i++)
			if (range_overlap(start, size, h->slots[i].area.offset,
					  h->slots[i].area.size)) {
				start = h->slots[i].area.offset + h->slots[i].area.size;
				moved = true;
			}
		for (size_t i = 0; i < p->n_busy; i++)
			if (p->busy[i].size &&
			    range_overlap(start, size, p->busy[i].offset, p->busy[i].size)) {
				/* Areas stay 4 KiB aligned after a busy range. */
				start = (p->busy[i].offset + p->busy[i].size +
					 VEIL_AREA_ALIGN - 1) / VEIL_AREA_ALIGN * VEIL_AREA_ALIGN;
				moved = true;
			}
	}
	out->offset = start;
	out->size = size;
	return 0;
}

/* Bytes of the keyslot region outside the busy ranges (for the message). */
static uint64_t region_free(const struct veil_header *h,
			    const struct veil_adopt_params *p)
{
	uint64_t start = h->keyslots_offset, end = start + h->keyslots_size;
	uint64_t free_bytes = 0;

	for (uint64_t off = start; off < end; off += VEIL_AREA_ALIGN) {
		bool busy = false;

		for (size_t i = 0; i < p->n_busy && !busy; i++)
			busy = p->busy[i].size && range_overlap(off, VEIL_AREA_ALIGN,
								p->busy[i].offset,
								p->busy[i].size);
		if (!busy)
			free_bytes += VEIL_AREA_ALIGN;
	}
	return free_bytes;
}

static int adopt_segment(struct veil_header *h, const struct veil_adopt_params *p,
			 uint64_t data_dev_size)
{
	struct veil_segment *g = &h->segment;
	uint64_t need;
	int r;

	if (!p->cipher)
		return veil_fail(-EINVAL, "no cipher given");
	r = veil_cipher_check(p->cipher, p->key_size);
	if (r)
		return r;
	snprintf(g->cipher, sizeof(g->cipher), "%s", p->cipher);
	g->key_size = p->key_size;
	g->sector_size = p->sector_size;
	if (g->sector_size < VEIL_SECTOR_SIZE_MIN || g->sector_size > VEIL_SECTOR_SIZE_MAX ||
	    (g->sector_size & (g->sector_size - 1)))
		return veil_fail(-EINVAL, "sector size %u is not a power of two in 512..4096",
				 g->sector_size);
	g->iv_large_sectors = p->iv_large_sectors;
	g->detached = p->detached;
	g->iv_offset = p->iv_offset;
	if (g->iv_offset % (g->sector_size / 512))
		return veil_fail(-EINVAL, "IV offset %llu is not a multiple of the %u-byte "
				 "sector size", (unsigned long long)g->iv_offset, g->sector_size);
	g->data_offset = p->data_offset;
	if (g->data_offset % VEIL_DATA_ALIGN)
		return veil_fail(-EINVAL, "data offset %llu is not a multiple of 1 MiB "
				 "(1048576), which the veil format requires",
				 (unsigned long long)g->data_offset);
	if (!p->detached && g->data_offset < h->metadata_size)
		return veil_fail(-ENOSPC, "data offset %llu is below the %llu-byte metadata",
				 (unsigned long long)g->data_offset,
				 (unsigned long long)h->metadata_size);
	g->data_size = p->data_size;
	g->dynamic_size = !p->data_size;
	if (g->data_size % g->sector_size)
		return veil_fail(-EINVAL, "data size is not a multiple of the %u-byte sector size",
				 g->sector_size);
	need = g->data_offset + (g->data_size ? g->data_size : g->sector_size);
	if (need > data_dev_size)
		return veil_fail(-ENOSPC, "data device of %llu bytes is too small: the data "
				 "area needs %llu", (unsigned long long)data_dev_size,
				 (unsigned long long)need);
	return 0;
}

/* One keyslot for pass in a chosen area: KDF, split, encrypt (in memory). */
static int adopt_slot(struct veil_adopt *a, const struct veil_adopt_params *p,
		      const struct veil_secret *vk, const void *pass, size_t pass_len,
		      const struct veil_keyslot_params *kp)
{
	struct veil_header *h = &a->hdr;
	struct veil_keyslot *s = &h->slots[a->nslots];
	struct veil_secret *kek = NULL, *mat = NULL;
	uint32_t stripes = kp->stripes ? kp->stripes : VEIL_STRIPES_MIN;
	uint64_t size = veil_area_size_for(vk->len, stripes);
	size_t raw = vk->len * stripes;
	int r;

	if (stripes < VEIL_STRIPES_MIN || stripes > VEIL_STRIPES_MAX)
		return veil_fail(-EINVAL, "stripes %u not in %u..%u", stripes,
				 VEIL_STRIPES_MIN, VEIL_STRIPES_MAX);
	if (adopt_alloc(h, a->nslots, p, size, &s->area)) {
		uint64_t need = (uint64_t)(a->nslots + 1) * size;

		return veil_fail(-ENOSPC, "no room for keyslot %u: %u keyslot area(s) of %llu "
				 "bytes need %llu bytes between offset %llu and the end of the "
				 "metadata at %llu; %llu bytes there are free of the old header's "
				 "live data, in pieces too small",
				 a->nslots, a->nslots + 1, (unsigned long long)size,
				 (unsigned long long)need,
				 (unsigned long long)h->keyslots_offset,
				 (unsigned long long)h->metadata_size,
				 (unsigned long long)region_free(h, p));
	}
	s->kdf = kp->kdf;
	if (s->kdf.type == VEIL_KDF_NONE || !s->kdf.time) {
		r = veil_kdf_calibrate(&s->kdf, kp->target_ms, VEIL_KEYSLOT_KEK_SIZE);
		if (r)
			return r;
	}
	veil_kdf_fill_defaults(&s->kdf);
	r = veil_kdf_check(&s->kdf);
	if (r)
		return r;
	s->state = VEIL_SLOT_ACTIVE;
	s->priority = kp->priority;
	s->area_cipher = 1;
	s->kek_size = VEIL_KEYSLOT_KEK_SIZE;
	s->stripes = stripes;
	s->key_size = (uint32_t)vk->len;
	r = veil_random(s->salt, VEIL_SALT_SIZE);
	if (r)
		return r;
	kek = veil_secret_new(VEIL_KEYSLOT_KEK_SIZE);
	mat = veil_secret_new((size_t)size);
	if (!kek || !mat) {
		r = veil_fail(-ENOMEM, "cannot allocate secure memory");
		goto out;
	}
	r = veil_kdf_derive(&s->kdf, pass, pass_len, s->salt, kek->data, kek->len);
	if (!r)
		r = veil_af_split(vk->data, vk->len, stripes, mat->data);
	if (!r)
		r = veil_random(mat->data + raw, mat->len - raw);
	if (!r)
		r = veil_xts_crypt(true, kek->data, kek->len, 512, 0, mat->data, mat->data,
				   mat->len);
	if (r)
		goto out;
	a->material[a->nslots++] = mat;
	mat = NULL;
out:
	veil_secret_free(kek);
	veil_secret_free(mat);
	if (r)
		memset(s, 0, sizeof(*s));
	return r;
}

int veil_adopt_plan(const struct veil_adopt_params *p, uint64_t hdr_dev_size,
		    uint64_t data_dev_size, const struct veil_secret *vk,
		    const struct veil_adopt_secret *passes, size_t npasses,
		    const struct veil_keyslot_params *kp, struct veil_adopt **out)
{
	struct veil_keyslot_params defaults;
	struct veil_adopt *a;
	struct veil_header *h;
	int r;

	veil_error_clear();
	*out = NULL;
	if (!kp) {
		veil_keyslot_params_init(&defaults);
		kp = &defaults;
	}
	if (!npasses || npasses > VEIL_MAX_KEYSLOTS)
		return veil_fail(-EINVAL, "%zu passphrases: need 1..%d", npasses,
				 VEIL_MAX_KEYSLOTS);
	if ((p->label && strlen(p->label) >= VEIL_LABEL_SIZE) ||
	    (p->subsystem && strlen(p->subsystem) >= VEIL_SUBSYSTEM_SIZE))
		return veil_fail(-EINVAL, "label or subsystem longer than %d bytes",
				 VEIL_LABEL_SIZE - 1);
	if (p->flags & ~VEIL_FLAGS_KNOWN)
		return veil_fail(-EINVAL, "unknown flags 0x%x", p->flags);
	a = calloc(1, sizeof(*a));
	if (!a)
		return veil_fail(-ENOMEM, "out of memory");
	h = &a->hdr;
	h->version = VEIL_FORMAT_VERSION;
	h->seqid = 1;
	h->flags = p->flags;
	h->metadata_size = p->metadata_size;
	h->keyslots_offset = p->keyslots_offset ? p->keyslots_offset : VEIL_KEYSLOTS_OFFSET;
	if (h->keyslots_offset < VEIL_HDR_COPY1_OFFSET + VEIL_HDR_COPY_SIZE ||
	    h->keyslots_offset % VEIL_AREA_ALIGN || h->metadata_size % VEIL_AREA_ALIGN ||
	    h->metadata_size > VEIL_METADATA_SIZE_MAX ||
	    h->metadata_size <= h->keyslots_offset) {
		r = veil_fail(-ENOSPC, "metadata of %llu bytes with keyslots from offset %llu: "
			      "the metadata must be a 4 KiB multiple above the keyslot "
			      "offset and at most %u MiB",
			      (unsigned long long)h->metadata_size,
			      (unsigned long long)h->keyslots_offset,
			      VEIL_METADATA_SIZE_MAX / VEIL_MIB);
		goto fail;
	}
	h->keyslots_size = h->metadata_size - h->keyslots_offset;
	if (h->metadata_size > hdr_dev_size) {
		r = veil_fail(-ENOSPC, "header device of %llu bytes cannot hold %llu bytes "
			      "of metadata", (unsigned long long)hdr_dev_size,
			      (unsigned long long)h->metadata_size);
		goto fail;
	}
	r = adopt_segment(h, p, p->detached ? data_dev_size : hdr_dev_size);
	if (r)
		goto fail;
	if (!vk || vk->len != h->segment.key_size) {
		r = veil_fail(-EINVAL, "volume key must be %u bytes", h->segment.key_size);
		goto fail;
	}
	r = veil_header_set_identity(h, vk, p->label, p->subsystem, p->uuid,
				     p->digest_iterations);
	for (size_t i = 0; !r && i < npasses; i++)
		r = adopt_slot(a, p, vk, passes[i].pass, passes[i].len, kp);
	if (!r)
		r = veil_header_compute_mac(h, vk, h->mac);
	if (!r)
		r = veil_header_validate(h);
	if (r)
		goto fail;
	*out = a;
	return 0;
fail:
	veil_adopt_free(a);
	return r;
}

const struct veil_header *veil_adopt_header(const struct veil_adopt *a)
{
	return &a->hdr;
}

static int write_copy(struct veil_io *io, const struct veil_header *h, unsigned index)
{
	uint8_t buf[VEIL_HDR_COPY_SIZE];
	int r = veil_header_encode(h, index, buf);

	if (!r)
		r = veil_io_write(io, buf, sizeof(buf),
				  index ? VEIL_HDR_COPY1_OFFSET : VEIL_HDR_COPY0_OFFSET);
	if (!r)
		r = veil_io_sync(io);
	return r;
}

static int write_zero(struct veil_io *io, uint64_t off, uint64_t end)
{
	static const uint8_t zero[16384];

	while (off < end) {
		size_t n = end - off > sizeof(zero) ? sizeof(zero) : (size_t)(end - off);
		int r = veil_io_write(io, zero, n, off);

		if (r)
			return r;
		off += n;
	}
	return 0;
}

int veil_adopt_write(const struct veil_adopt *a, struct veil_io *io)
{
	const struct veil_header *h = &a->hdr;
	uint64_t off, end = h->keyslots_offset + h->keyslots_size;
	int r = 0;

	veil_error_clear();
	if (io->read_only)
		return veil_fail(-EROFS, "device is opened read-only");
	if (io->size < h->metadata_size)
		return veil_fail(-ENOSPC, "header device of %llu bytes cannot hold %llu bytes "
				 "of metadata", (unsigned long long)io->size,
				 (unsigned long long)h->metadata_size);
	/* 1. Areas where the old header has nothing live: it still opens. */
	for (unsigned i = 0; !r && i < a->nslots; i++)
		r = veil_io_write(io, a->material[i]->data, a->material[i]->len,
				  h->slots[i].area.offset);
	if (!r)
		r = veil_io_sync(io);
	/* 2. Copy 1, then copy 0: the commit of a header with seqid 1. */
	if (!r)
		r = write_copy(io, h, 1);
	if (!r)
		r = write_copy(io, h, 0);
	if (r)
		return r;
	/* 3. What is left of the old metadata: zero between and after the
	 * copies, random bytes over the keyslot region outside our areas. */
	r = write_zero(io, VEIL_HDR_COPY_SIZE, VEIL_HDR_COPY1_OFFSET);
	if (!r)
		r = write_zero(io, VEIL_HDR_COPY1_OFFSET + VEIL_HDR_COPY_SIZE,
			       h->keyslots_offset);
	off = h->keyslots_offset;
	while (!r && off < end) {
		uint64_t next = end;
		bool inside = false;

		for (unsigned i = 0; i < a->nslots; i++) {
			const struct veil_area *ar = &h->slots[i].area;

			if (off >= ar->offset && off < ar->offset + ar->size) {
				off = ar->offset + ar->size;
				inside = true;
				break;
			}
			if (ar->offset > off && ar->offset < next)
				next = ar->offset;
		}
		if (inside)
			continue;
		r = veil_io_wipe(io, off, next - off);
		off = next;
	}
	if (!r)
		r = veil_io_sync(io);
	return r;
}

void veil_adopt_free(struct veil_adopt *a)
{
	if (!a)
		return;
	for (unsigned i = 0; i < a->nslots; i++)
		veil_secret_free(a->material[i]);
	veil_wipe(a, sizeof(*a));
	free(a);
}
