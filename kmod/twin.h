/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Twins: the first of many fixed-size keys that repeats an earlier one,
 * in expected linear time (a batch names up to hundreds of thousands of
 * services and servers, each at most once).  Pure: built into the module
 * and into the host unit tests (selftests/unit/test_twin.c).
 */
#ifndef _SVCGW_TWIN_H
#define _SVCGW_TWIN_H

#include "pure.h"

/* Scratch svcgw_find_twin() needs for @n keys, in u32s: a power of two
 * at least twice @n (so probes stay short), 0 for @n > 2^30.
 */
static inline size_t svcgw_twin_slots(u32 n)
{
	size_t s = 2;

	if (n > (1U << 30))
		return 0;
	while (s < 2 * (size_t)n)
		s <<= 1;
	return s;
}

long svcgw_find_twin(const void *base, size_t stride, size_t len, u32 n,
		     u32 *slots, u32 *first);

#endif /* _SVCGW_TWIN_H */
