// SPDX-License-Identifier: GPL-2.0
/*
 * Registration of the m2msec socket family.
 *
 * Mainline reserves no address family number for out-of-tree code, so the
 * module takes a slot that no in-tree protocol implements any more (or never
 * did), trying them in a fixed order, unless the administrator forces one
 * with "family=N".  sock_register() is the arbiter: it fails with -EEXIST
 * when the slot is in use, so there is no check-then-use race.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/net.h>
#include <linux/socket.h>

#include "m2msec.h"

static int family = -1;
module_param(family, int, 0444);
MODULE_PARM_DESC(family,
		 "socket family number (default: the first free of a fixed list of slots without in-tree users)");

/*
 * Slots without an in-tree socket implementation on the supported kernels:
 * AF_WANPIPE, AF_SNA, AF_ECONET, AF_ASH, AF_NETBEUI, AF_IRDA, AF_DECnet,
 * AF_IPX.  AF_SECURITY and AF_BRIDGE are pseudo families and are left alone.
 */
static const int m2msec_family_slots[] = { 25, 22, 19, 18, 13, 23, 12, 4 };

static struct net_proto_family m2msec_family_ops = {
	.create	= m2msec_sock_create,
	.owner	= THIS_MODULE,
};

static int m2msec_family_try(int nr)
{
	m2msec_family_ops.family = nr;
	return sock_register(&m2msec_family_ops);
}

/**
 * m2msec_family_register() - claim a socket family slot
 *
 * Return: 0 on success; -EEXIST (forced slot taken), -EINVAL (forced slot
 * out of range) or -EBUSY (no free slot) with a message in the log.
 */
int m2msec_family_register(void)
{
	unsigned int i;
	int err;

	if (family >= 0) {
		if (family == 0 || family >= M2MSEC_NPROTO) {
			pr_err("family=%d is out of range (1..%d)\n", family,
			       M2MSEC_NPROTO - 1);
			return -EINVAL;
		}
		err = m2msec_family_try(family);
		if (err == -EEXIST)
			pr_err("socket family %d is already registered by another protocol; load with another family= value\n",
			       family);
		return err;
	}

	for (i = 0; i < ARRAY_SIZE(m2msec_family_slots); i++) {
		err = m2msec_family_try(m2msec_family_slots[i]);
		if (!err) {
			family = m2msec_family_slots[i];
			return 0;
		}
		if (err != -EEXIST)
			return err;
	}
	pr_err("no free socket family slot; load with family=N naming an unused one\n");
	return -EBUSY;
}

void m2msec_family_unregister(void)
{
	sock_unregister(m2msec_family_ops.family);
}

/**
 * m2msec_family_nr() - the socket family number in use
 *
 * Return: the number; valid only while the module is registered.
 */
int m2msec_family_nr(void)
{
	return m2msec_family_ops.family;
}
