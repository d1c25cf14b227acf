/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: which service addresses this gateway should announce, from its
 * file and its servers' health (pure: no netlink, no daemon state; the
 * unit test links this file with conf.c alone).  The announcer
 * (announcer.h) keeps them on the interface of the file's "announce"
 * section, where a routing daemon (BIRD, FRR) picks them up and announces
 * them by BGP (Documentation/deployment.rst).
 *
 * A service can be served while one of its servers is up and has a
 * weight; an address is wanted while one of the services on it can be
 * served ("when: any", the default) or while every one can ("when: all").
 */
#ifndef SVCGWD_ANNOUNCE_H
#define SVCGWD_ANNOUNCE_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

/* Whether server @srv of service @svc is up (its health check says so). */
typedef bool (*announce_up_fn)(const struct conf_service *svc,
			       const struct conf_server *srv, void *arg);

/*
 * The addresses (port 0, each once, in the order of the file) that @c
 * wants announced, at most @max of them into @out; @up tells a server's
 * health.  Returns how many there are (more than @max: @out holds the
 * first @max).
 */
size_t announce_want(const struct conf *c, announce_up_fn up, void *arg,
		     struct endpoint *out, size_t max);

/*
 * The hold.  A gateway whose address goes on takes flows that began on
 * the other gateways, which their tables sent to a server: this one's
 * table must send them to the same one (Documentation/deployment.rst).
 * Its table agrees with theirs when its servers are the same and it has
 * no transition of its own: a withdrawn gateway changes its table
 * without transition (agent.c), and an address goes on only once the
 * servers of its services have stayed the same, up or down, for the hold
 * time; servers that come back together (the end of a network fault)
 * come back one by one, over a check interval, each a change.
 */
struct announce_hold {
	uint64_t sig;		/* announce_sig() when the wait began */
	uint64_t since_ms;	/* the wait began (0: not waiting) */
};

/*
 * Which servers of @addr's services are up, as a number that changes
 * when one of them goes up or down (FNV-1a over the servers with a
 * weight, in file order; those of weight 0 are in no table).
 */
uint64_t announce_sig(const struct conf *c, const struct endpoint *addr,
		      announce_up_fn up, void *arg);

/*
 * Whether an address that is wanted and not on yet may go on at @now_ms
 * (a monotonic clock, above 0), its servers being @sig now: once @sig
 * has stayed the same for @hold_ms.  A new @sig starts the wait again.
 * A wait is forgotten by zeroing @h (the address not wanted any more).
 */
bool announce_hold_over(struct announce_hold *h, uint64_t sig,
			uint64_t now_ms, uint32_t hold_ms);

#endif /* SVCGWD_ANNOUNCE_H */
