/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hs-bench: shared definitions of the driver (main.c) and the two
 * handshake paths it measures:
 *
 *   m2msec   (kern.c) an m2msec DTLS socket; connect() makes the kernel ask
 *            m2msecd for the handshake, a listen()ing socket gets its
 *            associations from m2msecd; the program only sends and
 *            receives plaintext
 *   wolfssl  (wolf.c) the same exchange with wolfSSL in the program over a
 *            plain UDP socket
 *
 * One connection: open, handshake, send one byte, wait for its echo,
 * close.  The back ends include their library's headers and nothing of the
 * other's.
 */
#ifndef HS_BENCH_H
#define HS_BENCH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define HSB_PSK_MAX	64

enum hsb_auth { HSB_PSK, HSB_ECDSA };

struct hsb_opts {
	const char *path;		/* "m2msec" or "wolfssl" */
	uint16_t version;		/* wolfssl: M2MSEC_DTLS_1_2 or _1_3 */
	enum hsb_auth auth;		/* wolfssl */
	const char *suite;		/* wolfssl: cipher suite (wolfSSL name) */
	struct sockaddr_storage addr;	/* server: bind; client: the server */
	socklen_t addr_len;
	unsigned int count;		/* client: measured connections */
	unsigned int warmup;		/* client: connections not measured */
	unsigned int conc;		/* client: concurrent workers */
	unsigned int timeout_ms;	/* one connection, handshake included */
	const char *cert, *key, *ca;	/* wolfssl, ECDSA */
	const char *psk_identity;	/* wolfssl, PSK */
	uint8_t psk[HSB_PSK_MAX];
	size_t psk_len;
	unsigned int hs_rate;		/* m2msec server: hs-rate and hs-burst */
	int keep;			/* m2msec server: keep associations */
	int verbose;
};

/* What one connection took; err is 0 or a positive errno. */
struct hsb_result {
	int err;
	uint32_t connect_us;	/* connect() / the handshake */
	uint32_t ttfb_us;	/* connect() start to the echo received */
};

/* A client back end: per-worker state, then one call per connection. */
struct hsb_client {
	void *(*init)(const struct hsb_opts *o);
	void (*one)(void *st, const struct hsb_opts *o, struct hsb_result *r);
	void (*exit)(void *st);
};

extern const struct hsb_client hsb_kern_client, hsb_wolf_client;

/* Servers: run until SIGTERM/SIGINT; print "ready" once listening. */
int hsb_kern_server(const struct hsb_opts *o);
int hsb_wolf_server(const struct hsb_opts *o);

extern volatile sig_atomic_t hsb_stop;

uint64_t hsb_now_us(void);
void hsb_err(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void hsb_ready(void);

#endif /* HS_BENCH_H */
