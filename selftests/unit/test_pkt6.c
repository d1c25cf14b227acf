// SPDX-License-Identifier: GPL-2.0
/*
 * IPv6 parsing and NAT, and ICMP / ICMPv6 errors (kmod/pkt.c).  Packets
 * come from pktgen6.h with checksums from csum_ref.h, independent of the
 * module's; each is parsed and rewritten in a heap buffer of exactly its
 * size, so that the sanitizers see any access past its end.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pkt.h"
#include "pktgen6.h"
#include "unit.h"

#define ITERS	5000

static u8 *exact(const u8 *b, size_t len)
{
	u8 *p = malloc(len ? len : 1);

	memcpy(p, b, len);
	return p;
}

/* svcgw_parse() on an exact copy; the family's own entry must agree. */
static enum svcgw_parse parse_x(const u8 *b, size_t len, struct svcgw_pkt *p)
{
	u8 *c = exact(b, len);
	enum svcgw_parse ret, ret2;
	struct svcgw_pkt p2;

	memset(p, 0xa5, sizeof(*p));
	ret = svcgw_parse(c, len, p);
	if (len) {
		memset(&p2, 0x5a, sizeof(p2));
		ret2 = b[0] >> 4 == 6 ? svcgw_parse_ipv6(c, len, &p2) :
		       svcgw_parse_ipv4(c, len, &p2);
		CHECK(ret2 == ret && !memcmp(&p2, p, sizeof(p2)),
		      "svcgw_parse %d, family's own parse %d (len %zu)", ret,
		      ret2, len);
	}
	free(c);
	return ret;
}

static bool same_bytes(const u8 *got, const u8 *want, size_t len,
		       const char *what, u32 iter)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (got[i] != want[i])
			break;
	return CHECK(i == len, "%s, iteration %u: byte %zu is %#04x, want %#04x (len %zu)",
		     what, iter, i, got[i], want[i], len);
}

static void expect_parse(const u8 *b, size_t len, enum svcgw_parse want,
			 u16 need, const char *what, u32 v)
{
	struct svcgw_pkt p;
	enum svcgw_parse ret = parse_x(b, len, &p);

	CHECK(ret == want && (ret != SVCGW_PKT_SHORT || p.need == need),
	      "%s %u (len %zu): ret %d need %u, want %d need %u", what, v, len,
	      ret, p.need, want, need);
	if (ret != SVCGW_PKT_SHORT)
		CHECK(!p.need, "%s %u: need %u with ret %d", what, v, p.need,
		      ret);
}

static union svcgw_addr mkaddr(const u8 *b, u8 family)
{
	union svcgw_addr a;

	memset(&a, 0, sizeof(a));
	memcpy(a.b, b, family == AF_INET ? 4 : 16);
	return a;
}

static unsigned int aoff(u8 family, bool dst)
{
	if (family == AF_INET)
		return dst ? 16 : 12;
	return dst ? 24 : 8;
}

/* ---- the reference itself ---- */

static void test_ref6(struct rng *r)
{
	/* ::1 -> ::1, UDP 1 -> 2, no data: 1 + 1 + 8 + 17 + 1 + 2 + 8. */
	static const u8 udp[48] = {
		0x60, 0, 0, 0, 0, 8, 17, 64,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0, 1, 0, 2, 0, 8, 0xff, 0xd9,
	};
	/* ::1 -> ::1, echo request id 0 seq 0: 1 + 1 + 8 + 58 + 0x8000. */
	static const u8 echo[48] = {
		0x60, 0, 0, 0, 0, 8, 58, 64,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		128, 0, 0x7f, 0xbb, 0, 0, 0, 0,
	};
	u8 buf[PKT_MAX], b6[PKT6_MAX];
	struct pkt_spec s;
	struct pkt6_spec s6;
	u32 i, len;

	tap_group("pkt6: reference: IPv6 UDP and ICMPv6 by hand, generic = IPv4 one");
	CHECK(ref_l4_csum_at(udp, 40, 48, IPPROTO_UDP) == 0xffd9, "%#x",
	      ref_l4_csum_at(udp, 40, 48, IPPROTO_UDP));
	CHECK(ref_l4_ok_at(udp, 40, 48, IPPROTO_UDP));
	CHECK(ref_icmp_csum(echo, 40, 48) == 0x7fbb, "%#x",
	      ref_icmp_csum(echo, 40, 48));
	CHECK(ref_icmp_ok(echo, 40, 48));
	for (i = 0; i < ITERS; i++) {
		pkt_random_spec(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, r);
		len = pkt_build(buf, &s, r);
		CHECK(ref_l4_csum_at(buf, s.ihl * 4, len, s.proto) ==
		      ref_l4_csum(buf, len));
		CHECK(ref_pseudo_fold_at(buf, s.ihl * 4, len, s.proto) ==
		      ref_pseudo_fold(buf, len - s.ihl * 4));
		pkt6_random_spec(&s6, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, 7, r);
		len = pkt6_build(b6, &s6, r);
		CHECK(ref_l4_ok_at(b6, pkt6_l4off(&s6), len, s6.proto));
	}
	tap_end();
}

/* ---- IPv6 TCP/UDP parse ---- */

/* Bytes each cut of @s needs next: 40, each extension + 8, L4 header. */
static unsigned int pkt6_needs(const struct pkt6_spec *s, unsigned int *need)
{
	unsigned int n = 0, i, o = 40;

	need[n++] = 40;
	for (i = 0; i < s->ext.n; i++) {
		need[n++] = o + 8;
		o += ext_size(&s->ext, i);
	}
	need[n++] = o + (s->proto == IPPROTO_TCP ? 20 : 8);
	return n;
}

static void test_parse6_ok(struct rng *r)
{
	u8 buf[PKT6_MAX];
	struct pkt6_spec s;
	struct svcgw_pkt p;
	enum svcgw_parse ret;
	u32 i, len, off;

	tap_group("pkt6: parse of valid TCP and UDP packets, random extension chains: every field");
	for (i = 0; i < ITERS; i++) {
		pkt6_random_spec(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, 7, r);
		len = pkt6_build(buf, &s, r);
		off = pkt6_l4off(&s);
		if (s.proto == IPPROTO_UDP && i % 4 == 1)
			ref_put16(buf + off + 6, 0);
		if (i % 16 == 5) {	/* link padding after the packet */
			rng_bytes(r, buf + len, 20);
			len += 20;
		}
		ret = parse_x(buf, len, &p);
		if (!CHECK(ret == SVCGW_PKT_OK, "%u: ret %d (%u ext)", i, ret,
			   s.ext.n))
			continue;
		CHECK(p.t.family == AF_INET6 && p.t.proto == s.proto);
		CHECK(!memcmp(p.t.src.b, s.saddr, 16) &&
		      !memcmp(p.t.dst.b, s.daddr, 16), "%u: addresses", i);
		CHECK(ntohs(p.t.sport) == s.sport &&
		      ntohs(p.t.dport) == s.dport, "%u: ports %u %u", i,
		      ntohs(p.t.sport), ntohs(p.t.dport));
		CHECK(!p.t.dir && !p.t.pad && !p.need && !p.in_off &&
		      !p.in_l4off && !p.in_l4len && !p.icmp_type,
		      "%u: stale fields", i);
		CHECK(p.l4off == off, "%u: l4off %u want %u", i, p.l4off, off);
		if (s.proto == IPPROTO_TCP)
			CHECK(p.tcp_flags == s.flags && !p.udp_nocsum,
			      "%u: flags %#x want %#x", i, p.tcp_flags,
			      s.flags);
		else
			CHECK(!p.tcp_flags &&
			      p.udp_nocsum == !ref_get16(buf + off + 6));
	}
	tap_end();
}

static void test_parse6_short(struct rng *r)
{
	u8 buf[PKT6_MAX];
	struct pkt6_spec s;
	unsigned int need[EXT_MAX + 2], n, k, v, len, want;

	tap_group("pkt6: parse: cut at every length -> SHORT with the next header's need");
	for (k = 0; k < 1000; k++) {
		pkt6_random_spec(&s, k & 1 ? IPPROTO_UDP : IPPROTO_TCP, 7, r);
		len = pkt6_build(buf, &s, r);
		n = pkt6_needs(&s, need);
		for (v = 0; v <= need[n - 1] && v <= len; v++) {
			unsigned int j;

			for (j = 0; j < n && v >= need[j]; j++)
				;
			want = j < n ? need[j] : 0;
			/* No byte to tell the version by: IPv4's 20. */
			if (!v)
				want = 20;
			expect_parse(buf, v, want ? SVCGW_PKT_SHORT :
				     SVCGW_PKT_OK, want, "cut at", v);
		}
		/* The family's own entry wants a whole IPv6 header. */
		{
			struct svcgw_pkt p;

			CHECK(svcgw_parse_ipv6(buf, 0, &p) == SVCGW_PKT_SHORT &&
			      p.need == 40);
		}
	}
	tap_end();
}

static void test_parse6_errors(struct rng *r)
{
	u8 buf[PKT6_MAX], b[PKT6_MAX];
	struct pkt6_spec s;
	struct svcgw_pkt p;
	unsigned int v, i, len, off, need, pos, o;

	tap_group("pkt6: parse: version not 6 -> MALFORMED (IPv6 entry)");
	pkt6_random_spec(&s, IPPROTO_TCP, 7, r);
	len = pkt6_build(buf, &s, r);
	for (v = 0; v < 16; v++) {
		if (v == 6)
			continue;
		memcpy(b, buf, len);
		b[0] = v << 4 | (b[0] & 0x0f);
		CHECK(svcgw_parse_ipv6(b, len, &p) == SVCGW_PKT_MALFORMED,
		      "version %u", v);
		CHECK(svcgw_parse_ipv6(b, 40, &p) == SVCGW_PKT_MALFORMED,
		      "version %u, 40 bytes", v);
	}
	tap_end();

	tap_group("pkt6: parse: payload length short of the headers -> MALFORMED, 0 (jumbo) -> OTHER");
	for (i = 0; i < 300; i++) {
		pkt6_random_spec(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, 7, r);
		len = pkt6_build(buf, &s, r);
		off = pkt6_l4off(&s);
		need = off + (s.proto == IPPROTO_TCP ? 20 : 8) - 40;
		memcpy(b, buf, len);
		ref_put16(b + 4, 0);
		expect_parse(b, len, SVCGW_PKT_OTHER, 0, "jumbo", i);
		for (v = 1; v <= need; v++) {
			ref_put16(b + 4, v);
			expect_parse(b, len, v < need ? SVCGW_PKT_MALFORMED :
				     SVCGW_PKT_OK, 0, "plen", v);
			/* Linear to the end it claims: MALFORMED, not SHORT. */
			expect_parse(b, 40 + v, v < need ? SVCGW_PKT_MALFORMED :
				     SVCGW_PKT_OK, 0, "plen, cut there", v);
		}
		/* More than is linear: not an error. */
		ref_put16(b + 4, 0xffff);
		expect_parse(b, len, SVCGW_PKT_OK, 0, "plen 65535", i);
	}
	tap_end();

	tap_group("pkt6: parse: non-first fragment -> OTHER, first fragment OK, each offset bit");
	for (i = 0; i < 2000; i++) {
		pkt6_random_spec(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, 7, r);
		if (!s.ext.n)
			ext_random(&s.ext, 1 + rng_below(r, 7), r);
		pos = rng_below(r, s.ext.n);
		s.ext.type[pos] = EXT_FRAG;
		s.ext.frag[pos] = (1 + rng_below(r, 0x1fff)) << 3 |
				  rng_below(r, 8);
		len = pkt6_build(buf, &s, r);
		expect_parse(buf, len, SVCGW_PKT_OTHER, 0, "frag", i);
		/* Up to the fragment header is enough to tell. */
		for (o = 40, v = 0; v < pos; v++)
			o += ext_size(&s.ext, v);
		expect_parse(buf, o + 8, SVCGW_PKT_OTHER, 0, "frag hdr only",
			     i);
		s.ext.frag[pos] &= 7;
		len = pkt6_build(buf, &s, r);
		expect_parse(buf, len, SVCGW_PKT_OK, 0, "first frag", i);
	}
	for (v = 0; v < 16; v++) {
		pkt6_random_spec(&s, v & 1 ? IPPROTO_UDP : IPPROTO_TCP, 0, r);
		ext_random(&s.ext, 1, r);
		s.ext.type[0] = EXT_FRAG;
		s.ext.frag[0] = 1 << v;
		len = pkt6_build(buf, &s, r);
		expect_parse(buf, len, v >= 3 ? SVCGW_PKT_OTHER : SVCGW_PKT_OK,
			     0, "frag bit", v);
	}
	tap_end();

	tap_group("pkt6: parse: extension chains of 1..7 OK, 9..16 -> OTHER");
	for (i = 0; i < 500; i++) {
		unsigned int n = 1 + i % 16;

		if (n == 8)	/* V6_MAX_EXT 8 accepts 7: see the report */
			continue;
		pkt6_random_spec(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, 0, r);
		ext_random(&s.ext, n, r);
		len = pkt6_build(buf, &s, r);
		expect_parse(buf, len, n <= 7 ? SVCGW_PKT_OK : SVCGW_PKT_OTHER,
			     0, "chain", n);
	}
	tap_end();

	tap_group("pkt6: parse: ESP, AH, no next header, other protocols -> OTHER");
	for (v = 0; v < 256; v++) {
		if (v == EXT_HOP || v == EXT_RT || v == EXT_FRAG ||
		    v == EXT_DST || v == IPPROTO_TCP || v == IPPROTO_UDP ||
		    v == 58)
			continue;
		pkt6_random_spec(&s, v, 7, r);
		len = pkt6_build(buf, &s, r);
		expect_parse(buf, len, SVCGW_PKT_OTHER, 0, "next header", v);
		/* Nothing after the chain is needed to tell. */
		expect_parse(buf, pkt6_l4off(&s), SVCGW_PKT_OTHER, 0,
			     "next header, no L4", v);
	}
	tap_end();

	tap_group("pkt6: parse: TCP doff < 5 -> MALFORMED, 5..15 OK");
	for (i = 0; i < 200; i++) {
		pkt6_random_spec(&s, IPPROTO_TCP, 7, r);
		len = pkt6_build(buf, &s, r);
		off = pkt6_l4off(&s);
		for (v = 0; v < 16; v++) {
			memcpy(b, buf, len);
			b[off + 12] = v << 4 | (b[off + 12] & 0x0f);
			expect_parse(b, len, v < 5 ? SVCGW_PKT_MALFORMED :
				     SVCGW_PKT_OK, 0, "doff", v);
			expect_parse(b, off + 20, v < 5 ? SVCGW_PKT_MALFORMED :
				     SVCGW_PKT_OK, 0, "doff, header only", v);
		}
	}
	tap_end();
}

/* ---- IPv6 NAT ---- */

static void nat6_expect(u8 *exp, const u8 *before, size_t len, u16 l4off,
			u8 proto, bool dst, const u8 *addr, u16 port,
			enum svcgw_csum_kind kind)
{
	size_t coff = l4off + ref_csum_off(proto);

	memcpy(exp, before, len);
	memcpy(exp + aoff(AF_INET6, dst), addr, 16);
	ref_put16(exp + l4off + (dst ? 2 : 0), port);
	if (proto == IPPROTO_UDP && !ref_get16(before + coff))
		return;
	if (kind == SVCGW_CSUM_FULL)
		ref_put16(exp + coff, ref_l4_csum_at(exp, l4off, len, proto));
	else
		ref_put16(exp + coff, ref_pseudo_fold_at(exp, l4off, len,
							 proto));
}

static bool nat6_check(u8 *buf, size_t len, const struct svcgw_pkt *p,
		       bool dst, const u8 *addr, u16 port,
		       enum svcgw_csum_kind kind, const char *what, u32 iter)
{
	u8 before[PKT6_MAX], exp[PKT6_MAX];
	union svcgw_addr a = mkaddr(addr, AF_INET6);

	memcpy(before, buf, len);
	nat6_expect(exp, before, len, p->l4off, p->t.proto, dst, addr, port,
		    kind);
	svcgw_nat(buf, p, dst, &a, htons(port), kind);
	return same_bytes(buf, exp, len, what, iter);
}

static void test_nat6(struct rng *r, enum svcgw_csum_kind kind)
{
	u8 buf[PKT6_MAX], a[16], *b;
	struct pkt6_spec s;
	struct svcgw_pkt p;
	u32 i, k, len, off;
	bool ok = true;

	tap_group(kind == SVCGW_CSUM_FULL ?
		  "pkt6: NAT src/dst, full checksums: equal to a full recompute" :
		  "pkt6: NAT src/dst, CHECKSUM_PARTIAL: field is the new pseudo-header sum");
	for (i = 0; i < ITERS && ok; i++) {
		bool dst = rng_below(r, 2);
		u16 c;

		pkt6_random_spec(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, 7, r);
		len = pkt6_build(buf, &s, r);
		off = pkt6_l4off(&s);
		if (kind == SVCGW_CSUM_PARTIAL)
			ref_put16(buf + off + ref_csum_off(s.proto),
				  ref_pseudo_fold_at(buf, off, len, s.proto));
		b = exact(buf, len);
		if (CHECK(svcgw_parse(b, len, &p) == SVCGW_PKT_OK &&
			  !p.udp_nocsum)) {
			for (k = 0; k < 2 && ok; k++, dst = !dst) {
				addr6_random(a, r);
				ok = nat6_check(b, len, &p, dst, a,
						rng_u16_edgy(r), kind,
						"nat6", i);
			}
			if (kind == SVCGW_CSUM_FULL) {
				ok &= CHECK(ref_l4_ok_at(b, off, len, s.proto));
			} else {
				/* The device sums the segment from the field. */
				c = ~ref_fold(ref_sum(0, b + off, len - off));
				if (s.proto == IPPROTO_UDP && !c)
					c = 0xffff;
				ok &= CHECK(c == ref_l4_csum_at(b, off, len,
								s.proto),
					    "%u: device would send %#x", i, c);
			}
		}
		free(b);
	}
	tap_end();
}

/* Rewrite the 16-bit word at @poff until the L4 checksum reads @want. */
static bool find_word(u8 *b, size_t l4off, size_t len, u8 proto, size_t poff,
		      u16 want)
{
	u16 c0;
	u32 v;

	/* First the one's complement solution, checked; then search. */
	ref_put16(b + poff, 0);
	c0 = ref_l4_csum_at(b, l4off, len, proto);
	v = ref_fold((u16)~want + (u32)c0);
	ref_put16(b + poff, v);
	if (ref_l4_csum_at(b, l4off, len, proto) == want)
		return true;
	ref_put16(b + poff, v ^ 0xffff ? (v ? v : 0xffff) : 0);
	if (ref_l4_csum_at(b, l4off, len, proto) == want)
		return true;
	for (v = 0; v < 0x10000; v++) {
		ref_put16(b + poff, v);
		if (ref_l4_csum_at(b, l4off, len, proto) == want)
			return true;
	}
	return false;
}

static void test_nat6_zero(struct rng *r)
{
	u8 buf[PKT6_MAX], exp[PKT6_MAX], *b;
	struct pkt6_spec s;
	struct svcgw_pkt p;
	union svcgw_addr a;
	u32 i, len, off, coff, ao, poff;
	u16 want;
	bool dst;

	tap_group("pkt6: NAT, full checksums: results 0x0000 (TCP) / 0xffff (UDP)");
	for (i = 0; i < 16; i++) {
		pkt6_random_spec(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, 7, r);
		s.plen = 2 + rng_below(r, 8);
		len = pkt6_build(buf, &s, r);
		off = pkt6_l4off(&s);
		coff = off + ref_csum_off(s.proto);
		want = s.proto == IPPROTO_UDP ? 0xffff : 0x0000;
		dst = i & 2;
		ao = aoff(AF_INET6, dst);
		poff = off + (dst ? 2 : 0);
		memcpy(exp, buf, len);
		addr6_random(exp + ao, r);
		if (!CHECK(find_word(exp, off, len, s.proto, poff, want)))
			continue;
		ref_put16(exp + coff, want);
		b = exact(buf, len);
		svcgw_parse(b, len, &p);
		a = mkaddr(exp + ao, AF_INET6);
		svcgw_nat(b, &p, dst, &a, htons(ref_get16(exp + poff)),
			  SVCGW_CSUM_FULL);
		same_bytes(b, exp, len, "to a zero sum", i);
		/* and back */
		nat6_check(b, len, &p, dst, buf + ao, ref_get16(buf + poff),
			   SVCGW_CSUM_FULL, "back", i);
		same_bytes(b, buf, len, "round trip", i);
		free(b);
	}
	tap_end();
}

static void test_nat6_misc(struct rng *r)
{
	u8 buf[PKT6_MAX], a[16], *b;
	struct pkt6_spec s;
	struct svcgw_pkt p;
	union svcgw_addr ua;
	u32 i, len, off;
	enum svcgw_csum_kind kind;
	bool dst;

	tap_group("pkt6: NAT keeps a zero UDP checksum zero (full and partial)");
	for (i = 0; i < ITERS / 4; i++) {
		pkt6_random_spec(&s, IPPROTO_UDP, 7, r);
		len = pkt6_build(buf, &s, r);
		off = pkt6_l4off(&s);
		ref_put16(buf + off + 6, 0);
		b = exact(buf, len);
		if (CHECK(svcgw_parse(b, len, &p) == SVCGW_PKT_OK &&
			  p.udp_nocsum)) {
			addr6_random(a, r);
			nat6_check(b, len, &p, i & 1, a, rng_u16_edgy(r),
				   i & 2 ? SVCGW_CSUM_PARTIAL : SVCGW_CSUM_FULL,
				   "udp nocsum", i);
			CHECK(!ref_get16(b + off + 6));
		}
		free(b);
	}
	tap_end();

	tap_group("pkt6: NAT to the same address and port changes no byte");
	for (i = 0; i < ITERS / 4; i++) {
		pkt6_random_spec(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, 7, r);
		len = pkt6_build(buf, &s, r);
		off = pkt6_l4off(&s);
		kind = i & 2 ? SVCGW_CSUM_PARTIAL : SVCGW_CSUM_FULL;
		if (kind == SVCGW_CSUM_PARTIAL)
			ref_put16(buf + off + ref_csum_off(s.proto),
				  ref_pseudo_fold_at(buf, off, len, s.proto));
		dst = i & 4;
		b = exact(buf, len);
		svcgw_parse(b, len, &p);
		ua = mkaddr(dst ? s.daddr : s.saddr, AF_INET6);
		svcgw_nat(b, &p, dst, &ua, htons(dst ? s.dport : s.sport),
			  kind);
		same_bytes(b, buf, len, "same endpoint", i);
		free(b);
	}
	tap_end();
}

/* ---- ICMP and ICMPv6 errors ---- */

static const u8 err4[] = { 3, 4, 11, 12 };
static const u8 err6[] = { 1, 2, 3, 4 };

/* An error quoting a TCP or UDP packet, and what parsing it must give. */
struct icase {
	u8	buf[PKT6_MAX];		/* the error */
	u8	full[PKT6_MAX];		/* the whole packet it quotes */
	unsigned int len, flen;
	u8	family, proto, type;
	unsigned int l4off;		/* ICMP header */
	unsigned int qoff;		/* quoted IP header */
	unsigned int qhl;		/* quoted L4 header, from qoff */
	unsigned int qlen;		/* bytes quoted */
	unsigned int inlen;		/* in_l4len */
	struct svcgw_tuple t;
	unsigned int need[2 * EXT_MAX + 8], nneed;
	struct icmp_spec o;
};

/*
 * How many bytes of the quoted L4 header to carry, by @kmode: 0 ports
 * and UDP header (8), 1 random 8..20, 2 TCP up to the checksum (16), 3 half
 * of it (17), 4 with it (18), 5 TCP header (20), 6 everything, 7 random.
 */
static void icase_make(struct icase *c, u8 family, u8 proto, u8 type,
		       unsigned int kmode, struct rng *r)
{
	struct pkt_spec s4;
	struct pkt6_spec s6;
	unsigned int l4bytes, k = 8, i, o;
	struct icmp_spec *os = &c->o;

	memset(&c->t, 0, sizeof(c->t));
	memset(os, 0, sizeof(*os));
	c->family = family;
	c->proto = proto;
	c->type = type;
	os->family = family;
	os->type = type;
	os->code = rng_below(r, 4) ? rng_below(r, 8) : rng_u32(r);
	c->t.family = family;
	c->t.proto = proto;
	if (family == AF_INET) {
		pkt_random_spec(&s4, proto, r);
		c->flen = pkt_build(c->full, &s4, r);
		c->qhl = s4.ihl * 4;
		os->ihl = rng_below(r, 2) ? 5 : 5 + rng_below(r, 11);
		rng_bytes(r, os->saddr, 4);
		rng_bytes(r, os->daddr, 4);
		c->t.src.ip = htonl(s4.saddr);
		c->t.dst.ip = htonl(s4.daddr);
		c->t.sport = htons(s4.sport);
		c->t.dport = htons(s4.dport);
	} else {
		pkt6_random_spec(&s6, proto, 7, r);
		c->flen = pkt6_build(c->full, &s6, r);
		c->qhl = pkt6_l4off(&s6);
		ext_random(&os->ext, rng_below(r, 2) ? 0 : rng_below(r, 5), r);
		addr6_random(os->saddr, r);
		addr6_random(os->daddr, r);
		memcpy(c->t.src.b, s6.saddr, 16);
		memcpy(c->t.dst.b, s6.daddr, 16);
		c->t.sport = htons(s6.sport);
		c->t.dport = htons(s6.dport);
	}
	l4bytes = c->flen - c->qhl;
	switch (kmode) {
	case 0:
		k = 8;
		break;
	case 1:
		k = 8 + rng_below(r, 13);
		break;
	case 2:
		k = 16;
		break;
	case 3:
		k = 17;
		break;
	case 4:
		k = 18;
		break;
	case 5:
		k = 20;
		break;
	case 6:
		k = l4bytes;
		break;
	default:
		k = 8 + rng_below(r, l4bytes - 7);
	}
	if (k > l4bytes)
		k = l4bytes;
	c->qlen = c->qhl + k;
	c->len = icmp_build(c->buf, os, c->full, c->qlen, r);
	c->l4off = icmp_l4off(os);
	c->qoff = c->l4off + 8;
	c->inlen = k < svcgw_l4_hlen(proto) ? k : svcgw_l4_hlen(proto);

	c->nneed = 0;
	c->need[c->nneed++] = family == AF_INET ? 20 : 40;
	for (i = 0, o = 40; family == AF_INET6 && i < os->ext.n; i++) {
		c->need[c->nneed++] = o + 8;
		o += ext_size(&os->ext, i);
	}
	c->need[c->nneed++] = c->l4off + 8;
	c->need[c->nneed++] = c->qoff + (family == AF_INET ? 20 : 40);
	for (i = 0, o = 40; family == AF_INET6 && i < s6.ext.n; i++) {
		c->need[c->nneed++] = c->qoff + o + 8;
		o += ext_size(&s6.ext, i);
	}
	c->need[c->nneed++] = c->qoff + c->qhl + c->inlen;
}

static void icase_random(struct icase *c, struct rng *r)
{
	u8 family = rng_below(r, 2) ? AF_INET : AF_INET6;

	icase_make(c, family, rng_below(r, 2) ? IPPROTO_TCP : IPPROTO_UDP,
		   family == AF_INET ? err4[rng_below(r, 4)] :
		   err6[rng_below(r, 4)], rng_below(r, 8), r);
}

static const char *icase_name(const struct icase *c)
{
	static char s[96];

	snprintf(s, sizeof(s), "%s type %u quoting %s, %u of %u L4 bytes",
		 c->family == AF_INET ? "ICMP" : "ICMPv6", c->type,
		 c->proto == IPPROTO_TCP ? "TCP" : "UDP", c->qlen - c->qhl,
		 c->flen - c->qhl);
	return s;
}

static bool icase_parse(const struct icase *c, struct svcgw_pkt *p, u32 i)
{
	enum svcgw_parse ret = parse_x(c->buf, c->len, p);
	bool ok;

	if (!CHECK(ret == SVCGW_PKT_ICMP_ERR, "%u, %s: ret %d need %u", i,
		   icase_name(c), ret, p->need))
		return false;
	ok = CHECK(!memcmp(&p->t, &c->t, sizeof(p->t)), "%u, %s: tuple", i,
		   icase_name(c));
	ok &= CHECK(p->l4off == c->l4off && p->in_off == c->qoff &&
		    p->in_l4off == c->qoff + c->qhl &&
		    p->in_l4len == c->inlen,
		    "%u, %s: l4off %u in_off %u in_l4off %u in_l4len %u, want %u %u %u %u",
		    i, icase_name(c), p->l4off, p->in_off, p->in_l4off,
		    p->in_l4len, c->l4off, c->qoff, c->qoff + c->qhl,
		    c->inlen);
	ok &= CHECK(p->icmp_type == c->type && !p->need, "%u: type %u", i,
		    p->icmp_type);
	return ok;
}

static void test_icmp_parse(struct rng *r)
{
	static struct icase c;
	struct svcgw_pkt p;
	unsigned int f, t, pr, k, i, n;

	tap_group("icmp: errors of every type quoting TCP and UDP, quotes cut at every size: parse");
	/* Every family, type, protocol and quote size, 40 times. */
	for (n = 0; n < 40 * 2 * 4 * 2 * 8; n++) {
		f = n & 1;
		t = n >> 1 & 3;
		pr = n >> 3 & 1;
		k = n >> 4 & 7;
		icase_make(&c, f ? AF_INET6 : AF_INET,
			   pr ? IPPROTO_UDP : IPPROTO_TCP,
			   f ? err6[t] : err4[t], k, r);
		icase_parse(&c, &p, n);
	}
	tap_end();

	tap_group("icmp: errors cut at every length -> SHORT with the next header's need");
	for (i = 0; i < 600; i++) {
		unsigned int v, j, want, last;

		icase_random(&c, r);
		last = c.need[c.nneed - 1];
		for (v = 0; v <= last + 1 && v <= c.len; v++) {
			for (j = 0; j < c.nneed && v >= c.need[j]; j++)
				;
			want = j < c.nneed ? c.need[j] : 0;
			if (!v)
				want = 20;
			expect_parse(c.buf, v, want ? SVCGW_PKT_SHORT :
				     SVCGW_PKT_ICMP_ERR, want, icase_name(&c),
				     v);
		}
	}
	tap_end();
}

/*
 * Translate @c as asked, write svcgw_icmp_csum() into the ICMP field, and
 * compare with the reference: the whole quoted packet rewritten and its
 * checksums recomputed, cut as quoted (a quoted L4 checksum not wholly
 * carried is left as it was, a zero UDP one stays zero), the outer address
 * set and the outer IPv4 and ICMP checksums recomputed.
 */
static bool icase_nat(struct icase *c, bool in_dst, const u8 *addr,
		      u16 port, bool out_dst, const u8 *outer, u32 iter)
{
	u8 exp[PKT6_MAX], full2[PKT6_MAX], *b;
	unsigned int alen = c->family == AF_INET ? 4 : 16;
	unsigned int ql4 = c->qhl, coff = ql4 + ref_csum_off(c->proto), i;
	union svcgw_addr ua = mkaddr(addr, c->family), uo;
	struct svcgw_pkt p;
	bool ok, has = c->qlen >= coff + 2;
	u16 cs;

	memcpy(full2, c->full, c->flen);
	memcpy(full2 + aoff(c->family, in_dst), addr, alen);
	ref_put16(full2 + ql4 + (in_dst ? 2 : 0), port);
	if (c->family == AF_INET)
		ref_put16(full2 + 10, ref_ip_csum(full2));
	if (!(c->proto == IPPROTO_UDP && !ref_get16(c->full + coff)))
		ref_put16(full2 + coff, ref_l4_csum_at(full2, ql4, c->flen,
						       c->proto));
	memcpy(exp, c->buf, c->len);
	memcpy(exp + c->qoff, full2, c->qlen);
	for (i = coff; i < coff + 2 && i < c->qlen && !has; i++)
		exp[c->qoff + i] = c->buf[c->qoff + i];
	if (outer) {
		memcpy(exp + aoff(c->family, out_dst), outer, alen);
		if (c->family == AF_INET)
			ref_put16(exp + 10, ref_ip_csum(exp));
		uo = mkaddr(outer, c->family);
	}
	ref_put16(exp + c->l4off + 2, ref_icmp_csum(exp, c->l4off, c->len));

	b = exact(c->buf, c->len);
	if (!CHECK(svcgw_parse(b, c->len, &p) == SVCGW_PKT_ICMP_ERR)) {
		free(b);
		return false;
	}
	svcgw_icmp_nat(b, &p, in_dst, &ua, htons(port), out_dst,
		       outer ? &uo : NULL);
	cs = svcgw_icmp_csum(b, c->len, &p);
	memcpy(b + c->l4off + 2, &cs, 2);

	ok = CHECK(ref_icmp_ok(b, c->l4off, c->len), "%u, %s: ICMP checksum",
		   iter, icase_name(c));
	if (c->family == AF_INET)
		ok &= CHECK(ref_ip_ok(b) && ref_ip_ok(b + c->qoff),
			    "%u, %s: outer %d quoted %d IPv4 header checksum",
			    iter, icase_name(c), ref_ip_ok(b),
			    ref_ip_ok(b + c->qoff));
	if (has)
		ok &= CHECK(ref_get16(b + c->qoff + coff) ==
			    ref_get16(full2 + coff),
			    "%u, %s: quoted L4 checksum 0x%04x, full recompute 0x%04x (was 0x%04x, %s %s)",
			    iter, icase_name(c), ref_get16(b + c->qoff + coff),
			    ref_get16(full2 + coff),
			    ref_get16(c->full + coff), in_dst ? "dst" : "src",
			    outer ? (out_dst ? "outer dst" : "outer src") :
			    "no outer");
	ok &= same_bytes(b, exp, c->len, icase_name(c), iter);
	free(b);
	return ok;
}

static void rand_addr(u8 *a, u8 family, struct rng *r)
{
	if (family == AF_INET) {
		memset(a, 0, 16);
		ref_put32(a, rng_u32_edgy(r));
	} else {
		addr6_random(a, r);
	}
}

static void test_icmp_nat(struct rng *r)
{
	static struct icase c;
	u8 a[16], o[16];
	unsigned int i, t, pr, k, n;
	bool ok = true;

	tap_group("icmp: translate, every type, TCP/UDP, cut quotes: checksums and bytes vs reference");
	for (n = 0; n < 25 * 2 * 4 * 2 * 8 && ok; n++) {
		u8 fam = n & 1 ? AF_INET6 : AF_INET;
		bool outer = rng_below(r, 4);

		t = n >> 1 & 3;
		pr = n >> 3 & 1;
		k = n >> 4 & 7;
		icase_make(&c, fam, pr ? IPPROTO_UDP : IPPROTO_TCP,
			   fam == AF_INET6 ? err6[t] : err4[t], k, r);
		/* Now and then UDP without a checksum. */
		if (pr && rng_below(r, 8) == 0) {
			ref_put16(c.full + c.qhl + 6, 0);
			icmp_build(c.buf, &c.o, c.full, c.qlen, r);
		}
		rand_addr(a, fam, r);
		rand_addr(o, fam, r);
		ok &= icase_nat(&c, rng_below(r, 2), a, rng_u16_edgy(r),
				rng_below(r, 2), outer ? o : NULL, n);
	}
	tap_end();

	tap_group("icmp: translate to the same endpoints changes no byte");
	for (i = 0; i < 2000; i++) {
		u8 *b;
		struct svcgw_pkt p;
		union svcgw_addr ua, uo;
		bool in_dst = i & 1, out_dst = i & 2;

		icase_random(&c, r);
		b = exact(c.buf, c.len);
		if (CHECK(svcgw_parse(b, c.len, &p) == SVCGW_PKT_ICMP_ERR)) {
			u16 cs;

			ua = mkaddr(b + c.qoff + aoff(c.family, in_dst),
				    c.family);
			uo = mkaddr(b + aoff(c.family, out_dst), c.family);
			svcgw_icmp_nat(b, &p, in_dst, &ua,
				       in_dst ? c.t.dport : c.t.sport, out_dst,
				       i & 4 ? &uo : NULL);
			cs = svcgw_icmp_csum(b, c.len, &p);
			memcpy(b + c.l4off + 2, &cs, 2);
			same_bytes(b, c.buf, c.len, icase_name(&c), i);
		}
		free(b);
	}
	tap_end();
}

/*
 * Quoted checksums that meet the two zeros: a quoted TCP checksum of
 * 0x0000 is a real checksum (the segment sums to all ones) and must be
 * translated; a quoted UDP one that comes out 0 is sent as 0xffff.
 */
static void test_icmp_zero(struct rng *r)
{
	static struct icase c;
	u8 a[16], full2[PKT6_MAX];
	unsigned int i, coff, ao, poff;
	u16 port;
	bool in_dst;

	tap_group("icmp: a quoted TCP checksum of 0x0000 is translated like any other");
	for (i = 0; i < 16; i++) {
		icase_make(&c, i & 1 ? AF_INET6 : AF_INET, IPPROTO_TCP,
			   i & 1 ? err6[i / 2 % 4] : err4[i / 2 % 4],
			   i & 2 ? 6 : 4, r);
		coff = c.qhl + 16;
		/* The window field makes the checksum zero. */
		if (!CHECK(find_word(c.full, c.qhl, c.flen, IPPROTO_TCP,
				     c.qhl + 14, 0x0000)))
			continue;
		ref_put16(c.full + coff, 0);
		c.len = icmp_build(c.buf, &c.o, c.full, c.qlen, r);
		rand_addr(a, c.family, r);
		icase_nat(&c, i & 4, a, rng_u16_edgy(r), i & 8, NULL, i);
	}
	tap_end();

	tap_group("icmp: a quoted UDP checksum that comes out 0 is sent as 0xffff");
	for (i = 0; i < 16; i++) {
		icase_make(&c, i & 1 ? AF_INET6 : AF_INET, IPPROTO_UDP,
			   i & 1 ? err6[i / 2 % 4] : err4[i / 2 % 4],
			   i & 2 ? 6 : 0, r);
		in_dst = i & 4;
		ao = aoff(c.family, in_dst);
		poff = c.qhl + (in_dst ? 2 : 0);
		memcpy(full2, c.full, c.flen);
		rand_addr(a, c.family, r);
		memcpy(full2 + ao, a, c.family == AF_INET ? 4 : 16);
		if (!CHECK(find_word(full2, c.qhl, c.flen, IPPROTO_UDP, poff,
				     0xffff)))
			continue;
		port = ref_get16(full2 + poff);
		if (icase_nat(&c, in_dst, a, port, i & 8, NULL, i))
			CHECK(ref_l4_csum_at(full2, c.qhl, c.flen,
					     IPPROTO_UDP) == 0xffff);
	}
	tap_end();
}

static void test_icmp_csum(struct rng *r)
{
	static struct icase c;
	struct svcgw_pkt p;
	unsigned int i;
	u16 cs;

	tap_group("icmp: svcgw_icmp_csum equals the reference (any field, odd lengths)");
	for (i = 0; i < ITERS; i++) {
		icase_random(&c, r);
		if (!CHECK(parse_x(c.buf, c.len, &p) == SVCGW_PKT_ICMP_ERR))
			continue;
		cs = svcgw_icmp_csum(c.buf, c.len, &p);
		CHECK(ntohs(cs) == ref_get16(c.buf + c.l4off + 2),
		      "%u, %s: %#x want %#x", i, icase_name(&c), ntohs(cs),
		      ref_get16(c.buf + c.l4off + 2));
		ref_put16(c.buf + c.l4off + 2, rng_u32(r));
		cs = svcgw_icmp_csum(c.buf, c.len, &p);
		CHECK(ntohs(cs) == ref_icmp_csum(c.buf, c.l4off, c.len));
	}
	tap_end();
}

/* Re-sum the ICMP message after an edit (the parser does not check it). */
static void icmp_fix(struct icase *c)
{
	ref_put16(c->buf + c->l4off + 2, 0);
	ref_put16(c->buf + c->l4off + 2,
		  ref_icmp_csum(c->buf, c->l4off, c->len));
}

static void test_icmp_other(struct rng *r)
{
	static struct icase c, d;
	u8 b[PKT6_MAX];
	unsigned int i, v, f, n;
	struct pkt6_spec s6;
	struct pkt_spec s4;

	tap_group("icmp: types that are not errors (echo, ...) -> OTHER");
	for (f = 0; f < 2; f++) {
		for (v = 0; v < 256; v++) {
			bool err = f ? v >= 1 && v <= 4 :
				   v == 3 || v == 4 || v == 11 || v == 12;

			icase_make(&c, f ? AF_INET6 : AF_INET,
				   v & 1 ? IPPROTO_UDP : IPPROTO_TCP,
				   v, 7, r);
			icmp_fix(&c);
			expect_parse(c.buf, c.len, err ? SVCGW_PKT_ICMP_ERR :
				     SVCGW_PKT_OTHER, 0, icase_name(&c), v);
			/* The ICMP header is enough to tell. */
			if (!err)
				expect_parse(c.buf, c.l4off + 8,
					     SVCGW_PKT_OTHER, 0, "header only",
					     v);
		}
	}
	tap_end();

	tap_group("icmp: quoting ICMP or another protocol, a non-first fragment -> OTHER");
	for (i = 0; i < 400; i++) {
		u8 fam = i & 1 ? AF_INET6 : AF_INET;
		u8 qp;

		icase_make(&c, fam, i & 2 ? IPPROTO_UDP : IPPROTO_TCP,
			   fam == AF_INET ? err4[i / 4 % 4] : err6[i / 4 % 4],
			   7, r);
		qp = i % 3 == 0 ? (fam == AF_INET ? IPPROTO_ICMP : 58) :
		     i % 3 == 1 ? 132 : rng_u32(r);
		if (qp == IPPROTO_TCP || qp == IPPROTO_UDP ||
		    (fam == AF_INET6 && (qp == EXT_HOP || qp == EXT_RT ||
					 qp == EXT_FRAG || qp == EXT_DST)))
			qp = 50;
		/* The quoted packet's protocol: the byte before its L4. */
		if (fam == AF_INET) {
			c.buf[c.qoff + 9] = qp;
		} else {
			/* Walk the quoted chain to its last next header. */
			u8 nh = c.buf[c.qoff + 6];
			unsigned int pos = c.qoff + 6, o = 40;

			while (o < c.qhl) {
				u8 *e = c.buf + c.qoff + o;

				pos = c.qoff + o;
				o += nh == EXT_FRAG ? 8 : (e[1] + 1) * 8;
				nh = e[0];
			}
			c.buf[pos] = qp;
		}
		icmp_fix(&c);
		expect_parse(c.buf, c.len, SVCGW_PKT_OTHER, 0,
			     "quoted protocol", qp);

		/* A quoted non-first fragment. */
		if (fam == AF_INET) {
			pkt_random_spec(&s4, i & 2 ? IPPROTO_UDP : IPPROTO_TCP,
					r);
			s4.frag = (rng_below(r, 4) << 13) |
				  (1 + rng_below(r, 0x1fff));
			d.flen = pkt_build(d.full, &s4, r);
			n = s4.ihl * 4 + 8 + rng_below(r, 20);
		} else {
			pkt6_random_spec(&s6, i & 2 ? IPPROTO_UDP : IPPROTO_TCP,
					 6, r);
			s6.ext.type[s6.ext.n] = EXT_FRAG;
			s6.ext.frag[s6.ext.n] = (1 + rng_below(r, 0x1fff)) << 3;
			s6.ext.n++;
			d.flen = pkt6_build(d.full, &s6, r);
			n = pkt6_l4off(&s6) + 8 + rng_below(r, 20);
		}
		if (n > d.flen)
			n = d.flen;
		c.len = icmp_build(c.buf, &c.o, d.full, n, r);
		expect_parse(c.buf, c.len, SVCGW_PKT_OTHER, 0,
			     "quoted non-first fragment", i);
	}
	tap_end();

	tap_group("icmp: quoted packet of the other family -> OTHER");
	for (i = 0; i < 400; i++) {
		u8 fam = i & 1 ? AF_INET6 : AF_INET;

		/* c: the error; d: a packet of the other family. */
		icase_make(&c, fam, IPPROTO_TCP,
			   fam == AF_INET ? err4[i / 2 % 4] : err6[i / 2 % 4],
			   7, r);
		icase_make(&d, fam == AF_INET ? AF_INET6 : AF_INET,
			   i & 2 ? IPPROTO_UDP : IPPROTO_TCP,
			   fam == AF_INET ? err6[0] : err4[0], 7, r);
		n = d.qhl + 8 + rng_below(r, d.flen - d.qhl - 7);
		c.len = icmp_build(c.buf, &c.o, d.full, n, r);
		expect_parse(c.buf, c.len, SVCGW_PKT_OTHER, 0, "mismatch", i);

		/* A good quote but for its version: any other is OTHER. */
		icase_random(&c, r);
		for (v = 0; v < 16; v++) {
			memcpy(b, c.buf, c.len);
			b[c.qoff] = v << 4 | (b[c.qoff] & 0x0f);
			expect_parse(b, c.len, v == (c.family == AF_INET ? 4 : 6) ?
				     SVCGW_PKT_ICMP_ERR : SVCGW_PKT_OTHER, 0,
				     "quoted version", v);
		}
	}
	tap_end();

	tap_group("icmp: quote too short for the ports, bad quoted IPv4 ihl -> OTHER");
	for (i = 0; i < 400; i++) {
		icase_random(&c, r);
		memcpy(&d, &c, sizeof(d));
		/* Fewer than 8 L4 bytes, or not even the IP header. */
		n = i & 1 ? c.qhl + rng_below(r, 8) :
		    rng_below(r, c.family == AF_INET ? 20 : 40);
		c.len = icmp_build(c.buf, &c.o, c.full, n, r);
		expect_parse(c.buf, c.len, SVCGW_PKT_OTHER, 0, "quoted bytes",
			     n);
		if (c.family == AF_INET) {
			memcpy(b, d.buf, d.len);
			b[d.qoff] = 0x40 | rng_below(r, 5);
			expect_parse(b, d.len, SVCGW_PKT_OTHER, 0,
				     "quoted ihl", b[d.qoff] & 15);
			/* Options longer than what is quoted. */
			b[d.qoff] = 0x40 | 15;
			if (d.qlen < 60 + 8)
				expect_parse(b, d.len, SVCGW_PKT_OTHER, 0,
					     "quoted ihl 15", d.qlen);
		}
	}
	tap_end();

	tap_group("icmp: ICMP header beyond the packet's length -> MALFORMED; outer non-first fragment -> OTHER");
	for (i = 0; i < 400; i++) {
		icase_random(&c, r);
		memcpy(b, c.buf, c.len);
		v = rng_below(r, 8);
		if (c.family == AF_INET)
			ref_put16(b + 2, c.l4off + v);
		else
			ref_put16(b + 4, c.l4off + v - 40);
		if (c.family == AF_INET || c.l4off + v > 40)
			expect_parse(b, c.len, SVCGW_PKT_MALFORMED, 0,
				     "icmp cut", v);
		if (c.family == AF_INET) {
			memcpy(b, c.buf, c.len);
			ref_put16(b + 6, (rng_below(r, 4) << 13) |
				  (1 + rng_below(r, 0x1fff)));
			ref_put16(b + 10, ref_ip_csum(b));
			expect_parse(b, c.len, SVCGW_PKT_OTHER, 0,
				     "outer frag", i);
		}
	}
	tap_end();
}

void test_pkt6(void)
{
	struct rng r;

	unit_rng(&r, 6);
	test_ref6(&r);
	test_parse6_ok(&r);
	test_parse6_short(&r);
	test_parse6_errors(&r);
	test_nat6(&r, SVCGW_CSUM_FULL);
	test_nat6(&r, SVCGW_CSUM_PARTIAL);
	test_nat6_zero(&r);
	test_nat6_misc(&r);
	test_icmp_parse(&r);
	test_icmp_nat(&r);
	test_icmp_zero(&r);
	test_icmp_csum(&r);
	test_icmp_other(&r);
}
