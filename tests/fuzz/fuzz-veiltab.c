// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the veiltab parser: any bytes, with and without a
 * warn callback. Every returned entry is checked against the parser's
 * promises (name, device, key fields), so a wrong acceptance is a crash too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "veiltab.h"

static void warn(void *ctx, unsigned int line, bool severe, const char *msg)
{
	(void)severe;
	if (!line || !*msg)
		abort();
	++*(unsigned int *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct veiltab t;
	unsigned int warned = 0;
	int bad = veiltab_parse((const char *)data, size, &t, warn, &warned);

	if (bad < 0)
		return 0;
	if ((unsigned int)bad > warned)
		abort();	/* every skipped line was reported */
	for (size_t i = 0; i < t.n; i++) {
		const struct veiltab_entry *e = &t.entries[i];
		const char *v;

		if (!e->name || !*e->name || strchr(e->name, '/') || strlen(e->name) > VEILTAB_NAME_MAX)
			abort();
		if (!e->device || (e->device[0] != '/' && !veiltab_spec_tag(e->device, &v)))
			abort();
		if ((e->key == VT_KEY_FILE || e->key == VT_KEY_DEVICE_FILE) &&
		    (!e->keyfile || e->keyfile[0] != '/'))
			abort();
		if ((e->key == VT_KEY_DEVICE_FILE) != (e->keydev != NULL))
			abort();
		if ((e->flags & (VT_SWAP | VT_TMP)) && e->key != VT_KEY_RANDOM)
			abort();
		if ((e->flags & VT_TMP) && !e->tmp_fstype)
			abort();
		if (veiltab_find(&t, e->name) != e)
			abort();	/* names are unique */
	}
	veiltab_free(&t);
	return 0;
}
