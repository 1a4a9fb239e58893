// SPDX-License-Identifier: GPL-2.0
/*
 * The listener of a listening socket: first flights without per-peer
 * state.
 *
 * A ClientHello from a peer that has neither an association nor a request
 * is put on the listener's hello queue, bounded per socket in datagrams
 * (cfg.hs_hello_max) and memory (cfg.hs_hello_bytes, and the socket's
 * receive buffer the datagrams are charged to); beyond that it is dropped
 * and counted.  Nothing is allocated per peer: a flood of spoofed first
 * flights costs at most one full hello queue per socket.
 *
 * The daemon takes the listener like a request (HS_REQUEST with role
 * M2MSEC_HS_LISTENER, HS_ACCEPT) and runs the stateless cookie exchange
 * (RFC 6347 4.2.1 HelloVerifyRequest, RFC 9147 5.1 HelloRetryRequest
 * cookie) over its channel:
 *
 *   read()   struct m2msec_hs_dgram (peer, local address) + one datagram;
 *            EINVAL when the buffer cannot hold the header
 *   write()  struct m2msec_hs_dgram (peer) + one datagram to that peer,
 *            in the socket's family only
 *
 * Once a peer's cookie verified, HS_CLAIM (with the listener's channel)
 * creates that peer's request, accepted at once, and returns its channel;
 * the handshake continues there.  A claim must name a peer whose first
 * flight was read from the listener shortly before (a small fixed ring of
 * the last sources read), so a daemon cannot create requests for
 * addresses that never sent anything.
 */
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "handshake.h"

#define M2MSEC_HS_RECENT	16	/* sources read, for HS_CLAIM */

struct m2msec_hs_listener {
	struct m2msec_hs_req req;	/* first: freed by m2msec_hs_put() */
	u32 bytes;			/* truesize queued, under req.lock */
	unsigned long notified;		/* jiffies of the last HS_REQUEST */
	unsigned int recent_next;	/* under req.lock */
	struct m2msec_addr_key recent[M2MSEC_HS_RECENT];
};

static struct m2msec_hs_listener *m2msec_hs_lsn(struct m2msec_hs_req *req)
{
	return container_of(req, struct m2msec_hs_listener, req);
}

/**
 * m2msec_hs_listen_start() - give a socket its listener (listen())
 * @ds: bound DTLS socket, udp_lock held
 *
 * Announces the listener (HS_REQUEST, role M2MSEC_HS_LISTENER) so that a
 * running daemon takes it at once.  A second listen() keeps the listener.
 *
 * Return: 0 or a negative errno.
 */
int m2msec_hs_listen_start(struct m2msec_dtls_sock *ds)
{
	struct m2msec_net *mn = m2msec_net(sock_net(&ds->sk));
	struct m2msec_hs_listener *l;
	struct m2msec_hs_req *req;
	int err, len;

	lockdep_assert_held(&ds->udp_lock);
	if (rcu_access_pointer(ds->hs_listener))
		return 0;
	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	req = &l->req;
	req->ds = ds;
	req->role = M2MSEC_HS_LISTENER;
	len = kernel_getsockname(ds->udp, (struct sockaddr *)&req->local);
	if (len < 0)
		memset(&req->local, 0, sizeof(req->local));
	refcount_set(&req->ref, 1);	/* the tables (hs_ids, ds) */
	spin_lock_init(&req->lock);
	skb_queue_head_init(&req->queue);
	init_waitqueue_head(&req->wq);
	l->notified = jiffies - HZ;

	err = xa_alloc_cyclic_bh(&mn->hs_ids, &req->id, req, xa_limit_31b,
				 &mn->hs_next_id, GFP_KERNEL);
	if (err < 0) {
		kfree(l);
		return err;
	}
	sock_hold(&ds->sk);
	spin_lock_bh(&ds->hs_lock);
	rcu_assign_pointer(ds->hs_listener, req);
	spin_unlock_bh(&ds->hs_lock);
	m2msec_hs_notify(req, GFP_KERNEL);
	return 0;
}

/* Announce an unclaimed listener again, at most ten times a second. */
static void m2msec_hs_listen_announce(struct m2msec_hs_listener *l)
{
	unsigned long last = READ_ONCE(l->notified);

	if (READ_ONCE(l->req.state) != M2MSEC_HS_PENDING ||
	    time_before(jiffies, last + HZ / 10) ||
	    cmpxchg(&l->notified, last, jiffies) != last)
		return;
	m2msec_hs_notify(&l->req, GFP_ATOMIC);
}

/**
 * m2msec_hs_listen_rcv() - a first flight of an unknown peer
 * @ds: listening socket
 * @skb: the datagram (consumed), peer address in M2MSEC_RX_CB
 *
 * Softirq, RCU read side.  The per-source token bucket comes first; then
 * the datagram is queued on the listener if the hello queue has room.
 */
void m2msec_hs_listen_rcv(struct m2msec_dtls_sock *ds, struct sk_buff *skb)
{
	struct sock *sk = &ds->sk;
	struct net *net = sock_net(sk);
	struct m2msec_net *mn = m2msec_net(net);
	struct m2msec_hs_listener *l;
	struct m2msec_hs_req *req;
	bool queued = false;

	if (!m2msec_hs_rl_allow(mn, &M2MSEC_RX_CB(skb)->peer)) {
		m2msec_hs_net_count(net, M2MSEC_A_STAT_HS_RATELIMITED, 1);
		kfree_skb(skb);
		return;
	}
	req = rcu_dereference(ds->hs_listener);
	if (!req)
		goto drop;
	l = m2msec_hs_lsn(req);
	skb_dst_drop(skb);
	spin_lock_bh(&req->lock);
	if (req->state != M2MSEC_HS_DONE &&
	    skb_queue_len(&req->queue) < READ_ONCE(mn->cfg.hs_hello_max) &&
	    l->bytes + skb->truesize <= READ_ONCE(mn->cfg.hs_hello_bytes) &&
	    atomic_read(&sk->sk_rmem_alloc) + skb->truesize <=
	    READ_ONCE(sk->sk_rcvbuf)) {
		skb_set_owner_r(skb, sk);
		l->bytes += skb->truesize;
		__skb_queue_tail(&req->queue, skb);
		queued = true;
	}
	spin_unlock_bh(&req->lock);
	m2msec_hs_listen_announce(l);
	if (queued) {
		m2msec_hs_net_count(net, M2MSEC_A_STAT_HS_HELLO_QUEUED, 1);
		m2msec_hs_net_count(net, M2MSEC_A_STAT_HS_HELLO_PENDING, 1);
		wake_up_interruptible_all(&req->wq);
		return;
	}
drop:
	m2msec_hs_net_count(net, M2MSEC_A_STAT_HS_HELLO_DROPPED, 1);
	kfree_skb(skb);
}

/*
 * Take the oldest hello and remember its source for HS_CLAIM.  Copies that
 * waited while their peer got a request or an association belong to that
 * handshake now: they are dropped.
 */
static struct sk_buff *m2msec_hs_listen_dequeue(struct m2msec_hs_req *req,
						bool *done)
{
	struct m2msec_hs_listener *l = m2msec_hs_lsn(req);
	struct net *net = sock_net(&req->ds->sk);
	struct sk_buff *skb;

	spin_lock_bh(&req->lock);
	while ((skb = __skb_dequeue(&req->queue))) {
		l->bytes -= skb->truesize;
		m2msec_hs_net_count(net, M2MSEC_A_STAT_HS_HELLO_PENDING, -1);
		if (!m2msec_hs_peer_busy(req->ds, &M2MSEC_RX_CB(skb)->peer))
			break;
		m2msec_hs_net_count(net, M2MSEC_A_STAT_HS_HELLO_DROPPED, 1);
		kfree_skb(skb);
	}
	if (skb) {
		m2msec_addr_key(&l->recent[l->recent_next],
				&M2MSEC_RX_CB(skb)->peer);
		l->recent_next = (l->recent_next + 1) % M2MSEC_HS_RECENT;
	}
	*done = req->state == M2MSEC_HS_DONE;
	spin_unlock_bh(&req->lock);
	return skb;
}

static void m2msec_hs_dgram_addr(u8 *dst, __u16 *len,
				 const union m2msec_addr *a)
{
	if (!a->sa.sa_family)
		return;
	*len = m2msec_addr_len(a);
	memcpy(dst, a, *len);
}

/**
 * m2msec_hs_listen_read() - read() of a listener channel
 * @req: the listener
 * @iocb: the call
 * @to: the buffer: struct m2msec_hs_dgram, then the datagram (truncated
 *	to the buffer)
 *
 * Return: header plus datagram bytes, 0 once the socket is closed, or
 * -EINVAL (buffer shorter than the header), -EAGAIN, -ERESTARTSYS.
 */
ssize_t m2msec_hs_listen_read(struct m2msec_hs_req *req, struct kiocb *iocb,
			      struct iov_iter *to)
{
	struct m2msec_hs_dgram h = { .hdr_len = sizeof(h) };
	union m2msec_addr local;
	struct sk_buff *skb;
	size_t n;
	int err;

	if (iov_iter_count(to) < sizeof(h))
		return -EINVAL;
	skb = m2msec_hs_chan_next(req, iocb, m2msec_hs_listen_dequeue);
	if (IS_ERR_OR_NULL(skb))
		return PTR_ERR(skb);
	m2msec_hs_dgram_addr(h.peer, &h.peer_len, &M2MSEC_RX_CB(skb)->peer);
	m2msec_hs_local(skb, &local);
	m2msec_hs_dgram_addr(h.local, &h.local_len, &local);
	n = min_t(size_t, iov_iter_count(to) - sizeof(h), skb->len);
	err = -EFAULT;
	if (copy_to_iter(&h, sizeof(h), to) == sizeof(h))
		err = skb_copy_datagram_iter(skb, 0, to, n);
	consume_skb(skb);
	return err ?: sizeof(h) + n;
}

/* The destination of a listener write, checked against the socket. */
static int m2msec_hs_dgram_peer(const struct m2msec_hs_dgram *h, size_t len,
				union m2msec_addr *a)
{
	int err;

	if (h->hdr_len < M2MSEC_HS_DGRAM_MIN || h->hdr_len >= len ||
	    h->reserved || h->peer_len > sizeof(h->peer))
		return -EINVAL;
	err = m2msec_addr_from_user(a, (const struct sockaddr *)h->peer,
				    h->peer_len);
	if (err)
		return err;
	if (a->sa.sa_family == AF_INET6 ? !a->sin6.sin6_port :
					  !a->sin.sin_port)
		return -EINVAL;
	return 0;
}

/**
 * m2msec_hs_listen_write() - write() of a listener channel
 * @req: the listener
 * @from: struct m2msec_hs_dgram naming the peer, then the datagram
 *
 * Return: the bytes written (header included), or -EINVAL (short or bad
 * header, empty datagram, port 0), -EAFNOSUPPORT (peer not of the
 * socket's family), -EMSGSIZE, -EPIPE (socket closed), a send error.
 */
ssize_t m2msec_hs_listen_write(struct m2msec_hs_req *req,
			       struct iov_iter *from)
{
	struct m2msec_dtls_sock *ds = req->ds;
	size_t len = iov_iter_count(from);
	struct m2msec_hs_dgram *h;
	union m2msec_addr peer;
	int err;

	if (len < M2MSEC_HS_DGRAM_MIN)
		return -EINVAL;
	if (len > sizeof(*h) + M2MSEC_HS_DGRAM_MAX)
		return -EMSGSIZE;
	h = kvmalloc(max(len, sizeof(*h)), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	if (!copy_from_iter_full(h, len, from)) {
		err = -EFAULT;
		goto out;
	}
	err = m2msec_hs_dgram_peer(h, len, &peer);
	if (err)
		goto out;
	if (len - h->hdr_len > M2MSEC_HS_DGRAM_MAX) {
		err = -EMSGSIZE;
		goto out;
	}
	mutex_lock(&ds->udp_lock);
	if (READ_ONCE(ds->closing) || !ds->udp)
		err = -EPIPE;
	else if (ds->udp->sk->sk_family != peer.sa.sa_family)
		err = -EAFNOSUPPORT;
	else
		err = m2msec_udp_send(ds, &peer, (u8 *)h + h->hdr_len,
				      len - h->hdr_len);
	mutex_unlock(&ds->udp_lock);
out:
	kvfree(h);
	return err ?: len;
}

/**
 * m2msec_hs_listen_detach() - the daemon closed the listener's channel
 * @req: the listener
 *
 * The listener waits for the next daemon; its hello queue stays.
 */
void m2msec_hs_listen_detach(struct m2msec_hs_req *req)
{
	m2msec_hs_claim(req, M2MSEC_HS_ACCEPTED, M2MSEC_HS_PENDING);
}

/**
 * m2msec_hs_listen_release() - the socket of a listener is released
 * @ds: socket; no datagram arrives any more
 *
 * The listener is done: its channel reads 0, its hello queue is freed.
 */
void m2msec_hs_listen_release(struct m2msec_dtls_sock *ds)
{
	struct net *net = sock_net(&ds->sk);
	struct m2msec_hs_req *req;
	struct sk_buff_head q;

	spin_lock_bh(&ds->hs_lock);
	req = rcu_dereference_protected(ds->hs_listener,
					lockdep_is_held(&ds->hs_lock));
	RCU_INIT_POINTER(ds->hs_listener, NULL);
	spin_unlock_bh(&ds->hs_lock);
	if (!req)
		return;
	__skb_queue_head_init(&q);
	spin_lock_bh(&req->lock);
	WRITE_ONCE(req->state, M2MSEC_HS_DONE);
	skb_queue_splice_init(&req->queue, &q);
	m2msec_hs_lsn(req)->bytes = 0;
	spin_unlock_bh(&req->lock);
	xa_erase_bh(&m2msec_net(net)->hs_ids, req->id);
	m2msec_hs_net_count(net, M2MSEC_A_STAT_HS_HELLO_PENDING,
			    -(s64)skb_queue_len(&q));
	__skb_queue_purge(&q);
	wake_up_interruptible_all(&req->wq);
	m2msec_hs_put(req);	/* the tables' reference */
}

/* --- HS_CLAIM ---------------------------------------------------------- */

/* Was a first flight of @peer read from the listener lately?  Forget it. */
static bool m2msec_hs_listen_recent(struct m2msec_hs_req *req,
				    const union m2msec_addr *peer)
{
	struct m2msec_hs_listener *l = m2msec_hs_lsn(req);
	struct m2msec_addr_key k;
	bool found = false;
	int i;

	m2msec_addr_key(&k, peer);
	spin_lock_bh(&req->lock);
	for (i = 0; i < M2MSEC_HS_RECENT && !found; i++) {
		if (memcmp(&l->recent[i], &k, sizeof(k)))
			continue;
		memset(&l->recent[i], 0, sizeof(k));
		found = true;
	}
	spin_unlock_bh(&req->lock);
	return found;
}

/* The listener whose channel the caller names in HS_FD, accepted. */
static struct m2msec_hs_req *m2msec_nl_listener(struct genl_info *info)
{
	struct m2msec_hs_req *req;
	struct file *f;

	if (GENL_REQ_ATTR_CHECK(info, M2MSEC_A_HS_FD) ||
	    GENL_REQ_ATTR_CHECK(info, M2MSEC_A_ASSOC_PEER))
		return ERR_PTR(-EINVAL);
	f = fget(nla_get_u32(info->attrs[M2MSEC_A_HS_FD]));
	if (!f) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[M2MSEC_A_HS_FD],
				    "not an open descriptor");
		return ERR_PTR(-EBADF);
	}
	req = m2msec_hs_chan_get(f);
	fput(f);
	if (!req || req->role != M2MSEC_HS_LISTENER ||
	    READ_ONCE(req->state) != M2MSEC_HS_ACCEPTED) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[M2MSEC_A_HS_FD],
				    "not the channel of an accepted listener");
		m2msec_hs_put(req);
		return ERR_PTR(-EINVAL);
	}
	return req;
}

static int m2msec_nl_claim_addrs(struct m2msec_hs_req *lsn,
				 struct genl_info *info,
				 union m2msec_addr *peer,
				 union m2msec_addr *local)
{
	struct nlattr *a = info->attrs[M2MSEC_A_ASSOC_PEER];
	int err;

	err = m2msec_addr_from_user(peer, nla_data(a), nla_len(a));
	if (!err && peer->sa.sa_family != lsn->local.sa.sa_family)
		err = -EAFNOSUPPORT;
	if (err) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "peer address not of the socket's family");
		return err;
	}
	*local = lsn->local;
	a = info->attrs[M2MSEC_A_ASSOC_LOCAL];
	if (a && (m2msec_addr_from_user(local, nla_data(a), nla_len(a)) ||
		  local->sa.sa_family != peer->sa.sa_family)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "bad local address");
		return -EINVAL;
	}
	if (!m2msec_hs_listen_recent(lsn, peer)) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[M2MSEC_A_ASSOC_PEER],
				    "no first flight of this peer was read from the listener");
		return -ENOENT;
	}
	return 0;
}

/* The new request: known association? then created, for the caller. */
static struct m2msec_hs_req *m2msec_nl_claim_create(struct m2msec_hs_req *lsn,
						    struct genl_info *info,
						    const union m2msec_addr *peer,
						    const union m2msec_addr *local)
{
	struct m2msec_dtls_sock *ds = lsn->ds;
	struct m2msec_hs_req *req;
	bool known;

	rcu_read_lock();
	known = m2msec_assoc_peer_known_rcu(ds, peer);
	rcu_read_unlock();
	if (known) {
		NL_SET_ERR_MSG(info->extack, "the peer has an association");
		return ERR_PTR(-EEXIST);
	}
	req = m2msec_hs_create(ds, peer, local, M2MSEC_HS_SERVER, GFP_KERNEL);
	if (IS_ERR(req)) {
		if (PTR_ERR(req) == -EEXIST)
			NL_SET_ERR_MSG(info->extack,
				       "the peer has a handshake request");
		else if (PTR_ERR(req) == -EAGAIN)
			NL_SET_ERR_MSG(info->extack,
				       "too many unfinished handshakes");
		if (PTR_ERR(req) == -EAGAIN)
			m2msec_hs_net_count(genl_info_net(info),
					    M2MSEC_A_STAT_HS_DROPPED, 1);
	}
	return req;
}

/* Reply and channel of the claimed request; completes it on failure. */
static int m2msec_nl_claim_reply(struct m2msec_hs_req *req,
				 struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	int err;

	err = m2msec_nl_hs_take(req, info);
	if (err == -EALREADY)
		return -ECONNRESET;	/* the socket closed meanwhile */
	if (err)
		return err;
	m2msec_hs_net_count(net, M2MSEC_A_STAT_HS_ACCEPTED, 1);
	m2msec_hs_net_count(net, M2MSEC_A_STAT_HS_CLAIMED, 1);
	return 0;
}

/**
 * m2msec_nl_hs_claim() - M2MSEC_CMD_HS_CLAIM
 * @skb: request message
 * @info: HS_FD (the caller's listener channel), ASSOC_PEER, optional
 *	ASSOC_LOCAL
 *
 * Return: 0 (reply as HS_ACCEPT's, for the new request) or a negative
 * errno; nothing is left behind on failure.
 */
int m2msec_nl_hs_claim(struct sk_buff *skb, struct genl_info *info)
{
	union m2msec_addr peer, local;
	struct m2msec_hs_req *lsn, *req;
	int err;

	lsn = m2msec_nl_listener(info);
	if (IS_ERR(lsn))
		return PTR_ERR(lsn);
	err = m2msec_nl_claim_addrs(lsn, info, &peer, &local);
	if (err)
		goto out;
	req = m2msec_nl_claim_create(lsn, info, &peer, &local);
	if (IS_ERR(req)) {
		err = PTR_ERR(req);
		goto out;
	}
	err = m2msec_nl_claim_reply(req, info);
	if (err)
		m2msec_hs_complete(req, err, false, M2MSEC_A_STAT_HS_FAILED);
	m2msec_hs_put(req);
out:
	m2msec_hs_put(lsn);
	return err;
}
