// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Secrets bound to the header: the volume-key digest (tells a right key
 * from a wrong one) and the header MAC (tells an intact header from a
 * modified one).
 */
#include "internal.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#define MAC_INFO "veil header mac v1"
#define AUTH_LEN (0xfc0u - 0x100u)

int veil_header_compute_mac(const struct veil_header *hdr,
			    const struct veil_secret *vk,
			    uint8_t mac[VEIL_MAC_SIZE])
{
	uint8_t prefix[2 + VEIL_UUID_SIZE], auth[AUTH_LEN];
	struct veil_secret *key;
	uint16_t version = htole16(hdr->version);
	int r;

	if (!vk || !vk->len)
		return veil_fail(-EINVAL, "no volume key");
	key = veil_secret_new(32);
	if (!key)
		return veil_fail(-ENOMEM, "cannot allocate secure memory");
	r = veil_hkdf_sha256(vk->data, vk->len, hdr->uuid, VEIL_UUID_SIZE,
			     MAC_INFO, key->data, key->len);
	if (!r) {
		memcpy(prefix, &version, 2);
		memcpy(prefix + 2, hdr->uuid, VEIL_UUID_SIZE);
		veil_header_auth_bytes(hdr, auth);
		r = veil_hmac_sha256(key->data, key->len, prefix, sizeof(prefix),
				     auth, sizeof(auth), mac);
	}
	veil_secret_free(key);
	return r;
}

int veil_header_verify_mac(const struct veil_header *hdr,
			   const struct veil_secret *vk)
{
	uint8_t mac[VEIL_MAC_SIZE];
	int r = veil_header_compute_mac(hdr, vk, mac);

	if (r)
		return r;
	if (CRYPTO_memcmp(mac, hdr->mac, VEIL_MAC_SIZE))
		return veil_fail(-EBADMSG, "header authentication failed: the "
				 "header was modified");
	return 0;
}

int veil_header_check_digest(const struct veil_header *hdr,
			     const struct veil_secret *vk)
{
	uint8_t d[VEIL_DIGEST_SIZE];
	int r;

	/*
	 * The digest does not depend on the header's key size, so a genuine
	 * key is recognised even if key_size was modified; the MAC check that
	 * follows then names the modification.
	 */
	if (!vk || !vk->len || vk->len > VEIL_MAX_KEY_SIZE)
		return veil_fail(-EPERM, "volume key of %zu bytes cannot be valid",
				 vk ? vk->len : 0);
	r = veil_pbkdf2_sha256(vk->data, vk->len, hdr->digest_salt,
			       VEIL_SALT_SIZE, hdr->digest_iterations, d,
			       sizeof(d));
	if (r)
		return r;
	r = CRYPTO_memcmp(d, hdr->digest, sizeof(d)) ? -EPERM : 0;
	veil_wipe(d, sizeof(d));
	if (r)
		return veil_fail(r, "volume key does not match the digest");
	return 0;
}
