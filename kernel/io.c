// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The data path.
 *
 * Reads: the bio is cloned (sharing its pages) and sent down; when the
 * clone completes, the data is decrypted in place in the caller's pages.
 * Writes: the data is encrypted out of place into pages from a per-table
 * mempool, and a new bio carrying those pages is sent down; the caller's
 * pages are never modified.
 *
 * Forward progress under memory pressure, since a veil device may be where
 * writeback goes:
 *  - Every allocation on the path is GFP_NOIO or GFP_NOWAIT, and comes from
 *    a mempool or bioset reserved when the table was built.
 *  - The map function runs inside submit_bio(), where blocking on a bioset
 *    can deadlock on bios parked on current->bio_list; it only tries
 *    GFP_NOWAIT and defers to a WQ_MEM_RECLAIM workqueue otherwise.
 *  - Crypto runs in a WQ_MEM_RECLAIM workqueue (a rescuer thread exists
 *    even when no worker can be created), or inline for a small bio where
 *    that takes no memory a blocked worker would wait for (below), and
 *    never sets CRYPTO_TFM_REQ_MAY_SLEEP, so no cipher implementation may
 *    sleep in an allocation that recurses into reclaim. Tfms are allocated
 *    without CRYPTO_ALG_ALLOCATES_MEMORY, see cipher.c.
 *  - Write bounce pages are capped across all veil devices, and a writer
 *    that waits for them waits alone and for a whole write: bounce.c.
 *
 * Crypto requests may complete asynchronously (a hardware driver, or the
 * SIMD wrapper falling back to cryptd). Each encryption unit is one
 * request; pb->pending counts those in flight plus one for each chunk still
 * converting, and whoever drops it to zero finishes the bio. With
 * CRYPTO_TFM_REQ_MAY_BACKLOG a full driver queue answers -EBUSY and keeps
 * the request in its backlog; the worker then waits until the driver
 * reports it was taken (callback with -EINPROGRESS) before issuing more.
 *
 * Inline conversion. A worker costs two context switches per bio, which
 * dominates a small bio at low queue depth, so a small bio (up to
 * VEIL_INLINE_MAX_BYTES) is converted where it is while the device has
 * few bios in flight (VEIL_INLINE_MAX_DEPTH): a write in the map
 * function, a read in the completion of its clone. Such a conversion is
 * "atomic": it may run in softirq context or under the lower driver's
 * locks, so it never sleeps: no cond_resched(), no wait for a backlogged
 * request, GFP_NOWAIT only (it runs under current->bio_list, or in
 * completion context). Whatever it cannot do without sleeping, it leaves to
 * the worker, which continues from the unit it stopped at. Not inline:
 *  - in hard interrupt context, or with interrupts off, or where the FPU is
 *    not usable (may_use_simd()): the SIMD cipher would defer to cryptd;
 *  - a task in reclaim (PF_MEMALLOC, kswapd) or a swap write: memory is
 *    short there, and the worker's blocking allocations wait their turn
 *    where these would take the last free pages;
 *  - a deep queue (more than VEIL_INLINE_MAX_DEPTH bios in flight) while
 *    a worker is free: inline work would keep the other CPUs idle. Once
 *    the workers have a backlog (a bio queued that none has started), the
 *    submitting CPU converts its own bios again: a context switch to a
 *    worker gains nothing when no CPU is waiting for work. The depth is
 *    what the device below holds: one that completes a bio within
 *    submit_bio() (brd), or sooner than a CPU converts the next, never
 *    looks deep, whatever the application queues;
 *  - a large bio: it belongs on the workers. While the device has fewer
 *    bios in flight than there are CPUs, a large bio is also cut into
 *    chunks, one per CPU, converted side by side (veil_split()).
 */
#include <crypto/skcipher.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/completion.h>
#include <linux/device-mapper.h>
#include <linux/highmem.h>
#include <linux/mempool.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/swap.h>
#include <linux/workqueue.h>
#include <asm/simd.h>

#include "bounce.h"
#include "cipher.h"
#include "compat.h"
#include "io.h"
#include "iv.h"
#include "target.h"

#define VEIL_MIN_IOS 64
/* Enough for a 4096-byte unit whose buffer straddles pages. */
#define VEIL_MAX_SG 4
/* Largest write handled in one piece: one page per bio_vec. */
#define VEIL_MAX_WRITE_BYTES (BIO_MAX_VECS << PAGE_SHIFT)
/* Largest bio converted inline (see the top of the file). */
#define VEIL_INLINE_MAX_BYTES (64 * 1024)
/*
 * Bios of the device in flight, this one included, up to which a small bio
 * is always converted inline; deeper, it goes to a worker while there is a
 * CPU to run it (see veil_inline_allowed()).
 */
#define VEIL_INLINE_MAX_DEPTH 4
/* A large bio is converted in chunks of at least this, one per CPU. */
#define VEIL_CHUNK_MIN_BYTES (128 * 1024)
#define VEIL_MAX_CHUNKS 8
#define VEIL_MIN_CHUNKS 16

struct veil_per_bio;

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

/* Tail of every skcipher request, after the driver's context. */
struct veil_req {
	struct veil_per_bio *pb;
	/* Only while a backlogged request waits: its chunk outlives it then. */
	struct veil_chunk *chunk;
	struct scatterlist sg_in[VEIL_MAX_SG];
	struct scatterlist sg_out[VEIL_MAX_SG];
};

/* Per-bio state, in dm's per-bio data; one request follows it. */
struct veil_per_bio {
	struct veil_target *v;
	struct bio *base;		/* the bio dm gave us */
	struct bio *clone;		/* write: the encrypted bio */
	sector_t sector;		/* target-relative, 512-byte sectors */
	unsigned int size;
	blk_status_t error;
	atomic_t pending;		/* requests in flight + chunks converting */
	struct veil_chunk first;
	struct work_struct io_work;
} CRYPTO_MINALIGN_ATTR;

static struct skcipher_request *veil_per_bio_embedded_req(struct veil_per_bio *pb)
{
	return PTR_ALIGN((void *)(pb + 1), CRYPTO_MINALIGN);
}

static struct veil_req *veil_req_tail(const struct veil_target *v,
				      struct skcipher_request *req)
{
	return (void *)((u8 *)req + v->vreq_offset);
}

static struct skcipher_request *veil_req_head(const struct veil_target *v,
					      struct veil_req *vr)
{
	return (void *)((u8 *)vr - v->vreq_offset);
}

static u8 *veil_req_iv(const struct veil_target *v, struct skcipher_request *req)
{
	return PTR_ALIGN((u8 *)req + v->iv_offset_in_req, v->iv_align_mask + 1);
}

static void veil_req_free(struct veil_per_bio *pb, struct skcipher_request *req)
{
	if (req != veil_per_bio_embedded_req(pb))
		mempool_free(req, &pb->v->req_pool);
}

/*
 * Count one bio on this CPU: @ios gains one and, unless it is the error
 * counter, @ios + 1 gains @bytes. Callers run in any context, hard
 * interrupts included, hence the irqsave (free on 64-bit).
 */
static void veil_stats_count(struct veil_target *v, enum veil_stat ios, unsigned int bytes)
{
	struct veil_stats *s = get_cpu_ptr(v->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_inc(&s->count[ios]);
	if (ios != VEIL_STAT_ERRORS)
		u64_stats_add(&s->count[ios + 1], bytes);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(v->stats);
}

static void veil_io_complete(struct veil_per_bio *pb, blk_status_t status)
{
	struct bio *base = pb->base;

	if (unlikely(status))
		veil_stats_count(pb->v, VEIL_STAT_ERRORS, 0);
	else if (bio_data_dir(base) == READ)
		veil_stats_count(pb->v, VEIL_STAT_READ_IOS, pb->size);
	else
		veil_stats_count(pb->v, VEIL_STAT_WRITE_IOS, pb->size);

	atomic_dec(&pb->v->inflight);
	/* The last touch: once it ends, the table may go away. */
	base->bi_status = status;
	bio_endio(base);
}

/*
 * Point @sg at the next @len bytes of @bio. A unit normally sits in one
 * page; it may straddle a few when the caller's buffer is only 512-byte
 * aligned.
 */
static int veil_map_sg(struct scatterlist *sg, struct bio *bio,
		       struct bvec_iter *iter, unsigned int len)
{
	unsigned int n = 0;

	sg_init_table(sg, VEIL_MAX_SG);
	while (len) {
		struct bio_vec bv;
		unsigned int chunk;

		if (!iter->bi_size || n == VEIL_MAX_SG)
			return -EIO;
		bv = bio_iter_iovec(bio, *iter);
		chunk = min(len, bv.bv_len);
		sg_set_page(&sg[n++], bv.bv_page, chunk, bv.bv_offset);
		bio_advance_iter_single(bio, iter, chunk);
		len -= chunk;
	}
	sg_mark_end(&sg[n - 1]);
	return 0;
}

static void veil_write_endio(struct bio *clone)
{
	struct veil_per_bio *pb = clone->bi_private;
	blk_status_t status = clone->bi_status;

	veil_bounce_bio_free(pb->v, clone);
	veil_io_complete(pb, status);
}

/* All units are converted (or failed): end a read, send a write down. */
static void veil_convert_done(struct veil_per_bio *pb, bool async)
{
	blk_status_t error = READ_ONCE(pb->error);

	if (bio_data_dir(pb->base) == READ) {
		veil_io_complete(pb, error);
		return;
	}

	if (unlikely(error)) {
		veil_bounce_bio_free(pb->v, pb->clone);
		veil_io_complete(pb, error);
		return;
	}

	/* A crypto completion may run in softirq context; submit from a worker. */
	if (async)
		queue_work(pb->v->io_wq, &pb->io_work);
	else
		dm_submit_bio_remap(pb->base, pb->clone);
}

static void veil_crypt_done(veil_crypto_done_arg_t arg, int err)
{
	struct veil_req *vr = veil_crypto_done_data(arg);
	struct veil_per_bio *pb = vr->pb;

	/* A backlogged request was taken by the driver; the final call follows. */
	if (err == -EINPROGRESS) {
		complete(&vr->chunk->restart);
		return;
	}

	if (unlikely(err)) {
		DMERR_LIMIT("%pg: crypto request failed (%d)", pb->base->bi_bdev, err);
		WRITE_ONCE(pb->error, BLK_STS_IOERR);
	}
	veil_req_free(pb, veil_req_head(pb->v, vr));

	if (atomic_dec_and_test(&pb->pending))
		veil_convert_done(pb, true);
}

/*
 * Leave the rest of an atomic conversion to the worker. The chunk's count
 * in pb->pending stays held: the worker drops it when it is done.
 */
static void veil_convert_defer(struct veil_chunk *c)
{
	c->resume = true;
	queue_work(c->pb->v->crypt_wq, &c->work);
}

/*
 * Encrypt or decrypt every sector_size unit of the chunk that is left, one
 * request each, then let go of the chunk and of its count in pb->pending.
 * @atomic: never sleep (see the top of the file); what would need to is
 * deferred to the worker.
 */
static void veil_convert(struct veil_chunk *c, bool encrypt, bool atomic)
{
	struct veil_per_bio *pb = c->pb;
	struct veil_target *v = pb->v;
	unsigned int step = v->sector_size >> SECTOR_SHIFT;
	struct bio *out_bio = encrypt ? pb->clone : pb->base;

	while (c->iter_in.bi_size) {
		struct skcipher_request *req = c->req;
		struct veil_req *vr;
		u8 *iv;
		int r;

		if (!req) {
			/* Never NULL with GFP_NOIO: it waits for in-flight requests to return. */
			req = mempool_alloc(&v->req_pool, atomic ? GFP_NOWAIT : GFP_NOIO);
			if (!req) {
				veil_convert_defer(c);
				return;
			}
			c->req = req;
		}
		vr = veil_req_tail(v, req);
		vr->pb = pb;
		vr->chunk = c;
		iv = veil_req_iv(v, req);

		if (veil_map_sg(vr->sg_in, pb->base, &c->iter_in, v->sector_size) ||
		    (encrypt && veil_map_sg(vr->sg_out, out_bio, &c->iter_out,
					    v->sector_size))) {
			DMERR_LIMIT("%pg: bio data not aligned to sector_size %u",
				    pb->base->bi_bdev, v->sector_size);
			WRITE_ONCE(pb->error, BLK_STS_IOERR);
			break;
		}

		veil_iv_generate(v->cipher->iv_mode, iv, v->iv_size,
				 veil_iv_sector(v, c->unit_sector));

		skcipher_request_set_tfm(req, v->tfm);
		skcipher_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG,
					      veil_crypt_done, vr);
		skcipher_request_set_crypt(req, vr->sg_in,
					   encrypt ? vr->sg_out : vr->sg_in,
					   v->sector_size, iv);

		atomic_inc(&pb->pending);
		r = encrypt ? crypto_skcipher_encrypt(req) : crypto_skcipher_decrypt(req);
		switch (r) {
		case 0:
			/* Done synchronously; the request is free again. */
			atomic_dec(&pb->pending);
			break;
		case -EBUSY:
			/* Backlogged: the driver is full, wait for room. */
			if (atomic && !try_wait_for_completion(&c->restart)) {
				/* The request is issued; the worker waits for room. */
				c->req = NULL;
				c->unit_sector += step;
				c->backlogged = true;
				veil_convert_defer(c);
				return;
			}
			if (!atomic)
				wait_for_completion(&c->restart);
			reinit_completion(&c->restart);
			fallthrough;
		case -EINPROGRESS:
			/* The callback owns the request now. */
			c->req = NULL;
			break;
		default:
			atomic_dec(&pb->pending);
			DMERR_LIMIT("%pg: crypto request failed (%d)", pb->base->bi_bdev, r);
			WRITE_ONCE(pb->error, BLK_STS_IOERR);
			goto out;
		}

		c->unit_sector += step;
		if (!atomic)
			cond_resched();
	}
out:
	if (c->req) {
		veil_req_free(pb, c->req);
		c->req = NULL;
	}
	/* In-flight requests use their chunk only while backlogged, waited for above. */
	if (c != &pb->first)
		mempool_free(c, &v->chunk_pool);
	if (atomic_dec_and_test(&pb->pending))
		veil_convert_done(pb, false);
}

/*
 * Is some CPU other than this one free to take a bio? The workers have not
 * yet started every bio queued to them: they are all busy, and this CPU
 * would only add a bio to their backlog. One CPU alone never has a helper.
 */
static bool veil_workers_idle(struct veil_target *v)
{
	return (unsigned int)atomic_read(&v->crypt_queued) + 1 < num_online_cpus();
}

/*
 * May this bio be converted here and now? The rules are at the top of the
 * file; the context tests come last, they cost the most.
 */
static bool veil_inline_allowed(const struct veil_per_bio *pb)
{
	if (pb->size > VEIL_INLINE_MAX_BYTES)
		return false;
	if (atomic_read(&pb->v->inflight) > VEIL_INLINE_MAX_DEPTH && veil_workers_idle(pb->v))
		return false;
	if (bio_data_dir(pb->base) == WRITE && (pb->base->bi_opf & REQ_SWAP))
		return false;
	if (in_hardirq() || irqs_disabled() || !may_use_simd())
		return false;
	if (in_task() && ((current->flags & PF_MEMALLOC) || current_is_kswapd()))
		return false;
	return true;
}

/* A bio's first trip to the workers: counted until a worker starts it. */
static void veil_queue_bio(struct veil_per_bio *pb)
{
	atomic_inc(&pb->v->crypt_queued);
	queue_work(pb->v->crypt_wq, &pb->first.work);
}

static void veil_read_endio(struct bio *clone)
{
	struct veil_per_bio *pb = clone->bi_private;
	blk_status_t status = clone->bi_status;

	bio_put(clone);
	if (unlikely(status)) {
		veil_io_complete(pb, status);
		return;
	}
	atomic_set(&pb->pending, 1);
	if (veil_inline_allowed(pb))
		veil_convert(&pb->first, false, true);
	else
		veil_queue_bio(pb);
}

/*
 * What a clone of ours must and must not inherit from the bio it replaces.
 *
 * REQ_POLLED: dm polls for completion only the clones it submitted itself
 * (bio_poll on its own per-target bio). Ours would sit in a polled hardware
 * queue that nobody polls, and the caller would wait forever.
 *
 * The cgroup: a write clone is allocated in a kworker, so bio_alloc_bioset()
 * tied it to the kworker's (root) cgroup, and io.max, io.weight and
 * writeback accounting would stop applying below veil. Some kernels' dm core
 * re-associates clones in dm_submit_bio_remap() and some do not; doing it
 * here makes it hold on all of them. A read clone is made by
 * bio_alloc_clone(), which already did it (a blkg lookup per bio: not
 * repeated).
 */
static void veil_clone_prepare(struct bio *clone, struct bio *base)
{
	bio_clear_polled(clone);
	if (bio_data_dir(base) == WRITE)
		bio_clone_blkg_association(clone, base);
}

/*
 * The bio for a write's ciphertext: bounce pages, sent where the caller's
 * bio was going. From the worker (@wait) it never fails; from the map
 * function it takes only what is there without waiting, or returns NULL.
 */
static struct bio *veil_write_clone(struct veil_per_bio *pb, bool wait)
{
	struct veil_target *v = pb->v;
	struct bio *clone;

	if (wait)
		clone = veil_bounce_bio_alloc(v, pb->base->bi_opf, pb->size);
	else
		clone = veil_bounce_bio_try(v, pb->base->bi_opf, pb->size,
					    GFP_NOWAIT, GFP_NOWAIT);
	if (!clone)
		return NULL;
	clone->bi_iter.bi_sector = v->start + pb->sector;
	clone->bi_ioprio = pb->base->bi_ioprio;
	clone->bi_private = pb;
	clone->bi_end_io = veil_write_endio;
	veil_clone_prepare(clone, pb->base);
	return clone;
}

static void veil_crypt_work(struct work_struct *work);

static void veil_chunk_init(struct veil_chunk *c, struct veil_per_bio *pb,
			    struct skcipher_request *req)
{
	c->pb = pb;
	c->resume = false;
	c->backlogged = false;
	init_completion(&c->restart);
	c->req = req;
	INIT_WORK(&c->work, veil_crypt_work);
}

/*
 * Spread a large bio over the CPUs while the device has fewer bios in
 * flight than there are CPUs; with a deeper queue each CPU already has a
 * bio of its own, and chunks would only add work items. The first chunk
 * stays with the caller, the others go to the unbound workqueue. Chunks
 * come from chunk_pool without waiting; if it is short, the chunks that
 * were had cover the bio between them.
 */
static void veil_split(struct veil_per_bio *pb, bool encrypt)
{
	struct veil_target *v = pb->v;
	struct veil_chunk *extra[VEIL_MAX_CHUNKS - 1];
	struct bvec_iter in = pb->first.iter_in, out = {};
	unsigned int nr, len, offset, i;

	if (pb->size < 2 * VEIL_CHUNK_MIN_BYTES ||
	    (unsigned int)atomic_read(&v->inflight) >= num_online_cpus())
		return;
	nr = min3(num_online_cpus(), pb->size / VEIL_CHUNK_MIN_BYTES, (unsigned int)VEIL_MAX_CHUNKS);
	for (i = 0; i + 1 < nr; i++) {
		extra[i] = mempool_alloc(&v->chunk_pool, GFP_NOWAIT);
		if (!extra[i])
			break;
	}
	nr = i + 1;
	if (nr == 1)
		return;

	/* Whole units; every chunk is non-empty, as a chunk is far larger than a unit. */
	len = round_up(DIV_ROUND_UP(pb->size, nr), v->sector_size);
	atomic_add(nr - 1, &pb->pending);
	pb->first.iter_in.bi_size = len;
	if (encrypt) {
		out = pb->first.iter_out;
		pb->first.iter_out.bi_size = len;
	}
	for (i = 1, offset = len; i < nr; i++, offset += len) {
		struct veil_chunk *c = extra[i - 1];

		veil_chunk_init(c, pb, NULL);
		c->iter_in = in;
		bio_advance_iter(pb->base, &c->iter_in, offset);
		c->iter_in.bi_size = min(len, pb->size - offset);
		if (encrypt) {
			c->iter_out = out;
			bio_advance_iter(pb->clone, &c->iter_out, offset);
			c->iter_out.bi_size = c->iter_in.bi_size;
		}
		c->unit_sector = pb->first.unit_sector + (offset >> SECTOR_SHIFT);
		queue_work(v->crypt_wq, &c->work);
	}
}

static void veil_crypt_work(struct work_struct *work)
{
	struct veil_chunk *c = container_of(work, struct veil_chunk, work);
	struct veil_per_bio *pb = c->pb;
	bool encrypt = bio_data_dir(pb->base) == WRITE;

	if (c->resume) {
		/* An atomic conversion stopped; pending still counts it. */
		c->resume = false;
		if (c->backlogged) {
			c->backlogged = false;
			wait_for_completion(&c->restart);
			reinit_completion(&c->restart);
		}
	} else if (c == &pb->first) {
		/* The bio's first time here. A read's pending was set by its completion. */
		atomic_dec(&pb->v->crypt_queued);
		if (encrypt) {
			pb->clone = veil_write_clone(pb, true);
			c->iter_out = pb->clone->bi_iter;
			atomic_set(&pb->pending, 1);
		}
		veil_split(pb, encrypt);
	}
	veil_convert(c, encrypt, false);
}

/*
 * Encrypt a small write in the map function, if memory is there without
 * waiting for it (current->bio_list is set: blocking on the bioset or the
 * page pool could wait on bios parked behind us). False: use the worker.
 */
static bool veil_write_inline(struct veil_per_bio *pb)
{
	if (!veil_inline_allowed(pb))
		return false;
	pb->clone = veil_write_clone(pb, false);
	if (!pb->clone)
		return false;
	pb->first.iter_out = pb->clone->bi_iter;
	atomic_set(&pb->pending, 1);
	veil_convert(&pb->first, true, true);
	return true;
}

static int veil_read_submit(struct veil_per_bio *pb, gfp_t gfp)
{
	struct veil_target *v = pb->v;
	struct bio *clone;

	clone = bio_alloc_clone(v->dev->bdev, pb->base, gfp, &v->bs);
	if (!clone)
		return -ENOMEM;
	clone->bi_iter.bi_sector = v->start + pb->sector;
	clone->bi_private = pb;
	clone->bi_end_io = veil_read_endio;
	veil_clone_prepare(clone, pb->base);
	dm_submit_bio_remap(pb->base, clone);
	return 0;
}

/* Submissions that could not happen where they were decided. */
static void veil_io_work(struct work_struct *work)
{
	struct veil_per_bio *pb = container_of(work, struct veil_per_bio, io_work);

	if (bio_data_dir(pb->base) == WRITE) {
		dm_submit_bio_remap(pb->base, pb->clone);
		return;
	}
	if (veil_read_submit(pb, GFP_NOIO))
		veil_io_complete(pb, BLK_STS_RESOURCE);
}

static bool veil_bio_aligned(const struct veil_target *v, const struct bio *bio)
{
	sector_t unit_mask = (v->sector_size >> SECTOR_SHIFT) - 1;

	return !(bio->bi_iter.bi_sector & unit_mask) &&
	       !(bio->bi_iter.bi_size & (v->sector_size - 1));
}

static int veil_remap(struct dm_target *ti, struct bio *bio)
{
	struct veil_target *v = ti->private;

	bio_set_dev(bio, v->dev->bdev);
	if (bio_sectors(bio))
		bio->bi_iter.bi_sector = v->start +
			dm_target_offset(ti, bio->bi_iter.bi_sector);
	return DM_MAPIO_REMAPPED;
}

/*
 * A discard is passed down as dm-crypt passes it, but only whole encryption
 * units: discarding part of a unit would turn the rest of it, data the
 * caller did not discard, into garbage. veil_io_hints() makes dm split
 * discards on unit boundaries, so a partial unit can only come from a
 * caller's request; its whole units are discarded, and a discard smaller
 * than one unit does nothing and succeeds, like any discard a device may
 * ignore.
 */
static int veil_map_discard(struct dm_target *ti, struct veil_target *v, struct bio *bio)
{
	sector_t unit = v->sector_size >> SECTOR_SHIFT;
	sector_t start = bio->bi_iter.bi_sector;
	sector_t end = start + bio_sectors(bio);
	sector_t first = round_up(start, unit);
	sector_t last = round_down(end, unit);

	if (unlikely(first != start || last != end)) {
		if (last <= first) {
			bio_endio(bio);
			return DM_MAPIO_SUBMITTED;
		}
		bio->bi_iter.bi_sector = first;
		bio->bi_iter.bi_size = (last - first) << SECTOR_SHIFT;
	}
	return veil_remap(ti, bio);
}

int veil_map(struct dm_target *ti, struct bio *bio)
{
	struct veil_target *v = ti->private;
	struct veil_per_bio *pb;

	/*
	 * dm core sends flushes empty and before any data they came with;
	 * nothing to encrypt, and nothing in flight here to order against.
	 */
	if (unlikely(bio->bi_opf & REQ_PREFLUSH) || !bio->bi_iter.bi_size)
		return veil_remap(ti, bio);

	/* dm only sends discards when the table allows them. */
	if (bio_op(bio) == REQ_OP_DISCARD && v->allow_discards)
		return veil_map_discard(ti, v, bio);

	if (unlikely(!veil_bio_aligned(v, bio))) {
		DMERR_LIMIT("%pg: bio at sector %llu size %u not aligned to sector_size %u",
			    bio->bi_bdev, (unsigned long long)bio->bi_iter.bi_sector,
			    bio->bi_iter.bi_size, v->sector_size);
		veil_stats_count(v, VEIL_STAT_ERRORS, 0);
		return DM_MAPIO_KILL;
	}

	switch (bio_op(bio)) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		break;
	default:
		veil_stats_count(v, VEIL_STAT_ERRORS, 0);
		return DM_MAPIO_KILL;
	}

	if (bio_data_dir(bio) == WRITE && bio->bi_iter.bi_size > VEIL_MAX_WRITE_BYTES)
		dm_accept_partial_bio(bio, VEIL_MAX_WRITE_BYTES >> SECTOR_SHIFT);

	pb = dm_per_bio_data(bio, ti->per_io_data_size);
	pb->v = v;
	pb->base = bio;
	pb->clone = NULL;
	pb->sector = dm_target_offset(ti, bio->bi_iter.bi_sector);
	pb->size = bio->bi_iter.bi_size;
	pb->error = BLK_STS_OK;
	veil_chunk_init(&pb->first, pb, veil_per_bio_embedded_req(pb));
	pb->first.iter_in = bio->bi_iter;
	pb->first.unit_sector = pb->sector;
	INIT_WORK(&pb->io_work, veil_io_work);
	atomic_inc(&v->inflight);

	if (bio_data_dir(bio) == READ) {
		if (veil_read_submit(pb, GFP_NOWAIT))
			queue_work(v->io_wq, &pb->io_work);
	} else if (!veil_write_inline(pb)) {
		veil_queue_bio(pb);
	}
	return DM_MAPIO_SUBMITTED;
}

int veil_io_init(struct dm_target *ti, struct veil_target *v, const char **error)
{
	const char *devname = dm_table_device_name(ti->table);
	unsigned int reqsize;
	int cpu, r;

	v->stats = alloc_percpu(struct veil_stats);
	if (!v->stats) {
		*error = "cannot allocate statistics";
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(v->stats, cpu)->syncp);

	/* skcipher_request + driver context | struct veil_req | IV (aligned) */
	reqsize = sizeof(struct skcipher_request) + crypto_skcipher_reqsize(v->tfm);
	v->vreq_offset = ALIGN(reqsize, __alignof__(struct veil_req));
	v->iv_offset_in_req = v->vreq_offset + sizeof(struct veil_req);
	v->iv_align_mask = crypto_skcipher_alignmask(v->tfm);
	v->req_size = v->iv_offset_in_req + v->iv_align_mask + max(v->iv_size, 1U);

	ti->per_io_data_size = ALIGN(sizeof(struct veil_per_bio) + CRYPTO_MINALIGN + v->req_size,
				     ARCH_KMALLOC_MINALIGN);

	r = mempool_init_kmalloc_pool(&v->req_pool, VEIL_MIN_IOS, v->req_size);
	if (r) {
		*error = "cannot allocate crypto request pool";
		return r;
	}

	r = mempool_init_kmalloc_pool(&v->chunk_pool, VEIL_MIN_CHUNKS, sizeof(struct veil_chunk));
	if (r) {
		*error = "cannot allocate chunk pool";
		return r;
	}

	r = veil_bounce_init(v, error);
	if (r)
		return r;

	r = bioset_init(&v->bs, VEIL_MIN_IOS, 0, BIOSET_NEED_BVECS);
	if (r) {
		*error = "cannot allocate bioset";
		return r;
	}

	v->io_wq = alloc_workqueue("kveil_io/%s", WQ_MEM_RECLAIM, 0, devname);
	if (!v->io_wq) {
		*error = "cannot create I/O workqueue";
		return -ENOMEM;
	}

	/*
	 * The default limit of active items, not one per CPU: a worker
	 * blocked for bounce pages must never keep a chunk, or a resumed
	 * conversion, of a write that holds pages from running, or those
	 * pages would never come back.
	 */
	v->crypt_wq = alloc_workqueue("kveil/%s",
				      WQ_CPU_INTENSIVE | WQ_MEM_RECLAIM | WQ_UNBOUND, 0, devname);
	if (!v->crypt_wq) {
		*error = "cannot create crypto workqueue";
		return -ENOMEM;
	}

	ti->num_flush_bios = 1;
	ti->num_discard_bios = v->allow_discards ? 1 : 0;
	/* Swap to a veil device must not exhaust the pools it depends on. */
	ti->limit_swap_bios = true;
	ti->accounts_remapped_io = true;
	return 0;
}

/* Tolerates a half-initialised @v: the constructor's error path calls it. */
void veil_io_exit(struct veil_target *v)
{
	if (v->crypt_wq)
		destroy_workqueue(v->crypt_wq);
	if (v->io_wq)
		destroy_workqueue(v->io_wq);
	bioset_exit(&v->bs);
	veil_bounce_exit(v);
	mempool_exit(&v->chunk_pool);
	mempool_exit(&v->req_pool);
	free_percpu(v->stats);
}
