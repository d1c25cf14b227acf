/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny TAP producer for the unit tests.  A test is a group of checks:
 *
 *	tap_group("maglev: table is full");
 *	CHECK(filled == m, "m %u filled %u", m, filled);
 *	tap_end();
 *
 * prints "ok N - maglev: table is full" when no CHECK of the group failed,
 * else "not ok N - ..." after "# " lines naming the first failed checks.
 * tap_done() prints the plan and a "N passed, N failed" line and returns the
 * exit status.  A group may end with tap_end_todo(): TAP's TODO directive,
 * for a known problem that must not fail the run.
 */
#ifndef _SVCGW_UNIT_TAP_H
#define _SVCGW_UNIT_TAP_H

#include <stdbool.h>

void tap_group(const char *name);
void tap_fail_at(const char *file, int line, const char *expr,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool tap_end(void);
bool tap_end_todo(const char *why);
int tap_done(void);
unsigned long long tap_seed(void);

/* True when @cond holds; otherwise records a failure of the group. */
#define CHECK(cond, ...) ({						\
	bool _tap_ok = !!(cond);					\
									\
	if (__builtin_expect(!_tap_ok, 0))				\
		tap_fail_at(__FILE__, __LINE__, #cond, " " __VA_ARGS__);\
	_tap_ok;							\
})

#endif /* _SVCGW_UNIT_TAP_H */
