/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal declarations shared by the files of m2msec.ko.
 */
#ifndef _M2MSEC_H
#define _M2MSEC_H

#include <linux/key.h>
#include <net/genetlink.h>
#include <linux/types.h>
#include <net/net_namespace.h>
#include <uapi/linux/m2msec.h>

#include "compat.h"
#include "esprim.h"
#include "stats.h"

#include "version.h"

/* family.c: the socket family slot in use (also the "family" parameter). */
int m2msec_family_register(void);
void m2msec_family_unregister(void);
int m2msec_family_nr(void);

/* socket.c */
int m2msec_sock_create(struct net *net, struct socket *sock, int protocol,
		       int kern);
int m2msec_proto_init(void);
void m2msec_proto_exit(void);

/* cipher.c: static description of the record ciphers. */
struct m2msec_cipher_desc {
	enum m2msec_cipher id;
	const char *name;
	const char *aead;	/* crypto API algorithm name */
	u8 key_len;
	u8 tag_len;
	u16 suite13;		/* 0 when DTLS 1.3 defines none */
	u16 suites12[4];	/* zero-terminated */
	u64 confidentiality_limit;	/* records per key (RFC 9147 4.5.3) */
	u64 integrity_limit;		/* failed decryptions per key */
};

const struct m2msec_cipher_desc *m2msec_cipher_get(enum m2msec_cipher id);

/* pernet.c: per network namespace settings. */
struct m2msec_net_cfg {
	u32 replay_window;
	u32 ctrl_queue_max;
	u32 esprim_max_object;
	u32 hs_sock_max;
	u32 hs_net_max;
	u32 hs_timeout_ms;
	u32 hs_rate;
	u32 hs_burst;
	u32 hs_queue_max;
	u32 hs_hello_max;
	u32 hs_hello_bytes;
	u32 assoc_sock_max;
	u32 assoc_net_max;
	u32 hs_user_max;
};

struct m2msec_hs_ratelimit;

struct m2msec_net {
	struct mutex cfg_lock;	/* serialises writers of @cfg */
	struct m2msec_net_cfg cfg;
	struct mutex socks_lock;	/* protects @socks */
	struct list_head socks;		/* DTLS sockets of this namespace */
	struct m2msec_pcpu_net __percpu *stats;	/* global counters */
	struct m2msec_esprim_net esprim;
	/* Handshake requests by id (handshake.c); BH lock: created in softirq. */
	struct xarray hs_ids;
	u32 hs_next_id;
	atomic_t hs_count;		/* unfinished requests */
	atomic_t assoc_count;		/* associations in the namespace */
	struct mutex hs_users_lock;	/* writers of @hs_users */
	struct xarray hs_users;		/* by uid: unprivileged connect()s */
	struct m2msec_hs_ratelimit *hs_rl;
};

struct m2msec_net *m2msec_net(const struct net *net);
int m2msec_pernet_init(void);
void m2msec_pernet_exit(void);

/* main.c: work items that free crypto state run here (drained on exit). */
extern struct workqueue_struct *m2msec_wq;

/* netlink.c */
extern struct genl_family m2msec_genl_family;
/* Indexes of the "events" and "handshake" groups in .mcgrps. */
#define M2MSEC_MCGRP_IDX	0
#define M2MSEC_MCGRP_HS_IDX	1
struct sk_buff *m2msec_reply_new(struct genl_info *info, void **hdr);
int m2msec_genl_init(void);
void m2msec_genl_exit(void);

/* keys.c */
extern struct key_type m2msec_key_type;
struct key *m2msec_key_lookup(key_serial_t serial, u8 kind,
			      struct netlink_ext_ack *extack);
void m2msec_key_release(struct key *key);

/* The payload of a key returned by m2msec_key_lookup(). */
static inline const struct m2msec_key_payload *
m2msec_key_payload(const struct key *key)
{
	return key->payload.data[0];
}

int m2msec_keys_init(void);
void m2msec_keys_exit(void);

/* socket.c: release shared by the protocols' proto_ops. */
int m2msec_release(struct socket *sock);

/* key_payload.c: pure validation, also built for userspace tests. */
#include "key_payload.h"

#endif /* _M2MSEC_H */
