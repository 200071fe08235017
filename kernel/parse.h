/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Strict number parsing for table and message arguments. */
#ifndef _VEIL_PARSE_H
#define _VEIL_PARSE_H

#include <linux/types.h>

int veil_parse_u64(const char *s, size_t len, u64 *out);
const char *veil_parse_strerror(int err);

#endif /* _VEIL_PARSE_H */
