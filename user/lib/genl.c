// SPDX-License-Identifier: LGPL-2.1
/*
 * Generic netlink plumbing for the "m2msec" family (libnl-genl).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <linux/m2msec.h>

#include "genl.h"

int m2msec_genl_open(struct m2msec_genl *g)
{
	int err, one = 1;

	g->sock = nl_socket_alloc();
	if (!g->sock)
		return -ENOMEM;
	err = genl_connect(g->sock);
	if (err < 0) {
		fprintf(stderr, "cannot open a generic netlink socket: %s\n",
			nl_geterror(err));
		goto err_free;
	}
	g->family = genl_ctrl_resolve(g->sock, M2MSEC_GENL_NAME);
	if (g->family < 0) {
		fprintf(stderr,
			"the m2msec module is not loaded (no generic netlink family \"%s\"); load it with: modprobe m2msec\n",
			M2MSEC_GENL_NAME);
		err = -ENOENT;
		goto err_free;
	}
	/* Ask for the kernel's error messages (extended acks). */
	setsockopt(nl_socket_get_fd(g->sock), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	return 0;

err_free:
	nl_socket_free(g->sock);
	g->sock = NULL;
	return err == -ENOENT ? err : -EIO;
}

void m2msec_genl_close(struct m2msec_genl *g)
{
	nl_socket_free(g->sock);
	g->sock = NULL;
}

struct nl_msg *m2msec_genl_msg(struct m2msec_genl *g, int cmd)
{
	return m2msec_genl_msg_flags(g, cmd, 0);
}

struct nl_msg *m2msec_genl_msg_flags(struct m2msec_genl *g, int cmd,
				     int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, g->family, 0, flags,
			 cmd, M2MSEC_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct call_ctx {
	m2msec_genl_cb cb;
	void *arg;
	int err;	/* first error: from the kernel or from cb */
	int done;
};

static int on_valid(struct nl_msg *msg, void *data)
{
	struct call_ctx *ctx = data;
	struct nlattr *tb[M2MSEC_A_MAX + 1];
	int err;

	err = genlmsg_parse(nlmsg_hdr(msg), 0, tb, M2MSEC_A_MAX, NULL);
	if (err < 0) {
		ctx->err = -EBADMSG;
		return NL_STOP;
	}
	if (ctx->cb) {
		err = ctx->cb(tb, ctx->arg);
		if (err) {
			ctx->err = err;
			return NL_STOP;
		}
	}
	return NL_OK;
}

/* Print the kernel's extended ack message, if it sent one. */
static void print_ext_ack(const struct nlmsgerr *e)
{
	const struct nlmsghdr *h = (const void *)((const char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (NLMSG_HDRLEN + off >= h->nlmsg_len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)e + off),
		      h->nlmsg_len - NLMSG_HDRLEN - off, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		fprintf(stderr, "kernel: %s\n",
			nla_get_string(tb[NLMSGERR_ATTR_MSG]));
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *data)
{
	struct call_ctx *ctx = data;

	(void)nla;
	print_ext_ack(e);
	ctx->err = e->error;
	ctx->done = 1;
	return NL_STOP;
}

/* A dump ends with NLMSG_DONE, whose payload is the dump's error code. */
static int on_finish(struct nl_msg *msg, void *data)
{
	struct call_ctx *ctx = data;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	int err;

	if (nlmsg_datalen(h) >= (int)sizeof(err)) {
		memcpy(&err, nlmsg_data(h), sizeof(err));
		if (err < 0 && !ctx->err)
			ctx->err = err;
	}
	ctx->done = 1;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *data)
{
	struct call_ctx *ctx = data;

	(void)msg;
	ctx->done = 1;
	return NL_STOP;
}

int m2msec_genl_call(struct m2msec_genl *g, struct nl_msg *msg,
		     m2msec_genl_cb cb, void *arg)
{
	struct call_ctx ctx = { .cb = cb, .arg = arg };
	struct nl_cb *nlcb;
	int err;

	if (!(nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP))
		nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ACK;
	nlcb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!nlcb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &ctx);
	nl_cb_set(nlcb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &ctx);
	nl_cb_set(nlcb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &ctx);
	nl_cb_err(nlcb, NL_CB_CUSTOM, on_error, &ctx);

	err = nl_send_auto(g->sock, msg);
	nlmsg_free(msg);
	if (err < 0) {
		nl_cb_put(nlcb);
		return -EIO;
	}
	while (!ctx.done && !ctx.err) {
		err = nl_recvmsgs(g->sock, nlcb);
		if (err < 0 && !ctx.err)
			ctx.err = -EIO;
	}
	nl_cb_put(nlcb);
	return ctx.err;
}
