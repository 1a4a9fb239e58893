/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dtls-keyexport: shared definitions of the front end (main.c) and the
 * TLS library back ends (ossl.c, wolf.c).  The key derivations and the
 * record observer are in user/lib/kx.h (shared with m2msecd).
 *
 * The back ends include their library's headers and nothing of the other
 * library: wolfSSL's OpenSSL compatibility layer redefines OpenSSL names.
 */
#ifndef KX_H
#define KX_H

#include <stddef.h>
#include <stdint.h>

#include "../../lib/kx.h"

/* What the user asked for. */
struct kx_opts {
	const char *lib;	/* "openssl" or "wolfssl" */
	uint16_t version;	/* M2MSEC_DTLS_1_2 / _1_3 */
	enum kx_role role;
	const char *psk_identity;
	uint8_t psk[64];
	size_t psk_len;
	const char *cert, *key, *ca;
	const char *cipher;	/* library suite list, or NULL */
	uint8_t cid[M2MSEC_CID_MAX];
	size_t cid_len;		/* 0: no CID */
	int timeout;		/* seconds, for the handshake */
	int verbose;
};

/* Run the handshake on the connected UDP socket @fd; 0 or -1 (printed). */
int kx_openssl_handshake(const struct kx_opts *o, int fd,
			 struct kx_session *s, struct kx_observer *obs);
int kx_wolfssl_handshake(const struct kx_opts *o, int fd,
			 struct kx_session *s, struct kx_observer *obs);

#endif /* KX_H */
