// SPDX-License-Identifier: GPL-2.0
/*
 * dtls-bench: plain UDP, one send()/recv() per datagram, no protection of
 * its own.  Between the veth addresses it is the cost of the network path
 * alone; between WireGuard addresses it measures WireGuard.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

struct udp {
	int fd;
	uint8_t buf[BENCH_MAX_PAYLOAD + 64];
};

/* A UDP socket bound to @local, connected to @peer when given. */
int bench_udp_socket(const struct sockaddr_in *local,
		     const struct sockaddr_in *peer)
{
	struct timeval tv = { .tv_sec = 1 };
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    bind(fd, (const struct sockaddr *)local, sizeof(*local)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    (peer && connect(fd, (const struct sockaddr *)peer, sizeof(*peer)))) {
		bench_err("udp", "socket/bind/connect: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Wait for the first datagram of a client and connect the socket to it. */
int bench_connect_first_peer(int fd, double timeout)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	struct timespec t0, t;
	char c;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (recvfrom(fd, &c, 1, MSG_PEEK, (struct sockaddr *)&peer,
			     &len) >= 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((errno != EAGAIN && errno != EINTR) ||
		    t.tv_sec - t0.tv_sec > timeout) {
			bench_err("handshake", "no client: %s", strerror(errno));
			return -1;
		}
	}
	if (connect(fd, (struct sockaddr *)&peer, len)) {
		bench_err("handshake", "connect: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void *udp_setup(struct bench *b, int tx)
{
	struct udp *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->fd = tx ? bench_udp_socket(&b->tx_addr, &b->rx_addr) :
		     bench_udp_socket(&b->rx_addr, NULL);
	if (u->fd < 0) {
		free(u);
		return NULL;
	}
	return u;
}

static void *udp_rx_setup(struct bench *b)
{
	return udp_setup(b, 0);
}

static void *udp_tx_setup(struct bench *b)
{
	return udp_setup(b, 1);
}

static int udp_rx(struct bench *b, void *st)
{
	struct udp *u = st;
	ssize_t n;

	n = recv(u->fd, u->buf, sizeof(u->buf), 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		bench_err("udp", "recv: %s", strerror(errno));
		return -1;
	}
	bench_rx_record(b, u->buf, n);
	return 0;
}

static int udp_tx(struct bench *b, void *st)
{
	struct udp *u = st;

	bench_payload(u->buf, b->sent);
	if (send(u->fd, u->buf, b->size, 0) < 0) {
		if (bench_tx_transient(errno))
			return 0;
		bench_err("udp", "send: %s", strerror(errno));
		return -1;
	}
	b->sent++;
	return 0;
}

const struct bench_path bench_udp = {
	.name = "udp", .versions = 3,
	.rx_setup = udp_rx_setup, .rx = udp_rx,
	.tx_setup = udp_tx_setup, .tx = udp_tx,
};
