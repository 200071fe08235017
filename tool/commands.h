/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One entry point per subcommand file; main.c dispatches to these. */
#ifndef VEIL_COMMANDS_H
#define VEIL_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int cmd_format(int argc, char *argv[]);
int cmd_open(int argc, char *argv[]);
struct veil_opts;
struct mapping;
struct secret;
int cmd_open_plain(struct veil_opts *o);
/* cmd_open.c helpers shared with open --plain, resume and resize */
struct vol;
int store_flags(struct vol *v, const struct secret *vk, uint32_t flags, const char *device);
int data_device(const char *device, bool readonly, char *dev, size_t devlen, int *loopfd);
int cmd_close(int argc, char *argv[]);
int cmd_status(int argc, char *argv[]);
int cmd_dump(int argc, char *argv[]);
int cmd_keyslot(int argc, char *argv[]);
int cmd_header(int argc, char *argv[]);
int cmd_erase(int argc, char *argv[]);
int cmd_resize(int argc, char *argv[]);
int cmd_suspend(int argc, char *argv[]);
int cmd_resume(int argc, char *argv[]);
int cmd_benchmark(int argc, char *argv[]);
int cmd_isveil(int argc, char *argv[]);
int cmd_uuid(int argc, char *argv[]);
int cmd_tab(int argc, char *argv[]);
int cmd_probe(int argc, char *argv[]);
/* cmd_open_luks.c, cmd_convert.c, cmd_convert_luks2.c */
int cmd_open_luks(struct veil_opts *o);
int cmd_convert(int argc, char *argv[]);
int convert_to_luks2(struct veil_opts *o);
int convert_collect_passes(const struct veil_opts *o, struct secret *first,
			   struct secret *passes, size_t *n);
void convert_backup_name(const char *o_file, const char *device, const char *kind,
			 char *out, size_t len);
int cmd_config(int argc, char *argv[]);
int cmd_refresh(int argc, char *argv[]);
int cmd_repair(int argc, char *argv[]);

#endif
