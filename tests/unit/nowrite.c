// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Nothing is written to a device unless the operation was asked for and
 * validated: loads without repair, refused operations (wrong passphrase,
 * wrong volume key, bad arguments, tampered or damaged headers) and
 * read-only devices must leave every byte as it was, with no write issued.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil_format.h"

#include "../lib/check.h"
#include "fixture.h"
#include "testutil.h"

#define IMG_SIZE   (2u << 20)
#define META_SIZE  (1u << 20)

static const char *const pass_a = "nowrite A";
static const char *const pass_b = "nowrite B";
static uint8_t *base, *base1, *img;  /* base1: only slot 0 */
static struct veil_secret *vk, *wrong_vk;

enum what { LOAD_ONLY, REMOVE_WRONG, CHANGE_WRONG, ADD_WRONG_VK, KILL_WRONG_VK, ADD_BAD_KDF,
	    LABEL_TOO_LONG, REMOVE_LAST, FLAGS_UNKNOWN, REMOVE_READONLY, ADD_TAMPERED,
	    REPAIR_WRONG_VK, REPAIR_FORGED };

static const char *const names[] = {
	"load without repair of a damaged copy", "remove with a wrong passphrase",
	"change with a wrong old passphrase", "add with a wrong volume key",
	"kill with a wrong volume key", "add with hostile KDF parameters",
	"label of 48 bytes", "remove of the last slot without allow_last",
	"set unknown flags", "remove on a read-only device",
	"add on a tampered header",
	"repair of a damaged copy with a wrong volume key",
	"repair from a forged copy with a higher seqid",
};

static void one(enum what w)
{
	struct veil_io mem;
	struct fx_recorder rec;
	struct veil_volume *vol = NULL;
	struct veil_keyslot_params kp;
	char label[49];
	int r, lr;

	memcpy(img, base, IMG_SIZE);
	if (w == LOAD_ONLY || w == REPAIR_WRONG_VK)
		FX_COPY(img, 1)[L_CHECKSUM] ^= 1;
	if (w == REPAIR_FORGED) {
		/* seqid is outside the MAC: copy 1 claims to be newer and
		 * carries another digest salt (MAC-covered). */
		uint8_t *c1 = FX_COPY(img, 1);

		c1[L_SEQID] += 5;
		c1[L_DIGEST_SALT] ^= 1;
		veil_header_copy_reseal(c1);
	}
	if (w == ADD_TAMPERED) {
		int i;

		for (i = 0; i < 2; i++) {
			fx_put32(FX_COPY(img, i) + L_SECTOR_SIZE, 512);
			veil_header_copy_reseal(FX_COPY(img, i));
		}
	}
	if (w == REMOVE_LAST)
		memcpy(img, base1, IMG_SIZE);
	veil_io_from_memory(&mem, img, IMG_SIZE, w == REMOVE_READONLY);
	fx_recorder_init(&rec, &mem);
	lr = veil_load(&rec.io, 0, &vol, NULL);
	r = lr;
	if (!lr) {
		switch (w) {
		case LOAD_ONLY:
			break;
		case REMOVE_WRONG:
			r = veil_keyslot_remove(vol, -1, "wrong", 5, false, NULL);
			break;
		case CHANGE_WRONG:
			r = veil_keyslot_change(vol, -1, "wrong", 5, "new", 3, NULL, NULL);
			break;
		case ADD_WRONG_VK:
			fx_cheap_slot(&kp, VEIL_KDF_PBKDF2_SHA256);
			r = veil_keyslot_add(vol, wrong_vk, -1, "c", 1, &kp, NULL);
			break;
		case KILL_WRONG_VK:
			r = veil_keyslot_kill(vol, wrong_vk, 1, false);
			break;
		case ADD_BAD_KDF:
			fx_cheap_slot(&kp, VEIL_KDF_ARGON2ID);
			kp.kdf.memory_kib = (4u << 20) + 1;
			r = veil_keyslot_add(vol, vk, -1, "c", 1, &kp, NULL);
			break;
		case LABEL_TOO_LONG:
			memset(label, 'x', 48);
			label[48] = 0;
			r = veil_set_label(vol, label, NULL);
			break;
		case REMOVE_LAST:
			r = veil_keyslot_remove(vol, -1, pass_a, strlen(pass_a), false, NULL);
			break;
		case FLAGS_UNKNOWN:
			r = veil_set_flags(vol, vk, 1u << 20);
			break;
		case REMOVE_READONLY:
			r = veil_keyslot_remove(vol, -1, pass_b, strlen(pass_b), false, NULL);
			break;
		case ADD_TAMPERED:
			fx_cheap_slot(&kp, VEIL_KDF_PBKDF2_SHA256);
			r = veil_keyslot_add(vol, vk, -1, "c", 1, &kp, NULL);
			break;
		case REPAIR_WRONG_VK:
			r = veil_repair(vol, wrong_vk, NULL);
			break;
		case REPAIR_FORGED:
			/* even the right key: the copy in use does not authenticate */
			r = veil_repair(vol, vk, NULL);
			break;
		}
	}
	if (w == LOAD_ONLY)
		CHECK(lr == 0 && rec.n == 0 && rec.syncs == 0,
		      "nowrite: %s: loads, issues no write (%zu writes)", names[w], rec.n);
	else
		CHECK(lr == 0 && r < 0 && rec.n == 0,
		      "nowrite: %s: refused (%d %s) with no write issued (%zu writes)", names[w], r,
		      r ? veil_error_detail() : "", rec.n);
	if (w == REPAIR_FORGED)
		CHECK(r == -EPERM || r == -EBADMSG,
		      "nowrite: %s: the forged copy is not authenticated (%d)", names[w], r);
	if (w == ADD_TAMPERED)
		CHECK(r == -EBADMSG, "nowrite: %s: refused as modified (%d)", names[w], r);
	if (w == REMOVE_LAST)
		CHECK(r != -EBADMSG && r != -EPERM && fx_open(img, IMG_SIZE, false, pass_a, NULL, NULL, NULL) == 0,
		      "nowrite: %s: refused for being the last (%d), still opens", names[w], r);
	if (w == REMOVE_READONLY)
		CHECK(r == -EROFS, "nowrite: %s: -EROFS (%d)", names[w], r);
	veil_volume_free(vol);
	fx_recorder_free(&rec);
}

int main(void)
{
	const char *const passes[] = { pass_a, pass_b };
	int w;

	vk = fx_volume_key(32);
	wrong_vk = fx_volume_key(32);
	if (wrong_vk)
		wrong_vk->data[31] ^= 1;
	base = vk ? fx_new_volume(IMG_SIZE, META_SIZE, passes, 2, vk) : NULL;
	base1 = vk ? fx_new_volume(IMG_SIZE, META_SIZE, passes, 1, vk) : NULL;
	img = malloc(IMG_SIZE);
	CHECK(base && base1 && img && wrong_vk, "nowrite: base volumes");
	if (!base || !base1 || !img || !wrong_vk)
		return CHECK_EXIT();
	for (w = LOAD_ONLY; w <= REPAIR_FORGED; w++)
		one((enum what)w);
	free(img);
	free(base);
	free(base1);
	veil_secret_free(vk);
	veil_secret_free(wrong_vk);
	return CHECK_EXIT();
}
