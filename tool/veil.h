/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * veil(8): what the subcommands share. Each helper file exports only its own
 * functions; they are declared here because the tool is one small program.
 */
#ifndef VEIL_TOOL_H
#define VEIL_TOOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "veil_format.h"

/* Exit codes: cryptsetup's (translate_errno() in error.c is the only user). */
enum {
	EXIT_OK = 0,
	EXIT_PARAMS = 1,
	EXIT_PERM = 2,
	EXIT_NOMEM = 3,
	EXIT_DEVICE = 4,
	EXIT_BUSY = 5,
};

/* Maximum key file size read without --keyfile-size (like cryptsetup's 8 MiB). */
#define VEIL_KEYFILE_MAX (8u * 1024 * 1024)
#define VEIL_PASSPHRASE_MAX 512

/* Options; each subcommand names the ones it accepts. */
enum veil_opt {
	OPT_CIPHER = 1ull << 0,
	OPT_KEY_SIZE = 1ull << 1,
	OPT_SECTOR_SIZE = 1ull << 2,
	OPT_PBKDF = 1ull << 3,
	OPT_PBKDF_MEMORY = 1ull << 4,
	OPT_PBKDF_PARALLEL = 1ull << 5,
	OPT_ITER_TIME = 1ull << 6,
	OPT_PBKDF_FORCE_ITER = 1ull << 7,
	OPT_LABEL = 1ull << 8,
	OPT_HEADER = 1ull << 9,
	OPT_KEY_FILE = 1ull << 10,
	OPT_KEYFILE_OFFSET = 1ull << 11,
	OPT_KEYFILE_SIZE = 1ull << 12,
	OPT_NEW_KEY_FILE = 1ull << 13,
	OPT_NEW_KEYFILE_OFFSET = 1ull << 14,
	OPT_NEW_KEYFILE_SIZE = 1ull << 15,
	OPT_KEY_SLOT = 1ull << 16,
	OPT_BATCH = 1ull << 17,
	OPT_FORCE = 1ull << 18,
	OPT_READONLY = 1ull << 19,
	OPT_ALLOW_DISCARDS = 1ull << 20,
	OPT_TRIES = 1ull << 21,
	OPT_TIMEOUT = 1ull << 22,
	OPT_TEST_PASSPHRASE = 1ull << 23,
	OPT_TARGET = 1ull << 24,
	OPT_PLAIN = 1ull << 25,
	OPT_OFFSET = 1ull << 26,
	OPT_SIZE = 1ull << 27,
	OPT_JSON = 1ull << 28,
	OPT_SKIP = 1ull << 29,
	OPT_IV_LARGE_SECTORS = 1ull << 30,
	OPT_UUID = 1ull << 31,
	OPT_DATA_OFFSET = 1ull << 32,
	OPT_HASH = 1ull << 33,
	OPT_SUBSYSTEM = 1ull << 34,
	OPT_PRIORITY = 1ull << 35,
	OPT_HEADER_BACKUP_FILE = 1ull << 36,
	OPT_VOLUME_KEY_FILE = 1ull << 37,
	OPT_DUMP_VOLUME_KEY = 1ull << 38,
	OPT_PERSISTENT = 1ull << 39,
	OPT_PROGRESS_JSON = 1ull << 40,
	OPT_VERBOSE = 1ull << 41,
	OPT_DEBUG = 1ull << 42,
	OPT_LUKS = 1ull << 43,
	OPT_FROM_LUKS = 1ull << 44,
	OPT_TO_LUKS2 = 1ull << 45,
	OPT_ADD_KEY_FILE = 1ull << 46,
	OPT_WIPE = 1ull << 47,
};
/* --allow-discards and the --perf-* flags: every option of mapping_flags[]. */
#define OPT_MAP_FLAGS OPT_ALLOW_DISCARDS

struct veil_opts {
	uint64_t given;		/* OPT_* bits seen on the command line */
	const char *cipher;
	unsigned int key_bits;
	unsigned int sector_size;
	const char *pbkdf;
	uint32_t pbkdf_memory_kib;
	uint32_t pbkdf_parallel;
	uint32_t iter_time_ms;
	uint32_t pbkdf_iterations;
	const char *label;
	const char *header;
	const char *key_file;
	uint64_t keyfile_offset;
	uint64_t keyfile_size;
	const char *new_key_file;
	uint64_t new_keyfile_offset;
	uint64_t new_keyfile_size;
	int key_slot;		/* -1: any */
	bool batch, force, readonly, allow_discards, test_passphrase;
	bool plain, json, iv_large_sectors;
	unsigned int tries;
	unsigned int timeout_s;
	const char *target;	/* "veil" or "crypt"; NULL: veil, offering crypt */
	uint64_t offset;	/* 512-byte sectors */
	uint64_t skip;		/* IV offset, 512-byte sectors */
	uint64_t size;		/* 512-byte sectors, 0: whole */
	uint64_t data_offset;	/* format: sectors, 0: default */
	const char *uuid;
	const char *hash;	/* open --plain: passphrase hash */
	const char *subsystem;
	const char *priority;	/* "prefer", "normal" or "ignore" */
	const char *header_backup_file;
	const char *volume_key_file;
	bool dump_volume_key, persistent, progress_json, wipe;
	uint32_t map_flags;	/* VEIL_FLAG_* of the mapping flags given */
	bool luks, from_luks, to_luks2;	/* open --luks, convert */
	const char *luks_type;	/* open --type luks1|luks2: only that version */
	const char *add_key_files[31];	/* convert --add-key-file, repeatable */
	unsigned int n_add_key_files;
	int argc;		/* positional arguments left */
	char **argv;
};

/* json_string.c */
#include <stdio.h>
void json_str(FILE *f, const char *s);

/* opts.c */
int parse_options(int argc, char *argv[], uint64_t allowed, struct veil_opts *o);
int want_args(const struct veil_opts *o, int min, int max, const char *usage);
extern const char *prog_cmd;	/* "veil open", for messages */
extern int verbosity;		/* 1: --verbose, 2: --debug */
const char *closest_name(const char *word, const char *const *names, size_t n);

/* main.c */
void usage_of(const char *cmd);

/* error.c */
void err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int translate_errno(int neg_errno);
int fail(int neg_errno, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* secret.c: mlock'ed secrets, wiped on every exit path and on signals. */
struct veil_secret;
struct secret {
	struct veil_secret *vs;	/* the library buffer that owns data */
	uint8_t *data;
	size_t len;
	size_t cap;
};
int secret_alloc(struct secret *s, size_t cap);
void secret_free(struct secret *s);
int secret_grow(struct secret *s, size_t cap);
void secret_adopt(struct secret *s, struct veil_secret *vs);
void secret_forget(struct secret *s);
void secret_move(struct secret *dst, struct secret *src);
void secrets_install_signal_wipe(void);
void secrets_signal_point(void);
void signals_allow(bool allow);
void signals_hold(void);
void signals_release(void);
bool signals_pending(void);
void secrets_wipe_all(void);

/* passphrase.c */
bool have_tty(void);
bool stdin_is_tty(void);
int ask_passphrase(const char *prompt, unsigned int timeout_s, struct secret *out);
int ask_new_passphrase(const char *what, bool verify, unsigned int timeout_s,
		       struct secret *out);
int confirm_yes(const char *question);
void tty_restore(void);

/* keyfile.c */
int read_keyfile(const char *path, uint64_t offset, uint64_t size, struct secret *out);
/* get_passphrase: key file if given, else the terminal; for unlock prompts. */
int get_secret(const struct veil_opts *o, const char *prompt, struct secret *out);
int get_new_secret(const char *file, uint64_t off, uint64_t size, bool batch,
		   struct secret *out);

/* loop.c: loop_attach returns the open loop fd (>= 0); hold it until the
 * mapping holds the device, then close it: autoclear does the rest. */
int loop_attach(const char *file, bool readonly, char *dev, size_t devlen);
int loop_backing_file(const char *loopdev, char *out, size_t outlen);
bool is_regular_file(const char *path);
int loop_refresh_capacity(const char *loopdev);

/* probe.c */
int probe_signatures(const char *device, char *what, size_t whatlen);
int probe_wipe(const char *device);

/* oldheader.c */
int wipe_old_headers(const char *path);

/* progress.c */
struct progress {
	const char *what;
	const char *device;
	uint64_t total;
	uint64_t last_pct;
	uint64_t start_ms;
	bool on, json;
	bool timed;	/* total and done are milliseconds of a time budget */
};
void progress_start(struct progress *p, const char *what, const char *device, uint64_t total,
		    bool json);
void progress_update(struct progress *p, uint64_t done);
void progress_end(struct progress *p);
struct progress_timer {
	struct progress p;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool running, stop;
};
void progress_timer_start(struct progress_timer *t, const char *what, const char *device,
			  uint64_t budget_ms, bool json);
void progress_timer_stop(struct progress_timer *t, bool done);

/* keyring.c */
int keyring_add_logon(const char *desc, const void *key, size_t len, int32_t *serial);
void keyring_drop(int32_t serial);
int keyring_drop_desc(const char *desc);

/* dm.c */
struct dm_target_line {
	uint64_t start, len;
	char type[32];
	char *params;		/* malloc'ed */
};
struct dm_info_lite {
	bool exists, suspended, readonly;
	int open_count;
	uint32_t major, minor;
	char uuid[160];
};
int dm_create(const char *name, const char *uuid, const char *target,
	      uint64_t len, const char *params, bool readonly);
int dm_remove(const char *name, bool retry);
int dm_suspend(const char *name);
int dm_resume_dev(const char *name);
int dm_reload(const char *name, const char *target, uint64_t len,
	      const char *params, bool readonly);
int dm_message(const char *name, const char *msg);
int dm_query(const char *name, struct dm_info_lite *info);
int dm_table(const char *name, struct dm_target_line *line);
const char *dm_last_message(void);
int dm_status_line(const char *name, struct dm_target_line *line);
int dm_target_version(const char *target, uint32_t ver[3]);
bool dm_available(void);
void dm_line_free(struct dm_target_line *line);
int dm_deps_first(const char *name, uint32_t *major, uint32_t *minor);

/* mapping.h: the names and table line shared with the kernel (pure). */
#include "mapping.h"

/* mapping_load.c: a mapping into the kernel, key through the keyring. */
int mapping_load(const char *name, const char *dm_uuid, struct mapping *m,
		 const struct secret *key);
int open_mapping(const char *name, const char *dm_uuid, struct mapping *m,
		 const struct secret *key, const struct veil_opts *o);
int name_check(const char *name);
int devno_path(uint32_t major, uint32_t minor, char *out, size_t outlen);

/* locked_header.c: a locked header; functions return exit codes, messages printed. */
#include "veil_format.h"
#define VOL_WRITE 1u
#define VOL_NOLOAD 2u
#define VOL_DATA 4u	/* DEVICE is used as the data device (open, restore) */
struct vol {
	const char *device;	/* as the user named it */
	const char *hdr_path;	/* device, or the detached header file */
	int fd;
	int lock_fd;		/* the flock object (the file behind a loop) */
	int lock_held;		/* 0 or LOCK_EX */
	bool write, signals_held;
	struct veil_io raw;	/* the device itself */
	struct veil_io io;	/* raw, with the concurrent-writer check */
	struct veil_volume *vol;
	struct veil_load_report report;
	uint64_t data_dev_size;	/* bytes */
	uint8_t *snap;		/* header bytes as parsed */
	size_t snap_len;
	bool concurrent;
	struct progress *progress;	/* erase: bytes written so far */
	uint64_t written;
};
int vol_open(struct vol *v, const char *device, const char *header_file, unsigned flags);
void vol_close(struct vol *v);
const struct veil_header *vol_header(const struct vol *v);
int vol_unlock(struct vol *v, const struct veil_opts *o, struct secret *vk, int *slot_out);
int vol_unlock_ex(struct vol *v, const struct veil_opts *o, const char *prompt, int slot,
		  struct secret *vk, struct secret *pass_out, int *slot_out);
int vol_fail(int r, const char *device, const char *doing);
int vol_finish(struct vol *v, const struct veil_secret *vk);
int device_size_bytes(int fd, uint64_t *bytes);
int device_errno(int e);
int path_size_bytes(const char *path, uint64_t *bytes);

/* plain_key.c: cryptsetup's plain-mode passphrase hashing and defaults. */
extern const char *const plain_default_cipher;
extern const unsigned int plain_default_key_bits;
extern const char *const plain_default_hash;
int plain_key_from_passphrase(const char *device, const char *cipher, const char *hash,
			      size_t key_bytes, const struct secret *pass, struct secret *key);

/* volume_key.c: --volume-key-file and --dump-volume-key. */
int read_volume_key_file(const char *path, size_t key_bytes, struct secret *vk);
int vol_volume_key(struct vol *v, const struct veil_opts *o, const char *prompt, int slot,
		   struct secret *vk);
int write_secret_file(const char *path, const void *data, size_t len);

/* active.c: an open mapping and the way back to its key. */
struct active {
	const char *name;
	struct dm_info_lite info;
	struct mapping m;
	char target[32], cipher[64], desc[160], devnum[64];
	char dev[4096], backing[4096];
	char uuid[VEIL_UUID_STR_LEN + 1];
	bool plain;
	uint64_t len;
};
int active_lookup(const char *name, struct active *a);
int active_key(struct active *a, const struct veil_opts *o, struct secret *key);
int active_key_range(struct active *a, const struct veil_opts *o, struct secret *key,
		     uint64_t *max_len);

/* testhook.c */
void test_hook(const char *point);
int test_write_fault(void);	/* -EIO from the VEIL_TEST_FAIL_WRITE-th write on */

/* wipe_data.c: format --wipe; exit codes, messages printed. */
int wipe_data_check(const char *cipher, uint32_t key_size);
int wipe_data_area(const char *data_path, const struct veil_segment *seg, uint64_t dev_size,
		   const struct veil_secret *vk, bool json);

/* kdf_params.c */
int kdf_params(const struct veil_opts *o, size_t key_len, struct veil_keyslot_params *kp);
#define KDF_OPTS (OPT_PBKDF | OPT_PBKDF_MEMORY | OPT_PBKDF_PARALLEL | OPT_ITER_TIME | \
		  OPT_PBKDF_FORCE_ITER | OPT_PROGRESS_JSON)

#endif
