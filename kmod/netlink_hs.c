// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink side of the handshake upcall: the HS_REQUEST
 * notification on the "handshake" multicast group, HS_ACCEPT (a channel
 * descriptor for the daemon), HS_DONE (keys in, or a failure) and the
 * HS_GET dump of requests not taken yet.  The commands need CAP_NET_ADMIN
 * in the namespace (GENL_UNS_ADMIN_PERM) and find requests in the
 * caller's namespace only.
 */
#include <linux/file.h>
#include <net/genetlink.h>

#include "handshake.h"

/**
 * m2msec_hs_put_names() - the attributes describing a request
 * @msg: message being built
 * @req: request
 *
 * HS_ID, HS_ROLE, ASSOC_PEER, ASSOC_LOCAL, and HS_SERVER_NAME when the
 * socket has one.
 *
 * Return: 0 or -EMSGSIZE.
 */
int m2msec_hs_put_names(struct sk_buff *msg, struct m2msec_hs_req *req)
{
	struct m2msec_name *n;
	int err = 0;

	if (nla_put_u32(msg, M2MSEC_A_HS_ID, req->id) ||
	    nla_put_u8(msg, M2MSEC_A_HS_ROLE, req->role) ||
	    (req->peer.sa.sa_family &&
	     nla_put(msg, M2MSEC_A_ASSOC_PEER, m2msec_addr_len(&req->peer),
		     &req->peer)) ||
	    (req->local.sa.sa_family &&
	     nla_put(msg, M2MSEC_A_ASSOC_LOCAL, m2msec_addr_len(&req->local),
		     &req->local)))
		return -EMSGSIZE;
	rcu_read_lock();
	n = rcu_dereference(req->ds->server_name);
	if (n)
		err = nla_put_string(msg, M2MSEC_A_HS_SERVER_NAME, n->name);
	rcu_read_unlock();
	return err;
}

/**
 * m2msec_hs_notify() - multicast M2MSEC_CMD_HS_REQUEST for @req
 * @req: a new request
 * @gfp: GFP_ATOMIC from the receive hook
 *
 * Best effort: without a listener the request simply times out.
 */
void m2msec_hs_notify(struct m2msec_hs_req *req, gfp_t gfp)
{
	struct net *net = sock_net(&req->ds->sk);
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&m2msec_genl_family, net, M2MSEC_MCGRP_HS_IDX))
		return;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, gfp);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &m2msec_genl_family, 0,
			  M2MSEC_CMD_HS_REQUEST);
	if (!hdr || m2msec_hs_put_names(msg, req)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&m2msec_genl_family, net, msg, 0,
				M2MSEC_MCGRP_HS_IDX, gfp);
}

/*
 * The first PENDING request of @ids from *@id on, with a reference (the
 * socket it names is held only through the request's references); *@id is
 * set to its id.  NULL when there is none.
 */
static struct m2msec_hs_req *m2msec_hs_next_pending(struct xarray *ids,
						    unsigned long *id)
{
	struct m2msec_hs_req *req;

	/* Requests are freed after a grace period (kfree_rcu). */
	rcu_read_lock();
	for (req = xa_find(ids, id, ULONG_MAX, XA_PRESENT); req;
	     req = xa_find_after(ids, id, ULONG_MAX, XA_PRESENT))
		if (READ_ONCE(req->state) == M2MSEC_HS_PENDING &&
		    refcount_inc_not_zero(&req->ref))
			break;
	rcu_read_unlock();
	return req;
}

/**
 * m2msec_nl_hs_dump() - dumpit of M2MSEC_CMD_HS_GET
 * @skb: the message being filled
 * @cb: dump state: args[0] the id to continue from
 *
 * The requests of the caller's namespace that no daemon has taken yet
 * (PENDING, listeners included), with the attributes of their HS_REQUEST
 * notification.  A daemon dumps them after joining the handshake group,
 * so that a connect() or listen() that started while no daemon listened
 * is taken at once instead of timing out.  A request shown here may be
 * taken by someone else before the caller's HS_ACCEPT (EBUSY or ENOENT
 * then, as for a notification).
 *
 * Return: the message length, 0 at the end, or a negative errno.
 */
int m2msec_nl_hs_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct xarray *ids = &m2msec_net(sock_net(skb->sk))->hs_ids;
	unsigned long id = cb->args[0];
	struct m2msec_hs_req *req;
	void *hdr;
	int err = 0;

	while ((req = m2msec_hs_next_pending(ids, &id))) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &m2msec_genl_family,
				  NLM_F_MULTI, M2MSEC_CMD_HS_GET);
		err = hdr ? m2msec_hs_put_names(skb, req) : -EMSGSIZE;
		m2msec_hs_put(req);
		if (err) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = ++id;
	}
	if (err && !skb->len)
		return err;
	return skb->len;
}

static struct m2msec_hs_req *m2msec_nl_hs_req(struct genl_info *info)
{
	struct m2msec_hs_req *req;

	if (GENL_REQ_ATTR_CHECK(info, M2MSEC_A_HS_ID))
		return ERR_PTR(-EINVAL);
	req = m2msec_hs_get_by_id(genl_info_net(info),
				  nla_get_u32(info->attrs[M2MSEC_A_HS_ID]));
	if (!req) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[M2MSEC_A_HS_ID],
				    "no such handshake request (unknown or finished)");
		return ERR_PTR(-ENOENT);
	}
	return req;
}

/**
 * m2msec_nl_hs_take() - move @req to ACCEPTED and give the caller its channel
 * @req: a request (the caller keeps its reference)
 * @info: netlink request the reply answers
 *
 * Sends the reply (HS_FD and the request's names).  The descriptor is
 * installed only once the request is ours and the reply is on its way, so a
 * refusal leaves nothing behind in the caller; a reply that cannot be
 * delivered closes the channel again (which fails the request: nobody
 * knows its descriptor).  Shared by HS_ACCEPT and HS_CLAIM.
 *
 * Return: 0 or a negative errno; -EALREADY when @req was no longer PENDING
 * (accepted by someone else, finished, or its socket closed).
 */
int m2msec_nl_hs_take(struct m2msec_hs_req *req, struct genl_info *info)
{
	struct sk_buff *msg;
	struct file *file;
	void *hdr;
	int fd, err;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	err = -ENOMEM;
	msg = m2msec_reply_new(info, &hdr);
	if (!msg)
		goto out_fd;
	err = -EMSGSIZE;
	if (nla_put_u32(msg, M2MSEC_A_HS_FD, fd) ||
	    m2msec_hs_put_names(msg, req))
		goto out_msg;
	genlmsg_end(msg, hdr);

	file = m2msec_hs_chan_file(req);
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
		goto out_msg;
	}
	if (!m2msec_hs_claim(req, M2MSEC_HS_PENDING, M2MSEC_HS_ACCEPTED)) {
		/* The file's reference on @req goes with it. */
		file->private_data = NULL;
		fput(file);
		m2msec_hs_put(req);
		err = -EALREADY;
		goto out_msg;
	}
	err = genlmsg_reply(msg, info);
	if (err) {
		fput(file);
		goto out_fd;
	}
	fd_install(fd, file);
	return 0;

out_msg:
	nlmsg_free(msg);
out_fd:
	put_unused_fd(fd);
	return err;
}

/**
 * m2msec_nl_hs_accept() - M2MSEC_CMD_HS_ACCEPT
 * @skb: request message
 * @info: its attributes: M2MSEC_A_HS_ID
 *
 * The descriptor is installed only once the reply is built and the request
 * is ours, so a refusal leaves nothing behind in the caller.
 *
 * Return: 0 or a negative errno.
 */
int m2msec_nl_hs_accept(struct sk_buff *skb, struct genl_info *info)
{
	struct m2msec_hs_req *req;
	int err;

	req = m2msec_nl_hs_req(info);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = m2msec_nl_hs_take(req, info);
	if (err == -EALREADY) {
		/* Not this caller's request to fail. */
		err = READ_ONCE(req->state) == M2MSEC_HS_DONE ? -ENOENT :
								-EBUSY;
		if (err == -EBUSY)
			NL_SET_ERR_MSG(info->extack,
				       "handshake request already accepted");
		else
			NL_SET_ERR_MSG(info->extack, "handshake request finished");
	}
	if (!err && req->role != M2MSEC_HS_LISTENER)
		m2msec_hs_net_count(genl_info_net(info),
				    M2MSEC_A_STAT_HS_ACCEPTED, 1);
	m2msec_hs_put(req);
	return err;
}

/*
 * Install the association the daemon negotiated on the request's socket;
 * with @ctrl, give it a control channel (assoc_ctrl.c) first.
 */
static int m2msec_hs_install(struct m2msec_hs_req *req,
			     struct genl_info *info, u32 *id,
			     struct file **ctrl)
{
	struct nlattr *peer_id = info->attrs[M2MSEC_A_HS_PEER_ID];
	struct m2msec_assoc *a;
	int err;

	a = m2msec_nl_assoc_prepare(req->ds, info, &req->peer);
	if (IS_ERR(a))
		return PTR_ERR(a);
	err = -ENOMEM;
	if (peer_id) {
		a->peer_id = nla_strdup(peer_id, GFP_KERNEL);
		if (!a->peer_id)
			goto out;
	}
	if (ctrl) {
		*ctrl = m2msec_actrl_attach(a);
		if (IS_ERR(*ctrl)) {
			err = PTR_ERR(*ctrl);
			*ctrl = NULL;
			goto out;
		}
	}
	err = m2msec_nl_assoc_publish(a, info);
	*id = a->id;
	if (err && ctrl) {
		fput(*ctrl);
		*ctrl = NULL;
	}
out:
	m2msec_assoc_put(a);
	return err;
}

/*
 * The reply to HS_DONE: the id, and the control channel (@fd, *@ctrl).
 * The descriptor is installed only once the reply is sent; on failure the
 * caller still owns @fd and *@ctrl.
 */
static int m2msec_hs_reply_id(struct genl_info *info, u32 id, int fd,
			      struct file **ctrl)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = m2msec_reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, M2MSEC_A_ASSOC_ID, id) ||
	    (*ctrl && nla_put_u32(msg, M2MSEC_A_ASSOC_CTRL_FD, fd))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
	if (err)
		return err;
	if (*ctrl) {
		fd_install(fd, *ctrl);
		*ctrl = NULL;
	}
	return 0;
}

/**
 * m2msec_nl_hs_done() - M2MSEC_CMD_HS_DONE
 * @skb: request message
 * @info: HS_ID, HS_STATUS, on success the association attributes and
 *	HS_PEER_ID
 *
 * The request is claimed before anything is installed, so the timeout or
 * a channel close cannot finish it meanwhile; whatever happens next, this
 * call completes it: with the daemon's status, with 0 once the association
 * is in the socket's tables, or with the installation's error.
 *
 * With M2MSEC_A_HS_CTRL the descriptor of the association's control
 * channel is reserved before anything else (EMFILE leaves the request
 * untouched), and installed with the reply.
 *
 * Return: 0 (reply: ASSOC_ID, ASSOC_CTRL_FD on success) or a negative
 * errno.
 */
int m2msec_nl_hs_done(struct sk_buff *skb, struct genl_info *info)
{
	bool want_ctrl = nla_get_flag(info->attrs[M2MSEC_A_HS_CTRL]);
	struct m2msec_hs_req *req;
	struct file *ctrl = NULL;
	int status, err, fd = -1;
	u32 id = 0;

	if (GENL_REQ_ATTR_CHECK(info, M2MSEC_A_HS_STATUS))
		return -EINVAL;
	status = nla_get_s32(info->attrs[M2MSEC_A_HS_STATUS]);
	req = m2msec_nl_hs_req(info);
	if (IS_ERR(req))
		return PTR_ERR(req);
	if (req->role == M2MSEC_HS_LISTENER) {
		NL_SET_ERR_MSG(info->extack,
			       "a listener is not finished with HS_DONE");
		err = -EINVAL;
		goto out;
	}
	if (want_ctrl && !status) {
		fd = get_unused_fd_flags(O_CLOEXEC);
		if (fd < 0) {
			m2msec_hs_put(req);
			return fd;
		}
	}
	if (!m2msec_hs_claim(req, M2MSEC_HS_ACCEPTED, M2MSEC_HS_INSTALLING)) {
		err = READ_ONCE(req->state) == M2MSEC_HS_PENDING ? -EINVAL :
								   -ENOENT;
		if (err == -EINVAL)
			NL_SET_ERR_MSG(info->extack,
				       "handshake request not accepted");
		else
			NL_SET_ERR_MSG(info->extack, "handshake request finished");
		goto out;
	}
	if (status) {
		m2msec_hs_complete(req, status, true, M2MSEC_A_STAT_HS_FAILED);
		err = 0;
		goto out;
	}
	err = m2msec_hs_install(req, info, &id, fd >= 0 ? &ctrl : NULL);
	m2msec_hs_complete(req, err, true, err ? M2MSEC_A_STAT_HS_FAILED :
						 M2MSEC_A_STAT_HS_COMPLETED);
	if (!err) {
		/*
		 * The association is up whatever happens to the reply; a
		 * control channel nobody received is closed again (the
		 * association keeps working without one).
		 */
		err = m2msec_hs_reply_id(info, id, fd, &ctrl);
		if (!err && fd >= 0)	/* installed: the daemon's now */
			fd = -1;
	}
out:
	if (ctrl)
		fput(ctrl);
	if (fd >= 0)
		put_unused_fd(fd);
	m2msec_hs_put(req);
	return err;
}
