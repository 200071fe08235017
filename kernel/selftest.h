/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The known-answer self-test run at load under the selftest parameter. */
#ifndef _VEIL_SELFTEST_H
#define _VEIL_SELFTEST_H

int veil_selftest(void);

#endif /* _VEIL_SELFTEST_H */
