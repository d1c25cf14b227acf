/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SVCGW_UNIT_H
#define _SVCGW_UNIT_H

#include "rng.h"
#include "tap.h"

/* Each runs its check groups; the random ones seed from tap_seed(). */
void test_prime(void);
void test_maglev(void);
void test_hash(void);
void test_pkt(void);
void test_pkt6(void);
void test_state(void);
void test_sesskey(void);
void test_twin(void);
void test_tunnel(void);
void test_pmatch(void);
void test_syncmsg(void);

/* An rng of its own for each group, so that groups do not depend on order. */
static inline void unit_rng(struct rng *r, uint64_t group)
{
	rng_init(r, tap_seed() ^ (group * 0x9e3779b97f4a7c15ULL));
}

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* _SVCGW_UNIT_H */
