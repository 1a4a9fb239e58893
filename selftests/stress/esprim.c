// SPDX-License-Identifier: GPL-2.0
/*
 * ESPrim sockets: keys, rand objects and sessions set up and torn down by
 * socket options while objects are protected and unprotected from other
 * threads.  Keys and rand values depend on their names only, so a session
 * set up on one socket produces objects another socket can verify; the
 * objects produced are kept in a small pool and fed back, as they are or
 * damaged.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <keyutils.h>

#include "stress.h"

#define NPW	4
#define NRAND	4

static int pw_serial[NPW];

static struct { char obj[4096]; int len; } objs[16];
static pthread_mutex_t obj_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int key_pairwise(struct worker *w, int slot)
{
	struct m2msec_key_payload *k = (void *)w->buf;
	char desc[32], *id;
	int s = __atomic_load_n(&pw_serial[slot], __ATOMIC_RELAXED), i;
	long r;

	if (s && !chance(w, 3))
		return s;
	k->version = M2MSEC_KEY_PAYLOAD_V1;
	k->kind = M2MSEC_KEY_ESPRIM_PAIRWISE;
	k->reserved = 0;
	k->key_len = 32;
	k->iv_len = 0;
	k->sn_key_len = 0;
	for (i = 0; i < 32; i++)
		k->data[i] = slot * 11 + i;
	id = (char *)k->data + 32;
	k->id_len = snprintf(id, 16, "C-stress-%d", slot);
	snprintf(desc, sizeof(desc), "stress-kid-%d", slot);
	call_begin(w, C_ADD_KEY);
	r = rec(w, C_ADD_KEY, add_key(M2MSEC_KEY_TYPE, desc, k,
				      sizeof(*k) + 32 + k->id_len,
				      KEY_SPEC_PROCESS_KEYRING));
	if (r > 0)
		__atomic_store_n(&pw_serial[slot], (int)r, __ATOMIC_RELAXED);
	return r > 0 ? (int)r : s;
}

static int esp_sockopt(struct worker *w, int fd, int name, const void *v,
		       socklen_t l)
{
	call_begin(w, C_ESP_SOCKOPT);
	if (chance(w, 3))
		l = rn(w, l + 8);
	return rec(w, C_ESP_SOCKOPT, setsockopt(fd, SOL_M2MSEC, name, v, l));
}

static void rand_obj(struct worker *w, struct m2msec_esprim_rand *r, int role,
		     int n)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->role = role;
	r->id_len = snprintf(r->id, sizeof(r->id), "%c%d",
			     role == M2MSEC_ESPRIM_RECEIVER ? 'r' : 'o', n);
	r->keygen_algs = 1u << M2MSEC_ESPRIM_KEYGEN_HMAC_SHA256;
	r->algs = 7u << 10;
	if (chance(w, 5))
		r->algs = 1u << (10 + rn(w, 3));
	r->expiry_ms = realtime_ms() + (role == M2MSEC_ESPRIM_RECEIVER ?
					3600000 : 1800000);
	if (chance(w, 5))
		r->expiry_ms = realtime_ms() + rn(w, 3000);
	if (chance(w, 2))
		r->expiry_ms = realtime_ms() - 1000;
	for (i = 0; i < M2MSEC_ESPRIM_RAND_LEN; i++)
		r->value[i] = n * 13 + i;
	if (chance(w, 2))
		r->id[0] = ' ';
}

static void esp_setup(struct worker *w, int fd, int k)
{
	struct m2msec_esprim_rand r;
	struct m2msec_esprim_session s;
	int32_t serial = key_pairwise(w, k);

	esp_sockopt(w, fd, M2MSEC_ESPRIM_KEY_ADD, &serial, 4);
	rand_obj(w, &r, M2MSEC_ESPRIM_RECEIVER, k);
	esp_sockopt(w, fd, M2MSEC_ESPRIM_RAND_ADD, &r, sizeof(r));
	rand_obj(w, &r, M2MSEC_ESPRIM_ORIGINATOR, k);
	esp_sockopt(w, fd, M2MSEC_ESPRIM_RAND_ADD, &r, sizeof(r));
	memset(&s, 0, sizeof(s));
	s.id = 1 + k;
	s.key = serial;
	s.alg = M2MSEC_ESPRIM_A128GCM + rn(w, 3);
	s.flags = rn(w, 4);
	s.rri_len = snprintf(s.rri, sizeof(s.rri), "r%d", k);
	s.ori_len = snprintf(s.ori, sizeof(s.ori), "o%d", k);
	esp_sockopt(w, fd, M2MSEC_ESPRIM_SESSION_ADD, &s, sizeof(s));
}

static void op_esp_socket(struct worker *w)
{
	int fd;

	call_begin(w, C_SOCKET);
	fd = rec(w, C_SOCKET, socket(fam.sockfamily, SOCK_SEQPACKET |
				     SOCK_CLOEXEC | (chance(w, 80) ?
						     SOCK_NONBLOCK : 0),
				     chance(w, 50) ? M2MSEC_PROTO_ESPRIM : 0));
	if (fd < 0)
		return;
	if (chance(w, 70))
		esp_setup(w, fd, rn(w, NPW));
	if (chance(w, 10)) {
		int v = 2048 + rn(w, 16384);

		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	}
	if (!pool_put(&esp_pool, fd))
		close_fd(w, fd);
}

static void op_esp_close(struct worker *w)
{
	close_fd(w, pool_take(w, &esp_pool));
}

static void op_esp_sockopt(struct worker *w)
{
	int fd = pool_pick(w, &esp_pool), k = rn(w, NPW), r = rn(w, 7);

	if (fd < 0)
		return;
	switch (r) {
	case 0:
		esp_setup(w, fd, k);
		break;
	case 1: {
		int32_t s = key_pairwise(w, k);

		if (chance(w, 5))
			s = key_record(w, rn(w, nkey_slots()));
		esp_sockopt(w, fd, chance(w, 60) ? M2MSEC_ESPRIM_KEY_ADD :
			    M2MSEC_ESPRIM_KEY_DEL, &s, 4);
		break;
	}
	case 2:
	case 3: {
		struct m2msec_esprim_rand ro;

		rand_obj(w, &ro, 1 + rn(w, 2), rn(w, NRAND));
		esp_sockopt(w, fd, M2MSEC_ESPRIM_RAND_ADD, &ro, sizeof(ro));
		break;
	}
	case 4: {
		struct m2msec_esprim_rand_ref ref = {};

		ref.role = 1 + rn(w, 2);
		ref.id_len = snprintf(ref.id, sizeof(ref.id), "%c%d",
				      ref.role == 1 ? 'r' : 'o', rn(w, NRAND));
		if (chance(w, 3))
			ref.id_len = rn(w, 255);
		esp_sockopt(w, fd, M2MSEC_ESPRIM_RAND_DEL, &ref, sizeof(ref));
		break;
	}
	case 5: {
		uint32_t id = chance(w, 90) ? 1 + rn(w, 6) : (uint32_t)rnd(w);

		esp_sockopt(w, fd, M2MSEC_ESPRIM_SESSION_DEL, &id, 4);
		break;
	}
	default: {
		char junk[300];

		rnd_bytes(w, junk, sizeof(junk));
		esp_sockopt(w, fd, M2MSEC_ESPRIM_KEY_ADD + rn(w, 8) - 1, junk,
			    rn(w, sizeof(junk)));
		break;
	}
	}
}

/* sendmsg() of one object: protect with a session, or unprotect. */
static void build_msg(struct worker *w, struct msghdr *m, struct iovec *iov,
		      char *data, char *cbuf, size_t cmax)
{
	struct cmsghdr *c;
	size_t len, used = 0;

	memset(m, 0, sizeof(*m));
	m->msg_iov = iov;
	m->msg_iovlen = 1;
	iov->iov_base = data;
	if (chance(w, 50)) {
		/* protect */
		uint32_t sid = chance(w, 90) ? 1 + rn(w, NPW + 1) :
			       (uint32_t)rnd(w);

		len = chance(w, 3) ? 70000 : rn(w, 2000);
		if (len > 65536)
			len = 65536;
		rnd_bytes(w, data, len > 64 ? 64 : len);
		m->msg_control = cbuf;
		m->msg_controllen = cmax;
		memset(cbuf, 0, cmax);
		c = CMSG_FIRSTHDR(m);
		c->cmsg_level = SOL_M2MSEC;
		c->cmsg_type = M2MSEC_CMSG_ESPRIM_SESSION;
		c->cmsg_len = CMSG_LEN(chance(w, 3) ? 2 : 4);
		memcpy(CMSG_DATA(c), &sid, 4);
		used = CMSG_SPACE(4);
		if (chance(w, 30)) {
			size_t cl = chance(w, 90) ? 1 + rn(w, 20) : rn(w, 200);

			c = CMSG_NXTHDR(m, c);
			c->cmsg_level = SOL_M2MSEC;
			c->cmsg_type = M2MSEC_CMSG_ESPRIM_CTY;
			c->cmsg_len = CMSG_LEN(cl);
			memset(CMSG_DATA(c), chance(w, 95) ? 'a' : '"', cl);
			used += CMSG_SPACE(cl);
		}
		if (chance(w, 20) && used + CMSG_SPACE(4) <= cmax) {
			uint32_t f = rn(w, 8);

			c = CMSG_NXTHDR(m, c);
			if (c) {
				c->cmsg_level = SOL_M2MSEC;
				c->cmsg_type = M2MSEC_CMSG_ESPRIM_FLAGS;
				c->cmsg_len = CMSG_LEN(4);
				memcpy(CMSG_DATA(c), &f, 4);
				used += CMSG_SPACE(4);
			}
		}
		m->msg_controllen = used;
	} else {
		int i = rn(w, 16);

		pthread_mutex_lock(&obj_lock);
		len = objs[i].len;
		memcpy(data, objs[i].obj, len);
		pthread_mutex_unlock(&obj_lock);
		if (!len || chance(w, 10)) {
			len = rn(w, 600);
			for (i = 0; i < (int)len; i++)
				data[i] = chance(w, 8) ? '.' :
					  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[rn(w, 64)];
		} else if (chance(w, 30)) {
			int k = rn(w, 4);

			if (k == 0)
				len = rn(w, len + 1);
			else if (k == 1 && len)
				data[rn(w, len)] ^= 1 << rn(w, 8);
			else if (k == 2 && len)
				data[rn(w, len)] = '.';
			else if (len)
				data[rn(w, len)] = "=+/ \"{"[rn(w, 6)];
		}
	}
	iov->iov_len = len;
}

static void op_esp_send(struct worker *w)
{
	struct msghdr m;
	struct iovec iov;
	char cbuf[512];
	int fd = pool_pick(w, &esp_pool);

	if (fd < 0)
		return;
	build_msg(w, &m, &iov, w->buf, cbuf, sizeof(cbuf));
	call_begin(w, C_ESP_SEND);
	rec(w, C_ESP_SEND, sendmsg(fd, &m, MSG_DONTWAIT));
}

static void op_esp_sendmmsg(struct worker *w)
{
	struct mmsghdr mm[8];
	struct iovec iov[8];
	char cbuf[8][256];
	int fd = pool_pick(w, &esp_pool), n = 1 + rn(w, 8), i;

	if (fd < 0)
		return;
	for (i = 0; i < n; i++) {
		build_msg(w, &mm[i].msg_hdr, &iov[i], w->buf + i * 8192,
			  cbuf[i], sizeof(cbuf[i]));
		if (iov[i].iov_len > 8192)
			iov[i].iov_len = 8192;
	}
	call_begin(w, C_ESP_SENDMMSG);
	rec(w, C_ESP_SENDMMSG, sendmmsg(fd, mm, n, MSG_DONTWAIT));
}

static void keep_result(struct msghdr *m, const char *data, ssize_t n)
{
	struct cmsghdr *c;
	uint32_t st = 0;
	static unsigned int pos;

	if (n <= 0 || n >= 4096 || (m->msg_flags & MSG_TRUNC))
		return;
	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c))
		if (c->cmsg_level == SOL_M2MSEC &&
		    c->cmsg_type == M2MSEC_CMSG_ESPRIM_STATUS &&
		    c->cmsg_len >= CMSG_LEN(4))
			memcpy(&st, CMSG_DATA(c), 4);
	if (st != M2MSEC_RSC_OK || !memchr(data, '.', n))
		return;
	pthread_mutex_lock(&obj_lock);
	pos = (pos + 1) % 16;
	memcpy(objs[pos].obj, data, n);
	objs[pos].len = n;
	pthread_mutex_unlock(&obj_lock);
}

static void op_esp_recv(struct worker *w)
{
	char cbuf[600];
	struct iovec iov = { .iov_base = w->buf,
			     .iov_len = chance(w, 10) ? rn(w, 64) : 8192 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = chance(w, 10) ? rn(w, 64) :
					      sizeof(cbuf) };
	int fd = pool_pick(w, &esp_pool);
	ssize_t n;

	if (fd < 0)
		return;
	call_begin(w, C_ESP_RECV);
	n = rec(w, C_ESP_RECV, recvmsg(fd, &m, MSG_DONTWAIT |
				       (chance(w, 5) ? MSG_PEEK : 0)));
	keep_result(&m, w->buf, n);
}

static void op_esp_recvmmsg(struct worker *w)
{
	struct mmsghdr mm[8];
	struct iovec iov[8];
	char cbuf[8][400];
	int fd = pool_pick(w, &esp_pool), n = 1 + rn(w, 8), i, r;

	if (fd < 0)
		return;
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < n; i++) {
		iov[i].iov_base = w->buf + i * 8192;
		iov[i].iov_len = chance(w, 10) ? rn(w, 100) : 8192;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_control = cbuf[i];
		mm[i].msg_hdr.msg_controllen = sizeof(cbuf[i]);
	}
	call_begin(w, C_ESP_RECVMMSG);
	r = rec(w, C_ESP_RECVMMSG, recvmmsg(fd, mm, n, MSG_DONTWAIT, NULL));
	for (i = 0; i < r; i++)
		keep_result(&mm[i].msg_hdr, iov[i].iov_base, mm[i].msg_len);
}

void esp_init(void)
{
}

const struct op esp_ops[] = {
	{ "esp_socket", 4, op_esp_socket, false },
	{ "esp_close", 3, op_esp_close, false },
	{ "esp_sockopt", 6, op_esp_sockopt, false },
	{ "esp_send", 10, op_esp_send, false },
	{ "esp_sendmmsg", 3, op_esp_sendmmsg, false },
	{ "esp_recv", 10, op_esp_recv, false },
	{ "esp_recvmmsg", 3, op_esp_recvmmsg, false },
};
const int n_esp_ops = ARRAY_SIZE(esp_ops);
