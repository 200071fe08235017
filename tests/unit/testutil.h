/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small helpers shared by the host unit tests: hex decoding, whole-file
 * reading, and the path of the source tree (tests run from any directory).
 */
#ifndef VEIL_TESTS_TESTUTIL_H
#define VEIL_TESTS_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#ifndef VEIL_SRCDIR
#define VEIL_SRCDIR "."
#endif

/* Decode exactly 2*len hex digits; returns bytes written or -1. */
long tu_unhex(const char *hex, uint8_t *out, size_t max);

/* Read a whole file into a malloc'ed buffer; NULL on failure. */
uint8_t *tu_read_file(const char *path, size_t *len);

/* Write a whole buffer to a new file (truncating); 0 or -errno. */
int tu_write_file(const char *path, const void *buf, size_t len);

/* Path under the source tree, in a static buffer (one at a time). */
const char *tu_src(const char *rel);

/* Does needle occur anywhere in the haystack? */
int tu_memmem(const void *hay, size_t hay_len, const void *needle, size_t needle_len);

#endif
