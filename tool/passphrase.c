// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Prompts on the controlling terminal. Passphrases are read from /dev/tty
 * with echo off, and the terminal is restored on every path, including a
 * fatal signal. When standard input is not a terminal (a pipe, a file), a
 * passphrase is one line of it without the newline, as cryptsetup reads a
 * piped passphrase; --key-file - instead takes all of standard input.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "veil.h"

static volatile int tty_fd = -1;
static volatile int tty_saved;
static struct termios tty_orig;

bool have_tty(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

void tty_restore(void)
{
	if (tty_fd >= 0 && tty_saved) {
		tcsetattr(tty_fd, TCSAFLUSH, &tty_orig);
		tty_saved = 0;
	}
}

static int tty_open(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		err_msg("no terminal to ask on (/dev/tty: %s); use --key-file", strerror(errno));
		return -EINVAL;
	}
	tty_fd = fd;
	return fd;
}

static void tty_close(void)
{
	int fd = tty_fd;

	tty_restore();
	tty_fd = -1;
	if (fd >= 0)
		close(fd);
}

static void tty_puts(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = write(fd, s, n);

		if (w <= 0 && errno != EINTR)
			return;
		if (w > 0) {
			s += w;
			n -= (size_t)w;
		}
	}
}

/*
 * Prompt, then read one line into out (without the newline). Echo goes off
 * before the prompt appears, so nothing typed in answer is ever echoed.
 */
static int tty_read_line(int fd, const char *prompt, bool echo, unsigned int timeout_s,
			 struct secret *out)
{
	struct termios t;
	int r = 0;

	if (!echo) {
		if (tcgetattr(fd, &tty_orig))
			return -errno;
		t = tty_orig;
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
		t.c_lflag |= ICANON;
		tty_saved = 1;
		if (tcsetattr(fd, TCSAFLUSH, &t)) {
			tty_saved = 0;
			return -errno;
		}
	}
	if (prompt)
		tty_puts(fd, prompt);
	out->len = 0;
	signals_allow(true);	/* Ctrl-C here restores the terminal and wipes */
	for (;;) {
		uint8_t c;
		ssize_t n;

		if (timeout_s) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			int pr = poll(&p, 1, (int)timeout_s * 1000);

			if (pr == 0) {
				r = -ETIME;
				break;
			}
			if (pr < 0 && errno == EINTR)
				continue;
		}
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = out->len ? 0 : -EPIPE;
			break;
		}
		if (c == '\n' || c == '\r')
			break;
		if (out->len + 1 >= out->cap) {
			r = -E2BIG;
			break;
		}
		out->data[out->len++] = c;
	}
	signals_allow(false);
	if (!echo) {
		tty_restore();
		tty_puts(fd, "\n");
	}
	return r;
}

bool stdin_is_tty(void)
{
	return isatty(STDIN_FILENO);
}

/*
 * timeout_s: 0 waits forever. Read byte by byte so that two passphrases
 * piped as two lines (old, then new) reach two successive prompts.
 */
int ask_passphrase(const char *prompt, unsigned int timeout_s, struct secret *out)
{
	bool piped = !stdin_is_tty();
	int fd = piped ? STDIN_FILENO : tty_open(), r;

	if (fd < 0)
		return fd;
	if (piped) {
		r = tty_read_line(fd, NULL, true, timeout_s, out);
		if (r == -EPIPE)
			err_msg("no passphrase on standard input (it is not a terminal); "
				"pipe one line, or use --key-file");
	} else {
		r = tty_read_line(fd, prompt, false, timeout_s, out);
		tty_close();
	}
	if (r == -ETIME)
		err_msg("timed out waiting for the passphrase");
	else if (r == -E2BIG)
		err_msg("passphrase longer than %d bytes", VEIL_PASSPHRASE_MAX - 1);
	else if (r == -EPIPE && !piped)
		err_msg("no passphrase read from the terminal");
	else if (r && r != -EPIPE)
		err_msg("cannot read the %s: %s", piped ? "standard input" : "terminal",
			strerror(-r));
	if (r)
		out->len = 0;
	return r ? (r == -ETIME ? -ETIME : -EINVAL) : 0;
}

/*
 * A new passphrase; asked twice when verify, and must not be empty. A
 * piped one is read once, as cryptsetup does: there is nobody to mistype.
 */
int ask_new_passphrase(const char *what, bool verify, unsigned int timeout_s,
		       struct secret *out)
{
	struct secret again;
	char prompt[128];
	int r;

	snprintf(prompt, sizeof(prompt), "Enter %s: ", what);
	r = ask_passphrase(prompt, timeout_s, out);
	if (r)
		return r;
	if (!out->len) {
		err_msg("empty passphrase refused");
		return -EINVAL;
	}
	if (!verify || !stdin_is_tty())
		return 0;
	r = secret_alloc(&again, VEIL_PASSPHRASE_MAX);
	if (r)
		return r;
	snprintf(prompt, sizeof(prompt), "Verify %s: ", what);
	r = ask_passphrase(prompt, timeout_s, &again);
	if (!r && (again.len != out->len || memcmp(again.data, out->data, out->len))) {
		err_msg("passphrases do not match");
		r = -EINVAL;
	}
	secret_free(&again);
	if (r)
		out->len = 0;
	return r;
}

/* 0 when the user typed exactly YES; -EPERM otherwise (or with no terminal). */
int confirm_yes(const char *question)
{
	struct secret answer;
	int fd, r;

	r = secret_alloc(&answer, 64);
	if (r)
		return r;
	fd = tty_open();
	if (fd < 0) {
		err_msg("confirmation needs a terminal; use --batch to skip it");
		secret_free(&answer);
		return -EINVAL;
	}
	tty_puts(fd, "\nWARNING!\n========\n");
	tty_puts(fd, question);
	r = tty_read_line(fd, "\n\nAre you sure? (Type 'YES' in capital letters): ", true, 0,
			  &answer);
	tty_close();
	if (!r && !(answer.len == 3 && !memcmp(answer.data, "YES", 3)))
		r = -EPERM;
	if (r) {
		err_msg("operation cancelled: confirmation not given");
		r = -EPERM;
	}
	secret_free(&answer);
	return r;
}
