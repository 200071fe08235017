// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil suspend / resume: suspend stops I/O and wipes the key from the
 * target ("key wipe"); resume asks for the passphrase again, hands the key
 * over through the keyring ("key set") and lets I/O continue.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "veil.h"
#include "commands.h"

int cmd_suspend(int argc, char *argv[])
{
	struct veil_opts o;
	struct active a;
	int r;

	if (parse_options(argc, argv, 0, &o) || want_args(&o, 1, 1, "NAME"))
		return -EINVAL;
	r = active_lookup(o.argv[0], &a);
	if (r)
		return r;
	if (a.info.suspended)
		return fail(-EBUSY, "%s is already suspended", a.name);
	r = dm_suspend(a.name);
	if (r)
		return fail(r, "cannot suspend %s: %s", a.name, strerror(-r));
	r = dm_message(a.name, "key wipe");
	if (r) {
		/* A suspended device that still holds its key is the worst of both. */
		dm_resume_dev(a.name);
		return fail(r, "%s: the %s target refused 'key wipe' (%s); resumed it again",
			    a.name, a.target, strerror(-r));
	}
	return 0;
}

int cmd_resume(int argc, char *argv[])
{
	struct veil_opts o;
	struct active a;
	struct secret key = { 0 };
	char msg[256];
	int32_t serial = 0;
	int r;

	if (parse_options(argc, argv, OPT_KEY_FILE | OPT_KEYFILE_OFFSET | OPT_KEYFILE_SIZE |
			  OPT_KEY_SLOT | OPT_HEADER | OPT_TRIES | OPT_TIMEOUT | OPT_KEY_SIZE, &o) ||
	    want_args(&o, 1, 1, "NAME"))
		return -EINVAL;
	r = active_lookup(o.argv[0], &a);
	if (r)
		return r;
	if (!a.info.suspended)
		return fail(-EINVAL, "%s is not suspended", a.name);
	r = active_key(&a, &o, &key);
	if (r)
		goto out;
	r = keyring_add_logon(a.desc, key.data, key.len, &serial);
	if (r)
		goto out;
	memcpy(msg, "key set ", 8);
	if (mapping_key_ref((unsigned int)key.len, a.desc, msg + 8, sizeof(msg) - 8)) {
		r = fail(-EINVAL, "%s: key description %s does not fit a message", a.name, a.desc);
		goto out;
	}
	r = dm_message(a.name, msg);
	if (r) {
		r = fail(r, "%s: the %s target refused the key (%s)", a.name, a.target,
			 strerror(-r));
		goto out;
	}
	r = dm_resume_dev(a.name);
	if (r)
		r = fail(r, "cannot resume %s: %s", a.name, strerror(-r));
out:
	keyring_drop(serial);
	secret_free(&key);
	return r;
}
