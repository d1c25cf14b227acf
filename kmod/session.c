// SPDX-License-Identifier: GPL-2.0
/*
 * Session table.  Each session is hashed twice in one rhashtable, once per
 * direction (the direction is part of the key), so that both a client's
 * packet and a server's reply find it with one lookup.
 *
 * Life of a session: created by the packet path (GFP_ATOMIC, under the
 * per-namespace cap), refreshed by packets of either direction, and
 * unlinked exactly once, by whoever first sees it expired (packet path or
 * the GC worker) or by a flush.  Unlinking sets SVCGW_SESS_DEAD, removes
 * both hash entries and frees the session after an RCU grace period.
 */
#include <linux/slab.h>
#include <linux/jiffies.h>

#include "svcgw.h"
#include "hash.h"

static struct kmem_cache *svcgw_session_cache __read_mostly;

#define SVCGW_GC_INTERVAL	HZ
#define SVCGW_GC_BATCH		1024

static const struct rhashtable_params session_params = {
	.head_offset = offsetof(struct svcgw_shash, node),
	.key_offset = offsetof(struct svcgw_shash, tuple),
	.key_len = sizeof(struct svcgw_tuple),
	.automatic_shrinking = true,
	.min_size = 256,
};

static struct svcgw_session *shash_session(struct svcgw_shash *sh)
{
	return container_of(sh - sh->tuple.dir, struct svcgw_session, h[0]);
}

struct svcgw_session *svcgw_session_lookup(struct svcgw_net *sn,
					   const struct svcgw_tuple *t,
					   enum svcgw_dir dir)
{
	struct svcgw_tuple key = *t;
	struct svcgw_shash *sh;

	key.dir = dir;
	sh = rhashtable_lookup(&sn->sessions, &key, session_params);
	return sh ? shash_session(sh) : NULL;
}

static void session_free_rcu(struct rcu_head *head)
{
	struct svcgw_session *s = container_of(head, struct svcgw_session, rcu);

	atomic_dec(&s->server->nsessions);
	svcgw_server_put(s->server);
	kmem_cache_free(svcgw_session_cache, s);
}

void svcgw_session_kill(struct svcgw_net *sn, struct svcgw_session *s)
{
	/*
	 * A session still being linked by svcgw_session_create() is left
	 * alone: were it freed now, its creator would link a freed entry.
	 */
	if (!test_bit(SVCGW_SESS_LINKED, &s->flags) ||
	    test_and_set_bit(SVCGW_SESS_DEAD, &s->flags))
		return;
	rhashtable_remove_fast(&sn->sessions, &s->h[SVCGW_DIR_ORIG].node,
			       session_params);
	rhashtable_remove_fast(&sn->sessions, &s->h[SVCGW_DIR_REPLY].node,
			       session_params);
	atomic_dec(&sn->nsessions);
	call_rcu(&s->rcu, session_free_rcu);
}

static void session_set_expiry(struct svcgw_net *sn, struct svcgw_session *s)
{
	u32 secs = svcgw_state_timeout(&s->ps, &sn->cfg.timeouts);
	unsigned long exp = jiffies + secs * HZ;

	/* Spare the cache line: refresh at most once per 1/8 of a second. */
	if (READ_ONCE(s->expires) != exp &&
	    (time_before(exp, READ_ONCE(s->expires)) ||
	     time_after(exp, READ_ONCE(s->expires) + HZ / 8)))
		WRITE_ONCE(s->expires, exp);
}

void svcgw_session_touch(struct svcgw_net *sn, struct svcgw_session *s,
			 enum svcgw_dir dir, u8 proto, u8 tcp_flags)
{
	struct svcgw_pstate ps = s->ps;

	svcgw_state_next(&ps, proto, dir, tcp_flags);
	if (ps.state != s->ps.state || ps.fin != s->ps.fin) {
		/* Racing CPUs may both write: the state is advisory. */
		WRITE_ONCE(s->ps.state, ps.state);
		WRITE_ONCE(s->ps.fin, ps.fin);
		WRITE_ONCE(s->expires, jiffies +
			   svcgw_state_timeout(&ps, &sn->cfg.timeouts) * HZ);
		return;
	}
	session_set_expiry(sn, s);
}

/*
 * Make a session for the flow @t (client -> service) served by @srv.
 * Returns the session now in the table (ours, or one a racing CPU made
 * first), or NULL when none could be made: table full, no memory, or @srv
 * going away.  The caller then serves the flow from the mapping table.
 */
struct svcgw_session *svcgw_session_create(struct svcgw_net *sn,
					   struct svcgw_server *srv,
					   const struct svcgw_tuple *t,
					   u8 tcp_flags)
{
	struct svcgw_shash *old;
	struct svcgw_session *s;
	struct svcgw_tuple *r;

	if (atomic_inc_return(&sn->nsessions) > READ_ONCE(sn->cfg.session_max)) {
		atomic_dec(&sn->nsessions);
		svcgw_event(sn, SVCGW_EV_SESSION_FULL);
		return NULL;
	}
	s = kmem_cache_zalloc(svcgw_session_cache, GFP_ATOMIC);
	if (!s)
		goto err_nomem;
	if (!refcount_inc_not_zero(&srv->ref)) {
		kmem_cache_free(svcgw_session_cache, s);
		atomic_dec(&sn->nsessions);
		return NULL;
	}
	s->server = srv;
	atomic_inc(&srv->nsessions);
	s->h[SVCGW_DIR_ORIG].tuple = *t;
	s->h[SVCGW_DIR_ORIG].tuple.dir = SVCGW_DIR_ORIG;
	r = &s->h[SVCGW_DIR_REPLY].tuple;
	r->family = t->family;
	r->proto = t->proto;
	r->dir = SVCGW_DIR_REPLY;
	r->src = srv->ep.addr;
	r->sport = srv->ep.port;
	r->dst = t->src;
	r->dport = t->sport;
	svcgw_state_init(&s->ps, t->proto, tcp_flags);
	s->expires = jiffies +
		     svcgw_state_timeout(&s->ps, &sn->cfg.timeouts) * HZ;

	old = rhashtable_lookup_get_insert_fast(&sn->sessions,
						&s->h[SVCGW_DIR_ORIG].node,
						session_params);
	if (old) {
		/* A racing CPU won, or the insert failed. */
		atomic_dec(&srv->nsessions);
		svcgw_server_put(srv);
		kmem_cache_free(svcgw_session_cache, s);
		atomic_dec(&sn->nsessions);
		return IS_ERR(old) ? NULL : shash_session(old);
	}
	if (rhashtable_insert_fast(&sn->sessions, &s->h[SVCGW_DIR_REPLY].node,
				   session_params)) {
		/* Unlinks the ORIG entry and frees after a grace period. */
		set_bit(SVCGW_SESS_DEAD, &s->flags);
		rhashtable_remove_fast(&sn->sessions,
				       &s->h[SVCGW_DIR_ORIG].node,
				       session_params);
		atomic_dec(&sn->nsessions);
		call_rcu(&s->rcu, session_free_rcu);
		return NULL;
	}
	/* Both entries are in: from now on anybody may unlink it. */
	smp_mb__before_atomic();
	set_bit(SVCGW_SESS_LINKED, &s->flags);
	if (!READ_ONCE(sn->pressure) &&
	    (u64)atomic_read(&sn->nsessions) * 10 >=
	    (u64)READ_ONCE(sn->cfg.session_max) * 9)
		svcgw_pressure_update(sn);
	return s;

err_nomem:
	atomic_dec(&sn->nsessions);
	svcgw_event(sn, SVCGW_EV_DROP_NOMEM);
	return NULL;
}

/* Which sessions a walk of the table ends. */
struct session_filter {
	bool				expired;	/* only expired ones */
	const struct svcgw_service	*svc;		/* NULL: any */
	const struct svcgw_key		*ep;		/* NULL: any server */
	const struct svcgw_server	*server;	/* NULL: any */
	bool				reschedule;	/* remake on the table */
};

static bool session_match(const struct svcgw_session *s,
			  const struct session_filter *f)
{
	const struct svcgw_server *srv = s->server;

	if (f->expired)
		return svcgw_session_expired(s);
	if (f->svc && srv->svc != f->svc)
		return false;
	if (f->server && srv != f->server)
		return false;
	return !f->ep || !memcmp(&srv->ep, f->ep, sizeof(*f->ep));
}

/*
 * Give the flow of @s, whose server is down, a session with the server the
 * mapping table gives it now, in the same state.
 */
static void session_reschedule(struct svcgw_net *sn, struct svcgw_session *s)
{
	struct svcgw_tuple t = s->h[SVCGW_DIR_ORIG].tuple;
	struct svcgw_service *svc = s->server->svc;
	struct svcgw_pstate ps = s->ps;
	struct svcgw_session *n;
	struct svcgw_lut *lut;
	u16 i;

	svcgw_session_kill(sn, s);
	lut = rcu_dereference(svc->lut);
	i = lut->slot[svcgw_hash_scale(svcgw_flow_hash(&t, sn->hash_seed),
				       lut->size)];
	if (i == SVCGW_SLOT_EMPTY)
		return;
	t.dir = 0;
	n = svcgw_session_create(sn, lut->servers[i], &t, 0);
	if (n) {
		WRITE_ONCE(n->ps.state, ps.state);
		WRITE_ONCE(n->ps.fin, ps.fin);
		session_set_expiry(sn, n);
	}
	svcgw_event(sn, SVCGW_EV_SESSION_REPICK);
}

/*
 * Walk the table and end the sessions @f selects.  Sleeps between
 * batches; returns how many were ended.
 */
static unsigned int session_walk(struct svcgw_net *sn,
				 const struct session_filter *f)
{
	struct rhashtable_iter iter;
	struct svcgw_shash *sh;
	unsigned int seen = 0, killed = 0;

	rhashtable_walk_enter(&sn->sessions, &iter);
	rhashtable_walk_start(&iter);
	while ((sh = rhashtable_walk_next(&iter))) {
		struct svcgw_session *s;

		if (IS_ERR(sh)) {
			if (PTR_ERR(sh) == -EAGAIN)
				continue;
			break;
		}
		if (sh->tuple.dir != SVCGW_DIR_ORIG)
			continue;
		s = shash_session(sh);
		if (!test_bit(SVCGW_SESS_DEAD, &s->flags) &&
		    session_match(s, f)) {
			local_bh_disable();
			if (f->reschedule)
				session_reschedule(sn, s);
			else
				svcgw_session_kill(sn, s);
			if (f->expired)
				svcgw_event(sn, SVCGW_EV_SESSION_EXPIRED);
			local_bh_enable();
			killed++;
		}
		if (++seen % SVCGW_GC_BATCH == 0) {
			rhashtable_walk_stop(&iter);
			cond_resched();
			rhashtable_walk_start(&iter);
		}
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return killed;
}

unsigned int svcgw_session_flush(struct svcgw_net *sn,
				 const struct svcgw_service *svc,
				 const struct svcgw_key *ep)
{
	struct session_filter f = { .svc = svc, .ep = ep };

	return session_walk(sn, &f);
}

/* @srv was set down: its sessions go at once, by its service's policy. */
void svcgw_session_server_down(struct svcgw_net *sn, struct svcgw_server *srv)
{
	struct session_filter f = {
		.server = srv,
		.reschedule = READ_ONCE(srv->svc->down_policy) ==
			      SVCGW_DOWN_RESCHEDULE,
	};

	session_walk(sn, &f);
}

/*
 * Session-table pressure, with hysteresis: on at 90% of the cap, off at
 * 80%.  Hybrid services make no new sessions while it is on.
 */
void svcgw_pressure_update(struct svcgw_net *sn)
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

static void session_gc(struct work_struct *work)
{
	struct svcgw_net *sn = container_of(to_delayed_work(work),
					    struct svcgw_net, gc_work);
	struct session_filter f = { .expired = true };

	if (atomic_read(&sn->nsessions))
		session_walk(sn, &f);
	mutex_lock(&sn->lock);
	svcgw_service_tick(sn);
	mutex_unlock(&sn->lock);
	/* Keep going while there is anything to collect or to serve. */
	if (!READ_ONCE(sn->exiting) &&
	    (atomic_read(&sn->nsessions) || READ_ONCE(sn->nservices)))
		queue_delayed_work(system_power_efficient_wq, &sn->gc_work,
				   SVCGW_GC_INTERVAL);
}

void svcgw_session_gc_start(struct svcgw_net *sn)
{
	if (!READ_ONCE(sn->exiting))
		mod_delayed_work(system_power_efficient_wq, &sn->gc_work,
				 SVCGW_GC_INTERVAL);
}

int svcgw_session_net_init(struct svcgw_net *sn)
{
	atomic_set(&sn->nsessions, 0);
	INIT_DELAYED_WORK(&sn->gc_work, session_gc);
	return rhashtable_init(&sn->sessions, &session_params);
}

/* Called after every service is gone and no packet path can run. */
void svcgw_session_net_exit(struct svcgw_net *sn)
{
	WRITE_ONCE(sn->exiting, true);
	cancel_delayed_work_sync(&sn->gc_work);
	svcgw_session_flush(sn, NULL, NULL);
	WARN_ON(atomic_read(&sn->nsessions));
	rhashtable_destroy(&sn->sessions);
}

int svcgw_session_init(void)
{
	svcgw_session_cache = KMEM_CACHE(svcgw_session, 0);
	return svcgw_session_cache ? 0 : -ENOMEM;
}

void svcgw_session_uninit(void)
{
	kmem_cache_destroy(svcgw_session_cache);
}
