// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Device-mapper through libdevmapper. Every call that makes or changes a
 * node carries a udev cookie and waits on it, so /dev/mapper/NAME exists (or
 * is gone) when we return. Tables may carry a key (the crypt fallback when
 * the keyring cannot be used), so every task is marked secure: libdevmapper
 * then wipes its ioctl buffers.
 */
#include <errno.h>
#include <libdevmapper.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "veil.h"

static char dm_last_error[256];

static void dm_log(int level, const char *file, int line, int dm_errno, const char *f, ...)
{
	va_list ap;

	(void)file;
	(void)line;
	(void)dm_errno;
	if (level > 3)	/* _LOG_ERR */
		return;
	va_start(ap, f);
	vsnprintf(dm_last_error, sizeof(dm_last_error), f, ap);
	va_end(ap);
}

static void quiet_library(void)
{
	static int inited;

	if (!inited) {
		dm_log_with_errno_init(dm_log);
		inited = 1;
	}
}

static struct dm_task *task(int type, const char *name)
{
	struct dm_task *dmt;

	quiet_library();
	dmt = dm_task_create(type);
	if (!dmt)
		return NULL;
	if (name && !dm_task_set_name(dmt, name)) {
		dm_task_destroy(dmt);
		return NULL;
	}
	dm_task_secure_data(dmt);
	return dmt;
}

/* Run the task; 0 or -errno (EINVAL when libdevmapper gives no errno). */
static int run(struct dm_task *dmt, uint32_t *cookie)
{
	int ok = dm_task_run(dmt);
	int e = ok ? 0 : dm_task_get_errno(dmt);

	if (cookie && ok)
		dm_udev_wait(*cookie);
	else if (cookie && *cookie)
		dm_udev_complete(*cookie);
	return ok ? 0 : -(e ? e : EINVAL);
}

bool dm_available(void)
{
	struct stat st;

	quiet_library();
	if (stat("/dev/mapper/control", &st))
		return false;
	return dm_driver_version(NULL, 0) == 1;
}

int dm_create(const char *name, const char *uuid, const char *target,
	      uint64_t len, const char *params, bool readonly)
{
	struct dm_task *dmt = task(DM_DEVICE_CREATE, name);
	uint32_t cookie = 0;
	int r = -ENOMEM;

	if (!dmt)
		return r;
	if ((uuid && !dm_task_set_uuid(dmt, uuid)) ||
	    !dm_task_add_target(dmt, 0, len, target, params) ||
	    (readonly && !dm_task_set_ro(dmt)) ||
	    !dm_task_set_cookie(dmt, &cookie, 0))
		goto out;
	r = run(dmt, &cookie);
out:
	dm_task_destroy(dmt);
	return r;
}

int dm_reload(const char *name, const char *target, uint64_t len,
	      const char *params, bool readonly)
{
	struct dm_task *dmt = task(DM_DEVICE_RELOAD, name);
	int r = -ENOMEM;

	if (!dmt)
		return r;
	if (!dm_task_add_target(dmt, 0, len, target, params) ||
	    (readonly && !dm_task_set_ro(dmt)))
		goto out;
	r = run(dmt, NULL);
out:
	dm_task_destroy(dmt);
	return r;
}

int dm_remove(const char *name, bool retry)
{
	struct dm_task *dmt = task(DM_DEVICE_REMOVE, name);
	uint32_t cookie = 0;
	int r = -ENOMEM;

	if (!dmt)
		return r;
	if (retry)
		dm_task_retry_remove(dmt);
	if (!dm_task_set_cookie(dmt, &cookie, 0))
		goto out;
	r = run(dmt, &cookie);
out:
	dm_task_destroy(dmt);
	return r;
}

int dm_suspend(const char *name)
{
	struct dm_task *dmt = task(DM_DEVICE_SUSPEND, name);
	int r;

	if (!dmt)
		return -ENOMEM;
	r = run(dmt, NULL);
	dm_task_destroy(dmt);
	return r;
}

int dm_resume_dev(const char *name)
{
	struct dm_task *dmt = task(DM_DEVICE_RESUME, name);
	uint32_t cookie = 0;
	int r = -ENOMEM;

	if (!dmt)
		return r;
	if (!dm_task_set_cookie(dmt, &cookie, 0))
		goto out;
	r = run(dmt, &cookie);
out:
	dm_task_destroy(dmt);
	return r;
}

int dm_message(const char *name, const char *msg)
{
	struct dm_task *dmt = task(DM_DEVICE_TARGET_MSG, name);
	int r = -ENOMEM;

	if (!dmt)
		return r;
	if (!dm_task_set_sector(dmt, 0) || !dm_task_set_message(dmt, msg))
		goto out;
	r = run(dmt, NULL);
out:
	dm_task_destroy(dmt);
	return r;
}

int dm_query(const char *name, struct dm_info_lite *info)
{
	struct dm_task *dmt = task(DM_DEVICE_INFO, name);
	struct dm_info i;
	const char *uuid;
	int r;

	memset(info, 0, sizeof(*info));
	if (!dmt)
		return -ENOMEM;
	r = run(dmt, NULL);
	if (!r && !dm_task_get_info(dmt, &i))
		r = -EINVAL;
	if (!r) {
		info->exists = i.exists;
		info->suspended = i.suspended;
		info->readonly = i.read_only;
		info->open_count = i.open_count;
		info->major = i.major;
		info->minor = i.minor;
		uuid = dm_task_get_uuid(dmt);
		snprintf(info->uuid, sizeof(info->uuid), "%s", uuid ? uuid : "");
		if (!i.exists)
			r = -ENODEV;
	}
	dm_task_destroy(dmt);
	return r;
}

static int first_target(int type, const char *name, struct dm_target_line *line)
{
	struct dm_task *dmt = task(type, name);
	char *ttype = NULL, *params = NULL;
	uint64_t start = 0, len = 0;
	int r;

	memset(line, 0, sizeof(*line));
	if (!dmt)
		return -ENOMEM;
	r = run(dmt, NULL);
	if (!r) {
		dm_get_next_target(dmt, NULL, &start, &len, &ttype, &params);
		if (!ttype) {
			r = -ENODATA;
		} else {
			line->start = start;
			line->len = len;
			snprintf(line->type, sizeof(line->type), "%s", ttype);
			line->params = strdup(params ? params : "");
			if (!line->params)
				r = -ENOMEM;
		}
	}
	dm_task_destroy(dmt);
	return r;
}

int dm_table(const char *name, struct dm_target_line *line)
{
	return first_target(DM_DEVICE_TABLE, name, line);
}

int dm_status_line(const char *name, struct dm_target_line *line)
{
	return first_target(DM_DEVICE_STATUS, name, line);
}

void dm_line_free(struct dm_target_line *line)
{
	if (line->params) {
		explicit_bzero(line->params, strlen(line->params));
		free(line->params);
	}
	line->params = NULL;
}

/* The loaded target's version; -ENOENT when the kernel does not have it. */
int dm_target_version(const char *target, uint32_t ver[3])
{
	struct dm_task *dmt = task(DM_DEVICE_LIST_VERSIONS, NULL);
	struct dm_versions *v, *last;
	int r;

	if (!dmt)
		return -ENOMEM;
	r = run(dmt, NULL);
	if (r)
		goto out;
	r = -ENOENT;
	v = dm_task_get_versions(dmt);
	do {
		last = v;
		if (!strcmp(v->name, target)) {
			memcpy(ver, v->version, sizeof(v->version));
			r = 0;
			break;
		}
		v = (struct dm_versions *)((char *)v + v->next);
	} while (last != v);
out:
	dm_task_destroy(dmt);
	return r;
}

/* The first device a mapping sits on, as major:minor. */
int dm_deps_first(const char *name, uint32_t *major, uint32_t *minor)
{
	struct dm_task *dmt = task(DM_DEVICE_DEPS, name);
	struct dm_deps *deps;
	int r;

	if (!dmt)
		return -ENOMEM;
	r = run(dmt, NULL);
	if (!r) {
		deps = dm_task_get_deps(dmt);
		if (!deps || !deps->count) {
			r = -ENODATA;
		} else {
			*major = (uint32_t)(deps->device[0] >> 8) & 0xfff;
			*minor = (uint32_t)((deps->device[0] & 0xff) | ((deps->device[0] >> 12) & 0xfff00));
		}
	}
	dm_task_destroy(dmt);
	return r;
}

const char *dm_last_message(void)
{
	return dm_last_error;
}
