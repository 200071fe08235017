/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Status reporting and target messages. */
#ifndef _VEIL_STATUS_H
#define _VEIL_STATUS_H

#include <linux/device-mapper.h>

void veil_status(struct dm_target *ti, status_type_t type, unsigned int status_flags,
		 char *result, unsigned int maxlen);
int veil_message(struct dm_target *ti, unsigned int argc, char **argv,
		 char *result, unsigned int maxlen);

#endif /* _VEIL_STATUS_H */
