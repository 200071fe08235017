// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Progress of long operations, as cryptsetup shows it: on a terminal, one
 * line rewritten in place (percent, bytes, rate, time left); with
 * --progress-json, one JSON object per line on standard output for
 * programs (at the start, at every whole percent, and at the end). On a
 * non-terminal without --progress-json nothing is printed. erase, convert
 * and format --wipe call progress_start/update/end; KDF calibration, which
 * cannot count its work, uses the timer below.
 */
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
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

static void start(struct progress *p, const char *what, const char *device, uint64_t total,
		  bool json, bool timed)
{
	p->what = what;
	p->device = device;
	p->total = total ? total : 1;
	p->last_pct = 101;
	p->json = json;
	p->timed = timed;
	p->on = json || isatty(STDERR_FILENO);
	p->start_ms = now_ms();
	progress_update(p, 0);
}

void progress_start(struct progress *p, const char *what, const char *device, uint64_t total,
		    bool json)
{
	start(p, what, device, total, json, false);
}

static void print_json(const struct progress *p, uint64_t done, unsigned int pct, uint64_t ms,
		       uint64_t rate, uint64_t eta_ms)
{
	printf("{\"operation\":");
	json_str(stdout, p->what);
	printf(",\"device\":");
	json_str(stdout, p->device ? p->device : "");
	if (p->timed)	/* a time budget, not bytes: the byte counts stay 0 */
		done = 0, rate = 0;
	printf(",\"done_bytes\":%" PRIu64 ",\"total_bytes\":%" PRIu64 ",\"percent\":%u,"
	       "\"speed_bytes_per_s\":%" PRIu64 ",\"time_ms\":%" PRIu64 ",\"eta_ms\":%" PRIu64 "}\n",
	       done, p->timed ? 0 : p->total, pct, rate, ms, eta_ms);
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
	if (p->timed)
		eta_ms = p->total - done;	/* done and total are milliseconds */
	if (p->json) {
		print_json(p, done, (unsigned int)pct, ms, rate, eta_ms);
		return;
	}
	if (p->timed) {
		fprintf(stderr, "\r%s: %3u%% (about %" PRIu64 " s left)   ", p->what,
			(unsigned int)pct, (eta_ms + 999) / 1000);
		fflush(stderr);
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

/*
 * Work that reports no progress of its own (KDF calibration) is shown as
 * the share of its expected duration: a thread advances the line every
 * tick, below 100% until progress_timer_stop says the work is done.
 */
static void *timer_thread(void *arg)
{
	struct progress_timer *t = arg;
	struct timespec until;
	uint64_t tick = t->p.total / 100 < 50 ? 50 : t->p.total / 100;

	pthread_mutex_lock(&t->lock);
	while (!t->stop) {
		uint64_t ms = now_ms() - t->p.start_ms;

		/* Past the budget it waits at 99%: the end is only ever 100%. */
		progress_update(&t->p, ms < t->p.total ? ms : t->p.total * 99 / 100);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (long)(tick % 1000) * 1000000;
		until.tv_sec += (time_t)(tick / 1000) + until.tv_nsec / 1000000000;
		until.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&t->wake, &t->lock, &until);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

void progress_timer_start(struct progress_timer *t, const char *what, const char *device,
			  uint64_t budget_ms, bool json)
{
	pthread_condattr_t ca;
	sigset_t all, old;

	start(&t->p, what, device, budget_ms, json, true);
	t->running = false;
	t->stop = false;
	if (!t->p.on)
		return;
	pthread_mutex_init(&t->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->wake, &ca);
	pthread_condattr_destroy(&ca);
	/* Signals stay with the main thread, whose handler wipes secrets. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	t->running = !pthread_create(&t->thread, NULL, timer_thread, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* done: the work finished (the line ends at 100%); else it stops where it is. */
void progress_timer_stop(struct progress_timer *t, bool done)
{
	if (!t->p.on)
		return;
	if (t->running) {
		pthread_mutex_lock(&t->lock);
		t->stop = true;
		pthread_cond_signal(&t->wake);
		pthread_mutex_unlock(&t->lock);
		pthread_join(t->thread, NULL);
	}
	pthread_cond_destroy(&t->wake);
	pthread_mutex_destroy(&t->lock);
	if (done)
		progress_end(&t->p);
	else if (!t->p.json)
		fputc('\n', stderr);
}
