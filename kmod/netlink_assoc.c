// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink commands for DTLS associations: install (static keying
 * and handshake daemon alike), key update, delete, dump, counters.
 *
 * The socket is named by a file descriptor of the caller (the command runs
 * in the sender's context), so whoever may use the socket may key it, as
 * with kTLS socket options; key serials are resolved in the same context
 * with the keyring's permission checks.  Every refusal carries an extended
 * ack message.
 */
#include <linux/file.h>
#include <net/genetlink.h>

#include "dtls.h"

#define M2MSEC_GRACE_MS_DEFAULT	2000

struct m2msec_nl_dir {
	u64 epoch;
	u64 seq;
	key_serial_t key;
};

static const struct nla_policy m2msec_dir_policy[M2MSEC_A_DIR_MAX + 1] = {
	[M2MSEC_A_DIR_EPOCH]	= { .type = NLA_U64 },
	[M2MSEC_A_DIR_SEQ]	= { .type = NLA_U64 },
	[M2MSEC_A_DIR_KEY]	= NLA_POLICY_MIN(NLA_S32, 1),
};

static int m2msec_nl_dir(struct nlattr *nest, u16 version,
			 struct m2msec_nl_dir *d, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[M2MSEC_A_DIR_MAX + 1];
	int err;

	err = nla_parse_nested(tb, M2MSEC_A_DIR_MAX, nest, m2msec_dir_policy,
			       extack);
	if (err)
		return err;
	if (!tb[M2MSEC_A_DIR_EPOCH] || !tb[M2MSEC_A_DIR_SEQ] ||
	    !tb[M2MSEC_A_DIR_KEY]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a direction needs epoch, sequence number and key");
		return -EINVAL;
	}
	d->epoch = nla_get_u64(tb[M2MSEC_A_DIR_EPOCH]);
	d->seq = nla_get_u64(tb[M2MSEC_A_DIR_SEQ]);
	d->key = nla_get_s32(tb[M2MSEC_A_DIR_KEY]);
	if (d->seq >> 48) {
		NL_SET_ERR_MSG_ATTR(extack, tb[M2MSEC_A_DIR_SEQ],
				    "sequence numbers have 48 bits");
		return -ERANGE;
	}
	if (version == M2MSEC_DTLS_1_2 && d->epoch > U16_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, tb[M2MSEC_A_DIR_EPOCH],
				    "DTLS 1.2 epochs have 16 bits");
		return -ERANGE;
	}
	return 0;
}

static struct m2msec_epoch *m2msec_nl_epoch(struct m2msec_assoc *a,
					    const struct m2msec_nl_dir *d,
					    u32 window, const char *driver,
					    struct netlink_ext_ack *extack)
{
	struct m2msec_epoch_cfg cfg = {
		.cd = a->cd, .version = a->version, .epoch = d->epoch,
		.seq = d->seq, .key = d->key, .window = window,
		.driver = driver,
	};

	return m2msec_epoch_new(&cfg, extack);
}

static int m2msec_nl_cid(u8 *dst, u8 *len, const struct nlattr *attr)
{
	if (!attr)
		return 0;
	*len = nla_len(attr);
	memcpy(dst, nla_data(attr), *len);
	return 0;
}

static u32 m2msec_nl_u32(struct nlattr **a, int type, u32 def)
{
	return a[type] ? nla_get_u32(a[type]) : def;
}

/* Attributes every command that names an association needs. */
static struct m2msec_dtls_sock *m2msec_nl_sock(struct genl_info *info,
					       struct file **filp)
{
	struct m2msec_dtls_sock *ds;

	if (GENL_REQ_ATTR_CHECK(info, M2MSEC_A_SOCK_FD))
		return ERR_PTR(-EINVAL);
	ds = m2msec_dtls_from_fd(nla_get_u32(info->attrs[M2MSEC_A_SOCK_FD]),
				 filp);
	if (IS_ERR(ds))
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[M2MSEC_A_SOCK_FD],
				    "not a descriptor of an m2msec DTLS socket");
	return ds;
}

/* The optional cipher suite must be one of the cipher's for the version. */
static int m2msec_nl_suite(struct m2msec_assoc *a, const struct nlattr *attr,
			   struct netlink_ext_ack *extack)
{
	const struct m2msec_cipher_desc *cd = a->cd;
	u16 suite;
	int i;

	if (!attr)
		return 0;
	suite = nla_get_u16(attr);
	if (a->version == M2MSEC_DTLS_1_3) {
		if (suite && suite == cd->suite13)
			goto ok;
	} else {
		for (i = 0; i < ARRAY_SIZE(cd->suites12) && cd->suites12[i]; i++)
			if (suite == cd->suites12[i])
				goto ok;
	}
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "cipher suite does not match the version and cipher");
	return -EINVAL;
ok:
	a->suite = suite;
	return 0;
}

static int m2msec_nl_assoc_fill(struct m2msec_assoc *a, struct genl_info *info,
				const union m2msec_addr *peer)
{
	struct nlattr **at = info->attrs;
	struct netlink_ext_ack *extack = info->extack;
	u32 cipher;
	int err;

	a->version = nla_get_u16(at[M2MSEC_A_ASSOC_VERSION]);
	if (a->version != M2MSEC_DTLS_1_2 && a->version != M2MSEC_DTLS_1_3) {
		NL_SET_ERR_MSG_ATTR(extack, at[M2MSEC_A_ASSOC_VERSION],
				    "version must be DTLS 1.2 (0xfefd) or DTLS 1.3 (0xfefc)");
		return -EINVAL;
	}
	cipher = nla_get_u32(at[M2MSEC_A_ASSOC_CIPHER]);
	a->cd = m2msec_cipher_get(cipher);
	if (!a->cd) {
		NL_SET_ERR_MSG_ATTR(extack, at[M2MSEC_A_ASSOC_CIPHER],
				    "unknown cipher");
		return -EINVAL;
	}
	err = m2msec_nl_suite(a, at[M2MSEC_A_ASSOC_SUITE], extack);
	if (err)
		return err;
	if (peer) {
		a->peer = *peer;
	} else {
		err = m2msec_addr_from_user(&a->peer,
					    nla_data(at[M2MSEC_A_ASSOC_PEER]),
					    nla_len(at[M2MSEC_A_ASSOC_PEER]));
		if (err) {
			NL_SET_ERR_MSG_ATTR(extack, at[M2MSEC_A_ASSOC_PEER],
					    "peer must be a sockaddr_in or sockaddr_in6");
			return err;
		}
	}
	m2msec_nl_cid(a->tx_cid, &a->tx_cid_len, at[M2MSEC_A_ASSOC_TX_CID]);
	m2msec_nl_cid(a->rx_cid, &a->rx_cid_len, at[M2MSEC_A_ASSOC_RX_CID]);
	a->rx_grace_ms = m2msec_nl_u32(at, M2MSEC_A_ASSOC_RX_GRACE_MS,
				       M2MSEC_GRACE_MS_DEFAULT);
	a->tx_grace_ms = m2msec_nl_u32(at, M2MSEC_A_ASSOC_TX_GRACE_MS,
				       M2MSEC_GRACE_MS_DEFAULT);
	return 0;
}

static int m2msec_nl_assoc_keys(struct m2msec_assoc *a, struct genl_info *info)
{
	struct nlattr **at = info->attrs;
	struct m2msec_net *mn = m2msec_net(genl_info_net(info));
	const char *driver = NULL;
	struct m2msec_nl_dir tx, rx;
	struct m2msec_epoch *ep;
	u32 window;
	int err;

	err = m2msec_nl_dir(at[M2MSEC_A_ASSOC_TX], a->version, &tx,
			    info->extack) ?:
	      m2msec_nl_dir(at[M2MSEC_A_ASSOC_RX], a->version, &rx,
			    info->extack);
	if (err)
		return err;
	window = m2msec_nl_u32(at, M2MSEC_A_ASSOC_REPLAY_WINDOW,
			       READ_ONCE(mn->cfg.replay_window));
	if (at[M2MSEC_A_ASSOC_DRIVER]) {
		/*
		 * A driver name can make the crypto API load modules: only
		 * the initial namespace's administrator may force one.
		 */
		if (!capable(CAP_NET_ADMIN)) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    at[M2MSEC_A_ASSOC_DRIVER],
					    "forcing a crypto driver needs CAP_NET_ADMIN");
			return -EPERM;
		}
		driver = nla_data(at[M2MSEC_A_ASSOC_DRIVER]);
	}

	ep = m2msec_nl_epoch(a, &tx, 0, driver, info->extack);
	if (IS_ERR(ep))
		return PTR_ERR(ep);
	rcu_assign_pointer(a->tx, ep);
	ep = m2msec_nl_epoch(a, &rx, window, driver, info->extack);
	if (IS_ERR(ep))
		return PTR_ERR(ep);
	rcu_assign_pointer(a->rx, ep);
	return 0;
}

static int m2msec_nl_reply_id(struct genl_info *info, u32 id)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &m2msec_genl_family, 0, info->genlhdr->cmd);
	if (!hdr || nla_put_u32(msg, M2MSEC_A_ASSOC_ID, id)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/**
 * m2msec_nl_assoc_prepare() - an association from netlink attributes
 * @ds: the socket it is for
 * @info: request with the M2MSEC_A_ASSOC_* attributes of ASSOC_NEW
 * @peer: the peer, or NULL to take it from M2MSEC_A_ASSOC_PEER
 *
 * Shared by ASSOC_NEW and HS_DONE: validation, key lookup in the caller's
 * context, epochs.  The association is not published yet.
 *
 * Return: the association (one reference) or an ERR_PTR, with an extended
 * ack message.
 */
struct m2msec_assoc *m2msec_nl_assoc_prepare(struct m2msec_dtls_sock *ds,
					     struct genl_info *info,
					     const union m2msec_addr *peer)
{
	struct m2msec_assoc *a;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, M2MSEC_A_ASSOC_VERSION) ||
	    GENL_REQ_ATTR_CHECK(info, M2MSEC_A_ASSOC_CIPHER) ||
	    (!peer && GENL_REQ_ATTR_CHECK(info, M2MSEC_A_ASSOC_PEER)) ||
	    GENL_REQ_ATTR_CHECK(info, M2MSEC_A_ASSOC_TX) ||
	    GENL_REQ_ATTR_CHECK(info, M2MSEC_A_ASSOC_RX))
		return ERR_PTR(-EINVAL);
	a = m2msec_assoc_alloc(ds);
	if (!a)
		return ERR_PTR(-ENOMEM);
	err = m2msec_nl_assoc_fill(a, info, peer) ?:
	      m2msec_nl_assoc_keys(a, info);
	if (err) {
		m2msec_assoc_put(a);
		return ERR_PTR(err);
	}
	return a;
}

/**
 * m2msec_nl_assoc_publish() - bind the socket if needed and insert @a
 * @a: a prepared association
 * @info: request, for extended ack messages
 *
 * Return: 0 (a->id set) or a negative errno.
 */
int m2msec_nl_assoc_publish(struct m2msec_assoc *a, struct genl_info *info)
{
	struct m2msec_dtls_sock *ds = a->ds;
	int err;

	mutex_lock(&ds->udp_lock);
	err = m2msec_udp_autobind(ds, a->peer.sa.sa_family);
	mutex_unlock(&ds->udp_lock);
	if (err) {
		NL_SET_ERR_MSG(info->extack, "cannot bind the socket");
		return err;
	}

	mutex_lock(&ds->assoc_lock);
	err = m2msec_assoc_insert(a);
	if (!err)
		m2msec_event_up(a);
	mutex_unlock(&ds->assoc_lock);
	if (err == -EEXIST)
		NL_SET_ERR_MSG(info->extack,
			       "an association with this peer address or CID exists");
	else if (err == -EINVAL)
		NL_SET_ERR_MSG(info->extack,
			       "CID length differs from the socket's other associations");
	else if (err == -ECONNRESET)
		NL_SET_ERR_MSG(info->extack, "the socket is being closed");
	else if (err == -ENOSPC)
		NL_SET_ERR_MSG(info->extack,
			       "maximum of associations reached (assoc-sock-max, assoc-net-max)");
	return err;
}

int m2msec_nl_assoc_new(struct sk_buff *skb, struct genl_info *info)
{
	struct m2msec_dtls_sock *ds;
	struct m2msec_assoc *a;
	struct file *filp;
	int err;

	ds = m2msec_nl_sock(info, &filp);
	if (IS_ERR(ds))
		return PTR_ERR(ds);
	a = m2msec_nl_assoc_prepare(ds, info, NULL);
	if (IS_ERR(a)) {
		err = PTR_ERR(a);
		goto out_fput;
	}
	err = m2msec_nl_assoc_publish(a, info);
	if (!err)
		err = m2msec_nl_reply_id(info, a->id);
	m2msec_assoc_put(a);
out_fput:
	fput(filp);
	return err;
}

static struct m2msec_assoc *m2msec_nl_assoc(struct genl_info *info,
					    struct m2msec_dtls_sock *ds)
{
	struct m2msec_assoc *a;

	if (GENL_REQ_ATTR_CHECK(info, M2MSEC_A_ASSOC_ID))
		return ERR_PTR(-EINVAL);
	a = m2msec_assoc_by_id(ds, nla_get_u32(info->attrs[M2MSEC_A_ASSOC_ID]));
	if (!a) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[M2MSEC_A_ASSOC_ID],
				    "no such association on this socket");
		return ERR_PTR(-ENOENT);
	}
	return a;
}

/*
 * Replace the current epoch of one direction.  The new epoch must be
 * higher; the old one stays reachable as "previous" for @grace_ms.
 */
static void m2msec_nl_swap(struct m2msec_assoc *a,
			   struct m2msec_epoch __rcu **cur,
			   struct m2msec_epoch __rcu **prev,
			   unsigned long *until, struct m2msec_epoch *ep,
			   u32 grace_ms)
{
	struct m2msec_epoch *old_prev;

	spin_lock_bh(&a->lock);
	old_prev = rcu_dereference_protected(*prev, lockdep_is_held(&a->lock));
	rcu_assign_pointer(*prev, rcu_dereference_protected(*cur,
				lockdep_is_held(&a->lock)));
	rcu_assign_pointer(*cur, ep);
	WRITE_ONCE(*until, jiffies + msecs_to_jiffies(grace_ms));
	spin_unlock_bh(&a->lock);
	m2msec_epoch_put(old_prev);
}

static int m2msec_nl_update_dir(struct m2msec_assoc *a, struct genl_info *info,
				int attr, bool rx)
{
	struct m2msec_net *mn = m2msec_net(genl_info_net(info));
	struct m2msec_epoch *ep, *cur;
	struct m2msec_nl_dir d;
	u64 cur_epoch = 0;
	int err;

	if (!info->attrs[attr])
		return 0;
	err = m2msec_nl_dir(info->attrs[attr], a->version, &d, info->extack);
	if (err)
		return err;
	cur = m2msec_epoch_get_rcu(rx ? &a->rx : &a->tx);
	if (cur)
		cur_epoch = cur->epoch;
	m2msec_epoch_put(cur);
	if (d.epoch <= cur_epoch) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[attr],
				    "a key update needs a higher epoch");
		return -EINVAL;
	}
	ep = m2msec_nl_epoch(a, &d, rx ? READ_ONCE(mn->cfg.replay_window) : 0,
			     NULL, info->extack);
	if (IS_ERR(ep))
		return PTR_ERR(ep);
	if (rx)
		m2msec_nl_swap(a, &a->rx, &a->rx_prev, &a->rx_prev_until, ep,
			       a->rx_grace_ms);
	else
		m2msec_nl_swap(a, &a->tx, &a->tx_prev, &a->tx_prev_until, ep,
			       a->tx_grace_ms);
	m2msec_event_key_update(a, rx ? M2MSEC_EVENT_DIR_RX :
					M2MSEC_EVENT_DIR_TX, d.epoch);
	return 0;
}

/* Run @op with the socket's association lock held. */
static int m2msec_nl_locked(struct m2msec_assoc *a, struct genl_info *info,
			    int (*op)(struct m2msec_assoc *a,
				      struct genl_info *info))
{
	struct m2msec_dtls_sock *ds = a->ds;
	int err;

	mutex_lock(&ds->assoc_lock);
	err = a->dead ? -ENOENT : op(a, info);
	mutex_unlock(&ds->assoc_lock);
	return err;
}

/*
 * Run @op on the association named by SOCK_FD and ASSOC_ID, with the
 * socket's association lock held.  Without SOCK_FD the association is
 * named by a control channel descriptor (ASSOC_CTRL_FD), or by its id in
 * the namespace with CAP_NET_ADMIN (assoc_ctrl.c).
 */
static int m2msec_nl_with_assoc(struct sk_buff *skb, struct genl_info *info,
				int (*op)(struct m2msec_assoc *a,
					  struct genl_info *info))
{
	struct m2msec_dtls_sock *ds;
	struct m2msec_assoc *a;
	struct file *filp;
	int err;

	if (!info->attrs[M2MSEC_A_SOCK_FD]) {
		a = m2msec_actrl_nl_find(skb, info);
		if (IS_ERR(a))
			return PTR_ERR(a);
		err = m2msec_nl_locked(a, info, op);
		m2msec_actrl_nl_put(a);
		return err;
	}
	ds = m2msec_nl_sock(info, &filp);
	if (IS_ERR(ds))
		return PTR_ERR(ds);
	a = m2msec_nl_assoc(info, ds);
	if (IS_ERR(a)) {
		err = PTR_ERR(a);
		goto out_fput;
	}
	err = m2msec_nl_locked(a, info, op);
	m2msec_assoc_put(a);
out_fput:
	fput(filp);
	return err;
}

static int m2msec_nl_update(struct m2msec_assoc *a, struct genl_info *info)
{
	return m2msec_nl_update_dir(a, info, M2MSEC_A_ASSOC_RX, true) ?:
	       m2msec_nl_update_dir(a, info, M2MSEC_A_ASSOC_TX, false);
}

static int m2msec_nl_delete(struct m2msec_assoc *a, struct genl_info *info)
{
	m2msec_assoc_close(a, M2MSEC_EVENT_REASON_DELETED);
	return 0;
}

int m2msec_nl_assoc_set(struct sk_buff *skb, struct genl_info *info)
{
	return m2msec_nl_with_assoc(skb, info, m2msec_nl_update);
}

int m2msec_nl_assoc_del(struct sk_buff *skb, struct genl_info *info)
{
	return m2msec_nl_with_assoc(skb, info, m2msec_nl_delete);
}

/**
 * m2msec_nl_assoc_rekey() - M2MSEC_CMD_ASSOC_REKEY (CAP_NET_ADMIN)
 * @skb: request message
 * @info: SOCK_FD and ASSOC_ID, or ASSOC_ID (+ ASSOC_SOCK_INO)
 *
 * Return: 0 or a negative errno.
 */
int m2msec_nl_assoc_rekey(struct sk_buff *skb, struct genl_info *info)
{
	return m2msec_nl_with_assoc(skb, info, m2msec_actrl_rekey);
}

/* --- dumps ---------------------------------------------------------- */

/* Counters 1..@last; the handshake ones (after PAD) are global only. */
static int m2msec_nl_put_stats(struct sk_buff *msg, int attr,
			       const u64 *c, int last)
{
	struct nlattr *nest = nla_nest_start(msg, attr);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = M2MSEC_A_STAT_UNSPEC + 1; i <= last; i++)
		if (i != M2MSEC_A_STAT_PAD &&
		    nla_put_u64_64bit(msg, i, c[i],
				      M2MSEC_A_STAT_PAD))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int m2msec_nl_put_dir(struct sk_buff *msg, int attr,
			     struct m2msec_epoch *ep)
{
	struct nlattr *nest;

	if (!ep)
		return 0;
	nest = nla_nest_start(msg, attr);
	if (!nest ||
	    nla_put_u64_64bit(msg, M2MSEC_A_DIR_EPOCH, ep->epoch,
			      M2MSEC_A_DIR_UNSPEC) ||
	    nla_put_u64_64bit(msg, M2MSEC_A_DIR_SEQ,
			      ep->replay ? READ_ONCE(ep->replay->top) :
			      READ_ONCE(ep->seq), M2MSEC_A_DIR_UNSPEC))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int m2msec_nl_put_local(struct sk_buff *msg, struct m2msec_assoc *a)
{
	union m2msec_addr local;
	int len = m2msec_udp_local(a->ds, &local);

	if (len < 0)
		return 0;
	return nla_put(msg, M2MSEC_A_ASSOC_LOCAL, len, &local);
}

static int m2msec_nl_put_assoc(struct sk_buff *msg, struct m2msec_assoc *a,
			       u32 portid, u32 seq, int flags)
{
	struct m2msec_epoch *tx = m2msec_epoch_get_rcu(&a->tx);
	struct m2msec_epoch *rx = m2msec_epoch_get_rcu(&a->rx);
	u64 vals[M2MSEC_STATS_ASSOC];
	union m2msec_addr peer;
	void *hdr;
	int err = -EMSGSIZE;

	m2msec_stats_read(&a->stats, vals);
	m2msec_assoc_peer(a, &peer);
	hdr = genlmsg_put(msg, portid, seq, &m2msec_genl_family, flags,
			  M2MSEC_CMD_ASSOC_GET);
	if (!hdr)
		goto out;
	if (nla_put_u32(msg, M2MSEC_A_ASSOC_ID, a->id) ||
	    nla_put_u16(msg, M2MSEC_A_ASSOC_VERSION, a->version) ||
	    nla_put_u32(msg, M2MSEC_A_ASSOC_CIPHER, a->cd->id) ||
	    nla_put(msg, M2MSEC_A_ASSOC_PEER, m2msec_addr_len(&peer), &peer) ||
	    m2msec_nl_put_local(msg, a) ||
	    (a->tx_cid_len && nla_put(msg, M2MSEC_A_ASSOC_TX_CID,
				      a->tx_cid_len, a->tx_cid)) ||
	    (a->rx_cid_len && nla_put(msg, M2MSEC_A_ASSOC_RX_CID,
				      a->rx_cid_len, a->rx_cid)) ||
	    (tx && nla_put_string(msg, M2MSEC_A_ASSOC_DRIVER,
				  m2msec_epoch_driver(tx))) ||
	    (a->peer_id && nla_put_string(msg, M2MSEC_A_HS_PEER_ID,
					  a->peer_id)) ||
	    (a->suite && nla_put_u16(msg, M2MSEC_A_ASSOC_SUITE, a->suite)) ||
	    (rx && rx->replay &&
	     nla_put_u32(msg, M2MSEC_A_ASSOC_REPLAY_WINDOW,
			 m2msec_replay_window(rx->replay))) ||
	    nla_put_u64_64bit(msg, M2MSEC_A_ASSOC_SOCK_INO,
			      sock_i_ino(&a->ds->sk), M2MSEC_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, M2MSEC_A_ASSOC_AGE_MS,
			      div_u64(ktime_get_boottime_ns() - a->created_ns,
				      NSEC_PER_MSEC), M2MSEC_A_UNSPEC) ||
	    m2msec_nl_put_dir(msg, M2MSEC_A_ASSOC_TX, tx) ||
	    m2msec_nl_put_dir(msg, M2MSEC_A_ASSOC_RX, rx) ||
	    m2msec_nl_put_stats(msg, M2MSEC_A_ASSOC_STATS, vals,
				M2MSEC_STATS_ASSOC - 1)) {
		genlmsg_cancel(msg, hdr);
		goto out;
	}
	genlmsg_end(msg, hdr);
	err = 0;
out:
	m2msec_epoch_put(tx);
	m2msec_epoch_put(rx);
	return err;
}

/*
 * Dump the associations of one socket from id cb->args[1] on.  Returns
 * -EMSGSIZE when the message is full (the dump continues there).
 */
static int m2msec_nl_dump_sock(struct sk_buff *msg, struct netlink_callback *cb,
			       struct m2msec_dtls_sock *ds)
{
	struct m2msec_assoc *a;
	unsigned long id = cb->args[1];
	int err = 0;

	mutex_lock(&ds->assoc_lock);
	xa_for_each_start(&ds->t->ids, id, a, id) {
		err = m2msec_nl_put_assoc(msg, a, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err)
			break;
		cb->args[1] = id + 1;
	}
	mutex_unlock(&ds->assoc_lock);
	return err;
}

/**
 * m2msec_nl_assoc_dump() - M2MSEC_CMD_ASSOC_GET
 * @msg: reply
 * @cb: dump state: args[0] socket index (namespace dumps), args[1] next
 *	association id, args[2] done
 *
 * With M2MSEC_A_SOCK_FD: that socket's associations.  Without: every DTLS
 * socket of the namespace, which needs CAP_NET_ADMIN.
 *
 * Return: message length, 0 when done, or a negative errno.
 */
int m2msec_nl_assoc_dump(struct sk_buff *msg, struct netlink_callback *cb)
{
	struct nlattr **attrs = m2msec_dump_attrs(cb);
	struct net *net = sock_net(cb->skb->sk);
	struct m2msec_net *mn = m2msec_net(net);
	struct m2msec_dtls_sock *ds;
	struct file *filp;
	long idx = 0;
	int err = 0;

	if (cb->args[2])
		return 0;
	if (attrs[M2MSEC_A_SOCK_FD]) {
		ds = m2msec_dtls_from_fd(nla_get_u32(attrs[M2MSEC_A_SOCK_FD]),
					 &filp);
		if (IS_ERR(ds))
			return PTR_ERR(ds);
		err = m2msec_nl_dump_sock(msg, cb, ds);
		fput(filp);
		goto out;
	}
	if (!netlink_ns_capable(cb->skb, net->user_ns, CAP_NET_ADMIN))
		return -EPERM;

	mutex_lock(&mn->socks_lock);
	list_for_each_entry(ds, &mn->socks, net_node) {
		if (idx++ < cb->args[0])
			continue;
		err = m2msec_nl_dump_sock(msg, cb, ds);
		if (err)
			break;
		cb->args[0] = idx;
		cb->args[1] = 0;
	}
	mutex_unlock(&mn->socks_lock);
out:
	if (err == -EMSGSIZE && msg->len)
		return msg->len;
	if (err)
		return err;
	cb->args[2] = 1;
	return msg->len;
}

int m2msec_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct m2msec_net *mn = m2msec_net(genl_info_net(info));
	u64 vals[M2MSEC_STATS_NET];
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &m2msec_genl_family, 0, info->genlhdr->cmd);
	m2msec_pcpu_net_read(mn->stats, vals);
	if (!hdr || m2msec_nl_put_stats(msg, M2MSEC_A_STATS, vals,
					M2MSEC_A_STAT_MAX)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}
