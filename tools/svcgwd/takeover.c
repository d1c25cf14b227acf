// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: which full NAT addresses a node holds (takeover.h).  Pure.
 */
#include "takeover.h"

bool takeover_fwd_up(const struct ha_node *n)
{
	return !n->has_state ||
	       (n->state == SVCGW_HA_STATE_UP && !n->held);
}

const struct ha_node *takeover_holder(const struct ha_policy *p,
				      const struct ha_node *n)
{
	size_t i;

	if (takeover_fwd_up(n))
		return n;
	for (i = 0; i < n->nbackup; i++) {
		const struct ha_node *b = ha_find_node(p, n->backup[i]);

		if (b && b != n && takeover_fwd_up(b))
			return b;
	}
	return NULL;
}

size_t takeover_want(const struct ha_policy *p, struct endpoint *out,
		     size_t max)
{
	size_t i, n = 0;

	if (!p->local)
		return 0;
	for (i = 0; i < p->nnode; i++) {
		const struct ha_node *x = &p->node[i];
		const struct ha_node *h;

		if (x->id == p->local || !x->has_fnat)
			continue;
		h = takeover_holder(p, x);
		if (h && h->id == p->local && n < max)
			out[n++] = x->fnat;
	}
	return n;
}

bool takeover_foreign(const struct ha_policy *p, const struct endpoint *addr)
{
	size_t i;

	for (i = 0; i < p->nnode; i++)
		if (p->node[i].id != p->local && p->node[i].has_fnat &&
		    ep_same_addr(&p->node[i].fnat, addr))
			return true;
	return false;
}
