// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the table-line and DM UUID parsers (tool/mapping.c).
 * Whatever parses must survive the invariant the tool relies on: the table
 * built back from it parses again to the same mapping (the line resize and
 * resume load is the one status read).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mapping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char cipher[64], desc[200], dev[64], cipher2[64], desc2[200], dev2[64];
	struct mapping m, again;
	struct mapping_owner owner;
	char *line;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	if (!mapping_dm_uuid_parse(s, &owner)) {
		char out[MAPPING_DM_UUID_MAX];

		if (owner.plain ? mapping_plain_dm_uuid(owner.name, out, sizeof(out))
				: mapping_dm_uuid(owner.volume_uuid, owner.name, out, sizeof(out)))
			abort();
		if (strcmp(out, s))
			abort();
	}
	if (!mapping_parse(s, &m, cipher, sizeof(cipher), desc, sizeof(desc), dev, sizeof(dev)) &&
	    m.key_state == KEY_KEYRING) {
		line = mapping_params(&m);
		if (!line)
			abort();
		if (mapping_parse(line, &again, cipher2, sizeof(cipher2), desc2, sizeof(desc2), dev2,
				  sizeof(dev2)))
			abort();
		if (strcmp(cipher, cipher2) || strcmp(desc, desc2) || strcmp(dev, dev2) ||
		    m.key_bytes != again.key_bytes || m.iv_offset != again.iv_offset ||
		    m.offset != again.offset || m.sector_size != again.sector_size ||
		    m.iv_large_sectors != again.iv_large_sectors || m.flags != again.flags ||
		    m.nextra != again.nextra || strcmp(m.extra, again.extra))
			abort();
		free(line);
	}
	free(s);
	return 0;
}
