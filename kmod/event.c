// SPDX-License-Identifier: GPL-2.0
/*
 * Notifications to the handshake daemon (and anyone listening on the
 * "events" multicast group): AEAD usage limits approaching or reached,
 * so keys are updated before an epoch has to refuse records.
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

static int m2msec_event_fill(struct sk_buff *msg, struct m2msec_assoc *a,
			     u32 kind, u64 epoch, u64 count, u64 max)
{
	struct socket *udp = READ_ONCE(a->ds->udp);
	union m2msec_addr local;
	int len = -1;

	if (udp)
		len = kernel_getsockname(udp, &local.sa);
	if (nla_put_u32(msg, M2MSEC_A_ASSOC_ID, a->id) ||
	    nla_put(msg, M2MSEC_A_ASSOC_PEER, m2msec_addr_len(&a->peer),
		    &a->peer) ||
	    (len > 0 && nla_put(msg, M2MSEC_A_ASSOC_LOCAL, len, &local)) ||
	    nla_put_u32(msg, M2MSEC_A_EVENT_LIMIT, kind) ||
	    nla_put_u64_64bit(msg, M2MSEC_A_EVENT_EPOCH, epoch,
			      M2MSEC_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, M2MSEC_A_EVENT_COUNT, count,
			      M2MSEC_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, M2MSEC_A_EVENT_MAX, max, M2MSEC_A_UNSPEC))
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
 * Process context.  Best effort: a notification nobody can receive is
 * dropped.
 */
void m2msec_event_limit(struct m2msec_assoc *a, u32 kind, u64 epoch,
			u64 count, u64 max)
{
	struct net *net = sock_net(&a->ds->sk);
	struct sk_buff *msg;
	void *hdr;

	/* Time for a key update: tell the daemon holding the association. */
	if (kind == M2MSEC_LIMIT_CONFIDENTIALITY && count < max)
		m2msec_actrl_event(a, M2MSEC_CTRL_EV_LIMIT, epoch, count);
	if (!genl_has_listeners(&m2msec_genl_family, net, M2MSEC_MCGRP_IDX))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &m2msec_genl_family, 0,
			  M2MSEC_CMD_LIMIT_EVENT);
	if (!hdr || m2msec_event_fill(msg, a, kind, epoch, count, max)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&m2msec_genl_family, net, msg, 0,
				M2MSEC_MCGRP_IDX, GFP_KERNEL);
}
