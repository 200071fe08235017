// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Prints the test vectors of SPEC.md section 12 (`make format-specvec`).
 * Every input is fixed, so the output never changes unless the format does.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static void hex(const char *name, const uint8_t *p, size_t len)
{
	size_t i;

	printf("%s = ", name);
	for (i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static void seq(uint8_t *p, size_t len, uint8_t start)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(start + i);
}

int main(void)
{
	uint8_t vk[64], salt[32], out[64], mat[3 * 32], key[32], copy[4096];
	uint8_t mac[32], mkey[32], xin[512], xout[512];
	struct veil_secret *svk;
	struct veil_header h;
	size_t i;

	seq(vk, sizeof(vk), 0x00);
	seq(salt, sizeof(salt), 0xa0);
	hex("volume_key", vk, 64);
	hex("salt", salt, 32);

	printf("\n# V1 digest: PBKDF2-SHA256(volume_key, salt, 1000, 32)\n");
	veil_pbkdf2_sha256(vk, 64, salt, 32, 1000, out, 32);
	hex("digest", out, 32);

	printf("\n# V2 KEK, argon2id t=1 m=64 KiB p=1, passphrase \"veil\"\n");
	veil_argon2id("veil", 4, salt, 32, NULL, 0, NULL, 0, 1, 64, 1, out, 64);
	hex("kek_argon2id", out, 64);
	printf("\n# V3 KEK, pbkdf2-sha256 1000 iterations, passphrase \"veil\"\n");
	veil_pbkdf2_sha256("veil", 4, salt, 32, 1000, out, 64);
	hex("kek_pbkdf2", out, 64);

	printf("\n# V4 AF merge, key_size 32, stripes 3, material = 00 01 .. 5f\n");
	seq(mat, sizeof(mat), 0x00);
	veil_af_merge(mat, 32, 3, key);
	hex("key", key, 32);

	printf("\n# V5 keyslot area XTS: key = kek_pbkdf2, unit 512, units 0..0,"
	       " plaintext = 512 bytes 00 01 .. ff 00 01 .. ff\n");
	for (i = 0; i < 512; i++)
		xin[i] = (uint8_t)i;
	veil_xts_crypt(true, out, 64, 512, 0, xin, xout, 512);
	hex("ciphertext_first_32", xout, 32);
	hex("ciphertext_last_32", xout + 480, 32);

	printf("\n# V6 MAC key: HKDF-SHA256(ikm=volume_key, salt=uuid,"
	       " info=\"veil header mac v1\", 32)\n");
	memset(&h, 0, sizeof(h));
	seq(h.uuid, 16, 0x10);
	hex("uuid", h.uuid, 16);
	veil_hkdf_sha256(vk, 64, h.uuid, 16, "veil header mac v1", mkey, 32);
	hex("mac_key", mkey, 32);

	printf("\n# V7 example header copy 0 (no keyslot area content needed)\n");
	h.version = 1;
	h.seqid = 7;
	strcpy(h.label, "example");
	strcpy(h.subsystem, "test");
	h.flags = VEIL_FLAG_ALLOW_DISCARDS;
	h.metadata_size = 16u << 20;
	h.keyslots_offset = 32768;
	h.keyslots_size = h.metadata_size - 32768;
	strcpy(h.segment.cipher, "aes-xts-plain64");
	h.segment.key_size = 64;
	h.segment.sector_size = 4096;
	h.segment.dynamic_size = true;
	h.segment.data_offset = 16u << 20;
	h.digest_iterations = 1000;
	memcpy(h.digest_salt, salt, 32);
	veil_pbkdf2_sha256(vk, 64, salt, 32, 1000, h.digest, 32);
	h.slots[0].state = VEIL_SLOT_ACTIVE;
	h.slots[0].priority = VEIL_PRIO_NORMAL;
	h.slots[0].kdf.type = VEIL_KDF_ARGON2ID;
	h.slots[0].kdf.time = 4;
	h.slots[0].kdf.memory_kib = 1048576;
	h.slots[0].kdf.parallel = 4;
	h.slots[0].area_cipher = 1;
	h.slots[0].kek_size = 64;
	h.slots[0].stripes = 4000;
	h.slots[0].key_size = 64;
	seq(h.slots[0].salt, 32, 0xc0);
	h.slots[0].area.offset = 32768;
	h.slots[0].area.size = 258048;
	svk = veil_secret_dup(vk, 64);
	veil_header_compute_mac(&h, svk, h.mac);
	veil_secret_free(svk);
	if (veil_header_encode(&h, 0, copy)) {
		printf("encode failed: %s\n", veil_error_detail());
		return 1;
	}
	for (i = 0; i < 4096; i += 32) {
		size_t j;
		bool nz = false;

		for (j = 0; j < 32; j++)
			nz |= copy[i + j] != 0;
		if (!nz)
			continue;
		printf("%04zx:", i);
		for (j = 0; j < 32; j++)
			printf("%s%02x", j % 8 ? "" : " ", copy[i + j]);
		printf("\n");
	}
	printf("(all other bytes are zero)\n");
	memcpy(mac, copy + 0xfc0, 32);
	hex("mac", mac, 32);
	hex("checksum", copy + 0xfe0, 32);
	return 0;
}
