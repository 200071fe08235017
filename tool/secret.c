// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Passphrases and keys the tool holds live in the format library's
 * veil_secret buffers (mlock'ed, not dumped, wiped on free). The tool also
 * registers them so a fatal signal wipes them before the process dies.
 *
 * Fatal signals are blocked from the start and delivered only at points
 * where nothing is half-done: while the terminal is read, and at
 * secrets_signal_point() between steps. A Ctrl-C during a KDF or a header
 * write therefore takes effect right after it, never in the middle of a
 * write or with a library-held key still in memory.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "veil.h"

#define MAX_SECRETS 16

static struct secret *volatile live[MAX_SECRETS];
static sigset_t fatal_set;
static int warned_unlocked;

static void track(struct secret *s)
{
	for (int i = 0; i < MAX_SECRETS; i++) {
		if (!live[i]) {
			live[i] = s;
			return;
		}
	}
}

static void untrack(struct secret *s)
{
	for (int i = 0; i < MAX_SECRETS; i++)
		if (live[i] == s)
			live[i] = NULL;
}

int secret_alloc(struct secret *s, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->vs = veil_secret_new(cap);
	if (!s->vs) {
		err_msg("out of memory for a %zu-byte secret buffer", cap);
		return -ENOMEM;
	}
	if (!s->vs->locked && !warned_unlocked) {
		warned_unlocked = 1;
		fprintf(stderr, "veil: warning: cannot lock memory (RLIMIT_MEMLOCK); "
			"secrets could reach swap\n");
	}
	s->data = s->vs->data;
	s->cap = cap;
	track(s);
	return 0;
}

/* Take ownership of a library secret (a volume key from veil_unlock). */
void secret_adopt(struct secret *s, struct veil_secret *vs)
{
	memset(s, 0, sizeof(*s));
	s->vs = vs;
	s->data = vs->data;
	s->len = s->cap = vs->len;
	track(s);
}

void secret_free(struct secret *s)
{
	if (!s || !s->vs)
		return;
	untrack(s);
	veil_secret_free(s->vs);
	memset(s, 0, sizeof(*s));
}

/* Drop a secret from the registry without freeing (it moved elsewhere). */
void secret_forget(struct secret *s)
{
	untrack(s);
	memset(s, 0, sizeof(*s));
}

/* Move a secret to a bigger buffer; the old one is wiped. */
int secret_grow(struct secret *s, size_t cap)
{
	struct secret bigger;
	int r = secret_alloc(&bigger, cap);

	if (r)
		return r;
	memcpy(bigger.data, s->data, s->len);
	bigger.len = s->len;
	secret_free(s);
	untrack(&bigger);
	*s = bigger;
	track(s);
	return 0;
}

/* Async-signal-safe: plain stores through a volatile pointer. */
void secrets_wipe_all(void)
{
	for (int i = 0; i < MAX_SECRETS; i++) {
		struct secret *s = live[i];

		if (s && s->data) {
			volatile uint8_t *p = s->data;

			for (size_t j = 0; j < s->cap; j++)
				p[j] = 0;
		}
	}
}

static void on_fatal_signal(int sig)
{
	secrets_wipe_all();
	tty_restore();
	signal(sig, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &fatal_set, NULL);
	raise(sig);
}

void secrets_install_signal_wipe(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&fatal_set);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&fatal_set, sigs[i]);
	}
	sa.sa_mask = fatal_set;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	sigprocmask(SIG_BLOCK, &fatal_set, NULL);
}

/* Let a pending fatal signal in (it wipes and kills us), then block again. */
void secrets_signal_point(void)
{
	sigprocmask(SIG_UNBLOCK, &fatal_set, NULL);
	sigprocmask(SIG_BLOCK, &fatal_set, NULL);
}

void signals_allow(bool allow)
{
	sigprocmask(allow ? SIG_UNBLOCK : SIG_BLOCK, &fatal_set, NULL);
}
