/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgw: objects shared by the module's files.
 *
 * Locking, in one place:
 * - struct svcgw_net.lock (a mutex) serialises every writer of a
 *   namespace's configuration: service and server add/del, table rebuilds,
 *   hook registration, flushes, settings.  Netlink handlers take it.
 * - The packet path runs under rcu_read_lock() (netfilter hooks do) and
 *   takes no lock: services, servers and lookup tables are reached through
 *   rhashtables and __rcu pointers and freed after a grace period.
 * - Sessions are inserted and removed by the packet path and the GC worker
 *   concurrently; rhashtable's bucket locks order those.  A session is
 *   ended exactly once, by whoever removes its ORIG entry, then freed by
 *   call_rcu.
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

#include "pure.h"
#include "hash.h"
#include "sesskey.h"
#include "state.h"
#include "maglev.h"
#include <linux/svcgw.h>

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
 * counters of their own.  Freed with its last user.
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

/* Namespace events, counted per CPU. */
enum svcgw_event {
	SVCGW_EV_DROP_MALFORMED,
	SVCGW_EV_DROP_NO_SERVER,
	SVCGW_EV_DROP_NOMEM,
	SVCGW_EV_SESSION_FULL,
	SVCGW_EV_SESSION_EXPIRED,
	SVCGW_EV_SESSION_REPICK,
	SVCGW_EV_PRESSURE_SWITCH,
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

/*
 * A server of one service.  Lives in its service's list and in the
 * namespace's endpoint table (both under svcgw_net.lock) and in the
 * service's lookup tables (RCU).  @ref: one for the list, one per lookup
 * table that names it, one per session.  Freed by RCU when the last
 * reference goes.  @state and @weight change under svcgw_net.lock; the
 * packet path reads @state with READ_ONCE().
 */
struct svcgw_server {
	struct rhash_head		node;	/* svcgw_net.servers */
	/*
	 * svcgw_net.retired: a node of its own, so that a server removed
	 * from a service enters that table before it leaves the other, and
	 * a reply in between finds it in one of them.
	 */
	struct rhash_head		retired_node;
	struct svcgw_key		ep;
	struct svcgw_service		*svc;
	struct list_head		list;	/* svcgw_service.servers */
	u32				weight;
	u8				state;	/* enum svcgw_server_state */
	unsigned long			drain_until;	/* jiffies, 0: none */
	struct svcgw_mlb		ident;	/* place in the table */
	atomic_t			nsessions;	/* live, for draining */
	refcount_t			ref;
	struct svcgw_pcpu_stats __percpu *stats;
	struct svcgw_stats_block	*block;	/* NULL: own stats */
	struct svcgw_addrfilter		*filter;	/* srvfilter */
	u16				filter_slot;
	struct rcu_head			rcu;
};

/*
 * Maglev lookup table of a service, replaced whole under RCU.  @slot[i]
 * indexes @servers; SVCGW_SLOT_EMPTY when no server has a weight.
 * @old[i], when @old is there and @old[i] is not SVCGW_SLOT_EMPTY, is the
 * server entry i was tied to before the last change: the entry is marked,
 * in transition.  @servers
 * holds a reference on each server, so a removed server that an entry
 * still names lives until the table goes.
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
 * Full NAT of a service: its servers see every flow come from @addr (a
 * gateway address, of the servers' family) and a port of its session.
 * Replaced whole under RCU.
 */
struct svcgw_fullnat {
	union svcgw_addr	addr;
	struct rcu_head		rcu;
};

struct svcgw_service {
	struct rhash_head		node;	/* svcgw_net.services */
	struct svcgw_key		key;
	u8				mode;	/* enum svcgw_mode */
	bool				op_stateful;
	u8				down_policy;
	u8				reason;	/* last reported, for switches */
	bool				state;
	u32				transition;	/* seconds */
	unsigned long			transition_until;	/* jiffies */
	u64				switches;	/* svcgw_net.lock */
	u32				table_size;
	struct svcgw_lut __rcu		*lut;
	struct svcgw_fullnat __rcu	*fullnat;	/* NULL: off */
	struct list_head		servers;	/* svcgw_net.lock */
	unsigned int			nservers;	/* svcgw_net.lock */
	struct list_head		retired;	/* svcgw_net.lock */
	struct list_head		list;	/* svcgw_net.service_list */
	bool				in_batch;	/* svcgw_batch_apply() */
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
 * A session: its ORIG direction is client -> service, its REPLY direction
 * the reply as the gateway sees it (server -> client, or server -> a
 * gateway address and port).  Holds a reference on @server.  Allocated
 * from one cache per family, of the size of h4[2] or h6[2]: 80 bytes for
 * IPv4, 128 for IPv6 (64-bit).  Read the tuples with
 * svcgw_session_tuple().
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
	struct rcu_head		rcu;
	union {
		DECLARE_FLEX_ARRAY(struct svcgw_shash4, h4);
		DECLARE_FLEX_ARRAY(struct svcgw_shash6, h6);
	};
};

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

/* Everything svcgw keeps for one network namespace. */
struct svcgw_net {
	struct net			*net;
	struct mutex			lock;
	/* Configuration: svcgw_service_*.c, writers hold @lock. */
	struct rhashtable		services;
	struct rhashtable		servers;
	struct rhashtable		retired;	/* removed, still tied */
	/*
	 * Bumped (raw_write_seqcount_barrier()) before a server leaves
	 * @servers or @retired: see svcgw_endpoint_lookup().
	 */
	seqcount_t			ep_seq;
	struct list_head		service_list;
	unsigned int			nservices;
	u32				gen;	/* bumped on change, for dumps */
	bool				hooks_on;
	struct nf_hook_ops		*hook_ops;
	unsigned int			nfullnat;	/* services with full
							 * NAT, read locklessly
							 */
	/* Sessions: session.c.  Both directions, by family. */
	struct rhashtable		sessions4;
	struct rhashtable		sessions6;
	atomic_t			nsessions;
	struct delayed_work		gc_work;
	struct svcgw_session_iter	gc_iter;	/* gc_work only */
	bool				gc_walking;	/* @gc_iter entered */
	/* gc_work only: ticks a sweep takes, what this sweep walked/ended */
	u32				gc_sweep;
	u64				gc_seen;
	u64				gc_expired;
	bool				exiting;
	/* Settings, read locklessly by the packet path. */
	struct svcgw_config		cfg;
	bool				pressure;	/* above high watermark */
	u32				hash_seed;
	struct svcgw_addrfilter		*srvfilter;	/* servers' */
	struct svcgw_addrfilter		*svcfilter;	/* services' */
	struct svcgw_pcpu_events __percpu *events;
};

extern unsigned int svcgw_net_id;
extern unsigned int svcgw_session_max_default;

static inline struct svcgw_net *svcgw_pernet(struct net *net)
{
	return net_generic(net, svcgw_net_id);
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

static inline int svcgw_service_cmpfn(struct rhashtable_compare_arg *arg,
				      const void *obj)
{
	const struct svcgw_service *svc = obj;

	return svcgw_key_cmp(&svc->key, arg->key, sizeof(svc->key));
}

static inline int svcgw_server_cmpfn(struct rhashtable_compare_arg *arg,
				     const void *obj)
{
	const struct svcgw_server *srv = obj;

	return svcgw_key_cmp(&srv->ep, arg->key, sizeof(srv->ep));
}

/*
 * Constants every user sees (not extern objects): the rhashtable fast
 * paths are inline and fold them, hashing and comparing a key of known
 * length without a call.
 */
static const struct rhashtable_params svcgw_service_params = {
	.head_offset = offsetof(struct svcgw_service, node),
	.key_offset = offsetof(struct svcgw_service, key),
	.key_len = sizeof(struct svcgw_key),
	.obj_cmpfn = svcgw_service_cmpfn,
	.automatic_shrinking = true,
};

static const struct rhashtable_params svcgw_server_params = {
	.head_offset = offsetof(struct svcgw_server, node),
	.key_offset = offsetof(struct svcgw_server, ep),
	.key_len = sizeof(struct svcgw_key),
	.obj_cmpfn = svcgw_server_cmpfn,
	.automatic_shrinking = true,
};

static const struct rhashtable_params svcgw_retired_params = {
	.head_offset = offsetof(struct svcgw_server, retired_node),
	.key_offset = offsetof(struct svcgw_server, ep),
	.key_len = sizeof(struct svcgw_key),
	.obj_cmpfn = svcgw_server_cmpfn,
	.automatic_shrinking = true,
};

/* service.c */
int svcgw_service_net_init(struct svcgw_net *sn);
void svcgw_service_net_exit(struct svcgw_net *sn);
struct svcgw_service *svcgw_service_find(struct svcgw_net *sn,
					 const struct svcgw_key *key);
int svcgw_service_add(struct svcgw_net *sn, const struct svcgw_key *key,
		      u8 mode, u32 table_size, struct netlink_ext_ack *extack);
int svcgw_service_del(struct svcgw_net *sn, const struct svcgw_key *key,
		      struct netlink_ext_ack *extack);
int svcgw_server_add(struct svcgw_net *sn, const struct svcgw_key *svc_key,
		     const struct svcgw_key *ep, u32 weight,
		     struct netlink_ext_ack *extack);
int svcgw_server_del(struct svcgw_net *sn, const struct svcgw_key *svc_key,
		     const struct svcgw_key *ep,
		     struct netlink_ext_ack *extack);
int svcgw_service_set(struct svcgw_net *sn, struct svcgw_service *svc,
		      const struct svcgw_service *want, unsigned int which);
int svcgw_server_set(struct svcgw_net *sn, const struct svcgw_key *svc_key,
		     const struct svcgw_key *ep, const u32 *weight,
		     const u8 *state, const u32 *deadline,
		     struct netlink_ext_ack *extack);
int svcgw_server_replace(struct svcgw_net *sn, const struct svcgw_key *svc_key,
			 const struct svcgw_key *old_ep,
			 const struct svcgw_key *new_ep, const u32 *weight,
			 struct netlink_ext_ack *extack);
void svcgw_service_tick(struct svcgw_net *sn);
void svcgw_service_reason(struct svcgw_net *sn,
			  const struct svcgw_service *svc,
			  bool *state, u8 *reason);
void svcgw_flush(struct svcgw_net *sn);
int svcgw_service_fullnat(struct svcgw_net *sn, struct svcgw_service *svc,
			  const union svcgw_addr *addr);
void svcgw_server_put(struct svcgw_server *srv);

/*
 * One SVCGW_CMD_BATCH request, parsed (netlink.c) and applied
 * (svcgw_batch_apply(), service.c).  @svc[i] owns @srv[first..first+n).
 * The nlattr pointers point into the request, for the extended ack.
 */
struct svcgw_batch_srv {
	struct svcgw_key		ep;
	u32				weight;
	const struct nlattr		*attr;
	/* Filled by svcgw_batch_apply(): */
	struct svcgw_server		*srv;	/* new, or the kept one */
	struct svcgw_server		*displace;	/* holds @ep now */
	bool				fresh;	/* @srv is new */
	bool				inserted;	/* in svcgw_net.servers */
};

struct svcgw_batch_svc {
	struct svcgw_key		key;
	u8				mode;
	u32				table_size;
	u32				transition;
	u8				op_stateful;
	u8				down_policy;
	const struct nlattr		*attr;
	unsigned int			first, n;
	/* Filled by svcgw_batch_apply(): */
	struct svcgw_service		*svc;	/* new, or the existing one */
	struct svcgw_service		*old;	/* made afresh: the one it replaces */
	struct svcgw_lut		*lut;	/* new table, NULL: keep */
	bool				fresh;	/* @svc is new */
	bool				inserted;	/* in svcgw_net.services */
};

struct svcgw_batch {
	bool				replace;
	unsigned int			nsvc, nsrv;
	struct svcgw_batch_svc		*svc;
	struct svcgw_batch_srv		*srv;
};

int svcgw_batch_apply(struct svcgw_net *sn, struct svcgw_batch *b,
		      struct netlink_ext_ack *extack);

/* Fields of svcgw_service_set()'s @which. */
#define SVCGW_SET_MODE		BIT(0)
#define SVCGW_SET_TRANSITION	BIT(1)
#define SVCGW_SET_STATEFUL	BIT(2)
#define SVCGW_SET_DOWN_POLICY	BIT(3)

static inline struct svcgw_service *
svcgw_service_lookup(struct svcgw_net *sn, const struct svcgw_key *key)
{
	return rhashtable_lookup(&sn->services, key, svcgw_service_params);
}

struct svcgw_server *svcgw_retired_lookup(struct svcgw_net *sn,
					  const struct svcgw_key *key);

/*
 * The server behind an endpoint, for the reply path: a server of a
 * service, or one removed from it that a transition still ties entries
 * to (retired), whose flows without a session still reach it.
 */
static inline struct svcgw_server *
svcgw_endpoint_lookup(struct svcgw_net *sn, const struct svcgw_key *key)
{
	struct svcgw_server *srv;
	unsigned int seq;

	/*
	 * Two lookups are not one: a server moves between the tables (a
	 * replaced one into @retired, one put back into @servers while
	 * its retired twin goes) by an insert into one, then a removal
	 * from the other, with a table build in between.  A reply that
	 * missed the first table before the insert and the second after
	 * the removal saw the server in neither: it looks again, which
	 * the count bumped before every removal tells it to.  Lookups
	 * that find something, nearly all, pay one read of the count.
	 */
	do {
		seq = raw_read_seqcount(&sn->ep_seq);
		srv = rhashtable_lookup(&sn->servers, key, svcgw_server_params);
		if (srv)
			return srv;
		if (unlikely(atomic_read(&sn->retired.nelems))) {
			srv = svcgw_retired_lookup(sn, key);
			if (srv)
				return srv;
		}
	} while (read_seqcount_retry(&sn->ep_seq, seq));
	return NULL;
}

/* session.c */
int svcgw_session_init(void);
void svcgw_session_uninit(void);
int svcgw_session_net_init(struct svcgw_net *sn);
void svcgw_session_net_exit(struct svcgw_net *sn);
void svcgw_session_gc_start(struct svcgw_net *sn);
struct svcgw_session *svcgw_session_lookup(struct svcgw_net *sn,
					   const struct svcgw_tuple *t,
					   enum svcgw_dir dir);
struct svcgw_session *svcgw_session_create(struct svcgw_net *sn,
					   struct svcgw_server *srv,
					   const struct svcgw_tuple *orig,
					   const struct svcgw_tuple *reply,
					   u8 tcp_flags);
void svcgw_session_tuple(const struct svcgw_session *s, enum svcgw_dir dir,
			 struct svcgw_tuple *t);
void svcgw_session_touch(struct svcgw_net *sn, struct svcgw_session *s,
			 enum svcgw_dir dir, u8 proto, u8 tcp_flags);
bool svcgw_session_kill(struct svcgw_net *sn, struct svcgw_session *s);
unsigned int svcgw_session_flush(struct svcgw_net *sn,
				 const struct svcgw_service *svc,
				 const struct svcgw_key *ep);
void svcgw_session_server_down(struct svcgw_net *sn, struct svcgw_server *srv);
void svcgw_pressure_update(struct svcgw_net *sn);
u64 svcgw_session_mem(struct svcgw_net *sn);
void svcgw_session_iter_enter(struct svcgw_net *sn,
			      struct svcgw_session_iter *it);
void svcgw_session_iter_exit(struct svcgw_session_iter *it);
struct svcgw_session *svcgw_session_iter_next(struct svcgw_session_iter *it);

static inline void svcgw_session_iter_start(struct svcgw_session_iter *it)
{
	rhashtable_walk_start(&it->iter);
}

static inline void svcgw_session_iter_stop(struct svcgw_session_iter *it)
{
	rhashtable_walk_stop(&it->iter);
}

/*
 * The reply tuple of the flow @orig served by the endpoint @ep when the
 * gateway translates only the service address: server -> client.
 */
static inline void svcgw_tuple_reply(struct svcgw_tuple *r,
				     const struct svcgw_tuple *orig,
				     const struct svcgw_key *ep)
{
	memset(r, 0, sizeof(*r));
	r->family = orig->family;
	r->proto = orig->proto;
	r->src = ep->addr;
	r->sport = ep->port;
	r->dst = orig->src;
	r->dport = orig->sport;
}

static inline bool svcgw_session_expired(const struct svcgw_session *s)
{
	return time_after32((u32)jiffies, READ_ONCE(s->expires));
}

/* core.c */
int svcgw_hooks_enable(struct svcgw_net *sn);
void svcgw_hooks_disable(struct svcgw_net *sn);

/* netlink.c */
int svcgw_genl_init(void);
void svcgw_genl_uninit(void);

#endif /* _SVCGW_H */
