/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The I/O path: mapping bios, encrypting writes, decrypting reads. */
#ifndef _VEIL_IO_H
#define _VEIL_IO_H

#include <linux/types.h>

struct bio;
struct dm_target;
struct veil_per_bio;
struct veil_target;

int veil_io_init(struct dm_target *ti, struct veil_target *v, const char **error);
void veil_io_exit(struct veil_target *v);
int veil_map(struct dm_target *ti, struct bio *bio);
/* For convert.c: a bio reaches a worker, and its conversion is over. */
void veil_io_worker_start(struct veil_per_bio *pb);
void veil_convert_done(struct veil_per_bio *pb, bool async);

#endif /* _VEIL_IO_H */
