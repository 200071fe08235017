// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Passphrases and keys the tool holds live in the format library's
 * veil_secret buffers (mlock'ed, not dumped, wiped on free). The tool also
 * registers them so a fatal signal wipes them before the process dies.
 *
 * Fatal signals (Ctrl-C, SIGTERM...) are deliverable by default: they wipe
 * the registered secrets, restore the terminal and end the process at
 * once, also in the middle of a KDF, which writes nothing. They are held
 * back only while something must not be left half-done (signals_hold():
 * a header update from its first write to the end of the command, the
 * hand-off of a key to the kernel) and delivered when the last hold ends.
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
static unsigned int hold_depth;

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

/*
 * Hand a secret over to another holder (a caller's out-parameter, an array
 * slot): the new address is registered for the signal wipe before the old
 * one is dropped, so the secret is never untracked.
 */
void secret_move(struct secret *dst, struct secret *src)
{
	size_t len = src->len, cap = src->cap;

	secret_adopt(dst, src->vs);
	dst->len = len;
	dst->cap = cap;
	secret_forget(src);
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
	sigemptyset(&fatal_set);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&fatal_set, sigs[i]);
	sa.sa_mask = fatal_set;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	sigprocmask(SIG_UNBLOCK, &fatal_set, NULL);
}

/* Hold fatal signals back until the matching signals_release(). */
void signals_hold(void)
{
	if (!hold_depth++)
		sigprocmask(SIG_BLOCK, &fatal_set, NULL);
}

/* End one hold; after the last one a pending signal takes effect. */
void signals_release(void)
{
	if (hold_depth && !--hold_depth)
		sigprocmask(SIG_UNBLOCK, &fatal_set, NULL);
}

/* A fatal signal is waiting for the hold to end. */
bool signals_pending(void)
{
	sigset_t pending;

	if (sigpending(&pending))
		return false;
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&fatal_set, sig) == 1 && sigismember(&pending, sig) == 1)
			return true;
	return false;
}

/* Deliver a pending fatal signal now unless something holds it back. */
void secrets_signal_point(void)
{
	if (!hold_depth)
		sigprocmask(SIG_UNBLOCK, &fatal_set, NULL);
}

/*
 * For a blocking terminal read: allow(true) lets a signal in even under a
 * hold (the read itself is never half-done); allow(false) goes back to
 * what the holds say.
 */
void signals_allow(bool allow)
{
	sigprocmask(allow || !hold_depth ? SIG_UNBLOCK : SIG_BLOCK, &fatal_set, NULL);
}
