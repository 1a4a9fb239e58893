// SPDX-License-Identifier: GPL-2.0
/*
 * Association tables of a DTLS socket.
 *
 * Three indexes: id (xarray, for the netlink API and cmsgs), peer address
 * and receive Connection ID (rhashtables, for incoming records; sized
 * automatically, so 10^5 associations per socket cost O(1) lookups).
 * Writers hold ds->assoc_lock; readers use RCU.  Every table entry holds
 * one reference; lookups return a new reference.
 */
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "dtls.h"

struct m2msec_cid_key {
	u8 cid[M2MSEC_CID_MAX];
};

static const struct rhashtable_params m2msec_addr_params = {
	.key_len	= sizeof(struct m2msec_addr_key),
	.key_offset	= offsetof(struct m2msec_assoc, addr_key),
	.head_offset	= offsetof(struct m2msec_assoc, addr_node),
	.automatic_shrinking = true,
};

/* CIDs of one socket all have ds->rx_cid_len bytes; the rest is zero. */
static const struct rhashtable_params m2msec_cid_params = {
	.key_len	= M2MSEC_CID_MAX,
	.key_offset	= offsetof(struct m2msec_assoc, rx_cid),
	.head_offset	= offsetof(struct m2msec_assoc, cid_node),
	.automatic_shrinking = true,
};

/**
 * m2msec_assoc_tables_init() - allocate the association tables of @ds
 * @ds: new socket
 *
 * Return: 0 or -ENOMEM.
 */
int m2msec_assoc_tables_init(struct m2msec_dtls_sock *ds)
{
	struct m2msec_assoc_tables *t;
	int err;

	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	xa_init_flags(&t->ids, XA_FLAGS_ALLOC1);
	err = rhashtable_init(&t->by_addr, &m2msec_addr_params);
	if (err)
		goto err_free;
	err = rhashtable_init(&t->by_cid, &m2msec_cid_params);
	if (err)
		goto err_addr;
	ds->t = t;
	return 0;

err_addr:
	rhashtable_destroy(&t->by_addr);
err_free:
	kfree(t);
	return err;
}

static void m2msec_assoc_tables_free(struct work_struct *work)
{
	struct m2msec_assoc_tables *t =
		container_of(to_rcu_work(work), struct m2msec_assoc_tables,
			     free_work);

	rhashtable_destroy(&t->by_cid);
	rhashtable_destroy(&t->by_addr);
	xa_destroy(&t->ids);
	kfree(t);
}

/**
 * m2msec_assoc_tables_destroy() - free the (empty) tables of @ds
 * @ds: socket being destroyed (sk_destruct, any context)
 *
 * Lookups still running under RCU finish first; the tables are freed
 * after a grace period from a work item (rhashtable_destroy() sleeps).
 */
void m2msec_assoc_tables_destroy(struct m2msec_dtls_sock *ds)
{
	struct m2msec_assoc_tables *t = ds->t;

	if (!t)
		return;
	ds->t = NULL;
	WARN_ON_ONCE(!xa_empty(&t->ids));
	INIT_RCU_WORK(&t->free_work, m2msec_assoc_tables_free);
	queue_rcu_work(m2msec_wq, &t->free_work);
}

/**
 * m2msec_assoc_alloc() - a new, unlinked association of @ds
 * @ds: owning socket
 *
 * Return: the association with one reference, or NULL.
 */
struct m2msec_assoc *m2msec_assoc_alloc(struct m2msec_dtls_sock *ds)
{
	/* Any user can install associations: charge them to its cgroup. */
	struct m2msec_assoc *a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);

	if (!a)
		return NULL;
	if (m2msec_stats_init(&a->stats))
		goto err_free;
	if (dst_cache_init(&a->dst_cache, GFP_KERNEL_ACCOUNT))
		goto err_stats;
	a->ds = ds;
	refcount_set(&a->ref, 1);
	spin_lock_init(&a->lock);
	seqcount_spinlock_init(&a->peer_seq, &a->lock);
	a->created_ns = ktime_get_boottime_ns();
	return a;

err_stats:
	m2msec_stats_free(&a->stats);
err_free:
	kfree(a);
	return NULL;
}

static void m2msec_assoc_free_epochs(struct m2msec_assoc *a)
{
	m2msec_epoch_put(rcu_dereference_protected(a->tx, 1));
	m2msec_epoch_put(rcu_dereference_protected(a->tx_prev, 1));
	m2msec_epoch_put(rcu_dereference_protected(a->rx, 1));
	m2msec_epoch_put(rcu_dereference_protected(a->rx_prev, 1));
}

/**
 * m2msec_assoc_put() - drop a reference; the last one frees
 * @a: association, may be NULL
 */
void m2msec_assoc_put(struct m2msec_assoc *a)
{
	if (!a || !refcount_dec_and_test(&a->ref))
		return;
	m2msec_assoc_free_epochs(a);
	dst_cache_destroy(&a->dst_cache);
	m2msec_stats_free(&a->stats);
	m2msec_actrl_put(a->ctrl);
	kfree(a->peer_id);
	kfree_rcu(a, rcu);
}

/**
 * m2msec_assoc_insert() - publish @a in the tables of its socket
 * @a: association with peer, CIDs and epochs set
 *
 * Caller holds ds->assoc_lock.  On success the tables own a reference of
 * their own and @a->id is set.
 *
 * Return: 0, -EEXIST (peer address or CID in use), -EINVAL (CID length
 * differs from the socket's), -EBUSY (no free id), -ECONNRESET (the socket
 * is being released), -ENOSPC (the socket's or the namespace's maximum of
 * associations is reached) or -ENOMEM.
 */
int m2msec_assoc_insert(struct m2msec_assoc *a)
{
	struct m2msec_dtls_sock *ds = a->ds;
	struct m2msec_net *mn = m2msec_net(sock_net(&ds->sk));
	int err;

	lockdep_assert_held(&ds->assoc_lock);
	if (ds->closing)
		return -ECONNRESET;
	if (a->rx_cid_len && ds->rx_cid_len &&
	    a->rx_cid_len != ds->rx_cid_len)
		return -EINVAL;
	if (ds->n_assocs >= READ_ONCE(mn->cfg.assoc_sock_max))
		return -ENOSPC;
	if (atomic_inc_return(&mn->assoc_count) >
	    READ_ONCE(mn->cfg.assoc_net_max)) {
		err = -ENOSPC;
		goto err_count;
	}

	m2msec_addr_key(&a->addr_key, &a->peer);
	err = rhashtable_lookup_insert_fast(&ds->t->by_addr, &a->addr_node,
					    m2msec_addr_params);
	if (err)
		goto err_count;
	if (a->rx_cid_len) {
		err = rhashtable_lookup_insert_fast(&ds->t->by_cid, &a->cid_node,
						    m2msec_cid_params);
		if (err)
			goto err_addr;
	}
	err = xa_alloc_cyclic(&ds->t->ids, &a->id, a, xa_limit_32b,
			      &ds->next_id, GFP_KERNEL);
	if (err < 0)
		goto err_cid;
	if (a->rx_cid_len)
		ds->rx_cid_len = a->rx_cid_len;
	ds->n_assocs++;
	refcount_inc(&a->ref);
	return 0;

err_cid:
	if (a->rx_cid_len)
		rhashtable_remove_fast(&ds->t->by_cid, &a->cid_node,
				       m2msec_cid_params);
err_addr:
	rhashtable_remove_fast(&ds->t->by_addr, &a->addr_node,
			       m2msec_addr_params);
err_count:
	atomic_dec(&mn->assoc_count);
	return err;
}

/* The peer address and its table key change together; the route goes. */
static void m2msec_assoc_set_peer(struct m2msec_assoc *a,
				  const union m2msec_addr *peer,
				  const struct m2msec_addr_key *k)
{
	spin_lock_bh(&a->lock);
	write_seqcount_begin(&a->peer_seq);
	a->peer = *peer;
	a->addr_key = *k;
	dst_cache_reset(&a->dst_cache);
	write_seqcount_end(&a->peer_seq);
	spin_unlock_bh(&a->lock);
}

/**
 * m2msec_assoc_unlink() - remove @a from its tables and drop their reference
 * @a: a published association
 *
 * Caller holds ds->assoc_lock.  Readers that already found @a keep a valid
 * object until they put it; @a->dead tells them it is gone.
 */
void m2msec_assoc_unlink(struct m2msec_assoc *a)
{
	struct m2msec_dtls_sock *ds = a->ds;

	lockdep_assert_held(&ds->assoc_lock);
	WRITE_ONCE(a->dead, true);
	m2msec_actrl_hangup(a->ctrl);
	xa_erase(&ds->t->ids, a->id);
	rhashtable_remove_fast(&ds->t->by_addr, &a->addr_node,
			       m2msec_addr_params);
	if (a->rx_cid_len)
		rhashtable_remove_fast(&ds->t->by_cid, &a->cid_node,
				       m2msec_cid_params);
	ds->n_assocs--;
	atomic_dec(&m2msec_net(sock_net(&ds->sk))->assoc_count);
	m2msec_assoc_put(a);
}

/**
 * m2msec_assoc_close() - end @a: close_notify to the peer, DOWN event, unlink
 * @a: a published association
 * @reason: enum m2msec_event_reason of the DOWN event
 *
 * Caller holds ds->assoc_lock (ASSOC_DEL; the receive path at the
 * integrity limit).
 */
void m2msec_assoc_close(struct m2msec_assoc *a, u32 reason)
{
	lockdep_assert_held(&a->ds->assoc_lock);
	m2msec_tx_alert(a, 1, 0);	/* close_notify */
	m2msec_event_down(a, reason);
	m2msec_assoc_unlink(a);
}

static struct m2msec_assoc *m2msec_assoc_tryget(struct m2msec_assoc *a)
{
	if (a && !READ_ONCE(a->dead) && refcount_inc_not_zero(&a->ref))
		return a;
	return NULL;
}

struct m2msec_assoc *m2msec_assoc_by_id(struct m2msec_dtls_sock *ds, u32 id)
{
	struct m2msec_assoc *a;

	rcu_read_lock();
	a = m2msec_assoc_tryget(xa_load(&ds->t->ids, id));
	rcu_read_unlock();
	return a;
}

struct m2msec_assoc *m2msec_assoc_by_addr(struct m2msec_dtls_sock *ds,
					  const union m2msec_addr *peer)
{
	struct m2msec_addr_key k;
	struct m2msec_assoc *a;

	m2msec_addr_key(&k, peer);
	rcu_read_lock();
	a = m2msec_assoc_tryget(rhashtable_lookup(&ds->t->by_addr, &k,
						  m2msec_addr_params));
	rcu_read_unlock();
	return a;
}

struct m2msec_assoc *m2msec_assoc_by_cid(struct m2msec_dtls_sock *ds,
					 const u8 *cid, u8 len)
{
	struct m2msec_cid_key k = {};
	struct m2msec_assoc *a;

	if (!len || len > M2MSEC_CID_MAX)
		return NULL;
	memcpy(k.cid, cid, len);
	rcu_read_lock();
	a = m2msec_assoc_tryget(rhashtable_lookup(&ds->t->by_cid, &k,
						  m2msec_cid_params));
	rcu_read_unlock();
	return a;
}

/**
 * m2msec_assoc_move() - send @a's records to a new peer address
 * @a: a CID association whose peer moved (rx.c decides when)
 * @peer: the new address
 * @old: the address it replaces, set on success
 *
 * Process context; takes ds->assoc_lock.  The peer table entry moves with
 * the address, so sendto() the new address finds @a and the old one no
 * longer does.  Concurrent lookups walking @a's bucket while its key
 * changes may miss it, or find it for the new address early: both harmless.
 * The cached route is dropped inside the address change; a send that
 * copied the old address drops the route it caches too (xmit.c).
 *
 * Return: 0, -EEXIST (another association has @peer), -ENOENT (@a was
 * removed), or the table's error (@a keeps its old address then).
 */
int m2msec_assoc_move(struct m2msec_assoc *a, const union m2msec_addr *peer,
		      union m2msec_addr *old)
{
	struct m2msec_dtls_sock *ds = a->ds;
	struct m2msec_addr_key k, old_k;
	union m2msec_addr prev;
	int err;

	m2msec_addr_key(&k, peer);
	mutex_lock(&ds->assoc_lock);
	err = -ENOENT;
	if (READ_ONCE(a->dead))
		goto out;
	err = -EEXIST;
	if (rhashtable_lookup_fast(&ds->t->by_addr, &k, m2msec_addr_params))
		goto out;
	rhashtable_remove_fast(&ds->t->by_addr, &a->addr_node,
			       m2msec_addr_params);
	prev = a->peer;
	old_k = a->addr_key;
	m2msec_assoc_set_peer(a, peer, &k);
	err = rhashtable_lookup_insert_fast(&ds->t->by_addr, &a->addr_node,
					    m2msec_addr_params);
	if (err) {
		m2msec_assoc_set_peer(a, &prev, &old_k);
		/* Fails only without memory: @a then stays reachable by
		 * id and CID, and unlinking it later is still safe.
		 */
		rhashtable_lookup_insert_fast(&ds->t->by_addr, &a->addr_node,
					      m2msec_addr_params);
		goto out;
	}
	*old = prev;
out:
	mutex_unlock(&ds->assoc_lock);
	return err;
}

/**
 * m2msec_assoc_peer_known_rcu() - has @peer an association on @ds?
 * @ds: socket
 * @peer: address
 *
 * Caller holds rcu_read_lock() (softirq: the receive hook); takes no
 * reference.
 */
bool m2msec_assoc_peer_known_rcu(struct m2msec_dtls_sock *ds,
				 const union m2msec_addr *peer)
{
	struct m2msec_addr_key k;

	m2msec_addr_key(&k, peer);
	return rhashtable_lookup(&ds->t->by_addr, &k, m2msec_addr_params);
}

/**
 * m2msec_assoc_flush() - unlink every association of @ds
 * @ds: socket being destroyed
 */
void m2msec_assoc_flush(struct m2msec_dtls_sock *ds)
{
	struct m2msec_assoc *a;
	unsigned long id;

	mutex_lock(&ds->assoc_lock);
	xa_for_each(&ds->t->ids, id, a) {
		m2msec_event_down(a, M2MSEC_EVENT_REASON_SOCKET_CLOSED);
		m2msec_assoc_unlink(a);
	}
	mutex_unlock(&ds->assoc_lock);
}

/**
 * m2msec_assoc_count() - add to a counter of @a and of its namespace
 * @a: association
 * @idx: an M2MSEC_A_STAT_* index
 * @v: amount
 */
void m2msec_assoc_count(struct m2msec_assoc *a, int idx, u64 v)
{
	m2msec_stats_add(&a->stats, idx, v);
	m2msec_pcpu_net_add(m2msec_net(sock_net(&a->ds->sk))->stats, idx, v);
}
