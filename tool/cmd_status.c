// SPDX-License-Identifier: GPL-2.0-or-later
/* veil status: what an open mapping is, read back from device-mapper. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "veil.h"
#include "commands.h"

static void print_text(const struct active *s)
{
	printf("/dev/mapper/%s is active%s%s.\n", s->name,
	       s->info.open_count ? " and is in use" : "",
	       s->info.suspended ? " (suspended)" : "");
	printf("  type:         %s\n", s->plain ? "plain" : "veil");
	printf("  target:       %s\n", s->target);
	printf("  cipher:       %s\n", s->cipher);
	if (s->m.key_bytes)
		printf("  keysize:      %u bits\n", s->m.key_bytes * 8);
	else
		printf("  keysize:      (unknown while the key is wiped)\n");
	printf("  key location: %s\n", s->m.key_state == KEY_WIPED ? "wiped (suspended)" : "keyring");
	printf("  sector size:  %u\n", s->m.sector_size);
	printf("  device:       %s\n", s->dev);
	if (*s->backing)
		printf("  loop:         %s\n", s->backing);
	printf("  offset:       %" PRIu64 " sectors\n", s->m.offset);
	printf("  iv offset:    %" PRIu64 " sectors\n", s->m.iv_offset);
	printf("  size:         %" PRIu64 " sectors\n", s->len);
	printf("  mode:         %s\n", s->info.readonly ? "readonly" : "read/write");
	printf("  flags:       ");
	for (size_t i = 0; i < mapping_nflags; i++)
		if (s->m.flags & mapping_flags[i].header_flag)
			printf(" %s", mapping_flags[i].status);
	if (s->m.iv_large_sectors)
		printf(" iv_large_sectors");
	if (!s->m.flags && !s->m.iv_large_sectors)
		printf(" (none)");
	printf("\n");
	if (*s->uuid)
		printf("  uuid:         %s\n", s->uuid);
}

static void print_json(const struct active *s)
{
	int n = 0;

	printf("{\"name\":");
	json_str(stdout, s->name);
	printf(",\"active\":true,\"suspended\":%s,\"in_use\":%s,\"open_count\":%d,",
	       s->info.suspended ? "true" : "false", s->info.open_count ? "true" : "false",
	       s->info.open_count);
	printf("\"type\":\"%s\",\"target\":", s->plain ? "plain" : "veil");
	json_str(stdout, s->target);
	printf(",\"cipher\":");
	json_str(stdout, s->cipher);
	printf(",\"key_size\":%u,\"key_location\":\"%s\",\"sector_size\":%u,\"device\":",
	       s->m.key_bytes * 8, s->m.key_state == KEY_WIPED ? "wiped" : "keyring",
	       s->m.sector_size);
	json_str(stdout, s->dev);
	if (*s->backing) {
		printf(",\"loop_backing_file\":");
		json_str(stdout, s->backing);
	}
	printf(",\"offset\":%" PRIu64 ",\"iv_offset\":%" PRIu64 ",\"size\":%" PRIu64 ","
	       "\"mode\":\"%s\",\"flags\":[",
	       s->m.offset, s->m.iv_offset, s->len, s->info.readonly ? "readonly" : "read-write");
	for (size_t i = 0; i < mapping_nflags; i++)
		if (s->m.flags & mapping_flags[i].header_flag)
			printf("%s\"%s\"", n++ ? "," : "", mapping_flags[i].table);
	if (s->m.iv_large_sectors)
		printf("%s\"iv_large_sectors\"", n ? "," : "");
	printf("]");
	if (*s->uuid) {
		printf(",\"uuid\":");
		json_str(stdout, s->uuid);
	}
	printf("}\n");
}

int cmd_status(int argc, char *argv[])
{
	struct veil_opts o;
	struct active a;
	struct dm_info_lite info;
	int r;

	if (parse_options(argc, argv, OPT_JSON, &o) || want_args(&o, 1, 1, "NAME"))
		return -EINVAL;
	if (dm_available() && dm_query(o.argv[0], &info)) {
		if (o.json) {
			printf("{\"name\":");
			json_str(stdout, o.argv[0]);
			printf(",\"active\":false}\n");
		}
		else
			printf("/dev/mapper/%s is inactive.\n", o.argv[0]);
		return -ENODEV;
	}
	r = active_lookup(o.argv[0], &a);
	if (r)
		return r;
	if (o.json)
		print_json(&a);
	else
		print_text(&a);
	return 0;
}
