// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Progress of long operations, as cryptsetup shows it: on a terminal, one
 * line rewritten in place (percent, bytes, rate, time left); with
 * --progress-json, one JSON object per line on standard output for
 * programs (at the start, at every whole percent, and at the end). On a
 * non-terminal without --progress-json nothing is printed. erase uses it;
 * any long job (convert too) calls progress_start/update/end the same way.
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "veil.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void progress_start(struct progress *p, const char *what, const char *device, uint64_t total,
		    bool json)
{
	p->what = what;
	p->device = device;
	p->total = total ? total : 1;
	p->last_pct = 101;
	p->json = json;
	p->on = json || isatty(STDERR_FILENO);
	p->start_ms = now_ms();
	progress_update(p, 0);
}

static void print_json(const struct progress *p, uint64_t done, uint64_t ms, uint64_t rate,
		       uint64_t eta_ms)
{
	printf("{\"operation\":");
	json_str(stdout, p->what);
	printf(",\"device\":");
	json_str(stdout, p->device ? p->device : "");
	printf(",\"done_bytes\":%" PRIu64 ",\"total_bytes\":%" PRIu64 ",\"percent\":%u,"
	       "\"speed_bytes_per_s\":%" PRIu64 ",\"time_ms\":%" PRIu64 ",\"eta_ms\":%" PRIu64 "}\n",
	       done, p->total, (unsigned int)(done * 100 / p->total), rate, ms, eta_ms);
	fflush(stdout);
}

void progress_update(struct progress *p, uint64_t done)
{
	uint64_t pct, ms, rate, eta_ms;

	if (done > p->total)
		done = p->total;
	pct = done * 100 / p->total;
	if (!p->on || pct == p->last_pct)
		return;
	p->last_pct = pct;
	ms = now_ms() - p->start_ms;
	rate = ms ? done * 1000 / ms : 0;
	eta_ms = rate ? (p->total - done) * 1000 / rate : 0;
	if (p->json) {
		print_json(p, done, ms, rate, eta_ms);
		return;
	}
	fprintf(stderr, "\r%s: %3u%% (%.1f of %.1f MiB, %.1f MiB/s, %" PRIu64 " s left)   ",
		p->what, (unsigned int)pct, done / 1048576.0, p->total / 1048576.0,
		rate / 1048576.0, (eta_ms + 999) / 1000);
	fflush(stderr);
}

void progress_end(struct progress *p)
{
	if (!p->on)
		return;
	progress_update(p, p->total);
	if (!p->json)
		fputc('\n', stderr);
}
