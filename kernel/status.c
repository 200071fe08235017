// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Status and messages.
 *
 * INFO   read_ios=N read_bytes=N write_ios=N write_bytes=N errors=N key=valid|none
 *        [insecure=cipher_null]
 * TABLE  the constructor's arguments as accepted; the key is "-" unless it
 *        is a keyring reference, so no key bytes ever leave the kernel.
 * IMA    cipher, key size and source, and every flag.
 *
 * Messages: "key wipe" and "key set <key>", only while suspended.
 */
#include <linux/device-mapper.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include "cipher.h"
#include "keys.h"
#include "status.h"
#include "target.h"

/*
 * The counters summed over every CPU. Each CPU's share is read consistently
 * (on 32-bit, under its seqcount); the sum is a snapshot like any counter
 * read while I/O runs.
 */
static void veil_stats_sum(struct veil_target *v, u64 sum[VEIL_STAT_COUNT])
{
	int cpu, i;

	memset(sum, 0, VEIL_STAT_COUNT * sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct veil_stats *s = per_cpu_ptr(v->stats, cpu);
		u64 one[VEIL_STAT_COUNT];
		unsigned int seq;

		do {
			seq = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < VEIL_STAT_COUNT; i++)
				one[i] = u64_stats_read(&s->count[i]);
		} while (u64_stats_fetch_retry(&s->syncp, seq));
		for (i = 0; i < VEIL_STAT_COUNT; i++)
			sum[i] += one[i];
	}
}

static void veil_status_info(struct veil_target *v, char *result, unsigned int maxlen)
{
	u64 sum[VEIL_STAT_COUNT];
	unsigned int sz = 0;

	veil_stats_sum(v, sum);
	DMEMIT("read_ios=%llu read_bytes=%llu write_ios=%llu write_bytes=%llu errors=%llu key=%s",
	       sum[VEIL_STAT_READ_IOS], sum[VEIL_STAT_READ_BYTES],
	       sum[VEIL_STAT_WRITE_IOS], sum[VEIL_STAT_WRITE_BYTES],
	       sum[VEIL_STAT_ERRORS],
	       test_bit(VEIL_KEY_VALID, &v->flags) ? "valid" : "none");
	if (v->cipher->insecure)
		DMEMIT(" insecure=cipher_null");
}

static void veil_status_table(struct veil_target *v, char *result, unsigned int maxlen)
{
	unsigned int sz = 0;
	unsigned int i;

	DMEMIT("%s ", v->cipher->spec);
	mutex_lock(&v->key_lock);
	if (v->key_desc)
		DMEMIT(":%u:logon:%s", v->key_size, v->key_desc);
	else
		DMEMIT("-");
	mutex_unlock(&v->key_lock);
	DMEMIT(" %llu %s %llu", v->iv_offset, v->dev->name, (unsigned long long)v->start);

	if (!v->opt_count_given)
		return;
	DMEMIT(" %u", v->nr_opts);
	for (i = 0; i < v->nr_opts; i++) {
		switch (v->opt_order[i]) {
		case VEIL_OPT_SECTOR_SIZE:
			DMEMIT(" sector_size:%u", v->sector_size);
			break;
		case VEIL_OPT_IV_LARGE_SECTORS:
			DMEMIT(" iv_large_sectors");
			break;
		case VEIL_OPT_ALLOW_DISCARDS:
			DMEMIT(" allow_discards");
			break;
		case VEIL_OPT_NO_INLINE:
			DMEMIT(" no_inline");
			break;
		}
	}
}

static void veil_status_ima(struct dm_target *ti, struct veil_target *v,
			    char *result, unsigned int maxlen)
{
	unsigned int sz = 0;
	const char *key_source;

	mutex_lock(&v->key_lock);
	if (!test_bit(VEIL_KEY_VALID, &v->flags))
		key_source = "none";
	else if (v->key_desc)
		key_source = "keyring";
	else
		key_source = v->cipher->keyless ? "none" : "hex";
	mutex_unlock(&v->key_lock);

	DMEMIT_TARGET_NAME_VERSION(ti->type);
	DMEMIT(",cipher=%s,key_size=%u,key_source=%s,sector_size=%u",
	       v->cipher->spec, v->key_size, key_source, v->sector_size);
	DMEMIT(",iv_large_sectors=%c,allow_discards=%c,insecure=%c;",
	       v->iv_large_sectors ? 'y' : 'n', v->allow_discards ? 'y' : 'n',
	       v->cipher->insecure ? 'y' : 'n');
}

void veil_status(struct dm_target *ti, status_type_t type, unsigned int status_flags,
		 char *result, unsigned int maxlen)
{
	struct veil_target *v = ti->private;

	switch (type) {
	case STATUSTYPE_INFO:
		veil_status_info(v, result, maxlen);
		break;
	case STATUSTYPE_TABLE:
		veil_status_table(v, result, maxlen);
		break;
	case STATUSTYPE_IMA:
		veil_status_ima(ti, v, result, maxlen);
		break;
	}
}

static int veil_message_key_set(struct veil_target *v, char *arg)
{
	struct veil_key key;
	const char *error = NULL;
	int r;

	r = veil_key_parse(v->cipher, arg, &key, &error);
	if (!r && key.size != v->key_size) {
		error = "key set: the key size must not change";
		DMWARN("key set: key has %u bytes, the table has %u", key.size, v->key_size);
		veil_key_destroy(&key);
		r = -EINVAL;
	}
	if (!r)
		r = veil_key_install(v, &key, &error);
	if (r)
		DMWARN("key set refused: %s", error);
	return r;
}

/* "key set <key>" or "key wipe", with the device suspended throughout. */
static int veil_message_key(struct veil_target *v, bool set, char *arg)
{
	int r;

	mutex_lock(&v->suspend_lock);
	if (!test_bit(VEIL_SUSPENDED, &v->flags)) {
		if (set && arg[0] != ':')
			memzero_explicit(arg, strlen(arg));
		DMWARN("key %s refused: the device is not suspended", set ? "set" : "wipe");
		r = -EBUSY;
	} else if (set) {
		r = veil_message_key_set(v, arg);
	} else {
		r = veil_key_wipe(v);
	}
	mutex_unlock(&v->suspend_lock);
	return r;
}

int veil_message(struct dm_target *ti, unsigned int argc, char **argv,
		 char *result, unsigned int maxlen)
{
	struct veil_target *v = ti->private;

	if (argc >= 1 && !strcasecmp(argv[0], "key")) {
		if (argc == 3 && !strcasecmp(argv[1], "set"))
			return veil_message_key(v, true, argv[2]);
		if (argc == 2 && !strcasecmp(argv[1], "wipe"))
			return veil_message_key(v, false, NULL);
	}

	/* A mistyped "key set" must not echo its key into the log. */
	DMWARN("unrecognised message (want \"key set <key>\" or \"key wipe\")");
	for (; argc; argc--, argv++)
		memzero_explicit(argv[0], strlen(argv[0]));
	return -EINVAL;
}
