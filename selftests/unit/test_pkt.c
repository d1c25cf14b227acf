// SPDX-License-Identifier: GPL-2.0
/*
 * IPv4 parsing and NAT (kmod/pkt.c).  Packets are built with checksums from
 * csum_ref.h, an implementation independent of the module's; each is parsed
 * and rewritten in a heap buffer of exactly its size, so that the
 * sanitizers see any access past its end.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pkt.h"
#include "pktgen.h"
#include "unit.h"

#define ITERS	20000

static u8 *exact(const u8 *b, size_t len)
{
	u8 *p = malloc(len ? len : 1);

	memcpy(p, b, len);
	return p;
}

static enum svcgw_parse parse_exact(const u8 *b, size_t len,
				    struct svcgw_pkt *p)
{
	u8 *c = exact(b, len);
	enum svcgw_parse ret = svcgw_parse_ipv4(c, len, p);

	free(c);
	return ret;
}

/* Report the first difference of two packets; true if equal. */
static bool same_bytes(const u8 *got, const u8 *want, size_t len,
		       const char *what, u32 iter)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (got[i] != want[i])
			break;
	return CHECK(i == len, "%s, iteration %u: byte %zu is %#04x, want %#04x (len %zu, ihl %u)",
		     what, iter, i, got[i], want[i], len, ref_ihl(want));
}

/*
 * What a NAT must leave: @before with the endpoint replaced and checksums
 * recomputed from scratch by the reference (a zero UDP checksum stays
 * zero).  FULL: the L4 field is the complete checksum; PARTIAL: the folded
 * pseudo-header sum.
 */
static void nat_expect(u8 *exp, const u8 *before, size_t len, u16 l4off,
		       bool dst, u32 addr, u16 port, enum svcgw_csum_kind kind)
{
	size_t coff = l4off + ref_csum_off(before[9]);

	memcpy(exp, before, len);
	ref_put32(exp + (dst ? 16 : 12), addr);
	ref_put16(exp + l4off + (dst ? 2 : 0), port);
	ref_put16(exp + 10, ref_ip_csum(exp));
	if (before[9] == IPPROTO_UDP && !ref_get16(before + coff))
		return;
	if (kind == SVCGW_CSUM_FULL)
		ref_put16(exp + coff, ref_l4_csum(exp, len));
	else
		ref_put16(exp + coff, ref_pseudo_fold(exp, len - l4off));
}

/* NAT @buf in place; compare with nat_expect(). */
static bool nat_check(u8 *buf, size_t len, const struct svcgw_pkt *p,
		      bool dst, u32 addr, u16 port, enum svcgw_csum_kind kind,
		      const char *what, u32 iter)
{
	u8 before[PKT_MAX], exp[PKT_MAX];

	memcpy(before, buf, len);
	nat_expect(exp, before, len, p->l4off, dst, addr, port, kind);
	svcgw_nat_ipv4(buf, p, dst, htonl(addr), htons(port), kind);
	return same_bytes(buf, exp, len, what, iter);
}

static void test_ref(struct rng *r)
{
	static const u8 rfc1071[] = { 0x00, 0x01, 0xf2, 0x03,
				      0xf4, 0xf5, 0xf6, 0xf7 };
	static const u8 iph[] = {	/* a textbook header: sum 0xb861 */
		0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
	};
	u8 buf[PKT_MAX];
	struct pkt_spec s;
	u32 i, len;
	u16 c;

	tap_group("pkt: reference and module full checksums agree (RFC 1071, random packets)");
	CHECK(ref_fold(ref_sum(0, rfc1071, 8)) == 0xddf2);
	CHECK(ref_ip_csum(iph) == 0xb861);
	CHECK(ref_ip_ok(iph));
	CHECK(svcgw_csum_ipv4_header(iph) == 0xb861, "got %#x",
	      svcgw_csum_ipv4_header(iph));
	for (i = 0; i < ITERS; i++) {
		pkt_random_spec(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, r);
		len = pkt_build(buf, &s, r);
		if (!CHECK(ref_ip_ok(buf) && ref_l4_ok(buf, len), "ref %u", i))
			break;
		c = svcgw_csum_ipv4_header(buf);
		CHECK(c == ref_get16(buf + 10), "ip %u: %#x, want %#x", i, c,
		      ref_get16(buf + 10));
		c = svcgw_csum_l4_ipv4(buf, len);
		CHECK(c == ref_get16(buf + s.ihl * 4 + ref_csum_off(s.proto)),
		      "l4 %u: %#x", i, c);
		/* The helpers ignore what the fields hold. */
		ref_put16(buf + 10, rng_u32(r));
		ref_put16(buf + s.ihl * 4 + ref_csum_off(s.proto), rng_u32(r));
		CHECK(svcgw_csum_ipv4_header(buf) == ref_ip_csum(buf));
		CHECK(svcgw_csum_l4_ipv4(buf, len) == ref_l4_csum(buf, len));
	}
	tap_end();
}

static void test_parse_ok(struct rng *r)
{
	u8 buf[PKT_MAX];
	struct pkt_spec s;
	struct svcgw_pkt p;
	u32 i, len, ihl;
	enum svcgw_parse ret;

	tap_group("pkt: parse of valid TCP and UDP packets: every field");
	for (i = 0; i < ITERS; i++) {
		pkt_random_spec(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, r);
		if (i % 8 == 3)		/* first fragment */
			s.frag = 0x2000;
		len = pkt_build(buf, &s, r);
		ihl = s.ihl * 4;
		if (s.proto == IPPROTO_UDP && i % 4 == 1)
			ref_put16(buf + ihl + 6, 0);
		memset(&p, 0xa5, sizeof(p));
		ret = parse_exact(buf, len, &p);
		if (!CHECK(ret == SVCGW_PKT_OK, "%u: ret %d", i, ret))
			continue;
		CHECK(p.t.family == AF_INET && p.t.proto == s.proto);
		CHECK(ntohl(p.t.src.ip) == s.saddr &&
		      ntohl(p.t.dst.ip) == s.daddr, "%u: %#x %#x", i,
		      ntohl(p.t.src.ip), ntohl(p.t.dst.ip));
		CHECK(!p.t.src.ip6[1] && !p.t.src.ip6[2] && !p.t.src.ip6[3] &&
		      !p.t.dst.ip6[1] && !p.t.dst.ip6[2] && !p.t.dst.ip6[3] &&
		      !p.t.dir && !p.t.pad, "%u: stale tuple bytes", i);
		CHECK(ntohs(p.t.sport) == s.sport &&
		      ntohs(p.t.dport) == s.dport, "%u: ports %u %u", i,
		      ntohs(p.t.sport), ntohs(p.t.dport));
		CHECK(p.l4off == ihl, "%u: l4off %u ihl %u", i, p.l4off, ihl);
		CHECK(p.need == 0);
		if (s.proto == IPPROTO_TCP)
			CHECK(p.tcp_flags == s.flags && !p.udp_nocsum,
			      "%u: flags %#x want %#x", i, p.tcp_flags,
			      s.flags);
		else
			CHECK(!p.tcp_flags &&
			      p.udp_nocsum == !ref_get16(buf + ihl + 6));
	}
	tap_end();
}

/* Random endpoint rewrites, dst then src or src then dst. */
static void test_nat_full(struct rng *r, u8 proto)
{
	u8 buf[PKT_MAX], *b;
	struct pkt_spec s;
	struct svcgw_pkt p;
	u32 i, k, len;
	bool ok = true;

	tap_group(proto == IPPROTO_TCP ?
		  "pkt: NAT, full checksums, TCP: equal to a full recompute" :
		  "pkt: NAT, full checksums, UDP: equal to a full recompute");
	for (i = 0; i < ITERS && ok; i++) {
		bool dst = rng_below(r, 2);

		pkt_random_spec(&s, proto, r);
		len = pkt_build(buf, &s, r);
		b = exact(buf, len);
		if (CHECK(svcgw_parse_ipv4(b, len, &p) == SVCGW_PKT_OK)) {
			for (k = 0; k < 2 && ok; k++, dst = !dst)
				ok = nat_check(b, len, &p, dst,
					       rng_u32_edgy(r),
					       rng_u16_edgy(r),
					       SVCGW_CSUM_FULL, "full", i);
			ok &= CHECK(ref_ip_ok(b) && ref_l4_ok(b, len));
		}
		free(b);
	}
	tap_end();
}

/* Rewrite the port field at @poff until the L4 checksum reads @want. */
static bool find_port(u8 *b, size_t len, size_t poff, u16 want)
{
	u32 v;

	for (v = 0; v < 0x10000; v++) {
		ref_put16(b + poff, v);
		if (ref_l4_csum(b, len) == want)
			return true;
	}
	return false;
}

/*
 * The two zeros of one's complement: a TCP checksum computed as 0x0000
 * must not come out as 0xffff, and a UDP one must be sent as 0xffff.
 * The packets are made so that the NAT result, or the checksum before it,
 * is exactly that.
 */
static void test_nat_zero(struct rng *r)
{
	u8 buf[PKT_MAX], exp[PKT_MAX], *b;
	struct pkt_spec s;
	struct svcgw_pkt p;
	u32 i, len, coff;
	u16 port, want, aoff, poff;
	bool dst;

	tap_group("pkt: NAT, full checksums: results and inputs 0x0000 / 0xffff");
	for (i = 0; i < 16; i++) {
		pkt_random_spec(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, r);
		s.plen = 2 + rng_below(r, 8);
		len = pkt_build(buf, &s, r);
		coff = s.ihl * 4 + ref_csum_off(s.proto);
		want = s.proto == IPPROTO_UDP ? 0xffff : 0x0000;
		dst = i & 2;
		aoff = dst ? 16 : 12;
		poff = s.ihl * 4 + (dst ? 2 : 0);

		/* An output checksum of zero: find the port that gives it. */
		memcpy(exp, buf, len);
		ref_put32(exp + aoff, rng_u32(r));
		if (!CHECK(find_port(exp, len, poff, want)))
			continue;
		b = exact(buf, len);
		svcgw_parse_ipv4(b, len, &p);
		svcgw_nat_ipv4(b, &p, dst, htonl(ref_get32(exp + aoff)),
			       htons(ref_get16(exp + poff)), SVCGW_CSUM_FULL);
		ref_put16(exp + 10, ref_ip_csum(exp));
		ref_put16(exp + coff, want);
		same_bytes(b, exp, len, "to a zero sum", i);
		CHECK(ref_get16(b + coff) == want, "%u: %#x", i,
		      ref_get16(b + coff));

		/* Now from that zero sum to a random endpoint and back. */
		port = ref_get16(buf + poff);
		nat_check(b, len, &p, dst, rng_u32(r), rng_u16_edgy(r),
			  SVCGW_CSUM_FULL, "from a zero sum", i);
		nat_check(b, len, &p, dst, ref_get32(buf + aoff), port,
			  SVCGW_CSUM_FULL, "back", i);
		same_bytes(b, buf, len, "round trip", i);
		free(b);
	}
	tap_end();
}

static void test_nat_udp_nocsum(struct rng *r)
{
	u8 buf[PKT_MAX], *b;
	struct pkt_spec s;
	struct svcgw_pkt p;
	u32 i, len;

	tap_group("pkt: NAT keeps a zero UDP checksum zero (full and partial)");
	for (i = 0; i < ITERS / 4; i++) {
		pkt_random_spec(&s, IPPROTO_UDP, r);
		len = pkt_build(buf, &s, r);
		ref_put16(buf + s.ihl * 4 + 6, 0);
		b = exact(buf, len);
		if (CHECK(svcgw_parse_ipv4(b, len, &p) == SVCGW_PKT_OK &&
			  p.udp_nocsum)) {
			nat_check(b, len, &p, i & 1, rng_u32_edgy(r),
				  rng_u16_edgy(r), i & 2 ? SVCGW_CSUM_PARTIAL :
				  SVCGW_CSUM_FULL, "udp nocsum", i);
			CHECK(!ref_get16(b + s.ihl * 4 + 6) && ref_ip_ok(b));
		}
		free(b);
	}
	tap_end();
}

/*
 * CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum, as
 * ~tcp_v4_check(len, saddr, daddr, 0) leaves it; after the NAT it must be
 * that of the new addresses (the ports are summed by the device).  Then
 * finish the checksum as a device would and compare with a full one.
 */
static void test_nat_partial(struct rng *r)
{
	u8 buf[PKT_MAX], *b;
	struct pkt_spec s;
	struct svcgw_pkt p;
	u32 i, k, len, ihl;
	bool ok = true;

	tap_group("pkt: NAT, CHECKSUM_PARTIAL: field is the new pseudo-header sum");
	for (i = 0; i < ITERS && ok; i++) {
		bool dst = rng_below(r, 2);
		u16 c;

		pkt_random_spec(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, r);
		len = pkt_build(buf, &s, r);
		ihl = s.ihl * 4;
		ref_put16(buf + ihl + ref_csum_off(s.proto),
			  ref_pseudo_fold(buf, len - ihl));
		b = exact(buf, len);
		if (CHECK(svcgw_parse_ipv4(b, len, &p) == SVCGW_PKT_OK &&
			  !p.udp_nocsum)) {
			for (k = 0; k < 2 && ok; k++, dst = !dst)
				ok = nat_check(b, len, &p, dst,
					       rng_u32_edgy(r),
					       rng_u16_edgy(r),
					       SVCGW_CSUM_PARTIAL, "partial",
					       i);
			/* The device: sum the segment from the field on. */
			c = ~ref_fold(ref_sum(0, b + ihl, len - ihl));
			if (s.proto == IPPROTO_UDP && !c)
				c = 0xffff;
			ok &= CHECK(c == ref_l4_csum(b, len),
				    "%u: device would send %#x, want %#x", i,
				    c, ref_l4_csum(b, len));
		}
		free(b);
	}
	tap_end();
}

static void test_nat_same(struct rng *r)
{
	u8 buf[PKT_MAX], *b;
	struct pkt_spec s;
	struct svcgw_pkt p;
	u32 i, len, ihl;
	bool dst;
	enum svcgw_csum_kind kind;

	tap_group("pkt: NAT to the same address and port changes no byte");
	for (i = 0; i < ITERS / 4; i++) {
		pkt_random_spec(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, r);
		len = pkt_build(buf, &s, r);
		ihl = s.ihl * 4;
		kind = i & 2 ? SVCGW_CSUM_PARTIAL : SVCGW_CSUM_FULL;
		if (kind == SVCGW_CSUM_PARTIAL)
			ref_put16(buf + ihl + ref_csum_off(s.proto),
				  ref_pseudo_fold(buf, len - ihl));
		dst = i & 4;
		b = exact(buf, len);
		svcgw_parse_ipv4(b, len, &p);
		svcgw_nat_ipv4(b, &p, dst, htonl(dst ? s.daddr : s.saddr),
			       htons(dst ? s.dport : s.sport), kind);
		same_bytes(b, buf, len, "same endpoint", i);
		free(b);
	}
	tap_end();
}

static void expect_parse(const u8 *b, size_t len, enum svcgw_parse want,
			 u16 need, const char *what, u32 v)
{
	struct svcgw_pkt p;
	enum svcgw_parse ret = parse_exact(b, len, &p);

	CHECK(ret == want && p.need == need,
	      "%s %u (len %zu): ret %d need %u, want %d need %u", what, v, len,
	      ret, p.need, want, need);
}

static void test_parse_errors(struct rng *r)
{
	u8 buf[PKT_MAX], b[PKT_MAX];
	struct pkt_spec s;
	u32 i, v, len, ihl, hl;

	tap_group("pkt: parse: fewer than 20 bytes -> SHORT, need 20");
	for (i = 0; i < 20; i++) {
		pkt_random_spec(&s, IPPROTO_TCP, r);
		pkt_build(buf, &s, r);
		expect_parse(buf, i, SVCGW_PKT_SHORT, 20, "len", i);
	}
	tap_end();

	tap_group("pkt: parse: headers cut short -> SHORT, need ihl + L4 header");
	for (i = 0; i < 2000; i++) {
		pkt_random_spec(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, r);
		len = pkt_build(buf, &s, r);
		ihl = s.ihl * 4;
		hl = s.proto == IPPROTO_TCP ? 20 : 8;
		for (v = 20; v <= ihl + hl + 1 && v <= len; v++)
			expect_parse(buf, v, v < ihl + hl ? SVCGW_PKT_SHORT :
				     SVCGW_PKT_OK, v < ihl + hl ? ihl + hl : 0,
				     "cut at", v);
	}
	tap_end();

	tap_group("pkt: parse: version not 4, ihl < 5, tot_len short -> MALFORMED");
	pkt_random_spec(&s, IPPROTO_TCP, r);
	s.ihl = 6;
	len = pkt_build(buf, &s, r);
	for (v = 0; v < 16; v++) {
		if (v == 4)
			continue;
		memcpy(b, buf, len);
		b[0] = v << 4 | 6;
		expect_parse(b, len, SVCGW_PKT_MALFORMED, 0, "version", v);
		expect_parse(b, 20, SVCGW_PKT_MALFORMED, 0, "version", v);
	}
	for (v = 0; v < 5; v++) {
		memcpy(b, buf, len);
		b[0] = 0x40 | v;
		expect_parse(b, len, SVCGW_PKT_MALFORMED, 0, "ihl", v);
	}
	for (v = 0; v < 24 + 20; v++) {	/* ihl 24: tot_len < 24 + 20 */
		memcpy(b, buf, len);
		ref_put16(b + 2, v);
		expect_parse(b, len, SVCGW_PKT_MALFORMED, 0, "tcp tot_len", v);
	}
	memcpy(b, buf, len);
	ref_put16(b + 2, 44);
	expect_parse(b, len, SVCGW_PKT_OK, 0, "tcp tot_len", 44);
	pkt_random_spec(&s, IPPROTO_UDP, r);
	s.ihl = 5;
	len = pkt_build(buf, &s, r);
	for (v = 0; v < 28; v++) {
		memcpy(b, buf, len);
		ref_put16(b + 2, v);
		expect_parse(b, len, SVCGW_PKT_MALFORMED, 0, "udp tot_len", v);
	}
	memcpy(b, buf, len);
	ref_put16(b + 2, 28);
	expect_parse(b, len, SVCGW_PKT_OK, 0, "udp tot_len", 28);
	/* Under 20 bytes, SHORT comes first whatever the header says. */
	expect_parse(b, 19, SVCGW_PKT_SHORT, 20, "len", 19);
	tap_end();

	tap_group("pkt: parse: other protocols, non-first fragments -> OTHER; first fragment OK");
	pkt_random_spec(&s, IPPROTO_TCP, r);
	s.ihl = 5;
	len = pkt_build(buf, &s, r);
	for (v = 0; v < 256; v++) {
		/* ICMP is parsed for errors: test_pkt6.c */
		if (v == IPPROTO_TCP || v == IPPROTO_UDP || v == IPPROTO_ICMP)
			continue;
		memcpy(b, buf, len);
		b[9] = v;
		expect_parse(b, len, SVCGW_PKT_OTHER, 0, "protocol", v);
		expect_parse(b, 20, SVCGW_PKT_OTHER, 0, "protocol", v);
	}
	for (i = 0; i < 2000; i++) {
		u16 off = 1 + rng_below(r, 0x1fff);
		u16 fl = rng_below(r, 4) << 13;	/* DF, MF */

		pkt_random_spec(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, r);
		s.frag = fl | off;
		len = pkt_build(buf, &s, r);
		expect_parse(buf, len, SVCGW_PKT_OTHER, 0, "frag", s.frag);
		/* No L4 header needed: it is not in this fragment. */
		ref_put16(buf + 2, s.ihl * 4);
		expect_parse(buf, 20, SVCGW_PKT_OTHER, 0, "small frag",
			     s.frag);
		s.frag = fl;		/* first (MF) or only fragment */
		len = pkt_build(buf, &s, r);
		expect_parse(buf, len, SVCGW_PKT_OK, 0, "frag", s.frag);
	}
	/* Each bit of the offset alone; the flag bits alone are no offset. */
	for (v = 0; v < 16; v++) {
		pkt_random_spec(&s, v & 1 ? IPPROTO_UDP : IPPROTO_TCP, r);
		s.frag = 1 << v;
		len = pkt_build(buf, &s, r);
		expect_parse(buf, len, v < 13 ? SVCGW_PKT_OTHER : SVCGW_PKT_OK,
			     0, "frag bit", v);
	}
	/* Header checks come before the protocol and fragment ones. */
	pkt_random_spec(&s, IPPROTO_TCP, r);
	s.ihl = 7;
	s.frag = 0x2345;
	len = pkt_build(buf, &s, r);
	for (v = 0; v < 28; v++) {
		memcpy(b, buf, len);
		ref_put16(b + 2, v);
		b[9] = IPPROTO_ICMP;
		expect_parse(b, len, SVCGW_PKT_MALFORMED, 0, "icmp tot_len", v);
		b[9] = IPPROTO_TCP;
		expect_parse(b, len, SVCGW_PKT_MALFORMED, 0, "frag tot_len", v);
		b[0] = 0x67;
		expect_parse(b, len, SVCGW_PKT_MALFORMED, 0, "v6 tot_len", v);
	}
	tap_end();

	tap_group("pkt: parse: TCP doff < 5 -> MALFORMED, 5..15 OK");
	for (i = 0; i < 200; i++) {
		pkt_random_spec(&s, IPPROTO_TCP, r);
		len = pkt_build(buf, &s, r);
		ihl = s.ihl * 4;
		for (v = 0; v < 16; v++) {
			memcpy(b, buf, len);
			b[ihl + 12] = v << 4 | (b[ihl + 12] & 0x0f);
			expect_parse(b, len, v < 5 ? SVCGW_PKT_MALFORMED :
				     SVCGW_PKT_OK, 0, "doff", v);
			/* The header itself is enough to tell. */
			expect_parse(b, ihl + 20, v < 5 ? SVCGW_PKT_MALFORMED :
				     SVCGW_PKT_OK, 0, "doff, header only", v);
		}
	}
	tap_end();
}

void test_pkt(void)
{
	struct rng r;

	unit_rng(&r, 4);
	test_ref(&r);
	test_parse_ok(&r);
	test_nat_full(&r, IPPROTO_TCP);
	test_nat_full(&r, IPPROTO_UDP);
	test_nat_zero(&r);
	test_nat_udp_nocsum(&r);
	test_nat_partial(&r);
	test_nat_same(&r);
	test_parse_errors(&r);
}
