// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Numbers in a table are canonical decimal: digits only, no sign, no
 * whitespace or newline, no leading zeros, no overflow. kstrtoull() would
 * take "+1" and "1\n", and sscanf() trailing junk; rejecting them keeps
 * TABLE status an exact echo of what was accepted.
 */
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/math64.h>

#include "parse.h"

/* Parse exactly @len bytes of @s. -EINVAL for bad syntax, -ERANGE on overflow. */
int veil_parse_u64(const char *s, size_t len, u64 *out)
{
	u64 value = 0;
	size_t i;

	if (!len || (len > 1 && s[0] == '0'))
		return -EINVAL;

	for (i = 0; i < len; i++) {
		unsigned int digit;

		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		digit = s[i] - '0';
		if (value > div_u64(U64_MAX - digit, 10))
			return -ERANGE;
		value = value * 10 + digit;
	}

	*out = value;
	return 0;
}

const char *veil_parse_strerror(int err)
{
	return err == -ERANGE ? "out of range" : "not a canonical decimal number";
}
