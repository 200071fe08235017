/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Injected failures of the allocations veil makes without waiting. */
#ifndef _VEIL_FAULT_H
#define _VEIL_FAULT_H

#include <linux/types.h>

/* The call sites, counted apart so a test can see each one was reached. */
enum veil_fault_site {
	VEIL_FAULT_WRITE_CLONE,		/* a write's bounce bio, in the map function */
	VEIL_FAULT_READ_CLONE,		/* a read's clone, in the map function */
	/*
	 * An atomic conversion stopped before a unit, for the worker to go on
	 * from there, as when it gets no cipher request. The request pool is
	 * used only once the bio's own request is with an asynchronous
	 * driver, so with the synchronous ciphers of the lane's guests its
	 * allocation itself is never reached inline.
	 */
	VEIL_FAULT_ATOMIC_STOP,
	VEIL_FAULT_CHUNK,		/* a chunk of a large bio */
	VEIL_FAULT_SITES
};

#ifdef VEIL_FAULT_INJECTION
bool veil_fault_nowait(enum veil_fault_site site);
#else
static inline bool veil_fault_nowait(enum veil_fault_site site)
{
	return false;
}
#endif

#endif
