// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Opening one veiltab entry. The work is done by this same binary's
 * "veil open" in a child process, so table entries and the command line go
 * through one code path; this file only turns an entry into arguments,
 * fetches a key file from a removable device, and, under systemd, gets the
 * passphrase from systemd-ask-password and hands it over a pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "veil.h"
#include "tab.h"

#define ARGV_MAX 40

static int wait_child(pid_t pid, const char *what)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			err_msg("waiting for %s: %s", what, strerror(errno));
			return EXIT_PARAMS;
		}
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	err_msg("%s was killed by signal %d", what, WTERMSIG(st));
	return EXIT_PARAMS;
}

static int spawn(const char *prog, char *const argv[], int in_fd, int out_fd)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err_msg("cannot start %s: %s", prog, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (in_fd >= 0 && dup2(in_fd, STDIN_FILENO) < 0)
			_exit(127);
		if (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0)
			_exit(127);
		if (!strcmp(prog, "veil")) {
			execv("/proc/self/exe", argv);
			execvp("veil", argv);
		} else {
			execvp(prog, argv);
		}
		fprintf(stderr, "veil: cannot run %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	return pid;
}

int tab_run_veil(char *const argv[], int in_fd)
{
	pid_t pid = spawn("veil", argv, in_fd, -1);

	return pid < 0 ? EXIT_PARAMS : wait_child(pid, "veil");
}

int tab_run(const char *prog, char *const argv[])
{
	pid_t pid = spawn(prog, argv, -1, -1);

	return pid < 0 ? EXIT_PARAMS : wait_child(pid, prog);
}

struct args {
	char *v[ARGV_MAX];
	char num[8][24];
	int n, nn;
};

static void arg(struct args *a, const char *s)
{
	if (a->n < ARGV_MAX - 1)
		a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

static void arg_num(struct args *a, const char *opt, unsigned long long v)
{
	if (a->nn == 8)
		return;
	snprintf(a->num[a->nn], sizeof(a->num[0]), "%llu", v);
	arg(a, opt);
	arg(a, a->num[a->nn++]);
}

/*
 * The passphrase from systemd's ask-password agents (console, Plymouth,
 * wall): the id names our device, and the keyname "cryptsetup" shares the
 * kernel keyring cache with systemd-cryptsetup, so one passphrase typed at
 * boot is tried on every volume. The first attempt accepts a cached one.
 */
static int ask_systemd(const struct veiltab_entry *e, const char *dev, bool cached,
		       struct secret *pass)
{
	char id[4200], prompt[4300], timeout[32];
	char *argv[] = { "systemd-ask-password", id, "--keyname=cryptsetup",
			 "--icon=drive-harddisk", timeout, prompt, NULL, NULL };
	int pfd[2], rc;
	pid_t pid;

	snprintf(id, sizeof(id), "--id=veil:%s", dev);
	snprintf(timeout, sizeof(timeout), "--timeout=%us", e->timeout_s);
	snprintf(prompt, sizeof(prompt), "Please enter passphrase for disk %s (%s):",
		 e->name, e->device);
	if (cached) {
		argv[5] = "--accept-cached";
		argv[6] = prompt;
	}
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = spawn("systemd-ask-password", argv, -1, pfd[1]);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return -ECHILD;
	}
	rc = secret_alloc(pass, VEIL_PASSPHRASE_MAX + 1);
	while (!rc && pass->len < pass->cap) {
		ssize_t n = read(pfd[0], pass->data + pass->len, pass->cap - pass->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		pass->len += (size_t)n;
	}
	close(pfd[0]);
	if (wait_child(pid, "systemd-ask-password")) {
		secret_free(pass);
		return -ENOKEY;
	}
	if (rc)
		return rc;
	/* One passphrase per line; the first is ours. */
	for (size_t i = 0; i < pass->len; i++) {
		if (pass->data[i] == '\n') {
			explicit_bzero(pass->data + i, pass->len - i);
			pass->len = i;
		}
	}
	if (!pass->len) {
		secret_free(pass);
		return -ENOKEY;
	}
	return 0;
}

/* "veil open ... --key-file -" fed with passphrases from systemd-ask-password,
 * until one unlocks or the tries are used up. */
static int open_systemd_ask(const struct veiltab_entry *e, const char *dev, struct args *a)
{
	int rc = EXIT_PERM;

	arg(a, "--key-file");
	arg(a, "-");
	arg(a, dev);
	arg(a, e->name);
	for (unsigned int i = 0; !e->tries || i < e->tries; i++) {
		struct secret pass = { 0 };
		int pfd[2], r;

		r = ask_systemd(e, dev, i == 0, &pass);
		if (r) {
			err_msg("%s: no passphrase from systemd-ask-password", e->name);
			return EXIT_PERM;
		}
		if (pipe2(pfd, O_CLOEXEC)) {
			secret_free(&pass);
			return translate_errno(-errno);
		}
		/* At most VEIL_PASSPHRASE_MAX bytes: the pipe buffer holds it. */
		r = write(pfd[1], pass.data, pass.len) == (ssize_t)pass.len ? 0 : -EIO;
		close(pfd[1]);
		secret_free(&pass);
		if (r) {
			close(pfd[0]);
			return EXIT_PARAMS;
		}
		rc = tab_run_veil(a->v, pfd[0]);
		close(pfd[0]);
		if (rc != EXIT_PERM)
			return rc;
	}
	return rc;
}

/* A key file on another device (path:DEVSPEC): mounted read-only under
 * /run/veil for the unlock, unmounted after. */
static int keydev_mount(const struct veiltab_entry *e, char *dir, size_t dirlen)
{
	unsigned int wait = e->keyfile_timeout_s ? e->keyfile_timeout_s : e->device_timeout_s;
	char dev[PATH_MAX], type[64];
	int r;

	r = tab_resolve(e->keydev, wait, dev, sizeof(dev));
	if (r) {
		err_msg("%s: key device %s not found: %s", e->name, e->keydev, strerror(-r));
		return r;
	}
	r = tab_fs_type(dev, type, sizeof(type));
	if (r) {
		err_msg("%s: key device %s (%s) has no filesystem libblkid knows", e->name,
			e->keydev, dev);
		return -EINVAL;
	}
	mkdir("/run/veil", 0700);
	snprintf(dir, dirlen, "/run/veil/keydev-%s", e->name);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	if (mount(dev, dir, type, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
		r = -errno;
		err_msg("%s: cannot mount key device %s read-only: %s", e->name, dev,
			strerror(errno));
		rmdir(dir);
		return r;
	}
	return 0;
}

static void keydev_umount(const char *dir)
{
	if (umount2(dir, 0))
		err_msg("cannot unmount %s: %s", dir, strerror(errno));
	else
		rmdir(dir);
}

int tab_open_entry(const struct tab_ctx *c, const struct veiltab_entry *e)
{
	struct dm_info_lite info;
	struct args a = { .n = 0 };
	char dev[PATH_MAX], hdr[PATH_MAX], keydir[PATH_MAX] = "", keypath[2 * PATH_MAX];
	const char *keyfile = NULL;
	int r;

	if (!dm_query(e->name, &info)) {
		fprintf(stderr, "veil: %s is already open\n", e->name);
		return EXIT_OK;
	}
	r = tab_resolve(e->device, e->device_timeout_s, dev, sizeof(dev));
	if (r)
		return fail(r == -ENOENT ? -ENODEV : r, "%s: device %s not found", e->name, e->device);
	if (e->flags & (VT_SWAP | VT_TMP))
		return tab_open_random(e, dev);
	arg(&a, "veil");
	arg(&a, "open");
	if (e->flags & VT_PLAIN) {
		arg(&a, "--plain");
		if (e->cipher) {
			arg(&a, "--cipher");
			arg(&a, e->cipher);
		}
		if (e->key_bits)
			arg_num(&a, "--key-size", e->key_bits);
		if (e->sector_size)
			arg_num(&a, "--sector-size", e->sector_size);
		if (e->offset)
			arg_num(&a, "--offset", e->offset);
		if (e->skip)
			arg_num(&a, "--skip", e->skip);
	} else {
		if (e->key_slot >= 0)
			arg_num(&a, "--key-slot", (unsigned long long)e->key_slot);
		if (e->header) {
			r = tab_resolve(e->header, e->device_timeout_s, hdr, sizeof(hdr));
			if (r)
				return fail(-ENODEV, "%s: header %s not found", e->name, e->header);
			arg(&a, "--header");
			arg(&a, hdr);
		}
	}
	if (e->flags & VT_READONLY)
		arg(&a, "--readonly");
	if (e->flags & VT_DISCARD)
		arg(&a, "--allow-discards");
	if (e->flags & VT_NO_INLINE)
		arg(&a, "--perf-no_inline");
	if (e->keyfile_offset)
		arg_num(&a, "--keyfile-offset", e->keyfile_offset);
	if (e->keyfile_size)
		arg_num(&a, "--keyfile-size", e->keyfile_size);
	if (e->key == VT_KEY_FILE) {
		keyfile = e->keyfile;
	} else if (e->key == VT_KEY_DEVICE_FILE) {
		r = keydev_mount(e, keydir, sizeof(keydir));
		if (r && (e->flags & VT_PLAIN))
			return translate_errno(r);
		snprintf(keypath, sizeof(keypath), "%s%s", keydir, e->keyfile);
		if (!r && !access(keypath, R_OK))
			keyfile = keypath;
		else if (!r)
			err_msg("%s: no key file %s on %s", e->name, e->keyfile, e->keydev);
		if (!keyfile && (e->flags & VT_PLAIN)) {
			r = EXIT_DEVICE;
			goto out;
		}
		if (!keyfile)
			fprintf(stderr, "veil: %s: asking for the passphrase instead\n", e->name);
	}
	if (keyfile) {
		arg(&a, "--key-file");
		arg(&a, keyfile);
		arg(&a, dev);
		arg(&a, e->name);
		r = tab_run_veil(a.v, -1);
	} else if (c->systemd) {
		r = open_systemd_ask(e, dev, &a);
	} else {
		/* tries=0 is crypttab's "unlimited"; veil open caps at 1000 */
		arg_num(&a, "--tries", e->tries ? e->tries : 1000);
		arg_num(&a, "--timeout", e->timeout_s);
		arg(&a, dev);
		arg(&a, e->name);
		r = tab_run_veil(a.v, -1);
	}
out:
	if (*keydir)
		keydev_umount(keydir);
	return r;
}
