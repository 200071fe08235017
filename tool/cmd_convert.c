// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil convert --from-luks: a LUKS1/LUKS2 volume becomes a veil volume by
 * rewriting its metadata only. libcryptsetup unlocks it and backs its
 * header up; the format library plans the veil header around the same
 * volume key, segment and data offset, with its keyslot areas outside
 * everything the LUKS header still needs, and writes it in the order of
 * SPEC.md "Adopting a data area", so that an interruption at any write
 * leaves a device that opens with cryptsetup or with veil.
 * (--to-luks2, the way back, is in cmd_convert_luks2.c.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libcryptsetup.h>
#include <uuid/uuid.h>

#include "commands.h"
#include "luks.h"

#define CONVERT_OPTS (OPT_FROM_LUKS | OPT_TO_LUKS2 | OPT_KEY_FILE | OPT_KEYFILE_OFFSET | \
		      OPT_KEYFILE_SIZE | OPT_ADD_KEY_FILE | OPT_KEY_SLOT | OPT_HEADER | \
		      OPT_BATCH | OPT_TRIES | OPT_TIMEOUT | OPT_HEADER_BACKUP_FILE | KDF_OPTS | \
		      OPT_PROGRESS_JSON)
#define MAX_BUSY 40

/* The passphrases of the new header: the one that unlocked, then each
 * --add-key-file, then (on a terminal without --batch) any typed in. */
int convert_collect_passes(const struct veil_opts *o, struct secret *first,
			   struct secret *passes, size_t *n)
{
	int r;

	secret_move(&passes[0], first);
	*n = 1;
	for (unsigned i = 0; i < o->n_add_key_files; i++) {
		r = read_keyfile(o->add_key_files[i], 0, 0, &passes[*n]);
		if (r)
			return r;
		(*n)++;
	}
	while (!o->batch && !o->key_file && have_tty() && *n < VEIL_MAX_KEYSLOTS) {
		struct secret extra;

		r = secret_alloc(&extra, VEIL_PASSPHRASE_MAX);
		if (r)
			return r;
		r = ask_passphrase("Another passphrase for the new header (empty: no more): ", o->timeout_s,
				   &extra);
		if (r || !extra.len) {
			secret_free(&extra);
			return r;
		}
		secret_move(&passes[*n], &extra);
		(*n)++;
	}
	return 0;
}

/* A LUKS1 keyslot lives at a fixed place; slot 0 usually covers offset
 * 16384, where veil's copy 1 goes. Then a free slot that does not is given
 * the same passphrase first, so LUKS still opens until veil does. */
static int luks1_spare_slot(struct luks_vol *l, int used)
{
	uint64_t off, len;

	for (int k = 0; k < crypt_keyslot_max(CRYPT_LUKS1); k++) {
		if (k == used || crypt_keyslot_status(l->cd, k) != CRYPT_SLOT_INACTIVE)
			continue;
		if (crypt_keyslot_area(l->cd, k, &off, &len))
			continue;
		if (off >= VEIL_HDR_COPY1_OFFSET + VEIL_HDR_COPY_SIZE)
			return k;
	}
	return -1;
}

static int busy_ranges(struct luks_vol *l, struct veil_area *busy, size_t *n)
{
	uint64_t md = 0, ks = 0, off, len;

	*n = 0;
	if (!strcmp(l->type, CRYPT_LUKS2)) {
		if (crypt_get_metadata_size(l->cd, &md, &ks))
			return -EINVAL;
		busy[(*n)++] = (struct veil_area){ 0, 2 * md };
	} else {
		busy[(*n)++] = (struct veil_area){ 0, 4096 };
	}
	for (int k = 0; k < crypt_keyslot_max(l->type) && *n < MAX_BUSY - 1; k++) {
		crypt_keyslot_info st = crypt_keyslot_status(l->cd, k);

		if (st == CRYPT_SLOT_INACTIVE || st == CRYPT_SLOT_INVALID)
			continue;
		if (!crypt_keyslot_area(l->cd, k, &off, &len))
			busy[(*n)++] = (struct veil_area){ off, len };
	}
	return 0;
}

static uint8_t *snapshot(int fd, uint64_t len)
{
	uint8_t *buf = malloc(len);

	if (buf && pread(fd, buf, len, 0) != (ssize_t)len) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

/* Did anything in [0, len) change, other than our temporary LUKS1 keyslot
 * (its area, and the LUKS1 header sector that describes it)? */
static int snapshot_changed(int fd, const uint8_t *old, uint64_t len, struct veil_area mine)
{
	uint8_t *now = snapshot(fd, len);
	int r = 0;

	if (!now)
		return -EIO;
	for (uint64_t off = 0; off < len && !r; off += 512) {
		bool ours = mine.size && (off < 4096 || (off >= mine.offset &&
							  off < mine.offset + mine.size));

		if (!ours && memcmp(now + off, old + off, 512))
			r = -EBUSY;
	}
	free(now);
	return r;
}

/* Where the backup goes unless --header-backup-file says. */
void convert_backup_name(const char *o_file, const char *device, const char *kind,
			 char *out, size_t len)
{
	const char *base = strrchr(device, '/');

	if (o_file)
		snprintf(out, len, "%s", o_file);
	else
		snprintf(out, len, "%s.%s-header-backup", base ? base + 1 : device, kind);
}

static int from_luks(struct veil_opts *o)
{
	const char *device = o->argv[0];
	struct luks_vol l = { 0 };
	struct secret vk = { 0 }, pass = { 0 }, passes[VEIL_MAX_KEYSLOTS];
	struct veil_adopt_secret ap[VEIL_MAX_KEYSLOTS];
	struct veil_area busy[MAX_BUSY];
	struct veil_adopt_params p;
	struct veil_keyslot_params kp;
	struct veil_adopt *plan = NULL;
	struct veil_io raw = { 0 }, io = { 0 };
	struct veil_volume *check = NULL;
	struct progress pr;
	char backup[4096], uuid_str[VEIL_UUID_STR_LEN + 1], tokens[256];
	uint8_t uuid[VEIL_UUID_SIZE];
	uint64_t hdr_size = 0, data_size = 0, off, len;
	size_t npass = 0, nbusy = 0;
	int fd = -1, slot = -1, spare = -1, r;
	uint8_t *snap = NULL;

	memset(passes, 0, sizeof(passes));
	r = device_check_unused(device);
	if (!r && o->header)
		r = device_check_unused(o->header);
	if (r)
		return r;
	fd = open(o->header ? o->header : device, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail(-errno, "cannot open %s: %s", o->header ? o->header : device,
			    strerror(errno));
	r = luks_load(&l, device, o->header);
	if (!r)
		r = luks_check_mappable(&l);
	if (r)
		goto out;
	if (luks_tokens(&l, tokens, sizeof(tokens))) {
		/* A token is how the volume unlocks without a passphrase (at boot,
		 * by TPM2 or FIDO2). veil has none, so converting would silently
		 * take that away; the user removes it knowingly first. */
		r = fail(-EINVAL, "%s: the LUKS2 header has token(s) %s; veil cannot carry "
			 "tokens over, so that way of unlocking would be lost. Remove them "
			 "first (cryptsetup token remove --token-id N, or systemd-cryptenroll "
			 "--wipe-slot=tpm2,fido2) and convert again; nothing was written",
			 device, tokens);
		goto out;
	}
	r = device_size_bytes(fd, &hdr_size);
	if (!r)
		r = o->header ? path_size_bytes(device, &data_size) : (data_size = hdr_size, 0);
	if (r) {
		r = fail(r, "%s: cannot get its size: %s", device, strerror(-r));
		goto out;
	}
	r = luks_unlock(&l, o, &vk, &pass, &slot);
	if (r)
		goto out;
	r = convert_collect_passes(o, &pass, passes, &npass);
	if (r)
		goto out;
	r = busy_ranges(&l, busy, &nbusy);
	if (r) {
		r = fail(r, "%s: cannot read the LUKS2 metadata size", device);
		goto out;
	}
	if (!strcmp(l.type, CRYPT_LUKS1) && !crypt_keyslot_area(l.cd, slot, &off, &len) &&
	    off < VEIL_HDR_COPY1_OFFSET + VEIL_HDR_COPY_SIZE) {
		spare = luks1_spare_slot(&l, slot);
		if (spare < 0) {
			r = fail(-ENOSPC, "%s: LUKS1 keyslot %d overlaps where veil's second header "
				 "copy goes, and no free keyslot is left to keep the passphrase "
				 "usable during the conversion; remove one LUKS keyslot first",
				 device, slot);
			goto out;
		}
		crypt_keyslot_area(l.cd, spare, &off, &len);
		busy[nbusy++] = (struct veil_area){ off, len };
	}

	veil_adopt_params_init(&p);
	p.cipher = l.cipher;
	p.key_size = (uint32_t)l.key_size;
	p.sector_size = l.sector_size;
	p.detached = o->header != NULL;
	p.data_offset = l.data_offset;
	p.data_size = l.data_size;	/* a fixed LUKS2 segment stays exactly that size */
	p.iv_offset = l.iv_offset;
	p.flags = l.flags;
	/* The metadata takes all the room LUKS had: up to the data, or the
	 * whole detached header file (at most the format's limit). */
	p.metadata_size = p.detached ? hdr_size / VEIL_AREA_ALIGN * VEIL_AREA_ALIGN : l.data_offset;
	if (p.detached && p.metadata_size > VEIL_METADATA_SIZE_MAX)
		p.metadata_size = VEIL_METADATA_SIZE_MAX;
	p.label = crypt_get_label(l.cd);
	p.subsystem = crypt_get_subsystem(l.cd);
	if (!crypt_get_uuid(l.cd) || uuid_parse(crypt_get_uuid(l.cd), uuid)) {
		r = fail(-EINVAL, "%s: the LUKS UUID is not an RFC 4122 UUID", device);
		goto out;
	}
	p.uuid = uuid;
	p.busy = busy;
	p.n_busy = nbusy;
	/* As cryptsetup: with benchmarks disabled the digest takes the minimum. */
	if (o->pbkdf_iterations)
		p.digest_iterations = VEIL_DIGEST_ITER_MIN;
	if (p.label && strlen(p.label) >= VEIL_LABEL_SIZE) {
		r = fail(-EINVAL, "%s: LUKS label '%s' is longer than veil's %d bytes; shorten "
			 "it with cryptsetup config --label first", device, p.label,
			 VEIL_LABEL_SIZE - 1);
		goto out;
	}
	r = kdf_params(o, l.key_size, &kp);
	if (r)
		goto out;
	for (size_t i = 0; i < npass; i++)
		ap[i] = (struct veil_adopt_secret){ passes[i].data, passes[i].len };
	r = veil_adopt_plan(&p, hdr_size, data_size, vk.vs, ap, npass, &kp, &plan);
	if (r) {
		r = fail(r, "%s: cannot convert: %s", device, veil_error_detail());
		goto out;
	}
	snap = snapshot(fd, p.metadata_size);
	if (!snap) {
		r = fail(-EIO, "%s: cannot read the LUKS metadata", device);
		goto out;
	}
	veil_uuid_unparse(uuid, uuid_str);
	convert_backup_name(o->header_backup_file, o->header ? o->header : device, "luks", backup,
			    sizeof(backup));
	if (!access(backup, F_OK)) {
		r = fail(-EEXIST, "the header backup %s already exists; move it away or name "
			 "another with --header-backup-file (nothing was changed)", backup);
		goto out;
	}
	if (!o->batch) {
		char q[8192];

		snprintf(q, sizeof(q), "This converts %s in place from %s to veil.\n"
			 "The LUKS header is replaced by a veil header with the same volume key,\n"
			 "cipher %s, %u-byte sectors, data at %llu, UUID %s,\n"
			 "and %zu keyslot(s); the data is not touched. cryptsetup will no longer\n"
			 "open it; veil convert --to-luks2 converts it back.\n"
			 "The LUKS header is saved to %s first.",
			 o->header ? o->header : device, l.type, l.cipher, l.sector_size,
			 (unsigned long long)l.data_offset, uuid_str, npass, backup);
		r = confirm_yes(q);
		if (r)
			goto out;
	}
	r = crypt_header_backup(l.cd, NULL, backup);
	if (r < 0) {
		r = fail(r, "cannot write the LUKS header backup %s: %s (nothing was changed)",
			 backup, strerror(-r));
		goto out;
	}
	chmod(backup, 0400);
	if (spare >= 0) {
		struct crypt_pbkdf_type pb = { .type = CRYPT_KDF_PBKDF2, .hash = "sha256",
					       .time_ms = kp.target_ms };

		/* Forced iterations (tests) apply to this transient slot too. */
		if (o->pbkdf_iterations && kp.kdf.type == VEIL_KDF_PBKDF2_SHA256) {
			pb.iterations = kp.kdf.time;
			pb.flags = CRYPT_PBKDF_NO_BENCHMARK;
		}

		crypt_set_pbkdf_type(l.cd, &pb);
		r = crypt_keyslot_add_by_volume_key(l.cd, spare, (const char *)vk.data, vk.len,
						    (const char *)passes[0].data, passes[0].len);
		if (r < 0) {
			r = fail(r, "%s: cannot add the temporary LUKS1 keyslot %d: %s "
				 "(nothing else was changed)", device, spare, strerror(-r));
			goto out;
		}
	}
	/* libcryptsetup takes its own lock (flock on an image file), so ours
	 * comes once it has let go; what it saw must still be on the device. */
	luks_free(&l);
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		r = fail(-EBUSY, "%s is locked by another process; nothing of the LUKS "
			 "header was changed%s", device, spare >= 0 ? " but a temporary "
			 "keyslot" : "");
		goto out;
	}
	r = snapshot_changed(fd, snap, p.metadata_size, spare >= 0 ? busy[nbusy - 1] :
			     (struct veil_area){ 0, 0 });
	if (r) {
		r = fail(-EBUSY, "%s: the LUKS header changed while we worked (another "
			 "cryptsetup?); nothing was written", device);
		goto out;
	}

	r = veil_io_from_fd(&raw, fd, false);
	/* The writes cover the new metadata area once, [0, metadata_size). */
	progress_start(&pr, "Writing the veil header", o->header ? o->header : device,
		       p.metadata_size, o->progress_json);
	if (!r)
		r = convert_io(&raw, &io, &pr);
	if (r)
		goto out;
	r = veil_adopt_write(plan, &io);
	if (!r)
		progress_end(&pr);
	if (r) {
		r = fail(r, "%s: writing the veil header failed: %s; the LUKS header backup is "
			 "%s (cryptsetup luksHeaderRestore)", device, veil_error_detail(), backup);
		goto out;
	}
	r = veil_load(&raw, 0, &check, NULL);
	if (!r)
		r = veil_unlock_volume_key(check, vk.vs);
	if (r) {
		r = fail(r, "%s: the new veil header does not verify: %s; the LUKS header "
			 "backup is %s", device, veil_error_detail(), backup);
		goto out;
	}
	printf("%s is now a veil volume (UUID %s, %zu keyslot(s)).\n"
	       "The old LUKS header is saved in %s (cryptsetup --header %s can open it).\n",
	       o->header ? o->header : device, uuid_str, npass, backup, backup);
out:
	veil_volume_free(check);
	free(snap);
	convert_io_close(&io);
	veil_io_close(&raw);
	veil_adopt_free(plan);
	luks_free(&l);
	for (size_t i = 0; i < npass; i++)
		secret_free(&passes[i]);
	secret_free(&pass);
	secret_free(&vk);
	if (fd >= 0)
		close(fd);
	return r;
}

int cmd_convert(int argc, char *argv[])
{
	struct veil_opts o;

	if (parse_options(argc, argv, CONVERT_OPTS, &o))
		return -EINVAL;
	if (o.from_luks == o.to_luks2)
		return fail(-EINVAL, "give exactly one of --from-luks and --to-luks2");
	if (want_args(&o, 1, 1, "DEVICE"))
		return -EINVAL;
	return o.from_luks ? from_luks(&o) : convert_to_luks2(&o);
}
