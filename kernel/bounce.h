/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Write bounce pages: the pool, the bios carrying them, the cap shared by all devices. */
#ifndef _VEIL_BOUNCE_H
#define _VEIL_BOUNCE_H

#include <linux/blk_types.h>

struct bio;
struct veil_target;

int veil_bounce_init(struct veil_target *v, const char **error);
void veil_bounce_exit(struct veil_target *v);
struct bio *veil_bounce_bio_try(struct veil_target *v, blk_opf_t opf, unsigned int size,
				gfp_t gfp_bio, gfp_t gfp_pages);
struct bio *veil_bounce_bio_alloc(struct veil_target *v, blk_opf_t opf, unsigned int size);
void veil_bounce_bio_free(struct veil_target *v, struct bio *bio);

#endif /* _VEIL_BOUNCE_H */
