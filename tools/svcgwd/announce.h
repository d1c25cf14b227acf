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

#endif /* SVCGWD_ANNOUNCE_H */
