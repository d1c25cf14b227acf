// SPDX-License-Identifier: GPL-2.0
/*
 * The HA policy of a namespace (ha.h): installed whole by
 * SVCGW_CMD_HA_SET, only ever by a higher generation (a delayed message or
 * a second controller cannot take a node back to an older policy), node
 * states set by the controller's notices, each with a node generation
 * that only grows; removed by SVCGW_CMD_HA_DEL with a generation of its
 * own, above which the next policy must be.  Refusals of any are counted
 * (svcgw_net.ha_stale).
 */
#include <linux/slab.h>
#include <linux/overflow.h>
#include <linux/timekeeping.h>

#include "ha.h"

struct svcgw_ha *svcgw_ha_alloc(unsigned int nnodes)
{
	return kzalloc(struct_size_t(struct svcgw_ha, nodes, nnodes),
		       GFP_KERNEL);
}

/* Keys leave no copy behind in freed memory. */
void svcgw_ha_free(struct svcgw_ha *ha)
{
	kfree_sensitive(ha);
}

static void ha_free_rcu(struct rcu_head *head)
{
	svcgw_ha_free(container_of(head, struct svcgw_ha, rcu));
}

/* Nodes are few (SVCGW_HA_NODES_MAX): a walk. */
const struct svcgw_ha_node *svcgw_ha_node_find(const struct svcgw_ha *ha,
					       u32 id)
{
	unsigned int i;

	for (i = 0; i < ha->nnodes; i++)
		if (ha->nodes[i].id == id)
			return &ha->nodes[i];
	return NULL;
}

int svcgw_ha_replace(struct svcgw_net *sn, struct svcgw_ha *ha,
		     struct netlink_ext_ack *extack)
{
	struct svcgw_ha *old;
	unsigned int i;

	mutex_lock(&sn->lock);
	old = rcu_dereference_protected(sn->ha, lockdep_is_held(&sn->lock));
	if (old && ha->gen <= old->gen) {
		sn->ha_stale++;
		mutex_unlock(&sn->lock);
		NL_SET_ERR_MSG(extack,
			       "HA policy generation not above the one in force (svcgw ha show)");
		return -ESTALE;
	}
	if (!old && ha->gen <= sn->ha_removed) {
		sn->ha_stale++;
		mutex_unlock(&sn->lock);
		NL_SET_ERR_MSG(extack,
			       "HA policy generation not above the removal of the last one");
		return -ESTALE;
	}
	/* A node that stays keeps what the controller said of it. */
	for (i = 0; old && i < ha->nnodes; i++) {
		const struct svcgw_ha_node *o;

		o = svcgw_ha_node_find(old, ha->nodes[i].id);
		if (o) {
			ha->nodes[i].state = o->state;
			ha->nodes[i].state_gen = o->state_gen;
		}
	}
	ha->since = ktime_get_boottime_ns();
	rcu_assign_pointer(sn->ha, ha);
	mutex_unlock(&sn->lock);
	if (old)
		call_rcu(&old->rcu, ha_free_rcu);
	return 0;
}

int svcgw_ha_remove(struct svcgw_net *sn, u64 gen,
		    struct netlink_ext_ack *extack)
{
	struct svcgw_ha *old;

	mutex_lock(&sn->lock);
	old = rcu_dereference_protected(sn->ha, lockdep_is_held(&sn->lock));
	if (!old) {
		mutex_unlock(&sn->lock);
		NL_SET_ERR_MSG(extack, "no HA policy in this namespace");
		return -ENOENT;
	}
	if (gen <= old->gen) {
		sn->ha_stale++;
		mutex_unlock(&sn->lock);
		NL_SET_ERR_MSG(extack,
			       "generation not above the HA policy's (svcgw ha show)");
		return -ESTALE;
	}
	sn->ha_removed = gen;
	RCU_INIT_POINTER(sn->ha, NULL);
	mutex_unlock(&sn->lock);
	call_rcu(&old->rcu, ha_free_rcu);
	return 0;
}

int svcgw_ha_node_set(struct svcgw_net *sn, u32 id, u8 state, u64 gen,
		      struct netlink_ext_ack *extack)
{
	struct svcgw_ha_node *n;
	struct svcgw_ha *ha;
	int err = 0;

	mutex_lock(&sn->lock);
	ha = rcu_dereference_protected(sn->ha, lockdep_is_held(&sn->lock));
	n = ha ? (struct svcgw_ha_node *)svcgw_ha_node_find(ha, id) : NULL;
	if (!ha) {
		NL_SET_ERR_MSG(extack, "no HA policy in this namespace");
		err = -ENOENT;
	} else if (!n) {
		NL_SET_ERR_MSG(extack, "no node of that id in the HA policy");
		err = -ENOENT;
	} else if (gen <= n->state_gen) {
		sn->ha_stale++;
		NL_SET_ERR_MSG(extack,
			       "node generation not above the node's last notice");
		err = -ESTALE;
	} else {
		WRITE_ONCE(n->state, state);
		WRITE_ONCE(n->state_gen, gen);
	}
	mutex_unlock(&sn->lock);
	return err;
}

/* The namespace goes: no reader is left (its hooks are gone). */
void svcgw_ha_net_exit(struct svcgw_net *sn)
{
	struct svcgw_ha *ha = rcu_dereference_protected(sn->ha, true);

	RCU_INIT_POINTER(sn->ha, NULL);
	if (ha)
		call_rcu(&ha->rcu, ha_free_rcu);
}
