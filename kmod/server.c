// SPDX-License-Identifier: GPL-2.0
/*
 * Servers, and the namespace's two tables of endpoints: svcgw_net.servers
 * (every server of a service, by endpoint: one endpoint backs one service)
 * and svcgw_net.retired (servers removed from their service that entries
 * of its mapping table are still tied to during a transition).  The reply
 * path finds a flow's server in either (svcgw_endpoint_lookup_rcu());
 * writers hold svcgw_net.lock.  Which server is where is service.c's
 * business; this file keeps the objects and the tables.
 */
#include <linux/slab.h>
#include <linux/netdevice.h>

#include "server.h"
#include "stats.h"

/* A new active server of @svc, with one reference, in no list or table;
 * reached as @fwd says (NULL: NAT).
 */
struct svcgw_server *svcgw_server_alloc(struct svcgw_net *sn,
					struct svcgw_service *svc,
					const struct svcgw_key *ep,
					u32 weight,
					const struct svcgw_fwd *fwd)
{
	struct svcgw_server *srv = kzalloc(sizeof(*srv), GFP_KERNEL);

	lockdep_assert_held(&sn->lock);
	if (!srv)
		return NULL;
	if (fwd)
		srv->fwd = *fwd;
	if (srv->fwd.method != SVCGW_METHOD_NAT &&
	    dst_cache_init(&srv->dst_cache, GFP_KERNEL)) {
		kfree(srv);
		return NULL;
	}
	srv->stats = svcgw_stats_block_take(svc->block);
	if (srv->stats)
		srv->block = svc->block;
	else
		srv->stats = netdev_alloc_pcpu_stats(struct svcgw_pcpu_stats);
	if (!srv->stats) {
		if (srv->fwd.method != SVCGW_METHOD_NAT)
			dst_cache_destroy(&srv->dst_cache);
		kfree(srv);
		return NULL;
	}
	srv->ep = *ep;
	srv->svc = svc;
	srv->weight = weight;
	srv->state = SVCGW_SERVER_ACTIVE;
	svcgw_maglev_identity(&srv->ident, (const u8 *)&srv->ep,
			      offsetof(struct svcgw_key, proto));
	refcount_set(&srv->ref, 1);
	srv->filter = sn->srvfilter;
	srv->filter_slot = svcgw_addrfilter_hold(sn, srv->filter, ep->family,
						 &ep->addr);
	return srv;
}

static void server_free_rcu(struct rcu_head *head)
{
	struct svcgw_server *srv = container_of(head, struct svcgw_server, rcu);

	if (srv->block)
		svcgw_stats_block_put(srv->block);
	else
		free_percpu(srv->stats);
	svcgw_addrfilter_release(srv->filter, srv->filter_slot);
	if (srv->fwd.method != SVCGW_METHOD_NAT)
		dst_cache_destroy(&srv->dst_cache);
	kfree(srv);
}

/* Drop a reference; the last one frees the server after a grace period.
 * Any context.
 */
void svcgw_server_put(struct svcgw_server *srv)
{
	if (refcount_dec_and_test(&srv->ref))
		call_rcu(&srv->rcu, server_free_rcu);
}

/* Replies are translated from this table: a server is in it before a
 * mapping table can send it a flow.
 */
int svcgw_endpoint_insert(struct svcgw_net *sn, struct svcgw_server *srv)
{
	lockdep_assert_held(&sn->lock);
	return rhashtable_insert_fast(&sn->servers, &srv->node,
				      svcgw_server_params);
}

/*
 * A server leaves the endpoint table, or the retired one.  The count
 * first: a reply that missed the table the server entered before (or
 * that its twin is in) and misses it here looks again
 * (svcgw_endpoint_lookup_rcu()).
 */
void svcgw_endpoint_unlink(struct svcgw_net *sn, struct svcgw_server *srv)
{
	lockdep_assert_held(&sn->lock);
	raw_write_seqcount_barrier(&sn->ep_seq);
	rhashtable_remove_fast(&sn->servers, &srv->node, svcgw_server_params);
}

/* @srv takes @old's place (the same endpoint) in one step: no reply
 * misses both.  Allocates nothing.
 */
int svcgw_endpoint_replace(struct svcgw_net *sn, struct svcgw_server *old,
			   struct svcgw_server *srv)
{
	lockdep_assert_held(&sn->lock);
	return rhashtable_replace_fast(&sn->servers, &old->node, &srv->node,
				       svcgw_server_params);
}

struct svcgw_server *svcgw_endpoint_lookup_locked(struct svcgw_net *sn,
						  const struct svcgw_key *ep)
{
	lockdep_assert_held(&sn->lock);
	return rhashtable_lookup_fast(&sn->servers, ep, svcgw_server_params);
}

int svcgw_retired_insert(struct svcgw_net *sn, struct svcgw_server *srv)
{
	lockdep_assert_held(&sn->lock);
	return rhashtable_insert_fast(&sn->retired, &srv->retired_node,
				      svcgw_retired_params);
}

void svcgw_retired_unlink(struct svcgw_net *sn, struct svcgw_server *srv)
{
	lockdep_assert_held(&sn->lock);
	raw_write_seqcount_barrier(&sn->ep_seq);
	rhashtable_remove_fast(&sn->retired, &srv->retired_node,
			       svcgw_retired_params);
}

struct svcgw_server *svcgw_retired_lookup_locked(struct svcgw_net *sn,
						 const struct svcgw_key *ep)
{
	lockdep_assert_held(&sn->lock);
	return rhashtable_lookup_fast(&sn->retired, ep, svcgw_retired_params);
}

/*
 * A retired server, for svcgw_endpoint_lookup_rcu(): out of line, as it
 * is rarely needed, and so that a test can stall a reply between its two
 * lookups (selftests/kmod/svcgw_stall.c probes this function).
 */
noinline struct svcgw_server *
svcgw_retired_lookup_rcu(struct svcgw_net *sn, const struct svcgw_key *key)
{
	return rhashtable_lookup(&sn->retired, key, svcgw_retired_params);
}

int svcgw_server_net_init(struct svcgw_net *sn)
{
	int err;

	seqcount_init(&sn->ep_seq);
	err = rhashtable_init(&sn->servers, &svcgw_server_params);
	if (err)
		return err;
	err = rhashtable_init(&sn->retired, &svcgw_retired_params);
	if (err)
		rhashtable_destroy(&sn->servers);
	return err;
}

/* After every service is gone: both tables are empty. */
void svcgw_server_net_exit(struct svcgw_net *sn)
{
	rhashtable_destroy(&sn->retired);
	rhashtable_destroy(&sn->servers);
}
