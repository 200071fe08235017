// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Developer smoke test for libveilformat (`make format-smoke`). The real
 * test suite is tests/unit; this only exercises the main paths quickly,
 * including a small crash-cut loop over a keyslot change.
 */
#include "veil_format.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define EXPECT(cond, ...) do { \
	if (!(cond)) { failures++; printf("FAIL: "); printf(__VA_ARGS__); \
		printf(" (%s:%d) detail=%s\n", __FILE__, __LINE__, veil_error_detail()); } \
	else { printf("PASS: "); printf(__VA_ARGS__); printf("\n"); } } while (0)

#define DEV_SIZE (6u << 20)
#define META (4u << 20)

struct rec {
	uint8_t *base;          /* state before the operation */
	uint8_t *cur;
	size_t nwrites, limit;  /* stop after limit writes */
	size_t torn;            /* sectors of write #limit that land */
	size_t writes_seen;
	struct { uint64_t off; size_t len; } log[64];
};

static int rec_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct rec *r = ctx;

	memcpy(buf, r->cur + off, len);
	return 0;
}

static int rec_pwrite(void *ctx, const void *buf, size_t len, uint64_t off)
{
	struct rec *r = ctx;
	size_t n = r->writes_seen++;

	if (n < 64) {
		r->log[n].off = off;
		r->log[n].len = len;
	}
	if (n < r->limit) {
		memcpy(r->cur + off, buf, len);
		return 0;
	}
	if (n == r->limit && r->torn * 512 < len)
		memcpy(r->cur + off, buf, r->torn * 512);
	return -EIO;    /* power is gone */
}

static int rec_sync(void *ctx)
{
	(void)ctx;
	return 0;
}

static struct veil_keyslot_params fast(void)
{
	struct veil_keyslot_params p;

	veil_keyslot_params_init(&p);
	p.kdf.type = VEIL_KDF_PBKDF2_SHA256;
	p.kdf.time = 1000;
	return p;
}

static int opens(uint8_t *dev, const char *pass)
{
	struct veil_io io;
	struct veil_volume *vol = NULL;
	struct veil_secret *vk = NULL;
	int r;

	veil_io_from_memory(&io, dev, DEV_SIZE, true);
	r = veil_load(&io, 0, &vol, NULL);
	if (!r)
		r = veil_unlock(vol, -1, pass, strlen(pass), &vk, NULL);
	veil_secret_free(vk);
	veil_volume_free(vol);
	veil_io_close(&io);
	return r;
}

static uint64_t seqid_of(uint8_t *dev)
{
	struct veil_header h;

	return veil_header_parse(dev, VEIL_HDR_PARSE_LEN, &h, NULL) ? 0 : h.seqid;
}

enum op { OP_CHANGE, OP_ADD, OP_REMOVE, OP_KILL, OP_LABEL };

/*
 * Cut op after every prefix of its writes, and tear the next write at every
 * 512-byte boundary (all of them for header writes, the first 8 for bulk
 * writes). At each cut `keep` must open, and `a` or `b` must (for add and
 * change, old or new passphrase; for remove/kill, the survivor `a`).
 */
static void crash_op(const char *name, uint8_t *dev, uint8_t *copy, enum op op,
		     const struct veil_secret *vk, const char *a, const char *b)
{
	struct veil_keyslot_params kp = fast();
	size_t limit, torn, cuts = 0, writes = 0;
	int r = -1, bad = 0;

	for (limit = 0; r; limit++) {
		for (torn = 0; torn < 8 || torn < 4096 / 512; torn++) {
			struct rec rc = { .base = dev, .cur = copy, .limit = limit,
					  .torn = torn };
			struct veil_io rio = { .ctx = &rc, .pread = rec_pread,
				.pwrite = rec_pwrite, .sync = rec_sync,
				.size = DEV_SIZE };
			struct veil_volume *cv = NULL;
			uint64_t before;
			int oa, ob;

			memcpy(copy, dev, DEV_SIZE);
			before = seqid_of(copy);
			r = veil_load(&rio, 0, &cv, NULL);
			if (!r) {
				switch (op) {
				case OP_CHANGE:
					r = veil_keyslot_change(cv, 0, a, strlen(a), b,
								strlen(b), &kp, NULL);
					break;
				case OP_ADD:
					r = veil_keyslot_add(cv, vk, -1, b, strlen(b),
							     &kp, NULL);
					break;
				case OP_REMOVE:
					r = veil_keyslot_remove(cv, 0, b, strlen(b),
								false, NULL);
					break;
				case OP_KILL:
					r = veil_keyslot_kill(cv, vk, 0, false);
					break;
				case OP_LABEL:
					r = veil_set_label(cv, "cut", NULL);
					break;
				}
			}
			veil_volume_free(cv);
			cuts++;
			writes = rc.writes_seen;
			oa = opens(copy, a);
			ob = opens(copy, b);
			if (op == OP_REMOVE || op == OP_KILL)
				ob = -1;
			if (!(oa == 0 || ob == 0) || seqid_of(copy) < before) {
				bad++;
				printf("  cut after %zu writes + %zu sectors: "
				       "%s=%d %s=%d\n", limit, torn, a, oa, b, ob);
			}
			if (!r)
				break;
		}
	}
	EXPECT(!bad && !r, "crash cuts of %s: %zu cuts over %zu writes", name,
	       cuts, writes);
	if ((op == OP_REMOVE || op == OP_KILL || op == OP_CHANGE) && !r)
		EXPECT(opens(copy, op == OP_CHANGE ? a : b) == -EPERM,
		       "%s: old passphrase gone after completion", name);
}

int main(void)
{
	uint8_t *dev = calloc(1, DEV_SIZE), *copy = malloc(DEV_SIZE);
	struct veil_format_params fp;
	struct veil_keyslot_params kp = fast();
	struct veil_volume *vol = NULL;
	struct veil_secret *vk = NULL, *vk2 = NULL;
	struct veil_load_report rep;
	struct veil_io io;
	char *json = NULL;
	int r, slot = -1;

	veil_io_from_memory(&io, dev, DEV_SIZE, false);
	veil_format_params_init(&fp);
	fp.metadata_size = META;
	fp.digest_iterations = 1000;
	fp.label = "smoke";
	r = veil_volume_key_generate(64, &vk);
	EXPECT(!r, "volume key generated");
	r = veil_format(&io, DEV_SIZE, &fp, vk, &vol);
	EXPECT(!r, "format");
	EXPECT(veil_probe_magic(dev, DEV_SIZE), "probe magic");
	r = veil_keyslot_add(vol, vk, -1, "one", 3, &kp, &slot);
	EXPECT(!r && slot == 0, "add slot 0");
	kp.kdf.type = VEIL_KDF_ARGON2ID;
	kp.kdf.time = 1;
	kp.kdf.memory_kib = 64;
	kp.kdf.parallel = 1;
	r = veil_keyslot_add(vol, vk, 5, "two", 3, &kp, &slot);
	EXPECT(!r && slot == 5, "add argon2id slot 5");
	veil_volume_free(vol);
	vol = NULL;

	r = veil_load(&io, 0, &vol, &rep);
	EXPECT(!r && rep.used_copy == 0 && rep.copy[1] == VEIL_COPY_OK, "load");
	r = veil_unlock(vol, -1, "two", 3, &vk2, &slot);
	EXPECT(!r && slot == 5 && !memcmp(vk2->data, vk->data, 64), "unlock two");
	veil_secret_free(vk2);
	vk2 = NULL;
	r = veil_unlock(vol, -1, "bad", 3, &vk2, &slot);
	EXPECT(r == -EPERM, "wrong passphrase is -EPERM");
	r = veil_unlock(vol, 3, "one", 3, &vk2, &slot);
	EXPECT(r == -ENOENT, "inactive slot is -ENOENT");
	r = veil_header_to_json(veil_volume_header(vol), &rep, &json);
	EXPECT(!r && json && strstr(json, "\"label\":\"smoke\""), "json");
	if (json)
		fputs(json, stdout);
	free(json);

	r = veil_set_label(vol, "renamed", NULL);
	EXPECT(!r && opens(dev, "one") == 0, "label change keeps keys");

	/* MAC-covered updates with the volume key. */
	{
		uint64_t off, len;
		uint8_t uuid[VEIL_UUID_SIZE] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
						 12, 13, 14, 15, 16 };

		r = veil_set_data_size(vol, vk, 1u << 20);
		EXPECT(!r && !veil_volume_data_range(vol, DEV_SIZE, &off, &len) &&
		       off == META / 512 && len == 2048, "fixed data size");
		r = veil_set_data_size(vol, vk, 0);
		EXPECT(!r && veil_volume_header(vol)->segment.dynamic_size,
		       "back to dynamic size");
		r = veil_set_flags(vol, vk, VEIL_FLAG_ALLOW_DISCARDS);
		EXPECT(!r && opens(dev, "one") == 0, "set flags");
		r = veil_set_uuid(vol, vk, uuid);
		EXPECT(!r && opens(dev, "one") == 0, "set uuid");
		r = veil_keyslot_set_priority(vol, vk, 5, VEIL_PRIO_PREFER);
		EXPECT(!r && opens(dev, "two") == 0, "set priority");
		EXPECT(veil_set_flags(vol, vk2 ? vk2 : vk, 1u << 20) == -EINVAL,
		       "unknown flag refused");
	}

	/* Tamper: flip the sector size, reseal the checksums. */
	memcpy(copy, dev, DEV_SIZE);
	copy[0x145] ^= 0x18;
	veil_header_copy_reseal(copy);
	copy[VEIL_HDR_COPY1_OFFSET + 0x145] ^= 0x18;
	veil_header_copy_reseal(copy + VEIL_HDR_COPY1_OFFSET);
	r = opens(copy, "one");
	EXPECT(r == -EBADMSG, "tampered sector size gives -EBADMSG (%d)", r);

	/* One copy corrupt: opens from the other, repair fixes it. */
	memcpy(copy, dev, DEV_SIZE);
	copy[100] ^= 1;
	{
		struct veil_io cio;
		struct veil_volume *cv = NULL;

		veil_io_from_memory(&cio, copy, DEV_SIZE, false);
		r = veil_load(&cio, 0, &cv, &rep);
		EXPECT(!r && rep.used_copy == 1 && rep.copy[0] == VEIL_COPY_BAD_CHECKSUM &&
		       !rep.repaired[0], "bad primary reported, load writes nothing");
		if (!r)
			r = veil_repair(cv, vk, &rep);
		EXPECT(!r && rep.repaired[0], "bad primary repaired with the key");
		EXPECT(!memcmp(copy, dev, VEIL_HDR_COPY_SIZE), "repaired bytes match");
		veil_volume_free(cv);
		veil_io_close(&cio);
	}
	memcpy(copy, dev, DEV_SIZE);
	copy[100] ^= 1;
	copy[VEIL_HDR_COPY1_OFFSET + 100] ^= 1;
	r = opens(copy, "one");
	EXPECT(r == -EUCLEAN, "both checksums bad: -EUCLEAN");
	memset(copy, 0, DEV_SIZE);
	EXPECT(opens(copy, "one") == -ENODEV, "zeros: -ENODEV");

	crash_op("change slot 0", dev, copy, OP_CHANGE, vk, "one", "uno");
	crash_op("add", dev, copy, OP_ADD, vk, "one", "three");
	crash_op("remove slot 0", dev, copy, OP_REMOVE, vk, "two", "one");
	crash_op("kill slot 0", dev, copy, OP_KILL, vk, "two", "one");
	crash_op("label", dev, copy, OP_LABEL, vk, "one", "one");

	/* Detached header: the whole data device is data. */
	{
		uint8_t *hdrbuf = calloc(1, META);
		struct veil_io hio;
		struct veil_volume *dv = NULL;
		struct veil_format_params dp;
		uint64_t off = 1, len = 0;

		veil_io_from_memory(&hio, hdrbuf, META, false);
		veil_format_params_init(&dp);
		dp.metadata_size = META;
		dp.digest_iterations = 1000;
		dp.detached = true;
		r = veil_format(&hio, 8u << 20, &dp, vk, &dv);
		EXPECT(!r, "format detached");
		r = r ? r : veil_volume_data_range(dv, 8u << 20, &off, &len);
		EXPECT(!r && off == 0 && len == 16384, "detached data range 0+%llu",
		       (unsigned long long)len);
		veil_volume_free(dv);
		veil_io_close(&hio);
		free(hdrbuf);
	}

	/* Backup, erase, restore. */
	{
		uint8_t *bk = calloc(1, META), *other = calloc(1, DEV_SIZE);
		struct veil_io bio, oio;
		struct veil_volume *ov = NULL;

		veil_io_from_memory(&bio, bk, META, false);
		r = veil_header_backup(vol, &bio);
		EXPECT(!r, "backup");
		memcpy(copy, dev, DEV_SIZE);
		r = veil_erase(&io);
		EXPECT(!r && opens(dev, "one") == -ENOENT, "erase leaves no keyslot");
		EXPECT(seqid_of(dev) > seqid_of(bk), "erase commits a newer header");
		EXPECT(memmem(dev, DEV_SIZE, bk + 32768 /* slot 0 area */,
			      4096) == NULL, "erase wiped the keyslot material");
		memset(other, 0, DEV_SIZE);
		veil_io_from_memory(&oio, other, DEV_SIZE, false);
		EXPECT(veil_erase(&oio) == -ENODEV, "erase refuses a non-veil device");
		r = veil_header_restore(&io, DEV_SIZE, &bio, 0);
		EXPECT(!r && opens(dev, "one") == 0 && seqid_of(dev) > seqid_of(bk),
		       "restore opens, seqid moved forward");
		/* Another volume on the target: refused unless forced. */
		veil_io_from_memory(&oio, other, DEV_SIZE, false);
		r = veil_format(&oio, DEV_SIZE, &fp, vk, &ov);
		veil_volume_free(ov);
		EXPECT(!r && veil_header_restore(&oio, DEV_SIZE, &bio, 0) == -EEXIST,
		       "restore over another UUID is -EEXIST");
		EXPECT(!veil_header_restore(&oio, DEV_SIZE, &bio, VEIL_RESTORE_FORCE),
		       "forced restore");
		/* Truncated device. */
		EXPECT(opens(dev, "one") == 0, "still opens");
		{
			struct veil_io tio;
			struct veil_volume *tv = NULL;

			veil_io_from_memory(&tio, dev, 1u << 20, true);
			r = veil_load(&tio, 0, &tv, NULL);
			EXPECT(r == -ENOSPC, "truncated device: -ENOSPC (%s)",
			       veil_error_detail());
			veil_volume_free(tv);
			veil_io_close(&tio);
		}
		veil_io_close(&bio);
		veil_io_close(&oio);
		free(bk);
		free(other);
	}

	veil_volume_free(vol);
	veil_secret_free(vk);
	veil_io_close(&io);
	free(dev);
	free(copy);
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
