/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: the node agent's dealings with its own kernel, over the CLI's
 * netlink code (tools/svcgw): the file applied as one batch replace, the
 * difference between the file and the kernel, a server's state set.
 */
#ifndef SVCGWD_AGENT_H
#define SVCGWD_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"

struct service_list;

/*
 * Make the kernel's services those of @c, in one SVCGW_CMD_BATCH with
 * SVCGW_BATCH_F_REPLACE: all or nothing; services and servers that stay
 * keep their tables, states and sessions.  0, or -1 after an error
 * message naming the line of the object the kernel refused.
 */
int agent_apply(const struct conf *c);

/* The kernel's services now (free_services() it): 0 or -1. */
int agent_read(struct service_list *list);

/*
 * What applying @c would change in @k: one line per difference on @out
 * (NULL: none printed), "+ ", "- " or "~ " and the object.  Returns how
 * many.  Server states are not compared: health checks set them.
 */
size_t agent_diff(const struct conf *c, const struct service_list *k,
		  FILE *out);

/* The kernel's state of @c's server @srv of service @svc: -1 if absent. */
int agent_server_state(const struct service_list *k,
		       const struct conf_service *svc,
		       const struct conf_server *srv);

/*
 * Set @srv of @svc to @state (enum svcgw_server_state): 0 or -1.  For a
 * service @untied says (agent_untied()), without a transition: a service
 * whose address this gateway does not announce gets no flow, and a
 * transition of its own would make its table disagree with the other
 * gateways' once it announces it again (announce.h).
 */
int agent_set_state(const struct conf_service *svc,
		    const struct conf_server *srv, uint8_t state);
typedef bool (*agent_untied_fn)(const struct conf_service *svc, void *arg);
/* Which services change without transition (NULL: none). */
void agent_untied(agent_untied_fn untied, void *arg);

/* The kernel's forwarding policy set, as the controller knows sets. */
struct agent_pset {
	bool present;			/* a set other than "none" */
	char name[32];			/* SVCGW_NAME_MAX */
	uint64_t gen;
	uint64_t packets;		/* matched its policies, all groups */
};

/* Read it: 0, or -1 (the module not loaded, ...). */
int agent_policy_read(struct agent_pset *ps);

/* --- the HA policy (Documentation/ha.rst) ------------------------------- */

struct ha_policy;
struct ha_notice;

/*
 * Install @p whole (SVCGW_CMD_HA_SET): 0, -ESTALE (the kernel has this
 * generation or a later one: unprinted), or -1 after the kernel's message.
 */
int agent_ha_set(const struct ha_policy *p);
/*
 * The kernel's HA policy (no keys), its nodes' states, into @p (zeroed
 * first; ha_policy_free() it): 0, -ENOENT (none, unprinted) or -1.
 */
int agent_ha_get(struct ha_policy *p);
/* A node notice (SVCGW_CMD_HA_NODE_SET): 0, -ESTALE (unprinted) or -1. */
int agent_ha_node(const struct ha_notice *n);
/*
 * No HA policy any more (SVCGW_CMD_HA_DEL with @gen): 0, -ESTALE (the
 * kernel's policy has @gen or a later generation: unprinted) or -1 after
 * the kernel's message (none to remove: agent_ha_get() first).
 */
int agent_ha_del(uint64_t gen);

#endif /* SVCGWD_AGENT_H */
