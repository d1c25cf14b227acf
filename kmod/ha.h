/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HA policy (Documentation/ha.rst): which servicing node backs up
 * which, their sync and destination addresses, the sync keys, and the
 * state of each node as the controller last said it.  Replaced whole,
 * published with one pointer swap (svcgw_net.ha), read under RCU.
 */
#ifndef _SVCGW_HA_H
#define _SVCGW_HA_H

#include <linux/netlink.h>

#include "svcgw.h"

struct svcgw_ha_node {
	u32			id;
	char			name[SVCGW_NAME_MAX];
	struct svcgw_key	sync;		/* family and address, port 0 */
	struct svcgw_key	dest;		/* default: @sync */
	struct svcgw_key	fnat;		/* family 0: none */
	u32			backups[SVCGW_HA_BACKUPS_MAX];
	u8			nbackups;
	/* The controller's word: written under svcgw_net.lock, read with
	 * READ_ONCE() (a notice changes them in place, not the policy).
	 */
	u8			state;		/* enum svcgw_ha_state */
	u64			state_gen;
};

struct svcgw_ha {
	struct rcu_head		rcu;
	u64			gen;
	u64			since;		/* boot time, ns */
	u32			local;		/* 0: a forwarder only */
	u16			port;
	u32			key_id, prev_key_id;
	bool			has_prev;
	u8			key[SVCGW_HA_KEY_LEN];
	u8			prev_key[SVCGW_HA_KEY_LEN];
	unsigned int		nnodes;
	struct svcgw_ha_node	nodes[];
};

struct svcgw_ha *svcgw_ha_alloc(unsigned int nnodes);
void svcgw_ha_free(struct svcgw_ha *ha);
const struct svcgw_ha_node *svcgw_ha_node_find(const struct svcgw_ha *ha,
					       u32 id);
int svcgw_ha_replace(struct svcgw_net *sn, struct svcgw_ha *ha,
		     struct netlink_ext_ack *extack);
/*
 * No HA policy from now on (SVCGW_CMD_HA_DEL): @gen above the one in
 * force, and a later policy must be above @gen.
 */
int svcgw_ha_remove(struct svcgw_net *sn, u64 gen,
		    struct netlink_ext_ack *extack);
int svcgw_ha_node_set(struct svcgw_net *sn, u32 id, u8 state, u64 gen,
		      struct netlink_ext_ack *extack);
void svcgw_ha_net_exit(struct svcgw_net *sn);

#endif /* _SVCGW_HA_H */
