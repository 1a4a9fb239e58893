// SPDX-License-Identifier: GPL-2.0
/*
 * Keys ending under their users (revoke, invalidate, timeout, replace),
 * network namespaces created and dropped with m2msec sockets in them
 * (threads switching namespaces, short-lived child processes handing
 * their sockets over), and module unload attempts.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <keyutils.h>

#include "stress.h"

static pthread_mutex_t mod_lock = PTHREAD_MUTEX_INITIALIZER;

static int any_key(struct worker *w)
{
	if (chance(w, 70))
		return key_record(w, rn(w, nkey_slots()));
	return key_pairwise(w, rn(w, 4));
}

static void op_key_add(struct worker *w)
{
	struct m2msec_key_payload *k = (void *)w->buf;
	size_t n = rn(w, 120);

	if (chance(w, 60)) {
		if (chance(w, 70))
			key_record(w, rn(w, nkey_slots()));
		else
			key_pairwise(w, rn(w, 4));
		return;
	}
	/* Malformed or unusual payloads, and DTLS 1.3 traffic secrets. */
	k->version = chance(w, 90) ? M2MSEC_KEY_PAYLOAD_V1 : rn(w, 3);
	k->kind = 1 + rn(w, 3);
	k->reserved = chance(w, 95) ? 0 : 1;
	k->key_len = chance(w, 50) ? 32 : rn(w, 70);
	k->iv_len = rn(w, 2) ? 0 : 12;
	k->sn_key_len = 0;
	k->id_len = k->kind == M2MSEC_KEY_ESPRIM_PAIRWISE ? 1 + rn(w, 8) : 0;
	if (k->kind == M2MSEC_KEY_TRAFFIC_SECRET)
		k->iv_len = 0;
	n = k->key_len + k->iv_len + k->id_len;
	memset(k->data, 'k', n);
	if (chance(w, 10))
		n = rn(w, n + 4);
	call_begin(w, C_ADD_KEY);
	rec(w, C_ADD_KEY, add_key(M2MSEC_KEY_TYPE, "stress-odd", k,
				  sizeof(*k) + n, KEY_SPEC_PROCESS_KEYRING));
}

static void op_key_end(struct worker *w)
{
	int s = any_key(w), r = rn(w, 10);

	if (s <= 0)
		return;
	if (r < 3) {
		call_begin(w, C_KEY_REVOKE);
		rec(w, C_KEY_REVOKE, keyctl_revoke(s));
	} else if (r < 6) {
		call_begin(w, C_KEY_INVALIDATE);
		rec(w, C_KEY_INVALIDATE, keyctl_invalidate(s));
	} else if (r < 9) {
		call_begin(w, C_KEY_TIMEOUT);
		rec(w, C_KEY_TIMEOUT, keyctl_set_timeout(s, 1 + rn(w, 3)));
	} else {
		call_begin(w, C_KEY_READ);
		rec(w, C_KEY_READ, keyctl_read(s, w->buf, 256));
	}
}

/* delete_module() must fail while anything holds the module; if it
 * succeeds, load it again and go on. */
static void op_unload(struct worker *w)
{
	int fd;

	if (!cfg.module || !chance(w, 20))
		return;
	pthread_mutex_lock(&mod_lock);
	call_begin(w, C_DELETE_MODULE);
	if (rec(w, C_DELETE_MODULE, syscall(SYS_delete_module, "m2msec",
					    O_NONBLOCK)) == 0) {
		__atomic_add_fetch(&shm->unloads, 1, __ATOMIC_RELAXED);
		logmsg("module unloaded (nothing held it); loading it again");
		fd = open(cfg.module, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fatal("cannot open %s: %s", cfg.module,
			      strerror(errno));
		call_begin(w, C_INIT_MODULE);
		if (rec(w, C_INIT_MODULE, syscall(SYS_finit_module, fd, "",
						  0)) == 0)
			__atomic_add_fetch(&shm->reloads, 1,
					   __ATOMIC_RELAXED);
		close(fd);
		__atomic_add_fetch(&shm->gen, 1, __ATOMIC_SEQ_CST);
	}
	pthread_mutex_unlock(&mod_lock);
}

/* This thread alone moves to a new namespace, makes sockets there, and
 * comes back; the sockets keep that namespace until they are closed. */
static void op_thread_netns(struct worker *w)
{
	int n = 1 + rn(w, 3), i;

	call_begin(w, C_UNSHARE);
	if (rec(w, C_UNSHARE, unshare(CLONE_NEWNET)) < 0)
		return;
	if (chance(w, 70))
		lo_up();
	for (i = 0; i < n; i++) {
		if (chance(w, 70)) {
			dtls_new_socket(w);
		} else {
			int fd;

			call_begin(w, C_SOCKET);
			fd = rec(w, C_SOCKET, socket(fam.sockfamily,
						     SOCK_SEQPACKET |
						     SOCK_CLOEXEC, 0));
			if (fd >= 0 && !pool_put(&esp_pool, fd))
				close_fd(w, fd);
		}
	}
	call_begin(w, C_SETNS);
	if (rec(w, C_SETNS, setns(cfg.main_netns_fd, CLONE_NEWNET)) < 0)
		fatal("cannot return to the run's network namespace: %s",
		      strerror(errno));
}

/* Join the namespace of a netns child for one socket. */
static void op_setns_child(struct worker *w)
{
	char path[64];
	int pid = shm->netns_pid, fd;

	if (pid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	call_begin(w, C_NS_OPEN);
	fd = rec(w, C_NS_OPEN, open(path, O_RDONLY | O_CLOEXEC));
	if (fd < 0)
		return;
	call_begin(w, C_SETNS);
	if (rec(w, C_SETNS, setns(fd, CLONE_NEWNET)) == 0) {
		dtls_new_socket(w);
		call_begin(w, C_SETNS);
		if (rec(w, C_SETNS, setns(cfg.main_netns_fd,
					  CLONE_NEWNET)) < 0)
			fatal("cannot return to the run's network namespace");
	}
	close(fd);
}

/* Sockets netns children passed over (SCM_RIGHTS). */
static void op_recv_fds(struct worker *w)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))], data[8];
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;

	call_begin(w, C_FD_RECV);
	if (rec(w, C_FD_RECV, recvmsg(cfg.fd_chan[0], &m, MSG_DONTWAIT |
				      MSG_CMSG_CLOEXEC)) < 0)
		return;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		int n, i, fds[4];

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds, CMSG_DATA(c), n * sizeof(int));
		for (i = 0; i < n && i < 4; i++) {
			struct pool *p = data[0] == 'e' ? &esp_pool :
					 &dtls_pool;

			if (!pool_put(p, fds[i]))
				close_fd(w, fds[i]);
		}
	}
}

/*
 * A child of the netns manager: a namespace of its own, a short burst of
 * the usual operations there, some of its sockets sent to the main
 * process, then it exits or is killed with everything open.
 */
void netns_child_main(void)
{
	struct worker *w = calloc(1, sizeof(*w));
	uint64_t end;
	int i;

	if (!w)
		_exit(1);
	w->rng = cfg.seed;
	w->cur_call = -1;
	cfg.proc_name = "netns-child";
	close(cfg.fd_chan[0]);
	if (unshare(CLONE_NEWNET))
		_exit(1);
	if (chance(w, 80))
		lo_up();
	if (nl_open(w) < 0)
		_exit(1);
	hs_init();
	nl_resolve(w);
	end = now_ns() + (50 + rn(w, 700)) * 1000000ull;
	while (now_ns() < end && !stopping()) {
		const struct op *tab[] = { dtls_ops, esp_ops, hs_ops };
		const int ns[] = { n_dtls_ops, n_esp_ops, n_hs_ops };
		int t = rn(w, 3);
		const struct op *o = &tab[t][rn(w, ns[t])];

		o->fn(w);
	}
	for (i = 0; i < 2; i++) {
		struct pool *p = i ? &esp_pool : &dtls_pool;
		int fd = pool_pick(w, p);
		char cbuf[CMSG_SPACE(sizeof(int))] = {};
		char tag = i ? 'e' : 'd';
		struct iovec iov = { .iov_base = &tag, .iov_len = 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);

		if (fd < 0 || chance(w, 40))
			continue;
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
		sendmsg(cfg.fd_chan[1], &m, MSG_DONTWAIT);
	}
	if (chance(w, 50))
		_exit(0);
	pause();
	_exit(0);
}

void sys_init(void)
{
}

const struct op sys_ops[] = {
	{ "key_add", 4, op_key_add, false },
	{ "key_end", 2, op_key_end, false },
	{ "unload", 1, op_unload, false },
	{ "thread_netns", 1, op_thread_netns, false },
	{ "setns_child", 1, op_setns_child, true },
	{ "recv_fds", 2, op_recv_fds, true },
};
const int n_sys_ops = ARRAY_SIZE(sys_ops);
