/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: health checks of servers, run on sd-event (libsystemd): one
 * probe per interval per server, spread over the interval, each with its
 * timeout; rise and fall counts (health.c) decide when the server is set
 * down (or draining) and back to active in the kernel.
 */
#ifndef SVCGWD_PROBE_H
#define SVCGWD_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "conf.h"
#include "health.h"

struct probe {
	sd_event *ev;
	const struct conf_service *svc;	/* in the current conf */
	const struct conf_server *srv;
	const struct conf_check *ck;
	struct health h;
	sd_event_source *timer;		/* the next probe */
	sd_event_source *io;		/* the probe in flight */
	sd_event_source *deadline;	/* and its timeout */
	int fd;
	uint64_t started;		/* the probe in flight, usec */
	uint64_t run_started;		/* the first of the run against
					 * the state, usec
					 */
	bool sent;			/* http: the request is out */
	char buf[256];			/* http status line, udp reply */
	size_t len;
};

struct probes {
	struct probe *p;
	size_t n;
};

/*
 * Probes for every health-checked server of @c, started on @ev; a probe
 * of the same server and check in @old (may be NULL) hands over its
 * health.  0, or -1 (out of memory, or sd-event failed: logged).
 */
int probes_start(struct probes *ps, sd_event *ev, const struct conf *c,
		 const struct probes *old);
void probes_stop(struct probes *ps);

#endif /* SVCGWD_PROBE_H */
