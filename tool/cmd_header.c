// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil header backup / restore. A backup is the whole metadata area (both
 * header copies and every keyslot area), written to a new 0600 file. A
 * restore refuses a backup of another volume unless --force, and a backup
 * of a detached header anywhere but a header device (--header).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "veil.h"
#include "commands.h"

static int backup(const struct veil_opts *o)
{
	struct veil_io out = { 0 };
	struct vol v;
	const char *file = o->argv[1];
	int fd, r;

	r = vol_open(&v, o->argv[0], o->header, 0);
	if (r)
		return r;
	fd = open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = fail(errno == EEXIST ? -EEXIST : -errno, "cannot create backup file %s: %s",
			 file, strerror(errno));
		goto out;
	}
	if (ftruncate(fd, (off_t)vol_header(&v)->metadata_size) ||
	    (r = veil_io_from_fd(&out, fd, false))) {
		r = fail(-EIO, "%s: cannot size the backup file", file);
		goto unlink;
	}
	r = veil_header_backup(v.vol, &out);
	if (r) {
		r = vol_fail(r, o->argv[0], "cannot back up the header");
		goto unlink;
	}
	goto close;
unlink:
	unlink(file);
close:
	veil_io_close(&out);
	close(fd);
out:
	vol_close(&v);
	return r;
}

/*
 * A backup of a detached header goes to a header device (--header), never
 * onto DEVICE where it would be mapped as data; a backup of an attached
 * header never to --header. Checked here to name the option, and again by
 * the library (VEIL_RESTORE_HEADER_DEVICE).
 */
static int check_backup(const struct veil_opts *o, struct veil_io *in)
{
	struct veil_volume *bvol = NULL;
	bool detached;
	int r;

	r = veil_load(in, 0, &bvol, NULL);
	if (r)
		return vol_fail(r == -ENODEV ? -EINVAL : r, o->argv[1],
				"not a usable veil header backup");
	detached = veil_volume_header(bvol)->segment.detached;
	veil_volume_free(bvol);
	if (detached && !o->header)
		return fail(-EINVAL, "%s is the backup of a detached header: restoring it onto "
			    "%s would overwrite the start of the data; restore it to the header "
			    "file with --header FILE %s", o->argv[1], o->argv[0], o->argv[0]);
	if (!detached && o->header)
		return fail(-EINVAL, "%s is the backup of a header that lives on its data device: "
			    "restore it onto the device, without --header", o->argv[1]);
	return 0;
}

static int restore(const struct veil_opts *o)
{
	struct veil_io in = { 0 };
	struct vol v;
	char question[512];
	unsigned flags = (o->force ? VEIL_RESTORE_FORCE : 0) |
			 (o->header ? VEIL_RESTORE_HEADER_DEVICE : 0);
	int r;

	r = veil_io_open_path(&in, o->argv[1], true);
	if (r)
		return fail(r == -ENOENT ? -EINVAL : r, "cannot open backup file %s: %s",
			    o->argv[1], strerror(-r));
	r = check_backup(o, &in);
	if (r)
		goto out;
	snprintf(question, sizeof(question),
		 "This replaces the header and keyslots of %s with those in %s.",
		 o->header ? o->header : o->argv[0], o->argv[1]);
	if (!o->batch && (r = confirm_yes(question)))
		goto out;
	r = vol_open(&v, o->argv[0], o->header, VOL_WRITE | VOL_NOLOAD);
	if (r)
		goto out;
	r = veil_header_restore(&v.io, v.data_dev_size, &in, flags);
	if (r)
		r = vol_fail(r, o->argv[0], r == -EEXIST ?
			     "refusing to restore (--force replaces the other volume's header)" :
			     "cannot restore the header");
	vol_close(&v);
out:
	veil_io_close(&in);
	return r;
}

int cmd_header(int argc, char *argv[])
{
	struct veil_opts o;
	bool is_backup;

	if (argc < 2 || (strcmp(argv[1], "backup") && strcmp(argv[1], "restore"))) {
		err_msg("expected 'backup' or 'restore'");
		usage_of("header");
		return -EINVAL;
	}
	is_backup = !strcmp(argv[1], "backup");
	prog_cmd = is_backup ? "header backup" : "header restore";
	if (parse_options(argc - 1, argv + 1, OPT_HEADER | OPT_HEADER_BACKUP_FILE |
			  (is_backup ? 0 : OPT_FORCE | OPT_BATCH), &o))
		return -EINVAL;
	if (o.header_backup_file) {	/* cryptsetup's spelling of FILE */
		static char *args[2];

		if (want_args(&o, 1, 1, "DEVICE (FILE is --header-backup-file)"))
			return -EINVAL;
		args[0] = o.argv[0];
		args[1] = (char *)o.header_backup_file;
		o.argv = args;
		o.argc = 2;
	}
	if (want_args(&o, 2, 2, "DEVICE FILE"))
		return -EINVAL;
	return is_backup ? backup(&o) : restore(&o);
}
