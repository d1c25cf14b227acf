// SPDX-License-Identifier: GPL-2.0
/*
 * Servers, and the namespace's tables of endpoints: svcgw_net.servers (by
 * endpoint, the server that holds it: the first of the services that
 * share it, or the one a batch gave it to), svcgw_net.guests (the servers
 * of other services at an endpoint held already: an rhltable, several per
 * key) and svcgw_net.retired (servers removed from their service that
 * entries of its mapping table are still tied to during a transition).
 *
 * A reply without a session is translated for the server that holds its
 * endpoint, or a retired one (svcgw_endpoint_lookup_rcu()); a guest's
 * replies are told apart by their sessions, which its NAT flows always
 * get (svcgw_server_needs_session()), or need nothing (encapsulated
 * servers answer the clients themselves).  Writers hold svcgw_net.lock.
 * Which server is where is service.c's business; this file keeps the
 * objects and the tables.
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

/*
 * Replies are translated from these tables: a server is in one before a
 * mapping table can send it a flow.  It holds its endpoint if no server
 * does, else it is a guest there, for good (service.c refuses guests a
 * service cannot have).
 */
int svcgw_endpoint_insert(struct svcgw_net *sn, struct svcgw_server *srv)
{
	int err;

	lockdep_assert_held(&sn->lock);
	if (!svcgw_endpoint_lookup_locked(sn, &srv->ep)) {
		srv->guest = false;
		return rhashtable_insert_fast(&sn->servers, &srv->node,
					      svcgw_server_params);
	}
	srv->guest = true;
	err = rhltable_insert(&sn->guests, &srv->guest_node,
			      svcgw_guest_params);
	if (err) {
		srv->guest = false;
		return err;
	}
	if (svcgw_server_needs_session(srv))
		srv->svc->nguests++;
	return 0;
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
	if (srv->guest) {
		/* Nothing if it is not there (unlinked already). */
		if (!rhltable_remove(&sn->guests, &srv->guest_node,
				     svcgw_guest_params) &&
		    svcgw_server_needs_session(srv))
			srv->svc->nguests--;
		return;
	}
	raw_write_seqcount_barrier(&sn->ep_seq);
	rhashtable_remove_fast(&sn->servers, &srv->node, svcgw_server_params);
}

/* @srv takes @old's place (the same endpoint, held) in one step: no
 * reply misses both.  Allocates nothing.
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

/* @svc's server at @ep, be it the one that holds it or a guest. */
struct svcgw_server *
svcgw_endpoint_lookup_svc_locked(struct svcgw_net *sn,
				 const struct svcgw_key *ep,
				 const struct svcgw_service *svc)
{
	struct svcgw_server *srv = svcgw_endpoint_lookup_locked(sn, ep);
	struct rhlist_head *pos;

	if (srv && srv->svc == svc)
		return srv;
	/* The lock keeps the guests still; the lookup wants RCU anyway. */
	rcu_read_lock();
	rhl_for_each_entry_rcu(srv, pos, svcgw_guests_lookup_rcu(sn, ep),
			       guest_node)
		if (srv->svc == svc)
			break;
	rcu_read_unlock();
	return pos ? srv : NULL;
}

/* The guests at @ep (rhl_for_each_entry_rcu()), NULL if none. */
struct rhlist_head *svcgw_guests_lookup_rcu(struct svcgw_net *sn,
					    const struct svcgw_key *ep)
{
	if (!atomic_read(&sn->guests.ht.nelems))
		return NULL;
	return rhltable_lookup(&sn->guests, ep, svcgw_guest_params);
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
		goto err_servers;
	err = rhltable_init(&sn->guests, &svcgw_guest_params);
	if (err)
		goto err_retired;
	return 0;

err_retired:
	rhashtable_destroy(&sn->retired);
err_servers:
	rhashtable_destroy(&sn->servers);
	return err;
}

/* After every service is gone: the tables are empty. */
void svcgw_server_net_exit(struct svcgw_net *sn)
{
	rhltable_destroy(&sn->guests);
	rhashtable_destroy(&sn->retired);
	rhashtable_destroy(&sn->servers);
}
