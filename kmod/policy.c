// SPDX-License-Identifier: GPL-2.0
/*
 * Forwarding policies: the set of a namespace, built whole from a request
 * (nl_policy.c parsed and checked it), published with one pointer swap,
 * kept as the previous set while the transition from it runs, freed after
 * a grace period.  The packet path (datapath.c) looks a flow up with
 * svcgw_pset_lookup_rcu() and sends it to the destination the policy's
 * group gives, as a service sends a flow to a server.
 *
 * A group is a struct svcgw_service that is in none of the namespace's
 * tables and lists: stateless, its servers the destinations (never in the
 * endpoint table: one load balancer node backs many groups and policies),
 * its mapping table built by lut.c, its counters by stats.c.  So a group
 * with the same destinations gives every flow the same destination on
 * every node, as a service gives the same server on every gateway.
 */
#include <linux/slab.h>
#include <linux/log2.h>
#include <linux/bitmap.h>
#include <linux/timekeeping.h>

#include "policy.h"
#include "service.h"
#include "server.h"
#include "lut.h"
#include "stats.h"
#include "collector.h"
#include "ha.h"

/* The policy that matches the flow @t most specifically, NULL if none. */
struct svcgw_policy *svcgw_pset_lookup_rcu(const struct svcgw_pset *ps,
					   const struct svcgw_tuple *t,
					   u32 seed)
{
	int f = t->family == AF_INET6;
	struct svcgw_policy *pol;
	struct svcgw_pmatch k;
	unsigned int i;

	for (i = 0; i < ps->nmasks[f]; i++) {
		svcgw_pmatch_of(&k, &ps->masks[f][i], t);
		hlist_for_each_entry(pol, &ps->buckets[svcgw_pmatch_hash(&k, seed) &
						      ps->hmask], hnode)
			if (!svcgw_key_cmp(&pol->match, &k, sizeof(k)))
				return pol;
	}
	return NULL;
}

/*
 * Drop a group: its servers no longer name it (a session may hold one
 * longer than the group lives; nothing follows a destination's service
 * pointer), then svcgw_service_destroy() frees it after a grace period.
 */
static void group_destroy(struct svcgw_net *sn, struct svcgw_service *grp)
{
	struct svcgw_server *srv;

	list_for_each_entry(srv, &grp->servers, list)
		WRITE_ONCE(srv->svc, NULL);
	svcgw_service_destroy(sn, grp);
}

/* Free a set no packet can see any more (a grace period passed). */
static void pset_destroy(struct svcgw_net *sn, struct svcgw_pset *ps)
{
	unsigned int i;

	if (!ps)
		return;
	for (i = 0; i < ps->npolicies; i++)
		svcgw_addrfilter_release(ps->filter,
					 ps->policies[i].filter_slot);
	for (i = 0; i < ps->ngroups; i++)
		if (ps->groups[i].svc)
			group_destroy(sn, ps->groups[i].svc);
	for (i = 0; ps->blocks && i < ps->nblocks; i++)
		if (ps->blocks[i])
			svcgw_stats_block_put(ps->blocks[i]);
	kfree(ps->blocks);
	svcgw_addrfilter_put(ps->filter);
	kvfree(ps->policies);
	kvfree(ps->buckets);
	kfree(ps->masks[0]);
	kfree(ps->masks[1]);
	kvfree(ps->groups);
	kfree(ps);
}

/* Group @gi of @req, made with its destinations and published table. */
static struct svcgw_service *group_build(struct svcgw_net *sn,
					 const struct svcgw_pset_req *req,
					 unsigned int gi)
{
	const struct svcgw_pset_group *g = &req->groups[gi];
	struct svcgw_service_cfg cfg;
	struct svcgw_key key = { .family = g->family };
	struct svcgw_service *grp;
	struct svcgw_lut_in *in;
	struct svcgw_lut *lut;
	unsigned int i, n;

	svcgw_service_cfg_default(&cfg);
	cfg.mode = SVCGW_MODE_STATELESS;
	cfg.transition = 0;
	cfg.table_size = g->table_size;
	grp = svcgw_service_alloc(sn, &key, &cfg, g->n);
	if (!grp)
		return NULL;
	for (i = 0; i < g->n; i++) {
		const struct svcgw_pset_dest *d = &req->dests[g->first + i];
		struct svcgw_server *srv;

		srv = svcgw_server_alloc(sn, grp, &d->ep, d->weight, &d->fwd);
		if (!srv)
			goto err;
		list_add_tail(&srv->list, &grp->servers);
		grp->nservers++;
	}
	in = svcgw_lut_in_servers(grp, &n);
	if (!in)
		goto err;
	lut = svcgw_lut_build(grp, NULL, in, n, 0, false);
	kfree(in);
	if (!lut)
		goto err;
	svcgw_lut_publish(sn, grp, lut, false);
	return grp;
err:
	group_destroy(sn, grp);
	return NULL;
}

/* The shapes of @ps's policies, most specific first, per family. */
static int pset_masks(struct svcgw_pset *ps)
{
	unsigned long *seen;
	unsigned int i, f, id, n;
	int err = -ENOMEM;

	seen = bitmap_zalloc(2 * SVCGW_PMASK_IDS, GFP_KERNEL);
	if (!seen)
		return -ENOMEM;
	for (i = 0; i < ps->npolicies; i++) {
		const struct svcgw_pmatch *m = &ps->policies[i].match;
		struct svcgw_pmask mk = {
			.family = m->family, .plen = m->plen,
			.has_proto = !!m->proto, .has_port = !!m->port,
		};

		f = m->family == AF_INET6;
		__set_bit(f * SVCGW_PMASK_IDS + svcgw_pmask_id(&mk), seen);
	}
	for (f = 0; f < 2; f++) {
		n = 0;
		for (id = 0; id < SVCGW_PMASK_IDS; id++)
			n += test_bit(f * SVCGW_PMASK_IDS + id, seen);
		if (!n)
			continue;
		ps->masks[f] = kcalloc(n, sizeof(*ps->masks[f]), GFP_KERNEL);
		if (!ps->masks[f])
			goto out;
		for (id = SVCGW_PMASK_IDS; id-- > 0;)
			if (test_bit(f * SVCGW_PMASK_IDS + id, seen))
				svcgw_pmask_of_id(&ps->masks[f][ps->nmasks[f]++],
						  f ? AF_INET6 : AF_INET, id);
	}
	err = 0;
out:
	bitmap_free(seen);
	return err;
}

/* A set from @req, complete, published nowhere yet. */
static struct svcgw_pset *pset_build(struct svcgw_net *sn,
				     const struct svcgw_pset_req *req)
{
	struct svcgw_pset *ps = kzalloc(sizeof(*ps), GFP_KERNEL);
	unsigned int i, nb;

	lockdep_assert_held(&sn->lock);
	if (!ps)
		return NULL;
	strscpy(ps->name, req->name, sizeof(ps->name));
	strscpy(ps->reason, req->reason, sizeof(ps->reason));
	ps->transition = req->transition;
	/* The set's reference; each policy takes its own with its slot. */
	ps->filter = sn->svcfilter;
	refcount_inc(&ps->filter->ref);
	ps->groups = kvcalloc(req->ngroups, sizeof(*ps->groups), GFP_KERNEL);
	nb = roundup_pow_of_two(max(req->npolicies, 1U));
	ps->buckets = kvcalloc(nb, sizeof(*ps->buckets), GFP_KERNEL);
	ps->policies = kvcalloc(req->npolicies, sizeof(*ps->policies),
				GFP_KERNEL);
	ps->nblocks = DIV_ROUND_UP(req->npolicies, SVCGW_PSET_STATS_CHUNK);
	ps->blocks = kcalloc(ps->nblocks, sizeof(*ps->blocks), GFP_KERNEL);
	if ((req->ngroups && !ps->groups) || !ps->buckets ||
	    (req->npolicies && !ps->policies) || (ps->nblocks && !ps->blocks))
		goto err;
	for (i = 0; i < ps->nblocks; i++) {
		ps->blocks[i] = svcgw_stats_block_alloc(SVCGW_PSET_STATS_CHUNK);
		if (!ps->blocks[i])
			goto err;
	}
	ps->hmask = nb - 1;
	for (i = 0; i < req->ngroups; i++) {
		strscpy(ps->groups[i].name, req->groups[i].name,
			sizeof(ps->groups[i].name));
		ps->groups[i].svc = group_build(sn, req, i);
		if (!ps->groups[i].svc)
			goto err;
		ps->ngroups++;
		cond_resched();
	}
	for (i = 0; i < req->npolicies; i++) {
		struct svcgw_policy *pol = &ps->policies[i];
		const struct svcgw_pset_policy *rp = &req->policies[i];

		pol->match = rp->match;
		pol->group = ps->groups[rp->group].svc;
		pol->stats = ps->blocks[i / SVCGW_PSET_STATS_CHUNK]->base +
			     i % SVCGW_PSET_STATS_CHUNK;
		pol->filter_slot = svcgw_addrfilter_hold(sn, ps->filter,
							 rp->match.family,
							 &rp->match.dst);
		hlist_add_head(&pol->hnode,
			       &ps->buckets[svcgw_pmatch_hash(&pol->match,
							      sn->hash_seed) &
					    ps->hmask]);
		ps->npolicies++;
		if (!(i % 1024))
			cond_resched();
	}
	if (pset_masks(ps))
		goto err;
	return ps;
err:
	pset_destroy(sn, ps);
	return NULL;
}

/* The HA node whose destination address is @ep's, NULL if none. */
static const struct svcgw_ha_node *ha_node_at(const struct svcgw_ha *ha,
					      const struct svcgw_key *ep)
{
	unsigned int i;

	for (i = 0; i < ha->nnodes; i++) {
		const struct svcgw_key *d = &ha->nodes[i].dest;

		if (d->family == ep->family &&
		    !memcmp(&d->addr, &ep->addr, sizeof(d->addr)))
			return &ha->nodes[i];
	}
	return NULL;
}

/* The destination of @grp at the destination address of node @id. */
static struct svcgw_server *group_dest(struct svcgw_service *grp,
				       const struct svcgw_ha *ha, u32 id)
{
	const struct svcgw_ha_node *n = svcgw_ha_node_find(ha, id);
	struct svcgw_server *srv;

	if (!n || READ_ONCE(n->state) == SVCGW_HA_STATE_DOWN)
		return NULL;
	list_for_each_entry(srv, &grp->servers, list)
		if (srv->ep.family == n->dest.family &&
		    !memcmp(&srv->ep.addr, &n->dest.addr, sizeof(srv->ep.addr)))
			return srv;
	return NULL;
}

/*
 * Failover at the forwarder (Documentation/ha.rst): each destination of
 * @grp that is a node the controller said down sends its flows, and only
 * those, to the first of the node's backups that is up and a destination
 * of the same group; its share of the table stays where it is, so that
 * no other node's flow moves.  No backup there: the flows go to the down
 * node as before (nowhere better is known).
 */
static void group_ha(struct svcgw_service *grp, const struct svcgw_ha *ha)
{
	const struct svcgw_ha_node *n;
	struct svcgw_server *srv, *to;
	unsigned int i;

	list_for_each_entry(srv, &grp->servers, list) {
		to = NULL;
		n = ha ? ha_node_at(ha, &srv->ep) : NULL;
		if (n && READ_ONCE(n->state) == SVCGW_HA_STATE_DOWN)
			for (i = 0; i < n->nbackups && !to; i++)
				to = group_dest(grp, ha, n->backups[i]);
		rcu_assign_pointer(srv->ha_to, to);
	}
}

static void pset_ha(struct svcgw_pset *ps, const struct svcgw_ha *ha)
{
	unsigned int i;

	for (i = 0; ps && i < ps->ngroups; i++)
		group_ha(ps->groups[i].svc, ha);
}

/*
 * The HA policy or a node's state changed: the groups of the set in force
 * (and of the one in transition before it) follow.  Under svcgw_net.lock.
 */
void svcgw_pset_ha_update(struct svcgw_net *sn)
{
	const struct svcgw_ha *ha;
	struct svcgw_pset *ps;

	lockdep_assert_held(&sn->lock);
	ha = rcu_dereference_protected(sn->ha, lockdep_is_held(&sn->lock));
	ps = svcgw_pset_locked(sn);
	pset_ha(ps, ha);
	if (ps)
		pset_ha(rcu_dereference_protected(ps->prev,
						  lockdep_is_held(&sn->lock)),
			ha);
}

static void pset_update_live(struct svcgw_net *sn)
{
	struct svcgw_pset *ps = svcgw_pset_locked(sn);

	WRITE_ONCE(sn->pset_live, ps && (ps->npolicies ||
					 rcu_access_pointer(ps->prev)));
	if (sn->pset_live)
		svcgw_collector_start(sn);
}

/*
 * Make the set @req describes the namespace's, in one step.  The set it
 * replaces stays as the new one's previous set for the transition, if
 * there is one; the one before that goes.
 */
int svcgw_pset_replace(struct svcgw_net *sn, const struct svcgw_pset_req *req,
		       struct netlink_ext_ack *extack)
{
	struct svcgw_pset *ps, *cur, *gone = NULL;

	lockdep_assert_held(&sn->lock);
	ps = pset_build(sn, req);
	if (!ps) {
		NL_SET_ERR_MSG(extack, "no memory for the policy set");
		return -ENOMEM;
	}
	cur = svcgw_pset_locked(sn);
	ps->gen = req->has_gen ? req->gen : (cur ? cur->gen + 1 : 1);
	if (cur && ps->transition && cur->npolicies) {
		gone = rcu_dereference_protected(cur->prev,
						 lockdep_is_held(&sn->lock));
		RCU_INIT_POINTER(cur->prev, NULL);
		rcu_assign_pointer(ps->prev, cur);
		ps->until = jiffies + ps->transition * HZ;
		mod_delayed_work(system_power_efficient_wq, &sn->pset_work,
				 ps->transition * HZ + 1);
	} else {
		gone = cur;
	}
	ps->since = ktime_get_boottime_ns();
	pset_ha(ps, rcu_dereference_protected(sn->ha,
					      lockdep_is_held(&sn->lock)));
	rcu_assign_pointer(sn->pset, ps);
	sn->pset_seq++;
	pset_update_live(sn);
	if (gone) {
		/* A packet may still be looking at it, or at its prev. */
		synchronize_rcu();
		if (gone != cur)
			pset_destroy(sn, gone);
		else {
			pset_destroy(sn, rcu_dereference_protected(gone->prev,
								true));
			pset_destroy(sn, gone);
		}
	}
	return 0;
}

/* No policy set any more (SVCGW_CMD_FLUSH). */
void svcgw_pset_flush(struct svcgw_net *sn)
{
	struct svcgw_pset *cur = svcgw_pset_locked(sn);

	lockdep_assert_held(&sn->lock);
	if (!cur)
		return;
	RCU_INIT_POINTER(sn->pset, NULL);
	sn->pset_seq++;
	pset_update_live(sn);
	synchronize_rcu();
	pset_destroy(sn, rcu_dereference_protected(cur->prev, true));
	pset_destroy(sn, cur);
}

/* The transition from the previous set is over: it goes. */
static void pset_clock(struct work_struct *work)
{
	struct svcgw_net *sn = container_of(to_delayed_work(work),
					    struct svcgw_net, pset_work);
	struct svcgw_pset *cur, *prev = NULL;

	mutex_lock(&sn->lock);
	cur = svcgw_pset_locked(sn);
	if (cur)
		prev = rcu_dereference_protected(cur->prev,
						 lockdep_is_held(&sn->lock));
	if (prev && time_before(jiffies, cur->until) && !sn->exiting) {
		mod_delayed_work(system_power_efficient_wq, &sn->pset_work,
				 cur->until - jiffies + 1);
		prev = NULL;
	} else if (prev) {
		RCU_INIT_POINTER(cur->prev, NULL);
		sn->pset_seq++;
		pset_update_live(sn);
		synchronize_rcu();
		pset_destroy(sn, prev);
	}
	mutex_unlock(&sn->lock);
}

void svcgw_pset_net_init(struct svcgw_net *sn)
{
	INIT_DELAYED_WORK(&sn->pset_work, pset_clock);
}

/* The hooks are off: no packet sees a set. */
void svcgw_pset_net_exit(struct svcgw_net *sn)
{
	struct svcgw_pset *cur;

	cancel_delayed_work_sync(&sn->pset_work);
	mutex_lock(&sn->lock);
	cur = svcgw_pset_locked(sn);
	RCU_INIT_POINTER(sn->pset, NULL);
	if (cur) {
		pset_destroy(sn, rcu_dereference_protected(cur->prev, true));
		pset_destroy(sn, cur);
	}
	mutex_unlock(&sn->lock);
}
