// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Metadata editing, as cryptsetup config and luksUUID: the label and
 * subsystem (outside the MAC, so no key is needed), a keyslot's priority
 * and the volume UUID (covered by the MAC, so they need the volume key:
 * a passphrase, a key file or --volume-key-file).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

#include "veil.h"
#include "commands.h"

static int priority_of(const char *name, enum veil_keyslot_priority *p)
{
	for (int i = 0; i <= 2; i++) {
		if (!strcmp(veil_keyslot_priority_name((enum veil_keyslot_priority)i), name)) {
			*p = (enum veil_keyslot_priority)i;
			return 0;
		}
	}
	return -EINVAL;
}

int cmd_config(int argc, char *argv[])
{
	struct veil_opts o;
	struct secret vk = { 0 };
	enum veil_keyslot_priority prio = VEIL_PRIO_NORMAL;
	struct vol v;
	int slot, r;

	if (parse_options(argc, argv, OPT_LABEL | OPT_SUBSYSTEM | OPT_PRIORITY | OPT_KEY_SLOT |
			  OPT_HEADER | OPT_KEY_FILE | OPT_KEYFILE_OFFSET | OPT_KEYFILE_SIZE |
			  OPT_VOLUME_KEY_FILE | OPT_TRIES | OPT_TIMEOUT, &o) ||
	    want_args(&o, 1, 1, "DEVICE"))
		return -EINVAL;
	slot = o.key_slot;
	if (!o.label && !o.subsystem && !o.priority)
		return fail(-EINVAL, "nothing to change: give --label, --subsystem or --priority");
	if (o.priority && slot < 0)
		return fail(-EINVAL, "--priority needs --key-slot N");
	if (o.priority && priority_of(o.priority, &prio))
		return fail(-EINVAL, "--priority %s: not known to the format library", o.priority);
	if (o.label && strlen(o.label) >= VEIL_LABEL_SIZE)
		return fail(-EINVAL, "--label is longer than %d bytes", VEIL_LABEL_SIZE - 1);
	if (o.subsystem && strlen(o.subsystem) >= VEIL_SUBSYSTEM_SIZE)
		return fail(-EINVAL, "--subsystem is longer than %d bytes", VEIL_SUBSYSTEM_SIZE - 1);
	r = vol_open(&v, o.argv[0], o.header, VOL_WRITE);
	if (r)
		return r;
	if (o.priority) {
		if (vol_header(&v)->slots[slot].state != VEIL_SLOT_ACTIVE) {
			r = fail(-EINVAL, "%s: keyslot %d is not active", o.argv[0], slot);
			goto out;
		}
		/* Any keyslot's passphrase gives the key; --key-slot names the one to change. */
		r = vol_volume_key(&v, &o, NULL, -1, &vk);
		if (r)
			goto out;
		r = veil_keyslot_set_priority(v.vol, vk.vs, slot, prio);
		secrets_signal_point();
		if (r) {
			r = vol_fail(r, o.argv[0], "cannot set the keyslot priority");
			goto out;
		}
	}
	if (o.label || o.subsystem) {
		r = veil_set_label(v.vol, o.label, o.subsystem);
		if (r) {
			r = vol_fail(r, o.argv[0], "cannot set the label");
			goto out;
		}
	}
out:
	secret_free(&vk);
	vol_close(&v);
	return r;
}

/* veil uuid [--uuid U]: print the UUID, or set it (as luksUUID --uuid). */
int cmd_uuid(int argc, char *argv[])
{
	char uuid[VEIL_UUID_STR_LEN + 1], question[512];
	struct veil_opts o;
	struct secret vk = { 0 };
	uint8_t bin[VEIL_UUID_SIZE];
	struct vol v;
	int r;

	if (parse_options(argc, argv, OPT_HEADER | OPT_UUID | OPT_BATCH | OPT_KEY_FILE |
			  OPT_KEYFILE_OFFSET | OPT_KEYFILE_SIZE | OPT_KEY_SLOT |
			  OPT_VOLUME_KEY_FILE | OPT_TRIES | OPT_TIMEOUT, &o) ||
	    want_args(&o, 1, 1, "DEVICE"))
		return -EINVAL;
	if (o.uuid && uuid_parse(o.uuid, bin))
		return fail(-EINVAL, "--uuid %s is not a UUID", o.uuid);
	r = vol_open(&v, o.argv[0], o.header, o.uuid ? VOL_WRITE : 0);
	if (r)
		return r;
	if (!o.uuid) {
		veil_uuid_unparse(vol_header(&v)->uuid, uuid);
		printf("%s\n", uuid);
		goto out;
	}
	snprintf(question, sizeof(question),
		 "This changes the UUID of %s. A mapping open now keeps its old name in the\n"
		 "kernel; close it first. /etc/veiltab lines with UUID= must be updated.",
		 o.argv[0]);
	if (!o.batch && (r = confirm_yes(question)))
		goto out;
	r = vol_volume_key(&v, &o, NULL, o.key_slot, &vk);
	if (r)
		goto out;
	r = veil_set_uuid(v.vol, vk.vs, bin);
	secrets_signal_point();
	if (r)
		r = vol_fail(r, o.argv[0], "cannot set the UUID");
out:
	secret_free(&vk);
	vol_close(&v);
	return r;
}
