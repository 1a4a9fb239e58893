/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * Generic netlink plumbing for the "m2msec" family (libnl-genl).
 */
#ifndef M2MSEC_GENL_H
#define M2MSEC_GENL_H

#include <netlink/attr.h>
#include <netlink/msg.h>

#ifdef __cplusplus
extern "C" {
#endif

struct m2msec_genl {
	struct nl_sock *sock;
	int family;
};

typedef int (*m2msec_genl_cb)(struct nlattr **tb, void *arg);

/**
 * m2msec_genl_open() - connect and resolve the "m2msec" family
 * @g: handle to fill in
 *
 * Return: 0, or a negative errno (-ENOENT: module not loaded) with a
 * message already printed to stderr.
 */
int m2msec_genl_open(struct m2msec_genl *g);
void m2msec_genl_close(struct m2msec_genl *g);

/**
 * m2msec_genl_msg() - a new request for @cmd (NULL on allocation failure)
 */
struct nl_msg *m2msec_genl_msg(struct m2msec_genl *g, int cmd);

/**
 * m2msec_genl_msg_flags() - the same with netlink flags (e.g. NLM_F_DUMP:
 * m2msec_genl_call() then calls its callback once per dumped object)
 */
struct nl_msg *m2msec_genl_msg_flags(struct m2msec_genl *g, int cmd,
				     int flags);

/**
 * m2msec_genl_call() - send @msg, call @cb for each reply, wait for the ack
 * @g: open handle
 * @msg: request (consumed)
 * @cb: called with the parsed top-level attributes of each reply; may be NULL
 * @arg: passed to @cb
 *
 * Return: 0 or the negative errno the kernel answered with.
 */
int m2msec_genl_call(struct m2msec_genl *g, struct nl_msg *msg,
		     m2msec_genl_cb cb, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* M2MSEC_GENL_H */
