// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user share of a namespace's handshake budget.
 *
 * Every connect() without an association creates a handshake request, and
 * a namespace allows hs-net-max unfinished ones.  Any local user can call
 * connect(), so without a share per user one of them could hold every
 * slot (hs-sock-max bounds a socket, not a user with many sockets) and
 * make the others' connect() fail with EAGAIN.  Callers without
 * CAP_NET_ADMIN in the namespace therefore hold at most hs-user-max
 * unfinished requests each; the daemon's own requests (HS_CLAIM) and
 * administrators are not counted.
 *
 * The counts live in a per-namespace xarray indexed by uid (as seen from
 * the initial user namespace), created on the first request and erased at
 * zero, so idle users cost nothing.  Process context only.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>

#include "handshake.h"

/**
 * m2msec_hs_user_charge() - take one of the caller's request slots
 * @net: the socket's namespace
 * @uid: set to the charged uid
 *
 * Return: 1 when a slot was taken (give it back with
 * m2msec_hs_user_uncharge()), 0 when the caller is not counted, -EAGAIN
 * when the caller holds hs-user-max requests already, -ENOMEM.
 */
int m2msec_hs_user_charge(struct net *net, u32 *uid)
{
	struct m2msec_net *mn = m2msec_net(net);
	unsigned long n;
	void *old;
	int ret = 1;

	if (ns_capable(net->user_ns, CAP_NET_ADMIN))
		return 0;
	*uid = from_kuid(&init_user_ns, current_uid());
	mutex_lock(&mn->hs_users_lock);
	old = xa_load(&mn->hs_users, *uid);
	n = old ? xa_to_value(old) : 0;
	if (n >= READ_ONCE(mn->cfg.hs_user_max)) {
		ret = -EAGAIN;
	} else {
		old = xa_store(&mn->hs_users, *uid, xa_mk_value(n + 1),
			       GFP_KERNEL_ACCOUNT);
		if (xa_is_err(old))
			ret = xa_err(old);
	}
	mutex_unlock(&mn->hs_users_lock);
	return ret;
}

/**
 * m2msec_hs_user_uncharge() - give a slot back
 * @net: the namespace it was taken in
 * @uid: the uid m2msec_hs_user_charge() returned
 */
void m2msec_hs_user_uncharge(struct net *net, u32 uid)
{
	struct m2msec_net *mn = m2msec_net(net);
	unsigned long n;
	void *old;

	mutex_lock(&mn->hs_users_lock);
	old = xa_load(&mn->hs_users, uid);
	n = old ? xa_to_value(old) : 0;
	if (WARN_ON_ONCE(!n))
		goto out;
	if (n == 1)
		xa_erase(&mn->hs_users, uid);
	else
		xa_store(&mn->hs_users, uid, xa_mk_value(n - 1), GFP_KERNEL);
out:
	mutex_unlock(&mn->hs_users_lock);
}
