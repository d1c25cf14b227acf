/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Session hash keys.  Pure: builds into the module and into host tests.
 *
 * A session is hashed once per direction.  An IPv4 direction is hashed by
 * a compact 16-byte key, an IPv6 one by the whole struct svcgw_tuple (40
 * bytes); both carry the direction, so that one table holds both
 * directions of its family.  Every byte of a key is defined (padding is
 * zero): the hash table hashes and compares keys as bytes.
 */
#ifndef _SVCGW_SESSKEY_H
#define _SVCGW_SESSKEY_H

#include "pure.h"

struct svcgw_skey4 {
	__be32	src;
	__be32	dst;
	__be16	sport;
	__be16	dport;
	u8	proto;
	u8	dir;		/* enum svcgw_dir */
	u16	pad;		/* zero */
};

/* The key of direction @dir of an IPv4 flow, from a tuple of it. */
static inline void svcgw_skey4_pack(struct svcgw_skey4 *k,
				    const struct svcgw_tuple *t, u8 dir)
{
	k->src = t->src.ip;
	k->dst = t->dst.ip;
	k->sport = t->sport;
	k->dport = t->dport;
	k->proto = t->proto;
	k->dir = dir;
	k->pad = 0;
}

/* The tuple back from a key, as the parser makes it (@dir zero). */
static inline void svcgw_skey4_unpack(const struct svcgw_skey4 *k,
				      struct svcgw_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->src.ip = k->src;
	t->dst.ip = k->dst;
	t->sport = k->sport;
	t->dport = k->dport;
	t->proto = k->proto;
	t->family = AF_INET;
}

/* The key of direction @dir of an IPv6 flow: the tuple itself. */
static inline void svcgw_skey6_pack(struct svcgw_tuple *k,
				    const struct svcgw_tuple *t, u8 dir)
{
	*k = *t;
	k->dir = dir;
	k->pad = 0;
}

static inline void svcgw_skey6_unpack(const struct svcgw_tuple *k,
				      struct svcgw_tuple *t)
{
	*t = *k;
	t->dir = 0;
}

#endif /* _SVCGW_SESSKEY_H */
