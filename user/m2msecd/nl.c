// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecd: the generic netlink side of the upcall.
 *
 * Two sockets: one subscribed to the "handshake" multicast group, read by
 * the event loop (HS_REQUEST notifications), and one for requests and
 * their replies (HS_ACCEPT, HS_DONE), so that a notification never lands
 * in the middle of a reply.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "m2msecd.h"

#ifndef KEY_SPEC_PROCESS_KEYRING
#define KEY_SPEC_PROCESS_KEYRING	-2
#endif
#ifndef KEYCTL_UNLINK
#define KEYCTL_UNLINK			9
#endif

/* The reply of HS_ACCEPT or HS_CLAIM: channel, role, addresses, name. */
int hsd_nl_params_cb(struct nlattr **tb, void *arg)
{
	struct hs_params *p = arg;
	size_t n;

	if (!tb[M2MSEC_A_HS_FD] || !tb[M2MSEC_A_HS_ROLE])
		return -EBADMSG;
	p->fd = nla_get_u32(tb[M2MSEC_A_HS_FD]);
	if (tb[M2MSEC_A_HS_ID])
		p->id = nla_get_u32(tb[M2MSEC_A_HS_ID]);
	p->role = nla_get_u8(tb[M2MSEC_A_HS_ROLE]) == M2MSEC_HS_CLIENT ?
		KX_CLIENT : KX_SERVER;
	p->listener = nla_get_u8(tb[M2MSEC_A_HS_ROLE]) == M2MSEC_HS_LISTENER;
	if (!tb[M2MSEC_A_ASSOC_PEER] && !p->listener)
		return -EBADMSG;
	n = tb[M2MSEC_A_ASSOC_PEER] ? nla_len(tb[M2MSEC_A_ASSOC_PEER]) : 0;
	if (n > sizeof(p->peer))
		return -EBADMSG;
	if (n)
		memcpy(&p->peer, nla_data(tb[M2MSEC_A_ASSOC_PEER]), n);
	p->peer_len = n;
	if (tb[M2MSEC_A_ASSOC_LOCAL]) {
		n = nla_len(tb[M2MSEC_A_ASSOC_LOCAL]);
		if (n <= sizeof(p->local)) {
			memcpy(&p->local, nla_data(tb[M2MSEC_A_ASSOC_LOCAL]), n);
			p->local_len = n;
		}
	}
	if (tb[M2MSEC_A_HS_SERVER_NAME])
		nla_strlcpy(p->server_name, tb[M2MSEC_A_HS_SERVER_NAME],
			    sizeof(p->server_name));
	return 0;
}

static void on_request(struct hsd *d, uint32_t id, int role)
{
	struct hs_params p = { .id = id, .fd = -1 };
	struct nl_msg *msg;
	int err;

	if (role != M2MSEC_HS_LISTENER &&
	    d->count >= d->conf->max_handshakes) {
		hsd_log(LOG_WARNING, "handshake %u left to time out: %u handshakes in progress (max-handshakes)",
			id, d->count);
		return;
	}
	msg = m2msec_genl_msg(&d->req, M2MSEC_CMD_HS_ACCEPT);
	if (!msg || nla_put_u32(msg, M2MSEC_A_HS_ID, id)) {
		nlmsg_free(msg);
		return;
	}
	err = m2msec_genl_call(&d->req, msg, hsd_nl_params_cb, &p);
	if (err) {
		if (p.fd >= 0)
			close(p.fd);
		hsd_log(err == -ENOENT || err == -EBUSY ? LOG_DEBUG : LOG_WARNING,
			"handshake %u: accept: %s", id, strerror(-err));
		if (err == -EPERM)
			hsd_log(LOG_ERR, "m2msecd needs CAP_NET_ADMIN in this network namespace");
		return;
	}
	fcntl(p.fd, F_SETFL, fcntl(p.fd, F_GETFL) | O_NONBLOCK);
	fcntl(p.fd, F_SETFD, FD_CLOEXEC);
	if (p.listener)
		hsd_listen_start(d, &p);
	else
		hs_start(d, &p);
}

static int on_notify(struct nl_msg *msg, void *arg)
{
	struct hsd *d = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct genlmsghdr *g = nlmsg_data(h);
	struct nlattr *tb[M2MSEC_A_MAX + 1];

	if (g->cmd != M2MSEC_CMD_HS_REQUEST ||
	    genlmsg_parse(h, 0, tb, M2MSEC_A_MAX, NULL) < 0 ||
	    !tb[M2MSEC_A_HS_ID])
		return NL_SKIP;
	on_request(d, nla_get_u32(tb[M2MSEC_A_HS_ID]),
		   tb[M2MSEC_A_HS_ROLE] ? nla_get_u8(tb[M2MSEC_A_HS_ROLE]) : 0);
	return NL_OK;
}

/* The requests of one HS_GET dump, taken once the dump has ended. */
struct pending {
	uint32_t id[256];
	uint8_t role[256];
	unsigned int n;
	bool more;
};

static int pending_cb(struct nlattr **tb, void *arg)
{
	struct pending *p = arg;

	if (!tb[M2MSEC_A_HS_ID])
		return 0;
	if (p->n == sizeof(p->id) / sizeof(p->id[0])) {
		p->more = true;
		return 0;
	}
	p->id[p->n] = nla_get_u32(tb[M2MSEC_A_HS_ID]);
	p->role[p->n++] = tb[M2MSEC_A_HS_ROLE] ?
		nla_get_u8(tb[M2MSEC_A_HS_ROLE]) : 0;
	return 0;
}

/*
 * Take the requests made while no daemon listened (a connect() or listen()
 * that started before this daemon joined the "handshake" group), as if
 * their HS_REQUEST had just arrived.  Called once the group is joined, so
 * a request is either dumped here or notified (or both: the second
 * HS_ACCEPT is refused with EBUSY and ignored).
 */
void hsd_nl_pending(struct hsd *d)
{
	struct pending p = { .n = 0 };
	struct nl_msg *msg;
	unsigned int i;
	int err;

	msg = m2msec_genl_msg_flags(&d->req, M2MSEC_CMD_HS_GET, NLM_F_DUMP);
	if (!msg)
		return;
	err = m2msec_genl_call(&d->req, msg, pending_cb, &p);
	if (err) {
		/* A module without HS_GET: requests wait for their timeout. */
		hsd_log(err == -EOPNOTSUPP ? LOG_DEBUG : LOG_WARNING,
			"pending handshake requests: %s", strerror(-err));
		return;
	}
	if (p.n)
		hsd_log(LOG_INFO, "%u handshake request%s made before the daemon started",
			p.n, p.n == 1 ? "" : "s");
	if (p.more)
		hsd_log(LOG_WARNING, "more than %u handshake requests pending: the others are taken as they are announced again, or time out",
			p.n);
	for (i = 0; i < p.n; i++)
		on_request(d, p.id[i], p.role[i]);
}

int hsd_nl_open(struct hsd *d)
{
	int grp, err;

	if (m2msec_genl_open(&d->req))
		return -1;
	d->mc = nl_socket_alloc();
	if (!d->mc)
		return -1;
	nl_socket_disable_seq_check(d->mc);
	nl_socket_modify_cb(d->mc, NL_CB_VALID, NL_CB_CUSTOM, on_notify, d);
	err = genl_connect(d->mc);
	if (err < 0) {
		hsd_log(LOG_ERR, "generic netlink: %s", nl_geterror(err));
		return -1;
	}
	grp = genl_ctrl_resolve_grp(d->mc, M2MSEC_GENL_NAME,
				    M2MSEC_MCGRP_HANDSHAKE);
	if (grp < 0) {
		hsd_log(LOG_ERR, "the loaded m2msec module has no handshake upcall (no multicast group \"%s\"); load a module built with it",
			M2MSEC_MCGRP_HANDSHAKE);
		return -1;
	}
	err = nl_socket_add_membership(d->mc, grp);
	if (err < 0) {
		hsd_log(LOG_ERR, "cannot join the \"%s\" multicast group: %s",
			M2MSEC_MCGRP_HANDSHAKE, nl_geterror(err));
		return -1;
	}
	nl_socket_set_nonblocking(d->mc);
	nl_socket_set_buffer_size(d->mc, 1 << 20, 0);
	return nl_socket_get_fd(d->mc);
}

void hsd_nl_close(struct hsd *d)
{
	if (d->mc)
		nl_socket_free(d->mc);
	d->mc = NULL;
	if (d->req.sock)
		m2msec_genl_close(&d->req);
}

void hsd_nl_event(struct hsd *d)
{
	int err = nl_recvmsgs_default(d->mc);

	if (err == -NLE_NOMEM || err == -NLE_MSG_OVERFLOW)
		hsd_log(LOG_WARNING, "handshake requests were lost (netlink receive buffer overrun); the kernel times them out");
	else if (err < 0 && err != -NLE_AGAIN)
		hsd_log(LOG_DEBUG, "netlink: %s", nl_geterror(err));
}

struct done_reply {
	int ctrl_fd;
	uint32_t assoc_id;
};

static int done_cb(struct nlattr **tb, void *arg)
{
	struct done_reply *r = arg;

	if (tb[M2MSEC_A_ASSOC_ID])
		r->assoc_id = nla_get_u32(tb[M2MSEC_A_ASSOC_ID]);
	if (tb[M2MSEC_A_ASSOC_CTRL_FD])
		r->ctrl_fd = nla_get_u32(tb[M2MSEC_A_ASSOC_CTRL_FD]);
	return 0;
}

/*
 * HS_DONE.  On success the reply carries the association id and its
 * control channel (asked with M2MSEC_A_HS_CTRL), returned in @ctrl_fd
 * (-1 when none) and @assoc_id.
 */
int hsd_nl_done(struct hsd *d, uint32_t id, int status,
		const struct m2msec_keyfile *kf, const char *peer_id,
		int *ctrl_fd, uint32_t *assoc_id)
{
	struct done_reply r = { .ctrl_fd = -1 };
	int32_t tx_key = 0, rx_key = 0;
	struct nl_msg *msg;
	int err;

	if (kf) {
		err = m2msec_keyfile_add_keys(kf, KEY_SPEC_PROCESS_KEYRING,
					      &tx_key, &rx_key);
		if (err) {
			hsd_log(LOG_ERR, "handshake %u: add_key: %s", id,
				strerror(-err));
			status = err;
			kf = NULL;
		}
	}
	msg = m2msec_genl_msg(&d->req, M2MSEC_CMD_HS_DONE);
	err = -EMSGSIZE;
	if (!msg || nla_put_u32(msg, M2MSEC_A_HS_ID, id) ||
	    nla_put_u32(msg, M2MSEC_A_HS_STATUS, (uint32_t)status))
		goto out;
	if (kf && (m2msec_assoc_put_keys(msg, kf, tx_key, rx_key) ||
		   nla_put_string(msg, M2MSEC_A_HS_PEER_ID, peer_id) ||
		   nla_put_flag(msg, M2MSEC_A_HS_CTRL)))
		goto out;
	err = m2msec_genl_call(&d->req, msg, kf ? done_cb : NULL, &r);
	msg = NULL;
	if (r.ctrl_fd >= 0) {
		fcntl(r.ctrl_fd, F_SETFL, fcntl(r.ctrl_fd, F_GETFL) | O_NONBLOCK);
		*ctrl_fd = r.ctrl_fd;
		*assoc_id = r.assoc_id;
	}
out:
	nlmsg_free(msg);
	/* The kernel holds what it needs; the keys leave our keyring. */
	if (tx_key > 0)
		syscall(SYS_keyctl, KEYCTL_UNLINK, tx_key,
			KEY_SPEC_PROCESS_KEYRING);
	if (rx_key > 0)
		syscall(SYS_keyctl, KEYCTL_UNLINK, rx_key,
			KEY_SPEC_PROCESS_KEYRING);
	if (!err && status && kf == NULL)
		return status;
	return err;
}
