// SPDX-License-Identifier: GPL-2.0
/*
 * dtls-keyexport: DTLS 1.2 and 1.3 handshakes with wolfSSL.
 *
 * The export itself (secrets, key block, CIDs) is user/lib/kx_wolf.c;
 * here wrapped I/O callbacks feed the datagrams to the observer.
 */
#include <stdio.h>
#include <string.h>

#include "../../lib/kx_wolf.h"
#include <wolfssl/wolfio.h>

#include "kx.h"

struct wolf_state {
	const struct kx_opts *o;
	struct kx_observer *obs;
	struct kx_wolf kw;
	void *rctx, *wctx;	/* wolfSSL's own I/O contexts */
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

int kx_wolfssl_handshake(const struct kx_opts *o, int fd,
			 struct kx_session *s, struct kx_observer *obs)
{
	struct wolf_state w = {
		.o = o, .obs = obs,
		.kw = { .s = s, .obs = obs, .role = o->role },
	};
	WOLFSSL_CTX *ctx;
	WOLFSSL *ssl = NULL;
	int ret = -1, err;
	char msg[WOLFSSL_MAX_ERROR_SZ > 256 ? WOLFSSL_MAX_ERROR_SZ : 256];

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
	kx_wolf_prepare(ssl, &w.kw);

	err = o->role == KX_CLIENT ? wolfSSL_connect(ssl) : wolfSSL_accept(ssl);
	if (err != WOLFSSL_SUCCESS) {
		err = wolfSSL_get_error(ssl, err);
		fprintf(stderr, "dtls-keyexport: wolfSSL DTLS handshake failed: %s\n",
			wolfSSL_ERR_error_string(err, msg));
		goto out;
	}
	if (o->cid_len && !wolfSSL_dtls_cid_is_enabled(ssl)) {
		fprintf(stderr, "dtls-keyexport: the peer did not agree to use a Connection ID\n");
		goto out;
	}
	if (kx_wolf_collect(ssl, &w.kw, msg, sizeof(msg))) {
		fprintf(stderr, "dtls-keyexport: %s\n", msg);
		goto out;
	}
	ret = 0;
out:
	/* No wolfSSL_shutdown(): the session continues in the kernel. */
	wolfSSL_free(ssl);
	wolfSSL_CTX_free(ctx);
	wolfSSL_Cleanup();
	return ret;
}
