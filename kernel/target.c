// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dm-veil: the "veil" device-mapper target. Module entry points, the
 * target's registration, the constructor and destructor, and the
 * suspend/resume hooks. The data path is in io.c and convert.c.
 */
#include <crypto/skcipher.h>
#include <linux/blkdev.h>
#include <linux/device-mapper.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "cipher.h"
#include "io.h"
#include "keys.h"
#include "parse.h"
#include "selftest.h"
#include "status.h"
#include "target.h"

#define VEIL_MIN_SECTOR_SIZE 512
#define VEIL_MAX_SECTOR_SIZE 4096

/* A hex key must not stay in dm's copy of the table, whatever failed. */
static void veil_wipe_key_arg(char *arg)
{
	if (arg[0] != ':')
		memzero_explicit(arg, strlen(arg));
}

/* A 512-byte sector count: iv_offset or the device offset. */
static int veil_parse_sector_arg(const char *arg, const char *what, u64 *out,
				 const char *msg, const char **error)
{
	int r = veil_parse_u64(arg, strlen(arg), out);

	if (r) {
		*error = msg;
		DMERR("invalid %s %.32s: %s", what, arg, veil_parse_strerror(r));
		return -EINVAL;
	}
	return 0;
}

static int veil_parse_sector_size(struct veil_target *v, const char *value,
				  const char **error)
{
	u64 size;

	if (veil_parse_u64(value, strlen(value), &size) ||
	    size < VEIL_MIN_SECTOR_SIZE || size > VEIL_MAX_SECTOR_SIZE ||
	    !is_power_of_2(size)) {
		*error = "invalid sector_size (want 512, 1024, 2048 or 4096)";
		DMERR("invalid sector_size %.32s", value);
		return -EINVAL;
	}
	v->sector_size = size;
	v->sector_shift = __ffs(v->sector_size) - SECTOR_SHIFT;
	return 0;
}

/*
 * [<#opt_params> <opt>...]: the count must match what follows exactly.
 * Pure: fills @v from the arguments only (selftest.c checks it).
 */
int veil_parse_options(struct veil_target *v, unsigned int argc, char **argv,
			      const char **error)
{
	unsigned long seen = 0;
	u64 count;
	unsigned int i;

	if (!argc)
		return 0;

	if (veil_parse_u64(argv[0], strlen(argv[0]), &count)) {
		*error = "invalid optional argument count";
		DMERR("invalid optional argument count %.32s", argv[0]);
		return -EINVAL;
	}
	if (count > argc - 1) {
		*error = "fewer optional arguments than their count";
		DMERR("optional argument count %llu, but %u given", count, argc - 1);
		return -EINVAL;
	}
	if (count < argc - 1) {
		*error = "too many arguments";
		DMERR("too many arguments: %u after %llu optional ones",
		      argc - 1 - (unsigned int)count, count);
		return -EINVAL;
	}
	if (count > VEIL_OPT_COUNT) {
		*error = "too many optional arguments";
		return -EINVAL;
	}

	v->opt_count_given = true;
	for (i = 0; i < count; i++) {
		const char *opt = argv[1 + i];
		enum veil_option id;

		/*
		 * dm-crypt's spelling rules: flag names in any case
		 * (strcasecmp), "sector_size:" exactly (its sscanf).
		 */
		if (!strncmp(opt, "sector_size:", 12)) {
			id = VEIL_OPT_SECTOR_SIZE;
		} else if (!strcasecmp(opt, "iv_large_sectors")) {
			id = VEIL_OPT_IV_LARGE_SECTORS;
		} else if (!strcasecmp(opt, "allow_discards")) {
			id = VEIL_OPT_ALLOW_DISCARDS;
		} else if (!strcasecmp(opt, "no_inline")) {
			id = VEIL_OPT_NO_INLINE;
		} else {
			*error = "unknown optional argument";
			DMERR("unknown optional argument %.64s", opt);
			return -EINVAL;
		}

		if (test_and_set_bit(id, &seen)) {
			*error = "duplicate optional argument";
			DMERR("duplicate optional argument %.64s", opt);
			return -EINVAL;
		}

		switch (id) {
		case VEIL_OPT_SECTOR_SIZE:
			if (veil_parse_sector_size(v, opt + 12, error))
				return -EINVAL;
			break;
		case VEIL_OPT_IV_LARGE_SECTORS:
			v->iv_large_sectors = true;
			break;
		case VEIL_OPT_ALLOW_DISCARDS:
			v->allow_discards = true;
			break;
		case VEIL_OPT_NO_INLINE:
			v->no_inline = true;
			break;
		case VEIL_OPT_COUNT:
			break;
		}
		v->opt_order[v->nr_opts++] = id;
	}
	return 0;
}

/* Everything that depends on sector_size, once the options are known. */
static int veil_check_geometry(struct dm_target *ti, struct veil_target *v,
			       const char **error)
{
	sector_t unit_mask = (v->sector_size >> SECTOR_SHIFT) - 1;

	if (v->iv_offset & unit_mask) {
		*error = "iv_offset is not a multiple of sector_size";
		DMERR("iv_offset %llu is not a multiple of sector_size %u",
		      v->iv_offset, v->sector_size);
		return -EINVAL;
	}
	if (ti->len & unit_mask) {
		*error = "length is not a multiple of sector_size";
		DMERR("length %llu is not a multiple of sector_size %u",
		      (unsigned long long)ti->len, v->sector_size);
		return -EINVAL;
	}
	if (ti->begin & unit_mask) {
		*error = "target start is not a multiple of sector_size";
		DMERR("target start %llu is not a multiple of sector_size %u",
		      (unsigned long long)ti->begin, v->sector_size);
		return -EINVAL;
	}
	/*
	 * Fits on no device of any size; dm core would let it through on a
	 * zero-size one, and the remapped sectors would wrap once it grew.
	 */
	if (v->start > U64_MAX - ti->len) {
		*error = "offset + length is past the end of any device";
		DMERR("offset %llu + length %llu is past 2^64 sectors",
		      (unsigned long long)v->start, (unsigned long long)ti->len);
		return -EINVAL;
	}
	return 0;
}

/*
 * No size check here, as in dm-crypt: device-mapper checks that offset and
 * length fit on the device (for a new device's first table at load, for a
 * reload at resume) and accepts a device of size zero. A reload may come
 * before its device has grown (an array still assembling, a loop device
 * about to be resized) and be resumed once it has.
 */
static int veil_open_device(struct dm_target *ti, struct veil_target *v,
			    const char *path, const char **error)
{
	int r;

	r = dm_get_device(ti, path, dm_table_get_mode(ti->table), &v->dev);
	if (r) {
		*error = "cannot open device";
		DMERR("cannot open device %.64s (%d)", path, r);
		return r;
	}
	return 0;
}

static void veil_dtr(struct dm_target *ti)
{
	struct veil_target *v = ti->private;

	ti->private = NULL;
	if (!v)
		return;

	veil_io_exit(v);
	/* Frees the tfm with kfree_sensitive(): the key schedule goes too. */
	if (v->tfm)
		crypto_free_skcipher(v->tfm);
	if (v->dev)
		dm_put_device(ti, v->dev);
	kfree(v->key_desc);
	mutex_destroy(&v->page_alloc_lock);
	mutex_destroy(&v->suspend_lock);
	mutex_destroy(&v->key_lock);
	kfree_sensitive(v);
}

/*
 * Construct a veil mapping:
 *
 *   <cipher> <key> <iv_offset> <device> <offset> [<#opt_params> <opt>...]
 *
 * <cipher>     aes-xts-plain64 | aes-xts-plain | aes-cbc-essiv:sha256 |
 *              xchacha12,aes-adiantum-plain64 | cipher_null-ecb
 *              (cipher_null-ecb does not encrypt: tests and benchmarks only)
 * <key>        hex digits, whose count sets the key size (XTS: 32, 48 or
 *              64 bytes; CBC-ESSIV: 16, 24 or 32; adiantum: 32), or
 *              :<bytes>:logon:<description> naming a logon key in the
 *              kernel keyring, or "-" for cipher_null-ecb.
 * <iv_offset>  added to the sector number in every IV; 512-byte sectors,
 *              a multiple of sector_size.
 * <device>     the backing device, path or major:minor.
 * <offset>     where the data starts on <device>; 512-byte sectors.
 *              Whether offset and length fit is dm core's check.
 * <opt>        sector_size:<512|1024|2048|4096>  encryption unit, and the
 *                  logical block size of the mapped device
 *              iv_large_sectors  count IV sectors in sector_size units
 *                  instead of 512-byte sectors
 *              allow_discards  pass discards to <device>
 *              no_inline  convert every bio in the workers, never where it
 *                  is submitted or completed: dm-crypt's default
 *
 * Numbers are plain decimal: no sign, no leading zeros, no trailing junk.
 * Option names in any case, as in dm-crypt. Each option at most once; <#opt_params> must equal the number of
 * options that follow. The semantics are dm-crypt's, and so is the
 * ciphertext for the same parameters.
 *
 * Every failure sets a specific ti->error (details go to the kernel log,
 * never key material) and unwinds through veil_dtr(), which copes with a
 * half-built target.
 */
static int veil_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct veil_target *v = NULL;
	struct veil_key key = {};
	const char *error = "cannot construct target";
	int r;

	if (argc < 5) {
		error = "not enough arguments";
		r = -EINVAL;
		goto bad;
	}

	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v) {
		error = "cannot allocate target context";
		r = -ENOMEM;
		goto bad;
	}
	mutex_init(&v->key_lock);
	mutex_init(&v->suspend_lock);
	mutex_init(&v->page_alloc_lock);
	v->sector_size = VEIL_MIN_SECTOR_SIZE;
	ti->private = v;

	v->cipher = veil_cipher_lookup(argv[0], &error);
	if (!v->cipher) {
		r = -EINVAL;
		goto bad;
	}

	r = veil_key_parse(v->cipher, argv[1], &key, &error);
	if (r)
		goto bad;
	v->key_size = key.size;

	r = veil_parse_sector_arg(argv[2], "iv_offset", &v->iv_offset,
				  "invalid iv_offset", &error);
	if (r)
		goto bad;

	BUILD_BUG_ON(sizeof(sector_t) != sizeof(u64));
	r = veil_parse_sector_arg(argv[4], "offset", &v->start,
				  "invalid device offset", &error);
	if (r)
		goto bad;

	r = veil_parse_options(v, argc - 5, argv + 5, &error);
	if (r)
		goto bad;

	r = veil_check_geometry(ti, v, &error);
	if (r)
		goto bad;

	r = veil_open_device(ti, v, argv[3], &error);
	if (r)
		goto bad;

	v->tfm = veil_cipher_alloc_tfm(v->cipher);
	if (IS_ERR(v->tfm)) {
		r = PTR_ERR(v->tfm);
		v->tfm = NULL;
		error = "cannot allocate the cipher";
		DMERR("cannot allocate %s (%d)", v->cipher->crypto_name, r);
		goto bad;
	}
	v->iv_size = crypto_skcipher_ivsize(v->tfm);

	r = veil_key_install(v, &key, &error);
	if (r)
		goto bad;

	r = veil_io_init(ti, v, &error);
	if (r)
		goto bad;

	if (v->cipher->insecure)
		DMWARN("%s: cipher_null-ecb does not encrypt: for tests and benchmarks only",
		       dm_table_device_name(ti->table));
	return 0;

bad:
	if (argc >= 2)
		veil_wipe_key_arg(argv[1]);
	veil_key_destroy(&key);
	/* dm declares it char * but only prints it. */
	ti->error = (char *)error;
	veil_dtr(ti);
	return r;
}

static void veil_postsuspend(struct dm_target *ti)
{
	struct veil_target *v = ti->private;

	mutex_lock(&v->suspend_lock);
	set_bit(VEIL_SUSPENDED, &v->flags);
	mutex_unlock(&v->suspend_lock);
}

/*
 * The last point where resuming can be refused, so key messages end here,
 * under the lock they hold while they change the key: a "key wipe" or
 * "key set" either finished before (and this sees its result) or is refused
 * after. If another target of the table refuses to resume, the device stays
 * suspended but takes no key message until it is resumed.
 */
static int veil_preresume(struct dm_target *ti)
{
	struct veil_target *v = ti->private;
	int r = 0;

	mutex_lock(&v->suspend_lock);
	if (!test_bit(VEIL_KEY_VALID, &v->flags)) {
		DMERR("%s: resume refused: no key is set (send \"key set <key>\")",
		      dm_table_device_name(ti->table));
		r = -ENOKEY;
	} else {
		clear_bit(VEIL_SUSPENDED, &v->flags);
	}
	mutex_unlock(&v->suspend_lock);
	return r;
}

static int veil_iterate_devices(struct dm_target *ti, iterate_devices_callout_fn fn,
				void *data)
{
	struct veil_target *v = ti->private;

	return fn(ti, v->dev, v->start, ti->len, data);
}

/*
 * The block layer splits discards at multiples of discard_granularity
 * (offset by discard_alignment), and dm at max_discard_sectors. Stacked
 * from a device with 512-byte granularity and an odd maximum, a 4096-byte
 * sector_size table would get pieces that start or end inside a unit.
 * Both fields are rounded to whole units (the hw maximum too: newer kernels
 * derive max_discard_sectors from it), and the alignment is the target's own.
 */
/* Down to whole units, but never from "some" to none; 0 (no discard) stays 0. */
static unsigned int veil_round_max_discard(unsigned int max, unsigned int unit)
{
	return max ? max(rounddown(max, unit), unit) : 0;
}

static void veil_discard_limits(struct queue_limits *limits, unsigned int sector_size)
{
	unsigned int unit = sector_size >> SECTOR_SHIFT;

	limits->discard_granularity = roundup(max(limits->discard_granularity, sector_size),
					      sector_size);
	limits->discard_alignment = 0;
	limits->max_hw_discard_sectors = veil_round_max_discard(limits->max_hw_discard_sectors, unit);
	limits->max_discard_sectors = veil_round_max_discard(limits->max_discard_sectors, unit);
}

static void veil_io_hints(struct dm_target *ti, struct queue_limits *limits)
{
	struct veil_target *v = ti->private;

	/*
	 * Write clones carry one page per segment, possibly less contiguous
	 * than the caller's buffer; this keeps them within the device's
	 * segment limits.
	 */
	limits->max_segment_size = PAGE_SIZE;

	limits->logical_block_size = max(limits->logical_block_size, v->sector_size);
	limits->physical_block_size = max(limits->physical_block_size, v->sector_size);
	limits->io_min = max(limits->io_min, v->sector_size);
	limits->dma_alignment = limits->logical_block_size - 1;

	if (v->allow_discards)
		veil_discard_limits(limits, v->sector_size);
}

static struct target_type veil_target_type = {
	.name = "veil",
	/* Bump the minor for every new table option (docs/ARCHITECTURE.md). */
	.version = { 1, 1, 0 },
	.module = THIS_MODULE,
	.ctr = veil_ctr,
	.dtr = veil_dtr,
	.map = veil_map,
	.status = veil_status,
	.message = veil_message,
	.postsuspend = veil_postsuspend,
	.preresume = veil_preresume,
	.iterate_devices = veil_iterate_devices,
	.io_hints = veil_io_hints,
};

static int __init veil_module_init(void)
{
	int r;

	r = veil_selftest();
	if (r)
		return r;

	r = dm_register_target(&veil_target_type);
	if (r < 0) {
		DMERR("cannot register the target (%d)", r);
		goto err_register;
	}

	DMINFO("version " VEIL_VERSION " loaded");
	return 0;

err_register:
	return r;
}

static void __exit veil_module_exit(void)
{
	dm_unregister_target(&veil_target_type);
}

module_init(veil_module_init);
module_exit(veil_module_exit);

MODULE_AUTHOR("The veil authors");
MODULE_DESCRIPTION(DM_NAME " target for transparent encryption, dm-crypt compatible");
MODULE_LICENSE("GPL");
MODULE_VERSION(VEIL_VERSION);
