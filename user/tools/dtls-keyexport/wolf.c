// SPDX-License-Identifier: GPL-2.0
/*
 * dtls-keyexport: DTLS 1.2 and 1.3 handshakes with wolfSSL.
 *
 * DTLS 1.3: the secret callback (HAVE_SECRET_CALLBACK) hands over the
 * client and server application traffic secrets; kdf.c expands them.
 * DTLS 1.2: wolfSSL_KeepArrays() keeps the master secret and randoms for
 * wolfSSL_get_keys().  wolfSSL's record sequence state is not public in
 * this build (no ATOMIC_USER), so wrapped I/O callbacks watch the wire.
 */
#include <stdio.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfio.h>

#include "kx.h"

#ifndef HAVE_SECRET_CALLBACK
#error "wolfSSL consumers must be built with the defines of /var/cache/m2msec/wolfssl/cflags (HAVE_SECRET_CALLBACK)"
#endif

struct wolf_state {
	const struct kx_opts *o;
	struct kx_session *s;
	struct kx_observer *obs;
	void *rctx, *wctx;	/* wolfSSL's own I/O contexts */
	unsigned int have;	/* bit 0: client secret, bit 1: server secret */
};

static int io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct wolf_state *w = ctx;
	int n = EmbedReceiveFrom(ssl, buf, sz, w->rctx);

	if (n > 0)
		kx_observe(w->obs, 0, (const uint8_t *)buf, n);
	return n;
}

static int io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct wolf_state *w = ctx;
	int n = EmbedSendTo(ssl, buf, sz, w->wctx);

	if (n > 0)
		kx_observe(w->obs, 1, (const uint8_t *)buf, n);
	return n;
}

/* Both application secrets known: give the observer the sn keys. */
static void secrets_ready(WOLFSSL *ssl, struct wolf_state *w)
{
	struct m2msec_kf_dir tx, rx;
	struct kx_session *s = w->s;
	unsigned int sz = 0;

	s->suite = wolfSSL_get_current_cipher_suite(ssl);
	if (kx_suite_info(M2MSEC_DTLS_1_3, s->suite, &s->cipher, &s->prf_hash))
		return;
	if (kx_derive13(s, w->o->role, &tx, &rx) == 0) {
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
	struct wolf_state *w = ctx;

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

static const char *default_suite(const struct kx_opts *o)
{
	if (o->version == M2MSEC_DTLS_1_3)
		return "TLS13-AES128-GCM-SHA256";
	return o->psk_identity ? "PSK-AES128-CCM-8" :
		"ECDHE-ECDSA-AES128-GCM-SHA256";
}

static unsigned int psk_client12(WOLFSSL *ssl, const char *hint, char *id,
				 unsigned int id_max, unsigned char *key,
				 unsigned int key_max)
{
	const struct kx_opts *o = wolfSSL_get_psk_callback_ctx(ssl);

	(void)hint;
	if (strlen(o->psk_identity) >= id_max || o->psk_len > key_max)
		return 0;
	strcpy(id, o->psk_identity);
	memcpy(key, o->psk, o->psk_len);
	return o->psk_len;
}

static unsigned int psk_server12(WOLFSSL *ssl, const char *id,
				 unsigned char *key, unsigned int key_max)
{
	const struct kx_opts *o = wolfSSL_get_psk_callback_ctx(ssl);

	if (!id || strcmp(id, o->psk_identity) || o->psk_len > key_max) {
		fprintf(stderr, "dtls-keyexport: unknown PSK identity '%s'\n",
			id ? id : "");
		return 0;
	}
	memcpy(key, o->psk, o->psk_len);
	return o->psk_len;
}

static unsigned int psk_client13(WOLFSSL *ssl, const char *hint, char *id,
				 unsigned int id_max, unsigned char *key,
				 unsigned int key_max, const char **suite)
{
	const struct kx_opts *o = wolfSSL_get_psk_callback_ctx(ssl);

	*suite = o->cipher ? o->cipher : default_suite(o);
	return psk_client12(ssl, hint, id, id_max, key, key_max);
}

static unsigned int psk_server13(WOLFSSL *ssl, const char *id,
				 unsigned char *key, unsigned int key_max,
				 const char **suite)
{
	const struct kx_opts *o = wolfSSL_get_psk_callback_ctx(ssl);

	*suite = o->cipher ? o->cipher : default_suite(o);
	return psk_server12(ssl, id, key, key_max);
}

static WOLFSSL_CTX *new_ctx(const struct kx_opts *o)
{
	int v13 = o->version == M2MSEC_DTLS_1_3, cli = o->role == KX_CLIENT;
	WOLFSSL_METHOD *m;
	WOLFSSL_CTX *ctx;
	const char *list = o->cipher ? o->cipher : default_suite(o);

	if (v13)
		m = cli ? wolfDTLSv1_3_client_method() :
			wolfDTLSv1_3_server_method();
	else
		m = cli ? wolfDTLSv1_2_client_method() :
			wolfDTLSv1_2_server_method();
	ctx = m ? wolfSSL_CTX_new(m) : NULL;
	if (!ctx)
		return NULL;
	if (wolfSSL_CTX_set_cipher_list(ctx, list) != WOLFSSL_SUCCESS) {
		fprintf(stderr, "dtls-keyexport: wolfSSL rejects the cipher list '%s'\n",
			list);
		goto err;
	}
	if (o->psk_identity) {
		wolfSSL_CTX_set_psk_callback_ctx(ctx, (void *)o);
		if (cli && v13)
			wolfSSL_CTX_set_psk_client_tls13_callback(ctx, psk_client13);
		else if (cli)
			wolfSSL_CTX_set_psk_client_callback(ctx, psk_client12);
		else if (v13)
			wolfSSL_CTX_set_psk_server_tls13_callback(ctx, psk_server13);
		else
			wolfSSL_CTX_set_psk_server_callback(ctx, psk_server12);
	}
	if (o->cert &&
	    (wolfSSL_CTX_use_certificate_chain_file(ctx, o->cert) != WOLFSSL_SUCCESS ||
	     wolfSSL_CTX_use_PrivateKey_file(ctx, o->key, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS)) {
		fprintf(stderr, "dtls-keyexport: cannot load --cert %s / --key %s\n",
			o->cert, o->key);
		goto err;
	}
	if (o->ca) {
		if (wolfSSL_CTX_load_verify_locations(ctx, o->ca, NULL) != WOLFSSL_SUCCESS) {
			fprintf(stderr, "dtls-keyexport: cannot load --ca %s\n",
				o->ca);
			goto err;
		}
		wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER |
				       WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	} else {
		wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_NONE, NULL);
	}
	return ctx;
err:
	wolfSSL_CTX_free(ctx);
	return NULL;
}

static int get_cids(WOLFSSL *ssl, struct kx_session *s)
{
	unsigned int rx = 0, tx = 0;

	if (!wolfSSL_dtls_cid_is_enabled(ssl)) {
		fprintf(stderr, "dtls-keyexport: the peer did not agree to use a Connection ID\n");
		return -1;
	}
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

	s->suite = wolfSSL_get_current_cipher_suite(ssl);
	if (kx_suite_info(M2MSEC_DTLS_1_2, s->suite, &s->cipher, &s->prf_hash))
		return -1;
	if (wolfSSL_get_keys(ssl, &ms, &msl, &sr, &srl, &cr, &crl) !=
	    WOLFSSL_SUCCESS || msl != 48 || srl != 32 || crl != 32)
		return -1;
	memcpy(s->master, ms, 48);
	memcpy(s->server_random, sr, 32);
	memcpy(s->client_random, cr, 32);
	return 0;
}

int kx_wolfssl_handshake(const struct kx_opts *o, int fd,
			 struct kx_session *s, struct kx_observer *obs)
{
	struct wolf_state w = { .o = o, .s = s, .obs = obs };
	WOLFSSL_CTX *ctx;
	WOLFSSL *ssl = NULL;
	int ret = -1, err;
	char msg[WOLFSSL_MAX_ERROR_SZ];

	wolfSSL_Init();
	ctx = new_ctx(o);
	if (!ctx)
		goto out;
	ssl = wolfSSL_new(ctx);
	if (!ssl || wolfSSL_set_dtls_fd_connected(ssl, fd) != WOLFSSL_SUCCESS)
		goto out;
	w.rctx = wolfSSL_GetIOReadCtx(ssl);
	w.wctx = wolfSSL_GetIOWriteCtx(ssl);
	wolfSSL_SSLSetIORecv(ssl, io_recv);
	wolfSSL_SSLSetIOSend(ssl, io_send);
	wolfSSL_SetIOReadCtx(ssl, &w);
	wolfSSL_SetIOWriteCtx(ssl, &w);
	if (o->cid_len) {
		if (wolfSSL_dtls_cid_use(ssl) != WOLFSSL_SUCCESS ||
		    wolfSSL_dtls_cid_set(ssl, (unsigned char *)o->cid,
					 o->cid_len) != WOLFSSL_SUCCESS) {
			fprintf(stderr, "dtls-keyexport: wolfSSL refuses the %zu-byte Connection ID (this build allows at most DTLS_CID_MAX_SIZE bytes)\n",
				o->cid_len);
			goto out;
		}
		obs->rx_cid_len = o->cid_len;
	}
	if (o->version == M2MSEC_DTLS_1_3) {
		wolfSSL_set_tls13_secret_cb(ssl, secret_cb, &w);
		/* No NewSessionTicket in flight when the kernel takes over. */
		if (o->role == KX_SERVER)
			wolfSSL_no_ticket_TLSv13(ssl);
	} else {
		wolfSSL_KeepArrays(ssl);
	}

	err = o->role == KX_CLIENT ? wolfSSL_connect(ssl) : wolfSSL_accept(ssl);
	if (err != WOLFSSL_SUCCESS) {
		err = wolfSSL_get_error(ssl, err);
		fprintf(stderr, "dtls-keyexport: wolfSSL DTLS handshake failed: %s\n",
			wolfSSL_ERR_error_string(err, msg));
		goto out;
	}
	s->version = o->version;
	if (o->version == M2MSEC_DTLS_1_3) {
		if (w.have != 3 || !s->cipher) {
			fprintf(stderr, "dtls-keyexport: no application traffic secrets from wolfSSL (suite 0x%04x)\n",
				s->suite);
			goto out;
		}
	} else if (keys12(ssl, s)) {
		fprintf(stderr, "dtls-keyexport: cannot read the DTLS 1.2 key material (suite 0x%04x, %s)\n",
			s->suite, wolfSSL_get_cipher_name(ssl));
		goto out;
	}
	if (o->cid_len && get_cids(ssl, s))
		goto out;
	ret = 0;
out:
	/* No wolfSSL_shutdown(): the session continues in the kernel. */
	if (ssl && o->version == M2MSEC_DTLS_1_2)
		wolfSSL_FreeArrays(ssl);
	wolfSSL_free(ssl);
	wolfSSL_CTX_free(ctx);
	wolfSSL_Cleanup();
	return ret;
}
