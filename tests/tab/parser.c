// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the veiltab parser (tool/veiltab.c): every field form, every
 * option, and every malformed form, each with the line number it is
 * reported on and proof that the other lines still parse.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "veiltab.h"

static char warnings[8192];

static void warn(void *ctx, unsigned int line, bool severe, const char *msg)
{
	size_t n = strlen(warnings);

	(void)ctx;
	snprintf(warnings + n, sizeof(warnings) - n, "%u%s:%s\n", line, severe ? "!" : "", msg);
}

static int parse(struct veiltab *t, const char *text)
{
	warnings[0] = 0;
	return veiltab_parse(text, strlen(text), t, warn, NULL);
}

/* One line that must parse into one entry; returns it (t must be freed). */
static const struct veiltab_entry *one(struct veiltab *t, const char *line)
{
	int bad = parse(t, line);

	if (bad || t->n != 1) {
		printf("# '%s': bad=%d n=%zu warnings: %s", line, bad, t->n, warnings);
		return NULL;
	}
	return &t->entries[0];
}

/* A line that must be refused with a message containing want. */
static void refused(const char *line, const char *want)
{
	struct veiltab t;
	char text[512];
	int bad;

	/* A good line after it proves the bad one does not stop the table. */
	snprintf(text, sizeof(text), "%s\nok /dev/ok\n", line);
	bad = parse(&t, text);
	CHECK(bad == 1 && t.n == 1 && !strcmp(t.entries[0].name, "ok") &&
	      !strncmp(warnings, "1!:", 3) && strstr(warnings, want),
	      "refused with line number and '%s': %s", want, line);
	if (!(bad == 1 && strstr(warnings, want)))
		printf("#   got bad=%d warnings: %s", bad, warnings);
	veiltab_free(&t);
}

static void test_fields(void)
{
	struct veiltab t;
	const struct veiltab_entry *e;
	static const char *const devs[] = {
		"/dev/sdb1", "UUID=0f1e2d3c-aaaa-bbbb-cccc-000011112222", "LABEL=secret",
		"PARTUUID=1234-01", "PARTLABEL=data",
	};

	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		char line[128];

		snprintf(line, sizeof(line), "vol %s", devs[i]);
		e = one(&t, line);
		CHECK(e && !strcmp(e->device, devs[i]) && e->key == VT_KEY_ASK && e->tries == 3 &&
		      e->device_timeout_s == 90 && e->key_slot == -1 && !e->flags,
		      "device form %s, defaults", devs[i]);
		veiltab_free(&t);
	}
	e = one(&t, "vol /dev/sdb none");
	CHECK(e && e->key == VT_KEY_ASK && !e->keyfile, "keyfile none asks");
	veiltab_free(&t);
	e = one(&t, "vol /dev/sdb -");
	CHECK(e && e->key == VT_KEY_ASK, "keyfile - asks");
	veiltab_free(&t);
	e = one(&t, "vol /dev/sdb /etc/keys/vol.key");
	CHECK(e && e->key == VT_KEY_FILE && !strcmp(e->keyfile, "/etc/keys/vol.key"),
	      "absolute key file");
	veiltab_free(&t);
	e = one(&t, "vol /dev/sdb /keys/k.bin:LABEL=USBKEY");
	CHECK(e && e->key == VT_KEY_DEVICE_FILE && !strcmp(e->keyfile, "/keys/k.bin") &&
	      !strcmp(e->keydev, "LABEL=USBKEY"), "key file on a device (path:DEVSPEC)");
	veiltab_free(&t);
	e = one(&t, "vol /dev/sdb /k:/dev/disk/by-id/usb-stick");
	CHECK(e && e->key == VT_KEY_DEVICE_FILE && !strcmp(e->keydev, "/dev/disk/by-id/usb-stick"),
	      "key file on a device given by path");
	veiltab_free(&t);
	e = one(&t, "  \tvol\t/dev/sdb   none \t discard  \r");
	CHECK(e && !strcmp(e->name, "vol") && e->flags == VT_DISCARD,
	      "blanks, tabs and a CR are separators");
	veiltab_free(&t);
	e = one(&t, "vol /dev/sdb");
	CHECK(e && e->line == 1, "line number of the entry");
	veiltab_free(&t);
}

static void test_comments(void)
{
	struct veiltab t;
	int bad = parse(&t, "# a comment\n\n   \n\t# indented comment\na /dev/a\n#b /dev/b\nc /dev/c");

	CHECK(bad == 0 && t.n == 2 && t.entries[0].line == 5 && t.entries[1].line == 7 &&
	      !warnings[0], "comments and blank lines; last line without newline");
	veiltab_free(&t);
	bad = parse(&t, "");
	CHECK(bad == 0 && t.n == 0, "empty table");
	veiltab_free(&t);
	CHECK(veiltab_parse("a /dev/a\n", 8, &t, NULL, NULL) == 0 && t.n == 1,
	      "no warn callback; buffer without NUL");
	veiltab_free(&t);
}

static void test_flags(void)
{
	static const struct { const char *opt; unsigned int flag; } f[] = {
		{ "discard", VT_DISCARD }, { "readonly", VT_READONLY }, { "read-only", VT_READONLY },
		{ "noauto", VT_NOAUTO }, { "nofail", VT_NOFAIL }, { "_netdev", VT_NETDEV },
		{ "initramfs", VT_INITRAMFS }, { "x-initrd.attach", VT_INITRAMFS }, { "auto", 0 },
		{ "no-inline", VT_NO_INLINE },
	};
	struct veiltab t;
	const struct veiltab_entry *e;

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		char line[128];

		snprintf(line, sizeof(line), "v /dev/sdb none %s", f[i].opt);
		e = one(&t, line);
		CHECK(e && e->flags == f[i].flag && !warnings[0], "option %s", f[i].opt);
		veiltab_free(&t);
	}
	e = one(&t, "v /dev/sdb none discard,readonly,noauto,nofail,_netdev");
	CHECK(e && e->flags == (VT_DISCARD | VT_READONLY | VT_NOAUTO | VT_NOFAIL | VT_NETDEV),
	      "several flags");
	veiltab_free(&t);
}

static void test_values(void)
{
	struct veiltab t;
	const struct veiltab_entry *e;

	e = one(&t, "v /dev/sdb none tries=5,timeout=30,keyfile-offset=1024,keyfile-size=64,"
		"key-slot=7,header=/boot/v.hdr,x-systemd.device-timeout=2min,keyfile-timeout=10s");
	CHECK(e && e->tries == 5 && e->timeout_s == 30 && e->keyfile_offset == 1024 &&
	      e->keyfile_size == 64 && e->key_slot == 7 && !strcmp(e->header, "/boot/v.hdr") &&
	      e->device_timeout_s == 120 && e->keyfile_timeout_s == 10, "valued options");
	veiltab_free(&t);
	e = one(&t, "v /dev/sdb none tries=0,timeout=infinity,x-systemd.device-timeout=0");
	CHECK(e && e->tries == 0 && e->timeout_s == 0 && e->device_timeout_s == 0,
	      "tries=0 (unlimited), timeout=infinity, device-timeout=0");
	veiltab_free(&t);
	e = one(&t, "v /dev/sdb none timeout=1500ms,x-systemd.device-timeout=1h");
	CHECK(e && e->timeout_s == 2 && e->device_timeout_s == 3600, "time units ms (rounded up), h");
	veiltab_free(&t);
	e = one(&t, "v /dev/sdb none header=UUID=0f1e2d3c-aaaa-bbbb-cccc-000011112222,keyslot=3");
	CHECK(e && !strcmp(e->header, "UUID=0f1e2d3c-aaaa-bbbb-cccc-000011112222") &&
	      e->key_slot == 3, "header=UUID=..., keyslot= alias");
	veiltab_free(&t);
	e = one(&t, "v /dev/sdb /k plain,cipher=aes-cbc-essiv:sha256,size=256,sector-size=4096,"
		"offset=2048,skip=8");
	CHECK(e && (e->flags & VT_PLAIN) && !strcmp(e->cipher, "aes-cbc-essiv:sha256") &&
	      e->key_bits == 256 && e->sector_size == 4096 && e->offset == 2048 && e->skip == 8,
	      "plain with cipher=, size=, sector-size=, offset=, skip=");
	veiltab_free(&t);
	e = one(&t, "v /dev/sdb /k plain,cipher=\"xchacha12,aes-adiantum-plain64\",discard");
	CHECK(e && !strcmp(e->cipher, "xchacha12,aes-adiantum-plain64") &&
	      (e->flags & VT_DISCARD) && !warnings[0], "a double-quoted value holds commas");
	veiltab_free(&t);
	e = one(&t, "v /dev/sdb /k plain,cipher=xchacha12,aes-adiantum-plain64");
	CHECK(e && !strcmp(e->cipher, "xchacha12") &&
	      strstr(warnings, "unknown option 'aes-adiantum-plain64'"),
	      "an unquoted comma splits the option, and the rest is warned about");
	veiltab_free(&t);
	e = one(&t, "v /dev/sdb none discard,,nofail,");
	CHECK(e && e->flags == (VT_DISCARD | VT_NOFAIL) && !warnings[0], "empty options skipped");
	veiltab_free(&t);
}

static void test_swap_tmp(void)
{
	struct veiltab t;
	const struct veiltab_entry *e;

	e = one(&t, "s /dev/sdc none swap");
	CHECK(e && (e->flags & VT_SWAP) && (e->flags & VT_PLAIN) && e->key == VT_KEY_RANDOM,
	      "swap implies plain and a random key");
	veiltab_free(&t);
	e = one(&t, "s /dev/sdc /dev/urandom swap,cipher=aes-xts-plain64,size=256,sector-size=4096");
	CHECK(e && e->key == VT_KEY_RANDOM && !e->keyfile && e->key_bits == 256,
	      "swap with /dev/urandom (crypttab's spelling) and cipher options");
	veiltab_free(&t);
	e = one(&t, "t /dev/sdd none tmp");
	CHECK(e && (e->flags & VT_TMP) && !strcmp(e->tmp_fstype, "ext4"), "tmp defaults to ext4");
	veiltab_free(&t);
	e = one(&t, "t /dev/sdd - tmp=xfs,discard");
	CHECK(e && !strcmp(e->tmp_fstype, "xfs") && (e->flags & VT_DISCARD), "tmp=xfs");
	veiltab_free(&t);
}

static void test_unknown(void)
{
	struct veiltab t;
	const struct veiltab_entry *e;

	e = one(&t, "v /dev/sdb none frobnicate,discard,luks,x-foo=bar");
	CHECK(e && e->flags == VT_DISCARD && strstr(warnings, "1:unknown option 'frobnicate'") &&
	      strstr(warnings, "1:option 'luks' has no meaning") &&
	      strstr(warnings, "unknown option 'x-foo'"),
	      "unknown options warned with the line number and ignored");
	veiltab_free(&t);
}

static void test_malformed(void)
{
	refused("lonely", "got only 'lonely'");
	refused("a /dev/a none discard extra", "too many fields");
	refused("a /dev/a none discard, nofail", "too many fields");
	refused("a/b /dev/a", "invalid name 'a/b'");
	refused("control /dev/a", "invalid name");
	refused(". /dev/a", "invalid name");
	refused("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		" /dev/a", "invalid name");
	refused("a sdb1", "invalid device 'sdb1'");
	refused("a UUID=", "invalid device");
	refused("a UUIDX=1", "invalid device");
	refused("a /", "invalid device");
	refused("a /dev/a keys/k", "must be none, -, an absolute path");
	refused("a /dev/a /k:", "expected /path/on/device:DEVSPEC");
	refused("a /dev/a /k:usb", "expected /path/on/device:DEVSPEC");
	refused("a /dev/a /:LABEL=x", "expected /path/on/device:DEVSPEC");
	refused("a /dev/a none discard=1", "option 'discard' takes no value");
	refused("a /dev/a none nofail=yes", "takes no value");
	refused("a /dev/a none tries", "option 'tries' needs a value");
	refused("a /dev/a none tries=", "needs a value");
	refused("a /dev/a none tries=x", "tries=x");
	refused("a /dev/a none tries=-1", "tries=-1");
	refused("a /dev/a none tries=1001", "tries=1001");
	refused("a /dev/a none tries=3x", "tries=3x");
	refused("a /dev/a none timeout=5 s", "too many fields");
	refused("a /dev/a none timeout=5parsecs", "timeout=5parsecs");
	refused("a /dev/a none timeout=s", "timeout=s");
	refused("a /dev/a none x-systemd.device-timeout=-1", "x-systemd.device-timeout=-1");
	refused("a /dev/a none keyfile-timeout=", "needs a value");
	refused("a /dev/a none keyfile-offset=1k", "keyfile-offset=1k");
	refused("a /dev/a none keyfile-offset=99999999999999999999", "keyfile-offset=");
	refused("a /dev/a none keyfile-size=0", "keyfile-size=0");
	refused("a /dev/a none keyfile-size=8388609", "keyfile-size=8388609");
	refused("a /dev/a none key-slot=32", "key-slot=32");
	refused("a /dev/a none key-slot=+1", "key-slot=+1");
	refused("a /dev/a none header=rel/path", "header=rel/path");
	refused("a /dev/a none header", "needs a value");
	refused("a /dev/a /k plain,cipher=a b", "too many fields");
	refused("a /dev/a /k plain,cipher=aes;rm", "not a cipher");
	refused("a /dev/a /k plain,size=0", "size=0");
	refused("a /dev/a /k plain,size=129", "size=129");
	refused("a /dev/a /k plain,sector-size=1000", "sector-size=1000");
	refused("a /dev/a /k plain,sector-size=8192", "sector-size=8192");
	refused("a /dev/a /k plain,sector-size=256", "sector-size=256");
	refused("a /dev/a /k plain,offset=x", "offset=x");
	refused("a /dev/a /k plain,skip=", "needs a value");
	refused("a /dev/a /k plain,hash=sha256", "hash= is not supported");
	refused("a /dev/a none tmp=ext4;x", "tmp=ext4;x");
	refused("a /dev/a none tmp=", "not a filesystem type");
	refused("a /dev/a none swap,tmp", "'swap' and 'tmp' exclude each other");
	refused("a /dev/a /etc/k swap", "fresh random key");
	refused("a /dev/a /k:LABEL=x tmp", "fresh random key");
	refused("a /dev/a none swap,readonly", "read-only makes no sense");
	refused("a /dev/a /dev/urandom", "needs 'swap' or 'tmp'");
	refused("a /dev/a none plain", "'plain' needs a key file");
	refused("a /dev/a /k plain,header=/h", "need a veil header");
	refused("a /dev/a /k plain,key-slot=1", "need a veil header");
	refused("a /dev/a none cipher=aes-xts-plain64", "are for 'plain'");
	refused("a /dev/a none size=256", "are for 'plain'");
	refused("a /dev/a none sector-size=4096", "are for 'plain'");
	refused("a /dev/a none offset=8", "are for 'plain'");
	refused("a /dev/a /k plain,size=256,keyfile-size=64", "does not match size=256");
	refused("a /dev/a /k plain,cipher=\"aes", "unbalanced double quote");
	{
		struct veiltab t;
		int bad = parse(&t, "d /dev/one\nd /dev/two\ne /dev/e\n");

		CHECK(bad == 1 && t.n == 2 && !strcmp(t.entries[0].device, "/dev/one") &&
		      strstr(warnings, "2!:duplicate name 'd' (first on line 1)"),
		      "a duplicate name is refused on its own line; the first stays");
		veiltab_free(&t);
	}
}

static void test_nul_and_many(void)
{
	struct veiltab t;
	static const char text[] = "a /dev/a\nb /dev/\0b\nc /dev/c\n";
	char *big;
	size_t n = 0;
	int bad;

	warnings[0] = 0;
	bad = veiltab_parse(text, sizeof(text) - 1, &t, warn, NULL);
	CHECK(bad == 1 && t.n == 2 && !strcmp(t.entries[1].name, "c") &&
	      strstr(warnings, "2!:NUL byte"), "a NUL byte spoils only its line");
	veiltab_free(&t);
	big = malloc(1000 * 32);
	for (int i = 0; i < 1000; i++)
		n += (size_t)sprintf(big + n, "vol%d /dev/sd%d none\n", i, i);
	bad = veiltab_parse(big, n, &t, warn, NULL);
	CHECK(bad == 0 && t.n == 1000 && veiltab_find(&t, "vol999") &&
	      veiltab_find(&t, "vol999")->line == 1000 && !veiltab_find(&t, "vol1000"),
	      "1000 entries, veiltab_find");
	veiltab_free(&t);
	free(big);
}

static void test_spec_tag(void)
{
	const char *v = NULL;

	CHECK(!strcmp(veiltab_spec_tag("PARTLABEL=x y", &v), "PARTLABEL") && !strcmp(v, "x y"),
	      "veiltab_spec_tag PARTLABEL");
	CHECK(veiltab_spec_tag("/dev/sda", &v) == NULL, "veiltab_spec_tag path");
}

int main(void)
{
	test_fields();
	test_comments();
	test_flags();
	test_values();
	test_swap_tmp();
	test_unknown();
	test_malformed();
	test_nul_and_many();
	test_spec_tag();
	return CHECK_EXIT();
}
