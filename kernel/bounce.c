// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The write bounce pages: each device's page pool, the bios that carry
 * them, and the cap on the pages all veil devices hold at once.
 *
 * Why a cap, as dm-crypt has one: each write holds its pages until the
 * device below completes it, so over a slow backend they would grow with
 * the dirty data in flight, and GFP_NOWAIT allocations would drain free
 * memory down to the min watermark. Past the cap the pool's allocator
 * refuses, and the writer takes the pool's reserve (one full write) or
 * waits for a write in flight to give pages back: never a failure.
 *
 * Why a lock: a write needs up to BIO_MAX_VECS pages at once. Two writers
 * blocking on the pool with half of it each would deadlock, so only the
 * holder of page_alloc_lock blocks, and it always gets a whole write; the
 * fast path never blocks.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/gfp.h>
#include <linux/mempool.h>
#include <linux/mm.h>
#include <linux/percpu_counter.h>
#include <linux/spinlock.h>

#include "bounce.h"
#include "target.h"

/*
 * The bounce page cap, dm-crypt's: 2% of low memory shared equally by the
 * veil devices (tables) that exist, but never less than 16 whole writes
 * each, so a device still streams when many share a small machine.
 */
#define VEIL_BOUNCE_PERCENT 2
#define VEIL_BOUNCE_MIN_PAGES (BIO_MAX_VECS * 16)

static DEFINE_SPINLOCK(veil_bounce_lock);
static unsigned int veil_bounce_clients;	/* under veil_bounce_lock */
static unsigned long veil_bounce_pages_per_client;

/* Called with veil_bounce_lock held, whenever the number of devices changes. */
static void veil_bounce_recalc(void)
{
	unsigned long pages = (totalram_pages() - totalhigh_pages()) * VEIL_BOUNCE_PERCENT / 100;

	if (!veil_bounce_clients)
		return;
	pages /= veil_bounce_clients;
	WRITE_ONCE(veil_bounce_pages_per_client, max_t(unsigned long, pages, VEIL_BOUNCE_MIN_PAGES));
}

static void veil_bounce_client_add(struct veil_target *v)
{
	spin_lock(&veil_bounce_lock);
	veil_bounce_clients++;
	veil_bounce_recalc();
	spin_unlock(&veil_bounce_lock);
	v->bounce_client = true;
}

static void veil_bounce_client_del(struct veil_target *v)
{
	v->bounce_client = false;
	spin_lock(&veil_bounce_lock);
	veil_bounce_clients--;
	veil_bounce_recalc();
	spin_unlock(&veil_bounce_lock);
}

/*
 * The page pool's allocator. mempool_alloc() always asks with
 * __GFP_NORETRY, and then falls back to the pool's reserve or waits for a
 * page to be freed into it; only filling the reserve at creation asks
 * without it, so the reserve is counted but never refused. The count is
 * approximate (percpu_counter batches), which a cap of thousands of pages
 * tolerates, and costs no shared cache line per page.
 */
static void *veil_bounce_page_alloc(gfp_t gfp, void *data)
{
	struct veil_target *v = data;
	struct page *page;

	if (unlikely(percpu_counter_read_positive(&v->bounce_pages) >=
		     READ_ONCE(veil_bounce_pages_per_client)) &&
	    likely(gfp & __GFP_NORETRY))
		return NULL;

	page = alloc_page(gfp);
	if (likely(page))
		percpu_counter_inc(&v->bounce_pages);
	return page;
}

static void veil_bounce_page_free(void *page, void *data)
{
	struct veil_target *v = data;

	__free_page(page);
	percpu_counter_dec(&v->bounce_pages);
}

static void veil_bounce_pages_free(struct veil_target *v, struct bio *bio)
{
	struct bvec_iter_all iter_all;
	struct bio_vec *bv;

	bio_for_each_segment_all(bv, bio, iter_all)
		mempool_free(bv->bv_page, &v->page_pool);
}

/* A write's bounce bio is done with: its pages go back to the pool. */
void veil_bounce_bio_free(struct veil_target *v, struct bio *bio)
{
	veil_bounce_pages_free(v, bio);
	bio_put(bio);
}

/*
 * A bio to v's device for @size bytes of bounce pages, @opf its flags, or
 * NULL if an allocation failed (only possible without __GFP_DIRECT_RECLAIM).
 * The caller sets where it goes and what completes it.
 */
struct bio *veil_bounce_bio_try(struct veil_target *v, blk_opf_t opf, unsigned int size,
				gfp_t gfp_bio, gfp_t gfp_pages)
{
	unsigned int nr_pages = DIV_ROUND_UP(size, PAGE_SIZE);
	struct bio *bio;
	unsigned int i;

	bio = bio_alloc_bioset(v->dev->bdev, nr_pages, opf, gfp_bio, &v->bs);
	if (!bio)
		return NULL;
	for (i = 0; i < nr_pages; i++) {
		unsigned int len = min_t(unsigned int, size, PAGE_SIZE);
		struct page *page = mempool_alloc(&v->page_pool, gfp_pages | __GFP_HIGHMEM);

		if (!page) {
			veil_bounce_bio_free(v, bio);
			return NULL;
		}
		__bio_add_page(bio, page, len, 0);
		size -= len;
	}
	return bio;
}

/*
 * The same from a worker, which may block: first without waiting for
 * pages, then, if the pool is short, under page_alloc_lock. Never fails.
 */
struct bio *veil_bounce_bio_alloc(struct veil_target *v, blk_opf_t opf, unsigned int size)
{
	struct bio *bio;

	bio = veil_bounce_bio_try(v, opf, size, GFP_NOIO, GFP_NOWAIT);
	if (likely(bio))
		return bio;
	mutex_lock(&v->page_alloc_lock);
	bio = veil_bounce_bio_try(v, opf, size, GFP_NOIO, GFP_NOIO);
	mutex_unlock(&v->page_alloc_lock);
	return bio;
}

int veil_bounce_init(struct veil_target *v, const char **error)
{
	int r;

	r = percpu_counter_init(&v->bounce_pages, 0, GFP_KERNEL);
	if (r) {
		*error = "cannot allocate page counter";
		return r;
	}
	veil_bounce_client_add(v);
	/* The reserve: one write of the largest size, so one always progresses. */
	r = mempool_init(&v->page_pool, BIO_MAX_VECS, veil_bounce_page_alloc,
			 veil_bounce_page_free, v);
	if (r) {
		*error = "cannot allocate page pool";
		return r;
	}
	return 0;
}

/* Tolerates a half-initialised @v, as veil_io_exit() does. */
void veil_bounce_exit(struct veil_target *v)
{
	mempool_exit(&v->page_pool);
	if (!v->bounce_client)
		return;
	/* Every page went back to the pool when its write completed. */
	WARN_ON(percpu_counter_sum(&v->bounce_pages));
	percpu_counter_destroy(&v->bounce_pages);
	veil_bounce_client_del(v);
}
