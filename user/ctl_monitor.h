/* SPDX-License-Identifier: GPL-2.0 */
/* m2msecctl: notifications as they happen. */
#ifndef M2MSECCTL_MONITOR_H
#define M2MSECCTL_MONITOR_H

#include "lib/genl.h"

int ctl_monitor(struct m2msec_genl *g, int json, int argc, char **argv);

#endif
