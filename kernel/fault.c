// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fault injection, in a build made with VEIL_FAULT_INJECTION=1 only (the
 * lane's script 28 loads one; Debian's kernels have no fault-injection
 * framework to reach these call sites).
 *
 * Why: an allocation that may not wait fails only when memory is short at
 * that instant, so what takes over then (a write or read handed to the
 * workers, an atomic conversion continued by a worker from the unit it
 * stopped at, a large bio cut into fewer chunks) would run in no test.
 * With fault_nowait_every=N, one call in N at these sites fails (fault.h
 * lists them), whatever memory there is.
 */
#include <linux/atomic.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>

#include "fault.h"

static unsigned int fault_nowait_every;
module_param(fault_nowait_every, uint, 0600);
MODULE_PARM_DESC(fault_nowait_every,
		 "fail one in N allocations that may not wait (0: none; a test build only)");

static atomic_t veil_fault_calls = ATOMIC_INIT(0);
static atomic_t veil_fault_injected[VEIL_FAULT_SITES];

static int veil_fault_injected_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "write_clone=%d read_clone=%d atomic_stop=%d chunk=%d\n",
			  atomic_read(&veil_fault_injected[VEIL_FAULT_WRITE_CLONE]),
			  atomic_read(&veil_fault_injected[VEIL_FAULT_READ_CLONE]),
			  atomic_read(&veil_fault_injected[VEIL_FAULT_ATOMIC_STOP]),
			  atomic_read(&veil_fault_injected[VEIL_FAULT_CHUNK]));
}

static const struct kernel_param_ops veil_fault_injected_ops = {
	.get = veil_fault_injected_get,
};
module_param_cb(fault_nowait_injected, &veil_fault_injected_ops, NULL, 0400);
MODULE_PARM_DESC(fault_nowait_injected, "failures injected so far, per call site");

bool veil_fault_nowait(enum veil_fault_site site)
{
	unsigned int every = READ_ONCE(fault_nowait_every);

	if (!every || (unsigned int)atomic_inc_return(&veil_fault_calls) % every)
		return false;
	atomic_inc(&veil_fault_injected[site]);
	return true;
}
