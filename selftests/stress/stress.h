/* SPDX-License-Identifier: GPL-2.0 */
/*
 * m2msec_stress: a concurrent syscall stress over the whole m2msec surface.
 * Shared declarations of the worker framework (main.c), the generic netlink
 * client (nl.c) and the operation families (dtls.c, hs.c, esprim.c, sys.c).
 */
#ifndef M2MSEC_STRESS_H
#define M2MSEC_STRESS_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/m2msec.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_ERRNO_TRACK	192
#define MAX_THREADS	32
#define MAX_PROCS	8

/* Every syscall the program makes is one of these; errnos are counted
 * per call kind and checked against the kind's acceptable list. */
enum call {
	C_SOCKET, C_BIND, C_CONNECT, C_LISTEN, C_SENDMSG, C_SENDMMSG,
	C_RECVMSG, C_RECVMMSG, C_POLL, C_CLOSE, C_SETSOCKOPT, C_GETSOCKOPT,
	C_GETNAME,
	C_NL_ASSOC_NEW, C_NL_ASSOC_SET, C_NL_ASSOC_DEL, C_NL_ASSOC_GET,
	C_NL_ASSOC_REKEY, C_NL_GET_INFO, C_NL_GET_CONFIG, C_NL_SET_CONFIG,
	C_NL_GET_STATS, C_NL_ESP_STATS, C_NL_ESP_SESS, C_NL_HS_ACCEPT,
	C_NL_HS_CLAIM, C_NL_HS_DONE, C_NL_GARBAGE, C_NL_RESOLVE,
	C_MC_JOIN, C_MC_READ,
	C_CHAN_READ, C_CHAN_WRITE, C_CHAN_POLL, C_CTRL_READ, C_CTRL_WRITE,
	C_CTRL_IOCTL, C_CTRL_POLL,
	C_ADD_KEY, C_KEY_REVOKE, C_KEY_INVALIDATE, C_KEY_TIMEOUT,
	C_KEY_READ,
	C_ESP_SOCKOPT, C_ESP_SEND, C_ESP_SENDMMSG, C_ESP_RECV, C_ESP_RECVMMSG,
	C_UDP_SEND, C_RAW_SEND,
	C_DELETE_MODULE, C_INIT_MODULE,
	C_UNSHARE, C_SETNS, C_NS_OPEN, C_FD_RECV,
	NCALLS
};

struct call_info {
	const char *name;
	int ok[40];		/* acceptable errnos, 0-terminated */
	bool any;		/* anything but EFAULT (garbage requests) */
};

extern const struct call_info calls[NCALLS];

/* Counters shared by every process of the run (MAP_SHARED). */
struct shared {
	uint64_t count[NCALLS][MAX_ERRNO_TRACK];	/* [0]: successes */
	uint64_t unexpected[NCALLS];
	uint64_t unexp_errno[NCALLS][MAX_ERRNO_TRACK];
	uint64_t ops;			/* operations completed */
	uint64_t unloads, reloads, kicks, netns_children;
	volatile int stop;
	volatile int netns_pid;
	volatile int pids[3];		/* the worker processes */		/* a live netns child, for setns */
	volatile unsigned int gen;	/* bumped at each module reload */
	int failed;			/* a process saw a fatal problem */
	char first_unexpected[8][160];
	int nfirst;
};

extern struct shared *shm;

/* One worker thread. */
struct worker {
	int idx;
	uint64_t rng;
	int nl;			/* generic netlink socket */
	uint32_t nlseq;
	unsigned int gen;	/* family generation it resolved */
	volatile int cur_call;	/* -1: none */
	volatile uint64_t op_start_ns;
	uint64_t reported;
	pthread_t tid;
	int os_tid;
	char buf[70000];	/* scratch for datagrams and replies */
};

/* Process-wide settings. */
struct config {
	uint64_t seed;
	int duration;
	int threads;
	int hang;		/* seconds without progress that make a hang */
	const char *module;
	bool priv;		/* root in the initial user namespace */
	bool in_userns;		/* root of its own user namespace */
	bool verbose;
	int proc_idx;
	const char *proc_name;
	uint64_t deadline_ns;
	int main_netns_fd;
	int fd_chan[2];		/* netns children -> main: SCM_RIGHTS */
	int devnull;
};

extern struct config cfg;

/* Resolved generic netlink family (per process). */
struct family_info {
	int id;
	uint32_t grp_handshake, grp_events;
	int sockfamily;
	unsigned int gen;
};
extern struct family_info fam;
extern pthread_mutex_t fam_lock;

/* ---- main.c ---- */
uint64_t now_ns(void);
uint64_t rnd(struct worker *w);
static inline uint32_t rn(struct worker *w, uint32_t n)
{
	return n ? (uint32_t)(rnd(w) % n) : 0;
}
static inline bool chance(struct worker *w, uint32_t pct)
{
	return rn(w, 100) < pct;
}
void rnd_bytes(struct worker *w, void *p, size_t n);
/* Record a syscall result: @r < 0 means failure with @err. Returns r. */
long rec(struct worker *w, enum call c, long r);
long rec_err(struct worker *w, enum call c, int err); /* err: 0 or errno */
void call_begin(struct worker *w, enum call c);
bool stopping(void);
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* fd pools: slots hold descriptors; take() removes one atomically. */
struct pool {
	int fd[24];
	int n;
};
int pool_pick(struct worker *w, struct pool *p);
int pool_take(struct worker *w, struct pool *p);
bool pool_put(struct pool *p, int fd);	/* false: full (caller closes) */
void close_fd(struct worker *w, int fd);	/* close or replace+defer */

/* ---- nl.c ---- */
struct nlb {
	char buf[8192];
	size_t len;
	size_t nest[4];
	int depth;
};
typedef void (*nl_cb)(struct worker *w, const struct nlattr *attrs, int len,
		      int cmd, void *arg);
int nl_open(struct worker *w);
int nl_resolve(struct worker *w);
void nlb_init(struct nlb *b, int type, int cmd, int flags);
void nla_put(struct nlb *b, int type, const void *data, size_t len);
void nla_u8(struct nlb *b, int type, uint8_t v);
void nla_u16(struct nlb *b, int type, uint16_t v);
void nla_u32(struct nlb *b, int type, uint32_t v);
void nla_u64(struct nlb *b, int type, uint64_t v);
void nla_nest(struct nlb *b, int type);
void nla_nest_end(struct nlb *b);
/* Send and collect replies; returns 0 or -errno (recorded under @c). */
int nl_call(struct worker *w, enum call c, struct nlb *b, nl_cb cb, void *arg);
int m2_call(struct worker *w, enum call c, int cmd, int flags, struct nlb *b,
	    nl_cb cb, void *arg);
const struct nlattr *nla_find(const struct nlattr *a, int len, int type);
uint32_t nla_get_u32(const struct nlattr *a);

/* ---- operations: one table per family ---- */
struct op {
	const char *name;
	int weight;
	void (*fn)(struct worker *w);
	bool priv_only;		/* only in the root process */
};

extern const struct op dtls_ops[], hs_ops[], esp_ops[], sys_ops[];
extern const int n_dtls_ops, n_hs_ops, n_esp_ops, n_sys_ops;

/* shared state between families */
extern struct pool dtls_pool, esp_pool, chan_pool, ctrl_pool;
int dtls_socket(struct worker *w, int fam);
int dtls_new_socket(struct worker *w);	/* socket + maybe bind, pooled */
void dtls_init(void);
void hs_init(void);
void esp_init(void);
void sys_init(void);
int key_record(struct worker *w, int slot);	/* serial of a record key */
int key_pairwise(struct worker *w, int slot);
int nkey_slots(void);
int hostile_dgram(struct worker *w, char *buf, size_t max, int port);
void sockaddr_lo(struct sockaddr_storage *ss, socklen_t *len, int fam,
		 int port);
int rand_peer(struct worker *w, struct sockaddr_storage *ss, socklen_t *len,
	      int fam);
void put_assoc_attrs(struct worker *w, struct nlb *b, int lport, int pport,
		     bool hs);
int port_of_fd(int fd, int *fam);
void netns_child_main(void);
int lo_up(void);

#define PORT_BASE	21000	/* m2msec sockets: PORT_BASE .. +NPORTS-1 */
#define NPORTS		12
#define PEER_BASE	22000	/* plain UDP peers */
#define NPEERS		4

#endif /* M2MSEC_STRESS_H */
