// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The table line of a veil (or stock crypt) mapping: built from a struct
 * mapping, parsed back for status, resume and resize. The key is always a
 * keyring reference, so no table we load or read back carries key bytes.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil.h"

char *mapping_params(const struct mapping *m)
{
	char opts[128] = "";
	int nopt = 0, len = 0;
	char *out = NULL;

	if (m->sector_size && m->sector_size != 512) {
		len += snprintf(opts + len, sizeof(opts) - (size_t)len, " sector_size:%u", m->sector_size);
		nopt++;
	}
	if (m->iv_large_sectors) {
		len += snprintf(opts + len, sizeof(opts) - (size_t)len, " iv_large_sectors");
		nopt++;
	}
	if (m->allow_discards) {
		len += snprintf(opts + len, sizeof(opts) - (size_t)len, " allow_discards");
		nopt++;
	}
	if (nopt)
		len = asprintf(&out, "%s :%u:logon:%s %" PRIu64 " %s %" PRIu64 " %d%s",
			       m->cipher, m->key_bytes, m->key_desc, m->iv_offset, m->device,
			       m->offset, nopt, opts);
	else
		len = asprintf(&out, "%s :%u:logon:%s %" PRIu64 " %s %" PRIu64,
			       m->cipher, m->key_bytes, m->key_desc, m->iv_offset, m->device,
			       m->offset);
	return len < 0 ? NULL : out;
}

static int next_token(char **p, char *out, size_t outlen)
{
	size_t n;

	while (**p == ' ')
		(*p)++;
	n = strcspn(*p, " ");
	if (!n || n >= outlen)
		return -EINVAL;
	memcpy(out, *p, n);
	out[n] = 0;
	*p += n;
	return 0;
}

/*
 * Parse "<cipher> <key> <iv_offset> <device> <offset> [<n> <opt>...]".
 * The key is a keyring reference (its description goes to desc), "-" or
 * all-zero hex (wiped by a suspend: veil and dm-crypt), or a hex key from
 * someone else's table, which is never copied out.
 */
int mapping_parse(const char *params, struct mapping *m, char *cipher, size_t cipherlen,
		  char *desc, size_t desclen, char *dev, size_t devlen)
{
	char *copy = strdup(params), *p = copy, tok[256];
	unsigned int nopt = 0;
	size_t n;
	int r = -EINVAL;

	if (!copy)
		return -ENOMEM;
	memset(m, 0, sizeof(*m));
	desc[0] = 0;
	if (next_token(&p, cipher, cipherlen))
		goto out;
	m->cipher = cipher;
	while (*p == ' ')
		p++;
	n = strcspn(p, " ");
	if (*p == ':' && n < sizeof(tok)) {
		char *end;

		memcpy(tok, p, n);
		tok[n] = 0;
		m->key_bytes = (unsigned int)strtoul(tok + 1, &end, 10);
		if (*end != ':' || strncmp(end + 1, "logon:", 6))
			goto out;
		snprintf(desc, desclen, "%s", end + 7);
		m->key_desc = desc;
		m->key_state = KEY_KEYRING;
	} else if (n == 1 && *p == '-') {
		m->key_state = KEY_WIPED;
	} else {
		m->key_bytes = (unsigned int)(n / 2);
		m->key_state = strspn(p, "0") >= n ? KEY_WIPED : KEY_HEX;
	}
	p += n;
	explicit_bzero(tok, sizeof(tok));
	if (next_token(&p, tok, sizeof(tok)) || sscanf(tok, "%" SCNu64, &m->iv_offset) != 1)
		goto out;
	if (next_token(&p, dev, devlen))
		goto out;
	m->device = dev;
	if (next_token(&p, tok, sizeof(tok)) || sscanf(tok, "%" SCNu64, &m->offset) != 1)
		goto out;
	m->sector_size = 512;
	if (!next_token(&p, tok, sizeof(tok)))
		nopt = (unsigned int)strtoul(tok, NULL, 10);
	for (unsigned int i = 0; i < nopt; i++) {
		if (next_token(&p, tok, sizeof(tok)))
			goto out;
		if (!strncmp(tok, "sector_size:", 12))
			m->sector_size = (unsigned int)strtoul(tok + 12, NULL, 10);
		else if (!strcmp(tok, "iv_large_sectors"))
			m->iv_large_sectors = true;
		else if (!strcmp(tok, "allow_discards"))
			m->allow_discards = true;
	}
	r = 0;
out:
	explicit_bzero(copy, strlen(params));
	free(copy);
	return r;
}

/*
 * Put the key in the keyring, create the mapping, and take the key out
 * again: the target holds its own copy from construction on.
 */
int mapping_load(const char *name, const char *dm_uuid, struct mapping *m,
		 const struct secret *key)
{
	int32_t serial = 0;
	char *params;
	int r;

	m->key_bytes = (unsigned int)key->len;
	r = keyring_add_logon(m->key_desc, key->data, key->len, &serial);
	if (r)
		return r;
	params = mapping_params(m);
	if (!params) {
		keyring_drop(serial);
		return -ENOMEM;
	}
	r = dm_create(name, dm_uuid, m->target, m->len, params, m->readonly);
	keyring_drop(serial);
	free(params);
	return r;
}

/* Mapping names: what dm accepts, and nothing that breaks /dev/mapper paths. */
int name_check(const char *name)
{
	size_t n = strlen(name);

	/* The DM UUID VEIL-<32 hex>-<name> must fit device-mapper's 128 bytes. */
	if (n > VEIL_NAME_MAX) {
		err_msg("mapping name '%s' is longer than %d characters", name, VEIL_NAME_MAX);
		return -EINVAL;
	}
	if (!n || !strcmp(name, ".") || !strcmp(name, "..") || strchr(name, '/') ||
	    !strcmp(name, "control")) {
		err_msg("invalid mapping name '%s'", name);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!isprint((unsigned char)name[i]) || name[i] == ' ') {
			err_msg("invalid mapping name '%s': only printable characters without spaces",
				name);
			return -EINVAL;
		}
	}
	return 0;
}

/* /dev path of a block device number, through sysfs. */
int devno_path(uint32_t major, uint32_t minor, char *out, size_t outlen)
{
	char path[64], line[256];
	FILE *f;
	int r = -ENOENT;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", major, minor);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "DEVNAME=", 8)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(out, outlen, "/dev/%s", line + 8);
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}
