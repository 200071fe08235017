// SPDX-License-Identifier: GPL-2.0-or-later
/* A percentage on stderr for long operations, only when stderr is a terminal. */
#include <stdio.h>
#include <unistd.h>

#include "veil.h"

void progress_start(struct progress *p, const char *what, uint64_t total)
{
	p->what = what;
	p->total = total ? total : 1;
	p->last_pct = 101;
	p->on = isatty(STDERR_FILENO);
	progress_update(p, 0);
}

void progress_update(struct progress *p, uint64_t done)
{
	uint64_t pct = done >= p->total ? 100 : done * 100 / p->total;

	if (!p->on || pct == p->last_pct)
		return;
	p->last_pct = pct;
	fprintf(stderr, "\r%s: %3u%%", p->what, (unsigned int)pct);
	fflush(stderr);
}

void progress_end(struct progress *p)
{
	if (!p->on)
		return;
	progress_update(p, p->total);
	fputc('\n', stderr);
}
