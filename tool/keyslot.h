/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The keyslot operations, one short function each. */
#ifndef VEIL_KEYSLOT_H
#define VEIL_KEYSLOT_H

struct veil_opts;
struct vol;

int keyslot_add(int argc, char *argv[]);
int keyslot_change(int argc, char *argv[]);
int keyslot_remove(int argc, char *argv[]);
int keyslot_kill(int argc, char *argv[]);
int keyslot_list(int argc, char *argv[]);
int keyslot_active_count(const struct vol *v);
int confirm_last_slot(const struct veil_opts *o, const struct vol *v, int slot);

#define UNLOCK_OPTS (OPT_KEY_FILE | OPT_KEYFILE_OFFSET | OPT_KEYFILE_SIZE | OPT_HEADER | \
		     OPT_TRIES | OPT_TIMEOUT)
#define NEW_KEY_OPTS (OPT_NEW_KEY_FILE | OPT_NEW_KEYFILE_OFFSET | OPT_NEW_KEYFILE_SIZE)

#endif
