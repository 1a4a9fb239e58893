/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where differences between the supported kernels (Debian's
 * 6.1 and 6.12) are handled.  Nothing else in m2msec.ko tests
 * LINUX_VERSION_CODE.
 */
#ifndef _M2MSEC_COMPAT_H
#define _M2MSEC_COMPAT_H

#include <linux/version.h>

/*
 * The number of address family slots: sock_register() refuses
 * family >= NPROTO.  Both kernels define NPROTO as AF_MAX.
 */
#include <linux/net.h>
#define M2MSEC_NPROTO NPROTO

/*
 * Generic netlink dumps: struct genl_dumpit_info holds the request's
 * attributes and family directly up to 6.1, inside a struct genl_info
 * since 6.2.
 */
#include <net/genetlink.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define m2msec_dump_attrs(cb)	(genl_dumpit_info(cb)->info.attrs)
#define m2msec_dump_family(cb)	(genl_dumpit_info(cb)->info.family)
#else
#define m2msec_dump_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#define m2msec_dump_family(cb)	(genl_dumpit_info(cb)->family)
#endif

#endif /* _M2MSEC_COMPAT_H */
