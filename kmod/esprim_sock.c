// SPDX-License-Identifier: GPL-2.0
/*
 * The ESPrim socket (M2MSEC_PROTO_ESPRIM, SOCK_SEQPACKET): a transform.
 *
 *   sendmsg(primitive, cmsg SESSION [, CTY] [, FLAGS])  -> protect
 *   sendmsg(object)                                     -> unprotect
 *   recvmsg() -> one result per message sent, in order:
 *                data + cmsg STATUS [, SESSION, KID, CTY, PEER_ID]
 *
 * Results wait on sk_receive_queue, charged to SO_RCVBUF; sendmsg() fails
 * with ENOBUFS rather than queueing beyond it, so a batch can never pin
 * unbounded memory.  sendmmsg()/recvmmsg() need nothing special: every
 * message is one object, consumed whole whatever its result.  Configuration is by setsockopt() at SOL_M2MSEC
 * (enum m2msec_esprim_sockopt).
 */
#include <linux/err.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "m2msec.h"

/*
 * The ESPrim state hangs off sk_user_data (the socket is ours, nothing
 * else uses the field); it is allocated on first use under lock_sock()
 * and freed in release.
 */
static struct m2msec_esprim_sock *esprim_state(struct sock *sk)
{
	struct m2msec_esprim_sock *es;

	es = READ_ONCE(sk->sk_user_data);
	if (es)
		return es;
	lock_sock(sk);
	es = sk->sk_user_data;
	if (!es) {
		es = m2msec_esprim_sock_new(sock_net(sk), sock_i_ino(sk));
		WRITE_ONCE(sk->sk_user_data, es);
	}
	release_sock(sk);
	return es;
}

/**
 * m2msec_esprim_result() - allocate a result message
 * @status: enum m2msec_esprim_rsc
 * @session: session id, 0 for none
 * @data_len: bytes of data the caller writes at skb->data
 * @kid: "kid" to report, or NULL
 * @kid_len: its length
 * @cty: "cty" to report, or NULL
 * @cty_len: its length
 * @peer: identity bound to the key, or NULL
 * @peer_len: its length
 *
 * The strings are stored behind the data and become control messages in
 * recvmsg().
 *
 * Return: the skb or ERR_PTR(-ENOMEM).
 */
struct sk_buff *m2msec_esprim_result(u32 status, u32 session,
				     size_t data_len, const char *kid,
				     size_t kid_len, const char *cty,
				     size_t cty_len, const char *peer,
				     size_t peer_len)
{
	struct m2msec_esprim_cb *cb;
	struct sk_buff *skb;
	u8 *p;

	BUILD_BUG_ON(sizeof(*cb) > sizeof_field(struct sk_buff, cb) -
		     sizeof(struct sock_skb_cb));
	if (!kid)
		kid_len = 0;
	if (!cty)
		cty_len = 0;
	if (!peer)
		peer_len = 0;
	skb = alloc_skb(data_len + kid_len + cty_len + peer_len,
			GFP_KERNEL | __GFP_NOWARN);
	if (!skb)
		return ERR_PTR(-ENOMEM);
	p = skb_put(skb, data_len + kid_len + cty_len + peer_len);
	p += data_len;
	memcpy(p, kid, kid_len);
	memcpy(p + kid_len, cty, cty_len);
	memcpy(p + kid_len + cty_len, peer, peer_len);
	cb = m2msec_esprim_cb(skb);
	cb->status = status;
	cb->session = session;
	cb->data_len = data_len;
	cb->kid_len = kid_len;
	cb->cty_len = cty_len;
	cb->peer_len = peer_len;
	return skb;
}

struct esprim_send {
	bool protect;
	u32 session;
	int flags;
	const char *cty;
	size_t cty_len;
};

static int parse_cmsgs(struct msghdr *msg, struct esprim_send *req)
{
	struct cmsghdr *c;
	size_t len;

	req->flags = -1;
	for_each_cmsghdr(c, msg) {
		if (!CMSG_OK(msg, c) || c->cmsg_level != SOL_M2MSEC)
			return -EINVAL;
		len = c->cmsg_len - CMSG_LEN(0);
		switch (c->cmsg_type) {
		case M2MSEC_CMSG_ESPRIM_SESSION:
			if (len != sizeof(u32))
				return -EINVAL;
			req->protect = true;
			memcpy(&req->session, CMSG_DATA(c), sizeof(u32));
			break;
		case M2MSEC_CMSG_ESPRIM_CTY:
			req->cty = CMSG_DATA(c);
			req->cty_len = len;
			if (!len || len > M2MSEC_ESPRIM_CTY_MAX ||
			    memchr(req->cty, '"', len) ||
			    memchr(req->cty, '\\', len))
				return -EINVAL;
			for (; len; len--)
				if (req->cty[len - 1] < 0x20 ||
				    req->cty[len - 1] > 0x7e)
					return -EINVAL;
			break;
		case M2MSEC_CMSG_ESPRIM_FLAGS:
			if (len != sizeof(u32))
				return -EINVAL;
			memcpy(&req->flags, CMSG_DATA(c), sizeof(u32));
			if (req->flags & ~(M2MSEC_ESPRIM_F_ORO |
					   M2MSEC_ESPRIM_F_RRO))
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	}
	/* cty and flags only make sense when protecting. */
	if (!req->protect && (req->cty || req->flags >= 0))
		return -EINVAL;
	return 0;
}

static int m2msec_esprim_sendmsg(struct socket *sock, struct msghdr *msg,
				 size_t len)
{
	struct sock *sk = sock->sk;
	struct m2msec_esprim_sock *es;
	struct esprim_send req = {};
	struct m2msec_esprim_cb *cb;
	struct sk_buff *skb;
	u32 max_object;
	int err;

	/* sendmmsg() adds MSG_BATCH; only out-of-band data makes no sense. */
	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (msg->msg_name)
		return -EISCONN;
	err = parse_cmsgs(msg, &req);
	if (err)
		return err;
	es = esprim_state(sk);
	if (!es)
		return -ENOMEM;
	if (atomic_read(&sk->sk_rmem_alloc) >= READ_ONCE(sk->sk_rcvbuf))
		return -ENOBUFS;
	max_object = READ_ONCE(m2msec_net(sock_net(sk))->cfg.esprim_max_object);

	mutex_lock(&es->lock);
	if (req.protect)
		skb = m2msec_esprim_protect(es, req.session, req.cty,
					    req.cty_len, req.flags, msg, len,
					    max_object);
	else
		skb = m2msec_esprim_unprotect(es, msg, len, max_object);
	mutex_unlock(&es->lock);
	if (IS_ERR(skb))
		return PTR_ERR(skb);

	cb = m2msec_esprim_cb(skb);
	if (cb->status == M2MSEC_RSC_OK)
		m2msec_esprim_count(es->en, req.protect ?
				    M2MSEC_A_ESPRIM_STAT_PROTECT_OK :
				    M2MSEC_A_ESPRIM_STAT_UNPROTECT_OK);
	else
		m2msec_esprim_count_status(es->en, cb->status);

	err = sock_queue_rcv_skb(sk, skb);
	if (err) {
		kfree_skb(skb);
		return -ENOBUFS;
	}
	/*
	 * A result that did not need the body (unknown session, object too
	 * large) leaves it unread; consume it, or sendmmsg() would stop the
	 * batch at this message.
	 */
	iov_iter_advance(&msg->msg_iter, msg_data_left(msg));
	return len;
}

static int put_str(struct msghdr *msg, int type, const u8 *s, u16 len)
{
	return len ? put_cmsg(msg, SOL_M2MSEC, type, len, (void *)s) : 0;
}

static int m2msec_esprim_recvmsg(struct socket *sock, struct msghdr *msg,
				 size_t size, int flags)
{
	struct sock *sk = sock->sk;
	struct m2msec_esprim_cb *cb;
	struct sk_buff *skb;
	size_t copied;
	const u8 *tail;
	int err;

	/*
	 * MSG_CMSG_COMPAT (a 32-bit task, set by the socket layer, also in
	 * msg->msg_flags) is handled: every control message goes through
	 * put_cmsg(), which writes the 32-bit layout for such a message.
	 */
	if (flags & ~(MSG_DONTWAIT | MSG_TRUNC | MSG_PEEK | MSG_CMSG_CLOEXEC |
		      MSG_CMSG_COMPAT | MSG_ERRQUEUE | MSG_WAITALL))
		return -EOPNOTSUPP;
	if (flags & MSG_ERRQUEUE)
		return -EAGAIN;
	skb = skb_recv_datagram(sk, flags, &err);
	if (!skb)
		return err;
	cb = m2msec_esprim_cb(skb);
	copied = min_t(size_t, size, cb->data_len);
	if (copied < cb->data_len)
		msg->msg_flags |= MSG_TRUNC;
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (err)
		goto out;

	tail = skb->data + cb->data_len;
	put_cmsg(msg, SOL_M2MSEC, M2MSEC_CMSG_ESPRIM_STATUS, sizeof(u32),
		 &cb->status);
	if (cb->session)
		put_cmsg(msg, SOL_M2MSEC, M2MSEC_CMSG_ESPRIM_SESSION,
			 sizeof(u32), &cb->session);
	put_str(msg, M2MSEC_CMSG_ESPRIM_KID, tail, cb->kid_len);
	put_str(msg, M2MSEC_CMSG_ESPRIM_CTY, tail + cb->kid_len, cb->cty_len);
	put_str(msg, M2MSEC_CMSG_ESPRIM_PEER_ID,
		tail + cb->kid_len + cb->cty_len, cb->peer_len);
	err = (flags & MSG_TRUNC) ? cb->data_len : copied;
out:
	skb_free_datagram(sk, skb);
	return err;
}

static int m2msec_esprim_setsockopt(struct socket *sock, int level,
				    int optname, sockptr_t optval,
				    unsigned int optlen)
{
	union {
		s32 serial;
		u32 id;
		struct m2msec_esprim_rand rand;
		struct m2msec_esprim_rand_ref ref;
		struct m2msec_esprim_session sess;
	} arg;
	struct m2msec_esprim_sock *es;
	size_t need;
	int err;

	if (level != SOL_M2MSEC)
		return -ENOPROTOOPT;
	switch (optname) {
	case M2MSEC_ESPRIM_KEY_ADD:
	case M2MSEC_ESPRIM_KEY_DEL:
		need = sizeof(arg.serial);
		break;
	case M2MSEC_ESPRIM_SESSION_DEL:
		need = sizeof(arg.id);
		break;
	case M2MSEC_ESPRIM_RAND_ADD:
		need = sizeof(arg.rand);
		break;
	case M2MSEC_ESPRIM_RAND_DEL:
		need = sizeof(arg.ref);
		break;
	case M2MSEC_ESPRIM_SESSION_ADD:
		need = sizeof(arg.sess);
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (optlen != need)
		return -EINVAL;
	if (copy_from_sockptr(&arg, optval, need))
		return -EFAULT;
	es = esprim_state(sock->sk);
	if (!es)
		return -ENOMEM;

	mutex_lock(&es->lock);
	switch (optname) {
	case M2MSEC_ESPRIM_KEY_ADD:
		err = m2msec_esprim_key_add(es, arg.serial);
		break;
	case M2MSEC_ESPRIM_KEY_DEL:
		err = m2msec_esprim_key_del(es, arg.serial);
		break;
	case M2MSEC_ESPRIM_RAND_ADD:
		err = m2msec_esprim_rand_add(es, &arg.rand);
		break;
	case M2MSEC_ESPRIM_RAND_DEL:
		err = m2msec_esprim_rand_del(es, &arg.ref);
		break;
	case M2MSEC_ESPRIM_SESSION_ADD:
		err = m2msec_esprim_session_add(es, &arg.sess);
		break;
	default:
		err = m2msec_esprim_session_del(es, arg.id);
		break;
	}
	mutex_unlock(&es->lock);
	if (err)
		m2msec_esprim_count(es->en, M2MSEC_A_ESPRIM_STAT_REFUSED);
	/* The rand value is not secret, but keep no copy around. */
	memzero_explicit(&arg, sizeof(arg));
	return err;
}

static int m2msec_esprim_getsockopt(struct socket *sock, int level,
				    int optname, char __user *optval,
				    int __user *optlen)
{
	return -ENOPROTOOPT;
}

static int m2msec_esprim_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct m2msec_esprim_sock *es;

	if (!sk)
		return 0;
	es = sk->sk_user_data;
	sk->sk_user_data = NULL;
	if (es)
		m2msec_esprim_sock_free(es);
	skb_queue_purge(&sk->sk_receive_queue);
	return m2msec_release(sock);
}

/**
 * m2msec_esprim_init_sock() - set up a new ESPrim sock
 * @sk: freshly allocated sock
 *
 * The socket is a transform with the kernel at the other end: connected
 * from the start.  Without that, the generic datagram helpers treat the
 * SOCK_SEQPACKET socket as an unconnected connection-oriented one: poll()
 * reports a hang-up (readable) and a read of an empty queue fails with
 * ENOTCONN instead of waiting (or EAGAIN).
 *
 * Return: 0.
 */
int m2msec_esprim_init_sock(struct sock *sk)
{
	sk->sk_state = TCP_ESTABLISHED;
	return 0;
}

static int m2msec_esprim_getname(struct socket *sock, struct sockaddr *addr,
				 int peer)
{
	return -EOPNOTSUPP;
}

const struct proto_ops m2msec_esprim_ops = {
	.owner		= THIS_MODULE,
	.release	= m2msec_esprim_release,
	.bind		= sock_no_bind,
	.connect	= sock_no_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= m2msec_esprim_getname,
	.poll		= datagram_poll,
	.ioctl		= sock_no_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.setsockopt	= m2msec_esprim_setsockopt,
	.getsockopt	= m2msec_esprim_getsockopt,
	.sendmsg	= m2msec_esprim_sendmsg,
	.recvmsg	= m2msec_esprim_recvmsg,
	.mmap		= sock_no_mmap,
};
