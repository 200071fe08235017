// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil-generator: systemd generator turning /etc/veiltab into one
 * veil@<name>.service per entry, shaped like the systemd-cryptsetup@ units
 * that systemd-cryptsetup-generator writes for /etc/crypttab (veiltab(5)
 * lists every difference and why). It only parses and writes files: fast,
 * no device access, logging to /dev/kmsg as early-boot code must.
 *
 *   veil-generator NORMAL_DIR [EARLY_DIR LATE_DIR]
 *
 * VEIL_TAB overrides the table path (tests); VEIL_BIN the veil binary path
 * written into the units.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "veiltab.h"

#ifndef VEIL_SBIN
#define VEIL_SBIN "/usr/sbin/veil"
#endif
#define TAB_MAX_BYTES (1u << 20)

static const char *dest;
static const char *tab_path = VEILTAB_PATH;
static const char *veil_bin = VEIL_SBIN;
static int log_fd = -1;
static int failures;

static void logmsg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logmsg(int prio, const char *fmt, ...)
{
	char msg[1024];
	int n;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "<%d>veil-generator: ", prio);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (log_fd < 0 || write(log_fd, msg, strlen(msg)) < 0)
		fprintf(stderr, "%s\n", msg + n);
}

static void tab_warn(void *ctx, unsigned int line, bool severe, const char *msg)
{
	(void)ctx;
	logmsg(severe ? 3 : 4, "%s:%u: %s%s", tab_path, line, msg,
	       severe ? "; entry skipped" : "");
}

/* systemd's unit name escaping: '/' becomes '-', anything outside
 * [A-Za-z0-9:_.] (and a leading '.') becomes \xNN. */
static void escape(const char *s, bool path, char *out, size_t outlen)
{
	size_t n = 0;

	if (path) {
		while (*s == '/')
			s++;
		if (!*s) {
			snprintf(out, outlen, "-");
			return;
		}
	}
	for (size_t i = 0; s[i] && n + 5 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (path && c == '/') {
			if (s[i + 1] == '/' || !s[i + 1])
				continue;	/* duplicate and trailing slashes */
			out[n++] = '-';
		} else if (c == '/') {
			out[n++] = '-';
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == ':' || c == '_' || (c == '.' && n)) {
			out[n++] = (char)c;
		} else {
			n += (size_t)snprintf(out + n, outlen - n, "\\x%02x", c);
		}
	}
	out[n] = 0;
}

/* A device spec as the udev node systemd-cryptsetup-generator uses. */
static void spec_node(const char *spec, char *out, size_t outlen)
{
	const char *value, *tag = veiltab_spec_tag(spec, &value);
	size_t n;

	if (!tag) {
		snprintf(out, outlen, "%s", spec);
		return;
	}
	n = (size_t)snprintf(out, outlen, "/dev/disk/by-");
	for (size_t i = 0; tag[i] && n + 1 < outlen; i++)
		out[n++] = (char)(tag[i] | 0x20);
	out[n++] = '/';
	/* udev's encoding of the link name: '/', blanks, '\' and controls as \xNN */
	for (size_t i = 0; value[i] && n + 5 < outlen; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c == '/' || c == ' ' || c == '\\' || c < 0x20 || c == 0x7f)
			n += (size_t)snprintf(out + n, outlen - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = 0;
}

static void unit_of(const char *path, const char *suffix, char *out, size_t outlen)
{
	size_t n;

	escape(path, true, out, outlen - 16);
	n = strlen(out);
	snprintf(out + n, outlen - n, ".%s", suffix);
}

/* A word for ExecStart=: single-quoted, with systemd's C escapes, and its
 * specifier and variable expansion disabled. */
static void quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '\'')
			fprintf(f, "\\%c", *s);
		else if (*s == '%')
			fputs("%%", f);
		else if (*s == '$')
			fputs("$$", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* A path in a dependency list: only specifiers need escaping. */
static void path_word(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '%')
			fputs("%%", f);
		else
			fputc(*s, f);
	}
}

static int write_file(const char *rel, const char *text)
{
	char path[8192];
	FILE *f;
	int r = 0;

	snprintf(path, sizeof(path), "%s/%s", dest, rel);
	f = fopen(path, "we");
	if (!f) {
		logmsg(3, "cannot create %s: %s", path, strerror(errno));
		return -errno;
	}
	fputs(text, f);
	if (fflush(f) || ferror(f))
		r = -EIO;
	if (fclose(f) && !r)
		r = -errno;
	return r;
}

static int mkdir_p(const char *rel)
{
	char path[8192];

	snprintf(path, sizeof(path), "%s/%s", dest, rel);
	for (char *p = path + strlen(dest) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* dest/DIR/unit -> ../unit */
static int add_link(const char *dir, const char *unit)
{
	char rel[8192], target[8192];
	int r = mkdir_p(dir);

	if (r)
		return r;
	snprintf(rel, sizeof(rel), "%s/%s/%s", dest, dir, unit);
	snprintf(target, sizeof(target), "../%s", unit);
	if (symlink(target, rel) && errno != EEXIST) {
		logmsg(3, "cannot link %s: %s", rel, strerror(errno));
		return -errno;
	}
	return 0;
}

static int dropin(const char *unit, const char *name, const char *body)
{
	char dir[8192], rel[8400];
	int r;

	snprintf(dir, sizeof(dir), "%s.d", unit);
	r = mkdir_p(dir);
	if (r)
		return r;
	snprintf(rel, sizeof(rel), "%s/%s", dir, name);
	return write_file(rel, body);
}

static int generate(const struct veiltab_entry *e)
{
	char inst[1024], unit[1200], node[4096], dev_unit[8192], mapper[1200], mapped_unit[1400];
	char *text = NULL;
	size_t len = 0;
	const char *target;
	FILE *f;
	int r;

	escape(e->name, false, inst, sizeof(inst));
	snprintf(unit, sizeof(unit), "veil@%s.service", inst);
	spec_node(e->device, node, sizeof(node));
	unit_of(node, "device", dev_unit, sizeof(dev_unit));
	snprintf(mapper, sizeof(mapper), "/dev/mapper/%s", e->name);
	unit_of(mapper, "device", mapped_unit, sizeof(mapped_unit));
	target = e->flags & VT_NETDEV ? "remote-cryptsetup.target" : "cryptsetup.target";

	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "# Automatically generated by veil-generator\n\n[Unit]\n"
		"Description=Unlock veil volume %%I\n"
		"Documentation=man:veiltab(5) man:veil(8)\n"
		"SourcePath=");
	path_word(f, tab_path);
	fprintf(f, "\nDefaultDependencies=no\n"
		"IgnoreOnIsolate=true\n"
		"After=cryptsetup-pre.target systemd-udevd-kernel.socket\n"
		"Before=blockdev@dev-mapper-%%i.target\n"
		"Wants=blockdev@dev-mapper-%%i.target\n");
	if (e->flags & VT_NETDEV)
		fprintf(f, "After=remote-fs-pre.target\n");
	fprintf(f, "Conflicts=umount.target\n");
	if (!(e->flags & VT_NOFAIL))
		fprintf(f, "Before=%s\n", target);
	if (e->key == VT_KEY_FILE) {
		fprintf(f, "RequiresMountsFor=");
		path_word(f, e->keyfile);
		fputc('\n', f);
	}
	if (e->header && e->header[0] == '/' && strncmp(e->header, "/dev/", 5)) {
		fprintf(f, "RequiresMountsFor=");
		path_word(f, e->header);
		fputc('\n', f);
	}
	if (e->flags & (VT_SWAP | VT_TMP))
		fprintf(f, "After=systemd-random-seed.service\n");
	if (node[0] == '/' && strncmp(node, "/dev/", 5)) {
		/* a file: veil attaches a loop device, whose control node
		 * systemd-tmpfiles-setup-dev creates */
		fprintf(f, "RequiresMountsFor=");
		path_word(f, node);
		fprintf(f, "\nRequires=systemd-tmpfiles-setup-dev.service\n"
			"After=systemd-tmpfiles-setup-dev.service\n");
	} else {
		fprintf(f, "BindsTo=%s\nAfter=%s\nBefore=umount.target\n", dev_unit, dev_unit);
	}
	fprintf(f, "\n[Service]\n"
		"Type=oneshot\n"
		"RemainAfterExit=yes\n"
		"TimeoutSec=0\n"
		"KeyringMode=shared\n"
		"OOMScoreAdjust=500\n"
		"ExecStart=%s tab open --systemd --tab ", veil_bin);
	quote(f, tab_path);
	fputc(' ', f);
	quote(f, e->name);
	fprintf(f, "\nExecStop=%s close ", veil_bin);
	quote(f, e->name);
	fputc('\n', f);
	if (fclose(f)) {
		free(text);
		return -ENOMEM;
	}
	r = write_file(unit, text);
	free(text);
	if (r)
		return r;

	if (!(e->flags & VT_NOAUTO)) {
		char dir[64];

		snprintf(dir, sizeof(dir), "%s.%s", target, e->flags & VT_NOFAIL ? "wants" : "requires");
		r = add_link(dir, unit);
		if (r)
			return r;
	}
	{
		char dir[1500];

		snprintf(dir, sizeof(dir), "%s.requires", mapped_unit);
		r = add_link(dir, unit);
		if (r)
			return r;
	}
	if (!(e->flags & (VT_NOFAIL | VT_NOAUTO))) {
		/* the passphrase may take any time: do not time the mapping out */
		r = dropin(mapped_unit, "40-device-timeout.conf",
			   "# Automatically generated by veil-generator\n\n[Unit]\nJobTimeoutSec=0\n");
		if (r)
			return r;
	}
	if (e->device_timeout_s != 90 && !strncmp(node, "/dev/", 5)) {
		char body[256];

		/* as systemd writes a time span: "0" is no limit */
		snprintf(body, sizeof(body), "# Automatically generated by veil-generator\n\n"
			 "[Unit]\nJobRunningTimeoutSec=%u%s\n", e->device_timeout_s,
			 e->device_timeout_s ? "s" : "");
		r = dropin(dev_unit, "50-device-timeout.conf", body);
	}
	return r;
}

static int load(struct veiltab *t)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd, r;

	fd = open(tab_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;	/* no table: nothing to do */
		logmsg(3, "cannot read %s: %s", tab_path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) || st.st_size > TAB_MAX_BYTES) {
		close(fd);
		logmsg(3, "%s: not a table of at most %u bytes", tab_path, TAB_MAX_BYTES);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (len <= (size_t)st.st_size &&
	       (n = read(fd, buf + len, (size_t)st.st_size + 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			free(buf);
			close(fd);
			logmsg(3, "cannot read %s: %s", tab_path, strerror(-r));
			return r;
		}
		len += (size_t)n;
	}
	close(fd);
	r = veiltab_parse(buf, len, t, tab_warn, NULL);
	free(buf);
	if (r < 0) {
		logmsg(3, "out of memory");
		return r;
	}
	failures += r;
	return 0;
}

int main(int argc, char *argv[])
{
	struct veiltab t = { 0 };
	int r;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: veil-generator NORMAL_DIR [EARLY_DIR LATE_DIR]\n");
		return 1;
	}
	dest = argv[1];
	if (getenv("VEIL_TAB"))
		tab_path = getenv("VEIL_TAB");
	if (getenv("VEIL_BIN"))
		veil_bin = getenv("VEIL_BIN");
	if (!getenv("VEIL_GENERATOR_STDERR"))
		log_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	r = load(&t);
	if (r == 1)
		return 0;
	if (r)
		return 1;
	for (size_t i = 0; i < t.n; i++) {
		if (generate(&t.entries[i])) {
			logmsg(3, "%s: no unit written for %s", tab_path, t.entries[i].name);
			failures++;
		}
	}
	veiltab_free(&t);
	if (log_fd >= 0)
		close(log_fd);
	/* Failed entries are logged; the others' units are in place either way. */
	return failures ? 1 : 0;
}
