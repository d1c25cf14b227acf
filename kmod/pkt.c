// SPDX-License-Identifier: GPL-2.0
/*
 * Header parsing and rewriting, pure: built into the module and into the
 * host unit tests and fuzzers.  Incremental checksum updates follow
 * RFC 1624 (HC' = ~(~HC + ~m + m')); one's complement sums do not depend on
 * byte order, so the 16-bit words are summed as they lie in memory.
 */
#include "pkt.h"

static inline u16 load16(const u8 *p)
{
	u16 v;

	memcpy(&v, p, 2);
	return v;
}

static inline void store16(u8 *p, u16 v)
{
	memcpy(p, &v, 2);
}

static inline u16 fold(u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (u16)s;
}

/* Sum of @old replaced by @new, @n 16-bit words, into a running sum. */
static u32 delta(u32 s, const u8 *old, const u8 *new, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		s += (u16)~load16(old + 2 * i) + load16(new + 2 * i);
	return s;
}

/* Checksum field that holds a finished (complemented) checksum. */
static void csum_update(u8 *field, const u8 *old, const u8 *new,
			unsigned int n)
{
	store16(field, ~fold(delta((u16)~load16(field), old, new, n)));
}

/* Checksum field that holds the pseudo-header sum (CHECKSUM_PARTIAL). */
static void csum_update_partial(u8 *field, const u8 *old, const u8 *new,
				unsigned int n)
{
	store16(field, fold(delta(load16(field), old, new, n)));
}

/* IPv6 extension headers the parser walks through. */
#define V6_HOPOPTS	0
#define V6_ROUTING	43
#define V6_FRAGMENT	44
#define V6_DSTOPTS	60
#define V6_MAX_EXT	8

#define ICMP_UNREACH	3
#define ICMP_QUENCH	4
#define ICMP_TIMXCEED	11
#define ICMP_PARAMPROB	12
#define ICMP6_UNREACH	1
#define ICMP6_TOOBIG	2
#define ICMP6_TIMXCEED	3
#define ICMP6_PARAMPROB	4

static bool icmp_is_error(u8 family, u8 type)
{
	if (family == AF_INET)
		return type == ICMP_UNREACH || type == ICMP_QUENCH ||
		       type == ICMP_TIMXCEED || type == ICMP_PARAMPROB;
	return type >= ICMP6_UNREACH && type <= ICMP6_PARAMPROB;
}

/*
 * Where an IPv4 (@family AF_INET) or IPv6 header at @nh leads: its
 * upper-layer protocol and that header's offset, through IPv6 extension
 * headers.  @avail bytes are linear, @end is where the packet ends (the
 * total length; for a quoted packet, what the error carries).  Returns
 * SVCGW_PKT_OK, SVCGW_PKT_OTHER for a non-first fragment or a header the
 * parser does not walk (ESP, AH, no next header), SVCGW_PKT_SHORT with
 * @need, or SVCGW_PKT_MALFORMED.
 */
static enum svcgw_parse ip_walk(const u8 *nh, unsigned int avail,
				unsigned int end, u8 family, u8 *proto,
				unsigned int *off, u16 *need)
{
	unsigned int o, hl, i;
	u8 nexthdr;

	if (family == AF_INET) {
		hl = (nh[0] & 0x0f) * 4;
		if (hl < 20 || end < hl)
			return SVCGW_PKT_MALFORMED;
		if (((u16)nh[6] << 8 | nh[7]) & 0x1fff)
			return SVCGW_PKT_OTHER;	/* not the first fragment */
		*proto = nh[9];
		*off = hl;
		return SVCGW_PKT_OK;
	}
	nexthdr = nh[6];
	o = 40;
	for (i = 0; i < V6_MAX_EXT; i++) {
		switch (nexthdr) {
		case V6_HOPOPTS:
		case V6_ROUTING:
		case V6_DSTOPTS:
		case V6_FRAGMENT:
			break;
		default:
			*proto = nexthdr;
			*off = o;
			return SVCGW_PKT_OK;
		}
		if (o + 8 > end)
			return SVCGW_PKT_MALFORMED;
		if (o + 8 > avail) {
			*need = o + 8;
			return SVCGW_PKT_SHORT;
		}
		if (nexthdr == V6_FRAGMENT) {
			if (((u16)nh[o + 2] << 8 | nh[o + 3]) & 0xfff8)
				return SVCGW_PKT_OTHER;
			hl = 8;
		} else if (nexthdr == V6_ROUTING && nh[o + 3]) {
			/*
			 * Segments left: the destination is not the final
			 * one, which the L4 checksum covers.  Not ours.
			 */
			return SVCGW_PKT_OTHER;
		} else {
			hl = (nh[o + 1] + 1) * 8;
		}
		nexthdr = nh[o];
		o += hl;
	}
	return SVCGW_PKT_OTHER;	/* a chain this long is not ours */
}

/* Fill the addresses of @t from the IP header at @nh. */
static void get_addrs(const u8 *nh, u8 family, struct svcgw_tuple *t)
{
	t->family = family;
	if (family == AF_INET) {
		memcpy(&t->src.ip, nh + 12, 4);
		memcpy(&t->dst.ip, nh + 16, 4);
	} else {
		memcpy(t->src.b, nh + 8, 16);
		memcpy(t->dst.b, nh + 24, 16);
	}
}

/*
 * The packet an ICMP error at @nh + @p->l4off quotes: its IP header must
 * be of @family, its protocol TCP or UDP, its ports present.
 */
static enum svcgw_parse parse_quoted(const u8 *nh, unsigned int len,
				     unsigned int tot, u8 family,
				     struct svcgw_pkt *p)
{
	unsigned int q = p->l4off + SVCGW_ICMP_HLEN, off, ql4, have;
	unsigned int qmin = family == AF_INET ? 20 : 40;
	enum svcgw_parse r;
	u16 need = 0;
	u8 proto;

	if (q + qmin > tot)
		return SVCGW_PKT_OTHER;	/* too little quoted to act on */
	if (q + qmin > len) {
		p->need = q + qmin;
		return SVCGW_PKT_SHORT;
	}
	if (nh[q] >> 4 != (family == AF_INET ? 4 : 6))
		return SVCGW_PKT_OTHER;
	r = ip_walk(nh + q, len - q, tot - q, family, &proto, &off, &need);
	if (r == SVCGW_PKT_SHORT) {
		p->need = q + need;
		return r;
	}
	if (r != SVCGW_PKT_OK)
		return SVCGW_PKT_OTHER;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return SVCGW_PKT_OTHER;
	ql4 = q + off;
	if (ql4 + 8 > tot)
		return SVCGW_PKT_OTHER;
	/* The quoted L4 checksum too, if the error carries it. */
	have = tot - ql4;
	if (have > svcgw_l4_hlen(proto))
		have = svcgw_l4_hlen(proto);
	if (ql4 + have > len) {
		p->need = ql4 + have;
		return SVCGW_PKT_SHORT;
	}
	get_addrs(nh + q, family, &p->t);
	p->t.proto = proto;
	memcpy(&p->t.sport, nh + ql4, 2);
	memcpy(&p->t.dport, nh + ql4 + 2, 2);
	p->in_off = q;
	p->in_l4off = ql4;
	p->in_l4len = have;
	return SVCGW_PKT_ICMP_ERR;
}

static enum svcgw_parse parse_ip(const u8 *nh, unsigned int len,
				 unsigned int tot, u8 family,
				 struct svcgw_pkt *p)
{
	enum svcgw_parse r;
	unsigned int off;
	u8 proto;

	r = ip_walk(nh, len, tot, family, &proto, &off, &p->need);
	if (r != SVCGW_PKT_OK)
		return r;
	p->l4off = off;
	if ((family == AF_INET && proto == IPPROTO_ICMP) ||
	    (family == AF_INET6 && proto == IPPROTO_ICMPV6)) {
		if (off + SVCGW_ICMP_HLEN > tot)
			return SVCGW_PKT_MALFORMED;
		if (off + SVCGW_ICMP_HLEN > len) {
			p->need = off + SVCGW_ICMP_HLEN;
			return SVCGW_PKT_SHORT;
		}
		p->icmp_type = nh[off];
		if (!icmp_is_error(family, p->icmp_type))
			return SVCGW_PKT_OTHER;
		return parse_quoted(nh, len, tot, family, p);
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return SVCGW_PKT_OTHER;
	if (tot < off + svcgw_l4_hlen(proto))
		return SVCGW_PKT_MALFORMED;
	if (len < off + svcgw_l4_hlen(proto)) {
		p->need = off + svcgw_l4_hlen(proto);
		return SVCGW_PKT_SHORT;
	}
	get_addrs(nh, family, &p->t);
	p->t.proto = proto;
	memcpy(&p->t.sport, nh + off, 2);
	memcpy(&p->t.dport, nh + off + 2, 2);
	if (proto == IPPROTO_TCP) {
		if ((nh[off + 12] >> 4) * 4 < 20)
			return SVCGW_PKT_MALFORMED;
		p->tcp_flags = nh[off + 13];
	} else {
		p->udp_nocsum = !load16(nh + off + 6);
	}
	return SVCGW_PKT_OK;
}

SVCGW_HOST_VISIBLE enum svcgw_parse
svcgw_parse_ipv4(const u8 *nh, unsigned int len,
				  struct svcgw_pkt *p)
{
	unsigned int tot;

	memset(p, 0, sizeof(*p));
	if (len < 20) {
		p->need = 20;
		return SVCGW_PKT_SHORT;
	}
	if (nh[0] >> 4 != 4)
		return SVCGW_PKT_MALFORMED;
	tot = (u32)nh[2] << 8 | nh[3];
	if ((nh[0] & 0x0f) * 4 < 20 || tot < (nh[0] & 0x0f) * 4u)
		return SVCGW_PKT_MALFORMED;
	return parse_ip(nh, len, tot, AF_INET, p);
}

SVCGW_HOST_VISIBLE enum svcgw_parse
svcgw_parse_ipv6(const u8 *nh, unsigned int len,
				  struct svcgw_pkt *p)
{
	unsigned int plen;

	memset(p, 0, sizeof(*p));
	if (len < 40) {
		p->need = 40;
		return SVCGW_PKT_SHORT;
	}
	if (nh[0] >> 4 != 6)
		return SVCGW_PKT_MALFORMED;
	plen = (u32)nh[4] << 8 | nh[5];
	if (!plen)
		return SVCGW_PKT_OTHER;	/* jumbogram */
	return parse_ip(nh, len, 40 + plen, AF_INET6, p);
}

enum svcgw_parse svcgw_parse(const u8 *nh, unsigned int len,
			     struct svcgw_pkt *p)
{
	if (len && nh[0] >> 4 == 6)
		return svcgw_parse_ipv6(nh, len, p);
	return svcgw_parse_ipv4(nh, len, p);
}

static unsigned int addr_len(u8 family)
{
	return family == AF_INET ? 4 : 16;
}

/* Offset of the source (or destination) address in an IP header. */
static unsigned int addr_off(u8 family, bool dst)
{
	if (family == AF_INET)
		return dst ? 16 : 12;
	return dst ? 24 : 8;
}

void svcgw_nat(u8 *nh, const struct svcgw_pkt *p, bool dst,
	       const union svcgw_addr *addr, __be16 port,
	       enum svcgw_csum_kind kind)
{
	unsigned int alen = addr_len(p->t.family);
	u8 *a = nh + addr_off(p->t.family, dst);
	u8 *l4 = nh + p->l4off;
	u8 *pt = l4 + (dst ? 2 : 0);
	u8 *check = l4 + (p->t.proto == IPPROTO_TCP ? 16 : 6);
	u8 old_a[16], old_p[2];

	memcpy(old_a, a, alen);
	memcpy(old_p, pt, 2);
	memcpy(a, addr->b, alen);
	memcpy(pt, &port, 2);

	if (p->t.family == AF_INET)
		csum_update(nh + 10, old_a, a, 2);
	if (p->udp_nocsum)
		return;
	if (kind == SVCGW_CSUM_PARTIAL) {
		/* The device sums the ports; only the pseudo header changes. */
		csum_update_partial(check, old_a, a, alen / 2);
		return;
	}
	csum_update(check, old_a, a, alen / 2);
	csum_update(check, old_p, pt, 1);
	/* A UDP checksum that comes out as zero is sent as all ones. */
	if (p->t.proto == IPPROTO_UDP && !load16(check))
		store16(check, 0xffff);
}

#ifndef __KERNEL__
void svcgw_nat_ipv4(u8 *nh, const struct svcgw_pkt *p, bool dst,
		    __be32 addr, __be16 port, enum svcgw_csum_kind kind)
{
	union svcgw_addr a = { .ip = addr };

	svcgw_nat(nh, p, dst, &a, port, kind);
}
#endif

void svcgw_icmp_nat(u8 *nh, const struct svcgw_pkt *p, bool in_dst,
		    const union svcgw_addr *addr, __be16 port,
		    bool out_dst, const union svcgw_addr *outer)
{
	u8 family = p->t.family;
	unsigned int alen = addr_len(family);
	u8 *q = nh + p->in_off;
	u8 *a = q + addr_off(family, in_dst);
	u8 *l4 = nh + p->in_l4off;
	u8 *pt = l4 + (in_dst ? 2 : 0);
	unsigned int coff = p->t.proto == IPPROTO_TCP ? 16 : 6;
	u8 old_a[16], old_p[2];

	memcpy(old_a, a, alen);
	memcpy(old_p, pt, 2);
	memcpy(a, addr->b, alen);
	memcpy(pt, &port, 2);
	if (family == AF_INET)
		csum_update(q + 10, old_a, a, 2);
	/* The quoted L4 checksum, when the error carries it (and, for UDP,
	 * the sender set one).
	 */
	if (p->in_l4len >= coff + 2 &&
	    (p->t.proto == IPPROTO_TCP || load16(l4 + coff))) {
		csum_update(l4 + coff, old_a, a, alen / 2);
		csum_update(l4 + coff, old_p, pt, 1);
		if (p->t.proto == IPPROTO_UDP && !load16(l4 + coff))
			store16(l4 + coff, 0xffff);
	}
	if (outer) {
		a = nh + addr_off(family, out_dst);
		memcpy(old_a, a, alen);
		memcpy(a, outer->b, alen);
		if (family == AF_INET)
			csum_update(nh + 10, old_a, a, 2);
	}
}

#ifndef __KERNEL__
/* Host tests only: see pkt.h. */
static u32 sum_bytes(u32 s, const u8 *b, unsigned int len)
{
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		s += (u32)b[i] << 8 | b[i + 1];
	if (len & 1)
		s += (u32)b[len - 1] << 8;
	return s;
}

static u16 fold_be(u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (u16)s;
}

/* Checksum of the IPv4 header, host order, as it must be in the field. */
u16 svcgw_csum_ipv4_header(const u8 *nh)
{
	unsigned int ihl = (nh[0] & 0x0f) * 4;
	u32 s = sum_bytes(0, nh, ihl) - ((u32)nh[10] << 8 | nh[11]);

	return (u16)~fold_be(s);
}

/* Checksum of the TCP/UDP segment of a whole IPv4 packet, host order. */
u16 svcgw_csum_l4_ipv4(const u8 *nh, unsigned int len)
{
	unsigned int ihl = (nh[0] & 0x0f) * 4;
	unsigned int l4len = len - ihl;
	unsigned int coff = nh[9] == IPPROTO_TCP ? 16 : 6;
	u32 s = 0;
	u16 c;

	s = sum_bytes(s, nh + 12, 8);
	s += nh[9];
	s += l4len;
	s = sum_bytes(s, nh + ihl, l4len);
	s -= (u32)nh[ihl + coff] << 8 | nh[ihl + coff + 1];
	c = (u16)~fold_be(s);
	if (nh[9] == IPPROTO_UDP && !c)
		c = 0xffff;
	return c;
}

/* ICMP(v6) checksum of a whole linear packet, network order. */
u16 svcgw_icmp_csum(const u8 *nh, unsigned int len, const struct svcgw_pkt *p)
{
	unsigned int l4len = len - p->l4off;
	u32 s = 0;

	if (p->t.family == AF_INET6) {
		s = sum_bytes(s, nh + 8, 32);
		s += l4len >> 16;
		s += l4len & 0xffff;
		s += IPPROTO_ICMPV6;
	}
	s = sum_bytes(s, nh + p->l4off, l4len);
	s -= (u32)nh[p->l4off + 2] << 8 | nh[p->l4off + 3];
	return cpu_to_be16((u16)~fold_be(s));
}
#endif /* !__KERNEL__ */
