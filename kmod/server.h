/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Servers: the objects, and the namespace's tables of their endpoints
 * (servers of a service: the one that holds an endpoint, and guests that
 * share it) and of retired ones (removed, still tied to mapping table
 * entries by a transition).
 */
#ifndef _SVCGW_SERVER_H
#define _SVCGW_SERVER_H

#include "svcgw.h"

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

static const struct rhashtable_params svcgw_guest_params = {
	.head_offset = offsetof(struct svcgw_server, guest_node),
	.key_offset = offsetof(struct svcgw_server, ep),
	.key_len = sizeof(struct svcgw_key),
	.obj_cmpfn = svcgw_server_cmpfn,
	.automatic_shrinking = true,
};

/*
 * Must every flow @srv serves have a session?  A NAT server that shares
 * its endpoint as a guest does: a reply without one would be taken for
 * a flow of the service whose server holds the endpoint.  (Full NAT
 * flows have sessions anyway; encapsulated servers answer the clients
 * themselves.)
 */
static inline bool svcgw_server_needs_session(const struct svcgw_server *srv)
{
	return srv->guest && srv->fwd.method == SVCGW_METHOD_NAT;
}

/* The weight a mapping table gives @srv now. */
static inline u32 svcgw_server_effective_weight(const struct svcgw_server *srv)
{
	return srv->state == SVCGW_SERVER_ACTIVE ? srv->weight : 0;
}

struct svcgw_server *svcgw_server_alloc(struct svcgw_net *sn,
					struct svcgw_service *svc,
					const struct svcgw_key *ep,
					u32 weight,
					const struct svcgw_fwd *fwd);
void svcgw_server_put(struct svcgw_server *srv);

int svcgw_endpoint_insert(struct svcgw_net *sn, struct svcgw_server *srv);
void svcgw_endpoint_unlink(struct svcgw_net *sn, struct svcgw_server *srv);
int svcgw_endpoint_replace(struct svcgw_net *sn, struct svcgw_server *old,
			   struct svcgw_server *srv);
struct svcgw_server *svcgw_endpoint_lookup_locked(struct svcgw_net *sn,
						  const struct svcgw_key *ep);
struct svcgw_server *
svcgw_endpoint_lookup_svc_locked(struct svcgw_net *sn,
				 const struct svcgw_key *ep,
				 const struct svcgw_service *svc);
struct rhlist_head *svcgw_guests_lookup_rcu(struct svcgw_net *sn,
					    const struct svcgw_key *ep);
int svcgw_retired_insert(struct svcgw_net *sn, struct svcgw_server *srv);
void svcgw_retired_unlink(struct svcgw_net *sn, struct svcgw_server *srv);
struct svcgw_server *svcgw_retired_lookup_locked(struct svcgw_net *sn,
						 const struct svcgw_key *ep);
struct svcgw_server *svcgw_retired_lookup_rcu(struct svcgw_net *sn,
					      const struct svcgw_key *key);
int svcgw_server_net_init(struct svcgw_net *sn);
void svcgw_server_net_exit(struct svcgw_net *sn);

/*
 * The server behind an endpoint, for the reply path: the server of a
 * service that holds it (not its guests), or one removed from it that a
 * transition still ties entries to (retired), whose flows without a
 * session still reach it.
 */
static inline struct svcgw_server *
svcgw_endpoint_lookup_rcu(struct svcgw_net *sn, const struct svcgw_key *key)
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
			srv = svcgw_retired_lookup_rcu(sn, key);
			if (srv)
				return srv;
		}
	} while (read_seqcount_retry(&sn->ep_seq, seq));
	return NULL;
}

#endif /* _SVCGW_SERVER_H */
