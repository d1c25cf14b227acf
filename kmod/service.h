/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Services: their server sets, mapping tables, transitions and the clock
 * that ends them.
 */
#ifndef _SVCGW_SERVICE_H
#define _SVCGW_SERVICE_H

#include <linux/netlink.h>

#include "svcgw.h"

static inline int svcgw_service_cmpfn(struct rhashtable_compare_arg *arg,
				      const void *obj)
{
	const struct svcgw_service *svc = obj;

	return svcgw_key_cmp(&svc->key, arg->key, sizeof(svc->key));
}

/* A constant every user sees: see svcgw_server_params. */
static const struct rhashtable_params svcgw_service_params = {
	.head_offset = offsetof(struct svcgw_service, node),
	.key_offset = offsetof(struct svcgw_service, key),
	.key_len = sizeof(struct svcgw_key),
	.obj_cmpfn = svcgw_service_cmpfn,
	.automatic_shrinking = true,
};

/* The service with the key @key, for the packet path (under RCU). */
static inline struct svcgw_service *
svcgw_service_lookup_rcu(struct svcgw_net *sn, const struct svcgw_key *key)
{
	return rhashtable_lookup(&sn->services, key, svcgw_service_params);
}

/* What a service is made with when a request does not say. */
static inline void svcgw_service_cfg_default(struct svcgw_service_cfg *cfg)
{
	*cfg = (struct svcgw_service_cfg){
		.mode = SVCGW_MODE_HYBRID,
		.table_size = SVCGW_TABLE_DEFAULT,
		.transition = SVCGW_TRANSITION_DEFAULT,
		.down_policy = SVCGW_DOWN_RESCHEDULE,
	};
}

struct svcgw_service *svcgw_service_lookup_locked(struct svcgw_net *sn,
						  const struct svcgw_key *key);
int svcgw_service_add(struct svcgw_net *sn, const struct svcgw_key *key,
		      const struct svcgw_service_cfg *cfg,
		      const union svcgw_addr *fullnat,
		      const union svcgw_addr *encap_src,
		      struct netlink_ext_ack *extack);
int svcgw_service_del(struct svcgw_net *sn, const struct svcgw_key *key,
		      struct netlink_ext_ack *extack);
void svcgw_service_flush(struct svcgw_net *sn);
void svcgw_service_set(struct svcgw_net *sn, struct svcgw_service *svc,
		       const struct svcgw_service_cfg *cfg, unsigned int which);
void svcgw_service_stateful_now(struct svcgw_net *sn,
				const struct svcgw_service *svc,
				bool *on, u8 *reason);
int svcgw_service_add_server(struct svcgw_net *sn,
			     const struct svcgw_key *svc_key,
			     const struct svcgw_key *ep, u32 weight,
			     const struct svcgw_fwd *fwd,
			     struct netlink_ext_ack *extack);
int svcgw_service_del_server(struct svcgw_net *sn,
			     const struct svcgw_key *svc_key,
			     const struct svcgw_key *ep,
			     struct netlink_ext_ack *extack);
int svcgw_service_set_server(struct svcgw_net *sn,
			     const struct svcgw_key *svc_key,
			     const struct svcgw_key *ep, const u32 *weight,
			     const u8 *state, const u32 *deadline,
			     struct netlink_ext_ack *extack);
int svcgw_service_replace_server(struct svcgw_net *sn,
				 const struct svcgw_key *svc_key,
				 const struct svcgw_key *old_ep,
				 const struct svcgw_key *new_ep,
				 const u32 *weight,
				 const struct svcgw_fwd *fwd,
				 struct netlink_ext_ack *extack);
int svcgw_service_fwd_check(const struct svcgw_service *svc,
			    const struct svcgw_key *ep,
			    const struct svcgw_fwd *fwd,
			    struct netlink_ext_ack *extack);
bool svcgw_service_has_encap(const struct svcgw_service *svc);
int svcgw_service_encap_src_new(const union svcgw_addr *addr,
				struct svcgw_encap_src **es);
void svcgw_service_encap_src_swap(struct svcgw_net *sn,
				  struct svcgw_encap_src __rcu **slot,
				  struct svcgw_encap_src *es);

/* For batch.c, which makes and swaps services whole. */
struct svcgw_service *svcgw_service_alloc(struct svcgw_net *sn,
					  const struct svcgw_key *key,
					  const struct svcgw_service_cfg *cfg,
					  unsigned int nsrv);
int svcgw_service_insert(struct svcgw_net *sn, struct svcgw_service *svc);
void svcgw_service_remove(struct svcgw_net *sn, struct svcgw_service *svc);
int svcgw_service_replace(struct svcgw_net *sn, struct svcgw_service *old,
			  struct svcgw_service *svc);
void svcgw_service_unlink(struct svcgw_net *sn, struct svcgw_service *svc);
void svcgw_service_destroy(struct svcgw_net *sn, struct svcgw_service *svc);
void svcgw_service_publish(struct svcgw_net *sn, struct svcgw_service *svc,
			   struct svcgw_lut *lut, bool change);
void svcgw_service_retire_server(struct svcgw_net *sn,
				 struct svcgw_service *svc,
				 struct svcgw_server *srv);
void svcgw_service_note(struct svcgw_net *sn, struct svcgw_service *svc);
void svcgw_service_clock_start(struct svcgw_net *sn);

int svcgw_service_net_init(struct svcgw_net *sn);
void svcgw_service_net_exit(struct svcgw_net *sn);

#endif /* _SVCGW_SERVICE_H */
