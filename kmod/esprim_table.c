// SPDX-License-Identifier: GPL-2.0
/*
 * The ESPrim state of one socket: registered pairwise keys, rand objects
 * and sessions.  All functions here except m2msec_esprim_sock_new() and
 * m2msec_esprim_sock_free() must be called with es->lock held.
 *
 * Expiry (TS-0003 clause 8.4): a rand object is usable until its
 * esprimRandExpiry; a session until the earlier of its two objects'
 * expiries, and an originator object must not expire after the receiver
 * object it is paired with.  Expired objects and sessions are removed,
 * and session keys wiped, when next touched and whenever a table is full
 * or dumped (m2msec_esprim_prune()).
 *
 * Pruning frees entries, and the clock can make an entry expire between a
 * check and a prune: whatever was looked up before a call that may prune
 * (m2msec_esprim_prune(), m2msec_esprim_session_room(),
 * m2msec_esprim_rand_publish()) is copied first and never used afterwards.
 * New entries are prepared completely (allocation, key derivation) before
 * room is made and they are published, so publishing cannot fail half way.
 */
#include <linux/err.h>
#include <linux/key.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "m2msec.h"

#define ESPRIM_ALL_ALGS	(BIT(M2MSEC_ESPRIM_A128GCM) | \
			 BIT(M2MSEC_ESPRIM_A192GCM) | \
			 BIT(M2MSEC_ESPRIM_A256GCM))

/**
 * m2msec_esprim_now_ms() - CLOCK_REALTIME in milliseconds
 *
 * Return: milliseconds since the epoch (rand expiries are wall-clock times).
 */
u64 m2msec_esprim_now_ms(void)
{
	return ktime_to_ms(ktime_get_real());
}

/**
 * m2msec_esprim_sock_new() - ESPrim state for a new socket
 * @net: the socket's namespace
 * @ino: the socket's inode number (for dumps)
 *
 * Return: the state, listed in the namespace, or NULL.
 */
struct m2msec_esprim_sock *m2msec_esprim_sock_new(struct net *net,
						  unsigned long ino)
{
	struct m2msec_esprim_sock *es;

	es = kzalloc(sizeof(*es), GFP_KERNEL);
	if (!es)
		return NULL;
	mutex_init(&es->lock);
	INIT_LIST_HEAD(&es->keys);
	INIT_LIST_HEAD(&es->rands);
	INIT_LIST_HEAD(&es->sessions);
	es->next_learned = M2MSEC_ESPRIM_SESSION_LEARNED;
	es->ino = ino;
	es->en = m2msec_esprim_net(net);
	mutex_lock(&es->en->lock);
	list_add_tail(&es->net_node, &es->en->socks);
	mutex_unlock(&es->en->lock);
	return es;
}

static void session_free(struct m2msec_esprim_sess *s)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(s->aead); i++)
		if (s->aead[i])
			crypto_free_aead(s->aead[i]);
	key_put(s->key);
	kfree(s->hdr_b64);
	kfree_sensitive(s);
}

/**
 * m2msec_esprim_session_end() - end a session and wipe its key
 * @es: socket state (lock held)
 * @s: the session
 * @why: counter to increment, or 0
 */
void m2msec_esprim_session_end(struct m2msec_esprim_sock *es,
			       struct m2msec_esprim_sess *s,
			       enum m2msec_esprim_stat_attr why)
{
	lockdep_assert_held(&es->lock);
	list_del(&s->node);
	es->n_sessions--;
	if (why)
		m2msec_esprim_count(es->en, why);
	session_free(s);
}

static void key_free(struct m2msec_esprim_key *k)
{
	key_put(k->key);
	kfree(k);
}

/**
 * m2msec_esprim_sock_free() - free a socket's ESPrim state
 * @es: the state; no other user may remain
 *
 * Unlists it from the namespace first, so a dump never sees it half freed.
 */
void m2msec_esprim_sock_free(struct m2msec_esprim_sock *es)
{
	struct m2msec_esprim_rand_ent *r, *rn;
	struct m2msec_esprim_sess *s, *sn;
	struct m2msec_esprim_key *k, *kn;

	mutex_lock(&es->en->lock);
	list_del(&es->net_node);
	mutex_unlock(&es->en->lock);

	list_for_each_entry_safe(s, sn, &es->sessions, node)
		session_free(s);
	list_for_each_entry_safe(k, kn, &es->keys, node)
		key_free(k);
	list_for_each_entry_safe(r, rn, &es->rands, node)
		kfree(r);
	mutex_destroy(&es->lock);
	kfree(es);
}

/* --- keys ----------------------------------------------------------- */

/**
 * m2msec_esprim_key_find() - registered key by kid
 * @es: socket state (lock held)
 * @kid: the kid
 * @kid_len: its length
 *
 * Return: the entry or NULL.
 */
struct m2msec_esprim_key *
m2msec_esprim_key_find(struct m2msec_esprim_sock *es, const char *kid,
		       size_t kid_len)
{
	struct m2msec_esprim_key *k;

	lockdep_assert_held(&es->lock);
	list_for_each_entry(k, &es->keys, node)
		if (k->kid_len == kid_len && !memcmp(k->kid, kid, kid_len))
			return k;
	return NULL;
}

/* End every session that uses @key. */
static void sessions_end_key(struct m2msec_esprim_sock *es, struct key *key)
{
	struct m2msec_esprim_sess *s, *sn;

	list_for_each_entry_safe(s, sn, &es->sessions, node)
		if (s->key == key)
			m2msec_esprim_session_end(es, s,
				M2MSEC_A_ESPRIM_STAT_SESSIONS_KEY_ENDED);
}

/**
 * m2msec_esprim_key_drop() - forget a key and end its sessions
 * @es: socket state (lock held)
 * @k: the entry
 */
void m2msec_esprim_key_drop(struct m2msec_esprim_sock *es,
			    struct m2msec_esprim_key *k)
{
	lockdep_assert_held(&es->lock);
	sessions_end_key(es, k->key);
	list_del(&k->node);
	es->n_keys--;
	key_free(k);
}

/**
 * m2msec_esprim_key_add() - register a pairwise key for kid lookup
 * @es: socket state (lock held)
 * @serial: key serial, looked up in the caller's context
 *
 * Return: 0 or a negative errno (see enum m2msec_esprim_sockopt).
 */
int m2msec_esprim_key_add(struct m2msec_esprim_sock *es, key_serial_t serial)
{
	struct m2msec_esprim_key *k, *old;
	struct key *key;
	int err;

	lockdep_assert_held(&es->lock);
	key = m2msec_esprim_key_lookup(serial);
	if (IS_ERR(key))
		return PTR_ERR(key);
	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k) {
		err = -ENOMEM;
		goto err_key;
	}
	err = m2msec_esprim_key_kid(key, k->kid, &k->kid_len);
	if (err)
		goto err_free;
	old = m2msec_esprim_key_find(es, k->kid, k->kid_len);
	if (old && m2msec_esprim_key_check(old->key))
		m2msec_esprim_key_drop(es, old);	/* ended: replace */
	else if (old) {
		err = -EEXIST;
		goto err_free;
	}
	if (es->n_keys >= M2MSEC_ESPRIM_KEYS_MAX) {
		err = -ENOSPC;
		goto err_free;
	}
	k->key = key;
	k->serial = serial;
	list_add_tail(&k->node, &es->keys);
	es->n_keys++;
	return 0;

err_free:
	kfree(k);
err_key:
	key_put(key);
	return err;
}

/**
 * m2msec_esprim_key_del() - unregister a key and end its sessions
 * @es: socket state (lock held)
 * @serial: the key's serial
 *
 * Return: 0 or -ENOENT.
 */
int m2msec_esprim_key_del(struct m2msec_esprim_sock *es, key_serial_t serial)
{
	struct m2msec_esprim_key *k;

	lockdep_assert_held(&es->lock);
	list_for_each_entry(k, &es->keys, node)
		if (k->serial == serial) {
			m2msec_esprim_key_drop(es, k);
			return 0;
		}
	return -ENOENT;
}

/* --- rand objects --------------------------------------------------- */

/**
 * m2msec_esprim_rand_find() - rand object by role and id
 * @es: socket state (lock held)
 * @role: enum m2msec_esprim_role
 * @id: esprimRandID
 * @id_len: its length
 *
 * Return: the entry (possibly expired: callers decide) or NULL.
 */
struct m2msec_esprim_rand_ent *
m2msec_esprim_rand_find(struct m2msec_esprim_sock *es, u8 role,
			const char *id, size_t id_len)
{
	struct m2msec_esprim_rand_ent *e;

	lockdep_assert_held(&es->lock);
	list_for_each_entry(e, &es->rands, node)
		if (e->r.role == role && e->r.id_len == id_len &&
		    !memcmp(e->r.id, id, id_len))
			return e;
	return NULL;
}

static void rand_unlink(struct m2msec_esprim_sock *es,
			struct m2msec_esprim_rand_ent *e)
{
	list_del(&e->node);
	es->n_rands--;
	kfree(e);
}

/*
 * Room for one more rand object: expired objects go first, then the oldest
 * learned one (sessions set up from it keep their own copy), so neither
 * registration nor in-band set-up can be starved by learned objects.
 * Frees entries: callers look up what they need afterwards, or use copies.
 */
static int rand_room(struct m2msec_esprim_sock *es)
{
	struct m2msec_esprim_rand_ent *e;

	if (es->n_rands < M2MSEC_ESPRIM_RANDS_MAX)
		return 0;
	m2msec_esprim_prune(es);
	if (es->n_rands < M2MSEC_ESPRIM_RANDS_MAX)
		return 0;
	list_for_each_entry(e, &es->rands, node)
		if (e->learned) {
			rand_unlink(es, e);
			return 0;
		}
	return -ENOSPC;
}

/**
 * m2msec_esprim_rand_check() - is a rand object well-formed and current
 * @r: the object
 *
 * Return: 0; -EINVAL for a malformed object; -EOPNOTSUPP without
 * HMAC-SHA256; -ETIME when it has expired.
 */
int m2msec_esprim_rand_check(const struct m2msec_esprim_rand *r)
{
	if ((r->role != M2MSEC_ESPRIM_RECEIVER &&
	     r->role != M2MSEC_ESPRIM_ORIGINATOR) || r->reserved ||
	    r->reserved2 || (r->algs & ~ESPRIM_ALL_ALGS) || !r->algs ||
	    m2msec_esprim_id_valid(r->id, r->id_len, M2MSEC_ESPRIM_ID_MAX))
		return -EINVAL;
	if (!(r->keygen_algs & BIT(M2MSEC_ESPRIM_KEYGEN_HMAC_SHA256)))
		return -EOPNOTSUPP;
	if (r->expiry_ms <= m2msec_esprim_now_ms())
		return -ETIME;
	return 0;
}

/**
 * m2msec_esprim_rand_ent_new() - an unpublished table entry for a rand object
 * @r: the object (copied)
 * @learned: taken from an "oro" header member
 *
 * Return: the entry, to be given to m2msec_esprim_rand_publish() or
 * kfree()d, or NULL.
 */
struct m2msec_esprim_rand_ent *
m2msec_esprim_rand_ent_new(const struct m2msec_esprim_rand *r, bool learned)
{
	struct m2msec_esprim_rand_ent *e = kzalloc(sizeof(*e), GFP_KERNEL);

	if (e) {
		e->r = *r;
		e->learned = learned;
	}
	return e;
}

/**
 * m2msec_esprim_rand_publish() - make room for an entry and insert it
 * @es: socket state (lock held)
 * @e: from m2msec_esprim_rand_ent_new(); taken over on success
 *
 * An expired entry of the same role and id is replaced.  May prune: the
 * caller must not hold pointers into the tables across this call.
 *
 * Return: 0; -EEXIST when an unexpired object has that role and id;
 * -ENOSPC when the table is full of registered objects.
 */
int m2msec_esprim_rand_publish(struct m2msec_esprim_sock *es,
			       struct m2msec_esprim_rand_ent *e)
{
	struct m2msec_esprim_rand_ent *old;
	int err;

	lockdep_assert_held(&es->lock);
	old = m2msec_esprim_rand_find(es, e->r.role, e->r.id, e->r.id_len);
	if (old && old->r.expiry_ms > m2msec_esprim_now_ms())
		return -EEXIST;
	if (old)
		rand_unlink(es, old);	/* expired: replaced */
	err = rand_room(es);
	if (err)
		return err;
	list_add_tail(&e->node, &es->rands);
	es->n_rands++;
	return 0;
}

/**
 * m2msec_esprim_rand_add() - M2MSEC_ESPRIM_RAND_ADD
 * @es: socket state (lock held)
 * @r: the object (checked here)
 *
 * Return: 0; -EINVAL for a malformed object; -ETIME when it has expired;
 * -EEXIST when (role, id) is taken; -ENOSPC when the table is full of
 * registered objects; -ENOMEM.
 */
int m2msec_esprim_rand_add(struct m2msec_esprim_sock *es,
			   const struct m2msec_esprim_rand *r)
{
	struct m2msec_esprim_rand_ent *e;
	int err;

	lockdep_assert_held(&es->lock);
	err = m2msec_esprim_rand_check(r);
	if (err)
		return err;
	e = m2msec_esprim_rand_ent_new(r, false);
	if (!e)
		return -ENOMEM;
	err = m2msec_esprim_rand_publish(es, e);
	if (err)
		kfree(e);
	return err;
}

static bool session_uses(const struct m2msec_esprim_sess *s,
			 const struct m2msec_esprim_rand *r)
{
	const struct m2msec_esprim_rand *mine =
		r->role == M2MSEC_ESPRIM_RECEIVER ? &s->recv : &s->orig;

	return mine->id_len == r->id_len && !memcmp(mine->id, r->id, r->id_len);
}

/**
 * m2msec_esprim_rand_del() - forget a rand object and end its sessions
 * @es: socket state (lock held)
 * @ref: role and id
 *
 * Return: 0, -EINVAL or -ENOENT.
 */
int m2msec_esprim_rand_del(struct m2msec_esprim_sock *es,
			   const struct m2msec_esprim_rand_ref *ref)
{
	struct m2msec_esprim_rand_ent *e;
	struct m2msec_esprim_sess *s, *sn;

	lockdep_assert_held(&es->lock);
	if (ref->reserved || ref->id_len > M2MSEC_ESPRIM_ID_MAX)
		return -EINVAL;
	e = m2msec_esprim_rand_find(es, ref->role, ref->id, ref->id_len);
	if (!e)
		return -ENOENT;
	list_for_each_entry_safe(s, sn, &es->sessions, node)
		if (session_uses(s, &e->r))
			m2msec_esprim_session_end(es, s, 0);
	list_del(&e->node);
	es->n_rands--;
	kfree(e);
	return 0;
}

/* --- sessions ------------------------------------------------------- */

/**
 * m2msec_esprim_session_aead() - the session's AES-GCM for an "enc"
 * @s: the session (socket lock held)
 * @alg: enum m2msec_esprim_alg
 *
 * Allocated on first use: a learned session may see every "enc" its rand
 * objects allow.
 *
 * Return: the transform (owned by the session) or an ERR_PTR.
 */
struct crypto_aead *m2msec_esprim_session_aead(struct m2msec_esprim_sess *s,
					       int alg)
{
	struct crypto_aead **slot = &s->aead[alg - M2MSEC_ESPRIM_A128GCM];
	struct crypto_aead *tfm;

	if (*slot)
		return *slot;
	tfm = m2msec_esprim_aead_new(s->skey, alg);
	if (!IS_ERR(tfm))
		*slot = tfm;
	return tfm;
}

/**
 * m2msec_esprim_session_find() - session by id
 * @es: socket state (lock held)
 * @id: session id
 *
 * Return: the session (not checked for expiry) or NULL.
 */
struct m2msec_esprim_sess *
m2msec_esprim_session_find(struct m2msec_esprim_sock *es, u32 id)
{
	struct m2msec_esprim_sess *s;

	lockdep_assert_held(&es->lock);
	list_for_each_entry(s, &es->sessions, node)
		if (s->id == id)
			return s;
	return NULL;
}

/**
 * m2msec_esprim_session_match() - session by the names an object carries
 * @es: socket state (lock held)
 * @kid: "kid"
 * @kid_len: its length
 * @ori: "ori"
 * @ori_len: its length
 * @rri: "rri"
 * @rri_len: its length
 *
 * Return: the session or NULL.
 */
struct m2msec_esprim_sess *
m2msec_esprim_session_match(struct m2msec_esprim_sock *es, const char *kid,
			    size_t kid_len, const char *ori, size_t ori_len,
			    const char *rri, size_t rri_len)
{
	struct m2msec_esprim_sess *s;

	lockdep_assert_held(&es->lock);
	list_for_each_entry(s, &es->sessions, node)
		if (s->kid_len == kid_len && !memcmp(s->kid, kid, kid_len) &&
		    s->orig.id_len == ori_len &&
		    !memcmp(s->orig.id, ori, ori_len) &&
		    s->recv.id_len == rri_len &&
		    !memcmp(s->recv.id, rri, rri_len))
			return s;
	return NULL;
}

/**
 * m2msec_esprim_session_check() - may the session still be used
 * @es: socket state (lock held)
 * @s: the session; ended (freed) when the answer is not M2MSEC_RSC_OK
 *
 * Return: M2MSEC_RSC_OK, ESPRIM_UNKNOWN_KEY_ID (the key was revoked,
 * invalidated or expired), ESPRIM_UNKNOWN_ORIG_RAND_ID or
 * ESPRIM_UNKNOWN_RECV_RAND_ID (that rand object expired).
 */
u32 m2msec_esprim_session_check(struct m2msec_esprim_sock *es,
				struct m2msec_esprim_sess *s)
{
	u64 now = m2msec_esprim_now_ms();

	lockdep_assert_held(&es->lock);
	if (m2msec_esprim_key_check(s->key)) {
		m2msec_esprim_session_end(es, s,
				M2MSEC_A_ESPRIM_STAT_SESSIONS_KEY_ENDED);
		return M2MSEC_RSC_ESPRIM_UNKNOWN_KEY_ID;
	}
	if (s->orig.expiry_ms <= now) {
		m2msec_esprim_session_end(es, s,
				M2MSEC_A_ESPRIM_STAT_SESSIONS_EXPIRED);
		return M2MSEC_RSC_ESPRIM_UNKNOWN_ORIG_RAND_ID;
	}
	if (s->recv.expiry_ms <= now) {
		m2msec_esprim_session_end(es, s,
				M2MSEC_A_ESPRIM_STAT_SESSIONS_EXPIRED);
		return M2MSEC_RSC_ESPRIM_UNKNOWN_RECV_RAND_ID;
	}
	return M2MSEC_RSC_OK;
}

/**
 * m2msec_esprim_prune() - drop what has ended
 * @es: socket state (lock held)
 *
 * Ends sessions whose key ended or whose rand objects expired, forgets
 * ended keys and expired rand objects.
 */
void m2msec_esprim_prune(struct m2msec_esprim_sock *es)
{
	struct m2msec_esprim_rand_ent *r, *rn;
	struct m2msec_esprim_sess *s, *sn;
	struct m2msec_esprim_key *k, *kn;
	u64 now = m2msec_esprim_now_ms();

	lockdep_assert_held(&es->lock);
	list_for_each_entry_safe(s, sn, &es->sessions, node)
		m2msec_esprim_session_check(es, s);
	list_for_each_entry_safe(k, kn, &es->keys, node)
		if (m2msec_esprim_key_check(k->key))
			m2msec_esprim_key_drop(es, k);
	list_for_each_entry_safe(r, rn, &es->rands, node)
		if (r->r.expiry_ms <= now) {
			list_del(&r->node);
			es->n_rands--;
			kfree(r);
		}
}

/**
 * m2msec_esprim_session_prepare() - derive a session key, publish nothing
 * @key: checked pairwise key; the session takes its own reference
 * @serial: its serial
 * @recv: receiver rand object (copied before anything else happens)
 * @orig: originator rand object (copied likewise)
 * @alg: enum m2msec_esprim_alg for protecting
 *
 * Touches no table, so it needs no lock and prunes nothing; the result
 * belongs to the caller until m2msec_esprim_session_publish() or
 * m2msec_esprim_session_discard().
 *
 * Return: the session or an ERR_PTR (-ENOMEM, key errors).
 */
struct m2msec_esprim_sess *
m2msec_esprim_session_prepare(struct key *key, key_serial_t serial,
			      const struct m2msec_esprim_rand *recv,
			      const struct m2msec_esprim_rand *orig, u16 alg)
{
	struct m2msec_esprim_sess *s;
	int err;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->recv = *recv;
	s->orig = *orig;
	s->key = key_get(key);
	s->serial = serial;
	s->alg = alg;
	s->expiry_ms = min(s->recv.expiry_ms, s->orig.expiry_ms);
	err = m2msec_esprim_key_kid(key, s->kid, &s->kid_len);
	if (!err)
		err = m2msec_esprim_derive(key, s->recv.value, s->orig.value,
					   s->skey, s->peer, &s->peer_len);
	if (err) {
		session_free(s);
		return ERR_PTR(err);
	}
	return s;
}

/**
 * m2msec_esprim_session_discard() - free a session that was never published
 * @s: from m2msec_esprim_session_prepare(), or NULL
 */
void m2msec_esprim_session_discard(struct m2msec_esprim_sess *s)
{
	if (s)
		session_free(s);
}

/**
 * m2msec_esprim_session_room() - room for one more session
 * @es: socket state (lock held)
 * @learned: for a learned session: may end the oldest learned session
 *
 * When the table is full, ended and expired sessions are dropped first,
 * then (for a learned session) the oldest learned session, so in-band
 * set-up cannot be starved.  Prunes: the caller must not hold pointers
 * into the tables across this call.
 *
 * Return: 0 or -ENOSPC.
 */
int m2msec_esprim_session_room(struct m2msec_esprim_sock *es, bool learned)
{
	struct m2msec_esprim_sess *old;

	lockdep_assert_held(&es->lock);
	if (es->n_sessions < M2MSEC_ESPRIM_SESSIONS_MAX)
		return 0;
	m2msec_esprim_prune(es);
	if (es->n_sessions < M2MSEC_ESPRIM_SESSIONS_MAX)
		return 0;
	if (learned)
		list_for_each_entry(old, &es->sessions, node)
			if (old->learned) {
				m2msec_esprim_session_end(es, old, 0);
				return 0;
			}
	return -ENOSPC;
}

/**
 * m2msec_esprim_session_publish() - add a prepared session to the table
 * @es: socket state (lock held), with room (m2msec_esprim_session_room())
 * @s: from m2msec_esprim_session_prepare(); the table owns it afterwards
 * @id: session id, or 0 to assign a learned-session id
 *
 * Cannot fail: call it when nothing else can.
 */
void m2msec_esprim_session_publish(struct m2msec_esprim_sock *es,
				   struct m2msec_esprim_sess *s, u32 id)
{
	lockdep_assert_held(&es->lock);
	if (id) {
		s->id = id;
	} else {
		s->learned = true;
		do {
			s->id = es->next_learned++;
			if (es->next_learned < M2MSEC_ESPRIM_SESSION_LEARNED)
				es->next_learned = M2MSEC_ESPRIM_SESSION_LEARNED;
		} while (m2msec_esprim_session_find(es, s->id));
	}
	list_add_tail(&s->node, &es->sessions);
	es->n_sessions++;
	m2msec_esprim_count(es->en, M2MSEC_A_ESPRIM_STAT_SESSIONS_ADDED);
	if (!id)
		m2msec_esprim_count(es->en,
				    M2MSEC_A_ESPRIM_STAT_SESSIONS_LEARNED);
}

/**
 * m2msec_esprim_session_add() - M2MSEC_ESPRIM_SESSION_ADD
 * @es: socket state (lock held)
 * @req: the request from userspace
 *
 * The rand objects are looked up, checked and copied into the new session
 * before anything may prune the table (which frees expired objects).
 *
 * Return: 0 or a negative errno (see struct m2msec_esprim_session).
 */
int m2msec_esprim_session_add(struct m2msec_esprim_sock *es,
			      const struct m2msec_esprim_session *req)
{
	struct m2msec_esprim_rand_ent *recv, *orig;
	struct m2msec_esprim_sess *s;
	u64 now = m2msec_esprim_now_ms();
	struct key *key;
	int err;

	lockdep_assert_held(&es->lock);
	if (!req->id || req->id >= M2MSEC_ESPRIM_SESSION_LEARNED ||
	    req->reserved || (req->flags & ~(M2MSEC_ESPRIM_F_ORO |
					     M2MSEC_ESPRIM_F_RRO)) ||
	    req->rri_len > M2MSEC_ESPRIM_ID_MAX ||
	    req->ori_len > M2MSEC_ESPRIM_ID_MAX)
		return -EINVAL;
	if (!m2msec_esprim_enc_name(req->alg))
		return -EOPNOTSUPP;
	if (m2msec_esprim_session_find(es, req->id))
		return -EEXIST;
	recv = m2msec_esprim_rand_find(es, M2MSEC_ESPRIM_RECEIVER, req->rri,
				       req->rri_len);
	orig = m2msec_esprim_rand_find(es, M2MSEC_ESPRIM_ORIGINATOR, req->ori,
				       req->ori_len);
	if (!recv || !orig)
		return -ENOENT;
	if (recv->r.expiry_ms <= now || orig->r.expiry_ms <= now ||
	    orig->r.expiry_ms > recv->r.expiry_ms)
		return -ETIME;
	if (!(recv->r.algs & orig->r.algs & BIT(req->alg)))
		return -EOPNOTSUPP;

	key = m2msec_esprim_key_lookup(req->key);
	if (IS_ERR(key))
		return PTR_ERR(key);
	s = m2msec_esprim_session_prepare(key, req->key, &recv->r, &orig->r,
					  req->alg);
	key_put(key);
	if (IS_ERR(s))
		return PTR_ERR(s);
	/* From here on @recv and @orig may be freed: only the copies count. */
	err = m2msec_esprim_session_room(es, false);
	if (err) {
		m2msec_esprim_session_discard(s);
		return err;
	}
	s->flags = req->flags;
	m2msec_esprim_session_publish(es, s, req->id);
	return 0;
}

/**
 * m2msec_esprim_session_del() - M2MSEC_ESPRIM_SESSION_DEL
 * @es: socket state (lock held)
 * @id: session id
 *
 * Return: 0 or -ENOENT.
 */
int m2msec_esprim_session_del(struct m2msec_esprim_sock *es, u32 id)
{
	struct m2msec_esprim_sess *s = m2msec_esprim_session_find(es, id);

	lockdep_assert_held(&es->lock);
	if (!s)
		return -ENOENT;
	m2msec_esprim_session_end(es, s, 0);
	return 0;
}
