// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil erase: overwrite every keyslot area, then commit an empty keyslot
 * table to both copies (as luksErase). The volume key is then gone from the
 * device and the data is unreadable for good (unless a header backup
 * exists), so it needs YES or --batch. A header whose copies are both
 * unreadable is erased too (the keyslot region and both copies wiped):
 * that is when a user needs erase most.
 */
#include <errno.h>
#include <stdio.h>

#include "veil.h"
#include "commands.h"

int cmd_erase(int argc, char *argv[])
{
	struct veil_opts o;
	struct veil_volume *vol = NULL;
	struct progress p;
	struct vol v;
	char question[512];
	uint64_t size = VEIL_DEFAULT_METADATA_SIZE;
	int r;

	if (parse_options(argc, argv, OPT_HEADER | OPT_BATCH | OPT_PROGRESS_JSON, &o) ||
	    want_args(&o, 1, 1, "DEVICE"))
		return -EINVAL;
	r = vol_open(&v, o.argv[0], o.header, VOL_WRITE | VOL_NOLOAD);
	if (r)
		return r;
	r = veil_load(&v.io, 0, &vol, NULL);
	if (r == -ENODEV) {
		r = fail(-EINVAL, "%s: not a veil device (no veil header found); nothing erased",
			 v.hdr_path);
		goto out;
	}
	if (r) {
		fprintf(stderr, "veil erase: %s: no header copy is readable (%s); wiping the "
			"keyslot region and both copies anyway\n", v.hdr_path,
			*veil_error_detail() ? veil_error_detail() : veil_strerror(r));
	} else {
		size = veil_volume_header(vol)->metadata_size;
		/* Erase touches only the header: a detached one may be named as
		 * DEVICE; --header must name a detached one. */
		if (o.header && !veil_volume_header(vol)->segment.detached) {
			r = fail(-EINVAL, "%s: not a detached header; erase it as DEVICE, "
				 "without --header", v.hdr_path);
			goto out;
		}
	}
	snprintf(question, sizeof(question),
		 "This erases every keyslot of %s; its data will be unreadable for good.",
		 v.hdr_path);
	if (!o.batch && (r = confirm_yes(question)))
		goto out;
	progress_start(&p, "Erasing keyslots", v.hdr_path, size, o.progress_json);
	v.progress = &p;
	r = veil_erase(&v.io);
	v.progress = NULL;
	progress_end(&p);
	if (r)
		r = vol_fail(r, v.hdr_path, "cannot erase");
out:
	veil_volume_free(vol);
	vol_close(&v);
	return r;
}
