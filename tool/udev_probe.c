// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil probe DEVICE: the udev half of veil. Prints the properties udev's
 * blkid builtin would print if libblkid knew veil headers, for the rule in
 * udev/60-veil.rules (IMPORT{program}), so /dev/disk/by-uuid and by-label
 * links and UUID=/LABEL= in fstab and veiltab work for veil volumes. It
 * reads 8 bytes of a device without a veil header and prints nothing:
 * cheap enough for every block device. Exit 0 when veil, 1 when not.
 */
#include <blkid/blkid.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "veil.h"
#include "commands.h"
#include "tab.h"

int cmd_probe(int argc, char *argv[])
{
	char uuid[VEIL_UUID_STR_LEN + 1], label[VEIL_LABEL_SIZE + 1];
	char enc[4 * sizeof(label) + 1], safe[sizeof(label)];
	struct veil_opts o;
	int r;

	if (parse_options(argc, argv, 0, &o) || want_args(&o, 1, 1, "DEVICE"))
		return -EINVAL;
	r = tab_probe_veil(o.argv[0], uuid, sizeof(uuid), label, sizeof(label));
	if (r == -ENODEV)
		return -EINVAL;	/* not veil: quietly, as blkid */
	if (r)
		return fail(r, "%s: veil magic found but the header is unusable: %s", o.argv[0],
			    strerror(-r));
	printf("ID_FS_TYPE=veil\nID_FS_USAGE=crypto\nID_FS_VERSION=1\n");
	printf("ID_FS_UUID=%s\nID_FS_UUID_ENC=%s\n", uuid, uuid);
	if (*label) {
		snprintf(safe, sizeof(safe), "%s", label);
		blkid_safe_string(label, safe, sizeof(safe));
		if (blkid_encode_string(label, enc, sizeof(enc)))
			enc[0] = 0;
		printf("ID_FS_LABEL=%s\nID_FS_LABEL_ENC=%s\n", safe, enc);
	}
	return 0;
}
