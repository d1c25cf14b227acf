// SPDX-License-Identifier: GPL-2.0
/*
 * Session table.  Each session is hashed twice, once per direction (the
 * direction is part of the key), so that both a client's packet and a
 * server's reply find it with one lookup.  IPv4 sessions live in their own
 * table with a compact 16-byte key and come from their own cache (80-byte
 * objects); IPv6 sessions key on the whole tuple (128-byte objects).  The
 * code is the same for both: only the key and the table differ.
 *
 * Life of a session: created by the packet path (GFP_ATOMIC, under the
 * per-namespace cap), refreshed by packets of either direction, and
 * unlinked exactly once, by whoever first sees it expired (the packet
 * path, or the collector of collector.c) or by a flush.  The creator
 * links the REPLY entry first and the ORIG entry last; whoever removes
 * the ORIG entry owns the end of the session: it removes the REPLY entry
 * and frees the session after an RCU grace period.  A session that is not
 * fully linked yet has no ORIG entry, so nobody can end it under its
 * creator's feet.
 *
 * Memory, IPv4, 64-bit: 88 bytes of slab object, plus two bucket pointers
 * for its two entries at a load factor between 3/8 and 3/4: about 122
 * bytes a session at 1,000,000 sessions.
 */
#include <linux/slab.h>
#include <linux/jiffies.h>

#include "session.h"
#include "server.h"
#include "lut.h"
#include "stats.h"
#include "syncq.h"

static struct kmem_cache *svcgw_session_cache4 __read_mostly;
static struct kmem_cache *svcgw_session_cache6 __read_mostly;


static inline int session4_cmpfn(struct rhashtable_compare_arg *arg,
				 const void *obj)
{
	const struct svcgw_shash4 *sh = obj;

	return svcgw_key_cmp(&sh->key, arg->key, sizeof(sh->key));
}

static inline int session6_cmpfn(struct rhashtable_compare_arg *arg,
				 const void *obj)
{
	const struct svcgw_shash6 *sh = obj;

	return svcgw_key_cmp(&sh->key, arg->key, sizeof(sh->key));
}

static const struct rhashtable_params session4_params = {
	.head_offset = offsetof(struct svcgw_shash4, node),
	.key_offset = offsetof(struct svcgw_shash4, key),
	.key_len = sizeof(struct svcgw_skey4),
	.obj_cmpfn = session4_cmpfn,
	.automatic_shrinking = true,
	.min_size = 256,
};

static const struct rhashtable_params session6_params = {
	.head_offset = offsetof(struct svcgw_shash6, node),
	.key_offset = offsetof(struct svcgw_shash6, key),
	.key_len = sizeof(struct svcgw_tuple),
	.obj_cmpfn = session6_cmpfn,
	.automatic_shrinking = true,
	.min_size = 256,
};

#define SVCGW_SESSION4_SIZE \
	(offsetof(struct svcgw_session, h4) + 2 * sizeof(struct svcgw_shash4))
#define SVCGW_SESSION6_SIZE \
	(offsetof(struct svcgw_session, h6) + 2 * sizeof(struct svcgw_shash6))

static struct svcgw_session *shash4_session(struct svcgw_shash4 *sh)
{
	return container_of(sh - sh->key.dir, struct svcgw_session, h4[0]);
}

static struct svcgw_session *shash6_session(struct svcgw_shash6 *sh)
{
	return container_of(sh - sh->key.dir, struct svcgw_session, h6[0]);
}

/* The session of an entry of the table of @family. */
static struct svcgw_session *entry_session(u8 family, void *entry)
{
	return family == AF_INET ? shash4_session(entry) : shash6_session(entry);
}

static struct kmem_cache *session_cache(u8 family)
{
	return family == AF_INET ? svcgw_session_cache4 : svcgw_session_cache6;
}

/*
 * Link the entry of direction @dir of @s unless one with its key is there:
 * NULL when linked, else the entry found or an ERR_PTR.
 */
static void *session_link(struct svcgw_net *sn, struct svcgw_session *s,
			  enum svcgw_dir dir)
{
	if (s->family == AF_INET)
		return rhashtable_lookup_get_insert_fast(&sn->sessions4,
							 &s->h4[dir].node,
							 session4_params);
	return rhashtable_lookup_get_insert_fast(&sn->sessions6,
						 &s->h6[dir].node,
						 session6_params);
}

/* 0 if this call removed the entry, -ENOENT if it was not in the table. */
static int session_unlink(struct svcgw_net *sn, struct svcgw_session *s,
			  enum svcgw_dir dir)
{
	if (s->family == AF_INET)
		return rhashtable_remove_fast(&sn->sessions4, &s->h4[dir].node,
					      session4_params);
	return rhashtable_remove_fast(&sn->sessions6, &s->h6[dir].node,
				      session6_params);
}

/* The session of the flow direction @t, @dir; under RCU (the packet path). */
struct svcgw_session *svcgw_session_lookup_rcu(struct svcgw_net *sn,
					       const struct svcgw_tuple *t,
					       enum svcgw_dir dir)
{
	if (likely(t->family == AF_INET)) {
		struct svcgw_skey4 key;
		struct svcgw_shash4 *sh;

		svcgw_skey4_pack(&key, t, dir);
		sh = rhashtable_lookup(&sn->sessions4, &key, session4_params);
		return sh ? shash4_session(sh) : NULL;
	}
	if (t->family == AF_INET6) {
		struct svcgw_tuple key;
		struct svcgw_shash6 *sh;

		svcgw_skey6_pack(&key, t, dir);
		sh = rhashtable_lookup(&sn->sessions6, &key, session6_params);
		return sh ? shash6_session(sh) : NULL;
	}
	return NULL;
}

/* Direction @dir of @s as a tuple, as the parser makes them (dir zero). */
void svcgw_session_tuple(const struct svcgw_session *s, enum svcgw_dir dir,
			 struct svcgw_tuple *t)
{
	if (s->family == AF_INET)
		svcgw_skey4_unpack(&s->h4[dir].key, t);
	else
		svcgw_skey6_unpack(&s->h6[dir].key, t);
}

static void svcgw_session_sync(struct svcgw_net *sn, struct svcgw_session *s,
			       u8 op);

static void session_free_rcu(struct rcu_head *head)
{
	struct svcgw_session *s = container_of(head, struct svcgw_session, rcu);

	atomic_dec(&s->server->nsessions);
	svcgw_server_put(s->server);
	kmem_cache_free(session_cache(s->family), s);
}

/*
 * End @s: true if this call did, false if somebody else did first or its
 * creator has not linked it yet (it then lives on: were it freed now, its
 * creator would link a freed entry).
 */
bool svcgw_session_kill(struct svcgw_net *sn, struct svcgw_session *s)
{
	if (session_unlink(sn, s, SVCGW_DIR_ORIG))
		return false;
	WARN_ON_ONCE(session_unlink(sn, s, SVCGW_DIR_REPLY));
	if (unlikely(READ_ONCE(s->replica)) && cmpxchg(&s->replica, 1, 0) == 1)
		atomic_dec(&sn->nreplicas);
	else if (unlikely(READ_ONCE(s->flags) & SVCGW_SF_SENT))
		svcgw_session_sync(sn, s, SVCGW_SYNC_OP_DELETE);
	atomic_dec(&sn->nsessions);
	call_rcu(&s->rcu, session_free_rcu);
	return true;
}

/*
 * The record of @s for the sync channel (Documentation/ha.rst, "Records"):
 * its endpoints from its two tuples, its state, what is left of its
 * timeout.  The caller sets the origin of a session of its own.
 */
void svcgw_session_rec(const struct svcgw_session *s, u8 op,
		       struct svcgw_sync_rec *r)
{
	struct svcgw_tuple o, re;
	s32 left;

	svcgw_session_tuple(s, SVCGW_DIR_ORIG, &o);
	svcgw_session_tuple(s, SVCGW_DIR_REPLY, &re);
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->family = s->family;
	r->proto = o.proto;
	r->state = READ_ONCE(s->ps.state);
	r->fin = READ_ONCE(s->ps.fin);
	r->origin = READ_ONCE(s->origin);
	left = (s32)(READ_ONCE(s->expires) - (u32)jiffies);
	r->timeout_ms = left > 0 ? jiffies_to_msecs(left) : 1;
	r->ep[SVCGW_SYNC_EP_CLIENT].addr = o.src;
	r->ep[SVCGW_SYNC_EP_CLIENT].port = o.sport;
	r->ep[SVCGW_SYNC_EP_SERVICE].addr = o.dst;
	r->ep[SVCGW_SYNC_EP_SERVICE].port = o.dport;
	r->ep[SVCGW_SYNC_EP_SERVER].addr = re.src;
	r->ep[SVCGW_SYNC_EP_SERVER].port = re.sport;
	/* The reply goes elsewhere than the client: full NAT. */
	if (re.dport != o.sport || memcmp(&re.dst, &o.src, sizeof(o.src))) {
		r->flags |= SVCGW_SYNC_REC_FULLNAT;
		r->ep[SVCGW_SYNC_EP_FULLNAT].addr = re.dst;
		r->ep[SVCGW_SYNC_EP_FULLNAT].port = re.dport;
	}
}

/*
 * Leave a record of @s for the sync channel, if the namespace replicates
 * (svcgw_net.syncq).  Any context; bottom halves may be on.
 */
static void svcgw_session_sync(struct svcgw_net *sn, struct svcgw_session *s,
			       u8 op)
{
	struct svcgw_syncq *q;
	struct svcgw_sync_rec r;

	rcu_read_lock();
	q = rcu_dereference(sn->syncq);
	if (q) {
		svcgw_session_rec(s, op, &r);
		svcgw_syncq_put(q, &r);
		WRITE_ONCE(s->sent_s, (u16)(jiffies / HZ));
		if (!(READ_ONCE(s->flags) & SVCGW_SF_SENT))
			WRITE_ONCE(s->flags, READ_ONCE(s->flags) | SVCGW_SF_SENT);
	}
	rcu_read_unlock();
}

/*
 * @s, just made by the packet path for a service's flow, is replicated:
 * now, and at every change that matters from now on.
 */
void svcgw_session_replicate(struct svcgw_net *sn, struct svcgw_session *s)
{
	WRITE_ONCE(s->flags, READ_ONCE(s->flags) | SVCGW_SF_REPL);
	if (rcu_access_pointer(sn->syncq))
		svcgw_session_sync(sn, s, SVCGW_SYNC_OP_UPDATE);
}

/*
 * A packet used the replica @s: it is this node's flow now (it counts
 * against the cap from here on), replicated on in turn.
 */
static void session_adopt(struct svcgw_net *sn, struct svcgw_session *s)
{
	if (cmpxchg(&s->replica, 1, 0) != 1)
		return;
	atomic_dec(&sn->nreplicas);
	svcgw_event(sn, SVCGW_EV_REPLICA_ADOPTED);
	svcgw_session_sync(sn, s, SVCGW_SYNC_OP_UPDATE);
}

/*
 * A replicated session whose timeout was extended by more than a quarter
 * of itself since its last record is sent again, so that its replica
 * does not age out under a live flow.
 */
static void session_refresh(struct svcgw_net *sn, struct svcgw_session *s)
{
	u32 t = svcgw_state_timeout(&s->ps, &sn->cfg.timeouts) / 4;
	u16 now = (u16)(jiffies / HZ);

	if ((u16)(now - READ_ONCE(s->sent_s)) > min_t(u32, max(t, 1U), 30000))
		svcgw_session_sync(sn, s, SVCGW_SYNC_OP_UPDATE);
}

static u32 session_expiry(struct svcgw_net *sn, const struct svcgw_pstate *ps)
{
	return (u32)jiffies + svcgw_state_timeout(ps, &sn->cfg.timeouts) * HZ;
}

static void session_set_expiry(struct svcgw_net *sn, struct svcgw_session *s)
{
	u32 exp = session_expiry(sn, &s->ps), cur = READ_ONCE(s->expires);

	/* Spare the cache line: refresh at most once per 1/8 of a second. */
	if (cur != exp &&
	    (time_before32(exp, cur) || time_after32(exp, cur + HZ / 8)))
		WRITE_ONCE(s->expires, exp);
}

void svcgw_session_touch(struct svcgw_net *sn, struct svcgw_session *s,
			 enum svcgw_dir dir, u8 proto, u8 tcp_flags)
{
	struct svcgw_pstate ps = s->ps;

	if (unlikely(READ_ONCE(s->replica)))
		session_adopt(sn, s);
	svcgw_state_next(&ps, proto, dir, tcp_flags);
	if (ps.state != s->ps.state || ps.fin != s->ps.fin) {
		/* Racing CPUs may both write: the state is advisory. */
		WRITE_ONCE(s->ps.state, ps.state);
		WRITE_ONCE(s->ps.fin, ps.fin);
		WRITE_ONCE(s->expires, session_expiry(sn, &ps));
		if ((READ_ONCE(s->flags) & SVCGW_SF_REPL) &&
		    rcu_access_pointer(sn->syncq))
			svcgw_session_sync(sn, s, SVCGW_SYNC_OP_UPDATE);
		return;
	}
	session_set_expiry(sn, s);
	if (unlikely(rcu_access_pointer(sn->syncq)) &&
	    (READ_ONCE(s->flags) & SVCGW_SF_SENT))
		session_refresh(sn, s);
}

static bool session_key_equal(const struct svcgw_session *a,
			      const struct svcgw_session *b,
			      enum svcgw_dir dir)
{
	if (a->family == AF_INET)
		return !memcmp(&a->h4[dir].key, &b->h4[dir].key,
			       sizeof(a->h4[dir].key));
	return !memcmp(&a->h6[dir].key, &b->h6[dir].key,
		       sizeof(a->h6[dir].key));
}

/*
 * Make a session for the flow @orig (client -> service) served by @srv,
 * whose replies the gateway will see as @reply; both are computed by the
 * caller (svcgw_tuple_reply() without source translation) and of the same
 * family, AF_INET or AF_INET6.  Returns the session now in the table: ours,
 * or the one a racing CPU made first for the same @orig.  Else an ERR_PTR:
 * -EEXIST if another flow's session has the reply tuple @reply (the caller
 * may pick another one and try again), -ENOSPC at the cap, -ENOMEM,
 * -ENOENT if @srv is going away; the caller then serves the flow from the
 * mapping table.
 */
/*
 * Make and link a session; see svcgw_session_create().  @replica: one
 * received from a peer (@ps, @expires and @origin set, counted apart from
 * the cap), else a flow of this node's (@ps NULL: from @tcp_flags).
 */
static struct svcgw_session *session_make(struct svcgw_net *sn,
					  struct svcgw_server *srv,
					  const struct svcgw_tuple *orig,
					  const struct svcgw_tuple *reply,
					  u8 tcp_flags,
					  const struct svcgw_pstate *ps,
					  u32 expires, u32 origin)
{
	struct svcgw_session *s, *found;
	u8 family = orig->family;
	bool replica = ps;
	void *old;

	if (WARN_ON_ONCE((family != AF_INET && family != AF_INET6) ||
			 reply->family != family))
		return ERR_PTR(-EAFNOSUPPORT);
	if (replica) {
		if (atomic_inc_return(&sn->nreplicas) >
		    READ_ONCE(sn->cfg.session_max)) {
			atomic_dec(&sn->nreplicas);
			return ERR_PTR(-ENOSPC);
		}
		atomic_inc(&sn->nsessions);
	} else if (atomic_inc_return(&sn->nsessions) -
		   atomic_read(&sn->nreplicas) >
		   READ_ONCE(sn->cfg.session_max)) {
		atomic_dec(&sn->nsessions);
		svcgw_event(sn, SVCGW_EV_SESSION_FULL);
		return ERR_PTR(-ENOSPC);
	}
	s = kmem_cache_zalloc(session_cache(family), GFP_ATOMIC);
	if (!s) {
		svcgw_event(sn, SVCGW_EV_DROP_NOMEM);
		found = ERR_PTR(-ENOMEM);
		goto uncount;
	}
	if (!refcount_inc_not_zero(&srv->ref)) {
		kmem_cache_free(session_cache(family), s);
		found = ERR_PTR(-ENOENT);
		goto uncount;
	}
	s->server = srv;
	atomic_inc(&srv->nsessions);
	s->family = family;
	if (family == AF_INET) {
		svcgw_skey4_pack(&s->h4[SVCGW_DIR_ORIG].key, orig,
				 SVCGW_DIR_ORIG);
		svcgw_skey4_pack(&s->h4[SVCGW_DIR_REPLY].key, reply,
				 SVCGW_DIR_REPLY);
	} else {
		svcgw_skey6_pack(&s->h6[SVCGW_DIR_ORIG].key, orig,
				 SVCGW_DIR_ORIG);
		svcgw_skey6_pack(&s->h6[SVCGW_DIR_REPLY].key, reply,
				 SVCGW_DIR_REPLY);
	}
	if (replica) {
		s->ps.state = ps->state;
		s->ps.fin = ps->fin;
		s->expires = expires;
		s->origin = origin;
		s->flags = SVCGW_SF_REPL;
		s->replica = 1;
	} else {
		svcgw_state_init(&s->ps, orig->proto, tcp_flags);
		s->expires = session_expiry(sn, &s->ps);
	}
	s->ps.oneway = srv->fwd.method != SVCGW_METHOD_NAT;

	/* REPLY first: nobody can end the session before ORIG is in. */
	old = session_link(sn, s, SVCGW_DIR_REPLY);
	if (old) {
		if (IS_ERR(old)) {
			found = old;
		} else {
			/* The same flow's session, made by a racing CPU, or
			 * another flow's with this reply tuple: a clash.
			 */
			found = entry_session(family, old);
			if (!session_key_equal(found, s, SVCGW_DIR_ORIG))
				found = ERR_PTR(-EEXIST);
		}
		/* Never visible: no grace period needed. */
		atomic_dec(&srv->nsessions);
		svcgw_server_put(srv);
		kmem_cache_free(session_cache(family), s);
		goto uncount;
	}
	old = session_link(sn, s, SVCGW_DIR_ORIG);
	if (old) {
		/*
		 * A racing CPU made the flow's session first, or the insert
		 * failed.  Our REPLY entry was visible: free after a grace
		 * period.
		 */
		WARN_ON_ONCE(session_unlink(sn, s, SVCGW_DIR_REPLY));
		if (replica)
			atomic_dec(&sn->nreplicas);
		atomic_dec(&sn->nsessions);
		call_rcu(&s->rcu, session_free_rcu);
		return IS_ERR(old) ? old : entry_session(family, old);
	}
	if (!READ_ONCE(sn->pressure) &&
	    (u64)atomic_read(&sn->nsessions) * 10 >=
	    (u64)READ_ONCE(sn->cfg.session_max) * 9)
		svcgw_session_pressure_update(sn);
	return s;

uncount:
	if (replica)
		atomic_dec(&sn->nreplicas);
	atomic_dec(&sn->nsessions);
	return found;
}

/*
 * Make a session for the flow @orig (client -> service) served by @srv,
 * whose replies the gateway will see as @reply; both are computed by the
 * caller (svcgw_tuple_reply() without source translation) and of the same
 * family, AF_INET or AF_INET6.  Returns the session now in the table: ours,
 * or the one a racing CPU made first for the same @orig.  Else an ERR_PTR:
 * -EEXIST if another flow's session has the reply tuple @reply (the caller
 * may pick another one and try again), -ENOSPC at the cap, -ENOMEM,
 * -ENOENT if @srv is going away; the caller then serves the flow from the
 * mapping table.
 */
struct svcgw_session *svcgw_session_create(struct svcgw_net *sn,
					   struct svcgw_server *srv,
					   const struct svcgw_tuple *orig,
					   const struct svcgw_tuple *reply,
					   u8 tcp_flags)
{
	return session_make(sn, srv, orig, reply, tcp_flags, NULL, 0, 0);
}

/*
 * Take the record of a session that the peer @sender replicated here
 * (sync.c checked it and found @srv, its server): make, refresh or end the
 * replica of its flow.  Under RCU with bottom halves off, as the packet
 * path.  0, or what was wrong: -EEXIST the flow is this node's own (or
 * another flow has its reply tuple), -ENOSPC the replicas' cap, -ENOMEM,
 * -ENOENT the server is going away.
 *
 * A session of the flow that this node adopted (it served the flow while
 * the origin was down) becomes a replica again when its origin sends it:
 * the flow has gone back there (failback).
 */
int svcgw_session_replica(struct svcgw_net *sn, struct svcgw_server *srv,
			  const struct svcgw_sync_rec *r, u32 sender)
{
	const struct svcgw_sync_endpoint *ep = r->ep;
	struct svcgw_tuple o = {}, re = {};
	struct svcgw_session *s;
	struct svcgw_pstate ps = {};
	bool mine;
	u32 exp;

	o.family = re.family = r->family;
	o.proto = re.proto = r->proto;
	o.src = ep[SVCGW_SYNC_EP_CLIENT].addr;
	o.sport = ep[SVCGW_SYNC_EP_CLIENT].port;
	o.dst = ep[SVCGW_SYNC_EP_SERVICE].addr;
	o.dport = ep[SVCGW_SYNC_EP_SERVICE].port;
	re.src = ep[SVCGW_SYNC_EP_SERVER].addr;
	re.sport = ep[SVCGW_SYNC_EP_SERVER].port;
	if (r->flags & SVCGW_SYNC_REC_FULLNAT) {
		re.dst = ep[SVCGW_SYNC_EP_FULLNAT].addr;
		re.dport = ep[SVCGW_SYNC_EP_FULLNAT].port;
	} else {
		re.dst = o.src;
		re.dport = o.sport;
	}

	s = svcgw_session_lookup_rcu(sn, &o, SVCGW_DIR_ORIG);
	if (s) {
		struct svcgw_tuple cur;

		/* Ours (origin 0), or adopted from another than @sender. */
		mine = !READ_ONCE(s->replica) &&
		       (!s->origin || s->origin != sender);
		if (mine)
			return -EEXIST;
		if (r->op == SVCGW_SYNC_OP_DELETE) {
			svcgw_session_kill(sn, s);
			return 0;
		}
		svcgw_session_tuple(s, SVCGW_DIR_REPLY, &cur);
		if (s->server == srv && !memcmp(&cur, &re, sizeof(re))) {
			WRITE_ONCE(s->ps.state, r->state);
			WRITE_ONCE(s->ps.fin, r->fin);
			WRITE_ONCE(s->expires, (u32)jiffies +
				   msecs_to_jiffies(r->timeout_ms));
			/* Back to a replica: the origin serves it. */
			if (!READ_ONCE(s->replica) &&
			    cmpxchg(&s->replica, 0, 1) == 0)
				atomic_inc(&sn->nreplicas);
			return 0;
		}
		/* Another server (a repick at the origin): made again. */
		svcgw_session_kill(sn, s);
	}
	if (r->op == SVCGW_SYNC_OP_DELETE)
		return 0;
	ps.state = r->state;
	ps.fin = r->fin;
	exp = (u32)jiffies + msecs_to_jiffies(r->timeout_ms);
	s = session_make(sn, srv, &o, &re, 0, &ps, exp, r->origin);
	return IS_ERR(s) ? PTR_ERR(s) : 0;
}

static struct rhashtable *iter_table(struct svcgw_session_iter *it)
{
	return it->table == 0 ? &it->sn->sessions4 : &it->sn->sessions6;
}

/* A walk of every session; rhashtable_walk_enter() rules apply. */
void svcgw_session_iter_enter(struct svcgw_net *sn,
			      struct svcgw_session_iter *it)
{
	it->sn = sn;
	it->table = 0;
	rhashtable_walk_enter(iter_table(it), &it->iter);
}

void svcgw_session_iter_exit(struct svcgw_session_iter *it)
{
	rhashtable_walk_exit(&it->iter);
}

/* The session of an ORIG entry of the walk's table, NULL for REPLY. */
static struct svcgw_session *iter_session(struct svcgw_session_iter *it,
					  void *e)
{
	if (it->table == 0) {
		struct svcgw_shash4 *sh = e;

		return sh->key.dir == SVCGW_DIR_ORIG ? shash4_session(sh) : NULL;
	} else {
		struct svcgw_shash6 *sh = e;

		return sh->key.dir == SVCGW_DIR_ORIG ? shash6_session(sh) : NULL;
	}
}

/*
 * The next session of the walk (by its ORIG entry), between
 * svcgw_session_iter_start() and _stop(); NULL at the end.  A table
 * resize may show a session twice, and one being ended may still show.
 *
 * The walk stands on the session returned last: after _stop() and
 * _start() it goes on after it if it is still in the table, else from its
 * place in its bucket by count, which skips what followed it there if
 * entries before it went meanwhile.  So a walk that ends sessions steps
 * past one (this function) before ending it.
 */
struct svcgw_session *svcgw_session_iter_next(struct svcgw_session_iter *it)
{
	struct svcgw_session *s;
	void *e;

	for (;;) {
		e = rhashtable_walk_next(&it->iter);
		if (IS_ERR(e))
			continue;	/* -EAGAIN: resized, walk on */
		if (!e) {
			if (it->table == 1)
				return NULL;
			/*
			 * IPv4 done: on to IPv6, within the caller's RCU
			 * read section (it may hold a session).
			 */
			rcu_read_lock();
			rhashtable_walk_stop(&it->iter);
			rhashtable_walk_exit(&it->iter);
			it->table = 1;
			rhashtable_walk_enter(iter_table(it), &it->iter);
			rhashtable_walk_start(&it->iter);
			rcu_read_unlock();
			continue;
		}
		s = iter_session(it, e);
		if (s)
			return s;
	}
}

/*
 * Right after svcgw_session_iter_start(): the session the walk stands on,
 * if still in the table, else the next one.
 */
struct svcgw_session *svcgw_session_iter_resume(struct svcgw_session_iter *it)
{
	struct svcgw_session *s;
	void *e;

	e = rhashtable_walk_peek(&it->iter);
	if (!IS_ERR_OR_NULL(e)) {
		s = iter_session(it, e);
		if (s)
			return s;
	}
	return svcgw_session_iter_next(it);
}

/* Bytes the session table takes now: objects and bucket arrays. */
static u64 table_mem(struct rhashtable *ht, unsigned int objsize)
{
	const struct bucket_table *tbl;
	u64 bytes;

	/* Two entries a session; one while a creator links it. */
	bytes = (u64)atomic_read(&ht->nelems) * objsize / 2;
	rcu_read_lock();
	for (tbl = rcu_dereference(ht->tbl); tbl;
	     tbl = rcu_dereference(tbl->future_tbl))
		bytes += struct_size(tbl, buckets, tbl->size);
	rcu_read_unlock();
	return bytes;
}

u64 svcgw_session_mem(struct svcgw_net *sn)
{
	return table_mem(&sn->sessions4, kmem_cache_size(svcgw_session_cache4)) +
	       table_mem(&sn->sessions6, kmem_cache_size(svcgw_session_cache6));
}

/* Which sessions a walk of the table ends. */
struct session_filter {
	const struct svcgw_service	*svc;		/* NULL: any */
	const struct svcgw_key		*ep;		/* NULL: any server */
	const struct svcgw_server	*server;	/* NULL: any */
	bool				reschedule;	/* remake on the table */
};

static bool session_match(const struct svcgw_session *s,
			  const struct session_filter *f)
{
	const struct svcgw_server *srv = s->server;

	if (f->svc && srv->svc != f->svc)
		return false;
	if (f->server && srv != f->server)
		return false;
	return !f->ep || !memcmp(&srv->ep, f->ep, sizeof(*f->ep));
}

/*
 * Give the flow of @s, whose server is down, a session with the server the
 * mapping table gives it now, in the same state.  The reply tuple keeps its
 * destination (the client, or the gateway's address and port), its source
 * becomes the new server.  False if somebody else ended @s first.
 *
 * Inside session_walk()'s walk: under its RCU read section
 * (rhashtable_walk_start()), with bottom halves off, as the packet path.
 */
static bool session_reschedule(struct svcgw_net *sn, struct svcgw_session *s)
{
	struct svcgw_service *svc = s->server->svc;
	struct svcgw_pstate ps = s->ps;
	struct svcgw_server *srv;
	struct svcgw_tuple o, r;
	struct svcgw_session *n;
	struct svcgw_lut *lut;
	u16 i;

	svcgw_session_tuple(s, SVCGW_DIR_ORIG, &o);
	svcgw_session_tuple(s, SVCGW_DIR_REPLY, &r);
	if (!svcgw_session_kill(sn, s))
		return false;
	lut = rcu_dereference(svc->lut);
	i = lut->slot[svcgw_lut_entry(lut, &o, sn->hash_seed)];
	if (i == SVCGW_SLOT_EMPTY)
		return true;
	srv = lut->servers[i];
	r.src = srv->ep.addr;
	r.sport = srv->ep.port;
	n = svcgw_session_create(sn, srv, &o, &r, 0);
	if (!IS_ERR(n)) {
		WRITE_ONCE(n->ps.state, ps.state);
		WRITE_ONCE(n->ps.fin, ps.fin);
		session_set_expiry(sn, n);
	}
	svcgw_event(sn, SVCGW_EV_SESSION_REPICK);
	return true;
}

/*
 * Walk the table and end the sessions @f selects; returns how many were
 * ended.  Process context: sleeps between batches.  The callers hold
 * svcgw_net.lock (a flush, a server set down), but for the namespace's
 * exit, when nothing else runs; the walk itself needs no lock.
 */
static unsigned int session_walk(struct svcgw_net *sn,
				 const struct session_filter *f)
{
	struct svcgw_session_iter it;
	struct svcgw_session *s, *next;
	unsigned int seen = 0, killed = 0;
	bool done;

	might_sleep();
	svcgw_session_iter_enter(sn, &it);
	svcgw_session_iter_start(&it);
	next = svcgw_session_iter_next(&it);
	while ((s = next)) {
		/* Step past @s before ending it (see the iterator). */
		next = svcgw_session_iter_next(&it);
		if (session_match(s, f)) {
			local_bh_disable();
			if (f->reschedule)
				done = session_reschedule(sn, s);
			else
				done = svcgw_session_kill(sn, s);
			local_bh_enable();
			killed += done;
		}
		if (next && ++seen % SVCGW_SESSION_WALK_BATCH == 0) {
			svcgw_session_iter_stop(&it);
			cond_resched();
			svcgw_session_iter_start(&it);
			next = svcgw_session_iter_resume(&it);
		}
	}
	svcgw_session_iter_stop(&it);
	svcgw_session_iter_exit(&it);
	return killed;
}

unsigned int svcgw_session_flush(struct svcgw_net *sn,
				 const struct svcgw_service *svc,
				 const struct svcgw_key *ep)
{
	struct session_filter f = { .svc = svc, .ep = ep };

	return session_walk(sn, &f);
}

/* @srv was set down: its sessions go at once, by its service's policy
 * (moved to the server the mapping table gives now, or ended).
 */
void svcgw_session_server_down(struct svcgw_net *sn, struct svcgw_server *srv)
{
	lockdep_assert_held(&sn->lock);
	struct session_filter f = {
		.server = srv,
		.reschedule = READ_ONCE(srv->svc->cfg.down_policy) ==
			      SVCGW_DOWN_RESCHEDULE,
	};

	session_walk(sn, &f);
}

/*
 * Session-table pressure, with hysteresis: on at 90% of the cap, off at
 * 80%.  Hybrid services make no new sessions while it is on.
 */
void svcgw_session_pressure_update(struct svcgw_net *sn)
{
	u64 n = (u64)atomic_read(&sn->nsessions) * 10;
	u64 max = READ_ONCE(sn->cfg.session_max);
	bool on = READ_ONCE(sn->pressure);

	if (!on && n >= max * 9) {
		WRITE_ONCE(sn->pressure, true);
	} else if (on && n <= max * 8 && max) {
		WRITE_ONCE(sn->pressure, false);
	} else {
		return;
	}
	local_bh_disable();
	svcgw_event(sn, SVCGW_EV_PRESSURE_SWITCH);
	local_bh_enable();
}

int svcgw_session_net_init(struct svcgw_net *sn)
{
	int err;

	atomic_set(&sn->nsessions, 0);
	atomic_set(&sn->nreplicas, 0);
	err = rhashtable_init(&sn->sessions4, &session4_params);
	if (err)
		return err;
	err = rhashtable_init(&sn->sessions6, &session6_params);
	if (err)
		rhashtable_destroy(&sn->sessions4);
	return err;
}

/*
 * Called after every service is gone, no packet path can run and the
 * collector has stopped (svcgw_collector_net_exit()).
 */
void svcgw_session_net_exit(struct svcgw_net *sn)
{
	svcgw_session_flush(sn, NULL, NULL);
	WARN_ON(atomic_read(&sn->nsessions));
	rhashtable_destroy(&sn->sessions6);
	rhashtable_destroy(&sn->sessions4);
}

int svcgw_session_init(void)
{
	/* Expiry is kept in 32 bits of jiffies: timeouts must fit well. */
	BUILD_BUG_ON((u64)SVCGW_TIMEOUT_MAX * HZ >= 1ULL << 30);
	BUILD_BUG_ON(sizeof(struct svcgw_skey4) != 16);
	/* The memory budget (Documentation/svcgw.rst, "Memory"). */
	BUILD_BUG_ON(IS_ENABLED(CONFIG_64BIT) && SVCGW_SESSION4_SIZE > 88);
	svcgw_session_cache4 = kmem_cache_create("svcgw_session4",
						 SVCGW_SESSION4_SIZE,
						 __alignof__(struct svcgw_session),
						 0, NULL);
	if (!svcgw_session_cache4)
		return -ENOMEM;
	svcgw_session_cache6 = kmem_cache_create("svcgw_session6",
						 SVCGW_SESSION6_SIZE,
						 __alignof__(struct svcgw_session),
						 0, NULL);
	if (!svcgw_session_cache6) {
		kmem_cache_destroy(svcgw_session_cache4);
		return -ENOMEM;
	}
	return 0;
}

void svcgw_session_uninit(void)
{
	kmem_cache_destroy(svcgw_session_cache6);
	kmem_cache_destroy(svcgw_session_cache4);
}
