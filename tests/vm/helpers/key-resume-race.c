// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * key-resume-race NAME HEXKEY ROUNDS: for each round, suspend the dm device
 * NAME, then send "key wipe" and resume it at the same moment from two
 * threads; afterwards the device must be either suspended (the wipe came
 * first, so resume was refused) or live with a valid key (the resume came
 * first, so the wipe was refused), never live with no key. A suspended
 * device gets its key back ("key set") and is resumed before the next round.
 * Raw dm ioctls, so that a round costs microseconds, not a dmsetup process.
 * Prints one line of counts; exits 1 at the first bad round.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define BUF_SIZE 16384

static int control;
static const char *name;
static pthread_barrier_t start;

static struct dm_ioctl *dm_init(char *buf)
{
	struct dm_ioctl *io = (struct dm_ioctl *)buf;

	memset(buf, 0, BUF_SIZE);
	io->version[0] = DM_VERSION_MAJOR;
	io->version[1] = 0;
	io->version[2] = 0;
	io->data_size = BUF_SIZE;
	io->data_start = sizeof(*io);
	snprintf(io->name, sizeof(io->name), "%s", name);
	return io;
}

static int dm_suspend(int suspend)
{
	char buf[BUF_SIZE];
	struct dm_ioctl *io = dm_init(buf);

	/* No udev cookie: nothing waits for udev between rounds. */
	io->flags = suspend ? DM_SUSPEND_FLAG | DM_SKIP_LOCKFS_FLAG : 0;
	return ioctl(control, DM_DEV_SUSPEND, io) ? -errno : 0;
}

static int dm_message(const char *msg)
{
	char buf[BUF_SIZE];
	struct dm_ioctl *io = dm_init(buf);
	struct dm_target_msg *tmsg = (struct dm_target_msg *)(buf + io->data_start);

	tmsg->sector = 0;
	snprintf(tmsg->message, BUF_SIZE - io->data_start - sizeof(*tmsg), "%s", msg);
	return ioctl(control, DM_TARGET_MSG, io) ? -errno : 0;
}

/* 1 when the device is suspended; *key_valid from the INFO status. */
static int dm_state(int *key_valid)
{
	char buf[BUF_SIZE];
	struct dm_ioctl *io = dm_init(buf);
	struct dm_target_spec *spec;
	const char *status;

	if (ioctl(control, DM_TABLE_STATUS, io))
		return -errno;
	if (io->target_count != 1)
		return -EINVAL;
	spec = (struct dm_target_spec *)(buf + io->data_start);
	status = (const char *)(spec + 1);
	*key_valid = strstr(status, "key=valid") != NULL;
	return !!(io->flags & DM_SUSPEND_FLAG);
}

static void *wipe_thread(void *arg)
{
	pthread_barrier_wait(&start);
	*(int *)arg = dm_message("key wipe");
	return NULL;
}

static void *resume_thread(void *arg)
{
	pthread_barrier_wait(&start);
	*(int *)arg = dm_suspend(0);
	return NULL;
}

int main(int argc, char **argv)
{
	char set_msg[256];
	long rounds, i, wipe_first = 0, resume_first = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: key-resume-race NAME HEXKEY ROUNDS\n");
		return 2;
	}
	name = argv[1];
	snprintf(set_msg, sizeof(set_msg), "key set %s", argv[2]);
	rounds = atol(argv[3]);
	control = open("/dev/mapper/control", O_RDWR);
	if (control < 0) {
		perror("/dev/mapper/control");
		return 2;
	}
	pthread_barrier_init(&start, NULL, 2);

	for (i = 0; i < rounds; i++) {
		pthread_t a, b;
		int wipe_r, resume_r, key_valid, suspended, r;

		r = dm_suspend(1);
		if (r) {
			fprintf(stderr, "round %ld: suspend: %s\n", i, strerror(-r));
			return 1;
		}
		pthread_create(&a, NULL, wipe_thread, &wipe_r);
		pthread_create(&b, NULL, resume_thread, &resume_r);
		pthread_join(a, NULL);
		pthread_join(b, NULL);

		suspended = dm_state(&key_valid);
		if (suspended < 0) {
			fprintf(stderr, "round %ld: status: %s\n", i, strerror(-suspended));
			return 1;
		}
		if (!suspended && !key_valid) {
			printf("round %ld: ACTIVE WITH NO KEY (wipe %d, resume %d)\n", i, wipe_r, resume_r);
			return 1;
		}
		if (suspended) {
			/* The wipe won: resume was refused for want of a key. */
			if (wipe_r || resume_r != -ENOKEY) {
				printf("round %ld: suspended, but wipe %d, resume %d\n", i, wipe_r, resume_r);
				return 1;
			}
			wipe_first++;
			r = dm_message(set_msg);
			if (!r)
				r = dm_suspend(0);
			if (r) {
				fprintf(stderr, "round %ld: key set and resume: %s\n", i, strerror(-r));
				return 1;
			}
		} else {
			if (resume_r || wipe_r != -EBUSY) {
				printf("round %ld: live, but wipe %d, resume %d\n", i, wipe_r, resume_r);
				return 1;
			}
			resume_first++;
		}
	}
	printf("%ld rounds: wipe first %ld, resume first %ld, never active without a key\n",
	       rounds, wipe_first, resume_first);
	return 0;
}
