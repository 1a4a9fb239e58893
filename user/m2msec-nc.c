// SPDX-License-Identifier: GPL-2.0
/*
 * m2msec-nc: netcat over an m2msec DTLS socket.
 *
 * Plaintext from standard input goes out as DTLS application records,
 * records received go to standard output.  The record layer runs in the
 * kernel; the keys come either from the handshake daemon (no -k) or from a
 * static association file (-k), which this program adds to the keyring and
 * installs with M2MSEC_CMD_ASSOC_NEW on its own socket.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../kmod/version.h"
#include "lib/genl.h"
#include "lib/keyfile.h"
#include "lib/m2msec.h"

#define NC_MAX_RECORD	16384	/* DTLS plaintext limit (RFC 6347 4.1) */
#define NC_DEFAULT_MAX	1200

struct nc_opts {
	int listen;
	int verbose;
	int chunks;		/* one datagram per read() instead of per line */
	int quit_after;		/* -q: seconds after stdin EOF, -1: never */
	size_t max;		/* largest datagram we send */
	const char *keyfile;
	const char *local;
	const char *peer;
};

/* Everything the event loop works on. */
struct nc {
	struct nc_opts o;
	int fd;
	struct m2msec_keyfile kf;
	struct sockaddr_storage peer;	/* where stdin data goes */
	socklen_t peer_len;
	uint32_t assoc_id;		/* 0: unknown */
	char line[NC_MAX_RECORD];	/* pending partial line */
	size_t line_len;
	int stdin_open;
	struct timespec last_rx;
};

static void usage(FILE *f)
{
	fputs("Usage: m2msec-nc [-l] [-k KEYFILE] [-s ADDR:PORT] [-q SECS] [-m BYTES]\n"
	      "                 [-c] [-v] [ADDR:PORT]\n"
	      "\n"
	      "Send standard input over an m2msec DTLS association and write what the\n"
	      "peer sends to standard output.  The DTLS record layer runs in the kernel\n"
	      "(module m2msec); keys come from the handshake daemon or, with -k, from a\n"
	      "static association file.\n"
	      "\n"
	      "  ADDR:PORT        the peer (client mode); [ADDR6]:PORT for IPv6.  With -k\n"
	      "                   it defaults to the file's 'peer' and must match it\n"
	      "  -l               server mode: bind and wait for peers\n"
	      "  -s ADDR:PORT     local address to bind (default: the key file's\n"
	      "                   'local'; required with -l otherwise)\n"
	      "  -k KEYFILE       static keying: add the file's keys to the keyring and\n"
	      "                   install the association on this socket\n"
	      "  -q SECS          after end of input, quit once nothing was received for\n"
	      "                   SECS seconds (default: keep running)\n"
	      "  -m BYTES         largest datagram to send, 1..16384 (default 1200);\n"
	      "                   longer lines are split\n"
	      "  -c               send each read of standard input as it comes, not one\n"
	      "                   datagram per line\n"
	      "  -v               print association id, epoch and sender of every\n"
	      "                   received record to standard error\n"
	      "  -V, --version    print the version\n"
	      "  -h, --help       print this help\n"
	      "\n"
	      "Exit status: 0 on success, 1 on a runtime error, 2 on a usage error.\n"
	      "See m2msec-nc(1) for the key file format.\n", f);
}

static int parse_opts(int argc, char **argv, struct nc_opts *o)
{
	static const struct option lo[] = {
		{ "help", 0, NULL, 'h' }, { "version", 0, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int c;

	o->quit_after = -1;
	o->max = NC_DEFAULT_MAX;
	while ((c = getopt_long(argc, argv, "lk:s:q:m:cvhV", lo, NULL)) != -1) {
		switch (c) {
		case 'l': o->listen = 1; break;
		case 'k': o->keyfile = optarg; break;
		case 's': o->local = optarg; break;
		case 'c': o->chunks = 1; break;
		case 'v': o->verbose = 1; break;
		case 'q':
			v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 0 || v > 86400) {
				fprintf(stderr, "m2msec-nc: -q takes seconds, 0..86400\n");
				return -1;
			}
			o->quit_after = v;
			break;
		case 'm':
			v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 1 || v > NC_MAX_RECORD) {
				fprintf(stderr, "m2msec-nc: -m takes a size, 1..%d bytes\n",
					NC_MAX_RECORD);
				return -1;
			}
			o->max = v;
			break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("m2msec-nc %s\n", M2MSEC_VERSION); exit(0);
		default: return -1;
		}
	}
	if (optind < argc)
		o->peer = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "m2msec-nc: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	return 0;
}

/* Work out peer and local address from the options and the key file. */
static int resolve_addrs(struct nc *nc, struct sockaddr_storage *local,
			 socklen_t *local_len)
{
	const struct nc_opts *o = &nc->o;
	struct sockaddr_storage ss;
	socklen_t len;

	*local_len = 0;
	if (o->local) {
		if (m2msec_parse_addr(o->local, local, local_len, 1)) {
			fprintf(stderr, "m2msec-nc: -s '%s' is not ADDR:PORT or [ADDR6]:PORT\n",
				o->local);
			return -1;
		}
	} else if (o->keyfile && nc->kf.local_len) {
		*local = nc->kf.local;
		*local_len = nc->kf.local_len;
	}
	if (o->peer) {
		if (m2msec_parse_addr(o->peer, &ss, &len, 0)) {
			fprintf(stderr, "m2msec-nc: peer '%s' is not ADDR:PORT or [ADDR6]:PORT (port 1..65535)\n",
				o->peer);
			return -1;
		}
		if (o->keyfile && (len != nc->kf.peer_len ||
				   memcmp(&ss, &nc->kf.peer, len))) {
			fprintf(stderr, "m2msec-nc: peer %s differs from the key file's peer; leave it out or fix the file\n",
				o->peer);
			return -1;
		}
		nc->peer = ss;
		nc->peer_len = len;
	} else if (o->keyfile) {
		nc->peer = nc->kf.peer;
		nc->peer_len = nc->kf.peer_len;
	}
	if (o->listen && !*local_len) {
		fprintf(stderr, "m2msec-nc: -l needs a local address: -s ADDR:PORT or 'local' in the key file\n");
		return -1;
	}
	if (!o->listen && !nc->peer_len) {
		fprintf(stderr, "m2msec-nc: give the peer as ADDR:PORT (or a key file with -k)\n");
		return -1;
	}
	if (*local_len && nc->peer_len && local->ss_family != nc->peer.ss_family) {
		fprintf(stderr, "m2msec-nc: local and peer addresses are of different families\n");
		return -1;
	}
	return 0;
}

static int open_socket(struct nc *nc, const struct sockaddr_storage *local,
		       socklen_t local_len)
{
	char addr[INET6_ADDRSTRLEN + 16];

	nc->fd = m2msec_socket(SOCK_DGRAM | SOCK_CLOEXEC, M2MSEC_PROTO_DTLS);
	if (nc->fd < 0) {
		if (errno == ENOENT)
			fprintf(stderr, "m2msec-nc: the m2msec module is not loaded; load it with: modprobe m2msec\n");
		else
			fprintf(stderr, "m2msec-nc: cannot open an m2msec DTLS socket: %s\n",
				strerror(errno));
		return -1;
	}
	if (local_len && bind(nc->fd, (const struct sockaddr *)local, local_len)) {
		fprintf(stderr, "m2msec-nc: cannot bind %s: %s\n",
			m2msec_format_addr((const struct sockaddr *)local, addr,
					   sizeof(addr)), strerror(errno));
		return -1;
	}
	return 0;
}

static int install_static(struct nc *nc)
{
	struct m2msec_genl g;
	int err;

	err = m2msec_genl_open(&g);
	if (err)
		return -1;
	err = m2msec_assoc_install(&g, nc->fd, &nc->kf, &nc->assoc_id);
	m2msec_genl_close(&g);
	if (err == -ENODEV) {
		fprintf(stderr, "m2msec-nc: the kernel does not know the key type \"%s\"; load the module: modprobe m2msec\n",
			M2MSEC_KEY_TYPE);
		return -1;
	}
	if (err) {
		fprintf(stderr, "m2msec-nc: installing the association from %s failed: %s\n",
			nc->o.keyfile, strerror(-err));
		return -1;
	}
	if (nc->o.verbose)
		fprintf(stderr, "m2msec-nc: association %u installed from %s\n",
			nc->assoc_id, nc->o.keyfile);
	return 0;
}

/* Send one datagram to the association (by id when known) or the peer. */
static int send_record(struct nc *nc, const char *buf, size_t len)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(uint32_t))];
	} ctl;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (!nc->peer_len && !nc->assoc_id) {
		fprintf(stderr, "m2msec-nc: no peer yet; input is sent once a peer has sent something\n");
		return 0;
	}
	if (nc->peer_len && !nc->o.listen && !nc->o.keyfile) {
		/* connected client: the kernel knows the destination */
	} else {
		m.msg_name = &nc->peer;
		m.msg_namelen = nc->peer_len;
	}
	if (nc->assoc_id) {
		memset(&ctl, 0, sizeof(ctl));
		m.msg_control = ctl.buf;
		m.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_M2MSEC;
		c->cmsg_type = M2MSEC_CMSG_ASSOC_ID;
		c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
		memcpy(CMSG_DATA(c), &nc->assoc_id, sizeof(uint32_t));
	}
	if (sendmsg(nc->fd, &m, 0) < 0) {
		fprintf(stderr, "m2msec-nc: send: %s\n", strerror(errno));
		return errno == EKEYEXPIRED || errno == ENOTCONN ? -1 : 0;
	}
	return 0;
}

/* Read standard input and send it: per line, or per read with -c. */
static int on_stdin(struct nc *nc)
{
	size_t room = nc->o.max - nc->line_len, i, start;
	ssize_t n;

	n = read(0, nc->line + nc->line_len, room);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	if (n == 0) {
		nc->stdin_open = 0;
		if (nc->line_len && send_record(nc, nc->line, nc->line_len))
			return -1;
		nc->line_len = 0;
		clock_gettime(CLOCK_MONOTONIC, &nc->last_rx);
		return 0;
	}
	nc->line_len += n;
	if (nc->o.chunks || nc->line_len == nc->o.max) {
		if (send_record(nc, nc->line, nc->line_len))
			return -1;
		nc->line_len = 0;
		return 0;
	}
	for (start = 0, i = 0; i < nc->line_len; i++) {
		if (nc->line[i] != '\n')
			continue;
		if (send_record(nc, nc->line + start, i + 1 - start))
			return -1;
		start = i + 1;
	}
	memmove(nc->line, nc->line + start, nc->line_len - start);
	nc->line_len -= start;
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

static int on_socket(struct nc *nc)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(uint32_t)) +
			 CMSG_SPACE(sizeof(uint64_t)) + 64];
	} ctl;
	char buf[NC_MAX_RECORD], addr[INET6_ADDRSTRLEN + 16];
	struct sockaddr_storage from;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr m = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	uint32_t assoc = 0;
	uint64_t epoch = 0;
	struct cmsghdr *c;
	ssize_t n;

	/* Never block here: poll() may have been woken for a datagram that
	 * held only records for the handshake daemon (or that another reader
	 * took); EAGAIN then just means nothing to print.
	 */
	n = recvmsg(nc->fd, &m, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		fprintf(stderr, "m2msec-nc: receive: %s\n", strerror(errno));
		return -1;
	}
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_M2MSEC)
			continue;
		if (c->cmsg_type == M2MSEC_CMSG_ASSOC_ID &&
		    c->cmsg_len == CMSG_LEN(sizeof(assoc)))
			memcpy(&assoc, CMSG_DATA(c), sizeof(assoc));
		else if (c->cmsg_type == M2MSEC_CMSG_EPOCH &&
			 c->cmsg_len == CMSG_LEN(sizeof(epoch)))
			memcpy(&epoch, CMSG_DATA(c), sizeof(epoch));
	}
	clock_gettime(CLOCK_MONOTONIC, &nc->last_rx);
	if (nc->o.verbose)
		fprintf(stderr, "m2msec-nc: %zd bytes from %s, association %u, epoch %" PRIu64 "%s\n",
			n, m.msg_namelen ? m2msec_format_addr(
				(struct sockaddr *)&from, addr, sizeof(addr)) : "?",
			assoc, epoch, m.msg_flags & MSG_TRUNC ? " (truncated)" : "");
	/* A server answers whoever spoke last. */
	if (nc->o.listen && !nc->o.keyfile && m.msg_namelen) {
		nc->peer = from;
		nc->peer_len = m.msg_namelen;
		nc->assoc_id = assoc;
	}
	return write_all(1, buf, n);
}

static long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 +
		(now.tv_nsec - t->tv_nsec) / 1000000;
}

static int run(struct nc *nc)
{
	struct pollfd p[2];
	long left;
	int timeout, n;

	nc->stdin_open = 1;
	for (;;) {
		p[0] = (struct pollfd){ .fd = nc->fd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = nc->stdin_open ? 0 : -1,
					.events = POLLIN };
		timeout = -1;
		if (!nc->stdin_open && nc->o.quit_after >= 0) {
			left = nc->o.quit_after * 1000L - ms_since(&nc->last_rx);
			if (left <= 0)
				return 0;
			timeout = left;
		}
		n = poll(p, 2, timeout);
		if (n < 0 && errno != EINTR) {
			perror("m2msec-nc: poll");
			return -1;
		}
		if (n <= 0)
			continue;
		if ((p[0].revents & (POLLIN | POLLERR)) && on_socket(nc))
			return -1;
		if ((p[1].revents & (POLLIN | POLLHUP)) && on_stdin(nc))
			return -1;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_storage local;
	socklen_t local_len;
	char err[512];
	struct nc *nc;
	int ret = 1;

	nc = calloc(1, sizeof(*nc));
	if (!nc)
		return 1;
	nc->fd = -1;
	if (parse_opts(argc, argv, &nc->o)) {
		usage(stderr);
		ret = 2;
		goto out;
	}
	if (nc->o.keyfile &&
	    m2msec_keyfile_load(nc->o.keyfile, &nc->kf, err, sizeof(err))) {
		fprintf(stderr, "m2msec-nc: %s\n", err);
		goto out;
	}
	if (resolve_addrs(nc, &local, &local_len)) {
		ret = 2;
		goto out;
	}
	if (open_socket(nc, &local, local_len))
		goto out;
	if (nc->o.keyfile) {
		ret = install_static(nc);
		/* The keys are in the kernel now; none stay here. */
		m2msec_keyfile_clear(&nc->kf);
		if (ret) {
			ret = 1;
			goto out;
		}
	} else if (!nc->o.listen &&
		   connect(nc->fd, (struct sockaddr *)&nc->peer, nc->peer_len)) {
		/* connect() runs the handshake through the daemon. */
		fprintf(stderr, "m2msec-nc: connect: %s%s\n", strerror(errno),
			errno == ETIMEDOUT ? " (is m2msecd running?)" : "");
		goto out;
	}
	ret = run(nc) ? 1 : 0;
out:
	if (nc->fd >= 0)
		close(nc->fd);
	m2msec_keyfile_clear(&nc->kf);
	free(nc);
	return ret;
}
