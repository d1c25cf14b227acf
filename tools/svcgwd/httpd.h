/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: the node agent's metrics endpoint (svcgwd.conf(5), "metrics"):
 * GET /metrics answers the kernel's counters in the Prometheus text
 * format (metrics.h), read when asked; another path is 404, another
 * method 405, a kernel that cannot be read 503.  HTTP is GNU
 * libmicrohttpd's, driven from the agent's sd-event loop (its epoll
 * descriptor and timeout), so that the netlink reads run in the loop's
 * thread like every other.
 */
#ifndef SVCGWD_HTTPD_H
#define SVCGWD_HTTPD_H

#include <systemd/sd-event.h>

#include "../svcgw/parse.h"

struct httpd;

/* Serve on @ep (address and port): the server, or NULL after a message. */
struct httpd *httpd_start(sd_event *ev, const struct endpoint *ep);
void httpd_stop(struct httpd *h);

#endif /* SVCGWD_HTTPD_H */
