// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The volume key reaches the kernel as a logon key, never in a table. It is
 * added to this thread's keyring: request_key() from the table load (and the
 * resume's "key set" message) runs in this thread and finds it there, while
 * no other process can, and it dies with the thread even if we crash. The
 * target copies the key when it is constructed, so we invalidate it as soon
 * as the ioctl returns; close still sweeps the session and user keyrings for
 * a leftover veil:<uuid> key so nothing outlives the mapping.
 */
#include <errno.h>
#include <keyutils.h>
#include <string.h>

#include "veil.h"

int keyring_add_logon(const char *desc, const void *key, size_t len, int32_t *serial)
{
	key_serial_t s = add_key("logon", desc, key, len, KEY_SPEC_THREAD_KEYRING);

	if (s < 0) {
		int r = -errno;

		err_msg("cannot add logon key %s to the kernel keyring: %s", desc, strerror(errno));
		return r == -EDQUOT ? -ENOMEM : r;
	}
	*serial = s;
	return 0;
}

void keyring_drop(int32_t serial)
{
	if (serial <= 0)
		return;
	if (keyctl_invalidate(serial)) {
		keyctl_revoke(serial);
		keyctl_unlink(serial, KEY_SPEC_THREAD_KEYRING);
	}
}

/* Remove every key named desc from the keyrings we can reach; count them. */
int keyring_drop_desc(const char *desc)
{
	static const key_serial_t rings[] = {
		KEY_SPEC_THREAD_KEYRING, KEY_SPEC_PROCESS_KEYRING,
		KEY_SPEC_SESSION_KEYRING, KEY_SPEC_USER_KEYRING,
	};
	int dropped = 0;

	for (size_t i = 0; i < sizeof(rings) / sizeof(rings[0]); i++) {
		for (int guard = 0; guard < 8; guard++) {
			long s = keyctl_search(rings[i], "logon", desc, 0);

			if (s < 0)
				break;
			if (keyctl_invalidate((key_serial_t)s)) {
				keyctl_revoke((key_serial_t)s);
				keyctl_unlink((key_serial_t)s, rings[i]);
			}
			dropped++;
		}
	}
	return dropped;
}
