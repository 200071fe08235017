/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The write bounce page pool and its cap shared by all veil devices. */
#ifndef _VEIL_BOUNCE_H
#define _VEIL_BOUNCE_H

struct veil_target;

int veil_bounce_init(struct veil_target *v, const char **error);
void veil_bounce_exit(struct veil_target *v);

#endif /* _VEIL_BOUNCE_H */
