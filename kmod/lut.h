/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mapping table of a service (struct svcgw_lut): built from a server
 * set by maglev.c's fill, tied to the old servers of moved entries during
 * a transition, published whole under RCU.
 */
#ifndef _SVCGW_LUT_H
#define _SVCGW_LUT_H

#include "svcgw.h"

/* A server of a table build and the weight it is built with. */
struct svcgw_lut_in {
	struct svcgw_server	*srv;
	u32			weight;
};

struct svcgw_lut *svcgw_lut_build(const struct svcgw_service *svc,
				  const struct svcgw_lut *old,
				  struct svcgw_lut_in *in, unsigned int n,
				  u32 transition, bool change);
void svcgw_lut_publish(struct svcgw_net *sn, struct svcgw_service *svc,
		       struct svcgw_lut *lut, bool change);
void svcgw_lut_free(struct svcgw_lut *lut);
void svcgw_lut_release(struct svcgw_lut *lut);
struct svcgw_lut_in *svcgw_lut_in_servers(const struct svcgw_service *svc,
					  unsigned int *n);
bool svcgw_lut_names(const struct svcgw_lut *lut,
		     const struct svcgw_server *srv);

/* @svc's table, for a writer (svcgw_net.lock held). */
static inline struct svcgw_lut *svcgw_lut_locked(struct svcgw_net *sn,
						 const struct svcgw_service *svc)
{
	return rcu_dereference_protected(svc->lut, lockdep_is_held(&sn->lock));
}

/*
 * The entry of @lut the flow @t maps to: the one lookup every user of the
 * table makes (the packet path, a session moved off a server set down).
 */
static inline u32 svcgw_lut_entry(const struct svcgw_lut *lut,
				  const struct svcgw_tuple *t, u32 seed)
{
	return svcgw_hash_scale(svcgw_flow_hash(t, seed), lut->size);
}

#endif /* _SVCGW_LUT_H */
