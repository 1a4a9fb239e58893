// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecd: one handshake.
 *
 * wolfSSL runs non-blocking over the handshake channel of the request (one
 * datagram per read() and write()); the event loop calls hs_event() when
 * the channel is readable and hs_timers() when a DTLS retransmission timer
 * (RFC 6347 4.2.4, RFC 9147 5.8) or the handshake's deadline expires.
 * Every datagram also goes through the key export's observer, which learns
 * the epochs and sequence numbers the kernel must continue from.
 *
 * Exactly one HS_DONE per accepted request: hs_finish() sends it and frees
 * the handshake, on every path.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/m2msec.h"
#include "m2msecd.h"
#include <wolfssl/wolfio.h>

struct hs {
	struct hs_tls tls;	/* first: tls.c's callbacks see this */
	enum hsd_src_kind kind;	/* epoll tag: HSD_SRC_HS */
	struct hs *prev, *next;
	struct hsd *d;
	struct hs_params p;
	char peer_str[64];
	WOLFSSL *ssl;
	struct kx_session *s;	/* locked: hsd_session_alloc() */
	struct kx_observer obs;
	struct kx_wolf kw;
	uint64_t start_ms, deadline_ms, rtx_ms;
	uint8_t *first;		/* server: the first datagram, read early */
	size_t first_len;
	int plain_seq;		/* ctrl.c: our last plaintext message_seq */
	struct hsd_flight flight;	/* ctrl.c: resent if the peer lost it */
};

uint64_t hsd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static int io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct hs *hs = ctx;
	ssize_t n;

	(void)ssl;
	if (hs->first) {
		n = hs->first_len < (size_t)sz ? hs->first_len : (size_t)sz;
		memcpy(buf, hs->first, n);
		free(hs->first);
		hs->first = NULL;
	} else {
		n = read(hs->p.fd, buf, sz);
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR ||
		    errno == ECONNREFUSED)	/* --udp: ICMP from the peer */
			return WOLFSSL_CBIO_ERR_WANT_READ;
		hsd_log(LOG_DEBUG, "handshake %u: read: %s", hs->p.id,
			strerror(errno));
		return WOLFSSL_CBIO_ERR_GENERAL;
	}
	if (n == 0)
		return WOLFSSL_CBIO_ERR_CONN_CLOSE;
	hs->flight.read_since = 1;
	kx_observe(&hs->obs, 0, (const uint8_t *)buf, n);
	return n;
}

static int io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct hs *hs = ctx;
	ssize_t n;

	(void)ssl;
	n = write(hs->p.fd, buf, sz);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR || errno == ENOBUFS)
			return WOLFSSL_CBIO_ERR_WANT_WRITE;
		if (errno == ECONNREFUSED)
			return sz;	/* lost datagram: retransmission */
		hsd_log(LOG_DEBUG, "handshake %u: write: %s", hs->p.id,
			strerror(errno));
		return WOLFSSL_CBIO_ERR_GENERAL;
	}
	kx_observe(&hs->obs, 1, (const uint8_t *)buf, n);
	ctrl_note_tx(&hs->plain_seq, (const uint8_t *)buf, n);
	hsd_flight_note_tx(&hs->flight, buf, n);
	return n;
}

/* Arm the retransmission timer from wolfSSL's current timeout. */
static void arm(struct hs *hs)
{
	uint64_t ms = wolfSSL_dtls_get_current_timeout(hs->ssl) * 1000ULL;

	/* Only a 1.3 session: the flag outlives a fallback to 1.2. */
	if (wolfSSL_version(hs->ssl) == DTLS1_3_VERSION &&
	    wolfSSL_dtls13_use_quick_timeout(hs->ssl))
		ms /= 4;
	hs->rtx_ms = hsd_now_ms() + (ms ? ms : 1000);
}

static void hs_free(struct hs *hs)
{
	struct hsd *d = hs->d;

	if (hs->prev)
		hs->prev->next = hs->next;
	else if (d->list == hs)
		d->list = hs->next;
	if (hs->next)
		hs->next->prev = hs->prev;
	d->count--;
	/* No wolfSSL_shutdown(): on success the kernel carries on. */
	wolfSSL_free(hs->ssl);
	hsd_flight_clear(&hs->flight);
	hsd_conf_put(hs->tls.conf);
	free(hs->first);
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, hs->p.fd, NULL);
	close(hs->p.fd);
	hsd_session_free(d, hs->s);
	explicit_bzero(hs, sizeof(*hs));
	free(hs);
}

/* --udp test mode: the association as a key file, instead of HS_DONE. */
static int test_write(struct hsd *d, struct m2msec_keyfile *kf)
{
	/* Key material: readable by the owner only, whatever the umask. */
	int fd = open(d->test_out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		      0600);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	int err;

	if (!f) {
		hsd_log(LOG_ERR, "cannot write %s: %s", d->test_out,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	if (fchmod(fd, 0600)) {
		fclose(f);
		return -EIO;
	}
	err = m2msec_keyfile_write(f, kf);
	if (fclose(f) || err)
		return -EIO;
	return 0;
}

/*
 * Was a client certificate asked for?  A client with a key notes the
 * server's CertificateRequest (tls.c).  A server asks for one when its
 * context has trust anchors; a certificate the client sent proves it too.
 */
static int hs_cert_requested(struct hs *hs)
{
	WOLFSSL_X509 *x;

	if (hs->p.role != KX_SERVER)
		return hs->tls.cert_requested;
	x = wolfSSL_get_peer_certificate(hs->ssl);
	if (x) {
		wolfSSL_X509_free(x);
		return 1;
	}
	return hs->tls.conf->ca != NULL;
}

/* Send HS_DONE (or write the test key file), log, free. */
static void hs_finish(struct hs *hs, int status, const char *why)
{
	struct hsd *d = hs->d;
	struct m2msec_keyfile kf = { 0 };
	char peer_id[1024] = "", err[256];
	uint32_t assoc_id = 0;
	int ret, ctrl_fd = -1;

	if (!status) {
		if (kx_wolf_collect(hs->ssl, &hs->kw, err, sizeof(err)) ||
		    kx_build_assoc(hs->s, &hs->obs, hs->p.role, &kf, err,
				   sizeof(err))) {
			status = -EPROTO;
			why = err;
		} else if (hsd_tls_peer_id(hs->ssl, hs->tls.psk_identity,
					   peer_id, sizeof(peer_id))) {
			if (hs->tls.anonymous_ok) {
				snprintf(peer_id, sizeof(peer_id), "anonymous");
			} else {
				status = -EACCES;
				why = "the peer is not authenticated";
			}
		}
		/* The peer finished too: tell it nothing was installed. */
		if (status)
			wolfSSL_shutdown(hs->ssl);
	}
	memcpy(&kf.peer, &hs->p.peer, hs->p.peer_len);
	kf.peer_len = hs->p.peer_len;
	memcpy(&kf.local, &hs->p.local, hs->p.local_len);
	kf.local_len = hs->p.local_len;
	if (d->test_out) {
		ret = status ? status : test_write(d, &kf);
		d->test_status = ret;
		d->stop = 1;
	} else {
		ret = hsd_nl_done(d, hs->p.id, status, status ? NULL : &kf,
				  peer_id, &ctrl_fd, &assoc_id);
	}
	if (ctrl_fd >= 0) {
		struct ctrl_params cp = {
			.fd = ctrl_fd, .assoc_id = assoc_id,
			.role = hs->p.role, .s = hs->s,
			.tx_epoch = kf.tx.epoch, .rx_epoch = kf.rx.epoch,
			.msg_seq = ctrl_next_msg_seq(hs->p.role,
						     hs->plain_seq,
						     !!*hs->tls.psk_identity,
						     hs_cert_requested(hs)),
			.peer_str = hs->peer_str, .peer = &hs->p.peer,
			.flight = &hs->flight, .hs_fd = dup(hs->p.fd),
		};

		ctrl_start(d, &cp);
	}
	if (!status && !ret)
		hsd_log(LOG_INFO, "handshake %u with %s done in %" PRIu64 " ms: %s %s, peer %s, tx epoch %" PRIu64 " seq %" PRIu64 ", rx epoch %" PRIu64 " seq %" PRIu64 "%s",
			hs->p.id, hs->peer_str, hsd_now_ms() - hs->start_ms,
			m2msec_dtls_version_name(kf.version),
			wolfSSL_get_cipher_name(hs->ssl), peer_id, kf.tx.epoch,
			kf.tx.seq, kf.rx.epoch, kf.rx.seq,
			kf.rx_cid_len || kf.tx_cid_len ? ", with CIDs" : "");
	else if (status)
		hsd_log(LOG_NOTICE, "handshake %u with %s failed (%s): %s",
			hs->p.id, hs->peer_str, strerror(-status), why);
	else
		hsd_log(LOG_WARNING, "handshake %u with %s: the kernel refused the association: %s",
			hs->p.id, hs->peer_str, strerror(-ret));
	m2msec_keyfile_clear(&kf);
	hs_free(hs);
}

/* Drive wolfSSL as far as it goes without waiting. */
static void step(struct hs *hs)
{
	char why[512];
	int ret, err;

	hsd_tls_forget_chains(hs->ssl);
	ret = hsd_tls_handshake(hs->ssl, hs->p.role);
	if (ret == WOLFSSL_SUCCESS) {
		hs_finish(hs, 0, NULL);
		return;
	}
	err = wolfSSL_get_error(hs->ssl, ret);
	if (err == WOLFSSL_ERROR_WANT_READ || err == WOLFSSL_ERROR_WANT_WRITE) {
		arm(hs);
		return;
	}
	ret = hsd_tls_errno(hs->ssl, err, why, sizeof(why));
	hs_finish(hs, ret, why);
}

/*
 * Server: take the first flight now, when it is there, for its server name
 * (credentials are chosen by it); io_recv() hands it to wolfSSL.
 */
static void read_first(struct hs *hs)
{
	ssize_t n;

	hs->first = malloc(65536);
	if (!hs->first)
		return;
	n = read(hs->p.fd, hs->first, 65536);
	if (n <= 0) {
		free(hs->first);
		hs->first = NULL;
		return;
	}
	hs->first_len = n;
	if (!*hs->p.server_name &&
	    !hsd_clienthello_sni(hs->first, n, hs->p.server_name,
				 sizeof(hs->p.server_name)))
		memcpy(hs->tls.server_name, hs->p.server_name,
		       sizeof(hs->tls.server_name));
}

/* A handshake for @p, in the list; its wolfSSL object still to be set. */
static struct hs *hs_alloc(struct hsd *d, const struct hs_params *p)
{
	struct hs *hs = calloc(1, sizeof(*hs));

	if (!hs)
		return NULL;
	hs->s = hsd_session_alloc(d);
	if (!hs->s) {
		free(hs);
		return NULL;
	}
	hs->kind = HSD_SRC_HS;
	hs->d = d;
	hs->p = *p;
	hs->tls.conf = hsd_conf_get(d->conf);	/* kept over a reload */
	hs->tls.role = p->role;
	snprintf(hs->tls.server_name, sizeof(hs->tls.server_name), "%s",
		 p->server_name);
	m2msec_format_addr((const struct sockaddr *)&p->peer, hs->peer_str,
			   sizeof(hs->peer_str));
	hs->start_ms = hsd_now_ms();
	hs->plain_seq = -1;
	hs->deadline_ms = hs->start_ms + hs->tls.conf->timeout_ms;
	/* Unified headers are told apart from 1.2 ones by their first byte,
	 * so the observer can parse both before the version is known. */
	hs->obs.version = M2MSEC_DTLS_1_3;
	hs->obs.rx_cid_len = hs->tls.conf->cid_len;
	hs->kw.s = hs->s;
	hs->kw.obs = &hs->obs;
	hs->kw.role = p->role;

	hs->next = d->list;
	if (d->list)
		d->list->prev = hs;
	d->list = hs;
	d->count++;

	fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
	return hs;
}

/* wolfSSL I/O over the channel, key export, event loop. */
static int hs_attach(struct hs *hs)
{
	struct epoll_event ev = { .events = EPOLLIN };
	const struct hs_params *p = &hs->p;

	wolfSSL_SSLSetIORecv(hs->ssl, io_recv);
	wolfSSL_SSLSetIOSend(hs->ssl, io_send);
	wolfSSL_SetIOReadCtx(hs->ssl, hs);
	wolfSSL_SetIOWriteCtx(hs->ssl, hs);
	kx_wolf_prepare(hs->ssl, &hs->kw);
	ev.data.ptr = &hs->kind;
	if (epoll_ctl(hs->d->epfd, EPOLL_CTL_ADD, p->fd, &ev))
		return -errno;
	hsd_log(LOG_INFO, "handshake %u: %s with %s%s%s", p->id,
		p->role == KX_CLIENT ? "client" : "server", hs->peer_str,
		*p->server_name ? ", server name " : "", p->server_name);
	return 0;
}

int hs_start(struct hsd *d, const struct hs_params *p)
{
	struct hs *hs = hs_alloc(d, p);
	int err;

	if (!hs)
		return -ENOMEM;
	if (p->role == KX_SERVER)
		read_first(hs);
	hs->ssl = hsd_tls_new(d, &hs->tls, &hs->p);
	if (!hs->ssl) {
		hs_finish(hs, -ENOMEM, "cannot set up the wolfSSL session");
		return 0;
	}
	err = hs_attach(hs);
	if (err) {
		hs_finish(hs, err, "epoll");
		return 0;
	}
	step(hs);
	return 0;
}

/**
 * hs_adopt() - continue a server handshake begun on a listener (listen.c)
 * @d: daemon
 * @p: the claimed request (its channel in p->fd)
 * @ssl: the wolfSSL object that verified the peer's cookie; from now on
 *	the handshake's
 * @dgram: the ClientHello with the cookie wolfSSL is processing, for the
 *	key export's observer
 * @len: its length
 *
 * Return: the handshake, or NULL (@ssl then still the caller's).
 */
struct hs *hs_adopt(struct hsd *d, const struct hs_params *p, WOLFSSL *ssl,
		    const uint8_t *dgram, size_t len)
{
	struct hs *hs = hs_alloc(d, p);

	if (!hs)
		return NULL;
	hs->ssl = ssl;
	wolfSSL_set_psk_callback_ctx(ssl, &hs->tls);
	hs->tls.params = &hs->p;
	hsd_rpk_ssl(ssl, &hs->tls);
	if (hs_attach(hs)) {
		hs->ssl = NULL;
		hs_finish(hs, -ENOMEM, "epoll");
		return NULL;
	}
	kx_observe(&hs->obs, 0, dgram, len);
	return hs;
}

/* Drive an adopted handshake after the listener's wolfSSL call returned. */
void hs_kick(struct hs *hs)
{
	step(hs);
}

void hs_event(struct hsd *d, enum hsd_src_kind *tag, uint32_t events)
{
	struct hs *hs = (struct hs *)((char *)tag - offsetof(struct hs, kind));

	(void)d;
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		step(hs);
}

int hs_timeout_ms(struct hsd *d)
{
	uint64_t now = hsd_now_ms(), next = UINT64_MAX;
	struct hs *hs;

	for (hs = d->list; hs; hs = hs->next) {
		if (hs->rtx_ms < next)
			next = hs->rtx_ms;
		if (hs->deadline_ms < next)
			next = hs->deadline_ms;
	}
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

/*
 * DTLS drops records that fail to decrypt (RFC 6347 4.1.2.7), so a peer
 * with another PSK looks like a silent one: its Finished arrives, in a
 * protected epoch, and never verifies.  Tell that apart from a peer that
 * went away.
 */
static void time_out(struct hs *hs, const char *why)
{
	if (hs->obs.rx.records && hs->obs.rx.epoch >= 1)
		hs_finish(hs, -EKEYREJECTED, "the peer's protected handshake messages do not verify with our keys (wrong PSK?)");
	else
		hs_finish(hs, -ETIMEDOUT, why);
}

void hs_timers(struct hsd *d)
{
	uint64_t now = hsd_now_ms();
	struct hs *hs, *next;

	for (hs = d->list; hs; hs = next) {
		next = hs->next;
		if (hs->deadline_ms <= now) {
			time_out(hs, "no answer from the peer within handshake-timeout");
			continue;
		}
		if (hs->rtx_ms > now)
			continue;
		if (wolfSSL_dtls_got_timeout(hs->ssl) != WOLFSSL_SUCCESS) {
			time_out(hs, "the peer stopped answering (retransmissions exhausted)");
			continue;
		}
		arm(hs);
	}
}

void hs_abort_all(struct hsd *d)
{
	while (d->list)
		hs_finish(d->list, -ESHUTDOWN, "m2msecd is stopping");
}
