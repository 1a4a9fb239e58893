// SPDX-License-Identifier: GPL-2.0
/*
 * Send path of DTLS sockets: one sendmsg() is one record in one datagram.
 *
 * The record is built in the skb that carries it (header, explicit nonce,
 * payload, inner content type and padding, tag; xmit.c adds the UDP and IP
 * headers in front) and encrypted in place; the
 * sequence number is taken under the association lock, so concurrent
 * senders never reuse a nonce.  AEAD confidentiality limits (RFC 9147
 * 4.5.3) are enforced per epoch: after the limit the epoch refuses to send
 * (EKEYEXPIRED) until a key update installs the next one.
 */
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "dtls.h"
#include "record.h"
#include "record12.h"
#include "record13.h"

/* RFC 6347 4.1 / RFC 8446 5.1: at most 2^14 bytes of plaintext. */
#define M2MSEC_MAX_PLAINTEXT	16384
/* Records of one GSO packet: with IPv6 and UDP headers, at most 2^16 - 1. */
#define M2MSEC_TX_GSO_MAX	(65535 - 40 - 8)

/*
 * What to send: @len bytes from user memory or a kernel buffer, as
 * @n records of @seg bytes (the last one gets what is left).
 */
struct m2msec_tx_src {
	struct iov_iter *iter;	/* user data, or */
	const void *kbuf;	/* kernel data (one record) */
	size_t len;
	size_t seg;
	unsigned int n;
};

/*
 * Reserve the next @n sequence numbers of @ep, all or none; false when
 * they may not all be used.
 */
static bool m2msec_tx_seq(struct m2msec_assoc *a, struct m2msec_epoch *ep,
			  unsigned int n, u64 *seq)
{
	u64 max = ep->cd->confidentiality_limit, records = 0, r;
	bool ok;

	spin_lock_bh(&a->lock);
	/* 48-bit sequence numbers must never wrap (RFC 6347 4.1). */
	ok = ep->seq + n - 1 <= M2MSEC_SEQ_MAX && ep->records + n <= max;
	if (ok) {
		*seq = ep->seq;
		ep->seq += n;
		ep->records += n;
		records = ep->records;
	}
	spin_unlock_bh(&a->lock);
	for (r = records - n + 1; ok && r <= records; r++)
		if (m2msec_limit_notify_point(r, max))
			m2msec_event_limit(a, M2MSEC_LIMIT_CONFIDENTIALITY,
					   ep->epoch, r, max);
	return ok;
}

static int m2msec_tx_copy(u8 *dst, const struct m2msec_tx_src *src,
			  size_t len)
{
	if (src->kbuf) {
		memcpy(dst, src->kbuf, len);
		return 0;
	}
	return copy_from_iter_full(dst, len, src->iter) ? 0 : -EFAULT;
}

/* Where the parts of one record go, and its length. */
struct m2msec_tx_layout {
	unsigned int hdr;	/* header (and DTLS 1.2 explicit nonce) */
	unsigned int pt_len;	/* plaintext: content, inner type, padding */
	unsigned int pad;	/* DTLS 1.3 zeros after the inner type */
	unsigned int len;	/* the whole record */
};

/* DTLS 1.2: [hdr][explicit nonce][payload (+ inner type)][tag] */
static void m2msec_tx_layout12(const struct m2msec_assoc *a, size_t len,
			       struct m2msec_tx_layout *l)
{
	l->hdr = M2MSEC_REC12_HDR_LEN + a->tx_cid_len +
		 m2msec_rec12_explicit_len(a->cd->id);
	l->pt_len = len + (a->tx_cid_len ? 1 : 0);
	l->pad = 0;
	l->len = l->hdr + l->pt_len + a->cd->tag_len;
}

/*
 * DTLS 1.3: [unified hdr][payload][inner type][zeros][tag].  The record
 * number mask needs 16 bytes of ciphertext (RFC 9147 4.2.3): short records
 * are padded so they always have them.
 */
static void m2msec_tx_layout13(const struct m2msec_assoc *a, size_t len,
			       struct m2msec_tx_layout *l)
{
	unsigned int tag = a->cd->tag_len;

	l->hdr = m2msec_rec13_hdr_len(a->tx_cid_len, false);
	l->pt_len = len + 1;
	l->pad = l->pt_len + tag < 16 ? 16 - l->pt_len - tag : 0;
	l->pt_len += l->pad;
	l->len = l->hdr + l->pt_len + tag;
}

/* Protect the record in @buf whose plaintext is in place. */
static int m2msec_tx_seal12(struct m2msec_assoc *a, struct m2msec_epoch *ep,
			    u8 type, size_t len, u64 seq,
			    const struct m2msec_tx_layout *l, u8 *buf,
			    void *scratch)
{
	unsigned int cid_hdr = M2MSEC_REC12_HDR_LEN + a->tx_cid_len;
	u8 outer = a->tx_cid_len ? M2MSEC_CT_TLS12_CID : type;
	u8 nonce[12], aad[M2MSEC_REC12_AAD_MAX];
	u8 *pt = buf + l->hdr;
	unsigned int aad_len;

	if (a->tx_cid_len)
		m2msec_inner_plaintext_put(pt + len, type, 0);
	m2msec_rec12_put_hdr(buf, outer, ep->epoch, seq, a->tx_cid,
			     a->tx_cid_len, l->len - M2MSEC_REC12_HDR_LEN -
			     a->tx_cid_len);
	m2msec_rec12_nonce(nonce, a->cd->id, ep->iv, ep->epoch, seq,
			   buf + cid_hdr);
	aad_len = m2msec_rec12_aad(aad, outer, ep->epoch, seq, a->tx_cid,
				   a->tx_cid_len, l->pt_len);
	return m2msec_aead_crypt(ep, true, nonce, aad, aad_len, pt, l->pt_len,
				 scratch);
}

static int m2msec_tx_seal13(struct m2msec_assoc *a, struct m2msec_epoch *ep,
			    u8 type, size_t len, u64 seq,
			    const struct m2msec_tx_layout *l, u8 *buf,
			    void *scratch)
{
	u8 nonce[12], mask[16];
	u8 *pt = buf + l->hdr;
	int err;

	m2msec_rec13_put_hdr(buf, ep->epoch, seq, a->tx_cid, a->tx_cid_len,
			     l->len - l->hdr, false);
	m2msec_inner_plaintext_put(pt + len, type, l->pad);
	m2msec_rec13_nonce(nonce, ep->iv, seq);
	/* The AAD is the header with the sequence number in clear. */
	err = m2msec_aead_crypt(ep, true, nonce, buf, l->hdr, pt, l->pt_len,
				scratch) ?:
	      m2msec_sn_mask(ep, pt, mask);
	if (!err)
		m2msec_rec13_mask_tx(buf, a->tx_cid_len, mask);
	return err;
}

static void m2msec_tx_layout(const struct m2msec_assoc *a, size_t len,
			     struct m2msec_tx_layout *l)
{
	if (a->version == M2MSEC_DTLS_1_3)
		m2msec_tx_layout13(a, len, l);
	else
		m2msec_tx_layout12(a, len, l);
}

/*
 * The length of the records of @src, back to back; @rec_len: that of one
 * record of @src->seg bytes (all but the last).
 */
static size_t m2msec_tx_len(const struct m2msec_assoc *a,
			    const struct m2msec_tx_src *src,
			    unsigned int *rec_len)
{
	struct m2msec_tx_layout l, last;

	m2msec_tx_layout(a, src->seg, &l);
	*rec_len = l.len;
	if (src->n == 1)
		return l.len;
	m2msec_tx_layout(a, src->len - (src->n - 1) * src->seg, &last);
	return (src->n - 1) * l.len + last.len;
}

/* Copy and protect record @i of @src at @rec; @scratch for the crypto. */
static int m2msec_tx_fill(struct m2msec_assoc *a, struct m2msec_epoch *ep,
			  u8 type, const struct m2msec_tx_src *src,
			  unsigned int i, u64 seq, u8 *rec, void *scratch)
{
	size_t len = i + 1 < src->n ? src->seg : src->len - i * src->seg;
	struct m2msec_tx_layout l;
	int err;

	m2msec_tx_layout(a, len, &l);
	err = m2msec_tx_copy(rec + l.hdr, src, len);
	if (err)
		return err;
	if (a->version == M2MSEC_DTLS_1_3)
		return m2msec_tx_seal13(a, ep, type, len, seq + i, &l, rec,
					scratch);
	return m2msec_tx_seal12(a, ep, type, len, seq + i, &l, rec, scratch);
}

/*
 * The records of @src in one skb, back to back (one GSO packet when there
 * are several): each payload is copied once, from the caller straight
 * into place, and encrypted there (the crypto request lives in the skb's
 * tailroom); xmit.c sends the skb.
 */
static int m2msec_tx_build(struct m2msec_assoc *a, struct m2msec_epoch *ep,
			   u8 type, const struct m2msec_tx_src *src, u64 seq,
			   size_t len, unsigned int rec_len)
{
	struct m2msec_route r;
	struct sk_buff *skb;
	unsigned int i;
	void *scratch;
	int err;

	err = m2msec_xmit_alloc(a, &r, len, src->n > 1 ? rec_len : len,
				m2msec_aead_scratch_size(ep), &skb);
	if (err)
		return err;
	scratch = m2msec_aead_scratch(skb->data, len);
	for (i = 0; i < src->n; i++) {
		err = m2msec_tx_fill(a, ep, type, src, i, seq,
				     skb->data + i * rec_len, scratch);
		if (err)
			goto err_free;
	}
	return m2msec_xmit(a, &r, skb);

err_free:
	kfree_skb(skb);
	m2msec_xmit_abort(a, &r);
	return err;
}

static int m2msec_tx_record(struct m2msec_assoc *a, struct m2msec_epoch *ep,
			    u8 type, const struct m2msec_tx_src *src,
			    u64 *seq_out)
{
	unsigned int rec_len;
	size_t len = m2msec_tx_len(a, src, &rec_len);
	u64 seq;
	int err;

	/* A GSO packet is one IP packet before segmentation. */
	if (src->n > 1 && len > M2MSEC_TX_GSO_MAX)
		return -EMSGSIZE;
	if (!m2msec_tx_seq(a, ep, src->n, &seq)) {
		m2msec_assoc_count(a, M2MSEC_A_STAT_LIMIT, 1);
		return -EKEYEXPIRED;
	}
	if (seq_out)
		*seq_out = seq;
	err = m2msec_tx_build(a, ep, type, src, seq, len, rec_len);
	if (err) {
		m2msec_assoc_count(a, M2MSEC_A_STAT_TX_ERR, 1);
		return err;
	}
	m2msec_assoc_count(a, M2MSEC_A_STAT_TX_RECORDS, src->n);
	m2msec_assoc_count(a, M2MSEC_A_STAT_TX_BYTES, src->len);
	return 0;
}

/* The TX epoch for @want (U64_MAX: the current one). */
static struct m2msec_epoch *m2msec_tx_epoch(struct m2msec_assoc *a, u64 want)
{
	struct m2msec_epoch *ep = m2msec_epoch_get_rcu(&a->tx);

	if (!ep || want == U64_MAX || ep->epoch == want)
		return ep;
	m2msec_epoch_put(ep);
	/* oneM2M CoAP binding: a response goes out in its request's epoch. */
	if (time_after(jiffies, READ_ONCE(a->tx_prev_until)))
		return NULL;
	ep = m2msec_epoch_get_rcu(&a->tx_prev);
	if (ep && ep->epoch == want)
		return ep;
	m2msec_epoch_put(ep);
	return NULL;
}

struct m2msec_tx_opts {
	u32 assoc_id;
	u64 epoch;
	u16 segment;
};

static int m2msec_tx_cmsgs(struct msghdr *msg, struct m2msec_tx_opts *o)
{
	struct cmsghdr *c;

	o->assoc_id = 0;
	o->epoch = U64_MAX;
	o->segment = 0;
	for_each_cmsghdr(c, msg) {
		if (!CMSG_OK(msg, c))
			return -EINVAL;
		if (c->cmsg_level != SOL_M2MSEC)
			return -EINVAL;
		switch (c->cmsg_type) {
		case M2MSEC_CMSG_ASSOC_ID:
			if (c->cmsg_len != CMSG_LEN(sizeof(u32)))
				return -EINVAL;
			memcpy(&o->assoc_id, CMSG_DATA(c), sizeof(u32));
			break;
		case M2MSEC_CMSG_EPOCH:
			if (c->cmsg_len != CMSG_LEN(sizeof(u64)))
				return -EINVAL;
			memcpy(&o->epoch, CMSG_DATA(c), sizeof(u64));
			break;
		case M2MSEC_CMSG_SEGMENT:
			if (c->cmsg_len != CMSG_LEN(sizeof(u16)))
				return -EINVAL;
			memcpy(&o->segment, CMSG_DATA(c), sizeof(u16));
			if (!o->segment)
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

static struct m2msec_assoc *m2msec_tx_assoc(struct m2msec_dtls_sock *ds,
					    struct msghdr *msg,
					    const struct m2msec_tx_opts *o,
					    int *err)
{
	union m2msec_addr to;

	*err = -ENOTCONN;
	if (o->assoc_id)
		return m2msec_assoc_by_id(ds, o->assoc_id);
	if (msg->msg_name) {
		*err = m2msec_addr_from_user(&to, msg->msg_name,
					     msg->msg_namelen);
		if (*err)
			return NULL;
		*err = -ENOTCONN;
		return m2msec_assoc_by_addr(ds, &to);
	}
	if (!READ_ONCE(ds->connected)) {
		*err = -EDESTADDRREQ;
		return NULL;
	}
	return m2msec_assoc_by_addr(ds, &ds->default_peer);
}

/**
 * m2msec_dtls_sendmsg() - send @len bytes as one application data record,
 *	or as several of M2MSEC_CMSG_SEGMENT bytes in one GSO packet
 * @sock: DTLS socket
 * @msg: data; destination from M2MSEC_CMSG_ASSOC_ID, msg_name or connect();
 *	optional M2MSEC_CMSG_EPOCH and M2MSEC_CMSG_SEGMENT
 * @len: bytes
 *
 * Return: @len, or EMSGSIZE (record or path too small, too many
 * segments), ENOTCONN (no association), EDESTADDRREQ, EKEYEXPIRED (epoch
 * gone or usage limit), EINVAL (bad cmsg), EOPNOTSUPP (segments on a route
 * without GSO), EAGAIN (send buffer full), EFAULT, ENOMEM.
 */
int m2msec_dtls_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	struct m2msec_dtls_sock *ds = m2msec_dtls_sk(sock->sk);
	struct m2msec_tx_src src = {
		.iter = &msg->msg_iter, .len = len, .seg = len, .n = 1,
	};
	struct m2msec_tx_opts o;
	struct m2msec_epoch *ep;
	struct m2msec_assoc *a;
	int err;

	/* sendmmsg() adds MSG_BATCH to every message but the last. */
	if (msg->msg_flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_EOR |
			       MSG_CMSG_COMPAT | MSG_BATCH))
		return -EOPNOTSUPP;
	err = m2msec_tx_cmsgs(msg, &o);
	if (err)
		return err;
	if (o.segment && o.segment < len) {
		src.seg = o.segment;
		src.n = DIV_ROUND_UP(len, o.segment);
		if (src.n > M2MSEC_SEGMENTS_MAX)
			return -EMSGSIZE;
	}
	if (src.seg > M2MSEC_MAX_PLAINTEXT)
		return -EMSGSIZE;
	a = m2msec_tx_assoc(ds, msg, &o, &err);
	if (!a)
		return err;
	ep = m2msec_tx_epoch(a, o.epoch);
	if (!ep) {
		err = -EKEYEXPIRED;
		goto out;
	}
	err = m2msec_tx_record(a, ep, M2MSEC_CT_APPLICATION_DATA, &src, NULL);
	m2msec_epoch_put(ep);
out:
	m2msec_assoc_put(a);
	return err ?: len;
}

/**
 * m2msec_tx_alert() - send an alert record in the current epoch
 * @a: association
 * @level: 1 warning, 2 fatal
 * @desc: alert description (0: close_notify)
 *
 * Return: 0 or a negative errno.
 */
int m2msec_tx_alert(struct m2msec_assoc *a, u8 level, u8 desc)
{
	const u8 alert[2] = { level, desc };
	u64 epoch, seq;

	return m2msec_tx_control(a, M2MSEC_CT_ALERT, alert, sizeof(alert),
				 &epoch, &seq);
}

/**
 * m2msec_tx_control() - send a control record in the current TX epoch
 * @a: association
 * @type: content type (alert, handshake, ACK)
 * @buf: plaintext
 * @len: its length, at most 2^14
 * @epoch: receives the epoch the record was sent in
 * @seq: receives its sequence number
 *
 * For the association control channel (assoc_ctrl.c): the daemon needs
 * the record number of what it sent to match the peer's ACKs.
 *
 * Return: 0 or a negative errno.
 */
int m2msec_tx_control(struct m2msec_assoc *a, u8 type, const void *buf,
		      size_t len, u64 *epoch, u64 *seq)
{
	struct m2msec_tx_src src = { .kbuf = buf, .len = len, .seg = len, .n = 1 };
	struct m2msec_epoch *ep;
	int err = -ENOKEY;

	if (len > M2MSEC_MAX_PLAINTEXT)
		return -EMSGSIZE;
	ep = m2msec_epoch_get_rcu(&a->tx);
	if (ep) {
		*epoch = ep->epoch;
		err = m2msec_tx_record(a, ep, type, &src, seq);
	}
	m2msec_epoch_put(ep);
	return err;
}
