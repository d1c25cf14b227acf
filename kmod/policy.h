/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Forwarding policies (the network node): a set of policies, each a match
 * (pmatch.h) and a destination group, replaced whole.  A group is a
 * service that is in no table of the namespace: its servers are the
 * destinations (load balancer nodes, reached encapsulated), its Maglev
 * table picks one per flow, its counters count what went there.
 */
#ifndef _SVCGW_POLICY_H
#define _SVCGW_POLICY_H

#include <linux/netlink.h>

#include "svcgw.h"
#include "pmatch.h"

#define SVCGW_PSET_STATS_CHUNK	1024

struct svcgw_policy {
	struct hlist_node		hnode;	/* svcgw_pset.buckets */
	struct svcgw_pmatch		match;
	struct svcgw_service		*group;
	struct svcgw_pcpu_stats __percpu *stats;
	u16				filter_slot;	/* svcfilter */
};

struct svcgw_pgroup {
	char				name[SVCGW_NAME_MAX];
	struct svcgw_service		*svc;
};

/*
 * A policy set: built whole, published with one pointer swap
 * (svcgw_net.pset), never changed after, freed after a grace period.
 * @prev is the set it replaced while the transition from it runs (until
 * @until); a set only ever points one set back.  @reason says why it was
 * installed ("" when nobody said), @since when (ktime_get_boottime_ns()
 * just before the swap).
 */
struct svcgw_pset {
	char				name[SVCGW_NAME_MAX];
	char				reason[SVCGW_REASON_MAX];
	u64				gen;
	u64				since;		/* boot time, ns */
	u32				transition;	/* s */
	unsigned long			until;		/* jiffies */
	struct svcgw_pset __rcu		*prev;
	/* The shapes present, per family ([0] IPv4), most specific first. */
	u16				nmasks[2];
	struct svcgw_pmask		*masks[2];
	u32				hmask;
	struct hlist_head		*buckets;
	unsigned int			ngroups, npolicies;
	struct svcgw_pgroup		*groups;
	struct svcgw_policy		*policies;
	/*
	 * The policies' counters, SVCGW_PSET_STATS_CHUNK a block: a per-CPU
	 * allocation holds 32 KiB at most.
	 */
	unsigned int			nblocks;
	struct svcgw_stats_block	**blocks;
	struct svcgw_addrfilter		*filter;
};

/* A replace request, parsed (nl_policy.c); nlattr pointers for extack. */
struct svcgw_pset_dest {
	struct svcgw_key		ep;
	u32				weight;
	struct svcgw_fwd		fwd;
	const struct nlattr		*attr;
};

struct svcgw_pset_group {
	char				name[SVCGW_NAME_MAX];
	u32				table_size;
	u8				family;
	unsigned int			first, n;	/* in dests */
	const struct nlattr		*attr;
};

struct svcgw_pset_policy {
	struct svcgw_pmatch		match;	/* first: twin search */
	u32				group;	/* index in groups */
	const struct nlattr		*attr;
};

struct svcgw_pset_req {
	char				name[SVCGW_NAME_MAX];
	char				reason[SVCGW_REASON_MAX];
	bool				has_gen;
	u64				gen;
	u32				transition;
	unsigned int			ngroups, ndests, npolicies;
	struct svcgw_pset_group		*groups;
	struct svcgw_pset_dest		*dests;
	struct svcgw_pset_policy	*policies;
};

void svcgw_pset_ha_update(struct svcgw_net *sn);
int svcgw_pset_replace(struct svcgw_net *sn, const struct svcgw_pset_req *req,
		       struct netlink_ext_ack *extack);
void svcgw_pset_flush(struct svcgw_net *sn);
struct svcgw_policy *svcgw_pset_lookup_rcu(const struct svcgw_pset *ps,
					   const struct svcgw_tuple *t,
					   u32 seed);
void svcgw_pset_net_init(struct svcgw_net *sn);
void svcgw_pset_net_exit(struct svcgw_net *sn);

/* The current set, for a writer. */
static inline struct svcgw_pset *svcgw_pset_locked(struct svcgw_net *sn)
{
	return rcu_dereference_protected(sn->pset, lockdep_is_held(&sn->lock));
}

#endif /* _SVCGW_POLICY_H */
