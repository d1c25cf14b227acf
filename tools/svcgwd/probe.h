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

struct probe;
/* A server's health changed: @up, after @ms of the run, last failure @why. */
typedef void (*probe_changed_fn)(struct probe *p, bool up, uint64_t ms,
				 const char *why, void *arg);

struct probe {
	sd_event *ev;
	probe_changed_fn changed;	/* NULL: set the kernel's state */
	void *arg;
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
/*
 * probes_start(), but a change of health calls @changed (the controller's
 * destinations: nothing is set in this node's kernel, nothing logged).
 */
int probes_start_cb(struct probes *ps, sd_event *ev, const struct conf *c,
		    const struct probes *old, probe_changed_fn changed,
		    void *arg);
void probes_stop(struct probes *ps);

#endif /* SVCGWD_PROBE_H */
