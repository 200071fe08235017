// SPDX-License-Identifier: GPL-2.0-or-later
/* Messages and the mapping from -errno to DESIGN.md's exit codes. */
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

int exit_code(int neg_errno)
{
	switch (-neg_errno) {
	case 0:
		return EXIT_OK;
	case EPERM:
	case EACCES:
	case EKEYREJECTED:
	case EKEYREVOKED:
	case EKEYEXPIRED:
	case ENOKEY:
	case EROFS:
		return EXIT_PERM;
	case ENOMEM:
		return EXIT_NOMEM;
	case ENOENT:
	case ENODEV:
	case ENXIO:
	case ENOTBLK:
	case EIO:
	case ENOSPC:
	case EFBIG:
	case ENOMEDIUM:
	case EBADMSG:	/* not a veil device / corrupt header */
	case EUCLEAN:
	case EPROTO:
		return EXIT_DEVICE;
	case EBUSY:
	case EEXIST:
	case EAGAIN:
	case ETXTBSY:
		return EXIT_BUSY;
	default:
		return EXIT_PARAMS;
	}
}

/* Print a message and return the exit code for neg_errno. */
int fail(int neg_errno, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "veil%s%s: ", *prog_cmd ? " " : "", prog_cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return exit_code(neg_errno);
}
