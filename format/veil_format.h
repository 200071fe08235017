/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libveilformat: the veil on-disk header and its keyslots.
 *
 * This is the only public header of the format library. format/SPEC.md is
 * the normative description of the bytes; this file is the C interface.
 *
 * Conventions
 *  - Every function that can fail returns 0 or a negative errno. On failure
 *    a human-readable reason for the calling thread is available from
 *    veil_error_detail() (e.g. "keyslot 3: argon2 memory 8388608 KiB exceeds
 *    the limit of 4194304 KiB"); veil_strerror() gives the generic meaning of
 *    a code in the library's vocabulary.
 *  - Error codes with a fixed meaning (the tool maps them to exit codes):
 *      -ENODEV          not a veil device (no veil magic in either copy)
 *      -EUCLEAN         header checksum mismatch in both copies
 *      -EPROTONOSUPPORT unsupported header version or incompatible feature
 *      -ERANGE          a header field is out of its allowed range (hostile
 *                       or absurd parameters, overlapping areas, ...)
 *      -EBADMSG         header authentication failed: the header was
 *                       modified (MAC mismatch after a successful unlock)
 *      -EPERM           no keyslot opened with this passphrase / key
 *      -ENOENT          keyslot inactive, or no usable active keyslot
 *      -EEXIST          keyslot already in use, or restore onto another
 *                       volume (different UUID) without VEIL_RESTORE_FORCE
 *      -EBUSY           removing/killing the last keyslot without allow_last
 *      -ENOSPC          no free keyslot or no free keyslot area; device
 *                       too small for the header or the data area
 *      -EROFS           the I/O object is read-only
 *      -EINVAL          invalid argument from the caller (bad cipher/key
 *                       size combination, label too long, ...)
 *      -EIO             I/O error (or short read/write)
 *      -ENOMEM          out of memory
 *  - Secrets (passphrases copied by the library, derived keys, the volume
 *    key, AF-split material) live in veil_secret buffers: page-aligned,
 *    mlock'ed, excluded from core dumps, wiped with OPENSSL_cleanse on free.
 *    Every error path frees (and so wipes) them.
 *  - All device access goes through struct veil_io, so tests can substitute
 *    an in-memory or write-recording implementation.
 *
 * Which secret each operation needs (the header MAC is keyed from the volume
 * key, so every change to MAC-covered fields needs the volume key):
 *
 *   operation                              secret needed
 *   -------------------------------------  ---------------------------------
 *   load / parse / dump / list / isveil    none (never writes)
 *   repair a bad or stale header copy      the volume key: it must
 *                                          authenticate the copy kept
 *                                          (seqid is not MAC-covered)
 *   set label / subsystem                  none (not MAC-covered)
 *   header backup                          none
 *   header restore                         none (the backup is validated;
 *                                          it is authenticated at next unlock)
 *   erase                                  none
 *   format                                 a new volume key (generated)
 *   unlock                                 a passphrase or key-file bytes
 *   keyslot add                            the volume key (unlock first)
 *   keyslot remove                         the passphrase of that slot
 *   keyslot change                         the old passphrase of that slot
 *   keyslot kill / set priority            the volume key (unlock any
 *                                          other slot, or a volume-key file)
 *   set UUID, persistent flags, data size  the volume key
 */
#ifndef VEIL_FORMAT_H
#define VEIL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Layout constants (SPEC.md section "Device layout")                        */

#define VEIL_FORMAT_VERSION      1
#define VEIL_HDR_COPY_SIZE       4096u     /* bytes in one header copy */
#define VEIL_HDR_COPY0_OFFSET    0u        /* primary copy */
#define VEIL_HDR_COPY1_OFFSET    16384u    /* secondary copy */
#define VEIL_HDR_PARSE_LEN       (VEIL_HDR_COPY1_OFFSET + VEIL_HDR_COPY_SIZE)
#define VEIL_KEYSLOTS_OFFSET     32768u    /* default start of keyslot areas */
#define VEIL_DEFAULT_METADATA_SIZE (16u << 20) /* header + keyslot areas */
#define VEIL_METADATA_SIZE_MAX   (256u << 20) /* read limit */
#define VEIL_DATA_ALIGN          (1u << 20)   /* data offset alignment */
#define VEIL_AREA_ALIGN          4096u        /* keyslot area alignment */

#define VEIL_MAGIC_LEN           8
/* "VEIL\0\xba\xbe\x01" at offset 0 of the primary copy: a cheap probe. */
extern const uint8_t veil_magic0[VEIL_MAGIC_LEN];
/* "LIEV\0\xba\xbe\x02" at offset 0 of the secondary copy. */
extern const uint8_t veil_magic1[VEIL_MAGIC_LEN];

#define VEIL_MAX_KEYSLOTS        32
#define VEIL_MAX_RETIRED         4     /* areas awaiting a wipe (see SPEC) */
#define VEIL_SALT_SIZE           32
#define VEIL_DIGEST_SIZE         32
#define VEIL_MAC_SIZE            32
#define VEIL_UUID_SIZE           16
#define VEIL_UUID_STR_LEN        36    /* without the NUL */
#define VEIL_LABEL_SIZE          48    /* on-disk field; max 47 bytes + NUL */
#define VEIL_SUBSYSTEM_SIZE      48
#define VEIL_CIPHER_SIZE         32    /* on-disk field; max 31 chars + NUL */
#define VEIL_MAX_KEY_SIZE        64    /* bytes */
#define VEIL_KEYSLOT_KEK_SIZE    64    /* aes-xts-plain64, 512-bit */

/* Limits enforced on read (SPEC.md "Limits"). */
#define VEIL_STRIPES_MIN         4000u
#define VEIL_STRIPES_MAX         65536u
#define VEIL_ARGON2_MEMORY_MAX_KIB (4u << 20)   /* 4 GiB */
#define VEIL_ARGON2_TIME_MAX     1000u
#define VEIL_ARGON2_PARALLEL_MAX 16u
#define VEIL_PBKDF2_ITER_MIN     1000u
#define VEIL_PBKDF2_ITER_MAX     (1u << 30)
#define VEIL_DIGEST_ITER_MIN     1000u
/* The total work one unlock attempt may cost, over all active keyslots:
 * argon2id passes x KiB, PBKDF2 iterations, and the digest iterations once
 * per slot (SPEC.md "Limits"). 2^30: one argon2id slot of 1000 passes over
 * 1 GiB, or 32 calibrated slots many times over. */
#define VEIL_UNLOCK_WORK_MAX     (1ull << 30)
#define VEIL_SECTOR_SIZE_MIN     512u
#define VEIL_SECTOR_SIZE_MAX     4096u

/* Calibration caps (format time, not read limits). */
#define VEIL_CALIB_MEMORY_MAX_KIB (1u << 20)    /* 1 GiB; also <= RAM/2 */
#define VEIL_CALIB_THREADS_MAX   4u             /* also <= online CPUs */
#define VEIL_CALIB_DEFAULT_MS    1000u

/* Persistent flags (header "flags" field). Unknown bits are refused on read. */
#define VEIL_FLAG_ALLOW_DISCARDS        (1u << 0)
#define VEIL_FLAG_SAME_CPU_CRYPT        (1u << 1)
#define VEIL_FLAG_SUBMIT_FROM_CRYPT_CPUS (1u << 2)
#define VEIL_FLAG_NO_READ_WORKQUEUE     (1u << 3)
#define VEIL_FLAG_NO_WRITE_WORKQUEUE    (1u << 4)
/* Bits 5..15: performance flags of the veil target. */
#define VEIL_FLAG_NO_INLINE             (1u << 5)
#define VEIL_FLAG_PERF_RESERVED         0x0000ffc0u
#define VEIL_FLAGS_KNOWN                0x0000003fu

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */

/* Generic meaning of a (negative or positive) error code. Never NULL. */
const char *veil_strerror(int err);
/* Specific reason of the last failure in this thread ("" if none). */
const char *veil_error_detail(void);
/* Clear this thread's detail (the library does it at each API entry). */
void veil_error_clear(void);
/*
 * An update that took effect but was left unfinished (SPEC.md 9.2): once
 * the new header is complete in one copy the change is live, so a failure
 * after that (the second copy, the wipe of a replaced keyslot area) does
 * not fail the call: it returns 0 and says here what is left undone and
 * why ("" if nothing), in this thread, until veil_unfinished_clear(). The
 * next writer that unlocks the volume finishes it (veil_repair and
 * veil_finish_pending); veil_volume_pending() tells what is left.
 */
const char *veil_unfinished(void);
void veil_unfinished_clear(void);

/* ------------------------------------------------------------------------ */
/* Secret buffers                                                           */

struct veil_secret {
	uint8_t *data;    /* len usable bytes */
	size_t len;
	size_t alloc;     /* mapping size (page multiple) */
	bool locked;      /* mlock succeeded */
};

/* Zeroed, mlock'ed (best effort: locked=false if RLIMIT_MEMLOCK refuses),
 * MADV_DONTDUMP. len may be 0. Returns NULL on ENOMEM. */
struct veil_secret *veil_secret_new(size_t len);
/* Copy of len bytes of p in a new secret; NULL on ENOMEM. */
struct veil_secret *veil_secret_dup(const void *p, size_t len);
/* Wipe, munlock and release. NULL is accepted. */
void veil_secret_free(struct veil_secret *s);
/* Wipe a caller buffer (OPENSSL_cleanse). */
void veil_wipe(void *p, size_t len);

/* A random volume key of len bytes (RAND_priv_bytes). */
int veil_volume_key_generate(size_t len, struct veil_secret **out);

/* ------------------------------------------------------------------------ */
/* I/O abstraction                                                          */

/*
 * One device (or header file, or memory buffer). Each pwrite call is one
 * "write" in the crash model: the library never relies on two writes being
 * ordered unless a sync separates them, and tolerates any 512-byte-aligned
 * prefix of one write landing (SPEC.md "Update protocol").
 * pread/pwrite return 0 when all len bytes were transferred, else -errno
 * (-EIO for a short transfer). The library never calls them beyond
 * io->size. Offsets and lengths of header and keyslot I/O are multiples of
 * 512; each header copy is written by exactly one 4096-byte pwrite.
 */
struct veil_io {
	void *ctx;
	int (*pread)(void *ctx, void *buf, size_t len, uint64_t off);
	int (*pwrite)(void *ctx, const void *buf, size_t len, uint64_t off);
	int (*sync)(void *ctx);
	void (*close)(void *ctx);       /* may be NULL */
	uint64_t size;                  /* bytes */
	bool read_only;
};

/* Wrap an open fd (block device or regular file). The size comes from
 * BLKGETSIZE64 or fstat. The fd is not closed by veil_io_close(). */
int veil_io_from_fd(struct veil_io *io, int fd, bool read_only);
/* Open path (O_RDONLY or O_RDWR, O_CLOEXEC); closed by veil_io_close(). */
int veil_io_open_path(struct veil_io *io, const char *path, bool read_only);
/* In-memory device over buf (not copied, not freed). It allocates
 * nothing: veil_io_close() is optional. Its pread/pwrite do not check
 * bounds themselves; the library checks every access against io->size, and
 * a wrapper calling them directly must stay within size. */
void veil_io_from_memory(struct veil_io *io, uint8_t *buf, uint64_t size,
			 bool read_only);
/* Call io->close if set, then clear *io. NULL-safe. */
void veil_io_close(struct veil_io *io);

/* ------------------------------------------------------------------------ */
/* Primitives (the exact code the keyslots use; exposed for KAT tests)       */

/*
 * XTS-AES with a plain64 tweak: data unit i of the buffer uses tweak
 * (first_unit + i) as 16 bytes little-endian. key_len is 32 (AES-128-XTS)
 * or 64 (AES-256-XTS). unit_size >= 16 and len a multiple of it. in and out
 * may be equal. OpenSSL refuses to encrypt when both key halves are equal.
 */
int veil_xts_crypt(bool encrypt, const uint8_t *key, size_t key_len,
		   size_t unit_size, uint64_t first_unit,
		   const uint8_t *in, uint8_t *out, size_t len);

/* Argon2id through libargon2's context API (argon2_ctx), with optional
 * secret and associated data. memory in KiB. */
int veil_argon2id(const void *pwd, size_t pwd_len, const uint8_t *salt,
		  size_t salt_len, const uint8_t *secret, size_t secret_len,
		  const uint8_t *ad, size_t ad_len, uint32_t t_cost,
		  uint32_t m_cost_kib, uint32_t parallelism,
		  uint8_t *out, size_t out_len);

/* PBKDF2-HMAC-SHA256. */
int veil_pbkdf2_sha256(const void *pwd, size_t pwd_len, const uint8_t *salt,
		       size_t salt_len, uint32_t iterations,
		       uint8_t *out, size_t out_len);

/* LUKS-style anti-forensic split/merge with a SHA-256 diffuser.
 * split: material has key_len*stripes bytes; merge is its inverse. */
int veil_af_split(const uint8_t *key, size_t key_len, uint32_t stripes,
		  uint8_t *material);
int veil_af_merge(const uint8_t *material, size_t key_len, uint32_t stripes,
		  uint8_t *key);

/* ------------------------------------------------------------------------ */
/* Ciphers                                                                  */

/* Is (cipher, key_len bytes) a supported segment combination?
 *   aes-xts-plain64, aes-xts-plain   32 or 64 (default 64)
 *   aes-cbc-essiv:sha256             16, 24 or 32 (default 32)
 *   xchacha12,aes-adiantum-plain64   32
 * Returns 0 or -EINVAL (with detail). */
int veil_cipher_check(const char *cipher, uint32_t key_len);
/* Default key size in bytes for a supported cipher, 0 if unknown. */
uint32_t veil_cipher_default_key_size(const char *cipher);
#define VEIL_DEFAULT_CIPHER "aes-xts-plain64"

/* ------------------------------------------------------------------------ */
/* KDF                                                                      */

enum veil_kdf_type {
	VEIL_KDF_NONE = 0,            /* inactive keyslot only */
	VEIL_KDF_ARGON2ID = 1,
	VEIL_KDF_PBKDF2_SHA256 = 2,
};

struct veil_kdf {
	enum veil_kdf_type type;
	uint32_t time;          /* argon2id: passes; pbkdf2: iterations */
	uint32_t memory_kib;    /* argon2id only, else 0 */
	uint32_t parallel;      /* argon2id only, else 0 */
};

/* "argon2id" / "pbkdf2" (also accepts "pbkdf2-sha256") <-> type. */
const char *veil_kdf_name(enum veil_kdf_type type);
int veil_kdf_parse_name(const char *name, enum veil_kdf_type *type);

/* Validate KDF parameters against the read limits. */
int veil_kdf_check(const struct veil_kdf *kdf);

/*
 * Measure this machine and fill *kdf so that one derivation of a
 * key_len-byte key takes about target_ms (0 = 1000 ms).
 * In: kdf->type (NONE means argon2id); kdf->memory_kib and kdf->parallel, if
 * non-zero, are caps given by the user (--pbkdf-memory, --pbkdf-parallel).
 * argon2id memory is capped at 1 GiB and at half of the RAM, threads at 4
 * and at the online CPUs. Takes roughly 1-3 target_ms of wall time.
 */
int veil_kdf_calibrate(struct veil_kdf *kdf, uint32_t target_ms,
		       size_t key_len);

/* argon2id only: a zero memory_kib or parallel becomes the calibration
 * cap (min(1 GiB, RAM/2); min(4, online CPUs)). Other fields untouched. */
void veil_kdf_fill_defaults(struct veil_kdf *kdf);

/* Derive out_len bytes from a passphrase with the given KDF and salt. */
int veil_kdf_derive(const struct veil_kdf *kdf, const void *pass,
		    size_t pass_len, const uint8_t salt[VEIL_SALT_SIZE],
		    uint8_t *out, size_t out_len);

/* ------------------------------------------------------------------------ */
/* The header, in memory                                                    */

enum veil_keyslot_state {
	VEIL_SLOT_INACTIVE = 0,
	VEIL_SLOT_ACTIVE = 1,
};

enum veil_keyslot_priority {
	VEIL_PRIO_IGNORE = 0,   /* tried only when asked for by number */
	VEIL_PRIO_NORMAL = 1,
	VEIL_PRIO_PREFER = 2,   /* tried before normal slots */
};

struct veil_area {
	uint64_t offset;        /* bytes, on the header device */
	uint64_t size;          /* bytes; 0 = entry unused */
};

struct veil_keyslot {
	enum veil_keyslot_state state;
	enum veil_keyslot_priority priority;
	struct veil_kdf kdf;
	uint32_t area_cipher;   /* 1 = aes-xts-plain64 (only value) */
	uint32_t kek_size;      /* bytes, 64 */
	uint32_t stripes;
	uint32_t key_size;      /* bytes of volume key stored */
	uint8_t salt[VEIL_SALT_SIZE];
	struct veil_area area;
};

struct veil_segment {
	char cipher[VEIL_CIPHER_SIZE];  /* NUL-terminated */
	uint32_t key_size;              /* bytes */
	uint32_t sector_size;           /* 512..4096, power of two */
	bool iv_large_sectors;
	bool dynamic_size;              /* data runs to the end of the device */
	bool detached;                  /* data on another device than header */
	uint64_t data_offset;           /* bytes on the data device */
	uint64_t data_size;             /* bytes; 0 iff dynamic_size */
	uint64_t iv_offset;             /* 512-byte sectors */
};

/* version and uuid are MAC-covered; seqid, label, subsystem are not. */
struct veil_header {
	uint16_t version;
	uint64_t seqid;
	uint8_t uuid[VEIL_UUID_SIZE];
	char label[VEIL_LABEL_SIZE];            /* NUL-terminated */
	char subsystem[VEIL_SUBSYSTEM_SIZE];    /* NUL-terminated */
	/* the authenticated region (SPEC.md 0x100..0xfbf) from here on */
	uint32_t incompat;                      /* must be 0 in version 1 */
	uint32_t flags;                         /* VEIL_FLAG_* */
	uint64_t metadata_size;                 /* bytes: copies + areas */
	uint64_t keyslots_offset;               /* start of the area region */
	uint64_t keyslots_size;                 /* size of the area region */
	struct veil_segment segment;
	uint32_t digest_iterations;
	uint8_t digest_salt[VEIL_SALT_SIZE];
	uint8_t digest[VEIL_DIGEST_SIZE];
	struct veil_keyslot slots[VEIL_MAX_KEYSLOTS];
	struct veil_area retired[VEIL_MAX_RETIRED];
	uint8_t mac[VEIL_MAC_SIZE];
};

/* ------------------------------------------------------------------------ */
/* Parsing (no I/O: fuzzable)                                               */

enum veil_copy_status {
	VEIL_COPY_OK = 0,
	VEIL_COPY_STALE,        /* valid but lower seqid than the other copy */
	VEIL_COPY_MISMATCH,     /* valid, same seqid as the other, other bytes */
	VEIL_COPY_TRUNCATED,    /* the buffer/device ends before this copy */
	VEIL_COPY_NO_MAGIC,     /* no veil magic */
	VEIL_COPY_BAD_CHECKSUM, /* magic ok, SHA-256 mismatch */
	VEIL_COPY_BAD_VERSION,  /* unknown version, incompat feature or flag */
	VEIL_COPY_INVALID,      /* checksum ok, a field out of range */
};
const char *veil_copy_status_str(enum veil_copy_status st);

struct veil_load_report {
	enum veil_copy_status copy[2];
	int copy_err[2];                /* -errno of that copy, 0 if OK */
	char copy_detail[2][128];       /* reason, "" if OK */
	uint64_t copy_seqid[2];         /* valid only if checksum ok */
	int used_copy;                  /* 0 or 1, -1 if none */
	bool repaired[2];               /* copy i was rewritten from the used
					   one (copy[i] still says what was
					   found) */
};

/*
 * Decode and validate one header copy (4096 bytes at buf) expected to be
 * copy `index` (0 or 1): cheap checks (magic, version, size fields) first,
 * then the SHA-256 checksum, then every range/overlap limit. *st (may be
 * NULL) gets the copy status. Returns 0 or -ENODEV/-EUCLEAN/
 * -EPROTONOSUPPORT/-ERANGE/-EINVAL.
 */
int veil_header_decode(const uint8_t *buf, size_t len, unsigned index,
		       struct veil_header *hdr, enum veil_copy_status *st);

/*
 * Encode hdr as copy `index` into out (VEIL_HDR_COPY_SIZE bytes), with
 * magic, copy index and checksum. hdr->mac is written as is (see
 * veil_header_compute_mac). Validates hdr first (-ERANGE/-EINVAL).
 */
int veil_header_encode(const struct veil_header *hdr, unsigned index,
		       uint8_t *out);

/*
 * Parse the metadata prefix of a device: buf holds its first len bytes
 * (both copies need len >= VEIL_HDR_PARSE_LEN). Decodes both copies, picks
 * the valid one with the highest seqid (copy 0 on a tie), fills *rep.
 * Returns 0, or when no copy is valid: -ENODEV if neither has the magic,
 * -EUCLEAN if both fail the checksum, else the most specific error of the
 * copies (-EPROTONOSUPPORT, -ERANGE).
 */
int veil_header_parse(const uint8_t *buf, size_t len, struct veil_header *hdr,
		      struct veil_load_report *rep);

/* Recompute the SHA-256 checksum of a raw copy in place (for test corpora
 * that mutate fields and still want to reach the deeper checks). */
void veil_header_copy_reseal(uint8_t *copy);

/* The header MAC (SPEC.md "Header MAC"): HMAC-SHA256 keyed with
 * HKDF-SHA256(vk, salt=uuid, info="veil header mac v1") over the UUID and
 * the authenticated bytes of the encoded header. */
int veil_header_compute_mac(const struct veil_header *hdr,
			    const struct veil_secret *vk,
			    uint8_t mac[VEIL_MAC_SIZE]);
/* 0, or -EBADMSG "header authentication failed: the header was modified". */
int veil_header_verify_mac(const struct veil_header *hdr,
			   const struct veil_secret *vk);

/* The unlock work hdr demands (see VEIL_UNLOCK_WORK_MAX), and the check
 * of it: 0 or -ERANGE. Part of every header validation. */
uint64_t veil_header_unlock_work(const struct veil_header *hdr);
int veil_header_check_unlock_work(const struct veil_header *hdr);

/* Check a candidate volume key against the digest (constant time):
 * 0 or -EPERM. */
int veil_header_check_digest(const struct veil_header *hdr,
			     const struct veil_secret *vk);

/* JSON object of every field (never key material; salts, digest and MAC
 * are public and shown in hex). rep may be NULL. malloc'ed, caller frees. */
int veil_header_to_json(const struct veil_header *hdr,
			const struct veil_load_report *rep, char **json);

/* "xxxxxxxx-xxxx-..." (37 bytes with NUL) */
void veil_uuid_unparse(const uint8_t uuid[VEIL_UUID_SIZE], char *out);
/* Hex without dashes, 33 bytes with NUL (for DM UUID VEIL-<hex>-<name>). */
void veil_uuid_hex(const uint8_t uuid[VEIL_UUID_SIZE], char *out);

/* Cheap probe: does buf (>= 8 bytes read at device offset 0) start with the
 * primary magic? */
bool veil_probe_magic(const uint8_t *buf, size_t len);

/* ------------------------------------------------------------------------ */
/* Volumes                                                                  */

struct veil_volume;     /* opaque: an io plus the current header */

/*
 * Read the first VEIL_HDR_PARSE_LEN bytes of io (less if io is smaller),
 * parse them and check the metadata fits io. Never writes: a bad, stale or
 * mismatching copy is rewritten only by veil_repair(), after an unlock.
 * flags must be 0. io must outlive the volume. rep may be NULL.
 */
int veil_load(struct veil_io *io, unsigned flags, struct veil_volume **out,
	      struct veil_load_report *rep);
void veil_volume_free(struct veil_volume *vol);
const struct veil_header *veil_volume_header(const struct veil_volume *vol);
struct veil_io *veil_volume_io(const struct veil_volume *vol);

struct veil_format_params {
	const char *cipher;             /* NULL: aes-xts-plain64 */
	uint32_t key_size;              /* bytes; 0: cipher default */
	uint32_t sector_size;           /* 0: 4096 */
	bool iv_large_sectors;
	bool detached;                  /* header io is not the data device */
	uint64_t data_offset;           /* bytes; VEIL_DEFAULT_OFFSET: 16 MiB,
					   or 0 when detached */
	uint64_t data_size;             /* bytes; 0: to the end of device */
	uint64_t iv_offset;             /* 512-byte sectors */
	uint32_t flags;                 /* VEIL_FLAG_* */
	uint64_t metadata_size;         /* 0: 16 MiB */
	const char *label;              /* NULL: "" */
	const char *subsystem;          /* NULL: "" */
	const uint8_t *uuid;            /* NULL: random (libuuid) */
	uint32_t digest_iterations;     /* 0: calibrated to ~125 ms, >= 1000 */
};
#define VEIL_DEFAULT_OFFSET UINT64_MAX

/* Defaults: everything 0/NULL/false, data_offset = VEIL_DEFAULT_OFFSET. */
void veil_format_params_init(struct veil_format_params *p);

/*
 * Write a new header (seqid 1, both copies) to io, with no keyslot: add one
 * with veil_keyslot_add() before closing, or the volume is unopenable.
 * data_dev_size is the data device size in bytes (io->size when not
 * detached); it is checked against the data area. The whole metadata area
 * (keyslot region) is overwritten with random bytes first, then the header
 * copies are written (copy 1, sync, copy 0, sync).
 * vk must have the segment's key size.
 */
int veil_format(struct veil_io *io, uint64_t data_dev_size,
		const struct veil_format_params *p,
		const struct veil_secret *vk, struct veil_volume **out);

/*
 * The mapping for a data device of data_dev_size bytes, in 512-byte
 * sectors: offset of the data on the device and its length (a multiple of
 * the sector size). -ENOSPC if the data area would be empty or beyond the
 * end of the device.
 */
int veil_volume_data_range(const struct veil_volume *vol,
			   uint64_t data_dev_size, uint64_t *offset_sectors,
			   uint64_t *length_sectors);

/* ------------------------------------------------------------------------ */
/* Unlock                                                                   */

/*
 * Find the volume key with a passphrase (or key-file bytes: they are the
 * same thing to the library). slot = -1 tries active slots by priority
 * (prefer, then normal, each in slot order; ignore-priority slots are
 * skipped); slot >= 0 tries only that slot. After the digest matches, the
 * header MAC is verified: -EBADMSG if it fails (the key is wiped).
 * On success *vk is the volume key and *slot_out (may be NULL) the slot.
 * -EPERM: no slot opened; -ENOENT: slot inactive / no active slots.
 *
 * Tampering with the KDF parameters, salt, area or stripes of the keyslot a
 * passphrase belongs to cannot be told from a wrong passphrase (both give
 * a wrong candidate key, and the MAC needs the right one): that passphrase
 * gets -EPERM. The modification is named (-EBADMSG) as soon as any key is
 * found: another keyslot's passphrase, or the volume key. Fields outside
 * their valid range are refused at load with -ERANGE before any KDF runs.
 */
int veil_unlock(const struct veil_volume *vol, int slot, const void *pass,
		size_t pass_len, struct veil_secret **vk, int *slot_out);

/* Accept a known volume key (--volume-key-file): digest, then MAC.
 * 0, -EPERM (wrong key), -EBADMSG (header modified). */
int veil_unlock_volume_key(const struct veil_volume *vol,
			   const struct veil_secret *vk);

/* ------------------------------------------------------------------------ */
/* Keyslots (each update follows SPEC.md "Update protocol")                  */

struct veil_keyslot_params {
	/* type NONE: calibrated argon2id. time 0: calibrated to target_ms,
	 * with non-zero memory_kib/parallel as caps. time > 0: used as given
	 * (forced iterations); argon2id memory/parallel 0 take the caps. */
	struct veil_kdf kdf;
	uint32_t target_ms;     /* calibration target, 0: 1000 */
	uint32_t stripes;       /* 0: 4000 */
	enum veil_keyslot_priority priority;  /* default NORMAL (1) */
};
void veil_keyslot_params_init(struct veil_keyslot_params *p);

/*
 * Add a keyslot for pass. slot = -1 picks the lowest free slot. vk is
 * verified against the digest and MAC first. params NULL: defaults.
 * Writes the material to a free area, syncs, then commits the header.
 */
int veil_keyslot_add(struct veil_volume *vol, const struct veil_secret *vk,
		     int slot, const void *pass, size_t pass_len,
		     const struct veil_keyslot_params *params, int *slot_out);

/* Remove the slot pass opens (slot = -1: any, by priority): unlock, wipe
 * its area, sync, then commit the header without it. *slot_out may be
 * NULL. Removing the last slot is allowed only with allow_last. */
int veil_keyslot_remove(struct veil_volume *vol, int slot, const void *pass,
			size_t pass_len, bool allow_last, int *slot_out);

/* Replace the passphrase of the slot old_pass opens (slot -1: any). The
 * new material goes to a new area; the slot number is kept. params NULL:
 * keep the slot's priority, recalibrate the KDF. */
int veil_keyslot_change(struct veil_volume *vol, int slot,
			const void *old_pass, size_t old_len,
			const void *new_pass, size_t new_len,
			const struct veil_keyslot_params *params,
			int *slot_out);

/* Destroy slot by number: wipe its area, sync, commit without it. Needs
 * the volume key (verified). Killing the last slot needs allow_last. */
int veil_keyslot_kill(struct veil_volume *vol, const struct veil_secret *vk,
		      int slot, bool allow_last);

/* Destroy slot by number without any key (SPEC.md 9.4.1, as luksKillSlot
 * -q): zero its area and sync; the header is not written, so its MAC stays
 * valid. The slot's passphrase never opens again; the slot is listed as
 * destroyed, and the next keyslot update made with the volume key drops its
 * descriptor. Destroying the last usable slot needs allow_last. */
int veil_keyslot_destroy(struct veil_volume *vol, int slot, bool allow_last);

int veil_keyslot_set_priority(struct veil_volume *vol,
			      const struct veil_secret *vk, int slot,
			      enum veil_keyslot_priority prio);

struct veil_keyslot_info {
	int slot;
	enum veil_keyslot_state state;
	enum veil_keyslot_priority priority;
	struct veil_kdf kdf;
	uint32_t stripes;
	uint64_t area_offset, area_size;
	bool destroyed;		/* active, but killed without the key (9.4.1) */
};
/* Fill up to VEIL_MAX_KEYSLOTS entries (all slots, active or not);
 * returns the number of active slots, or -errno. */
int veil_keyslot_list(const struct veil_volume *vol,
		      struct veil_keyslot_info info[VEIL_MAX_KEYSLOTS]);
const char *veil_keyslot_priority_name(enum veil_keyslot_priority p);

/*
 * Wipe areas listed as retired (left by an interrupted keyslot change) and,
 * given vk, commit a header that no longer lists them. The keyslot calls
 * do this themselves before their own update; the tool may call it after
 * an unlock on a writable device.
 */
int veil_finish_pending(struct veil_volume *vol, const struct veil_secret *vk);

/* What an interrupted or unfinished update left on the device, as loaded
 * (or as left by this process's own updates): */
#define VEIL_PENDING_COPY    (1u << 0)	/* a copy is stale or damaged (veil_repair) */
#define VEIL_PENDING_RETIRED (1u << 1)	/* replaced key material awaits its wipe
					   (veil_finish_pending) */
unsigned veil_volume_pending(const struct veil_volume *vol);

/* ------------------------------------------------------------------------ */
/* Other header updates                                                     */

/* label/subsystem: NULL keeps the current value. Max 47 bytes each. */
int veil_set_label(struct veil_volume *vol, const char *label,
		   const char *subsystem);
int veil_set_uuid(struct veil_volume *vol, const struct veil_secret *vk,
		  const uint8_t uuid[VEIL_UUID_SIZE]);
int veil_set_flags(struct veil_volume *vol, const struct veil_secret *vk,
		   uint32_t flags);

/* Fixed data size in bytes (a multiple of the sector size), or 0 for "to
 * the end of the device". MAC-covered: needs the volume key. The caller
 * checks the new size against the device (veil_volume_data_range). */
int veil_set_data_size(struct veil_volume *vol, const struct veil_secret *vk,
		       uint64_t data_size);

/*
 * Rewrite bad, stale or mismatching copies from the one in use (sync
 * after each), once vk has authenticated it (digest, then MAC: -EPERM or
 * -EBADMSG and nothing written otherwise). A copy of a newer version is
 * left alone. rep (may be NULL) gets the report with `repaired` set.
 */
int veil_repair(struct veil_volume *vol, const struct veil_secret *vk,
		struct veil_load_report *rep);

/* ------------------------------------------------------------------------ */
/* Backup, restore, erase                                                   */

/*
 * Backup: copy the whole metadata area (both copies and every keyslot
 * area, metadata_size bytes) to out, which must be at least that large
 * (create the file 0600 with O_EXCL). Then sync out.
 */
int veil_header_backup(const struct veil_volume *vol, struct veil_io *out);

#define VEIL_RESTORE_FORCE (1u << 0)  /* allow replacing another UUID */
#define VEIL_RESTORE_HEADER_DEVICE (1u << 1) /* dev is a detached header
						 device, not the data device */
/*
 * Restore: read and validate a backup from `backup`; refuse if the device
 * holds a valid veil header with another UUID (unless FORCE), if the
 * backup's metadata/data area does not fit dev, or if the backup's
 * detached flag does not match HEADER_DEVICE (-EINVAL: a detached header
 * restored onto a data device would overwrite the start of the data).
 * Order (every cut opens with the old or the new keys): the backup's
 * keyslot areas that no active area on dev needs, sync; the header
 * (copy 1, sync, copy 0, sync); the rest of the keyslot region, sync.
 */
int veil_header_restore(struct veil_io *dev, uint64_t data_dev_size,
			struct veil_io *backup, unsigned flags);

/*
 * Erase, as cryptsetup's luksErase: overwrite the whole keyslot region with
 * random bytes and sync, then commit both copies with an empty keyslot
 * table (and no retired areas) through the update protocol. The header
 * stays a veil header (UUID, label and segment still dump), but the volume
 * key is unrecoverable from the device. The MAC cannot be recomputed
 * without the volume key, so it is zeroed. A header with no readable copy
 * gets its keyslot region wiped and both copies zeroed instead.
 */
int veil_erase(struct veil_io *io);

/*
 * Make an old veil header unusable before something else is written over
 * it (format --force): the whole metadata area it declares (at least 16
 * MiB, at most the device) is overwritten with random bytes, then both
 * copies with zeros, whatever state the copies are in. Unlike a format,
 * which writes only its own (maybe smaller) metadata area, and unlike
 * erase, nothing of the old header survives. -ENODEV (nothing written)
 * when neither copy has the veil magic.
 */
int veil_wipe_metadata(struct veil_io *io);

/* ------------------------------------------------------------------------ */
/* Adopting a data area (in-place conversion from another header format)    */

/*
 * Everything of the new header is given: the caller takes it from the
 * existing volume (for LUKS, through libcryptsetup). `busy` lists the byte
 * ranges of the header device that the old header still needs while it is
 * the one that opens (its header copies and live keyslot areas): no
 * keyslot area is placed over them, so they are intact until copy 1 is
 * written (SPEC.md "Adopting a data area").
 */
struct veil_adopt_params {
	const char *cipher;             /* required: a 10.1 cipher */
	uint32_t key_size;              /* bytes, required */
	uint32_t sector_size;           /* required: 512..4096 */
	bool iv_large_sectors;
	bool detached;
	uint64_t data_offset;           /* bytes, exact; 1 MiB multiple */
	uint64_t data_size;             /* bytes; 0: to the end of the device */
	uint64_t iv_offset;             /* 512-byte sectors */
	uint32_t flags;                 /* VEIL_FLAG_* */
	uint64_t metadata_size;         /* bytes, exact (<= data_offset unless
					   detached) */
	uint64_t keyslots_offset;       /* 0: 32768 */
	const char *label;              /* NULL: "" */
	const char *subsystem;          /* NULL: "" */
	const uint8_t *uuid;            /* NULL: random */
	uint32_t digest_iterations;     /* 0: calibrated */
	const struct veil_area *busy;   /* ranges not to write before copy 1 */
	size_t n_busy;
};
void veil_adopt_params_init(struct veil_adopt_params *p);

struct veil_adopt_secret {
	const void *pass;
	size_t len;
};

struct veil_adopt;      /* a planned header and its encrypted keyslot areas */

/*
 * Plan the header: validate the layout against the header device
 * (hdr_dev_size) and data device (data_dev_size, used when detached),
 * compute the digest of vk and one keyslot per passphrase (keyslot i gets
 * passes[i], with kp's KDF; NULL: calibrated argon2id), each in the first
 * free area of [keyslots_offset, metadata_size) outside the busy ranges.
 * Nothing is written. -ENOSPC (with the sizes in the detail) when the
 * areas do not fit; -EINVAL for a segment veil cannot describe (cipher,
 * key size, data offset not 1 MiB aligned, ...).
 */
int veil_adopt_plan(const struct veil_adopt_params *p, uint64_t hdr_dev_size,
		    uint64_t data_dev_size, const struct veil_secret *vk,
		    const struct veil_adopt_secret *passes, size_t npasses,
		    const struct veil_keyslot_params *kp, struct veil_adopt **out);
const struct veil_header *veil_adopt_header(const struct veil_adopt *a);
/*
 * Write the plan to the header device: each keyslot area (one write
 * each), sync; copy 1, sync; copy 0, sync; then zeros over [4096, 16384)
 * and [20480, keyslots_offset) and random bytes over the rest of the
 * keyslot region, sync. May be called again with the same plan after an
 * interruption.
 */
int veil_adopt_write(const struct veil_adopt *a, struct veil_io *io);
void veil_adopt_free(struct veil_adopt *a);

#ifdef __cplusplus
}
#endif

#endif /* VEIL_FORMAT_H */
