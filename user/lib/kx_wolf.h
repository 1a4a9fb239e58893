/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * wolfSSL glue of the key export (kx.h): what has to be asked of a WOLFSSL
 * object before its handshake so that the session's keys can be exported
 * afterwards, and the export itself.
 *
 * DTLS 1.3: the secret callback (HAVE_SECRET_CALLBACK) hands over the
 * client and server application traffic secrets.  DTLS 1.2:
 * wolfSSL_KeepArrays() keeps the master secret and randoms for
 * wolfSSL_get_keys().  wolfSSL's record sequence state is not public in
 * this build (no ATOMIC_USER), so the caller's I/O callbacks feed every
 * datagram to the observer (kx_observe()).
 *
 * Consumers must be compiled with the defines in
 * /var/cache/m2msec/wolfssl/cflags.
 */
#ifndef M2MSEC_KX_WOLF_H
#define M2MSEC_KX_WOLF_H

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "kx.h"

#ifndef HAVE_SECRET_CALLBACK
#error "wolfSSL consumers must be built with the defines of /var/cache/m2msec/wolfssl/cflags (HAVE_SECRET_CALLBACK)"
#endif

/**
 * struct kx_wolf - export state of one wolfSSL session
 * @s: filled in as the handshake goes (secrets) and by kx_wolf_collect()
 * @obs: the observer the caller's I/O callbacks feed
 * @role: our side
 * @have: bit 0: client application secret seen, bit 1: server secret
 */
struct kx_wolf {
	struct kx_session *s;
	struct kx_observer *obs;
	enum kx_role role;
	unsigned int have;
};

/**
 * kx_wolf_prepare() - ask @ssl to keep what the export needs
 * @ssl: a session whose handshake has not started
 * @w: export state; must stay valid until kx_wolf_collect()
 *
 * Sets the TLS 1.3 secret callback and keeps the DTLS 1.2 arrays, so one
 * session may negotiate either version.  A DTLS 1.3 server sends no
 * NewSessionTicket: nothing may be in flight when the kernel takes over.
 */
void kx_wolf_prepare(WOLFSSL *ssl, struct kx_wolf *w);

/**
 * kx_wolf_collect() - read the negotiated session out of @ssl
 * @ssl: a session whose handshake completed
 * @w: the state given to kx_wolf_prepare()
 * @err: receives a message on failure
 * @errlen: size of @err
 *
 * Fills @w->s: version, suite, cipher, PRF hash, DTLS 1.2 master secret and
 * randoms (the arrays are freed afterwards) or checks that both DTLS 1.3
 * secrets arrived, and the CIDs when the session uses them.
 *
 * Return: 0, or -1 with @err set (e.g. a suite the kernel cannot run).
 */
int kx_wolf_collect(WOLFSSL *ssl, struct kx_wolf *w, char *err,
		    size_t errlen);

#endif /* M2MSEC_KX_WOLF_H */
