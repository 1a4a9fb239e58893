// SPDX-License-Identifier: GPL-2.0
/*
 * dtls-keyexport: run a DTLS handshake in userspace against an unmodified
 * peer, write the established session as a static association file and
 * exit without sending anything else, so that m2msec can take over the same
 * UDP 4-tuple.  For tests: --capture N then reads N more datagrams from the
 * peer without any TLS library and writes them, hex encoded, to a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/m2msec.h"
#include "kx.h"

static void usage(FILE *f)
{
	fputs("Usage: dtls-keyexport --lib openssl|wolfssl --version 1.2|1.3\n"
	      "           --role client|server --local ADDR:PORT [--peer ADDR:PORT]\n"
	      "           (--psk-identity ID --psk HEX | --cert FILE --key FILE [--ca FILE])\n"
	      "           [--cipher SUITES] [--cid HEX] --out FILE\n"
	      "           [--capture N --capture-file FILE] [--timeout SECS] [-v]\n"
	      "\n"
	      "Run one DTLS handshake with OpenSSL or wolfSSL against a peer, then\n"
	      "write the session's record keys, IVs, record number keys, epochs,\n"
	      "sequence numbers and CIDs as an m2msec static association file and exit\n"
	      "without sending anything more (no close_notify): an m2msec socket bound\n"
	      "to the same local address can carry on the session.\n"
	      "\n"
	      "Options:\n"
	      "  --lib NAME           openssl (DTLS 1.2 only) or wolfssl\n"
	      "  --version V          1.2 or 1.3\n"
	      "  --role ROLE          client (connects to --peer) or server (answers the\n"
	      "                       first datagram that arrives on --local)\n"
	      "  --local ADDR:PORT    address to bind; required for a server\n"
	      "  --peer ADDR:PORT     the server to connect to (client)\n"
	      "  --psk-identity ID    PSK identity; with --psk HEX, the key\n"
	      "  --cert, --key FILE   certificate chain and private key (PEM)\n"
	      "  --ca FILE            CA bundle: verify the peer's certificate\n"
	      "  --cipher SUITES      the library's cipher suite list (default: PSK:\n"
	      "                       PSK-AES128-CCM8, certificates:\n"
	      "                       ECDHE-ECDSA-AES128-GCM-SHA256, DTLS 1.3:\n"
	      "                       TLS13-AES128-GCM-SHA256)\n"
	      "  --cid HEX            use this Connection ID for records we receive\n"
	      "                       (wolfSSL only)\n"
	      "  --out FILE           the association file to write (mode 0600; - for\n"
	      "                       standard output)\n"
	      "  --capture N          after writing it, read N more datagrams from the\n"
	      "                       peer without TLS and append them as hex lines to\n"
	      "                       --capture-file\n"
	      "  --timeout SECS       limit for the handshake and for the capture\n"
	      "                       (default 10)\n"
	      "  -v, --verbose        print every record seen during the handshake\n"
	      "  -h, --help           print this help\n"
	      "\n"
	      "Exit status: 0 on success, 1 on failure, 2 on a usage error.\n", f);
}

static int hex_arg(const char *s, uint8_t *out, size_t max, size_t *len)
{
	size_t n = strlen(s), i;
	unsigned int b;

	if (!n || n % 2 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(s + 2 * i, "%2x", &b) != 1 ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i + 1]))
			return -1;
		out[i] = b;
	}
	*len = n / 2;
	return 0;
}

static void on_alarm(int sig)
{
	static const char msg[] =
		"dtls-keyexport: timed out (is the peer running? raise --timeout)\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

struct args {
	struct kx_opts o;
	const char *local, *peer, *out, *capture_file;
	int capture;
};

enum {
	OPT_LIB = 256, OPT_VERSION, OPT_ROLE, OPT_LOCAL, OPT_PEER,
	OPT_PSK_ID, OPT_PSK, OPT_CERT, OPT_KEY, OPT_CA, OPT_CIPHER, OPT_CID,
	OPT_OUT, OPT_CAPTURE, OPT_CAPTURE_FILE, OPT_TIMEOUT,
};

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option lo[] = {
		{ "lib", 1, NULL, OPT_LIB }, { "version", 1, NULL, OPT_VERSION },
		{ "role", 1, NULL, OPT_ROLE }, { "local", 1, NULL, OPT_LOCAL },
		{ "peer", 1, NULL, OPT_PEER },
		{ "psk-identity", 1, NULL, OPT_PSK_ID },
		{ "psk", 1, NULL, OPT_PSK }, { "cert", 1, NULL, OPT_CERT },
		{ "key", 1, NULL, OPT_KEY }, { "ca", 1, NULL, OPT_CA },
		{ "cipher", 1, NULL, OPT_CIPHER }, { "cid", 1, NULL, OPT_CID },
		{ "out", 1, NULL, OPT_OUT }, { "capture", 1, NULL, OPT_CAPTURE },
		{ "capture-file", 1, NULL, OPT_CAPTURE_FILE },
		{ "timeout", 1, NULL, OPT_TIMEOUT },
		{ "verbose", 0, NULL, 'v' }, { "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kx_opts *o = &a->o;
	int c, role = -1;

	o->timeout = 10;
	while ((c = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (c) {
		case OPT_LIB: o->lib = optarg; break;
		case OPT_VERSION:
			if (!strcmp(optarg, "1.2"))
				o->version = M2MSEC_DTLS_1_2;
			else if (!strcmp(optarg, "1.3"))
				o->version = M2MSEC_DTLS_1_3;
			else
				goto bad;
			break;
		case OPT_ROLE:
			if (!strcmp(optarg, "client"))
				role = KX_CLIENT;
			else if (!strcmp(optarg, "server"))
				role = KX_SERVER;
			else
				goto bad;
			break;
		case OPT_LOCAL: a->local = optarg; break;
		case OPT_PEER: a->peer = optarg; break;
		case OPT_PSK_ID: o->psk_identity = optarg; break;
		case OPT_PSK:
			if (hex_arg(optarg, o->psk, sizeof(o->psk), &o->psk_len))
				goto bad;
			break;
		case OPT_CERT: o->cert = optarg; break;
		case OPT_KEY: o->key = optarg; break;
		case OPT_CA: o->ca = optarg; break;
		case OPT_CIPHER: o->cipher = optarg; break;
		case OPT_CID:
			if (hex_arg(optarg, o->cid, sizeof(o->cid), &o->cid_len))
				goto bad;
			break;
		case OPT_OUT: a->out = optarg; break;
		case OPT_CAPTURE:
			a->capture = atoi(optarg);
			if (a->capture <= 0)
				goto bad;
			break;
		case OPT_CAPTURE_FILE: a->capture_file = optarg; break;
		case OPT_TIMEOUT:
			o->timeout = atoi(optarg);
			if (o->timeout <= 0)
				goto bad;
			break;
		case 'v': o->verbose = 1; break;
		case 'h': usage(stdout); exit(0);
		default: goto usage;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "dtls-keyexport: unexpected argument '%s'\n",
			argv[optind]);
		goto usage;
	}
	if (!o->lib || (strcmp(o->lib, "openssl") && strcmp(o->lib, "wolfssl")) ||
	    !o->version || role < 0 || !a->out) {
		fprintf(stderr, "dtls-keyexport: --lib openssl|wolfssl, --version, --role and --out are required\n");
		goto usage;
	}
	o->role = role;
	if (role == KX_SERVER ? !a->local : !a->peer) {
		fprintf(stderr, "dtls-keyexport: a %s needs %s\n",
			role == KX_SERVER ? "server" : "client",
			role == KX_SERVER ? "--local" : "--peer");
		goto usage;
	}
	if (!!o->psk_identity != !!o->psk_len || (!o->psk_len && !o->cert &&
						  role == KX_SERVER) ||
	    !!o->cert != !!o->key) {
		fprintf(stderr, "dtls-keyexport: give --psk-identity with --psk, or --cert with --key (a server needs one of them)\n");
		goto usage;
	}
	if (!!a->capture != !!a->capture_file) {
		fprintf(stderr, "dtls-keyexport: --capture and --capture-file go together\n");
		goto usage;
	}
	return 0;
bad:
	fprintf(stderr, "dtls-keyexport: bad value '%s'\n", optarg);
usage:
	usage(stderr);
	return -1;
}

/* Bind and connect the UDP socket; a server waits for its first datagram. */
static int open_socket(const struct args *a, struct m2msec_keyfile *kf)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	int fd, family;

	if (a->local && m2msec_parse_addr(a->local, &kf->local, &kf->local_len, 1)) {
		fprintf(stderr, "dtls-keyexport: --local '%s' is not ADDR:PORT or [ADDR6]:PORT\n",
			a->local);
		return -1;
	}
	if (a->peer && m2msec_parse_addr(a->peer, &kf->peer, &kf->peer_len, 0)) {
		fprintf(stderr, "dtls-keyexport: --peer '%s' is not ADDR:PORT or [ADDR6]:PORT\n",
			a->peer);
		return -1;
	}
	family = a->local ? kf->local.ss_family : kf->peer.ss_family;
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("dtls-keyexport: socket");
		return -1;
	}
	if (a->local && bind(fd, (struct sockaddr *)&kf->local, kf->local_len)) {
		fprintf(stderr, "dtls-keyexport: bind %s: %s\n", a->local,
			strerror(errno));
		goto err;
	}
	if (!a->peer) {
		len = sizeof(ss);
		if (recvfrom(fd, &ss, 1, MSG_PEEK | MSG_TRUNC,
			     (struct sockaddr *)&kf->peer, &len) < 0) {
			perror("dtls-keyexport: recvfrom");
			goto err;
		}
		kf->peer_len = len;
	}
	if (connect(fd, (struct sockaddr *)&kf->peer, kf->peer_len)) {
		perror("dtls-keyexport: connect");
		goto err;
	}
	kf->local_len = sizeof(kf->local);
	getsockname(fd, (struct sockaddr *)&kf->local, &kf->local_len);
	return fd;
err:
	close(fd);
	return -1;
}

static int build_keyfile(const struct args *a, const struct kx_session *s,
			 const struct kx_observer *obs,
			 struct m2msec_keyfile *kf)
{
	char err[256];

	if (kx_build_assoc(s, obs, a->o.role, kf, err, sizeof(err))) {
		fprintf(stderr, "dtls-keyexport: %s\n", err);
		return -1;
	}
	return 0;
}

static int write_keyfile(const char *path, const struct m2msec_keyfile *kf)
{
	FILE *f;
	int fd, err;

	if (!strcmp(path, "-"))
		return m2msec_keyfile_write(stdout, kf);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		fprintf(stderr, "dtls-keyexport: cannot write %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	err = m2msec_keyfile_write(f, kf);
	if (fclose(f) || err) {
		fprintf(stderr, "dtls-keyexport: writing %s failed\n", path);
		return -1;
	}
	return 0;
}

/* Read up to @n datagrams within @timeout seconds, one hex line each. */
static int capture(int fd, const char *path, int n, int timeout)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct timespec now, end;
	uint8_t buf[65536];
	int got = 0, ms;
	ssize_t len, i;
	FILE *f;

	f = fopen(path, "ae");
	if (!f) {
		fprintf(stderr, "dtls-keyexport: cannot open %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout;
	while (got < n) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (end.tv_sec - now.tv_sec) * 1000 +
			(end.tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0 || poll(&pfd, 1, ms) <= 0)
			break;
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0)
			continue;	/* e.g. ICMP port unreachable */
		for (i = 0; i < len; i++)
			fprintf(f, "%02x", buf[i]);
		fputc('\n', f);
		got++;
	}
	fclose(f);
	if (got < n) {
		fprintf(stderr, "dtls-keyexport: captured %d of %d datagrams within %d s\n",
			got, n, timeout);
		return -1;
	}
	return 0;
}

static void hex_print(FILE *f, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
	if (!n)
		fputc('-', f);
}

int main(int argc, char **argv)
{
	struct kx_observer obs = { 0 };
	struct m2msec_keyfile kf = { 0 };
	struct kx_session s = { 0 };
	struct args a = { 0 };
	int fd, ret = 1;

	if (parse_args(argc, argv, &a))
		return 2;
	obs.version = a.o.version;
	obs.verbose = a.o.verbose;
	signal(SIGALRM, on_alarm);
	alarm(a.o.timeout);
	fd = open_socket(&a, &kf);
	if (fd < 0)
		goto out;
	if (!strcmp(a.o.lib, "openssl"))
		ret = kx_openssl_handshake(&a.o, fd, &s, &obs);
	else
		ret = kx_wolfssl_handshake(&a.o, fd, &s, &obs);
	alarm(0);
	ret = ret || build_keyfile(&a, &s, &obs, &kf) ||
		write_keyfile(a.out, &kf);
	if (ret)
		goto out;
	/* One summary line: what was negotiated and seen. */
	fprintf(stderr, "dtls-keyexport: %s %s suite 0x%04x %s: tx epoch %" PRIu64 " seq %" PRIu64 " (%u records seen), rx epoch %" PRIu64 " seq %" PRIu64 " (%u records seen), tx-cid ",
		a.o.lib, m2msec_dtls_version_name(s.version), s.suite,
		m2msec_cipher_name(s.cipher), kf.tx.epoch, kf.tx.seq,
		obs.tx.epoch == kf.tx.epoch ? obs.tx.records : 0, kf.rx.epoch,
		kf.rx.seq, obs.rx.epoch == kf.rx.epoch ? obs.rx.records : 0);
	hex_print(stderr, kf.tx_cid, kf.tx_cid_len);
	fputs(" rx-cid ", stderr);
	hex_print(stderr, kf.rx_cid, kf.rx_cid_len);
	fputc('\n', stderr);
	if (a.capture)
		ret = capture(fd, a.capture_file, a.capture, a.o.timeout) ? 1 : 0;
out:
	if (fd >= 0)
		close(fd);
	m2msec_keyfile_clear(&kf);
	explicit_bzero(&s, sizeof(s));
	explicit_bzero(&obs, sizeof(obs));
	explicit_bzero(&a.o.psk, sizeof(a.o.psk));
	return ret ? 1 : 0;
}
