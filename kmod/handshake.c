// SPDX-License-Identifier: GPL-2.0
/*
 * Handshake requests: creation (connect() of a client, a ClientHello on a
 * listening socket), diversion of the peer's datagrams to the request,
 * completion, timeout and cleanup.  See handshake.h for the life cycle and
 * the locking rules.
 *
 * A first flight from an unknown peer creates no request: it goes to the
 * socket's hello queue (hs_listen.c), where the daemon runs the stateless
 * cookie exchange (RFC 6347 4.2.1 HelloVerifyRequest, RFC 9147 5.1
 * HelloRetryRequest cookie); only a peer whose cookie verified gets a
 * request, through HS_CLAIM.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <net/sock.h>

#include "handshake.h"
#include "record.h"
#include "record12.h"

/* RFC 8446 4: HandshakeType client_hello. */
#define M2MSEC_HS_CLIENT_HELLO	1

static u32 m2msec_hs_seed __read_mostly;

/**
 * m2msec_hs_net_count() - add to a global counter of @net
 * @net: network namespace
 * @idx: an M2MSEC_A_STAT_* index
 * @v: amount (negative for the hs_pending gauge)
 */
void m2msec_hs_net_count(struct net *net, int idx, s64 v)
{
	m2msec_pcpu_net_add(m2msec_net(net)->stats, idx, v);
}

static u32 m2msec_hs_hash(const struct m2msec_addr_key *k)
{
	return jhash(k, sizeof(*k), m2msec_hs_seed);
}

/* Caller holds rcu_read_lock() or ds->hs_lock. */
static struct m2msec_hs_req *m2msec_hs_find(struct m2msec_dtls_sock *ds,
					    const struct m2msec_addr_key *k)
{
	struct m2msec_hs_req *req;

	hash_for_each_possible_rcu(ds->hs_table, req, node, m2msec_hs_hash(k),
				   lockdep_is_held(&ds->hs_lock))
		if (!memcmp(&req->key, k, sizeof(*k)))
			return req;
	return NULL;
}

/**
 * m2msec_hs_put() - drop a reference to a request; the last one frees it
 * @req: request, may be NULL
 */
void m2msec_hs_put(struct m2msec_hs_req *req)
{
	if (!req || !refcount_dec_and_test(&req->ref))
		return;
	__skb_queue_purge(&req->queue);
	sock_put(&req->ds->sk);
	kfree_rcu(req, rcu);
}

/**
 * m2msec_hs_get_by_id() - find a request of @net by id
 * @net: network namespace of the caller
 * @id: M2MSEC_A_HS_ID
 *
 * Return: the request with a new reference, or NULL.
 */
struct m2msec_hs_req *m2msec_hs_get_by_id(struct net *net, u32 id)
{
	struct m2msec_hs_req *req;

	rcu_read_lock();
	req = xa_load(&m2msec_net(net)->hs_ids, id);
	if (req && !refcount_inc_not_zero(&req->ref))
		req = NULL;
	rcu_read_unlock();
	return req;
}

/**
 * m2msec_hs_claim() - change the state of @req from @from to @to
 * @req: request
 * @from: expected state
 * @to: new state
 *
 * Return: true when @req was in state @from.
 */
bool m2msec_hs_claim(struct m2msec_hs_req *req, enum m2msec_hs_state from,
		     enum m2msec_hs_state to)
{
	bool ok;

	spin_lock_bh(&req->lock);
	ok = req->state == from;
	if (ok)
		WRITE_ONCE(req->state, to);
	spin_unlock_bh(&req->lock);
	return ok;
}

/*
 * After a successful handshake, datagrams the daemon did not read go back
 * to the socket's receive path: records of the new epoch (a peer may send
 * application data right after its Finished) are decrypted there, late
 * handshake records land in the control queue.
 */
static void m2msec_hs_requeue(struct m2msec_dtls_sock *ds,
			      struct sk_buff_head *q)
{
	struct sk_buff *skb;

	mutex_lock(&ds->assoc_lock);
	while ((skb = __skb_dequeue(q))) {
		skb_orphan(skb);
		if (ds->closing) {
			kfree_skb(skb);
		} else if (sock_queue_rcv_skb(&ds->sk, skb) < 0) {
			m2msec_hs_net_count(sock_net(&ds->sk),
					    M2MSEC_A_STAT_RX_QUEUE_DROP, 1);
			kfree_skb(skb);
		}
	}
	mutex_unlock(&ds->assoc_lock);
}

static void m2msec_hs_report_failure(struct m2msec_hs_req *req, int status)
{
	struct m2msec_hs_event e = {
		.ds = req->ds, .peer = &req->peer, .id = req->id,
		.role = req->role, .status = status,
	};

	m2msec_event_hs_failed(&e);
}

/**
 * m2msec_hs_complete() - finish a request, once
 * @req: request
 * @status: 0 or a negative errno (what connect() returns)
 * @claimed: the caller moved @req to M2MSEC_HS_INSTALLING (HS_DONE)
 * @stat: the M2MSEC_A_STAT_HS_* counter to increment
 *
 * Process context, no socket lock held.  Does nothing when @req is done
 * already, or being installed and @claimed is false: exactly one caller
 * completes a request.  The request leaves its tables, its timeout is
 * cancelled, its unread datagrams go back to the socket (success) or are
 * dropped, connect() and channel readers wake up.
 */
void m2msec_hs_complete(struct m2msec_hs_req *req, int status, bool claimed,
			int stat)
{
	struct m2msec_dtls_sock *ds = req->ds;
	struct net *net = sock_net(&ds->sk);
	struct m2msec_net *mn = m2msec_net(net);
	struct sk_buff_head q;

	__skb_queue_head_init(&q);
	spin_lock_bh(&req->lock);
	if (req->state == M2MSEC_HS_DONE ||
	    (req->state == M2MSEC_HS_INSTALLING && !claimed)) {
		spin_unlock_bh(&req->lock);
		return;
	}
	req->status = status;
	WRITE_ONCE(req->state, M2MSEC_HS_DONE);
	skb_queue_splice_init(&req->queue, &q);
	spin_unlock_bh(&req->lock);

	spin_lock_bh(&ds->hs_lock);
	hash_del_rcu(&req->node);
	spin_unlock_bh(&ds->hs_lock);
	xa_erase_bh(&mn->hs_ids, req->id);
	atomic_dec(&ds->hs_count);
	atomic_dec(&mn->hs_count);
	m2msec_hs_net_count(net, M2MSEC_A_STAT_HS_PENDING, -1);
	m2msec_hs_net_count(net, stat, 1);
	if (cancel_delayed_work(&req->timeout))
		m2msec_hs_put(req);
	if (req->user_charged)
		m2msec_hs_user_uncharge(net, req->uid);

	if (!status) {
		m2msec_hs_requeue(ds, &q);
	} else {
		__skb_queue_purge(&q);
		m2msec_hs_report_failure(req, status);
	}

	if (req->role == M2MSEC_HS_CLIENT) {
		if (status)
			WRITE_ONCE(ds->sk.sk_err, -status);
		WRITE_ONCE(ds->hs_connecting, false);
		if (status)
			sk_error_report(&ds->sk);
		else
			ds->sk.sk_state_change(&ds->sk);
	}
	wake_up_interruptible_all(&req->wq);
	m2msec_hs_put(req);	/* the tables' reference */
}

static void m2msec_hs_timeout(struct work_struct *work)
{
	struct m2msec_hs_req *req = container_of(to_delayed_work(work),
						 struct m2msec_hs_req, timeout);

	m2msec_hs_complete(req, -ETIMEDOUT, false, M2MSEC_A_STAT_HS_TIMEOUT);
	m2msec_hs_put(req);
}

/**
 * m2msec_hs_create() - a new request, in both tables, its timeout running
 * @ds: socket
 * @peer: the peer
 * @local: the socket's address for the peer
 * @role: enum m2msec_hs_role
 * @gfp: allocation flags
 *
 * Return: the request with a reference for the caller, or ERR_PTR(-EAGAIN)
 * when a maximum is reached, -EEXIST when the peer has a request already,
 * -ECONNRESET when the socket is closing, -ENOMEM.
 */
struct m2msec_hs_req *m2msec_hs_create(struct m2msec_dtls_sock *ds,
					      const union m2msec_addr *peer,
					      const union m2msec_addr *local,
					      u8 role, gfp_t gfp)
{
	struct net *net = sock_net(&ds->sk);
	struct m2msec_net *mn = m2msec_net(net);
	struct m2msec_hs_req *req;
	int charged = 0, err;
	u32 uid = 0;

	/* connect() runs in the caller's context: its share is checked. */
	if (role == M2MSEC_HS_CLIENT) {
		charged = m2msec_hs_user_charge(net, &uid);
		if (charged < 0)
			return ERR_PTR(charged);
	}
	err = -EAGAIN;
	if (atomic_inc_return(&ds->hs_count) >
	    READ_ONCE(mn->cfg.hs_sock_max))
		goto err_sock;
	if (atomic_inc_return(&mn->hs_count) > READ_ONCE(mn->cfg.hs_net_max))
		goto err_net;
	err = -ENOMEM;
	req = kzalloc(sizeof(*req), gfp);
	if (!req)
		goto err_net;
	req->ds = ds;
	req->peer = *peer;
	req->local = *local;
	req->role = role;
	req->user_charged = charged;
	req->uid = uid;
	m2msec_addr_key(&req->key, peer);
	refcount_set(&req->ref, 2);	/* the tables, the caller */
	spin_lock_init(&req->lock);
	skb_queue_head_init(&req->queue);
	init_waitqueue_head(&req->wq);
	INIT_DELAYED_WORK(&req->timeout, m2msec_hs_timeout);

	/*
	 * Reserve the id only: HS_ACCEPT finds the request by id, and until
	 * nothing can fail any more it must not (the error path frees the
	 * request without a grace period).
	 */
	err = xa_alloc_cyclic_bh(&mn->hs_ids, &req->id, NULL, xa_limit_31b,
				 &mn->hs_next_id, gfp);
	if (err < 0)
		goto err_free;

	spin_lock_bh(&ds->hs_lock);
	if (ds->closing)
		err = -ECONNRESET;
	else if (m2msec_hs_find(ds, &req->key))
		err = -EEXIST;
	else
		err = 0;
	if (!err) {
		sock_hold(&ds->sk);
		if (role == M2MSEC_HS_CLIENT)
			WRITE_ONCE(ds->hs_connecting, true);
		hash_add_rcu(ds->hs_table, &req->node,
			     m2msec_hs_hash(&req->key));
		/*
		 * Published by id under hs_lock, so a release failing the
		 * request right after (it takes hs_lock) erases it after this
		 * store.  The slot exists: no allocation here.
		 */
		xa_store(&mn->hs_ids, req->id, req, GFP_ATOMIC);
	}
	spin_unlock_bh(&ds->hs_lock);
	if (err)
		goto err_id;

	refcount_inc(&req->ref);	/* the timeout work */
	queue_delayed_work(m2msec_wq, &req->timeout,
			   msecs_to_jiffies(READ_ONCE(mn->cfg.hs_timeout_ms)));
	m2msec_hs_net_count(net, M2MSEC_A_STAT_HS_CREATED, 1);
	m2msec_hs_net_count(net, M2MSEC_A_STAT_HS_PENDING, 1);
	return req;

err_id:
	xa_erase_bh(&mn->hs_ids, req->id);
err_free:
	kfree(req);
err_net:
	atomic_dec(&mn->hs_count);
err_sock:
	atomic_dec(&ds->hs_count);
	if (charged)
		m2msec_hs_user_uncharge(net, uid);
	return ERR_PTR(err);
}

/* --- receive hook (softirq) ----------------------------------------- */

/*
 * Queue a datagram of the request's peer for the daemon, charged to the
 * socket's receive buffer.  Returns false when the request is finished
 * (the datagram then takes the normal path); otherwise @skb is consumed.
 */
static bool m2msec_hs_enqueue(struct m2msec_dtls_sock *ds,
			      struct m2msec_hs_req *req, struct sk_buff *skb)
{
	struct sock *sk = &ds->sk;
	struct net *net = sock_net(sk);
	u32 max = READ_ONCE(m2msec_net(net)->cfg.hs_queue_max);
	bool queued = false;

	spin_lock_bh(&req->lock);
	if (req->state == M2MSEC_HS_DONE) {
		spin_unlock_bh(&req->lock);
		return false;
	}
	if (skb_queue_len(&req->queue) < max &&
	    atomic_read(&sk->sk_rmem_alloc) + skb->truesize <=
	    READ_ONCE(sk->sk_rcvbuf)) {
		skb_dst_drop(skb);
		skb_set_owner_r(skb, sk);
		__skb_queue_tail(&req->queue, skb);
		queued = true;
	}
	spin_unlock_bh(&req->lock);

	if (queued) {
		m2msec_hs_net_count(net, M2MSEC_A_STAT_CTRL_QUEUED, 1);
		wake_up_interruptible_all(&req->wq);
	} else {
		m2msec_hs_net_count(net, M2MSEC_A_STAT_CTRL_DROP, 1);
		kfree_skb(skb);
	}
	return true;
}

/*
 * RFC 6347 4.2.1, RFC 9147 5.1: a handshake starts with a ClientHello in
 * a plaintext record of epoch 0 with the legacy header; DTLS 1.3 clients
 * send it that way too (record version 0xfefd, or 0xfeff for the first
 * flight of older clients).
 */
static bool m2msec_hs_first_flight(struct sk_buff *skb)
{
	const u8 *p;

	if (!pskb_may_pull(skb, M2MSEC_REC12_HDR_LEN + 1))
		return false;
	p = skb->data;
	return p[0] == M2MSEC_CT_HANDSHAKE && p[1] == 0xfe &&
	       (p[2] == 0xff || p[2] == 0xfd) && !p[3] && !p[4] &&
	       p[M2MSEC_REC12_HDR_LEN] == M2MSEC_HS_CLIENT_HELLO;
}

/**
 * m2msec_hs_local() - the address @skb was sent to: the server's side
 * @skb: a received datagram
 * @a: result
 */
void m2msec_hs_local(const struct sk_buff *skb, union m2msec_addr *a)
{
	const struct udphdr *uh = udp_hdr(skb);

	memset(a, 0, sizeof(*a));
	if (ip_hdr(skb)->version == 6) {
		a->sin6.sin6_family = AF_INET6;
		a->sin6.sin6_addr = ipv6_hdr(skb)->daddr;
		a->sin6.sin6_port = uh->dest;
	} else {
		a->sin.sin_family = AF_INET;
		a->sin.sin_addr.s_addr = ip_hdr(skb)->daddr;
		a->sin.sin_port = uh->dest;
	}
}

/**
 * m2msec_hs_rcv() - give a received datagram to the handshake, if it is one
 * @ds: DTLS socket
 * @skb: datagram (UDP payload), peer address in M2MSEC_RX_CB
 *
 * Softirq, RCU read side (the UDP encapsulation hook).  A datagram of a
 * peer with an unfinished request is queued on the request; on a listening
 * socket, a ClientHello from a peer without association or request goes
 * to the hello queue (no per-peer state).
 *
 * Return: true when @skb was consumed.
 */
bool m2msec_hs_rcv(struct m2msec_dtls_sock *ds, struct sk_buff *skb)
{
	const union m2msec_addr *peer = &M2MSEC_RX_CB(skb)->peer;
	struct m2msec_hs_req *req;
	struct m2msec_addr_key k;

	if (!atomic_read(&ds->hs_count) && !READ_ONCE(ds->hs_listen))
		return false;
	m2msec_addr_key(&k, peer);
	req = m2msec_hs_find(ds, &k);
	if (req)
		return m2msec_hs_enqueue(ds, req, skb);
	if (!READ_ONCE(ds->hs_listen) || !m2msec_hs_first_flight(skb) ||
	    m2msec_assoc_peer_known_rcu(ds, peer))
		return false;
	m2msec_hs_listen_rcv(ds, skb);
	return true;
}

/**
 * m2msec_hs_peer_busy() - has @peer a request or an association on @ds?
 * @ds: DTLS socket
 * @peer: address
 */
bool m2msec_hs_peer_busy(struct m2msec_dtls_sock *ds,
			 const union m2msec_addr *peer)
{
	struct m2msec_addr_key k;
	bool busy;

	m2msec_addr_key(&k, peer);
	rcu_read_lock();
	busy = m2msec_hs_find(ds, &k) || m2msec_assoc_peer_known_rcu(ds, peer);
	rcu_read_unlock();
	return busy;
}

/* --- channel helpers --------------------------------------------------- */

/**
 * m2msec_hs_queue_empty() - nothing queued for the daemon? (lockless)
 * @req: request
 */
bool m2msec_hs_queue_empty(struct m2msec_hs_req *req)
{
	return skb_queue_empty_lockless(&req->queue);
}

/**
 * m2msec_hs_dequeue() - take the oldest datagram queued for the daemon
 * @req: request
 * @done: set when the request is finished (nothing more will be queued)
 *
 * Return: the datagram (the caller frees it) or NULL.
 */
struct sk_buff *m2msec_hs_dequeue(struct m2msec_hs_req *req, bool *done)
{
	struct sk_buff *skb;

	spin_lock_bh(&req->lock);
	skb = __skb_dequeue(&req->queue);
	*done = req->state == M2MSEC_HS_DONE;
	spin_unlock_bh(&req->lock);
	return skb;
}

/* --- client side ------------------------------------------------------- */

static struct m2msec_hs_req *m2msec_hs_get_by_peer(struct m2msec_dtls_sock *ds,
						   const union m2msec_addr *peer)
{
	struct m2msec_hs_req *req;
	struct m2msec_addr_key k;

	m2msec_addr_key(&k, peer);
	rcu_read_lock();
	req = m2msec_hs_find(ds, &k);
	if (req && !refcount_inc_not_zero(&req->ref))
		req = NULL;
	rcu_read_unlock();
	return req;
}

/**
 * m2msec_hs_connect() - run a client handshake for connect()
 * @ds: DTLS socket, bound and connected to @peer, without association
 * @peer: the server
 * @local: the socket's address
 * @nonblock: do not wait
 *
 * Blocking: waits (interruptibly) for the daemon's HS_DONE, the timeout,
 * or another failure, and returns its status; a signal returns EINTR and
 * leaves the handshake running (its result then comes as for a
 * non-blocking connect).  Non-blocking: EINPROGRESS, then poll() reports
 * writability when the request is finished and SO_ERROR holds the status.
 * A connect() while a handshake to the same peer runs waits for it
 * (blocking) or fails with EALREADY (non-blocking); to another peer it
 * fails with EALREADY.
 *
 * Return: 0, -EINPROGRESS, or a negative errno.
 */
int m2msec_hs_connect(struct m2msec_dtls_sock *ds,
		      const union m2msec_addr *peer,
		      const union m2msec_addr *local, bool nonblock)
{
	struct m2msec_hs_req *req;
	int err;

	req = m2msec_hs_get_by_peer(ds, peer);
	if (req && (nonblock || req->role != M2MSEC_HS_CLIENT)) {
		m2msec_hs_put(req);
		return -EALREADY;
	}
	if (!req) {
		if (READ_ONCE(ds->hs_connecting))
			return -EALREADY;
		req = m2msec_hs_create(ds, peer, local, M2MSEC_HS_CLIENT,
				       GFP_KERNEL);
		if (IS_ERR(req))
			return PTR_ERR(req) == -EEXIST ? -EALREADY :
							 PTR_ERR(req);
		m2msec_hs_notify(req, GFP_KERNEL);
		if (nonblock) {
			m2msec_hs_put(req);
			return -EINPROGRESS;
		}
	}
	err = wait_event_interruptible(req->wq, READ_ONCE(req->state) ==
					       M2MSEC_HS_DONE);
	if (err) {
		err = -EINTR;
	} else {
		err = req->status;
		/* Returned here: not also through SO_ERROR. */
		if (err)
			sock_error(&ds->sk);
	}
	m2msec_hs_put(req);
	return err;
}

/* --- socket release ---------------------------------------------------- */

/**
 * m2msec_hs_sock_release() - fail every unfinished request of @ds
 * @ds: socket being released; ds->closing is set and the UDP socket gone,
 *	so no request can be created any more
 *
 * Requests being installed by HS_DONE are left to it (it fails them with
 * ECONNRESET, as the association can no longer be inserted).
 */
void m2msec_hs_sock_release(struct m2msec_dtls_sock *ds)
{
	struct m2msec_hs_req *req, *tmp;
	struct hlist_node *n;
	LIST_HEAD(list);
	int bkt;

	WRITE_ONCE(ds->hs_listen, false);
	m2msec_hs_listen_release(ds);
	spin_lock_bh(&ds->hs_lock);
	hash_for_each_safe(ds->hs_table, bkt, n, req, node) {
		refcount_inc(&req->ref);
		list_add_tail(&req->close_node, &list);
	}
	spin_unlock_bh(&ds->hs_lock);
	list_for_each_entry_safe(req, tmp, &list, close_node) {
		m2msec_hs_complete(req, -ECONNRESET, false,
				   M2MSEC_A_STAT_HS_FAILED);
		m2msec_hs_put(req);
	}
}

/**
 * m2msec_hs_sock_init() - handshake state of a new DTLS socket
 * @ds: the socket
 */
void m2msec_hs_sock_init(struct m2msec_dtls_sock *ds)
{
	net_get_random_once(&m2msec_hs_seed, sizeof(m2msec_hs_seed));
	spin_lock_init(&ds->hs_lock);
	hash_init(ds->hs_table);
	atomic_set(&ds->hs_count, 0);
}
