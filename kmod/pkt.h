/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Header parsing and rewriting for the packet path.  Pure: works on a
 * linear buffer that starts at the network header; the caller makes the
 * headers linear (pskb_may_pull) before calling.
 */
#ifndef _SVCGW_PKT_H
#define _SVCGW_PKT_H

#include "pure.h"

#define SVCGW_TCP_FIN	0x01
#define SVCGW_TCP_SYN	0x02
#define SVCGW_TCP_RST	0x04
#define SVCGW_TCP_ACK	0x10

enum svcgw_parse {
	SVCGW_PKT_OK,		/* TCP or UDP with ports: ours to look at */
	SVCGW_PKT_OTHER,	/* another protocol, or a non-first fragment */
	SVCGW_PKT_SHORT,	/* need @need bytes of linear header */
	SVCGW_PKT_MALFORMED,	/* header contradicts itself */
};

struct svcgw_pkt {
	struct svcgw_tuple	t;
	u16	l4off;		/* offset of the TCP/UDP header */
	u16	need;		/* SVCGW_PKT_SHORT: bytes of header wanted */
	u8	tcp_flags;
	bool	udp_nocsum;	/* UDP checksum field is zero */
};

/* Bytes of L4 header the parser reads, by protocol. */
static inline unsigned int svcgw_l4_hlen(u8 proto)
{
	return proto == IPPROTO_TCP ? 20 : 8;
}

enum svcgw_parse svcgw_parse_ipv4(const u8 *nh, unsigned int len,
				  struct svcgw_pkt *p);

/*
 * How the L4 checksum field is kept by the skb: complete (on the wire
 * form), or CHECKSUM_PARTIAL (the field holds the pseudo-header sum and
 * the device finishes it).
 */
enum svcgw_csum_kind {
	SVCGW_CSUM_FULL,
	SVCGW_CSUM_PARTIAL,
};

/*
 * Rewrite the destination (@dst true) or source endpoint of a parsed IPv4
 * TCP/UDP packet to @addr:@port, keeping the IP and L4 checksums right.
 */
void svcgw_nat_ipv4(u8 *nh, const struct svcgw_pkt *p, bool dst,
		    __be32 addr, __be16 port, enum svcgw_csum_kind kind);

/* Full checksums, for tests and for checks: on-wire values. */
u16 svcgw_csum_ipv4_header(const u8 *nh);
u16 svcgw_csum_l4_ipv4(const u8 *nh, unsigned int len);

#endif /* _SVCGW_PKT_H */
