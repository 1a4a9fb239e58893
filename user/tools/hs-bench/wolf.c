// SPDX-License-Identifier: GPL-2.0
/*
 * hs-bench: the userspace baseline.  wolfSSL (the library m2msecd runs)
 * in the program, over a plain UDP socket, with the same suites and
 * credentials and the same one-byte echo:
 *
 *   client: per connection a connected UDP socket and a new WOLFSSL,
 *           non-blocking with poll() and the DTLS retransmission timer (as
 *           m2msecd drives its handshakes), wolfSSL_write() of one byte,
 *           wolfSSL_read() of the echo, close_notify, close
 *   server: one UDP socket and one event loop (as m2msecd and a CSE would
 *           run), one WOLFSSL per peer address created by a ClientHello;
 *           after the echo it sends close_notify and forgets the peer
 *
 * Both sides keep wolfSSL's defaults where m2msecd keeps them (stateless
 * cookie exchange on the server: HelloVerifyRequest in 1.2, a
 * HelloRetryRequest cookie in 1.3; key shares) and turn off what m2msecd
 * turns off (DTLS 1.3 session tickets), so the messages on the wire are
 * the same as between two m2msecd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfio.h>

#include <linux/m2msec.h>

#include "hsb.h"

#define WOLF_PEERS_MAX	256
#define WOLF_DGRAM_MAX	4096

/* ------------------------------------------------------------------ */
/* Credentials and contexts                                            */
/* ------------------------------------------------------------------ */

/* The PSK callbacks find the options through the context's callback ctx. */
static const struct hsb_opts *opts_of(WOLFSSL *ssl)
{
	return wolfSSL_get_psk_callback_ctx(ssl);
}

static unsigned int psk_client(WOLFSSL *ssl, const char *hint, char *id,
			       unsigned int id_max, unsigned char *key,
			       unsigned int key_max)
{
	const struct hsb_opts *o = opts_of(ssl);

	(void)hint;
	if (strlen(o->psk_identity) >= id_max || o->psk_len > key_max)
		return 0;
	strcpy(id, o->psk_identity);
	memcpy(key, o->psk, o->psk_len);
	return o->psk_len;
}

static unsigned int psk_client13(WOLFSSL *ssl, const char *hint, char *id,
				 unsigned int id_max, unsigned char *key,
				 unsigned int key_max, const char **suite)
{
	*suite = opts_of(ssl)->suite;
	return psk_client(ssl, hint, id, id_max, key, key_max);
}

static unsigned int psk_server(WOLFSSL *ssl, const char *id,
			       unsigned char *key, unsigned int key_max)
{
	const struct hsb_opts *o = opts_of(ssl);

	if (!id || strcmp(id, o->psk_identity) || o->psk_len > key_max)
		return 0;
	memcpy(key, o->psk, o->psk_len);
	return o->psk_len;
}

static unsigned int psk_server13(WOLFSSL *ssl, const char *id,
				 unsigned char *key, unsigned int key_max,
				 const char **suite)
{
	*suite = opts_of(ssl)->suite;
	return psk_server(ssl, id, key, key_max);
}

static WOLFSSL_CTX *wolf_ctx(const struct hsb_opts *o, int server)
{
	int v13 = o->version == M2MSEC_DTLS_1_3;
	WOLFSSL_METHOD *m;
	WOLFSSL_CTX *ctx;
	int mode;

	wolfSSL_Init();
	if (v13)
		m = server ? wolfDTLSv1_3_server_method() :
			     wolfDTLSv1_3_client_method();
	else
		m = server ? wolfDTLSv1_2_server_method() :
			     wolfDTLSv1_2_client_method();
	ctx = m ? wolfSSL_CTX_new(m) : NULL;
	if (!ctx) {
		hsb_err("wolfssl", "cannot create a DTLS context");
		return NULL;
	}
	if (wolfSSL_CTX_set_cipher_list(ctx, o->suite) != WOLFSSL_SUCCESS) {
		hsb_err("wolfssl", "cipher suite %s refused", o->suite);
		goto err;
	}
	wolfSSL_CTX_set_psk_callback_ctx(ctx, (void *)o);
	if (o->auth == HSB_PSK && server) {
		wolfSSL_CTX_set_psk_server_callback(ctx, psk_server);
		wolfSSL_CTX_set_psk_server_tls13_callback(ctx, psk_server13);
	} else if (o->auth == HSB_PSK) {
		wolfSSL_CTX_set_psk_client_callback(ctx, psk_client);
		wolfSSL_CTX_set_psk_client_tls13_callback(ctx, psk_client13);
	}
	if (o->auth == HSB_ECDSA && o->cert &&
	    (wolfSSL_CTX_use_certificate_chain_file(ctx, o->cert) !=
	     WOLFSSL_SUCCESS ||
	     wolfSSL_CTX_use_PrivateKey_file(ctx, o->key, WOLFSSL_FILETYPE_PEM) !=
	     WOLFSSL_SUCCESS)) {
		hsb_err("wolfssl", "cannot load %s / %s", o->cert, o->key);
		goto err;
	}
	if (o->auth == HSB_ECDSA && o->ca &&
	    wolfSSL_CTX_load_verify_locations(ctx, o->ca, NULL) !=
	    WOLFSSL_SUCCESS) {
		hsb_err("wolfssl", "cannot load the trust anchors %s", o->ca);
		goto err;
	}
	/*
	 * As m2msecd: a client always verifies the server's chain; a server
	 * with trust anchors requires a client certificate (m2msecd's
	 * "client-certificate require").
	 */
	if (!server)
		mode = WOLFSSL_VERIFY_PEER;
	else if (o->ca)
		mode = WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	else
		mode = WOLFSSL_VERIFY_NONE;
	wolfSSL_CTX_set_verify(ctx, mode, NULL);
	return ctx;
err:
	wolfSSL_CTX_free(ctx);
	return NULL;
}

/* When the DTLS retransmission timer of @ssl expires (m2msecd's rule). */
static uint64_t rtx_at(WOLFSSL *ssl)
{
	uint64_t us = wolfSSL_dtls_get_current_timeout(ssl) * 1000000ULL;

	if (wolfSSL_dtls13_use_quick_timeout(ssl))
		us /= 4;
	return hsb_now_us() + (us ? us : 1000000);
}

/* ------------------------------------------------------------------ */
/* Client                                                              */
/* ------------------------------------------------------------------ */

struct wolf_client {
	WOLFSSL_CTX *ctx;
	int reported;
};

static void *wolf_client_init(const struct hsb_opts *o)
{
	struct wolf_client *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->ctx = wolf_ctx(o, 0);
	if (!w->ctx) {
		free(w);
		return NULL;
	}
	return w;
}

/*
 * Wait for @fd to be readable until @deadline, running the retransmission
 * timer.  Return: 0, or a positive errno.
 */
static int wait_in(WOLFSSL *ssl, int fd, uint64_t deadline, uint64_t *rtx)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t now = hsb_now_us(), until = *rtx < deadline ? *rtx : deadline;
	int n;

	if (now >= deadline)
		return ETIMEDOUT;
	n = poll(&p, 1, until > now ? (until - now + 999) / 1000 : 0);
	if (n > 0)
		return 0;
	if (n < 0)
		return errno == EINTR ? 0 : errno;
	if (hsb_now_us() >= *rtx) {
		if (wolfSSL_dtls_got_timeout(ssl) != WOLFSSL_SUCCESS)
			return ETIMEDOUT;
		*rtx = rtx_at(ssl);
	}
	return 0;
}

/* A wolfSSL error as an errno for the results. */
static int wolf_errno(WOLFSSL *ssl, int ret, const char *what)
{
	char msg[WOLFSSL_MAX_ERROR_SZ];
	int err = wolfSSL_get_error(ssl, ret);

	hsb_err("wolfssl", "%s: %s (%d/%d)", what, wolfSSL_ERR_error_string(err, msg), ret, err);
	return EPROTO;
}

static void wolf_client_one(void *st, const struct hsb_opts *o,
			    struct hsb_result *r)
{
	struct wolf_client *w = st;
	uint64_t t0, t1, deadline, rtx;
	WOLFSSL *ssl = NULL;
	char c = 'x', in[16];
	int fd, ret, err;

	fd = socket(o->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)&o->addr,
			      o->addr_len)) {
		r->err = errno;
		goto out;
	}
	t0 = hsb_now_us();
	deadline = t0 + o->timeout_ms * 1000ULL;
	ssl = wolfSSL_new(w->ctx);
	if (!ssl || wolfSSL_set_dtls_fd_connected(ssl, fd) != WOLFSSL_SUCCESS) {
		r->err = ENOMEM;
		goto out;
	}
	wolfSSL_dtls_set_using_nonblock(ssl, 1);
	rtx = rtx_at(ssl);
	while ((ret = wolfSSL_connect(ssl)) != WOLFSSL_SUCCESS) {
		err = wolfSSL_get_error(ssl, ret);
		if (err != WOLFSSL_ERROR_WANT_READ &&
		    err != WOLFSSL_ERROR_WANT_WRITE) {
			r->err = wolf_errno(ssl, ret, "handshake");
			goto out;
		}
		rtx = rtx_at(ssl);
		r->err = wait_in(ssl, fd, deadline, &rtx);
		if (r->err)
			goto out;
	}
	t1 = hsb_now_us();
	if (o->verbose && !w->reported++)
		fprintf(stderr, "hs-bench: wolfssl: %s %s\n",
			wolfSSL_get_version(ssl), wolfSSL_get_cipher_name(ssl));
	rtx = UINT64_MAX;
	while ((ret = wolfSSL_write(ssl, &c, 1)) != 1) {
		err = wolfSSL_get_error(ssl, ret);
		if (err != WOLFSSL_ERROR_WANT_READ &&
		    err != WOLFSSL_ERROR_WANT_WRITE) {
			r->err = wolf_errno(ssl, ret, "write");
			goto out;
		}
		r->err = wait_in(ssl, fd, deadline, &rtx);
		if (r->err)
			goto out;
	}
	while ((ret = wolfSSL_read(ssl, in, sizeof(in))) <= 0) {
		err = wolfSSL_get_error(ssl, ret);
		if (err != WOLFSSL_ERROR_WANT_READ) {
			r->err = wolf_errno(ssl, ret, "read");
			goto out;
		}
		r->err = wait_in(ssl, fd, deadline, &rtx);
		if (r->err)
			goto out;
	}
	if (ret != 1 || in[0] != c) {
		r->err = EBADMSG;
		goto out;
	}
	r->connect_us = t1 - t0;
	r->ttfb_us = hsb_now_us() - t0;
	wolfSSL_shutdown(ssl);		/* close_notify, as close() sends */
out:
	wolfSSL_free(ssl);
	if (fd >= 0)
		close(fd);
}

static void wolf_client_exit(void *st)
{
	struct wolf_client *w = st;

	wolfSSL_CTX_free(w->ctx);
	free(w);
	wolfSSL_Cleanup();
}

const struct hsb_client hsb_wolf_client = {
	.init = wolf_client_init,
	.one = wolf_client_one,
	.exit = wolf_client_exit,
};

/* ------------------------------------------------------------------ */
/* Server                                                              */
/* ------------------------------------------------------------------ */

struct wolf_peer {
	struct wolf_server *srv;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	WOLFSSL *ssl;
	int established;
	uint64_t rtx, deadline;
	const uint8_t *in;	/* the datagram being handed to wolfSSL */
	size_t in_len;
};

struct wolf_server {
	const struct hsb_opts *o;
	WOLFSSL_CTX *ctx;
	int fd;
	struct wolf_peer *peers[WOLF_PEERS_MAX];
	unsigned long served, failed, dropped;
};

static int srv_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct wolf_peer *p = ctx;
	size_t n;

	(void)ssl;
	if (!p->in)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	n = p->in_len < (size_t)sz ? p->in_len : (size_t)sz;
	memcpy(buf, p->in, n);
	p->in = NULL;
	return n;
}

static int srv_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct wolf_peer *p = ctx;

	(void)ssl;
	if (sendto(p->srv->fd, buf, sz, 0, (struct sockaddr *)&p->addr,
		   p->addr_len) < 0 && (errno == EAGAIN || errno == ENOBUFS))
		return WOLFSSL_CBIO_ERR_WANT_WRITE;
	return sz;	/* other errors: a lost datagram, retransmitted */
}

static void peer_free(struct wolf_server *s, unsigned int i)
{
	struct wolf_peer *p = s->peers[i];

	wolfSSL_free(p->ssl);
	free(p);
	s->peers[i] = NULL;
}

/* A DTLS ClientHello of epoch 0 (RFC 6347 4.1, 4.2.2): may start a peer. */
static int is_client_hello(const uint8_t *d, size_t len)
{
	return len >= 13 + 12 && d[0] == 22 && d[3] == 0 && d[4] == 0 &&
	       d[13] == 1;
}

static int peer_new(struct wolf_server *s, const struct sockaddr_storage *a,
		    socklen_t alen)
{
	struct wolf_peer *p;
	unsigned int i;

	for (i = 0; i < WOLF_PEERS_MAX && s->peers[i]; i++)
		;
	if (i == WOLF_PEERS_MAX)
		return -1;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -1;
	p->srv = s;
	memcpy(&p->addr, a, alen);
	p->addr_len = alen;
	p->ssl = wolfSSL_new(s->ctx);
	if (!p->ssl) {
		free(p);
		return -1;
	}
	wolfSSL_SetIOReadCtx(p->ssl, p);
	wolfSSL_SetIOWriteCtx(p->ssl, p);
	wolfSSL_dtls_set_using_nonblock(p->ssl, 1);
	wolfSSL_dtls_set_peer(p->ssl, &p->addr, alen);
	if (s->o->version == M2MSEC_DTLS_1_3)
		wolfSSL_no_ticket_TLSv13(p->ssl);
	p->deadline = hsb_now_us() + s->o->timeout_ms * 1000ULL;
	p->rtx = UINT64_MAX;
	s->peers[i] = p;
	return i;
}

/* Drive peer @i as far as it goes; it may be freed. */
static void peer_step(struct wolf_server *s, unsigned int i)
{
	struct wolf_peer *p = s->peers[i];
	char buf[2048];
	int ret, err;

	if (!p->established) {
		ret = wolfSSL_accept(p->ssl);
		if (ret != WOLFSSL_SUCCESS) {
			err = wolfSSL_get_error(p->ssl, ret);
			if (err == WOLFSSL_ERROR_WANT_READ ||
			    err == WOLFSSL_ERROR_WANT_WRITE) {
				p->rtx = rtx_at(p->ssl);
				return;
			}
			wolf_errno(p->ssl, ret, "server handshake");
			s->failed++;
			peer_free(s, i);
			return;
		}
		p->established = 1;
		p->rtx = UINT64_MAX;
	}
	ret = wolfSSL_read(p->ssl, buf, sizeof(buf));
	if (ret <= 0) {
		err = wolfSSL_get_error(p->ssl, ret);
		if (err == WOLFSSL_ERROR_WANT_READ)
			return;
		if (err != WOLFSSL_ERROR_ZERO_RETURN)
			wolf_errno(p->ssl, ret, "server read");
		s->failed++;
		peer_free(s, i);
		return;
	}
	if (wolfSSL_write(p->ssl, buf, ret) != ret)
		s->failed++;
	else
		s->served++;
	wolfSSL_shutdown(p->ssl);
	peer_free(s, i);
}

static int same_addr(const struct sockaddr_storage *a, socklen_t alen,
		     const struct wolf_peer *p)
{
	return alen == p->addr_len && !memcmp(a, &p->addr, alen);
}

static void srv_datagram(struct wolf_server *s, const uint8_t *d, size_t len,
			 const struct sockaddr_storage *a, socklen_t alen)
{
	int i;

	for (i = 0; i < WOLF_PEERS_MAX; i++)
		if (s->peers[i] && same_addr(a, alen, s->peers[i]))
			break;
	if (i == WOLF_PEERS_MAX) {
		if (!is_client_hello(d, len) || (i = peer_new(s, a, alen)) < 0) {
			s->dropped++;
			return;
		}
	}
	s->peers[i]->in = d;
	s->peers[i]->in_len = len;
	peer_step(s, i);
	if (s->peers[i])
		s->peers[i]->in = NULL;
}

/* Poll timeout: the nearest retransmission or deadline, in ms. */
static int srv_timeout(struct wolf_server *s)
{
	uint64_t now = hsb_now_us(), next = now + 1000000;
	unsigned int i;

	for (i = 0; i < WOLF_PEERS_MAX; i++) {
		if (!s->peers[i])
			continue;
		if (s->peers[i]->rtx < next)
			next = s->peers[i]->rtx;
		if (s->peers[i]->deadline < next)
			next = s->peers[i]->deadline;
	}
	return next <= now ? 0 : (int)((next - now + 999) / 1000);
}

static void srv_timers(struct wolf_server *s)
{
	uint64_t now = hsb_now_us();
	struct wolf_peer *p;
	unsigned int i;

	for (i = 0; i < WOLF_PEERS_MAX; i++) {
		p = s->peers[i];
		if (!p)
			continue;
		if (p->deadline <= now) {
			s->failed++;
			peer_free(s, i);
		} else if (p->rtx <= now) {
			if (wolfSSL_dtls_got_timeout(p->ssl) != WOLFSSL_SUCCESS) {
				s->failed++;
				peer_free(s, i);
			} else {
				p->rtx = rtx_at(p->ssl);
			}
		}
	}
}

int hsb_wolf_server(const struct hsb_opts *o)
{
	static uint8_t d[WOLF_DGRAM_MAX];
	struct wolf_server s = { .o = o };
	struct sockaddr_storage a;
	struct pollfd pfd;
	socklen_t alen;
	unsigned int i;
	ssize_t n;
	int one = 1;

	s.ctx = wolf_ctx(o, 1);
	if (!s.ctx)
		return 1;
	wolfSSL_CTX_SetIORecv(s.ctx, srv_recv);
	wolfSSL_CTX_SetIOSend(s.ctx, srv_send);
	s.fd = socket(o->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
		      SOCK_CLOEXEC, 0);
	if (s.fd < 0 ||
	    setsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s.fd, (const struct sockaddr *)&o->addr, o->addr_len)) {
		hsb_err("wolfssl", "server socket: %s", strerror(errno));
		return 1;
	}
	hsb_ready();
	pfd.fd = s.fd;
	pfd.events = POLLIN;
	while (!hsb_stop) {
		if (poll(&pfd, 1, srv_timeout(&s)) > 0) {
			while ((alen = sizeof(a),
				n = recvfrom(s.fd, d, sizeof(d), 0,
					     (struct sockaddr *)&a, &alen)) > 0)
				srv_datagram(&s, d, n, &a, alen);
		}
		srv_timers(&s);
	}
	for (i = 0; i < WOLF_PEERS_MAX; i++)
		if (s.peers[i])
			peer_free(&s, i);
	printf("served=%lu failed=%lu dropped=%lu\n", s.served, s.failed,
	       s.dropped);
	close(s.fd);
	wolfSSL_CTX_free(s.ctx);
	wolfSSL_Cleanup();
	return 0;
}
