// SPDX-License-Identifier: GPL-2.0
/*
 * dtls-bench: one-way DTLS record throughput between two network
 * namespaces, for scripts/bench-dtls.sh.  Never run as a test.
 *
 * The receiver runs in this process (in --rx-ns, on CPU 1), the sender in
 * a child (in --tx-ns, on CPU 0).  The sender sends as fast as the path
 * lets it until told to stop; the receiver waits for the first record,
 * lets the path warm up, then counts the records it receives during
 * --secs seconds and reads /proc/stat and its own rusage at both ends of
 * that window.  Loss is measured with the record counter carried in every
 * payload: records sent during the window that never arrived.
 *
 * Prints one line of NAME=VALUE pairs:
 *   path version size records_per_s loss_pct cpu_us tx_cpu_us rx_cpu_us
 *   busy_pct rx_proc_us records sent bad
 * cpu_us: CPU time of the whole machine (both ends, softirqs and kernel
 * threads included) per received record.  tx_cpu_us: CPU 0 (the sender's,
 * with the softirq work its sends trigger) per record sent during the
 * window; rx_cpu_us: CPU 1 (the receiver's) per record received; their sum
 * is the cost of a record without the records lost.  busy_pct: share of
 * all CPUs busy.  rx_proc_us: the receiving process's own CPU time per
 * record.  bad: records that failed to decode.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/m2msec.h>

#include "bench.h"

const uint8_t bench_key_ab[16] = "bench key a->b!";
const uint8_t bench_key_ba[16] = "bench key b->a!";
const uint8_t bench_iv_ab[12] = "iv a->b....";
const uint8_t bench_iv_ba[12] = "iv b->a....";
const uint8_t bench_sn_ab[16] = "sn key a->b....";
const uint8_t bench_sn_ba[16] = "sn key b->a....";
const uint8_t bench_psk[16] = "bench psk bytes";

static const struct bench_path *paths[] = {
	&bench_kernel, &bench_kernel_mmsg, &bench_kernel_gso, &bench_wolfssl,
	&bench_openssl,
	&bench_user_mmsg, &bench_user_gso, &bench_udp,
};

#define N_PATHS (sizeof(paths) / sizeof(paths[0]))

void bench_err(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dtls-bench: %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int bench_tx_transient(int err)
{
	return err == EAGAIN || err == ENOBUFS || err == EINTR ||
	       err == ECONNREFUSED;
}

void bench_payload(uint8_t *buf, uint64_t seq)
{
	memcpy(buf, &seq, sizeof(seq));
}

void bench_rx_ready(struct bench *b)
{
	if (b->ready_fd >= 0) {
		if (write(b->ready_fd, "r", 1) != 1)
			bench_err("ready", "%s", strerror(errno));
		close(b->ready_fd);
		b->ready_fd = -1;
	}
}

static uint64_t seen;

void bench_rx_record(struct bench *b, const uint8_t *buf, size_t len)
{
	uint64_t seq;

	if (len != b->size) {
		b->bad++;
		return;
	}
	seen++;
	if (!b->in_window)
		return;
	memcpy(&seq, buf, sizeof(seq));
	b->n++;
	if (!b->have_first) {
		b->first_seq = b->last_seq = seq;
		b->have_first = 1;
	} else if (seq > b->last_seq) {
		b->last_seq = seq;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * CPU time from /proc/stat: the machine (index 0), CPU 0 and CPU 1.  Busy
 * time is elapsed time minus idle time: the kernel measures idle periods
 * exactly (tickless idle), while busy ticks are sampled and get lost when
 * a virtual CPU does not run for a while.
 */
struct cpu_sample {
	double t;			/* CLOCK_MONOTONIC seconds */
	unsigned long long idle[3];	/* idle + iowait, clock ticks */
	double self;			/* seconds, this process */
};

static int cpu_sample(struct cpu_sample *s)
{
	unsigned long long v[8];
	char line[512], name[16];
	struct rusage ru;
	struct timespec ts;
	int i, found = 0;
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = fopen("/proc/stat", "r");
	if (!f)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	while (fgets(line, sizeof(line), f)) {
		memset(v, 0, sizeof(v));
		if (sscanf(line, "%15s %llu %llu %llu %llu %llu %llu %llu %llu",
			   name, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			   &v[6], &v[7]) < 6 || strncmp(name, "cpu", 3))
			continue;
		if (!strcmp(name, "cpu"))
			i = 0;
		else if (!strcmp(name, "cpu0"))
			i = 1;
		else if (!strcmp(name, "cpu1"))
			i = 2;
		else
			continue;
		/* user nice system idle iowait ... */
		s->idle[i] = v[3] + v[4];
		found |= 1 << i;
	}
	fclose(f);
	s->t = ts.tv_sec + ts.tv_nsec / 1e9;
	getrusage(RUSAGE_SELF, &ru);
	s->self = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		  ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	return found & 1 ? 0 : -1;
}

/* Busy CPU seconds between two samples (i: 0 all, 1 CPU 0, 2 CPU 1). */
static double cpu_secs(const struct cpu_sample *a, const struct cpu_sample *b,
		       int i)
{
	long ncpu = i ? 1 : sysconf(_SC_NPROCESSORS_ONLN);
	double busy = ncpu * (b->t - a->t) -
		      (double)(b->idle[i] - a->idle[i]) / sysconf(_SC_CLK_TCK);

	return busy > 0 ? busy : 0;
}

static int enter_netns(const char *name)
{
	char path[256];
	int fd;

	if (!name)
		return 0;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		bench_err("setns", "%s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0 || sysconf(_SC_NPROCESSORS_ONLN) <= cpu)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static volatile sig_atomic_t tx_stop;

static void on_stop(int sig)
{
	(void)sig;
	tx_stop = 1;
}

/* The child: wait for the receiver, then send until SIGUSR1. */
static int run_sender(struct bench *b, const struct bench_path *p,
		      const char *ns, int cpu, int ready_rd, int result_wr)
{
	struct sigaction sa = { .sa_handler = on_stop };
	char c;
	void *st;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: stop blocked sends */
	if (enter_netns(ns))
		return 1;
	pin(cpu);
	if (read(ready_rd, &c, 1) != 1)
		return 1;
	b->stop = &tx_stop;
	st = p->tx_setup(b);
	if (!st)
		return 1;
	while (!tx_stop)
		if (p->tx(b, st))
			return 1;
	if (write(result_wr, &b->sent, sizeof(b->sent)) != sizeof(b->sent))
		return 1;
	return 0;
}

static const struct bench_path *path_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < N_PATHS; i++)
		if (!strcmp(paths[i]->name, name))
			return paths[i];
	return NULL;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: dtls-bench --path PATH [--version 1.2|1.3] --size BYTES\n"
		"                  [--secs S] [--warmup S] [--tx-ns NS] [--rx-ns NS]\n"
		"                  --tx-addr IPV4 --rx-addr IPV4 [--port N]\n"
		"                  [--tx-path PATH] [--no-pin]\n"
		"paths:");
	for (i = 0; i < N_PATHS; i++)
		fprintf(f, " %s", paths[i]->name);
	fprintf(f, "\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "path", 1, NULL, 'p' }, { "version", 1, NULL, 'v' },
		{ "size", 1, NULL, 's' }, { "secs", 1, NULL, 't' },
		{ "warmup", 1, NULL, 'w' }, { "tx-ns", 1, NULL, 'T' },
		{ "rx-ns", 1, NULL, 'R' }, { "tx-addr", 1, NULL, 'a' },
		{ "rx-addr", 1, NULL, 'b' }, { "port", 1, NULL, 'P' },
		{ "tx-path", 1, NULL, 'x' }, { "no-pin", 0, NULL, 'n' },
		{ "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const struct bench_path *p = NULL, *txp = NULL;
	const char *tx_ns = NULL, *rx_ns = NULL, *ver = "1.2";
	struct bench b = { .ready_fd = -1 };
	double secs = 3, warmup = 0.5, t, t_start, t_first = 0, t0 = 0, span_s = 0;
	struct cpu_sample s0 = { 0 }, s1 = { 0 };
	int ready[2], result[2], c, port = 4433, pinning = 1, status;
	int phase = 0, ret = 1;
	struct pollfd pfd;
	uint64_t sent = 0;
	pid_t pid;
	void *st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': p = path_by_name(optarg); if (!p) goto bad; break;
		case 'x': txp = path_by_name(optarg); if (!txp) goto bad; break;
		case 'v': ver = optarg; break;
		case 's': b.size = strtoul(optarg, NULL, 0); break;
		case 't': secs = strtod(optarg, NULL); break;
		case 'w': warmup = strtod(optarg, NULL); break;
		case 'T': tx_ns = optarg; break;
		case 'R': rx_ns = optarg; break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &b.tx_addr.sin_addr) != 1)
				goto bad;
			break;
		case 'b':
			if (inet_pton(AF_INET, optarg, &b.rx_addr.sin_addr) != 1)
				goto bad;
			break;
		case 'P': port = atoi(optarg); break;
		case 'n': pinning = 0; break;
		case 'h': usage(stdout); return 0;
		default: goto bad;
		}
	}
	if (!p || optind != argc || b.size < sizeof(uint64_t) ||
	    b.size > BENCH_MAX_PAYLOAD || secs <= 0 || port <= 0 ||
	    port >= 65535 || !b.tx_addr.sin_addr.s_addr ||
	    !b.rx_addr.sin_addr.s_addr)
		goto bad;
	if (!strcmp(ver, "1.2"))
		b.version = M2MSEC_DTLS_1_2;
	else if (!strcmp(ver, "1.3"))
		b.version = M2MSEC_DTLS_1_3;
	else
		goto bad;
	if (!txp)
		txp = p;
	if (!(p->versions & txp->versions &
	      (b.version == M2MSEC_DTLS_1_3 ? 2 : 1))) {
		bench_err(p->name, "DTLS %s is not measured on this path", ver);
		return 2;
	}
	b.tx_addr.sin_family = b.rx_addr.sin_family = AF_INET;
	b.rx_addr.sin_port = htons(port);
	b.tx_addr.sin_port = htons(port + 1);

	if (pipe2(ready, O_CLOEXEC) || pipe2(result, O_CLOEXEC)) {
		bench_err("pipe", "%s", strerror(errno));
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		bench_err("fork", "%s", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		close(ready[1]);
		close(result[0]);
		_exit(run_sender(&b, txp, tx_ns, pinning ? 0 : -1, ready[0],
				 result[1]));
	}
	close(ready[0]);
	close(result[1]);
	b.ready_fd = ready[1];

	if (enter_netns(rx_ns))
		goto out;
	if (pinning)
		pin(1);
	st = p->rx_setup(&b);
	bench_rx_ready(&b);
	if (!st)
		goto out;

	t_start = now();
	while (!b.done) {
		if (p->rx(&b, st))
			goto out;
		t = now();
		switch (phase) {
		case 0:		/* waiting for the first record */
			if (seen) {
				t_first = t;
				phase = 1;
			} else if (t - t_start > 30) {
				bench_err(p->name, "no record arrived in 30 s");
				goto out;
			}
			break;
		case 1:		/* warming up */
			if (t - t_first >= warmup) {
				if (cpu_sample(&s0)) {
					bench_err("/proc/stat", "%s", strerror(errno));
					goto out;
				}
				t0 = s0.t;
				b.in_window = 1;
				phase = 2;
			}
			break;
		case 2:		/* measuring */
			if (t - t0 >= secs) {
				cpu_sample(&s1);
				span_s = s1.t - t0;
				b.in_window = 0;
				b.done = 1;
			}
			break;
		}
	}

	kill(pid, SIGUSR1);
	pfd = (struct pollfd){ .fd = result[0], .events = POLLIN };
	if (poll(&pfd, 1, 10000) == 1 &&
	    read(result[0], &sent, sizeof(sent)) != sizeof(sent))
		sent = 0;
	if (!b.n) {
		bench_err(p->name, "no record arrived in the measurement window");
		goto out;
	}
	{
		uint64_t span = b.last_seq - b.first_seq + 1;
		double loss = span > b.n ? 100.0 * (span - b.n) / span : 0;
		double busy = 100.0 * cpu_secs(&s0, &s1, 0) /
			(sysconf(_SC_NPROCESSORS_ONLN) * (s1.t - s0.t));

		printf("path=%s version=%s size=%zu records_per_s=%.0f loss_pct=%.2f cpu_us=%.2f tx_cpu_us=%.2f rx_cpu_us=%.2f busy_pct=%.0f rx_proc_us=%.2f records=%llu sent=%llu bad=%llu\n",
		       txp == p ? p->name : txp->name, ver, b.size,
		       b.n / span_s, loss, cpu_secs(&s0, &s1, 0) * 1e6 / b.n,
		       cpu_secs(&s0, &s1, 1) * 1e6 / span,
		       cpu_secs(&s0, &s1, 2) * 1e6 / b.n, busy,
		       (s1.self - s0.self) * 1e6 / b.n,
		       (unsigned long long)b.n, (unsigned long long)sent,
		       (unsigned long long)b.bad);
	}
	ret = 0;
out:
	fflush(stdout);
	kill(pid, SIGUSR1);
	for (c = 0; c < 50; c++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(100000);
	}
	if (c == 50) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (!ret && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		bench_err(txp->name, "the sender failed");
		ret = 1;
	}
	return ret;
bad:
	usage(stderr);
	return 2;
}
