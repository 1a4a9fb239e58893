// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecd: cipher suite policy.
 *
 * Only suites whose records the kernel protects are ever negotiated: the
 * AEAD suites of kmod/cipher.c (AES-GCM, AES-CCM, AES-CCM-8,
 * ChaCha20-Poly1305).  The oneM2M mandatory suites (TS-0003 8.2.1:
 * TLS_PSK_WITH_AES_128_CCM_8, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8) are in
 * the default list.  A CBC suite would have to run its records in
 * userspace; it is refused when the configuration is read, never run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "m2msecd.h"

static const struct {
	const char *name;	/* wolfSSL's spelling */
	const char *alias;	/* OpenSSL's, when different */
	int v13;
} allowed[] = {
	{ "TLS13-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256", 1 },
	{ "TLS13-AES256-GCM-SHA384", "TLS_AES_256_GCM_SHA384", 1 },
	{ "TLS13-CHACHA20-POLY1305-SHA256", "TLS_CHACHA20_POLY1305_SHA256", 1 },
	{ "TLS13-AES128-CCM-SHA256", "TLS_AES_128_CCM_SHA256", 1 },
	{ "TLS13-AES128-CCM-8-SHA256", "TLS_AES_128_CCM_8_SHA256", 1 },
	{ "PSK-AES128-CCM-8", "PSK-AES128-CCM8", 0 },
	{ "PSK-AES128-CCM", NULL, 0 },
	{ "PSK-AES128-GCM-SHA256", NULL, 0 },
	{ "PSK-AES256-GCM-SHA384", NULL, 0 },
	{ "PSK-CHACHA20-POLY1305", NULL, 0 },
	{ "ECDHE-ECDSA-AES128-CCM-8", "ECDHE-ECDSA-AES128-CCM8", 0 },
	{ "ECDHE-ECDSA-AES128-CCM", NULL, 0 },
	{ "ECDHE-ECDSA-AES128-GCM-SHA256", NULL, 0 },
	{ "ECDHE-ECDSA-AES256-GCM-SHA384", NULL, 0 },
	{ "ECDHE-ECDSA-CHACHA20-POLY1305", NULL, 0 },
	{ "ECDHE-RSA-AES128-GCM-SHA256", NULL, 0 },
	{ "ECDHE-RSA-AES256-GCM-SHA384", NULL, 0 },
	{ "ECDHE-RSA-CHACHA20-POLY1305", NULL, 0 },
};

const char hsd_default_ciphers[] =
	"TLS13-AES128-GCM-SHA256:TLS13-AES256-GCM-SHA384:"
	"TLS13-CHACHA20-POLY1305-SHA256:TLS13-AES128-CCM-SHA256:"
	"TLS13-AES128-CCM-8-SHA256:"
	"PSK-AES128-CCM-8:ECDHE-ECDSA-AES128-CCM-8:"
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
	"ECDHE-ECDSA-CHACHA20-POLY1305:PSK-AES128-GCM-SHA256:"
	"PSK-AES256-GCM-SHA384:PSK-CHACHA20-POLY1305:"
	"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384";

/* Return: index into allowed[], or -1. */
static int lookup(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (!strcmp(name, allowed[i].name) ||
		    (allowed[i].alias && !strcmp(name, allowed[i].alias)))
			return i;
	return -1;
}

/* wolfSSL's name of an allowed suite given in either spelling, or NULL. */
const char *hsd_suite_canonical(const char *name)
{
	int i = lookup(name);

	return i < 0 ? NULL : allowed[i].name;
}

int hsd_suite_check(const char *name, char *why, size_t whylen)
{
	int i = lookup(name);

	if (i >= 0)
		return allowed[i].v13;
	if (strstr(name, "CBC") || strstr(name, "NULL") ||
	    (strstr(name, "-SHA") && !strstr(name, "GCM") &&
	     !strstr(name, "CCM") && !strstr(name, "CHACHA")))
		snprintf(why, whylen, "'%s' is not an AEAD suite (CBC or NULL encryption): the m2msec record layer runs only AEAD suites and never protects records in userspace; remove it",
			 name);
	else
		snprintf(why, whylen, "'%s' is not a suite m2msecd negotiates (see m2msecd(8) for the list: AES-GCM, AES-CCM, AES-CCM-8 and ChaCha20-Poly1305 suites)",
			 name);
	return -1;
}

/*
 * The suites of @list a client can complete with its credentials, in the
 * order of @list (the oneM2M mandatory suites stay first): PSK suites when
 * it has a PSK for the server (@kinds & HSD_SUITES_PSK), ECDHE suites when
 * it has a certificate, trust anchors or raw public keys
 * (HSD_SUITES_CERT).  A suite the client cannot complete must not be
 * offered: a DTLS 1.2 server may pick it, and the handshake then fails
 * although a suite both sides can complete was on the list.  DTLS 1.3
 * suites do not name the authentication and are always kept.
 *
 * Return: a new ':' separated list (free()), NULL when out of memory.  If
 * no DTLS 1.2 suite is left (a client with neither), the whole of @list:
 * the handshake then fails with the reason (no PSK, an untrusted
 * certificate), not for want of suites.
 */
char *hsd_suites_for(const char *list, unsigned int kinds)
{
	char *out = malloc(strlen(list) + 1), *copy = strdup(list);
	char *name, *save;
	int v12 = 0;
	size_t n = 0;

	if (!out || !copy) {
		free(out);
		free(copy);
		return NULL;
	}
	for (name = strtok_r(copy, ":", &save); name;
	     name = strtok_r(NULL, ":", &save)) {
		if ((!strncmp(name, "PSK-", 4) && !(kinds & HSD_SUITES_PSK)) ||
		    (!strncmp(name, "ECDHE-", 6) && !(kinds & HSD_SUITES_CERT)))
			continue;
		v12 |= !!strncmp(name, "TLS13-", 6);
		n += sprintf(out + n, "%s%s", n ? ":" : "", name);
	}
	free(copy);
	if (!v12)
		strcpy(out, list);
	return out;
}
