/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESPrim engine (oneM2M TS-0003 clause 8.4): internal declarations.
 *
 * Objects and their lifetimes:
 *
 *   socket --- esprim_sock (allocated on first use, freed on release)
 *                |-- keys:     pairwise keys registered for kid lookup;
 *                |             each holds a reference on its struct key
 *                |-- rands:    rand objects, registered or learned ("oro")
 *                `-- sessions: the derived sessionESPrimKey, its AEADs,
 *                              a reference on the pairwise key and copies
 *                              of both rand objects
 *
 * Locking: esprim_sock.lock (a mutex: key lookups and crypto allocation
 * sleep) protects the three lists and everything in them; nothing in them
 * is used outside it, so they need no reference counts of their own.
 * Pruning (expiry) frees entries even under the lock: a pointer into a
 * list is not used after a call that may prune; copy what is needed first.
 *
 * Nothing an object says changes these tables before its tag verifies:
 * unprotect prepares the session (and the learned "oro" entry) privately,
 * verifies, and only then publishes them.
 * The namespace's esprim_net.lock protects the list of sockets used by
 * netlink dumps; a socket leaves that list before it is freed.  Lock order:
 * esprim_net.lock, then esprim_sock.lock.
 */
#ifndef _M2MSEC_ESPRIM_H
#define _M2MSEC_ESPRIM_H

#include <linux/atomic.h>
#include <linux/key.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/skbuff.h>
#include <crypto/aead.h>
#include <net/genetlink.h>
#include <uapi/linux/m2msec.h>

#include "jwe.h"
#include "jwe_header.h"

#define M2MSEC_ESPRIM_SKEY_LEN	32	/* HMAC-SHA256 output */
#define M2MSEC_ESPRIM_N_ALGS	3	/* A128GCM, A192GCM, A256GCM */

/* Per network namespace: sockets (for dumps) and counters. */
struct m2msec_esprim_net {
	struct mutex lock;		/* protects @socks */
	struct list_head socks;
	atomic64_t stats[__M2MSEC_A_ESPRIM_STAT_MAX];
};

struct m2msec_esprim_key {
	struct list_head node;
	struct key *key;		/* reference held */
	key_serial_t serial;
	u16 kid_len;
	char kid[M2MSEC_ESPRIM_KID_MAX];
};

struct m2msec_esprim_rand_ent {
	struct list_head node;
	struct m2msec_esprim_rand r;
	bool learned;
};

struct m2msec_esprim_sess {
	struct list_head node;
	u32 id;
	u16 alg;			/* used when protecting */
	u16 flags;			/* M2MSEC_ESPRIM_F_* */
	bool learned;
	struct key *key;		/* reference held */
	key_serial_t serial;
	u64 expiry_ms;			/* the earlier rand expiry */
	u64 n_protected, n_unprotected;
	struct m2msec_esprim_rand recv, orig;
	u16 kid_len, peer_len;
	char kid[M2MSEC_ESPRIM_KID_MAX];
	char peer[M2MSEC_KEY_MAX_ID_LEN];
	/* Encoded header of protects without "cty", built once per flags. */
	char *hdr_b64;
	u16 hdr_b64_len;
	int hdr_flags;
	/* Allocated on first use per "enc", keyed from @skey. */
	struct crypto_aead *aead[M2MSEC_ESPRIM_N_ALGS];
	u8 skey[M2MSEC_ESPRIM_SKEY_LEN];
};

struct m2msec_esprim_sock {
	struct mutex lock;		/* protects the lists below */
	struct list_head keys, rands, sessions;
	unsigned int n_keys, n_rands, n_sessions;
	u32 next_learned;
	struct list_head net_node;	/* in m2msec_esprim_net.socks */
	struct m2msec_esprim_net *en;
	unsigned long ino;
};

/* What a result carries besides the data (skb->cb). */
struct m2msec_esprim_cb {
	u32 status;			/* enum m2msec_esprim_rsc */
	u32 session;			/* 0: none */
	u32 data_len;
	u16 kid_len, cty_len, peer_len;
};

static inline struct m2msec_esprim_cb *m2msec_esprim_cb(struct sk_buff *skb)
{
	return (struct m2msec_esprim_cb *)skb->cb;
}

/* esprim_sock.c: the socket */
extern const struct proto_ops m2msec_esprim_ops;
int m2msec_esprim_init_sock(struct sock *sk);

/* esprim_net.c: namespace state and counters */
struct m2msec_esprim_net *m2msec_esprim_net(struct net *net);
void m2msec_esprim_net_init(struct m2msec_esprim_net *en);
void m2msec_esprim_count(struct m2msec_esprim_net *en,
			 enum m2msec_esprim_stat_attr stat);
void m2msec_esprim_count_status(struct m2msec_esprim_net *en, u32 status);

/* esprim_key.c: pairwise keys from the keyring */
struct key *m2msec_esprim_key_lookup(key_serial_t serial);
int m2msec_esprim_key_check(struct key *key);
int m2msec_esprim_key_kid(struct key *key, char *kid, u16 *len);

/* esprim_kdf.c: sessionESPrimKey */
int m2msec_esprim_derive(struct key *key, const u8 *recv_value,
			 const u8 *orig_value, u8 *skey, char *peer,
			 u16 *peer_len);

/* esprim_aead.c: AES-GCM through the crypto API */
struct crypto_aead *m2msec_esprim_aead_new(const u8 *skey, int alg);
int m2msec_esprim_seal(struct crypto_aead *tfm, u8 *iv, const u8 *aad,
		       unsigned int aad_len, u8 *buf, unsigned int pt_len);
int m2msec_esprim_open(struct crypto_aead *tfm, u8 *iv, const u8 *aad,
		       unsigned int aad_len, u8 *buf, unsigned int ct_len);

/* esprim_table.c: keys, rand objects, sessions of a socket */
u64 m2msec_esprim_now_ms(void);
struct m2msec_esprim_sock *m2msec_esprim_sock_new(struct net *net,
						  unsigned long ino);
void m2msec_esprim_sock_free(struct m2msec_esprim_sock *es);
int m2msec_esprim_key_add(struct m2msec_esprim_sock *es,
			  key_serial_t serial);
int m2msec_esprim_key_del(struct m2msec_esprim_sock *es,
			  key_serial_t serial);
struct m2msec_esprim_key *
m2msec_esprim_key_find(struct m2msec_esprim_sock *es, const char *kid,
		       size_t kid_len);
void m2msec_esprim_key_drop(struct m2msec_esprim_sock *es,
			    struct m2msec_esprim_key *k);
int m2msec_esprim_rand_check(const struct m2msec_esprim_rand *r);
struct m2msec_esprim_rand_ent *
m2msec_esprim_rand_ent_new(const struct m2msec_esprim_rand *r, bool learned);
int m2msec_esprim_rand_publish(struct m2msec_esprim_sock *es,
			       struct m2msec_esprim_rand_ent *e);
int m2msec_esprim_rand_add(struct m2msec_esprim_sock *es,
			   const struct m2msec_esprim_rand *r);
int m2msec_esprim_rand_del(struct m2msec_esprim_sock *es,
			   const struct m2msec_esprim_rand_ref *ref);
struct m2msec_esprim_rand_ent *
m2msec_esprim_rand_find(struct m2msec_esprim_sock *es, u8 role,
			const char *id, size_t id_len);
int m2msec_esprim_session_add(struct m2msec_esprim_sock *es,
			      const struct m2msec_esprim_session *req);
int m2msec_esprim_session_del(struct m2msec_esprim_sock *es, u32 id);
struct m2msec_esprim_sess *
m2msec_esprim_session_prepare(struct key *key, key_serial_t serial,
			      const struct m2msec_esprim_rand *recv,
			      const struct m2msec_esprim_rand *orig, u16 alg);
void m2msec_esprim_session_discard(struct m2msec_esprim_sess *s);
int m2msec_esprim_session_room(struct m2msec_esprim_sock *es, bool learned);
void m2msec_esprim_session_publish(struct m2msec_esprim_sock *es,
				   struct m2msec_esprim_sess *s, u32 id);
struct m2msec_esprim_sess *
m2msec_esprim_session_find(struct m2msec_esprim_sock *es, u32 id);
struct m2msec_esprim_sess *
m2msec_esprim_session_match(struct m2msec_esprim_sock *es, const char *kid,
			    size_t kid_len, const char *ori, size_t ori_len,
			    const char *rri, size_t rri_len);
u32 m2msec_esprim_session_check(struct m2msec_esprim_sock *es,
				struct m2msec_esprim_sess *s);
void m2msec_esprim_session_end(struct m2msec_esprim_sock *es,
			       struct m2msec_esprim_sess *s,
			       enum m2msec_esprim_stat_attr why);
void m2msec_esprim_prune(struct m2msec_esprim_sock *es);
struct crypto_aead *m2msec_esprim_session_aead(struct m2msec_esprim_sess *s,
					       int alg);

/* esprim_protect.c, esprim_unprotect.c: the transforms */
struct sk_buff *m2msec_esprim_protect(struct m2msec_esprim_sock *es,
				      u32 session, const char *cty,
				      size_t cty_len, int flags,
				      struct msghdr *msg, size_t len,
				      u32 max_object);
struct sk_buff *m2msec_esprim_unprotect(struct m2msec_esprim_sock *es,
					struct msghdr *msg, size_t len,
					u32 max_object);
struct sk_buff *m2msec_esprim_result(u32 status, u32 session,
				     size_t data_len, const char *kid,
				     size_t kid_len, const char *cty,
				     size_t cty_len, const char *peer,
				     size_t peer_len);

/* esprim_netlink.c */
int m2msec_esprim_nl_stats(struct sk_buff *skb, struct genl_info *info);
int m2msec_esprim_nl_sessions(struct sk_buff *skb,
			      struct netlink_callback *cb);

#endif /* _M2MSEC_ESPRIM_H */
