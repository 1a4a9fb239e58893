// SPDX-License-Identifier: LGPL-2.1
/*
 * Key export from wolfSSL sessions (see kx_wolf.h).
 */
#include <stdio.h>
#include <string.h>

#include "kx_wolf.h"

/* Both application secrets known: give the observer the sn keys. */
static void secrets_ready(WOLFSSL *ssl, struct kx_wolf *w)
{
	struct m2msec_kf_dir tx, rx;
	struct kx_session *s = w->s;
	unsigned int sz = 0;

	s->suite = wolfSSL_get_current_cipher_suite(ssl);
	if (kx_suite_info(M2MSEC_DTLS_1_3, s->suite, &s->cipher, &s->prf_hash))
		return;
	if (kx_derive13(s, w->role, &tx, &rx) == 0) {
		w->obs->cipher = s->cipher;
		memcpy(w->obs->tx_sn_key, tx.sn_key, tx.sn_key_len);
		memcpy(w->obs->rx_sn_key, rx.sn_key, rx.sn_key_len);
		w->obs->sn_key_len = tx.sn_key_len;
	}
	explicit_bzero(&tx, sizeof(tx));
	explicit_bzero(&rx, sizeof(rx));
	if (wolfSSL_dtls_cid_is_enabled(ssl) &&
	    wolfSSL_dtls_cid_get_tx_size(ssl, &sz) == WOLFSSL_SUCCESS)
		w->obs->tx_cid_len = sz;
}

static int secret_cb(WOLFSSL *ssl, int id, const unsigned char *secret,
		     int len, void *ctx)
{
	struct kx_wolf *w = ctx;

	if (len <= 0 || len > KX_SECRET_MAX)
		return 0;
	if (id == CLIENT_TRAFFIC_SECRET && !(w->have & 1)) {
		memcpy(w->s->client_secret, secret, len);
		w->have |= 1;
	} else if (id == SERVER_TRAFFIC_SECRET && !(w->have & 2)) {
		memcpy(w->s->server_secret, secret, len);
		w->have |= 2;
	} else {
		return 0;
	}
	w->s->secret_len = len;
	if (w->have == 3)
		secrets_ready(ssl, w);
	return 0;
}

void kx_wolf_prepare(WOLFSSL *ssl, struct kx_wolf *w)
{
	wolfSSL_set_tls13_secret_cb(ssl, secret_cb, w);
	wolfSSL_KeepArrays(ssl);
	if (w->role == KX_SERVER)
		wolfSSL_no_ticket_TLSv13(ssl);
}

static int get_cids(WOLFSSL *ssl, struct kx_session *s)
{
	unsigned int rx = 0, tx = 0;

	if (wolfSSL_dtls_cid_get_rx_size(ssl, &rx) != WOLFSSL_SUCCESS ||
	    wolfSSL_dtls_cid_get_tx_size(ssl, &tx) != WOLFSSL_SUCCESS ||
	    rx > M2MSEC_CID_MAX || tx > M2MSEC_CID_MAX)
		return -1;
	if ((rx && wolfSSL_dtls_cid_get_rx(ssl, s->rx_cid, rx) != WOLFSSL_SUCCESS) ||
	    (tx && wolfSSL_dtls_cid_get_tx(ssl, s->tx_cid, tx) != WOLFSSL_SUCCESS))
		return -1;
	s->rx_cid_len = rx;
	s->tx_cid_len = tx;
	return 0;
}

static int keys12(WOLFSSL *ssl, struct kx_session *s)
{
	unsigned char *ms, *sr, *cr;
	unsigned int msl, srl, crl;

	if (wolfSSL_get_keys(ssl, &ms, &msl, &sr, &srl, &cr, &crl) !=
	    WOLFSSL_SUCCESS || msl != 48 || srl != 32 || crl != 32)
		return -1;
	memcpy(s->master, ms, 48);
	memcpy(s->server_random, sr, 32);
	memcpy(s->client_random, cr, 32);
	return 0;
}

int kx_wolf_collect(WOLFSSL *ssl, struct kx_wolf *w, char *err,
		    size_t errlen)
{
	struct kx_session *s = w->s;
	int ret = -1;

	s->version = wolfSSL_version(ssl) == DTLS1_3_VERSION ?
		M2MSEC_DTLS_1_3 : M2MSEC_DTLS_1_2;
	s->suite = wolfSSL_get_current_cipher_suite(ssl);
	if (kx_suite_info(s->version, s->suite, &s->cipher, &s->prf_hash)) {
		snprintf(err, errlen, "suite 0x%04x (%s) has no record cipher in the kernel",
			 s->suite, wolfSSL_get_cipher_name(ssl));
		goto out;
	}
	if (s->version == M2MSEC_DTLS_1_3 && w->have != 3) {
		snprintf(err, errlen, "no application traffic secrets from wolfSSL (suite 0x%04x)",
			 s->suite);
		goto out;
	}
	if (s->version == M2MSEC_DTLS_1_2 && keys12(ssl, s)) {
		snprintf(err, errlen, "cannot read the DTLS 1.2 key material (suite 0x%04x, %s)",
			 s->suite, wolfSSL_get_cipher_name(ssl));
		goto out;
	}
	if (wolfSSL_dtls_cid_is_enabled(ssl) && get_cids(ssl, s)) {
		snprintf(err, errlen, "cannot read the Connection IDs");
		goto out;
	}
	ret = 0;
out:
	wolfSSL_FreeArrays(ssl);
	return ret;
}
