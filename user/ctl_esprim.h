/* SPDX-License-Identifier: GPL-2.0 */
/*
 * m2msecctl esprim ...: ESPrim keys, sessions and counters.
 */
#ifndef M2MSECCTL_ESPRIM_H
#define M2MSECCTL_ESPRIM_H

#include "lib/genl.h"

#define CTL_ESPRIM_USAGE \
	"  esprim key add KID KEYFILE|- IDENTITY [--keyring user|session|process]\n" \
	"                 [--timeout SECONDS]\n" \
	"                        add an ESPrim pairwise key (kid KID, bound to the\n" \
	"                        oneM2M IDENTITY) to a keyring; prints its serial;\n" \
	"                        the key is read in hex from KEYFILE or stdin (-)\n" \
	"  esprim key del SERIAL  invalidate a pairwise key (ends its sessions)\n" \
	"  esprim key list       pairwise keys visible to the caller (never the key)\n" \
	"  esprim session list   ESPrim sessions of this network namespace\n" \
	"                        (needs CAP_NET_ADMIN)\n" \
	"  esprim stats          ESPrim counters of this network namespace\n"

/**
 * ctl_esprim() - run "m2msecctl esprim ARGS"
 * @json: print JSON
 * @argc: arguments after "esprim"
 * @argv: the arguments
 *
 * Return: the exit status (0, 1 error, 2 usage).
 */
int ctl_esprim(int json, int argc, char **argv);

#endif /* M2MSECCTL_ESPRIM_H */
