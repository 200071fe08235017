// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Helper of tests/luks/convert.sh: reads volume keys through the format
 * library, and replays a conversion's write log (VEIL_TEST_WRITE_LOG) as
 * power loss would leave it.
 *
 *   convcheck vk IMAGE KEYFILE
 *       print the volume key that KEYFILE opens in the veil header IMAGE
 *   convcheck crash from|to LOG DATA_OFFSET VKHEX KEYFILE...
 *       rebuild the header device after every prefix of the logged writes,
 *       and after 512-byte-aligned prefixes of each write (torn writes: all
 *       of them for writes up to 16 KiB, the first, middle and last for the
 *       larger keyslot and wipe writes). After each cut the device must
 *       give VKHEX through libcryptsetup (LUKS) or through the format
 *       library (veil) with the first KEYFILE, which unlocks both sides.
 *       After the whole log: only the new side is recognised, and every
 *       KEYFILE opens it. No write may reach DATA_OFFSET (0: detached).
 *   convcheck reverse LOG OUT
 *       write LOG's writes to OUT in reverse order: a deliberately broken
 *       write order, the negative control that proves `crash` can fail
 *       (the test expects crash to reject it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libcryptsetup.h>

#include "veil_format.h"

#include "../lib/check.h"
#include "../unit/testutil.h"

struct wr {
	uint64_t off, len;
	uint8_t *data;
};

static uint8_t *snap;
static uint64_t snap_size;
static struct wr *w;
static size_t nw;

static void quiet(int level, const char *msg, void *p)
{
	(void)level;
	(void)msg;
	(void)p;
}

static int read_log(const char *path)
{
	FILE *f = fopen(path, "rb");
	char magic[8];
	int c;

	if (!f || fread(magic, 8, 1, f) != 1 || memcmp(magic, "VEILWLOG", 8) ||
	    fread(&snap_size, 8, 1, f) != 1)
		return -1;
	snap = malloc(snap_size);
	if (!snap || fread(snap, 1, snap_size, f) != snap_size)
		return -1;
	while ((c = fgetc(f)) != EOF) {
		uint64_t rec[2];

		if (c == 'S')
			continue;
		if (c != 'W' || fread(rec, sizeof(rec), 1, f) != 1)
			return -1;
		w = realloc(w, (nw + 1) * sizeof(*w));
		w[nw].off = rec[0];
		w[nw].len = rec[1];
		w[nw].data = malloc(rec[1]);
		if (!w[nw].data || fread(w[nw].data, 1, rec[1], f) != rec[1])
			return -1;
		nw++;
	}
	fclose(f);
	return 0;
}

/* The volume key that pass opens through libcryptsetup, or -errno. */
static int luks_vk(const char *path, const struct veil_secret *pass, uint8_t *vk, size_t *len)
{
	struct crypt_device *cd = NULL;
	int r = crypt_init(&cd, path);

	if (!r)
		r = crypt_load(cd, CRYPT_LUKS, NULL);
	if (!r)
		r = crypt_volume_key_get(cd, CRYPT_ANY_SLOT, (char *)vk, len,
					 (const char *)pass->data, pass->len);
	crypt_free(cd);
	return r < 0 ? r : 0;
}

static int is_luks(const char *path)
{
	struct crypt_device *cd = NULL;
	int r = crypt_init(&cd, path);

	if (!r)
		r = crypt_load(cd, CRYPT_LUKS, NULL);
	crypt_free(cd);
	return r == 0;
}

static int veil_vk(uint8_t *img, uint64_t size, const struct veil_secret *pass,
		   uint8_t *vk, size_t *len)
{
	struct veil_io io;
	struct veil_volume *vol = NULL;
	struct veil_secret *key = NULL;
	int r;

	veil_io_from_memory(&io, img, size, true);
	r = veil_load(&io, 0, &vol, NULL);
	if (!r)
		r = veil_unlock(vol, -1, pass->data, pass->len, &key, NULL);
	if (!r) {
		memcpy(vk, key->data, key->len);
		*len = key->len;
	}
	veil_secret_free(key);
	veil_volume_free(vol);
	return r;
}

static struct veil_secret *keyfile(const char *path)
{
	size_t len;
	uint8_t *b = tu_read_file(path, &len);
	struct veil_secret *s = b ? veil_secret_dup(b, len) : NULL;

	free(b);
	return s;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static int cmd_vk(const char *img_path, const char *kf)
{
	size_t size, len = 0;
	uint8_t *img = tu_read_file(img_path, &size), vk[VEIL_MAX_KEY_SIZE];
	struct veil_secret *pass = keyfile(kf);
	char out[2 * VEIL_MAX_KEY_SIZE + 1];
	int r;

	if (!img || !pass)
		return 2;
	r = veil_vk(img, size, pass, vk, &len);
	if (r) {
		fprintf(stderr, "convcheck: %s: %s\n", img_path, veil_error_detail());
		return 1;
	}
	hex(vk, len, out);
	printf("%s\n", out);
	return 0;
}

/* Which side gives the expected key with pass: 1 LUKS, 2 veil, 0 none. */
static int judge(const char *path, uint8_t *img, const struct veil_secret *pass,
		 const char *want, bool try_both, int *both)
{
	uint8_t vk[VEIL_MAX_KEY_SIZE];
	char got[2 * VEIL_MAX_KEY_SIZE + 1];
	size_t len = sizeof(vk);
	int side = 0;

	*both = 0;
	if (!luks_vk(path, pass, vk, &len)) {
		hex(vk, len, got);
		if (!strcmp(got, want)) {
			side = 1;
			(*both)++;
		}
	}
	if (side && !try_both)
		return side;
	len = sizeof(vk);
	if (!veil_vk(img, snap_size, pass, vk, &len)) {
		hex(vk, len, got);
		if (!strcmp(got, want)) {
			side = side ? side : 2;
			(*both)++;
		}
	}
	return side;
}

static int cmd_crash(const char *kind, const char *log, uint64_t data_offset, const char *want,
		     int nk, char **kfs)
{
	char path[] = "/dev/shm/veil-convcheck-XXXXXX";
	struct veil_secret *pass[16];
	uint8_t *img;
	unsigned cuts = 0, torn = 0, bad = 0, luks_side = 0, veil_side = 0;
	int fd, both;
	bool to = !strcmp(kind, "to");

	if (read_log(log)) {
		CHECK(0, "%s: read the write log %s", kind, log);
		return 1;
	}
	for (int i = 0; i < nk && i < 16; i++)
		if (!(pass[i] = keyfile(kfs[i])))
			return 2;
	fd = mkstemp(path);
	img = malloc(snap_size);
	if (fd < 0 || !img)
		return 2;
	unlink(path);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	for (size_t k = 0; k < nw; k++)
		if (data_offset && w[k].off + w[k].len > data_offset)
			bad++;
	CHECK(!bad && nw > 0, "convert %s: %zu writes, none reaches the data area at %llu",
	      kind, nw, (unsigned long long)data_offset);
	bad = 0;
	for (size_t k = 0; k <= nw; k++) {
		/* k complete writes, then (for k < nw) torn prefixes of write k. */
		size_t units = k < nw ? w[k].len / 512 : 0;
		size_t picks[3] = { 1, units / 2, units - 1 };
		size_t npick = units <= 1 ? 0 : units <= 32 ? units - 1 : 3;

		for (size_t t = 0; t <= npick; t++) {
			size_t part = t == 0 ? 0 : (units <= 32 ? t : picks[t - 1]) * 512;
			int side;

			if (t && units > 32 && t > 1 && picks[t - 1] == picks[t - 2])
				continue;
			memcpy(img, snap, snap_size);
			for (size_t j = 0; j < k; j++)
				memcpy(img + w[j].off, w[j].data, w[j].len);
			if (part)
				memcpy(img + w[k].off, w[k].data, part);
			if (pwrite(fd, img, snap_size, 0) != (ssize_t)snap_size)
				return 2;
			cuts++;
			torn += part != 0;
			side = judge(path, img, pass[0], want, false, &both);
			if (side == 1)
				luks_side++;
			else if (side == 2)
				veil_side++;
			else {
				bad++;
				printf("    cut after %zu writes%s%zu bytes of write %zu (off %llu len "
				       "%llu): neither LUKS nor veil gives the volume key\n", k,
				       part ? " + " : "", part, k, (unsigned long long)
				       (k < nw ? w[k].off : 0), (unsigned long long)
				       (k < nw ? w[k].len : 0));
			}
		}
	}
	CHECK(!bad, "convert %s: %u cut points (%u torn): every one opens (%u as LUKS, %u as "
	      "veil)", kind, cuts, torn, luks_side, veil_side);
	/* The finished device: one identity, every passphrase. */
	{
		int ok = 1;

		for (int i = 0; i < nk; i++) {
			int side = judge(path, img, pass[i], want, true, &both);

			if (side != (to ? 1 : 2) || both != 1)
				ok = 0;
		}
		CHECK(ok, "convert %s: finished device opens with all %d key files, only as %s",
		      kind, nk, to ? "LUKS" : "veil");
		CHECK(is_luks(path) == to, "convert %s: libcryptsetup %s LUKS header", kind,
		      to ? "finds a" : "finds no");
	}
	close(fd);
	return CHECK_EXIT();
}

/* The log with its writes in reverse order (syncs dropped: the replay
 * ignores them). */
static int cmd_reverse(const char *log, const char *out)
{
	FILE *f;

	if (read_log(log))
		return 2;
	f = fopen(out, "wxe");
	if (!f || fwrite("VEILWLOG", 8, 1, f) != 1 || fwrite(&snap_size, 8, 1, f) != 1 ||
	    fwrite(snap, 1, snap_size, f) != snap_size)
		return 2;
	for (size_t k = nw; k-- > 0;) {
		uint64_t rec[2] = { w[k].off, w[k].len };

		if (fputc('W', f) == EOF || fwrite(rec, sizeof(rec), 1, f) != 1 ||
		    fwrite(w[k].data, 1, w[k].len, f) != w[k].len)
			return 2;
	}
	return fclose(f) ? 2 : 0;
}

int main(int argc, char **argv)
{
	crypt_set_log_callback(NULL, quiet, NULL);
	if (argc == 4 && !strcmp(argv[1], "vk"))
		return cmd_vk(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "reverse"))
		return cmd_reverse(argv[2], argv[3]);
	if (argc >= 7 && !strcmp(argv[1], "crash"))
		return cmd_crash(argv[2], argv[3], strtoull(argv[4], NULL, 10), argv[5],
				 argc - 6, argv + 6);
	fprintf(stderr, "usage: convcheck vk IMAGE KEYFILE | crash from|to LOG DATA_OFFSET "
		"VKHEX KEYFILE... | reverse LOG OUT\n");
	return 2;
}
