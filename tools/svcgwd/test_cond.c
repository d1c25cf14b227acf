// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the policy-set selector (cond.c): conditions,
 * order, hysteresis, hold-down.
 */
#include <string.h>

#include "cond.h"
#include "../svcgw/tap.h"

static struct cond_input healthy(uint32_t h0, uint32_t t0)
{
	struct cond_input in;

	memset(&in, 0, sizeof(in));
	in.healthy[0] = h0;
	in.total[0] = t0;
	return in;
}

int main(void)
{
	/* Set 0: primary, the fallback; set 1 when set 0 is unhealthy. */
	const struct cond two[] = {
		{ .kind = COND_ALWAYS },
		{ .kind = COND_HEALTH, .watch = 0, .min_healthy = 2 },
	};
	/* Ordered: 0 when fewer than half of set 2's destinations live,
	 * 1 on load, 2 the fallback.
	 */
	const struct cond three[] = {
		{ .kind = COND_HEALTH, .watch = 2, .min_permille = 500 },
		{ .kind = COND_LOAD, .high = 1000, .low = 800 },
		{ .kind = COND_ALWAYS },
	};
	const struct cond misc[] = {
		{ .kind = COND_OPERATOR },
		{ .kind = COND_TIME, .from = 22 * 60, .to = 6 * 60 },
	};
	struct cond_input in;
	struct selector s;
	char why[COND_WHY_MAX];
	int a, flips = 0, i;

	/* A fallback first in order would shadow set 1: order matters. */
	selector_init(&s, two, 2, 0);
	in = healthy(3, 3);
	ok(selector_eval(&s, &in, 0, why, sizeof(why)) == 0,
	   "fallback first: set 0 (%s)", why);
	in = healthy(0, 3);
	ok(selector_eval(&s, &in, 10, why, sizeof(why)) == 0 && !why[0],
	   "the first holding set wins, even over a health condition");

	{
		const struct cond rev[] = {
			{ .kind = COND_HEALTH, .watch = 1, .min_healthy = 2 },
			{ .kind = COND_ALWAYS },
		};
		selector_init(&s, rev, 2, 30000);
		memset(&in, 0, sizeof(in));
		in.healthy[1] = 3;
		in.total[1] = 3;
		ok(selector_eval(&s, &in, 0, why, sizeof(why)) == 1 &&
		   s.switches == 1, "healthy: the fallback, set 1 (%s)", why);
		in.healthy[1] = 1;
		a = selector_eval(&s, &in, 5000, why, sizeof(why));
		ok(a == 1 && s.held && !why[0],
		   "1 of 3 healthy 5 s after the first choice: held down");
		a = selector_eval(&s, &in, 30000, why, sizeof(why));
		ok(a == 0 && s.switches == 2 &&
		   !strcmp(why, "set 1 -> 0: 1 of 3 destinations of set 1 healthy, fewer than 2"),
		   "after the hold-down: set 0 (%s)", why);
		/* Flapping every second for two minutes. */
		for (i = 0; i < 120; i++) {
			in.healthy[1] = i % 2 ? 1 : 3;
			if (selector_eval(&s, &in, 31000 + i * 1000ULL, why,
					  sizeof(why)) != a) {
				a = s.active;
				flips++;
			}
		}
		ok(flips >= 1 && flips <= 4,
		   "flapping each second for 120 s: %d switches, at most one per 30 s hold-down",
		   flips);
	}

	selector_init(&s, three, 3, 0);
	memset(&in, 0, sizeof(in));
	in.healthy[2] = 4;
	in.total[2] = 4;
	in.rate = 900;
	ok(selector_eval(&s, &in, 0, why, sizeof(why)) == 2,
	   "load 900 below 1000: the fallback");
	in.rate = 1001;
	ok(selector_eval(&s, &in, 1, why, sizeof(why)) == 1,
	   "load 1001: the load set (%s)", why);
	in.rate = 850;
	ok(selector_eval(&s, &in, 2, why, sizeof(why)) == 1,
	   "load 850, between low and high: stays (hysteresis)");
	in.rate = 799;
	ok(selector_eval(&s, &in, 3, why, sizeof(why)) == 2,
	   "load 799 below 800: back to the fallback");
	in.rate = 5000;
	in.healthy[2] = 1;
	ok(selector_eval(&s, &in, 4, why, sizeof(why)) == 0 &&
	   strstr(why, "1 of 4 destinations of set 2 healthy, under 50.0%"),
	   "a quarter healthy: set 0 wins over load, first in order (%s)", why);
	in.healthy[2] = 2;
	ok(selector_eval(&s, &in, 5, why, sizeof(why)) == 1,
	   "half healthy is not under half: the load set");

	selector_init(&s, misc, 2, 0);
	memset(&in, 0, sizeof(in));
	in.minute = 12 * 60;
	ok(selector_eval(&s, &in, 0, why, sizeof(why)) == -1,
	   "noon, no operator: no set holds, none active");
	in.minute = 23 * 60 + 30;
	ok(selector_eval(&s, &in, 1, why, sizeof(why)) == 1 &&
	   strstr(why, "time 23:30 in 22:00-06:00"), "23:30: the night set (%s)", why);
	in.minute = 5 * 60 + 59;
	ok(selector_eval(&s, &in, 2, why, sizeof(why)) == 1,
	   "05:59: still night (the window wraps midnight)");
	in.operator_on[0] = true;
	ok(selector_eval(&s, &in, 3, why, sizeof(why)) == 0 &&
	   strstr(why, "operator"), "the operator's set (%s)", why);
	in.operator_on[0] = false;
	in.minute = 6 * 60;
	ok(selector_eval(&s, &in, 4, why, sizeof(why)) == -1,
	   "06:00, operator off: none");
	return tap_done();
}
