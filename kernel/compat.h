/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every difference between the kernels dm-veil builds for (6.1 to 6.12 at
 * least) lives here, behind LINUX_VERSION_CODE, each with the reason. The
 * rest of the module is written against one API and includes this file
 * where it needs one of these names.
 */
#ifndef _VEIL_COMPAT_H
#define _VEIL_COMPAT_H

#include <linux/version.h>
#include <linux/crypto.h>

/* 6.12 moved the unaligned access helpers from <asm/unaligned.h> to <linux/unaligned.h>. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * 6.3 changed crypto_completion_t from (struct crypto_async_request *, int)
 * to (void *data, int): callbacks get the request's data pointer directly.
 * Declare callbacks as void fn(veil_crypto_done_arg_t arg, int err) and get
 * the data pointer with veil_crypto_done_data(arg).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
typedef void *veil_crypto_done_arg_t;

static inline void *veil_crypto_done_data(veil_crypto_done_arg_t arg)
{
	return arg;
}
#else
typedef struct crypto_async_request *veil_crypto_done_arg_t;

static inline void *veil_crypto_done_data(veil_crypto_done_arg_t arg)
{
	return arg->data;
}
#endif

/*
 * Not needed here: 6.5 made the open mode blk_mode_t (fmode_t before), but
 * veil passes dm_table_get_mode() straight to dm_get_device() and never
 * names the type.
 */

#endif /* _VEIL_COMPAT_H */
