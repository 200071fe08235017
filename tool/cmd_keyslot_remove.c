// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil keyslot remove / kill. remove takes the slot's own passphrase;
 * kill takes a slot number and any passphrase (for the volume key), or,
 * with -q and no key given, none at all (as luksKillSlot -q): then the
 * slot's area is destroyed and the header left as it is (SPEC.md 9.4.1).
 * Either refuses to drop the last slot without YES or --batch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "veil.h"
#include "commands.h"
#include "keyslot.h"

int keyslot_remove(int argc, char *argv[])
{
	struct veil_opts o;
	struct secret pass = { 0 };
	struct vol v;
	int slot = -1, r;

	if (parse_options(argc, argv, UNLOCK_OPTS | OPT_KEY_SLOT | OPT_BATCH, &o) ||
	    want_args(&o, 1, 1, "DEVICE"))
		return -EINVAL;
	r = vol_open(&v, o.argv[0], o.header, VOL_WRITE);
	if (r)
		return r;
	r = vol_unlock_ex(&v, &o, "Enter passphrase of the keyslot to remove: ", o.key_slot,
			  NULL, &pass, &slot);
	if (r)
		goto out;
	r = confirm_last_slot(&o, &v, slot);
	if (r)
		goto out;
	r = veil_keyslot_remove(v.vol, slot, pass.data, pass.len, true, NULL);
	secrets_signal_point();
	if (r) {
		r = vol_fail(r, o.argv[0], "cannot remove the keyslot");
		goto out;
	}
	fprintf(stderr, "Key slot %d removed.\n", slot);
out:
	secret_free(&pass);
	vol_close(&v);
	return r;
}

int keyslot_kill(int argc, char *argv[])
{
	struct veil_opts o;
	struct secret vk = { 0 };
	struct vol v;
	char *end;
	long slot;
	int r;

	if (parse_options(argc, argv, UNLOCK_OPTS | OPT_BATCH | OPT_VOLUME_KEY_FILE, &o) ||
	    want_args(&o, 2, 2, "DEVICE SLOT"))
		return -EINVAL;
	slot = strtol(o.argv[1], &end, 10);
	if (*end || end == o.argv[1] || slot < 0 || slot >= VEIL_MAX_KEYSLOTS)
		return fail(-EINVAL, "invalid keyslot '%s' (0..%d)", o.argv[1],
			    VEIL_MAX_KEYSLOTS - 1);
	r = vol_open(&v, o.argv[0], o.header, VOL_WRITE);
	if (r)
		return r;
	if (vol_header(&v)->slots[slot].state != VEIL_SLOT_ACTIVE) {
		r = fail(-EINVAL, "%s: keyslot %ld is not active", o.argv[0], slot);
		goto out;
	}
	r = confirm_last_slot(&o, &v, (int)slot);
	if (r)
		goto out;
	if (o.batch && !o.key_file && !o.volume_key_file) {
		/* The header MAC needs the volume key, which we do not ask for:
		 * destroy the slot's material and leave the header valid. */
		r = veil_keyslot_destroy(v.vol, (int)slot, true);
		if (r) {
			r = vol_fail(r, o.argv[0], "cannot destroy the keyslot");
			goto out;
		}
		fprintf(stderr, "Key slot %ld destroyed (its passphrase no longer opens; the "
			"next keyslot change made with a passphrase drops it from the "
			"header).\n", slot);
		goto out;
	}
	r = vol_volume_key(&v, &o, "Enter any remaining passphrase: ", -1, &vk);
	if (r)
		goto out;
	r = veil_keyslot_kill(v.vol, vk.vs, (int)slot, true);
	secrets_signal_point();
	if (r) {
		r = vol_fail(r, o.argv[0], "cannot kill the keyslot");
		goto out;
	}
	fprintf(stderr, "Key slot %ld killed.\n", slot);
out:
	secret_free(&vk);
	vol_close(&v);
	return r;
}
