// SPDX-License-Identifier: GPL-2.0
/*
 * DTLS socket options at level SOL_M2MSEC: the server name a handshake
 * uses (M2MSEC_SO_SERVER_NAME) and the authenticated identity of a peer
 * (M2MSEC_SO_PEER_ID), which a CSE maps to an AE-ID for access control.
 */
#include <linux/ctype.h>
#include <linux/slab.h>
#include <linux/sockptr.h>
#include <net/sock.h>

#include "handshake.h"

static int m2msec_set_server_name(struct m2msec_dtls_sock *ds,
				  sockptr_t optval, unsigned int optlen)
{
	struct m2msec_name *n = NULL, *old;
	unsigned int i;

	if (optlen > M2MSEC_SERVER_NAME_MAX)
		return -EINVAL;
	if (optlen) {
		n = kmalloc(sizeof(*n) + optlen + 1, GFP_KERNEL);
		if (!n)
			return -ENOMEM;
		if (copy_from_sockptr(n->name, optval, optlen)) {
			kfree(n);
			return -EFAULT;
		}
		n->name[optlen] = 0;
		/* A host name: printable, no spaces (RFC 6066 3). */
		for (i = 0; i < optlen; i++) {
			if (!isgraph(n->name[i])) {
				kfree(n);
				return -EINVAL;
			}
		}
	}
	mutex_lock(&ds->udp_lock);
	old = rcu_replace_pointer(ds->server_name, n,
				  lockdep_is_held(&ds->udp_lock));
	mutex_unlock(&ds->udp_lock);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

/**
 * m2msec_dtls_setsockopt() - proto_ops.setsockopt of DTLS sockets
 * @sock: socket
 * @level: SOL_M2MSEC
 * @optname: enum m2msec_dtls_sockopt
 * @optval: value
 * @optlen: its length
 *
 * Return: 0 or a negative errno (ENOPROTOOPT for other levels and names).
 */
int m2msec_dtls_setsockopt(struct socket *sock, int level, int optname,
			   sockptr_t optval, unsigned int optlen)
{
	struct m2msec_dtls_sock *ds = m2msec_dtls_sk(sock->sk);

	if (level != SOL_M2MSEC)
		return -ENOPROTOOPT;
	switch (optname) {
	case M2MSEC_SO_SERVER_NAME:
		return m2msec_set_server_name(ds, optval, optlen);
	default:
		return -ENOPROTOOPT;
	}
}

/* Copy a NUL-terminated @s out, or ERANGE with the size needed. */
static int m2msec_put_string(const char *s, char __user *optval,
			     int __user *optlen, int len)
{
	int n = strlen(s) + 1;

	if (put_user(n, optlen))
		return -EFAULT;
	if (len < n)
		return -ERANGE;
	return copy_to_user(optval, s, n) ? -EFAULT : 0;
}

static int m2msec_get_server_name(struct m2msec_dtls_sock *ds,
				  char __user *optval, int __user *optlen,
				  int len)
{
	char buf[M2MSEC_SERVER_NAME_MAX + 1];
	struct m2msec_name *n;

	rcu_read_lock();
	n = rcu_dereference(ds->server_name);
	if (n)
		strscpy(buf, n->name, sizeof(buf));
	rcu_read_unlock();
	if (!n)
		return -ENOENT;
	return m2msec_put_string(buf, optval, optlen, len);
}

static int m2msec_get_peer_id(struct m2msec_dtls_sock *ds,
			      char __user *optval, int __user *optlen, int len)
{
	union m2msec_addr peer;
	struct m2msec_assoc *a;
	bool connected;
	u32 id;
	int err;

	if (len < (int)sizeof(id))
		return -EINVAL;
	if (copy_from_user(&id, optval, sizeof(id)))
		return -EFAULT;
	if (id) {
		a = m2msec_assoc_by_id(ds, id);
	} else {
		mutex_lock(&ds->udp_lock);
		connected = ds->connected;
		peer = ds->default_peer;
		mutex_unlock(&ds->udp_lock);
		a = connected ? m2msec_assoc_by_addr(ds, &peer) : NULL;
	}
	if (!a)
		return -ENOENT;
	err = a->peer_id ? m2msec_put_string(a->peer_id, optval, optlen, len) :
			   -ENODATA;
	m2msec_assoc_put(a);
	return err;
}

/**
 * m2msec_dtls_getsockopt() - proto_ops.getsockopt of DTLS sockets
 * @sock: socket
 * @level: SOL_M2MSEC
 * @optname: enum m2msec_dtls_sockopt
 * @optval: buffer (M2MSEC_SO_PEER_ID: starts with the association id)
 * @optlen: its size; set to the size of the value
 *
 * Return: 0 or a negative errno.
 */
int m2msec_dtls_getsockopt(struct socket *sock, int level, int optname,
			   char __user *optval, int __user *optlen)
{
	struct m2msec_dtls_sock *ds = m2msec_dtls_sk(sock->sk);
	int len;

	if (level != SOL_M2MSEC)
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	switch (optname) {
	case M2MSEC_SO_SERVER_NAME:
		return m2msec_get_server_name(ds, optval, optlen, len);
	case M2MSEC_SO_PEER_ID:
		return m2msec_get_peer_id(ds, optval, optlen, len);
	default:
		return -ENOPROTOOPT;
	}
}

/**
 * m2msec_hs_sockopt_release() - free the socket's option values
 * @ds: socket being released (notifications may still read the name under
 *	RCU, hence the deferred free)
 */
void m2msec_hs_sockopt_release(struct m2msec_dtls_sock *ds)
{
	struct m2msec_name *n = rcu_replace_pointer(ds->server_name, NULL, 1);

	if (n)
		kfree_rcu(n, rcu);
}
