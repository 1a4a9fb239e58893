// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecd: options and the event loop.
 *
 * One epoll loop: the netlink notification socket, a signalfd, and one
 * handshake channel per handshake in progress; its timeout is the nearest
 * retransmission timer or handshake deadline (hs_timeout_ms()).  SIGHUP
 * reloads the configuration (hsd_conf_reload()), SIGINT and SIGTERM stop.
 * The service manager hears of each (notify.c): READY=1 once the daemon
 * has joined the kernel's "handshake" multicast group, so that a connect()
 * of a unit ordered after m2msecd.service always finds a daemon.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "../../kmod/version.h"
#include "../lib/m2msec.h"
#include "m2msecd.h"

static void usage(FILE *f)
{
	fputs("Usage: m2msecd [-f [--log-prefix]] [-v...] [-c FILE]\n"
	      "       m2msecd -f --udp-server ADDR:PORT --out FILE [-c FILE]\n"
	      "       m2msecd -f --udp-client ADDR:PORT [--server-name NAME] --out FILE [-c FILE]\n"
	      "\n"
	      "The DTLS handshake daemon of m2msec: it takes the handshake requests of\n"
	      "m2msec sockets (a client's connect(), a server's first flight from a new\n"
	      "peer), runs DTLS 1.2 or 1.3 with wolfSSL, and hands the keys to the kernel.\n"
	      "\n"
	      "Options:\n"
	      "  -c, --config FILE     configuration file (default " HSD_DEFAULT_CONF ")\n"
	      "  -f, --foreground      stay in the foreground and log to standard error\n"
	      "      --log-prefix      begin each line with its priority as \"<N>\" for\n"
	      "                        the journal (automatic when standard error is\n"
	      "                        the journal, $JOURNAL_STREAM)\n"
	      "  -v, --verbose         more log output: once info, twice debug\n"
	      "  -q, --quiet           only errors and warnings\n"
	      "  -t, --check-config    check the configuration and the credentials, exit\n"
	      "  -V, --version         print the version\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "Testing without the kernel (one handshake on a UDP socket, the result\n"
	      "written as an m2msec-nc(1) key file, exit status 0 on success):\n"
	      "  --udp-server ADDR:PORT    answer the first peer that sends to ADDR:PORT\n"
	      "  --udp-client ADDR:PORT    connect to the server at ADDR:PORT\n"
	      "  --server-name NAME        SNI the client sends\n"
	      "  --out FILE                the key file to write (mode 0600)\n"
	      "\n"
	      "SIGHUP reloads the configuration: new handshakes use it, those in progress\n"
	      "finish with the one they started with; a configuration with errors is\n"
	      "not taken (the reasons are logged) and the previous one stays.\n"
	      "\n"
	      "Handshake failures reach the application as connect() errors: EACCES (the\n"
	      "peer refused our credentials), EKEYREJECTED (we refused the peer's\n"
	      "certificate or PSK), ETIMEDOUT, EPROTO (no common suite, protocol error).\n"
	      "See m2msecd(8) for the configuration file.\n", f);
}

struct args {
	const char *conf;
	int foreground, level, check, log_prefix;
	const char *udp_server, *udp_client, *server_name, *out;
};

static int parse_args(int argc, char **argv, struct args *a)
{
	enum { O_UDP_SERVER = 256, O_UDP_CLIENT, O_SERVER_NAME, O_OUT,
	       O_LOG_PREFIX };
	static const struct option lo[] = {
		{ "config", 1, NULL, 'c' }, { "foreground", 0, NULL, 'f' },
		{ "verbose", 0, NULL, 'v' }, { "quiet", 0, NULL, 'q' },
		{ "check-config", 0, NULL, 't' }, { "help", 0, NULL, 'h' },
		{ "version", 0, NULL, 'V' },
		{ "udp-server", 1, NULL, O_UDP_SERVER },
		{ "udp-client", 1, NULL, O_UDP_CLIENT },
		{ "server-name", 1, NULL, O_SERVER_NAME },
		{ "out", 1, NULL, O_OUT },
		{ "log-prefix", 0, NULL, O_LOG_PREFIX },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	a->conf = HSD_DEFAULT_CONF;
	a->level = LOG_NOTICE;
	while ((c = getopt_long(argc, argv, "c:fvqthV", lo, NULL)) != -1) {
		switch (c) {
		case 'c': a->conf = optarg; break;
		case 'f': a->foreground = 1; break;
		case 'v': if (a->level < LOG_DEBUG) a->level++; break;
		case 'q': a->level = LOG_WARNING; break;
		case 't': a->check = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("m2msecd %s\n", M2MSEC_VERSION); exit(0);
		case O_UDP_SERVER: a->udp_server = optarg; break;
		case O_UDP_CLIENT: a->udp_client = optarg; break;
		case O_SERVER_NAME: a->server_name = optarg; break;
		case O_OUT: a->out = optarg; break;
		case O_LOG_PREFIX: a->log_prefix = 1; break;
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "m2msecd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -1;
	}
	if ((a->udp_server || a->udp_client) != !!a->out ||
	    (a->udp_server && a->udp_client)) {
		fprintf(stderr, "m2msecd: --udp-server or --udp-client goes with --out\n");
		usage(stderr);
		return -1;
	}
	return 0;
}

/* A failed notification is logged; the daemon carries on. */
static void notify(int ret)
{
	if (ret < 0)
		hsd_log(LOG_WARNING, "cannot notify the service manager ($NOTIFY_SOCKET): %s",
			strerror(-ret));
}

/* READY=1 with a status line systemctl shows. */
static void notify_ready(struct hsd *d, const char *what)
{
	const struct hsd_conf *c = d->conf;

	notify(hsd_notify("READY=1\nSTATUS=%s%s, DTLS %s%s%s\n",
			  what, d->test_out ? "waiting for a UDP client" :
			  "taking handshake requests",
			  c->versions & HSD_V12 ? "1.2" : "",
			  c->versions == (HSD_V12 | HSD_V13) ? " and " : "",
			  c->versions & HSD_V13 ? "1.3" : ""));
}

/* RELOADING=1 carries the time of the request (systemd.service(5)). */
static void notify_reloading(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	notify(hsd_notify("RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=%llu\n",
			  (unsigned long long)ts.tv_sec * 1000000ULL +
			  ts.tv_nsec / 1000));
}

/* SIGHUP: reload; SIGINT, SIGTERM: stop. */
static void on_signal(struct hsd *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			hsd_log(LOG_NOTICE, "signal %u: reloading %s",
				si.ssi_signo, d->conf->path);
			notify_reloading();
			notify_ready(d, hsd_conf_reload(d, d->conf->path) ?
				     "reload refused, previous configuration kept; " : "");
			continue;
		}
		hsd_log(LOG_NOTICE, "signal %u: stopping", si.ssi_signo);
		notify(hsd_notify("STOPPING=1\nSTATUS=stopping\n"));
		d->stop = 1;
	}
}

/* --udp-server: wait for the first datagram, taking signals meanwhile. */
static int udp_wait(struct hsd *d, int fd)
{
	uint64_t now, end = hsd_now_ms() + d->conf->timeout_ms;
	struct pollfd pfd[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = d->sigfd, .events = POLLIN },
	};

	while (!d->stop && (now = hsd_now_ms()) < end) {
		if (poll(pfd, 2, end - now) < 0 && errno != EINTR)
			return -1;
		if (pfd[0].revents & POLLIN)
			return 0;
		if (pfd[1].revents & POLLIN)
			on_signal(d);
	}
	if (!d->stop)
		hsd_log(LOG_ERR, "no client within the handshake timeout");
	return -1;
}

/* --udp-*: a connected UDP socket stands in for the handshake channel. */
static int udp_params(struct hsd *d, const struct args *a, struct hs_params *p)
{
	const char *addr = a->udp_server ? a->udp_server : a->udp_client;
	struct sockaddr_storage ss;
	socklen_t len;
	char b;
	int fd;

	p->role = a->udp_server ? KX_SERVER : KX_CLIENT;
	if (a->server_name)
		snprintf(p->server_name, sizeof(p->server_name), "%s",
			 a->server_name);
	if (m2msec_parse_addr(addr, &ss, &len, a->udp_server != NULL)) {
		hsd_log(LOG_ERR, "'%s' is not ADDR:PORT or [ADDR6]:PORT", addr);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (a->udp_server) {
		if (bind(fd, (struct sockaddr *)&ss, len)) {
			hsd_log(LOG_ERR, "bind %s: %s", addr, strerror(errno));
			goto err;
		}
		hsd_log(LOG_INFO, "--udp-server: waiting for a client on %s",
			addr);
		notify_ready(d, "");
		if (udp_wait(d, fd))
			goto err;
		p->peer_len = sizeof(p->peer);
		if (recvfrom(fd, &b, 1, MSG_PEEK, (struct sockaddr *)&p->peer,
			     &p->peer_len) < 0)
			goto err;
	} else {
		memcpy(&p->peer, &ss, len);
		p->peer_len = len;
	}
	if (connect(fd, (struct sockaddr *)&p->peer, p->peer_len))
		goto err;
	p->local_len = sizeof(p->local);
	getsockname(fd, (struct sockaddr *)&p->local, &p->local_len);
	p->fd = fd;
	return 0;
err:
	close(fd);
	return -1;
}

static int loop(struct hsd *d)
{
	struct epoll_event evs[32];
	int n, i;

	int t, tc;

	while (!d->stop) {
		t = hs_timeout_ms(d);
		tc = ctrl_timeout_ms(d);
		if (tc >= 0 && (t < 0 || tc < t))
			t = tc;
		n = epoll_wait(d->epfd, evs, 32, t);
		if (n < 0 && errno != EINTR) {
			hsd_log(LOG_ERR, "epoll_wait: %s", strerror(errno));
			return -1;
		}
		for (i = 0; i < n; i++) {
			enum hsd_src_kind *k = evs[i].data.ptr;

			if (*k == HSD_SRC_NL) {
				hsd_nl_event(d);
			} else if (*k == HSD_SRC_SIG) {
				on_signal(d);
			} else if (*k == HSD_SRC_LISTEN) {
				hsd_listen_event(d, k, evs[i].events);
			} else if (*k == HSD_SRC_CTL) {
				ctrl_event(d, k, evs[i].events);
			} else {
				hs_event(d, k, evs[i].events);
			}
			if (d->stop)
				break;
		}
		hs_timers(d);
		ctrl_timers(d);
	}
	return 0;
}

static int add_fd(struct hsd *d, int fd, enum hsd_src_kind *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
}

int main(int argc, char **argv)
{
	struct hsd d = { .nl_kind = HSD_SRC_NL, .sig_kind = HSD_SRC_SIG,
			 .epfd = -1, .sigfd = -1 };
	struct args a = { 0 };
	struct hs_params p = { .fd = -1 };
	sigset_t mask;
	int ret = 1, nlfd;

	if (parse_args(argc, argv, &a))
		return 2;
	if (a.foreground || a.check || a.out)
		hsd_log_init(a.level, a.log_prefix ? HSD_LOG_PREFIX :
			     HSD_LOG_STDERR);
	else
		hsd_log_init(a.level, HSD_LOG_SYSLOG);
	/* Before any secret is read: no core dumps, no ptrace by others. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		hsd_log(LOG_ERR, "prctl(PR_SET_DUMPABLE): %s", strerror(errno));
		return 1;
	}
	if (hsd_secmem_init(&d.secrets, sizeof(struct kx_session)))
		return 1;
	d.conf = hsd_conf_open(a.conf);
	if (!d.conf || hsd_listen_init(&d))
		goto out;
	if (a.check) {
		printf("m2msecd: %s is valid\n", a.conf);
		ret = 0;
		goto out;
	}
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d.epfd < 0 || d.sigfd < 0 || add_fd(&d, d.sigfd, &d.sig_kind))
		goto out;
	if (a.out) {
		d.test_out = a.out;
		d.test_status = -EINPROGRESS;
		if (udp_params(&d, &a, &p) || hs_start(&d, &p))
			goto out;
	} else {
		nlfd = hsd_nl_open(&d);
		if (nlfd < 0 || add_fd(&d, nlfd, &d.nl_kind))
			goto out;
		if (!a.foreground && daemon(0, 0)) {
			hsd_log(LOG_ERR, "daemon: %s", strerror(errno));
			goto out;
		}
		hsd_log(LOG_NOTICE, "ready: %s, DTLS %s%s%s, %s", a.conf,
			d.conf->versions & HSD_V12 ? "1.2" : "",
			d.conf->versions == (HSD_V12 | HSD_V13) ? " and " : "",
			d.conf->versions & HSD_V13 ? "1.3" : "",
			d.conf->ciphers);
		/*
		 * Joined the "handshake" group: no request is missed now.
		 * Those made before are taken from the kernel's list.
		 */
		hsd_nl_pending(&d);
		notify_ready(&d, "");
	}
	if (loop(&d))
		goto out;
	ret = a.out ? d.test_status != 0 : 0;
out:
	hs_abort_all(&d);
	hsd_listen_close_all(&d);
	ctrl_close_all(&d);
	hsd_nl_close(&d);
	if (d.sigfd >= 0)
		close(d.sigfd);
	if (d.epfd >= 0)
		close(d.epfd);
	hsd_conf_put(d.conf);
	hsd_secmem_exit(&d.secrets);
	return ret;
}
