// SPDX-License-Identifier: GPL-2.0
/*
 * hs-bench: DTLS handshakes per second and the time from connect() to the
 * first byte received, for m2msec sockets (handshakes by m2msecd) and for
 * wolfSSL in the application.  scripts/bench-handshake.sh runs it in the
 * test VM; see --help and Documentation/benchmarks.md.
 *
 * The client forks --concurrency workers that share the connections
 * (connection i goes to worker i mod K); each writes its results into a
 * shared array, the parent waits for all and prints one line of
 * key=value pairs.  Handshakes per second are the successful connections
 * divided by the time from the workers' common start to the last one's
 * end; connection set-up and close are part of each connection.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/keyfile.h"
#include "../../lib/m2msec.h"
#include "hsb.h"

#define HSB_COUNT_MAX	100000
#define HSB_CONC_MAX	64

volatile sig_atomic_t hsb_stop;

uint64_t hsb_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

void hsb_err(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hs-bench: %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void hsb_ready(void)
{
	printf("ready\n");
	fflush(stdout);
}

static void on_signal(int sig)
{
	(void)sig;
	hsb_stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: hs-bench server --path m2msec|wolfssl --addr ADDR:PORT [OPTIONS]\n"
"       hs-bench client --path m2msec|wolfssl --addr ADDR:PORT [OPTIONS]\n"
"\n"
"One connection = open, DTLS handshake, send one byte, receive its echo,\n"
"close.  m2msec: an m2msec DTLS socket, the handshake done by m2msecd in\n"
"each network namespace (version, suite and credentials come from its\n"
"configuration); wolfssl: wolfSSL in this program over UDP.\n"
"\n"
"Client:\n"
"  -n, --count N          measured connections (default 20)\n"
"  -w, --warmup N         connections before, not measured (default 1)\n"
"  -c, --concurrency K    parallel workers sharing the connections (default 1)\n"
"  -t, --timeout MS       one connection at most (default 10000)\n"
"  Prints: ok= failed= wall_s= hs_per_s= connect_ms_median= connect_ms_p90=\n"
"          ttfb_ms_median= ttfb_ms_p90= ttfb_ms_max= errors=\n"
"Server (runs until SIGTERM/SIGINT; prints \"ready\", then its counters):\n"
"      --hs-rate N        m2msec: set hs-rate and hs-burst of the namespace\n"
"      --keep             m2msec: keep associations (default: ASSOC_DEL\n"
"                         after each echo)\n"
"wolfssl path:\n"
"      --version 1.2|1.3  DTLS version (default 1.2)\n"
"      --suite NAME       wolfSSL cipher suite name\n"
"      --psk-identity ID --psk HEX     PSK credentials\n"
"      --cert FILE --key FILE          our certificate chain and key (ECDSA;\n"
"                                      required for the server)\n"
"      --ca FILE                       trust anchors (ECDSA; required for the\n"
"                                      client; a server with --ca requires a\n"
"                                      client certificate)\n"
"  -v, --verbose          client: print the negotiated version and suite\n");
}

static int parse_hex(const char *s, uint8_t *out, size_t max, size_t *len)
{
	size_t n = strlen(s), i;
	unsigned int b;

	if (!n || n % 2 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = b;
	}
	*len = n / 2;
	return 0;
}

static int parse_uint(const char *s, unsigned int lo, unsigned int hi,
		      unsigned int *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || !*s || x < lo || x > hi)
		return -1;
	*v = x;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile (0..1) of sorted @v[0..n-1], nearest rank, in ms. */
static double quantile_ms(const uint32_t *v, unsigned int n, double q)
{
	unsigned int i;

	if (!n)
		return 0;
	i = (unsigned int)(q * n + 0.999999);
	i = i ? i - 1 : 0;
	return v[i < n ? i : n - 1] / 1000.0;
}

static void worker(const struct hsb_client *c, const struct hsb_opts *o,
		   unsigned int w, int ready, int go, struct hsb_result *res)
{
	void *st = c->init(o);
	struct hsb_result r;
	unsigned int i;
	char b;

	if (!st)
		_exit(1);
	/* Warm-up connections are the first ones of each worker. */
	for (i = 0; i < o->warmup; i++) {
		memset(&r, 0, sizeof(r));
		c->one(st, o, &r);
	}
	b = 1;
	if (write(ready, &b, 1) != 1 || read(go, &b, 1) < 0)
		_exit(1);
	for (i = w; i < o->count; i += o->conc) {
		memset(&res[i], 0, sizeof(res[i]));
		c->one(st, o, &res[i]);
	}
	c->exit(st);
	_exit(0);
}

static const char *err_name(int e)
{
	switch (e) {
	case ETIMEDOUT: return "ETIMEDOUT";
	case ECONNABORTED: return "ECONNABORTED";
	case ECONNRESET: return "ECONNRESET";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EAGAIN: return "EAGAIN";
	case EACCES: return "EACCES";
	case EKEYREJECTED: return "EKEYREJECTED";
	case EPROTO: return "EPROTO";
	case EBADMSG: return "EBADMSG";
	case EALREADY: return "EALREADY";
	case EINTR: return "EINTR";
	}
	return "other";
}

static int run_client(const struct hsb_client *c, const struct hsb_opts *o)
{
	size_t sz = o->count * sizeof(struct hsb_result);
	uint32_t *con, *ttfb;
	struct hsb_result *res;
	unsigned int i, ok = 0, errs[8] = { 0 };
	int errv[8] = { 0 }, ne = 0, j, go[2], ready[2], status, bad = 0;
	uint64_t t0, t1;
	double wall;
	char b;

	res = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		   -1, 0);
	con = calloc(o->count, sizeof(*con));
	ttfb = calloc(o->count, sizeof(*ttfb));
	if (res == MAP_FAILED || !con || !ttfb || pipe(go) || pipe(ready)) {
		hsb_err("client", "out of memory");
		return 1;
	}
	for (i = 0; i < o->count; i++)
		res[i].err = ECANCELED;	/* a worker that died */
	for (i = 0; i < o->conc; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			hsb_err("client", "fork: %s", strerror(errno));
			return 1;
		}
		if (!pid) {
			close(go[1]);
			close(ready[0]);
			worker(c, o, i, ready[1], go[0], res);
		}
	}
	close(go[0]);
	close(ready[1]);
	/* Every worker has done its warm-up (or died: end of file). */
	for (i = 0; i < o->conc && read(ready[0], &b, 1) == 1; i++)
		;
	t0 = hsb_now_us();
	close(go[1]);			/* go */
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	t1 = hsb_now_us();
	for (i = 0; i < o->count; i++) {
		if (!res[i].err) {
			con[ok] = res[i].connect_us;
			ttfb[ok++] = res[i].ttfb_us;
			continue;
		}
		for (j = 0; j < ne && errv[j] != res[i].err; j++)
			;
		if (j == ne && ne < 8)
			errv[ne++] = res[i].err;
		if (j < 8)
			errs[j]++;
	}
	qsort(con, ok, sizeof(*con), cmp_u32);
	qsort(ttfb, ok, sizeof(*ttfb), cmp_u32);
	wall = (t1 - t0) / 1e6;
	printf("ok=%u failed=%u wall_s=%.2f hs_per_s=%.2f connect_ms_median=%.1f connect_ms_p90=%.1f ttfb_ms_median=%.1f ttfb_ms_p90=%.1f ttfb_ms_max=%.1f errors=",
	       ok, o->count - ok, wall, ok / wall, quantile_ms(con, ok, 0.5),
	       quantile_ms(con, ok, 0.9), quantile_ms(ttfb, ok, 0.5),
	       quantile_ms(ttfb, ok, 0.9), quantile_ms(ttfb, ok, 1.0));
	for (j = 0; j < ne; j++)
		printf("%s%s:%u", j ? "," : "",
		       errv[j] == ECANCELED ? "worker-died" : err_name(errv[j]),
		       errs[j]);
	printf("%s\n", ne ? "" : "none");
	munmap(res, sz);
	free(con);
	free(ttfb);
	return bad || ok < o->count;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "path", required_argument, NULL, 'p' },
		{ "addr", required_argument, NULL, 'a' },
		{ "count", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "version", required_argument, NULL, 'V' },
		{ "suite", required_argument, NULL, 's' },
		{ "psk-identity", required_argument, NULL, 'I' },
		{ "psk", required_argument, NULL, 'K' },
		{ "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'k' },
		{ "ca", required_argument, NULL, 'A' },
		{ "hs-rate", required_argument, NULL, 'r' },
		{ "keep", no_argument, NULL, 'e' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct hsb_opts o = {
		.version = M2MSEC_DTLS_1_2, .count = 20, .warmup = 1,
		.conc = 1, .timeout_ms = 10000,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	const char *addr = NULL, *mode;
	int server, opt;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "server") && strcmp(argv[1], "client"))) {
		usage(stderr);
		return 2;
	}
	mode = argv[1];
	server = !strcmp(mode, "server");
	optind = 2;
	while ((opt = getopt_long(argc, argv, "p:a:n:w:c:t:vh", lo, NULL)) != -1) {
		switch (opt) {
		case 'p': o.path = optarg; break;
		case 'a': addr = optarg; break;
		case 'n':
			if (parse_uint(optarg, 1, HSB_COUNT_MAX, &o.count))
				goto bad;
			break;
		case 'w':
			if (parse_uint(optarg, 0, 100, &o.warmup))
				goto bad;
			break;
		case 'c':
			if (parse_uint(optarg, 1, HSB_CONC_MAX, &o.conc))
				goto bad;
			break;
		case 't':
			if (parse_uint(optarg, 100, 600000, &o.timeout_ms))
				goto bad;
			break;
		case 'V':
			if (!strcmp(optarg, "1.2"))
				o.version = M2MSEC_DTLS_1_2;
			else if (!strcmp(optarg, "1.3"))
				o.version = M2MSEC_DTLS_1_3;
			else
				goto bad;
			break;
		case 's': o.suite = optarg; break;
		case 'I': o.psk_identity = optarg; break;
		case 'K':
			if (parse_hex(optarg, o.psk, sizeof(o.psk), &o.psk_len))
				goto bad;
			break;
		case 'C': o.cert = optarg; break;
		case 'k': o.key = optarg; break;
		case 'A': o.ca = optarg; break;
		case 'r':
			if (parse_uint(optarg, 1, 1000000, &o.hs_rate))
				goto bad;
			break;
		case 'e': o.keep = 1; break;
		case 'v': o.verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !o.path || !addr ||
	    (strcmp(o.path, "m2msec") && strcmp(o.path, "wolfssl"))) {
		fprintf(stderr, "hs-bench: --path m2msec|wolfssl and --addr are required (see --help)\n");
		return 2;
	}
	if (m2msec_parse_addr(addr, &o.addr, &o.addr_len, 0)) {
		fprintf(stderr, "hs-bench: bad address %s (ADDR:PORT or [ADDR6]:PORT)\n",
			addr);
		return 2;
	}
	if (!strcmp(o.path, "wolfssl")) {
		o.auth = o.psk_len ? HSB_PSK : HSB_ECDSA;
		if (!o.suite || (o.auth == HSB_PSK && !o.psk_identity) ||
		    (o.auth == HSB_ECDSA && server && !o.cert) ||
		    (o.auth == HSB_ECDSA && !o.cert != !o.key) ||
		    (o.auth == HSB_ECDSA && !server && !o.ca)) {
			fprintf(stderr, "hs-bench: wolfssl needs --suite and either --psk-identity with --psk, or --cert/--key (server) and --ca (client)\n");
			return 2;
		}
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (server)
		return !strcmp(o.path, "m2msec") ? hsb_kern_server(&o) :
			hsb_wolf_server(&o);
	return run_client(!strcmp(o.path, "m2msec") ? &hsb_kern_client :
			  &hsb_wolf_client, &o);
bad:
	fprintf(stderr, "hs-bench: bad value '%s' (see --help)\n", optarg);
	return 2;
}
