// SPDX-License-Identifier: GPL-2.0
/*
 * Receive path of DTLS sockets.
 *
 * Softirq (UDP encapsulation hook): the datagram is only queued on the
 * m2msec socket, with the sender's address in skb->cb; no parsing, no
 * crypto.  Process context (recvmsg, under ds->rx_lock): the datagram is
 * taken apart record by record (several records per datagram are allowed),
 * each record is matched to its association (by Connection ID or by peer
 * address), checked against the replay window cheaply, decrypted in place,
 * authenticated, and only then committed to the replay window; DTLS 1.3
 * truncated sequence numbers are trusted only after authentication.  A
 * CID association follows its peer to a new address only on such an
 * authenticated record, and only on one newer than all before it.
 *
 * Before queueing, the hook hands the datagrams of peers with a handshake
 * request in progress, and ClientHellos of unknown peers on listening
 * sockets, to the handshake upcall (handshake.c).
 *
 * Application data is delivered; everything else (handshake, alerts, ACKs,
 * records of epochs without keys, first flights of unknown peers) goes to
 * the control queue for the handshake daemon, bounded and counted.  Every
 * dropped record is counted and never disturbs the association.
 */
#include <linux/ipv6.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "handshake.h"
#include "record.h"
#include "record12.h"
#include "record13.h"

/* Control records waiting for the handshake daemon. */
struct m2msec_ctrl_cb {
	union m2msec_addr peer;
	u32 assoc_id;		/* 0: no association */
	u8 type;		/* content type, when known */
	u8 decrypted;		/* payload is authenticated plaintext */
	u16 version;
	u64 epoch;
};

#define M2MSEC_CTRL_CB(skb) ((struct m2msec_ctrl_cb *)(skb)->cb)

/* Memory (skb truesize) of a socket's control queue, besides its count. */
#define M2MSEC_CTRL_QUEUE_BYTES	(128 * 1024)

static void m2msec_net_count(struct m2msec_dtls_sock *ds, int idx)
{
	m2msec_pcpu_net_add(m2msec_net(sock_net(&ds->sk))->stats, idx, 1);
}

static void m2msec_count(struct m2msec_dtls_sock *ds, struct m2msec_assoc *a,
			 int idx)
{
	if (a)
		m2msec_assoc_count(a, idx, 1);
	else
		m2msec_net_count(ds, idx);
}

/* --- softirq: queue the datagram ------------------------------------ */

/*
 * The sender's address goes to skb->cb, which the IP layer's control block
 * (IP6CB: the incoming interface) occupies until then: build it aside and
 * copy it over only once everything has been read from the old contents.
 */
static void m2msec_rx_save_peer(struct sk_buff *skb, union m2msec_addr *peer)
{
	const struct udphdr *uh = udp_hdr(skb);
	union m2msec_addr a;

	memset(&a, 0, sizeof(a));
	if (ip_hdr(skb)->version == 6) {
		a.sin6.sin6_family = AF_INET6;
		a.sin6.sin6_addr = ipv6_hdr(skb)->saddr;
		a.sin6.sin6_port = uh->source;
		a.sin6.sin6_scope_id = ipv6_iface_scope_id(&a.sin6.sin6_addr,
							   inet6_iif(skb));
	} else {
		a.sin.sin_family = AF_INET;
		a.sin.sin_addr.s_addr = ip_hdr(skb)->saddr;
		a.sin.sin_port = uh->source;
	}
	*peer = a;
}

/**
 * m2msec_udp_encap_rcv() - UDP encapsulation hook of the socket's UDP socket
 * @usk: the UDP sock
 * @skb: a datagram whose UDP checksum has been verified
 *
 * Softirq, RCU read side.  Always consumes @skb.
 *
 * Return: 0 (consumed).
 */
int m2msec_udp_encap_rcv(struct sock *usk, struct sk_buff *skb)
{
	struct m2msec_dtls_sock *ds = rcu_dereference_sk_user_data(usk);
	unsigned int off;

	if (!ds)
		goto drop;
	m2msec_rx_save_peer(skb, &M2MSEC_RX_CB(skb)->peer);
	off = skb_transport_offset(skb) + sizeof(struct udphdr);
	if (!pskb_may_pull(skb, off))
		goto drop;
	__skb_pull(skb, off);
	/* Datagrams of a handshake in progress go to its request. */
	if (m2msec_hs_rcv(ds, skb))
		return 0;
	if (sock_queue_rcv_skb(&ds->sk, skb) < 0) {
		m2msec_net_count(ds, M2MSEC_A_STAT_RX_QUEUE_DROP);
		goto drop;
	}
	return 0;
drop:
	kfree_skb(skb);
	return 0;
}

/* --- control queue -------------------------------------------------- */

static void m2msec_ctrl_queue(struct m2msec_dtls_sock *ds,
			      struct m2msec_assoc *a, const u8 *rec,
			      unsigned int len, u8 type, bool decrypted,
			      u64 epoch, u64 seq)
{
	u32 max = READ_ONCE(m2msec_net(sock_net(&ds->sk))->cfg.ctrl_queue_max);
	struct m2msec_ctrl_cb *cb;
	struct sk_buff *skb;

	/* The daemon holds a control channel for the association. */
	if (a && m2msec_actrl_queue(a, rec, len, type, decrypted, epoch, seq))
		return;
	if (skb_queue_len(&ds->ctrl_queue) >= max)
		goto drop;
	skb = alloc_skb(len, GFP_KERNEL_ACCOUNT);
	if (!skb)
		goto drop;
	/*
	 * Bounded in bytes as well, but apart from the receive buffer: a
	 * peer (or a spoofer) filling this queue must not take the
	 * application's datagrams' room.
	 */
	if (ds->ctrl_bytes + skb->truesize > M2MSEC_CTRL_QUEUE_BYTES) {
		kfree_skb(skb);
		goto drop;
	}
	ds->ctrl_bytes += skb->truesize;
	skb_put_data(skb, rec, len);
	cb = M2MSEC_CTRL_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->peer = M2MSEC_RX_CB(ds->rx_skb)->peer;
	cb->assoc_id = a ? a->id : 0;
	cb->version = a ? a->version : 0;
	cb->type = type;
	cb->decrypted = decrypted;
	cb->epoch = epoch;
	skb_queue_tail(&ds->ctrl_queue, skb);
	m2msec_count(ds, a, M2MSEC_A_STAT_CTRL_QUEUED);
	return;
drop:
	m2msec_count(ds, a, M2MSEC_A_STAT_CTRL_DROP);
}

/* --- record processing ---------------------------------------------- */

/* The RX epoch matching @epoch: the current one, or the previous one while
 * its grace period lasts.  Returns a reference or NULL.
 */
static struct m2msec_epoch *m2msec_rx_epoch(struct m2msec_assoc *a, u64 epoch)
{
	struct m2msec_epoch *ep = m2msec_epoch_get_rcu(&a->rx);

	if (ep && ep->epoch == epoch)
		return ep;
	m2msec_epoch_put(ep);
	if (time_after(jiffies, READ_ONCE(a->rx_prev_until)))
		return NULL;
	ep = m2msec_epoch_get_rcu(&a->rx_prev);
	if (ep && ep->epoch == epoch) {
		m2msec_assoc_count(a, M2MSEC_A_STAT_OLD_EPOCH, 1);
		return ep;
	}
	m2msec_epoch_put(ep);
	return NULL;
}

/*
 * RFC 9147 4.5.3: an epoch whose integrity limit (failed decryptions) is
 * reached must not be used any more.
 */
static bool m2msec_rx_limit_reached(const struct m2msec_epoch *ep)
{
	return READ_ONCE(ep->auth_failures) >= ep->cd->integrity_limit;
}

/*
 * The integrity limit of a DTLS 1.2 receive epoch is reached.  DTLS 1.3
 * updates its keys (the daemon is told at 7/8 of the limit) and only the
 * exhausted epoch refuses records.  DTLS 1.2 has no key update: the
 * association ends, as RFC 9147 4.5.3 asks of a connection at the limit,
 * so that a new handshake can start.  The peer gets a close_notify, the
 * daemon an end of file on the control channel, monitors a DOWN event
 * (reason INTEGRITY_LIMIT), and the application ENOTCONN on its next send
 * to the peer.  Caller holds rx_lock, which nests outside assoc_lock.
 */
static void m2msec_rx_integrity_close(struct m2msec_assoc *a)
{
	struct m2msec_dtls_sock *ds = a->ds;

	lockdep_assert_held(&ds->rx_lock);
	mutex_lock(&ds->assoc_lock);
	if (!a->dead) {
		m2msec_assoc_close(a, M2MSEC_EVENT_REASON_INTEGRITY_LIMIT);
		m2msec_net_count(ds, M2MSEC_A_STAT_INTEGRITY_CLOSED);
	}
	mutex_unlock(&ds->assoc_lock);
}

/* Readers of the counter run under ds->rx_lock, like this writer. */
static void m2msec_rx_auth_failed(struct m2msec_assoc *a,
				  struct m2msec_epoch *ep)
{
	u64 n = ep->auth_failures + 1, max = ep->cd->integrity_limit;

	WRITE_ONCE(ep->auth_failures, n);
	m2msec_assoc_count(a, M2MSEC_A_STAT_AUTH_FAIL, 1);
	if (m2msec_limit_notify_point(n, max))
		m2msec_event_limit(a, M2MSEC_LIMIT_INTEGRITY, ep->epoch, n, max);
	if (n == max && ep->version == M2MSEC_DTLS_1_2)
		m2msec_rx_integrity_close(a);
}

/*
 * Room for the crypto request of the record being opened: one buffer per
 * socket (records are opened one at a time, under rx_lock), grown to the
 * largest request its epochs need.  NULL when it cannot grow: the crypto
 * code then allocates for this record.
 */
static void *m2msec_rx_scratch(struct m2msec_dtls_sock *ds,
			       struct m2msec_epoch *ep)
{
	size_t need = m2msec_aead_scratch_size(ep);
	void *p;

	lockdep_assert_held(&ds->rx_lock);
	if (ds->rx_scratch_len < need) {
		p = kmalloc(need, GFP_KERNEL_ACCOUNT);
		if (!p)
			return NULL;
		kfree_sensitive(ds->rx_scratch);
		ds->rx_scratch = p;
		ds->rx_scratch_len = need;
	}
	return m2msec_aead_scratch(ds->rx_scratch, 0);
}

/*
 * Decrypt and authenticate; on success commit the sequence number.
 * @newest: set when the record is newer than every record received so far
 * (the current epoch's highest sequence number).
 */
static int m2msec_rx_open(struct m2msec_assoc *a, struct m2msec_epoch *ep,
			  u64 seq, const u8 *nonce, const u8 *aad,
			  unsigned int aad_len, u8 *ct, unsigned int ct_len,
			  bool *newest)
{
	bool fresh;
	u64 top;
	int err;

	if (m2msec_rx_limit_reached(ep)) {
		m2msec_assoc_count(a, M2MSEC_A_STAT_LIMIT, 1);
		return -EKEYEXPIRED;
	}
	if (!m2msec_replay_check(ep->replay, seq)) {
		m2msec_assoc_count(a, M2MSEC_A_STAT_REPLAY, 1);
		return -EALREADY;
	}
	err = m2msec_aead_crypt(ep, false, nonce, aad, aad_len, ct, ct_len,
				m2msec_rx_scratch(a->ds, ep));
	if (err) {
		if (err == -EBADMSG)
			m2msec_rx_auth_failed(a, ep);
		return err;
	}
	spin_lock_bh(&a->lock);
	/* Until the first record, top is the first acceptable number. */
	top = ep->replay->top;
	fresh = m2msec_replay_update(ep->replay, seq);
	*newest = fresh && seq >= top && ep == rcu_access_pointer(a->rx);
	spin_unlock_bh(&a->lock);
	if (!fresh) {
		m2msec_assoc_count(a, M2MSEC_A_STAT_REPLAY, 1);
		return -EALREADY;
	}
	return 0;
}

struct m2msec_rx_rec {
	struct m2msec_assoc *a;
	struct m2msec_epoch *ep;
	u8 *pt;			/* plaintext, in place */
	unsigned int pt_len;
	u8 type;
	bool newest;		/* newer than every record received */
	u64 seq;		/* record sequence number */
};

/*
 * RFC 9146 6 and RFC 9147 9: the peer of a CID association may change its
 * address (NAT rebinding).  Called for an authenticated record that carried
 * the association's CID and is newer than every record received, so that
 * records reordered or replayed from an old address never move the peer
 * back.  Records go to the new address from now on; the event lets an
 * application that wants a return routability check do it.
 */
static void m2msec_rx_peer_moved(struct m2msec_dtls_sock *ds,
				 struct m2msec_assoc *a)
{
	const union m2msec_addr *from = &M2MSEC_RX_CB(ds->rx_skb)->peer;
	struct m2msec_addr_key k_from;
	union m2msec_addr old;
	int err;

	/*
	 * Runs for every in-order CID record: compare table keys, no copy.
	 * Only this path moves a published association, under rx_lock, so
	 * its addr_key is stable here.
	 */
	lockdep_assert_held(&ds->rx_lock);
	m2msec_addr_key(&k_from, from);
	if (!memcmp(&k_from, &a->addr_key, sizeof(k_from)))
		return;
	err = m2msec_assoc_move(a, from, &old);
	if (err == -ENOENT)
		return;		/* removed meanwhile */
	m2msec_net_count(ds, err ? M2MSEC_A_STAT_PEER_MOVE_REFUSED :
				   M2MSEC_A_STAT_PEER_MOVED);
	if (!err)
		m2msec_event_peer_moved(a, &old);
}

/* RFC 8446 4: HandshakeType key_update. */
#define M2MSEC_HS_KEY_UPDATE		24
/* The peer's KeyUpdates passed on to the daemon per association and second. */
#define M2MSEC_KEY_UPDATES_PER_SEC	4

/*
 * A DTLS 1.3 peer's KeyUpdate makes the daemon derive and install new keys.
 * It reaches this point only authenticated and not replayed; a peer that
 * sends them in a loop is still held to a few per second (dropped and
 * counted beyond: the peer retransmits an unacknowledged KeyUpdate, so a
 * legitimate one gets through later).  Only a record's first handshake
 * message is looked at.
 */
static bool m2msec_rx_key_update_limited(struct m2msec_dtls_sock *ds,
					 struct m2msec_rx_rec *r)
{
	struct m2msec_assoc *a = r->a;
	u64 now;

	if (a->version != M2MSEC_DTLS_1_3 || r->type != M2MSEC_CT_HANDSHAKE ||
	    !r->pt_len || r->pt[0] != M2MSEC_HS_KEY_UPDATE)
		return false;
	lockdep_assert_held(&ds->rx_lock);
	now = ktime_get_coarse_ns();
	if (now - a->ku_window_ns >= NSEC_PER_SEC) {
		a->ku_window_ns = now;
		a->ku_count = 0;
	}
	if (a->ku_count < M2MSEC_KEY_UPDATES_PER_SEC) {
		a->ku_count++;
		return false;
	}
	m2msec_net_count(ds, M2MSEC_A_STAT_KEY_UPDATE_LIMITED);
	return true;
}

static void m2msec_rx_deliver(struct m2msec_dtls_sock *ds,
			      struct m2msec_rx_rec *r, const u8 *rec,
			      unsigned int rec_len)
{
	if (r->type != M2MSEC_CT_APPLICATION_DATA) {
		if (m2msec_rx_key_update_limited(ds, r))
			return;
		m2msec_ctrl_queue(ds, r->a, r->pt, r->pt_len, r->type, true,
				  r->ep->epoch, r->seq);
		return;
	}
	m2msec_assoc_count(r->a, M2MSEC_A_STAT_RX_RECORDS, 1);
	m2msec_assoc_count(r->a, M2MSEC_A_STAT_RX_BYTES, r->pt_len);
	ds->ready.skb = skb_get(ds->rx_skb);
	ds->ready.off = r->pt - ds->rx_skb->data;
	ds->ready.len = r->pt_len;
	ds->ready.assoc_id = r->a->id;
	ds->ready.epoch = r->ep->epoch;
	ds->ready.peer = M2MSEC_RX_CB(ds->rx_skb)->peer;
	ds->has_ready = true;
}

/*
 * RFC 6347 4.1 (via RFC 5246 6.2.1) and RFC 8446 5.1/5.2 (via RFC 9147 4):
 * no record carries more than 2^14 bytes of content, whatever its outer
 * length allowed.  A longer one, even authenticated, is a record_overflow:
 * in DTLS it is discarded, and counted as a length error.  Send refuses the
 * same size with EMSGSIZE.
 */
static bool m2msec_rx_overflow(const struct m2msec_rx_rec *r)
{
	if (r->pt_len <= M2MSEC_REC_PLAINTEXT_MAX)
		return false;
	m2msec_assoc_count(r->a, M2MSEC_A_STAT_HDR_ERR, 1);
	return true;
}

/* DTLS 1.2 record (RFC 6347 4.1, RFC 9146 for CID records). */
static int m2msec_rx_record12(struct m2msec_dtls_sock *ds, u8 *rec,
			      unsigned int avail, struct m2msec_rx_rec *r)
{
	const union m2msec_addr *peer = &M2MSEC_RX_CB(ds->rx_skb)->peer;
	unsigned int expl, tag, ct_len, aad_len;
	struct m2msec_rec12 h;
	u8 nonce[12], aad[M2MSEC_REC12_AAD_MAX];
	int len, err;
	u8 *ct;

	len = m2msec_rec12_parse(rec, avail, ds->rx_cid_len, &h);
	if (len < 0) {
		m2msec_count(ds, NULL, M2MSEC_A_STAT_HDR_ERR);
		return len;
	}
	if (h.type == M2MSEC_CT_TLS12_CID)
		r->a = m2msec_assoc_by_cid(ds, h.cid, h.cid_len);
	else
		r->a = m2msec_assoc_by_addr(ds, peer);

	/* RFC 9146 3: its association expects a CID in encrypted records. */
	if (r->a && (r->a->version != M2MSEC_DTLS_1_2 ||
		     (r->a->rx_cid_len && !h.cid_len && h.epoch))) {
		m2msec_count(ds, r->a, M2MSEC_A_STAT_HDR_ERR);
		return len;
	}
	if (r->a)
		r->ep = m2msec_rx_epoch(r->a, h.epoch);
	if (!r->ep) {
		/* Unknown peer or epoch: the daemon's business, unless it
		 * pretends to be application data nobody can decrypt.
		 */
		if (h.type == M2MSEC_CT_APPLICATION_DATA ||
		    h.type == M2MSEC_CT_TLS12_CID)
			m2msec_count(ds, r->a, M2MSEC_A_STAT_NO_ASSOC);
		else
			m2msec_ctrl_queue(ds, r->a, rec, len, h.type, false,
					  h.epoch, h.seq);
		return len;
	}

	expl = m2msec_rec12_explicit_len(r->a->cd->id);
	tag = r->a->cd->tag_len;
	if (h.len < expl + tag) {
		m2msec_assoc_count(r->a, M2MSEC_A_STAT_HDR_ERR, 1);
		return len;
	}
	ct = rec + h.hdr_len + expl;
	ct_len = h.len - expl;
	err = m2msec_rec12_rx_nonce(nonce, r->a->cd->id, r->ep->iv, h.epoch,
				    h.seq, rec + h.hdr_len, h.len);
	if (err < 0) {
		m2msec_assoc_count(r->a, M2MSEC_A_STAT_HDR_ERR, 1);
		return len;
	}
	aad_len = m2msec_rec12_aad(aad, h.type, h.epoch, h.seq, h.cid,
				   h.cid_len, ct_len - tag);
	if (m2msec_rx_open(r->a, r->ep, h.seq, nonce, aad, aad_len, ct,
			   ct_len, &r->newest))
		return len;

	r->pt = ct;
	r->pt_len = ct_len - tag;
	r->type = h.type;
	r->seq = h.seq;
	if (h.type == M2MSEC_CT_TLS12_CID) {
		size_t content;
		int type = m2msec_inner_plaintext_type(ct, r->pt_len, &content);

		if (type < 0) {
			m2msec_assoc_count(r->a, M2MSEC_A_STAT_HDR_ERR, 1);
			return len;
		}
		r->type = type;
		r->pt_len = content;
	}
	if (m2msec_rx_overflow(r))
		return len;
	if (r->newest && h.cid_len)
		m2msec_rx_peer_moved(ds, r->a);
	m2msec_rx_deliver(ds, r, rec, len);
	return len;
}

/* DTLS 1.3 record with the unified header (RFC 9147 4, 4.2.2, 4.2.3). */
static int m2msec_rx_record13(struct m2msec_dtls_sock *ds, u8 *rec,
			      unsigned int avail, struct m2msec_rx_rec *r)
{
	const union m2msec_addr *peer = &M2MSEC_RX_CB(ds->rx_skb)->peer;
	struct m2msec_epoch *cur;
	struct m2msec_rec13 h;
	unsigned int tag;
	const u8 *sample;
	u8 nonce[12], mask[16];
	size_t content;
	u64 epoch, seq;
	int len, type;

	len = m2msec_rec13_parse(rec, avail, ds->rx_cid_len, &h);
	if (len < 0) {
		m2msec_count(ds, NULL, M2MSEC_A_STAT_HDR_ERR);
		return len;
	}
	r->a = h.cid_len ? m2msec_assoc_by_cid(ds, h.cid, h.cid_len) :
			   m2msec_assoc_by_addr(ds, peer);
	if (!r->a) {
		m2msec_count(ds, NULL, M2MSEC_A_STAT_NO_ASSOC);
		return len;
	}
	/* RFC 9147 4: a negotiated CID is in every record of the peer. */
	if (r->a->version != M2MSEC_DTLS_1_3 ||
	    (r->a->rx_cid_len && !h.cid_len)) {
		m2msec_assoc_count(r->a, M2MSEC_A_STAT_HDR_ERR, 1);
		return len;
	}
	cur = m2msec_epoch_get_rcu(&r->a->rx);
	if (!cur) {
		m2msec_ctrl_queue(ds, r->a, rec, len, 0, false, 0, 0);
		return len;
	}
	epoch = m2msec_rec13_reconstruct_epoch(cur->epoch, h.epoch_bits);
	m2msec_epoch_put(cur);
	r->ep = m2msec_rx_epoch(r->a, epoch);
	if (!r->ep) {
		/* Handshake epochs and epochs not installed yet. */
		m2msec_ctrl_queue(ds, r->a, rec, len, 0, false, epoch, 0);
		return len;
	}

	tag = r->a->cd->tag_len;
	sample = m2msec_rec13_sample(rec, &h);
	if (!sample || h.len < tag + 1) {
		m2msec_assoc_count(r->a, M2MSEC_A_STAT_HDR_ERR, 1);
		return len;
	}
	if (m2msec_sn_mask(r->ep, sample, mask)) {
		m2msec_assoc_count(r->a, M2MSEC_A_STAT_HDR_ERR, 1);
		return len;
	}
	m2msec_rec13_mask_rx(rec, &h, mask);
	seq = m2msec_rec13_reconstruct_seq(r->ep->replay->top + 1,
					   h.seq_trunc, h.seq_len * 8);
	m2msec_rec13_nonce(nonce, r->ep->iv, seq);
	if (m2msec_rx_open(r->a, r->ep, seq, nonce, rec, h.hdr_len,
			   rec + h.hdr_len, h.len, &r->newest))
		return len;

	type = m2msec_inner_plaintext_type(rec + h.hdr_len, h.len - tag,
					   &content);
	if (type < 0) {
		m2msec_assoc_count(r->a, M2MSEC_A_STAT_HDR_ERR, 1);
		return len;
	}
	r->pt = rec + h.hdr_len;
	r->pt_len = content;
	r->type = type;
	r->seq = seq;
	if (m2msec_rx_overflow(r))
		return len;
	if (r->newest && h.cid_len)
		m2msec_rx_peer_moved(ds, r->a);
	m2msec_rx_deliver(ds, r, rec, len);
	return len;
}

/*
 * Process the next record of the current datagram.  Returns the bytes it
 * took, or a negative errno when the rest of the datagram cannot be parsed
 * (the datagram is then dropped).
 */
static int m2msec_rx_next(struct m2msec_dtls_sock *ds)
{
	struct m2msec_rx_rec r = {};
	unsigned int avail = ds->rx_skb->len - ds->rx_off;
	u8 *rec = ds->rx_skb->data + ds->rx_off;
	int len;

	switch (m2msec_record_classify(rec, avail)) {
	case M2MSEC_REC_UNIFIED:
		len = m2msec_rx_record13(ds, rec, avail, &r);
		break;
	case M2MSEC_REC_LEGACY:
	case M2MSEC_REC_CID12:
		len = m2msec_rx_record12(ds, rec, avail, &r);
		break;
	default:
		m2msec_count(ds, NULL, M2MSEC_A_STAT_HDR_ERR);
		len = -EBADMSG;
	}
	m2msec_epoch_put(r.ep);
	m2msec_assoc_put(r.a);
	return len;
}

static void m2msec_rx_drop_datagram(struct m2msec_dtls_sock *ds)
{
	consume_skb(ds->rx_skb);
	ds->rx_skb = NULL;
	ds->rx_off = 0;
}

/*
 * Make a record ready: take datagrams off the queue (waiting if allowed)
 * and process their records until one carries application data.
 */
static int m2msec_rx_fill(struct m2msec_dtls_sock *ds, int flags)
{
	struct sock *sk = &ds->sk;
	int err, len;

	while (!ds->has_ready) {
		if (!ds->rx_skb) {
			ds->rx_skb = skb_recv_datagram(sk, flags & MSG_DONTWAIT,
						       &err);
			if (!ds->rx_skb)
				return err;
			ds->rx_off = 0;
			/* Decryption happens in place: own the data. */
			if (skb_linearize_cow(ds->rx_skb)) {
				m2msec_net_count(ds, M2MSEC_A_STAT_RX_QUEUE_DROP);
				m2msec_rx_drop_datagram(ds);
				continue;
			}
		}
		len = m2msec_rx_next(ds);
		if (len < 0)
			ds->rx_off = ds->rx_skb->len;
		else
			ds->rx_off += len;
		if (ds->rx_off >= ds->rx_skb->len)
			m2msec_rx_drop_datagram(ds);
		if (signal_pending(current) && !ds->has_ready)
			return -EINTR;
	}
	return 0;
}

static int m2msec_rx_cmsgs(struct msghdr *msg, struct m2msec_ready *rd)
{
	return put_cmsg(msg, SOL_M2MSEC, M2MSEC_CMSG_ASSOC_ID,
			sizeof(rd->assoc_id), &rd->assoc_id) ?:
	       put_cmsg(msg, SOL_M2MSEC, M2MSEC_CMSG_EPOCH, sizeof(rd->epoch),
			&rd->epoch);
}

static void m2msec_rx_consume(struct m2msec_dtls_sock *ds)
{
	consume_skb(ds->ready.skb);
	memset(&ds->ready, 0, sizeof(ds->ready));
	ds->has_ready = false;
}

/**
 * m2msec_dtls_recvmsg() - read the plaintext of one application record
 * @sock: DTLS socket
 * @msg: destination; msg_name gets the peer, cmsgs the association id and
 *	epoch (SOL_M2MSEC)
 * @len: buffer size
 * @flags: MSG_DONTWAIT, MSG_PEEK, MSG_TRUNC as for UDP
 *
 * Return: bytes copied (or the record length with MSG_TRUNC), or a
 * negative errno (EAGAIN, EINTR, EFAULT).
 */
int m2msec_dtls_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
			int flags)
{
	struct m2msec_dtls_sock *ds = m2msec_dtls_sk(sock->sk);
	struct m2msec_ready *rd = &ds->ready;
	size_t copied;
	int err;

	if (flags & ~(MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC | MSG_CMSG_COMPAT |
		      MSG_WAITALL | MSG_NOSIGNAL))
		return -EOPNOTSUPP;
	if (sock->file && (sock->file->f_flags & O_NONBLOCK))
		flags |= MSG_DONTWAIT;

	if (mutex_lock_interruptible(&ds->rx_lock))
		return -EINTR;
	err = m2msec_rx_fill(ds, flags);
	if (err)
		goto out;

	copied = min_t(size_t, len, rd->len);
	err = skb_copy_datagram_msg(rd->skb, rd->off, msg, copied);
	if (err)
		goto out;
	if (copied < rd->len)
		msg->msg_flags |= MSG_TRUNC;
	if (msg->msg_name) {
		memcpy(msg->msg_name, &rd->peer, m2msec_addr_len(&rd->peer));
		msg->msg_namelen = m2msec_addr_len(&rd->peer);
	}
	err = m2msec_rx_cmsgs(msg, rd);
	if (err)
		goto out;
	err = (flags & MSG_TRUNC) ? rd->len : copied;
	if (!(flags & MSG_PEEK))
		m2msec_rx_consume(ds);
out:
	mutex_unlock(&ds->rx_lock);
	return err;
}

/**
 * m2msec_rx_poll_ready() - will recvmsg() find an application record?
 * @ds: DTLS socket
 *
 * For poll(), after it registered on the socket's wait queue.  The receive
 * queue holds datagrams, not records: a datagram carrying only records for
 * the control queue (a DTLS 1.3 ACK or NewSessionTicket, an alert) must not
 * make the socket readable, or a reader woken by poll() blocks in
 * recvmsg().  So the datagrams already queued are taken apart here,
 * without waiting, until a record is ready or the queue is empty.  While
 * another task holds the receive side the answer comes from the queue
 * alone; as with UDP, such a wake-up can be spurious (read with
 * MSG_DONTWAIT).
 *
 * Return: true when a record is ready (or may be).
 */
bool m2msec_rx_poll_ready(struct m2msec_dtls_sock *ds)
{
	bool ready;

	if (READ_ONCE(ds->has_ready))
		return true;
	if (!READ_ONCE(ds->rx_skb) &&
	    skb_queue_empty_lockless(&ds->sk.sk_receive_queue))
		return false;
	/*
	 * Something is queued.  Take it apart unless that would consume a
	 * pending socket error (a failed non-blocking connect()'s, for
	 * SO_ERROR) or another task is reading: then say "maybe".
	 */
	if (READ_ONCE(ds->sk.sk_err) || !mutex_trylock(&ds->rx_lock))
		return true;
	m2msec_rx_fill(ds, MSG_DONTWAIT);
	/* A datagram left half done (signal) is finished by recvmsg(). */
	ready = ds->has_ready || ds->rx_skb;
	mutex_unlock(&ds->rx_lock);
	return ready;
}

/**
 * m2msec_rx_purge() - drop everything received and not read
 * @ds: socket being destroyed (no reader left)
 */
void m2msec_rx_purge(struct m2msec_dtls_sock *ds)
{
	if (ds->has_ready)
		m2msec_rx_consume(ds);
	if (ds->rx_skb)
		m2msec_rx_drop_datagram(ds);
	skb_queue_purge(&ds->sk.sk_receive_queue);
	skb_queue_purge(&ds->ctrl_queue);
	ds->ctrl_bytes = 0;
	kfree_sensitive(ds->rx_scratch);
	ds->rx_scratch = NULL;
	ds->rx_scratch_len = 0;
}
