// SPDX-License-Identifier: GPL-2.0
/*
 * ESPrim benchmark: protect + unprotect round trips per second of an inner
 * primitive of SIZE bytes with A128GCM, through
 *   single  one sendmsg()/recvmsg() per object on m2msec sockets,
 *   batch   32 objects per sendmmsg()/recvmmsg(),
 *   cjose   cjose in this process (header, encrypt, export, import,
 *           decrypt), the userspace reference.
 * Used by scripts/bench-esprim.sh; never run as a test.
 *
 * Usage: esprim_bench single|batch|cjose SIZE SECONDS
 * Prints: MODE SIZE OPS_PER_SECOND
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjose/cjose.h>

#include "../user/lib/esprim.h"

#define BATCH 32
#define MAXOBJ 4096

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int tx, rx;
static char pt[2048];
static char objs[BATCH][MAXOBJ], outs[BATCH][MAXOBJ];

static void setup(void)
{
	struct m2msec_esprim_rand recv, orig;
	unsigned char pw[32] = { 1 };
	int32_t serial;

	serial = esprim_key_add("kid-bench", pw, sizeof(pw), "C-BENCH",
				ESPRIM_KEYRING_PROCESS);
	esprim_rand_fresh(&recv, M2MSEC_ESPRIM_RECEIVER, "r-bench", 3600000, 0);
	esprim_rand_fresh(&orig, M2MSEC_ESPRIM_ORIGINATOR, "o-bench", 1800000, 0);
	tx = esprim_socket();
	rx = esprim_socket();
	if (serial < 0 || tx < 0 || rx < 0 ||
	    esprim_setopt(tx, M2MSEC_ESPRIM_RAND_ADD, &recv, sizeof(recv)) ||
	    esprim_setopt(tx, M2MSEC_ESPRIM_RAND_ADD, &orig, sizeof(orig)) ||
	    esprim_session_add(tx, 1, serial, M2MSEC_ESPRIM_A128GCM, 0,
			       "r-bench", "o-bench") ||
	    esprim_setopt(rx, M2MSEC_ESPRIM_KEY_ADD, &serial, sizeof(serial)) ||
	    esprim_setopt(rx, M2MSEC_ESPRIM_RAND_ADD, &recv, sizeof(recv)) ||
	    esprim_setopt(rx, M2MSEC_ESPRIM_RAND_ADD, &orig, sizeof(orig))) {
		perror("set-up");
		exit(1);
	}
}

static void single(size_t size)
{
	struct esprim_result res;
	ssize_t n;

	if (esprim_send(tx, 1, NULL, pt, size) < 0 ||
	    (n = esprim_recv(tx, objs[0], MAXOBJ, &res)) <= 0 ||
	    esprim_send(rx, 0, NULL, objs[0], n) < 0 ||
	    esprim_recv(rx, outs[0], MAXOBJ, &res) != (ssize_t)size) {
		perror("single");
		exit(1);
	}
}

static void batch(size_t size)
{
	static char ctl[BATCH][CMSG_SPACE(sizeof(uint32_t))];
	static char rctl[BATCH][512];
	struct mmsghdr m[BATCH], r[BATCH];
	struct iovec iov[BATCH], riov[BATCH];
	uint32_t session = 1;
	int i;

	memset(m, 0, sizeof(m));
	memset(r, 0, sizeof(r));
	for (i = 0; i < BATCH; i++) {
		struct cmsghdr *c;

		iov[i] = (struct iovec){ pt, size };
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
		m[i].msg_hdr.msg_control = ctl[i];
		m[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
		c = CMSG_FIRSTHDR(&m[i].msg_hdr);
		c->cmsg_level = SOL_M2MSEC;
		c->cmsg_type = M2MSEC_CMSG_ESPRIM_SESSION;
		c->cmsg_len = CMSG_LEN(sizeof(session));
		memcpy(CMSG_DATA(c), &session, sizeof(session));
		riov[i] = (struct iovec){ objs[i], MAXOBJ };
		r[i].msg_hdr.msg_iov = &riov[i];
		r[i].msg_hdr.msg_iovlen = 1;
		r[i].msg_hdr.msg_control = rctl[i];
		r[i].msg_hdr.msg_controllen = sizeof(rctl[i]);
	}
	if (sendmmsg(tx, m, BATCH, 0) != BATCH ||
	    recvmmsg(tx, r, BATCH, MSG_DONTWAIT, NULL) != BATCH)
		goto fail;
	for (i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ objs[i], r[i].msg_len };
		m[i].msg_hdr.msg_control = NULL;
		m[i].msg_hdr.msg_controllen = 0;
		riov[i] = (struct iovec){ outs[i], MAXOBJ };
		r[i].msg_hdr.msg_controllen = sizeof(rctl[i]);
	}
	if (sendmmsg(rx, m, BATCH, 0) != BATCH ||
	    recvmmsg(rx, r, BATCH, MSG_DONTWAIT, NULL) != BATCH)
		goto fail;
	for (i = 0; i < BATCH; i++)
		if (r[i].msg_len != size)
			goto fail;
	return;
fail:
	perror("batch");
	exit(1);
}

static cjose_jwk_t *jwk;

static void cjose_once(size_t size)
{
	cjose_header_t *h = cjose_header_new(NULL);
	cjose_jwe_t *jwe, *in;
	uint8_t *out;
	size_t n;
	char *obj;

	cjose_header_set(h, CJOSE_HDR_ALG, CJOSE_HDR_ALG_DIR, NULL);
	cjose_header_set(h, CJOSE_HDR_ENC, CJOSE_HDR_ENC_A128GCM, NULL);
	cjose_header_set(h, CJOSE_HDR_KID, "kid-bench", NULL);
	cjose_header_set(h, "ori", "o-bench", NULL);
	cjose_header_set(h, "rri", "r-bench", NULL);
	jwe = cjose_jwe_encrypt(jwk, h, (uint8_t *)pt, size, NULL);
	obj = jwe ? cjose_jwe_export(jwe, NULL) : NULL;
	in = obj ? cjose_jwe_import(obj, strlen(obj), NULL) : NULL;
	out = in ? cjose_jwe_decrypt(in, jwk, &n, NULL) : NULL;
	if (!out || n != size) {
		fprintf(stderr, "cjose failed\n");
		exit(1);
	}
	free(out);
	free(obj);
	cjose_jwe_release(in);
	cjose_jwe_release(jwe);
	cjose_header_release(h);
}

int main(int argc, char **argv)
{
	unsigned char key[16] = { 2 };
	double secs, t0, t;
	long ops = 0;
	size_t size;
	int mode;

	if (argc != 4) {
		fprintf(stderr, "usage: esprim_bench single|batch|cjose SIZE SECONDS\n");
		return 2;
	}
	mode = !strcmp(argv[1], "single") ? 0 : !strcmp(argv[1], "batch") ? 1 : 2;
	size = strtoul(argv[2], NULL, 0);
	secs = strtod(argv[3], NULL);
	if (size > sizeof(pt))
		return 2;
	memset(pt, 'p', sizeof(pt));
	if (mode < 2)
		setup();
	else
		jwk = cjose_jwk_create_oct_spec(key, sizeof(key), NULL);
	t0 = now();
	do {
		if (mode == 0) {
			single(size);
			ops++;
		} else if (mode == 1) {
			batch(size);
			ops += BATCH;
		} else {
			cjose_once(size);
			ops++;
		}
		t = now() - t0;
	} while (t < secs);
	printf("%s %zu %.0f\n", argv[1], size, ops / t);
	return 0;
}
