// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil repair (as cryptsetup repair): finish what an interrupted or
 * unfinished header update left, once the passphrase has authenticated the
 * header copy in use: rewrite a stale or damaged copy, wipe the key
 * material a keyslot change replaced. Every writing command does the same
 * after its unlock; this one does only that.
 */
#include <errno.h>
#include <stdio.h>

#include "veil.h"
#include "commands.h"

int cmd_repair(int argc, char *argv[])
{
	struct veil_opts o;
	struct vol v = { .fd = -1 };
	struct secret vk = { 0 };
	unsigned pending;
	int r;

	if (parse_options(argc, argv, OPT_KEY_FILE | OPT_KEYFILE_OFFSET | OPT_KEYFILE_SIZE |
			  OPT_KEY_SLOT | OPT_HEADER | OPT_TRIES | OPT_TIMEOUT, &o) ||
	    want_args(&o, 1, 1, "DEVICE"))
		return -EINVAL;
	r = vol_open(&v, o.argv[0], o.header, VOL_WRITE);
	if (r)
		return r;
	pending = veil_volume_pending(v.vol);
	/* The unlock finishes it (vol_finish) and says what it did. */
	r = vol_unlock(&v, &o, &vk, NULL);
	if (!r && veil_volume_pending(v.vol))
		r = fail(-EIO, "%s: the header is still not in order; see the messages above",
			 o.argv[0]);
	if (!r && !pending)
		fprintf(stderr, "%s: both header copies are in order; nothing to repair.\n",
			o.argv[0]);
	secret_free(&vk);
	vol_close(&v);
	return r;
}
