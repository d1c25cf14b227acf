// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: per-CPU packets, bytes and sessions of every service and
 * server (in blocks shared by a service and its first servers), and the
 * namespace's events (drops, expiries, pressure switches).  Written by the
 * packet path without a lock (u64_stats), summed here for netlink.
 */
#include <linux/slab.h>
#include <linux/percpu.h>
#include <linux/netdevice.h>

#include "stats.h"

void svcgw_stats_read(struct svcgw_pcpu_stats __percpu *stats,
		      struct svcgw_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct svcgw_pcpu_stats *s = per_cpu_ptr(stats, cpu);
		u64 packets, bytes, sessions;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			packets = u64_stats_read(&s->packets);
			bytes = u64_stats_read(&s->bytes);
			sessions = u64_stats_read(&s->sessions);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum->packets += packets;
		sum->bytes += bytes;
		sum->sessions += sessions;
	}
}

u64 svcgw_event_read(struct svcgw_net *sn, enum svcgw_event ev)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct svcgw_pcpu_events *e = per_cpu_ptr(sn->events, cpu);
		unsigned int start;
		u64 v;

		do {
			start = u64_stats_fetch_begin(&e->syncp);
			v = u64_stats_read(&e->ev[ev]);
		} while (u64_stats_fetch_retry(&e->syncp, start));
		sum += v;
	}
	return sum;
}

/* Counters for @n objects; element 0, and the first reference, are the
 * caller's.
 */
struct svcgw_stats_block *svcgw_stats_block_alloc(unsigned int n)
{
	struct svcgw_stats_block *b = kmalloc(sizeof(*b), GFP_KERNEL);
	unsigned int i;
	int cpu;

	if (!b)
		return NULL;
	b->base = __alloc_percpu_gfp(n * sizeof(*b->base),
				     __alignof__(*b->base), GFP_KERNEL);
	if (!b->base) {
		kfree(b);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		for (i = 0; i < n; i++)
			u64_stats_init(&per_cpu_ptr(b->base + i, cpu)->syncp);
	refcount_set(&b->ref, 1);
	b->n = n;
	b->used = 1;
	return b;
}

void svcgw_stats_block_put(struct svcgw_stats_block *b)
{
	if (refcount_dec_and_test(&b->ref)) {
		free_percpu(b->base);
		kfree(b);
	}
}

/* The next free counters of @b, NULL if none is left; under
 * svcgw_net.lock (the block's service is being set up).
 */
struct svcgw_pcpu_stats __percpu *
svcgw_stats_block_take(struct svcgw_stats_block *b)
{
	if (b->used == b->n)
		return NULL;
	refcount_inc(&b->ref);
	return b->base + b->used++;
}

int svcgw_stats_net_init(struct svcgw_net *sn)
{
	sn->events = netdev_alloc_pcpu_stats(struct svcgw_pcpu_events);
	return sn->events ? 0 : -ENOMEM;
}

void svcgw_stats_net_exit(struct svcgw_net *sn)
{
	free_percpu(sn->events);
}
