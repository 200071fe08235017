/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Table keys: hex strings and logon keys from the kernel keyring. */
#ifndef _VEIL_KEYS_H
#define _VEIL_KEYS_H

#include <linux/types.h>

#include "cipher.h"

struct veil_target;

/* A key on its way into the tfm. Lives on the stack; wiped by veil_key_destroy(). */
struct veil_key {
	u8 bytes[VEIL_MAX_KEY_SIZE];
	unsigned int size;
	char *desc;		/* keyring description, or NULL for a hex key */
};

int veil_key_parse(const struct veil_cipher *cipher, char *arg,
		   struct veil_key *key, const char **error);
int veil_key_install(struct veil_target *v, struct veil_key *key, const char **error);
int veil_key_wipe(struct veil_target *v);
void veil_key_destroy(struct veil_key *key);

#endif /* _VEIL_KEYS_H */
