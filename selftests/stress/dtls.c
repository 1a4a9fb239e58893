// SPDX-License-Identifier: GPL-2.0
/*
 * DTLS sockets, associations over netlink, record keys, and the datagrams
 * thrown at the sockets' ports: valid records between m2msec sockets
 * (both ends of a pair derive the same keys from their two ports) and
 * hostile ones from plain UDP and raw sockets.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <keyutils.h>

#include "stress.h"

/* ------------------------------------------------------------ keys */
struct profile {
	uint16_t ver;
	uint32_t cipher;
	uint16_t key, iv, sn;
};

static const struct profile profiles[] = {
	{ M2MSEC_DTLS_1_2, M2MSEC_CIPHER_AES_128_GCM, 16, 4, 0 },
	{ M2MSEC_DTLS_1_2, M2MSEC_CIPHER_AES_128_CCM_8, 16, 4, 0 },
	{ M2MSEC_DTLS_1_2, M2MSEC_CIPHER_CHACHA20_POLY1305, 32, 12, 0 },
	{ M2MSEC_DTLS_1_3, M2MSEC_CIPHER_AES_128_GCM, 16, 12, 16 },
	{ M2MSEC_DTLS_1_3, M2MSEC_CIPHER_AES_256_GCM, 32, 12, 32 },
	{ M2MSEC_DTLS_1_3, M2MSEC_CIPHER_CHACHA20_POLY1305, 32, 12, 32 },
	{ M2MSEC_DTLS_1_3, M2MSEC_CIPHER_AES_128_CCM, 16, 12, 16 },
	{ M2MSEC_DTLS_1_3, M2MSEC_CIPHER_AES_128_CCM_8, 16, 12, 16 },
};
#define NPROF	((int)ARRAY_SIZE(profiles))
#define KPP	3
#define NRECKEYS (NPROF * KPP)

static int rec_serial[NRECKEYS];

int nkey_slots(void)
{
	return NRECKEYS;
}

/* Add (or replace) record key @slot; its bytes depend on the slot only. */
static int add_record_key(struct worker *w, int slot)
{
	const struct profile *p = &profiles[slot % NPROF];
	struct m2msec_key_payload *k = (void *)w->buf;
	size_t n = p->key + p->iv + p->sn, i;
	char desc[48];
	long r;

	k->version = M2MSEC_KEY_PAYLOAD_V1;
	k->kind = M2MSEC_KEY_RECORD;
	k->reserved = 0;
	k->key_len = p->key;
	k->iv_len = p->iv;
	k->sn_key_len = p->sn;
	k->id_len = 0;
	for (i = 0; i < n; i++)
		k->data[i] = slot * 37 + i;
	snprintf(desc, sizeof(desc), "stress-rec-%d", slot);
	call_begin(w, C_ADD_KEY);
	r = rec(w, C_ADD_KEY, add_key(M2MSEC_KEY_TYPE, desc, k,
				      sizeof(*k) + n,
				      KEY_SPEC_PROCESS_KEYRING));
	if (r > 0)
		__atomic_store_n(&rec_serial[slot], (int)r, __ATOMIC_RELAXED);
	return r > 0 ? (int)r : 0;
}

int key_record(struct worker *w, int slot)
{
	int s = __atomic_load_n(&rec_serial[slot], __ATOMIC_RELAXED);

	/* Keys get revoked, invalidated and expire all the time: a user
	 * adds a fresh one now and then. */
	if (!s || chance(w, 15))
		s = add_record_key(w, slot);
	return s;
}

/* ------------------------------------------------------------ addresses */
void sockaddr_lo(struct sockaddr_storage *ss, socklen_t *len, int fam,
		 int port)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == AF_INET6) {
		struct sockaddr_in6 *s6 = (void *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		s6->sin6_addr = in6addr_loopback;
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (void *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*s4);
	}
}

/* A peer port: another m2msec socket's, a plain UDP peer's, or any. */
static int rand_peer_port(struct worker *w)
{
	int r = rn(w, 10);

	if (r < 5)
		return PORT_BASE + rn(w, NPORTS);
	if (r < 9)
		return PEER_BASE + rn(w, NPEERS);
	return 1 + rn(w, 65535);
}

int rand_peer(struct worker *w, struct sockaddr_storage *ss, socklen_t *len,
	      int fam)
{
	int port = rand_peer_port(w);

	sockaddr_lo(ss, len, chance(w, 3) ? (fam == AF_INET ? AF_INET6 :
					     AF_INET) : fam, port);
	if (chance(w, 2))
		*len = rn(w, sizeof(*ss));
	return port;
}

int port_of_fd(int fd, int *fam)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);

	*fam = AF_INET;
	if (getsockname(fd, (struct sockaddr *)&ss, &l) < 0)
		return 0;
	*fam = ss.ss_family;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

static uint32_t mix(uint32_t a, uint32_t b)
{
	uint32_t h = a * 0x9e3779b1u ^ (b + 0x7f4a7c15u) * 0x85ebca6bu;

	return h ^ (h >> 13);
}

static void cid_of(int port, uint8_t cid[4])
{
	cid[0] = 0xc1;
	cid[1] = port >> 8;
	cid[2] = port;
	cid[3] = 0x1d;
}

static void put_dir(struct worker *w, struct nlb *b, int type, int slot,
		    uint64_t epoch, uint64_t seq)
{
	nla_nest(b, type);
	if (!chance(w, 2))
		nla_u64(b, M2MSEC_A_DIR_EPOCH, epoch);
	if (!chance(w, 2))
		nla_u64(b, M2MSEC_A_DIR_SEQ, seq);
	if (!chance(w, 2))
		nla_u32(b, M2MSEC_A_DIR_KEY, chance(w, 3) ?
			(uint32_t)rnd(w) : (uint32_t)key_record(w, slot));
	nla_nest_end(b);
}

/*
 * Association attributes between local port @lport and peer port @pport:
 * both ends compute the same profile, keys and CIDs, mirrored, so two
 * m2msec sockets keyed towards each other exchange valid records.  A few
 * percent of requests get one attribute wrong.
 */
void put_assoc_attrs(struct worker *w, struct nlb *b, int lport, int pport,
		     bool hs)
{
	uint32_t pair = mix(lport < pport ? lport : pport,
			    lport < pport ? pport : lport);
	int p = pair % NPROF;
	const struct profile *pr = &profiles[p];
	int tx = p + NPROF * (mix(lport, pport) % KPP);
	int rx = p + NPROF * (mix(pport, lport) % KPP);
	bool bad = chance(w, 8);
	uint8_t cid[4];

	if (bad && chance(w, 50))
		tx = rn(w, NRECKEYS);
	if (!(bad && chance(w, 20)))
		nla_u16(b, M2MSEC_A_ASSOC_VERSION, bad && chance(w, 20) ?
			(uint16_t)rnd(w) : pr->ver);
	if (!(bad && chance(w, 20)))
		nla_u32(b, M2MSEC_A_ASSOC_CIPHER, bad && chance(w, 30) ?
			rn(w, 8) : pr->cipher);
	put_dir(w, b, M2MSEC_A_ASSOC_TX, tx, bad && chance(w, 30) ?
		rnd(w) : 1, bad && chance(w, 30) ? rnd(w) : rn(w, 4));
	put_dir(w, b, M2MSEC_A_ASSOC_RX, rx, 1, chance(w, 50) ? 0 : 1);
	if (pair & 8) {
		cid_of(pport, cid);
		nla_put(b, M2MSEC_A_ASSOC_TX_CID, cid,
			bad && chance(w, 30) ? rn(w, 5) : 4);
		cid_of(lport, cid);
		nla_put(b, M2MSEC_A_ASSOC_RX_CID, cid, 4);
	}
	if (chance(w, 10))
		nla_u32(b, M2MSEC_A_ASSOC_REPLAY_WINDOW,
			bad ? (uint32_t)rnd(w) : 64 * (1 + rn(w, 16)));
	if (chance(w, 10))
		nla_u32(b, M2MSEC_A_ASSOC_RX_GRACE_MS, rn(w, 3000));
	if (chance(w, 10))
		nla_u32(b, M2MSEC_A_ASSOC_TX_GRACE_MS, rn(w, 3000));
	if (chance(w, 5))
		nla_u16(b, M2MSEC_A_ASSOC_SUITE, chance(w, 50) ?
			0x1301 + rn(w, 5) : (uint16_t)rnd(w));
	if (chance(w, 2))
		nla_put(b, M2MSEC_A_ASSOC_DRIVER, "nosuchdriver", 13);
	if (hs && chance(w, 80)) {
		char id[80];
		int n = snprintf(id, sizeof(id), "psk:stress-%u",
				 (unsigned int)rn(w, 100));

		if (chance(w, 3)) {
			memset(w->buf, 'x', 1100);
			nla_put(b, M2MSEC_A_HS_PEER_ID, w->buf, 1100);
		} else {
			nla_put(b, M2MSEC_A_HS_PEER_ID, id, n + 1);
		}
	}
}

/* ------------------------------------------------------------ sockets */
static int udp_peers[2][NPEERS];
static int raw_fd = -1;

int dtls_socket(struct worker *w, int family)
{
	int type = SOCK_DGRAM, proto = chance(w, 50) ? M2MSEC_PROTO_DTLS : 0;
	int fd;

	(void)family;
	if (chance(w, 3)) {
		static const int types[] = { SOCK_STREAM, SOCK_RAW,
					     SOCK_SEQPACKET, SOCK_RDM };
		type = types[rn(w, 4)];
		proto = rn(w, 4);
	}
	if (chance(w, 20))
		type |= SOCK_NONBLOCK;
	call_begin(w, C_SOCKET);
	fd = rec(w, C_SOCKET, socket(fam.sockfamily, type | SOCK_CLOEXEC,
				     proto));
	return fd;
}

int dtls_new_socket(struct worker *w)
{
	struct sockaddr_storage ss;
	struct timeval tv = { .tv_usec = 50000 };
	socklen_t l;
	int fd = dtls_socket(w, AF_INET), f;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (chance(w, 80)) {
		f = chance(w, 25) ? AF_INET6 : AF_INET;
		sockaddr_lo(&ss, &l, f, PORT_BASE + rn(w, NPORTS));
		call_begin(w, C_BIND);
		rec(w, C_BIND, bind(fd, (struct sockaddr *)&ss, l));
	}
	if (!pool_put(&dtls_pool, fd)) {
		close_fd(w, fd);
		return -1;
	}
	return fd;
}

static void op_socket(struct worker *w)
{
	dtls_new_socket(w);
}

static void op_bind(struct worker *w)
{
	struct sockaddr_storage ss;
	socklen_t l;
	int fd = pool_pick(w, &dtls_pool);

	if (fd < 0)
		return;
	sockaddr_lo(&ss, &l, chance(w, 25) ? AF_INET6 : AF_INET,
		    chance(w, 90) ? PORT_BASE + rn(w, NPORTS) : 0);
	if (chance(w, 3))
		l = rn(w, sizeof(ss));
	call_begin(w, C_BIND);
	rec(w, C_BIND, bind(fd, (struct sockaddr *)&ss, l));
}

static void op_connect(struct worker *w)
{
	struct sockaddr_storage ss;
	socklen_t l;
	int fd = pool_pick(w, &dtls_pool), fl, f;

	if (fd < 0)
		return;
	port_of_fd(fd, &f);
	rand_peer(w, &ss, &l, f);
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0 && chance(w, 80))
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	else if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	call_begin(w, C_CONNECT);
	rec(w, C_CONNECT, connect(fd, (struct sockaddr *)&ss, l));
}

static void op_listen(struct worker *w)
{
	int fd = pool_pick(w, &dtls_pool);

	if (fd < 0)
		return;
	call_begin(w, C_LISTEN);
	rec(w, C_LISTEN, listen(fd, rn(w, 16)));
}

static size_t payload_len(struct worker *w)
{
	size_t n;

	if (chance(w, 3))
		n = 16384 + rn(w, 64);
	else if (chance(w, 30))
		n = rn(w, 32);
	else
		n = rn(w, 1400);
	return n;
}

/* Control messages of a DTLS sendmsg(): assoc id, epoch, or junk. */
static size_t put_cmsgs(struct worker *w, char *cbuf, size_t max)
{
	struct msghdr m = { .msg_control = cbuf, .msg_controllen = max };
	struct cmsghdr *c;
	size_t used = 0;
	int r = rn(w, 10);

	memset(cbuf, 0, max);
	if (r < 4)
		return 0;
	c = CMSG_FIRSTHDR(&m);
	if (r < 8 || r == 9) {
		uint32_t id = chance(w, 80) ? 1 + rn(w, 6) : (uint32_t)rnd(w);

		c->cmsg_level = SOL_M2MSEC;
		c->cmsg_type = M2MSEC_CMSG_ASSOC_ID;
		c->cmsg_len = CMSG_LEN(chance(w, 5) ? rn(w, 8) : 4);
		memcpy(CMSG_DATA(c), &id, 4);
		used = CMSG_SPACE(4);
		c = CMSG_NXTHDR(&m, c);
	}
	if (r >= 7 && c) {
		uint64_t ep = chance(w, 80) ? 1 + rn(w, 3) : rnd(w);

		c->cmsg_level = chance(w, 5) ? SOL_SOCKET : SOL_M2MSEC;
		c->cmsg_type = chance(w, 5) ? rn(w, 9) : M2MSEC_CMSG_EPOCH;
		c->cmsg_len = CMSG_LEN(chance(w, 5) ? rn(w, 12) : 8);
		memcpy(CMSG_DATA(c), &ep, 8);
		used += CMSG_SPACE(8);
	}
	return used;
}

static void op_send(struct worker *w)
{
	struct sockaddr_storage ss;
	char cbuf[64];
	struct iovec iov[2];
	struct msghdr m = {};
	socklen_t l = 0;
	size_t n = payload_len(w);
	int fd = pool_pick(w, &dtls_pool), f;

	if (fd < 0)
		return;
	port_of_fd(fd, &f);
	rnd_bytes(w, w->buf, n > 64 ? 64 : n);
	iov[0].iov_base = w->buf;
	iov[0].iov_len = n;
	m.msg_iov = iov;
	m.msg_iovlen = 1;
	if (chance(w, 10) && n > 2) {
		iov[0].iov_len = n / 2;
		iov[1].iov_base = w->buf + n / 2;
		iov[1].iov_len = n - n / 2;
		m.msg_iovlen = 2;
	}
	if (chance(w, 50)) {
		rand_peer(w, &ss, &l, f);
		m.msg_name = &ss;
		m.msg_namelen = l;
	}
	m.msg_controllen = put_cmsgs(w, cbuf, sizeof(cbuf));
	if (m.msg_controllen)
		m.msg_control = cbuf;
	call_begin(w, C_SENDMSG);
	rec(w, C_SENDMSG, sendmsg(fd, &m, chance(w, 90) ? MSG_DONTWAIT : 0));
}

static void op_sendmmsg(struct worker *w)
{
	struct mmsghdr mm[8];
	struct iovec iov[8];
	char cbuf[64];
	int fd = pool_pick(w, &dtls_pool), n = 1 + rn(w, 8), i;
	size_t cl;

	if (fd < 0)
		return;
	cl = put_cmsgs(w, cbuf, sizeof(cbuf));
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < n; i++) {
		size_t len = payload_len(w) % 1200;

		iov[i].iov_base = w->buf + i * 1200;
		iov[i].iov_len = len;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_control = cl ? cbuf : NULL;
		mm[i].msg_hdr.msg_controllen = cl;
	}
	call_begin(w, C_SENDMMSG);
	rec(w, C_SENDMMSG, sendmmsg(fd, mm, n, MSG_DONTWAIT));
}

static void op_recv(struct worker *w)
{
	struct sockaddr_storage ss;
	char cbuf[128];
	struct iovec iov = { .iov_base = w->buf, .iov_len = rn(w, 2000) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fd = pool_pick(w, &dtls_pool), fl = 0;
	static const int csz[] = { 0, 8, 16, 24, 64, 128 };

	if (fd < 0)
		return;
	if (chance(w, 70)) {
		m.msg_name = &ss;
		m.msg_namelen = chance(w, 80) ? sizeof(ss) : rn(w, 16);
	}
	m.msg_controllen = csz[rn(w, ARRAY_SIZE(csz))];
	m.msg_control = m.msg_controllen ? cbuf : NULL;
	if (chance(w, 90))
		fl |= MSG_DONTWAIT;
	if (chance(w, 10))
		fl |= MSG_PEEK;
	if (chance(w, 10))
		fl |= MSG_TRUNC;
	call_begin(w, C_RECVMSG);
	rec(w, C_RECVMSG, recvmsg(fd, &m, fl));
}

static void op_recvmmsg(struct worker *w)
{
	struct mmsghdr mm[8];
	struct iovec iov[8];
	char cbuf[8][64];
	struct timespec ts = { .tv_nsec = 20000000 };
	int fd = pool_pick(w, &dtls_pool), n = 1 + rn(w, 8), i;

	if (fd < 0)
		return;
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < n; i++) {
		iov[i].iov_base = w->buf + i * 2048;
		iov[i].iov_len = rn(w, 2048);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_control = cbuf[i];
		mm[i].msg_hdr.msg_controllen = chance(w, 80) ? 64 : rn(w, 64);
	}
	call_begin(w, C_RECVMMSG);
	rec(w, C_RECVMMSG, recvmmsg(fd, mm, n, chance(w, 70) ? MSG_DONTWAIT :
				    MSG_WAITFORONE, &ts));
}

static void op_poll(struct worker *w)
{
	struct pollfd p[6];
	int i, n = 0;

	for (i = 0; i < 6; i++) {
		struct pool *pl = i < 3 ? &dtls_pool : i < 4 ? &esp_pool :
				  i < 5 ? &chan_pool : &ctrl_pool;
		int fd = pool_pick(w, pl);

		if (fd < 0)
			continue;
		p[n].fd = fd;
		p[n].events = POLLIN | POLLOUT | POLLRDHUP;
		n++;
	}
	if (!n)
		return;
	call_begin(w, C_POLL);
	rec(w, C_POLL, poll(p, n, rn(w, 20)));
}

static void op_close(struct worker *w)
{
	close_fd(w, pool_take(w, &dtls_pool));
}

static void op_sockopt(struct worker *w)
{
	int fd = pool_pick(w, &dtls_pool), r = rn(w, 8);
	char name[300];
	socklen_t l;
	uint32_t id;

	if (fd < 0)
		return;
	switch (r) {
	case 0:
	case 1: {
		size_t n = rn(w, 300), i;

		for (i = 0; i < n; i++)
			name[i] = chance(w, 98) ? (char)('a' + rn(w, 26)) :
				  (char)rn(w, 256);
		call_begin(w, C_SETSOCKOPT);
		rec(w, C_SETSOCKOPT, setsockopt(fd, SOL_M2MSEC,
						M2MSEC_SO_SERVER_NAME, name,
						chance(w, 10) ? 0 : n));
		break;
	}
	case 2:
		l = rn(w, 300);
		call_begin(w, C_GETSOCKOPT);
		rec(w, C_GETSOCKOPT, getsockopt(fd, SOL_M2MSEC,
						M2MSEC_SO_SERVER_NAME, name,
						&l));
		break;
	case 3:
	case 4:
		id = chance(w, 30) ? 0 : 1 + rn(w, 6);
		memcpy(name, &id, 4);
		l = chance(w, 80) ? sizeof(name) : rn(w, 32);
		call_begin(w, C_GETSOCKOPT);
		rec(w, C_GETSOCKOPT, getsockopt(fd, SOL_M2MSEC,
						M2MSEC_SO_PEER_ID, name, &l));
		break;
	case 5: {
		int v = 1024 + rn(w, 65536);

		call_begin(w, C_SETSOCKOPT);
		rec(w, C_SETSOCKOPT, setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v,
						sizeof(v)));
		break;
	}
	case 6:
		l = sizeof(id);
		call_begin(w, C_GETSOCKOPT);
		rec(w, C_GETSOCKOPT, getsockopt(fd, SOL_SOCKET, SO_ERROR, &id,
						&l));
		break;
	default:
		l = rn(w, 64);
		call_begin(w, C_SETSOCKOPT);
		rec(w, C_SETSOCKOPT, setsockopt(fd, SOL_M2MSEC, rn(w, 8),
						name, l));
		break;
	}
}

static void op_getname(struct worker *w)
{
	struct sockaddr_storage ss;
	socklen_t l = chance(w, 90) ? sizeof(ss) : rn(w, 16);
	int fd = pool_pick(w, &dtls_pool);

	if (fd < 0)
		return;
	call_begin(w, C_GETNAME);
	if (chance(w, 50))
		rec(w, C_GETNAME, getsockname(fd, (struct sockaddr *)&ss, &l));
	else
		rec(w, C_GETNAME, getpeername(fd, (struct sockaddr *)&ss, &l));
}

/* ------------------------------------------------------------ netlink */
static void op_assoc_new(struct worker *w)
{
	struct sockaddr_storage ss;
	struct nlb b;
	socklen_t l;
	int fd = pool_pick(w, &dtls_pool), f, lport, pport;

	if (fd < 0)
		return;
	lport = port_of_fd(fd, &f);
	nlb_init(&b, 0, 0, 0);
	if (!chance(w, 2))
		nla_u32(&b, M2MSEC_A_SOCK_FD, chance(w, 3) ? rn(w, 64) : (uint32_t)fd);
	pport = rand_peer(w, &ss, &l, f);
	if (!chance(w, 2))
		nla_put(&b, M2MSEC_A_ASSOC_PEER, &ss, l);
	put_assoc_attrs(w, &b, lport, pport, false);
	m2_call(w, C_NL_ASSOC_NEW, M2MSEC_CMD_ASSOC_NEW, 0, &b, NULL, NULL);
}

static void put_assoc_ref(struct worker *w, struct nlb *b)
{
	int r = rn(w, 10);

	if (r < 6) {
		nla_u32(b, M2MSEC_A_SOCK_FD, pool_pick(w, &dtls_pool));
		nla_u32(b, M2MSEC_A_ASSOC_ID, 1 + rn(w, 6));
	} else if (r < 8) {
		nla_u32(b, M2MSEC_A_ASSOC_CTRL_FD, pool_pick(w, &ctrl_pool));
	} else {
		nla_u32(b, M2MSEC_A_ASSOC_ID, 1 + rn(w, 6));
		if (chance(w, 30))
			nla_u64(b, M2MSEC_A_ASSOC_SOCK_INO, rn(w, 100000));
	}
}

static void op_assoc_set(struct worker *w)
{
	struct nlb b;
	uint64_t ep = 2 + rn(w, 4);
	int slot = rn(w, NRECKEYS);

	nlb_init(&b, 0, 0, 0);
	put_assoc_ref(w, &b);
	if (chance(w, 70))
		put_dir(w, &b, M2MSEC_A_ASSOC_TX, slot, ep, 0);
	if (chance(w, 70))
		put_dir(w, &b, M2MSEC_A_ASSOC_RX, slot, ep, 0);
	m2_call(w, C_NL_ASSOC_SET, M2MSEC_CMD_ASSOC_SET, 0, &b, NULL, NULL);
}

static void op_assoc_del(struct worker *w)
{
	struct nlb b;

	nlb_init(&b, 0, 0, 0);
	put_assoc_ref(w, &b);
	m2_call(w, C_NL_ASSOC_DEL, M2MSEC_CMD_ASSOC_DEL, 0, &b, NULL, NULL);
}

static void op_assoc_rekey(struct worker *w)
{
	struct nlb b;

	nlb_init(&b, 0, 0, 0);
	put_assoc_ref(w, &b);
	m2_call(w, C_NL_ASSOC_REKEY, M2MSEC_CMD_ASSOC_REKEY, 0, &b, NULL,
		NULL);
}

static void op_assoc_get(struct worker *w)
{
	struct nlb b;

	nlb_init(&b, 0, 0, 0);
	if (chance(w, 50))
		nla_u32(&b, M2MSEC_A_SOCK_FD, pool_pick(w, &dtls_pool));
	m2_call(w, C_NL_ASSOC_GET, M2MSEC_CMD_ASSOC_GET, NLM_F_DUMP, &b, NULL,
		NULL);
}

static void op_queries(struct worker *w)
{
	static const struct { int cmd; enum call c; bool dump; } q[] = {
		{ M2MSEC_CMD_GET_INFO, C_NL_GET_INFO, false },
		{ M2MSEC_CMD_GET_CONFIG, C_NL_GET_CONFIG, false },
		{ M2MSEC_CMD_GET_STATS, C_NL_GET_STATS, false },
		{ M2MSEC_CMD_ESPRIM_GET_STATS, C_NL_ESP_STATS, false },
		{ M2MSEC_CMD_ESPRIM_SESSION_GET, C_NL_ESP_SESS, true },
	};
	struct nlb b;
	int i = rn(w, ARRAY_SIZE(q));

	nlb_init(&b, 0, 0, 0);
	m2_call(w, q[i].c, q[i].cmd, q[i].dump ? NLM_F_DUMP : 0, &b, NULL,
		NULL);
}

static void op_set_config(struct worker *w)
{
	static const struct { int a; uint32_t lo, hi, mult; } cf[] = {
		{ M2MSEC_A_CFG_REPLAY_WINDOW, 1, 64, 64 },
		{ M2MSEC_A_CFG_CTRL_QUEUE_MAX, 1, 128, 1 },
		{ M2MSEC_A_CFG_ESPRIM_MAX_OBJECT, 256, 65536, 1 },
		{ M2MSEC_A_CFG_HS_SOCK_MAX, 1, 64, 1 },
		{ M2MSEC_A_CFG_HS_NET_MAX, 1, 256, 1 },
		{ M2MSEC_A_CFG_HS_TIMEOUT_MS, 100, 3000, 1 },
		{ M2MSEC_A_CFG_HS_RATE, 1, 1000, 1 },
		{ M2MSEC_A_CFG_HS_BURST, 1, 1000, 1 },
		{ M2MSEC_A_CFG_HS_QUEUE_MAX, 1, 64, 1 },
		{ M2MSEC_A_CFG_HS_HELLO_MAX, 1, 128, 1 },
		{ M2MSEC_A_CFG_HS_HELLO_BYTES, 4096, 262144, 1 },
	};
	struct nlb b;
	int n = 1 + rn(w, 3), i;

	nlb_init(&b, 0, 0, 0);
	for (i = 0; i < n; i++) {
		int k = rn(w, ARRAY_SIZE(cf));
		uint32_t v = cf[k].lo + rn(w, cf[k].hi - cf[k].lo + 1);

		v *= cf[k].mult;
		if (chance(w, 5))
			v = (uint32_t)rnd(w);
		nla_u32(&b, cf[k].a, v);
	}
	m2_call(w, C_NL_SET_CONFIG, M2MSEC_CMD_SET_CONFIG, 0, &b, NULL, NULL);
}

/* Random commands with random attributes. */
static void op_nl_garbage(struct worker *w)
{
	struct nlb b;
	int n = rn(w, 8), i;

	nlb_init(&b, 0, 0, 0);
	for (i = 0; i < n; i++) {
		int t = rn(w, M2MSEC_A_MAX + 3), len = rn(w, 40);

		rnd_bytes(w, w->buf, len);
		if (t == M2MSEC_A_SOCK_FD || t == M2MSEC_A_HS_FD ||
		    t == M2MSEC_A_ASSOC_CTRL_FD) {
			/* Never a descriptor that is not the pools'. */
			nla_u32(&b, t, (uint32_t)pool_pick(w, &dtls_pool));
			continue;
		}
		if (chance(w, 20)) {
			nla_nest(&b, t);
			nla_u64(&b, 1 + rn(w, 3), rnd(w));
			nla_nest_end(&b);
		} else {
			nla_put(&b, t, w->buf, len);
		}
	}
	m2_call(w, C_NL_GARBAGE, rn(w, M2MSEC_CMD_MAX + 3),
		chance(w, 30) ? NLM_F_DUMP : 0, &b, NULL, NULL);
}

/* ------------------------------------------------------------ datagrams */
static size_t put_rec12(struct worker *w, uint8_t *p, size_t max, int port)
{
	static const uint8_t types[] = { 20, 21, 22, 23, 25, 24, 26 };
	uint8_t type = types[rn(w, ARRAY_SIZE(types))];
	size_t body = rn(w, 200), h = 13;
	uint16_t ep = rn(w, 3);

	if (max < 32 + body)
		return 0;
	p[0] = type;
	p[1] = 0xfe;
	p[2] = chance(w, 80) ? 0xfd : chance(w, 50) ? 0xff : rnd(w);
	p[3] = ep >> 8;
	p[4] = ep;
	rnd_bytes(w, p + 5, 6);
	if (type == 25) {
		cid_of(port, p + 11);
		h += 4;
	}
	if (chance(w, 10))
		body = 0;
	p[h - 2] = chance(w, 10) ? rnd(w) : body >> 8;
	p[h - 1] = chance(w, 10) ? rnd(w) : body;
	rnd_bytes(w, p + h, body);
	return h + body;
}

static size_t put_rec13(struct worker *w, uint8_t *p, size_t max, int port)
{
	bool c = chance(w, 50), s = chance(w, 50), l = chance(w, 70);
	size_t body = 16 + rn(w, 200), h = 1;

	if (max < 40 + body)
		return 0;
	p[0] = 0x20 | (c ? 0x10 : 0) | (s ? 0x08 : 0) | (l ? 0x04 : 0) |
	       rn(w, 4);
	if (c) {
		cid_of(port, p + h);
		h += 4;
	}
	rnd_bytes(w, p + h, s ? 2 : 1);
	h += s ? 2 : 1;
	if (l) {
		p[h] = body >> 8;
		p[h + 1] = body;
		if (chance(w, 10))
			p[h] = rnd(w);
		h += 2;
	}
	rnd_bytes(w, p + h, body);
	return h + body;
}

static size_t put_client_hello(struct worker *w, uint8_t *p, size_t max)
{
	size_t chl = 2 + 32 + 1 + 1 + 4 + 2, bl = 12 + chl;

	if (max < 13 + bl)
		return 0;
	p[0] = 22;
	p[1] = 0xfe;
	p[2] = chance(w, 50) ? 0xfd : 0xff;
	memset(p + 3, 0, 8);
	p[11] = bl >> 8;
	p[12] = bl;
	p[13] = 1;			/* ClientHello */
	p[14] = 0;
	p[15] = chl >> 8;
	p[16] = chl;
	p[17] = 0;
	p[18] = rn(w, 2);		/* message_seq */
	memset(p + 19, 0, 3);		/* fragment offset */
	p[22] = 0;
	p[23] = chl >> 8;
	p[24] = chl;
	p[25] = 0xfe;
	p[26] = 0xfd;
	rnd_bytes(w, p + 27, 32);
	p[59] = 0;			/* session id */
	p[60] = 0;			/* cookie */
	p[61] = 0;
	p[62] = 2;
	p[63] = 0xc0;
	p[64] = 0xa8;
	p[65] = 1;
	p[66] = 0;
	if (chance(w, 20))
		p[59 + rn(w, 8)] = rnd(w);
	return 13 + bl;
}

int hostile_dgram(struct worker *w, char *buf, size_t max, int port)
{
	uint8_t *p = (uint8_t *)buf;
	size_t n = 0;
	int k = rn(w, 12), i, recs;

	switch (k) {
	case 0:
		n = rn(w, max < 1400 ? max : 1400);
		rnd_bytes(w, p, n);
		break;
	case 1:
	case 2:
	case 3:
		n = put_client_hello(w, p, max);
		break;
	default:
		recs = 1 + (chance(w, 30) ? rn(w, 4) : 0);
		for (i = 0; i < recs; i++) {
			if (chance(w, 50))
				n += put_rec12(w, p + n, max - n, port);
			else
				n += put_rec13(w, p + n, max - n, port);
		}
		break;
	}
	if (n && chance(w, 15))
		n = rn(w, n);
	return n;
}

static void op_udp_send(struct worker *w)
{
	struct sockaddr_storage ss;
	socklen_t l;
	int v6 = chance(w, 25), fd = udp_peers[v6][rn(w, NPEERS)];
	int port = PORT_BASE + rn(w, NPORTS), n = 1 + rn(w, 8), i;

	if (fd < 0)
		return;
	sockaddr_lo(&ss, &l, v6 ? AF_INET6 : AF_INET, port);
	for (i = 0; i < n; i++) {
		int len = hostile_dgram(w, w->buf, 2000, port);

		call_begin(w, C_UDP_SEND);
		rec(w, C_UDP_SEND, sendto(fd, w->buf, len, MSG_DONTWAIT,
					  (struct sockaddr *)&ss, l));
	}
	/* Drain what the m2msec sockets sent back. */
	while (recv(fd, w->buf, sizeof(w->buf), MSG_DONTWAIT) > 0)
		;
}

/* Spoofed sources: many peers, as a flood would have. */
static void op_raw_send(struct worker *w)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct iphdr *ip = (void *)w->buf;
	struct udphdr *udp = (void *)(ip + 1);
	int port = PORT_BASE + rn(w, NPORTS), len, n = 1 + rn(w, 16), i;

	if (raw_fd < 0)
		return;
	for (i = 0; i < n; i++) {
		len = hostile_dgram(w, (char *)(udp + 1), 1400, port);
		memset(ip, 0, sizeof(*ip));
		ip->version = 4;
		ip->ihl = 5;
		ip->ttl = 64;
		ip->protocol = IPPROTO_UDP;
		ip->saddr = htonl(0x7f000000 | (1 + rn(w, 2) * 256 +
						 rn(w, 64)));
		ip->daddr = htonl(INADDR_LOOPBACK);
		ip->tot_len = htons(sizeof(*ip) + sizeof(*udp) + len);
		udp->source = htons(PEER_BASE + 100 + rn(w, 50));
		udp->dest = htons(port);
		udp->len = htons(sizeof(*udp) + len);
		udp->check = 0;
		dst.sin_addr.s_addr = ip->daddr;
		call_begin(w, C_RAW_SEND);
		rec(w, C_RAW_SEND, sendto(raw_fd, w->buf, sizeof(*ip) +
					  sizeof(*udp) + len, MSG_DONTWAIT,
					  (struct sockaddr *)&dst,
					  sizeof(dst)));
	}
}

int lo_up(void)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return -1;
	strcpy(ifr.ifr_name, "lo");
	r = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (!r) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return r;
}

void dtls_init(void)
{
	FILE *f = fopen(M2MSEC_FAMILY_SYSFS, "r");
	int i, v;

	if (!f || fscanf(f, "%d", &fam.sockfamily) != 1)
		fatal("cannot read %s", M2MSEC_FAMILY_SYSFS);
	fclose(f);
	for (v = 0; v < 2; v++) {
		for (i = 0; i < NPEERS; i++) {
			struct sockaddr_storage ss;
			socklen_t l;
			int fd = socket(v ? AF_INET6 : AF_INET,
					SOCK_DGRAM | SOCK_CLOEXEC, 0);

			sockaddr_lo(&ss, &l, v ? AF_INET6 : AF_INET,
				    PEER_BASE + i);
			if (fd >= 0 && bind(fd, (struct sockaddr *)&ss, l)) {
				close(fd);
				fd = -1;
			}
			udp_peers[v][i] = fd;
		}
	}
	raw_fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
}

const struct op dtls_ops[] = {
	{ "socket", 6, op_socket, false },
	{ "bind", 3, op_bind, false },
	{ "connect", 3, op_connect, false },
	{ "listen", 2, op_listen, false },
	{ "sendmsg", 14, op_send, false },
	{ "sendmmsg", 4, op_sendmmsg, false },
	{ "recvmsg", 10, op_recv, false },
	{ "recvmmsg", 4, op_recvmmsg, false },
	{ "poll", 4, op_poll, false },
	{ "close", 4, op_close, false },
	{ "sockopt", 3, op_sockopt, false },
	{ "getname", 2, op_getname, false },
	{ "assoc_new", 12, op_assoc_new, false },
	{ "assoc_set", 4, op_assoc_set, false },
	{ "assoc_del", 3, op_assoc_del, false },
	{ "assoc_rekey", 2, op_assoc_rekey, false },
	{ "assoc_get", 3, op_assoc_get, false },
	{ "queries", 3, op_queries, false },
	{ "set_config", 1, op_set_config, false },
	{ "nl_garbage", 2, op_nl_garbage, false },
	{ "udp_send", 10, op_udp_send, false },
	{ "raw_send", 3, op_raw_send, true },
};
const int n_dtls_ops = ARRAY_SIZE(dtls_ops);
