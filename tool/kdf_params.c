// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Keyslot KDF parameters from the command line: explicit with
 * --pbkdf-force-iterations, otherwise calibrated on this machine to
 * --iter-time (default about 1 s), within --pbkdf-memory/--pbkdf-parallel.
 * Calibrating shows progress (on a terminal, or with --progress-json) as
 * the share of the time it is expected to take.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "veil.h"

/* Returns an exit code, with the message printed. */
int kdf_params(const struct veil_opts *o, size_t key_len, struct veil_keyslot_params *kp)
{
	struct veil_kdf *kdf = &kp->kdf;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct progress_timer t;
	char what[64];
	int r;

	veil_keyslot_params_init(kp);
	kdf->type = VEIL_KDF_ARGON2ID;
	if (o->pbkdf && veil_kdf_parse_name(o->pbkdf, &kdf->type))
		return fail(-EINVAL, "unknown --pbkdf %s", o->pbkdf);
	if (kdf->type == VEIL_KDF_PBKDF2_SHA256 && (o->pbkdf_memory_kib || o->pbkdf_parallel))
		return fail(-EINVAL, "--pbkdf-memory and --pbkdf-parallel apply to argon2id only");
	kp->target_ms = o->iter_time_ms ? o->iter_time_ms : VEIL_CALIB_DEFAULT_MS;
	if (kdf->type == VEIL_KDF_ARGON2ID) {
		kdf->memory_kib = o->pbkdf_memory_kib;
		kdf->parallel = o->pbkdf_parallel;
	}
	if (o->pbkdf_iterations) {
		kdf->time = o->pbkdf_iterations;
		if (kdf->type == VEIL_KDF_ARGON2ID) {
			if (!kdf->memory_kib)
				kdf->memory_kib = 65536;
			if (!kdf->parallel)
				kdf->parallel = cpus > 0 && cpus < 4 ? (uint32_t)cpus : 4;
		}
		r = veil_kdf_check(kdf);
		if (r)
			return fail(-EINVAL, "invalid KDF parameters: %s", veil_error_detail());
		return 0;
	}
	/* Calibration times a few derivations: about twice the target. The
	 * header's device (every caller's first argument) names the job. */
	snprintf(what, sizeof(what), "Calibrating %s", veil_kdf_name(kdf->type));
	progress_timer_start(&t, what, o->header ? o->header : o->argc ? o->argv[0] : "",
			     2ull * kp->target_ms, o->progress_json);
	r = veil_kdf_calibrate(kdf, kp->target_ms, key_len);
	progress_timer_stop(&t, r == 0);
	secrets_signal_point();
	if (r)
		return fail(r, "KDF calibration failed: %s", veil_error_detail());
	return 0;
}
