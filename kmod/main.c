// SPDX-License-Identifier: GPL-2.0
/*
 * m2msec: DTLS record layer and oneM2M ESPrim protection in the kernel.
 *
 * Module entry points.  The socket family is registered last and removed
 * first, so no socket exists before everything it relies on is ready.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include "m2msec.h"

struct workqueue_struct *m2msec_wq;

static int __init m2msec_init(void)
{
	int err;

	m2msec_wq = alloc_workqueue("m2msec", 0, 0);
	if (!m2msec_wq)
		return -ENOMEM;
	err = m2msec_pernet_init();
	if (err)
		goto err_wq;
	err = m2msec_keys_init();
	if (err)
		goto err_pernet;
	err = m2msec_proto_init();
	if (err)
		goto err_keys;
	err = m2msec_genl_init();
	if (err)
		goto err_proto;
	err = m2msec_family_register();
	if (err)
		goto err_genl;

	pr_info("version %s, socket family %d\n", M2MSEC_VERSION,
		m2msec_family_nr());
	return 0;

err_genl:
	m2msec_genl_exit();
err_proto:
	m2msec_proto_exit();
err_keys:
	m2msec_keys_exit();
err_pernet:
	m2msec_pernet_exit();
err_wq:
	destroy_workqueue(m2msec_wq);
	return err;
}

static void __exit m2msec_exit(void)
{
	m2msec_family_unregister();
	m2msec_genl_exit();
	m2msec_proto_exit();
	m2msec_keys_exit();
	m2msec_pernet_exit();
	/* Epochs are freed by RCU work: wait for the callbacks, then drain. */
	rcu_barrier();
	destroy_workqueue(m2msec_wq);
}

module_init(m2msec_init);
module_exit(m2msec_exit);

MODULE_DESCRIPTION("m2msec: DTLS record layer and oneM2M ESPrim offload");
MODULE_LICENSE("GPL");
MODULE_VERSION(M2MSEC_VERSION);
MODULE_ALIAS_GENL_FAMILY(M2MSEC_GENL_NAME);
