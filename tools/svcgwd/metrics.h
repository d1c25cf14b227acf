/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: the counters of "svcgw stats" and of every service and server
 * in the Prometheus text exposition format (version 0.0.4), as the
 * agent's metrics endpoint serves them (httpd.h).  Pure: no netlink, no
 * socket, no clock; test_metrics.c checks it.
 *
 *   svcgw_NAME_total                  a counter of "svcgw stats"
 *   svcgw_NAME                        its gauges: services, sessions_cur,
 *                                     pressure, session_mem
 *   svcgw_service_{packets,bytes,sessions}_total{service,proto}
 *   svcgw_server_{packets,bytes,sessions}_total{service,proto,server}
 *   svcgw_server_weight{service,proto,server}
 *   svcgw_server_state{service,proto,server,state}   1 for the server's
 *                                     state (active, draining, down), 0
 *                                     for the others
 *
 * service is ADDR:PORT ([ADDR]:PORT for IPv6), server likewise; sessions
 * are those made, ever (the kernel's counters).
 */
#ifndef SVCGWD_METRICS_H
#define SVCGWD_METRICS_H

#include <stddef.h>

#include "../svcgw/dump.h"
#include "../svcgw/svcgw.h"

/*
 * The page of @st (@nst counters, as gw_stats_get() gives them) and @l,
 * in a buffer of the caller's (free() it) at *@buf, its length in *@len:
 * 0, or -1 (out of memory).
 */
int metrics_render(const struct gw_stat *st, size_t nst,
		   const struct service_list *l, char **buf, size_t *len);

#endif /* SVCGWD_METRICS_H */
