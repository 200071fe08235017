// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A synchronisation point for tests, so no test has to guess with sleep how
 * far a veil process has got. Always compiled in; inert unless the
 * environment has VEIL_TEST_HOOK=<point>:<fifo>. At that point the tool
 * opens the FIFO for writing (blocking until the test reads), writes the
 * point's name and a newline, closes it, then opens the FIFO for reading
 * and waits for end of file: the test acts (sends a signal, changes the
 * header behind our back) and then releases us by opening and closing the
 * FIFO for writing.
 *
 * Points: "unlock" (a passphrase is in hand, the KDF starts next; signals
 * are deliverable), "write" (the first header write of an update, lock
 * held and fatal signals held back, before the on-disk header is compared
 * with the one we parsed).
 *
 * VEIL_TEST_FAIL_WRITE=<n> makes the n-th header write of the process
 * (from 1) and every later one fail with EIO, as a device that stops
 * taking writes: tests check that what veil reports matches the device.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "veil.h"

void test_hook(const char *point)
{
	const char *spec = getenv("VEIL_TEST_HOOK");
	size_t n = strlen(point);
	char buf[64];
	int fd;

	if (!spec || strncmp(spec, point, n) || spec[n] != ':')
		return;
	spec += n + 1;
	fd = open(spec, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, point, n) < 0 || write(fd, "\n", 1) < 0) {
		/* the test went away; carry on as without a hook */
	}
	close(fd);
	fd = open(spec, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	for (;;) {
		ssize_t k = read(fd, buf, sizeof(buf));

		if (k > 0 || (k < 0 && errno == EINTR))
			continue;
		break;
	}
	close(fd);
}

int test_write_fault(void)
{
	static unsigned long count;
	const char *e = getenv("VEIL_TEST_FAIL_WRITE");
	char *end;
	unsigned long n;

	if (!e || !*e)
		return 0;
	n = strtoul(e, &end, 10);
	if (*end || !n)
		return 0;
	return ++count >= n ? -EIO : 0;
}
