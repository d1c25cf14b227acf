/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sync channel (Documentation/ha.rst, "The sync channel"): sessions
 * replicated kernel to kernel over UDP between the nodes that an HA
 * policy pairs, authenticated (hmac(sha256)), sequenced, acknowledged and
 * sent again; a bulk resync at the start of every stream.  One channel a
 * namespace, made and remade by svcgw_sync_apply() when its HA policy
 * changes; its work item does everything but the arrival of datagrams.
 */
#ifndef _SVCGW_SYNC_H
#define _SVCGW_SYNC_H

#include <linux/netlink.h>
#include <linux/skbuff.h>

#include "svcgw.h"

int svcgw_sync_apply(struct svcgw_net *sn, struct netlink_ext_ack *extack);
void svcgw_sync_nodes_changed(struct svcgw_net *sn, u32 id);
int svcgw_sync_fill(struct svcgw_net *sn, struct sk_buff *msg);
int svcgw_sync_fill_peer(struct svcgw_net *sn, struct sk_buff *msg, u32 id);
void svcgw_sync_net_exit(struct svcgw_net *sn);

#endif /* _SVCGW_SYNC_H */
