/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: which forwarding policy set of a virtual service is active, by
 * condition (the controller role, Documentation/svcgwd.rst).  A service
 * has its sets in order, each with a condition; the active one is the
 * first whose condition holds (a set without one always holds: the
 * fallback).  Load conditions have hysteresis; after a switch no other
 * happens for the hold-down time, so a flapping condition switches at
 * most once per hold-down.  Pure: no clock, no I/O; the unit tests link
 * it alone.
 */
#ifndef SVCGWD_COND_H
#define SVCGWD_COND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COND_SETS_MAX	16	/* sets of one virtual service */
#define COND_WHY_MAX	160	/* a reason, for the log */

enum cond_kind {
	COND_ALWAYS,	/* the fallback */
	COND_HEALTH,	/* few healthy destinations in set @watch */
	COND_LOAD,	/* a rate above @high, until below @low */
	COND_TIME,	/* a time of day in [@from, @to) minutes */
	COND_OPERATOR,	/* while the operator says so */
};

struct cond {
	uint8_t kind;		/* enum cond_kind */
	/* COND_HEALTH: holds when healthy < @min_healthy (if not 0), or
	 * healthy / total < @min_permille / 1000 (if not 0).
	 */
	uint32_t watch;		/* index of the set whose destinations */
	uint32_t min_healthy;
	uint32_t min_permille;
	/* COND_LOAD */
	uint64_t high, low;	/* low <= high */
	/* COND_TIME: minutes after midnight; @from > @to wraps midnight */
	uint16_t from, to;
};

/* What the controller measured, at one evaluation. */
struct cond_input {
	uint32_t healthy[COND_SETS_MAX];	/* destinations, per set */
	uint32_t total[COND_SETS_MAX];
	uint64_t rate;				/* the service's, per second */
	uint16_t minute;			/* of the day, 0..1439 */
	bool operator_on[COND_SETS_MAX];	/* per set */
};

struct selector {
	size_t n;				/* sets */
	struct cond cond[COND_SETS_MAX];
	bool latched[COND_SETS_MAX];		/* load: above high once */
	int active;				/* -1 before the first */
	uint64_t hold_down_ms;
	uint64_t last_switch_ms;
	uint64_t switches;
	bool held;				/* a switch is waiting */
	char name[COND_SETS_MAX][32];		/* for reasons; "" = index */
};

void selector_init(struct selector *s, const struct cond *conds, size_t n,
		   uint64_t hold_down_ms);
/*
 * Evaluate at @now_ms: the set now active (switched to if its time has
 * come), with in @why (if not NULL) the reason of a switch, empty when
 * there was none.  -1 if no set holds (then none is active).
 */
int selector_eval(struct selector *s, const struct cond_input *in,
		  uint64_t now_ms, char *why, size_t whylen);

#endif /* SVCGWD_COND_H */
