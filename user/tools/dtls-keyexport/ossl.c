// SPDX-License-Identifier: GPL-2.0
/*
 * dtls-keyexport: DTLS 1.2 handshake with OpenSSL (3.0 has no DTLS 1.3).
 *
 * After the handshake the session's master secret and both randoms give
 * the key block (kdf.c).  OpenSSL has no public API for the record
 * sequence numbers, so a BIO callback watches every datagram instead.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "kx.h"

static long bio_cb(BIO *b, int oper, const char *argp, size_t len, int argi,
		   long argl, int ret, size_t *processed)
{
	struct kx_observer *obs = (struct kx_observer *)BIO_get_callback_arg(b);

	(void)argi;
	(void)argl;
	if (ret > 0 && oper == (BIO_CB_READ | BIO_CB_RETURN) && processed)
		kx_observe(obs, 0, (const uint8_t *)argp, *processed);
	else if (ret > 0 && oper == (BIO_CB_WRITE | BIO_CB_RETURN))
		kx_observe(obs, 1, (const uint8_t *)argp,
			   processed ? *processed : len);
	return ret;
}

static unsigned int psk_client_cb(SSL *ssl, const char *hint, char *identity,
				  unsigned int max_id, unsigned char *psk,
				  unsigned int max_psk)
{
	const struct kx_opts *o = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

	(void)hint;
	if (strlen(o->psk_identity) >= max_id || o->psk_len > max_psk)
		return 0;
	strcpy(identity, o->psk_identity);
	memcpy(psk, o->psk, o->psk_len);
	return o->psk_len;
}

static unsigned int psk_server_cb(SSL *ssl, const char *identity,
				  unsigned char *psk, unsigned int max_psk)
{
	const struct kx_opts *o = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

	if (!identity || strcmp(identity, o->psk_identity) ||
	    o->psk_len > max_psk) {
		fprintf(stderr, "dtls-keyexport: unknown PSK identity '%s'\n",
			identity ? identity : "");
		return 0;
	}
	memcpy(psk, o->psk, o->psk_len);
	return o->psk_len;
}

static int setup_ctx(SSL_CTX *ctx, const struct kx_opts *o)
{
	const char *list = o->cipher;

	SSL_CTX_set_app_data(ctx, (void *)o);
	if (!SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION))
		return -1;
	/* No tickets: nothing but the handshake is in flight at the end. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	if (!list)
		list = o->psk_identity ? "PSK-AES128-CCM8" :
			"ECDHE-ECDSA-AES128-GCM-SHA256";
	if (!SSL_CTX_set_cipher_list(ctx, list)) {
		fprintf(stderr, "dtls-keyexport: OpenSSL rejects the cipher list '%s'\n",
			list);
		return -1;
	}
	if (o->psk_identity) {
		if (o->role == KX_CLIENT)
			SSL_CTX_set_psk_client_callback(ctx, psk_client_cb);
		else
			SSL_CTX_set_psk_server_callback(ctx, psk_server_cb);
	}
	if (o->cert && (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1 ||
			SSL_CTX_use_PrivateKey_file(ctx, o->key,
						    SSL_FILETYPE_PEM) != 1)) {
		fprintf(stderr, "dtls-keyexport: cannot load --cert %s / --key %s\n",
			o->cert, o->key);
		return -1;
	}
	if (o->ca) {
		if (SSL_CTX_load_verify_locations(ctx, o->ca, NULL) != 1) {
			fprintf(stderr, "dtls-keyexport: cannot load --ca %s\n",
				o->ca);
			return -1;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
				   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	}
	return 0;
}

int kx_openssl_handshake(const struct kx_opts *o, int fd,
			 struct kx_session *s, struct kx_observer *obs)
{
	SSL_CTX *ctx;
	SSL *ssl = NULL;
	BIO *bio;
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	int ret = -1, err;

	if (o->version != M2MSEC_DTLS_1_2) {
		fprintf(stderr, "dtls-keyexport: OpenSSL 3.0 has no DTLS 1.3; use --lib wolfssl\n");
		return -1;
	}
	if (o->cid_len) {
		fprintf(stderr, "dtls-keyexport: OpenSSL has no DTLS Connection ID support; use --lib wolfssl\n");
		return -1;
	}
	ctx = SSL_CTX_new(o->role == KX_CLIENT ? DTLS_client_method() :
			  DTLS_server_method());
	if (!ctx || setup_ctx(ctx, o))
		goto out;
	ssl = SSL_new(ctx);
	bio = BIO_new_dgram(fd, BIO_NOCLOSE);
	if (!ssl || !bio)
		goto out;
	/* The socket is connected: the BIO must not sendto() a zero peer. */
	if (getpeername(fd, (struct sockaddr *)&peer, &plen) ||
	    BIO_ctrl(bio, BIO_CTRL_DGRAM_SET_CONNECTED, 0, &peer) != 1)
		goto out;
	BIO_set_callback_ex(bio, bio_cb);
	BIO_set_callback_arg(bio, (char *)obs);
	SSL_set_bio(ssl, bio, bio);
	err = o->role == KX_CLIENT ? SSL_connect(ssl) : SSL_accept(ssl);
	if (err != 1) {
		fprintf(stderr, "dtls-keyexport: OpenSSL DTLS handshake failed (SSL error %d, errno %d, certificate check: %s)\n",
			SSL_get_error(ssl, err), errno,
			X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
		goto out;
	}

	s->version = M2MSEC_DTLS_1_2;
	s->suite = SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(ssl));
	if (kx_suite_info(s->version, s->suite, &s->cipher, &s->prf_hash)) {
		fprintf(stderr, "dtls-keyexport: negotiated suite 0x%04x (%s) is not one m2msec offloads\n",
			s->suite, SSL_get_cipher_name(ssl));
		goto out;
	}
	if (SSL_SESSION_get_master_key(SSL_get_session(ssl), s->master,
				       sizeof(s->master)) != sizeof(s->master) ||
	    SSL_get_client_random(ssl, s->client_random, 32) != 32 ||
	    SSL_get_server_random(ssl, s->server_random, 32) != 32)
		goto out;
	ret = 0;
out:
	if (ret)
		ERR_print_errors_fp(stderr);
	/*
	 * Free without SSL_shutdown(): a close_notify would end the session
	 * the kernel is about to take over.
	 */
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return ret;
}
