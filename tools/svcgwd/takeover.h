/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: which full NAT addresses a servicing node's agent holds
 * (Documentation/ha.rst, "The full NAT address at the failover").  Pure:
 * no socket, no log; test_takeover.c links it with hafile.c and parse.c.
 *
 * The servers answer a full NAT flow at its gateway's full NAT address
 * (the node's "fnat" in the HA policy).  When the forwarders send a node's
 * flows to its backup, that backup must also get the servers' answers:
 * it takes the address over (on its interface, with a gratuitous ARP or
 * an unsolicited neighbour advertisement), and gives it back when the
 * forwarders send the flows to the node again.
 *
 * The rule follows the forwarders' own (kmod/policy.c, group_ha()):
 * a node is "up to the forwarders" when its last notice said up and the
 * barrier released it (ha_node.held false), or when no notice came; a
 * node that is not has its flows, and so its full NAT address, with the
 * first of its backups that is up to the forwarders.
 */
#ifndef SVCGWD_TAKEOVER_H
#define SVCGWD_TAKEOVER_H

#include <stdbool.h>
#include <stddef.h>

#include "../svcgw/hafile.h"

/* Whether the forwarders send @n's flows to @n itself. */
bool takeover_fwd_up(const struct ha_node *n);

/*
 * The node that holds @n's full NAT address as the forwarders see the
 * nodes of @p: @n itself when up to them, else the first of its backups
 * that is; NULL if none is.
 */
const struct ha_node *takeover_holder(const struct ha_policy *p,
				      const struct ha_node *n);

/*
 * The full NAT addresses of the other nodes of @p that its local node
 * holds now, into @out (room for @max); their number.  None when @p has
 * no local node (a forwarder).
 */
size_t takeover_want(const struct ha_policy *p, struct endpoint *out,
		     size_t max);

/*
 * Whether @addr is the full NAT address of a node of @p other than the
 * local one: an address the agent may have taken over, and so may remove.
 */
bool takeover_foreign(const struct ha_policy *p, const struct endpoint *addr);

#endif /* SVCGWD_TAKEOVER_H */
