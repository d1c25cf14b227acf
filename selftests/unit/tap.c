// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tap.h"

#define TAP_SHOW_FAILS	8	/* failed checks printed per group */

static unsigned int tap_num, tap_passed, tap_failed, tap_todo;
static unsigned long tap_fails;
static const char *tap_name;
static struct timespec tap_t0;

static double tap_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - tap_t0.tv_sec) * 1e3 +
	       (t.tv_nsec - tap_t0.tv_nsec) / 1e6;
}

void tap_group(const char *name)
{
	tap_name = name;
	tap_fails = 0;
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &tap_t0);
}

void tap_fail_at(const char *file, int line, const char *expr,
		 const char *fmt, ...)
{
	va_list ap;

	if (++tap_fails > TAP_SHOW_FAILS)
		return;
	printf("#   %s:%d: failed: %s", file, line, expr);
	if (fmt[1]) {		/* " " and the caller's format */
		printf(":");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("#   ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static bool tap_finish(const char *todo)
{
	double ms = tap_ms();

	if (tap_fails > TAP_SHOW_FAILS)
		printf("#   ... and %lu more failed checks\n",
		       tap_fails - TAP_SHOW_FAILS);
	tap_num++;
	printf("%sok %u - %s", tap_fails ? "not " : "", tap_num, tap_name);
	if (todo)
		printf(" # TODO %s", todo);
	printf("\n#   (%.1f ms)\n", ms);
	if (todo && tap_fails)
		tap_todo++;
	else if (tap_fails)
		tap_failed++;
	else
		tap_passed++;
	fflush(stdout);
	return !tap_fails;
}

bool tap_end(void)
{
	return tap_finish(NULL);
}

bool tap_end_todo(const char *why)
{
	return tap_finish(why);
}

int tap_done(void)
{
	printf("1..%u\n", tap_num);
	if (tap_todo)
		printf("# %u known problem(s) marked TODO\n", tap_todo);
	printf("%u passed, %u failed\n", tap_passed + tap_todo, tap_failed);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

/* Base seed of the random tests: $UNIT_SEED, or a fixed default. */
unsigned long long tap_seed(void)
{
	static unsigned long long seed;
	static bool done;
	const char *s;

	if (!done) {
		s = getenv("UNIT_SEED");
		seed = s && *s ? strtoull(s, NULL, 0) : 0x5eed5c97e57ULL;
		done = true;
	}
	return seed;
}
