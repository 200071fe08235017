// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Corrupted-header corpus. A generator derives well over 100 damaged
 * devices from one valid volume: every field of the copy pushed out of its
 * range, reserved bytes set, strings unterminated, checksums broken or
 * recomputed (veil_header_copy_reseal) so the damage reaches the deeper
 * checks, applied to the primary copy, the secondary, or both; plus
 * truncations, garbage, swapped and erased copies. Each case states its
 * expected result and the test checks it exactly:
 *   opens            - loads and unlocks (from the named copy);
 *   other copy       - loads from the undamaged copy, names the damage in
 *                      the report, unlocks, and a writable load repairs it;
 *   rejected         - veil_load fails with a specific -errno and message;
 *   refused (MAC)    - loads, but unlock fails with -EBADMSG "modified".
 * Built twice by tests/unit/unit.mk: normally, and with ASan+UBSan.
 * `corrupt --write-corpus DIR` writes the parse prefix of every case to DIR
 * (fuzzer seeds).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "veil_format.h"

#include "../lib/check.h"
#include "fixture.h"
#include "testutil.h"

#define IMG_SIZE   (2u << 20)
#define META_SIZE  (1u << 20)

static const char *const pass_a = "corpus passphrase A";
static const char *const pass_b = "corpus passphrase B";
static uint8_t *base;
static struct veil_secret *vk;
static const char *corpus_dir;
static unsigned ncases;

enum op { SET, XOR, FILL, STR };
enum kind {
	INVALID,        /* a copy with it is refused: err, msg, status */
	TAMPER,         /* valid, MAC-covered: unlock refuses with -EBADMSG */
	HARMLESS,       /* valid, not MAC-covered: opens */
};

struct mutation {
	const char *name;
	enum op op;
	unsigned off, width;    /* width: 1/2/4/8 for SET, bytes for FILL/STR */
	uint64_t val;
	const char *str;
	bool no_reseal;         /* keep the old checksum */
	enum kind kind;
	int err;
	const char *msg;        /* substring of the copy's reason */
	enum veil_copy_status st;
};

#define SLOT0(o) (L_SLOTS + (o))
#define SLOT1(o) (L_SLOTS + L_SLOT_SIZE + (o))
#define SLOT5(o) (L_SLOTS + 5 * L_SLOT_SIZE + (o))
#define BAD(e, m, s) INVALID, e, m, s
#define RANGE(m) INVALID, -ERANGE, m, VEIL_COPY_INVALID
#define UNSUP(m) INVALID, -EPROTONOSUPPORT, m, VEIL_COPY_BAD_VERSION

static const struct mutation mutations[] = {
	/* identity and framing */
	{ "magic byte", XOR, L_MAGIC, 1, 0x20, NULL, true, BAD(-ENODEV, "no veil magic", VEIL_COPY_NO_MAGIC) },
	{ "checksum byte", XOR, L_CHECKSUM + 7, 1, 0x01, NULL, true,
	  BAD(-EUCLEAN, "checksum mismatch", VEIL_COPY_BAD_CHECKSUM) },
	{ "label byte without reseal", XOR, L_LABEL, 1, 0x01, NULL, true,
	  BAD(-EUCLEAN, "checksum mismatch", VEIL_COPY_BAD_CHECKSUM) },
	{ "keyslot salt without reseal", XOR, SLOT0(LS_SALT), 1, 0x80, NULL, true,
	  BAD(-EUCLEAN, "checksum mismatch", VEIL_COPY_BAD_CHECKSUM) },
	{ "version 2", SET, L_VERSION, 2, 2, NULL, false, UNSUP("unsupported header version 2") },
	{ "version 0", SET, L_VERSION, 2, 0, NULL, false, UNSUP("unsupported header version 0") },
	{ "copy index swapped", XOR, L_COPY_INDEX, 1, 1, NULL, false, RANGE("copy index") },
	{ "header size 8192", SET, L_HDR_SIZE, 4, 8192, NULL, false, RANGE("header size") },
	{ "seqid 0", SET, L_SEQID, 8, 0, NULL, false, RANGE("seqid 0 out of range") },
	{ "seqid 2^63", SET, L_SEQID, 8, 1ull << 63, NULL, false, RANGE("out of range") },
	/* reserved bytes and strings */
	{ "reserved0", SET, L_RESERVED0 + 5, 1, 1, NULL, false, RANGE("reserved header bytes") },
	{ "reserved1", SET, L_RESERVED1, 4, 1, NULL, false, RANGE("reserved header bytes") },
	{ "reserved2", SET, L_RESERVED2, 4, 1u << 31, NULL, false, RANGE("reserved header bytes") },
	{ "reserved3", SET, L_RESERVED3 + 15, 1, 0xff, NULL, false, RANGE("reserved header bytes") },
	{ "reserved4", SET, L_RESERVED4 + 100, 1, 0x10, NULL, false, RANGE("reserved header bytes") },
	{ "label unterminated", FILL, L_LABEL, VEIL_LABEL_SIZE, 'A', NULL, false, RANGE("NUL-terminated") },
	{ "label junk after NUL", SET, L_LABEL + 40, 1, 'x', NULL, false, RANGE("zero-padded") },
	{ "subsystem unterminated", FILL, L_SUBSYSTEM, VEIL_SUBSYSTEM_SIZE, 'S', NULL, false,
	  RANGE("NUL-terminated") },
	{ "cipher unterminated", FILL, L_CIPHER, VEIL_CIPHER_SIZE, 'c', NULL, false,
	  RANGE("NUL-terminated") },
	/* features and flags */
	{ "incompat bit", SET, L_INCOMPAT, 4, 1, NULL, false, UNSUP("incompatible features") },
	{ "unknown flag bit 20", SET, L_FLAGS, 4, 1u << 20, NULL, false, UNSUP("unknown persistent flags") },
	{ "reserved perf flag bit 6", SET, L_FLAGS, 4, 1u << 6, NULL, false,
	  UNSUP("unknown persistent flags") },
	{ "unknown segment flag", SET, L_SEGMENT_FLAGS, 4, 8 | SEGF_DYNAMIC, NULL, false,
	  UNSUP("unknown segment flags") },
	/* geometry */
	{ "metadata size unaligned", SET, L_METADATA_SIZE, 8, META_SIZE + 512, NULL, false,
	  RANGE("metadata size") },
	{ "metadata size 512 MiB", SET, L_METADATA_SIZE, 8, 512ull << 20, NULL, false,
	  RANGE("metadata size") },
	{ "metadata size 2^64-4096", SET, L_METADATA_SIZE, 8, ~4095ull, NULL, false,
	  RANGE("metadata size") },
	{ "keyslot region over copy 1", SET, L_KEYSLOTS_OFF, 8, 16384, NULL, false,
	  RANGE("keyslot region") },
	{ "keyslot region unaligned", SET, L_KEYSLOTS_OFF, 8, 32768 + 512, NULL, false,
	  RANGE("keyslot region") },
	{ "keyslot region past metadata", SET, L_KEYSLOTS_SIZE, 8, META_SIZE, NULL, false,
	  RANGE("keyslot region") },
	{ "keyslot region size wraps", SET, L_KEYSLOTS_SIZE, 8, ~4095ull, NULL, false,
	  RANGE("keyslot region") },
	/* segment */
	{ "cipher_null", STR, L_CIPHER, VEIL_CIPHER_SIZE, 0, "cipher_null-ecb", false, RANGE("segment") },
	{ "cipher unknown", STR, L_CIPHER, VEIL_CIPHER_SIZE, 0, "twofish-xts-plain64", false,
	  RANGE("segment") },
	{ "cipher empty", STR, L_CIPHER, VEIL_CIPHER_SIZE, 0, "", false, RANGE("segment") },
	{ "key size 48", SET, L_KEY_SIZE, 4, 48, NULL, false, RANGE("segment") },
	{ "key size 0", SET, L_KEY_SIZE, 4, 0, NULL, false, RANGE("segment") },
	{ "sector size 0", SET, L_SECTOR_SIZE, 4, 0, NULL, false, RANGE("sector size") },
	{ "sector size 256", SET, L_SECTOR_SIZE, 4, 256, NULL, false, RANGE("sector size") },
	{ "sector size 1536", SET, L_SECTOR_SIZE, 4, 1536, NULL, false, RANGE("sector size") },
	{ "sector size 8192", SET, L_SECTOR_SIZE, 4, 8192, NULL, false, RANGE("sector size") },
	{ "sector size 2^31", SET, L_SECTOR_SIZE, 4, 1u << 31, NULL, false, RANGE("sector size") },
	{ "data offset unaligned", SET, L_DATA_OFFSET, 8, META_SIZE + 512, NULL, false,
	  RANGE("1 MiB aligned") },
	{ "data offset 2^63", SET, L_DATA_OFFSET, 8, 1ull << 63, NULL, false, RANGE("data offset") },
	{ "data offset inside metadata", SET, L_DATA_OFFSET, 8, 0, NULL, false,
	  RANGE("overlaps the metadata") },
	{ "fixed size with dynamic flag", SET, L_DATA_SIZE, 8, 1u << 20, NULL, false,
	  RANGE("contradicts") },
	{ "dynamic flag cleared, size 0", SET, L_SEGMENT_FLAGS, 4, 0, NULL, false, RANGE("contradicts") },
	{ "iv offset unaligned", SET, L_IV_OFFSET, 8, 3, NULL, false, RANGE("IV offset") },
	{ "iv offset 2^56", SET, L_IV_OFFSET, 8, 1ull << 56, NULL, false, RANGE("IV offset") },
	{ "digest iterations 999", SET, L_DIGEST_ITER, 4, 999, NULL, false, RANGE("digest iterations") },
	{ "digest iterations 2^30+1", SET, L_DIGEST_ITER, 4, (1u << 30) + 1, NULL, false,
	  RANGE("digest iterations") },
	/* keyslot 0 (argon2id) */
	{ "slot state 2", SET, SLOT0(LS_STATE), 1, 2, NULL, false, RANGE("unknown state") },
	{ "slot state 255", SET, SLOT0(LS_STATE), 1, 255, NULL, false, RANGE("unknown state") },
	{ "slot priority 3", SET, SLOT0(LS_PRIORITY), 1, 3, NULL, false, RANGE("unknown priority") },
	{ "slot kdf type 3", SET, SLOT0(LS_KDF_TYPE), 1, 3, NULL, false, RANGE("unknown KDF type") },
	{ "slot kdf type none", SET, SLOT0(LS_KDF_TYPE), 1, 0, NULL, false, RANGE("unknown KDF type") },
	{ "argon2 memory 4 GiB + 1 KiB", SET, SLOT0(LS_KDF_MEMORY), 4, (4u << 20) + 1, NULL, false,
	  RANGE("argon2id memory") },
	{ "argon2 memory 2^32-1", SET, SLOT0(LS_KDF_MEMORY), 4, 0xffffffffu, NULL, false,
	  RANGE("argon2id memory") },
	{ "argon2 memory below 8 KiB", SET, SLOT0(LS_KDF_MEMORY), 4, 7, NULL, false,
	  RANGE("argon2id memory") },
	{ "argon2 time 1001", SET, SLOT0(LS_KDF_TIME), 4, 1001, NULL, false, RANGE("time cost") },
	{ "argon2 time 0", SET, SLOT0(LS_KDF_TIME), 4, 0, NULL, false, RANGE("time cost") },
	{ "argon2 time 2^32-1", SET, SLOT0(LS_KDF_TIME), 4, 0xffffffffu, NULL, false, RANGE("time cost") },
	{ "argon2 parallel 0", SET, SLOT0(LS_KDF_PARALLEL), 4, 0, NULL, false, RANGE("parallelism") },
	{ "argon2 parallel 17", SET, SLOT0(LS_KDF_PARALLEL), 4, 17, NULL, false, RANGE("parallelism") },
	{ "area cipher 2", SET, SLOT0(LS_AREA_CIPHER), 1, 2, NULL, false, RANGE("area cipher") },
	{ "kek size 32", SET, SLOT0(LS_KEK_SIZE), 4, 32, NULL, false, RANGE("area cipher") },
	{ "stripes 3999", SET, SLOT0(LS_STRIPES), 4, 3999, NULL, false, RANGE("stripes") },
	{ "stripes 65537", SET, SLOT0(LS_STRIPES), 4, 65537, NULL, false, RANGE("stripes") },
	{ "stripes 2^32-1", SET, SLOT0(LS_STRIPES), 4, 0xffffffffu, NULL, false, RANGE("stripes") },
	{ "slot key size 64", SET, SLOT0(LS_KEY_SIZE), 4, 64, NULL, false, RANGE("key size") },
	{ "slot reserved0", SET, SLOT0(LS_RESERVED0), 4, 1, NULL, false, RANGE("reserved bytes") },
	{ "slot reserved1", SET, SLOT0(LS_RESERVED1 + 15), 1, 1, NULL, false, RANGE("reserved bytes") },
	{ "area offset unaligned", XOR, SLOT0(LS_AREA_OFFSET) + 1, 1, 0x02, NULL, false, RANGE("aligned") },
	{ "area size 0", SET, SLOT0(LS_AREA_SIZE), 8, 0, NULL, false, RANGE("aligned") },
	{ "area offset 0", SET, SLOT0(LS_AREA_OFFSET), 8, 0, NULL, false, RANGE("outside the keyslot region") },
	{ "area past the region", SET, SLOT0(LS_AREA_OFFSET), 8, META_SIZE, NULL, false,
	  RANGE("outside the keyslot region") },
	{ "area size wraps", SET, SLOT0(LS_AREA_SIZE), 8, ~4095ull, NULL, false,
	  RANGE("outside the keyslot region") },
	{ "area 2^63 offset", SET, SLOT0(LS_AREA_OFFSET), 8, 1ull << 63, NULL, false,
	  RANGE("outside the keyslot region") },
	{ "area smaller than material", SET, SLOT0(LS_AREA_SIZE), 8, 4096, NULL, false,
	  RANGE("smaller than") },
	/* keyslot 1 (pbkdf2) */
	{ "pbkdf2 iterations 999", SET, SLOT1(LS_KDF_TIME), 4, 999, NULL, false, RANGE("pbkdf2 iterations") },
	{ "pbkdf2 iterations 2^31", SET, SLOT1(LS_KDF_TIME), 4, 1u << 31, NULL, false,
	  RANGE("pbkdf2 iterations") },
	{ "pbkdf2 with memory", SET, SLOT1(LS_KDF_MEMORY), 4, 1024, NULL, false,
	  RANGE("memory or parallelism") },
	{ "slot 1 area equals slot 0's", SET, SLOT1(LS_AREA_OFFSET), 8, 32768, NULL, false,
	  RANGE("overlap") },
	{ "inactive slot 5 not zero", SET, SLOT5(LS_SALT), 1, 1, NULL, false, RANGE("inactive keyslot 5") },
	/* retired list */
	{ "retired area unaligned", SET, L_RETIRED, 8, 32768 + 100, NULL, false, RANGE("retired area") },
	{ "retired size without offset", SET, L_RETIRED + 8, 8, 4096, NULL, false, RANGE("retired area") },
	{ "retired area over slot 0", SET, L_RETIRED + 8, 8, 8192, NULL, false, RANGE("areas overlap") },
	/* valid values of MAC-covered fields: the MAC catches them at unlock */
	{ "cipher aes-xts-plain", STR, L_CIPHER, VEIL_CIPHER_SIZE, 0, "aes-xts-plain", false, TAMPER, 0, NULL, 0 },
	{ "cipher aes-cbc-essiv", STR, L_CIPHER, VEIL_CIPHER_SIZE, 0, "aes-cbc-essiv:sha256", false, TAMPER, 0, NULL, 0 },
	{ "sector size 512", SET, L_SECTOR_SIZE, 4, 512, NULL, false, TAMPER, 0, NULL, 0 },
	{ "iv_large_sectors set", SET, L_SEGMENT_FLAGS, 4, SEGF_DYNAMIC | SEGF_IV_LARGE, NULL, false, TAMPER, 0, NULL, 0 },
	{ "data offset 1 MiB later", SET, L_DATA_OFFSET, 8, META_SIZE + (1u << 20), NULL, false, TAMPER, 0, NULL, 0 },
	{ "fixed data size", SET, L_SEGMENT_FLAGS, 4, 0, NULL, false, TAMPER, 0, NULL, 0 },  /* + size below */
	{ "iv offset 8", SET, L_IV_OFFSET, 8, 8, NULL, false, TAMPER, 0, NULL, 0 },
	{ "allow-discards flag", SET, L_FLAGS, 4, VEIL_FLAG_ALLOW_DISCARDS, NULL, false, TAMPER, 0, NULL, 0 },
	{ "uuid byte", XOR, L_UUID + 3, 1, 0x55, NULL, false, TAMPER, 0, NULL, 0 },
	{ "slot 1 priority prefer", SET, SLOT1(LS_PRIORITY), 1, 2, NULL, false, TAMPER, 0, NULL, 0 },
	{ "slot 1 pbkdf2 iterations", SET, SLOT1(LS_KDF_TIME), 4, 2000, NULL, false, TAMPER, 0, NULL, 0 },
	{ "slot 1 stripes 4001", SET, SLOT1(LS_STRIPES), 4, 4001, NULL, false, TAMPER, 0, NULL, 0 },
	{ "retired area listed", SET, L_RETIRED + 8, 8, 4096, NULL, false, TAMPER, 0, NULL, 0 },  /* + offset below */
	{ "keyslot region smaller", SET, L_KEYSLOTS_SIZE, 8, META_SIZE - 32768 - 4096, NULL, false, TAMPER, 0, NULL, 0 },
	{ "metadata size larger", SET, L_METADATA_SIZE, 8, META_SIZE, NULL, false, TAMPER, 0, NULL, 0 },  /* see fixups */
	/* valid values of unauthenticated fields: harmless */
	{ "label changed", STR, L_LABEL, VEIL_LABEL_SIZE, 0, "another label", false, HARMLESS, 0, NULL, 0 },
	{ "subsystem set", STR, L_SUBSYSTEM, VEIL_SUBSYSTEM_SIZE, 0, "subsys", false, HARMLESS, 0, NULL, 0 },
	{ "label 47 bytes", FILL, L_LABEL, VEIL_LABEL_SIZE - 1, 'L', NULL, false, HARMLESS, 0, NULL, 0 },
};

/* Second halves of mutations that need two fields changed together. */
static void fixups(const struct mutation *m, uint8_t *c)
{
	if (!strcmp(m->name, "fixed data size"))
		fx_put64(c + L_DATA_SIZE, 1u << 20);
	if (!strcmp(m->name, "retired area listed"))
		fx_put64(c + L_RETIRED, META_SIZE - 4096);
	if (!strcmp(m->name, "metadata size larger")) {
		/* stays valid: data starts 1 MiB later too */
		fx_put64(c + L_METADATA_SIZE, META_SIZE + 4096);
		fx_put64(c + L_DATA_OFFSET, 2 * META_SIZE);
	}
	if (!strcmp(m->name, "retired area over slot 0"))
		fx_put64(c + L_RETIRED, 32768);
}

static void mutate(const struct mutation *m, uint8_t *c)
{
	unsigned i;

	switch (m->op) {
	case SET:
		if (m->width == 1)
			c[m->off] = (uint8_t)m->val;
		else if (m->width == 2)
			fx_put16(c + m->off, (uint16_t)m->val);
		else if (m->width == 4)
			fx_put32(c + m->off, (uint32_t)m->val);
		else
			fx_put64(c + m->off, m->val);
		break;
	case XOR:
		c[m->off] ^= (uint8_t)m->val;
		break;
	case FILL:
		for (i = 0; i < m->width; i++)
			c[m->off + i] = (uint8_t)m->val;
		break;
	case STR:
		memset(c + m->off, 0, m->width);
		memcpy(c + m->off, m->str, strlen(m->str));
		break;
	}
	fixups(m, c);
	if (!m->no_reseal)
		veil_header_copy_reseal(c);
}

enum expect { E_OPENS, E_OTHER_COPY, E_REJECT, E_REFUSED };

struct result {
	int load_err, unlock_err;
	struct veil_load_report rep;
	char detail[512];
	char label[VEIL_LABEL_SIZE];
};

static void write_seed(const char *name, const uint8_t *img)
{
	char path[4096], *p;
	FILE *f;

	if (!corpus_dir)
		return;
	snprintf(path, sizeof(path), "%s/%03u-%s", corpus_dir, ncases, name);
	for (p = path + strlen(corpus_dir) + 1; *p; p++)
		if (*p == ' ' || *p == '/' || *p == '\'')
			*p = '_';
	f = fopen(path, "wb");
	if (f) {
		fwrite(img, 1, VEIL_HDR_PARSE_LEN, f);
		fclose(f);
	}
}

static void run(uint8_t *img, size_t size, const char *pass, struct result *res)
{
	struct veil_io io;
	struct veil_volume *vol = NULL;
	struct veil_secret *key = NULL;
	struct veil_header hdr;
	struct veil_load_report prep;

	memset(res, 0, sizeof(*res));
	res->unlock_err = 1;
	/* The pure parser on the same bytes must not disagree with the loader
	 * (and runs under ASan too); a short buffer stays short. */
	veil_header_parse(img, size < VEIL_HDR_PARSE_LEN ? size : VEIL_HDR_PARSE_LEN, &hdr, &prep);
	veil_io_from_memory(&io, img, size, true);
	res->load_err = veil_load(&io, 0, &vol, &res->rep);
	snprintf(res->detail, sizeof(res->detail), "%s", veil_error_detail());
	if (res->load_err)
		return;
	snprintf(res->label, sizeof(res->label), "%s", veil_volume_header(vol)->label);
	res->unlock_err = veil_unlock(vol, -1, pass, strlen(pass), &key, NULL);
	if (res->unlock_err)
		snprintf(res->detail, sizeof(res->detail), "%s", veil_error_detail());
	veil_secret_free(key);
	veil_volume_free(vol);
}

/*
 * A writable open (load, unlock, repair) repairs the damaged copy:
 * afterwards both are valid. A
 * copy of an unsupported version or feature is left as is (SPEC 5.3: it may
 * belong to a newer implementation).
 */
static int repairs(uint8_t *img, size_t size, int bad, enum veil_copy_status st)
{
	struct veil_io io;
	struct veil_volume *vol = NULL;
	struct veil_secret *vk = NULL;
	struct veil_load_report rep;
	struct veil_header hdr;
	uint8_t before[VEIL_HDR_COPY_SIZE];
	int r;

	memcpy(before, FX_COPY(img, bad), sizeof(before));
	veil_io_from_memory(&io, img, size, false);
	r = veil_load(&io, 0, &vol, &rep);
	if (!r)
		r = veil_unlock(vol, -1, pass_a, strlen(pass_a), &vk, NULL);
	if (!r)
		r = veil_repair(vol, vk, &rep);
	veil_secret_free(vk);
	veil_volume_free(vol);
	if (r)
		return 0;
	if (st == VEIL_COPY_BAD_VERSION)
		return !rep.repaired[bad] && !memcmp(before, FX_COPY(img, bad), sizeof(before));
	if (!rep.repaired[bad])
		return 0;
	r = veil_header_parse(img, VEIL_HDR_PARSE_LEN, &hdr, &rep);
	return !r && rep.copy[0] == VEIL_COPY_OK && rep.copy[1] == VEIL_COPY_OK;
}

/*
 * Run one case and check it. bad = the damaged copy for E_OTHER_COPY and
 * E_OPENS (-1: none), st its expected status; err/msg for E_REJECT.
 */
static void check_case(const char *name, uint8_t *img, size_t size, enum expect e, int bad,
		       enum veil_copy_status st, int err, const char *msg)
{
	struct result res;
	int ok = 0;

	ncases++;
	write_seed(name, img);
	run(img, size, pass_a, &res);
	switch (e) {
	case E_OPENS:
		ok = !res.load_err && !res.unlock_err && res.rep.used_copy == (bad == 0 ? 1 : 0) &&
		     (bad < 0 || (res.rep.copy[bad] == st &&
				  (!msg || strstr(res.rep.copy_detail[bad], msg))));
		if (ok && bad >= 0)
			ok = repairs(img, size, bad, st);
		CHECK(ok, "corpus %u: %s: opens%s%s, %s (load %d, unlock %d, copy %d, status %s/%s: %s)",
		      ncases, name, bad >= 0 ? ", damage named in copy " : "",
		      bad >= 0 ? (bad ? "1" : "0") : "",
		      bad < 0 ? "nothing to repair" : st == VEIL_COPY_BAD_VERSION ?
		      "left alone by a writable load" : "repaired by a writable load", res.load_err, res.unlock_err,
		      res.rep.used_copy, veil_copy_status_str(res.rep.copy[0]),
		      veil_copy_status_str(res.rep.copy[1]), bad >= 0 ? res.rep.copy_detail[bad] : "");
		break;
	case E_OTHER_COPY:
		ok = !res.load_err && !res.unlock_err && res.rep.used_copy == 1 - bad &&
		     res.rep.copy[bad] == st && strstr(res.rep.copy_detail[bad], msg) &&
		     (!err || res.rep.copy_err[bad] == err);
		if (ok)
			ok = repairs(img, size, bad, st);
		CHECK(ok, "corpus %u: %s: opens from the other copy (repair: %s), copy %d named \"%s\" (load %d, unlock %d, used %d, status %s, detail: %s)",
		      ncases, name, st == VEIL_COPY_BAD_VERSION ? "left alone" : "rewritten", bad, msg,
		      res.load_err, res.unlock_err, res.rep.used_copy,
		      veil_copy_status_str(res.rep.copy[bad]), res.rep.copy_detail[bad]);
		break;
	case E_REJECT:
		ok = res.load_err == err && strstr(res.detail, msg);
		CHECK(ok, "corpus %u: %s: rejected with %d \"%s\" (got %d: %s)", ncases, name, err, msg,
		      res.load_err, res.detail);
		break;
	case E_REFUSED:
		ok = !res.load_err && res.unlock_err == -EBADMSG && strstr(res.detail, "modified");
		CHECK(ok, "corpus %u: %s: loads but unlock refuses: header modified (load %d, unlock %d: %s)",
		      ncases, name, res.load_err, res.unlock_err, res.detail);
		break;
	}
}

static void field_cases(void)
{
	uint8_t *img = malloc(IMG_SIZE);
	size_t i;
	int which;

	if (!img)
		return;
	for (i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++) {
		const struct mutation *m = &mutations[i];

		for (which = 0; which < 3; which++) {       /* copy 0, copy 1, both */
			char name[160];

			memcpy(img, base, IMG_SIZE);
			if (which != 1)
				mutate(m, FX_COPY(img, 0));
			if (which != 0)
				mutate(m, FX_COPY(img, 1));
			snprintf(name, sizeof(name), "%s in %s", m->name,
				 which == 2 ? "both copies" : which ? "copy 1" : "copy 0");
			switch (m->kind) {
			case INVALID:
				if (which < 2)
					check_case(name, img, IMG_SIZE, which == 0 ? E_OTHER_COPY : E_OPENS,
						   which, m->st, m->err, m->msg);
				else
					check_case(name, img, IMG_SIZE, E_REJECT, -1, 0,
						   m->st == VEIL_COPY_BAD_CHECKSUM ? -EUCLEAN :
						   m->st == VEIL_COPY_NO_MAGIC ? -ENODEV : m->err,
						   m->st == VEIL_COPY_BAD_CHECKSUM ?
						   "header checksum mismatch in both copies" :
						   m->st == VEIL_COPY_NO_MAGIC ? "not a veil device" : m->msg);
				break;
			case TAMPER:
				/* Copy 1 alone: copy 0 wins the seqid tie and opens. */
				if (which == 1)
					check_case(name, img, IMG_SIZE, E_OPENS, 1, VEIL_COPY_MISMATCH, 0, NULL);
				else
					check_case(name, img, IMG_SIZE, E_REFUSED, -1, 0, 0, NULL);
				break;
			case HARMLESS:
				check_case(name, img, IMG_SIZE, E_OPENS, which == 1 ? 1 : -1,
					   VEIL_COPY_MISMATCH, 0, NULL);
				break;
			}
		}
	}
	free(img);
}

static void special_cases(void)
{
	uint8_t *img = malloc(IMG_SIZE);
	struct result res;
	uint64_t seq;
	size_t i;

	if (!img)
		return;
	/* erased or missing copies */
	memcpy(img, base, IMG_SIZE);
	memset(FX_COPY(img, 0), 0, VEIL_HDR_COPY_SIZE);
	check_case("copy 0 zeroed", img, IMG_SIZE, E_OTHER_COPY, 0, VEIL_COPY_NO_MAGIC, -ENODEV, "no veil magic");
	memcpy(img, base, IMG_SIZE);
	memset(FX_COPY(img, 1), 0xff, VEIL_HDR_COPY_SIZE);
	check_case("copy 1 overwritten", img, IMG_SIZE, E_OPENS, 1, VEIL_COPY_NO_MAGIC, 0, "no veil magic");
	memcpy(img, base, IMG_SIZE);
	memset(img, 0, VEIL_HDR_PARSE_LEN);
	check_case("both copies zeroed", img, IMG_SIZE, E_REJECT, -1, 0, -ENODEV, "not a veil device");
	memset(img, 0, IMG_SIZE);
	check_case("all zeros", img, IMG_SIZE, E_REJECT, -1, 0, -ENODEV, "not a veil device");
	for (i = 0; i < IMG_SIZE; i++)
		img[i] = (uint8_t)(i * 2654435761u >> 13);
	check_case("garbage", img, IMG_SIZE, E_REJECT, -1, 0, -ENODEV, "not a veil device");
	/* copies swapped: each magic is in the wrong place */
	memcpy(img, base, IMG_SIZE);
	memcpy(FX_COPY(img, 0), FX_COPY(base, 1), VEIL_HDR_COPY_SIZE);
	memcpy(FX_COPY(img, 1), FX_COPY(base, 0), VEIL_HDR_COPY_SIZE);
	check_case("copies swapped", img, IMG_SIZE, E_REJECT, -1, 0, -ENODEV, "not a veil device");
	/* a primary magic followed by garbage */
	memcpy(img, base, IMG_SIZE);
	memset(FX_COPY(img, 0) + 8, 0xa5, VEIL_HDR_COPY_SIZE - 8);
	memset(FX_COPY(img, 1) + 8, 0x5a, VEIL_HDR_COPY_SIZE - 8);
	check_case("magic then garbage", img, IMG_SIZE, E_REJECT, -1, 0, -EPROTONOSUPPORT,
		   "unsupported header version");

	/* truncated devices */
	memcpy(img, base, IMG_SIZE);
	check_case("device of 0 bytes", img, 0, E_REJECT, -1, 0, -ENODEV, "not a veil device");
	check_case("device of 512 bytes", img, 512, E_REJECT, -1, 0, -ENODEV, "not a veil device");
	check_case("device of 4095 bytes", img, 4095, E_REJECT, -1, 0, -ENODEV, "not a veil device");
	check_case("device ends inside copy 1", img, VEIL_HDR_COPY1_OFFSET + 2048, E_REJECT, -1, 0,
		   -ENOSPC, "smaller than its veil metadata");
	check_case("device ends inside the keyslot areas", img, META_SIZE - 4096, E_REJECT, -1, 0,
		   -ENOSPC, "smaller than its veil metadata");
	run(img, VEIL_HDR_COPY1_OFFSET + 100, pass_a, &res);
	ncases++;
	CHECK(res.rep.copy[0] == VEIL_COPY_OK && res.rep.copy[1] == VEIL_COPY_TRUNCATED,
	      "corpus %u: device ends inside copy 1: copy 1 reported truncated (%s)", ncases,
	      veil_copy_status_str(res.rep.copy[1]));

	/* seqid games */
	memcpy(img, base, IMG_SIZE);
	seq = fx_get64(FX_COPY(img, 0) + L_SEQID);
	fx_put64(FX_COPY(img, 0) + L_SEQID, seq - 1);
	veil_header_copy_reseal(FX_COPY(img, 0));
	check_case("copy 0 older seqid", img, IMG_SIZE, E_OPENS, 0, VEIL_COPY_STALE, 0, NULL);
	memcpy(img, base, IMG_SIZE);
	fx_put64(FX_COPY(img, 1) + L_SEQID, seq + 1);
	memset(FX_COPY(img, 1) + L_LABEL, 0, VEIL_LABEL_SIZE);
	memcpy(FX_COPY(img, 1) + L_LABEL, "newer", 5);
	veil_header_copy_reseal(FX_COPY(img, 1));
	run(img, IMG_SIZE, pass_a, &res);
	ncases++;
	CHECK(!res.load_err && !res.unlock_err && res.rep.used_copy == 1 &&
	      res.rep.copy[0] == VEIL_COPY_STALE && !strcmp(res.label, "newer"),
	      "corpus %u: copy 1 newer seqid: copy 1 used, copy 0 stale, label '%s'", ncases, res.label);
	memcpy(img, base, IMG_SIZE);
	fx_put64(FX_COPY(img, 1) + L_SEQID, seq + 1);
	fx_put32(FX_COPY(img, 1) + L_FLAGS, VEIL_FLAG_ALLOW_DISCARDS);
	veil_header_copy_reseal(FX_COPY(img, 1));
	check_case("copy 1 newer seqid, flags forged", img, IMG_SIZE, E_REFUSED, -1, 0, 0, NULL);
	memcpy(img, base, IMG_SIZE);
	fx_put64(FX_COPY(img, 1) + L_SEQID, seq + 1);
	fx_put16(FX_COPY(img, 1) + L_VERSION, 9);
	veil_header_copy_reseal(FX_COPY(img, 1));
	check_case("copy 1 newer seqid, unknown version", img, IMG_SIZE, E_OPENS, 1,
		   VEIL_COPY_BAD_VERSION, 0, "unsupported header version 9");

	/* a wrong passphrase on an intact device names no damage */
	memcpy(img, base, IMG_SIZE);
	run(img, IMG_SIZE, "not the passphrase", &res);
	ncases++;
	CHECK(!res.load_err && res.unlock_err == -EPERM,
	      "corpus %u: intact device, wrong passphrase: -EPERM (got %d: %s)", ncases,
	      res.unlock_err, res.detail);
	run(img, IMG_SIZE, pass_b, &res);
	ncases++;
	CHECK(!res.load_err && !res.unlock_err, "corpus %u: intact device opens with B", ncases);
	free(img);
}

int main(int argc, char **argv)
{
	const char *const passes[] = { pass_a, pass_b };

	if (argc == 3 && !strcmp(argv[1], "--write-corpus")) {
		corpus_dir = argv[2];
		mkdir(corpus_dir, 0755);
	}
	vk = fx_volume_key(32);
	base = vk ? fx_new_volume(IMG_SIZE, META_SIZE, passes, 2, vk) : NULL;
	CHECK(base != NULL, "corpus: base volume (keyslot 0 argon2id, keyslot 1 pbkdf2)");
	if (!base)
		return CHECK_EXIT();
	field_cases();
	special_cases();
	CHECK(ncases >= 100, "corpus: %u cases, each with its expected result", ncases);
	free(base);
	veil_secret_free(vk);
	return CHECK_EXIT();
}
