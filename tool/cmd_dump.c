// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil dump: every header field and every keyslot with its KDF. Salts,
 * digest and MAC are public and shown. The volume key is shown only with
 * --dump-volume-key, after a confirmation and a passphrase (as cryptsetup
 * luksDump --dump-volume-key), or written to a new 0600 file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil.h"
#include "commands.h"

static void hex(const char *label, const uint8_t *p, size_t n)
{
	printf("%s", label);
	for (size_t i = 0; i < n; i++)
		printf("%02x%s", p[i], i + 1 < n && (i + 1) % 16 == 0 ? "\n\t\t" : "");
	printf("\n");
}

static void print_flags(uint32_t flags)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ VEIL_FLAG_ALLOW_DISCARDS, "allow-discards" },
		{ VEIL_FLAG_SAME_CPU_CRYPT, "same-cpu-crypt" },
		{ VEIL_FLAG_SUBMIT_FROM_CRYPT_CPUS, "submit-from-crypt-cpus" },
		{ VEIL_FLAG_NO_READ_WORKQUEUE, "no-read-workqueue" },
		{ VEIL_FLAG_NO_WRITE_WORKQUEUE, "no-write-workqueue" },
		{ VEIL_FLAG_NO_INLINE, "no-inline" },
	};

	printf("Flags:\t\t");
	if (!flags)
		printf("(none)");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			printf("%s ", names[i].name);
	printf("\n");
}

static void print_kdf(const struct veil_kdf *k)
{
	printf("\tPBKDF:      %s\n", veil_kdf_name(k->type));
	if (k->type == VEIL_KDF_ARGON2ID) {
		printf("\tTime cost:  %u\n", k->time);
		printf("\tMemory:     %u KiB\n", k->memory_kib);
		printf("\tThreads:    %u\n", k->parallel);
	} else {
		printf("\tIterations: %u\n", k->time);
	}
}

static void print_text(const char *device, const struct veil_header *h,
		       const struct veil_load_report *rep)
{
	const struct veil_segment *s = &h->segment;
	char uuid[VEIL_UUID_STR_LEN + 1];

	veil_uuid_unparse(h->uuid, uuid);
	printf("VEIL header information for %s\n\n", device);
	printf("Version:\t%u\n", h->version);
	printf("Sequence id:\t%" PRIu64 "\n", h->seqid);
	printf("UUID:\t\t%s\n", uuid);
	printf("Label:\t\t%s\n", *h->label ? h->label : "(no label)");
	printf("Subsystem:\t%s\n", *h->subsystem ? h->subsystem : "(no subsystem)");
	print_flags(h->flags);
	printf("Incompat:\t0x%08x\n", h->incompat);
	printf("Metadata:\t%" PRIu64 " bytes\n", h->metadata_size);
	printf("Keyslots area:\t%" PRIu64 " bytes at offset %" PRIu64 "\n", h->keyslots_size,
	       h->keyslots_offset);
	for (int i = 0; rep && i < 2; i++)
		printf("Header copy %d:\t%s%s%s%s\n", i, veil_copy_status_str(rep->copy[i]),
		       rep->used_copy == i ? " (in use)" : "",
		       rep->copy_detail[i][0] ? ": " : "", rep->copy_detail[i]);
	printf("\nData segment:\n");
	printf("\tcipher:     %s\n", s->cipher);
	printf("\tkey size:   %u bits\n", s->key_size * 8);
	printf("\tsector:     %u bytes\n", s->sector_size);
	printf("\tiv_large_sectors: %s\n", s->iv_large_sectors ? "yes" : "no");
	printf("\toffset:     %" PRIu64 " bytes\n", s->data_offset);
	if (s->dynamic_size)
		printf("\tlength:     (whole device)\n");
	else
		printf("\tlength:     %" PRIu64 " bytes\n", s->data_size);
	printf("\tIV offset:  %" PRIu64 " sectors\n", s->iv_offset);
	printf("\tdetached:   %s\n", s->detached ? "yes (header on another device)" : "no");
	printf("\nDigest:\n");
	printf("\tPBKDF:      pbkdf2-sha256\n");
	printf("\tIterations: %u\n", h->digest_iterations);
	hex("\tSalt:       ", h->digest_salt, VEIL_SALT_SIZE);
	hex("\tDigest:     ", h->digest, VEIL_DIGEST_SIZE);
	hex("\nHeader MAC:\t", h->mac, VEIL_MAC_SIZE);
	printf("\nKeyslots:\n");
	for (int i = 0; i < VEIL_MAX_KEYSLOTS; i++) {
		const struct veil_keyslot *k = &h->slots[i];

		if (k->state != VEIL_SLOT_ACTIVE)
			continue;
		printf("  %d: active\n", i);
		printf("\tPriority:   %s\n", veil_keyslot_priority_name(k->priority));
		printf("\tKey:        %u bits\n", k->key_size * 8);
		print_kdf(&k->kdf);
		hex("\tSalt:       ", k->salt, VEIL_SALT_SIZE);
		printf("\tAF stripes: %u\n", k->stripes);
		printf("\tAF hash:    sha256\n");
		printf("\tArea cipher: aes-xts-plain64 (%u-bit key)\n", k->kek_size * 8);
		printf("\tArea:       %" PRIu64 " bytes at offset %" PRIu64 "\n", k->area.size,
		       k->area.offset);
	}
	for (int i = 0; i < VEIL_MAX_RETIRED; i++)
		if (h->retired[i].size)
			printf("Retired area: %" PRIu64 " bytes at offset %" PRIu64
			       " (awaiting wipe)\n", h->retired[i].size, h->retired[i].offset);
}

static int dump_volume_key(struct vol *v, const struct veil_opts *o)
{
	struct secret vk = { 0 };
	char question[512];
	int r;

	snprintf(question, sizeof(question),
		 "The volume key of %s will be %s.\n"
		 "Whoever holds it reads all data on the device, whatever the keyslots say,\n"
		 "and removing keyslots does not take that away.", v->device,
		 o->volume_key_file ? "written to a file" : "printed on the terminal");
	if (!o->batch && (r = confirm_yes(question)))
		return r;
	r = vol_unlock_ex(v, o, NULL, o->key_slot, &vk, NULL, NULL);
	if (r)
		return r;
	fprintf(stderr, "WARNING: the volume key of %s is sensitive: it decrypts the data "
		"without any passphrase.\n", v->device);
	if (o->volume_key_file) {
		r = write_secret_file(o->volume_key_file, vk.data, vk.len);
		if (r)
			r = fail(r, "cannot write %s (it must not exist yet): %s",
				 o->volume_key_file, strerror(-r));
		else
			fprintf(stderr, "Volume key written to %s.\n", o->volume_key_file);
	} else {
		printf("Volume key of %s (%zu bits):\n", v->device, vk.len * 8);
		hex("MK dump:\t", vk.data, vk.len);
	}
	secret_free(&vk);
	return r;
}

int cmd_dump(int argc, char *argv[])
{
	struct veil_opts o;
	struct vol v;
	char *json = NULL;
	int r;

	if (parse_options(argc, argv, OPT_JSON | OPT_HEADER | OPT_DUMP_VOLUME_KEY |
			  OPT_VOLUME_KEY_FILE | OPT_BATCH | OPT_KEY_FILE | OPT_KEYFILE_OFFSET |
			  OPT_KEYFILE_SIZE | OPT_KEY_SLOT | OPT_TRIES | OPT_TIMEOUT, &o) ||
	    want_args(&o, 1, 1, "DEVICE"))
		return -EINVAL;
	if (o.volume_key_file && !o.dump_volume_key)
		return fail(-EINVAL, "--volume-key-file with dump is where --dump-volume-key "
			    "writes the key; give both");
	if (o.dump_volume_key && o.json)
		return fail(-EINVAL, "--dump-volume-key and --json do not go together");
	r = vol_open(&v, o.argv[0], o.header, 0);
	if (r)
		return r;
	if (o.dump_volume_key) {
		r = dump_volume_key(&v, &o);
		goto out;
	}
	if (o.json) {
		r = veil_header_to_json(vol_header(&v), &v.report, &json);
		if (r) {
			r = vol_fail(r, v.hdr_path, "cannot render the header as JSON");
			goto out;
		}
		printf("%s\n", json);
		free(json);
	} else {
		print_text(v.hdr_path, vol_header(&v), &v.report);
	}
out:
	vol_close(&v);
	return r;
}
