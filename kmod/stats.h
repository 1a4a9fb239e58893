/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters of a namespace and of an association.
 *
 * Counters that records move are per CPU, so that records handled on
 * different CPUs never share a cache line: all global (per namespace)
 * counters, and the records and bytes of each association.  The other
 * counters of an association (drops, failures, limits) stay shared
 * atomics: per CPU they would cost every association their size times the
 * number of CPUs.  Readers (netlink dumps) sum the CPUs.
 *
 * Any context: writers disable preemption for the per-CPU part, and the
 * u64_stats sequence (only on 32-bit machines) is entered with interrupts
 * off, as process context, softirq and hardirq may all count.
 */
#ifndef _M2MSEC_STATS_H
#define _M2MSEC_STATS_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <uapi/linux/m2msec.h>

/* Counters 1..M2MSEC_STATS_HOT of an association are per CPU. */
#define M2MSEC_STATS_HOT	M2MSEC_A_STAT_TX_BYTES
/* An association has the counters before M2MSEC_A_STAT_PAD. */
#define M2MSEC_STATS_ASSOC	M2MSEC_A_STAT_PAD
#define M2MSEC_STATS_NET	(M2MSEC_A_STAT_MAX + 1)

struct m2msec_pcpu_net {
	struct u64_stats_sync syncp;
	u64_stats_t c[M2MSEC_STATS_NET];
};

struct m2msec_pcpu_hot {
	struct u64_stats_sync syncp;
	u64_stats_t c[M2MSEC_STATS_HOT];	/* index: counter - 1 */
};

struct m2msec_stats {
	struct m2msec_pcpu_hot __percpu *hot;
	atomic64_t c[M2MSEC_STATS_ASSOC - M2MSEC_STATS_HOT - 1];
};

/* @v: at most ULONG_MAX in either direction (a record's bytes, gauges). */
static inline void m2msec_u64_add(struct u64_stats_sync *syncp,
				  u64_stats_t *c, s64 v)
{
	unsigned long flags = u64_stats_update_begin_irqsave(syncp);

	if (v < 0)
		u64_stats_sub(c, -v);
	else
		u64_stats_add(c, v);
	u64_stats_update_end_irqrestore(syncp, flags);
}

/* @idx: an M2MSEC_A_STAT_* index; @v is negative for the gauges. */
static inline void m2msec_pcpu_net_add(struct m2msec_pcpu_net __percpu *p,
				       int idx, s64 v)
{
	struct m2msec_pcpu_net *s = get_cpu_ptr(p);

	m2msec_u64_add(&s->syncp, &s->c[idx], v);
	put_cpu_ptr(p);
}

/* @idx: an M2MSEC_A_STAT_* index below M2MSEC_STATS_ASSOC. */
static inline void m2msec_stats_add(struct m2msec_stats *st, int idx, u64 v)
{
	struct m2msec_pcpu_hot *s;

	if (idx > M2MSEC_STATS_HOT) {
		atomic64_add(v, &st->c[idx - M2MSEC_STATS_HOT - 1]);
		return;
	}
	s = get_cpu_ptr(st->hot);
	m2msec_u64_add(&s->syncp, &s->c[idx - 1], v);
	put_cpu_ptr(st->hot);
}

/* stats.c */
struct m2msec_pcpu_net __percpu *m2msec_pcpu_net_alloc(void);
void m2msec_pcpu_net_read(struct m2msec_pcpu_net __percpu *p, u64 *vals);
int m2msec_stats_init(struct m2msec_stats *st);
void m2msec_stats_free(struct m2msec_stats *st);
void m2msec_stats_read(const struct m2msec_stats *st, u64 *vals);

#endif /* _M2MSEC_STATS_H */
