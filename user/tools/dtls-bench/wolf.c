// SPDX-License-Identifier: GPL-2.0
/*
 * dtls-bench: wolfSSL DTLS 1.2 and 1.3 in the application.  One PSK
 * handshake (AES-128-GCM suites), then one wolfSSL_write() per record on
 * a blocking socket; the receiver reads with wolfSSL_read() on a
 * non-blocking socket and poll() when it runs dry, as an event-driven
 * server would (in blocking mode wolfSSL sets SO_RCVTIMEO before every
 * read, one more system call per record).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <linux/m2msec.h>

#include "bench.h"

struct wolf {
	int fd;
	WOLFSSL_CTX *ctx;
	WOLFSSL *ssl;
	uint8_t buf[BENCH_MAX_PAYLOAD + 64];
};

static unsigned int psk_client(WOLFSSL *ssl, const char *hint, char *id,
			       unsigned int id_max, unsigned char *key,
			       unsigned int key_max)
{
	(void)ssl;
	(void)hint;
	if (sizeof(BENCH_PSK_IDENTITY) > id_max || sizeof(bench_psk) > key_max)
		return 0;
	strcpy(id, BENCH_PSK_IDENTITY);
	memcpy(key, bench_psk, sizeof(bench_psk));
	return sizeof(bench_psk);
}

static unsigned int psk_server(WOLFSSL *ssl, const char *id,
			       unsigned char *key, unsigned int key_max)
{
	(void)ssl;
	if (!id || strcmp(id, BENCH_PSK_IDENTITY) || sizeof(bench_psk) > key_max)
		return 0;
	memcpy(key, bench_psk, sizeof(bench_psk));
	return sizeof(bench_psk);
}

static const char suite13[] = "TLS13-AES128-GCM-SHA256";

static unsigned int psk_client13(WOLFSSL *ssl, const char *hint, char *id,
				 unsigned int id_max, unsigned char *key,
				 unsigned int key_max, const char **suite)
{
	*suite = suite13;
	return psk_client(ssl, hint, id, id_max, key, key_max);
}

static unsigned int psk_server13(WOLFSSL *ssl, const char *id,
				 unsigned char *key, unsigned int key_max,
				 const char **suite)
{
	*suite = suite13;
	return psk_server(ssl, id, key, key_max);
}

static void *wolf_setup(struct bench *b, int tx)
{
	int v13 = b->version == M2MSEC_DTLS_1_3;
	char msg[WOLFSSL_MAX_ERROR_SZ];
	struct wolf *w;
	WOLFSSL_METHOD *m;
	int r;

	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	wolfSSL_Init();
	if (v13)
		m = tx ? wolfDTLSv1_3_client_method() :
			 wolfDTLSv1_3_server_method();
	else
		m = tx ? wolfDTLSv1_2_client_method() :
			 wolfDTLSv1_2_server_method();
	w->ctx = m ? wolfSSL_CTX_new(m) : NULL;
	if (!w->ctx ||
	    wolfSSL_CTX_set_cipher_list(w->ctx, v13 ? suite13 :
					"PSK-AES128-GCM-SHA256") != WOLFSSL_SUCCESS) {
		bench_err("wolfssl", "context set-up failed");
		goto err;
	}
	if (tx && v13)
		wolfSSL_CTX_set_psk_client_tls13_callback(w->ctx, psk_client13);
	else if (tx)
		wolfSSL_CTX_set_psk_client_callback(w->ctx, psk_client);
	else if (v13)
		wolfSSL_CTX_set_psk_server_tls13_callback(w->ctx, psk_server13);
	else
		wolfSSL_CTX_set_psk_server_callback(w->ctx, psk_server);

	w->fd = tx ? bench_udp_socket(&b->tx_addr, &b->rx_addr) :
		     bench_udp_socket(&b->rx_addr, NULL);
	if (w->fd < 0)
		goto err;
	if (!tx) {
		bench_rx_ready(b);
		if (bench_connect_first_peer(w->fd, 30))
			goto err;
	}
	w->ssl = wolfSSL_new(w->ctx);
	if (!w->ssl ||
	    wolfSSL_set_dtls_fd_connected(w->ssl, w->fd) != WOLFSSL_SUCCESS)
		goto err;
	if (v13 && !tx)
		wolfSSL_no_ticket_TLSv13(w->ssl);
	r = tx ? wolfSSL_connect(w->ssl) : wolfSSL_accept(w->ssl);
	if (r != WOLFSSL_SUCCESS) {
		bench_err("wolfssl", "handshake: %s",
			  wolfSSL_ERR_error_string(wolfSSL_get_error(w->ssl, r),
						   msg));
		goto err;
	}
	if (!tx) {
		fcntl(w->fd, F_SETFL, fcntl(w->fd, F_GETFL) | O_NONBLOCK);
		wolfSSL_dtls_set_using_nonblock(w->ssl, 1);
	}
	return w;
err:
	wolfSSL_free(w->ssl);
	wolfSSL_CTX_free(w->ctx);
	if (w->fd > 0)
		close(w->fd);
	free(w);
	return NULL;
}

static void *wolf_rx_setup(struct bench *b)
{
	return wolf_setup(b, 0);
}

static void *wolf_tx_setup(struct bench *b)
{
	return wolf_setup(b, 1);
}

static int wolf_rx(struct bench *b, void *st)
{
	struct wolf *w = st;
	struct pollfd p = { .fd = w->fd, .events = POLLIN };
	int n, err, tries;

	for (tries = 0; tries < 2; tries++) {
		n = wolfSSL_read(w->ssl, w->buf, sizeof(w->buf));
		if (n > 0) {
			bench_rx_record(b, w->buf, n);
			return 0;
		}
		err = wolfSSL_get_error(w->ssl, n);
		if (err != WOLFSSL_ERROR_WANT_READ) {
			bench_err("wolfssl", "read: error %d", err);
			return -1;
		}
		if (poll(&p, 1, 1000) <= 0)
			return 0;
	}
	return 0;
}

static int wolf_tx(struct bench *b, void *st)
{
	struct wolf *w = st;
	int n;

	bench_payload(w->buf, b->sent);
	n = wolfSSL_write(w->ssl, w->buf, b->size);
	if (n == (int)b->size) {
		b->sent++;
		return 0;
	}
	if (*b->stop || bench_tx_transient(errno))
		return 0;
	bench_err("wolfssl", "write: error %d (%s)",
		  wolfSSL_get_error(w->ssl, n), strerror(errno));
	return -1;
}

const struct bench_path bench_wolfssl = {
	.name = "wolfssl", .versions = 3,
	.rx_setup = wolf_rx_setup, .rx = wolf_rx,
	.tx_setup = wolf_tx_setup, .tx = wolf_tx,
};
