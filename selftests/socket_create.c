// SPDX-License-Identifier: GPL-2.0
/*
 * socket(2) in the m2msec family: the supported type/protocol pairs are
 * created, everything else fails with the errno inet would give.
 *
 * Usage: socket_create            run the checks (KTAP)
 *        socket_create --churn N  create and close N sockets of each
 *                                 protocol (used by the load/unload test)
 */
#include <sys/socket.h>
#include <unistd.h>

#include "../user/lib/m2msec.h"
#include "ktap.h"

struct sock_case {
	const char *what;
	int type, proto, err;
};

static const struct sock_case cases[] = {
	{ "SOCK_DGRAM with protocol 0 creates a DTLS socket",
	  SOCK_DGRAM, 0, 0 },
	{ "SOCK_DGRAM with M2MSEC_PROTO_DTLS creates a DTLS socket",
	  SOCK_DGRAM, M2MSEC_PROTO_DTLS, 0 },
	{ "SOCK_SEQPACKET with protocol 0 creates an ESPrim socket",
	  SOCK_SEQPACKET, 0, 0 },
	{ "SOCK_SEQPACKET with M2MSEC_PROTO_ESPRIM creates an ESPrim socket",
	  SOCK_SEQPACKET, M2MSEC_PROTO_ESPRIM, 0 },
	{ "SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC is accepted",
	  SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, 0 },
	{ "SOCK_STREAM is refused with ESOCKTNOSUPPORT",
	  SOCK_STREAM, 0, ESOCKTNOSUPPORT },
	{ "SOCK_RAW is refused with ESOCKTNOSUPPORT",
	  SOCK_RAW, 0, ESOCKTNOSUPPORT },
	{ "SOCK_RDM is refused with ESOCKTNOSUPPORT",
	  SOCK_RDM, 0, ESOCKTNOSUPPORT },
	{ "SOCK_DGRAM with M2MSEC_PROTO_ESPRIM is refused with EPROTONOSUPPORT",
	  SOCK_DGRAM, M2MSEC_PROTO_ESPRIM, EPROTONOSUPPORT },
	{ "SOCK_SEQPACKET with M2MSEC_PROTO_DTLS is refused with EPROTONOSUPPORT",
	  SOCK_SEQPACKET, M2MSEC_PROTO_DTLS, EPROTONOSUPPORT },
	{ "an unknown protocol (99) is refused with EPROTONOSUPPORT",
	  SOCK_DGRAM, 99, EPROTONOSUPPORT },
	{ "a negative protocol is refused with EPROTONOSUPPORT",
	  SOCK_DGRAM, -1, EPROTONOSUPPORT },
};

#define N_CASES (int)(sizeof(cases) / sizeof(cases[0]))

static int run_case(int family, const struct sock_case *c)
{
	int fd = socket(family, c->type, c->proto);
	int err = fd < 0 ? errno : 0;

	if (fd >= 0)
		close(fd);
	if (err != c->err)
		ktap_diag("expected errno %d (%s), got %d (%s)", c->err,
			  strerror(c->err), err, strerror(err));
	return err == c->err;
}

/* Open and close sockets of both protocols, for leak checks. */
static int churn(int family, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		int a = socket(family, SOCK_DGRAM, 0);
		int b = socket(family, SOCK_SEQPACKET, 0);

		if (a < 0 || b < 0) {
			perror("socket");
			return 1;
		}
		close(a);
		close(b);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int family, i;

	family = m2msec_family();
	if (family < 0) {
		fprintf(stderr, "m2msec not loaded: %s\n", strerror(errno));
		return KSFT_FAIL;
	}
	if (argc == 3 && !strcmp(argv[1], "--churn"))
		return churn(family, strtol(argv[2], NULL, 0));

	ktap_plan(N_CASES);
	ktap_diag("socket family %d", family);
	for (i = 0; i < N_CASES; i++)
		ktap_result(run_case(family, &cases[i]), "socket: %s",
			    cases[i].what);
	return ktap_exit();
}
