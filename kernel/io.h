/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The I/O path: mapping bios, encrypting writes, decrypting reads. */
#ifndef _VEIL_IO_H
#define _VEIL_IO_H

struct bio;
struct dm_target;
struct veil_target;

int veil_io_init(struct dm_target *ti, struct veil_target *v, const char **error);
void veil_io_exit(struct veil_target *v);
int veil_map(struct dm_target *ti, struct bio *bio);

#endif /* _VEIL_IO_H */
