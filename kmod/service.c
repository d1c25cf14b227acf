// SPDX-License-Identifier: GPL-2.0
/*
 * Services and servers: the configuration the packet path reads.
 *
 * Writers hold svcgw_net.lock.  The packet path finds a service by its
 * address in svcgw_net.services, a server by its endpoint in
 * svcgw_net.servers (for replies), and a flow's server in the service's
 * Maglev table, all under RCU.  A table is rebuilt whole and swapped in
 * with rcu_assign_pointer() on every change of the server set.
 */
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/percpu.h>
#include <linux/netlink.h>

#include "svcgw.h"
#include "maglev.h"

static struct svcgw_lut *lut_deref(struct svcgw_net *sn,
				   struct svcgw_service *svc)
{
	return rcu_dereference_protected(svc->lut, lockdep_is_held(&sn->lock));
}

/* Order of the servers in a table build: by their place, then endpoint. */
static int server_cmp(const void *a, const void *b)
{
	const struct svcgw_server *x = *(struct svcgw_server * const *)a;
	const struct svcgw_server *y = *(struct svcgw_server * const *)b;

	if (x->ident.offset_hash != y->ident.offset_hash)
		return x->ident.offset_hash < y->ident.offset_hash ? -1 : 1;
	if (x->ident.skip_hash != y->ident.skip_hash)
		return x->ident.skip_hash < y->ident.skip_hash ? -1 : 1;
	return memcmp(&x->ep, &y->ep, sizeof(x->ep));
}

/* Free a table that holds no server reference (never published). */
static void lut_free(struct svcgw_lut *lut)
{
	if (lut)
		kvfree(lut->old);
	kvfree(lut);
}

static void lut_release(struct svcgw_lut *lut)
{
	u32 i;

	for (i = 0; i < lut->nservers; i++)
		svcgw_server_put(lut->servers[i]);
	lut_free(lut);
}

static void lut_free_rcu(struct rcu_head *head)
{
	lut_release(container_of(head, struct svcgw_lut, rcu));
}

/* Count a change of whether @svc makes sessions, or of why. */
static void service_note(struct svcgw_net *sn, struct svcgw_service *svc)
{
	bool state;
	u8 reason;

	svcgw_service_reason(sn, svc, &state, &reason);
	if (state != svc->state || reason != svc->reason) {
		svc->state = state;
		svc->reason = reason;
		svc->switches++;
	}
}

static u32 effective_weight(const struct svcgw_server *srv)
{
	return srv->state == SVCGW_SERVER_ACTIVE ? srv->weight : 0;
}

/*
 * Tie entry @i of the new table @lut to the server it had before (index @p
 * of the old table) when that differs from its new server.  Servers are
 * told apart by endpoint: a server deleted and added again is the same
 * server to its flows.  @map caches where each server of the old table
 * sits in the new one; a removed server is appended.
 */
static void lut_mark(struct svcgw_lut *lut, u32 i, const struct svcgw_lut *old,
		     u16 p, u16 *map)
{
	struct svcgw_server *prev = old->servers[p];
	u32 j;

	if (map[p] == SVCGW_SLOT_EMPTY) {
		for (j = 0; j < lut->nservers; j++)
			if (!memcmp(&lut->servers[j]->ep, &prev->ep,
				    sizeof(prev->ep)))
				break;
		if (j == lut->nservers)
			lut->servers[lut->nservers++] = prev;
		map[p] = j;
	}
	if (lut->slot[i] == map[p])
		return;
	/* Never keep flows on a server set down. */
	if (lut->servers[map[p]]->state == SVCGW_SERVER_DOWN)
		return;
	lut->old[i] = map[p];
	lut->nmarked++;
}

static bool lut_names(const struct svcgw_lut *lut,
		      const struct svcgw_server *srv)
{
	u32 i;

	for (i = 0; i < lut->nservers; i++)
		if (lut->servers[i] == srv)
			return true;
	return false;
}

/*
 * A server leaves the endpoint table, or the retired one.  The count
 * first: a reply that missed the table the server entered before (or
 * that its twin is in) and misses it here looks again
 * (svcgw_endpoint_lookup()).
 */
static void endpoint_unlink(struct svcgw_net *sn, struct svcgw_server *srv)
{
	raw_write_seqcount_barrier(&sn->ep_seq);
	rhashtable_remove_fast(&sn->servers, &srv->node, svcgw_server_params);
}

static void retired_unlink(struct svcgw_net *sn, struct svcgw_server *srv)
{
	raw_write_seqcount_barrier(&sn->ep_seq);
	rhashtable_remove_fast(&sn->retired, &srv->retired_node,
			       svcgw_retired_params);
}

static void retired_drop(struct svcgw_net *sn, struct svcgw_server *srv)
{
	retired_unlink(sn, srv);
	list_del(&srv->list);
	svcgw_server_put(srv);
}

/* Retired servers that no entry of @svc's table is tied to any more go. */
static void service_prune_retired(struct svcgw_net *sn,
				  struct svcgw_service *svc)
{
	struct svcgw_lut *lut = lut_deref(sn, svc);
	struct svcgw_server *srv, *tmp;

	list_for_each_entry_safe(srv, tmp, &svc->retired, list)
		if (!lut_names(lut, srv))
			retired_drop(sn, srv);
}

/*
 * @srv has left @svc's server list and the table is rebuilt.  If entries
 * are still tied to it (a transition), it is retired: out of the endpoint
 * table into svcgw_net.retired, so that replies of its flows that have no
 * session are still translated, until the transition ends.  Otherwise the
 * list's reference goes; sessions hold their own.
 */
static void server_retire(struct svcgw_net *sn, struct svcgw_service *svc,
			  struct svcgw_server *srv)
{
	struct svcgw_server *other;

	if (!lut_names(lut_deref(sn, svc), srv))
		goto put;
	other = rhashtable_lookup_fast(&sn->retired, &srv->ep,
				       svcgw_retired_params);
	if (other)
		retired_drop(sn, other);
	/*
	 * Into the retired table before out of the endpoint table: a reply
	 * of a flow without a session, on another CPU, finds the server in
	 * one or the other, never in neither (it would leave untranslated,
	 * and the client would reset the connection).
	 */
	if (rhashtable_insert_fast(&sn->retired, &srv->retired_node,
				   svcgw_retired_params))
		goto put;
	endpoint_unlink(sn, srv);
	list_add_tail(&srv->list, &svc->retired);
	return;
put:
	endpoint_unlink(sn, srv);
	svcgw_server_put(srv);
}

/* A server of a table build and the weight it is built with. */
struct lut_in {
	struct svcgw_server	*srv;
	u32			weight;
};

static int lut_in_cmp(const void *a, const void *b)
{
	const struct lut_in *x = a, *y = b;

	return server_cmp(&x->srv, &y->srv);
}

/*
 * A lookup table for @svc from the @n servers of @in (sorted here) with
 * their weights.  Servers are sorted by their place first, so the table
 * depends on the server set only, not on the order it was configured in:
 * every gateway with the same configuration maps every flow alike.
 *
 * With @change, entries that now lead to another server than in @svc's
 * current table stay tied to the old one too (marked), if @transition is
 * not 0; an entry marked by a transition still running keeps its oldest
 * tie, since every flow that began on a newer server during the
 * transition has a session.  Without @change (the clock ran out), ties
 * whose time is up go.
 *
 * @old is @svc's table now (NULL: none), which the caller keeps as it is
 * while this runs, as it does @svc and the servers: the caller holds
 * svcgw_net.lock, or a batch builds its tables on several CPUs while it
 * does (batch_build()).  The table is not published and holds no
 * reference yet: lut_publish() does both, and cannot fail; kvfree() it
 * to drop it instead.
 */
static struct svcgw_lut *lut_build(const struct svcgw_service *svc,
				   const struct svcgw_lut *old,
				   struct lut_in *in, unsigned int n,
				   u32 transition, bool change)
{
	struct svcgw_lut *lut;
	bool running = old && old->nmarked &&
		       time_before(jiffies, svc->transition_until);
	bool marking = old && transition && (change || running);
	unsigned int oldn = old ? old->nservers : 0;
	struct svcgw_mlb_scratch *scratch;
	u32 i, m = svc->table_size;
	struct svcgw_mlb *mlb;
	u16 *map = NULL;
	size_t size;

	/* Every field is written below: no zeroing of a table's worth. */
	size = ALIGN(struct_size(lut, slot, (size_t)m), sizeof(void *));
	lut = kvmalloc(size + (n + oldn) * sizeof(*lut->servers), GFP_KERNEL);
	mlb = kcalloc(n, sizeof(*mlb), GFP_KERNEL);
	scratch = kcalloc(n, sizeof(*scratch), GFP_KERNEL);
	if (lut)
		lut->old = marking ? kvmalloc_array(m, sizeof(*lut->old),
						    GFP_KERNEL) : NULL;
	if (oldn)
		map = kmalloc_array(oldn, sizeof(*map), GFP_KERNEL);
	if (!lut || (n && (!mlb || !scratch)) || (oldn && !map) ||
	    (marking && !lut->old)) {
		lut_free(lut);
		lut = NULL;
		goto out;
	}
	lut->size = m;
	lut->nmarked = 0;
	lut->servers = (struct svcgw_server **)((u8 *)lut + size);
	sort(in, n, sizeof(*in), lut_in_cmp, NULL);
	for (i = 0; i < n; i++) {
		lut->servers[i] = in[i].srv;
		mlb[i] = in[i].srv->ident;
		mlb[i].weight = in[i].weight;
	}
	lut->nservers = n;
	svcgw_maglev_build(lut->slot, m, mlb, n, scratch);

	if (marking) {
		for (i = 0; i < m; i++)
			lut->old[i] = SVCGW_SLOT_EMPTY;
		memset(map, 0xff, oldn * sizeof(*map));
		for (i = 0; i < m; i++) {
			u16 p = running && old->old[i] != SVCGW_SLOT_EMPTY ?
				old->old[i] : old->slot[i];

			if (p != SVCGW_SLOT_EMPTY)
				lut_mark(lut, i, old, p, map);
		}
		if (!lut->nmarked) {
			kvfree(lut->old);
			lut->old = NULL;
		}
	}
out:
	kfree(mlb);
	kfree(scratch);
	kfree(map);
	return lut;
}

/* Make @lut, from lut_build(), @svc's table; the old one goes after a
 * grace period.
 */
static void lut_publish(struct svcgw_net *sn, struct svcgw_service *svc,
			struct svcgw_lut *lut, bool change)
{
	struct svcgw_lut *old = lut_deref(sn, svc);
	u32 i;

	if (lut->nmarked && change)
		svc->transition_until = jiffies + svc->transition * HZ;
	for (i = 0; i < lut->nservers; i++)
		refcount_inc(&lut->servers[i]->ref);
	rcu_assign_pointer(svc->lut, lut);
	if (old)
		call_rcu(&old->rcu, lut_free_rcu);
	sn->gen++;
	service_prune_retired(sn, svc);
	service_note(sn, svc);
}

/* What lut_build() takes: @svc's servers and their weights now, *@n of
 * them (kfree() it); NULL if there is no memory.
 */
static struct lut_in *lut_in_servers(const struct svcgw_service *svc,
				     unsigned int *n)
{
	struct lut_in *in = kmalloc_array(svc->nservers, sizeof(*in),
					  GFP_KERNEL);
	struct svcgw_server *srv;

	*n = 0;
	if (!in)
		return NULL;
	list_for_each_entry(srv, &svc->servers, list) {
		in[*n].srv = srv;
		in[(*n)++].weight = effective_weight(srv);
	}
	return in;
}

/*
 * Build the lookup table of @svc from its server list and publish it
 * (lut_build() says how entries that move are tied to their old server).
 */
static int service_rebuild(struct svcgw_net *sn, struct svcgw_service *svc,
			   bool change)
{
	struct svcgw_lut *lut;
	struct lut_in *in;
	unsigned int n;

	lockdep_assert_held(&sn->lock);
	in = lut_in_servers(svc, &n);
	if (!in)
		return -ENOMEM;
	lut = lut_build(svc, lut_deref(sn, svc), in, n, svc->transition,
			change);
	kfree(in);
	if (!lut)
		return -ENOMEM;
	lut_publish(sn, svc, lut, change);
	return 0;
}

static struct svcgw_stats_block *stats_block_alloc(unsigned int n)
{
	struct svcgw_stats_block *b = kmalloc(sizeof(*b), GFP_KERNEL);
	unsigned int i;
	int cpu;

	if (!b)
		return NULL;
	b->base = __alloc_percpu_gfp(n * sizeof(*b->base),
				     __alignof__(*b->base), GFP_KERNEL);
	if (!b->base) {
		kfree(b);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		for (i = 0; i < n; i++)
			u64_stats_init(&per_cpu_ptr(b->base + i, cpu)->syncp);
	/* Element 0, and the first reference, are the caller's. */
	refcount_set(&b->ref, 1);
	b->n = n;
	b->used = 1;
	return b;
}

static void stats_block_put(struct svcgw_stats_block *b)
{
	if (refcount_dec_and_test(&b->ref)) {
		free_percpu(b->base);
		kfree(b);
	}
}

/* The next free counters of @b, NULL if none is left. */
static struct svcgw_pcpu_stats __percpu *
stats_block_take(struct svcgw_stats_block *b)
{
	if (b->used == b->n)
		return NULL;
	refcount_inc(&b->ref);
	return b->base + b->used++;
}

static void service_free(struct svcgw_service *svc)
{
	struct svcgw_lut *lut = rcu_access_pointer(svc->lut);

	if (lut)
		lut_release(lut);
	kfree(rcu_access_pointer(svc->fullnat));
	stats_block_put(svc->block);
	svcgw_addrfilter_release(svc->filter, svc->filter_slot);
	kfree(svc);
}

static void service_free_rcu(struct rcu_head *head)
{
	service_free(container_of(head, struct svcgw_service, rcu));
}

static void server_free_rcu(struct rcu_head *head)
{
	struct svcgw_server *srv = container_of(head, struct svcgw_server, rcu);

	if (srv->block)
		stats_block_put(srv->block);
	else
		free_percpu(srv->stats);
	svcgw_addrfilter_release(srv->filter, srv->filter_slot);
	kfree(srv);
}

/* Drop a reference; the last one frees the server after a grace period. */
void svcgw_server_put(struct svcgw_server *srv)
{
	if (refcount_dec_and_test(&srv->ref))
		call_rcu(&srv->rcu, server_free_rcu);
}

/*
 * A retired server, for svcgw_endpoint_lookup(): out of line, as it is
 * rarely needed, and so that a test can stall a reply between its two
 * lookups (selftests/kmod/svcgw_stall.c probes this function).
 */
noinline struct svcgw_server *
svcgw_retired_lookup(struct svcgw_net *sn, const struct svcgw_key *key)
{
	return rhashtable_lookup(&sn->retired, key, svcgw_retired_params);
}

struct svcgw_service *svcgw_service_find(struct svcgw_net *sn,
					 const struct svcgw_key *key)
{
	lockdep_assert_held(&sn->lock);
	return rhashtable_lookup_fast(&sn->services, key, svcgw_service_params);
}

/*
 * A new service without servers or table, in no list or table, with
 * counters for @nsrv servers besides its own.
 */
static struct svcgw_service *service_alloc(struct svcgw_net *sn,
					   const struct svcgw_key *key,
					   u8 mode, u32 table_size,
					   unsigned int nsrv)
{
	struct svcgw_service *svc = kzalloc(sizeof(*svc), GFP_KERNEL);

	if (!svc)
		return NULL;
	svc->block = stats_block_alloc(1 + nsrv);
	if (!svc->block) {
		kfree(svc);
		return NULL;
	}
	svc->stats = svc->block->base;
	svc->key = *key;
	svc->mode = mode;
	svc->table_size = table_size;
	svc->transition = SVCGW_TRANSITION_DEFAULT;
	svc->state = mode == SVCGW_MODE_STATEFUL;
	INIT_LIST_HEAD(&svc->servers);
	INIT_LIST_HEAD(&svc->retired);
	svc->filter = sn->svcfilter;
	svc->filter_slot = svcgw_addrfilter_hold(sn, svc->filter, key->family,
						 &key->addr);
	return svc;
}

int svcgw_service_add(struct svcgw_net *sn, const struct svcgw_key *key,
		      u8 mode, u32 table_size, struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc;
	int err;

	lockdep_assert_held(&sn->lock);
	if (svcgw_service_find(sn, key)) {
		NL_SET_ERR_MSG(extack, "service exists");
		return -EEXIST;
	}
	svc = service_alloc(sn, key, mode, table_size, 0);
	if (!svc)
		return -ENOMEM;
	err = service_rebuild(sn, svc, false);
	if (err)
		goto err_free;
	if (!sn->hooks_on) {
		err = svcgw_hooks_enable(sn);
		if (err) {
			NL_SET_ERR_MSG(extack, "cannot register netfilter hooks");
			goto err_free;
		}
	}
	err = rhashtable_insert_fast(&sn->services, &svc->node,
				     svcgw_service_params);
	if (err)
		goto err_hooks;
	list_add_tail(&svc->list, &sn->service_list);
	sn->nservices++;
	sn->gen++;
	svcgw_session_gc_start(sn);
	return 0;

err_hooks:
	if (!sn->nservices)
		svcgw_hooks_disable(sn);
err_free:
	service_free(svc);
	return err;
}

/* Unpublish a service and its servers; the packet path may still see them
 * until a grace period has passed.
 */
static void service_unlink(struct svcgw_net *sn, struct svcgw_service *svc)
{
	struct svcgw_server *srv;

	rhashtable_remove_fast(&sn->services, &svc->node, svcgw_service_params);
	list_for_each_entry(srv, &svc->servers, list)
		endpoint_unlink(sn, srv);
	list_for_each_entry(srv, &svc->retired, list)
		retired_unlink(sn, srv);
	list_del(&svc->list);
	sn->nservices--;
	if (rcu_access_pointer(svc->fullnat))
		WRITE_ONCE(sn->nfullnat, sn->nfullnat - 1);
	sn->gen++;
}

/*
 * Turn full NAT of @svc on with the gateway address @addr (of the
 * service's family), or off (@addr NULL).  Flows that have a session keep
 * the translation they began with.
 */
int svcgw_service_fullnat(struct svcgw_net *sn, struct svcgw_service *svc,
			  const union svcgw_addr *addr)
{
	struct svcgw_fullnat *fn = NULL, *old;

	lockdep_assert_held(&sn->lock);
	if (addr) {
		fn = kzalloc(sizeof(*fn), GFP_KERNEL);
		if (!fn)
			return -ENOMEM;
		fn->addr = *addr;
	}
	old = rcu_replace_pointer(svc->fullnat, fn,
				  lockdep_is_held(&sn->lock));
	if (old)
		kfree_rcu(old, rcu);
	WRITE_ONCE(sn->nfullnat, sn->nfullnat + !!fn - !!old);
	sn->gen++;
	return 0;
}

/* After a grace period: no packet can reach @svc; drop what it holds. */
static void service_destroy(struct svcgw_net *sn, struct svcgw_service *svc)
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
	svc = svcgw_service_find(sn, key);
	if (!svc) {
		NL_SET_ERR_MSG(extack, "no such service");
		return -ENOENT;
	}
	service_unlink(sn, svc);
	if (!sn->nservices)
		svcgw_hooks_disable(sn);
	/*
	 * Wait until no packet path holds @svc, so that none can create a
	 * session for it any more, then remove its sessions.
	 */
	synchronize_net();
	svcgw_session_flush(sn, svc, NULL);
	service_destroy(sn, svc);
	return 0;
}

void svcgw_flush(struct svcgw_net *sn)
{
	struct svcgw_service *svc, *tmp;
	LIST_HEAD(dead);

	lockdep_assert_held(&sn->lock);
	list_for_each_entry_safe(svc, tmp, &sn->service_list, list) {
		service_unlink(sn, svc);
		list_add_tail(&svc->list, &dead);
	}
	if (sn->hooks_on)
		svcgw_hooks_disable(sn);
	synchronize_net();
	svcgw_session_flush(sn, NULL, NULL);
	list_for_each_entry_safe(svc, tmp, &dead, list) {
		list_del(&svc->list);
		service_destroy(sn, svc);
	}
}

static struct svcgw_server *server_find(struct svcgw_service *svc,
					const struct svcgw_key *ep)
{
	struct svcgw_server *srv;

	list_for_each_entry(srv, &svc->servers, list)
		if (!memcmp(&srv->ep, ep, sizeof(*ep)))
			return srv;
	return NULL;
}

static struct svcgw_service *service_get(struct svcgw_net *sn,
					 const struct svcgw_key *key,
					 struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc = svcgw_service_find(sn, key);

	if (!svc)
		NL_SET_ERR_MSG(extack, "no such service");
	return svc;
}

/* An endpoint free for @svc: in no service yet (else the errno). */
static int endpoint_free(struct svcgw_net *sn, struct svcgw_service *svc,
			 const struct svcgw_key *ep,
			 struct netlink_ext_ack *extack)
{
	struct svcgw_server *other;

	other = rhashtable_lookup_fast(&sn->servers, ep, svcgw_server_params);
	if (!other)
		return 0;
	if (other->svc == svc) {
		NL_SET_ERR_MSG(extack, "server exists in this service");
		return -EEXIST;
	}
	NL_SET_ERR_MSG(extack, "server endpoint already backs another service");
	return -EADDRINUSE;
}

/* A new active server of @svc, with one reference, in no list or table. */
static struct svcgw_server *server_alloc(struct svcgw_net *sn,
					 struct svcgw_service *svc,
					 const struct svcgw_key *ep,
					 u32 weight)
{
	struct svcgw_server *srv = kzalloc(sizeof(*srv), GFP_KERNEL);

	if (!srv)
		return NULL;
	srv->stats = stats_block_take(svc->block);
	if (srv->stats)
		srv->block = svc->block;
	else
		srv->stats = netdev_alloc_pcpu_stats(struct svcgw_pcpu_stats);
	if (!srv->stats) {
		kfree(srv);
		return NULL;
	}
	srv->ep = *ep;
	srv->svc = svc;
	srv->weight = weight;
	srv->state = SVCGW_SERVER_ACTIVE;
	svcgw_mlb_identity(&srv->ident, (const u8 *)&srv->ep,
			   offsetof(struct svcgw_key, proto));
	refcount_set(&srv->ref, 1);
	srv->filter = sn->srvfilter;
	srv->filter_slot = svcgw_addrfilter_hold(sn, srv->filter, ep->family,
						 &ep->addr);
	return srv;
}

int svcgw_server_add(struct svcgw_net *sn, const struct svcgw_key *svc_key,
		     const struct svcgw_key *ep, u32 weight,
		     struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc;
	struct svcgw_server *srv;
	int err;

	lockdep_assert_held(&sn->lock);
	svc = service_get(sn, svc_key, extack);
	if (!svc)
		return -ENOENT;
	err = endpoint_free(sn, svc, ep, extack);
	if (err)
		return err;
	if (svc->nservers >= SVCGW_SERVERS_MAX) {
		NL_SET_ERR_MSG(extack, "too many servers in this service");
		return -ENOSPC;
	}
	srv = server_alloc(sn, svc, ep, weight);
	if (!srv)
		return -ENOMEM;

	/*
	 * Replies are translated from the endpoint table: @srv is there
	 * before a table can send it a flow.
	 */
	err = rhashtable_insert_fast(&sn->servers, &srv->node,
				     svcgw_server_params);
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
	endpoint_unlink(sn, srv);
err_put:
	svcgw_server_put(srv);
	return err;
}

int svcgw_server_del(struct svcgw_net *sn, const struct svcgw_key *svc_key,
		     const struct svcgw_key *ep,
		     struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc;
	struct svcgw_server *srv;
	int err;

	lockdep_assert_held(&sn->lock);
	svc = service_get(sn, svc_key, extack);
	if (!svc)
		return -ENOENT;
	srv = server_find(svc, ep);
	if (!srv) {
		NL_SET_ERR_MSG(extack, "no such server in this service");
		return -ENOENT;
	}
	list_del(&srv->list);
	svc->nservers--;
	err = service_rebuild(sn, svc, true);
	if (err) {
		list_add_tail(&srv->list, &svc->servers);
		svc->nservers++;
		return err;
	}
	server_retire(sn, svc, srv);
	return 0;
}

/* Find @svc_key's server @ep, with the operator's error if either is
 * unknown.
 */
static struct svcgw_server *server_get(struct svcgw_net *sn,
				       const struct svcgw_key *svc_key,
				       const struct svcgw_key *ep,
				       struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc = service_get(sn, svc_key, extack);
	struct svcgw_server *srv;

	if (!svc)
		return NULL;
	srv = server_find(svc, ep);
	if (!srv)
		NL_SET_ERR_MSG(extack, "no such server in this service");
	return srv;
}

int svcgw_server_set(struct svcgw_net *sn, const struct svcgw_key *svc_key,
		     const struct svcgw_key *ep, const u32 *weight,
		     const u8 *state, const u32 *deadline,
		     struct netlink_ext_ack *extack)
{
	struct svcgw_server *srv = server_get(sn, svc_key, ep, extack);
	unsigned long old_until;
	u32 old_weight;
	u8 old_state;
	int err;

	lockdep_assert_held(&sn->lock);
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

int svcgw_server_replace(struct svcgw_net *sn, const struct svcgw_key *svc_key,
			 const struct svcgw_key *old_ep,
			 const struct svcgw_key *new_ep, const u32 *weight,
			 struct netlink_ext_ack *extack)
{
	struct svcgw_server *old = server_get(sn, svc_key, old_ep, extack);
	struct svcgw_service *svc;
	struct svcgw_server *srv;
	int err;

	lockdep_assert_held(&sn->lock);
	if (!old)
		return -ENOENT;
	svc = old->svc;
	err = endpoint_free(sn, svc, new_ep, extack);
	if (err)
		return err;
	srv = server_alloc(sn, svc, new_ep, weight ? *weight : old->weight);
	if (!srv)
		return -ENOMEM;
	/* The new server takes the old one's place: its entries, only. */
	srv->ident = old->ident;
	err = rhashtable_insert_fast(&sn->servers, &srv->node,
				     svcgw_server_params);
	if (err)
		goto err_free;
	list_replace(&old->list, &srv->list);
	err = service_rebuild(sn, svc, true);
	if (err) {
		list_replace(&srv->list, &old->list);
		endpoint_unlink(sn, srv);
		goto err_free;
	}
	server_retire(sn, svc, old);
	return 0;

err_free:
	svcgw_server_put(srv);
	return err;
}

int svcgw_service_set(struct svcgw_net *sn, struct svcgw_service *svc,
		      const struct svcgw_service *want, unsigned int which)
{
	lockdep_assert_held(&sn->lock);
	if (which & SVCGW_SET_MODE)
		WRITE_ONCE(svc->mode, want->mode);
	if (which & SVCGW_SET_TRANSITION)
		svc->transition = want->transition;
	if (which & SVCGW_SET_STATEFUL)
		WRITE_ONCE(svc->op_stateful, want->op_stateful);
	if (which & SVCGW_SET_DOWN_POLICY)
		WRITE_ONCE(svc->down_policy, want->down_policy);
	sn->gen++;
	service_note(sn, svc);
	return 0;
}

/* Whether @svc makes sessions for new flows now, and why. */
void svcgw_service_reason(struct svcgw_net *sn,
			  const struct svcgw_service *svc,
			  bool *state, u8 *reason)
{
	const struct svcgw_lut *lut = rcu_dereference_protected(svc->lut,
					lockdep_is_held(&sn->lock));

	*reason = SVCGW_REASON_NONE;
	*state = svc->mode == SVCGW_MODE_STATEFUL;
	if (svc->mode != SVCGW_MODE_HYBRID)
		return;
	if (READ_ONCE(sn->pressure)) {
		*reason = SVCGW_REASON_PRESSURE;
	} else if (svc->op_stateful) {
		*state = true;
		*reason = SVCGW_REASON_OPERATOR;
	} else if (lut->nmarked) {
		*state = true;
		*reason = SVCGW_REASON_TRANSITION;
	}
}

/*
 * Once a second, from the GC worker: end transitions whose time is up,
 * set draining servers past their deadline down, and count the switches
 * of every service's state.
 */
void svcgw_service_tick(struct svcgw_net *sn)
{
	struct svcgw_service *svc;
	struct svcgw_server *srv;

	lockdep_assert_held(&sn->lock);
	svcgw_pressure_update(sn);
	list_for_each_entry(svc, &sn->service_list, list) {
		struct svcgw_lut *lut = lut_deref(sn, svc);

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
			    lut_deref(sn, svc)->nmarked)
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
		service_note(sn, svc);
	}
}

void svcgw_stats_read(struct svcgw_pcpu_stats __percpu *stats,
		      struct svcgw_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct svcgw_pcpu_stats *s = per_cpu_ptr(stats, cpu);
		u64 packets, bytes, sessions;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			packets = u64_stats_read(&s->packets);
			bytes = u64_stats_read(&s->bytes);
			sessions = u64_stats_read(&s->sessions);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum->packets += packets;
		sum->bytes += bytes;
		sum->sessions += sessions;
	}
}

int svcgw_service_net_init(struct svcgw_net *sn)
{
	int err;

	INIT_LIST_HEAD(&sn->service_list);
	seqcount_init(&sn->ep_seq);
	err = rhashtable_init(&sn->services, &svcgw_service_params);
	if (err)
		return err;
	err = rhashtable_init(&sn->servers, &svcgw_server_params);
	if (err)
		goto err_services;
	err = rhashtable_init(&sn->retired, &svcgw_retired_params);
	if (err)
		goto err_servers;
	return 0;

err_servers:
	rhashtable_destroy(&sn->servers);
err_services:
	rhashtable_destroy(&sn->services);
	return err;
}

void svcgw_service_net_exit(struct svcgw_net *sn)
{
	mutex_lock(&sn->lock);
	svcgw_flush(sn);
	mutex_unlock(&sn->lock);
	rhashtable_destroy(&sn->retired);
	rhashtable_destroy(&sn->servers);
	rhashtable_destroy(&sn->services);
}

/*
 * Batches (SVCGW_CMD_BATCH): many services with their servers in one
 * request, all or nothing.  batch_prepare() checks the request against the
 * configuration, allocates every object, builds every table that changes
 * (on every CPU at once: batch_build()), and inserts the new objects that
 * collide with nothing into the hash tables (the only steps that can fail once things are allocated:
 * rhashtable inserts may allocate).  batch_commit() then cannot fail:
 * objects that take over a key held now are swapped in with
 * rhashtable_replace_fast(), tables are published, the services that go
 * are unlinked, and one grace period covers them all.  batch_abort()
 * undoes batch_prepare().
 */

/*
 * The tables a batch builds: collected while it is prepared, then built
 * on every CPU at once (Maglev builds are most of a large batch's time),
 * each into its service's bs->lut.  The caller holds svcgw_net.lock and
 * waits for them: nothing they read changes meanwhile.
 */
struct batch_job {
	struct svcgw_batch_svc	*bs;
	const struct svcgw_lut	*old;
	struct lut_in		*in;
	unsigned int		n;
	u32			transition;
	bool			change;
};

struct batch_jobs {
	struct batch_job	*job;
	unsigned int		n;
	atomic_t		next;
	atomic_t		failed;
};

#define BATCH_BUILD_HELPERS	7	/* at most, besides the caller */
#define BATCH_BUILD_PER_HELPER	32	/* tables that make a helper worth it */

struct batch_builder {
	struct work_struct	work;
	struct batch_jobs	*jobs;
};

/* @in (kmalloc'd) goes with the job; @jobs has room for every service. */
static void batch_job_add(struct batch_jobs *jobs, struct svcgw_batch_svc *bs,
			  const struct svcgw_lut *old, struct lut_in *in,
			  unsigned int n, u32 transition, bool change)
{
	jobs->job[jobs->n++] = (struct batch_job){
		.bs = bs, .old = old, .in = in, .n = n,
		.transition = transition, .change = change,
	};
}

static void batch_build_some(struct batch_jobs *jobs)
{
	unsigned int i;

	while ((i = atomic_inc_return(&jobs->next) - 1) < jobs->n) {
		struct batch_job *job = &jobs->job[i];

		job->bs->lut = lut_build(job->bs->svc, job->old, job->in,
					 job->n, job->transition, job->change);
		if (!job->bs->lut)
			atomic_inc(&jobs->failed);
		cond_resched();
	}
}

static void batch_build_work(struct work_struct *work)
{
	batch_build_some(container_of(work, struct batch_builder, work)->jobs);
}

/* Build every table of @jobs, here and on up to BATCH_BUILD_HELPERS other
 * CPUs (system_unbound_wq); -ENOMEM if one could not be.
 */
static int batch_build(struct batch_jobs *jobs)
{
	struct batch_builder helper[BATCH_BUILD_HELPERS];
	unsigned int h, nh;

	nh = min3(num_online_cpus() - 1, (unsigned int)BATCH_BUILD_HELPERS,
		  jobs->n / BATCH_BUILD_PER_HELPER);
	for (h = 0; h < nh; h++) {
		INIT_WORK_ONSTACK(&helper[h].work, batch_build_work);
		helper[h].jobs = jobs;
		queue_work(system_unbound_wq, &helper[h].work);
	}
	batch_build_some(jobs);
	for (h = 0; h < nh; h++) {
		flush_work(&helper[h].work);
		destroy_work_on_stack(&helper[h].work);
	}
	return atomic_read(&jobs->failed) ? -ENOMEM : 0;
}

/* A service of the batch that exists now and keeps its objects. */
static int batch_prepare_kept(struct svcgw_net *sn, struct svcgw_batch *b,
			      struct svcgw_batch_svc *bs,
			      struct svcgw_service *svc,
			      struct batch_jobs *jobs)
{
	unsigned int j, kept = 0;
	bool changed = false;
	struct lut_in *in;

	bs->svc = svc;
	for (j = 0; j < bs->n; j++) {
		struct svcgw_batch_srv *bsr = &b->srv[bs->first + j];
		struct svcgw_server *other;

		other = rhashtable_lookup_fast(&sn->servers, &bsr->ep,
					       svcgw_server_params);
		if (other && other->svc == svc) {
			bsr->srv = other;
			kept++;
			if (other->weight != bsr->weight)
				changed = true;
			continue;
		}
		/* Another service's now: it loses it in this batch. */
		bsr->displace = other;
		bsr->srv = server_alloc(sn, svc, &bsr->ep, bsr->weight);
		if (!bsr->srv)
			return -ENOMEM;
		bsr->fresh = true;
		changed = true;
	}
	if (kept != svc->nservers)
		changed = true;
	if (!changed)
		return 0;	/* same servers, same weights: same table */

	in = kmalloc_array(bs->n, sizeof(*in), GFP_KERNEL);
	if (!in)
		return -ENOMEM;
	for (j = 0; j < bs->n; j++) {
		struct svcgw_batch_srv *bsr = &b->srv[bs->first + j];

		in[j].srv = bsr->srv;
		in[j].weight = bsr->srv->state == SVCGW_SERVER_ACTIVE ?
			       bsr->weight : 0;
	}
	batch_job_add(jobs, bs, lut_deref(sn, svc), in, bs->n, bs->transition,
		      true);
	return 0;
}

/* A service of the batch made afresh, with its servers and table. */
static int batch_prepare_new(struct svcgw_net *sn, struct svcgw_batch *b,
			     struct svcgw_batch_svc *bs,
			     struct batch_jobs *jobs,
			     struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc;
	struct lut_in *in;
	unsigned int j, n;

	svc = service_alloc(sn, &bs->key, bs->mode, bs->table_size, bs->n);
	if (!svc)
		return -ENOMEM;
	bs->svc = svc;
	bs->fresh = true;
	svc->transition = bs->transition;
	svc->op_stateful = bs->op_stateful;
	svc->down_policy = bs->down_policy;
	for (j = 0; j < bs->n; j++) {
		struct svcgw_batch_srv *bsr = &b->srv[bs->first + j];
		struct svcgw_server *other;

		other = rhashtable_lookup_fast(&sn->servers, &bsr->ep,
					       svcgw_server_params);
		if (other && !b->replace) {
			NL_SET_ERR_MSG_ATTR(extack, bsr->attr,
					    "server endpoint already backs another service");
			return -EADDRINUSE;
		}
		bsr->displace = other;
		bsr->srv = server_alloc(sn, svc, &bsr->ep, bsr->weight);
		if (!bsr->srv)
			return -ENOMEM;
		bsr->fresh = true;
		list_add_tail(&bsr->srv->list, &svc->servers);
		svc->nservers++;
	}
	in = lut_in_servers(svc, &n);
	if (!in)
		return -ENOMEM;
	batch_job_add(jobs, bs, NULL, in, n, svc->transition, false);
	return 0;
}

static int __batch_prepare(struct svcgw_net *sn, struct svcgw_batch *b,
			   struct batch_jobs *jobs,
			   struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc;
	unsigned int i;
	int err;

	list_for_each_entry(svc, &sn->service_list, list)
		svc->in_batch = false;
	for (i = 0; i < b->nsvc; i++) {
		struct svcgw_batch_svc *bs = &b->svc[i];

		svc = svcgw_service_find(sn, &bs->key);
		if (svc && !b->replace) {
			NL_SET_ERR_MSG_ATTR(extack, bs->attr, "service exists");
			return -EEXIST;
		}
		/*
		 * A batch carries no full NAT: a service that has it keeps
		 * it, and must stay stateful and keep its table.
		 */
		if (svc && rcu_access_pointer(svc->fullnat) &&
		    (bs->mode != SVCGW_MODE_STATEFUL ||
		     svc->table_size != bs->table_size)) {
			NL_SET_ERR_MSG_ATTR(extack, bs->attr,
					    "service has full NAT: it stays mode stateful with its table size");
			return -EINVAL;
		}
		if (svc && svc->table_size != bs->table_size) {
			bs->old = svc;	/* made afresh, the old one goes */
			svc = NULL;
		}
		if (svc) {
			svc->in_batch = true;
			err = batch_prepare_kept(sn, b, bs, svc, jobs);
		} else {
			err = batch_prepare_new(sn, b, bs, jobs, extack);
		}
		if (err)
			return err;
		cond_resched();
	}
	err = batch_build(jobs);
	if (err)
		return err;
	/* New services are not visible yet: their tables go in directly. */
	for (i = 0; i < jobs->n; i++) {
		struct svcgw_batch_svc *bs = jobs->job[i].bs;

		if (bs->fresh) {
			lut_publish(sn, bs->svc, bs->lut, false);
			bs->lut = NULL;
		}
	}
	if (b->nsvc && !sn->hooks_on) {
		err = svcgw_hooks_enable(sn);
		if (err) {
			NL_SET_ERR_MSG(extack, "cannot register netfilter hooks");
			return err;
		}
	}
	for (i = 0; i < b->nsrv; i++) {
		struct svcgw_batch_srv *bsr = &b->srv[i];

		if (!bsr->fresh || bsr->displace)
			continue;
		err = rhashtable_insert_fast(&sn->servers, &bsr->srv->node,
					     svcgw_server_params);
		if (err)
			return err;
		bsr->inserted = true;
	}
	for (i = 0; i < b->nsvc; i++) {
		struct svcgw_batch_svc *bs = &b->svc[i];

		if (!bs->fresh || bs->old)
			continue;
		err = rhashtable_insert_fast(&sn->services, &bs->svc->node,
					     svcgw_service_params);
		if (err)
			return err;
		bs->inserted = true;
	}
	return 0;
}

/* Check @b against the configuration, make its objects, build its tables
 * and insert what has a free key (batch_commit() does the rest).
 */
static int batch_prepare(struct svcgw_net *sn, struct svcgw_batch *b,
			 struct netlink_ext_ack *extack)
{
	struct batch_jobs jobs = {};
	unsigned int i;
	int err;

	if (b->nsvc) {
		jobs.job = kvmalloc_array(b->nsvc, sizeof(*jobs.job),
					  GFP_KERNEL);
		if (!jobs.job)
			return -ENOMEM;
	}
	err = __batch_prepare(sn, b, &jobs, extack);
	for (i = 0; i < jobs.n; i++)
		kfree(jobs.job[i].in);
	kvfree(jobs.job);
	return err;
}

static void batch_abort(struct svcgw_net *sn, struct svcgw_batch *b)
{
	bool visible = false;
	unsigned int i, j;

	for (i = 0; i < b->nsvc; i++) {
		if (b->svc[i].inserted) {
			rhashtable_remove_fast(&sn->services, &b->svc[i].svc->node,
					       svcgw_service_params);
			visible = true;
		}
	}
	for (i = 0; i < b->nsrv; i++)
		if (b->srv[i].inserted)
			endpoint_unlink(sn, b->srv[i].srv);
	if (!sn->nservices)
		svcgw_hooks_disable(sn);
	if (visible) {
		/* Packets may have met the new services: as service_del. */
		synchronize_net();
		for (i = 0; i < b->nsvc && atomic_read(&sn->nsessions); i++)
			if (b->svc[i].inserted)
				svcgw_session_flush(sn, b->svc[i].svc, NULL);
	}
	for (i = 0; i < b->nsvc; i++) {
		struct svcgw_batch_svc *bs = &b->svc[i];

		lut_free(bs->lut);	/* unpublished: holds no reference */
		bs->lut = NULL;
		if (bs->fresh) {
			/* Puts its servers, which its list holds. */
			service_destroy(sn, bs->svc);
			continue;
		}
		for (j = 0; j < bs->n; j++)
			if (b->srv[bs->first + j].fresh)
				svcgw_server_put(b->srv[bs->first + j].srv);
	}
}

/* @bs's servers become @svc's, with the table built for them. */
static void batch_commit_servers(struct svcgw_net *sn, struct svcgw_batch *b,
				 struct svcgw_batch_svc *bs)
{
	struct svcgw_service *svc = bs->svc;
	struct svcgw_server *srv, *tmp;
	LIST_HEAD(gone);
	unsigned int j;

	for (j = 0; j < bs->n; j++)
		if (!b->srv[bs->first + j].fresh)
			list_del(&b->srv[bs->first + j].srv->list);
	list_splice_init(&svc->servers, &gone);
	for (j = 0; j < bs->n; j++) {
		struct svcgw_batch_srv *bsr = &b->srv[bs->first + j];

		bsr->srv->weight = bsr->weight;
		list_add_tail(&bsr->srv->list, &svc->servers);
	}
	svc->nservers = bs->n;
	lut_publish(sn, svc, bs->lut, true);
	bs->lut = NULL;
	list_for_each_entry_safe(srv, tmp, &gone, list) {
		list_del(&srv->list);
		server_retire(sn, svc, srv);
	}
}

static void batch_commit(struct svcgw_net *sn, struct svcgw_batch *b)
{
	struct svcgw_service *svc, *tmp;
	LIST_HEAD(dead);
	unsigned int i;

	/* Keys that change hands: swapped in place, nothing to allocate. */
	for (i = 0; i < b->nsrv; i++)
		if (b->srv[i].displace)
			WARN_ON(rhashtable_replace_fast(&sn->servers,
							&b->srv[i].displace->node,
							&b->srv[i].srv->node,
							svcgw_server_params));
	for (i = 0; i < b->nsvc; i++)
		if (b->svc[i].old)
			WARN_ON(rhashtable_replace_fast(&sn->services,
							&b->svc[i].old->node,
							&b->svc[i].svc->node,
							svcgw_service_params));
	/*
	 * The services that go: not in the batch, or made afresh.  Removing
	 * a displaced object from its table finds nothing and does nothing.
	 */
	if (b->replace) {
		list_for_each_entry_safe(svc, tmp, &sn->service_list, list) {
			if (svc->in_batch)
				continue;
			service_unlink(sn, svc);
			list_add_tail(&svc->list, &dead);
		}
	}
	for (i = 0; i < b->nsvc; i++) {
		struct svcgw_batch_svc *bs = &b->svc[i];

		svc = bs->svc;
		if (bs->fresh) {
			list_add_tail(&svc->list, &sn->service_list);
			sn->nservices++;
			continue;
		}
		WRITE_ONCE(svc->mode, bs->mode);
		svc->transition = bs->transition;
		WRITE_ONCE(svc->op_stateful, bs->op_stateful);
		WRITE_ONCE(svc->down_policy, bs->down_policy);
		if (bs->lut)
			batch_commit_servers(sn, b, bs);
		service_note(sn, svc);
		cond_resched();
	}
	sn->gen++;
	if (sn->nservices)
		svcgw_session_gc_start(sn);
	else
		svcgw_hooks_disable(sn);
	if (list_empty(&dead))
		return;
	/* As service_del(), with one grace period for them all. */
	synchronize_net();
	if (!sn->nservices) {
		svcgw_session_flush(sn, NULL, NULL);
	} else {
		list_for_each_entry(svc, &dead, list) {
			if (!atomic_read(&sn->nsessions))
				break;
			svcgw_session_flush(sn, svc, NULL);
		}
	}
	list_for_each_entry_safe(svc, tmp, &dead, list) {
		list_del(&svc->list);
		service_destroy(sn, svc);
	}
}

int svcgw_batch_apply(struct svcgw_net *sn, struct svcgw_batch *b,
		      struct netlink_ext_ack *extack)
{
	int err;

	lockdep_assert_held(&sn->lock);
	if (!b->nsvc && !b->replace)
		return 0;
	err = batch_prepare(sn, b, extack);
	if (err) {
		batch_abort(sn, b);
		return err;
	}
	batch_commit(sn, b);
	return 0;
}
