// SPDX-License-Identifier: GPL-2.0
/*
 * The rewrite primitives of the packet path, on an skb: the headers
 * pulled into the linear area and parsed (pkt.c does the parsing), one
 * endpoint of a TCP or UDP packet rewritten with its checksums, whatever
 * checksum state the skb is in.  The header arithmetic itself is pure
 * code, in pkt.c.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/checksum.h>

#include "nat.h"

/* Parse @skb into @p, pulling the headers into the linear area. */
enum svcgw_parse svcgw_parse_skb(struct sk_buff *skb, struct svcgw_pkt *p)
{
	unsigned int need = skb->protocol == htons(ETH_P_IPV6) ?
			    sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	enum svcgw_parse r;

	for (;;) {
		if (!pskb_may_pull(skb, need))
			return SVCGW_PKT_MALFORMED;
		r = svcgw_parse(skb->data, skb_headlen(skb), p);
		if (r != SVCGW_PKT_SHORT)
			return r;
		if (p->need <= need)
			return SVCGW_PKT_MALFORMED;
		need = p->need;
	}
}

/* Rewrite one endpoint of the packet; false if the skb could not be made
 * writable.
 */
bool svcgw_rewrite(struct sk_buff *skb, const struct svcgw_pkt *p, bool dst,
		   const union svcgw_addr *addr, __be16 port)
{
	union svcgw_addr old = dst ? p->t.dst : p->t.src;

	if (skb_ensure_writable(skb, p->l4off + svcgw_l4_hlen(p->t.proto)))
		return false;
	svcgw_nat(skb->data, p, dst, addr, port,
		  skb->ip_summed == CHECKSUM_PARTIAL ?
		  SVCGW_CSUM_PARTIAL : SVCGW_CSUM_FULL);
	/* The L4 checksum field moved with the pseudo header: so does the
	 * sum of the packet a CHECKSUM_COMPLETE skb carries (as in
	 * inet_proto_csum_replace16()).
	 */
	if (skb->ip_summed == CHECKSUM_COMPLETE && !p->udp_nocsum) {
		unsigned int i, n = svcgw_addr_len(p->t.family) / 4;
		__be32 diff[8];

		for (i = 0; i < n; i++) {
			diff[i] = ~old.ip6[i];
			diff[n + i] = addr->ip6[i];
		}
		skb->csum = ~csum_partial(diff, 8 * n, ~skb->csum);
	}
	return true;
}
