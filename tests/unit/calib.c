// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KDF calibration respects its caps: argon2id memory at most 1 GiB and half
 * the RAM, threads at most 4 and the online CPUs, the user's own caps, and
 * every result passes the read limits. (How long a derivation takes is a
 * speed goal for make bench, not a timed test here.)
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "veil_format.h"

#include "../lib/check.h"

int main(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long long half_ram_kib =
		(unsigned long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE) / 1024 / 2;
	unsigned long long mem_cap = half_ram_kib < VEIL_CALIB_MEMORY_MAX_KIB ?
				     half_ram_kib : VEIL_CALIB_MEMORY_MAX_KIB;
	unsigned thr_cap = cpus > 0 && cpus < 4 ? (unsigned)cpus : 4;
	struct veil_kdf k = { VEIL_KDF_NONE, 0, 0, 0 };
	int r;

	r = veil_kdf_calibrate(&k, 100, 64);
	CHECK(r == 0 && k.type == VEIL_KDF_ARGON2ID && veil_kdf_check(&k) == 0,
	      "calib: default is argon2id, within the read limits (t=%u m=%u KiB p=%u)", k.time,
	      k.memory_kib, k.parallel);
	CHECK(k.memory_kib <= mem_cap && k.parallel >= 1 && k.parallel <= thr_cap,
	      "calib: memory %u KiB <= min(1 GiB, RAM/2) = %llu KiB, threads %u <= min(4, %ld CPUs)",
	      k.memory_kib, mem_cap, k.parallel, cpus);

	k = (struct veil_kdf){ VEIL_KDF_ARGON2ID, 0, 4096, 1 };
	r = veil_kdf_calibrate(&k, 100, 64);
	CHECK(r == 0 && k.memory_kib <= 4096 && k.memory_kib >= 8 && k.parallel == 1 &&
	      veil_kdf_check(&k) == 0,
	      "calib: user caps --pbkdf-memory 4096 --pbkdf-parallel 1 are honoured (t=%u m=%u p=%u)",
	      k.time, k.memory_kib, k.parallel);

	k = (struct veil_kdf){ VEIL_KDF_PBKDF2_SHA256, 0, 0, 0 };
	r = veil_kdf_calibrate(&k, 50, 64);
	CHECK(r == 0 && k.type == VEIL_KDF_PBKDF2_SHA256 && k.time >= VEIL_PBKDF2_ITER_MIN &&
	      !k.memory_kib && !k.parallel && veil_kdf_check(&k) == 0,
	      "calib: pbkdf2 gets >= 1000 iterations and no memory/threads (%u)", k.time);

	k = (struct veil_kdf){ (enum veil_kdf_type)7, 0, 0, 0 };
	CHECK(veil_kdf_calibrate(&k, 50, 64) == -EINVAL, "calib: an unknown KDF type is refused");
	k = (struct veil_kdf){ VEIL_KDF_ARGON2ID, 0, 0, 0 };
	CHECK(veil_kdf_calibrate(&k, 50, 65) == -EINVAL, "calib: a 65-byte key length is refused");
	return CHECK_EXIT();
}
