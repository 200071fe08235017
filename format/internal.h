/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Declarations shared by the format library's own files. Not installed and
 * not for the tool or tests: they use veil_format.h only.
 */
#ifndef VEIL_FORMAT_INTERNAL_H
#define VEIL_FORMAT_INTERNAL_H

#include "veil_format.h"

#include <stdarg.h>

#define VEIL_MIB (1024u * 1024u)

/* Sets this thread's detail message and returns err (a negative errno). */
int veil_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int veil_random(void *buf, size_t len);

/* Header validation that does not depend on the on-disk encoding. */
int veil_header_validate(const struct veil_header *hdr);
/* Label, subsystem, UUID and volume-key digest of a new header (format, adopt). */
int veil_header_set_identity(struct veil_header *h, const struct veil_secret *vk,
			     const char *label, const char *subsystem,
			     const uint8_t *uuid, uint32_t digest_iterations);

/* Raw authenticated bytes of hdr, as encoded (for the MAC). */
int veil_header_auth_bytes(const struct veil_header *hdr, uint8_t *copy);

/* Volume internals shared by volume.c and keyslot.c. */
struct veil_volume {
	struct veil_io *io;
	struct veil_header hdr;
	struct veil_load_report rep;
};

/* Commit hdr (with a fresh seqid) to both copies following the update
 * protocol; on success vol->hdr = *hdr. Success means the new header is
 * live: when only the second copy failed, that is noted as unfinished
 * (veil_unfinished) and the commit returns 0. */
int veil_volume_commit(struct veil_volume *vol, struct veil_header *hdr);
/* Digest, then MAC: 0, -EPERM or -EBADMSG. */
/* Append "what (the current error detail)" to veil_unfinished(). */
void veil_note_unfinished(const char *what);
int veil_volume_verify_key(const struct veil_volume *vol,
			   const struct veil_secret *vk);
/* Overwrite [off, off+len) with random bytes (one write per MiB). */
int veil_io_wipe(struct veil_io *io, uint64_t off, uint64_t len);
int veil_io_read(struct veil_io *io, void *buf, size_t len, uint64_t off);
int veil_io_write(struct veil_io *io, const void *buf, size_t len,
		  uint64_t off);
int veil_io_sync(struct veil_io *io);

/* SHA-256 of a buffer. */
int veil_sha256(const void *buf, size_t len, uint8_t out[32]);
/* HKDF-SHA256 (extract and expand). */
int veil_hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt,
		     size_t salt_len, const char *info, uint8_t *out,
		     size_t out_len);
/* HMAC-SHA256 over the concatenation of two buffers. */
int veil_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *a,
		     size_t a_len, const uint8_t *b, size_t b_len,
		     uint8_t out[32]);

/* Keyslot area size for key_len bytes and stripes (4096 multiple). */
uint64_t veil_area_size_for(size_t key_len, uint32_t stripes);

#endif
