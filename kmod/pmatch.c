// SPDX-License-Identifier: GPL-2.0
/*
 * Policy matches: prefixes and lookup keys (pmatch.h).  Pure.
 */
#include "pmatch.h"

/* Keep the first @plen bits of @a (4 or 16 bytes by @family), zero the
 * rest of its 16 bytes.
 */
SVCGW_HOST_VISIBLE void svcgw_prefix_cut(u8 family, union svcgw_addr *a,
					 unsigned int plen)
{
	unsigned int len = family == AF_INET ? 4 : 16, i;

	for (i = 0; i < 16; i++) {
		unsigned int bits = i < len && plen > 8 * i ? plen - 8 * i : 0;

		if (bits < 8)
			a->b[i] &= (u8)(0xff00 >> bits);
	}
}

/* Does @a have bits set past its first @plen? */
bool svcgw_prefix_host_bits(u8 family, const union svcgw_addr *a,
			    unsigned int plen)
{
	union svcgw_addr c = *a;

	svcgw_prefix_cut(family, &c, plen);
	return memcmp(&c, a, family == AF_INET ? 4 : 16) != 0;
}

/* The key a packet of the flow @t is looked up by under the shape @m. */
void svcgw_pmatch_of(struct svcgw_pmatch *k, const struct svcgw_pmask *m,
		     const struct svcgw_tuple *t)
{
	memset(k, 0, sizeof(*k));
	k->family = t->family;
	k->dst = t->dst;
	k->plen = m->plen;
	if (m->plen) {
		k->src = t->src;
		svcgw_prefix_cut(t->family, &k->src, m->plen);
	}
	if (m->has_proto)
		k->proto = t->proto;
	if (m->has_port)
		k->port = t->dport;
}
