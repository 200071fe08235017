/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-table state of one veil target. The constructor in target.c
 * fills it; after that, everything except the key state and the counters
 * is read-only while the table lives.
 */
#ifndef _VEIL_TARGET_H
#define _VEIL_TARGET_H

#include <linux/atomic.h>
#include <linux/bio.h>
#include <linux/device-mapper.h>
#include <linux/mempool.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/percpu_counter.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#define DM_MSG_PREFIX "veil"

struct veil_cipher;
struct crypto_skcipher;

/* Optional table arguments, in the order the user gave them. */
enum veil_option {
	VEIL_OPT_SECTOR_SIZE,
	VEIL_OPT_IV_LARGE_SECTORS,
	VEIL_OPT_ALLOW_DISCARDS,
	VEIL_OPT_NO_INLINE,
	VEIL_OPT_COUNT
};

/* Bits in veil_target.flags. */
enum veil_flag {
	VEIL_KEY_VALID,		/* the tfm holds the user's key */
	VEIL_SUSPENDED,		/* between postsuspend and a successful preresume */
};

/* The INFO status counters, in the order status prints them. */
enum veil_stat {
	VEIL_STAT_READ_IOS,
	VEIL_STAT_READ_BYTES,
	VEIL_STAT_WRITE_IOS,
	VEIL_STAT_WRITE_BYTES,
	VEIL_STAT_ERRORS,
	VEIL_STAT_COUNT
};

/*
 * One CPU's share of the counters. Every bio updates two of them; shared
 * atomics would bounce one cache line between all CPUs doing I/O, so each
 * CPU counts its own and status sums them (io.c writes, status.c reads).
 */
struct veil_stats {
	u64_stats_t count[VEIL_STAT_COUNT];
	struct u64_stats_sync syncp;
};

/*
 * One CPU's record of the small bios it chose to send to the workers rather
 * than convert itself, so it can tell a submitter that waits for each bio
 * from one that queues more behind it (io.c, veil_offload_chosen()). Only
 * this CPU writes the plain fields; any CPU may end an offloaded bio.
 */
struct veil_cpu_load {
	atomic_t offloaded;		/* chosen here for a worker, not yet ended */
	unsigned int probe_in;		/* eligible bios left until the next probe */
	unsigned int quiet;		/* deep: arrivals in a row that found none */
	bool deep;			/* the submitters here do not wait */
};

struct veil_target {
	struct dm_dev *dev;
	sector_t start;			/* data offset on dev, 512-byte sectors */
	u64 iv_offset;			/* added to every IV sector, 512-byte sectors */

	const struct veil_cipher *cipher;
	struct crypto_skcipher *tfm;
	unsigned int iv_size;
	unsigned int key_size;		/* bytes; fixed for the life of the table */

	/*
	 * Keyring description of the current key ("logon" type), or NULL for
	 * a hex key. Status and messages may race, so key_lock guards it.
	 */
	struct mutex key_lock;
	char *key_desc;
	unsigned long flags;
	/*
	 * Held by a key message from its VEIL_SUSPENDED test through setkey,
	 * and by the suspend/resume hooks while they change that bit, so the
	 * device never goes live between a key change's check and its end.
	 */
	struct mutex suspend_lock;

	unsigned int sector_size;	/* encryption unit in bytes */
	unsigned int sector_shift;	/* log2(sector_size) - SECTOR_SHIFT */
	bool iv_large_sectors;
	bool allow_discards;
	bool no_inline;			/* every bio to the workers (io.c) */

	/* What the constructor accepted, so TABLE status can echo it. */
	bool opt_count_given;
	unsigned int nr_opts;
	u8 opt_order[VEIL_OPT_COUNT];

	/* I/O path state, owned by io.c; the two pools by convert.c. */
	struct workqueue_struct *crypt_wq;
	struct workqueue_struct *io_wq;
	mempool_t req_pool;
	mempool_t chunk_pool;		/* a large bio's extra chunks */
	struct bio_set bs;
	struct mutex page_alloc_lock;
	/* Write bounce pages, owned by bounce.c; io.c allocates from the pool. */
	mempool_t page_pool;
	struct percpu_counter bounce_pages;	/* page_pool's pages, reserve included */
	bool bounce_client;		/* counted in the devices sharing the cap */
	unsigned int req_size;		/* one skcipher request with our tail */
	unsigned int vreq_offset;	/* where struct veil_req sits in it */
	unsigned int iv_offset_in_req;	/* where the IV buffer starts */
	unsigned int iv_align_mask;

	struct veil_stats __percpu *stats;
	struct veil_cpu_load __percpu *cpu_load;
	/* Data bios between map and completion: how deep the queue is. */
	atomic_t inflight ____cacheline_aligned_in_smp;
	/* Bios queued to crypt_wq that no worker has started yet. */
	atomic_t crypt_queued;
};

int veil_parse_options(struct veil_target *v, unsigned int argc, char **argv,
		       const char **error);

#endif /* _VEIL_TARGET_H */
