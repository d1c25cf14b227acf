/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU counters of services and servers, and the namespace's events. */
#ifndef _SVCGW_STATS_H
#define _SVCGW_STATS_H

#include "svcgw.h"

static inline void svcgw_event(struct svcgw_net *sn, enum svcgw_event ev)
{
	struct svcgw_pcpu_events *e = this_cpu_ptr(sn->events);

	u64_stats_update_begin(&e->syncp);
	u64_stats_inc(&e->ev[ev]);
	u64_stats_update_end(&e->syncp);
}

static inline void svcgw_count(struct svcgw_pcpu_stats __percpu *stats,
			       unsigned int len, bool new_session)
{
	struct svcgw_pcpu_stats *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->packets);
	u64_stats_add(&s->bytes, len);
	if (new_session)
		u64_stats_inc(&s->sessions);
	u64_stats_update_end(&s->syncp);
}

void svcgw_stats_read(struct svcgw_pcpu_stats __percpu *stats,
		      struct svcgw_stats *sum);
u64 svcgw_event_read(struct svcgw_net *sn, enum svcgw_event ev);
struct svcgw_stats_block *svcgw_stats_block_alloc(unsigned int n);
void svcgw_stats_block_put(struct svcgw_stats_block *b);
struct svcgw_pcpu_stats __percpu *
svcgw_stats_block_take(struct svcgw_stats_block *b);
int svcgw_stats_net_init(struct svcgw_net *sn);
void svcgw_stats_net_exit(struct svcgw_net *sn);

#endif /* _SVCGW_STATS_H */
