// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Header backup and restore, and erase: whole-metadata operations that
 * need no secret.
 */
#include "internal.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Copy [from, to) of src to the same offsets of dst, 1 MiB at a time. */
static int copy_range(struct veil_io *src, struct veil_io *dst, uint64_t from,
		      uint64_t to)
{
	const size_t chunk = VEIL_MIB;
	uint8_t *buf = malloc(chunk);
	int r = 0;

	if (!buf)
		return veil_fail(-ENOMEM, "out of memory");
	while (from < to && !r) {
		size_t n = to - from > chunk ? chunk : (size_t)(to - from);

		r = veil_io_read(src, buf, n, from);
		if (!r)
			r = veil_io_write(dst, buf, n, from);
		from += n;
	}
	free(buf);
	return r;
}

int veil_header_backup(const struct veil_volume *vol, struct veil_io *out)
{
	uint64_t size = vol->hdr.metadata_size;
	int r;

	veil_error_clear();
	if (out->size < size)
		return veil_fail(-ENOSPC, "backup target of %llu bytes is smaller "
				 "than the %llu-byte metadata",
				 (unsigned long long)out->size,
				 (unsigned long long)size);
	r = copy_range(vol->io, out, 0, size);
	if (!r)
		r = veil_io_sync(out);
	return r;
}

static int load_prefix(struct veil_io *io, struct veil_header *h,
		       struct veil_load_report *rep)
{
	uint8_t buf[VEIL_HDR_PARSE_LEN];
	size_t n = io->size < sizeof(buf) ? (size_t)io->size : sizeof(buf);
	int r;

	memset(buf, 0, sizeof(buf));
	r = n ? veil_io_read(io, buf, n, 0) : 0;
	if (!r)
		r = veil_header_parse(buf, n, h, rep);
	return r;
}

static bool overlaps(const struct veil_area *a, const struct veil_area *b)
{
	return a->size && b->size && a->offset < b->offset + b->size &&
	       b->offset < a->offset + a->size;
}

/* Does the area hold the same bytes on both devices? */
static int same_bytes(struct veil_io *a, struct veil_io *b, const struct veil_area *area,
		      bool *same)
{
	const size_t chunk = VEIL_MIB;
	uint8_t *x = malloc(chunk), *y = malloc(chunk);
	uint64_t off = area->offset, end = area->offset + area->size;
	int r = 0;

	*same = true;
	if (!x || !y)
		r = veil_fail(-ENOMEM, "out of memory");
	while (!r && off < end && *same) {
		size_t n = end - off > chunk ? chunk : (size_t)(end - off);

		r = veil_io_read(a, x, n, off);
		if (!r)
			r = veil_io_read(b, y, n, off);
		if (!r && memcmp(x, y, n))
			*same = false;
		off += n;
	}
	free(x);
	free(y);
	return r;
}

/*
 * Would writing the backup's area now break a keyslot of the header on the
 * device (cur)? Only if it overlaps an active area there with other bytes.
 */
static int conflicts(const struct veil_header *cur, struct veil_io *dev,
		     struct veil_io *backup, const struct veil_area *area, bool *conflict)
{
	bool same;
	unsigned i;
	int r;

	*conflict = false;
	for (i = 0; i < VEIL_MAX_KEYSLOTS; i++)
		if (cur->slots[i].state == VEIL_SLOT_ACTIVE && overlaps(area, &cur->slots[i].area))
			*conflict = true;
	if (!*conflict)
		return 0;
	r = same_bytes(dev, backup, area, &same);
	if (!r && same)
		*conflict = false;
	return r;
}

int veil_header_restore(struct veil_io *dev, uint64_t data_dev_size,
			struct veil_io *backup, unsigned flags)
{
	struct veil_volume vol;
	struct veil_header cur;
	bool have_cur, conflict;
	uint64_t seq;
	unsigned i;
	int r;

	veil_error_clear();
	memset(&vol, 0, sizeof(vol));
	r = load_prefix(backup, &vol.hdr, &vol.rep);
	if (r)
		return veil_fail(r, "backup is not usable: %s",
				 strdupa(veil_error_detail()));
	if (backup->size < vol.hdr.metadata_size)
		return veil_fail(-ENOSPC, "backup is truncated: %llu of %llu bytes",
				 (unsigned long long)backup->size,
				 (unsigned long long)vol.hdr.metadata_size);
	/* A detached header never goes where it would be mapped as data. */
	if (vol.hdr.segment.detached && !(flags & VEIL_RESTORE_HEADER_DEVICE))
		return veil_fail(-EINVAL, "the backup holds a detached header: it can "
				 "only be restored to a header device, not to the "
				 "data device");
	if (!vol.hdr.segment.detached && (flags & VEIL_RESTORE_HEADER_DEVICE))
		return veil_fail(-EINVAL, "the backup holds a header whose data follows "
				 "it on the same device: it cannot be restored to a "
				 "detached header device");
	if (dev->read_only)
		return veil_fail(-EROFS, "device is opened read-only");
	if (dev->size < vol.hdr.metadata_size)
		return veil_fail(-ENOSPC, "device of %llu bytes cannot hold the "
				 "%llu-byte header", (unsigned long long)dev->size,
				 (unsigned long long)vol.hdr.metadata_size);
	if (!vol.hdr.segment.detached)
		data_dev_size = dev->size;
	if (vol.hdr.segment.data_offset +
	    (vol.hdr.segment.data_size ? vol.hdr.segment.data_size : 1) >
	    data_dev_size)
		return veil_fail(-ENOSPC, "the backup's data area does not fit "
				 "the %llu-byte device",
				 (unsigned long long)data_dev_size);

	seq = vol.hdr.seqid;
	have_cur = !load_prefix(dev, &cur, NULL);
	if (have_cur) {
		if (memcmp(cur.uuid, vol.hdr.uuid, VEIL_UUID_SIZE) &&
		    !(flags & VEIL_RESTORE_FORCE))
			return veil_fail(-EEXIST, "the device holds another veil "
					 "volume (different UUID)");
		/* seqid never goes back on a device. */
		if (cur.seqid >= seq)
			seq = cur.seqid;
	}
	veil_error_clear();
	/*
	 * Every cut must leave a header that opens with the old keys or the
	 * new ones. 1. The backup's keyslot areas that no active area of the
	 * header on the device needs go first: the old header is untouched.
	 * 2. The backup's header is committed (both copies). 3. Only then the
	 * rest of the region, which the old header no longer references.
	 */
	for (i = 0; i < VEIL_MAX_KEYSLOTS && !r; i++) {
		const struct veil_area *a = &vol.hdr.slots[i].area;

		if (vol.hdr.slots[i].state != VEIL_SLOT_ACTIVE)
			continue;
		conflict = false;
		if (have_cur)
			r = conflicts(&cur, dev, backup, a, &conflict);
		if (!r && !conflict)
			r = copy_range(backup, dev, a->offset, a->offset + a->size);
	}
	if (!r)
		r = veil_io_sync(dev);
	if (r)
		return r;
	vol.io = dev;
	vol.rep.used_copy = 0;
	vol.rep.copy_seqid[0] = vol.rep.copy_seqid[1] = seq;
	vol.hdr.seqid = seq;
	cur = vol.hdr;
	r = veil_volume_commit(&vol, &cur);
	if (r)
		return r;
	r = copy_range(backup, dev, VEIL_HDR_PARSE_LEN, vol.hdr.metadata_size);
	if (!r)
		r = veil_io_sync(dev);
	return r;
}

/*
 * Destroy what may hold key material: the keyslot region first, then both
 * copies (zeroed). The extent is the metadata area a readable copy
 * declares, at least the default 16 MiB, at most the device.
 */
static int destroy_metadata(struct veil_io *io)
{
	struct veil_header h;
	uint64_t end = VEIL_DEFAULT_METADATA_SIZE;
	uint8_t *zero;
	int r;

	if (!load_prefix(io, &h, NULL) && h.metadata_size > end)
		end = h.metadata_size;
	veil_error_clear();
	if (end > io->size)
		end = io->size;
	if (end > VEIL_HDR_PARSE_LEN) {
		r = veil_io_wipe(io, VEIL_HDR_PARSE_LEN, end - VEIL_HDR_PARSE_LEN);
		if (!r)
			r = veil_io_sync(io);
		if (r)
			return r;
	}
	zero = calloc(1, VEIL_HDR_PARSE_LEN);
	if (!zero)
		return veil_fail(-ENOMEM, "out of memory");
	r = veil_io_write(io, zero, end < VEIL_HDR_PARSE_LEN ? (size_t)end :
			  VEIL_HDR_PARSE_LEN, 0);
	free(zero);
	if (!r)
		r = veil_io_sync(io);
	return r;
}

int veil_wipe_metadata(struct veil_io *io)
{
	uint8_t buf[VEIL_HDR_PARSE_LEN];
	size_t n = io->size < sizeof(buf) ? (size_t)io->size : sizeof(buf);
	int r;

	veil_error_clear();
	if (io->read_only)
		return veil_fail(-EROFS, "device is opened read-only");
	memset(buf, 0, sizeof(buf));
	r = n ? veil_io_read(io, buf, n, 0) : 0;
	if (r)
		return r;
	if (!veil_probe_magic(buf, n) &&
	    !(n >= VEIL_HDR_PARSE_LEN &&
	      !memcmp(buf + VEIL_HDR_COPY1_OFFSET, veil_magic1, VEIL_MAGIC_LEN)))
		return veil_fail(-ENODEV, "no veil header");
	return destroy_metadata(io);
}

int veil_erase(struct veil_io *io)
{
	struct veil_volume *vol = NULL;
	struct veil_header h;
	int r;

	veil_error_clear();
	if (io->read_only)
		return veil_fail(-EROFS, "device is opened read-only");
	r = veil_load(io, 0, &vol, NULL);
	if (r == -ENODEV)
		return r;	/* never wipe what is not ours */
	if (r) {
		veil_error_clear();
		return destroy_metadata(io);
	}
	/* Material first: once it is gone no header state can bring it back. */
	r = veil_io_wipe(io, VEIL_HDR_PARSE_LEN,
			 vol->hdr.metadata_size - VEIL_HDR_PARSE_LEN);
	if (!r)
		r = veil_io_sync(io);
	if (r)
		goto out;
	h = vol->hdr;
	memset(h.slots, 0, sizeof(h.slots));
	memset(h.retired, 0, sizeof(h.retired));
	/* Without the volume key the MAC cannot be recomputed; a zero MAC says
	 * so plainly, and with no keyslot nothing can ever reach the check. */
	memset(h.mac, 0, sizeof(h.mac));
	r = veil_volume_commit(vol, &h);
out:
	veil_volume_free(vol);
	return r;
}
