// SPDX-License-Identifier: GPL-2.0-or-later
/* A JSON string literal on a stream: the little JSON output the tool needs. */
#include <stdio.h>

#include "veil.h"

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
