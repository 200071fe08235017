// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Crash consistency of header updates. Each operation (keyslot add, remove,
 * change, label change; also keyslot kill, a flags change and a header
 * restore) runs once against a recording veil_io; then the
 * device is rebuilt as it would be after power loss at every point: after
 * every prefix of the writes, and after every 512-byte-aligned prefix of
 * each single write (a torn write). After each cut the device is reopened
 * (read-only, then with repair) and must:
 *  - open with the old passphrase set or the new one, never neither;
 *  - show a seqid that never decreases from one cut to the next;
 * and once the operation completed, a removed or replaced keyslot's
 * encrypted material must be gone from the device.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

enum op { OP_ADD, OP_REMOVE, OP_CHANGE, OP_LABEL, OP_KILL, OP_FLAGS, OP_RESTORE };
static const char *const op_name[] = { "keyslot add", "keyslot remove",
				       "keyslot change", "label change", "keyslot kill",
				       "flags change", "header restore" };
#define NEW_FLAGS (VEIL_FLAG_ALLOW_DISCARDS | VEIL_FLAG_NO_READ_WORKQUEUE)

struct material {
	uint8_t *bytes;         /* the encrypted AF material of one slot */
	size_t len;
};

static struct veil_secret *vk;
/* OP_RESTORE: a backup taken before A was changed to A2 (the base then is
 * the changed volume, so the restore brings A back in a new area). */
static uint8_t *restore_backup;

/* Run op on img through a recorder; returns 0 or the op's error. */
static int run_op(enum op op, uint8_t *img, struct fx_recorder *rec)
{
	struct veil_io mem;
	struct veil_volume *vol = NULL;
	struct veil_keyslot_params kp;
	int r, slot = -1;

	veil_io_from_memory(&mem, img, IMG_SIZE, false);
	fx_recorder_init(rec, &mem);
	if (op == OP_RESTORE) {
		struct veil_io bio;

		veil_io_from_memory(&bio, restore_backup, IMG_SIZE, true);
		r = veil_header_restore(&rec->io, IMG_SIZE, &bio, 0);
		if (r)
			printf("    | %s failed: %d %s\n", op_name[op], r, veil_error_detail());
		return r;
	}
	r = veil_load(&rec->io, 0, &vol, NULL);
	if (r)
		return r;
	switch (op) {
	case OP_ADD:
		fx_cheap_slot(&kp, VEIL_KDF_ARGON2ID);
		r = veil_keyslot_add(vol, vk, -1, pass_c, strlen(pass_c), &kp, &slot);
		break;
	case OP_REMOVE:
		r = veil_keyslot_remove(vol, -1, pass_b, strlen(pass_b), false, &slot);
		break;
	case OP_CHANGE:
		fx_cheap_slot(&kp, VEIL_KDF_ARGON2ID);
		r = veil_keyslot_change(vol, -1, pass_a, strlen(pass_a), pass_a2,
					strlen(pass_a2), &kp, &slot);
		break;
	case OP_LABEL:
		r = veil_set_label(vol, "relabeled", NULL);
		break;
	case OP_KILL:
		r = veil_keyslot_kill(vol, vk, 1, false);
		break;
	case OP_FLAGS:
		r = veil_set_flags(vol, vk, NEW_FLAGS);
		break;
	case OP_RESTORE:
		break;
	}
	if (r)
		printf("    | %s failed: %d %s\n", op_name[op], r, veil_error_detail());
	veil_volume_free(vol);
	return r;
}

/* Does pass open the volume (trying all slots by priority)? */
static int opens(uint8_t *img, const char *pass, uint64_t *seqid)
{
	return fx_open(img, IMG_SIZE, false, pass, NULL, seqid, NULL) == 0;
}

/* Does pass open its own slot? (One AF merge instead of one per slot: the
 * cut loop makes thousands of these.) */
static int opens_slot(uint8_t *img, int slot, const char *pass, uint64_t *seqid)
{
	return fx_open_slot(img, IMG_SIZE, false, slot, pass, NULL, seqid, NULL) == 0;
}

static char *label_of(uint8_t *img, char *out)
{
	struct veil_io io;
	struct veil_volume *vol;

	strcpy(out, "?");
	veil_io_from_memory(&io, img, IMG_SIZE, true);
	if (!veil_load(&io, 0, &vol, NULL)) {
		snprintf(out, VEIL_LABEL_SIZE, "%s", veil_volume_header(vol)->label);
		veil_volume_free(vol);
	}
	return out;
}

static uint32_t flags_of(uint8_t *img)
{
	struct veil_header h;

	return veil_header_parse(img, VEIL_HDR_PARSE_LEN, &h, NULL) ? ~0u : h.flags;
}

/*
 * Which passphrases open the cut image, and is that an allowed state?
 * Returns NULL if fine, else a reason (static).
 */
static const char *judge(enum op op, uint8_t *img, uint64_t *seqid)
{
	static char why[160];
	char label[VEIL_LABEL_SIZE];
	uint64_t s = 0;
	int a = opens_slot(img, 0, pass_a, &s);

	*seqid = s;
	switch (op) {
	case OP_ADD:
		/* old set {A,B}, new set {A,B,C}: A and B open throughout. */
		if (!a || !opens_slot(img, 1, pass_b, NULL))
			return "an old passphrase (A or B) no longer opens";
		break;
	case OP_REMOVE:
	case OP_KILL:
		/* old {A,B}, new {A}. */
		if (!a)
			return "passphrase A (untouched) no longer opens";
		break;
	case OP_FLAGS:
		/* A opening means the MAC held over whichever flags are there. */
		if (!a)
			return "the volume no longer opens (flags and MAC out of step?)";
		if (flags_of(img) != 0 && flags_of(img) != NEW_FLAGS)
			return "flags are neither the old nor the new ones";
		break;
	case OP_CHANGE:
	case OP_RESTORE: {
		/* change: old {A,B}, new {A2,B}; restore: old {A2,B}, new
		 * {A,B}. B throughout, and A or A2. */
		int a2 = opens_slot(img, 0, pass_a2, &s);

		if (!a && !a2)
			return "neither the old nor the new passphrase opens";
		if (a2)
			*seqid = s;
		if (!opens_slot(img, 1, pass_b, NULL))
			return "passphrase B (untouched) no longer opens";
		break;
	}
	case OP_LABEL:
		if (!a)
			return "the volume no longer opens";
		label_of(img, label);
		if (strcmp(label, "fixture") && strcmp(label, "relabeled")) {
			snprintf(why, sizeof(why), "label is '%s', neither old nor new", label);
			return why;
		}
		break;
	}
	return NULL;
}

/* Is any 512-byte block of m (that is not uniform) anywhere on img? */
static int material_present(const uint8_t *img, size_t size, const struct material *m)
{
	size_t i;

	for (i = 0; i + 512 <= m->len; i += 512)
		if (memmem(img, size, m->bytes + i, 512))
			return 1;
	return 0;
}

static uint64_t slot_area_offset(const uint8_t *img, int slot)
{
	struct veil_header h;

	if (veil_header_parse(img, VEIL_HDR_PARSE_LEN, &h, NULL))
		return 0;
	return h.slots[slot].area.offset;
}

static int slot_material(const uint8_t *img, int slot, struct material *m)
{
	struct veil_io io;
	struct veil_volume *vol;
	const struct veil_keyslot *s;

	veil_io_from_memory(&io, (uint8_t *)img, IMG_SIZE, true);
	if (veil_load(&io, 0, &vol, NULL))
		return -1;
	s = &veil_volume_header(vol)->slots[slot];
	m->len = (size_t)s->key_size * s->stripes / 512 * 512;
	m->bytes = malloc(m->len);
	if (m->bytes)
		memcpy(m->bytes, img + s->area.offset, m->len);
	veil_volume_free(vol);
	return m->bytes ? 0 : -1;
}

/*
 * An interrupted change that already committed the new passphrase leaves
 * the old area in the retired list. The next update by a key holder
 * (veil_finish_pending here) must wipe it. Returns NULL or what went wrong.
 */
static const char *finish_interrupted_change(uint8_t *img, const struct material *old,
					     uint64_t old_off)
{
	struct veil_io io;
	struct veil_volume *vol = NULL;
	struct veil_secret *key = NULL;
	const struct veil_header *h;
	const char *why = NULL;
	size_t i;
	int r;

	veil_io_from_memory(&io, img, IMG_SIZE, false);
	r = veil_load(&io, 0, &vol, NULL);
	if (!r)
		r = veil_unlock(vol, 0, pass_a2, strlen(pass_a2), &key, NULL);
	if (!r)
		r = veil_finish_pending(vol, key);
	if (r) {
		why = "veil_finish_pending failed";
		goto out;
	}
	h = veil_volume_header(vol);
	for (i = 0; i < VEIL_MAX_RETIRED; i++)
		if (h->retired[i].size)
			why = "a retired area is still listed";
	for (i = 0; i + 512 <= old->len; i += 512)
		if (!memcmp(img + old_off + i, old->bytes + i, 512))
			why = "old material still in its area";
	if (!why && !opens_slot(img, 0, pass_a2, NULL))
		why = "the new passphrase no longer opens";
	if (!why && !opens_slot(img, 1, pass_b, NULL))
		why = "passphrase B no longer opens";
out:
	veil_secret_free(key);
	veil_volume_free(vol);
	return why;
}

static int lists_retired(const uint8_t *img)
{
	struct veil_header h;
	size_t i;

	if (veil_header_parse(img, VEIL_HDR_PARSE_LEN, &h, NULL))
		return 0;
	for (i = 0; i < VEIL_MAX_RETIRED; i++)
		if (h.retired[i].size)
			return 1;
	return 0;
}

/* Would a writable open rewrite a copy? (Else the repaired image is the
 * same bytes and need not be judged twice.) */
static int needs_repair(uint8_t *img)
{
	struct veil_load_report rep;
	struct veil_header h;

	if (veil_header_parse(img, VEIL_HDR_PARSE_LEN, &h, &rep))
		return 1;
	return rep.copy[0] != VEIL_COPY_OK || rep.copy[1] != VEIL_COPY_OK;
}

static void apply(uint8_t *img, const struct fx_write *w, size_t len)
{
	memcpy(img + w->off, w->data, len);
}

static void crash_test(enum op op, const uint8_t *base)
{
	struct fx_recorder rec;
	struct material gone = { NULL, 0 };
	uint8_t *done = malloc(IMG_SIZE), *cur = malloc(IMG_SIZE), *cut = malloc(IMG_SIZE);
	uint64_t last_seq = 0, seq, base_seq = 0;
	unsigned cuts = 0, bad = 0, seq_bad = 0, repair_bad = 0, torn = 0, repairs = 0;
	unsigned pending = 0, pending_bad = 0, reordered = 0;
	uint64_t gone_off = 0;
	const char *why;
	size_t k, j;
	int r;

	if (!done || !cur || !cut) {
		CHECK(0, "crash %s: allocation", op_name[op]);
		goto out;
	}
	if (op == OP_REMOVE || op == OP_KILL)
		slot_material(base, 1, &gone);
	if (op == OP_CHANGE)
		slot_material(base, 0, &gone);
	if (gone.bytes)
		gone_off = slot_area_offset(base, op == OP_CHANGE ? 0 : 1);
	opens((uint8_t *)base, pass_a, &base_seq);

	memcpy(done, base, IMG_SIZE);
	r = run_op(op, done, &rec);
	CHECK(r == 0, "crash %s: the operation itself succeeds (%zu writes, %u syncs)",
	      op_name[op], rec.n, rec.syncs);
	if (r)
		goto out;

	memcpy(cur, base, IMG_SIZE);
	last_seq = base_seq;
	for (k = 0; k <= rec.n; k++) {
		/* cur = base + writes [0, k). Cut there, then inside write k. */
		size_t parts = k < rec.n ? rec.w[k].len / 512 : 1;
		/* A restore copies whole MiBs: 64 torn points per such write
		 * (and its last block) keep the run short. */
		size_t step = parts > 1024 ? parts / 64 : 1;

		for (j = 0; j < parts; j += (j + step >= parts && j + 1 < parts) ? parts - 1 - j : step) {
			char what[96];

			memcpy(cut, cur, IMG_SIZE);
			if (j) {
				apply(cut, &rec.w[k], j * 512);
				torn++;
				snprintf(what, sizeof(what), "write %zu/%zu torn after %zu bytes",
					 k + 1, rec.n, j * 512);
			} else {
				snprintf(what, sizeof(what), "after %zu of %zu writes", k, rec.n);
			}
			cuts++;
			why = judge(op, cut, &seq);
			if (why && bad++ < 5)
				printf("    | %s: %s: %s\n", op_name[op], what, why);
			if (!why && seq < last_seq && seq_bad++ < 5)
				printf("    | %s: %s: seqid went back from %llu to %llu\n",
				       op_name[op], what, (unsigned long long)last_seq,
				       (unsigned long long)seq);
			if (!why)
				last_seq = seq;
			/* The next writable open repairs; the result must
			 * still be a legal state with no lower seqid. */
			if (!why && needs_repair(cut)) {
				uint64_t seq2 = 0;

				repairs++;
				/* Repair follows an unlock: whichever passphrase
				 * this state opens with (old or new set). */
				if (fx_open(cut, IMG_SIZE, true, pass_a, NULL, NULL, NULL))
					fx_open(cut, IMG_SIZE, true, pass_a2, NULL, NULL, NULL);
				why = judge(op, cut, &seq2);
				if (!why && needs_repair(cut))
					why = "a copy is still bad or stale after the repairing open";
				if ((why || seq2 < seq) && repair_bad++ < 5)
					printf("    | %s: %s: after repair: %s (seqid %llu -> %llu)\n",
					       op_name[op], what, why ? why : "seqid went back",
					       (unsigned long long)seq, (unsigned long long)seq2);
			}
			/* Sampled (every 8th torn cut): finishing an interrupted
			 * change wipes the old material. */
			if (op == OP_CHANGE && !why && gone.bytes && (j % 8 == 0) &&
			    lists_retired(cut)) {
				const char *w = finish_interrupted_change(cut, &gone, gone_off);

				pending++;
				if (w && pending_bad++ < 5)
					printf("    | %s: %s: finishing the interrupted change: %s\n",
					       op_name[op], what, w);
			}
		}
		/* Writes not separated by a sync may land out of order: write
		 * m (same sync epoch, later) without write k. */
		for (j = k + 1; k < rec.n && j < rec.n &&
		     rec.w[j].syncs_before == rec.w[k].syncs_before; j++) {
			memcpy(cut, cur, IMG_SIZE);
			apply(cut, &rec.w[j], rec.w[j].len);
			cuts++;
			reordered++;
			why = judge(op, cut, &seq);
			if (why && bad++ < 5)
				printf("    | %s: write %zu landed before write %zu: %s\n", op_name[op],
				       j + 1, k + 1, why);
		}
		if (k < rec.n)
			apply(cur, &rec.w[k], rec.w[k].len);
	}
	CHECK(!memcmp(cur, done, IMG_SIZE), "crash %s: replaying all writes rebuilds the device",
	      op_name[op]);
	CHECK(bad == 0, "crash %s: old or new passphrase set opens at all %u cuts (%u torn, %u reordered within a sync epoch)",
	      op_name[op], cuts, torn, reordered);
	CHECK(seq_bad == 0, "crash %s: seqid never decreases across the %u cuts", op_name[op], cuts);
	CHECK(repair_bad == 0, "crash %s: repair on the next writable open keeps a legal state (%u cuts repaired)",
	      op_name[op], repairs);
	if (op == OP_CHANGE)
		CHECK(pending > 0 && pending_bad == 0,
		      "crash %s: at %u sampled cuts with the old area retired, the next update wipes it and both passphrases still open",
		      op_name[op], pending);
	CHECK(last_seq > base_seq, "crash %s: the completed operation has a higher seqid (%llu > %llu)",
	      op_name[op], (unsigned long long)last_seq, (unsigned long long)base_seq);

	switch (op) {
	case OP_ADD:
		CHECK(opens(done, pass_c, NULL), "crash %s: after completion the new passphrase opens",
		      op_name[op]);
		break;
	case OP_REMOVE:
	case OP_KILL:
		CHECK(!opens(done, pass_b, NULL) && opens(done, pass_a, NULL),
		      "crash %s: after completion B is gone and A opens", op_name[op]);
		break;
	case OP_FLAGS:
		CHECK(flags_of(done) == NEW_FLAGS && opens(done, pass_a, NULL),
		      "crash %s: after completion the new flags are in place and A opens", op_name[op]);
		break;
	case OP_CHANGE:
		CHECK(!opens(done, pass_a, NULL) && opens(done, pass_a2, NULL),
		      "crash %s: after completion only the new passphrase opens that slot",
		      op_name[op]);
		break;
	case OP_RESTORE:
		CHECK(opens(done, pass_a, NULL) && !opens(done, pass_a2, NULL) &&
		      opens(done, pass_b, NULL),
		      "crash %s: after completion the backup's passphrases open, the later one not",
		      op_name[op]);
		break;
	case OP_LABEL: {
		char label[VEIL_LABEL_SIZE];

		CHECK(!strcmp(label_of(done, label), "relabeled"),
		      "crash %s: after completion the label is the new one", op_name[op]);
		break;
	}
	}
	if (gone.bytes) {
		CHECK(material_present(base, IMG_SIZE, &gone),
		      "crash %s: the old slot material is found on the device before (scanner works)",
		      op_name[op]);
		CHECK(!material_present(done, IMG_SIZE, &gone),
		      "crash %s: after completion the old slot's encrypted material is gone from the device",
		      op_name[op]);
	}
out:
	fx_recorder_free(&rec);
	if (gone.bytes)
		free(gone.bytes);
	free(done);
	free(cur);
	free(cut);
}

int main(int argc, char **argv)
{
	const char *const passes[] = { pass_a, pass_b };
	struct timespec t0, t1;
	uint8_t *base;
	int op, only = argc > 1 ? atoi(argv[1]) : -1;

	/* A 32-byte (AES-128-XTS) key halves the AF work per unlock and the
	 * torn cuts per area write; the update protocol does not depend on it. */
	vk = fx_volume_key(32);
	base = vk ? fx_new_volume(IMG_SIZE, META_SIZE, passes, 2, vk) : NULL;
	CHECK(base != NULL, "crash: fixture volume with keyslots A (argon2id) and B (pbkdf2)");
	if (!base)
		return CHECK_EXIT();
	for (op = OP_ADD; op <= OP_RESTORE; op++) {
		if (only >= 0 && op != only)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (op == OP_RESTORE) {
			/* base becomes the changed volume, the backup the original */
			struct fx_recorder rec;

			restore_backup = base;
			base = malloc(IMG_SIZE);
			if (base) {
				memcpy(base, restore_backup, IMG_SIZE);
				CHECK(run_op(OP_CHANGE, base, &rec) == 0,
				      "crash %s: A changed to A2 after the backup", op_name[op]);
				fx_recorder_free(&rec);
			}
			if (!base) {
				base = restore_backup;
				restore_backup = NULL;
				CHECK(0, "crash %s: allocation", op_name[op]);
				continue;
			}
		}
		crash_test((enum op)op, base);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("    | %s: %.1f s\n", op_name[op],
		       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	free(base);
	free(restore_backup);
	veil_secret_free(vk);
	return CHECK_EXIT();
}
