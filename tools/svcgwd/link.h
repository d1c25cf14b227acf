/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: the node agent's link to its controller (Documentation/
 * svcgwd.rst, "The control channel"): it connects (and reconnects, with
 * a backoff), says hello with its kernel's policy set, applies the sets
 * the controller pushes (one atomic SVCGW_CMD_POLICY_SET_REPLACE each),
 * sends heartbeats, and logs the node notices; it installs the HA policy
 * the controller pushes (SVCGW_CMD_HA_SET) and the notices of its nodes
 * (SVCGW_CMD_HA_NODE_SET).  Losing the controller changes nothing in the
 * kernel: the data plane goes on (fail static).
 */
#ifndef SVCGWD_LINK_H
#define SVCGWD_LINK_H

#include <systemd/sd-event.h>

#include "conf.h"

struct link;

/* NULL and a logged reason if the TLS files are not usable. */
struct link *link_start(sd_event *ev, const struct conf *c);
/* The kernel's set drifted (module reloaded, flushed): apply the last one;
 * the same for the HA policy and its nodes' states.
 */
void link_reconcile(struct link *l);
void link_log_counters(const struct link *l);
void link_stop(struct link *l);

#endif /* SVCGWD_LINK_H */
