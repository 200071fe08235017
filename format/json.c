// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The header as JSON for `veil dump --json`. Only public fields: salts,
 * digest and MAC are not secret; no key material is ever in a header.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A JSON string; bytes that are not UTF-8 become U+FFFD. */
static void put_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		size_t n = utf8_len(s);

		if (!n) {
			fputs("\\ufffd", f);
			s++;
		} else if (*s == '"' || *s == '\\') {
			fprintf(f, "\\%c", *s++);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s++);
		} else {
			fwrite(s, 1, n, f);
			s += n;
		}
	}
	fputc('"', f);
}

static void put_hex(FILE *f, const uint8_t *p, size_t len)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < len; i++)
		fprintf(f, "%02x", p[i]);
	fputc('"', f);
}

static void put_kdf(FILE *f, const struct veil_kdf *k)
{
	fprintf(f, "{\"type\":\"%s\"", veil_kdf_name(k->type));
	if (k->type == VEIL_KDF_ARGON2ID)
		fprintf(f, ",\"time\":%u,\"memory_kib\":%u,\"parallel\":%u",
			k->time, k->memory_kib, k->parallel);
	else
		fprintf(f, ",\"iterations\":%u", k->time);
	fputc('}', f);
}

static void put_flags(FILE *f, uint32_t flags)
{
	static const char *const names[] = { "allow-discards", "same-cpu-crypt",
		"submit-from-crypt-cpus", "no-read-workqueue",
		"no-write-workqueue" };
	const char *sep = "";
	unsigned i;

	fputc('[', f);
	for (i = 0; i < 5; i++) {
		if (flags & (1u << i)) {
			fprintf(f, "%s\"%s\"", sep, names[i]);
			sep = ",";
		}
	}
	fputc(']', f);
}

int veil_header_to_json(const struct veil_header *h,
			const struct veil_load_report *rep, char **json)
{
	const struct veil_segment *g = &h->segment;
	char uuid[VEIL_UUID_STR_LEN + 1];
	const char *sep = "";
	size_t len = 0;
	unsigned i;
	FILE *f;

	veil_error_clear();
	*json = NULL;
	f = open_memstream(json, &len);
	if (!f)
		return veil_fail(-ENOMEM, "out of memory");
	veil_uuid_unparse(h->uuid, uuid);
	fprintf(f, "{\"version\":%u,\"seqid\":%llu,\"uuid\":\"%s\",\"label\":",
		h->version, (unsigned long long)h->seqid, uuid);
	put_string(f, h->label);
	fputs(",\"subsystem\":", f);
	put_string(f, h->subsystem);
	fprintf(f, ",\"flags\":");
	put_flags(f, h->flags);
	fprintf(f, ",\"metadata_size\":%llu,\"keyslots_offset\":%llu,"
		"\"keyslots_size\":%llu",
		(unsigned long long)h->metadata_size,
		(unsigned long long)h->keyslots_offset,
		(unsigned long long)h->keyslots_size);
	fprintf(f, ",\"segment\":{\"cipher\":");
	put_string(f, g->cipher);
	fprintf(f, ",\"key_size_bits\":%u,\"sector_size\":%u,"
		"\"iv_large_sectors\":%s,\"detached\":%s,\"data_offset\":%llu,"
		"\"data_size\":", g->key_size * 8, g->sector_size,
		g->iv_large_sectors ? "true" : "false",
		g->detached ? "true" : "false",
		(unsigned long long)g->data_offset);
	if (g->dynamic_size)
		fputs("\"dynamic\"", f);
	else
		fprintf(f, "%llu", (unsigned long long)g->data_size);
	fprintf(f, ",\"iv_offset\":%llu}", (unsigned long long)g->iv_offset);
	fprintf(f, ",\"digest\":{\"type\":\"pbkdf2-sha256\",\"iterations\":%u,"
		"\"salt\":", h->digest_iterations);
	put_hex(f, h->digest_salt, VEIL_SALT_SIZE);
	fputs(",\"digest\":", f);
	put_hex(f, h->digest, VEIL_DIGEST_SIZE);
	fputs("},\"keyslots\":[", f);
	for (i = 0; i < VEIL_MAX_KEYSLOTS; i++) {
		const struct veil_keyslot *s = &h->slots[i];

		if (s->state != VEIL_SLOT_ACTIVE)
			continue;
		fprintf(f, "%s{\"slot\":%u,\"state\":\"active\",\"priority\":\"%s\","
			"\"kdf\":", sep, i, veil_keyslot_priority_name(s->priority));
		put_kdf(f, &s->kdf);
		fputs(",\"salt\":", f);
		put_hex(f, s->salt, VEIL_SALT_SIZE);
		fprintf(f, ",\"af\":{\"type\":\"luks1\",\"hash\":\"sha256\","
			"\"stripes\":%u},\"area\":{\"encryption\":"
			"\"aes-xts-plain64\",\"key_size_bits\":%u,\"offset\":%llu,"
			"\"size\":%llu},\"key_size_bits\":%u}", s->stripes,
			s->kek_size * 8, (unsigned long long)s->area.offset,
			(unsigned long long)s->area.size, s->key_size * 8);
		sep = ",";
	}
	fputs("],\"retired_areas\":[", f);
	sep = "";
	for (i = 0; i < VEIL_MAX_RETIRED; i++) {
		if (!h->retired[i].size)
			continue;
		fprintf(f, "%s{\"offset\":%llu,\"size\":%llu}", sep,
			(unsigned long long)h->retired[i].offset,
			(unsigned long long)h->retired[i].size);
		sep = ",";
	}
	fputs("],\"mac\":{\"type\":\"hmac-sha256\",\"value\":", f);
	put_hex(f, h->mac, VEIL_MAC_SIZE);
	fputc('}', f);
	if (rep) {
		fprintf(f, ",\"used_copy\":%d,\"copies\":[", rep->used_copy);
		for (i = 0; i < 2; i++) {
			fprintf(f, "%s{\"offset\":%u,\"status\":\"%s\",\"seqid\":%llu,"
				"\"repaired\":%s,\"detail\":", i ? "," : "",
				i ? VEIL_HDR_COPY1_OFFSET : VEIL_HDR_COPY0_OFFSET,
				veil_copy_status_str(rep->copy[i]),
				(unsigned long long)rep->copy_seqid[i],
				rep->repaired[i] ? "true" : "false");
			put_string(f, rep->copy_detail[i]);
			fputc('}', f);
		}
		fputc(']', f);
	}
	fputs("}\n", f);
	if (fclose(f) || !*json) {
		free(*json);
		*json = NULL;
		return veil_fail(-ENOMEM, "out of memory");
	}
	return 0;
}
