/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgw: the objects of one network namespace, as every file sees them.
 * Each file's functions are declared in its own header (server.h,
 * service.h, ...); this one holds the structures they share and the
 * inline helpers of the lowest layer.
 *
 * Locking, in one place:
 * - struct svcgw_net.lock (a mutex) serialises every writer of a
 *   namespace's configuration: service and server add/del, mapping table
 *   rebuilds, hook registration, flushes, settings.  Netlink handlers and
 *   the service clock (service.c) take it; functions named *_locked and
 *   the writers of each file assert it.
 * - The packet path runs under rcu_read_lock() (netfilter hooks do) and
 *   takes no lock: services, servers and mapping tables are reached
 *   through rhashtables and __rcu pointers and freed after a grace period.
 *   Functions named *_rcu are for it.
 * - Sessions are inserted and removed by the packet path and the session
 *   collector (collector.c) concurrently; rhashtable's bucket locks order those.  A
 *   session is ended exactly once, by whoever removes its ORIG entry, then
 *   freed by call_rcu.
 *
 * Words: the "mapping table" of a service (struct svcgw_lut, lut in names)
 * maps a flow's hash to a server; maglev.c fills it.
 */
#ifndef _SVCGW_H
#define _SVCGW_H

#include <linux/rhashtable.h>
#include <linux/netfilter.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/seqlock.h>
#include <asm/unaligned.h>
#include <net/netns/generic.h>
#include <net/dst_cache.h>
#include <linux/svcgw.h>

#include "pure.h"
#include "hash.h"
#include "sesskey.h"
#include "state.h"
#include "maglev.h"

/* Per-CPU counters of a service or a server (client-to-service packets). */
struct svcgw_pcpu_stats {
	u64_stats_t		packets;
	u64_stats_t		bytes;
	u64_stats_t		sessions;
	struct u64_stats_sync	syncp;
};

/*
 * The per-CPU counters of a service and of servers made with it, in one
 * per-CPU allocation: pcpu_alloc() was the dearest step of making 10,000
 * services of 8 servers.  Element 0 is the service's; servers take the
 * next ones while there are any (under the namespace's lock), else get
 * counters of their own.  Freed with its last user (stats.c).
 */
struct svcgw_stats_block {
	refcount_t				ref;
	unsigned int				n;
	unsigned int				used;
	struct svcgw_pcpu_stats __percpu	*base;
};

/*
 * Which addresses a server (or a service) may have: a count of the
 * servers (services) whose address hashes to each slot, held from their
 * creation until they are freed, in a table or not (a session or a table
 * entry may still hold a removed server).  The hooks look a packet up
 * only if its address's slot is taken: the reply hook sees mostly packets
 * from clients on their way to a server, the first hook mostly replies.
 * Shared by the namespace and its objects, freed with the last of them
 * (an object goes after a grace period, maybe after its namespace).
 */
#define SVCGW_ADDRFILTER_SLOTS	1024

struct svcgw_addrfilter {
	refcount_t	ref;
	atomic_t	cnt[SVCGW_ADDRFILTER_SLOTS];
};

struct svcgw_stats {
	u64	packets;
	u64	bytes;
	u64	sessions;
};

/* Namespace events, counted per CPU (stats.c). */
enum svcgw_event {
	SVCGW_EV_DROP_MALFORMED,
	SVCGW_EV_DROP_NO_SERVER,
	SVCGW_EV_DROP_NOMEM,
	SVCGW_EV_SESSION_FULL,
	SVCGW_EV_SESSION_EXPIRED,
	SVCGW_EV_SESSION_REPICK,
	SVCGW_EV_PRESSURE_SWITCH,
	SVCGW_EV_DROP_NO_SESSION,
	SVCGW_EV_ENCAP_TOO_BIG,
	SVCGW_EV_DROP_NO_ROUTE,
	SVCGW_EV_ENCAP_PACKETS,
	SVCGW_EV_POLICY_PACKETS,
	SVCGW_EV_POLICY_PINNED,
	SVCGW_EV_REPLICA_ADOPTED,
	SVCGW_EV_POLICY_FAILOVER,
	SVCGW_EV_MAX
};

struct svcgw_pcpu_events {
	u64_stats_t		ev[SVCGW_EV_MAX];
	struct u64_stats_sync	syncp;
};

/* Key of a service, and of a server endpoint.  Unused bytes are zero. */
struct svcgw_key {
	union svcgw_addr	addr;
	__be16			port;
	u8			proto;
	u8			family;
};

struct svcgw_service;
struct svcgw_pset;
struct svcgw_ha;
struct svcgw_syncq;
struct svcgw_sync;

/*
 * How a server is reached (enum svcgw_method), fixed when it is made:
 * encapsulated servers (encap.c) get their packets from the gateway
 * inside a tunnel header and answer clients directly.
 */
struct svcgw_fwd {
	u8	method;
	__be16	gue_port;	/* METHOD_GUE: the server's GUE port */
};

/*
 * A server of one service (server.c).  Lives in its service's list and
 * in one of the namespace's endpoint tables (both under svcgw_net.lock:
 * svcgw_net.servers if it holds its endpoint, svcgw_net.guests if it
 * shares one another service's server held when it came) and in
 * the service's mapping tables (RCU).  @ref: one for the list, one per
 * mapping table that names it, one per session.  Freed by RCU when the
 * last reference goes.  @state and @weight change under svcgw_net.lock;
 * the packet path reads @state with READ_ONCE().
 */
struct svcgw_server {
	struct rhash_head		node;	/* svcgw_net.servers */
	/*
	 * svcgw_net.retired: a node of its own, so that a server removed
	 * from a service enters that table before it leaves the other, and
	 * a reply in between finds it in one of them.
	 */
	struct rhash_head		retired_node;
	struct rhlist_head		guest_node;	/* svcgw_net.guests */
	struct svcgw_key		ep;
	struct svcgw_service		*svc;
	struct list_head		list;	/* svcgw_service.servers */
	u32				weight;
	u8				state;	/* enum svcgw_server_state */
	/*
	 * Shares its endpoint with a server of another service, which
	 * answers the replies that have no session: a NAT guest's flows
	 * all get sessions (svcgw_server_needs_session()).  Set before
	 * the server is published, never changed.
	 */
	bool				guest;
	bool				batch_kept;	/* batch.c */
	bool				batch_displaced;	/* batch.c */
	unsigned long			drain_until;	/* jiffies, 0: none */
	struct svcgw_maglev_server	ident;	/* place in the table */
	atomic_t			nsessions;	/* live, for draining */
	refcount_t			ref;
	struct svcgw_pcpu_stats __percpu *stats;
	struct svcgw_stats_block	*block;	/* NULL: own stats */
	struct svcgw_addrfilter		*filter;	/* srvfilter */
	u16				filter_slot;
	struct svcgw_fwd		fwd;
	/*
	 * A policy group's destination whose HA node the controller said
	 * down: the destination of the same group its flows go to instead
	 * (its first backup that is up), NULL when none (policy.c).
	 */
	struct svcgw_server __rcu	*ha_to;
	/* Encapsulated: the route to the server, per CPU (encap.c). */
	struct dst_cache		dst_cache;
	struct rcu_head			rcu;
};

/*
 * The mapping table of a service (lut.c), replaced whole under RCU.
 * @slot[i] indexes @servers; SVCGW_SLOT_EMPTY when no server has a
 * weight.  @old[i], when @old is there and @old[i] is not
 * SVCGW_SLOT_EMPTY, is the server entry i was tied to before the last
 * change: the entry is marked, in transition.  @servers holds a reference
 * on each server, so a removed server that an entry still names lives
 * until the table goes.
 */
struct svcgw_lut {
	struct rcu_head		rcu;
	u32			size;
	u32			nservers;
	u32			nmarked;
	struct svcgw_server	**servers;
	/*
	 * The old server of each entry in transition, SVCGW_SLOT_EMPTY for
	 * the others; NULL when none is (nmarked 0): a lookup then reads
	 * one array, and a table takes half the memory.
	 */
	u16			*old;
	u16			slot[];
};

/*
 * Full NAT of a service (fullnat.c): its servers see every flow come from
 * @addr (a gateway address, of the servers' family) and a port of its
 * session.  Replaced whole under RCU.
 */
struct svcgw_fullnat {
	union svcgw_addr	addr;
	struct rcu_head		rcu;
};

/*
 * The outer source address of encapsulated packets (encap.c): a service's
 * own, or the namespace's of a family.  Replaced whole under RCU.
 */
struct svcgw_encap_src {
	union svcgw_addr	addr;
	struct rcu_head		rcu;
};

/*
 * What an operator sets of a service: SERVICE_NEW and SERVICE_SET
 * (netlink), a batch's service, all the same.  @table_size is fixed when
 * the service is made.  The packet path reads @mode, @op_stateful and
 * @down_policy with READ_ONCE().
 */
struct svcgw_service_cfg {
	u8	mode;		/* enum svcgw_mode */
	u8	op_stateful;	/* hybrid: sessions on the operator's word */
	u8	down_policy;	/* enum svcgw_down_policy */
	u32	table_size;	/* entries of the mapping table, a prime */
	u32	transition;	/* seconds moved entries stay tied */
};

/* Fields of a svcgw_service_cfg a request sets (SVCGW_CFG_*). */
#define SVCGW_CFG_MODE		BIT(0)
#define SVCGW_CFG_TRANSITION	BIT(1)
#define SVCGW_CFG_STATEFUL	BIT(2)
#define SVCGW_CFG_DOWN_POLICY	BIT(3)
#define SVCGW_CFG_TABLE_SIZE	BIT(4)

/* A service (service.c). */
struct svcgw_service {
	struct rhash_head		node;	/* svcgw_net.services */
	struct svcgw_key		key;
	struct svcgw_service_cfg	cfg;
	/* Makes sessions for new flows now, and why: last reported. */
	bool				stateful_now;
	u8				reason;	/* enum svcgw_reason */
	u64				switches;	/* svcgw_net.lock */
	unsigned long			transition_until;	/* jiffies */
	struct svcgw_lut __rcu		*lut;
	struct svcgw_fullnat __rcu	*fullnat;	/* NULL: off */
	struct svcgw_encap_src __rcu	*encap_src;	/* NULL: the namespace's */
	struct list_head		servers;	/* svcgw_net.lock */
	unsigned int			nservers;	/* svcgw_net.lock */
	unsigned int			nguests;	/* NAT guests: lock */
	struct list_head		retired;	/* svcgw_net.lock */
	struct list_head		list;	/* svcgw_net.service_list */
	bool				in_batch;	/* batch.c */
	struct svcgw_pcpu_stats __percpu *stats;
	struct svcgw_stats_block	*block;	/* stats, and servers' */
	struct svcgw_addrfilter		*filter;	/* svcfilter */
	u16				filter_slot;
	struct rcu_head			rcu;
};

/*
 * One direction of a session, as hashed: the key follows the node.  IPv4
 * sessions use the compact key, IPv6 ones the whole tuple (sesskey.h).
 */
struct svcgw_shash4 {
	struct rhash_head	node;
	struct svcgw_skey4	key;
};

struct svcgw_shash6 {
	struct rhash_head	node;
	struct svcgw_tuple	key;
};

/*
 * A session (session.c): its ORIG direction is client -> service, its
 * REPLY direction the reply as the gateway sees it (server -> client, or
 * server -> a gateway address and port).  Holds a reference on @server.
 * Allocated from one cache per family, of the size of h4[2] or h6[2]: 88
 * bytes for IPv4, 136 for IPv6 (64-bit).  Read the tuples with
 * svcgw_session_tuple().
 *
 * Replication (Documentation/ha.rst): @origin is the HA node whose flow
 * this is (0: this node's own), @flags SVCGW_SF_*, @sent_s the second
 * (low 16 bits of jiffies / HZ) its last record left for the backup;
 * @replica is 1 while the session is a replica received from a peer that
 * no packet has used yet (cleared once, with cmpxchg(), by the adopter).
 *
 * Linking: REPLY goes into the table first, ORIG last; whoever unlinks
 * ORIG ends the session (svcgw_session_kill()), which therefore happens
 * once, and never to a session whose creator is still linking it.
 */
struct svcgw_session {
	struct svcgw_server	*server;
	u32			expires;	/* jiffies, low 32 bits */
	struct svcgw_pstate	ps;
	u8			family;		/* AF_INET, AF_INET6 */
	u32			origin;
	u16			sent_s;
	u8			flags;
	u8			replica;
	struct rcu_head		rcu;
	union {
		DECLARE_FLEX_ARRAY(struct svcgw_shash4, h4);
		DECLARE_FLEX_ARRAY(struct svcgw_shash6, h6);
	};
};

/* svcgw_session.flags */
#define SVCGW_SF_REPL		0x01	/* a service's flow: replicated */
#define SVCGW_SF_SENT		0x02	/* a record of it left: a DELETE due */

/* A walk over the live sessions of a namespace, both families. */
struct svcgw_session_iter {
	struct svcgw_net	*sn;
	struct rhashtable_iter	iter;
	u8			table;		/* 0: IPv4, 1: IPv6 */
};

struct svcgw_config {
	u32			session_max;
	struct svcgw_timeouts	timeouts;
};

/*
 * Everything svcgw keeps for one network namespace, grouped by the file
 * that owns each part.
 */
struct svcgw_net {
	struct net			*net;
	struct mutex			lock;
	bool				exiting;
	/* service.c: services, writers hold @lock. */
	struct rhashtable		services;
	struct list_head		service_list;
	unsigned int			nservices;
	u32				gen;	/* bumped on change, for dumps */
	struct delayed_work		clock_work;	/* svcgw_service_tick */
	/* server.c: server endpoints, writers hold @lock. */
	struct rhashtable		servers;
	struct rhashtable		retired;	/* removed, still tied */
	struct rhltable			guests;	/* sharing an endpoint */
	/*
	 * Bumped (raw_write_seqcount_barrier()) before a server leaves
	 * @servers or @retired: see svcgw_endpoint_lookup_rcu().
	 */
	seqcount_t			ep_seq;
	/* fullnat.c: services with full NAT, read locklessly. */
	unsigned int			nfullnat;
	/* hooks.c */
	bool				hooks_on;
	struct nf_hook_ops		*hook_ops;
	/* session.c: sessions of both directions, by family. */
	struct rhashtable		sessions4;
	struct rhashtable		sessions6;
	atomic_t			nsessions;	/* replicas too */
	atomic_t			nreplicas;	/* not adopted yet */
	bool				pressure;	/* above high watermark */
	/* sync.c: the records for the sync channel; NULL: not replicating */
	struct svcgw_syncq __rcu	*syncq;
	struct svcgw_sync		*sync;	/* under @lock */
	/* collector.c */
	struct delayed_work		gc_work;
	struct svcgw_session_iter	gc_iter;	/* gc_work only */
	bool				gc_walking;	/* @gc_iter entered */
	/* gc_work only: ticks a sweep takes, what this sweep walked/ended */
	u32				gc_sweep;
	u64				gc_seen;
	u64				gc_expired;
	/*
	 * policy.c: the forwarding policy set (NULL: none yet), writers
	 * hold @lock; @pset_live: it (or the set before it, in transition)
	 * has policies, so the hooks and the collector must run.
	 */
	struct svcgw_pset __rcu		*pset;
	bool				pset_live;
	u32				pset_seq;	/* bumped on replace */
	struct delayed_work		pset_work;	/* ends transitions */
	/* ha.c: the HA policy (NULL: none), writers hold @lock; stale
	 * policies and node notices refused (under @lock).
	 */
	struct svcgw_ha __rcu		*ha;
	u64				ha_stale;
	u64				ha_removed;	/* HA_DEL's generation:
							 * a policy must be
							 * above it */
	/* Settings, read locklessly by the packet path. */
	struct svcgw_config		cfg;
	/* encap.c: outer sources, [0] IPv4, [1] IPv6; NULL: routing's */
	struct svcgw_encap_src __rcu	*encap_src[2];
	u32				hash_seed;
	/* main.c: the address filters; stats.c: the events. */
	struct svcgw_addrfilter		*srvfilter;	/* servers' */
	struct svcgw_addrfilter		*svcfilter;	/* services' */
	struct svcgw_pcpu_events __percpu *events;
};

extern unsigned int svcgw_net_id;

static inline struct svcgw_net *svcgw_pernet(struct net *net)
{
	return net_generic(net, svcgw_net_id);
}

static inline unsigned int svcgw_addr_len(u8 family)
{
	return family == AF_INET ? 4 : 16;
}

static inline void svcgw_key_of(struct svcgw_key *key,
				const union svcgw_addr *addr, __be16 port,
				const struct svcgw_tuple *t)
{
	memset(key, 0, sizeof(*key));
	key->addr = *addr;
	key->port = port;
	key->proto = t->proto;
	key->family = t->family;
}

static inline u16 svcgw_addrfilter_slot(const struct svcgw_net *sn,
					u8 family, const union svcgw_addr *a)
{
	return svcgw_addr_hash(family, a, sn->hash_seed) &
	       (SVCGW_ADDRFILTER_SLOTS - 1);
}

/* False if nothing counted in @f has the address @a. */
static inline bool svcgw_addrfilter_maybe(const struct svcgw_net *sn,
					  const struct svcgw_addrfilter *f,
					  u8 family, const union svcgw_addr *a)
{
	return atomic_read(&f->cnt[svcgw_addrfilter_slot(sn, family, a)]);
}

/* Count @a in @f, which the caller then holds; returns its slot. */
static inline u16 svcgw_addrfilter_hold(const struct svcgw_net *sn,
					struct svcgw_addrfilter *f, u8 family,
					const union svcgw_addr *a)
{
	u16 slot = svcgw_addrfilter_slot(sn, family, a);

	refcount_inc(&f->ref);
	atomic_inc(&f->cnt[slot]);
	return slot;
}

static inline void svcgw_addrfilter_put(struct svcgw_addrfilter *f)
{
	if (refcount_dec_and_test(&f->ref))
		kvfree(f);
}

/* Undo svcgw_addrfilter_hold(); any context. */
static inline void svcgw_addrfilter_release(struct svcgw_addrfilter *f,
					    u16 slot)
{
	atomic_dec(&f->cnt[slot]);
	svcgw_addrfilter_put(f);
}

/*
 * Key comparison for the hash tables: @len (a multiple of 4, a constant)
 * bytes compared a word at a time, inline.  rhashtable's default calls
 * memcmp(), a loop over bytes on x86-64.
 */
static __always_inline int svcgw_key_cmp(const void *a, const void *b,
					 size_t len)
{
	u64 d = 0;
	size_t i;

	BUILD_BUG_ON(len % 4);
	for (i = 0; i + 8 <= len; i += 8)
		d |= get_unaligned((const u64 *)(a + i)) ^
		     get_unaligned((const u64 *)(b + i));
	if (len % 8)
		d |= get_unaligned((const u32 *)(a + i)) ^
		     get_unaligned((const u32 *)(b + i));
	return d != 0;
}

#endif /* _SVCGW_H */
