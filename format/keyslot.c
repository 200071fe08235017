// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Keyslots: unlock, add, remove, change, kill, list. Every update writes
 * key material before a header references it and wipes material before a
 * header forgets it (SPEC.md "Update protocol").
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t material_len(const struct veil_keyslot *s)
{
	size_t raw = (size_t)s->key_size * s->stripes;

	/* XTS works on whole 512-byte units; the area is a 4 KiB multiple. */
	return (raw + 511) / 512 * 512;
}

/*
 * A slot killed without the volume key (SPEC.md 9.4.1) has an all-zero
 * area: encrypted material never is (it looks random), so the zeros are
 * the mark. A read error is not a mark.
 */
static bool slot_destroyed(const struct veil_volume *vol, const struct veil_keyslot *s)
{
	uint8_t buf[4096];
	uint64_t left = s->area.size, off = s->area.offset;

	if (s->state != VEIL_SLOT_ACTIVE || !left)
		return false;
	while (left) {
		size_t n = left > sizeof(buf) ? sizeof(buf) : (size_t)left;

		if (veil_io_read(vol->io, buf, n, off))
			return false;
		for (size_t i = 0; i < n; i++)
			if (buf[i])
				return false;
		off += n;
		left -= n;
	}
	return true;
}

/* Derive the KEK, decrypt the area, merge the stripes. *vk on success. */
static int open_slot(const struct veil_volume *vol, unsigned i,
		     const void *pass, size_t pass_len, struct veil_secret **vk)
{
	const struct veil_keyslot *s = &vol->hdr.slots[i];
	struct veil_secret *kek = NULL, *mat = NULL, *key = NULL;
	size_t len = material_len(s);
	int r;

	*vk = NULL;
	kek = veil_secret_new(s->kek_size);
	mat = veil_secret_new(len);
	key = veil_secret_new(s->key_size);
	if (!kek || !mat || !key) {
		r = veil_fail(-ENOMEM, "cannot allocate secure memory");
		goto out;
	}
	r = veil_kdf_derive(&s->kdf, pass, pass_len, s->salt, kek->data,
			    kek->len);
	if (r)
		goto out;
	r = veil_io_read(vol->io, mat->data, len, s->area.offset);
	if (r)
		goto out;
	r = veil_xts_crypt(false, kek->data, kek->len, 512, 0, mat->data,
			   mat->data, len);
	if (r)
		goto out;
	r = veil_af_merge(mat->data, s->key_size, s->stripes, key->data);
	if (r)
		goto out;
	r = veil_header_check_digest(&vol->hdr, key);
	if (r)
		goto out;
	*vk = key;
	key = NULL;
out:
	veil_secret_free(kek);
	veil_secret_free(mat);
	veil_secret_free(key);
	return r;
}

int veil_unlock(const struct veil_volume *vol, int slot, const void *pass,
		size_t pass_len, struct veil_secret **vk, int *slot_out)
{
	static const enum veil_keyslot_priority order[] = { VEIL_PRIO_PREFER,
							     VEIL_PRIO_NORMAL };
	const struct veil_header *h = &vol->hdr;
	char nomem[192] = "";
	bool tried = false;
	unsigned p, i;
	int r;

	veil_error_clear();
	*vk = NULL;
	if (slot >= VEIL_MAX_KEYSLOTS || slot < -1)
		return veil_fail(-EINVAL, "keyslot %d is not 0..%d", slot,
				 VEIL_MAX_KEYSLOTS - 1);
	for (p = 0; p < 2; p++) {
		for (i = 0; i < VEIL_MAX_KEYSLOTS; i++) {
			const struct veil_keyslot *s = &h->slots[i];

			if (slot >= 0 && (unsigned)slot != i)
				continue;
			if (s->state != VEIL_SLOT_ACTIVE)
				continue;
			/* An explicit slot is tried whatever its priority. */
			if (slot < 0 && s->priority != order[p])
				continue;
			if (slot >= 0 && p)
				continue;
			tried = true;
			if (slot_destroyed(vol, s))
				continue;
			r = open_slot(vol, i, pass, pass_len, vk);
			if (r == -EPERM)
				continue;
			/* A slot this machine cannot afford must not hide the
			 * others. */
			if (r == -ENOMEM && slot < 0) {
				snprintf(nomem, sizeof(nomem), "keyslot %u: %s", i,
					 veil_error_detail());
				continue;
			}
			if (r)
				return r;
			r = veil_header_verify_mac(h, *vk);
			if (r) {
				veil_secret_free(*vk);
				*vk = NULL;
				return r;
			}
			if (slot_out)
				*slot_out = (int)i;
			return 0;
		}
	}
	if (nomem[0])
		return veil_fail(-ENOMEM, "%s", nomem);
	if (!tried)
		return slot >= 0 ?
		       veil_fail(-ENOENT, "keyslot %d is not active", slot) :
		       veil_fail(-ENOENT, "no usable active keyslot");
	return veil_fail(-EPERM, "no key available with this passphrase (or "
			 "the keyslot parameters were modified)");
}

/* ------------------------------------------------------------------------ */

static int count_active(const struct veil_header *h)
{
	int n = 0, i;

	for (i = 0; i < VEIL_MAX_KEYSLOTS; i++)
		n += h->slots[i].state == VEIL_SLOT_ACTIVE;
	return n;
}

/* Active slots that can still unlock (not destroyed). */
static int count_usable(const struct veil_volume *vol)
{
	int n = 0, i;

	for (i = 0; i < VEIL_MAX_KEYSLOTS; i++)
		n += vol->hdr.slots[i].state == VEIL_SLOT_ACTIVE &&
		     !slot_destroyed(vol, &vol->hdr.slots[i]);
	return n;
}

/*
 * The descriptors of destroyed slots (9.4.1) leave the header at the next
 * keyslot update made with the volume key: their areas are already zero,
 * so only the descriptor goes, under the new MAC.
 */
static void drop_destroyed(const struct veil_volume *vol, struct veil_header *h)
{
	for (int i = 0; i < VEIL_MAX_KEYSLOTS; i++)
		if (slot_destroyed(vol, &h->slots[i]))
			memset(&h->slots[i], 0, sizeof(h->slots[i]));
}

static bool has_retired(const struct veil_header *h)
{
	unsigned i;

	for (i = 0; i < VEIL_MAX_RETIRED; i++)
		if (h->retired[i].size)
			return true;
	return false;
}

/*
 * Wipe the areas a previous, interrupted change left behind and drop them
 * from *h (the caller's next commit makes that durable; wiping twice is
 * harmless).
 */
static int wipe_retired(struct veil_volume *vol, struct veil_header *h)
{
	unsigned i;
	int r;

	if (!has_retired(h))
		return 0;
	for (i = 0; i < VEIL_MAX_RETIRED; i++) {
		if (!h->retired[i].size)
			continue;
		r = veil_io_wipe(vol->io, h->retired[i].offset,
				 h->retired[i].size);
		if (r)
			return r;
	}
	r = veil_io_sync(vol->io);
	if (r)
		return r;
	memset(h->retired, 0, sizeof(h->retired));
	return 0;
}

int veil_finish_pending(struct veil_volume *vol, const struct veil_secret *vk)
{
	struct veil_header h = vol->hdr;
	int r;

	veil_error_clear();
	if (!has_retired(&h))
		return 0;
	if (vk) {
		r = veil_volume_verify_key(vol, vk);
		if (r)
			return r;
	}
	r = wipe_retired(vol, &h);
	if (r || !vk)
		return r;
	r = veil_header_compute_mac(&h, vk, h.mac);
	if (!r)
		r = veil_volume_commit(vol, &h);
	return r;
}

/* First-fit free area of size bytes in the keyslot region. */
static int alloc_area(const struct veil_header *h, uint64_t size,
		      const struct veil_area *also_used, struct veil_area *out)
{
	uint64_t start = h->keyslots_offset;
	uint64_t end = h->keyslots_offset + h->keyslots_size;
	bool moved = true;
	unsigned i;

	while (moved) {
		moved = false;
		if (start > end || size > end - start)
			return veil_fail(-ENOSPC, "no free keyslot area of %llu "
					 "bytes", (unsigned long long)size);
		for (i = 0; i < VEIL_MAX_KEYSLOTS + VEIL_MAX_RETIRED + 1; i++) {
			const struct veil_area *a;

			if (i < VEIL_MAX_KEYSLOTS)
				a = h->slots[i].state == VEIL_SLOT_ACTIVE ?
				    &h->slots[i].area : NULL;
			else if (i < VEIL_MAX_KEYSLOTS + VEIL_MAX_RETIRED)
				a = &h->retired[i - VEIL_MAX_KEYSLOTS];
			else
				a = also_used;
			if (!a || !a->size)
				continue;
			if (start < a->offset + a->size && a->offset < start + size) {
				start = a->offset + a->size;
				moved = true;
			}
		}
	}
	out->offset = start;
	out->size = size;
	return 0;
}

void veil_keyslot_params_init(struct veil_keyslot_params *p)
{
	memset(p, 0, sizeof(*p));
	p->stripes = VEIL_STRIPES_MIN;
	p->priority = VEIL_PRIO_NORMAL;
}

static int resolve_kdf(const struct veil_keyslot_params *p, size_t key_len,
		       struct veil_kdf *kdf)
{
	*kdf = p->kdf;
	if (kdf->type == VEIL_KDF_NONE || !kdf->time) {
		int r = veil_kdf_calibrate(kdf, p->target_ms, key_len);

		if (r)
			return r;
	}
	/* Forced time cost: missing argon2id memory/threads get the caps. */
	veil_kdf_fill_defaults(kdf);
	return veil_kdf_check(kdf);
}

/*
 * Build slot *s for pass in a new area and write its material (one write,
 * then sync). Nothing in any header references the area yet.
 */
static int write_slot(struct veil_volume *vol, const struct veil_header *h,
		      const struct veil_secret *vk, const void *pass,
		      size_t pass_len, const struct veil_keyslot_params *p,
		      struct veil_keyslot *out)
{
	struct veil_secret *kek = NULL, *mat = NULL;
	struct veil_keyslot slot, *s = &slot;
	uint32_t stripes = p->stripes ? p->stripes : VEIL_STRIPES_MIN;
	size_t raw;
	int r;

	memset(s, 0, sizeof(*s));
	if (stripes < VEIL_STRIPES_MIN || stripes > VEIL_STRIPES_MAX)
		return veil_fail(-EINVAL, "stripes %u not in %u..%u", stripes,
				 VEIL_STRIPES_MIN, VEIL_STRIPES_MAX);
	if ((unsigned)p->priority > VEIL_PRIO_PREFER)
		return veil_fail(-EINVAL, "unknown priority %d", (int)p->priority);
	r = resolve_kdf(p, VEIL_KEYSLOT_KEK_SIZE, &s->kdf);
	if (r)
		return r;
	s->state = VEIL_SLOT_ACTIVE;
	s->priority = p->priority;
	s->area_cipher = 1;
	s->kek_size = VEIL_KEYSLOT_KEK_SIZE;
	s->stripes = stripes;
	s->key_size = (uint32_t)vk->len;
	r = alloc_area(h, veil_area_size_for(vk->len, stripes), NULL, &s->area);
	if (r)
		return r;
	r = veil_random(s->salt, VEIL_SALT_SIZE);
	if (r)
		return r;
	kek = veil_secret_new(VEIL_KEYSLOT_KEK_SIZE);
	mat = veil_secret_new((size_t)s->area.size);
	if (!kek || !mat) {
		r = veil_fail(-ENOMEM, "cannot allocate secure memory");
		goto out;
	}
	r = veil_kdf_derive(&s->kdf, pass, pass_len, s->salt, kek->data,
			    kek->len);
	if (r)
		goto out;
	raw = vk->len * stripes;
	r = veil_af_split(vk->data, vk->len, stripes, mat->data);
	/* The tail of the area is random, like unused areas. */
	if (!r)
		r = veil_random(mat->data + raw, mat->len - raw);
	if (!r)
		r = veil_xts_crypt(true, kek->data, kek->len, 512, 0, mat->data,
				   mat->data, mat->len);
	if (!r)
		r = veil_io_write(vol->io, mat->data, mat->len, s->area.offset);
	if (!r)
		r = veil_io_sync(vol->io);
	/* Only now: *out may be a slot of h whose area must stay allocated. */
	if (!r)
		*out = slot;
out:
	veil_secret_free(kek);
	veil_secret_free(mat);
	return r;
}

int veil_keyslot_add(struct veil_volume *vol, const struct veil_secret *vk,
		     int slot, const void *pass, size_t pass_len,
		     const struct veil_keyslot_params *params, int *slot_out)
{
	struct veil_keyslot_params defaults;
	struct veil_header h = vol->hdr;
	int r, i;

	veil_error_clear();
	if (!params) {
		veil_keyslot_params_init(&defaults);
		params = &defaults;
	}
	if (slot < -1 || slot >= VEIL_MAX_KEYSLOTS)
		return veil_fail(-EINVAL, "keyslot %d is not 0..%d", slot,
				 VEIL_MAX_KEYSLOTS - 1);
	if (vol->io->read_only)
		return veil_fail(-EROFS, "device is opened read-only");
	r = veil_volume_verify_key(vol, vk);
	if (r)
		return r;
	drop_destroyed(vol, &h);
	if (slot >= 0 && h.slots[slot].state == VEIL_SLOT_ACTIVE)
		return veil_fail(-EEXIST, "keyslot %d is already in use", slot);
	for (i = 0; slot < 0 && i < VEIL_MAX_KEYSLOTS; i++)
		if (h.slots[i].state != VEIL_SLOT_ACTIVE)
			slot = i;
	if (slot < 0)
		return veil_fail(-ENOSPC, "all %d keyslots are in use",
				 VEIL_MAX_KEYSLOTS);
	r = wipe_retired(vol, &h);
	if (!r)
		r = write_slot(vol, &h, vk, pass, pass_len, params,
			       &h.slots[slot]);
	if (!r)
		r = veil_header_compute_mac(&h, vk, h.mac);
	if (!r)
		r = veil_volume_commit(vol, &h);
	if (!r && slot_out)
		*slot_out = slot;
	return r;
}

/* Wipe the slot's area, sync, then commit a header without it. */
static int destroy_slot(struct veil_volume *vol, const struct veil_secret *vk,
			int slot)
{
	struct veil_header h = vol->hdr;
	int r;

	drop_destroyed(vol, &h);
	r = wipe_retired(vol, &h);
	if (!r)
		r = veil_io_wipe(vol->io, h.slots[slot].area.offset,
				 h.slots[slot].area.size);
	if (!r)
		r = veil_io_sync(vol->io);
	if (r)
		return r;
	memset(&h.slots[slot], 0, sizeof(h.slots[slot]));
	r = veil_header_compute_mac(&h, vk, h.mac);
	if (!r)
		r = veil_volume_commit(vol, &h);
	if (r) {
		/* The material is gone: the slot's passphrase no longer opens
		 * (9.4 step 3), so the removal took effect; only the entry is
		 * left, which any key holder can kill. */
		char what[96];

		snprintf(what, sizeof(what), "keyslot %d is wiped but still listed in the "
			 "header (veil keyslot kill %d removes the entry)", slot, slot);
		veil_note_unfinished(what);
		r = 0;
	}
	return r;
}

static int check_last(const struct veil_volume *vol, bool allow_last)
{
	if (count_usable(vol) <= 1 && !allow_last)
		return veil_fail(-EBUSY, "this is the last keyslot: removing it "
				 "makes the volume unusable");
	return 0;
}

int veil_keyslot_remove(struct veil_volume *vol, int slot, const void *pass,
			size_t pass_len, bool allow_last, int *slot_out)
{
	struct veil_secret *vk = NULL;
	int r, found = -1;

	veil_error_clear();
	if (vol->io->read_only)
		return veil_fail(-EROFS, "device is opened read-only");
	r = veil_unlock(vol, slot, pass, pass_len, &vk, &found);
	if (!r)
		r = check_last(vol, allow_last);
	if (!r)
		r = destroy_slot(vol, vk, found);
	if (!r && slot_out)
		*slot_out = found;
	veil_secret_free(vk);
	return r;
}

/* The checks kill and destroy share before they touch slot SLOT. */
static int check_slot_writable(const struct veil_volume *vol, int slot)
{
	veil_error_clear();
	if (slot < 0 || slot >= VEIL_MAX_KEYSLOTS)
		return veil_fail(-EINVAL, "keyslot %d is not 0..%d", slot,
				 VEIL_MAX_KEYSLOTS - 1);
	if (vol->io->read_only)
		return veil_fail(-EROFS, "device is opened read-only");
	return 0;
}

int veil_keyslot_kill(struct veil_volume *vol, const struct veil_secret *vk,
		      int slot, bool allow_last)
{
	int r;

	r = check_slot_writable(vol, slot);
	if (r)
		return r;
	if (vol->hdr.slots[slot].state != VEIL_SLOT_ACTIVE)
		return veil_fail(-ENOENT, "keyslot %d is not active", slot);
	r = veil_volume_verify_key(vol, vk);
	if (!r)
		r = check_last(vol, allow_last);
	if (!r)
		r = destroy_slot(vol, vk, slot);
	return r;
}

int veil_keyslot_destroy(struct veil_volume *vol, int slot, bool allow_last)
{
	const struct veil_keyslot *s;
	uint8_t *zero;
	int r;

	r = check_slot_writable(vol, slot);
	if (r)
		return r;
	s = &vol->hdr.slots[slot];
	if (s->state != VEIL_SLOT_ACTIVE)
		return veil_fail(-ENOENT, "keyslot %d is not active", slot);
	if (slot_destroyed(vol, s))
		return veil_fail(-ENOENT, "keyslot %d is already destroyed", slot);
	r = check_last(vol, allow_last);
	if (r)
		return r;
	zero = calloc(1, (size_t)s->area.size);
	if (!zero)
		return veil_fail(-ENOMEM, "out of memory");
	/* One write, then sync: a torn write leaves part of the material
	 * destroyed, which is enough, or none, and the slot as it was. */
	r = veil_io_write(vol->io, zero, (size_t)s->area.size, s->area.offset);
	free(zero);
	if (!r)
		r = veil_io_sync(vol->io);
	return r;
}

int veil_keyslot_change(struct veil_volume *vol, int slot,
			const void *old_pass, size_t old_len,
			const void *new_pass, size_t new_len,
			const struct veil_keyslot_params *params,
			int *slot_out)
{
	struct veil_keyslot_params keep;
	struct veil_secret *vk = NULL;
	struct veil_header h;
	struct veil_area old;
	int r, found = -1;

	veil_error_clear();
	if (vol->io->read_only)
		return veil_fail(-EROFS, "device is opened read-only");
	r = veil_unlock(vol, slot, old_pass, old_len, &vk, &found);
	if (r)
		return r;
	h = vol->hdr;
	old = h.slots[found].area;
	if (!params) {
		veil_keyslot_params_init(&keep);
		keep.kdf.type = h.slots[found].kdf.type;
		keep.stripes = h.slots[found].stripes;
		keep.priority = h.slots[found].priority;
		params = &keep;
	}
	/* 1. Drop leftovers; 2. new material in a free area (the old area is
	 * still referenced, so it is not chosen). */
	drop_destroyed(vol, &h);
	r = wipe_retired(vol, &h);
	if (!r)
		r = write_slot(vol, &h, vk, new_pass, new_len, params,
			       &h.slots[found]);
	if (r)
		goto out;
	/* 3. One commit switches the slot and records the old area as retired. */
	h.retired[0] = old;
	r = veil_header_compute_mac(&h, vk, h.mac);
	if (!r)
		r = veil_volume_commit(vol, &h);
	/* 4. Wipe the old area, then 5. a commit forgets it. The change is
	 * live from 3 on: a failure here leaves A listed for the next writer
	 * (9.5), it does not undo the change. */
	if (!r && veil_finish_pending(vol, vk))
		veil_note_unfinished("the replaced keyslot area is not yet wiped and dropped from the header");
	if (!r && slot_out)
		*slot_out = found;
out:
	veil_secret_free(vk);
	return r;
}

int veil_keyslot_set_priority(struct veil_volume *vol,
			      const struct veil_secret *vk, int slot,
			      enum veil_keyslot_priority prio)
{
	struct veil_header h = vol->hdr;
	int r;

	veil_error_clear();
	if (slot < 0 || slot >= VEIL_MAX_KEYSLOTS)
		return veil_fail(-EINVAL, "keyslot %d is not 0..%d", slot,
				 VEIL_MAX_KEYSLOTS - 1);
	if ((unsigned)prio > VEIL_PRIO_PREFER)
		return veil_fail(-EINVAL, "unknown priority %d", (int)prio);
	if (h.slots[slot].state != VEIL_SLOT_ACTIVE)
		return veil_fail(-ENOENT, "keyslot %d is not active", slot);
	r = veil_volume_verify_key(vol, vk);
	if (r)
		return r;
	h.slots[slot].priority = prio;
	r = veil_header_compute_mac(&h, vk, h.mac);
	if (!r)
		r = veil_volume_commit(vol, &h);
	return r;
}

int veil_keyslot_list(const struct veil_volume *vol,
		      struct veil_keyslot_info info[VEIL_MAX_KEYSLOTS])
{
	int i;

	for (i = 0; i < VEIL_MAX_KEYSLOTS; i++) {
		const struct veil_keyslot *s = &vol->hdr.slots[i];

		memset(&info[i], 0, sizeof(info[i]));
		info[i].slot = i;
		info[i].state = s->state;
		info[i].priority = s->priority;
		info[i].kdf = s->kdf;
		info[i].stripes = s->stripes;
		info[i].area_offset = s->area.offset;
		info[i].area_size = s->area.size;
		info[i].destroyed = slot_destroyed(vol, s);
	}
	return count_active(&vol->hdr);
}

const char *veil_keyslot_priority_name(enum veil_keyslot_priority p)
{
	switch (p) {
	case VEIL_PRIO_IGNORE:
		return "ignore";
	case VEIL_PRIO_NORMAL:
		return "normal";
	case VEIL_PRIO_PREFER:
		return "prefer";
	}
	return "unknown";
}
