// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: allocation and reading of the per-CPU parts (stats.h).
 */
#include <linux/string.h>

#include "stats.h"

/* Sum over the CPUs of counter @i of @p's type, read consistently. */
#define M2MSEC_PCPU_SUM(p, i, sum) do {					\
	int __cpu;							\
									\
	for_each_possible_cpu(__cpu) {					\
		const typeof(*(p)) *__s = per_cpu_ptr(p, __cpu);	\
		unsigned int __start;					\
		u64 __v;						\
									\
		do {							\
			__start = u64_stats_fetch_begin(&__s->syncp);	\
			__v = u64_stats_read(&__s->c[i]);		\
		} while (u64_stats_fetch_retry(&__s->syncp, __start));	\
		(sum) += __v;						\
	}								\
} while (0)

/**
 * m2msec_pcpu_net_alloc() - the counters of a new namespace
 *
 * Return: zeroed per-CPU counters, or NULL.
 */
struct m2msec_pcpu_net __percpu *m2msec_pcpu_net_alloc(void)
{
	struct m2msec_pcpu_net __percpu *p;
	int cpu;

	p = alloc_percpu_gfp(struct m2msec_pcpu_net, GFP_KERNEL_ACCOUNT);
	if (!p)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(p, cpu)->syncp);
	return p;
}

/**
 * m2msec_pcpu_net_read() - the namespace's counters, summed
 * @p: per-CPU counters
 * @vals: M2MSEC_STATS_NET values, indexed by M2MSEC_A_STAT_*
 */
void m2msec_pcpu_net_read(struct m2msec_pcpu_net __percpu *p, u64 *vals)
{
	int i;

	for (i = 0; i < M2MSEC_STATS_NET; i++) {
		vals[i] = 0;
		M2MSEC_PCPU_SUM(p, i, vals[i]);
	}
}

/**
 * m2msec_stats_init() - counters of a new association, zero
 * @st: the association's counters (zeroed memory)
 *
 * Return: 0 or -ENOMEM.
 */
int m2msec_stats_init(struct m2msec_stats *st)
{
	int cpu;

	/* Charged to the cgroup of whoever installs the association. */
	st->hot = alloc_percpu_gfp(struct m2msec_pcpu_hot, GFP_KERNEL_ACCOUNT);
	if (!st->hot)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(st->hot, cpu)->syncp);
	return 0;
}

/**
 * m2msec_stats_free() - free the per-CPU part (any context)
 * @st: counters
 */
void m2msec_stats_free(struct m2msec_stats *st)
{
	free_percpu(st->hot);
	st->hot = NULL;
}

/**
 * m2msec_stats_read() - an association's counters
 * @st: counters
 * @vals: M2MSEC_STATS_ASSOC values, indexed by M2MSEC_A_STAT_*
 */
void m2msec_stats_read(const struct m2msec_stats *st, u64 *vals)
{
	int i;

	vals[0] = 0;
	for (i = 1; i <= M2MSEC_STATS_HOT; i++) {
		vals[i] = 0;
		M2MSEC_PCPU_SUM(st->hot, i - 1, vals[i]);
	}
	for (; i < M2MSEC_STATS_ASSOC; i++)
		vals[i] = atomic64_read(&st->c[i - M2MSEC_STATS_HOT - 1]);
}
