// SPDX-License-Identifier: GPL-2.0
/*
 * A small raw generic netlink client: one socket per worker thread, opened
 * before any pooled descriptor exists and never closed during the run, so
 * a stale descriptor number of a pool can never name it.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "stress.h"

struct family_info fam;
pthread_mutex_t fam_lock = PTHREAD_MUTEX_INITIALIZER;

int nl_open(struct worker *w)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 5 };
	int one = 1;

	w->nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (w->nl < 0)
		return -1;
	if (bind(w->nl, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	setsockopt(w->nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(w->nl, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(w->nl, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

void nlb_init(struct nlb *b, int type, int cmd, int flags)
{
	struct nlmsghdr *h = (struct nlmsghdr *)b->buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(h + 1);

	memset(b->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	g->cmd = cmd;
	g->version = M2MSEC_GENL_VERSION;
	b->len = NLMSG_HDRLEN + GENL_HDRLEN;
	b->depth = 0;
}

void nla_put(struct nlb *b, int type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(b->buf + b->len);
	size_t tot = NLA_ALIGN(NLA_HDRLEN + len);

	if (b->len + tot > sizeof(b->buf))
		return;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, tot - NLA_HDRLEN - len);
	b->len += tot;
}

void nla_u8(struct nlb *b, int type, uint8_t v)
{
	nla_put(b, type, &v, 1);
}

void nla_u16(struct nlb *b, int type, uint16_t v)
{
	nla_put(b, type, &v, 2);
}

void nla_u32(struct nlb *b, int type, uint32_t v)
{
	nla_put(b, type, &v, 4);
}

void nla_u64(struct nlb *b, int type, uint64_t v)
{
	nla_put(b, type, &v, 8);
}

void nla_nest(struct nlb *b, int type)
{
	if (b->depth >= 4)
		return;
	b->nest[b->depth++] = b->len;
	nla_put(b, type | NLA_F_NESTED, NULL, 0);
}

void nla_nest_end(struct nlb *b)
{
	struct nlattr *a;

	if (!b->depth)
		return;
	a = (struct nlattr *)(b->buf + b->nest[--b->depth]);
	a->nla_len = b->buf + b->len - (char *)a;
}

const struct nlattr *nla_find(const struct nlattr *a, int len, int type)
{
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		len -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a +
					    NLA_ALIGN(a->nla_len));
	}
	return NULL;
}

uint32_t nla_get_u32(const struct nlattr *a)
{
	uint32_t v = 0;

	if (a && a->nla_len >= NLA_HDRLEN + 4)
		memcpy(&v, (const char *)a + NLA_HDRLEN, 4);
	return v;
}

/* Send @b and read replies until its ack, error or NLMSG_DONE. */
int nl_call(struct worker *w, enum call c, struct nlb *b, nl_cb cb, void *arg)
{
	struct nlmsghdr *h = (struct nlmsghdr *)b->buf;
	uint32_t seq = ++w->nlseq;
	int err = 0;
	bool done = false;

	h->nlmsg_len = b->len;
	h->nlmsg_seq = seq;
	if (!(h->nlmsg_flags & NLM_F_DUMP))
		h->nlmsg_flags |= NLM_F_ACK;
	call_begin(w, c);
	if (send(w->nl, b->buf, b->len, 0) < 0)
		return rec_err(w, c, errno);
	while (!done) {
		ssize_t n = recv(w->nl, w->buf, sizeof(w->buf), 0);
		struct nlmsghdr *r;

		if (n < 0) {
			/* Interrupted: the rest of the answer is dropped by
			 * the sequence check of the next call. */
			return rec_err(w, c, errno);
		}
		for (r = (struct nlmsghdr *)w->buf; NLMSG_OK(r, n);
		     r = NLMSG_NEXT(r, n)) {
			if (r->nlmsg_seq != seq)
				continue;
			if (r->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(r);

				err = -e->error;
				done = true;
				break;
			}
			if (r->nlmsg_type == NLMSG_DONE) {
				int e = 0;

				if (NLMSG_PAYLOAD(r, 0) >= sizeof(int))
					memcpy(&e, NLMSG_DATA(r), sizeof(int));
				err = -e;
				done = true;
				break;
			}
			if (cb && r->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN) {
				struct genlmsghdr *g = NLMSG_DATA(r);

				cb(w, (const struct nlattr *)((char *)g +
							      GENL_HDRLEN),
				   r->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN,
				   g->cmd, arg);
			}
		}
	}
	return rec_err(w, c, err) ? -err : 0;
}

static void resolve_cb(struct worker *w, const struct nlattr *a, int len,
		       int cmd, void *arg)
{
	const struct nlattr *id = nla_find(a, len, CTRL_ATTR_FAMILY_ID);
	const struct nlattr *grps = nla_find(a, len, CTRL_ATTR_MCAST_GROUPS);
	struct family_info *f = arg;

	(void)w;
	(void)cmd;
	if (id)
		f->id = *(uint16_t *)((char *)id + NLA_HDRLEN);
	if (grps) {
		const struct nlattr *g = (const void *)((char *)grps +
							NLA_HDRLEN);
		int gl = grps->nla_len - NLA_HDRLEN;

		while (gl >= NLA_HDRLEN && g->nla_len >= NLA_HDRLEN &&
		       g->nla_len <= gl) {
			const struct nlattr *in = (const void *)((char *)g +
								 NLA_HDRLEN);
			int il = g->nla_len - NLA_HDRLEN;
			const struct nlattr *nm = nla_find(in, il,
						CTRL_ATTR_MCAST_GRP_NAME);
			const struct nlattr *gid = nla_find(in, il,
						CTRL_ATTR_MCAST_GRP_ID);

			if (nm && gid) {
				const char *s = (char *)nm + NLA_HDRLEN;

				if (!strcmp(s, M2MSEC_MCGRP_HANDSHAKE))
					f->grp_handshake = nla_get_u32(gid);
				else if (!strcmp(s, M2MSEC_MCGRP_EVENTS))
					f->grp_events = nla_get_u32(gid);
			}
			gl -= NLA_ALIGN(g->nla_len);
			g = (const void *)((char *)g + NLA_ALIGN(g->nla_len));
		}
	}
}

/* Resolve the "m2msec" family (again after a module reload). */
int nl_resolve(struct worker *w)
{
	struct family_info f = {};
	struct nlb b;
	int err;

	nlb_init(&b, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	((struct genlmsghdr *)(b.buf + NLMSG_HDRLEN))->version = 1;
	nla_put(&b, CTRL_ATTR_FAMILY_NAME, M2MSEC_GENL_NAME,
		sizeof(M2MSEC_GENL_NAME));
	err = nl_call(w, C_NL_RESOLVE, &b, resolve_cb, &f);
	pthread_mutex_lock(&fam_lock);
	if (!err) {
		fam.id = f.id;
		fam.grp_handshake = f.grp_handshake;
		fam.grp_events = f.grp_events;
	}
	fam.gen = shm->gen;
	pthread_mutex_unlock(&fam_lock);
	w->gen = shm->gen;
	return err;
}

int m2_call(struct worker *w, enum call c, int cmd, int flags, struct nlb *b,
	    nl_cb cb, void *arg)
{
	struct nlmsghdr *h = (struct nlmsghdr *)b->buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(h + 1);

	if (w->gen != shm->gen || !fam.id)
		nl_resolve(w);
	h->nlmsg_type = fam.id ? fam.id : GENL_ID_CTRL + 100;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	g->cmd = cmd;
	return nl_call(w, c, b, cb, arg);
}
