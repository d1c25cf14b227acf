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

const struct rhashtable_params svcgw_service_params = {
	.head_offset = offsetof(struct svcgw_service, node),
	.key_offset = offsetof(struct svcgw_service, key),
	.key_len = sizeof(struct svcgw_key),
	.automatic_shrinking = true,
};

const struct rhashtable_params svcgw_server_params = {
	.head_offset = offsetof(struct svcgw_server, node),
	.key_offset = offsetof(struct svcgw_server, ep),
	.key_len = sizeof(struct svcgw_key),
	.automatic_shrinking = true,
};

static struct svcgw_lut *lut_deref(struct svcgw_net *sn,
				   struct svcgw_service *svc)
{
	return rcu_dereference_protected(svc->lut, lockdep_is_held(&sn->lock));
}

static int server_cmp(const void *a, const void *b)
{
	const struct svcgw_server *x = *(struct svcgw_server * const *)a;
	const struct svcgw_server *y = *(struct svcgw_server * const *)b;

	return memcmp(&x->ep, &y->ep, sizeof(x->ep));
}

/*
 * Build the lookup table of @svc from its server list and publish it.
 * Servers are sorted by endpoint first, so the table depends on the server
 * set only, not on the order it was configured in: every gateway with the
 * same configuration maps every flow alike.
 */
static int service_rebuild(struct svcgw_net *sn, struct svcgw_service *svc)
{
	struct svcgw_lut *lut, *old = lut_deref(sn, svc);
	struct svcgw_mlb_scratch *scratch;
	struct svcgw_server *srv;
	struct svcgw_mlb *mlb;
	unsigned int n = svc->nservers, i = 0;
	size_t size;

	lockdep_assert_held(&sn->lock);
	size = struct_size(lut, slot, svc->table_size);
	lut = kvzalloc(size + n * sizeof(*lut->servers), GFP_KERNEL);
	mlb = kcalloc(n, sizeof(*mlb), GFP_KERNEL);
	scratch = kcalloc(n, sizeof(*scratch), GFP_KERNEL);
	if (!lut || (n && (!mlb || !scratch))) {
		kvfree(lut);
		kfree(mlb);
		kfree(scratch);
		return -ENOMEM;
	}
	lut->size = svc->table_size;
	lut->nservers = n;
	lut->servers = (struct svcgw_server **)((u8 *)lut + size);
	list_for_each_entry(srv, &svc->servers, list)
		lut->servers[i++] = srv;
	sort(lut->servers, n, sizeof(*lut->servers), server_cmp, NULL);
	for (i = 0; i < n; i++) {
		srv = lut->servers[i];
		svcgw_mlb_identity(&mlb[i], (const u8 *)&srv->ep,
				   offsetof(struct svcgw_key, proto));
		mlb[i].weight = srv->weight;
	}
	svcgw_maglev_build(lut->slot, lut->size, mlb, n, scratch);
	kfree(mlb);
	kfree(scratch);

	rcu_assign_pointer(svc->lut, lut);
	if (old)
		kvfree_rcu(old, rcu);
	sn->gen++;
	return 0;
}

static void service_free(struct svcgw_service *svc)
{
	kvfree(rcu_access_pointer(svc->lut));
	free_percpu(svc->stats);
	kfree(svc);
}

static void service_free_rcu(struct rcu_head *head)
{
	service_free(container_of(head, struct svcgw_service, rcu));
}

static void server_free_rcu(struct rcu_head *head)
{
	struct svcgw_server *srv = container_of(head, struct svcgw_server, rcu);

	free_percpu(srv->stats);
	kfree(srv);
}

/* Drop a reference; the last one frees the server after a grace period. */
void svcgw_server_put(struct svcgw_server *srv)
{
	if (refcount_dec_and_test(&srv->ref))
		call_rcu(&srv->rcu, server_free_rcu);
}

struct svcgw_service *svcgw_service_find(struct svcgw_net *sn,
					 const struct svcgw_key *key)
{
	lockdep_assert_held(&sn->lock);
	return rhashtable_lookup_fast(&sn->services, key, svcgw_service_params);
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
	svc = kzalloc(sizeof(*svc), GFP_KERNEL);
	if (!svc)
		return -ENOMEM;
	svc->stats = netdev_alloc_pcpu_stats(struct svcgw_pcpu_stats);
	if (!svc->stats) {
		err = -ENOMEM;
		goto err_free;
	}
	svc->key = *key;
	svc->mode = mode;
	svc->table_size = table_size;
	INIT_LIST_HEAD(&svc->servers);
	err = service_rebuild(sn, svc);
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
		rhashtable_remove_fast(&sn->servers, &srv->node,
				       svcgw_server_params);
	list_del(&svc->list);
	sn->nservices--;
	sn->gen++;
}

/* After a grace period: no packet can reach @svc; drop what it holds. */
static void service_destroy(struct svcgw_net *sn, struct svcgw_service *svc)
{
	struct svcgw_server *srv, *tmp;

	list_for_each_entry_safe(srv, tmp, &svc->servers, list) {
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
	svcgw_session_flush(sn, svc);
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
	svcgw_session_flush(sn, NULL);
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

int svcgw_server_add(struct svcgw_net *sn, const struct svcgw_key *svc_key,
		     const struct svcgw_key *ep, u32 weight,
		     struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc;
	struct svcgw_server *srv, *other;
	int err;

	lockdep_assert_held(&sn->lock);
	svc = service_get(sn, svc_key, extack);
	if (!svc)
		return -ENOENT;
	other = rhashtable_lookup_fast(&sn->servers, ep, svcgw_server_params);
	if (other) {
		if (other->svc == svc) {
			NL_SET_ERR_MSG(extack, "server exists in this service");
			return -EEXIST;
		}
		NL_SET_ERR_MSG(extack,
			       "server endpoint already backs another service");
		return -EADDRINUSE;
	}
	if (svc->nservers >= SVCGW_SERVERS_MAX) {
		NL_SET_ERR_MSG(extack, "too many servers in this service");
		return -ENOSPC;
	}
	srv = kzalloc(sizeof(*srv), GFP_KERNEL);
	if (!srv)
		return -ENOMEM;
	srv->stats = netdev_alloc_pcpu_stats(struct svcgw_pcpu_stats);
	if (!srv->stats) {
		kfree(srv);
		return -ENOMEM;
	}
	srv->ep = *ep;
	srv->svc = svc;
	srv->weight = weight;
	refcount_set(&srv->ref, 1);

	list_add_tail(&srv->list, &svc->servers);
	svc->nservers++;
	err = service_rebuild(sn, svc);
	if (err)
		goto err_list;
	err = rhashtable_insert_fast(&sn->servers, &srv->node,
				     svcgw_server_params);
	if (err)
		goto err_list;
	return 0;

err_list:
	list_del(&srv->list);
	svc->nservers--;
	/* The table may hold @srv: rebuild without it before freeing. */
	if (service_rebuild(sn, svc))
		pr_warn("server rollback: table not rebuilt, kept\n");
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
	err = service_rebuild(sn, svc);
	if (err) {
		list_add_tail(&srv->list, &svc->servers);
		svc->nservers++;
		return err;
	}
	rhashtable_remove_fast(&sn->servers, &srv->node, svcgw_server_params);
	/* Sessions hold their own references and keep the server. */
	svcgw_server_put(srv);
	return 0;
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
	err = rhashtable_init(&sn->services, &svcgw_service_params);
	if (err)
		return err;
	err = rhashtable_init(&sn->servers, &svcgw_server_params);
	if (err)
		rhashtable_destroy(&sn->services);
	return err;
}

void svcgw_service_net_exit(struct svcgw_net *sn)
{
	mutex_lock(&sn->lock);
	svcgw_flush(sn);
	mutex_unlock(&sn->lock);
	rhashtable_destroy(&sn->servers);
	rhashtable_destroy(&sn->services);
}
