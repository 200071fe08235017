// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil convert --to-luks2: the way back to stock cryptsetup. libcryptsetup
 * formats a LUKS2 header around the same volume key in a scratch image
 * (crypt_format and crypt_keyslot_add_by_volume_key, nothing hand-made),
 * and its bytes are placed on the device in an order that keeps one of the
 * two openable at every write:
 *   1. the LUKS2 keyslot areas, which are kept clear of every veil area,
 *   2. the LUKS2 secondary header over [16384, 32768) (veil copy 1 goes;
 *      copy 0 still opens),
 *   3. the LUKS2 primary header over [0, 16384) (a torn write leaves the
 *      secondary, which cryptsetup falls back to),
 *   4. random bytes over the veil keyslot areas that are left.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libcryptsetup.h>
#include <openssl/rand.h>

#include "commands.h"
#include "luks.h"

#define LUKS2_HDR 16384u	/* one LUKS2 header copy (binary + JSON) */
#define MAX_LUKS_SLOTS 32

struct scratch {
	int hdr_fd, data_fd;
	char hdr_path[64], data_path[64];
};

static int scratch_open(struct scratch *s, uint64_t hdr_size, uint64_t data_size)
{
	s->hdr_fd = memfd_create("veil-luks2-header", MFD_CLOEXEC);
	s->data_fd = memfd_create("veil-luks2-data", MFD_CLOEXEC);
	if (s->hdr_fd < 0 || s->data_fd < 0 || ftruncate(s->hdr_fd, (off_t)hdr_size) ||
	    ftruncate(s->data_fd, (off_t)data_size))
		return -errno;
	snprintf(s->hdr_path, sizeof(s->hdr_path), "/proc/self/fd/%d", s->hdr_fd);
	snprintf(s->data_path, sizeof(s->data_path), "/proc/self/fd/%d", s->data_fd);
	return 0;
}

static void scratch_close(struct scratch *s)
{
	if (s->hdr_fd >= 0)
		close(s->hdr_fd);
	if (s->data_fd >= 0)
		close(s->data_fd);
}

static bool overlaps_veil(const struct veil_header *h, uint64_t off, uint64_t len)
{
	if (off < h->keyslots_offset)
		return true;
	for (int i = 0; i < VEIL_MAX_KEYSLOTS + VEIL_MAX_RETIRED; i++) {
		const struct veil_area *a = i < VEIL_MAX_KEYSLOTS ?
			(h->slots[i].state == VEIL_SLOT_ACTIVE ? &h->slots[i].area : NULL) :
			&h->retired[i - VEIL_MAX_KEYSLOTS];

		if (a && a->size && off < a->offset + a->size && a->offset < off + len)
			return true;
	}
	return false;
}

static int set_pbkdf(struct crypt_device *cd, const struct veil_keyslot_params *kp,
		     bool cheap)
{
	struct crypt_pbkdf_type pb = { .hash = "sha256" };

	if (cheap) {
		pb.type = CRYPT_KDF_PBKDF2;
		pb.iterations = 1000;
		pb.flags = CRYPT_PBKDF_NO_BENCHMARK;
	} else if (kp->kdf.type == VEIL_KDF_PBKDF2_SHA256) {
		pb.type = CRYPT_KDF_PBKDF2;
		pb.iterations = kp->kdf.time;
		pb.flags = CRYPT_PBKDF_NO_BENCHMARK;
	} else {
		pb.type = CRYPT_KDF_ARGON2ID;
		pb.iterations = kp->kdf.time;
		pb.max_memory_kb = kp->kdf.memory_kib;
		pb.parallel_threads = kp->kdf.parallel;
		pb.flags = CRYPT_PBKDF_NO_BENCHMARK;
	}
	return crypt_set_pbkdf_type(cd, &pb);
}

/*
 * -errno, message printed. Keyslot i for passes[i], in an area clear of the veil header. LUKS2
 * allocates areas first-fit, so a cheap probe keyslot shows where the next
 * one lands: one that would overlap a veil area stays as a blocker (and is
 * destroyed at the end, in the scratch image only).
 */
static int add_keyslots(struct crypt_device *cd, const struct veil_header *h,
			const struct secret *vk, const struct secret *passes, size_t n,
			const struct veil_keyslot_params *kp)
{
	int blockers[MAX_LUKS_SLOTS], nblock = 0, r = 0;
	uint8_t junk[32];
	uint64_t off, len;

	/* The probes' passphrase: random, never kept. */
	if (RAND_bytes(junk, sizeof(junk)) != 1)
		return fail(-EIO, "no random bytes");

	for (size_t i = 0; i < n && !r; i++) {
		for (;;) {
			int probe = MAX_LUKS_SLOTS - 1 - nblock;

			if (probe <= (int)i)
				return fail(-ENOSPC, "no LUKS2 keyslot area clear of the veil "
					    "keyslots is left");
			r = set_pbkdf(cd, kp, true);
			if (!r)
				r = crypt_keyslot_add_by_volume_key(cd, probe, (const char *)vk->data,
								    vk->len, (const char *)junk,
								    sizeof(junk));
			if (r < 0)
				return fail(r, "libcryptsetup cannot add a keyslot: %s",
					    strerror(-r));
			r = crypt_keyslot_area(cd, probe, &off, &len);
			if (r < 0)
				return fail(r, "libcryptsetup gives no keyslot area");
			if (overlaps_veil(h, off, len)) {
				blockers[nblock++] = probe;
				continue;
			}
			crypt_keyslot_destroy(cd, probe);
			r = set_pbkdf(cd, kp, false);
			if (!r)
				r = crypt_keyslot_add_by_volume_key(cd, (int)i, (const char *)vk->data,
								    vk->len,
								    (const char *)passes[i].data,
								    passes[i].len);
			if (r < 0)
				return fail(r, "libcryptsetup cannot add keyslot %zu: %s", i,
					    strerror(-r));
			r = crypt_keyslot_area(cd, (int)i, &off, &len);
			if (r < 0 || overlaps_veil(h, off, len))
				return fail(-ENOSPC, "LUKS2 keyslot %zu landed over a veil area", i);
			r = 0;
			break;
		}
	}
	veil_wipe(junk, sizeof(junk));
	for (int b = 0; b < nblock; b++)
		crypt_keyslot_destroy(cd, blockers[b]);
	return r;
}

/* Build the LUKS2 header in the scratch image. -errno, message printed. */
static int build_luks2(struct scratch *s, const struct veil_header *h, const struct secret *vk,
		       const struct secret *passes, size_t n,
		       const struct veil_keyslot_params *kp, bool forced,
		       struct crypt_device **out)
{
	const struct veil_segment *g = &h->segment;
	struct crypt_params_luks2 lp = { .sector_size = g->sector_size };
	struct crypt_device *cd = NULL;
	char cipher[32], mode[32], uuid[VEIL_UUID_STR_LEN + 1];
	uint64_t area_end = g->detached ? h->metadata_size : g->data_offset;
	uint32_t f = 0;
	int r;

	if (cipher_split(g->cipher, cipher, sizeof(cipher), mode, sizeof(mode)))
		return fail(-EINVAL, "cipher %s has no mode part", g->cipher);
	veil_uuid_unparse(h->uuid, uuid);
	lp.label = h->label[0] ? h->label : NULL;
	lp.subsystem = h->subsystem[0] ? h->subsystem : NULL;
	r = crypt_init_data_device(&cd, s->hdr_path, s->data_path);
	if (!r)
		r = crypt_set_metadata_size(cd, LUKS2_HDR, area_end - 2 * LUKS2_HDR);
	if (!r)
		r = crypt_set_data_offset(cd, g->data_offset / 512);
	/* The digest's PBKDF2 is benchmarked by libcryptsetup as in luksFormat,
	 * unless iterations are forced (then cryptsetup takes the minimum). */
	if (!r && forced)
		r = set_pbkdf(cd, kp, false);
	if (!r)
		r = crypt_format(cd, CRYPT_LUKS2, cipher, mode, uuid, (const char *)vk->data,
				 vk->len, &lp);
	if (r < 0) {
		crypt_free(cd);
		return fail(r, "libcryptsetup cannot format the LUKS2 header: %s "
			    "(nothing was changed)", strerror(-r));
	}
	if (h->flags & VEIL_FLAG_ALLOW_DISCARDS)
		f |= CRYPT_ACTIVATE_ALLOW_DISCARDS;
	if (h->flags & VEIL_FLAG_SAME_CPU_CRYPT)
		f |= CRYPT_ACTIVATE_SAME_CPU_CRYPT;
	if (h->flags & VEIL_FLAG_SUBMIT_FROM_CRYPT_CPUS)
		f |= CRYPT_ACTIVATE_SUBMIT_FROM_CRYPT_CPUS;
	if (h->flags & VEIL_FLAG_NO_READ_WORKQUEUE)
		f |= CRYPT_ACTIVATE_NO_READ_WORKQUEUE;
	if (h->flags & VEIL_FLAG_NO_WRITE_WORKQUEUE)
		f |= CRYPT_ACTIVATE_NO_WRITE_WORKQUEUE;
	/* VEIL_FLAG_NO_INLINE: what dm-crypt does by default, nothing to store. */
	if (f && crypt_persistent_flags_set(cd, CRYPT_FLAGS_ACTIVATION, f) < 0) {
		crypt_free(cd);
		return fail(-EINVAL, "libcryptsetup cannot store the persistent flags");
	}
	r = add_keyslots(cd, h, vk, passes, n, kp);
	if (r) {
		crypt_free(cd);
		return r;
	}
	*out = cd;
	return 0;
}

static int copy_range(struct veil_io *io, int img_fd, uint64_t off, uint64_t len)
{
	uint8_t *buf = malloc(len);
	int r;

	if (!buf)
		return -ENOMEM;
	r = pread(img_fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : -EIO;
	if (!r)
		r = io->pwrite(io->ctx, buf, len, off);
	free(buf);
	return r;
}

static int random_range(struct veil_io *io, uint64_t off, uint64_t len)
{
	uint8_t *buf = malloc(len);
	int r;

	if (!buf)
		return -ENOMEM;
	r = RAND_bytes(buf, (int)len) == 1 ? 0 : -EIO;
	if (!r)
		r = io->pwrite(io->ctx, buf, len, off);
	free(buf);
	return r;
}

/* The bytes place_luks2 writes, for the progress line. */
static uint64_t luks2_place_bytes(struct crypt_device *cd, const struct veil_header *h,
				  size_t nslots)
{
	uint64_t off, len, total = 2 * LUKS2_HDR;

	for (size_t i = 0; i < nslots; i++)
		if (!crypt_keyslot_area(cd, (int)i, &off, &len))
			total += len;
	for (int i = 0; i < VEIL_MAX_KEYSLOTS + VEIL_MAX_RETIRED; i++) {
		const struct veil_area *a = i < VEIL_MAX_KEYSLOTS ?
			(h->slots[i].state == VEIL_SLOT_ACTIVE ? &h->slots[i].area : NULL) :
			&h->retired[i - VEIL_MAX_KEYSLOTS];

		if (a)
			total += a->size;
	}
	return total;
}

/* The write sequence of the file comment. */
static int place_luks2(struct veil_io *io, struct crypt_device *cd, int img_fd,
		       const struct veil_header *h, size_t nslots)
{
	uint64_t off, len;
	int r = 0;

	for (size_t i = 0; !r && i < nslots; i++) {
		r = crypt_keyslot_area(cd, (int)i, &off, &len);
		if (!r)
			r = copy_range(io, img_fd, off, len);
	}
	if (!r)
		r = io->sync(io->ctx);
	if (!r)
		r = copy_range(io, img_fd, LUKS2_HDR, LUKS2_HDR);
	if (!r)
		r = io->sync(io->ctx);
	if (!r)
		r = copy_range(io, img_fd, 0, LUKS2_HDR);
	if (!r)
		r = io->sync(io->ctx);
	for (int i = 0; !r && i < VEIL_MAX_KEYSLOTS + VEIL_MAX_RETIRED; i++) {
		const struct veil_area *a = i < VEIL_MAX_KEYSLOTS ?
			(h->slots[i].state == VEIL_SLOT_ACTIVE ? &h->slots[i].area : NULL) :
			&h->retired[i - VEIL_MAX_KEYSLOTS];

		if (a && a->size)
			r = random_range(io, a->offset, a->size);
	}
	if (!r)
		r = io->sync(io->ctx);
	return r;
}

/* Does the device now open as LUKS2 with the first passphrase, to vk? */
static int verify_luks2(const char *device, const char *header, const struct secret *vk,
			const struct secret *pass)
{
	struct crypt_device *cd = NULL;
	char key[VEIL_MAX_KEY_SIZE];
	size_t len = sizeof(key);
	int r;

	r = header ? crypt_init_data_device(&cd, header, device) : crypt_init(&cd, device);
	if (!r)
		r = crypt_load(cd, CRYPT_LUKS2, NULL);
	if (!r)
		r = crypt_volume_key_get(cd, CRYPT_ANY_SLOT, key, &len, (const char *)pass->data,
					 pass->len);
	if (r >= 0)
		r = len == vk->len && !memcmp(key, vk->data, len) ? 0 : -EBADMSG;
	veil_wipe(key, sizeof(key));
	crypt_free(cd);
	return r;
}

static int backup_veil(struct vol *v, const char *path)
{
	struct veil_io out;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int r;

	if (fd < 0)
		return fail(-errno, "cannot create the header backup %s: %s (nothing was "
			    "changed)", path, strerror(errno));
	r = ftruncate(fd, (off_t)vol_header(v)->metadata_size) ? -errno : 0;
	if (!r)
		r = veil_io_from_fd(&out, fd, false);
	if (!r) {
		r = veil_header_backup(v->vol, &out);
		veil_io_close(&out);
	}
	close(fd);
	if (r) {
		unlink(path);
		return fail(r, "cannot write the header backup %s: %s (nothing was changed)",
			    path, veil_error_detail());
	}
	return 0;
}

int convert_to_luks2(struct veil_opts *o)
{
	const char *device = o->argv[0];
	struct vol v = { .fd = -1 };
	struct secret vk = { 0 }, pass = { 0 }, passes[VEIL_MAX_KEYSLOTS];
	struct veil_keyslot_params kp;
	struct crypt_device *cd = NULL;
	struct scratch s = { -1, -1, "", "" };
	struct veil_io io = { 0 };
	struct progress pr;
	const struct veil_header *h;
	char backup[4096];
	size_t npass = 0;
	int slot = -1, r;

	memset(passes, 0, sizeof(passes));
	r = device_check_unused(device);
	if (!r && o->header)
		r = device_check_unused(o->header);
	if (r)
		return r;
	r = vol_open(&v, device, o->header, VOL_WRITE);
	if (r)
		return r;
	h = vol_header(&v);
	if (h->segment.iv_large_sectors || h->segment.iv_offset || h->segment.data_size) {
		r = fail(-EINVAL, "%s: libcryptsetup cannot write this segment (%s) into a "
			 "LUKS2 header; it stays veil",
			 device, h->segment.iv_large_sectors ? "iv_large_sectors" :
			 h->segment.iv_offset ? "a non-zero IV offset" : "a fixed data size");
		goto out;
	}
	if (!h->segment.detached && h->segment.data_offset < 2 * LUKS2_HDR + 4096) {
		r = fail(-ENOSPC, "%s: data offset %llu leaves no room for a LUKS2 header",
			 device, (unsigned long long)h->segment.data_offset);
		goto out;
	}
	r = vol_unlock_ex(&v, o, NULL, o->key_slot, &vk, &pass, &slot);
	if (r)
		goto out;
	r = convert_collect_passes(o, &pass, passes, &npass);
	if (!r)
		r = kdf_params(o, vk.len, &kp);
	if (r)
		goto out;
	r = scratch_open(&s, h->segment.detached ? h->metadata_size : h->segment.data_offset,
			 h->segment.data_offset + (4u << 20));
	if (r) {
		r = fail(r, "cannot create the scratch header: %s", strerror(-r));
		goto out;
	}
	r = build_luks2(&s, h, &vk, passes, npass, &kp, o->pbkdf_iterations != 0, &cd);
	if (r)
		goto out;
	convert_backup_name(o->header_backup_file, o->header ? o->header : device, "veil", backup,
			    sizeof(backup));
	if (!access(backup, F_OK)) {
		r = fail(-EEXIST, "the header backup %s already exists; move it away or name "
			 "another with --header-backup-file (nothing was changed)", backup);
		goto out;
	}
	if (!o->batch) {
		char q[8192], uuid[VEIL_UUID_STR_LEN + 1];

		veil_uuid_unparse(h->uuid, uuid);
		snprintf(q, sizeof(q), "This converts %s in place from veil to LUKS2.\n"
			 "The veil header is replaced by a LUKS2 header with the same volume key,\n"
			 "cipher %s, %u-byte sectors, data at %llu, UUID %s,\n"
			 "and %zu keyslot(s); the data is not touched.\n"
			 "The veil header is saved to %s first.",
			 o->header ? o->header : device, h->segment.cipher,
			 h->segment.sector_size, (unsigned long long)h->segment.data_offset,
			 uuid, npass, backup);
		r = confirm_yes(q);
		if (r)
			goto out;
	}
	r = backup_veil(&v, backup);
	if (r)
		goto out;
	progress_start(&pr, "Writing the LUKS2 header", o->header ? o->header : device,
		       luks2_place_bytes(cd, h, npass), o->progress_json);
	r = convert_io(&v.io, &io, &pr);
	if (r)
		goto out;
	r = place_luks2(&io, cd, s.hdr_fd, h, npass);
	if (!r)
		progress_end(&pr);
	if (r) {
		r = fail(r, "%s: writing the LUKS2 header failed: %s; the veil header backup "
			 "is %s (veil header restore)", device, strerror(-r), backup);
		goto out;
	}
	crypt_free(cd);
	cd = NULL;
	convert_io_close(&io);
	vol_close(&v);		/* libcryptsetup takes its own lock to read it back */
	r = verify_luks2(device, o->header, &vk, &passes[0]);
	if (r) {
		r = fail(r, "%s: the new LUKS2 header does not verify (%s); the veil header "
			 "backup is %s", device, strerror(-r), backup);
		goto out;
	}
	printf("%s is now a LUKS2 volume (%zu keyslot(s)); open it with cryptsetup open.\n"
	       "The old veil header is saved in %s (veil header restore).\n",
	       o->header ? o->header : device, npass, backup);
out:
	convert_io_close(&io);
	if (cd)
		crypt_free(cd);
	scratch_close(&s);
	for (size_t i = 0; i < npass; i++)
		secret_free(&passes[i]);
	secret_free(&pass);
	secret_free(&vk);
	vol_close(&v);
	return r;
}
