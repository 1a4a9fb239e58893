/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handshake upcall: the kernel asks the handshake daemon (m2msecd) to run
 * a DTLS handshake for one (socket, peer) pair, modelled on net/handshake
 * but for datagrams and many peers per socket.
 *
 *   server socket (listen())           client socket (connect())
 *   ClientHello from an unknown peer   no association for the peer
 *              \                         /
 *               m2msec_hs_create(): request, HS_REQUEST multicast
 *                         |
 *   PENDING --HS_ACCEPT--> ACCEPTED --HS_DONE--> INSTALLING --> DONE
 *      |                     |                                   ^
 *      +-- timeout, socket close, channel close, limits ---------+
 *
 * A request lives in two tables from creation to completion: the socket's
 * hs_table (by peer address: the receive hook diverts that peer's
 * datagrams to the request) and the namespace's hs_ids (by id: the netlink
 * commands find it).  Both hold one reference together, dropped by the
 * completion.  Other references: the timeout work while it is queued, the
 * channel file after HS_ACCEPT, and short-lived lookups.
 *
 * Exactly one completion: m2msec_hs_complete() moves the state to DONE
 * under req->lock and only the caller that did so unlinks, counts and
 * wakes.  HS_DONE first claims the request (ACCEPTED -> INSTALLING), which
 * the timeout and socket close respect, so keys are never installed for a
 * request that already failed, and a request being installed never fails
 * behind the daemon's back.
 *
 * A listening socket has one more object of this type, its listener
 * (role M2MSEC_HS_LISTENER, hs_listen.c): in hs_ids but not in hs_table,
 * no timeout, never counted as a request.  Its queue is the hello queue:
 * first flights of peers without association or request, bounded per
 * socket, no per-peer state.  Its channel carries them to the daemon with
 * the peer's address; HS_CLAIM then creates the peer's request, already
 * accepted, once the daemon checked the peer's cookie.  States: PENDING
 * (no daemon holds the channel), ACCEPTED, and back to PENDING when the
 * channel closes; DONE when the socket is released.
 *
 * Locks, outermost first: ds->assoc_lock (mutex), ds->udp_lock (mutex),
 * ds->hs_lock (spinlock, BH), req->lock (spinlock, BH; a listener's too).
 * The receive hook runs in softirq under RCU and takes only hs_lock and
 * req->lock.  ds->hs_listener is written under hs_lock (by listen() with
 * udp_lock held as well, by release once the UDP socket is gone).
 */
#ifndef _M2MSEC_HANDSHAKE_H
#define _M2MSEC_HANDSHAKE_H

#include <linux/wait.h>
#include <linux/workqueue.h>

#include "dtls.h"

/* The largest UDP payload over IPv4: what a channel write may send. */
#define M2MSEC_HS_DGRAM_MAX	65507

enum m2msec_hs_state {
	M2MSEC_HS_PENDING,
	M2MSEC_HS_ACCEPTED,
	M2MSEC_HS_INSTALLING,
	M2MSEC_HS_DONE,
};

struct m2msec_hs_req {
	struct hlist_node node;		/* in ds->hs_table */
	struct list_head close_node;	/* socket release's private list */
	struct m2msec_dtls_sock *ds;	/* holds a sock reference */
	struct m2msec_addr_key key;
	union m2msec_addr peer;
	union m2msec_addr local;
	refcount_t ref;
	u32 id;
	u8 role;			/* enum m2msec_hs_role */
	bool user_charged;		/* holds a slot of @uid (hs_user.c) */
	u32 uid;

	spinlock_t lock;		/* state, status, queue */
	enum m2msec_hs_state state;
	int status;			/* valid in DONE */
	struct sk_buff_head queue;	/* datagrams for the daemon */
	wait_queue_head_t wq;		/* channel readers, connect() */

	struct delayed_work timeout;
	struct rcu_head rcu;
};

/* hs_user.c */
int m2msec_hs_user_charge(struct net *net, u32 *uid);
void m2msec_hs_user_uncharge(struct net *net, u32 uid);

/* handshake.c */
void m2msec_hs_sock_init(struct m2msec_dtls_sock *ds);
struct m2msec_hs_req *m2msec_hs_get_by_id(struct net *net, u32 id);
void m2msec_hs_put(struct m2msec_hs_req *req);
bool m2msec_hs_claim(struct m2msec_hs_req *req, enum m2msec_hs_state from,
		     enum m2msec_hs_state to);
void m2msec_hs_complete(struct m2msec_hs_req *req, int status, bool claimed,
			int stat);
int m2msec_hs_connect(struct m2msec_dtls_sock *ds,
		      const union m2msec_addr *peer,
		      const union m2msec_addr *local, bool nonblock);
bool m2msec_hs_rcv(struct m2msec_dtls_sock *ds, struct sk_buff *skb);
void m2msec_hs_sock_release(struct m2msec_dtls_sock *ds);
bool m2msec_hs_queue_empty(struct m2msec_hs_req *req);
struct sk_buff *m2msec_hs_dequeue(struct m2msec_hs_req *req, bool *done);
void m2msec_hs_net_count(struct net *net, int idx, s64 v);
struct m2msec_hs_req *m2msec_hs_create(struct m2msec_dtls_sock *ds,
				       const union m2msec_addr *peer,
				       const union m2msec_addr *local,
				       u8 role, gfp_t gfp);
void m2msec_hs_local(const struct sk_buff *skb, union m2msec_addr *a);
bool m2msec_hs_peer_busy(struct m2msec_dtls_sock *ds,
			 const union m2msec_addr *peer);

/* hs_listen.c */
int m2msec_hs_listen_start(struct m2msec_dtls_sock *ds);
void m2msec_hs_listen_rcv(struct m2msec_dtls_sock *ds, struct sk_buff *skb);
void m2msec_hs_listen_release(struct m2msec_dtls_sock *ds);
void m2msec_hs_listen_detach(struct m2msec_hs_req *req);
struct sk_buff *m2msec_hs_chan_next(struct m2msec_hs_req *req,
				    struct kiocb *iocb,
				    struct sk_buff *(*dequeue)(struct m2msec_hs_req *,
							       bool *));
ssize_t m2msec_hs_listen_read(struct m2msec_hs_req *req, struct kiocb *iocb,
			      struct iov_iter *to);
ssize_t m2msec_hs_listen_write(struct m2msec_hs_req *req,
			       struct iov_iter *from);
int m2msec_nl_hs_claim(struct sk_buff *skb, struct genl_info *info);

/* hs_ratelimit.c */
int m2msec_hs_rl_init(struct m2msec_net *mn);
void m2msec_hs_rl_exit(struct m2msec_net *mn);
bool m2msec_hs_rl_allow(struct m2msec_net *mn, const union m2msec_addr *src);

/* hs_chan.c */
struct file *m2msec_hs_chan_file(struct m2msec_hs_req *req);
struct m2msec_hs_req *m2msec_hs_chan_get(struct file *f);

/* netlink_hs.c */
void m2msec_hs_notify(struct m2msec_hs_req *req, gfp_t gfp);
int m2msec_nl_hs_dump(struct sk_buff *skb, struct netlink_callback *cb);
int m2msec_nl_hs_accept(struct sk_buff *skb, struct genl_info *info);
int m2msec_nl_hs_take(struct m2msec_hs_req *req, struct genl_info *info);
int m2msec_nl_hs_done(struct sk_buff *skb, struct genl_info *info);
int m2msec_hs_put_names(struct sk_buff *msg, struct m2msec_hs_req *req);

/* hs_sockopt.c */
void m2msec_hs_sockopt_release(struct m2msec_dtls_sock *ds);
int m2msec_dtls_setsockopt(struct socket *sock, int level, int optname,
			   sockptr_t optval, unsigned int optlen);
int m2msec_dtls_getsockopt(struct socket *sock, int level, int optname,
			   char __user *optval, int __user *optlen);

#endif /* _M2MSEC_HANDSHAKE_H */
