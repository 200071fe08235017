/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LUKS volumes through libcryptsetup (tool/luks.c), shared by open --luks
 * and convert. veil never parses LUKS itself.
 */
#ifndef VEIL_TOOL_LUKS_H
#define VEIL_TOOL_LUKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "veil.h"

struct crypt_device;

struct luks_vol {
	struct crypt_device *cd;
	const char *device;	/* as the user named it */
	const char *hdr_path;	/* device, or the detached header */
	const char *type;	/* "LUKS1" or "LUKS2" */
	char cipher[64];	/* veil's spelling: aes-xts-plain64 */
	size_t key_size;	/* bytes */
	uint32_t sector_size;
	uint64_t data_offset;	/* bytes on the data device */
	uint64_t data_size;	/* bytes of a fixed-size LUKS2 segment; 0: to the end */
	uint64_t iv_offset;	/* 512-byte sectors */
	uint32_t flags;		/* persistent activation flags as VEIL_FLAG_* */
};

/* Load the LUKS header of device (or of header). -errno, message printed. */
int luks_load(struct luks_vol *l, const char *device, const char *header);
void luks_free(struct luks_vol *l);
/* The data area as cryptsetup maps it, in 512-byte sectors, on a data
 * device of dev_size bytes: the LUKS2 segment's fixed size if it has one,
 * else up to the end. -ENOSPC (message printed) if the device is short. */
int luks_data_range(const struct luks_vol *l, uint64_t dev_size, uint64_t *off, uint64_t *len);
/* Refuse, with the reason, what the veil target cannot map; -errno. */
int luks_check_mappable(struct luks_vol *l);
/* The LUKS2 tokens, as "0 (systemd-tpm2), 1 (fido2)" in list; their number. */
int luks_tokens(struct luks_vol *l, char *list, size_t len);
/* Ask (or read the key file) and unlock: vk and, if pass is not NULL, the
 * passphrase that opened *slot. -errno, message printed. */
int luks_unlock(struct luks_vol *l, const struct veil_opts *o, struct secret *vk,
		struct secret *pass, int *slot);

/* -EBUSY (message printed) when path, or the loop device over the file, is
 * open exclusively (mounted, mapped, held by device-mapper). */
int device_check_unused(const char *path);

/* The I/O a conversion writes through. Each write advances *p (when not
 * NULL) by its length. With VEIL_TEST_WRITE_LOG=FILE in the environment
 * (tests only), every write and sync is also appended to FILE after a
 * snapshot of the device, for the crash harness (tests/luks/convcheck.c)
 * to replay every prefix. */
int convert_io(struct veil_io *inner, struct veil_io *out, struct progress *p);
void convert_io_close(struct veil_io *io);

/* "aes-xts-plain64" -> "aes" and "xts-plain64". -EINVAL if no mode. */
int cipher_split(const char *spec, char *cipher, size_t clen, char *mode, size_t mlen);

#endif
