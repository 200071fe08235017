// SPDX-License-Identifier: GPL-2.0-or-later
#include "fixture.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


uint16_t fx_get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return le16toh(v); }
uint32_t fx_get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return le32toh(v); }
uint64_t fx_get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return le64toh(v); }
void fx_put16(uint8_t *p, uint16_t v) { v = htole16(v); memcpy(p, &v, 2); }
void fx_put32(uint8_t *p, uint32_t v) { v = htole32(v); memcpy(p, &v, 4); }
void fx_put64(uint8_t *p, uint64_t v) { v = htole64(v); memcpy(p, &v, 8); }

struct veil_secret *fx_volume_key(size_t len)
{
	struct veil_secret *vk = veil_secret_new(len);
	size_t i;

	if (vk)
		for (i = 0; i < len; i++)
			vk->data[i] = (uint8_t)(0x40 + i);
	return vk;
}

void fx_cheap_slot(struct veil_keyslot_params *p, enum veil_kdf_type type)
{
	veil_keyslot_params_init(p);
	p->kdf.type = type;
	if (type == VEIL_KDF_ARGON2ID) {
		p->kdf.time = 1;
		p->kdf.memory_kib = 64;
		p->kdf.parallel = 1;
	} else {
		p->kdf.time = 1000;
	}
}

uint8_t *fx_new_volume(size_t size, uint64_t metadata, const char *const *passes,
		       int npasses, struct veil_secret *vk)
{
	struct veil_format_params fp;
	struct veil_keyslot_params kp;
	struct veil_volume *vol = NULL;
	struct veil_io io;
	uint8_t *img = calloc(1, size);
	int i, r, got;

	if (!img)
		return NULL;
	veil_io_from_memory(&io, img, size, false);
	veil_format_params_init(&fp);
	fp.key_size = (uint32_t)vk->len;
	fp.metadata_size = metadata;
	fp.data_offset = metadata;
	fp.digest_iterations = 1000;
	fp.label = "fixture";
	r = veil_format(&io, size, &fp, vk, &vol);
	if (r) {
		printf("FAIL: fixture: veil_format: %d %s\n", r, veil_error_detail());
		goto fail;
	}
	for (i = 0; i < npasses; i++) {
		fx_cheap_slot(&kp, i % 2 ? VEIL_KDF_PBKDF2_SHA256 : VEIL_KDF_ARGON2ID);
		r = veil_keyslot_add(vol, vk, i, passes[i], strlen(passes[i]), &kp, &got);
		if (r || got != i) {
			printf("FAIL: fixture: veil_keyslot_add %d: %d %s\n", i, r,
			       veil_error_detail());
			goto fail;
		}
	}
	veil_volume_free(vol);
	return img;
fail:
	veil_volume_free(vol);
	free(img);
	return NULL;
}

int fx_open(uint8_t *img, size_t size, bool writable, const char *pass,
	    int *slot, uint64_t *seqid, struct veil_load_report *rep)
{
	return fx_open_slot(img, size, writable, -1, pass, slot, seqid, rep);
}

int fx_open_slot(uint8_t *img, size_t size, bool writable, int try_slot,
		 const char *pass, int *slot, uint64_t *seqid,
		 struct veil_load_report *rep)
{
	struct veil_io io;
	struct veil_volume *vol = NULL;
	struct veil_secret *vk = NULL;
	int r;

	veil_io_from_memory(&io, img, size, !writable);
	r = veil_load(&io, 0, &vol, rep);
	if (r)
		return r;
	if (seqid)
		*seqid = veil_volume_header(vol)->seqid;
	r = veil_unlock(vol, try_slot, pass, strlen(pass), &vk, slot);
	/* A writable open repairs, as the tool does: only after the unlock. */
	if (!r && writable)
		r = veil_repair(vol, vk, rep);
	veil_secret_free(vk);
	veil_volume_free(vol);
	return r;
}

static int rec_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct fx_recorder *r = ctx;

	return r->inner->pread(r->inner->ctx, buf, len, off);
}

static int rec_pwrite(void *ctx, const void *buf, size_t len, uint64_t off)
{
	struct fx_recorder *r = ctx;
	struct fx_write *w;

	if (r->fail_after >= 0 && r->n >= (size_t)r->fail_after)
		return -EIO;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct fx_write *nw = realloc(r->w, cap * sizeof(*nw));

		if (!nw)
			return -ENOMEM;
		r->w = nw;
		r->cap = cap;
	}
	w = &r->w[r->n];
	w->data = malloc(len ? len : 1);
	if (!w->data)
		return -ENOMEM;
	memcpy(w->data, buf, len);
	w->off = off;
	w->len = len;
	w->syncs_before = r->syncs;
	r->n++;
	return r->inner->pwrite(r->inner->ctx, buf, len, off);
}

static int rec_sync(void *ctx)
{
	struct fx_recorder *r = ctx;

	r->syncs++;
	return r->inner->sync(r->inner->ctx);
}

void fx_recorder_init(struct fx_recorder *r, struct veil_io *inner)
{
	memset(r, 0, sizeof(*r));
	r->inner = inner;
	r->fail_after = -1;
	r->io.ctx = r;
	r->io.pread = rec_pread;
	r->io.pwrite = rec_pwrite;
	r->io.sync = rec_sync;
	r->io.size = inner->size;
	r->io.read_only = inner->read_only;
}

void fx_recorder_free(struct fx_recorder *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		veil_wipe(r->w[i].data, r->w[i].len);
		free(r->w[i].data);
	}
	free(r->w);
	memset(r, 0, sizeof(*r));
}
