/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dtls-bench: shared definitions of the driver (main.c) and the record
 * paths it measures (kern.c, wolf.c, ossl.c, urec.c, udp.c).
 *
 * A path implements a receiver and a sender.  The driver runs the receiver
 * in one network namespace and the sender, in a child process, in another;
 * every payload starts with a 64-bit record counter so the receiver can
 * tell how many records were sent while it was measuring.  The back ends
 * include their library's headers and nothing of the others (wolfSSL's
 * OpenSSL compatibility layer redefines OpenSSL names).
 */
#ifndef DTLS_BENCH_H
#define DTLS_BENCH_H

#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* Payloads are at most this long (one record per Ethernet-sized datagram). */
#define BENCH_MAX_PAYLOAD	1400
/* Records per sendmmsg()/recvmmsg() and per GSO super-datagram. */
#define BENCH_BATCH		32
#define BENCH_GSO_MAX		64

/* Fixed keys: sender and receiver are separate processes. */
extern const uint8_t bench_key_ab[16], bench_key_ba[16];
extern const uint8_t bench_iv_ab[12], bench_iv_ba[12];
extern const uint8_t bench_sn_ab[16], bench_sn_ba[16];
extern const uint8_t bench_psk[16];
#define BENCH_PSK_IDENTITY "bench"

struct bench {
	/* what to measure */
	uint16_t version;		/* M2MSEC_DTLS_1_2 or _1_3 */
	size_t size;			/* payload bytes per record */
	struct sockaddr_in tx_addr;	/* the sender's local address */
	struct sockaddr_in rx_addr;	/* the receiver's local address */

	/* receiver: records seen in the measurement window */
	int ready_fd;			/* written once the receiver listens */
	int in_window, done;
	uint64_t n, bad, first_seq, last_seq;
	int have_first;

	/* sender */
	uint64_t sent;			/* records handed to the path */
	volatile sig_atomic_t *stop;
};

struct bench_path {
	const char *name;
	unsigned int versions;		/* bit 0: DTLS 1.2, bit 1: DTLS 1.3 */
	/*
	 * Receiver: bind, call bench_rx_ready(), then do whatever the path
	 * needs before records flow (a handshake).  Return: state or NULL.
	 */
	void *(*rx_setup)(struct bench *b);
	/*
	 * Receive what is there, waiting up to about a second for the first
	 * record; call bench_rx_record() for each plaintext.  Return: 0, or
	 * -1 on a fatal error.
	 */
	int (*rx)(struct bench *b, void *st);
	/* Sender: connect (and handshake).  Return: state or NULL. */
	void *(*tx_setup)(struct bench *b);
	/*
	 * Send a few records made with bench_payload(); add the number sent
	 * to b->sent.  Return: 0, or -1 on a fatal error.
	 */
	int (*tx)(struct bench *b, void *st);
};

extern const struct bench_path bench_kernel, bench_kernel_mmsg, bench_kernel_gso;
extern const struct bench_path bench_wolfssl, bench_openssl;
extern const struct bench_path bench_user_mmsg, bench_user_gso;
extern const struct bench_path bench_udp;

/* Mark the payload at @buf (b->size bytes) as record number @seq. */
void bench_payload(uint8_t *buf, uint64_t seq);
/* The receiver listens: let the sender start. */
void bench_rx_ready(struct bench *b);
/* A plaintext arrived. */
void bench_rx_record(struct bench *b, const uint8_t *buf, size_t len);
/* Print "dtls-bench: WHAT: MSG" to stderr; returns NULL / -1 helpers. */
void bench_err(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Send errors that only mean "try again" (full queues, the peer gone). */
int bench_tx_transient(int err);
/*
 * A UDP socket bound to @local (1 s receive timeout), connected to @peer
 * unless it is NULL.  Return: the descriptor, or -1 (message printed).
 */
int bench_udp_socket(const struct sockaddr_in *local,
		     const struct sockaddr_in *peer);
/* Server side: connect @fd to the first client that sends something. */
int bench_connect_first_peer(int fd, double timeout);

#endif /* DTLS_BENCH_H */
