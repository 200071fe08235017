// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Messages, and the one place where an -errno becomes an exit code.
 * Every helper and subcommand returns 0 or a negative errno; main() calls
 * translate_errno() once on what the subcommand returned. The mapping is
 * cryptsetup's, so scripts written for cryptsetup read veil's codes the same
 * way (docs/ARCHITECTURE.md, veil(8) "EXIT STATUS").
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "veil.h"

void err_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "veil%s%s: ", *prog_cmd ? " " : "", prog_cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Only these errnos have their own code; a helper that means "wrong or
 * missing device" returns -ENODEV, "no permission or wrong passphrase"
 * -EPERM, and so on. Everything else is 1.
 */
int translate_errno(int r)
{
	/* Already an exit status (veil tab passes on its children's). */
	if (r > 0)
		return r;
	switch (r) {
	case 0:
		return EXIT_OK;
	case -EEXIST:
	case -EBUSY:
		return EXIT_BUSY;
	case -ENODEV:
	case -ENOTBLK:
		return EXIT_DEVICE;
	case -ENOMEM:
		return EXIT_NOMEM;
	case -EPERM:
		return EXIT_PERM;
	default:
		return EXIT_PARAMS;
	}
}

/* Print a message and return neg_errno (for `return fail(...)`). */
int fail(int neg_errno, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "veil%s%s: ", *prog_cmd ? " " : "", prog_cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return neg_errno < 0 ? neg_errno : -EINVAL;
}
