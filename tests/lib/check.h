/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Result reporting for C unit tests, in the same line format as
 * tests/lib/tap.sh so that tests/summarize counts both alike.
 */
#ifndef VEIL_TESTS_CHECK_H
#define VEIL_TESTS_CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (cond) {                                                 \
			printf("PASS: ");                                   \
			printf(__VA_ARGS__);                                \
			printf("\n");                                       \
		} else {                                                    \
			check_failures++;                                   \
			printf("FAIL: ");                                   \
			printf(__VA_ARGS__);                                \
			printf(": %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
		}                                                           \
		fflush(stdout);                                             \
	} while (0)

#define SKIP(reason, ...)                                                   \
	do {                                                                \
		printf("SKIP: ");                                           \
		printf(__VA_ARGS__);                                        \
		printf(": %s\n", reason);                                   \
		fflush(stdout);                                             \
	} while (0)

#define CHECK_EXIT() (check_failures ? 1 : 0)

#endif
