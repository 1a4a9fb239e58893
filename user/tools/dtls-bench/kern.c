// SPDX-License-Identifier: GPL-2.0
/*
 * dtls-bench: the m2msec kernel record layer.  Both ends are m2msec DTLS
 * sockets with a static association (the same fixed keys on both sides,
 * installed through the keyring and M2MSEC_CMD_ASSOC_NEW); the
 * application only writes and reads plaintext.
 *
 *   kernel       one sendmsg()/recvmsg() per record
 *   kernel-mmsg  BENCH_BATCH records per sendmmsg()/recvmmsg()
 *   kernel-gso   up to M2MSEC_SEGMENTS_MAX records (64 KiB) per sendmsg()
 *                with M2MSEC_CMSG_SEGMENT (one GSO packet); recvmmsg()
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../../lib/genl.h"
#include "../../lib/keyfile.h"
#include "../../lib/m2msec.h"
#include "bench.h"

union ctl {
	struct cmsghdr h;
	char buf[CMSG_SPACE(sizeof(uint32_t)) + CMSG_SPACE(sizeof(uint64_t))];
};

struct kern {
	int fd;
	uint32_t assoc_id;
	struct mmsghdr m[BENCH_BATCH];
	struct iovec iov[BENCH_BATCH];
	union ctl ctl[BENCH_BATCH];
	uint8_t buf[BENCH_BATCH][BENCH_MAX_PAYLOAD + 64];
	uint8_t gso[65536];
	char gso_ctl[CMSG_SPACE(sizeof(uint32_t)) + CMSG_SPACE(sizeof(uint16_t))];
};

static void dir(struct m2msec_kf_dir *d, uint16_t version, const uint8_t *key,
		const uint8_t *iv, const uint8_t *sn)
{
	d->epoch = version == M2MSEC_DTLS_1_3 ? 3 : 1;
	d->seq = 0;
	memcpy(d->key, key, 16);
	d->key_len = 16;
	d->iv_len = version == M2MSEC_DTLS_1_3 ? 12 : 4;
	memcpy(d->iv, iv, d->iv_len);
	if (version == M2MSEC_DTLS_1_3) {
		memcpy(d->sn_key, sn, 16);
		d->sn_key_len = 16;
	}
}

/* An m2msec socket bound to @local with an association to @peer. */
static struct kern *kern_open(struct bench *b, const struct sockaddr_in *local,
			      const struct sockaddr_in *peer, int sender)
{
	struct timeval tv = { .tv_sec = 1 };
	struct m2msec_keyfile kf;
	struct m2msec_genl g;
	struct kern *k;
	int err;

	k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->fd = m2msec_socket(SOCK_DGRAM | SOCK_CLOEXEC, M2MSEC_PROTO_DTLS);
	if (k->fd < 0) {
		bench_err("kernel", "m2msec socket: %s (module loaded?)",
			  strerror(errno));
		goto err;
	}
	if (bind(k->fd, (const struct sockaddr *)local, sizeof(*local)) ||
	    setsockopt(k->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		bench_err("kernel", "bind/SO_RCVTIMEO: %s", strerror(errno));
		goto err;
	}
	memset(&kf, 0, sizeof(kf));
	kf.version = b->version;
	kf.cipher = M2MSEC_CIPHER_AES_128_GCM;
	memcpy(&kf.peer, peer, sizeof(*peer));
	kf.peer_len = sizeof(*peer);
	if (sender) {
		dir(&kf.tx, b->version, bench_key_ab, bench_iv_ab, bench_sn_ab);
		dir(&kf.rx, b->version, bench_key_ba, bench_iv_ba, bench_sn_ba);
	} else {
		dir(&kf.tx, b->version, bench_key_ba, bench_iv_ba, bench_sn_ba);
		dir(&kf.rx, b->version, bench_key_ab, bench_iv_ab, bench_sn_ab);
	}
	if (m2msec_genl_open(&g))
		goto err;
	err = m2msec_assoc_install(&g, k->fd, &kf, &k->assoc_id);
	m2msec_genl_close(&g);
	m2msec_keyfile_clear(&kf);
	if (err) {
		bench_err("kernel", "installing the association: %s",
			  strerror(-err));
		goto err;
	}
	return k;
err:
	if (k->fd >= 0)
		close(k->fd);
	free(k);
	return NULL;
}

/* Fill @c with a SOL_M2MSEC control message of @len bytes. */
static void kern_cmsg(struct cmsghdr *c, int type, const void *data,
		      size_t len)
{
	c->cmsg_level = SOL_M2MSEC;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), data, len);
}

/* Point message @i at buffer @i with room for @len bytes and a cmsg. */
static void kern_msg(struct kern *k, int i, size_t len, int tx)
{
	struct msghdr *h = &k->m[i].msg_hdr;

	k->iov[i] = (struct iovec){ k->buf[i], len };
	memset(h, 0, sizeof(*h));
	h->msg_iov = &k->iov[i];
	h->msg_iovlen = 1;
	h->msg_control = k->ctl[i].buf;
	if (!tx) {
		h->msg_controllen = sizeof(k->ctl[i].buf);
		return;
	}
	/* Send on the association by id, as a server answering would. */
	h->msg_controllen = CMSG_SPACE(sizeof(uint32_t));
	kern_cmsg(CMSG_FIRSTHDR(h), M2MSEC_CMSG_ASSOC_ID, &k->assoc_id,
		  sizeof(k->assoc_id));
}

static void *kern_rx_setup(struct bench *b)
{
	struct kern *k = kern_open(b, &b->rx_addr, &b->tx_addr, 0);
	int i;

	if (k)
		for (i = 0; i < BENCH_BATCH; i++)
			kern_msg(k, i, sizeof(k->buf[i]), 0);
	return k;
}

static void *kern_tx_setup(struct bench *b)
{
	struct kern *k = kern_open(b, &b->tx_addr, &b->rx_addr, 1);
	int i;

	if (k)
		for (i = 0; i < BENCH_BATCH; i++)
			kern_msg(k, i, b->size, 1);
	return k;
}

static int kern_rx(struct bench *b, void *st)
{
	struct kern *k = st;
	struct msghdr *h = &k->m[0].msg_hdr;
	ssize_t n;

	h->msg_controllen = sizeof(k->ctl[0].buf);
	n = recvmsg(k->fd, h, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		bench_err("kernel", "recvmsg: %s", strerror(errno));
		return -1;
	}
	bench_rx_record(b, k->buf[0], n);
	return 0;
}

static int kern_tx(struct bench *b, void *st)
{
	struct kern *k = st;

	bench_payload(k->buf[0], b->sent);
	if (sendmsg(k->fd, &k->m[0].msg_hdr, 0) < 0) {
		if (bench_tx_transient(errno))
			return 0;
		bench_err("kernel", "sendmsg: %s", strerror(errno));
		return -1;
	}
	b->sent++;
	return 0;
}

static int kern_rx_mmsg(struct bench *b, void *st)
{
	struct kern *k = st;
	int i, n;

	for (i = 0; i < BENCH_BATCH; i++)
		k->m[i].msg_hdr.msg_controllen = sizeof(k->ctl[i].buf);
	n = recvmmsg(k->fd, k->m, BENCH_BATCH, MSG_WAITFORONE, NULL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		bench_err("kernel-mmsg", "recvmmsg: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++)
		bench_rx_record(b, k->buf[i], k->m[i].msg_len);
	return 0;
}

static int kern_tx_mmsg(struct bench *b, void *st)
{
	struct kern *k = st;
	int i, n;

	for (i = 0; i < BENCH_BATCH; i++)
		bench_payload(k->buf[i], b->sent + i);
	n = sendmmsg(k->fd, k->m, BENCH_BATCH, 0);
	if (n < 0) {
		if (bench_tx_transient(errno))
			return 0;
		bench_err("kernel-mmsg", "sendmmsg: %s", strerror(errno));
		return -1;
	}
	b->sent += n;
	return 0;
}

/* Records per GSO packet: at most 64, and the packet under 64 KiB. */
static unsigned int kern_gso_count(const struct bench *b)
{
	unsigned int n = 60000 / (b->size + 64);

	if (n > M2MSEC_SEGMENTS_MAX)
		n = M2MSEC_SEGMENTS_MAX;
	return n ? n : 1;
}

static int kern_tx_gso(struct bench *b, void *st)
{
	struct kern *k = st;
	unsigned int i, n = kern_gso_count(b);
	struct iovec iov = { .iov_base = k->gso, .iov_len = n * b->size };
	struct msghdr h = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = k->gso_ctl, .msg_controllen = sizeof(k->gso_ctl),
	};
	uint16_t seg = b->size;
	struct cmsghdr *c;

	for (i = 0; i < n; i++)
		bench_payload(k->gso + i * b->size, b->sent + i);
	c = CMSG_FIRSTHDR(&h);
	kern_cmsg(c, M2MSEC_CMSG_ASSOC_ID, &k->assoc_id, sizeof(k->assoc_id));
	kern_cmsg(CMSG_NXTHDR(&h, c), M2MSEC_CMSG_SEGMENT, &seg, sizeof(seg));
	if (sendmsg(k->fd, &h, 0) < 0) {
		if (bench_tx_transient(errno))
			return 0;
		bench_err("kernel-gso", "sendmsg: %s", strerror(errno));
		return -1;
	}
	b->sent += n;
	return 0;
}

const struct bench_path bench_kernel = {
	.name = "kernel", .versions = 3,
	.rx_setup = kern_rx_setup, .rx = kern_rx,
	.tx_setup = kern_tx_setup, .tx = kern_tx,
};

const struct bench_path bench_kernel_mmsg = {
	.name = "kernel-mmsg", .versions = 3,
	.rx_setup = kern_rx_setup, .rx = kern_rx_mmsg,
	.tx_setup = kern_tx_setup, .tx = kern_tx_mmsg,
};

const struct bench_path bench_kernel_gso = {
	.name = "kernel-gso", .versions = 3,
	.rx_setup = kern_rx_setup, .rx = kern_rx_mmsg,
	.tx_setup = kern_tx_setup, .tx = kern_tx_gso,
};
