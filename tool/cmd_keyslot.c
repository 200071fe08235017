// SPDX-License-Identifier: GPL-2.0-or-later
/* veil keyslot: dispatch to add, remove, change, kill and list. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "veil.h"
#include "commands.h"
#include "keyslot.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[]);
} ops[] = {
	{ "add", keyslot_add },
	{ "remove", keyslot_remove },
	{ "change", keyslot_change },
	{ "kill", keyslot_kill },
	{ "list", keyslot_list },
};

int cmd_keyslot(int argc, char *argv[])
{
	if (argc < 2) {
		err_msg("missing operation: add, remove, change, kill or list");
		usage_of("keyslot");
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		static char cmd[32];

		if (strcmp(argv[1], ops[i].name))
			continue;
		snprintf(cmd, sizeof(cmd), "keyslot %s", ops[i].name);
		prog_cmd = cmd;
		return ops[i].fn(argc - 1, argv + 1);
	}
	err_msg("unknown operation '%s': add, remove, change, kill or list", argv[1]);
	usage_of("keyslot");
	return -EINVAL;
}

int keyslot_list(int argc, char *argv[])
{
	struct veil_keyslot_info info[VEIL_MAX_KEYSLOTS];
	struct veil_opts o;
	struct vol v;
	int n, r;

	if (parse_options(argc, argv, OPT_HEADER | OPT_JSON, &o) || want_args(&o, 1, 1, "DEVICE"))
		return -EINVAL;
	r = vol_open(&v, o.argv[0], o.header, 0);
	if (r)
		return r;
	n = veil_keyslot_list(v.vol, info);
	if (n < 0) {
		r = vol_fail(n, o.argv[0], "cannot list keyslots");
		goto out;
	}
	if (o.json)
		printf("[");
	else
		printf("SLOT  PRIORITY  KDF       TIME  MEMORY(KiB)  THREADS  STRIPES\n");
	for (int i = 0, first = 1; i < VEIL_MAX_KEYSLOTS; i++) {
		const struct veil_keyslot_info *k = &info[i];

		if (k->state != VEIL_SLOT_ACTIVE)
			continue;
		if (o.json) {
			printf("%s{\"slot\":%d,\"priority\":\"%s\",\"kdf\":\"%s\",\"time\":%u,"
			       "\"memory\":%u,\"threads\":%u,\"stripes\":%u,\"area_offset\":%"
			       PRIu64 ",\"area_size\":%" PRIu64 "%s}", first ? "" : ",", k->slot,
			       veil_keyslot_priority_name(k->priority), veil_kdf_name(k->kdf.type),
			       k->kdf.time, k->kdf.memory_kib, k->kdf.parallel, k->stripes,
			       k->area_offset, k->area_size,
			       k->destroyed ? ",\"destroyed\":true" : "");
			first = 0;
		} else {
			printf("%-4d  %-8s  %-8s  %4u  %11u  %7u  %7u%s\n", k->slot,
			       veil_keyslot_priority_name(k->priority), veil_kdf_name(k->kdf.type),
			       k->kdf.time, k->kdf.memory_kib, k->kdf.parallel, k->stripes,
			       k->destroyed ? "  destroyed (killed without the key; dropped at "
			       "the next keyslot change)" : "");
		}
	}
	if (o.json)
		printf("]\n");
out:
	vol_close(&v);
	return r;
}

/* Slots that can still unlock (active, not destroyed); the caller guards
 * the last one. */
int keyslot_active_count(const struct vol *v)
{
	struct veil_keyslot_info info[VEIL_MAX_KEYSLOTS];
	int n = veil_keyslot_list(v->vol, info);

	for (int i = 0; n > 0 && i < VEIL_MAX_KEYSLOTS; i++)
		if (info[i].state == VEIL_SLOT_ACTIVE && info[i].destroyed)
			n--;
	return n < 0 ? 0 : n;
}

/* The last keyslot goes only after YES (or --batch). */
int confirm_last_slot(const struct veil_opts *o, const struct vol *v, int slot)
{
	char question[512];

	if (keyslot_active_count(v) > 1 || o->batch)
		return 0;
	snprintf(question, sizeof(question),
		 "Keyslot %d is the last keyslot of %s.\n"
		 "Without it the volume key, and all data, are lost for good.", slot, v->device);
	return confirm_yes(question);
}
