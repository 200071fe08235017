/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The conversion engine: a bio's units through the cipher, in chunks. */
#ifndef _VEIL_CONVERT_H
#define _VEIL_CONVERT_H

#include <crypto/skcipher.h>
#include <linux/bvec.h>
#include <linux/completion.h>
#include <linux/workqueue.h>

struct bio;
struct dm_target;
struct veil_per_bio;
struct veil_target;

/*
 * One conversion: a run of whole units of a bio, converted in order by one
 * context at a time. A bio has one, in its per-bio data; a large one may
 * get more from chunk_pool, one per CPU that helps (see veil_split()).
 */
struct veil_chunk {
	struct veil_per_bio *pb;
	struct bvec_iter iter_in;
	struct bvec_iter iter_out;
	u64 unit_sector;		/* unit being converted, 512-byte sectors */
	bool resume;			/* the worker continues a conversion */
	bool backlogged;		/* ... after waiting for restart */
	struct completion restart;	/* a backlogged request was taken */
	struct skcipher_request *req;	/* free request to use next */
	struct work_struct work;
};

/* Per-bio state, in dm's per-bio data; one request follows it. */
struct veil_per_bio {
	struct veil_target *v;
	struct bio *base;		/* the bio dm gave us */
	struct bio *clone;		/* write: the encrypted bio */
	sector_t sector;		/* target-relative, 512-byte sectors */
	unsigned int size;
	blk_status_t error;
	int offload_cpu;		/* counted in that CPU's cpu_load, or -1 */
	atomic_t pending;		/* requests in flight + chunks converting */
	struct veil_chunk first;
	struct work_struct io_work;
} CRYPTO_MINALIGN_ATTR;

int veil_convert_init(struct dm_target *ti, struct veil_target *v, const char **error);
void veil_convert_exit(struct veil_target *v);
void veil_convert_start(struct veil_per_bio *pb);
void veil_convert(struct veil_chunk *c, bool encrypt, bool atomic);

#endif /* _VEIL_CONVERT_H */
