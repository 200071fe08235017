// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Key files: a file (or "-" for stdin) whose bytes, from --keyfile-offset and
 * for --keyfile-size bytes or to its end, are the passphrase. Anything larger
 * than VEIL_KEYFILE_MAX needs an explicit --keyfile-size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "veil.h"

/* The skipped bytes are part of a key file: wiped on every path out. */
static int skip_bytes(int fd, const char *name, uint64_t offset)
{
	struct stat st;
	uint8_t junk[4096];
	int r = 0;

	if (!offset)
		return 0;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode)) {
		if (lseek(fd, (off_t)offset, SEEK_SET) < 0) {
			err_msg("key file %s: cannot seek to offset %llu: %s", name,
				(unsigned long long)offset, strerror(errno));
			return -EINVAL;
		}
		return 0;
	}
	while (offset) {
		size_t want = offset < sizeof(junk) ? (size_t)offset : sizeof(junk);
		ssize_t n = read(fd, junk, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_msg("key file %s: ends before --keyfile-offset", name);
			r = -EINVAL;
			break;
		}
		offset -= (uint64_t)n;
	}
	explicit_bzero(junk, sizeof(junk));
	return r;
}

int read_keyfile(const char *path, uint64_t offset, uint64_t size, struct secret *out)
{
	bool is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? "(stdin)" : path;
	uint64_t want = size ? size : VEIL_KEYFILE_MAX + 1;
	int fd, r;

	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		err_msg("cannot open key file %s: %s", path, strerror(errno));
		return r == -ENOENT ? -ENOENT : -EINVAL;
	}
	r = secret_alloc(out, (size_t)(want < 4096 ? want : 4096));
	if (r)
		goto out;
	r = skip_bytes(fd, name, offset);
	if (r)
		goto out;
	while (out->len < want) {
		ssize_t n;

		if (out->len == out->cap) {
			r = secret_grow(out, want < 2 * out->cap ? (size_t)want : 2 * out->cap);
			if (r)
				goto out;
		}
		n = read(fd, out->data + out->len, out->cap - out->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -EIO;
			err_msg("cannot read key file %s: %s", name, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
	}
	if (!size && out->len > VEIL_KEYFILE_MAX) {
		err_msg("key file %s is larger than the maximum of %u bytes; give --keyfile-size",
			name, VEIL_KEYFILE_MAX);
		r = -EINVAL;
	} else if (size && out->len < size) {
		err_msg("key file %s has only %zu bytes after the offset, but %llu were asked for",
			name, out->len, (unsigned long long)size);
		r = -EINVAL;
	} else if (!out->len) {
		err_msg("key file %s is empty", name);
		r = -EINVAL;
	}
out:
	if (r)
		secret_free(out);
	if (!is_stdin)
		close(fd);
	return r;
}

/* The secret that unlocks: a key file when one was given, else a passphrase
 * from the terminal (or one line of standard input when that is no terminal). */
int get_secret(const struct veil_opts *o, const char *prompt, struct secret *out)
{
	int r;

	if (o->key_file)
		return read_keyfile(o->key_file, o->keyfile_offset, o->keyfile_size, out);
	r = secret_alloc(out, VEIL_PASSPHRASE_MAX);
	if (r)
		return r;
	r = ask_passphrase(prompt, o->timeout_s, out);
	if (r)
		secret_free(out);
	return r;
}

/* A new secret: from a file, or asked (twice unless batch) on the terminal. */
int get_new_secret(const char *file, uint64_t off, uint64_t size, bool batch,
		   struct secret *out)
{
	int r;

	if (file)
		return read_keyfile(file, off, size, out);
	r = secret_alloc(out, VEIL_PASSPHRASE_MAX);
	if (r)
		return r;
	r = ask_new_passphrase("new passphrase", !batch, 0, out);
	if (r)
		secret_free(out);
	return r;
}
