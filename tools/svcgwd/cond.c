// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: policy sets chosen by condition (cond.h says the rules).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cond.h"

void selector_init(struct selector *s, const struct cond *conds, size_t n,
		   uint64_t hold_down_ms)
{
	memset(s, 0, sizeof(*s));
	if (n > COND_SETS_MAX)
		n = COND_SETS_MAX;
	memcpy(s->cond, conds, n * sizeof(*conds));
	s->n = n;
	s->active = -1;
	s->hold_down_ms = hold_down_ms;
}

/* Set @i's name in @buf, or its index when it has none. */
static const char *set_name(const struct selector *s, int i, char *buf,
			    size_t len)
{
	if (i < 0)
		snprintf(buf, len, "(none)");
	else if (i < COND_SETS_MAX && s->name[i][0])
		snprintf(buf, len, "%s", s->name[i]);
	else
		snprintf(buf, len, "%d", i);
	return buf;
}

static bool in_window(uint16_t minute, uint16_t from, uint16_t to)
{
	if (from <= to)
		return minute >= from && minute < to;
	return minute >= from || minute < to;	/* across midnight */
}

/* Does set @i's condition hold?  @why gets a description if so. */
static bool holds(struct selector *s, size_t i, const struct cond_input *in,
		  char *why, size_t len)
{
	const struct cond *c = &s->cond[i];
	char w[40];
	uint32_t h, t;

	switch (c->kind) {
	case COND_ALWAYS:
		snprintf(why, len, "no other set's condition holds");
		return true;
	case COND_HEALTH:
		if (c->watch >= s->n)
			return false;
		h = in->healthy[c->watch];
		t = in->total[c->watch];
		if (c->min_healthy && h < c->min_healthy) {
			snprintf(why, len,
				 "%u of %u destinations of set %s healthy, fewer than %u",
				 h, t, set_name(s, c->watch, w, sizeof(w)),
				 c->min_healthy);
			return true;
		}
		if (c->min_permille && t &&
		    (uint64_t)h * 1000 < (uint64_t)c->min_permille * t) {
			snprintf(why, len,
				 "%u of %u destinations of set %s healthy, under %u.%u%%",
				 h, t, set_name(s, c->watch, w, sizeof(w)),
				 c->min_permille / 10,
				 c->min_permille % 10);
			return true;
		}
		return false;
	case COND_LOAD:
		/* Hysteresis: on above high, off below low. */
		if (in->rate > c->high)
			s->latched[i] = true;
		else if (in->rate < c->low)
			s->latched[i] = false;
		if (s->latched[i])
			snprintf(why, len,
				 "rate %" PRIu64 "/s (on above %" PRIu64 ", off below %" PRIu64 ")",
				 in->rate, c->high, c->low);
		return s->latched[i];
	case COND_TIME:
		if (!in_window(in->minute, c->from, c->to))
			return false;
		snprintf(why, len, "time %02u:%02u in %02u:%02u-%02u:%02u",
			 in->minute / 60, in->minute % 60, c->from / 60,
			 c->from % 60, c->to / 60, c->to % 60);
		return true;
	case COND_OPERATOR:
		if (i < COND_SETS_MAX && in->operator_on[i]) {
			snprintf(why, len, "the operator asked for it");
			return true;
		}
		return false;
	}
	return false;
}

int selector_eval(struct selector *s, const struct cond_input *in,
		  uint64_t now_ms, char *why, size_t whylen)
{
	char reason[COND_WHY_MAX] = "", a[40], b[40];
	int want = -1;
	size_t i;

	if (why && whylen)
		why[0] = 0;
	/* Every condition is looked at: hysteresis needs every rate. */
	for (i = 0; i < s->n; i++) {
		char r[COND_WHY_MAX];

		if (holds(s, i, in, r, sizeof(r)) && want < 0) {
			want = i;
			memcpy(reason, r, sizeof(reason));
		}
	}
	if (want == s->active) {
		s->held = false;
		return s->active;
	}
	if (s->active >= 0 && now_ms - s->last_switch_ms < s->hold_down_ms) {
		s->held = true;	/* its time has not come */
		return s->active;
	}
	if (why && whylen)
		snprintf(why, whylen, "set %s -> %s: %s",
			 set_name(s, s->active, a, sizeof(a)),
			 set_name(s, want, b, sizeof(b)),
			 want < 0 ? "no set's condition holds" : reason);
	s->active = want;
	s->last_switch_ms = now_ms;
	s->switches++;
	s->held = false;
	return want;
}
