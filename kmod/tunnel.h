/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tunnel headers of the encapsulating forwarding methods (tunnel.c, pure:
 * built into host unit tests too).  encap.c puts them on packets.
 *
 * GUE (Generic UDP Encapsulation, draft-ietf-intarea-gue), version 0, as
 * svcgw sends it: a UDP header to the server's GUE port, then
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |0 0|0|0 0 0 0 1| proto 4 or 41 |       flags: 0                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                      flow identifier                          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Hlen 1: one optional word follows the header, which no flag describes,
 * so a receiver that knows nothing of it skips it (Linux's fou does:
 * gue_udp_recv() pulls hlen words and reads only the fields the flags
 * announce).  It holds the flow identifier: svcgw_flow_hash() of the
 * client's flow with the module's hash_seed, in network order, so every
 * packet of a flow carries the same one, and every svcgw node with the
 * same seed gives a flow the same one.  The outer UDP source port is
 * drawn from it too (receivers spread flows over queues by it, ECMP
 * over paths).  The inner packet is the client's, untouched.
 */
#ifndef _SVCGW_TUNNEL_H
#define _SVCGW_TUNNEL_H

#include "pure.h"

#define SVCGW_GUE_HLEN		8	/* GUE header and the flow word */
#define SVCGW_UDP_HLEN		8
#define SVCGW_IPIP_PROTO4	4	/* IPPROTO_IPIP */
#define SVCGW_IPIP_PROTO6	41	/* IPPROTO_IPV6 */

/* Bytes the method @method (enum svcgw_method) adds to a packet of
 * @family; 0 for NAT.
 */
unsigned int svcgw_tunnel_overhead(u8 method, u8 family);

/* Write the GUE header and flow word (SVCGW_GUE_HLEN bytes) at @p, for an
 * inner packet of @family.
 */
void svcgw_gue_build(u8 *p, u8 family, u32 flowid);

#ifndef __KERNEL__
/*
 * Parse a GUE header at @p (@len bytes, from the end of the UDP header):
 * 0 and the inner protocol, the header's length and the flow word if
 * there is one (@flowid, else untouched); -EINVAL if it is not a version
 * 0 data header, -EMSGSIZE if @len cuts it.
 */
int svcgw_gue_parse(const u8 *p, size_t len, u8 *proto, size_t *hlen,
		    u32 *flowid, bool *has_flowid);
#endif

/* The outer UDP source port of a flow whose identifier is @flowid: in
 * [@lo, @hi], as udp_flow_src_port() spreads them.
 */
static inline __be16 svcgw_gue_sport(u32 flowid, u32 lo, u32 hi)
{
	u32 h = flowid ^ (flowid >> 16);

	if (hi < lo || hi > 65535)
		return 0;
	return cpu_to_be16((u16)(((u64)h * (hi - lo + 1)) >> 32) + lo);
}

#endif /* _SVCGW_TUNNEL_H */
