// SPDX-License-Identifier: GPL-2.0
/*
 * The M2MSEC_PROTO_DTLS socket: bind/connect to UDP addresses, one
 * plaintext datagram per record, associations installed over netlink.
 */
#include <linux/file.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <net/sock.h>

#include "handshake.h"

struct proto m2msec_dtls_proto = {
	.name		= "M2MSEC-DTLS",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct m2msec_dtls_sock),
};

/*
 * The last reference is gone (any context).  What readers holding only a
 * socket reference may still touch during release is freed here, not
 * there.
 */
static void m2msec_dtls_destruct(struct sock *sk)
{
	m2msec_assoc_tables_destroy(m2msec_dtls_sk(sk));
}

/**
 * m2msec_dtls_init_sock() - set up a new DTLS sock
 * @sk: freshly allocated sock of m2msec_dtls_proto
 *
 * Return: 0 or -ENOMEM.
 */
int m2msec_dtls_init_sock(struct sock *sk)
{
	struct m2msec_dtls_sock *ds = m2msec_dtls_sk(sk);
	struct m2msec_net *mn = m2msec_net(sock_net(sk));
	int err;

	mutex_init(&ds->udp_lock);
	atomic_set(&ds->udp_users, 0);
	mutex_init(&ds->assoc_lock);
	mutex_init(&ds->rx_lock);
	skb_queue_head_init(&ds->ctrl_queue);
	m2msec_hs_sock_init(ds);
	err = m2msec_assoc_tables_init(ds);
	if (err)
		return err;
	sk->sk_destruct = m2msec_dtls_destruct;
	mutex_lock(&mn->socks_lock);
	list_add_tail(&ds->net_node, &mn->socks);
	mutex_unlock(&mn->socks_lock);
	return 0;
}

/* Tell every peer we are going away (RFC 6347 4.2.7 / RFC 9147 5.10). */
static void m2msec_dtls_close_notify(struct m2msec_dtls_sock *ds)
{
	struct m2msec_assoc *a;
	unsigned long id;

	mutex_lock(&ds->assoc_lock);
	xa_for_each(&ds->t->ids, id, a)
		m2msec_tx_alert(a, 1, 0);
	mutex_unlock(&ds->assoc_lock);
}

static int m2msec_dtls_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct m2msec_dtls_sock *ds;
	struct m2msec_net *mn;

	if (!sk)
		return 0;
	ds = m2msec_dtls_sk(sk);
	mn = m2msec_net(sock_net(sk));

	/* Out of namespace dumps first: they walk the tables. */
	mutex_lock(&mn->socks_lock);
	list_del(&ds->net_node);
	mutex_unlock(&mn->socks_lock);

	m2msec_dtls_close_notify(ds);
	/* No new association (a racing HS_DONE), nothing requeued. */
	mutex_lock(&ds->assoc_lock);
	WRITE_ONCE(ds->closing, true);
	mutex_unlock(&ds->assoc_lock);
	/*
	 * No more datagrams after this (waits for an RCU grace period);
	 * handshake channel writers hold udp_lock while they send.
	 */
	mutex_lock(&ds->udp_lock);
	m2msec_udp_release(ds);
	mutex_unlock(&ds->udp_lock);
	m2msec_hs_sock_release(ds);
	m2msec_hs_sockopt_release(ds);
	m2msec_assoc_flush(ds);
	m2msec_rx_purge(ds);
	return m2msec_release(sock);
}

static int m2msec_dtls_bind(struct socket *sock, struct sockaddr *uaddr,
			    int len)
{
	struct m2msec_dtls_sock *ds = m2msec_dtls_sk(sock->sk);
	union m2msec_addr a;
	int err;

	err = m2msec_addr_from_user(&a, uaddr, len);
	if (err)
		return err;
	mutex_lock(&ds->udp_lock);
	err = m2msec_udp_bind(ds, &a);
	mutex_unlock(&ds->udp_lock);
	return err;
}

/*
 * connect() names the default peer and restricts the UDP socket to it.
 * Without an association for that peer (static keying installs one
 * first), it also asks the handshake daemon for one and waits for it
 * (handshake.c).
 */
static int m2msec_dtls_connect(struct socket *sock, struct sockaddr *uaddr,
			       int len, int flags)
{
	struct m2msec_dtls_sock *ds = m2msec_dtls_sk(sock->sk);
	union m2msec_addr a, local = {};
	struct m2msec_assoc *known;
	int err;

	err = m2msec_addr_from_user(&a, uaddr, len);
	if (err)
		return err;
	mutex_lock(&ds->udp_lock);
	if (READ_ONCE(ds->hs_connecting) && (!ds->connected ||
	    memcmp(&a, &ds->default_peer, sizeof(a)))) {
		/* One handshake per connect(): not to another peer. */
		mutex_unlock(&ds->udp_lock);
		return -EALREADY;
	}
	err = m2msec_udp_autobind(ds, a.sa.sa_family);
	if (!err)
		err = kernel_connect(ds->udp, &a.sa, m2msec_addr_len(&a), 0);
	if (!err) {
		ds->default_peer = a;
		WRITE_ONCE(ds->connected, true);
		sock->state = SS_CONNECTED;
		if (kernel_getsockname(ds->udp, &local.sa) < 0)
			local.sa.sa_family = 0;
	}
	mutex_unlock(&ds->udp_lock);
	if (err)
		return err;

	known = m2msec_assoc_by_addr(ds, &a);
	m2msec_assoc_put(known);
	if (known)
		return 0;
	return m2msec_hs_connect(ds, &a, &local, flags & O_NONBLOCK);
}

/* listen() on a bound socket: ClientHellos of unknown peers go to its listener. */
static int m2msec_dtls_listen(struct socket *sock, int backlog)
{
	struct m2msec_dtls_sock *ds = m2msec_dtls_sk(sock->sk);
	int err = -EINVAL;

	mutex_lock(&ds->udp_lock);
	if (ds->udp) {
		err = m2msec_hs_listen_start(ds);
		if (!err)
			WRITE_ONCE(ds->hs_listen, true);
	}
	mutex_unlock(&ds->udp_lock);
	return err;
}

static int m2msec_dtls_getname(struct socket *sock, struct sockaddr *addr,
			       int peer)
{
	struct m2msec_dtls_sock *ds = m2msec_dtls_sk(sock->sk);
	int ret;

	mutex_lock(&ds->udp_lock);
	if (peer) {
		ret = -ENOTCONN;
		if (ds->connected) {
			ret = m2msec_addr_len(&ds->default_peer);
			memcpy(addr, &ds->default_peer, ret);
		}
	} else {
		ret = ds->udp ? kernel_getsockname(ds->udp, addr) : -EINVAL;
	}
	mutex_unlock(&ds->udp_lock);
	return ret;
}

static __poll_t m2msec_dtls_poll(struct file *file, struct socket *sock,
				 poll_table *wait)
{
	struct m2msec_dtls_sock *ds = m2msec_dtls_sk(sock->sk);
	__poll_t mask = datagram_poll(file, sock, wait);

	/* Readable means a record is ready, not just a datagram queued. */
	mask &= ~(EPOLLIN | EPOLLRDNORM);
	if (m2msec_rx_poll_ready(ds))
		mask |= EPOLLIN | EPOLLRDNORM;
	/* A non-blocking connect() is writable once its handshake ended. */
	if (READ_ONCE(ds->hs_connecting))
		mask &= ~(EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
	return mask;
}

static int m2msec_dtls_ioctl(struct socket *sock, unsigned int cmd,
			     unsigned long arg)
{
	return -ENOIOCTLCMD;
}

const struct proto_ops m2msec_dtls_ops = {
	.owner		= THIS_MODULE,
	.release	= m2msec_dtls_release,
	.bind		= m2msec_dtls_bind,
	.connect	= m2msec_dtls_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= m2msec_dtls_getname,
	.poll		= m2msec_dtls_poll,
	.ioctl		= m2msec_dtls_ioctl,
	.listen		= m2msec_dtls_listen,
	.shutdown	= sock_no_shutdown,
	.sendmsg	= m2msec_dtls_sendmsg,
	.recvmsg	= m2msec_dtls_recvmsg,
	.setsockopt	= m2msec_dtls_setsockopt,
	.getsockopt	= m2msec_dtls_getsockopt,
	.mmap		= sock_no_mmap,
};

/**
 * m2msec_dtls_from_fd() - the DTLS socket behind a descriptor of the caller
 * @fd: descriptor
 * @filp: set to the file, whose reference keeps the socket alive; release
 *	with fput()
 *
 * Return: the socket, or an ERR_PTR (-EBADF, -ENOTSOCK, -EPROTOTYPE when it
 * is not an m2msec DTLS socket).
 */
struct m2msec_dtls_sock *m2msec_dtls_from_fd(int fd, struct file **filp)
{
	struct socket *sock;
	struct file *f;

	f = fget(fd);
	if (!f)
		return ERR_PTR(-EBADF);
	sock = sock_from_file(f);
	if (!sock || !sock->sk) {
		fput(f);
		return ERR_PTR(-ENOTSOCK);
	}
	if (sock->ops != &m2msec_dtls_ops) {
		fput(f);
		return ERR_PTR(-EPROTOTYPE);
	}
	*filp = f;
	return m2msec_dtls_sk(sock->sk);
}
