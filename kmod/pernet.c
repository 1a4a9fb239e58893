// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: the settings an administrator changes with
 * M2MSEC_CMD_SET_CONFIG.  Each namespace starts from the defaults below.
 */
#include <linux/mutex.h>
#include <net/netns/generic.h>

#include "m2msec.h"

static unsigned int m2msec_net_id __read_mostly;

static const struct m2msec_net_cfg m2msec_cfg_defaults = {
	.replay_window		= 1024,
	.ctrl_queue_max		= 64,
	.esprim_max_object	= 65536,
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

	mutex_init(&mn->cfg_lock);
	mn->cfg = m2msec_cfg_defaults;
	mutex_init(&mn->socks_lock);
	INIT_LIST_HEAD(&mn->socks);
	m2msec_esprim_net_init(&mn->esprim);
	return 0;
}

static struct pernet_operations m2msec_net_ops = {
	.init	= m2msec_net_init,
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
