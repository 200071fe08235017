// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Honest commits (SPEC.md 9.2): an update whose N-th write fails with an
 * I/O error, for every N. Unlike a power cut (crash.c) the process lives
 * on and reports a result, and that result must match the device:
 *  - the call fails: the device opens exactly as before the update;
 *  - the call succeeds: the device opens exactly as after it, and if a
 *    write failed, veil_unfinished() says what is left and the loaded
 *    volume shows it as pending (a stale copy, an unwiped area);
 *  - the next writer that unlocks (veil_repair + veil_finish_pending, as
 *    the tool does) leaves nothing pending, and a replaced keyslot's old
 *    material is gone from the device.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil_format.h"

#include "../lib/check.h"
#include "fixture.h"
#include "testutil.h"

#define IMG_SIZE   (3u << 20)
#define META_SIZE  (2u << 20)

static const char *const pass_a = "alpha passphrase";
static const char *const pass_b = "bravo passphrase";
static const char *const pass_c = "charlie passphrase";
static const char *const pass_a2 = "alpha renewed";

enum op { OP_CHANGE, OP_ADD, OP_REMOVE, OP_LABEL, OP_FLAGS };
static const char *const op_name[] = { "keyslot change", "keyslot add", "keyslot remove",
				       "label change", "flags change" };

static struct veil_secret *vk;

/* Run op on img with writes from the fail_after-th on failing (-1: none). */
static int run_op(enum op op, uint8_t *img, int fail_after, size_t *writes)
{
	struct veil_io mem;
	struct fx_recorder rec;
	struct veil_volume *vol = NULL;
	struct veil_keyslot_params kp;
	int r, slot = -1;

	veil_io_from_memory(&mem, img, IMG_SIZE, false);
	fx_recorder_init(&rec, &mem);
	rec.fail_after = fail_after;
	r = veil_load(&rec.io, 0, &vol, NULL);
	if (r)
		goto out;
	fx_cheap_slot(&kp, VEIL_KDF_PBKDF2_SHA256);
	switch (op) {
	case OP_CHANGE:
		r = veil_keyslot_change(vol, -1, pass_a, strlen(pass_a), pass_a2,
					strlen(pass_a2), &kp, &slot);
		break;
	case OP_ADD:
		r = veil_keyslot_add(vol, vk, -1, pass_c, strlen(pass_c), &kp, &slot);
		break;
	case OP_REMOVE:
		r = veil_keyslot_remove(vol, -1, pass_b, strlen(pass_b), false, &slot);
		break;
	case OP_LABEL:
		r = veil_set_label(vol, "relabeled", NULL);
		break;
	case OP_FLAGS:
		r = veil_set_flags(vol, vk, VEIL_FLAG_ALLOW_DISCARDS);
		break;
	}
	veil_volume_free(vol);
out:
	*writes = rec.n;
	fx_recorder_free(&rec);
	return r;
}

static bool opens(uint8_t *img, const char *pass)
{
	return fx_open(img, IMG_SIZE, false, pass, NULL, NULL, NULL) == 0;
}

static void label_of(uint8_t *img, char *out)
{
	struct veil_io io;
	struct veil_volume *vol;

	strcpy(out, "?");
	veil_io_from_memory(&io, img, IMG_SIZE, true);
	if (!veil_load(&io, 0, &vol, NULL)) {
		snprintf(out, VEIL_LABEL_SIZE, "%s", veil_volume_header(vol)->label);
		veil_volume_free(vol);
	}
}

/* 1: the state after op, 0: the state before, -1: neither. */
static int state(enum op op, uint8_t *img)
{
	struct veil_io io;
	struct veil_volume *vol;
	char label[VEIL_LABEL_SIZE];
	uint32_t flags = ~0u;
	bool a, a2, b, c;

	switch (op) {
	case OP_CHANGE:
		a = opens(img, pass_a);
		a2 = opens(img, pass_a2);
		return a2 && !a ? 1 : a && !a2 ? 0 : -1;
	case OP_ADD:
		c = opens(img, pass_c);
		return opens(img, pass_a) ? c : -1;
	case OP_REMOVE:
		b = opens(img, pass_b);
		return opens(img, pass_a) ? !b : -1;
	case OP_LABEL:
		label_of(img, label);
		return !strcmp(label, "relabeled") ? 1 : !strcmp(label, "fixture") ? 0 : -1;
	case OP_FLAGS:
		veil_io_from_memory(&io, img, IMG_SIZE, true);
		if (!veil_load(&io, 0, &vol, NULL)) {
			flags = veil_volume_header(vol)->flags;
			veil_volume_free(vol);
		}
		return flags == VEIL_FLAG_ALLOW_DISCARDS ? 1 : flags == 0 ? 0 : -1;
	}
	return -1;
}

static unsigned pending_of(uint8_t *img)
{
	struct veil_io io;
	struct veil_volume *vol;
	unsigned p = ~0u;

	veil_io_from_memory(&io, img, IMG_SIZE, true);
	if (!veil_load(&io, 0, &vol, NULL)) {
		p = veil_volume_pending(vol);
		veil_volume_free(vol);
	}
	return p;
}

/* The next writer, as the tool's: unlock, repair the copies, wipe what
 * an earlier change left. */
static int next_writer(uint8_t *img, const char *pass)
{
	struct veil_io io;
	struct veil_volume *vol;
	struct veil_secret *key = NULL;
	int r;

	veil_io_from_memory(&io, img, IMG_SIZE, false);
	r = veil_load(&io, 0, &vol, NULL);
	if (r)
		return r;
	r = veil_unlock(vol, -1, pass, strlen(pass), &key, NULL);
	if (!r)
		r = veil_repair(vol, key, NULL);
	if (!r)
		r = veil_finish_pending(vol, key);
	veil_secret_free(key);
	veil_volume_free(vol);
	return r;
}

/* Is any 4096-byte block of the old area still as it was in base? */
static bool old_material_left(const uint8_t *base, const uint8_t *img, uint64_t off,
			      uint64_t size)
{
	for (uint64_t o = off; o + 4096 <= off + size; o += 4096)
		if (!memcmp(base + o, img + o, 4096))
			return true;
	return false;
}

static void fail_test(enum op op, const uint8_t *base)
{
	uint8_t *img = malloc(IMG_SIZE);
	size_t total = 0, w;
	int r, n, bad_fail = -1, bad_ok = -1, bad_said = -1, bad_pending = -1, bad_next = -1;
	int unfinished_seen = 0, failed_seen = 0;
	uint64_t a_off = 0, a_size = 0;
	struct veil_header h;

	if (!img) {
		CHECK(0, "failwrite %s: allocation", op_name[op]);
		return;
	}
	if (!veil_header_parse(base, VEIL_HDR_PARSE_LEN, &h, NULL)) {
		a_off = h.slots[0].area.offset;
		a_size = h.slots[0].area.size;
	}
	memcpy(img, base, IMG_SIZE);
	veil_unfinished_clear();
	r = run_op(op, img, -1, &total);
	CHECK(!r && total >= 2 && state(op, img) == 1 && !*veil_unfinished(),
	      "failwrite %s: without a failure it completes in %zu writes, nothing unfinished",
	      op_name[op], total);
	for (n = 0; n < (int)total; n++) {
		const char *said;
		unsigned p;
		int st;

		memcpy(img, base, IMG_SIZE);
		veil_unfinished_clear();
		r = run_op(op, img, n, &w);
		said = veil_unfinished();
		st = state(op, img);
		if (r) {
			failed_seen++;
			/* A failure is only reported when nothing took effect. */
			if ((st != 0 || *said) && bad_fail < 0)
				bad_fail = n;
			continue;
		}
		if (st != 1 && bad_ok < 0)
			bad_ok = n;
		if (!*said) {
			if (bad_said < 0)
				bad_said = n;	/* a write failed: something is unfinished */
			continue;
		}
		unfinished_seen++;
		if (op == OP_REMOVE && strstr(said, "keyslot kill")) {
			/* Wiped, entry left: nothing else for the next writer. */
			if (!strstr(said, "keyslot 1 is wiped") && bad_pending < 0)
				bad_pending = n;
			continue;
		}
		p = pending_of(img);
		if ((!p || p == ~0u) && bad_pending < 0)
			bad_pending = n;
		if (next_writer(img, op == OP_CHANGE ? pass_a2 : pass_a) || pending_of(img) ||
		    state(op, img) != 1 ||
		    (op == OP_CHANGE && old_material_left(base, img, a_off, a_size))) {
			if (bad_next < 0)
				bad_next = n;
		}
	}
	veil_unfinished_clear();
	CHECK(failed_seen > 0 && unfinished_seen > 0,
	      "failwrite %s: of %zu failing writes, %d fail the call and %d leave it unfinished",
	      op_name[op], total, failed_seen, unfinished_seen);
	CHECK(bad_fail < 0, "failwrite %s: a reported failure leaves the old state, nothing "
	      "noted as unfinished (first wrong at write %d)", op_name[op], bad_fail);
	CHECK(bad_ok < 0, "failwrite %s: a reported success means the change is in effect "
	      "(first wrong at write %d)", op_name[op], bad_ok);
	CHECK(bad_said < 0, "failwrite %s: a success after a failed write says what is "
	      "unfinished (first silent at write %d)", op_name[op], bad_said);
	CHECK(bad_pending < 0, "failwrite %s: what is unfinished is pending on the device "
	      "(first not at write %d)", op_name[op], bad_pending);
	CHECK(bad_next < 0, "failwrite %s: the next writer finishes it: nothing pending%s "
	      "(first not at write %d)", op_name[op],
	      op == OP_CHANGE ? ", the old key material gone" : "", bad_next);
	free(img);
}

int main(void)
{
	const char *const passes[] = { pass_a, pass_b };
	uint8_t *base;
	int op;

	vk = fx_volume_key(32);
	base = vk ? fx_new_volume(IMG_SIZE, META_SIZE, passes, 2, vk) : NULL;
	CHECK(base != NULL, "failwrite: fixture volume with keyslots A and B");
	if (!base)
		return CHECK_EXIT();
	for (op = OP_CHANGE; op <= OP_FLAGS; op++)
		fail_test((enum op)op, base);
	free(base);
	veil_secret_free(vk);
	return CHECK_EXIT();
}
