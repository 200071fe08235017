// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Keys. A table carries either the key itself in hex, or a reference
 * ":<bytes>:logon:<description>" to a logon key in the kernel keyring, so
 * that the key never passes through a table string. Either way the bytes
 * are copied into a stack buffer, handed to the tfm with setkey, and wiped
 * right away: the target keeps no copy, so nothing can print it.
 */
#include <crypto/skcipher.h>
#include <keys/user-type.h>
#include <linux/ctype.h>
#include <linux/device-mapper.h>
#include <linux/err.h>
#include <linux/key.h>
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "keys.h"
#include "parse.h"
#include "target.h"

/* Longest keyring description we accept; the keyring's own limit is 4095. */
#define VEIL_MAX_KEY_DESC 4095

static bool veil_has_space(const char *s)
{
	for (; *s; s++)
		if (isspace(*s))
			return true;
	return false;
}

static int veil_key_check_size(const struct veil_cipher *cipher, u64 size,
			       const char **error)
{
	if (size <= VEIL_MAX_KEY_SIZE && veil_cipher_key_size_ok(cipher, size))
		return 0;
	*error = "key size is not valid for this cipher";
	DMERR("key size %llu bytes is not valid for %s", size, cipher->spec);
	return -EINVAL;
}

static int veil_key_from_keyring(const char *desc, struct veil_key *key,
				 const char **error)
{
	const struct user_key_payload *payload;
	struct key *kr_key;
	int r = 0;

	kr_key = request_key(&key_type_logon, desc, NULL);
	if (IS_ERR(kr_key)) {
		r = PTR_ERR(kr_key);
		switch (r) {
		case -ENOKEY:
			*error = "keyring key not found";
			break;
		case -EKEYREVOKED:
		case -EKEYEXPIRED:
			*error = "keyring key is revoked or expired";
			break;
		case -EACCES:
			*error = "no permission to read keyring key";
			break;
		default:
			*error = "cannot read keyring key";
			break;
		}
		DMERR("logon:%.64s: %s (%d)", desc, *error, r);
		return r;
	}

	down_read(&kr_key->sem);
	payload = user_key_payload_locked(kr_key);
	if (!payload) {
		*error = "keyring key is revoked or expired";
		r = -EKEYREVOKED;
	} else if (payload->datalen != key->size) {
		*error = "keyring key has the wrong size";
		DMERR("logon:%.64s holds %u bytes, the table says %u", desc,
		      payload->datalen, key->size);
		r = -EINVAL;
	} else {
		memcpy(key->bytes, payload->data, key->size);
	}
	up_read(&kr_key->sem);
	key_put(kr_key);
	return r;
}

/* ":<bytes>:logon:<description>"; @ref points past the leading ':'. */
static int veil_key_parse_keyring(const struct veil_cipher *cipher, const char *ref,
				  struct veil_key *key, const char **error)
{
	const char *type, *desc;
	u64 size;
	int r;

	type = strchr(ref, ':');
	if (!type || !(desc = strchr(type + 1, ':'))) {
		*error = "malformed keyring key reference (want :<bytes>:logon:<description>)";
		return -EINVAL;
	}
	type++;

	r = veil_parse_u64(ref, type - 1 - ref, &size);
	if (r) {
		*error = "invalid key size in keyring key reference";
		DMERR("invalid key size %.*s in keyring key reference: %s",
		      (int)min_t(size_t, type - 1 - ref, 32), ref, veil_parse_strerror(r));
		return -EINVAL;
	}
	if (cipher->keyless) {
		*error = "cipher_null-ecb takes no key (use -)";
		return -EINVAL;
	}
	r = veil_key_check_size(cipher, size, error);
	if (r)
		return r;
	key->size = size;

	if (desc - type != 5 || strncmp(type, "logon", 5)) {
		if ((desc - type == 4 && !strncmp(type, "user", 4)) ||
		    (desc - type == 9 && !strncmp(type, "encrypted", 9)) ||
		    (desc - type == 7 && !strncmp(type, "trusted", 7)))
			*error = "only logon keyring keys are supported";
		else
			*error = "unknown keyring key type";
		DMERR("keyring key type %.*s: %s", (int)min_t(size_t, desc - type, 32),
		      type, *error);
		return -EINVAL;
	}

	desc++;
	if (!*desc) {
		*error = "empty keyring key description";
		return -EINVAL;
	}
	if (strlen(desc) > VEIL_MAX_KEY_DESC) {
		*error = "keyring key description too long";
		return -EINVAL;
	}
	/* Status could not print it back as one argument. */
	if (veil_has_space(desc)) {
		*error = "whitespace in keyring key description";
		return -EINVAL;
	}

	r = veil_key_from_keyring(desc, key, error);
	if (r)
		return r;

	key->desc = kstrdup(desc, GFP_KERNEL);
	if (!key->desc) {
		*error = "cannot allocate keyring key description";
		return -ENOMEM;
	}
	return 0;
}

static int veil_key_parse_hex(const struct veil_cipher *cipher, const char *hex,
			      struct veil_key *key, const char **error)
{
	size_t len = strlen(hex);
	int r;

	if (len & 1) {
		*error = "hex key has an odd number of digits";
		return -EINVAL;
	}
	r = veil_key_check_size(cipher, len / 2, error);
	if (r)
		return r;
	if (hex2bin(key->bytes, hex, len / 2)) {
		*error = "key is not valid hex";
		return -EINVAL;
	}
	key->size = len / 2;
	return 0;
}

/*
 * Parse a table or message key argument into @key and wipe the argument
 * string: the table text stays in dm's buffers until they are freed.
 */
int veil_key_parse(const struct veil_cipher *cipher, char *arg,
		   struct veil_key *key, const char **error)
{
	size_t arg_len = strlen(arg);
	int r;

	memset(key, 0, sizeof(*key));

	if (!strcmp(arg, "-")) {
		if (cipher->keyless)
			return 0;
		*error = "a key is required for this cipher";
		return -EINVAL;
	}

	if (arg[0] == ':')
		r = veil_key_parse_keyring(cipher, arg + 1, key, error);
	else if (cipher->keyless) {
		*error = "cipher_null-ecb takes no key (use -)";
		r = -EINVAL;
	} else
		r = veil_key_parse_hex(cipher, arg, key, error);

	/* A keyring reference is not secret and status shows it; a hex key is. */
	if (arg[0] != ':')
		memzero_explicit(arg, arg_len);
	if (r)
		veil_key_destroy(key);
	return r;
}

void veil_key_destroy(struct veil_key *key)
{
	memzero_explicit(key->bytes, sizeof(key->bytes));
	kfree(key->desc);
	key->desc = NULL;
	key->size = 0;
}

/* Hand @key to the tfm. @key is wiped whatever happens; its desc moves to @v. */
int veil_key_install(struct veil_target *v, struct veil_key *key, const char **error)
{
	char *old_desc;
	int r;

	clear_bit(VEIL_KEY_VALID, &v->flags);

	r = crypto_skcipher_setkey(v->tfm, key->bytes, key->size);
	memzero_explicit(key->bytes, sizeof(key->bytes));
	if (r) {
		*error = "the cipher rejected the key";
		veil_key_destroy(key);
		return r;
	}

	mutex_lock(&v->key_lock);
	old_desc = v->key_desc;
	v->key_desc = key->desc;
	mutex_unlock(&v->key_lock);
	key->desc = NULL;
	kfree(old_desc);

	set_bit(VEIL_KEY_VALID, &v->flags);
	return 0;
}

/*
 * Replace the key in the tfm by random bytes, so the expanded key schedule
 * no longer holds the user's key, and forget the keyring reference.
 */
int veil_key_wipe(struct veil_target *v)
{
	u8 junk[VEIL_MAX_KEY_SIZE];
	char *old_desc;
	int r;

	clear_bit(VEIL_KEY_VALID, &v->flags);

	get_random_bytes(junk, v->key_size);
	r = crypto_skcipher_setkey(v->tfm, junk, v->key_size);
	memzero_explicit(junk, sizeof(junk));

	mutex_lock(&v->key_lock);
	old_desc = v->key_desc;
	v->key_desc = NULL;
	mutex_unlock(&v->key_lock);
	kfree(old_desc);

	return r;
}
