// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IV generation. The sector numbering is dm-crypt's, so that the same key
 * over the same device gives the same ciphertext:
 *
 *  - One IV per encryption unit of sector_size bytes.
 *  - The number it encodes is the unit's first 512-byte sector, counted from
 *    the start of the target, plus iv_offset.
 *  - With iv_large_sectors that number is divided by sector_size / 512, so
 *    it counts units instead of 512-byte sectors (iv_offset is required to be
 *    a multiple of the unit so the division is exact).
 *  - plain keeps only the low 32 bits; plain64 all 64, little endian, in a
 *    zeroed IV of the cipher's size (16 bytes for XTS/CBC, 32 for adiantum).
 *  - essiv passes the plain64 IV to the kernel's essiv(cbc(aes),sha256)
 *    template, which encrypts it with the hashed key as dm-crypt does.
 */
#include <linux/string.h>

#include "compat.h"
#include "iv.h"
#include "target.h"

/* @sector: unit start in 512-byte sectors, relative to the target. */
u64 veil_iv_sector(const struct veil_target *v, u64 sector)
{
	/* Wraps at 2^64 exactly like dm-crypt's u64 arithmetic. */
	u64 iv_sector = sector + v->iv_offset;

	if (v->iv_large_sectors)
		iv_sector >>= v->sector_shift;
	return iv_sector;
}

void veil_iv_generate(enum veil_iv_mode mode, u8 *iv, unsigned int iv_size, u64 iv_sector)
{
	if (!iv_size)
		return;
	memset(iv, 0, iv_size);

	switch (mode) {
	case VEIL_IV_NONE:
		break;
	case VEIL_IV_PLAIN:
		put_unaligned_le32(lower_32_bits(iv_sector), iv);
		break;
	case VEIL_IV_PLAIN64:
	case VEIL_IV_ESSIV:
		put_unaligned_le64(iv_sector, iv);
		break;
	}
}
