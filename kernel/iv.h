/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-sector IV generation, dm-crypt compatible. */
#ifndef _VEIL_IV_H
#define _VEIL_IV_H

#include <linux/types.h>

#include "cipher.h"

struct veil_target;

u64 veil_iv_sector(const struct veil_target *v, u64 sector);
void veil_iv_generate(enum veil_iv_mode mode, u8 *iv, unsigned int iv_size, u64 iv_sector);

#endif /* _VEIL_IV_H */
