// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tamper: change each MAC-covered field to another value that is valid on
 * its own, in both copies, with the checksums recomputed, as an attacker
 * with write access to the header (but no key) would. The volume must not
 * open, and wherever a key can still be found the error must name the
 * tampering (-EBADMSG, "header was modified"):
 *   - fields outside the key derivation (cipher, sector size, offsets,
 *     flags, other slots' parameters, ...): every way in says "modified";
 *   - a keyslot's own KDF parameters, salt, stripes or area: that slot's
 *     passphrase can only fail like a wrong one (SPEC 13), but the other
 *     slot and the volume key name the tampering;
 *   - the digest and its parameters: no candidate key verifies, so nothing
 *     opens (-EPERM) - nor may anything else.
 * Also: legitimate updates recompute the MAC, and a tampered newer copy is
 * not bypassed by falling back to the older one.
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
#define KEY_SIZE   64u
#define AREA_SIZE  258048u      /* 64 x 4000 rounded up to 4096 */

static const char *const pass_a = "tamper passphrase A";   /* slot 0, argon2id */
static const char *const pass_b = "tamper passphrase B";   /* slot 1, pbkdf2 */
static uint8_t *base;
static struct veil_secret *vk;

enum { BY_A = 1, BY_B = 2, BY_VK = 4, ALL = 7 };

struct tamper {
	const char *field;
	void (*apply)(uint8_t *copy, uint8_t *img);
	unsigned named;         /* ways in that must say "modified" */
};

#define SETTER(fn, body) static void fn(uint8_t *c, uint8_t *img) { (void)img; body; }
static void str(uint8_t *c, unsigned off, unsigned size, const char *s)
{
	memset(c + off, 0, size);
	memcpy(c + off, s, strlen(s));
}
static void key_size(uint8_t *c, uint32_t n)
{
	fx_put32(c + L_KEY_SIZE, n);
	fx_put32(FX_SLOT(c, 0) + LS_KEY_SIZE, n);
	fx_put32(FX_SLOT(c, 1) + LS_KEY_SIZE, n);
}

SETTER(t_cipher_plain, str(c, L_CIPHER, VEIL_CIPHER_SIZE, "aes-xts-plain"))
SETTER(t_cipher_essiv, str(c, L_CIPHER, VEIL_CIPHER_SIZE, "aes-cbc-essiv:sha256"); key_size(c, 32))
SETTER(t_cipher_adiantum, str(c, L_CIPHER, VEIL_CIPHER_SIZE, "xchacha12,aes-adiantum-plain64");
       key_size(c, 32))
SETTER(t_key_size, key_size(c, 32))
SETTER(t_sector_512, fx_put32(c + L_SECTOR_SIZE, 512))
SETTER(t_sector_2048, fx_put32(c + L_SECTOR_SIZE, 2048))
SETTER(t_iv_large, fx_put32(c + L_SEGMENT_FLAGS, fx_get32(c + L_SEGMENT_FLAGS) | SEGF_IV_LARGE))
SETTER(t_data_offset, fx_put64(c + L_DATA_OFFSET, fx_get64(c + L_DATA_OFFSET) + (1u << 20)))
SETTER(t_data_size, fx_put32(c + L_SEGMENT_FLAGS, fx_get32(c + L_SEGMENT_FLAGS) & ~SEGF_DYNAMIC);
       fx_put64(c + L_DATA_SIZE, 512u << 10))
SETTER(t_iv_offset, fx_put64(c + L_IV_OFFSET, 8))
SETTER(t_flag0, fx_put32(c + L_FLAGS, 1u << 0))
SETTER(t_flag1, fx_put32(c + L_FLAGS, 1u << 1))
SETTER(t_flag2, fx_put32(c + L_FLAGS, 1u << 2))
SETTER(t_flag3, fx_put32(c + L_FLAGS, 1u << 3))
SETTER(t_flag4, fx_put32(c + L_FLAGS, 1u << 4))
SETTER(t_metadata, fx_put64(c + L_KEYSLOTS_SIZE, fx_get64(c + L_KEYSLOTS_SIZE) - 4096))
SETTER(t_uuid, c[L_UUID + 15] ^= 1)
SETTER(t_digest_iter, fx_put32(c + L_DIGEST_ITER, 1001))
SETTER(t_digest_salt, c[L_DIGEST_SALT] ^= 1)
SETTER(t_digest, c[L_DIGEST + 31] ^= 0x80)
SETTER(t_s0_time, fx_put32(FX_SLOT(c, 0) + LS_KDF_TIME, 2))
SETTER(t_s0_memory, fx_put32(FX_SLOT(c, 0) + LS_KDF_MEMORY, 128))
SETTER(t_s0_parallel, fx_put32(FX_SLOT(c, 0) + LS_KDF_PARALLEL, 2))
SETTER(t_s0_to_pbkdf2, FX_SLOT(c, 0)[LS_KDF_TYPE] = VEIL_KDF_PBKDF2_SHA256;
       fx_put32(FX_SLOT(c, 0) + LS_KDF_TIME, 1000); fx_put32(FX_SLOT(c, 0) + LS_KDF_MEMORY, 0);
       fx_put32(FX_SLOT(c, 0) + LS_KDF_PARALLEL, 0))
SETTER(t_s0_salt, FX_SLOT(c, 0)[LS_SALT + 9] ^= 4)
SETTER(t_s0_stripes, fx_put32(FX_SLOT(c, 0) + LS_STRIPES, 4001))
SETTER(t_s0_priority_prefer, FX_SLOT(c, 0)[LS_PRIORITY] = VEIL_PRIO_PREFER)
SETTER(t_s1_priority_prefer, FX_SLOT(c, 1)[LS_PRIORITY] = VEIL_PRIO_PREFER)
SETTER(t_s1_iter, fx_put32(FX_SLOT(c, 1) + LS_KDF_TIME, 1500))
SETTER(t_s1_salt, FX_SLOT(c, 1)[LS_SALT] ^= 0x10)
SETTER(t_s1_removed, memset(FX_SLOT(c, 1), 0, L_SLOT_SIZE))
SETTER(t_retired, fx_put64(c + L_RETIRED, META_SIZE - AREA_SIZE - 4096 * 3);
       fx_put64(c + L_RETIRED + 8, 4096))

/* Move slot 0's area (bytes and descriptor) to the end of the region: the
 * passphrase still decrypts it, so only the MAC can notice. */
static void t_s0_area_moved(uint8_t *c, uint8_t *img)
{
	uint64_t from = fx_get64(FX_SLOT(c, 0) + LS_AREA_OFFSET), to = META_SIZE - AREA_SIZE;

	if (img)
		memcpy(img + to, img + from, AREA_SIZE);
	fx_put64(FX_SLOT(c, 0) + LS_AREA_OFFSET, to);
}

/* Plant a copy of slot 1 (descriptor and area) as slot 2: an extra way in
 * the owner never added. */
static void t_injected_slot(uint8_t *c, uint8_t *img)
{
	uint64_t from = fx_get64(FX_SLOT(c, 1) + LS_AREA_OFFSET), to = META_SIZE - AREA_SIZE;

	if (img)
		memcpy(img + to, img + from, AREA_SIZE);
	memcpy(FX_SLOT(c, 2), FX_SLOT(c, 1), L_SLOT_SIZE);
	fx_put64(FX_SLOT(c, 2) + LS_AREA_OFFSET, to);
}

/* Unlocking slot 0's area moved elsewhere with the passphrase works through
 * the key, so A names it too; for its KDF parameters A cannot. */
static const struct tamper tampers[] = {
	{ "cipher aes-xts-plain64 -> aes-xts-plain", t_cipher_plain, ALL },
	{ "cipher -> aes-cbc-essiv:sha256 with a 32-byte key", t_cipher_essiv, BY_VK },
	{ "cipher -> adiantum with a 32-byte key", t_cipher_adiantum, BY_VK },
	{ "key size 64 -> 32", t_key_size, BY_VK },
	{ "sector size 4096 -> 512", t_sector_512, ALL },
	{ "sector size 4096 -> 2048", t_sector_2048, ALL },
	{ "iv_large_sectors set", t_iv_large, ALL },
	{ "data offset +1 MiB", t_data_offset, ALL },
	{ "data size: to-end -> 512 KiB", t_data_size, ALL },
	{ "IV offset 0 -> 8", t_iv_offset, ALL },
	{ "flag allow-discards", t_flag0, ALL },
	{ "flag same-cpu-crypt", t_flag1, ALL },
	{ "flag submit-from-crypt-cpus", t_flag2, ALL },
	{ "flag no-read-workqueue", t_flag3, ALL },
	{ "flag no-write-workqueue", t_flag4, ALL },
	{ "keyslot region size", t_metadata, ALL },
	{ "uuid", t_uuid, ALL },
	{ "digest iterations", t_digest_iter, 0 },
	{ "digest salt", t_digest_salt, 0 },
	{ "digest", t_digest, 0 },
	{ "slot 0 argon2id time", t_s0_time, BY_B | BY_VK },
	{ "slot 0 argon2id memory", t_s0_memory, BY_B | BY_VK },
	{ "slot 0 argon2id parallelism", t_s0_parallel, BY_B | BY_VK },
	{ "slot 0 KDF argon2id -> pbkdf2", t_s0_to_pbkdf2, BY_B | BY_VK },
	{ "slot 0 salt", t_s0_salt, BY_B | BY_VK },
	{ "slot 0 stripes", t_s0_stripes, BY_B | BY_VK },
	{ "slot 0 area moved (bytes too)", t_s0_area_moved, ALL },
	{ "slot 0 priority prefer", t_s0_priority_prefer, ALL },
	{ "slot 1 priority prefer", t_s1_priority_prefer, ALL },
	{ "slot 1 pbkdf2 iterations", t_s1_iter, BY_A | BY_VK },
	{ "slot 1 salt", t_s1_salt, BY_A | BY_VK },
	{ "slot 1 removed from the header", t_s1_removed, BY_A | BY_VK },
	{ "slot 2 injected (copy of slot 1)", t_injected_slot, ALL },
	{ "retired area listed", t_retired, ALL },
};

struct outcome {
	int load, a, b, vk;
	char why_a[200], why_b[200], why_vk[200];
	int leaked;     /* a key came back with an error */
};

static int try_pass(struct veil_volume *vol, const char *p, char *why, int *leaked)
{
	struct veil_secret *key = NULL;
	int r = veil_unlock(vol, -1, p, strlen(p), &key, NULL);

	snprintf(why, 200, "%s", r ? veil_error_detail() : "");
	if (r && key)
		(*leaked)++;
	veil_secret_free(key);
	return r;
}

static void open_all(uint8_t *img, struct outcome *o)
{
	struct veil_io io;
	struct veil_volume *vol = NULL;

	memset(o, 0, sizeof(*o));
	veil_io_from_memory(&io, img, IMG_SIZE, true);
	o->load = veil_load(&io, 0, &vol, NULL);
	if (o->load) {
		snprintf(o->why_a, sizeof(o->why_a), "%s", veil_error_detail());
		return;
	}
	o->a = try_pass(vol, pass_a, o->why_a, &o->leaked);
	o->b = try_pass(vol, pass_b, o->why_b, &o->leaked);
	o->vk = veil_unlock_volume_key(vol, vk);
	snprintf(o->why_vk, sizeof(o->why_vk), "%s", o->vk ? veil_error_detail() : "");
	veil_volume_free(vol);
}

static int modified(int r, const char *why)
{
	return r == -EBADMSG && strstr(why, "header was modified");
}

static void run_tamper(const struct tamper *t, uint8_t *img)
{
	struct outcome o;
	int i, ok_named = 1;

	memcpy(img, base, IMG_SIZE);
	for (i = 0; i < 2; i++) {
		t->apply(FX_COPY(img, i), i ? NULL : img);
		veil_header_copy_reseal(FX_COPY(img, i));
	}
	open_all(img, &o);
	CHECK(o.load == 0, "tamper %s: still loads (valid on its own, checksum fixed) (%d %s)",
	      t->field, o.load, o.load ? o.why_a : "");
	if (o.load)
		return;
	CHECK(o.a && o.b && o.vk && !o.leaked,
	      "tamper %s: refuses to open by passphrase A, B and the volume key (%d, %d, %d)",
	      t->field, o.a, o.b, o.vk);
	if (t->named & BY_A)
		ok_named &= modified(o.a, o.why_a);
	if (t->named & BY_B)
		ok_named &= modified(o.b, o.why_b);
	if (t->named & BY_VK)
		ok_named &= modified(o.vk, o.why_vk);
	if (t->named)
		CHECK(ok_named, "tamper %s: the error names the modification (%s%s%s) [A: %d %s | B: %d %s | VK: %d %s]",
		      t->field, t->named & BY_A ? "A " : "", t->named & BY_B ? "B " : "",
		      t->named & BY_VK ? "VK" : "", o.a, o.why_a, o.b, o.why_b, o.vk, o.why_vk);
	/* What cannot name it must fail like a wrong key, never otherwise. */
	CHECK((t->named & BY_A || o.a == -EPERM) && (t->named & BY_B || o.b == -EPERM) &&
	      (t->named & BY_VK || o.vk == -EPERM),
	      "tamper %s: ways in that cannot see the MAC fail as a wrong key (-EPERM)", t->field);
}

/* Tampering with copy 1 and giving it a higher seqid: the reader uses it and
 * refuses, instead of silently opening the older copy 0. */
static void newer_tampered_copy(uint8_t *img)
{
	struct outcome o;
	uint64_t seq;

	memcpy(img, base, IMG_SIZE);
	seq = fx_get64(FX_COPY(img, 1) + L_SEQID);
	fx_put64(FX_COPY(img, 1) + L_SEQID, seq + 1);
	t_cipher_plain(FX_COPY(img, 1), NULL);
	veil_header_copy_reseal(FX_COPY(img, 1));
	open_all(img, &o);
	CHECK(!o.load && modified(o.a, o.why_a) && modified(o.b, o.why_b),
	      "tamper newer copy 1: no fallback to the older intact copy 0 (A %d, B %d)", o.a, o.b);
}

/* Legitimate changes recompute the MAC: each still opens. */
static void legit_updates(uint8_t *img)
{
	struct veil_io io;
	struct veil_volume *vol = NULL;
	struct veil_keyslot_params kp;
	struct outcome o;
	uint8_t uuid[VEIL_UUID_SIZE];
	int r;

	memcpy(img, base, IMG_SIZE);
	veil_io_from_memory(&io, img, IMG_SIZE, false);
	r = veil_load(&io, 0, &vol, NULL);
	if (!r)
		r = veil_set_flags(vol, vk, VEIL_FLAG_ALLOW_DISCARDS | VEIL_FLAG_NO_WRITE_WORKQUEUE);
	veil_volume_free(vol);
	vol = NULL;
	open_all(img, &o);
	CHECK(r == 0 && !o.a && !o.b && !o.vk, "tamper control: veil_set_flags with the key recomputes the MAC; all open");
	r = veil_load(&io, 0, &vol, NULL);
	if (!r)
		r = veil_keyslot_set_priority(vol, vk, 1, VEIL_PRIO_PREFER);
	memset(uuid, 0x77, sizeof(uuid));
	if (!r)
		r = veil_set_uuid(vol, vk, uuid);
	fx_cheap_slot(&kp, VEIL_KDF_PBKDF2_SHA256);
	if (!r)
		r = veil_keyslot_add(vol, vk, 2, "third", 5, &kp, NULL);
	veil_volume_free(vol);
	vol = NULL;
	open_all(img, &o);
	CHECK(r == 0 && !o.a && !o.b && !o.vk,
	      "tamper control: priority, UUID and keyslot changes with the key recompute the MAC; all open (%d)", r);
	CHECK(fx_open(img, IMG_SIZE, false, "third", NULL, NULL, NULL) == 0,
	      "tamper control: the added slot opens");
	r = veil_load(&io, 0, &vol, NULL);
	if (!r)
		r = veil_set_label(vol, "no key needed", "sub");
	veil_volume_free(vol);
	open_all(img, &o);
	CHECK(r == 0 && !o.a && !o.vk, "tamper control: a label change needs no key and keeps the MAC valid");
	/* A wrong volume key is a wrong key, not tampering. */
	vk->data[0] ^= 1;
	open_all(base, &o);
	vk->data[0] ^= 1;
	CHECK(!o.a && o.vk == -EPERM, "tamper control: a wrong volume key gives -EPERM, not 'modified' (%d)", o.vk);
}

int main(void)
{
	const char *const passes[] = { pass_a, pass_b };
	uint8_t *img;
	size_t i;

	vk = fx_volume_key(KEY_SIZE);
	base = vk ? fx_new_volume(IMG_SIZE, META_SIZE, passes, 2, vk) : NULL;
	img = malloc(IMG_SIZE);
	CHECK(base && img, "tamper: base volume (slot 0 argon2id, slot 1 pbkdf2, 64-byte key)");
	if (!base || !img)
		return CHECK_EXIT();
	for (i = 0; i < sizeof(tampers) / sizeof(tampers[0]); i++)
		run_tamper(&tampers[i], img);
	newer_tampered_copy(img);
	legit_updates(img);
	free(img);
	free(base);
	veil_secret_free(vk);
	return CHECK_EXIT();
}
