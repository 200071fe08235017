// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Volumes: loading both header copies from a device, repairing a bad or
 * stale copy, the crash-safe commit of a new header, formatting, and the
 * header updates that are not about keyslots.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

static const uint64_t copy_offset[2] = { VEIL_HDR_COPY0_OFFSET,
					 VEIL_HDR_COPY1_OFFSET };

/* Read the parse prefix (short devices give a short buffer). */
static int read_prefix(struct veil_io *io, uint8_t *buf, size_t *len)
{
	size_t n = io->size < VEIL_HDR_PARSE_LEN ? (size_t)io->size :
		   VEIL_HDR_PARSE_LEN;

	memset(buf, 0, VEIL_HDR_PARSE_LEN);
	*len = n;
	return n ? veil_io_read(io, buf, n, 0) : 0;
}

static int write_copy(struct veil_io *io, const struct veil_header *hdr,
		      unsigned index)
{
	uint8_t buf[VEIL_HDR_COPY_SIZE];
	int r = veil_header_encode(hdr, index, buf);

	if (!r)
		r = veil_io_write(io, buf, sizeof(buf), copy_offset[index]);
	if (!r)
		r = veil_io_sync(io);
	return r;
}

int veil_repair(struct veil_volume *vol, const struct veil_secret *vk,
		struct veil_load_report *rep)
{
	int used = vol->rep.used_copy, r;
	unsigned i;

	veil_error_clear();
	if (vol->io->read_only)
		return veil_fail(-EROFS, "device is opened read-only");
	/*
	 * seqid is not MAC-covered: a forged copy with a higher seqid is the
	 * one in use. Only a key that authenticates it may make it overwrite
	 * the other copy.
	 */
	r = veil_volume_verify_key(vol, vk);
	if (r)
		return r;
	for (i = 0; i < 2; i++) {
		enum veil_copy_status st = vol->rep.copy[i];

		if ((int)i == used || st == VEIL_COPY_OK || vol->rep.repaired[i])
			continue;
		/* A copy of a newer format is not ours to overwrite. */
		if (st == VEIL_COPY_BAD_VERSION)
			continue;
		if (st == VEIL_COPY_TRUNCATED)
			continue;
		/* Same seqid and same authenticated bytes: the MAC still holds. */
		r = write_copy(vol->io, &vol->hdr, i);
		if (r)
			return r;
		/* The report keeps what was found; `repaired` says it is fixed. */
		vol->rep.copy_seqid[i] = vol->hdr.seqid;
		vol->rep.repaired[i] = true;
	}
	if (rep)
		*rep = vol->rep;
	return 0;
}

unsigned veil_volume_pending(const struct veil_volume *vol)
{
	unsigned pending = 0, i;

	for (i = 0; i < 2; i++) {
		enum veil_copy_status st = vol->rep.copy[i];

		/* Only what veil_repair would rewrite. */
		if (st != VEIL_COPY_OK && st != VEIL_COPY_BAD_VERSION &&
		    st != VEIL_COPY_TRUNCATED && !vol->rep.repaired[i])
			pending |= VEIL_PENDING_COPY;
	}
	for (i = 0; i < VEIL_MAX_RETIRED; i++)
		if (vol->hdr.retired[i].size)
			pending |= VEIL_PENDING_RETIRED;
	return pending;
}

int veil_load(struct veil_io *io, unsigned flags, struct veil_volume **out,
	      struct veil_load_report *rep)
{
	uint8_t buf[VEIL_HDR_PARSE_LEN];
	struct veil_volume *vol;
	size_t len;
	int r;

	veil_error_clear();
	*out = NULL;
	if (flags)
		return veil_fail(-EINVAL, "unknown load flags 0x%x", flags);
	vol = calloc(1, sizeof(*vol));
	if (!vol)
		return veil_fail(-ENOMEM, "out of memory");
	vol->io = io;
	r = read_prefix(io, buf, &len);
	if (!r)
		r = veil_header_parse(buf, len, &vol->hdr, &vol->rep);
	if (rep)
		*rep = vol->rep;
	if (r)
		goto fail;
	if (vol->hdr.metadata_size > io->size) {
		r = veil_fail(-ENOSPC, "device (%llu bytes) is smaller than its "
			      "veil metadata (%llu bytes): truncated?",
			      (unsigned long long)io->size,
			      (unsigned long long)vol->hdr.metadata_size);
		goto fail;
	}
	*out = vol;
	return 0;
fail:
	free(vol);
	return r;
}

void veil_volume_free(struct veil_volume *vol)
{
	if (!vol)
		return;
	veil_wipe(vol, sizeof(*vol));
	free(vol);
}

const struct veil_header *veil_volume_header(const struct veil_volume *vol)
{
	return &vol->hdr;
}

struct veil_io *veil_volume_io(const struct veil_volume *vol)
{
	return vol->io;
}

/*
 * The update protocol (SPEC.md): the copy not in use is written first with
 * seqid+1 and synced, then the copy in use. Until the first write is
 * complete the old header is intact in the copy in use; from then on the
 * new header is valid in one copy with the highest seqid.
 */
int veil_volume_commit(struct veil_volume *vol, struct veil_header *hdr)
{
	uint64_t seq = vol->hdr.seqid;
	unsigned first, second;
	int r;

	if (vol->io->read_only)
		return veil_fail(-EROFS, "device is opened read-only");
	if (vol->rep.copy_seqid[0] > seq)
		seq = vol->rep.copy_seqid[0];
	if (vol->rep.copy_seqid[1] > seq)
		seq = vol->rep.copy_seqid[1];
	hdr->seqid = seq + 1;
	r = veil_header_validate(hdr);
	if (r)
		return r;
	first = vol->rep.used_copy == 1 ? 0 : 1;
	second = 1 - first;
	r = write_copy(vol->io, hdr, first);
	if (r)
		return r;
	vol->rep.copy_seqid[first] = hdr->seqid;
	r = write_copy(vol->io, hdr, second);
	if (r) {
		/*
		 * The new header is live in `first`: the change took effect,
		 * exactly as if power had failed here (9.2), and the next
		 * writer that unlocks repairs `second`. Reporting a failure
		 * would make the caller believe the old header still holds.
		 */
		char what[64];

		vol->hdr = *hdr;
		vol->rep.used_copy = (int)first;
		vol->rep.copy[first] = VEIL_COPY_OK;
		vol->rep.copy[second] = VEIL_COPY_STALE;
		vol->rep.repaired[first] = vol->rep.repaired[second] = false;
		snprintf(what, sizeof(what), "header copy %u still holds the previous header",
			 second);
		veil_note_unfinished(what);
		return 0;
	}
	vol->hdr = *hdr;
	memset(&vol->rep, 0, sizeof(vol->rep));
	vol->rep.copy_seqid[0] = vol->rep.copy_seqid[1] = hdr->seqid;
	vol->rep.used_copy = 0;
	return 0;
}

/* ------------------------------------------------------------------------ */

void veil_format_params_init(struct veil_format_params *p)
{
	memset(p, 0, sizeof(*p));
	p->data_offset = VEIL_DEFAULT_OFFSET;
}

static int check_name(const char *s, size_t size, const char *what)
{
	if (s && strlen(s) >= size)
		return veil_fail(-EINVAL, "%s is longer than %zu bytes", what,
				 size - 1);
	return 0;
}

static int fill_segment(struct veil_header *h, const struct veil_format_params *p,
			uint64_t data_dev_size)
{
	struct veil_segment *g = &h->segment;
	const char *cipher = p->cipher ? p->cipher : VEIL_DEFAULT_CIPHER;
	uint32_t key_size = p->key_size ? p->key_size :
			    veil_cipher_default_key_size(cipher);
	uint64_t need;
	int r;

	r = veil_cipher_check(cipher, key_size);
	if (r)
		return r;
	snprintf(g->cipher, sizeof(g->cipher), "%s", cipher);
	g->key_size = key_size;
	g->sector_size = p->sector_size ? p->sector_size : 4096;
	if (g->sector_size < VEIL_SECTOR_SIZE_MIN ||
	    g->sector_size > VEIL_SECTOR_SIZE_MAX ||
	    (g->sector_size & (g->sector_size - 1)))
		return veil_fail(-EINVAL, "sector size %u is not a power of two "
				 "in 512..4096", g->sector_size);
	g->iv_large_sectors = p->iv_large_sectors;
	g->detached = p->detached;
	g->iv_offset = p->iv_offset;
	if (p->data_offset == VEIL_DEFAULT_OFFSET)
		g->data_offset = p->detached ? 0 :
			(h->metadata_size + VEIL_DATA_ALIGN - 1) /
			VEIL_DATA_ALIGN * VEIL_DATA_ALIGN;
	else
		g->data_offset = p->data_offset;
	if (g->data_offset % VEIL_DATA_ALIGN)
		return veil_fail(-EINVAL, "data offset %llu is not a multiple of "
				 "1 MiB", (unsigned long long)g->data_offset);
	if (!p->detached && g->data_offset < h->metadata_size)
		return veil_fail(-EINVAL, "data offset %llu would overlap the "
				 "%llu-byte header; use a detached header",
				 (unsigned long long)g->data_offset,
				 (unsigned long long)h->metadata_size);
	g->data_size = p->data_size;
	g->dynamic_size = !p->data_size;
	if (g->data_size % g->sector_size)
		return veil_fail(-EINVAL, "data size is not a multiple of the "
				 "%u-byte sector size", g->sector_size);
	need = g->data_offset + (g->data_size ? g->data_size : g->sector_size);
	if (need > data_dev_size)
		return veil_fail(-ENOSPC, "device of %llu bytes is too small: the "
				 "data area needs %llu",
				 (unsigned long long)data_dev_size,
				 (unsigned long long)need);
	return 0;
}

/*
 * Label, subsystem, UUID (random when none is given) and the volume-key
 * digest of a new header: one place for the rules that format and adopt
 * share. digest_iterations 0 calibrates to an eighth of the keyslot
 * budget: real work, not the bulk.
 */
int veil_header_set_identity(struct veil_header *h, const struct veil_secret *vk,
			     const char *label, const char *subsystem,
			     const uint8_t *uuid, uint32_t digest_iterations)
{
	int r;

	if (label)
		snprintf(h->label, sizeof(h->label), "%s", label);
	if (subsystem)
		snprintf(h->subsystem, sizeof(h->subsystem), "%s", subsystem);
	if (uuid)
		memcpy(h->uuid, uuid, VEIL_UUID_SIZE);
	else
		uuid_generate_random(h->uuid);
	h->digest_iterations = digest_iterations;
	if (!h->digest_iterations) {
		struct veil_kdf k = { .type = VEIL_KDF_PBKDF2_SHA256 };

		r = veil_kdf_calibrate(&k, VEIL_CALIB_DEFAULT_MS / 8, 32);
		if (r)
			return r;
		h->digest_iterations = k.time;
	}
	if (h->digest_iterations < VEIL_DIGEST_ITER_MIN ||
	    h->digest_iterations > VEIL_PBKDF2_ITER_MAX)
		return veil_fail(-EINVAL, "digest iterations %u are not %u..%u",
				 h->digest_iterations, VEIL_DIGEST_ITER_MIN,
				 VEIL_PBKDF2_ITER_MAX);
	r = veil_random(h->digest_salt, VEIL_SALT_SIZE);
	if (r)
		return r;
	return veil_pbkdf2_sha256(vk->data, vk->len, h->digest_salt, VEIL_SALT_SIZE,
				  h->digest_iterations, h->digest, VEIL_DIGEST_SIZE);
}

int veil_format(struct veil_io *io, uint64_t data_dev_size,
		const struct veil_format_params *p,
		const struct veil_secret *vk, struct veil_volume **out)
{
	struct veil_format_params defaults;
	struct veil_volume *vol;
	struct veil_header *h;
	uint8_t zero[VEIL_KEYSLOTS_OFFSET];
	int r;

	veil_error_clear();
	*out = NULL;
	if (!p) {
		veil_format_params_init(&defaults);
		p = &defaults;
	}
	if (io->read_only)
		return veil_fail(-EROFS, "device is opened read-only");
	r = check_name(p->label, VEIL_LABEL_SIZE, "label");
	if (!r)
		r = check_name(p->subsystem, VEIL_SUBSYSTEM_SIZE, "subsystem");
	if (r)
		return r;
	if (p->flags & ~VEIL_FLAGS_KNOWN)
		return veil_fail(-EINVAL, "unknown flags 0x%x", p->flags);
	vol = calloc(1, sizeof(*vol));
	if (!vol)
		return veil_fail(-ENOMEM, "out of memory");
	vol->io = io;
	h = &vol->hdr;
	h->version = VEIL_FORMAT_VERSION;
	h->seqid = 1;
	h->flags = p->flags;
	h->metadata_size = p->metadata_size ? p->metadata_size :
			   VEIL_DEFAULT_METADATA_SIZE;
	h->keyslots_offset = VEIL_KEYSLOTS_OFFSET;
	if (h->metadata_size % VEIL_AREA_ALIGN ||
	    h->metadata_size > VEIL_METADATA_SIZE_MAX ||
	    h->metadata_size < VEIL_KEYSLOTS_OFFSET + veil_area_size_for(
		    VEIL_MAX_KEY_SIZE, VEIL_STRIPES_MIN)) {
		r = veil_fail(-EINVAL, "metadata size %llu is not a 4 KiB multiple "
			      "with room for a keyslot (max %u MiB)",
			      (unsigned long long)h->metadata_size,
			      VEIL_METADATA_SIZE_MAX / VEIL_MIB);
		goto fail;
	}
	h->keyslots_size = h->metadata_size - h->keyslots_offset;
	if (h->metadata_size > io->size) {
		r = veil_fail(-ENOSPC, "%s of %llu bytes cannot hold the %llu-byte "
			      "header", p->detached ? "header file" : "device",
			      (unsigned long long)io->size,
			      (unsigned long long)h->metadata_size);
		goto fail;
	}
	r = fill_segment(h, p, p->detached ? data_dev_size : io->size);
	if (r)
		goto fail;
	if (!vk || vk->len != h->segment.key_size) {
		r = veil_fail(-EINVAL, "volume key must be %u bytes",
			      h->segment.key_size);
		goto fail;
	}
	r = veil_header_set_identity(h, vk, p->label, p->subsystem, p->uuid,
				     p->digest_iterations);
	if (!r)
		r = veil_header_compute_mac(h, vk, h->mac);
	if (!r)
		r = veil_header_validate(h);
	if (r)
		goto fail;

	/* Old signatures and keyslots go first; then the new header. */
	memset(zero, 0, sizeof(zero));
	r = veil_io_write(io, zero, sizeof(zero), 0);
	if (!r)
		r = veil_io_wipe(io, h->keyslots_offset,
				 h->metadata_size - h->keyslots_offset);
	if (!r)
		r = veil_io_sync(io);
	if (!r)
		r = write_copy(io, h, 1);
	if (!r)
		r = write_copy(io, h, 0);
	if (r)
		goto fail;
	vol->rep.copy_seqid[0] = vol->rep.copy_seqid[1] = h->seqid;
	vol->rep.used_copy = 0;
	*out = vol;
	return 0;
fail:
	veil_volume_free(vol);
	return r;
}

int veil_volume_data_range(const struct veil_volume *vol,
			   uint64_t data_dev_size, uint64_t *offset_sectors,
			   uint64_t *length_sectors)
{
	const struct veil_segment *g = &vol->hdr.segment;
	uint64_t len;

	veil_error_clear();
	if (g->data_offset >= data_dev_size)
		return veil_fail(-ENOSPC, "data offset %llu is beyond the end of "
				 "the %llu-byte device",
				 (unsigned long long)g->data_offset,
				 (unsigned long long)data_dev_size);
	if (g->dynamic_size) {
		len = (data_dev_size - g->data_offset) / g->sector_size *
		      g->sector_size;
	} else {
		len = g->data_size;
		if (len > data_dev_size - g->data_offset)
			return veil_fail(-ENOSPC, "data area (%llu bytes at %llu) "
					 "extends beyond the %llu-byte device",
					 (unsigned long long)len,
					 (unsigned long long)g->data_offset,
					 (unsigned long long)data_dev_size);
	}
	if (!len)
		return veil_fail(-ENOSPC, "the data area is empty");
	*offset_sectors = g->data_offset / 512;
	*length_sectors = len / 512;
	return 0;
}

/* ------------------------------------------------------------------------ */

int veil_set_label(struct veil_volume *vol, const char *label,
		   const char *subsystem)
{
	struct veil_header h = vol->hdr;
	unsigned i;
	int r;

	veil_error_clear();
	r = check_name(label, VEIL_LABEL_SIZE, "label");
	if (!r)
		r = check_name(subsystem, VEIL_SUBSYSTEM_SIZE, "subsystem");
	if (r)
		return r;
	if (label) {
		memset(h.label, 0, sizeof(h.label));
		snprintf(h.label, sizeof(h.label), "%s", label);
	}
	if (subsystem) {
		memset(h.subsystem, 0, sizeof(h.subsystem));
		snprintf(h.subsystem, sizeof(h.subsystem), "%s", subsystem);
	}
	/* Leftovers of an interrupted change: wipe them even though, without
	 * the key, the header cannot forget them yet. */
	for (i = 0; i < VEIL_MAX_RETIRED; i++) {
		if (!h.retired[i].size)
			continue;
		r = veil_io_wipe(vol->io, h.retired[i].offset, h.retired[i].size);
		if (!r)
			r = veil_io_sync(vol->io);
		if (r)
			return r;
	}
	/* Label and subsystem are outside the MAC: no key needed. */
	return veil_volume_commit(vol, &h);
}

int veil_volume_verify_key(const struct veil_volume *vol,
			   const struct veil_secret *vk)
{
	int r = veil_header_check_digest(&vol->hdr, vk);

	if (!r)
		r = veil_header_verify_mac(&vol->hdr, vk);
	/* Authentic header and matching digest imply this; never rely on it. */
	if (!r && vk->len != vol->hdr.segment.key_size)
		r = veil_fail(-EPERM, "volume key size does not match the header");
	return r;
}

int veil_unlock_volume_key(const struct veil_volume *vol,
			   const struct veil_secret *vk)
{
	veil_error_clear();
	return veil_volume_verify_key(vol, vk);
}

int veil_set_uuid(struct veil_volume *vol, const struct veil_secret *vk,
		  const uint8_t uuid[VEIL_UUID_SIZE])
{
	struct veil_header h = vol->hdr;
	int r;

	veil_error_clear();
	r = veil_volume_verify_key(vol, vk);
	if (r)
		return r;
	memcpy(h.uuid, uuid, VEIL_UUID_SIZE);
	r = veil_header_compute_mac(&h, vk, h.mac);
	if (!r)
		r = veil_volume_commit(vol, &h);
	return r;
}

int veil_set_flags(struct veil_volume *vol, const struct veil_secret *vk,
		   uint32_t flags)
{
	struct veil_header h = vol->hdr;
	int r;

	veil_error_clear();
	if (flags & ~VEIL_FLAGS_KNOWN)
		return veil_fail(-EINVAL, "unknown flags 0x%x",
				 flags & ~VEIL_FLAGS_KNOWN);
	r = veil_volume_verify_key(vol, vk);
	if (r)
		return r;
	h.flags = flags;
	r = veil_header_compute_mac(&h, vk, h.mac);
	if (!r)
		r = veil_volume_commit(vol, &h);
	return r;
}

int veil_set_data_size(struct veil_volume *vol, const struct veil_secret *vk,
		       uint64_t data_size)
{
	struct veil_header h = vol->hdr;
	int r;

	veil_error_clear();
	if (data_size % h.segment.sector_size)
		return veil_fail(-EINVAL, "data size %llu is not a multiple of the "
				 "%u-byte sector size", (unsigned long long)data_size,
				 h.segment.sector_size);
	r = veil_volume_verify_key(vol, vk);
	if (r)
		return r;
	h.segment.data_size = data_size;
	h.segment.dynamic_size = !data_size;
	r = veil_header_compute_mac(&h, vk, h.mac);
	if (!r)
		r = veil_volume_commit(vol, &h);
	return r;
}
