// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/pkt.c.  The input is the linear header area of
 * a packet, exactly its size (libFuzzer hands it in a heap buffer of that
 * size: ASan sees any read past it), IPv4 or IPv6 by its first nibble; it
 * also goes to the two families' own entries.  When it parses as TCP/UDP,
 * copies of it are rewritten in both directions with both checksum kinds:
 *
 *   - as they are: only the address, port and the checksum fields may
 *     change; a checksum that was right before is right after (FULL), the
 *     pseudo-header sum stays one (PARTIAL), a zero UDP checksum stays 0;
 *   - with the checksums first made right: they must then be exactly what
 *     a full recompute gives, after each of two rewrites;
 *   - with the L4 field first set to the pseudo-header sum: the same for
 *     CHECKSUM_PARTIAL.
 *
 * The L4 segment is taken to run to the end of the input.  When it parses
 * as an ICMP(v6) error, what the parser says is checked against the bytes
 * and a copy is translated (quoted endpoint, with or without the outer
 * address): only those fields and their checksums may change, IPv4 header
 * checksums right before stay right, the quoted L4 checksum keeps its sum
 * (one's complement: the rewritten words minus the old ones), a zero
 * quoted UDP checksum stays zero, and svcgw_icmp_csum() gives the
 * reference ICMP(v6) checksum.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pkt.h"
#include "csum_ref.h"

#define FUZZ_ASSERT(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: assertion failed: %s\n",	\
			__FILE__, __LINE__, #c);			\
		abort();						\
	}								\
} while (0)

static u32 fnv1a(const u8 *d, size_t n)
{
	u32 h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ d[i]) * 16777619u;
	return h;
}

static u32 pick_addr(u32 h)
{
	switch (h & 7) {
	case 0:
		return 0;
	case 1:
		return 0xffffffff;
	default:
		return h;
	}
}

static u16 pick_port(u32 h)
{
	switch (h >> 29) {
	case 0:
		return 0;
	case 1:
		return 0xffff;
	default:
		return h >> 8;
	}
}

static bool is6(const u8 *b)
{
	return b[0] >> 4 == 6;
}

static unsigned int addr_off(bool v6, bool dst)
{
	if (!v6)
		return dst ? 16 : 12;
	return dst ? 24 : 8;
}

/* Addresses and ports from the hash: IPv6 ones grown from it. */
static union svcgw_addr pick_addr6(u32 h, bool v6)
{
	union svcgw_addr a;
	unsigned int i;

	memset(&a, 0, sizeof(a));
	if (!v6) {
		a.ip = htonl(pick_addr(h));
		return a;
	}
	for (i = 0; i < 4; i++) {
		a.ip6[i] = htonl(pick_addr(h));
		h = h * 0x9e3779b1 + 0x7f4a7c15;
	}
	return a;
}

/*
 * Where the upper layer of the IPv6 header at @nh starts, walking the
 * extension headers of RFC 8200 within @avail bytes; false if it runs out.
 */
static bool walk6(const u8 *nh, size_t avail, u8 *proto, size_t *off)
{
	size_t o = 40, hl;
	u8 nx = nh[6];
	int n;

	for (n = 0; n < 64; n++) {
		if (nx != 0 && nx != 43 && nx != 44 && nx != 60) {
			*proto = nx;
			*off = o;
			return true;
		}
		if (o + 8 > avail)
			return false;
		hl = nx == 44 ? 8 : (nh[o + 1] + 1) * 8;
		nx = nh[o];
		o += hl;
	}
	return false;
}

/* What can be said of the checksums of @b; field: the L4 checksum. */
struct sums {
	bool	ip_ok;		/* the IPv4 header sums right (IPv6: true) */
	bool	l4_ok;		/* the segment sums right, or UDP without */
	bool	pseudo;		/* field is the pseudo-header sum */
	bool	canon;		/* both fields are exactly a full recompute */
	u16	field;
};

static void sums(const u8 *b, size_t len, const struct svcgw_pkt *p,
		 struct sums *s)
{
	u16 coff = p->l4off + ref_csum_off(p->t.proto);
	u8 pr = p->t.proto;

	s->field = ref_get16(b + coff);
	s->ip_ok = is6(b) || ref_ip_ok(b);
	s->l4_ok = (pr == IPPROTO_UDP && !s->field) ||
		   ref_l4_ok_at(b, p->l4off, len, pr);
	s->pseudo = s->field == ref_pseudo_fold_at(b, p->l4off, len, pr);
	s->canon = (is6(b) || ref_get16(b + 10) == ref_ip_csum(b)) &&
		   s->field == ref_l4_csum_at(b, p->l4off, len, pr);
}

/* NAT @b (a copy of @len bytes) and check it against what it was. */
static void nat_one(u8 *b, size_t len, const struct svcgw_pkt *p, bool dst,
		    const union svcgw_addr *addr, u16 port,
		    enum svcgw_csum_kind kind)
{
	u8 *before = malloc(len);
	bool v6 = is6(b);
	unsigned int alen = v6 ? 16 : 4;
	u16 aoff = addr_off(v6, dst), poff = p->l4off + (dst ? 2 : 0);
	u16 coff = p->l4off + ref_csum_off(p->t.proto);
	struct sums s0, s1;
	size_t i;

	memcpy(before, b, len);
	sums(b, len, p, &s0);
	svcgw_nat(b, p, dst, addr, htons(port), kind);
	sums(b, len, p, &s1);

	FUZZ_ASSERT(!memcmp(b + aoff, addr->b, alen));
	FUZZ_ASSERT(ref_get16(b + poff) == port);
	for (i = 0; i < len; i++) {
		if ((!v6 && (i == 10 || i == 11)) ||
		    (i >= aoff && i < aoff + alen) ||
		    i == poff || i == poff + 1u || i == coff ||
		    i == coff + 1u)
			continue;
		FUZZ_ASSERT(b[i] == before[i]);
	}
	if (s0.ip_ok)
		FUZZ_ASSERT(s1.ip_ok);
	if (p->udp_nocsum) {
		FUZZ_ASSERT(!s1.field);
	} else if (kind == SVCGW_CSUM_FULL) {
		if (s0.l4_ok)
			FUZZ_ASSERT(s1.l4_ok);
		if (s0.canon)
			FUZZ_ASSERT(s1.canon);
		if (p->t.proto == IPPROTO_UDP)
			FUZZ_ASSERT(s1.field);
	} else if (s0.pseudo) {
		FUZZ_ASSERT(s1.pseudo);
	}
	free(before);
}

/* Both directions on one copy, in the order @first. */
static void nat_both(const u8 *data, size_t len, int fix, bool first,
		     enum svcgw_csum_kind kind, u32 h)
{
	u8 *b = malloc(len);
	struct svcgw_pkt p;
	union svcgw_addr a;
	u16 coff;

	memcpy(b, data, len);
	FUZZ_ASSERT(svcgw_parse(b, len, &p) == SVCGW_PKT_OK);
	coff = p.l4off + ref_csum_off(p.t.proto);
	if (fix) {
		if (!is6(b))
			ref_put16(b + 10, ref_ip_csum(b));
		ref_put16(b + coff, fix == 1 ?
			  ref_l4_csum_at(b, p.l4off, len, p.t.proto) :
			  ref_pseudo_fold_at(b, p.l4off, len, p.t.proto));
		FUZZ_ASSERT(svcgw_parse(b, len, &p) == SVCGW_PKT_OK);
		FUZZ_ASSERT(!p.udp_nocsum);
	}
	a = pick_addr6(h, is6(b));
	nat_one(b, len, &p, first, &a, pick_port(h), kind);
	a = pick_addr6(~h * 0x9e3779b1, is6(b));
	nat_one(b, len, &p, !first, &a, pick_port(h * 0x85ebca6b), kind);
	if (fix == 1)
		FUZZ_ASSERT((is6(b) || ref_get16(b + 10) == ref_ip_csum(b)) &&
			    ref_get16(b + coff) ==
			    ref_l4_csum_at(b, p.l4off, len, p.t.proto));
	if (fix == 2)
		FUZZ_ASSERT((is6(b) || ref_get16(b + 10) == ref_ip_csum(b)) &&
			    ref_get16(b + coff) ==
			    ref_pseudo_fold_at(b, p.l4off, len, p.t.proto));
	free(b);
}

/* Where the L4 header of the IP header at @nh is, by the bytes. */
static size_t l4_at(const u8 *nh, size_t avail, u8 *proto)
{
	size_t off = 0;

	if (!is6(nh)) {
		*proto = nh[9];
		return (nh[0] & 0x0f) * 4;
	}
	FUZZ_ASSERT(walk6(nh, avail, proto, &off));
	return off;
}

static void check_ok(const u8 *data, size_t size, const struct svcgw_pkt *p)
{
	bool v6 = is6(data);
	size_t off, tot;
	u8 proto;
	u32 h;

	off = l4_at(data, size, &proto);
	tot = v6 ? 40 + ref_get16(data + 4) : ref_get16(data + 2);
	FUZZ_ASSERT(p->l4off == off && !p->need);
	FUZZ_ASSERT(off + svcgw_l4_hlen(p->t.proto) <= size);
	FUZZ_ASSERT(off + svcgw_l4_hlen(p->t.proto) <= tot);
	FUZZ_ASSERT(p->t.family == (v6 ? AF_INET6 : AF_INET));
	FUZZ_ASSERT(p->t.proto == proto);
	FUZZ_ASSERT(proto == IPPROTO_TCP || proto == IPPROTO_UDP);
	FUZZ_ASSERT(!p->in_off && !p->in_l4off && !p->in_l4len);
	if (v6) {
		FUZZ_ASSERT(ref_get16(data + 4));
		FUZZ_ASSERT(!memcmp(p->t.src.b, data + 8, 16) &&
			    !memcmp(p->t.dst.b, data + 24, 16));
	} else {
		FUZZ_ASSERT((data[0] & 0x0f) >= 5);
		FUZZ_ASSERT(!(ref_get16(data + 6) & 0x1fff));
		FUZZ_ASSERT(!memcmp(&p->t.src.ip, data + 12, 4) &&
			    !memcmp(&p->t.dst.ip, data + 16, 4));
		FUZZ_ASSERT(!p->t.src.ip6[1] && !p->t.src.ip6[2] &&
			    !p->t.src.ip6[3] && !p->t.dst.ip6[1] &&
			    !p->t.dst.ip6[2] && !p->t.dst.ip6[3]);
	}
	FUZZ_ASSERT(!memcmp(&p->t.sport, data + off, 2) &&
		    !memcmp(&p->t.dport, data + off + 2, 2));
	if (proto == IPPROTO_TCP)
		FUZZ_ASSERT(p->tcp_flags == data[off + 13] &&
			    data[off + 12] >> 4 >= 5 && !p->udp_nocsum);
	else
		FUZZ_ASSERT(!p->tcp_flags &&
			    p->udp_nocsum == !ref_get16(data + off + 6));

	h = fnv1a(data, size);
	nat_both(data, size, 0, h & 1, SVCGW_CSUM_FULL, h);
	nat_both(data, size, 0, h & 2, SVCGW_CSUM_PARTIAL, h * 3);
	nat_both(data, size, 1, h & 4, SVCGW_CSUM_FULL, h * 5);
	nat_both(data, size, 2, h & 8, SVCGW_CSUM_PARTIAL, h * 7);
}

/* A one's complement sum folded, 0 and 0xffff taken as one. */
static u16 osum(u64 s)
{
	u16 v = ref_fold(s);

	return v == 0xffff ? 0 : v;
}

/*
 * What the quoted L4 checksum at @coff says the rest of its packet sums
 * to, less the address at @aoff and the port at @poff: ~field - words.
 * A translation keeps it.
 */
static u64 quoted_rest(const u8 *b, unsigned int coff, unsigned int aoff,
		       unsigned int alen, unsigned int poff)
{
	u64 s = (u16)~ref_get16(b + coff);
	unsigned int i;

	for (i = 0; i < alen; i += 2)
		s += (u16)~ref_get16(b + aoff + i);
	return s + (u16)~ref_get16(b + poff);
}

static void check_icmp(const u8 *data, size_t size, const struct svcgw_pkt *p)
{
	bool v6 = is6(data), in_dst, out_dst, outer;
	unsigned int alen = v6 ? 16 : 4, q, ql4, coff, in_a, out_a, i;
	size_t off, qoff, tot, have;
	union svcgw_addr a, o;
	u8 proto, *b;
	u16 port, cs;
	u64 s0, s1;
	bool csum, ip_ok, qip_ok;
	u32 h;

	/* What the parser said must be true of the bytes. */
	off = l4_at(data, size, &proto);
	tot = v6 ? 40 + ref_get16(data + 4) : ref_get16(data + 2);
	FUZZ_ASSERT(proto == (v6 ? 58 : IPPROTO_ICMP));
	FUZZ_ASSERT(p->l4off == off && p->in_off == off + 8 && !p->need);
	FUZZ_ASSERT(p->icmp_type == data[off]);
	if (v6)
		FUZZ_ASSERT(p->icmp_type >= 1 && p->icmp_type <= 4);
	else
		FUZZ_ASSERT(p->icmp_type == 3 || p->icmp_type == 4 ||
			    p->icmp_type == 11 || p->icmp_type == 12);
	if (!v6)
		FUZZ_ASSERT(!(ref_get16(data + 6) & 0x1fff));
	q = p->in_off;
	FUZZ_ASSERT(q + (v6 ? 40 : 20) <= size);
	FUZZ_ASSERT(is6(data + q) == v6 && data[q] >> 4 == (v6 ? 6 : 4));
	qoff = l4_at(data + q, size - q, &proto);
	FUZZ_ASSERT(p->in_l4off == q + qoff && p->t.proto == proto);
	FUZZ_ASSERT(proto == IPPROTO_TCP || proto == IPPROTO_UDP);
	if (!v6)
		FUZZ_ASSERT(!(ref_get16(data + q + 6) & 0x1fff) &&
			    qoff >= 20);
	ql4 = p->in_l4off;
	have = tot - ql4 < svcgw_l4_hlen(proto) ? tot - ql4 :
	       svcgw_l4_hlen(proto);
	FUZZ_ASSERT(ql4 + 8 <= tot && p->in_l4len == have);
	FUZZ_ASSERT(ql4 + have <= size);
	FUZZ_ASSERT(p->t.family == (v6 ? AF_INET6 : AF_INET));
	FUZZ_ASSERT(!memcmp(p->t.src.b, data + q + addr_off(v6, false), alen) &&
		    !memcmp(p->t.dst.b, data + q + addr_off(v6, true), alen));
	FUZZ_ASSERT(!memcmp(&p->t.sport, data + ql4, 2) &&
		    !memcmp(&p->t.dport, data + ql4 + 2, 2));

	/* The ICMP checksum as the reference has it. */
	cs = svcgw_icmp_csum(data, size, p);
	FUZZ_ASSERT(ntohs(cs) == ref_icmp_csum(data, off, size));

	/* Translate a copy. */
	h = fnv1a(data, size);
	in_dst = h & 1;
	out_dst = h & 2;
	outer = h & 4;
	a = pick_addr6(h * 3, v6);
	o = pick_addr6(h * 5, v6);
	port = pick_port(h * 7);
	coff = ref_csum_off(proto);
	csum = p->in_l4len >= coff + 2;
	in_a = q + addr_off(v6, in_dst);
	out_a = addr_off(v6, out_dst);
	b = malloc(size);
	memcpy(b, data, size);
	ip_ok = v6 || ref_ip_ok(b);
	qip_ok = v6 || ref_ip_ok(b + q);
	s0 = csum ? quoted_rest(data, ql4 + coff, in_a, alen,
				ql4 + (in_dst ? 2 : 0)) : 0;
	svcgw_icmp_nat(b, p, in_dst, &a, htons(port), out_dst,
		       outer ? &o : NULL);
	FUZZ_ASSERT(!memcmp(b + in_a, a.b, alen));
	FUZZ_ASSERT(ref_get16(b + ql4 + (in_dst ? 2 : 0)) == port);
	if (outer)
		FUZZ_ASSERT(!memcmp(b + out_a, o.b, alen));
	for (i = 0; i < size; i++) {
		if ((i >= in_a && i < in_a + alen) ||
		    i == ql4 + (in_dst ? 2 : 0) ||
		    i == ql4 + (in_dst ? 3 : 1) ||
		    (csum && (i == ql4 + coff || i == ql4 + coff + 1)) ||
		    (!v6 && (i == q + 10 || i == q + 11)) ||
		    (outer && i >= out_a && i < out_a + alen) ||
		    (outer && !v6 && (i == 10 || i == 11)))
			continue;
		FUZZ_ASSERT(b[i] == data[i]);
	}
	if (ip_ok)
		FUZZ_ASSERT(v6 || ref_ip_ok(b));
	if (qip_ok)
		FUZZ_ASSERT(v6 || ref_ip_ok(b + q));
	if (csum && proto == IPPROTO_UDP && !ref_get16(data + ql4 + coff)) {
		FUZZ_ASSERT(!ref_get16(b + ql4 + coff));
	} else if (csum) {
		s1 = quoted_rest(b, ql4 + coff, in_a, alen,
				 ql4 + (in_dst ? 2 : 0));
		FUZZ_ASSERT(osum(s0) == osum(s1));
		if (proto == IPPROTO_UDP)
			FUZZ_ASSERT(ref_get16(b + ql4 + coff));
	}
	cs = svcgw_icmp_csum(b, size, p);
	FUZZ_ASSERT(ntohs(cs) == ref_icmp_csum(b, off, size));
	memcpy(b + off + 2, &cs, 2);
	FUZZ_ASSERT(ref_icmp_ok(b, off, size));
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct svcgw_pkt p, p2;
	enum svcgw_parse r;

	/* Both families' entries, whatever the version says. */
	memset(&p2, 0x5a, sizeof(p2));
	r = svcgw_parse_ipv4(data, size, &p2);
	if (r == SVCGW_PKT_SHORT)
		FUZZ_ASSERT(p2.need > size);
	memset(&p2, 0x5a, sizeof(p2));
	r = svcgw_parse_ipv6(data, size, &p2);
	if (r == SVCGW_PKT_SHORT)
		FUZZ_ASSERT(p2.need > size);

	memset(&p, 0x5a, sizeof(p));
	r = svcgw_parse(data, size, &p);
	if (size) {
		memset(&p2, 0xa5, sizeof(p2));
		FUZZ_ASSERT((is6(data) ? svcgw_parse_ipv6(data, size, &p2) :
			     svcgw_parse_ipv4(data, size, &p2)) == r);
		FUZZ_ASSERT(!memcmp(&p, &p2, sizeof(p)));
	}
	switch (r) {
	case SVCGW_PKT_SHORT:
		FUZZ_ASSERT(p.need > size);
		if (size && is6(data))
			FUZZ_ASSERT(p.need >= 40);
		return 0;
	case SVCGW_PKT_OTHER:
	case SVCGW_PKT_MALFORMED:
		FUZZ_ASSERT(!p.need);
		return 0;
	case SVCGW_PKT_OK:
	case SVCGW_PKT_ICMP_ERR:
		break;
	default:
		FUZZ_ASSERT(0);
	}
	/* The pseudo header has a 16-bit length: keep to real sizes. */
	if (size > 65535)
		return 0;
	if (r == SVCGW_PKT_OK)
		check_ok(data, size, &p);
	else
		check_icmp(data, size, &p);
	return 0;
}
