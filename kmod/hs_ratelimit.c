// SPDX-License-Identifier: GPL-2.0
/*
 * Per-source rate limit of new server-side handshake requests: a token
 * bucket per source (IPv4 address, IPv6 /64 prefix, since one host owns a
 * whole /64), refilled at cfg.hs_rate tokens per second up to cfg.hs_burst.
 *
 * The buckets live in a fixed table per namespace indexed by a keyed hash
 * of the source; a source that maps to an occupied slot takes it over with
 * a full bucket.  Memory is therefore fixed whatever the number of
 * (spoofed) sources; the price is that under a flood from many sources the
 * limit per source is approximate, which the maxima of unfinished
 * requests make up for.
 */
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "handshake.h"

#define M2MSEC_RL_SLOTS	512	/* power of two */

struct m2msec_hs_rl_slot {
	u64 key[2];
	u64 tokens;	/* nanoseconds of credit */
	u64 last;	/* boottime ns of the last update, 0: empty */
};

struct m2msec_hs_ratelimit {
	spinlock_t lock;
	siphash_key_t seed;
	struct m2msec_hs_rl_slot slot[M2MSEC_RL_SLOTS];
};

/**
 * m2msec_hs_rl_init() - the rate limiter of a new namespace
 * @mn: namespace state
 *
 * Return: 0 or -ENOMEM.
 */
int m2msec_hs_rl_init(struct m2msec_net *mn)
{
	mn->hs_rl = kvzalloc(sizeof(*mn->hs_rl), GFP_KERNEL);
	if (!mn->hs_rl)
		return -ENOMEM;
	spin_lock_init(&mn->hs_rl->lock);
	get_random_bytes(&mn->hs_rl->seed, sizeof(mn->hs_rl->seed));
	return 0;
}

/**
 * m2msec_hs_rl_exit() - free the rate limiter of a namespace
 * @mn: namespace state
 */
void m2msec_hs_rl_exit(struct m2msec_net *mn)
{
	kvfree(mn->hs_rl);
	mn->hs_rl = NULL;
}

static void m2msec_hs_rl_key(u64 key[2], const union m2msec_addr *src)
{
	if (src->sa.sa_family == AF_INET6) {
		memcpy(&key[0], &src->sin6.sin6_addr, sizeof(u64));
		key[1] = AF_INET6;
	} else {
		key[0] = (__force u32)src->sin.sin_addr.s_addr;
		key[1] = AF_INET;
	}
}

/**
 * m2msec_hs_rl_allow() - may @src start another handshake now?
 * @mn: namespace state
 * @src: source of a first flight
 *
 * Any context (softirq in practice).
 *
 * Return: true and one token taken, or false.
 */
bool m2msec_hs_rl_allow(struct m2msec_net *mn, const union m2msec_addr *src)
{
	struct m2msec_hs_ratelimit *rl = mn->hs_rl;
	u64 cost = NSEC_PER_SEC / max_t(u32, READ_ONCE(mn->cfg.hs_rate), 1);
	u64 depth = cost * max_t(u32, READ_ONCE(mn->cfg.hs_burst), 1);
	u64 now = ktime_get_boottime_ns(), key[2];
	struct m2msec_hs_rl_slot *s;
	bool ok;

	m2msec_hs_rl_key(key, src);
	s = &rl->slot[siphash(key, sizeof(key), &rl->seed) &
		      (M2MSEC_RL_SLOTS - 1)];
	spin_lock_bh(&rl->lock);
	if (!s->last || s->key[0] != key[0] || s->key[1] != key[1]) {
		s->key[0] = key[0];
		s->key[1] = key[1];
		s->tokens = depth;
	} else {
		s->tokens = min(depth, s->tokens + (now - s->last));
	}
	s->last = now;
	ok = s->tokens >= cost;
	if (ok)
		s->tokens -= cost;
	spin_unlock_bh(&rl->lock);
	return ok;
}
