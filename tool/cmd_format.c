// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil format: a new volume key, a new header and keyslot 0. Refuses a
 * device with any known signature unless --force, and asks for YES unless
 * --batch, because everything on the device becomes unreadable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "veil.h"
#include "commands.h"

#define FORMAT_OPTS (OPT_CIPHER | OPT_KEY_SIZE | OPT_SECTOR_SIZE | KDF_OPTS | OPT_LABEL | \
		     OPT_UUID | OPT_HEADER | OPT_KEY_FILE | OPT_KEYFILE_OFFSET | \
		     OPT_KEYFILE_SIZE | OPT_KEY_SLOT | OPT_BATCH | OPT_FORCE | OPT_OFFSET | \
		     OPT_IV_LARGE_SECTORS | OPT_ALLOW_DISCARDS | OPT_VOLUME_KEY_FILE | OPT_WIPE)

/* A mounted or otherwise claimed block device cannot be opened O_EXCL. */
static int check_not_in_use(const char *device)
{
	struct stat st;
	int fd;

	if (stat(device, &st))
		return fail(-ENOENT, "%s: %s", device, strerror(errno));
	if (!S_ISBLK(st.st_mode))
		return S_ISREG(st.st_mode) ? 0 :
			fail(-ENOTBLK, "%s: not a block device or regular file", device);
	fd = open(device, O_RDONLY | O_EXCL | O_CLOEXEC);
	if (fd < 0)
		return fail(errno == EBUSY ? -EBUSY : -errno, "%s is in use (mounted or held "
			    "by another device): %s", device, strerror(errno));
	close(fd);
	return 0;
}

/*
 * A detached header file holds the keyslots: created 0600 with O_EXCL and
 * never through a symlink; an existing regular file (format --force over
 * an old header) is made 0600 too. Grown to hold the metadata.
 */
static int prepare_header_file(const char *path)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail(errno == ELOOP ? -EINVAL : -errno, "cannot create header file %s: %s",
			    path, errno == ELOOP ? "it is a symbolic link" : strerror(errno));
	if (fstat(fd, &st) || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		close(fd);
		return fail(-EINVAL, "header file %s is not a regular file or block device", path);
	}
	if (S_ISREG(st.st_mode) && (st.st_mode & 07777) != 0600 && fchmod(fd, 0600)) {
		close(fd);
		return fail(-errno, "cannot make header file %s mode 0600: %s", path,
			    strerror(errno));
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < VEIL_DEFAULT_METADATA_SIZE &&
	    ftruncate(fd, VEIL_DEFAULT_METADATA_SIZE)) {
		close(fd);
		return fail(-errno, "cannot size header file %s: %s", path, strerror(errno));
	}
	close(fd);
	return 0;
}

/* --wipe writes the data device even when the header goes elsewhere: a
 * read-only one is refused before anything is written. A read-only block
 * device may still open for writing (writes then fail): BLKROGET says. */
static int check_writable(const char *device)
{
	int fd = open(device, O_WRONLY | O_CLOEXEC), ro = 0, err;

	if (fd >= 0 && ioctl(fd, BLKROGET, &ro) == 0 && ro) {
		close(fd);
		fd = -1;
		errno = EROFS;
	}
	if (fd < 0) {
		err = errno;
		return fail(err == EROFS || err == EACCES || err == EPERM ? -ENODEV : -err,
			    "%s: cannot write the data area for --wipe: %s", device,
			    err == EROFS ? "the device is read-only" : strerror(err));
	}
	close(fd);
	return 0;
}

/* libblkid does not know veil (yet): look for either copy's magic. */
static bool has_veil_magic(const char *path)
{
	uint8_t buf[VEIL_MAGIC_LEN];
	bool found = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (pread(fd, buf, sizeof(buf), VEIL_HDR_COPY0_OFFSET) == (ssize_t)sizeof(buf))
		found = veil_probe_magic(buf, sizeof(buf));
	if (!found && pread(fd, buf, sizeof(buf), VEIL_HDR_COPY1_OFFSET) == (ssize_t)sizeof(buf))
		found = !memcmp(buf, veil_magic1, VEIL_MAGIC_LEN);
	close(fd);
	return found;
}

static int check_signatures(const struct veil_opts *o, const char *path)
{
	char what[128];
	int r = probe_signatures(path, what, sizeof(what));

	if (r < 0)
		return fail(r, "%s: cannot probe for existing signatures", path);
	if (r == 0 && has_veil_magic(path))
		snprintf(what, sizeof(what), "a veil header");
	else if (r == 0)
		return 0;
	if (!o->force)
		return fail(-EEXIST, "%s already contains %s; refusing to format it "
			    "(use --force to overwrite)", path, what);
	fprintf(stderr, "veil format: %s contains %s; overwriting it (--force)\n", path, what);
	return 0;
}

int cmd_format(int argc, char *argv[])
{
	struct veil_opts o;
	struct vol v = { .fd = -1 };
	struct veil_format_params p;
	struct veil_keyslot_params kp;
	struct veil_volume *vol = NULL;
	struct veil_secret *vk = NULL;
	struct secret pass = { 0 }, vkey = { 0 };
	const char *device, *cipher;
	uint32_t key_bytes;
	uint8_t uuid[16];
	char question[512];
	int slot = -1, r;

	if (parse_options(argc, argv, FORMAT_OPTS, &o) || want_args(&o, 1, 1, "DEVICE"))
		return -EINVAL;
	device = o.argv[0];
	cipher = o.cipher ? o.cipher : VEIL_DEFAULT_CIPHER;
	key_bytes = o.key_bits ? o.key_bits / 8 : veil_cipher_default_key_size(cipher);
	if (!key_bytes || veil_cipher_check(cipher, key_bytes))
		return fail(-EINVAL, "cipher %s with a %u-bit key is not supported%s%s", cipher,
			    key_bytes * 8, *veil_error_detail() ? ": " : "", veil_error_detail());
	if (o.uuid && uuid_parse(o.uuid, uuid))
		return fail(-EINVAL, "--uuid %s is not a UUID", o.uuid);
	if (o.label && strlen(o.label) >= VEIL_LABEL_SIZE)
		return fail(-EINVAL, "--label is longer than %d bytes", VEIL_LABEL_SIZE - 1);
	if (o.wipe && wipe_data_check(cipher, key_bytes))
		return -ENOTSUP;
	r = check_not_in_use(device);
	if (!r && o.wipe)
		r = check_writable(device);
	if (!r)
		r = check_signatures(&o, device);
	if (!r && o.header && access(o.header, F_OK) == 0)
		r = check_signatures(&o, o.header);
	if (r)
		return r;
	r = kdf_params(&o, VEIL_KEYSLOT_KEK_SIZE, &kp);
	if (r)
		return r;
	snprintf(question, sizeof(question), "This will overwrite data on %s irrevocably.%s%s",
		 o.header ? o.header : device, o.header ? "\nThe data device is " : "",
		 o.header ? device : "");
	if (!o.batch && (r = confirm_yes(question)))
		return r;
	r = get_new_secret(o.key_file, o.keyfile_offset, o.keyfile_size, o.batch, &pass);
	if (r)
		return r;
	if (o.header) {
		r = prepare_header_file(o.header);
		if (r)
			goto out;
	}
	if (o.force) {
		/* Old keyslots must not survive: on DEVICE even when the new
		 * header goes elsewhere, and in an old header file. */
		r = wipe_old_headers(device);
		if (!r && o.header)
			r = wipe_old_headers(o.header);
		if (r)
			goto out;
		r = probe_wipe(device);
		if (r) {
			r = fail(r, "%s: cannot wipe the old signatures: %s", device, strerror(-r));
			goto out;
		}
	}
	r = vol_open(&v, device, o.header, VOL_WRITE | VOL_NOLOAD);
	if (r)
		goto out;
	if (o.volume_key_file) {	/* a known key, as luksFormat --volume-key-file */
		r = read_volume_key_file(o.volume_key_file, key_bytes, &vkey);
		if (r)
			goto out;
		vk = vkey.vs;
	} else {
		r = veil_volume_key_generate(key_bytes, &vk);
		if (r) {
			r = vol_fail(r, device, "cannot generate a volume key");
			goto out;
		}
		secret_adopt(&vkey, vk);	/* wiped by a signal too; freed through vkey */
	}
	veil_format_params_init(&p);
	p.cipher = cipher;
	p.key_size = key_bytes;
	p.sector_size = o.sector_size ? o.sector_size : 4096;
	p.iv_large_sectors = o.iv_large_sectors;
	p.detached = o.header != NULL;
	if (o.given & OPT_OFFSET)
		p.data_offset = o.offset * 512;
	p.flags = o.map_flags;	/* --allow-discards, --perf-*: stored, as --persistent */
	/* As cryptsetup: with benchmarks disabled the digest takes the minimum. */
	if (o.pbkdf_iterations)
		p.digest_iterations = VEIL_DIGEST_ITER_MIN;
	p.label = o.label;
	p.uuid = o.uuid ? uuid : NULL;
	r = veil_format(&v.io, v.data_dev_size, &p, vk, &vol);
	secrets_signal_point();
	if (r) {
		r = vol_fail(r, o.header ? o.header : device, "cannot write the header");
		goto out;
	}
	r = veil_keyslot_add(vol, vk, o.key_slot, pass.data, pass.len, &kp, &slot);
	if (r) {
		r = vol_fail(r, o.header ? o.header : device, "cannot add keyslot");
		goto out;
	}
	fprintf(stderr, "Key slot %d created.\n", slot);
	if (o.wipe)	/* the header is complete: an interrupted wipe leaves a usable volume */
		r = wipe_data_area(device, &veil_volume_header(vol)->segment, v.data_dev_size, vk,
				   o.progress_json);
out:
	veil_volume_free(vol);
	secret_free(&vkey);
	secret_free(&pass);
	vol_close(&v);
	return r;
}
