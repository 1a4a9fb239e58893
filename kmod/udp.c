// SPDX-License-Identifier: GPL-2.0
/*
 * The UDP socket under each m2msec DTLS socket.
 *
 * It is created as a user socket (kern == 0) in the m2msec socket's network
 * namespace and bound in the caller's context, so the normal rules apply:
 * ports below 1024 need CAP_NET_BIND_SERVICE, a port in use gives
 * EADDRINUSE, LSMs see the caller.  Received datagrams arrive through the
 * UDP encapsulation hook (checksum already verified) and are handed to
 * rx.c.  Records leave through xmit.c, handshake flights through
 * m2msec_udp_send() here; both with "don't fragment", so a datagram larger
 * than the path allows fails with EMSGSIZE instead of being fragmented.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/udp_tunnel.h>

#include "dtls.h"

int m2msec_addr_from_user(union m2msec_addr *a, const struct sockaddr *sa,
			  int len)
{
	memset(a, 0, sizeof(*a));
	if (len < (int)sizeof(sa_family_t))
		return -EINVAL;
	switch (sa->sa_family) {
	case AF_INET:
		if (len < (int)sizeof(struct sockaddr_in))
			return -EINVAL;
		memcpy(&a->sin, sa, sizeof(a->sin));
		return 0;
	case AF_INET6:
		if (len < SIN6_LEN_RFC2133)
			return -EINVAL;
		memcpy(&a->sin6, sa, min_t(int, len, sizeof(a->sin6)));
		return 0;
	default:
		return -EAFNOSUPPORT;
	}
}

int m2msec_addr_len(const union m2msec_addr *a)
{
	return a->sa.sa_family == AF_INET6 ? sizeof(a->sin6) : sizeof(a->sin);
}

void m2msec_addr_key(struct m2msec_addr_key *k, const union m2msec_addr *a)
{
	memset(k, 0, sizeof(*k));
	k->family = a->sa.sa_family;
	if (k->family == AF_INET6) {
		memcpy(k->addr, &a->sin6.sin6_addr, sizeof(k->addr));
		k->port = a->sin6.sin6_port;
	} else {
		k->addr[0] = a->sin.sin_addr.s_addr;
		k->port = a->sin.sin_port;
	}
}

static int m2msec_udp_setopt(struct socket *sock, int level, int name,
			     int val)
{
	return sock->ops->setsockopt(sock, level, name,
				     KERNEL_SOCKPTR(&val), sizeof(val));
}

static int m2msec_udp_create(struct m2msec_dtls_sock *ds, sa_family_t family,
			     struct socket **res)
{
	struct socket *sock;
	int err;

	err = __sock_create(sock_net(&ds->sk), family, SOCK_DGRAM, IPPROTO_UDP,
			    &sock, 0);
	if (err)
		return err;
	if (family == AF_INET6)
		err = m2msec_udp_setopt(sock, SOL_IPV6, IPV6_DONTFRAG, 1);
	else
		err = m2msec_udp_setopt(sock, SOL_IP, IP_MTU_DISCOVER,
					IP_PMTUDISC_DO);
	if (err) {
		sock_release(sock);
		return err;
	}
	*res = sock;
	return 0;
}

static void m2msec_udp_attach(struct m2msec_dtls_sock *ds,
			      struct socket *sock)
{
	struct udp_tunnel_sock_cfg cfg = {
		.sk_user_data	= ds,
		.encap_type	= 1,
		.encap_rcv	= m2msec_udp_encap_rcv,
	};

	setup_udp_tunnel_sock(sock_net(&ds->sk), sock, &cfg);
	ds->udp = sock;
	/* m2msec_udp_get() reads @udp after it saw the count non-zero. */
	atomic_set_release(&ds->udp_users, 1);
}

/**
 * m2msec_udp_bind() - create and bind the UDP socket of @ds
 * @ds: DTLS socket, udp_lock held
 * @a: local address (port 0: any)
 *
 * Return: 0 or a negative errno from socket creation or bind (EINVAL if
 * already bound).
 */
int m2msec_udp_bind(struct m2msec_dtls_sock *ds, const union m2msec_addr *a)
{
	struct socket *sock;
	int err;

	lockdep_assert_held(&ds->udp_lock);
	/*
	 * Release has started: a racing HS_DONE or ASSOC_NEW must not leave a
	 * bound UDP socket whose encap_rcv points at a freed sock.
	 */
	if (ds->udp_dead)
		return -ESHUTDOWN;
	if (ds->udp)
		return -EINVAL;
	err = m2msec_udp_create(ds, a->sa.sa_family, &sock);
	if (err)
		return err;
	err = kernel_bind(sock, (struct sockaddr *)a, m2msec_addr_len(a));
	if (err) {
		sock_release(sock);
		return err;
	}
	m2msec_udp_attach(ds, sock);
	return 0;
}

/**
 * m2msec_udp_autobind() - bind to an ephemeral port if not bound yet
 * @ds: DTLS socket, udp_lock held
 * @family: AF_INET or AF_INET6
 *
 * Return: 0 or a negative errno.
 */
int m2msec_udp_autobind(struct m2msec_dtls_sock *ds, sa_family_t family)
{
	union m2msec_addr any = { .sa.sa_family = family };

	lockdep_assert_held(&ds->udp_lock);
	if (ds->udp && !ds->udp_dead)
		return 0;
	return m2msec_udp_bind(ds, &any);
}

/**
 * m2msec_udp_get() - use the UDP socket without holding udp_lock
 * @ds: DTLS socket the caller holds a reference on
 *
 * Any context (the count is an atomic).  Pair with m2msec_udp_put(); keep
 * the section short: release waits for it.
 *
 * Return: the UDP socket, or NULL when there is none (not bound yet, or
 * released).
 */
struct socket *m2msec_udp_get(struct m2msec_dtls_sock *ds)
{
	if (!atomic_inc_not_zero(&ds->udp_users))
		return NULL;
	return READ_ONCE(ds->udp);
}

/**
 * m2msec_udp_put() - end a m2msec_udp_get() section
 * @ds: DTLS socket
 */
void m2msec_udp_put(struct m2msec_dtls_sock *ds)
{
	if (atomic_dec_and_test(&ds->udp_users))
		wake_up_var(&ds->udp_users);
}

/**
 * m2msec_udp_local() - local address of the UDP socket, if any
 * @ds: DTLS socket the caller holds a reference on
 * @local: the address
 *
 * Process context (getsockname locks the UDP sock).
 *
 * Return: its length, or a negative errno (ENOTCONN when not bound).
 */
int m2msec_udp_local(struct m2msec_dtls_sock *ds, union m2msec_addr *local)
{
	struct socket *sock = m2msec_udp_get(ds);
	int len = -ENOTCONN;

	if (sock) {
		len = kernel_getsockname(sock, &local->sa);
		m2msec_udp_put(ds);
	}
	return len;
}

/**
 * m2msec_udp_release() - detach and close the UDP socket
 * @ds: DTLS socket being released, udp_lock held
 *
 * No socket can be bound afterwards.  Waits for the users of
 * m2msec_udp_get(); after this returns, m2msec_udp_encap_rcv() no longer
 * runs for @ds (udp_tunnel_sock_release() waits for an RCU grace period).
 */
void m2msec_udp_release(struct m2msec_dtls_sock *ds)
{
	lockdep_assert_held(&ds->udp_lock);
	ds->udp_dead = true;
	if (!ds->udp)
		return;
	m2msec_udp_put(ds);
	wait_var_event(&ds->udp_users, !atomic_read(&ds->udp_users));
	udp_tunnel_sock_release(ds->udp);
	ds->udp = NULL;
}

/**
 * m2msec_udp_send() - send one datagram
 * @ds: DTLS socket the caller holds a reference on
 * @to: destination
 * @buf: datagram
 * @len: its length
 *
 * Return: 0 or a negative errno (EMSGSIZE when the path MTU is too small).
 */
int m2msec_udp_send(struct m2msec_dtls_sock *ds, const union m2msec_addr *to,
		    const void *buf, size_t len)
{
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = (void *)to,
		.msg_namelen = m2msec_addr_len(to),
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,
	};
	struct socket *sock = m2msec_udp_get(ds);
	int ret;

	if (!sock)
		return -ENOTCONN;
	ret = kernel_sendmsg(sock, &msg, &iov, 1, len);
	m2msec_udp_put(ds);
	if (ret < 0)
		return ret;
	return ret == len ? 0 : -EIO;
}
