// SPDX-License-Identifier: GPL-2.0
/*
 * dtls-bench: the DTLS 1.2 AES-128-GCM record layer done in the
 * application with OpenSSL's EVP interface, one record per datagram, the
 * strongest userspace baseline: no TLS library state machine, batched
 * system calls, and optionally UDP segmentation offload.
 *
 *   user-mmsg  BENCH_BATCH datagrams per sendmmsg()/recvmmsg()
 *   user-gso   up to BENCH_GSO_MAX equal-sized records per send() with
 *              UDP_SEGMENT; the receiver sets UDP_GRO and takes the
 *              super-datagram whole (veth hands GSO packets through), 8 per
 *              recvmmsg()
 *
 * Records: RFC 6347 4.1 header, the RFC 5288 explicit nonce (epoch and
 * sequence number), AAD seq_num || type || version || length, a 64-record
 * anti-replay window on the receiver, as the kernel does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <linux/m2msec.h>

#include "bench.h"

#define HDR	13
#define EXPL	8
#define TAG	16
#define EPOCH	1
#define REC_MAX	(HDR + EXPL + BENCH_MAX_PAYLOAD + TAG)
#define GRO_BUF	65536
#define GRO_MSGS 8

#ifndef SOL_UDP
#define SOL_UDP 17
#endif

struct urec {
	int fd;
	int gso;
	EVP_CIPHER_CTX *ctx;
	uint8_t salt[4];
	size_t rec_len;		/* bytes of one record on the wire */
	unsigned int nseg;	/* records per GSO send */
	uint64_t top, bits;	/* replay window */
	int have_top;
	uint8_t pt[BENCH_MAX_PAYLOAD + 16];
	struct mmsghdr m[BENCH_BATCH];
	struct iovec iov[BENCH_BATCH];
	uint8_t *buf;		/* BENCH_BATCH records, or the GSO/GRO buffers */
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} ctl[GRO_MSGS];
};

static void put_be16(uint8_t *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_es(uint8_t *p, uint64_t seq)
{
	int i;

	put_be16(p, EPOCH);
	for (i = 0; i < 6; i++)
		p[2 + i] = seq >> (40 - 8 * i);
}

static uint64_t get_seq48(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = v << 8 | p[i];
	return v;
}

static void aad(uint8_t *a, const uint8_t *es, unsigned int pt_len)
{
	memcpy(a, es, 8);
	a[8] = 23;
	put_be16(a + 9, M2MSEC_DTLS_1_2);
	put_be16(a + 11, pt_len);
}

/* Build record @seq with b->size payload bytes at @out. */
static int seal(struct bench *b, struct urec *u, uint64_t seq, uint8_t *out)
{
	uint8_t nonce[12], a[13];
	int l;

	bench_payload(u->pt, seq);
	out[0] = 23;
	put_be16(out + 1, M2MSEC_DTLS_1_2);
	put_es(out + 3, seq);
	put_be16(out + 11, EXPL + b->size + TAG);
	memcpy(out + HDR, out + 3, EXPL);
	memcpy(nonce, u->salt, 4);
	memcpy(nonce + 4, out + 3, 8);
	aad(a, out + 3, b->size);
	if (!EVP_EncryptInit_ex(u->ctx, NULL, NULL, NULL, nonce) ||
	    !EVP_EncryptUpdate(u->ctx, NULL, &l, a, sizeof(a)) ||
	    !EVP_EncryptUpdate(u->ctx, out + HDR + EXPL, &l, u->pt, b->size) ||
	    !EVP_EncryptFinal_ex(u->ctx, out + HDR + EXPL + l, &l) ||
	    !EVP_CIPHER_CTX_ctrl(u->ctx, EVP_CTRL_GCM_GET_TAG, TAG,
				 out + HDR + EXPL + b->size)) {
		bench_err("user", "EVP encryption failed");
		return -1;
	}
	return 0;
}

static int replay_ok(const struct urec *u, uint64_t seq)
{
	if (!u->have_top || seq > u->top)
		return 1;
	return u->top - seq < 64 && !(u->bits >> (u->top - seq) & 1);
}

static void replay_update(struct urec *u, uint64_t seq)
{
	if (!u->have_top) {
		u->top = seq;
		u->bits = 1;
		u->have_top = 1;
	} else if (seq > u->top) {
		u->bits = seq - u->top >= 64 ? 1 : u->bits << (seq - u->top) | 1;
		u->top = seq;
	} else {
		u->bits |= 1ULL << (u->top - seq);
	}
}

/* Check, decrypt and deliver the record at @rec (@len bytes, one record). */
static void open_rec(struct bench *b, struct urec *u, uint8_t *rec,
		     size_t len)
{
	uint8_t nonce[12], a[13];
	unsigned int frag, pt_len;
	uint64_t seq;
	int l;

	if (len < HDR + EXPL + TAG || rec[0] != 23 || rec[1] != 0xfe ||
	    rec[2] != 0xfd || rec[3] != 0 || rec[4] != EPOCH)
		goto bad;
	frag = rec[11] << 8 | rec[12];
	if (frag != len - HDR)
		goto bad;
	seq = get_seq48(rec + 5);
	if (!replay_ok(u, seq))
		goto bad;
	pt_len = frag - EXPL - TAG;
	memcpy(nonce, u->salt, 4);
	memcpy(nonce + 4, rec + HDR, EXPL);
	aad(a, rec + 3, pt_len);
	if (!EVP_DecryptInit_ex(u->ctx, NULL, NULL, NULL, nonce) ||
	    !EVP_DecryptUpdate(u->ctx, NULL, &l, a, sizeof(a)) ||
	    !EVP_DecryptUpdate(u->ctx, u->pt, &l, rec + HDR + EXPL, pt_len) ||
	    !EVP_CIPHER_CTX_ctrl(u->ctx, EVP_CTRL_GCM_SET_TAG, TAG,
				 rec + HDR + EXPL + pt_len) ||
	    EVP_DecryptFinal_ex(u->ctx, u->pt + l, &l) <= 0)
		goto bad;
	replay_update(u, seq);
	bench_rx_record(b, u->pt, pt_len);
	return;
bad:
	b->bad++;
}

static void *urec_setup(struct bench *b, int tx, int gso)
{
	struct urec *u = calloc(1, sizeof(*u));
	const uint8_t *key = bench_key_ab;
	size_t bufsz;
	int i, one = 1;

	if (!u)
		return NULL;
	u->gso = gso;
	u->rec_len = HDR + EXPL + b->size + TAG;
	u->nseg = 65000 / u->rec_len;
	if (u->nseg > BENCH_GSO_MAX)
		u->nseg = BENCH_GSO_MAX;
	memcpy(u->salt, bench_iv_ab, 4);
	bufsz = gso ? (size_t)GRO_MSGS * GRO_BUF : (size_t)BENCH_BATCH * REC_MAX;
	u->buf = calloc(1, bufsz);
	u->ctx = EVP_CIPHER_CTX_new();
	u->fd = tx ? bench_udp_socket(&b->tx_addr, &b->rx_addr) :
		     bench_udp_socket(&b->rx_addr, NULL);
	if (!u->buf || !u->ctx || u->fd < 0)
		goto err;
	if ((tx && !EVP_EncryptInit_ex(u->ctx, EVP_aes_128_gcm(), NULL, key,
				       NULL)) ||
	    (!tx && !EVP_DecryptInit_ex(u->ctx, EVP_aes_128_gcm(), NULL, key,
					NULL))) {
		bench_err("user", "EVP_aes_128_gcm set-up failed");
		goto err;
	}
	if (gso && tx) {
		int seg = u->rec_len;

		if (setsockopt(u->fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof(seg))) {
			bench_err("user-gso", "UDP_SEGMENT: %s", strerror(errno));
			goto err;
		}
	}
	if (gso && !tx &&
	    setsockopt(u->fd, SOL_UDP, UDP_GRO, &one, sizeof(one))) {
		bench_err("user-gso", "UDP_GRO: %s", strerror(errno));
		goto err;
	}
	for (i = 0; i < (gso ? GRO_MSGS : BENCH_BATCH); i++) {
		struct msghdr *h = &u->m[i].msg_hdr;

		u->iov[i].iov_base = gso ? u->buf + (size_t)i * GRO_BUF :
					   u->buf + (size_t)i * REC_MAX;
		u->iov[i].iov_len = gso ? GRO_BUF : tx ? u->rec_len : REC_MAX;
		h->msg_iov = &u->iov[i];
		h->msg_iovlen = 1;
	}
	return u;
err:
	if (u->fd >= 0)
		close(u->fd);
	EVP_CIPHER_CTX_free(u->ctx);
	free(u->buf);
	free(u);
	return NULL;
}

static void *urec_rx_setup(struct bench *b)
{
	return urec_setup(b, 0, 0);
}

static void *urec_tx_setup(struct bench *b)
{
	return urec_setup(b, 1, 0);
}

static void *gso_rx_setup(struct bench *b)
{
	return urec_setup(b, 0, 1);
}

static void *gso_tx_setup(struct bench *b)
{
	return urec_setup(b, 1, 1);
}

static int urec_rx(struct bench *b, void *st)
{
	struct urec *u = st;
	int i, n;

	n = recvmmsg(u->fd, u->m, BENCH_BATCH, MSG_WAITFORONE, NULL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		bench_err("user-mmsg", "recvmmsg: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++)
		open_rec(b, u, u->iov[i].iov_base, u->m[i].msg_len);
	return 0;
}

static int urec_tx(struct bench *b, void *st)
{
	struct urec *u = st;
	int i, n;

	for (i = 0; i < BENCH_BATCH; i++)
		if (seal(b, u, b->sent + i, u->iov[i].iov_base))
			return -1;
	n = sendmmsg(u->fd, u->m, BENCH_BATCH, 0);
	if (n < 0) {
		if (bench_tx_transient(errno))
			return 0;
		bench_err("user-mmsg", "sendmmsg: %s", strerror(errno));
		return -1;
	}
	b->sent += n;
	return 0;
}

static int gso_rx(struct bench *b, void *st)
{
	struct urec *u = st;
	struct cmsghdr *c;
	size_t off, seg;
	int i, n;

	for (i = 0; i < GRO_MSGS; i++) {
		u->m[i].msg_hdr.msg_control = u->ctl[i].b;
		u->m[i].msg_hdr.msg_controllen = sizeof(u->ctl[i].b);
	}
	n = recvmmsg(u->fd, u->m, GRO_MSGS, MSG_WAITFORONE, NULL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		bench_err("user-gso", "recvmmsg: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		uint8_t *p = u->iov[i].iov_base;
		size_t len = u->m[i].msg_len;

		seg = len;
		for (c = CMSG_FIRSTHDR(&u->m[i].msg_hdr); c;
		     c = CMSG_NXTHDR(&u->m[i].msg_hdr, c))
			if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
				int v;

				memcpy(&v, CMSG_DATA(c), sizeof(v));
				seg = v;
			}
		for (off = 0; off < len; off += seg)
			open_rec(b, u, p + off, len - off < seg ? len - off : seg);
	}
	return 0;
}

static int gso_tx(struct bench *b, void *st)
{
	struct urec *u = st;
	unsigned int i;

	for (i = 0; i < u->nseg; i++)
		if (seal(b, u, b->sent + i, u->buf + i * u->rec_len))
			return -1;
	if (send(u->fd, u->buf, u->nseg * u->rec_len, 0) < 0) {
		if (bench_tx_transient(errno))
			return 0;
		bench_err("user-gso", "send: %s", strerror(errno));
		return -1;
	}
	b->sent += u->nseg;
	return 0;
}

const struct bench_path bench_user_mmsg = {
	.name = "user-mmsg", .versions = 1,
	.rx_setup = urec_rx_setup, .rx = urec_rx,
	.tx_setup = urec_tx_setup, .tx = urec_tx,
};

const struct bench_path bench_user_gso = {
	.name = "user-gso", .versions = 1,
	.rx_setup = gso_rx_setup, .rx = gso_rx,
	.tx_setup = gso_tx_setup, .tx = gso_tx,
};
