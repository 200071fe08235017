// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The conversion engine: the units of a bio through the cipher, one
 * skcipher request per unit, in one chunk or, for a large bio, in chunks
 * that several CPUs convert side by side. Where and when a bio is
 * converted (inline or on a worker) is io.c's choice; this file does the
 * converting and hands the bio back through veil_convert_done().
 *
 * Crypto requests may complete asynchronously (a hardware driver, or the
 * SIMD wrapper falling back to cryptd). Each encryption unit is one
 * request; pb->pending counts those in flight plus one for each chunk still
 * converting, and whoever drops it to zero finishes the bio. With
 * CRYPTO_TFM_REQ_MAY_BACKLOG a full driver queue answers -EBUSY and keeps
 * the request in its backlog; the worker then waits until the driver
 * reports it was taken (callback with -EINPROGRESS) before issuing more.
 *
 * An "atomic" conversion (io.c's inline one) never sleeps: no
 * cond_resched(), no wait for a backlogged request, GFP_NOWAIT only.
 * Whatever it cannot do without sleeping, it leaves to the worker, which
 * continues from the unit it stopped at.
 */
#include <crypto/skcipher.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/completion.h>
#include <linux/device-mapper.h>
#include <linux/mempool.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#include "cipher.h"
#include "compat.h"
#include "convert.h"
#include "fault.h"
#include "io.h"
#include "iv.h"
#include "target.h"

#define VEIL_MIN_REQS 64
/* Enough for a 4096-byte unit whose buffer straddles pages. */
#define VEIL_MAX_SG 4
/* A large bio is converted in chunks of at least this, one per CPU. */
#define VEIL_CHUNK_MIN_BYTES (128 * 1024)
#define VEIL_MAX_CHUNKS 8
#define VEIL_MIN_CHUNKS 16

/* Tail of every skcipher request, after the driver's context. */
struct veil_req {
	struct veil_per_bio *pb;
	/* Only while a backlogged request waits: its chunk outlives it then. */
	struct veil_chunk *chunk;
	struct scatterlist sg_in[VEIL_MAX_SG];
	struct scatterlist sg_out[VEIL_MAX_SG];
};

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
void veil_convert(struct veil_chunk *c, bool encrypt, bool atomic)
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

		/* What follows a failed request allocation, at any unit (fault.c). */
		if (atomic && veil_fault_nowait(VEIL_FAULT_ATOMIC_STOP)) {
			veil_convert_defer(c);
			return;
		}
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
		extra[i] = veil_fault_nowait(VEIL_FAULT_CHUNK) ? NULL :
			   mempool_alloc(&v->chunk_pool, GFP_NOWAIT);
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
		/* The bio's first time here: io.c gives a write its bounce bio. */
		veil_io_worker_start(pb);
		veil_split(pb, encrypt);
	}
	veil_convert(c, encrypt, false);
}

/* A bio's conversion, before io.c decides where it runs. */
void veil_convert_start(struct veil_per_bio *pb)
{
	veil_chunk_init(&pb->first, pb, veil_per_bio_embedded_req(pb));
	pb->first.iter_in = pb->base->bi_iter;
	pb->first.unit_sector = pb->sector;
}

int veil_convert_init(struct dm_target *ti, struct veil_target *v, const char **error)
{
	unsigned int reqsize;
	int r;

	/* skcipher_request + driver context | struct veil_req | IV (aligned) */
	reqsize = sizeof(struct skcipher_request) + crypto_skcipher_reqsize(v->tfm);
	v->vreq_offset = ALIGN(reqsize, __alignof__(struct veil_req));
	v->iv_offset_in_req = v->vreq_offset + sizeof(struct veil_req);
	v->iv_align_mask = crypto_skcipher_alignmask(v->tfm);
	v->req_size = v->iv_offset_in_req + v->iv_align_mask + max(v->iv_size, 1U);

	ti->per_io_data_size = ALIGN(sizeof(struct veil_per_bio) + CRYPTO_MINALIGN + v->req_size,
				     ARCH_KMALLOC_MINALIGN);

	r = mempool_init_kmalloc_pool(&v->req_pool, VEIL_MIN_REQS, v->req_size);
	if (r) {
		*error = "cannot allocate crypto request pool";
		return r;
	}

	r = mempool_init_kmalloc_pool(&v->chunk_pool, VEIL_MIN_CHUNKS, sizeof(struct veil_chunk));
	if (r) {
		*error = "cannot allocate chunk pool";
		return r;
	}
	return 0;
}

/* Tolerates a half-initialised @v. */
void veil_convert_exit(struct veil_target *v)
{
	mempool_exit(&v->chunk_pool);
	mempool_exit(&v->req_pool);
}
