/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The version of m2msec, in one place: the module (MODULE_VERSION, the
 * genl INFO reply) and every userspace program (--version) print it.
 */
#ifndef M2MSEC_VERSION_H
#define M2MSEC_VERSION_H

#define M2MSEC_VERSION "0.1.0"

#endif
