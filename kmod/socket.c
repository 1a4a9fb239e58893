// SPDX-License-Identifier: GPL-2.0
/*
 * Socket creation for the m2msec family: protocol dispatch and the
 * lifetime of the sock.  The DTLS and ESPrim data paths hang their own
 * proto_ops off the protocol table below.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <net/sock.h>

#include "dtls.h"

struct m2msec_sock {
	struct sock sk;		/* must be first */
	enum m2msec_proto proto;
};

static struct proto m2msec_proto = {
	.name		= "M2MSEC",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct m2msec_sock),
};

/**
 * m2msec_release() - proto_ops.release common to the protocols
 * @sock: the socket being closed
 *
 * Protocols with state of their own free it first, then call this.
 *
 * Return: 0.
 */
int m2msec_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, -1);
	sock_orphan(sk);
	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

struct m2msec_proto_desc {
	enum m2msec_proto proto;
	short type;
	const struct proto_ops *ops;
	struct proto *prot;
	int (*init)(struct sock *sk);
};

static const struct m2msec_proto_desc m2msec_protos[] = {
	{ M2MSEC_PROTO_DTLS, SOCK_DGRAM, &m2msec_dtls_ops,
	  &m2msec_dtls_proto, m2msec_dtls_init_sock },
	{ M2MSEC_PROTO_ESPRIM, SOCK_SEQPACKET, &m2msec_esprim_ops,
	  &m2msec_proto, m2msec_esprim_init_sock },
};

/*
 * socket(2) errors follow inet: an unknown type is ESOCKTNOSUPPORT, a
 * protocol that is unknown or does not go with the type is EPROTONOSUPPORT.
 */
static const struct m2msec_proto_desc *m2msec_proto_find(short type,
							 int protocol)
{
	const struct m2msec_proto_desc *match = NULL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(m2msec_protos); i++) {
		if (m2msec_protos[i].type != type)
			continue;
		if (!protocol || protocol == m2msec_protos[i].proto)
			return &m2msec_protos[i];
		match = ERR_PTR(-EPROTONOSUPPORT);
	}
	return match ?: ERR_PTR(-ESOCKTNOSUPPORT);
}

/**
 * m2msec_sock_create() - net_proto_family.create for the m2msec family
 * @net: network namespace of the new socket
 * @sock: the socket being created
 * @protocol: requested protocol (0 picks the type's default)
 * @kern: whether a kernel socket is being created
 *
 * Return: 0 or a negative errno for socket(2).
 */
int m2msec_sock_create(struct net *net, struct socket *sock, int protocol,
		       int kern)
{
	const struct m2msec_proto_desc *desc;
	struct m2msec_sock *msk;
	struct sock *sk;
	int err;

	desc = m2msec_proto_find(sock->type, protocol);
	if (IS_ERR(desc))
		return PTR_ERR(desc);

	sk = sk_alloc(net, m2msec_family_nr(), GFP_KERNEL, desc->prot, kern);
	if (!sk)
		return -ENOMEM;

	sock->ops = desc->ops;
	sock->state = SS_UNCONNECTED;
	sock_init_data(sock, sk);
	sk->sk_protocol = desc->proto;

	/* Every protocol's sock starts with struct m2msec_sock's layout. */
	msk = container_of(sk, struct m2msec_sock, sk);
	msk->proto = desc->proto;
	if (desc->init) {
		err = desc->init(sk);
		if (err) {
			sock->sk = NULL;
			sk_free(sk);
			return err;
		}
	}
	/* Counted per namespace, visible in /proc/net/protocols. */
	sock_prot_inuse_add(net, sk->sk_prot, 1);
	return 0;
}

int m2msec_proto_init(void)
{
	int err;

	err = proto_register(&m2msec_proto, 0);
	if (err)
		return err;
	err = proto_register(&m2msec_dtls_proto, 0);
	if (err)
		proto_unregister(&m2msec_proto);
	return err;
}

void m2msec_proto_exit(void)
{
	proto_unregister(&m2msec_dtls_proto);
	proto_unregister(&m2msec_proto);
}
