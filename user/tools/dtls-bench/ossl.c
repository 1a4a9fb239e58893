// SPDX-License-Identifier: GPL-2.0
/*
 * dtls-bench: OpenSSL DTLS 1.2 in the application (OpenSSL 3.0 has no
 * DTLS 1.3).  One PSK handshake with PSK-AES128-GCM-SHA256, then one
 * SSL_write() / SSL_read() per record on blocking sockets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "bench.h"

struct ossl {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	uint8_t buf[BENCH_MAX_PAYLOAD + 64];
};

static unsigned int psk_client(SSL *ssl, const char *hint, char *id,
			       unsigned int id_max, unsigned char *psk,
			       unsigned int psk_max)
{
	(void)ssl;
	(void)hint;
	if (sizeof(BENCH_PSK_IDENTITY) > id_max || sizeof(bench_psk) > psk_max)
		return 0;
	strcpy(id, BENCH_PSK_IDENTITY);
	memcpy(psk, bench_psk, sizeof(bench_psk));
	return sizeof(bench_psk);
}

static unsigned int psk_server(SSL *ssl, const char *id, unsigned char *psk,
			       unsigned int psk_max)
{
	(void)ssl;
	if (!id || strcmp(id, BENCH_PSK_IDENTITY) || sizeof(bench_psk) > psk_max)
		return 0;
	memcpy(psk, bench_psk, sizeof(bench_psk));
	return sizeof(bench_psk);
}

static void *ossl_setup(struct bench *b, int tx)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	struct timespec t0, t;
	struct ossl *o;
	BIO *bio;
	int r;

	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->fd = -1;
	o->ctx = SSL_CTX_new(tx ? DTLS_client_method() : DTLS_server_method());
	if (!o->ctx ||
	    !SSL_CTX_set_min_proto_version(o->ctx, DTLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(o->ctx, DTLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(o->ctx, "PSK-AES128-GCM-SHA256"))
		goto err;
	SSL_CTX_set_options(o->ctx, SSL_OP_NO_TICKET);
	if (tx)
		SSL_CTX_set_psk_client_callback(o->ctx, psk_client);
	else
		SSL_CTX_set_psk_server_callback(o->ctx, psk_server);

	o->fd = tx ? bench_udp_socket(&b->tx_addr, &b->rx_addr) :
		     bench_udp_socket(&b->rx_addr, NULL);
	if (o->fd < 0)
		goto err;
	if (!tx) {
		bench_rx_ready(b);
		if (bench_connect_first_peer(o->fd, 30))
			goto err;
	}
	o->ssl = SSL_new(o->ctx);
	bio = BIO_new_dgram(o->fd, BIO_NOCLOSE);
	if (!o->ssl || !bio)
		goto err;
	if (getpeername(o->fd, (struct sockaddr *)&peer, &plen) ||
	    BIO_ctrl(bio, BIO_CTRL_DGRAM_SET_CONNECTED, 0, &peer) != 1) {
		BIO_free(bio);
		goto err;
	}
	SSL_set_bio(o->ssl, bio, bio);
	/* The socket's 1 s receive timeout ends blocking reads: retry. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		r = tx ? SSL_connect(o->ssl) : SSL_accept(o->ssl);
		if (r == 1)
			break;
		r = SSL_get_error(o->ssl, r);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((r != SSL_ERROR_WANT_READ && r != SSL_ERROR_WANT_WRITE) ||
		    t.tv_sec - t0.tv_sec > 30) {
			bench_err("openssl", "handshake failed (SSL error %d)", r);
			goto err;
		}
		DTLSv1_handle_timeout(o->ssl);
	}
	return o;
err:
	ERR_print_errors_fp(stderr);
	SSL_free(o->ssl);
	SSL_CTX_free(o->ctx);
	if (o->fd >= 0)
		close(o->fd);
	free(o);
	return NULL;
}

static void *ossl_rx_setup(struct bench *b)
{
	return ossl_setup(b, 0);
}

static void *ossl_tx_setup(struct bench *b)
{
	return ossl_setup(b, 1);
}

static int ossl_rx(struct bench *b, void *st)
{
	struct ossl *o = st;
	int n, err;

	n = SSL_read(o->ssl, o->buf, sizeof(o->buf));
	if (n > 0) {
		bench_rx_record(b, o->buf, n);
		return 0;
	}
	err = SSL_get_error(o->ssl, n);
	if (err == SSL_ERROR_WANT_READ)
		return 0;
	bench_err("openssl", "SSL_read: SSL error %d", err);
	ERR_print_errors_fp(stderr);
	return -1;
}

static int ossl_tx(struct bench *b, void *st)
{
	struct ossl *o = st;
	int n, err;

	bench_payload(o->buf, b->sent);
	n = SSL_write(o->ssl, o->buf, b->size);
	if (n == (int)b->size) {
		b->sent++;
		return 0;
	}
	err = SSL_get_error(o->ssl, n);
	if (*b->stop || err == SSL_ERROR_WANT_WRITE ||
	    (err == SSL_ERROR_SYSCALL && bench_tx_transient(errno))) {
		ERR_clear_error();
		return 0;
	}
	bench_err("openssl", "SSL_write: SSL error %d (%s)", err,
		  strerror(errno));
	ERR_print_errors_fp(stderr);
	return -1;
}

const struct bench_path bench_openssl = {
	.name = "openssl", .versions = 1,
	.rx_setup = ossl_rx_setup, .rx = ossl_rx,
	.tx_setup = ossl_tx_setup, .tx = ossl_tx,
};
