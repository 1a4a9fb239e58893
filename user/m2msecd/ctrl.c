// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecd: the control plane of established associations.
 *
 * HS_DONE asks the kernel for the association's control channel
 * (M2MSEC_A_HS_CTRL); this file keeps one struct ctl per channel in the
 * event loop:
 *
 *   channel read()                        m2msecd
 *   peer KeyUpdate (1.3) --------------->  next RX secret, ASSOC_SET RX N+1,
 *                                          ACK; our own KeyUpdate if asked
 *   NewSessionTicket (1.3) ------------->  ACK (RFC 9147 7)
 *   ACK of our KeyUpdate --------------->  next TX secret, ASSOC_SET TX N+1
 *   close_notify, fatal alert ---------->  ASSOC_DEL
 *   event REKEY (m2msecctl assoc rekey),
 *   event LIMIT (7/8 of the AEAD limit),
 *   policy: rekey-after-seconds (timer),
 *   rekey-after-records (ASSOC_GET dump
 *   every HSD_REKEY_POLL_MS) ----------->  our KeyUpdate, retransmitted
 *                                          until ACKed (RFC 9147 8)
 *   end of file (association gone) ----->  state freed
 *
 * The sender switches to the new keys only after the ACK (RFC 9147 8); the
 * receiver installs the next RX epoch before it ACKs, and the kernel keeps
 * the previous one for the RX grace period, so records overtaken by the
 * KeyUpdate still decrypt.
 *
 * The traffic secrets live in locked pages of their own (secmem.c), are
 * wiped when replaced or freed, and are never logged.
 *
 * Retransmitted flights of the peer (records of a handshake epoch, or a
 * DTLS 1.2 handshake record after the handshake) mean our last flight was
 * lost: it is sent again, verbatim, through the handshake channel (struct
 * hsd_flight), for HSD_FLIGHT_KEEP_MS after the handshake.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../lib/m2msec.h"
#include "m2msecd.h"

#ifndef KEY_SPEC_PROCESS_KEYRING
#define KEY_SPEC_PROCESS_KEYRING	-2
#endif
#ifndef KEYCTL_UNLINK
#define KEYCTL_UNLINK			9
#endif

/* RFC 8446 4: HandshakeType values used after the handshake. */
#define HT_NEW_SESSION_TICKET	4
#define HT_KEY_UPDATE		24
/* RFC 9147 5.2: the DTLS handshake header. */
#define HS_HDR_LEN		12
/* RFC 8446 6: AlertDescription close_notify, AlertLevel fatal. */
#define ALERT_CLOSE_NOTIFY	0
#define ALERT_FATAL		2

#define KU_RTX_MS		1000	/* RFC 9147 5.8.1: initial timer */
#define KU_TRIES		6
#define KU_RECS			KU_TRIES

struct ctl {
	enum hsd_src_kind kind;	/* epoll tag: HSD_SRC_CTL */
	struct ctl *prev, *next;
	struct hsd *d;
	int fd;
	uint32_t assoc_id;
	char peer_str[64];
	enum kx_role role;
	struct kx_session *s;	/* locked: version, suite, secrets */
	uint64_t tx_epoch, rx_epoch;
	uint64_t tx_since_ms;	/* the current TX epoch was installed */
	struct sockaddr_storage peer;	/* found in ASSOC_GET dumps by it */
	int policy_noted;	/* DTLS 1.2: "no policy" logged */
	uint16_t msg_seq;	/* our next handshake message_seq */
	/* our last handshake flight, resent when the peer retransmits */
	struct hsd_flight flight;
	int hs_fd;		/* the handshake channel, -1 when released */
	uint64_t flight_until_ms, flight_last_ms;
	unsigned int flight_resends;
	/* our KeyUpdate in flight */
	int ku_pending;
	int ku_again;		/* asked again while in flight */
	uint16_t ku_msg_seq;
	struct m2msec_ctrl_recno ku_rec[KU_RECS];
	unsigned int ku_nrec, ku_tries;
	uint64_t ku_rtx_ms;
};

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = v & 0xff;
}

static uint8_t *my_secret(struct ctl *c)
{
	return c->role == KX_CLIENT ? c->s->client_secret :
		c->s->server_secret;
}

static uint8_t *peer_secret(struct ctl *c)
{
	return c->role == KX_CLIENT ? c->s->server_secret :
		c->s->client_secret;
}

/* --- our last handshake flight ------------------------------------------- */

void hsd_flight_clear(struct hsd_flight *f)
{
	int i;

	for (i = 0; i < f->n; i++)
		free(f->dgram[i]);
	f->n = 0;
}

/* hs.c's io_send: a write after a read starts a new flight. */
void hsd_flight_note_tx(struct hsd_flight *f, const void *buf, size_t len)
{
	uint8_t *copy;

	if (f->read_since) {
		hsd_flight_clear(f);
		f->read_since = 0;
	}
	if (f->n >= HSD_FLIGHT_MAX || len > UINT16_MAX)
		return;
	copy = malloc(len);
	if (!copy)
		return;
	memcpy(copy, buf, len);
	f->dgram[f->n] = copy;
	f->len[f->n++] = len;
}

static void flight_release(struct ctl *c)
{
	hsd_flight_clear(&c->flight);
	if (c->hs_fd >= 0)
		close(c->hs_fd);
	c->hs_fd = -1;
}

/* The peer retransmitted its flight: ours was lost, send it again. */
static void flight_resend(struct ctl *c, const char *what)
{
	uint64_t now = hsd_now_ms();
	int i;

	if (c->hs_fd < 0)
		return;
	if (now >= c->flight_until_ms ||
	    c->flight_resends >= HSD_FLIGHT_RESENDS) {
		flight_release(c);
		return;
	}
	if (now < c->flight_last_ms + HSD_FLIGHT_GAP_MS)
		return;
	c->flight_last_ms = now;
	c->flight_resends++;
	for (i = 0; i < c->flight.n; i++)
		if (write(c->hs_fd, c->flight.dgram[i], c->flight.len[i]) < 0)
			hsd_log(LOG_DEBUG, "association %u: resend: %s",
				c->assoc_id, strerror(errno));
	hsd_log(LOG_INFO, "association %u with %s: %s: our last handshake flight sent again (%d datagrams)",
		c->assoc_id, c->peer_str, what, c->flight.n);
}

static void ctl_free(struct ctl *c)
{
	struct hsd *d = c->d;

	if (c->prev)
		c->prev->next = c->next;
	else if (d->ctls == c)
		d->ctls = c->next;
	if (c->next)
		c->next->prev = c->prev;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	flight_release(c);
	hsd_session_free(d, c->s);
	free(c);
}

/* Send one record on the channel; its record number in @rn if wanted. */
static int ctl_send(struct ctl *c, uint8_t type, const void *buf, size_t len,
		    struct m2msec_ctrl_recno *rn)
{
	uint8_t out[sizeof(struct m2msec_ctrl_hdr) + 64];
	struct m2msec_ctrl_hdr h = { .type = type, .len = len };

	if (len > sizeof(out) - sizeof(h))
		return -EMSGSIZE;
	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), buf, len);
	if (write(c->fd, out, sizeof(h) + len) < 0)
		return -errno;
	if (rn && ioctl(c->fd, M2MSEC_CTRL_LAST_TX, rn))
		return -errno;
	return 0;
}

/* RFC 9147 7: struct { RecordNumber record_numbers<0..2^16-1>; } ACK. */
static int ctl_ack(struct ctl *c, uint64_t epoch, uint64_t seq)
{
	uint8_t ack[2 + 16] = { 0, 16 };
	int err;

	put64(ack + 2, epoch);
	put64(ack + 10, seq);
	err = ctl_send(c, M2MSEC_CTRL_TYPE_ACK, ack, sizeof(ack), NULL);
	if (err)
		hsd_log(LOG_WARNING, "association %u with %s: cannot send an ACK: %s",
			c->assoc_id, c->peer_str, strerror(-err));
	return err;
}

/*
 * ASSOC_SET one direction of the association to @epoch with the keys of
 * @secret, through the keyring as at HS_DONE.
 */
static int ctl_install(struct ctl *c, int rx, uint64_t epoch,
		       const uint8_t *secret)
{
	struct m2msec_kf_dir dir = { .epoch = epoch };
	struct nl_msg *msg = NULL;
	struct nlattr *nest;
	int32_t key;
	int err;

	if (kx_dir13(c->s, secret, &dir)) {
		err = -EPROTO;
		goto out;
	}
	key = m2msec_kf_dir_add_key(&dir, rx ? "rx" : "tx",
				    KEY_SPEC_PROCESS_KEYRING);
	if (key < 0) {
		err = key;
		goto out;
	}
	msg = m2msec_genl_msg(&c->d->req, M2MSEC_CMD_ASSOC_SET);
	err = -EMSGSIZE;
	if (!msg || nla_put_u32(msg, M2MSEC_A_ASSOC_CTRL_FD, c->fd))
		goto out_key;
	nest = nla_nest_start(msg, rx ? M2MSEC_A_ASSOC_RX : M2MSEC_A_ASSOC_TX);
	if (!nest || nla_put_u64(msg, M2MSEC_A_DIR_EPOCH, epoch) ||
	    nla_put_u64(msg, M2MSEC_A_DIR_SEQ, 0) ||
	    nla_put_u32(msg, M2MSEC_A_DIR_KEY, (uint32_t)key))
		goto out_key;
	nla_nest_end(msg, nest);
	err = m2msec_genl_call(&c->d->req, msg, NULL, NULL);
	msg = NULL;
out_key:
	nlmsg_free(msg);
	syscall(SYS_keyctl, KEYCTL_UNLINK, key, KEY_SPEC_PROCESS_KEYRING);
out:
	explicit_bzero(&dir, sizeof(dir));
	return err;
}

/* Replace @secret by the next one (RFC 8446 7.2). */
static int ctl_next_secret(struct ctl *c, uint8_t *secret)
{
	uint8_t next[KX_SECRET_MAX];
	int err;

	err = kx_next_secret13(c->s, secret, next) ? -EPROTO : 0;
	if (!err)
		memcpy(secret, next, c->s->secret_len);
	explicit_bzero(next, sizeof(next));
	return err;
}

static void ctl_delete(struct ctl *c, const char *why)
{
	struct nl_msg *msg = m2msec_genl_msg(&c->d->req, M2MSEC_CMD_ASSOC_DEL);
	int err = -ENOMEM;

	if (msg && !nla_put_u32(msg, M2MSEC_A_ASSOC_CTRL_FD, c->fd))
		err = m2msec_genl_call(&c->d->req, msg, NULL, NULL);
	else
		nlmsg_free(msg);
	hsd_log(LOG_NOTICE, "association %u with %s deleted: %s%s%s",
		c->assoc_id, c->peer_str, why, err ? ": " : "",
		err ? strerror(-err) : "");
}

/* --- our KeyUpdate ----------------------------------------------------- */

static void ku_send(struct ctl *c)
{
	uint8_t m[HS_HDR_LEN + 1] = { HT_KEY_UPDATE, 0, 0, 1 };
	struct m2msec_ctrl_recno rn;
	int err;

	m[4] = c->ku_msg_seq >> 8;
	m[5] = c->ku_msg_seq & 0xff;
	m[11] = 1;		/* fragment_length; offset 0 */
	m[12] = 0;		/* update_not_requested */
	err = ctl_send(c, M2MSEC_CTRL_TYPE_HANDSHAKE, m, sizeof(m), &rn);
	c->ku_tries++;
	c->ku_rtx_ms = hsd_now_ms() + (KU_RTX_MS << (c->ku_tries - 1));
	if (err) {
		hsd_log(LOG_WARNING, "association %u with %s: cannot send a KeyUpdate: %s",
			c->assoc_id, c->peer_str, strerror(-err));
		return;
	}
	if (c->ku_nrec < KU_RECS)
		c->ku_rec[c->ku_nrec++] = rn;
	hsd_log(LOG_DEBUG, "association %u: KeyUpdate sent as record %" PRIu64 ".%" PRIu64,
		c->assoc_id, (uint64_t)rn.epoch, (uint64_t)rn.seq);
}

/* Start a KeyUpdate of our sending keys (RFC 9147 8). */
static void ku_start(struct ctl *c, const char *why)
{
	if (c->s->version != M2MSEC_DTLS_1_3) {
		hsd_log(LOG_NOTICE, "association %u with %s: %s, but DTLS 1.2 has no key update",
			c->assoc_id, c->peer_str, why);
		return;
	}
	if (c->ku_pending) {
		/* One KeyUpdate at a time: the next once this one is ACKed. */
		c->ku_again = 1;
		return;
	}
	hsd_log(LOG_INFO, "association %u with %s: key update (%s)",
		c->assoc_id, c->peer_str, why);
	c->ku_pending = 1;
	c->ku_msg_seq = c->msg_seq++;
	c->ku_nrec = 0;
	c->ku_tries = 0;
	ku_send(c);
}

/* Our KeyUpdate was ACKed: from now on we send with the next keys. */
static void ku_done(struct ctl *c)
{
	int err;

	c->ku_pending = 0;
	err = ctl_next_secret(c, my_secret(c)) ?:
		ctl_install(c, 0, c->tx_epoch + 1, my_secret(c));
	if (err) {
		hsd_log(LOG_ERR, "association %u with %s: cannot install TX epoch %" PRIu64 ": %s",
			c->assoc_id, c->peer_str, c->tx_epoch + 1,
			strerror(-err));
		ctl_delete(c, "key update failed");
		return;
	}
	c->tx_epoch++;
	c->tx_since_ms = hsd_now_ms();
	hsd_log(LOG_INFO, "association %u with %s: sending in epoch %" PRIu64,
		c->assoc_id, c->peer_str, c->tx_epoch);
	if (c->ku_again) {
		c->ku_again = 0;
		ku_start(c, "asked again meanwhile");
	}
}

/* --- records from the peer ---------------------------------------------- */

static void on_ack(struct ctl *c, const uint8_t *p, size_t len)
{
	size_t n, i, j;

	if (len < 2 || (n = (size_t)p[0] << 8 | p[1]) != len - 2 || n % 16)
		return;
	for (i = 0; c->ku_pending && i < n; i += 16) {
		uint64_t e = get64(p + 2 + i), s = get64(p + 10 + i);

		for (j = 0; j < c->ku_nrec; j++)
			if (c->ku_rec[j].epoch == e && c->ku_rec[j].seq == s) {
				ku_done(c);
				break;
			}
	}
}

static void on_key_update(struct ctl *c, const struct m2msec_ctrl_hdr *h,
			  uint8_t request)
{
	int err;

	/* A retransmission (our ACK got lost): ACK again, change nothing. */
	if (h->epoch < c->rx_epoch) {
		ctl_ack(c, h->epoch, h->seq);
		return;
	}
	err = ctl_next_secret(c, peer_secret(c)) ?:
		ctl_install(c, 1, c->rx_epoch + 1, peer_secret(c));
	if (err) {
		hsd_log(LOG_ERR, "association %u with %s: cannot install RX epoch %" PRIu64 ": %s",
			c->assoc_id, c->peer_str, c->rx_epoch + 1,
			strerror(-err));
		ctl_delete(c, "key update failed");
		return;
	}
	c->rx_epoch++;
	hsd_log(LOG_INFO, "association %u with %s: peer key update, receiving in epoch %" PRIu64 "%s",
		c->assoc_id, c->peer_str, c->rx_epoch,
		request ? ", update requested" : "");
	ctl_ack(c, h->epoch, h->seq);
	if (request == 1)
		ku_start(c, "requested by the peer");
}

/* Handshake messages after the handshake (DTLS 1.3). */
static void on_handshake(struct ctl *c, const struct m2msec_ctrl_hdr *h,
			 const uint8_t *p, size_t len)
{
	size_t flen;

	if (c->s->version != M2MSEC_DTLS_1_3) {
		/* No renegotiation: the peer's Finished again. */
		if (c->hs_fd >= 0)
			flight_resend(c, "the peer's final flight again");
		else
			hsd_log(LOG_NOTICE, "association %u with %s: DTLS 1.2 handshake message %u after the handshake ignored (no renegotiation)",
				c->assoc_id, c->peer_str, len ? p[0] : 0);
		return;
	}
	while (len >= HS_HDR_LEN) {
		flen = (size_t)p[9] << 16 | p[10] << 8 | p[11];
		if (flen > len - HS_HDR_LEN)
			return;
		switch (p[0]) {
		case HT_KEY_UPDATE:
			if (flen == 1 && p[12] <= 1)
				on_key_update(c, h, p[12]);
			break;
		case HT_NEW_SESSION_TICKET:
			/* Not used for resumption; acknowledged as RFC 9147 7
			 * requires, so the peer stops retransmitting it. */
			ctl_ack(c, h->epoch, h->seq);
			break;
		default:
			hsd_log(LOG_NOTICE, "association %u with %s: handshake message %u after the handshake ignored",
				c->assoc_id, c->peer_str, p[0]);
		}
		p += HS_HDR_LEN + flen;
		len -= HS_HDR_LEN + flen;
	}
}

static void on_alert(struct ctl *c, const uint8_t *p, size_t len)
{
	char why[64];

	if (len < 2)
		return;
	if (p[1] == ALERT_CLOSE_NOTIFY) {
		ctl_delete(c, "close_notify from the peer");
	} else if (p[0] == ALERT_FATAL) {
		snprintf(why, sizeof(why), "fatal alert %u from the peer", p[1]);
		ctl_delete(c, why);
	} else {
		hsd_log(LOG_INFO, "association %u with %s: warning alert %u",
			c->assoc_id, c->peer_str, p[1]);
	}
}

static void on_event(struct ctl *c, const struct m2msec_ctrl_hdr *h)
{
	switch (h->event) {
	case M2MSEC_CTRL_EV_REKEY:
		ku_start(c, "asked by m2msecctl");
		break;
	case M2MSEC_CTRL_EV_LIMIT:
		ku_start(c, "AEAD usage limit near");
		break;
	}
}

/* One control record or event; returns -1 once the association is gone. */
static int ctl_read_one(struct ctl *c)
{
	uint8_t buf[sizeof(struct m2msec_ctrl_hdr) + 16384 + 256];
	struct m2msec_ctrl_hdr h;
	const uint8_t *p = buf + sizeof(h);
	ssize_t n;
	size_t len;

	n = read(c->fd, buf, sizeof(buf));
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;
	if ((size_t)n < sizeof(h))
		return 0;
	memcpy(&h, buf, sizeof(h));
	len = n - sizeof(h);
	if (h.event) {
		on_event(c, &h);
	} else if (!(h.flags & M2MSEC_CTRL_F_DECRYPTED)) {
		/* A handshake epoch's record: a retransmitted flight. */
		hsd_log(LOG_DEBUG, "association %u: record of epoch %" PRIu64 " without keys",
			c->assoc_id, (uint64_t)h.epoch);
		flight_resend(c, "a record of a handshake epoch");
	} else if (h.type == M2MSEC_CTRL_TYPE_HANDSHAKE) {
		on_handshake(c, &h, p, len);
	} else if (h.type == M2MSEC_CTRL_TYPE_ACK) {
		on_ack(c, p, len);
	} else if (h.type == M2MSEC_CTRL_TYPE_ALERT) {
		on_alert(c, p, len);
	}
	explicit_bzero(buf, n);
	return 1;
}

/* --- the event loop's side ---------------------------------------------- */

void ctrl_event(struct hsd *d, enum hsd_src_kind *tag, uint32_t events)
{
	struct ctl *c = (struct ctl *)((char *)tag - offsetof(struct ctl, kind));
	int i, ret = 1;

	(void)d;
	if (!(events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
		return;
	for (i = 0; i < 16 && ret > 0; i++)
		ret = ctl_read_one(c);
	if (ret < 0) {
		hsd_log(LOG_INFO, "association %u with %s: closed",
			c->assoc_id, c->peer_str);
		ctl_free(c);
	}
}

/* --- key update policy (rekey-after-seconds, rekey-after-records) ------ */

/* Does the policy apply to @c?  DTLS 1.2 has no KeyUpdate: noted once. */
static int policy_on(struct ctl *c)
{
	const struct hsd_conf *conf = c->d->conf;

	if (!conf || (!conf->rekey_after_s && !conf->rekey_after_recs))
		return 0;
	if (c->s->version == M2MSEC_DTLS_1_3)
		return 1;
	if (!c->policy_noted) {
		hsd_log(LOG_DEBUG, "association %u with %s: DTLS 1.2 has no key update; rekey policy not applied",
			c->assoc_id, c->peer_str);
		c->policy_noted = 1;
	}
	return 0;
}

/* When the current TX epoch is old enough (UINT64_MAX: never). */
static uint64_t age_deadline(struct ctl *c)
{
	unsigned int s = c->d->conf ? c->d->conf->rekey_after_s : 0;

	if (!s || c->ku_pending || !policy_on(c))
		return UINT64_MAX;
	return c->tx_since_ms + (uint64_t)s * 1000;
}

static int same_peer(const struct sockaddr_storage *a, const void *b,
		     size_t blen)
{
	const struct sockaddr_in *a4 = (const void *)a, *b4 = b;
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = b;

	if (blen < sizeof(sa_family_t) || a->ss_family != b4->sin_family)
		return 0;
	if (a->ss_family == AF_INET && blen >= sizeof(*b4))
		return a4->sin_port == b4->sin_port &&
		       a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	if (a->ss_family == AF_INET6 && blen >= sizeof(*b6))
		return a6->sin6_port == b6->sin6_port &&
		       !memcmp(&a6->sin6_addr, &b6->sin6_addr,
			       sizeof(a6->sin6_addr));
	return 0;
}

/*
 * One association of the namespace dump: the records sent in its current
 * TX epoch (the next sequence number) against rekey-after-records.
 */
static int policy_dump_cb(struct nlattr **tb, void *arg)
{
	struct hsd *d = arg;
	struct nlattr *dir[M2MSEC_A_DIR_MAX + 1];
	uint64_t epoch, seq;
	uint32_t id;
	struct ctl *c;

	if (!tb[M2MSEC_A_ASSOC_ID] || !tb[M2MSEC_A_ASSOC_PEER] ||
	    !tb[M2MSEC_A_ASSOC_TX] ||
	    nla_parse_nested(dir, M2MSEC_A_DIR_MAX, tb[M2MSEC_A_ASSOC_TX],
			     NULL) < 0 ||
	    !dir[M2MSEC_A_DIR_EPOCH] || !dir[M2MSEC_A_DIR_SEQ])
		return 0;
	id = nla_get_u32(tb[M2MSEC_A_ASSOC_ID]);
	epoch = nla_get_u64(dir[M2MSEC_A_DIR_EPOCH]);
	seq = nla_get_u64(dir[M2MSEC_A_DIR_SEQ]);
	for (c = d->ctls; c; c = c->next) {
		if (c->assoc_id != id ||
		    !same_peer(&c->peer, nla_data(tb[M2MSEC_A_ASSOC_PEER]),
			       nla_len(tb[M2MSEC_A_ASSOC_PEER])))
			continue;
		if (!c->ku_pending && epoch == c->tx_epoch &&
		    seq >= d->conf->rekey_after_recs && policy_on(c)) {
			hsd_log(LOG_DEBUG, "association %u: %" PRIu64 " records sent in epoch %" PRIu64,
				c->assoc_id, seq, epoch);
			ku_start(c, "rekey-after-records reached");
		}
		break;
	}
	return 0;
}

/* Is any association subject to rekey-after-records? */
static int policy_recs_wanted(struct hsd *d)
{
	struct ctl *c;

	if (!d->conf || !d->conf->rekey_after_recs)
		return 0;
	for (c = d->ctls; c; c = c->next)
		if (c->s->version == M2MSEC_DTLS_1_3)
			return 1;
	return 0;
}

/* Read every association's records sent: one dump of the namespace. */
static void policy_poll(struct hsd *d)
{
	struct nl_msg *msg;
	int err;

	msg = m2msec_genl_msg_flags(&d->req, M2MSEC_CMD_ASSOC_GET, NLM_F_DUMP);
	if (!msg)
		return;
	err = m2msec_genl_call(&d->req, msg, policy_dump_cb, d);
	if (err)
		hsd_log(LOG_WARNING, "rekey-after-records: cannot read the associations: %s",
			strerror(-err));
}

int ctrl_timeout_ms(struct hsd *d)
{
	uint64_t now = hsd_now_ms(), next = UINT64_MAX, t;
	struct ctl *c;

	for (c = d->ctls; c; c = c->next) {
		if (c->ku_pending && c->ku_rtx_ms < next)
			next = c->ku_rtx_ms;
		t = age_deadline(c);
		if (t < next)
			next = t;
		if (c->hs_fd >= 0 && c->flight_until_ms < next)
			next = c->flight_until_ms;
	}
	if (policy_recs_wanted(d)) {
		if (!d->rekey_poll_ms)
			d->rekey_poll_ms = now + HSD_REKEY_POLL_MS;
		if (d->rekey_poll_ms < next)
			next = d->rekey_poll_ms;
	}
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

void ctrl_timers(struct hsd *d)
{
	uint64_t now = hsd_now_ms();
	struct ctl *c;

	for (c = d->ctls; c; c = c->next) {
		if (c->hs_fd >= 0 && c->flight_until_ms <= now)
			flight_release(c);
		if (age_deadline(c) <= now) {
			ku_start(c, "rekey-after-seconds reached");
			continue;
		}
		if (!c->ku_pending || c->ku_rtx_ms > now)
			continue;
		if (c->ku_tries >= KU_TRIES) {
			hsd_log(LOG_WARNING, "association %u with %s: KeyUpdate not acknowledged after %u tries; still sending in epoch %" PRIu64,
				c->assoc_id, c->peer_str, c->ku_tries,
				c->tx_epoch);
			c->ku_pending = 0;
			/* The age policy tries again a period later. */
			c->tx_since_ms = now;
			continue;
		}
		ku_send(c);
	}
	if (d->rekey_poll_ms && d->rekey_poll_ms <= now) {
		d->rekey_poll_ms = 0;
		if (policy_recs_wanted(d))
			policy_poll(d);
	}
}

/**
 * ctrl_next_msg_seq() - our next DTLS 1.3 handshake message_seq
 * @ssl: the finished handshake
 * @role: our side
 * @plain_max: highest message_seq of our plaintext handshake messages
 *	(ClientHello, or HelloRetryRequest/ServerHello), -1 when none seen
 * @psk: the handshake used an external PSK
 * @cert_req: server: we asked for a client certificate (we have trust
 *	anchors); client: the server asked us and we had one to send
 *
 * wolfSSL does not export its handshake counter, so the encrypted part of
 * our last flight is counted from what the handshake negotiated: a server
 * sends EncryptedExtensions, CertificateRequest when it asks for a client
 * certificate, Certificate and CertificateVerify unless PSK, Finished (no
 * NewSessionTicket: kx_wolf_prepare() turns tickets off); a client sends
 * Certificate and CertificateVerify when the server asked for them
 * (noted by tls.c's certificate callback), then Finished.  A client
 * without a key that is asked for a certificate sends an empty
 * Certificate, which this count does not see (documented in m2msecd.md).
 *
 * Return: the message_seq of our first post-handshake message.
 */
unsigned int ctrl_next_msg_seq(enum kx_role role, int plain_max, int psk,
			       int cert_req)
{
	unsigned int n = plain_max + 1;

	if (role == KX_CLIENT)
		return n + 1 + (cert_req ? 2 : 0);
	n += 2;				/* EncryptedExtensions, Finished */
	if (!psk) {
		n += 2;			/* Certificate, CertificateVerify */
		if (cert_req)
			n++;		/* CertificateRequest */
	}
	return n;
}

/**
 * ctrl_note_tx() - remember the message_seq of our plaintext handshake
 * @plain_max: highest message_seq seen so far, updated
 * @d: a datagram we sent during the handshake
 * @len: its length
 *
 * Only DTLSPlaintext records of epoch 0 carrying handshake messages are
 * read (RFC 9147 5.2: msg_type, length, message_seq, ...).
 */
void ctrl_note_tx(int *plain_max, const uint8_t *d, size_t len)
{
	size_t rlen, off;
	unsigned int seq;

	while (len >= 13 && d[0] == M2MSEC_CTRL_TYPE_HANDSHAKE &&
	       !d[3] && !d[4]) {
		rlen = (size_t)d[11] << 8 | d[12];
		if (rlen > len - 13)
			return;
		for (off = 13; off + HS_HDR_LEN <= 13 + rlen;
		     off += HS_HDR_LEN + ((size_t)d[off + 9] << 16 |
					  d[off + 10] << 8 | d[off + 11])) {
			seq = d[off + 4] << 8 | d[off + 5];
			if ((int)seq > *plain_max)
				*plain_max = seq;
		}
		d += 13 + rlen;
		len -= 13 + rlen;
	}
}

/**
 * ctrl_start() - keep the control plane of a new association
 * @d: daemon
 * @p: what the handshake left: channel, ids, session, epochs
 *
 * Takes @p->fd in every case (closed on failure: the association carries
 * on without a daemon, as with static keying).
 *
 * Return: 0 or a negative errno.
 */
int ctrl_start(struct hsd *d, const struct ctrl_params *p)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct ctl *c = calloc(1, sizeof(*c));

	if (!c)
		goto err;
	c->s = hsd_session_alloc(d);
	if (!c->s)
		goto err_c;
	*c->s = *p->s;
	c->kind = HSD_SRC_CTL;
	c->d = d;
	c->fd = p->fd;
	c->assoc_id = p->assoc_id;
	c->role = p->role;
	c->tx_epoch = p->tx_epoch;
	c->rx_epoch = p->rx_epoch;
	c->tx_since_ms = hsd_now_ms();
	if (p->peer)
		c->peer = *p->peer;
	c->msg_seq = p->msg_seq;
	c->hs_fd = -1;
	if (p->flight && p->flight->n && !p->flight->read_since &&
	    p->hs_fd >= 0) {
		c->flight = *p->flight;
		p->flight->n = 0;
		c->hs_fd = p->hs_fd;
		c->flight_until_ms = hsd_now_ms() + HSD_FLIGHT_KEEP_MS;
	} else if (p->hs_fd >= 0) {
		close(p->hs_fd);
	}
	snprintf(c->peer_str, sizeof(c->peer_str), "%s", p->peer_str);
	ev.data.ptr = &c->kind;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, c->fd, &ev))
		goto err_c;
	c->next = d->ctls;
	if (d->ctls)
		d->ctls->prev = c;
	d->ctls = c;
	return 0;

err_c:
	hsd_session_free(d, c->s);
	free(c);
err:
	close(p->fd);
	if (p->hs_fd >= 0)
		close(p->hs_fd);
	return -ENOMEM;
}

/**
 * hsd_session_alloc() - a zeroed session in locked memory
 * @d: daemon, whose pool (d->secrets) it comes from
 *
 * When RLIMIT_MEMLOCK is reached the session is still given, in a page
 * that is not locked (but still not dumped); each such page is logged.
 * Return: the session, or NULL (no memory, logged).
 */
struct kx_session *hsd_session_alloc(struct hsd *d)
{
	unsigned int pages = d->secrets.npages;
	struct kx_session *s;
	int err;

	s = hsd_secmem_alloc(&d->secrets, &err);
	if (!s)
		hsd_log(LOG_ERR, "no memory for traffic secrets");
	else if (err && d->secrets.npages != pages)
		hsd_log(LOG_WARNING, "mlock: %s; traffic secrets of new associations may be swapped (%u pages locked; raise LimitMEMLOCK=, see m2msecd(8))",
			strerror(err), d->secrets.npages - d->secrets.unlocked);
	return s;
}

void hsd_session_free(struct hsd *d, struct kx_session *s)
{
	hsd_secmem_free(&d->secrets, s);
}

/* Daemon stopping: the associations carry on without their channels. */
void ctrl_close_all(struct hsd *d)
{
	while (d->ctls)
		ctl_free(d->ctls);
}
