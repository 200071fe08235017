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
 * The cipher runs in convert.c; this file chooses where and when.
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
 *  - a deep queue while a worker is free: inline work would keep the
 *    other CPUs idle. Once the workers have a backlog (a bio queued that
 *    none has started), the submitting CPU converts its own bios again: a
 *    context switch to a worker gains nothing when no CPU is waiting for
 *    work. Deep is seen two ways (veil_offload_chosen()):
 *     - the device below holds more than VEIL_INLINE_MAX_DEPTH bios;
 *     - a bio arrives on a CPU while a small bio that CPU chose to send to
 *       a worker has not ended: its submitter did not wait for it. A device
 *       that completes a bio within submit_bio() (brd), or sooner than a
 *       CPU converts the next, never holds a queue, and a submitter that
 *       converts its own bios never leaves one behind, so one bio in
 *       VEIL_PROBE_INTERVAL goes to a worker anyway, as a probe. A
 *       submitter that waits for each bio (psync, a filesystem's sync
 *       write) pays one context switch per probe; one that queues more
 *       (aio, io_uring, writeback) finds the probe pending and its CPU
 *       turns deep, until VEIL_DEEP_QUIET arrivals in a row find nothing
 *       of its own pending;
 *  - a large bio: it belongs on the workers. While the device has fewer
 *    bios in flight than there are CPUs, a large bio is also cut into
 *    chunks, one per CPU, converted side by side (convert.c).
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/device-mapper.h>
#include <linux/sched.h>
#include <linux/swap.h>
#include <linux/workqueue.h>
#include <asm/simd.h>

#include "bounce.h"
#include "compat.h"
#include "convert.h"
#include "fault.h"
#include "io.h"
#include "target.h"

#define VEIL_MIN_IOS 64
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
/*
 * One small bio in this many that a CPU could convert itself goes to a
 * worker instead, to learn whether its submitter waits (top of the file).
 * The cost is one context switch in this many bios for a waiting submitter;
 * the delay, this many bios before a queueing one gets a second CPU.
 */
#define VEIL_PROBE_INTERVAL 512
/* Arrivals in a row with nothing offloaded pending that end a deep spell. */
#define VEIL_DEEP_QUIET 4

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

	if (pb->offload_cpu >= 0)
		atomic_dec(&per_cpu_ptr(pb->v->cpu_load, pb->offload_cpu)->offloaded);
	atomic_dec(&pb->v->inflight);
	/* The last touch: once it ends, the table may go away. */
	base->bi_status = status;
	bio_endio(base);
}

static void veil_write_endio(struct bio *clone)
{
	struct veil_per_bio *pb = clone->bi_private;
	blk_status_t status = clone->bi_status;

	veil_bounce_bio_free(pb->v, clone);
	veil_io_complete(pb, status);
}

/* All units are converted (or failed): end a read, send a write down. */
void veil_convert_done(struct veil_per_bio *pb, bool async)
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
 * This CPU's deep-queue state, updated for one bio it could convert itself:
 * true if the bio goes to a worker instead (top of the file), which is then
 * counted on this CPU until the bio ends. The plain fields are this CPU's;
 * a bio completing in softirq on top of a submitter here may race with it
 * and miscount one arrival, which costs at most one misplaced bio.
 */
static bool veil_offload_chosen(struct veil_per_bio *pb)
{
	struct veil_target *v = pb->v;
	struct veil_cpu_load *load;
	bool offload;
	int cpu;

	if (!veil_workers_idle(v))
		return false;

	cpu = get_cpu();
	load = per_cpu_ptr(v->cpu_load, cpu);
	if (atomic_read(&load->offloaded)) {
		WRITE_ONCE(load->deep, true);
		WRITE_ONCE(load->quiet, 0);
	} else if (READ_ONCE(load->deep)) {
		unsigned int quiet = READ_ONCE(load->quiet) + 1;

		WRITE_ONCE(load->quiet, quiet);
		if (quiet >= VEIL_DEEP_QUIET)
			WRITE_ONCE(load->deep, false);
	}

	offload = READ_ONCE(load->deep) ||
		  atomic_read(&v->inflight) > VEIL_INLINE_MAX_DEPTH;
	if (!offload) {
		unsigned int left = READ_ONCE(load->probe_in);

		offload = left <= 1;
		WRITE_ONCE(load->probe_in, offload ? VEIL_PROBE_INTERVAL : left - 1);
	}
	if (offload) {
		atomic_inc(&load->offloaded);
		pb->offload_cpu = cpu;
	}
	put_cpu();
	return offload;
}

/*
 * May this bio be converted here and now? The rules are at the top of the
 * file; the load comes last, since it counts only bios that could be.
 */
static bool veil_inline_allowed(struct veil_per_bio *pb)
{
	if (pb->v->no_inline || pb->size > VEIL_INLINE_MAX_BYTES)
		return false;
	if (bio_data_dir(pb->base) == WRITE && (pb->base->bi_opf & REQ_SWAP))
		return false;
	if (in_hardirq() || irqs_disabled() || !may_use_simd())
		return false;
	if (in_task() && ((current->flags & PF_MEMALLOC) || current_is_kswapd()))
		return false;
	return !veil_offload_chosen(pb);
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
	else if (veil_fault_nowait(VEIL_FAULT_WRITE_CLONE))
		clone = NULL;
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

/*
 * A bio's first time on a worker, before its conversion: it leaves the
 * backlog, and a write gets its bounce bio, waiting for it if need be. A
 * read's pending was set by its completion.
 */
void veil_io_worker_start(struct veil_per_bio *pb)
{
	atomic_dec(&pb->v->crypt_queued);
	if (bio_data_dir(pb->base) == WRITE) {
		pb->clone = veil_write_clone(pb, true);
		pb->first.iter_out = pb->clone->bi_iter;
		atomic_set(&pb->pending, 1);
	}
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

	if (!gfpflags_allow_blocking(gfp) && veil_fault_nowait(VEIL_FAULT_READ_CLONE))
		return -ENOMEM;
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
	pb->offload_cpu = -1;
	veil_convert_start(pb);
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
	int cpu, r;

	v->stats = alloc_percpu(struct veil_stats);
	if (!v->stats) {
		*error = "cannot allocate statistics";
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(v->stats, cpu)->syncp);

	v->cpu_load = alloc_percpu(struct veil_cpu_load);
	if (!v->cpu_load) {
		*error = "cannot allocate per-CPU load state";
		return -ENOMEM;
	}

	r = veil_convert_init(ti, v, error);
	if (r)
		return r;

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
	veil_convert_exit(v);
	free_percpu(v->cpu_load);
	free_percpu(v->stats);
}
