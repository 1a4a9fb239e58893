// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in handshake daemon, as unruly as allowed: HS_REQUEST
 * notifications, HS_ACCEPT, the listener channel and HS_CLAIM, HS_DONE
 * with good and bad keys or a failure status, reads/writes/closes of
 * handshake channels, and the association control channels HS_DONE hands
 * out (reads, writes, LAST_TX, close), all racing the application side.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "stress.h"

#define MAXFD 4096

struct chan_meta {
	uint32_t id;
	uint8_t role;
	uint16_t lport, pport;
};
static struct chan_meta meta[MAXFD];

static struct { uint32_t id; uint8_t role; } hs_ring[64];
static unsigned int hs_ring_pos;

static struct { uint8_t sa[28]; uint16_t len; } peer_ring[16];
static unsigned int peer_ring_pos;

static int mc_fd = -1;
static unsigned int mc_gen = ~0u;
static pthread_mutex_t mc_lock = PTHREAD_MUTEX_INITIALIZER;

static void ring_add_id(uint32_t id, uint8_t role)
{
	unsigned int i = __atomic_fetch_add(&hs_ring_pos, 1, __ATOMIC_RELAXED);

	hs_ring[i % 64].id = id;
	hs_ring[i % 64].role = role;
}

static uint32_t pick_id(struct worker *w)
{
	unsigned int n = __atomic_load_n(&hs_ring_pos, __ATOMIC_RELAXED);

	if (chance(w, 5))
		return chance(w, 50) ? 0 : (uint32_t)rnd(w);
	if (!n || chance(w, 10))
		return 1 + rn(w, 64);
	/* Mostly the latest requests: the older ones timed out. */
	return hs_ring[(n - 1 - rn(w, n < 16 ? n : 16)) % 64].id;
}

static uint16_t sa_port(const void *sa, int len)
{
	uint16_t p;

	if (len < 4)
		return 0;
	memcpy(&p, (const char *)sa + 2, 2);
	return ntohs(p);
}

/* Join the multicast groups once per module generation. */
static void mc_join(struct worker *w)
{
	uint32_t g;

	pthread_mutex_lock(&mc_lock);
	if (mc_gen != shm->gen || !fam.grp_handshake) {
		if (w->gen != shm->gen || !fam.id)
			nl_resolve(w);
		mc_gen = shm->gen;
		g = fam.grp_handshake;
		call_begin(w, C_MC_JOIN);
		rec(w, C_MC_JOIN, setsockopt(mc_fd, SOL_NETLINK,
					     NETLINK_ADD_MEMBERSHIP, &g,
					     sizeof(g)));
		g = fam.grp_events;
		call_begin(w, C_MC_JOIN);
		rec(w, C_MC_JOIN, setsockopt(mc_fd, SOL_NETLINK,
					     NETLINK_ADD_MEMBERSHIP, &g,
					     sizeof(g)));
	}
	pthread_mutex_unlock(&mc_lock);
}

static void op_mc_read(struct worker *w)
{
	int i;

	if (mc_fd < 0)
		return;
	mc_join(w);
	for (i = 0; i < 8; i++) {
		ssize_t n;
		struct nlmsghdr *h;

		call_begin(w, C_MC_READ);
		n = recv(mc_fd, w->buf, sizeof(w->buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN)
				rec(w, C_MC_READ, n);
			w->cur_call = -1;
			return;
		}
		rec(w, C_MC_READ, 0);
		for (h = (void *)w->buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			struct genlmsghdr *g = NLMSG_DATA(h);
			const struct nlattr *a = (void *)((char *)g +
							  GENL_HDRLEN);
			int len = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
			const struct nlattr *id, *role;

			if (h->nlmsg_type < NLMSG_MIN_TYPE || len < 0 ||
			    g->cmd != M2MSEC_CMD_HS_REQUEST)
				continue;
			id = nla_find(a, len, M2MSEC_A_HS_ID);
			role = nla_find(a, len, M2MSEC_A_HS_ROLE);
			if (id)
				ring_add_id(nla_get_u32(id),
					    role ? *((uint8_t *)role +
						     NLA_HDRLEN) : 0);
		}
	}
}

struct accept_reply {
	int fd;
	uint32_t id;
	uint8_t role;
	uint16_t lport, pport;
};

static void accept_cb(struct worker *w, const struct nlattr *a, int len,
		      int cmd, void *arg)
{
	struct accept_reply *r = arg;
	const struct nlattr *x;

	(void)w;
	(void)cmd;
	x = nla_find(a, len, M2MSEC_A_HS_FD);
	if (x)
		r->fd = nla_get_u32(x);
	x = nla_find(a, len, M2MSEC_A_HS_ID);
	if (x)
		r->id = nla_get_u32(x);
	x = nla_find(a, len, M2MSEC_A_HS_ROLE);
	if (x)
		r->role = *((uint8_t *)x + NLA_HDRLEN);
	x = nla_find(a, len, M2MSEC_A_ASSOC_LOCAL);
	if (x)
		r->lport = sa_port((char *)x + NLA_HDRLEN,
				   x->nla_len - NLA_HDRLEN);
	x = nla_find(a, len, M2MSEC_A_ASSOC_PEER);
	if (x)
		r->pport = sa_port((char *)x + NLA_HDRLEN,
				   x->nla_len - NLA_HDRLEN);
}

static void keep_chan(struct worker *w, struct accept_reply *r)
{
	if (r->fd < 0)
		return;
	if (r->fd < MAXFD) {
		meta[r->fd].id = r->id;
		meta[r->fd].role = r->role;
		meta[r->fd].lport = r->lport;
		meta[r->fd].pport = r->pport;
	}
	if (chance(w, 80))
		fcntl(r->fd, F_SETFL, O_NONBLOCK);
	if (!pool_put(&chan_pool, r->fd))
		close_fd(w, r->fd);
}

static void op_hs_accept(struct worker *w)
{
	struct accept_reply r = { .fd = -1 };
	struct nlb b;

	nlb_init(&b, 0, 0, 0);
	r.id = pick_id(w);
	nla_u32(&b, M2MSEC_A_HS_ID, r.id);
	if (!m2_call(w, C_NL_HS_ACCEPT, M2MSEC_CMD_HS_ACCEPT, 0, &b,
		     accept_cb, &r))
		keep_chan(w, &r);
}

/* A channel of the wanted role, if one turns up in a few picks. */
static int pick_chan(struct worker *w, int role)
{
	int i, fd = -1;

	for (i = 0; i < 6; i++) {
		fd = pool_pick(w, &chan_pool);
		if (fd >= 0 && fd < MAXFD && (!role || meta[fd].role == role))
			return fd;
	}
	return fd;
}

static void op_hs_claim(struct worker *w)
{
	struct accept_reply r = { .fd = -1 };
	struct sockaddr_storage ss;
	struct nlb b;
	socklen_t l;
	int i = rn(w, 16);

	nlb_init(&b, 0, 0, 0);
	nla_u32(&b, M2MSEC_A_HS_FD, pick_chan(w, M2MSEC_HS_LISTENER));
	if (chance(w, 85) && peer_ring[i].len) {
		nla_put(&b, M2MSEC_A_ASSOC_PEER, peer_ring[i].sa,
			peer_ring[i].len);
	} else {
		rand_peer(w, &ss, &l, AF_INET);
		nla_put(&b, M2MSEC_A_ASSOC_PEER, &ss, l);
	}
	if (chance(w, 10)) {
		sockaddr_lo(&ss, &l, AF_INET, PORT_BASE + rn(w, NPORTS));
		nla_put(&b, M2MSEC_A_ASSOC_LOCAL, &ss, l);
	}
	if (!m2_call(w, C_NL_HS_CLAIM, M2MSEC_CMD_HS_CLAIM, 0, &b, accept_cb,
		     &r))
		keep_chan(w, &r);
}

static void done_cb(struct worker *w, const struct nlattr *a, int len,
		    int cmd, void *arg)
{
	const struct nlattr *x = nla_find(a, len, M2MSEC_A_ASSOC_CTRL_FD);

	(void)w;
	(void)cmd;
	if (x)
		*(int *)arg = nla_get_u32(x);
}

static void op_hs_done(struct worker *w)
{
	static const int statuses[] = { EACCES, EKEYREJECTED, EPROTO,
					 ETIMEDOUT, ECONNREFUSED, 5000 };
	struct nlb b;
	int fd = pick_chan(w, chance(w, 90) ? M2MSEC_HS_CLIENT : 0);
	int ctrl = -1;
	int32_t st = 0;
	uint32_t id;

	if (fd >= 0 && fd < MAXFD && chance(w, 90)) {
		id = meta[fd].id;
		if (meta[fd].role == M2MSEC_HS_LISTENER && chance(w, 80))
			return;
	} else {
		id = pick_id(w);
	}
	nlb_init(&b, 0, 0, 0);
	nla_u32(&b, M2MSEC_A_HS_ID, id);
	if (chance(w, 25))
		st = -statuses[rn(w, ARRAY_SIZE(statuses))];
	if (!chance(w, 2))
		nla_put(&b, M2MSEC_A_HS_STATUS, &st, 4);
	if (!st) {
		put_assoc_attrs(w, &b, fd >= 0 && fd < MAXFD ?
				meta[fd].lport : 0,
				fd >= 0 && fd < MAXFD ? meta[fd].pport : 0,
				true);
		if (chance(w, 60))
			nla_put(&b, M2MSEC_A_HS_CTRL, NULL, 0);
	}
	if (!m2_call(w, C_NL_HS_DONE, M2MSEC_CMD_HS_DONE, 0, &b, done_cb,
		     &ctrl) && ctrl >= 0) {
		if (chance(w, 80))
			fcntl(ctrl, F_SETFL, O_NONBLOCK);
		if (!pool_put(&ctrl_pool, ctrl))
			close_fd(w, ctrl);
	}
}

static void op_chan_read(struct worker *w)
{
	int fd = pick_chan(w, 0);
	size_t sz = chance(w, 20) ? rn(w, 80) : 2048;
	ssize_t n;

	if (fd < 0)
		return;
	call_begin(w, C_CHAN_READ);
	n = rec(w, C_CHAN_READ, read(fd, w->buf, sz));
	if (n >= 64 && fd < MAXFD && meta[fd].role == M2MSEC_HS_LISTENER) {
		struct m2msec_hs_dgram *d = (void *)w->buf;
		unsigned int i;

		if (d->peer_len && d->peer_len <= sizeof(d->peer)) {
			i = __atomic_fetch_add(&peer_ring_pos, 1,
					       __ATOMIC_RELAXED) % 16;
			memcpy(peer_ring[i].sa, d->peer, d->peer_len);
			peer_ring[i].len = d->peer_len;
		}
	}
}

static void op_chan_write(struct worker *w)
{
	int fd = pick_chan(w, 0), len;
	bool listener = fd >= 0 && fd < MAXFD &&
			meta[fd].role == M2MSEC_HS_LISTENER;
	char *p = w->buf;

	if (fd < 0)
		return;
	if (listener || chance(w, 5)) {
		struct m2msec_hs_dgram *d = (void *)p;
		int i = rn(w, 16);

		memset(d, 0, sizeof(*d));
		d->hdr_len = chance(w, 80) ? sizeof(*d) :
			     chance(w, 50) ? M2MSEC_HS_DGRAM_MIN : rn(w, 80);
		if (peer_ring[i].len && chance(w, 80)) {
			memcpy(d->peer, peer_ring[i].sa, peer_ring[i].len);
			d->peer_len = peer_ring[i].len;
		} else {
			struct sockaddr_storage ss;
			socklen_t l;

			rand_peer(w, &ss, &l, AF_INET);
			memcpy(d->peer, &ss, l > 28 ? 28 : l);
			d->peer_len = l > 28 ? 28 : l;
		}
		if (chance(w, 3))
			d->reserved = 1;
		len = d->hdr_len + hostile_dgram(w, p + d->hdr_len, 1400,
						  0);
		if (chance(w, 3))
			len = rn(w, 70);
	} else {
		len = hostile_dgram(w, p, 1400, meta[fd].lport);
		if (chance(w, 2))
			len = 65508 + rn(w, 3);
	}
	call_begin(w, C_CHAN_WRITE);
	rec(w, C_CHAN_WRITE, write(fd, p, len));
}

static void op_chan_close(struct worker *w)
{
	close_fd(w, pool_take(w, &chan_pool));
}

static void op_ctrl_read(struct worker *w)
{
	int fd = pool_pick(w, &ctrl_pool);

	if (fd < 0)
		return;
	call_begin(w, C_CTRL_READ);
	rec(w, C_CTRL_READ, read(fd, w->buf, chance(w, 20) ? rn(w, 40) :
				 2048));
}

static void op_ctrl_write(struct worker *w)
{
	static const uint8_t types[] = { 21, 22, 26, 23, 0, 20 };
	struct m2msec_ctrl_hdr *h = (void *)w->buf;
	int fd = pool_pick(w, &ctrl_pool);
	size_t n = chance(w, 3) ? 16385 : rn(w, 300);

	if (fd < 0)
		return;
	memset(h, 0, sizeof(*h));
	h->type = chance(w, 90) ? types[rn(w, 3)] : types[rn(w, 6)];
	h->len = chance(w, 90) ? n : (uint32_t)rnd(w);
	if (chance(w, 5))
		h->epoch = 1;
	rnd_bytes(w, w->buf + sizeof(*h), n > 64 ? 64 : n);
	call_begin(w, C_CTRL_WRITE);
	rec(w, C_CTRL_WRITE, write(fd, w->buf, sizeof(*h) +
				   (chance(w, 5) ? rn(w, n + 1) : n)));
}

static void op_ctrl_ioctl(struct worker *w)
{
	struct m2msec_ctrl_recno rn_;
	int fd = pool_pick(w, &ctrl_pool);

	if (fd < 0)
		return;
	call_begin(w, C_CTRL_IOCTL);
	rec(w, C_CTRL_IOCTL, ioctl(fd, chance(w, 90) ? M2MSEC_CTRL_LAST_TX :
				   _IOR(0x4d, 2, int), &rn_));
}

static void op_ctrl_poll(struct worker *w)
{
	struct pollfd p[2];
	int n = 0, i;

	for (i = 0; i < 2; i++) {
		int fd = i ? pool_pick(w, &ctrl_pool) : pick_chan(w, 0);

		if (fd < 0)
			continue;
		p[n].fd = fd;
		p[n].events = POLLIN | POLLOUT | POLLRDHUP;
		n++;
	}
	if (!n)
		return;
	call_begin(w, C_CTRL_POLL);
	rec(w, C_CTRL_POLL, poll(p, n, rn(w, 10)));
}

static void op_ctrl_close(struct worker *w)
{
	close_fd(w, pool_take(w, &ctrl_pool));
}

void hs_init(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	/* Children call it again: their own socket, in their namespace. */
	if (mc_fd >= 0)
		close(mc_fd);
	mc_gen = ~0u;
	mc_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (mc_fd >= 0 && bind(mc_fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(mc_fd);
		mc_fd = -1;
	}
}

const struct op hs_ops[] = {
	{ "mc_read", 8, op_mc_read, false },
	{ "hs_accept", 6, op_hs_accept, false },
	{ "hs_claim", 4, op_hs_claim, false },
	{ "hs_done", 6, op_hs_done, false },
	{ "chan_read", 6, op_chan_read, false },
	{ "chan_write", 4, op_chan_write, false },
	{ "chan_close", 2, op_chan_close, false },
	{ "ctrl_read", 3, op_ctrl_read, false },
	{ "ctrl_write", 4, op_ctrl_write, false },
	{ "ctrl_ioctl", 1, op_ctrl_ioctl, false },
	{ "ctrl_poll", 2, op_ctrl_poll, false },
	{ "ctrl_close", 2, op_ctrl_close, false },
};
const int n_hs_ops = ARRAY_SIZE(hs_ops);
