// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Keyslot KDFs: names, read limits, derivation and calibration.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *veil_kdf_name(enum veil_kdf_type type)
{
	switch (type) {
	case VEIL_KDF_ARGON2ID:
		return "argon2id";
	case VEIL_KDF_PBKDF2_SHA256:
		return "pbkdf2";
	case VEIL_KDF_NONE:
		return "none";
	}
	return "unknown";
}

int veil_kdf_parse_name(const char *name, enum veil_kdf_type *type)
{
	if (!strcmp(name, "argon2id")) {
		*type = VEIL_KDF_ARGON2ID;
		return 0;
	}
	if (!strcmp(name, "pbkdf2") || !strcmp(name, "pbkdf2-sha256")) {
		*type = VEIL_KDF_PBKDF2_SHA256;
		return 0;
	}
	return veil_fail(-EINVAL, "unknown KDF '%s' (argon2id or pbkdf2)", name);
}

int veil_kdf_check(const struct veil_kdf *kdf)
{
	switch (kdf->type) {
	case VEIL_KDF_ARGON2ID:
		if (kdf->parallel < 1 || kdf->parallel > VEIL_ARGON2_PARALLEL_MAX)
			return veil_fail(-ERANGE, "argon2id parallelism %u is not "
					 "1..%u", kdf->parallel,
					 VEIL_ARGON2_PARALLEL_MAX);
		if (kdf->time < 1 || kdf->time > VEIL_ARGON2_TIME_MAX)
			return veil_fail(-ERANGE, "argon2id time cost %u is not "
					 "1..%u", kdf->time, VEIL_ARGON2_TIME_MAX);
		if (kdf->memory_kib < 8 * kdf->parallel ||
		    kdf->memory_kib > VEIL_ARGON2_MEMORY_MAX_KIB)
			return veil_fail(-ERANGE, "argon2id memory %u KiB is not "
					 "%u..%u KiB", kdf->memory_kib,
					 8 * kdf->parallel,
					 VEIL_ARGON2_MEMORY_MAX_KIB);
		return 0;
	case VEIL_KDF_PBKDF2_SHA256:
		if (kdf->time < VEIL_PBKDF2_ITER_MIN ||
		    kdf->time > VEIL_PBKDF2_ITER_MAX)
			return veil_fail(-ERANGE, "pbkdf2 iterations %u are not "
					 "%u..%u", kdf->time, VEIL_PBKDF2_ITER_MIN,
					 VEIL_PBKDF2_ITER_MAX);
		if (kdf->memory_kib || kdf->parallel)
			return veil_fail(-ERANGE, "pbkdf2 has memory or "
					 "parallelism set");
		return 0;
	case VEIL_KDF_NONE:
		break;
	}
	return veil_fail(-ERANGE, "unknown KDF type %d", (int)kdf->type);
}

/* MemAvailable (what can be allocated without swapping), else free RAM. */
static uint64_t available_kib(void)
{
	unsigned long long kib = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
				break;
		fclose(f);
	}
	if (!kib) {
		long pages = sysconf(_SC_AVPHYS_PAGES), psize = sysconf(_SC_PAGESIZE);

		if (pages > 0 && psize > 0)
			kib = (unsigned long long)pages * (unsigned long long)psize / 1024;
	}
	return kib;
}

int veil_kdf_derive(const struct veil_kdf *kdf, const void *pass,
		    size_t pass_len, const uint8_t salt[VEIL_SALT_SIZE],
		    uint8_t *out, size_t out_len)
{
	int r = veil_kdf_check(kdf);

	if (r)
		return r;
	if (kdf->type == VEIL_KDF_ARGON2ID) {
		uint64_t avail = available_kib();

		/* More than the machine can give now would end in swap
		 * storms or the OOM killer. */
		if (avail && kdf->memory_kib > avail)
			return veil_fail(-ENOMEM, "argon2id needs %u KiB, more than "
					 "the %llu KiB of memory available now",
					 kdf->memory_kib, (unsigned long long)avail);
		return veil_argon2id(pass, pass_len, salt, VEIL_SALT_SIZE, NULL, 0,
				     NULL, 0, kdf->time, kdf->memory_kib,
				     kdf->parallel, out, out_len);
	}
	return veil_pbkdf2_sha256(pass, pass_len, salt, VEIL_SALT_SIZE,
				  kdf->time, out, out_len);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Time one derivation with a fixed benchmark passphrase and salt. */
static int time_kdf(const struct veil_kdf *kdf, size_t key_len, double *ms)
{
	static const char pass[] = "veil calibration passphrase";
	uint8_t salt[VEIL_SALT_SIZE] = { 0 }, out[VEIL_MAX_KEY_SIZE];
	double t0 = now_ms();
	int r;

	r = veil_kdf_derive(kdf, pass, sizeof(pass) - 1, salt, out, key_len);
	*ms = now_ms() - t0;
	veil_wipe(out, sizeof(out));
	return r;
}

static uint32_t clamp_u32(double v, uint32_t lo, uint32_t hi)
{
	if (v < lo)
		return lo;
	if (v > hi)
		return hi;
	return (uint32_t)v;
}

static int calibrate_pbkdf2(struct veil_kdf *kdf, uint32_t target_ms,
			    size_t key_len)
{
	struct veil_kdf probe = { VEIL_KDF_PBKDF2_SHA256, 1u << 14, 0, 0 };
	double ms = 0;
	int r;

	/* Grow the probe until it is long enough to time reliably. */
	for (;;) {
		r = time_kdf(&probe, key_len, &ms);
		if (r)
			return r;
		if (ms >= 50 || probe.time >= VEIL_PBKDF2_ITER_MAX / 2)
			break;
		probe.time *= 2;
	}
	if (ms <= 0)
		ms = 0.001;
	kdf->type = VEIL_KDF_PBKDF2_SHA256;
	kdf->time = clamp_u32((double)probe.time * target_ms / ms,
			      VEIL_PBKDF2_ITER_MIN, VEIL_PBKDF2_ITER_MAX);
	kdf->memory_kib = 0;
	kdf->parallel = 0;
	return 0;
}

/* Memory and thread caps: 1 GiB and half the RAM; 4 and the online CPUs;
 * and the caller's own caps when non-zero. */
static void argon2_caps(const struct veil_kdf *kdf, uint32_t *mem,
			uint32_t *thr)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t half_ram_kib = 0;
	uint32_t max_mem = VEIL_CALIB_MEMORY_MAX_KIB, threads;

	if (pages > 0 && psize > 0)
		half_ram_kib = (uint64_t)pages * (uint64_t)psize / 1024 / 2;
	if (half_ram_kib && half_ram_kib < max_mem)
		max_mem = (uint32_t)half_ram_kib;
	if (kdf->memory_kib && kdf->memory_kib < max_mem)
		max_mem = kdf->memory_kib;
	threads = VEIL_CALIB_THREADS_MAX;
	if (cpus > 0 && (uint32_t)cpus < threads)
		threads = (uint32_t)cpus;
	if (kdf->parallel && kdf->parallel < threads)
		threads = kdf->parallel;
	if (max_mem < 8 * threads)
		max_mem = 8 * threads;
	*mem = max_mem;
	*thr = threads;
}

void veil_kdf_fill_defaults(struct veil_kdf *kdf)
{
	uint32_t mem, thr;

	if (kdf->type != VEIL_KDF_ARGON2ID)
		return;
	argon2_caps(kdf, &mem, &thr);
	if (!kdf->memory_kib)
		kdf->memory_kib = mem;
	if (!kdf->parallel)
		kdf->parallel = thr;
}

static int calibrate_argon2id(struct veil_kdf *kdf, uint32_t target_ms,
			      size_t key_len)
{
	uint32_t max_mem, threads;
	struct veil_kdf probe;
	double ms = 0, full_ms;
	unsigned round;
	int r;

	argon2_caps(kdf, &max_mem, &threads);

	/*
	 * Argon2 cost is linear in memory x passes: time one pass over a
	 * smaller memory, grow it until the measurement is meaningful, then
	 * extrapolate instead of spending seconds on full-size probes.
	 */
	probe.type = VEIL_KDF_ARGON2ID;
	probe.time = 1;
	probe.parallel = threads;
	probe.memory_kib = max_mem < 65536 ? max_mem : 65536;
	for (;;) {
		r = time_kdf(&probe, key_len, &ms);
		if (r)
			return r;
		if (ms >= 50 || probe.memory_kib >= max_mem)
			break;
		probe.memory_kib = probe.memory_kib * 4 > max_mem ?
				   max_mem : probe.memory_kib * 4;
	}
	if (ms <= 0)
		ms = 0.001;
	full_ms = ms * max_mem / probe.memory_kib;
	kdf->type = VEIL_KDF_ARGON2ID;
	kdf->parallel = threads;
	if (full_ms > target_ms) {
		/* One pass over all memory is too slow: use less memory. */
		kdf->time = 1;
		kdf->memory_kib = clamp_u32((double)max_mem * target_ms / full_ms,
					    8 * threads, max_mem);
	} else {
		kdf->memory_kib = max_mem;
		kdf->time = clamp_u32(target_ms / full_ms + 0.5, 1,
				      VEIL_ARGON2_TIME_MAX);
	}
	/*
	 * Large memory costs more per KiB than the probe (page faults, TLB):
	 * measure the choice and correct it, at most twice.
	 */
	for (round = 0; round < 2; round++) {
		double ratio;

		r = time_kdf(kdf, key_len, &ms);
		if (r)
			return r;
		ratio = target_ms / (ms > 0 ? ms : 0.001);
		if (ratio > 0.85 && ratio < 1.15)
			break;
		if (kdf->time == 1 && ratio < 1)
			kdf->memory_kib = clamp_u32(kdf->memory_kib * ratio,
						    8 * threads, max_mem);
		else if (kdf->time == 1 && kdf->memory_kib < max_mem)
			kdf->memory_kib = clamp_u32(kdf->memory_kib * ratio,
						    8 * threads, max_mem);
		else
			kdf->time = clamp_u32(kdf->time * ratio + 0.5, 1,
					      VEIL_ARGON2_TIME_MAX);
	}
	return 0;
}

int veil_kdf_calibrate(struct veil_kdf *kdf, uint32_t target_ms,
		       size_t key_len)
{
	veil_error_clear();
	if (!target_ms)
		target_ms = VEIL_CALIB_DEFAULT_MS;
	if (key_len == 0 || key_len > VEIL_MAX_KEY_SIZE)
		return veil_fail(-EINVAL, "bad key length %zu", key_len);
	if (kdf->type == VEIL_KDF_PBKDF2_SHA256)
		return calibrate_pbkdf2(kdf, target_ms, key_len);
	if (kdf->type != VEIL_KDF_NONE && kdf->type != VEIL_KDF_ARGON2ID)
		return veil_fail(-EINVAL, "unknown KDF type %d", (int)kdf->type);
	return calibrate_argon2id(kdf, target_ms, key_len);
}
