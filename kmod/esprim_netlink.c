// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink commands of the ESPrim engine: the namespace's counters
 * (M2MSEC_CMD_ESPRIM_GET_STATS) and a dump of every session in the
 * namespace (M2MSEC_CMD_ESPRIM_SESSION_GET).  Session keys are never put
 * into a message; only names, lifetimes and counters are.
 */
#include <net/genetlink.h>
#include <net/sock.h>

#include "m2msec.h"

/**
 * m2msec_esprim_nl_stats() - M2MSEC_CMD_ESPRIM_GET_STATS
 * @skb: request
 * @info: request info
 *
 * Return: 0 or a negative errno.
 */
int m2msec_esprim_nl_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct m2msec_esprim_net *en = m2msec_esprim_net(genl_info_net(info));
	struct sk_buff *msg;
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	msg = m2msec_reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, M2MSEC_A_ESPRIM_STATS);
	if (!nest)
		goto err_free;
	for (i = M2MSEC_A_ESPRIM_STAT_PROTECT_OK;
	     i <= M2MSEC_A_ESPRIM_STAT_MAX; i++)
		if (nla_put_u64_64bit(msg, i, atomic64_read(&en->stats[i]),
				      M2MSEC_A_ESPRIM_STAT_PAD))
			goto err_free;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int put_session(struct sk_buff *msg, struct netlink_callback *cb,
		       const struct m2msec_esprim_sock *es,
		       const struct m2msec_esprim_sess *s)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(msg, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  m2msec_dump_family(cb), NLM_F_MULTI,
			  M2MSEC_CMD_ESPRIM_SESSION_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(msg, M2MSEC_A_ESPRIM_SESSION);
	if (!nest)
		goto cancel;
	if (nla_put_u64_64bit(msg, M2MSEC_A_ESPRIM_SESS_SOCK_INO, es->ino,
			      M2MSEC_A_ESPRIM_SESS_PAD) ||
	    nla_put_u32(msg, M2MSEC_A_ESPRIM_SESS_ID, s->id) ||
	    nla_put(msg, M2MSEC_A_ESPRIM_SESS_KID, s->kid_len, s->kid) ||
	    nla_put_u32(msg, M2MSEC_A_ESPRIM_SESS_KEY, s->serial) ||
	    nla_put(msg, M2MSEC_A_ESPRIM_SESS_PEER_ID, s->peer_len, s->peer) ||
	    nla_put_u32(msg, M2MSEC_A_ESPRIM_SESS_ALG, s->alg) ||
	    nla_put(msg, M2MSEC_A_ESPRIM_SESS_RRI, s->recv.id_len,
		    s->recv.id) ||
	    nla_put(msg, M2MSEC_A_ESPRIM_SESS_ORI, s->orig.id_len,
		    s->orig.id) ||
	    nla_put_u64_64bit(msg, M2MSEC_A_ESPRIM_SESS_EXPIRY_MS,
			      s->expiry_ms, M2MSEC_A_ESPRIM_SESS_PAD) ||
	    (s->learned && nla_put_flag(msg, M2MSEC_A_ESPRIM_SESS_LEARNED)) ||
	    nla_put_u64_64bit(msg, M2MSEC_A_ESPRIM_SESS_PROTECTED,
			      s->n_protected, M2MSEC_A_ESPRIM_SESS_PAD) ||
	    nla_put_u64_64bit(msg, M2MSEC_A_ESPRIM_SESS_UNPROTECTED,
			      s->n_unprotected, M2MSEC_A_ESPRIM_SESS_PAD))
		goto cancel;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return 0;

cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

/**
 * m2msec_esprim_nl_sessions() - dumpit of M2MSEC_CMD_ESPRIM_SESSION_GET
 * @skb: the message being filled
 * @cb: dump state: args[0] sockets done, args[1] sessions done in the next
 *
 * Sockets may come and go between the parts of a dump; each part shows a
 * consistent view of each socket it visits.  Ended sessions are pruned
 * before they are shown.
 *
 * Return: the message length, 0 at the end, or a negative errno.
 */
int m2msec_esprim_nl_sessions(struct sk_buff *skb,
			      struct netlink_callback *cb)
{
	struct m2msec_esprim_net *en = m2msec_esprim_net(sock_net(skb->sk));
	struct m2msec_esprim_sock *es;
	struct m2msec_esprim_sess *s;
	long sock_idx = 0, sess_idx;
	int err = 0;

	mutex_lock(&en->lock);
	list_for_each_entry(es, &en->socks, net_node) {
		if (sock_idx++ < cb->args[0])
			continue;
		sess_idx = 0;
		mutex_lock(&es->lock);
		m2msec_esprim_prune(es);
		list_for_each_entry(s, &es->sessions, node) {
			if (sess_idx++ < cb->args[1])
				continue;
			err = put_session(skb, cb, es, s);
			if (err)
				break;
			cb->args[1] = sess_idx;
		}
		mutex_unlock(&es->lock);
		if (err)
			break;
		cb->args[0] = sock_idx;
		cb->args[1] = 0;
	}
	mutex_unlock(&en->lock);
	if (err && !skb->len)
		return err;
	return skb->len;
}
