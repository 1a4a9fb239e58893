// SPDX-License-Identifier: GPL-2.0
/*
 * hs-bench: the m2msec path.  The program never sees a handshake:
 *
 *   client namespace                      server namespace
 *   socket(m2msec DTLS)                   socket, bind, listen()
 *   connect() -- kernel asks m2msecd -->  ClientHello: kernel asks m2msecd
 *             <---- handshake between the two daemons ---->
 *   connect() returns                     association installed
 *   send("x")  ---- kernel record ---->   recvmsg(): "x", association id
 *   recv()    <---- kernel record -----   sendmsg("x") on that association
 *   close()   (close_notify)              ASSOC_DEL (unless --keep)
 *
 * The server deletes each association after its echo, as it would on the
 * client's close_notify: the kernel hands that alert to nobody yet, and a
 * client port used again later would otherwise find a stale association
 * (a ClientHello from a peer that has one starts no handshake).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "../../lib/genl.h"
#include "../../lib/m2msec.h"
#include "hsb.h"

/* ------------------------------------------------------------------ */
/* Client                                                              */
/* ------------------------------------------------------------------ */

static void *kern_client_init(const struct hsb_opts *o)
{
	(void)o;
	if (m2msec_family() < 0) {
		hsb_err("m2msec", "module not loaded: %s", strerror(errno));
		return NULL;
	}
	return (void *)1;
}

static void kern_client_one(void *st, const struct hsb_opts *o,
			    struct hsb_result *r)
{
	struct timeval tv = {
		.tv_sec = o->timeout_ms / 1000,
		.tv_usec = o->timeout_ms % 1000 * 1000,
	};
	uint64_t t0, t1;
	char c = 'x', in[16];
	ssize_t n;
	int fd;

	(void)st;
	fd = m2msec_socket(SOCK_DGRAM | SOCK_CLOEXEC, M2MSEC_PROTO_DTLS);
	if (fd < 0) {
		r->err = errno;
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	t0 = hsb_now_us();
	if (connect(fd, (const struct sockaddr *)&o->addr, o->addr_len)) {
		r->err = errno;
		goto out;
	}
	t1 = hsb_now_us();
	if (send(fd, &c, 1, 0) != 1) {
		r->err = errno;
		goto out;
	}
	n = recv(fd, in, sizeof(in), 0);
	if (n != 1 || in[0] != c) {
		r->err = n < 0 ? errno : EBADMSG;
		goto out;
	}
	r->connect_us = t1 - t0;
	r->ttfb_us = hsb_now_us() - t0;
out:
	close(fd);
}

static void kern_client_exit(void *st)
{
	(void)st;
}

const struct hsb_client hsb_kern_client = {
	.init = kern_client_init,
	.one = kern_client_one,
	.exit = kern_client_exit,
};

/* ------------------------------------------------------------------ */
/* Server                                                              */
/* ------------------------------------------------------------------ */

/* hs-rate and hs-burst of this namespace, so one source may reconnect. */
static int set_rate(struct m2msec_genl *g, unsigned int rate)
{
	struct nl_msg *msg = m2msec_genl_msg(g, M2MSEC_CMD_SET_CONFIG);

	if (!msg || nla_put_u32(msg, M2MSEC_A_CFG_HS_RATE, rate) ||
	    nla_put_u32(msg, M2MSEC_A_CFG_HS_BURST, rate)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return m2msec_genl_call(g, msg, NULL, NULL);
}

static int assoc_del(struct m2msec_genl *g, int fd, uint32_t id)
{
	struct nl_msg *msg = m2msec_genl_msg(g, M2MSEC_CMD_ASSOC_DEL);

	if (!msg || nla_put_u32(msg, M2MSEC_A_SOCK_FD, fd) ||
	    nla_put_u32(msg, M2MSEC_A_ASSOC_ID, id)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return m2msec_genl_call(g, msg, NULL, NULL);
}

union ctl {
	struct cmsghdr h;
	char buf[CMSG_SPACE(sizeof(uint32_t)) + CMSG_SPACE(sizeof(uint64_t))];
};

/* Receive one record; Return: its length, its association in @id. */
static ssize_t recv_one(int fd, char *buf, size_t len, uint32_t *id)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	union ctl ctl;
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	ssize_t n = recvmsg(fd, &m, 0);

	*id = 0;
	if (n < 0)
		return n;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_M2MSEC &&
		    c->cmsg_type == M2MSEC_CMSG_ASSOC_ID)
			memcpy(id, CMSG_DATA(c), sizeof(*id));
	return n;
}

static ssize_t send_on(int fd, const char *buf, size_t len, uint32_t id)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	union ctl ctl;
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = CMSG_SPACE(sizeof(id)),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	memset(&ctl, 0, sizeof(ctl));
	c->cmsg_level = SOL_M2MSEC;
	c->cmsg_type = M2MSEC_CMSG_ASSOC_ID;
	c->cmsg_len = CMSG_LEN(sizeof(id));
	memcpy(CMSG_DATA(c), &id, sizeof(id));
	return sendmsg(fd, &m, 0);
}

int hsb_kern_server(const struct hsb_opts *o)
{
	unsigned long served = 0, del_err = 0, errs = 0;
	struct timeval tv = { .tv_sec = 1 };
	struct m2msec_genl g;
	char buf[2048];
	uint32_t id;
	ssize_t n;
	int fd, err;

	if (m2msec_genl_open(&g))
		return 1;
	if (o->hs_rate && (err = set_rate(&g, o->hs_rate))) {
		hsb_err("m2msec", "setting hs-rate/hs-burst: %s", strerror(-err));
		return 1;
	}
	fd = m2msec_socket(SOCK_DGRAM | SOCK_CLOEXEC, M2MSEC_PROTO_DTLS);
	if (fd < 0 || bind(fd, (const struct sockaddr *)&o->addr, o->addr_len) ||
	    listen(fd, 0) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		hsb_err("m2msec", "listening socket: %s", strerror(errno));
		return 1;
	}
	hsb_ready();
	while (!hsb_stop) {
		n = recv_one(fd, buf, sizeof(buf), &id);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR) {
				hsb_err("m2msec", "recvmsg: %s", strerror(errno));
				errs++;
			}
			continue;
		}
		if (send_on(fd, buf, n, id) != n) {
			hsb_err("m2msec", "sendmsg on association %u: %s", id,
				strerror(errno));
			errs++;
		} else {
			served++;
		}
		if (!o->keep && (err = assoc_del(&g, fd, id))) {
			hsb_err("m2msec", "ASSOC_DEL %u: %s", id, strerror(-err));
			del_err++;
		}
	}
	printf("served=%lu send_errors=%lu del_errors=%lu\n", served, errs,
	       del_err);
	close(fd);
	m2msec_genl_close(&g);
	return 0;
}
