// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil keyslot add / change. add unlocks with any existing passphrase
 * (the library needs the volume key to re-MAC the header) and writes the
 * new slot; change replaces the passphrase of the slot the old one opens.
 */
#include <errno.h>
#include <stdio.h>

#include "veil.h"
#include "commands.h"
#include "keyslot.h"

/* The new passphrase and the KDF cost of its slot: add and change ask the same. */
static int new_slot_secret(const struct veil_opts *o, struct secret *pass,
			   struct veil_keyslot_params *kp)
{
	int r = get_new_secret(o->new_key_file, o->new_keyfile_offset, o->new_keyfile_size,
			       o->batch, pass);

	return r ? r : kdf_params(o, VEIL_KEYSLOT_KEK_SIZE, kp);
}

/* A fatal signal held back during the header write is let in before success is told. */
static int slot_written(int r, const char *device, int slot, const char *done,
			const char *failed)
{
	secrets_signal_point();
	if (r)
		return vol_fail(r, device, failed);
	fprintf(stderr, "Key slot %d %s.\n", slot, done);
	return 0;
}

int keyslot_add(int argc, char *argv[])
{
	struct veil_opts o;
	struct veil_keyslot_params kp;
	struct secret vk = { 0 }, pass = { 0 };
	struct vol v;
	int slot = -1, r;

	if (parse_options(argc, argv, UNLOCK_OPTS | NEW_KEY_OPTS | OPT_KEY_SLOT | KDF_OPTS |
			  OPT_BATCH | OPT_VOLUME_KEY_FILE, &o) ||
	    want_args(&o, 1, 2, "DEVICE [NEW-KEY-FILE]"))
		return -EINVAL;
	if (o.argc == 2) {	/* cryptsetup's luksAddKey DEVICE NEWKEYFILE */
		if (o.new_key_file)
			return fail(-EINVAL, "give the new key file once: --new-key-file or "
				    "after DEVICE");
		o.new_key_file = o.argv[1];
	}
	r = vol_open(&v, o.argv[0], o.header, VOL_WRITE);
	if (r)
		return r;
	if (o.key_slot >= 0 && vol_header(&v)->slots[o.key_slot].state == VEIL_SLOT_ACTIVE) {
		r = fail(-EEXIST, "%s: keyslot %d is already in use", o.argv[0], o.key_slot);
		goto out;
	}
	/* Any existing passphrase, or the volume key itself (as luksAddKey --volume-key-file). */
	r = vol_volume_key(&v, &o, "Enter any existing passphrase: ", -1, &vk);
	if (r)
		goto out;
	r = new_slot_secret(&o, &pass, &kp);
	if (r)
		goto out;
	r = veil_keyslot_add(v.vol, vk.vs, o.key_slot, pass.data, pass.len, &kp, &slot);
	r = slot_written(r, o.argv[0], slot, "created", "cannot add a keyslot");
out:
	secret_free(&pass);
	secret_free(&vk);
	vol_close(&v);
	return r;
}

int keyslot_change(int argc, char *argv[])
{
	struct veil_opts o;
	struct veil_keyslot_params kp;
	struct secret old = { 0 }, pass = { 0 };
	struct vol v;
	int slot = -1, r;

	if (parse_options(argc, argv, UNLOCK_OPTS | NEW_KEY_OPTS | OPT_KEY_SLOT | KDF_OPTS |
			  OPT_BATCH, &o) || want_args(&o, 1, 1, "DEVICE"))
		return -EINVAL;
	r = vol_open(&v, o.argv[0], o.header, VOL_WRITE);
	if (r)
		return r;
	r = vol_unlock_ex(&v, &o, "Enter passphrase to be changed: ", o.key_slot, NULL, &old,
			  &slot);
	if (r)
		goto out;
	r = new_slot_secret(&o, &pass, &kp);
	if (r)
		goto out;
	kp.priority = vol_header(&v)->slots[slot].priority;
	r = veil_keyslot_change(v.vol, slot, old.data, old.len, pass.data, pass.len, &kp, &slot);
	r = slot_written(r, o.argv[0], slot, "changed", "cannot change the keyslot");
out:
	secret_free(&pass);
	secret_free(&old);
	vol_close(&v);
	return r;
}
