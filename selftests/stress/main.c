// SPDX-License-Identifier: GPL-2.0
/*
 * m2msec_stress: from several threads and processes, for a fixed time,
 * random but valid-shaped sequences of operations over the whole m2msec
 * surface (DTLS and ESPrim sockets, generic netlink, handshake channels,
 * association control channels, keys, network namespaces, module unload),
 * with hostile datagrams at the same time.  Every syscall's errno is
 * counted and checked against the list of errnos acceptable for it; a
 * watchdog fails the run when no operation completes for --hang seconds
 * (default 30; more on a debug kernel under emulation, where the first use
 * of a crypto algorithm runs modprobe for seconds of CPU time).
 *
 * Usage: m2msec_stress [--seed N] [--duration SEC] [--threads N]
 *                      [--hang SEC] [--module PATH.ko] [--verbose]
 *
 * Exit status: 0 clean run, 1 unexpected errno, hang, or a worker process
 * died; 4 the module is not loaded (skip).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "stress.h"

struct shared *shm;
struct config cfg = { .duration = 60, .threads = 4, .hang = 30 };
static struct worker *workers[MAX_THREADS];
static int nworkers;
static uint64_t local_progress;
static volatile int workers_done;

/* ------------------------------------------------------------ errnos */
#define FDS EBADF, ENOTSOCK, EOPNOTSUPP, EPROTOTYPE, EINVAL, ENOTTY
#define KEYS ENOKEY, EKEYREVOKED, EKEYEXPIRED, EACCES, EMEDIUMTYPE
/* ERANGE: attribute policy (an id 0, a descriptor -1) */
#define NL EINVAL, ENOENT, EOPNOTSUPP, ERANGE
/* What a finished handshake can hand connect(): the stand-in daemon's
 * statuses and installation errors. */
#define HSERR ETIMEDOUT, ECONNABORTED, ECONNRESET, EACCES, EKEYREJECTED, \
	EPROTO, ECONNREFUSED, KEYS, EEXIST, ERANGE, EMFILE

const struct call_info calls[NCALLS] = {
	[C_SOCKET] = { "socket", { EAFNOSUPPORT, ESOCKTNOSUPPORT,
		EPROTONOSUPPORT, EMFILE, ENFILE } },
	[C_BIND] = { "bind", { FDS, EADDRINUSE, EADDRNOTAVAIL, EAFNOSUPPORT,
		EISCONN, EALREADY } },
	[C_CONNECT] = { "connect", { FDS, EINPROGRESS, EALREADY, HSERR,
		EADDRNOTAVAIL, EADDRINUSE, ENETUNREACH, EAFNOSUPPORT, EISCONN,
		EHOSTUNREACH } },
	[C_LISTEN] = { "listen", { FDS, EALREADY, EBUSY } },
	/* A failed non-blocking connect() leaves its error in sk_err,
	 * which the next send or receive reports, as on UDP. */
	[C_SENDMSG] = { "sendmsg", { FDS, HSERR, EMSGSIZE, ENOTCONN, EDESTADDRREQ,
		EKEYEXPIRED, ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EPIPE,
		EAFNOSUPPORT, EISCONN, ENOENT, EADDRNOTAVAIL } },
	[C_SENDMMSG] = { "sendmmsg", { FDS, HSERR, EMSGSIZE, ENOTCONN, EDESTADDRREQ,
		EKEYEXPIRED, ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EPIPE,
		EAFNOSUPPORT, EISCONN, ENOENT, EADDRNOTAVAIL } },
	[C_RECVMSG] = { "recvmsg", { FDS, HSERR, ENOTCONN } },
	[C_RECVMMSG] = { "recvmmsg", { FDS, HSERR, ENOTCONN } },
	[C_POLL] = { "poll", { 0 } },
	[C_CLOSE] = { "close", { 0 } },
	[C_SETSOCKOPT] = { "setsockopt", { FDS, ENOPROTOOPT, ERANGE } },
	[C_GETSOCKOPT] = { "getsockopt", { FDS, ENOPROTOOPT, ENOENT, ERANGE,
		ENODATA } },
	[C_GETNAME] = { "getsockname/getpeername", { FDS, ENOTCONN } },
	[C_NL_ASSOC_NEW] = { "ASSOC_NEW", { NL, EBADF, ENOTSOCK, EPROTOTYPE,
		KEYS, EEXIST, ERANGE, ENOSPC, ECONNRESET, ENOTCONN,
		EADDRNOTAVAIL, EPERM } },
	[C_NL_ASSOC_SET] = { "ASSOC_SET", { NL, EBADF, ENOTSOCK, EPROTOTYPE,
		KEYS, EEXIST, ERANGE, ENOTUNIQ, EPIPE, ECONNRESET, EPERM } },
	[C_NL_ASSOC_DEL] = { "ASSOC_DEL", { NL, EBADF, ENOTSOCK, EPROTOTYPE,
		ENOTUNIQ, EPIPE, EPERM } },
	[C_NL_ASSOC_GET] = { "ASSOC_GET", { NL, EBADF, ENOTSOCK, EPROTOTYPE,
		EPERM } },
	[C_NL_ASSOC_REKEY] = { "ASSOC_REKEY", { NL, EBADF, ENOTSOCK,
		EPROTOTYPE, ENOTUNIQ, ENOTCONN, EPIPE } },
	[C_NL_GET_INFO] = { "GET_INFO", { NL } },
	[C_NL_GET_CONFIG] = { "GET_CONFIG", { NL } },
	[C_NL_SET_CONFIG] = { "SET_CONFIG", { NL, ERANGE } },
	[C_NL_GET_STATS] = { "GET_STATS", { NL } },
	[C_NL_ESP_STATS] = { "ESPRIM_GET_STATS", { NL } },
	[C_NL_ESP_SESS] = { "ESPRIM_SESSION_GET", { NL } },
	[C_NL_HS_ACCEPT] = { "HS_ACCEPT", { NL, EBUSY, EMFILE } },
	[C_NL_HS_CLAIM] = { "HS_CLAIM", { NL, EBADF, EAFNOSUPPORT, EEXIST,
		ECONNRESET, EMFILE } },
	[C_NL_HS_DONE] = { "HS_DONE", { NL, ECONNRESET, KEYS, EEXIST, ERANGE,
		EMFILE, EBADF, ENOSPC, EADDRNOTAVAIL } },
	[C_NL_GARBAGE] = { "genl garbage", { 0 }, true },
	[C_NL_RESOLVE] = { "genl resolve", { ENOENT } },
	[C_MC_JOIN] = { "join mcast group", { EINVAL, ENOENT } },
	[C_MC_READ] = { "read notifications", { ENOBUFS } },
	[C_CHAN_READ] = { "hs channel read", { FDS, EISDIR } },
	[C_CHAN_WRITE] = { "hs channel write", { FDS, EPIPE, EMSGSIZE,
		EAFNOSUPPORT, ECONNREFUSED, ENETUNREACH, EHOSTUNREACH,
		EDESTADDRREQ, EADDRNOTAVAIL, EISDIR } },
	[C_CHAN_POLL] = { "hs channel poll", { 0 } },
	[C_CTRL_READ] = { "ctrl channel read", { FDS, EISDIR } },
	[C_CTRL_WRITE] = { "ctrl channel write", { FDS, EMSGSIZE, EKEYEXPIRED,
		EPIPE, ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EISDIR } },
	[C_CTRL_IOCTL] = { "ctrl channel ioctl", { FDS, ENODATA, EISDIR } },
	[C_CTRL_POLL] = { "ctrl channel poll", { 0 } },
	[C_ADD_KEY] = { "add_key", { EINVAL, EDQUOT, ENODEV, EKEYREVOKED } },
	[C_KEY_REVOKE] = { "keyctl revoke", { KEYS } },
	[C_KEY_INVALIDATE] = { "keyctl invalidate", { KEYS } },
	[C_KEY_TIMEOUT] = { "keyctl set_timeout", { KEYS } },
	[C_KEY_READ] = { "keyctl read", { KEYS, EOPNOTSUPP } },
	[C_ESP_SOCKOPT] = { "esprim setsockopt", { FDS, ENOPROTOOPT, EEXIST,
		ENOSPC, ENOENT, ETIME, KEYS } },
	[C_ESP_SEND] = { "esprim sendmsg", { FDS, EMSGSIZE } },
	[C_ESP_SENDMMSG] = { "esprim sendmmsg", { FDS, EMSGSIZE } },
	[C_ESP_RECV] = { "esprim recvmsg", { FDS } },
	[C_ESP_RECVMMSG] = { "esprim recvmmsg", { FDS } },
	[C_UDP_SEND] = { "udp sendto", { ECONNREFUSED, EMSGSIZE } },
	[C_RAW_SEND] = { "raw sendto", { ECONNREFUSED, EMSGSIZE, EINVAL } },
	[C_DELETE_MODULE] = { "delete_module", { EBUSY, ENOENT } },
	[C_INIT_MODULE] = { "finit_module", { EEXIST, EBUSY, ENOENT } },
	[C_UNSHARE] = { "unshare", { ENOSPC, EUSERS } },
	[C_SETNS] = { "setns", { EINVAL } },
	[C_NS_OPEN] = { "open ns", { ENOENT, ESRCH } },
	[C_FD_RECV] = { "recv fd", { 0 } },
};

static bool acceptable(enum call c, int e)
{
	const struct call_info *ci = &calls[c];
	int i;

	if (e == EINTR || e == ENOMEM || e == ENOBUFS || e == EAGAIN)
		return true;
	if (!cfg.priv && (e == EPERM || e == EACCES))
		return true;
	if (ci->any)
		return e != EFAULT;
	for (i = 0; i < (int)ARRAY_SIZE(ci->ok) && ci->ok[i]; i++)
		if (ci->ok[i] == e)
			return true;
	return false;
}

/* ------------------------------------------------------------ helpers */
uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t rnd(struct worker *w)
{
	return splitmix(&w->rng);
}

void rnd_bytes(struct worker *w, void *p, size_t n)
{
	uint8_t *b = p;
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(i & 7))
			v = rnd(w);
		b[i] = v;
		v >>= 8;
	}
}

bool stopping(void)
{
	return shm->stop || now_ns() > cfg.deadline_ns;
}

void logmsg(const char *fmt, ...)
{
	va_list ap;
	char line[512];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stdout, "stress[%s]: %s\n", cfg.proc_name, line);
	fflush(stdout);
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	char line[512];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stdout, "stress[%s]: FATAL: %s\n", cfg.proc_name, line);
	fflush(stdout);
	__atomic_store_n(&shm->failed, 1, __ATOMIC_SEQ_CST);
	shm->stop = 1;
	_exit(1);
}

void call_begin(struct worker *w, enum call c)
{
	/* Start time first: the watchdog reads the call, then the time. */
	__atomic_store_n(&w->op_start_ns, now_ns(), __ATOMIC_RELEASE);
	__atomic_store_n(&w->cur_call, c, __ATOMIC_RELEASE);
}

long rec_err(struct worker *w, enum call c, int e)
{
	int slot;

	w->cur_call = -1;
	if (!e) {
		__atomic_add_fetch(&shm->count[c][0], 1, __ATOMIC_RELAXED);
		return 0;
	}
	slot = e < MAX_ERRNO_TRACK ? e : MAX_ERRNO_TRACK - 1;
	__atomic_add_fetch(&shm->count[c][slot], 1, __ATOMIC_RELAXED);
	if (!acceptable(c, e)) {
		int n;

		__atomic_add_fetch(&shm->unexpected[c], 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&shm->unexp_errno[c][slot], 1,
				   __ATOMIC_RELAXED);
		n = __atomic_fetch_add(&shm->nfirst, 1, __ATOMIC_RELAXED);
		if (n < 8)
			snprintf(shm->first_unexpected[n],
				 sizeof(shm->first_unexpected[n]),
				 "%s: errno %d (%s) in process %s thread %d",
				 calls[c].name, e, strerrorname_np(e) ?: "?",
				 cfg.proc_name, w->idx);
		if (n < 50)
			logmsg("UNEXPECTED %s: %s (%d), thread %d",
			       calls[c].name, strerrorname_np(e) ?: "?", e,
			       w->idx);
	}
	return -e;
}

long rec(struct worker *w, enum call c, long r)
{
	if (r >= 0) {
		rec_err(w, c, 0);
		return r;
	}
	return rec_err(w, c, errno);
}

/* ------------------------------------------------------------ pools */
int pool_pick(struct worker *w, struct pool *p)
{
	return __atomic_load_n(&p->fd[rn(w, ARRAY_SIZE(p->fd))],
			       __ATOMIC_RELAXED);
}

int pool_take(struct worker *w, struct pool *p)
{
	int i = rn(w, ARRAY_SIZE(p->fd));

	return __atomic_exchange_n(&p->fd[i], -1, __ATOMIC_SEQ_CST);
}

bool pool_put(struct pool *p, int fd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(p->fd); i++) {
		int exp = -1;

		if (__atomic_compare_exchange_n(&p->fd[i], &exp, fd, false,
						__ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return true;
	}
	return false;
}

static void pool_init(struct pool *p)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(p->fd); i++)
		p->fd[i] = -1;
}

/*
 * Closing: either close() (the number is reused at once, and racing users
 * of the stale number hit whatever comes next) or replace it by /dev/null
 * with dup2() (the file is released exactly as by close(), the number
 * stays taken for a while) and close the placeholder later.
 */
static __thread int deferred[16];
static __thread int ndeferred;

void close_fd(struct worker *w, int fd)
{
	if (fd < 0)
		return;
	if (chance(w, 50) || ndeferred == (int)ARRAY_SIZE(deferred)) {
		call_begin(w, C_CLOSE);
		rec(w, C_CLOSE, close(fd));
		return;
	}
	call_begin(w, C_CLOSE);
	rec(w, C_CLOSE, dup2(cfg.devnull, fd) < 0 ? -1 : 0);
	deferred[ndeferred++] = fd;
	if (ndeferred > 8) {
		close(deferred[0]);
		memmove(deferred, deferred + 1, --ndeferred * sizeof(int));
	}
}

struct pool dtls_pool, esp_pool, chan_pool, ctrl_pool;

/* ------------------------------------------------------------ workers */
static const struct op *all_ops[256];
static int all_weights[256], nall, total_weight;

static void add_ops(const struct op *ops, int n)
{
	int i;

	for (i = 0; i < n && nall < (int)ARRAY_SIZE(all_ops); i++) {
		if (ops[i].priv_only && !cfg.priv)
			continue;
		all_ops[nall] = &ops[i];
		all_weights[nall] = ops[i].weight;
		total_weight += ops[i].weight;
		nall++;
	}
}

static void run_one(struct worker *w)
{
	int r = rn(w, total_weight), i;

	for (i = 0; i < nall; i++) {
		r -= all_weights[i];
		if (r < 0)
			break;
	}
	if (i == nall)
		i = nall - 1;
	all_ops[i]->fn(w);
	w->cur_call = -1;
	__atomic_add_fetch(&shm->ops, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&local_progress, 1, __ATOMIC_RELAXED);
}

static struct worker *new_worker(int idx)
{
	struct worker *w = calloc(1, sizeof(*w));

	if (!w)
		fatal("out of memory");
	w->idx = idx;
	w->rng = cfg.seed ^ ((uint64_t)cfg.proc_idx << 40) ^
		 ((uint64_t)(idx + 1) * 0x9e3779b97f4a7c15ull);
	rnd(w);
	w->cur_call = -1;
	if (nl_open(w) < 0)
		fatal("cannot open a generic netlink socket: %s",
		      strerror(errno));
	return w;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int i;

	w->os_tid = gettid();
	while (!stopping())
		run_one(w);
	for (i = 0; i < ndeferred; i++)
		close(deferred[i]);
	return NULL;
}

/* Where in the kernel a stuck thread waits (root only). */
static void print_stack(struct worker *w)
{
	char path[64], line[256];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", w->os_tid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && n++ < 12) {
		line[strcspn(line, "\n")] = 0;
		logmsg("    %s", line);
	}
	fclose(f);
}

/*
 * Calls of every process of the run that wait inside m2msec (the holder of
 * a lock the others queue on, typically): printed by the root process.
 */
static void print_m2msec_stacks(void)
{
	int pids[5] = { getpid(), shm->pids[0], shm->pids[1], shm->pids[2],
			shm->netns_pid };
	char path[320], line[256], stack[2048];
	int i;

	for (i = 0; i < 5; i++) {
		struct dirent *d;
		DIR *dir;

		if (pids[i] <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task", pids[i]);
		dir = opendir(path);
		if (!dir)
			continue;
		while ((d = readdir(dir))) {
			FILE *f;
			size_t used = 0;

			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%d/task/%s/stack",
				 pids[i], d->d_name);
			f = fopen(path, "r");
			if (!f)
				continue;
			stack[0] = 0;
			while (fgets(line, sizeof(line), f) &&
			       used + strlen(line) < sizeof(stack)) {
				strcpy(stack + used, line);
				used += strlen(line);
			}
			fclose(f);
			if (!strstr(stack, "[m2msec]"))
				continue;
			logmsg("kernel stack of task %s (process %d):",
			       d->d_name, pids[i]);
			fputs(stack, stdout);
		}
		closedir(dir);
	}
	fflush(stdout);
}

static void kick(int sig)
{
	(void)sig;
}

/*
 * Watchdog: calls that may block are interrupted (SIGUSR1, no
 * SA_RESTART) after a second; no operation completing in this process
 * for cfg.hang seconds is a hang.
 */
static void *watchdog(void *arg)
{
	uint64_t last = 0, last_t = now_ns();
	int i, nstacks = 0;

	(void)arg;
	for (;;) {
		uint64_t t = now_ns(), p;

		usleep(100000);
		if (workers_done)
			break;
		for (i = 0; i < nworkers; i++) {
			struct worker *w = workers[i];
			int c = __atomic_load_n(&w->cur_call,
						__ATOMIC_ACQUIRE);
			uint64_t st = __atomic_load_n(&w->op_start_ns,
						      __ATOMIC_ACQUIRE);

			if (c >= 0 && st < t && t - st > 1000000000ull) {
				pthread_kill(w->tid, SIGUSR1);
				__atomic_add_fetch(&shm->kicks, 1,
						   __ATOMIC_RELAXED);
			}
			if (c >= 0 && st < t && t - st > 5000000000ull &&
			    w->reported != st) {
				w->reported = st;
				logmsg("thread %d still in %s after 5 s (interrupted every 100 ms)",
				       i, calls[c].name);
				if (nstacks++ < 6)
					print_stack(w);
				if (cfg.priv && nstacks < 4)
					print_m2msec_stacks();
			}
		}
		p = __atomic_load_n(&local_progress, __ATOMIC_RELAXED);
		if (p != last) {
			last = p;
			last_t = t;
			continue;
		}
		if (t - last_t > (uint64_t)cfg.hang * 1000000000ull) {
			logmsg("HANG: no operation completed for %d s", cfg.hang);
			for (i = 0; i < nworkers; i++) {
				struct worker *w = workers[i];
				int c = w->cur_call;

				if (c >= 0) {
					logmsg("  thread %d stuck in %s for %.1f s",
					       i, calls[c].name,
					       (t - w->op_start_ns) / 1e9);
					print_stack(w);
				}
			}
			fatal("hang");
		}
	}
	return NULL;
}

static void run_workers(int n)
{
	pthread_t wd;
	int i;

	add_ops(dtls_ops, n_dtls_ops);
	add_ops(hs_ops, n_hs_ops);
	add_ops(esp_ops, n_esp_ops);
	add_ops(sys_ops, n_sys_ops);
	for (i = 0; i < n; i++)
		workers[i] = new_worker(i);
	nworkers = n;
	/* Resolve before the pools fill: the netlink sockets keep the
	 * lowest descriptor numbers for the whole run. */
	nl_resolve(workers[0]);
	for (i = 0; i < n; i++)
		if (pthread_create(&workers[i]->tid, NULL, worker_main,
				   workers[i]))
			fatal("pthread_create");
	pthread_create(&wd, NULL, watchdog, NULL);
	for (i = 0; i < n; i++)
		pthread_join(workers[i]->tid, NULL);
	workers_done = 1;
	pthread_join(wd, NULL);
	if (cfg.verbose)
		logmsg("workers done");
}

/* ------------------------------------------------------------ processes */
static void child_common(const char *name, int idx)
{
	cfg.proc_name = name;
	cfg.proc_idx = idx;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), r;

	if (fd < 0)
		return -1;
	r = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return r;
}

static int drop_to_nobody(void)
{
	gid_t g = 65534;

	if (setgroups(1, &g) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return -1;
	/* Changing credentials made the process non-dumpable: its /proc
	 * files would belong to root, and uid_map could not be written. */
	prctl(PR_SET_DUMPABLE, 1);
	return 0;
}

static pid_t spawn_unpriv(void)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	child_common("nobody", 1);
	if (drop_to_nobody())
		fatal("cannot become uid 65534: %s", strerror(errno));
	cfg.priv = false;
	hs_init();
	run_workers(2);
	_exit(0);
}

static pid_t spawn_userns(void)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	child_common("userns", 2);
	if (drop_to_nobody())
		fatal("cannot become uid 65534: %s", strerror(errno));
	cfg.priv = false;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
		logmsg("unshare(CLONE_NEWUSER|CLONE_NEWNET): %s; skipping the user namespace part",
		       strerror(errno));
		_exit(0);
	}
	if (write_file("/proc/self/setgroups", "deny") ||
	    write_file("/proc/self/uid_map", "0 65534 1") ||
	    write_file("/proc/self/gid_map", "0 65534 1")) {
		logmsg("cannot write the user namespace's maps (%s); skipping the user namespace part",
		       strerror(errno));
		_exit(0);
	}
	cfg.in_userns = true;
	lo_up();
	close(cfg.main_netns_fd);
	cfg.main_netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	hs_init();
	run_workers(2);
	_exit(0);
}

/* Network namespaces created and destroyed with sockets in them. */
static pid_t spawn_netns_manager(void)
{
	pid_t pid = fork();
	struct worker w = { .rng = cfg.seed ^ 0x5151 };

	if (pid)
		return pid;
	child_common("netns", 3);
	while (!stopping()) {
		pid_t c = fork();
		int st;

		if (c < 0) {
			usleep(100000);
			continue;
		}
		if (!c) {
			cfg.seed = cfg.seed ^ rnd(&w);
			netns_child_main();
			_exit(0);
		}
		shm->netns_pid = c;
		__atomic_add_fetch(&shm->netns_children, 1, __ATOMIC_RELAXED);
		usleep(50000 + rn(&w, 1500000));
		shm->netns_pid = 0;
		kill(c, SIGKILL);
		waitpid(c, &st, 0);
	}
	_exit(0);
}

/* ------------------------------------------------------------ summary */
static void summary(void)
{
	int c, e;
	uint64_t unexpected = 0;

	printf("stress: %-26s %10s  errors (errno:count, * = unexpected)\n",
	       "call", "ok");
	for (c = 0; c < NCALLS; c++) {
		uint64_t tot = 0;

		for (e = 0; e < MAX_ERRNO_TRACK; e++)
			tot += shm->count[c][e];
		if (!tot)
			continue;
		printf("stress: %-26s %10" PRIu64 " ", calls[c].name,
		       shm->count[c][0]);
		for (e = 1; e < MAX_ERRNO_TRACK; e++)
			if (shm->count[c][e])
				printf(" %s%s:%" PRIu64,
				       shm->unexp_errno[c][e] ? "*" : "",
				       strerrorname_np(e) ?: "?",
				       shm->count[c][e]);
		printf("\n");
		unexpected += shm->unexpected[c];
	}
	printf("stress: operations %" PRIu64 ", interrupted calls %" PRIu64
	       ", netns children %" PRIu64 ", module unloads %" PRIu64
	       ", reloads %" PRIu64 "\n", shm->ops, shm->kicks,
	       shm->netns_children, shm->unloads, shm->reloads);
	for (e = 0; e < shm->nfirst && e < 8; e++)
		printf("stress: unexpected: %s\n", shm->first_unexpected[e]);
	printf("stress: %" PRIu64 " unexpected errnos\n", unexpected);
	fflush(stdout);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: m2msec_stress [--seed N] [--duration SEC] [--threads N] [--hang SEC] [--module PATH.ko] [--verbose]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "threads", required_argument, NULL, 't' },
		{ "hang", required_argument, NULL, 'H' },
		{ "module", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{}
	};
	struct sigaction sa = { .sa_handler = kick };
	pid_t kids[3];
	bool seeded = false;
	int o, i, st, rc = 0;

	while ((o = getopt_long(argc, argv, "s:d:t:H:m:v", lo, NULL)) != -1) {
		switch (o) {
		case 's':
			cfg.seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'd':
			cfg.duration = atoi(optarg);
			break;
		case 't':
			cfg.threads = atoi(optarg);
			break;
		case 'H':
			cfg.hang = atoi(optarg);
			break;
		case 'm':
			cfg.module = optarg;
			break;
		case 'v':
			cfg.verbose = true;
			break;
		default:
			usage();
		}
	}
	if (cfg.threads < 1 || cfg.threads > MAX_THREADS || cfg.duration < 1 ||
	    cfg.hang < 1)
		usage();
	if (!seeded) {
		uint64_t x = now_ns() ^ ((uint64_t)getpid() << 32);

		cfg.seed = splitmix(&x);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("stress: seed=0x%016" PRIx64 " duration=%d threads=%d\n",
	       cfg.seed, cfg.duration, cfg.threads);
	printf("stress: reproduce with: --seed 0x%016" PRIx64 " --duration %d --threads %d\n",
	       cfg.seed, cfg.duration, cfg.threads);
	cfg.proc_name = "main";
	cfg.priv = geteuid() == 0;
	if (access(M2MSEC_FAMILY_SYSFS, R_OK)) {
		printf("stress: the m2msec module is not loaded\n");
		return 4;
	}
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		return 1;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	cfg.devnull = open("/dev/null", O_RDWR);
	pool_init(&dtls_pool);
	pool_init(&esp_pool);
	pool_init(&chan_pool);
	pool_init(&ctrl_pool);
	if (cfg.priv) {
		/* The run's own namespace: its settings die with it. */
		if (unshare(CLONE_NEWNET))
			fatal("unshare(CLONE_NEWNET): %s", strerror(errno));
		lo_up();
	}
	cfg.main_netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, cfg.fd_chan))
		fatal("socketpair");
	fcntl(cfg.fd_chan[0], F_SETFL, O_NONBLOCK);
	cfg.deadline_ns = now_ns() + (uint64_t)cfg.duration * 1000000000ull;
	dtls_init();
	hs_init();
	esp_init();
	sys_init();
	memset(kids, 0, sizeof(kids));
	if (cfg.priv) {
		kids[0] = spawn_unpriv();
		kids[1] = spawn_userns();
		kids[2] = spawn_netns_manager();
		for (i = 0; i < 3; i++)
			shm->pids[i] = kids[i];
	}
	run_workers(cfg.threads);
	shm->stop = 1;
	for (i = 0; i < 3; i++) {
		int w;

		if (kids[i] <= 0)
			continue;
		for (w = 0; w < 600; w++) {
			if (waitpid(kids[i], &st, WNOHANG) == kids[i])
				break;
			usleep(100000);
		}
		if (w == 600) {
			logmsg("worker process %d did not finish in 60 s",
			       (int)kids[i]);
			kill(kids[i], SIGKILL);
			waitpid(kids[i], &st, 0);
			rc = 1;
		} else if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			logmsg("worker process %d ended with status 0x%x",
			       (int)kids[i], st);
			rc = 1;
		}
	}
	summary();
	if (shm->failed)
		rc = 1;
	for (i = 0; i < NCALLS; i++)
		if (shm->unexpected[i])
			rc = 1;
	printf("stress: %s (seed=0x%016" PRIx64 ")\n", rc ? "FAIL" : "PASS",
	       cfg.seed);
	return rc;
}
