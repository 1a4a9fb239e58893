/* SPDX-License-Identifier: GPL-2.0 */
/* m2msecctl: DTLS associations and counters. */
#ifndef M2MSECCTL_DTLS_H
#define M2MSECCTL_DTLS_H

#include <stdint.h>

#include "lib/genl.h"

int ctl_assoc(struct m2msec_genl *g, int json, int argc, char **argv);
const char *ctl_cipher_name(uint32_t cipher);
int ctl_stats(struct m2msec_genl *g, int json, int argc, char **argv);

#endif
