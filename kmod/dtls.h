/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DTLS sockets, associations and epochs: the objects of the record layer.
 *
 * Lifetimes and locking:
 *  - struct m2msec_dtls_sock is the sock of an M2MSEC_PROTO_DTLS socket.
 *    It owns one kernel UDP socket (created at bind/connect time with the
 *    caller's credentials) and the associations installed on it.
 *  - Associations live in three tables of their socket: by id (xarray),
 *    by peer address and by receive CID (rhashtables).  Writers hold
 *    ds->assoc_lock (a mutex: installing keys allocates crypto transforms);
 *    readers use RCU and take a reference (m2msec_assoc_get()) when they
 *    need the association beyond the read-side critical section.
 *  - An epoch holds the keys of one direction.  Associations point at their
 *    current and previous TX/RX epochs under RCU; users take a reference
 *    (crypto may sleep for async drivers), and the last put frees the
 *    transforms from a work item after a grace period.
 *  - Sequence numbers and replay windows change under assoc->lock
 *    (spinlock, BH-safe).
 *  - Handshake requests (handshake.h) are found per socket by peer address
 *    in ds->hs_table (RCU readers in softirq, writers under ds->hs_lock,
 *    BH-safe) and per namespace by id.  A request holds a reference on its
 *    sock, never on its file: closing the socket fails its requests.
 *  - ds->closing is set under assoc_lock when release starts; from then on
 *    no association is inserted (a racing HS_DONE fails with ECONNRESET)
 *    and nothing is put back on the receive queue.
 *  - ds->udp is created and cleared under udp_lock.  Paths that do not
 *    hold udp_lock (sends, netlink commands and events that only hold a
 *    socket reference) use it between m2msec_udp_get() and
 *    m2msec_udp_put(); release marks the socket dead under udp_lock (no
 *    bind or autobind after that), waits for those users, then frees it.
 */
#ifndef _M2MSEC_DTLS_H
#define _M2MSEC_DTLS_H

#include <linux/hashtable.h>
#include <linux/in6.h>
#include <linux/in.h>
#include <linux/mutex.h>
#include <linux/rhashtable-types.h>
#include <linux/seqlock.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/dst_cache.h>
#include <net/sock.h>

#include "m2msec.h"
#include "replay.h"

union m2msec_addr {
	struct sockaddr sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
};

/* Key of the peer address table: family, port and address, zero-padded. */
struct m2msec_addr_key {
	__be32 addr[4];
	__be16 port;
	u16 family;
};

struct m2msec_epoch {
	refcount_t ref;
	u64 epoch;
	u64 records;			/* protected with this key so far */
	u64 auth_failures;		/* RX: failed decryptions */
	u64 seq;			/* TX: next sequence number */
	struct m2msec_replay *replay;	/* RX only */
	struct crypto_aead *aead;
	struct crypto_cipher *sn_aes;	/* DTLS 1.3 record numbers, AES */
	u32 sn_chacha[8];		/* ... ChaCha20 (key words) */
	u8 iv[12];
	u8 iv_len;
	u16 version;
	const struct m2msec_cipher_desc *cd;
	struct rcu_work free_work;
};

struct m2msec_dtls_sock;
struct m2msec_actrl;

/* A string readers see under RCU (M2MSEC_SO_SERVER_NAME). */
struct m2msec_name {
	struct rcu_head rcu;
	char name[];
};

struct m2msec_assoc {
	struct rhash_head addr_node;
	struct rhash_head cid_node;
	struct m2msec_addr_key addr_key;
	struct m2msec_dtls_sock *ds;
	refcount_t ref;
	u32 id;
	u16 version;
	bool dead;
	const struct m2msec_cipher_desc *cd;
	/*
	 * Where records go.  A CID association's peer may move (rx.c); the
	 * address then changes under @lock inside @peer_seq, and readers
	 * outside ds->assoc_lock copy it with m2msec_assoc_peer().
	 */
	union m2msec_addr peer;
	seqcount_spinlock_t peer_seq;
	u8 tx_cid[M2MSEC_CID_MAX];
	u8 rx_cid[M2MSEC_CID_MAX];
	u8 tx_cid_len;
	u8 rx_cid_len;
	u32 rx_grace_ms;
	u32 tx_grace_ms;
	u64 created_ns;
	char *peer_id;		/* authenticated identity (HS_DONE), or NULL */
	u16 suite;		/* negotiated cipher suite, 0 when not given */
	struct m2msec_actrl *ctrl;	/* daemon's control channel, or NULL */
	/* The peer's KeyUpdates passed on in this second (rx.c, rx_lock). */
	u64 ku_window_ns;
	u32 ku_count;

	spinlock_t lock;	/* sequence numbers, replay windows, epochs */
	struct m2msec_epoch __rcu *tx;
	struct m2msec_epoch __rcu *tx_prev;
	struct m2msec_epoch __rcu *rx;
	struct m2msec_epoch __rcu *rx_prev;
	unsigned long tx_prev_until;	/* jiffies */
	unsigned long rx_prev_until;

	struct dst_cache dst_cache;	/* route to @peer (xmit.c) */
	struct m2msec_stats stats;
	struct rcu_head rcu;
};

/* Per-datagram metadata kept in skb->cb while it waits for recvmsg(). */
struct m2msec_rx_cb {
	union m2msec_addr peer;
};

#define M2MSEC_RX_CB(skb) ((struct m2msec_rx_cb *)(skb)->cb)

/* A decrypted record waiting to be read (or peeked). */
struct m2msec_ready {
	struct sk_buff *skb;	/* holds the plaintext in place */
	unsigned int off;
	unsigned int len;
	u32 assoc_id;
	u64 epoch;
	union m2msec_addr peer;
};

/*
 * The association tables of a socket.  Netlink commands and handshake
 * paths that hold only a socket reference may look up in them while the
 * socket is being released, so they live until the sock is destroyed and
 * an RCU grace period later (freeing them sleeps: a work item does it).
 */
struct m2msec_assoc_tables {
	struct xarray ids;
	struct rhashtable by_addr;
	struct rhashtable by_cid;
	struct rcu_work free_work;
};

struct m2msec_dtls_sock {
	struct sock sk;			/* must be first */
	enum m2msec_proto proto;
	struct list_head net_node;	/* in m2msec_net.socks */

	struct mutex udp_lock;		/* creation of @udp, bind, connect */
	struct socket *udp;
	atomic_t udp_users;		/* m2msec_udp_get(); 1 while @udp lives */
	bool udp_dead;			/* release started: no new @udp */
	union m2msec_addr default_peer;	/* from connect() */
	bool connected;

	struct mutex assoc_lock;	/* writers of @t */
	struct m2msec_assoc_tables *t;	/* freed after sk_destruct */
	u32 next_id;
	u32 n_assocs;			/* in @t, under assoc_lock */
	u8 rx_cid_len;			/* CID length of this socket, 0: none */

	/* Receive side, serialised by rx_lock (never held in softirq). */
	struct mutex rx_lock;
	struct sk_buff *rx_skb;		/* datagram being taken apart */
	unsigned int rx_off;
	void *rx_scratch;		/* crypto request of the record read */
	size_t rx_scratch_len;
	struct m2msec_ready ready;
	bool has_ready;

	/* Records for the handshake daemon (none yet reads them). */
	struct sk_buff_head ctrl_queue;
	unsigned int ctrl_bytes;	/* their truesize, under rx_lock */

	/* Handshake requests of this socket (handshake.c). */
	spinlock_t hs_lock;		/* writers of hs_table */
	DECLARE_HASHTABLE(hs_table, 6);	/* by peer address */
	atomic_t hs_count;		/* unfinished requests */
	bool hs_listen;			/* listen(): serve first flights */
	struct m2msec_hs_req __rcu *hs_listener;	/* hs_listen.c */
	bool hs_connecting;		/* a connect() handshake is running */
	bool closing;			/* release started (under assoc_lock) */
	struct m2msec_name __rcu *server_name;	/* M2MSEC_SO_SERVER_NAME */
};

static inline struct m2msec_dtls_sock *m2msec_dtls_sk(const struct sock *sk)
{
	return (struct m2msec_dtls_sock *)sk;
}

/*
 * A consistent copy of @a's peer address (it may move: m2msec_assoc_move()).
 * Returns the peer_seq value of that copy.
 */
static inline unsigned int m2msec_assoc_peer(const struct m2msec_assoc *a,
					     union m2msec_addr *peer)
{
	unsigned int seq;

	do {
		seq = read_seqcount_begin(&a->peer_seq);
		*peer = a->peer;
	} while (read_seqcount_retry(&a->peer_seq, seq));
	return seq;
}

/* dtls_sock.c */
extern const struct proto_ops m2msec_dtls_ops;
extern struct proto m2msec_dtls_proto;
int m2msec_dtls_init_sock(struct sock *sk);
struct m2msec_dtls_sock *m2msec_dtls_from_fd(int fd, struct file **filp);

/* udp.c */
int m2msec_udp_bind(struct m2msec_dtls_sock *ds, const union m2msec_addr *a);
int m2msec_udp_autobind(struct m2msec_dtls_sock *ds, sa_family_t family);
void m2msec_udp_release(struct m2msec_dtls_sock *ds);
struct socket *m2msec_udp_get(struct m2msec_dtls_sock *ds);
void m2msec_udp_put(struct m2msec_dtls_sock *ds);
int m2msec_udp_local(struct m2msec_dtls_sock *ds, union m2msec_addr *local);
int m2msec_udp_send(struct m2msec_dtls_sock *ds, const union m2msec_addr *to,
		    const void *buf, size_t len);
int m2msec_addr_from_user(union m2msec_addr *a, const struct sockaddr *sa,
			  int len);
int m2msec_addr_len(const union m2msec_addr *a);
void m2msec_addr_key(struct m2msec_addr_key *k, const union m2msec_addr *a);

/* epoch.c */
struct m2msec_epoch_cfg {
	const struct m2msec_cipher_desc *cd;
	u16 version;
	u64 epoch;
	u64 seq;
	key_serial_t key;
	u32 window;		/* RX: replay window; TX: 0 */
	const char *driver;	/* AEAD driver to force, or NULL */
};

struct m2msec_epoch *m2msec_epoch_new(const struct m2msec_epoch_cfg *cfg,
				      struct netlink_ext_ack *extack);
void m2msec_epoch_put(struct m2msec_epoch *ep);
struct m2msec_epoch *m2msec_epoch_get_rcu(struct m2msec_epoch __rcu **p);
const char *m2msec_epoch_driver(const struct m2msec_epoch *ep);

/* aead.c */
int m2msec_aead_crypt(struct m2msec_epoch *ep, bool enc, const u8 *nonce,
		      const u8 *aad, unsigned int aad_len, u8 *data,
		      unsigned int len, void *scratch);
size_t m2msec_aead_scratch_size(const struct m2msec_epoch *ep);
void *m2msec_aead_scratch(u8 *buf, size_t used);
int m2msec_sn_mask(struct m2msec_epoch *ep, const u8 sample[16],
		   u8 mask[16]);

/* assoc.c */
int m2msec_assoc_tables_init(struct m2msec_dtls_sock *ds);
void m2msec_assoc_tables_destroy(struct m2msec_dtls_sock *ds);
struct m2msec_assoc *m2msec_assoc_alloc(struct m2msec_dtls_sock *ds);
int m2msec_assoc_insert(struct m2msec_assoc *a);
void m2msec_assoc_unlink(struct m2msec_assoc *a);
void m2msec_assoc_close(struct m2msec_assoc *a, u32 reason);
void m2msec_assoc_put(struct m2msec_assoc *a);
struct m2msec_assoc *m2msec_assoc_by_id(struct m2msec_dtls_sock *ds, u32 id);
struct m2msec_assoc *m2msec_assoc_by_addr(struct m2msec_dtls_sock *ds,
					  const union m2msec_addr *peer);
struct m2msec_assoc *m2msec_assoc_by_cid(struct m2msec_dtls_sock *ds,
					 const u8 *cid, u8 len);
void m2msec_assoc_flush(struct m2msec_dtls_sock *ds);
void m2msec_assoc_count(struct m2msec_assoc *a, int idx, u64 v);
int m2msec_assoc_move(struct m2msec_assoc *a, const union m2msec_addr *peer,
		      union m2msec_addr *old);
bool m2msec_assoc_peer_known_rcu(struct m2msec_dtls_sock *ds,
				 const union m2msec_addr *peer);

/* rx.c */
int m2msec_udp_encap_rcv(struct sock *usk, struct sk_buff *skb);
int m2msec_dtls_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
			int flags);
void m2msec_rx_purge(struct m2msec_dtls_sock *ds);
bool m2msec_rx_poll_ready(struct m2msec_dtls_sock *ds);

/* tx.c */
int m2msec_dtls_sendmsg(struct socket *sock, struct msghdr *msg, size_t len);
int m2msec_tx_alert(struct m2msec_assoc *a, u8 level, u8 desc);
int m2msec_tx_control(struct m2msec_assoc *a, u8 type, const void *buf,
		      size_t len, u64 *epoch, u64 *seq);

/* xmit.c: one record on its way out (see m2msec_xmit_alloc()). */
struct m2msec_route {
	struct socket *sock;		/* m2msec_udp_get() */
	union m2msec_addr peer;		/* the association's, when sent */
	unsigned int peer_seq;		/* ... and its peer_seq then */
	struct dst_entry *dst;		/* NULL: the UDP socket's own path */
	union {
		__be32 v4;
		struct in6_addr v6;
	} saddr;
	unsigned int net_hdr;		/* IP header length */
	unsigned int seg;		/* one record; less than skb->len: GSO */
};

int m2msec_xmit_alloc(struct m2msec_assoc *a, struct m2msec_route *r,
		      unsigned int len, unsigned int seg, unsigned int tail,
		      struct sk_buff **skb);
void m2msec_xmit_abort(struct m2msec_assoc *a, struct m2msec_route *r);
int m2msec_xmit(struct m2msec_assoc *a, struct m2msec_route *r,
		struct sk_buff *skb);

/* event.c */
bool m2msec_limit_notify_point(u64 count, u64 max);
void m2msec_event_limit(struct m2msec_assoc *a, u32 kind, u64 epoch,
			u64 count, u64 max);
void m2msec_event_up(struct m2msec_assoc *a);
void m2msec_event_key_update(struct m2msec_assoc *a, u8 dir, u64 epoch);
void m2msec_event_down(struct m2msec_assoc *a, u32 reason);
void m2msec_event_peer_moved(struct m2msec_assoc *a,
			     const union m2msec_addr *old);

/* A failed handshake request, as M2MSEC_EVENT_HS_FAILED reports it. */
struct m2msec_hs_event {
	struct m2msec_dtls_sock *ds;
	const union m2msec_addr *peer;
	u32 id;
	u8 role;
	int status;
};
void m2msec_event_hs_failed(const struct m2msec_hs_event *hs);

/* netlink_assoc.c */
int m2msec_nl_assoc_new(struct sk_buff *skb, struct genl_info *info);
int m2msec_nl_assoc_set(struct sk_buff *skb, struct genl_info *info);
int m2msec_nl_assoc_del(struct sk_buff *skb, struct genl_info *info);
int m2msec_nl_assoc_dump(struct sk_buff *skb, struct netlink_callback *cb);
int m2msec_nl_get_stats(struct sk_buff *skb, struct genl_info *info);
struct m2msec_assoc *m2msec_nl_assoc_prepare(struct m2msec_dtls_sock *ds,
					     struct genl_info *info,
					     const union m2msec_addr *peer);
int m2msec_nl_assoc_publish(struct m2msec_assoc *a, struct genl_info *info);
int m2msec_nl_assoc_rekey(struct sk_buff *skb, struct genl_info *info);

/* assoc_ctrl.c */
void m2msec_actrl_put(struct m2msec_actrl *c);
bool m2msec_actrl_queue(struct m2msec_assoc *a, const u8 *rec,
			unsigned int len, u8 type, bool decrypted, u64 epoch,
			u64 seq);
int m2msec_actrl_event(struct m2msec_assoc *a, u16 event, u64 epoch,
		       u64 count);
void m2msec_actrl_hangup(struct m2msec_actrl *c);
struct file *m2msec_actrl_attach(struct m2msec_assoc *a);
struct m2msec_assoc *m2msec_actrl_nl_find(struct sk_buff *skb,
					  struct genl_info *info);
void m2msec_actrl_nl_put(struct m2msec_assoc *a);
int m2msec_actrl_rekey(struct m2msec_assoc *a, struct genl_info *info);

#endif /* _M2MSEC_DTLS_H */
