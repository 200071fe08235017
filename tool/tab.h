/* SPDX-License-Identifier: GPL-2.0-or-later */
/* veil tab: what tab.c, tab_open.c, tab_device.c and tab_swap.c share. */
#ifndef VEIL_TAB_H
#define VEIL_TAB_H

#include <stdbool.h>
#include <stddef.h>

#include "veiltab.h"

struct tab_ctx {
	const char *path;	/* the table file, for messages */
	bool systemd;		/* --systemd: passphrases through systemd-ask-password */
};

/* tab_device.c: DEVSPEC (path, UUID=, LABEL=, PARTUUID=, PARTLABEL=) to a
 * device node, waiting up to timeout_s (0: no wait) for it to appear. */
int tab_resolve(const char *spec, unsigned int timeout_s, char *out, size_t outlen);
/* The veil header's own UUID and label, for udev and for UUID=/LABEL= lookups
 * without udev. 0 and filled, -ENODEV for no veil header. */
int tab_probe_veil(const char *device, char *uuid, size_t uuidlen, char *label,
		   size_t labellen);

/* tab_open.c */
int tab_open_entry(const struct tab_ctx *c, const struct veiltab_entry *e);
/* Runs this veil binary with argv (argv[0] ignored) and stdin from in_fd
 * when >= 0; returns its exit code, or 1 when it could not run. */
int tab_run_veil(char *const argv[], int in_fd);
int tab_run(const char *prog, char *const argv[]);

/* tab_swap.c: swap and tmp entries; dev is the resolved source device. */
int tab_open_random(const struct veiltab_entry *e, const char *dev);
/* The filesystem (superblock) type libblkid finds on dev: 0, or -ENOENT. */
int tab_fs_type(const char *dev, char *type, size_t typelen);

#endif
