// SPDX-License-Identifier: GPL-2.0
/*
 * Tunnel headers: sizes, and GUE's header built and parsed (tunnel.h says
 * what svcgw puts in it).  Pure (pure.h only).
 */
#include <linux/svcgw.h>

#include "tunnel.h"

unsigned int svcgw_tunnel_overhead(u8 method, u8 family)
{
	unsigned int ip = family == AF_INET6 ? 40 : 20;

	switch (method) {
	case SVCGW_METHOD_IPIP:
		return ip;
	case SVCGW_METHOD_GUE:
		return ip + SVCGW_UDP_HLEN + SVCGW_GUE_HLEN;
	default:
		return 0;
	}
}

void svcgw_gue_build(u8 *p, u8 family, u32 flowid)
{
	p[0] = 1;	/* version 0, C 0, hlen 1: the flow word */
	p[1] = family == AF_INET6 ? SVCGW_IPIP_PROTO6 : SVCGW_IPIP_PROTO4;
	p[2] = 0;	/* no flags */
	p[3] = 0;
	p[4] = flowid >> 24;
	p[5] = flowid >> 16;
	p[6] = flowid >> 8;
	p[7] = flowid;
}

#ifndef __KERNEL__
/* The receiver's side, for the host tests and tools: the module sends. */
int svcgw_gue_parse(const u8 *p, size_t len, u8 *proto, size_t *hlen,
		    u32 *flowid, bool *has_flowid)
{
	size_t n;

	if (len < 4)
		return -EMSGSIZE;
	/* Version 0 (not 1, direct IP), a data message (C 0). */
	if ((p[0] >> 6) != 0 || (p[0] & 0x20))
		return -EINVAL;
	n = 4 + 4 * (size_t)(p[0] & 0x1f);
	if (len < n)
		return -EMSGSIZE;
	*proto = p[1];
	*hlen = n;
	/* The flow word: the first optional word when no flag claims it. */
	*has_flowid = n >= 8 && !p[2] && !p[3];
	if (*has_flowid)
		*flowid = (u32)p[4] << 24 | (u32)p[5] << 16 |
			  (u32)p[6] << 8 | p[7];
	return 0;
}
#endif
