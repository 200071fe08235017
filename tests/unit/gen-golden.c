// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writes the golden header image described in golden.h. Run once, by hand
 * (make golden-image), when a format version is born; the result is
 * committed and never regenerated for that version.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "veil_format.h"

#include "golden.h"
#include "testutil.h"

int main(int argc, char **argv)
{
	struct veil_format_params fp;
	struct veil_keyslot_params kp;
	struct veil_volume *vol = NULL;
	struct veil_secret *vk = veil_secret_new(GOLDEN_KEY_SIZE);
	struct veil_io io;
	uuid_t uuid;
	uint8_t *img = calloc(1, GOLDEN_METADATA);
	int i, r = -ENOMEM, slot;

	if (argc != 2) {
		fprintf(stderr, "usage: gen-golden OUTPUT\n");
		return 2;
	}
	if (!vk || !img)
		goto out;
	golden_volume_key(vk->data);
	if (uuid_parse(GOLDEN_UUID_STR, uuid)) {
		r = -EINVAL;
		goto out;
	}
	veil_io_from_memory(&io, img, GOLDEN_METADATA, false);
	veil_format_params_init(&fp);
	fp.cipher = GOLDEN_CIPHER;
	fp.key_size = GOLDEN_KEY_SIZE;
	fp.sector_size = GOLDEN_SECTOR;
	fp.iv_large_sectors = true;
	fp.detached = true;
	fp.data_offset = GOLDEN_DATA_OFFSET;
	fp.data_size = GOLDEN_DATA_SIZE;
	fp.iv_offset = GOLDEN_IV_OFFSET;
	fp.flags = GOLDEN_FLAGS;
	fp.metadata_size = GOLDEN_METADATA;
	fp.label = GOLDEN_LABEL;
	fp.subsystem = GOLDEN_SUBSYSTEM;
	fp.uuid = uuid;
	fp.digest_iterations = GOLDEN_DIGEST_ITER;
	r = veil_format(&io, GOLDEN_DATA_DEV, &fp, vk, &vol);
	if (r)
		goto out;
	for (i = 0; i < GOLDEN_NSLOTS; i++) {
		veil_keyslot_params_init(&kp);
		kp.kdf = golden_slots[i].kdf;
		kp.priority = golden_slots[i].priority;
		kp.stripes = golden_slots[i].stripes;
		r = veil_keyslot_add(vol, vk, i, golden_slots[i].pass,
				     strlen(golden_slots[i].pass), &kp, &slot);
		if (r)
			goto out;
	}
	if (veil_volume_header(vol)->seqid != GOLDEN_SEQID) {
		fprintf(stderr, "gen-golden: seqid %llu, golden.h says %u\n",
			(unsigned long long)veil_volume_header(vol)->seqid, GOLDEN_SEQID);
		r = -EINVAL;
		goto out;
	}
	r = tu_write_file(argv[1], img, GOLDEN_METADATA);
out:
	if (r)
		fprintf(stderr, "gen-golden: %s: %s\n", veil_strerror(r), veil_error_detail());
	veil_volume_free(vol);
	veil_secret_free(vk);
	free(img);
	return r ? 1 : 0;
}
