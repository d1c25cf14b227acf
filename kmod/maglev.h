/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SVCGW_MAGLEV_H
#define _SVCGW_MAGLEV_H

#include "pure.h"

#define SVCGW_SLOT_EMPTY	0xffff

/* One server as the table builder sees it. */
struct svcgw_maglev_server {
	u32	offset_hash;	/* from the server's identity */
	u32	skip_hash;	/* idem, independent of offset_hash */
	u32	weight;		/* 0: takes no slot */
};

/* Scratch space the builder needs for @n servers. */
struct svcgw_maglev_scratch {
	u32	pos;
	u32	skip;
	u32	acc;	/* (round - 1) * weight mod wmax */
};

bool svcgw_is_prime(u32 n);
void svcgw_maglev_identity(struct svcgw_maglev_server *b, const u8 *key, unsigned int len);
u32 svcgw_maglev_build(u16 *table, u32 m, const struct svcgw_maglev_server *b, u32 n,
		       struct svcgw_maglev_scratch *scratch);

#endif /* _SVCGW_MAGLEV_H */
