// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: the settings an administrator changes with
 * M2MSEC_CMD_SET_CONFIG.  Each namespace starts from the defaults below.
 */
#include <linux/mutex.h>
#include <net/netns/generic.h>

#include "handshake.h"

static unsigned int m2msec_net_id __read_mostly;

static const struct m2msec_net_cfg m2msec_cfg_defaults = {
	.replay_window		= 1024,
	.ctrl_queue_max		= 64,
	.esprim_max_object	= 65536,
	.hs_sock_max		= 64,
	.hs_net_max		= 1024,
	.hs_timeout_ms		= 10000,
	.hs_rate		= 10,
	.hs_burst		= 20,
	.hs_queue_max		= 32,
	.hs_hello_max		= 64,
	.hs_hello_bytes		= 131072,
	.assoc_sock_max		= 65536,
	.assoc_net_max		= 262144,
	.hs_user_max		= 16,
};

/**
 * m2msec_net() - m2msec state of a network namespace
 * @net: the namespace
 *
 * Return: the state; valid as long as @net is.
 */
struct m2msec_net *m2msec_net(const struct net *net)
{
	return net_generic(net, m2msec_net_id);
}

static int __net_init m2msec_net_init(struct net *net)
{
	struct m2msec_net *mn = m2msec_net(net);
	int err;

	mn->stats = m2msec_pcpu_net_alloc();
	if (!mn->stats)
		return -ENOMEM;
	mutex_init(&mn->cfg_lock);
	mn->cfg = m2msec_cfg_defaults;
	mutex_init(&mn->socks_lock);
	INIT_LIST_HEAD(&mn->socks);
	m2msec_esprim_net_init(&mn->esprim);
	/* Handshake requests are created in softirq: BH-safe id table. */
	xa_init_flags(&mn->hs_ids, XA_FLAGS_ALLOC1 | XA_FLAGS_LOCK_BH);
	atomic_set(&mn->hs_count, 0);
	atomic_set(&mn->assoc_count, 0);
	mutex_init(&mn->hs_users_lock);
	xa_init(&mn->hs_users);
	err = m2msec_hs_rl_init(mn);
	if (err)
		free_percpu(mn->stats);
	return err;
}

/* Requests hold their socket, sockets their namespace: none is left. */
static void __net_exit m2msec_net_exit(struct net *net)
{
	struct m2msec_net *mn = m2msec_net(net);

	WARN_ON_ONCE(!xa_empty(&mn->hs_ids));
	xa_destroy(&mn->hs_ids);
	WARN_ON_ONCE(!xa_empty(&mn->hs_users));
	xa_destroy(&mn->hs_users);
	m2msec_hs_rl_exit(mn);
	free_percpu(mn->stats);
}

static struct pernet_operations m2msec_net_ops = {
	.init	= m2msec_net_init,
	.exit	= m2msec_net_exit,
	.id	= &m2msec_net_id,
	.size	= sizeof(struct m2msec_net),
};

int m2msec_pernet_init(void)
{
	return register_pernet_subsys(&m2msec_net_ops);
}

void m2msec_pernet_exit(void)
{
	unregister_pernet_subsys(&m2msec_net_ops);
}
