// SPDX-License-Identifier: GPL-2.0
/*
 * Services: a service address (address, port, protocol) with its server
 * set, its mapping table built from that set, the servers a transition
 * still ties entries to (retired), and the clock that ends transitions
 * and drains.
 *
 * Writers hold svcgw_net.lock.  The packet path finds a service by its
 * address in svcgw_net.services, a server by its endpoint in
 * svcgw_net.servers (server.c, for replies), and a flow's server in the
 * service's mapping table (lut.c), all under RCU.  A table is rebuilt
 * whole and swapped in on every change of the server set; entries that
 * move stay tied to their old server for the service's transition time,
 * and the clock (svcgw_service_tick(), once a second while the namespace
 * has services) ends what has run out.
 */
#include <linux/slab.h>

#include "service.h"
#include "server.h"
#include "lut.h"
#include "fullnat.h"
#include "session.h"
#include "collector.h"
#include "stats.h"

#define SVCGW_CLOCK_INTERVAL	HZ

struct svcgw_service *svcgw_service_lookup_locked(struct svcgw_net *sn,
						  const struct svcgw_key *key)
{
	lockdep_assert_held(&sn->lock);
	return rhashtable_lookup_fast(&sn->services, key, svcgw_service_params);
}

/* The service @key, with the operator's error if there is none. */
static struct svcgw_service *service_lookup_or_err(struct svcgw_net *sn,
						   const struct svcgw_key *key,
						   struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc = svcgw_service_lookup_locked(sn, key);

	if (!svc)
		NL_SET_ERR_MSG(extack, "no such service");
	return svc;
}

/* Whether @svc makes sessions for new flows now, and why. */
void svcgw_service_stateful_now(struct svcgw_net *sn,
				const struct svcgw_service *svc,
				bool *on, u8 *reason)
{
	const struct svcgw_lut *lut = svcgw_lut_locked(sn, svc);

	*reason = SVCGW_REASON_NONE;
	*on = svc->cfg.mode == SVCGW_MODE_STATEFUL;
	if (svc->cfg.mode != SVCGW_MODE_HYBRID)
		return;
	if (READ_ONCE(sn->pressure)) {
		*reason = SVCGW_REASON_PRESSURE;
	} else if (svc->cfg.op_stateful) {
		*on = true;
		*reason = SVCGW_REASON_OPERATOR;
	} else if (lut->nmarked) {
		*on = true;
		*reason = SVCGW_REASON_TRANSITION;
	} else if (svc->nguests) {
		*on = true;
		*reason = SVCGW_REASON_SHARED;
	}
}

/* Count a change of whether @svc makes sessions, or of why. */
void svcgw_service_note(struct svcgw_net *sn, struct svcgw_service *svc)
{
	bool on;
	u8 reason;

	lockdep_assert_held(&sn->lock);
	svcgw_service_stateful_now(sn, svc, &on, &reason);
	if (on != svc->stateful_now || reason != svc->reason) {
		svc->stateful_now = on;
		svc->reason = reason;
		svc->switches++;
	}
}

static void retired_drop(struct svcgw_net *sn, struct svcgw_server *srv)
{
	svcgw_retired_unlink(sn, srv);
	list_del(&srv->list);
	svcgw_server_put(srv);
}

/* Retired servers that no entry of @svc's table is tied to any more go. */
static void service_prune_retired(struct svcgw_net *sn,
				  struct svcgw_service *svc)
{
	struct svcgw_lut *lut = svcgw_lut_locked(sn, svc);
	struct svcgw_server *srv, *tmp;

	list_for_each_entry_safe(srv, tmp, &svc->retired, list)
		if (!svcgw_lut_names(lut, srv))
			retired_drop(sn, srv);
}

/*
 * @srv has left @svc's server list and the table is rebuilt.  If entries
 * are still tied to it (a transition), it is retired: out of the endpoint
 * table into svcgw_net.retired, so that replies of its flows that have no
 * session are still translated, until the transition ends.  Otherwise the
 * list's reference goes; sessions hold their own.
 */
void svcgw_service_retire_server(struct svcgw_net *sn,
				 struct svcgw_service *svc,
				 struct svcgw_server *srv)
{
	struct svcgw_server *other;

	lockdep_assert_held(&sn->lock);
	/* A guest's replies need no table: they have sessions, or none. */
	if (srv->guest || !svcgw_lut_names(svcgw_lut_locked(sn, svc), srv))
		goto put;
	other = svcgw_retired_lookup_locked(sn, &srv->ep);
	if (other)
		retired_drop(sn, other);
	/*
	 * Into the retired table before out of the endpoint table: a reply
	 * of a flow without a session, on another CPU, finds the server in
	 * one or the other, never in neither (it would leave untranslated,
	 * and the client would reset the connection).
	 */
	if (svcgw_retired_insert(sn, srv))
		goto put;
	svcgw_endpoint_unlink(sn, srv);
	list_add_tail(&srv->list, &svc->retired);
	return;
put:
	svcgw_endpoint_unlink(sn, srv);
	if (srv->guest)
		svcgw_service_note(sn, svc);	/* nguests may have changed */
	svcgw_server_put(srv);
}

/*
 * Make @lut (svcgw_lut_build()) @svc's table, let retired servers it no
 * longer names go, and count a switch of the service's state.
 */
void svcgw_service_publish(struct svcgw_net *sn, struct svcgw_service *svc,
			   struct svcgw_lut *lut, bool change)
{
	lockdep_assert_held(&sn->lock);
	svcgw_lut_publish(sn, svc, lut, change);
	service_prune_retired(sn, svc);
	svcgw_service_note(sn, svc);
}

/*
 * Build the mapping table of @svc from its server list and publish it
 * (svcgw_lut_build() says how entries that move are tied to their old
 * server).
 */
static int service_rebuild(struct svcgw_net *sn, struct svcgw_service *svc,
			   bool change)
{
	struct svcgw_lut_in *in;
	struct svcgw_lut *lut;
	unsigned int n;

	lockdep_assert_held(&sn->lock);
	in = svcgw_lut_in_servers(svc, &n);
	if (!in)
		return -ENOMEM;
	lut = svcgw_lut_build(svc, svcgw_lut_locked(sn, svc), in, n,
			      svc->cfg.transition, change);
	kfree(in);
	if (!lut)
		return -ENOMEM;
	svcgw_service_publish(sn, svc, lut, change);
	return 0;
}

static void service_free(struct svcgw_service *svc)
{
	struct svcgw_lut *lut = rcu_access_pointer(svc->lut);

	if (lut)
		svcgw_lut_release(lut);
	kfree(rcu_access_pointer(svc->fullnat));
	kfree(rcu_access_pointer(svc->encap_src));
	svcgw_stats_block_put(svc->block);
	svcgw_addrfilter_release(svc->filter, svc->filter_slot);
	kfree(svc);
}

static void service_free_rcu(struct rcu_head *head)
{
	service_free(container_of(head, struct svcgw_service, rcu));
}

/*
 * A new service with the settings @cfg, without servers or table, in no
 * list or table, with counters for @nsrv servers besides its own.
 */
struct svcgw_service *svcgw_service_alloc(struct svcgw_net *sn,
					  const struct svcgw_key *key,
					  const struct svcgw_service_cfg *cfg,
					  unsigned int nsrv)
{
	struct svcgw_service *svc = kzalloc(sizeof(*svc), GFP_KERNEL);

	lockdep_assert_held(&sn->lock);
	if (!svc)
		return NULL;
	svc->block = svcgw_stats_block_alloc(1 + nsrv);
	if (!svc->block) {
		kfree(svc);
		return NULL;
	}
	svc->stats = svc->block->base;
	svc->key = *key;
	svc->cfg = *cfg;
	INIT_LIST_HEAD(&svc->servers);
	INIT_LIST_HEAD(&svc->retired);
	svc->filter = sn->svcfilter;
	svc->filter_slot = svcgw_addrfilter_hold(sn, svc->filter, key->family,
						 &key->addr);
	/* As if it had no table yet: the first one counts a switch. */
	svc->stateful_now = cfg->mode == SVCGW_MODE_STATEFUL;
	return svc;
}

int svcgw_service_insert(struct svcgw_net *sn, struct svcgw_service *svc)
{
	lockdep_assert_held(&sn->lock);
	return rhashtable_insert_fast(&sn->services, &svc->node,
				      svcgw_service_params);
}

/* Undo svcgw_service_insert() of a service in no list yet. */
void svcgw_service_remove(struct svcgw_net *sn, struct svcgw_service *svc)
{
	lockdep_assert_held(&sn->lock);
	rhashtable_remove_fast(&sn->services, &svc->node, svcgw_service_params);
}

/* @svc takes the place of @old (same key) in the table, in one step. */
int svcgw_service_replace(struct svcgw_net *sn, struct svcgw_service *old,
			  struct svcgw_service *svc)
{
	lockdep_assert_held(&sn->lock);
	return rhashtable_replace_fast(&sn->services, &old->node, &svc->node,
				       svcgw_service_params);
}

void svcgw_service_clock_start(struct svcgw_net *sn)
{
	if (!READ_ONCE(sn->exiting))
		queue_delayed_work(system_power_efficient_wq, &sn->clock_work,
				   SVCGW_CLOCK_INTERVAL);
}

static void encap_src_free_rcu(struct rcu_head *head)
{
	kfree(container_of(head, struct svcgw_encap_src, rcu));
}

/*
 * An outer source of encapsulated packets, @addr, to publish with
 * svcgw_service_encap_src_swap() once nothing else of a request can fail:
 * *@es is NULL for none (@addr NULL or the any address).  -ENOMEM.
 */
int svcgw_service_encap_src_new(const union svcgw_addr *addr,
				struct svcgw_encap_src **es)
{
	static const union svcgw_addr any;

	*es = NULL;
	if (!addr || svcgw_addr_equal(addr, &any))
		return 0;
	*es = kzalloc(sizeof(**es), GFP_KERNEL);
	if (!*es)
		return -ENOMEM;
	(*es)->addr = *addr;
	return 0;
}

/* Make @es (svcgw_service_encap_src_new()) the source in @slot (a
 * service's or the namespace's); the old one goes after a grace period.
 */
void svcgw_service_encap_src_swap(struct svcgw_net *sn,
				  struct svcgw_encap_src __rcu **slot,
				  struct svcgw_encap_src *es)
{
	struct svcgw_encap_src *old;

	lockdep_assert_held(&sn->lock);
	old = rcu_replace_pointer(*slot, es, lockdep_is_held(&sn->lock));
	if (old)
		call_rcu(&old->rcu, encap_src_free_rcu);
}

/* Both at once, for a request with nothing else to fail. */
static int encap_src_set(struct svcgw_net *sn,
			 struct svcgw_encap_src __rcu **slot,
			 const union svcgw_addr *addr)
{
	struct svcgw_encap_src *es;
	int err = svcgw_service_encap_src_new(addr, &es);

	if (!err)
		svcgw_service_encap_src_swap(sn, slot, es);
	return err;
}

/*
 * A new service, made whole (settings, mapping table, full NAT on @fullnat
 * and the encapsulation source @encap_src if not NULL) before it is published: a packet sees all of it or none.
 * The caller has registered the hooks.
 */
int svcgw_service_add(struct svcgw_net *sn, const struct svcgw_key *key,
		      const struct svcgw_service_cfg *cfg,
		      const union svcgw_addr *fullnat,
		      const union svcgw_addr *encap_src,
		      struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc;
	int err;

	lockdep_assert_held(&sn->lock);
	if (svcgw_service_lookup_locked(sn, key)) {
		NL_SET_ERR_MSG(extack, "service exists");
		return -EEXIST;
	}
	svc = svcgw_service_alloc(sn, key, cfg, 0);
	if (!svc)
		return -ENOMEM;
	err = service_rebuild(sn, svc, false);
	if (!err && fullnat)
		err = svcgw_fullnat_set(sn, svc, fullnat);
	if (!err && encap_src)
		err = encap_src_set(sn, &svc->encap_src, encap_src);
	if (!err)
		err = svcgw_service_insert(sn, svc);
	if (err) {
		svcgw_fullnat_unlink(sn, svc);
		service_free(svc);
		return err;
	}
	list_add_tail(&svc->list, &sn->service_list);
	sn->nservices++;
	sn->gen++;
	svcgw_collector_start(sn);
	svcgw_service_clock_start(sn);
	return 0;
}

/* Unpublish a service and its servers; the packet path may still see them
 * until a grace period has passed.
 */
void svcgw_service_unlink(struct svcgw_net *sn, struct svcgw_service *svc)
{
	struct svcgw_server *srv;

	lockdep_assert_held(&sn->lock);
	rhashtable_remove_fast(&sn->services, &svc->node, svcgw_service_params);
	list_for_each_entry(srv, &svc->servers, list)
		svcgw_endpoint_unlink(sn, srv);
	list_for_each_entry(srv, &svc->retired, list)
		svcgw_retired_unlink(sn, srv);
	list_del(&svc->list);
	sn->nservices--;
	svcgw_fullnat_unlink(sn, svc);
	sn->gen++;
}

/* After a grace period: no packet can reach @svc; drop what it holds. */
void svcgw_service_destroy(struct svcgw_net *sn, struct svcgw_service *svc)
{
	struct svcgw_server *srv, *tmp;

	list_for_each_entry_safe(srv, tmp, &svc->servers, list) {
		list_del(&srv->list);
		svcgw_server_put(srv);
	}
	list_for_each_entry_safe(srv, tmp, &svc->retired, list) {
		list_del(&srv->list);
		svcgw_server_put(srv);
	}
	call_rcu(&svc->rcu, service_free_rcu);
}

int svcgw_service_del(struct svcgw_net *sn, const struct svcgw_key *key,
		      struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc;

	lockdep_assert_held(&sn->lock);
	svc = service_lookup_or_err(sn, key, extack);
	if (!svc)
		return -ENOENT;
	svcgw_service_unlink(sn, svc);
	/*
	 * Wait until no packet path holds @svc, so that none can create a
	 * session for it any more, then remove its sessions.
	 */
	synchronize_net();
	svcgw_session_flush(sn, svc, NULL);
	svcgw_service_destroy(sn, svc);
	return 0;
}

/* Every service goes, with its sessions. */
void svcgw_service_flush(struct svcgw_net *sn)
{
	struct svcgw_service *svc, *tmp;
	LIST_HEAD(dead);

	lockdep_assert_held(&sn->lock);
	list_for_each_entry_safe(svc, tmp, &sn->service_list, list) {
		svcgw_service_unlink(sn, svc);
		list_add_tail(&svc->list, &dead);
	}
	synchronize_net();
	svcgw_session_flush(sn, NULL, NULL);
	list_for_each_entry_safe(svc, tmp, &dead, list) {
		list_del(&svc->list);
		svcgw_service_destroy(sn, svc);
	}
}

/* Change the settings of @svc that @which names (SVCGW_CFG_*, not the
 * table size) to @cfg's.
 */
void svcgw_service_set(struct svcgw_net *sn, struct svcgw_service *svc,
		       const struct svcgw_service_cfg *cfg, unsigned int which)
{
	lockdep_assert_held(&sn->lock);
	if (which & SVCGW_CFG_MODE)
		WRITE_ONCE(svc->cfg.mode, cfg->mode);
	if (which & SVCGW_CFG_TRANSITION)
		svc->cfg.transition = cfg->transition;
	if (which & SVCGW_CFG_STATEFUL)
		WRITE_ONCE(svc->cfg.op_stateful, cfg->op_stateful);
	if (which & SVCGW_CFG_DOWN_POLICY)
		WRITE_ONCE(svc->cfg.down_policy, cfg->down_policy);
	sn->gen++;
	svcgw_service_note(sn, svc);
}

static struct svcgw_server *server_lookup_locked(struct svcgw_service *svc,
						 const struct svcgw_key *ep)
{
	struct svcgw_server *srv;

	list_for_each_entry(srv, &svc->servers, list)
		if (!memcmp(&srv->ep, ep, sizeof(*ep)))
			return srv;
	return NULL;
}

/* Find @svc_key's server @ep, with the operator's error if either is
 * unknown.
 */
static struct svcgw_server *server_lookup_or_err(struct svcgw_net *sn,
						 const struct svcgw_key *svc_key,
						 const struct svcgw_key *ep,
						 struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc = service_lookup_or_err(sn, svc_key, extack);
	struct svcgw_server *srv;

	if (!svc)
		return NULL;
	srv = server_lookup_locked(svc, ep);
	if (!srv)
		NL_SET_ERR_MSG(extack, "no such server in this service");
	return srv;
}

/*
 * May @svc have a server reached as @fwd at @ep?  An encapsulated server
 * gets the client's packet as it is, to the service's port, and answers
 * from the service address: a full NAT service cannot have one.
 */
int svcgw_service_fwd_check(const struct svcgw_service *svc,
			    const struct svcgw_key *ep,
			    const struct svcgw_fwd *fwd,
			    struct netlink_ext_ack *extack)
{
	if (!fwd || fwd->method == SVCGW_METHOD_NAT)
		return 0;
	if (ep->port != svc->key.port) {
		NL_SET_ERR_MSG(extack,
			       "an encapsulated server takes the service's port");
		return -EINVAL;
	}
	if (rcu_access_pointer(svc->fullnat)) {
		NL_SET_ERR_MSG(extack,
			       "a full NAT service reaches its servers by NAT");
		return -EINVAL;
	}
	return 0;
}

/* Has @svc a server reached otherwise than by NAT? */
bool svcgw_service_has_encap(const struct svcgw_service *svc)
{
	const struct svcgw_server *srv;

	list_for_each_entry(srv, &svc->servers, list)
		if (srv->fwd.method != SVCGW_METHOD_NAT)
			return true;
	return false;
}

/*
 * May @svc (in mode @mode) have a server at @ep, reached as @fwd says?
 * Not twice; and a stateless service makes no sessions, so its NAT
 * server cannot share an endpoint another service's server holds (its
 * replies could not be told apart).
 */
static int endpoint_check(struct svcgw_net *sn,
			  const struct svcgw_service *svc, u8 mode,
			  const struct svcgw_key *ep,
			  const struct svcgw_fwd *fwd,
			  struct netlink_ext_ack *extack)
{
	struct svcgw_server *holder;

	if (svcgw_endpoint_lookup_svc_locked(sn, ep, svc)) {
		NL_SET_ERR_MSG(extack, "server exists in this service");
		return -EEXIST;
	}
	holder = svcgw_endpoint_lookup_locked(sn, ep);
	if (holder && mode == SVCGW_MODE_STATELESS &&
	    (!fwd || fwd->method == SVCGW_METHOD_NAT)) {
		NL_SET_ERR_MSG(extack,
			       "server endpoint backs another service: a stateless service cannot share it by NAT (replies are told apart by session)");
		return -EADDRINUSE;
	}
	return 0;
}

int svcgw_service_add_server(struct svcgw_net *sn,
			     const struct svcgw_key *svc_key,
			     const struct svcgw_key *ep, u32 weight,
			     const struct svcgw_fwd *fwd,
			     struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc;
	struct svcgw_server *srv;
	int err;

	lockdep_assert_held(&sn->lock);
	svc = service_lookup_or_err(sn, svc_key, extack);
	if (!svc)
		return -ENOENT;
	err = endpoint_check(sn, svc, svc->cfg.mode, ep, fwd, extack);
	if (err)
		return err;
	err = svcgw_service_fwd_check(svc, ep, fwd, extack);
	if (err)
		return err;
	if (svc->nservers >= SVCGW_SERVERS_MAX) {
		NL_SET_ERR_MSG(extack, "too many servers in this service");
		return -ENOSPC;
	}
	srv = svcgw_server_alloc(sn, svc, ep, weight, fwd);
	if (!srv)
		return -ENOMEM;
	err = svcgw_endpoint_insert(sn, srv);
	if (err)
		goto err_put;
	list_add_tail(&srv->list, &svc->servers);
	svc->nservers++;
	err = service_rebuild(sn, svc, true);
	if (err)
		goto err_list;
	return 0;

err_list:
	list_del(&srv->list);
	svc->nservers--;
	svcgw_endpoint_unlink(sn, srv);
err_put:
	svcgw_server_put(srv);
	return err;
}

int svcgw_service_del_server(struct svcgw_net *sn,
			     const struct svcgw_key *svc_key,
			     const struct svcgw_key *ep,
			     struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc;
	struct svcgw_server *srv;
	int err;

	lockdep_assert_held(&sn->lock);
	srv = server_lookup_or_err(sn, svc_key, ep, extack);
	if (!srv)
		return -ENOENT;
	svc = srv->svc;
	list_del(&srv->list);
	svc->nservers--;
	err = service_rebuild(sn, svc, true);
	if (err) {
		list_add_tail(&srv->list, &svc->servers);
		svc->nservers++;
		return err;
	}
	svcgw_service_retire_server(sn, svc, srv);
	return 0;
}

int svcgw_service_set_server(struct svcgw_net *sn,
			     const struct svcgw_key *svc_key,
			     const struct svcgw_key *ep, const u32 *weight,
			     const u8 *state, const u32 *deadline,
			     struct netlink_ext_ack *extack)
{
	struct svcgw_server *srv;
	unsigned long old_until;
	u32 old_weight;
	u8 old_state;
	int err;

	lockdep_assert_held(&sn->lock);
	srv = server_lookup_or_err(sn, svc_key, ep, extack);
	if (!srv)
		return -ENOENT;
	if (deadline && !(state ? *state == SVCGW_SERVER_DRAINING :
			  srv->state == SVCGW_SERVER_DRAINING)) {
		NL_SET_ERR_MSG(extack, "a deadline is for a draining server");
		return -EINVAL;
	}
	old_weight = srv->weight;
	old_state = srv->state;
	old_until = srv->drain_until;
	if (weight)
		srv->weight = *weight;
	if (state)
		WRITE_ONCE(srv->state, *state);
	if (srv->state != SVCGW_SERVER_DRAINING)
		srv->drain_until = 0;
	else if (deadline)
		srv->drain_until = *deadline ? jiffies + *deadline * HZ : 0;
	if (srv->weight != old_weight || srv->state != old_state) {
		err = service_rebuild(sn, srv->svc, true);
		if (err) {
			srv->weight = old_weight;
			WRITE_ONCE(srv->state, old_state);
			srv->drain_until = old_until;
			return err;
		}
	}
	if (srv->state == SVCGW_SERVER_DOWN && old_state != SVCGW_SERVER_DOWN)
		svcgw_session_server_down(sn, srv);
	return 0;
}

int svcgw_service_replace_server(struct svcgw_net *sn,
				 const struct svcgw_key *svc_key,
				 const struct svcgw_key *old_ep,
				 const struct svcgw_key *new_ep,
				 const u32 *weight,
				 const struct svcgw_fwd *fwd,
				 struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc;
	struct svcgw_server *old, *srv;
	int err;

	lockdep_assert_held(&sn->lock);
	old = server_lookup_or_err(sn, svc_key, old_ep, extack);
	if (!old)
		return -ENOENT;
	svc = old->svc;
	err = endpoint_check(sn, svc, svc->cfg.mode, new_ep, fwd, extack);
	if (err)
		return err;
	err = svcgw_service_fwd_check(svc, new_ep, fwd, extack);
	if (err)
		return err;
	srv = svcgw_server_alloc(sn, svc, new_ep,
				 weight ? *weight : old->weight, fwd);
	if (!srv)
		return -ENOMEM;
	/* The new server takes the old one's place: its entries, only. */
	srv->ident = old->ident;
	err = svcgw_endpoint_insert(sn, srv);
	if (err)
		goto err_free;
	list_replace(&old->list, &srv->list);
	err = service_rebuild(sn, svc, true);
	if (err) {
		list_replace(&srv->list, &old->list);
		svcgw_endpoint_unlink(sn, srv);
		goto err_free;
	}
	svcgw_service_retire_server(sn, svc, old);
	return 0;

err_free:
	svcgw_server_put(srv);
	return err;
}

/*
 * Once a second while the namespace has services: end transitions whose
 * time is up, set draining servers past their deadline (or without flows)
 * down, and count the switches of every service's state.
 */
static void svcgw_service_tick(struct svcgw_net *sn)
{
	struct svcgw_service *svc;
	struct svcgw_server *srv;

	lockdep_assert_held(&sn->lock);
	list_for_each_entry(svc, &sn->service_list, list) {
		struct svcgw_lut *lut = svcgw_lut_locked(sn, svc);

		if (lut->nmarked &&
		    time_after_eq(jiffies, svc->transition_until))
			service_rebuild(sn, svc, false);
		list_for_each_entry(srv, &svc->servers, list) {
			if (srv->state != SVCGW_SERVER_DRAINING)
				continue;
			/* Drained: deadline passed, or no flow left on it. */
			if (srv->drain_until ?
			    time_before(jiffies, srv->drain_until) :
			    atomic_read(&srv->nsessions) ||
			    svcgw_lut_locked(sn, svc)->nmarked)
				continue;
			WRITE_ONCE(srv->state, SVCGW_SERVER_DOWN);
			srv->drain_until = 0;
			if (service_rebuild(sn, svc, true)) {
				/* Try again at the next tick. */
				WRITE_ONCE(srv->state, SVCGW_SERVER_DRAINING);
				srv->drain_until = jiffies;
				continue;
			}
			svcgw_session_server_down(sn, srv);
		}
		svcgw_service_note(sn, svc);
	}
}

static void service_clock(struct work_struct *work)
{
	struct svcgw_net *sn = container_of(to_delayed_work(work),
					    struct svcgw_net, clock_work);

	mutex_lock(&sn->lock);
	svcgw_service_tick(sn);
	mutex_unlock(&sn->lock);
	if (!READ_ONCE(sn->exiting) && READ_ONCE(sn->nservices))
		queue_delayed_work(system_power_efficient_wq, &sn->clock_work,
				   SVCGW_CLOCK_INTERVAL);
}

int svcgw_service_net_init(struct svcgw_net *sn)
{
	INIT_LIST_HEAD(&sn->service_list);
	INIT_DELAYED_WORK(&sn->clock_work, service_clock);
	return rhashtable_init(&sn->services, &svcgw_service_params);
}

/*
 * At the namespace's exit, the hooks off (svcgw_net.exiting set): the
 * clock stops, and every service goes.
 */
void svcgw_service_net_exit(struct svcgw_net *sn)
{
	cancel_delayed_work_sync(&sn->clock_work);
	mutex_lock(&sn->lock);
	svcgw_service_flush(sn);
	mutex_unlock(&sn->lock);
	rhashtable_destroy(&sn->services);
}
