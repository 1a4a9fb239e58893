// SPDX-License-Identifier: LGPL-2.1
/*
 * libm2msec: socket family lookup and naming helpers.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

#include "../../kmod/version.h"
#include "m2msec.h"

int m2msec_family(void)
{
	FILE *f;
	int nr, ok;

	f = fopen(M2MSEC_FAMILY_SYSFS, "re");
	if (!f)
		return -1;
	ok = fscanf(f, "%d", &nr) == 1 && nr > 0;
	fclose(f);
	if (!ok) {
		errno = EIO;
		return -1;
	}
	return nr;
}

int m2msec_socket(int type, int protocol)
{
	int family = m2msec_family();

	if (family < 0)
		return -1;
	return socket(family, type, protocol);
}

const char *m2msec_dtls_version_name(uint16_t v)
{
	switch (v) {
	case M2MSEC_DTLS_1_2:
		return "DTLS 1.2";
	case M2MSEC_DTLS_1_3:
		return "DTLS 1.3";
	default:
		return "unknown";
	}
}

const char *m2msec_version(void)
{
	return M2MSEC_VERSION;
}
