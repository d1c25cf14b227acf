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

enum svcgw_parse svcgw_parse_ipv4(const u8 *nh, unsigned int len,
				  struct svcgw_pkt *p)
{
	unsigned int ihl, tot;
	u16 frag;

	memset(p, 0, sizeof(*p));
	if (len < 20) {
		p->need = 20;
		return SVCGW_PKT_SHORT;
	}
	if (nh[0] >> 4 != 4)
		return SVCGW_PKT_MALFORMED;
	ihl = (nh[0] & 0x0f) * 4;
	tot = (u32)nh[2] << 8 | nh[3];
	if (ihl < 20 || tot < ihl)
		return SVCGW_PKT_MALFORMED;
	p->t.proto = nh[9];
	if (p->t.proto != IPPROTO_TCP && p->t.proto != IPPROTO_UDP)
		return SVCGW_PKT_OTHER;
	frag = (u16)nh[6] << 8 | nh[7];
	if (frag & 0x1fff)		/* not the first fragment: no ports */
		return SVCGW_PKT_OTHER;
	if (tot < ihl + svcgw_l4_hlen(p->t.proto))
		return SVCGW_PKT_MALFORMED;
	if (len < ihl + svcgw_l4_hlen(p->t.proto)) {
		p->need = ihl + svcgw_l4_hlen(p->t.proto);
		return SVCGW_PKT_SHORT;
	}
	p->t.family = AF_INET;
	p->l4off = ihl;
	memcpy(&p->t.src.ip, nh + 12, 4);
	memcpy(&p->t.dst.ip, nh + 16, 4);
	memcpy(&p->t.sport, nh + ihl, 2);
	memcpy(&p->t.dport, nh + ihl + 2, 2);
	if (p->t.proto == IPPROTO_TCP) {
		if ((nh[ihl + 12] >> 4) * 4 < 20)
			return SVCGW_PKT_MALFORMED;
		p->tcp_flags = nh[ihl + 13];
	} else {
		p->udp_nocsum = !load16(nh + ihl + 6);
	}
	return SVCGW_PKT_OK;
}

void svcgw_nat_ipv4(u8 *nh, const struct svcgw_pkt *p, bool dst,
		    __be32 addr, __be16 port, enum svcgw_csum_kind kind)
{
	u8 *a = nh + (dst ? 16 : 12);
	u8 *l4 = nh + p->l4off;
	u8 *pt = l4 + (dst ? 2 : 0);
	u8 *check = l4 + (p->t.proto == IPPROTO_TCP ? 16 : 6);
	u8 old_a[4], old_p[2];

	memcpy(old_a, a, 4);
	memcpy(old_p, pt, 2);
	memcpy(a, &addr, 4);
	memcpy(pt, &port, 2);

	csum_update(nh + 10, old_a, a, 2);
	if (p->udp_nocsum)
		return;
	if (kind == SVCGW_CSUM_PARTIAL) {
		/* The device sums the ports; only the pseudo header changes. */
		csum_update_partial(check, old_a, a, 2);
		return;
	}
	csum_update(check, old_a, a, 2);
	csum_update(check, old_p, pt, 1);
	/* A UDP checksum that comes out as zero is sent as all ones. */
	if (p->t.proto == IPPROTO_UDP && !load16(check))
		store16(check, 0xffff);
}

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
