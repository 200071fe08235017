// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Format stability: the committed golden header (tests/vectors/golden-v1.img,
 * see golden.h) must open with each of its passphrases, give the known
 * volume key, and show every field as written. The raw bytes are also read
 * at the offsets SPEC.md gives, independently of the library's decoder.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil_format.h"

#include "../lib/check.h"
#include "fixture.h"
#include "golden.h"
#include "testutil.h"

static void raw_fields(const uint8_t *img)
{
	int i;

	for (i = 0; i < 2; i++) {
		const uint8_t *c = FX_COPY(img, i);

		CHECK(!memcmp(c + L_MAGIC, i ? veil_magic1 : veil_magic0, VEIL_MAGIC_LEN) &&
		      fx_get16(c + L_VERSION) == 1 && fx_get16(c + L_COPY_INDEX) == i &&
		      fx_get32(c + L_HDR_SIZE) == 4096 && fx_get64(c + L_SEQID) == GOLDEN_SEQID,
		      "golden raw: copy %d magic, version 1, index, size 4096, seqid %u at SPEC offsets",
		      i, GOLDEN_SEQID);
	}
	CHECK(!memcmp(img + L_LABEL, GOLDEN_LABEL, sizeof(GOLDEN_LABEL)) &&
	      !strcmp((const char *)img + L_CIPHER, GOLDEN_CIPHER) &&
	      fx_get32(img + L_KEY_SIZE) == GOLDEN_KEY_SIZE &&
	      fx_get32(img + L_SECTOR_SIZE) == GOLDEN_SECTOR &&
	      fx_get32(img + L_SEGMENT_FLAGS) == (SEGF_IV_LARGE | SEGF_DETACHED) &&
	      fx_get64(img + L_DATA_OFFSET) == GOLDEN_DATA_OFFSET &&
	      fx_get64(img + L_DATA_SIZE) == GOLDEN_DATA_SIZE &&
	      fx_get64(img + L_IV_OFFSET) == GOLDEN_IV_OFFSET &&
	      fx_get32(img + L_FLAGS) == GOLDEN_FLAGS &&
	      fx_get32(img + L_DIGEST_ITER) == GOLDEN_DIGEST_ITER,
	      "golden raw: label, cipher, key size, sector size, segment flags, offsets, flags, digest iterations");
	for (i = 0; i < VEIL_MAX_KEYSLOTS; i++) {
		const uint8_t *s = FX_SLOT(img, i);

		if (i < GOLDEN_NSLOTS) {
			if (s[LS_STATE] != 1 || s[LS_PRIORITY] != golden_slots[i].priority ||
			    s[LS_KDF_TYPE] != golden_slots[i].kdf.type || s[LS_AREA_CIPHER] != 1 ||
			    fx_get32(s + LS_KEK_SIZE) != 64 ||
			    fx_get32(s + LS_KDF_TIME) != golden_slots[i].kdf.time ||
			    fx_get32(s + LS_KDF_MEMORY) != golden_slots[i].kdf.memory_kib ||
			    fx_get32(s + LS_KDF_PARALLEL) != golden_slots[i].kdf.parallel ||
			    fx_get32(s + LS_STRIPES) != golden_slots[i].stripes ||
			    fx_get32(s + LS_KEY_SIZE) != GOLDEN_KEY_SIZE)
				break;
		} else {
			uint8_t zero[L_SLOT_SIZE] = { 0 };

			if (memcmp(s, zero, L_SLOT_SIZE))
				break;
		}
	}
	CHECK(i == VEIL_MAX_KEYSLOTS,
	      "golden raw: keyslot descriptors at SPEC offsets (stopped at slot %d)", i);
}

static void decoded_fields(const struct veil_header *h, const struct veil_load_report *rep)
{
	char uuid[VEIL_UUID_STR_LEN + 1];
	const struct veil_segment *g = &h->segment;
	int i, ok = 1;

	veil_uuid_unparse(h->uuid, uuid);
	CHECK(rep->copy[0] == VEIL_COPY_OK && rep->copy[1] == VEIL_COPY_OK && rep->used_copy == 0,
	      "golden: both copies valid, primary in use");
	CHECK(h->version == 1 && h->seqid == GOLDEN_SEQID && !strcmp(uuid, GOLDEN_UUID_STR),
	      "golden: version 1, seqid %u, uuid %s (got %s)", GOLDEN_SEQID, GOLDEN_UUID_STR, uuid);
	CHECK(!strcmp(h->label, GOLDEN_LABEL) && !strcmp(h->subsystem, GOLDEN_SUBSYSTEM),
	      "golden: label '%s' and subsystem '%s'", h->label, h->subsystem);
	CHECK(h->incompat == 0 && h->flags == GOLDEN_FLAGS, "golden: incompat 0, flags 0x%x",
	      h->flags);
	CHECK(h->metadata_size == GOLDEN_METADATA && h->keyslots_offset == 32768 &&
	      h->keyslots_size == GOLDEN_METADATA - 32768,
	      "golden: metadata %llu, keyslot region %llu+%llu",
	      (unsigned long long)h->metadata_size, (unsigned long long)h->keyslots_offset,
	      (unsigned long long)h->keyslots_size);
	CHECK(!strcmp(g->cipher, GOLDEN_CIPHER) && g->key_size == GOLDEN_KEY_SIZE &&
	      g->sector_size == GOLDEN_SECTOR && g->iv_large_sectors && !g->dynamic_size &&
	      g->detached && g->data_offset == GOLDEN_DATA_OFFSET &&
	      g->data_size == GOLDEN_DATA_SIZE && g->iv_offset == GOLDEN_IV_OFFSET,
	      "golden: segment %s/%u bytes, %u-byte sectors, iv_large_sectors, detached, data %llu+%llu, iv offset %llu",
	      g->cipher, g->key_size, g->sector_size, (unsigned long long)g->data_offset,
	      (unsigned long long)g->data_size, (unsigned long long)g->iv_offset);
	CHECK(h->digest_iterations == GOLDEN_DIGEST_ITER, "golden: digest iterations %u",
	      h->digest_iterations);
	for (i = 0; i < VEIL_MAX_KEYSLOTS; i++) {
		const struct veil_keyslot *s = &h->slots[i];

		if (i >= GOLDEN_NSLOTS) {
			ok &= s->state == VEIL_SLOT_INACTIVE;
			continue;
		}
		ok &= s->state == VEIL_SLOT_ACTIVE && s->priority == golden_slots[i].priority &&
		      s->kdf.type == golden_slots[i].kdf.type &&
		      s->kdf.time == golden_slots[i].kdf.time &&
		      s->kdf.memory_kib == golden_slots[i].kdf.memory_kib &&
		      s->kdf.parallel == golden_slots[i].kdf.parallel &&
		      s->stripes == golden_slots[i].stripes && s->key_size == GOLDEN_KEY_SIZE &&
		      s->kek_size == 64 && s->area_cipher == 1 &&
		      s->area.size == ((uint64_t)GOLDEN_KEY_SIZE * s->stripes + 4095) / 4096 * 4096;
	}
	CHECK(ok, "golden: keyslots 0-2 active with their KDFs, priorities, stripes and area sizes; 3-31 inactive");
	for (i = 0; i < VEIL_MAX_RETIRED; i++)
		ok &= !h->retired[i].offset && !h->retired[i].size;
	CHECK(ok, "golden: no retired areas");
}

int main(void)
{
	struct veil_io io;
	struct veil_volume *vol = NULL;
	struct veil_load_report rep;
	struct veil_secret *vk = NULL, *want = veil_secret_new(GOLDEN_KEY_SIZE);
	const struct veil_header *h;
	uint8_t mac[VEIL_MAC_SIZE], enc[VEIL_HDR_COPY_SIZE];
	uint64_t off, len;
	size_t size = 0;
	uint8_t *img = tu_read_file(tu_src(GOLDEN_FILE), &size);
	char *json = NULL;
	int i, r, slot;

	CHECK(img && size == GOLDEN_METADATA, "golden: %s is readable, %u bytes", GOLDEN_FILE,
	      GOLDEN_METADATA);
	if (!img || size != GOLDEN_METADATA || !want)
		goto out;
	golden_volume_key(want->data);
	raw_fields(img);

	veil_io_from_memory(&io, img, size, true);
	r = veil_load(&io, 0, &vol, &rep);
	CHECK(r == 0, "golden: loads read-only (%d %s)", r, veil_error_detail());
	if (r)
		goto out;
	h = veil_volume_header(vol);
	decoded_fields(h, &rep);

	for (i = 0; i < GOLDEN_NSLOTS; i++) {
		const char *p = golden_slots[i].pass;

		slot = -1;
		r = veil_unlock(vol, -1, p, strlen(p), &vk, &slot);
		CHECK(r == 0 && slot == i && vk && vk->len == GOLDEN_KEY_SIZE &&
		      !memcmp(vk->data, want->data, GOLDEN_KEY_SIZE),
		      "golden: passphrase %d opens keyslot %d and yields the known volume key (r=%d slot=%d)",
		      i, i, r, slot);
		veil_secret_free(vk);
		vk = NULL;
		r = veil_unlock(vol, i, p, strlen(p), &vk, &slot);
		CHECK(r == 0 && !memcmp(vk->data, want->data, GOLDEN_KEY_SIZE),
		      "golden: passphrase %d opens when its slot is named", i);
		veil_secret_free(vk);
		vk = NULL;
		r = veil_unlock(vol, (i + 1) % GOLDEN_NSLOTS, p, strlen(p), &vk, &slot);
		CHECK(r == -EPERM && !vk, "golden: passphrase %d does not open another slot (r=%d)", i, r);
		veil_secret_free(vk);
		vk = NULL;
	}
	r = veil_unlock(vol, -1, "wrong", 5, &vk, &slot);
	CHECK(r == -EPERM && !vk, "golden: a wrong passphrase is refused with -EPERM (r=%d)", r);
	veil_secret_free(vk);
	vk = NULL;
	r = veil_unlock(vol, 5, golden_slots[0].pass, strlen(golden_slots[0].pass), &vk, &slot);
	CHECK(r == -ENOENT, "golden: naming an inactive slot gives -ENOENT (r=%d)", r);
	veil_secret_free(vk);
	vk = NULL;

	CHECK(veil_unlock_volume_key(vol, want) == 0, "golden: the known volume key is accepted directly");
	CHECK(veil_header_compute_mac(h, want, mac) == 0 && !memcmp(mac, h->mac, sizeof(mac)),
	      "golden: the stored MAC is the MAC of the decoded header under the volume key");
	CHECK(veil_header_encode(h, 0, enc) == 0 && !memcmp(enc, img, VEIL_HDR_COPY_SIZE),
	      "golden: re-encoding the decoded header reproduces copy 0 byte for byte");
	CHECK(veil_header_encode(h, 1, enc) == 0 &&
	      !memcmp(enc, img + VEIL_HDR_COPY1_OFFSET, VEIL_HDR_COPY_SIZE),
	      "golden: re-encoding reproduces copy 1 byte for byte");
	r = veil_volume_data_range(vol, GOLDEN_DATA_DEV, &off, &len);
	CHECK(r == 0 && off == GOLDEN_DATA_OFFSET / 512 && len == GOLDEN_DATA_SIZE / 512,
	      "golden: data range on a %llu-byte data device is %llu+%llu sectors",
	      (unsigned long long)GOLDEN_DATA_DEV, (unsigned long long)off, (unsigned long long)len);
	r = veil_header_to_json(h, &rep, &json);
	CHECK(r == 0 && json && strstr(json, GOLDEN_UUID_STR) && strstr(json, GOLDEN_LABEL),
	      "golden: JSON dump names the uuid and label");
	veil_volume_free(vol);
	vol = NULL;

	/* The same file through the fd-backed veil_io, as the tool reads it. */
	r = veil_io_open_path(&io, tu_src(GOLDEN_FILE), true);
	CHECK(r == 0 && io.size == GOLDEN_METADATA && io.read_only,
	      "golden: veil_io_open_path opens the file read-only, %llu bytes", (unsigned long long)io.size);
	if (!r) {
		const char *p = golden_slots[1].pass;

		r = veil_load(&io, 0, &vol, &rep);
		if (!r)
			r = veil_unlock(vol, -1, p, strlen(p), &vk, &slot);
		CHECK(r == 0 && slot == 1 && !memcmp(vk->data, want->data, GOLDEN_KEY_SIZE),
		      "golden: through the file descriptor, passphrase 1 yields the volume key (r=%d)", r);
		veil_secret_free(vk);
		vk = NULL;
		veil_volume_free(vol);
		vol = NULL;
		veil_io_close(&io);
	}
out:
	free(json);
	veil_volume_free(vol);
	veil_secret_free(want);
	free(img);
	return CHECK_EXIT();
}
