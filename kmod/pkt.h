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
	SVCGW_PKT_ICMP_ERR,	/* ICMP(v6) error quoting a TCP/UDP packet */
	SVCGW_PKT_OTHER,	/* another protocol, or a non-first fragment */
	SVCGW_PKT_SHORT,	/* need @need bytes of linear header */
	SVCGW_PKT_MALFORMED,	/* header contradicts itself */
};

/*
 * A parsed packet.  SVCGW_PKT_OK: @t is the packet's own flow, @l4off its
 * TCP/UDP header.  SVCGW_PKT_ICMP_ERR: @t is the flow of the packet the
 * error quotes (as that packet was sent), @l4off the ICMP header, @in_off
 * the quoted IP header and @in_l4off its TCP/UDP header, of which @in_l4len
 * bytes (at least the ports) are present.
 */
struct svcgw_pkt {
	struct svcgw_tuple	t;
	u16	l4off;
	u16	need;		/* SVCGW_PKT_SHORT: bytes of header wanted */
	u16	in_off;
	u16	in_l4off;
	u8	in_l4len;
	u8	icmp_type;
	u8	tcp_flags;
	bool	udp_nocsum;	/* UDP checksum field is zero */
};

#define SVCGW_ICMP_HLEN		8	/* ICMP and ICMPv6 headers */

/* Bytes of L4 header the parser reads, by protocol. */
static inline unsigned int svcgw_l4_hlen(u8 proto)
{
	return proto == IPPROTO_TCP ? 20 : 8;
}

/*
 * Parse the IPv4 or IPv6 packet at @nh, of which @len bytes are linear.
 * ICMP and ICMPv6 errors (destination unreachable, packet too big, time
 * exceeded, parameter problem) that quote a TCP or UDP packet come back as
 * SVCGW_PKT_ICMP_ERR; other ICMP is SVCGW_PKT_OTHER.
 */
enum svcgw_parse svcgw_parse(const u8 *nh, unsigned int len,
			     struct svcgw_pkt *p);
#ifndef __KERNEL__
/* One family's half of svcgw_parse() (SVCGW_HOST_VISIBLE). */
enum svcgw_parse svcgw_parse_ipv4(const u8 *nh, unsigned int len,
				  struct svcgw_pkt *p);
enum svcgw_parse svcgw_parse_ipv6(const u8 *nh, unsigned int len,
				  struct svcgw_pkt *p);
#endif

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
 * Rewrite the destination (@dst true) or source endpoint of a parsed
 * TCP/UDP packet (SVCGW_PKT_OK) to @addr:@port, of the packet's family,
 * keeping the IP and L4 checksums right.
 */
void svcgw_nat(u8 *nh, const struct svcgw_pkt *p, bool dst,
	       const union svcgw_addr *addr, __be16 port,
	       enum svcgw_csum_kind kind);
#ifndef __KERNEL__
/* svcgw_nat() of an IPv4 address; for the host tests. */
void svcgw_nat_ipv4(u8 *nh, const struct svcgw_pkt *p, bool dst,
		    __be32 addr, __be16 port, enum svcgw_csum_kind kind);
#endif

/*
 * Translate an ICMP error (SVCGW_PKT_ICMP_ERR): the quoted packet's
 * destination (@in_dst true) or source endpoint becomes @addr:@port, with
 * the quoted IPv4 header checksum and, when quoted, its L4 checksum kept
 * right; then, if @outer is not NULL, the error's own destination
 * (@out_dst true) or source address becomes @outer (IPv4 header checksum
 * kept).  The ICMP checksum is left stale: it covers the whole message,
 * which the caller may not have linear; see svcgw_icmp_csum().
 */
void svcgw_icmp_nat(u8 *nh, const struct svcgw_pkt *p, bool in_dst,
		    const union svcgw_addr *addr, __be16 port,
		    bool out_dst, const union svcgw_addr *outer);

#ifndef __KERNEL__
/*
 * Host tests only (the module sums an skb with skb_checksum()): the
 * ICMP(v6) checksum of a whole linear packet of @len bytes, as it must be
 * in the field (network order), and full checksums, on-wire values.
 */
u16 svcgw_icmp_csum(const u8 *nh, unsigned int len, const struct svcgw_pkt *p);
u16 svcgw_csum_ipv4_header(const u8 *nh);
u16 svcgw_csum_l4_ipv4(const u8 *nh, unsigned int len);
#endif

#endif /* _SVCGW_PKT_H */
