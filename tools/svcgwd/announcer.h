/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: the service addresses kept on the interface of the file's
 * "announce" section (a dummy interface of their own) while they can be
 * served (announce.h), for a routing daemon to announce by BGP: BIRD's
 * "protocol direct" or FRR's "redistribute connected" sees them come and
 * go (Documentation/deployment.rst).
 *
 * Every ANNOUNCER_TURN_MS the servers' health (the probes) decides which
 * addresses belong there; each change is logged.  An address goes on
 * after its hold (announce.h); while it is off, the servers of its
 * services change in the kernel without a transition (agent.c).  Every few turns, and at
 * the first, the interface is read back: an address that is not wanted
 * there (left by an earlier run, added by hand) is taken off, one taken
 * off by hand is put back.  On a stop (SIGTERM) every address goes: the
 * routers send the flows to the other gateways.  A crash leaves them:
 * the kernel module goes on forwarding, and the gateway fails static.
 */
#ifndef SVCGWD_ANNOUNCER_H
#define SVCGWD_ANNOUNCER_H

#include <stdbool.h>

#include <systemd/sd-event.h>

#include "conf.h"
#include "probe.h"

#define ANNOUNCER_TURN_MS	250
#define ANNOUNCER_VERIFY_TURNS	8	/* the interface read back, turns */

struct announcer;

/*
 * The announcer of @*c's section (there must be one), reading the file
 * and the probes through @c and @ps at each turn: they may be replaced
 * (a reload) while it runs.  NULL (logged) if sd-event fails.
 */
struct announcer *announcer_start(sd_event *ev, const struct conf *c,
				  const struct probes *ps);
/* Whether @a still serves @c's section (same interface). */
bool announcer_same(const struct announcer *a, const struct conf *c);
/* A turn now (after a reload, say). */
void announcer_kick(struct announcer *a);
/*
 * Whether @ep's address is on the interface, as far as @a knows: the
 * routers send its flows here.
 */
bool announcer_has(const struct announcer *a, const struct endpoint *ep);
/* Stop; every address off the interface (logged).  NULL is fine. */
void announcer_stop(struct announcer *a);

#endif /* SVCGWD_ANNOUNCER_H */
