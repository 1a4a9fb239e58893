// SPDX-License-Identifier: GPL-2.0
/*
 * Notifications on the "events" multicast group, for the handshake daemon
 * and monitors: AEAD usage limits approaching or reached (so keys are
 * updated before an epoch has to refuse records), and the life of
 * associations: up, key update, down, failed handshakes.
 */
#include <net/genetlink.h>

#include "dtls.h"

/**
 * m2msec_limit_notify_point() - does @count warrant a limit notification?
 * @count: uses so far (after this one)
 * @max: the limit
 *
 * True once at 7/8 of the limit and once at the limit, so a listener gets
 * a warning in time and a final word, without a message per record.
 */
bool m2msec_limit_notify_point(u64 count, u64 max)
{
	return count == max - max / 8 || count == max;
}

static int m2msec_event_put_addrs(struct sk_buff *msg,
				  struct m2msec_dtls_sock *ds,
				  const union m2msec_addr *peer)
{
	union m2msec_addr local;
	int len = m2msec_udp_local(ds, &local);

	if (nla_put(msg, M2MSEC_A_ASSOC_PEER, m2msec_addr_len(peer), peer) ||
	    (len > 0 && nla_put(msg, M2MSEC_A_ASSOC_LOCAL, len, &local)))
		return -EMSGSIZE;
	return 0;
}

static int m2msec_event_put_assoc(struct sk_buff *msg, struct m2msec_assoc *a)
{
	union m2msec_addr peer;

	if (nla_put_u32(msg, M2MSEC_A_ASSOC_ID, a->id))
		return -EMSGSIZE;
	m2msec_assoc_peer(a, &peer);
	return m2msec_event_put_addrs(msg, a->ds, &peer);
}

/*
 * Build one notification with @fill and multicast it on the "events"
 * group of @net.  Process context.  Best effort: nothing is built when
 * nobody listens, and a notification that cannot be built is dropped.
 */
static void m2msec_event_send(struct net *net, u8 cmd,
			      int (*fill)(struct sk_buff *msg, const void *arg),
			      const void *arg)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&m2msec_genl_family, net, M2MSEC_MCGRP_IDX))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &m2msec_genl_family, 0, cmd);
	if (!hdr || fill(msg, arg)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&m2msec_genl_family, net, msg, 0,
				M2MSEC_MCGRP_IDX, GFP_KERNEL);
}

struct m2msec_event_arg {
	struct m2msec_assoc *a;
	u32 kind;
	u32 extra;	/* limit kind, direction or reason */
	u64 epoch;
	u64 count;
	u64 max;
	const union m2msec_addr *old;	/* PEER_MOVED */
};

static int m2msec_event_fill_limit(struct sk_buff *msg, const void *arg)
{
	const struct m2msec_event_arg *e = arg;

	if (m2msec_event_put_assoc(msg, e->a) ||
	    nla_put_u32(msg, M2MSEC_A_EVENT_LIMIT, e->extra) ||
	    nla_put_u64_64bit(msg, M2MSEC_A_EVENT_EPOCH, e->epoch,
			      M2MSEC_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, M2MSEC_A_EVENT_COUNT, e->count,
			      M2MSEC_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, M2MSEC_A_EVENT_MAX, e->max,
			      M2MSEC_A_UNSPEC))
		return -EMSGSIZE;
	return 0;
}

/**
 * m2msec_event_limit() - multicast an M2MSEC_CMD_LIMIT_EVENT
 * @a: association
 * @kind: M2MSEC_LIMIT_CONFIDENTIALITY or M2MSEC_LIMIT_INTEGRITY
 * @epoch: the epoch concerned
 * @count: its use count
 * @max: the limit
 *
 * Process context.
 */
void m2msec_event_limit(struct m2msec_assoc *a, u32 kind, u64 epoch,
			u64 count, u64 max)
{
	struct m2msec_event_arg e = {
		.a = a, .extra = kind, .epoch = epoch, .count = count,
		.max = max,
	};

	/* Time for a key update: tell the daemon holding the association. */
	if (kind == M2MSEC_LIMIT_CONFIDENTIALITY && count < max)
		m2msec_actrl_event(a, M2MSEC_CTRL_EV_LIMIT, epoch, count);
	m2msec_event_send(sock_net(&a->ds->sk), M2MSEC_CMD_LIMIT_EVENT,
			  m2msec_event_fill_limit, &e);
}

static int m2msec_event_fill_assoc(struct sk_buff *msg, const void *arg)
{
	const struct m2msec_event_arg *e = arg;
	struct m2msec_assoc *a = e->a;

	if (nla_put_u32(msg, M2MSEC_A_EVENT_KIND, e->kind) ||
	    m2msec_event_put_assoc(msg, a))
		return -EMSGSIZE;
	switch (e->kind) {
	case M2MSEC_EVENT_UP:
		if (nla_put_u16(msg, M2MSEC_A_ASSOC_VERSION, a->version) ||
		    nla_put_u32(msg, M2MSEC_A_ASSOC_CIPHER, a->cd->id) ||
		    (a->peer_id && nla_put_string(msg, M2MSEC_A_HS_PEER_ID,
						  a->peer_id)))
			return -EMSGSIZE;
		break;
	case M2MSEC_EVENT_KEY_UPDATE:
		if (nla_put_u8(msg, M2MSEC_A_EVENT_DIR, e->extra) ||
		    nla_put_u64_64bit(msg, M2MSEC_A_EVENT_EPOCH, e->epoch,
				      M2MSEC_A_UNSPEC))
			return -EMSGSIZE;
		break;
	case M2MSEC_EVENT_DOWN:
		if (nla_put_u32(msg, M2MSEC_A_EVENT_REASON, e->extra))
			return -EMSGSIZE;
		break;
	case M2MSEC_EVENT_PEER_MOVED:
		if (nla_put(msg, M2MSEC_A_EVENT_OLD_PEER,
			    m2msec_addr_len(e->old), e->old))
			return -EMSGSIZE;
		break;
	}
	return 0;
}

static void m2msec_event_assoc(struct m2msec_assoc *a, u32 kind, u32 extra,
			       u64 epoch)
{
	struct m2msec_event_arg e = {
		.a = a, .kind = kind, .extra = extra, .epoch = epoch,
	};

	m2msec_event_send(sock_net(&a->ds->sk), M2MSEC_CMD_ASSOC_EVENT,
			  m2msec_event_fill_assoc, &e);
}

/**
 * m2msec_event_up() - an association was installed
 * @a: the published association
 */
void m2msec_event_up(struct m2msec_assoc *a)
{
	m2msec_event_assoc(a, M2MSEC_EVENT_UP, 0, 0);
}

/**
 * m2msec_event_key_update() - a direction of @a got a new epoch
 * @a: association
 * @dir: M2MSEC_EVENT_DIR_RX or M2MSEC_EVENT_DIR_TX
 * @epoch: the new epoch
 */
void m2msec_event_key_update(struct m2msec_assoc *a, u8 dir, u64 epoch)
{
	m2msec_event_assoc(a, M2MSEC_EVENT_KEY_UPDATE, dir, epoch);
}

/**
 * m2msec_event_down() - an association was removed
 * @a: association (still referenced by the caller)
 * @reason: enum m2msec_event_reason
 */
void m2msec_event_down(struct m2msec_assoc *a, u32 reason)
{
	m2msec_event_assoc(a, M2MSEC_EVENT_DOWN, reason, 0);
}

/**
 * m2msec_event_peer_moved() - @a's peer changed its address
 * @a: association (its peer is the new address already)
 * @old: the address it left
 */
void m2msec_event_peer_moved(struct m2msec_assoc *a,
			     const union m2msec_addr *old)
{
	struct m2msec_event_arg e = {
		.a = a, .kind = M2MSEC_EVENT_PEER_MOVED, .old = old,
	};

	m2msec_event_send(sock_net(&a->ds->sk), M2MSEC_CMD_ASSOC_EVENT,
			  m2msec_event_fill_assoc, &e);
}

static int m2msec_event_fill_hs(struct sk_buff *msg, const void *arg)
{
	const struct m2msec_hs_event *hs = arg;

	if (nla_put_u32(msg, M2MSEC_A_EVENT_KIND, M2MSEC_EVENT_HS_FAILED) ||
	    nla_put_u32(msg, M2MSEC_A_HS_ID, hs->id) ||
	    nla_put_u8(msg, M2MSEC_A_HS_ROLE, hs->role) ||
	    nla_put_s32(msg, M2MSEC_A_HS_STATUS, hs->status) ||
	    m2msec_event_put_addrs(msg, hs->ds, hs->peer))
		return -EMSGSIZE;
	return 0;
}

/**
 * m2msec_event_hs_failed() - a handshake request failed
 * @hs: what to report
 */
void m2msec_event_hs_failed(const struct m2msec_hs_event *hs)
{
	m2msec_event_send(sock_net(&hs->ds->sk), M2MSEC_CMD_ASSOC_EVENT,
			  m2msec_event_fill_hs, hs);
}
