// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of svcgwd's health state (health.c).
 */
#include <string.h>

#include "health.h"
#include "../svcgw/tap.h"

/* Feed @results ('+' ok, '-' failed); the changes as a string. */
static const char *run(const char *results, uint32_t rise, uint32_t fall)
{
	static char out[64];
	struct health h;
	size_t i;

	health_init(&h);
	for (i = 0; results[i]; i++) {
		enum health_change c = health_result(&h, results[i] == '+',
						     rise, fall);

		out[i] = c == HEALTH_DOWN ? 'D' : c == HEALTH_UP ? 'U' : '.';
	}
	out[i] = 0;
	return out;
}

int main(void)
{
	uint32_t i, hist[10] = { 0 }, min = ~0u, max = 0;

	ok(!strcmp(run("+++", 2, 3), "..."), "healthy stays");
	ok(!strcmp(run("---", 2, 3), "..D"), "fall 3: down at the third failure");
	ok(!strcmp(run("--+--+--+---", 2, 3), "...........D"),
	   "a success in between starts the count again");
	ok(!strcmp(run("++-++-++-++-++-", 2, 3), "..............."),
	   "one probe in three lost: never changes state");
	ok(!strcmp(run("---+-++", 2, 3), "..D...U"),
	   "rise 2: back at the second success in a row");
	ok(!strcmp(run("-+", 1, 1), "DU"), "rise 1, fall 1: every result counts");
	ok(!strcmp(run("---++---", 1, 3), "..DU...D"), "down, up, down again");

	for (i = 0; i < 10000; i++) {
		uint32_t o = health_offset_ms(i * 7919u + 12345u, 2000);

		if (o >= 2000) {
			ok(false, "offset %u of key %u in the interval", o, i);
			return tap_done();
		}
		hist[o / 200]++;
	}
	for (i = 0; i < 10; i++) {
		min = hist[i] < min ? hist[i] : min;
		max = hist[i] > max ? hist[i] : max;
	}
	ok(min > 800 && max < 1200,
	   "10,000 checks spread over the interval (tenths: %u..%u)", min, max);
	ok(health_offset_ms(42, 2000) == health_offset_ms(42, 2000) &&
	   health_offset_ms(42, 1) == 0, "offsets are stable, below the interval");
	ok(health_next_us(1000, 1200, 500) == 1500,
	   "next probe: an interval after the one due, on time");
	ok(health_next_us(1000, 1500, 500) == 2000 &&
	   health_next_us(1000, 2600, 500) == 3000 &&
	   health_next_us(1000, 1000000, 500) == 1000500,
	   "a loop that fell behind skips the probes it missed, same phase");
	return tap_done();
}
