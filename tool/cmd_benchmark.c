// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veil benchmark: KDF speed (what the calibration would choose for 1 s) and
 * the kernel's cipher speed through AF_ALG, the same implementations the
 * target uses, on a 1 MiB buffer: a rough guide, as in cryptsetup benchmark.
 */
#include <errno.h>
#include <linux/if_alg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "veil.h"
#include "commands.h"

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

#define BENCH_BUF (1u << 20)
#define BENCH_CHUNK (64u << 10)	/* one sendmsg; below the socket's default limit */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int alg_crypt(int opfd, int op, uint8_t *buf, size_t len, size_t ivlen)
{
	char cbuf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct af_alg_iv) + 32)];
	struct msghdr msg = { 0 };
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct cmsghdr *c;
	struct af_alg_iv *iv;

	memset(cbuf, 0, sizeof(cbuf));
	msg.msg_control = cbuf;
	/* Exactly the two messages: trailing zeroes would parse as a bad third. */
	msg.msg_controllen = CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(*iv) + ivlen);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &op, sizeof(op));
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_IV;
	c->cmsg_len = CMSG_LEN(sizeof(*iv) + ivlen);
	iv = (struct af_alg_iv *)CMSG_DATA(c);
	iv->ivlen = (uint32_t)ivlen;
	if (sendmsg(opfd, &msg, 0) != (ssize_t)len)
		return -errno;
	if (read(opfd, buf, len) != (ssize_t)len)
		return -errno;
	return 0;
}

/* MiB/s for one direction, or -errno. */
static double cipher_speed(const char *alg, size_t keylen, size_t ivlen, int op)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG, .salg_type = "skcipher" };
	uint8_t key[64];
	uint8_t *buf = NULL;
	double t0, t, bytes = 0;
	int tfm, opfd = -1;
	double r = -EINVAL;

	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", alg);
	tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (tfm < 0)
		return -errno;
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa))) {
		r = -errno;
		goto out;
	}
	if (getrandom(key, keylen, 0) != (ssize_t)keylen ||
	    setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, (socklen_t)keylen)) {
		r = -errno;
		goto out;
	}
	opfd = accept(tfm, NULL, 0);
	buf = calloc(1, BENCH_BUF);
	if (opfd < 0 || !buf) {
		r = -ENOMEM;
		goto out;
	}
	t0 = now();
	do {
		for (size_t off = 0; off < BENCH_BUF; off += BENCH_CHUNK) {
			int e = alg_crypt(opfd, op, buf + off, BENCH_CHUNK, ivlen);

			if (e) {
				r = e;
				goto out;
			}
		}
		bytes += BENCH_BUF;
		t = now() - t0;
	} while (t < 0.5);
	r = bytes / (1024.0 * 1024.0) / t;
out:
	explicit_bzero(key, sizeof(key));
	free(buf);
	if (opfd >= 0)
		close(opfd);
	close(tfm);
	return r;
}

static void bench_kdf(enum veil_kdf_type type)
{
	struct veil_kdf kdf = { .type = type };
	int r = veil_kdf_calibrate(&kdf, 1000, VEIL_KEYSLOT_KEK_SIZE);

	secrets_signal_point();
	if (r) {
		printf("%-10s N/A (%s)\n", veil_kdf_name(type), veil_error_detail());
		return;
	}
	if (type == VEIL_KDF_PBKDF2_SHA256)
		printf("PBKDF2-sha256  %10u iterations per second for a 512-bit key\n", kdf.time);
	else
		printf("argon2id       %u iterations, %u KiB memory, %u threads for a 512-bit key "
		       "(about 1000 ms)\n", kdf.time, kdf.memory_kib, kdf.parallel);
}

int cmd_benchmark(int argc, char *argv[])
{
	static const struct {
		const char *name, *alg;
		unsigned int bits;
		size_t ivlen;
	} ciphers[] = {
		{ "aes-cbc", "cbc(aes)", 128, 16 },
		{ "aes-cbc", "cbc(aes)", 256, 16 },
		{ "aes-xts", "xts(aes)", 256, 16 },
		{ "aes-xts", "xts(aes)", 512, 16 },
		{ "adiantum", "adiantum(xchacha12,aes)", 256, 32 },
	};
	struct veil_opts o;

	if (parse_options(argc, argv, 0, &o) || want_args(&o, 0, 0, "(no arguments)"))
		return -EINVAL;
	printf("# Tests are approximate, through the kernel's AF_ALG interface (no disk I/O).\n");
	bench_kdf(VEIL_KDF_PBKDF2_SHA256);
	bench_kdf(VEIL_KDF_ARGON2ID);
	printf("#     Algorithm |       Key |      Encryption |      Decryption\n");
	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
		double enc = cipher_speed(ciphers[i].alg, ciphers[i].bits / 8, ciphers[i].ivlen,
					  ALG_OP_ENCRYPT);
		double dec = enc < 0 ? enc : cipher_speed(ciphers[i].alg, ciphers[i].bits / 8,
							  ciphers[i].ivlen, ALG_OP_DECRYPT);

		if (enc == -EAFNOSUPPORT) {
			printf("# The kernel has no AF_ALG skcipher interface "
			       "(CONFIG_CRYPTO_USER_API_SKCIPHER): no cipher figures.\n");
			break;
		}
		if (enc < 0 || dec < 0)
			printf("%15s   %4ub %16s %16s   (%s)\n", ciphers[i].name, ciphers[i].bits,
			       "N/A", "N/A", strerror((int)-(enc < 0 ? enc : dec)));
		else
			printf("%15s   %4ub %11.1f MiB/s %11.1f MiB/s\n", ciphers[i].name,
			       ciphers[i].bits, enc, dec);
	}
	return 0;
}
