// SPDX-License-Identifier: GPL-2.0-or-later
/* veil isveil / uuid: for scripts. isveil prints nothing; its exit code tells. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "veil.h"
#include "commands.h"

int cmd_isveil(int argc, char *argv[])
{
	struct veil_io io;
	struct veil_volume *vol = NULL;
	struct veil_opts o;
	const char *path;
	int r;

	if (parse_options(argc, argv, OPT_HEADER, &o) || want_args(&o, 1, 1, "DEVICE"))
		return -EINVAL;
	path = o.header ? o.header : o.argv[0];
	r = veil_io_open_path(&io, path, true);
	if (r)
		return fail(r, "cannot open %s: %s", path, strerror(-r));
	r = veil_load(&io, 0, &vol, NULL);
	veil_volume_free(vol);
	veil_io_close(&io);
	if (r == -ENODEV)
		return -EINVAL;	/* quietly: "no" is an answer (1, as isLuks), not an error */
	if (r)
		return vol_fail(r, path, "veil magic found but the header is unusable");
	return 0;
}
