// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil erase: overwrite every keyslot area, then commit an empty keyslot
 * table to both copies (as luksErase). The volume key is then gone from the
 * device and the data is unreadable for good (unless a header backup
 * exists), so it needs YES or --batch.
 */
#include <errno.h>
#include <stdio.h>

#include "veil.h"
#include "commands.h"

int cmd_erase(int argc, char *argv[])
{
	struct veil_opts o;
	struct progress p;
	struct vol v;
	char question[512];
	int r;

	if (parse_options(argc, argv, OPT_HEADER | OPT_BATCH, &o) || want_args(&o, 1, 1, "DEVICE"))
		return EXIT_PARAMS;
	r = vol_open(&v, o.argv[0], o.header, VOL_WRITE);
	if (r)
		return r;
	snprintf(question, sizeof(question),
		 "This erases every keyslot of %s; its data will be unreadable for good.",
		 v.hdr_path);
	if (!o.batch && (r = exit_code(confirm_yes(question))))
		goto out;
	progress_start(&p, "Erasing keyslots", vol_header(&v)->metadata_size);
	v.progress = &p;
	r = veil_erase(&v.io);
	v.progress = NULL;
	progress_end(&p);
	if (r)
		r = vol_fail(r, v.hdr_path, "cannot erase");
out:
	vol_close(&v);
	return r;
}
