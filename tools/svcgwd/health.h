/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: the state of a health-checked server, from its probes' results
 * (rise and fall counts).  Pure: the unit tests link it alone.
 */
#ifndef SVCGWD_HEALTH_H
#define SVCGWD_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

struct health {
	bool up;		/* as last set in the kernel */
	uint32_t run;		/* results in a row against @up */
	uint64_t probes, failed;	/* counters */
};

enum health_change {
	HEALTH_SAME,
	HEALTH_DOWN,	/* @fall failures in a row: take the server out */
	HEALTH_UP,	/* @rise successes in a row: put it back */
};

/* A server starts up: svcgwd applies the file with every server active. */
void health_init(struct health *h);
/* One probe's result; what changes, if anything. */
enum health_change health_result(struct health *h, bool ok, uint32_t rise,
				 uint32_t fall);
/*
 * When the probe of a server with @interval_ms between probes first runs:
 * its place in the interval, from @key (the server and check), so that
 * checks spread over the interval instead of going out in bursts.
 */
uint32_t health_offset_ms(uint32_t key, uint32_t interval_ms);
/*
 * When the probe after the one due at @due runs, the loop being at @now
 * (microseconds): an interval after @due, on the same phase, but never
 * in the past.  A loop that fell behind (a slow or starved machine) skips
 * the probes it missed instead of starting them back to back, which would
 * leave none the time to finish.
 */
uint64_t health_next_us(uint64_t due, uint64_t now, uint64_t interval_us);

#endif /* SVCGWD_HEALTH_H */
