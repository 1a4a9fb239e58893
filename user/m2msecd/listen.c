// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecd: listeners, the stateless cookie exchange of listening sockets.
 *
 *   kernel                                     m2msecd
 *   listen()        -- HS_REQUEST (listener) -->  nl.c: HS_ACCEPT
 *   hello queue     -- read: hdr + datagram --->  listen.c: a fresh wolfSSL
 *                                                 server object per datagram,
 *   peer           <-- write: hdr + datagram ---  HelloVerifyRequest (1.2) or
 *                                                 HelloRetryRequest cookie (1.3)
 *   ClientHello with a valid cookie: wolfSSL's ClientHello-good callback
 *                   <-- HS_CLAIM (peer) --------  the peer's request, accepted
 *                   --- its channel ----------->  hs.c takes the wolfSSL
 *                                                 object over (hs_adopt())
 *
 * No state is kept per peer before the cookie verified: every datagram gets
 * a new wolfSSL object, with the context its server_name picks (sni.c) and
 * the daemon's cookie secret, freed once wolfSSL answered.  wolfSSL is
 * stateless until a cookie verifies (dtlsStateful); when its callback fires
 * the object is the peer's, and continues on the peer's channel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../lib/m2msec.h"
#include "m2msecd.h"
#include <wolfssl/wolfio.h>

#define LSN_BUDGET	64	/* datagrams per event, then others' turn */

struct hsd_lsn {
	enum hsd_src_kind kind;		/* epoll tag: HSD_SRC_LISTEN */
	struct hsd_lsn *next;
	struct hsd *d;
	struct hs_params p;		/* the listener: id, fd, local, name */
	struct hs_tls tls;		/* callbacks' context until adopted */
	/* The datagram being answered. */
	struct hs_params cur;		/* its peer, local address, name */
	const uint8_t *data;
	size_t len;
	int consumed;
	WOLFSSL *ssl;
	struct hs *adopted;		/* the peer's handshake, once claimed */
	uint8_t buf[sizeof(struct m2msec_hs_dgram) + 65536];
};

static int lsn_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct hsd_lsn *l = ctx;
	size_t n;

	(void)ssl;
	if (l->consumed)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	n = l->len < (size_t)sz ? l->len : (size_t)sz;
	memcpy(buf, l->data, n);
	l->consumed = 1;
	return n;
}

static int lsn_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct hsd_lsn *l = ctx;
	struct m2msec_hs_dgram h = { .hdr_len = sizeof(h) };
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = buf, .iov_len = sz },
	};

	(void)ssl;
	h.peer_len = l->cur.peer_len;
	memcpy(h.peer, &l->cur.peer, h.peer_len);
	if (writev(l->p.fd, iov, 2) < 0 && errno != EAGAIN &&
	    errno != EINTR && errno != ENOBUFS && errno != ECONNREFUSED) {
		hsd_log(LOG_DEBUG, "listener %u: write: %s", l->p.id,
			strerror(errno));
		return WOLFSSL_CBIO_ERR_GENERAL;
	}
	return sz;	/* a lost answer: the peer retransmits */
}

/* Claim the peer's request; the handshake goes on on its channel. */
static int lsn_claim(struct hsd *d, struct hsd_lsn *l, struct hs_params *p)
{
	struct nl_msg *msg;
	int err;

	*p = l->cur;
	p->fd = -1;
	msg = m2msec_genl_msg(&d->req, M2MSEC_CMD_HS_CLAIM);
	if (!msg || nla_put_u32(msg, M2MSEC_A_HS_FD, l->p.fd) ||
	    nla_put(msg, M2MSEC_A_ASSOC_PEER, l->cur.peer_len, &l->cur.peer) ||
	    (l->cur.local_len &&
	     nla_put(msg, M2MSEC_A_ASSOC_LOCAL, l->cur.local_len,
		     &l->cur.local))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = m2msec_genl_call(&d->req, msg, hsd_nl_params_cb, p);
	if (err && p->fd >= 0)
		close(p->fd);
	if (err)
		return err;
	/* The kernel's view of the names wins, ours fills the gaps. */
	if (!*p->server_name)
		memcpy(p->server_name, l->cur.server_name,
		       sizeof(p->server_name));
	fcntl(p->fd, F_SETFD, FD_CLOEXEC);
	return 0;
}

/* wolfSSL: the peer's cookie verified; the object becomes its handshake. */
static int lsn_chgood(WOLFSSL *ssl, void *ctx)
{
	struct hsd_lsn *l = ctx;
	struct hsd *d = l->d;
	struct hs_params p;
	char peer[64];
	int err;

	m2msec_format_addr((const struct sockaddr *)&l->cur.peer, peer,
			   sizeof(peer));
	if (d->count >= d->conf->max_handshakes) {
		hsd_log(LOG_WARNING, "listener %u: %s dropped: %u handshakes in progress (max-handshakes)",
			l->p.id, peer, d->count);
		return -1;
	}
	err = lsn_claim(d, l, &p);
	if (err) {
		hsd_log(err == -EEXIST ? LOG_DEBUG : LOG_WARNING,
			"listener %u: claim of %s: %s", l->p.id, peer,
			strerror(-err));
		return -1;
	}
	l->adopted = hs_adopt(d, &p, ssl, l->data, l->len);
	if (!l->adopted) {
		/* hs_adopt() closed the channel; callbacks come back here. */
		wolfSSL_set_psk_callback_ctx(ssl, &l->tls);
		hsd_rpk_ssl(ssl, &l->tls);
		wolfSSL_SetIOReadCtx(ssl, l);
		wolfSSL_SetIOWriteCtx(ssl, l);
		wolfSSL_SSLSetIORecv(ssl, lsn_recv);
		wolfSSL_SSLSetIOSend(ssl, lsn_send);
		return -1;
	}
	return 0;
}

/*
 * A server object for the datagram in l->cur: the context of the current
 * configuration its server name picks, our cookie secret.  Until it is
 * adopted its callbacks record nothing (l->tls is a stand-in).
 */
static WOLFSSL *lsn_ssl(struct hsd *d, struct hsd_lsn *l)
{
	WOLFSSL *ssl;

	memset(&l->tls, 0, sizeof(l->tls));
	l->tls.conf = d->conf;
	l->tls.role = KX_SERVER;
	l->tls.scratch = 1;
	ssl = hsd_tls_new(d, &l->tls, &l->cur);
	if (!ssl)
		return NULL;
	if (wolfSSL_DTLS_SetCookieSecret(ssl, d->cookie_secret,
					 sizeof(d->cookie_secret)) != 0 ||
	    ((d->conf->versions & HSD_V13) &&
	     wolfSSL_send_hrr_cookie(ssl, d->cookie_secret,
				     sizeof(d->cookie_secret)) !=
	     WOLFSSL_SUCCESS) ||
	    wolfDTLS_SetChGoodCb(ssl, lsn_chgood, l) != WOLFSSL_SUCCESS) {
		wolfSSL_free(ssl);
		return NULL;
	}
	wolfSSL_SSLSetIORecv(ssl, lsn_recv);
	wolfSSL_SSLSetIOSend(ssl, lsn_send);
	wolfSSL_SetIOReadCtx(ssl, l);
	wolfSSL_SetIOWriteCtx(ssl, l);
	return ssl;
}

/* The header of a datagram read from the listener; -1: not usable. */
static int lsn_parse(struct hsd_lsn *l, size_t n)
{
	struct m2msec_hs_dgram h;

	if (n < sizeof(h))
		return -1;
	memcpy(&h, l->buf, sizeof(h));
	if (h.hdr_len < sizeof(h) || h.hdr_len >= n ||
	    h.peer_len > sizeof(h.peer) || h.local_len > sizeof(h.local))
		return -1;
	l->cur = l->p;
	memcpy(&l->cur.peer, h.peer, h.peer_len);
	l->cur.peer_len = h.peer_len;
	memcpy(&l->cur.local, h.local, h.local_len);
	l->cur.local_len = h.local_len;
	l->data = l->buf + h.hdr_len;
	l->len = n - h.hdr_len;
	l->consumed = 0;
	l->adopted = NULL;
	if (!*l->cur.server_name)
		hsd_clienthello_sni(l->data, l->len, l->cur.server_name,
				    sizeof(l->cur.server_name));
	return 0;
}

/* Answer one first flight; hand a peer with a valid cookie over. */
static void lsn_datagram(struct hsd *d, struct hsd_lsn *l)
{
	WOLFSSL *ssl = lsn_ssl(d, l);
	int ret;

	if (!ssl) {
		hsd_log(LOG_ERR, "listener %u: cannot set up a wolfSSL object",
			l->p.id);
		return;
	}
	ret = wolfSSL_accept(ssl);
	if (l->adopted) {
		hs_kick(l->adopted);	/* it owns ssl now */
		return;
	}
	if (ret != WOLFSSL_SUCCESS)
		hsd_log(LOG_DEBUG, "listener %u: stateless answer (%d)",
			l->p.id, wolfSSL_get_error(ssl, ret));
	wolfSSL_free(ssl);
}

static void lsn_free(struct hsd *d, struct hsd_lsn *l)
{
	struct hsd_lsn **pp;

	for (pp = &d->listeners; *pp; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, l->p.fd, NULL);
	close(l->p.fd);
	free(l);
}

void hsd_listen_event(struct hsd *d, enum hsd_src_kind *tag, uint32_t events)
{
	struct hsd_lsn *l = (struct hsd_lsn *)((char *)tag -
					       offsetof(struct hsd_lsn, kind));
	int i;
	ssize_t n;

	(void)events;
	for (i = 0; i < LSN_BUDGET; i++) {
		n = read(l->p.fd, l->buf, sizeof(l->buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			hsd_log(LOG_INFO, "listener %u: the socket is closed",
				l->p.id);
			lsn_free(d, l);
			return;
		}
		if (lsn_parse(l, n)) {
			hsd_log(LOG_WARNING, "listener %u: malformed datagram header",
				l->p.id);
			continue;
		}
		lsn_datagram(d, l);
	}
}

int hsd_listen_start(struct hsd *d, const struct hs_params *p)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct hsd_lsn *l = calloc(1, sizeof(*l));
	char local[64] = "?";

	if (!l) {
		close(p->fd);
		return -ENOMEM;
	}
	l->kind = HSD_SRC_LISTEN;
	l->d = d;
	l->p = *p;
	fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
	ev.data.ptr = &l->kind;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, p->fd, &ev)) {
		hsd_log(LOG_ERR, "listener %u: epoll: %s", p->id,
			strerror(errno));
		close(p->fd);
		free(l);
		return -errno;
	}
	l->next = d->listeners;
	d->listeners = l;
	if (p->local_len)
		m2msec_format_addr((const struct sockaddr *)&p->local, local,
				   sizeof(local));
	hsd_log(LOG_INFO, "listener %u: first flights to %s%s%s", p->id, local,
		*p->server_name ? ", server name " : "", p->server_name);
	/* Hellos that waited for us. */
	hsd_listen_event(d, &l->kind, EPOLLIN);
	return 0;
}

int hsd_listen_init(struct hsd *d)
{
	if (wolfSSL_RAND_bytes(d->cookie_secret, sizeof(d->cookie_secret)) !=
	    WOLFSSL_SUCCESS) {
		hsd_log(LOG_ERR, "no random cookie secret");
		return -1;
	}
	return 0;
}

void hsd_listen_close_all(struct hsd *d)
{
	while (d->listeners)
		lsn_free(d, d->listeners);
	explicit_bzero(d->cookie_secret, sizeof(d->cookie_secret));
}
