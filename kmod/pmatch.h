/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The match of a forwarding policy, as the packet path looks it up: a
 * tuple-space search.  Every policy's match has a shape (its mask: the
 * client prefix length, and whether it names a protocol and a port); a
 * set hashes each policy under its shape and, for a packet, tries the
 * shapes present in the set from the most specific down, one hash lookup
 * each, the first hit winning.  The cost follows the number of shapes
 * (at most 3 per prefix length), not of policies or prefixes.
 *
 * Pure: built into the module (policy.c) and into the host unit tests
 * (selftests/unit/test_pmatch.c).
 */
#ifndef _SVCGW_PMATCH_H
#define _SVCGW_PMATCH_H

#include "pure.h"
#include "hash.h"

/* A shape: which parts of a packet a match looks at. */
struct svcgw_pmask {
	u8	family;		/* AF_INET, AF_INET6 */
	u8	plen;		/* client prefix length, 0: any client */
	u8	has_proto;
	u8	has_port;	/* only with has_proto */
};

/*
 * Shape numbers: more specific shapes have higher numbers, so a set tries
 * them in descending order.  Longest client prefix first, then a match
 * with a port, then one with a protocol.
 */
#define SVCGW_PMASK_KINDS	3
#define SVCGW_PMASK_IDS		(129 * SVCGW_PMASK_KINDS)

static inline unsigned int svcgw_pmask_id(const struct svcgw_pmask *m)
{
	return m->plen * SVCGW_PMASK_KINDS +
	       (m->has_port ? 2 : m->has_proto ? 1 : 0);
}

static inline void svcgw_pmask_of_id(struct svcgw_pmask *m, u8 family,
				     unsigned int id)
{
	unsigned int kind = id % SVCGW_PMASK_KINDS;

	m->family = family;
	m->plen = id / SVCGW_PMASK_KINDS;
	m->has_proto = kind > 0;
	m->has_port = kind == 2;
}

/* What a policy matches, and what a packet is looked up by: unused bytes
 * zero, the client address cut to the prefix.
 */
struct svcgw_pmatch {
	union svcgw_addr	dst;
	union svcgw_addr	src;
	__be16			port;	/* 0: any */
	u8			proto;	/* 0: any */
	u8			family;
	u8			plen;
	u8			pad[3];
};

#ifndef __KERNEL__
/* Static in the module (SVCGW_HOST_VISIBLE): the host tests call it. */
void svcgw_prefix_cut(u8 family, union svcgw_addr *a, unsigned int plen);
#endif
bool svcgw_prefix_host_bits(u8 family, const union svcgw_addr *a,
			    unsigned int plen);
void svcgw_pmatch_of(struct svcgw_pmatch *k, const struct svcgw_pmask *m,
		     const struct svcgw_tuple *t);

static inline u32 svcgw_pmatch_hash(const struct svcgw_pmatch *k, u32 seed)
{
	const u8 *b = (const u8 *)k;
	u32 h = seed, w;
	unsigned int i;

	for (i = 0; i < sizeof(*k); i += 4) {
		memcpy(&w, b + i, 4);
		h = svcgw_hash_mix(h, w);
	}
	return svcgw_hash_final(h, sizeof(*k));
}

#endif /* _SVCGW_PMATCH_H */
