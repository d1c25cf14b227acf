// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/pkt.c.  The input is the linear header area of
 * a packet, exactly its size (libFuzzer hands it in a heap buffer of that
 * size: ASan sees any read past it).  When it parses, copies of it are
 * rewritten in both directions with both checksum kinds:
 *
 *   - as they are: only the address, port and the two checksum fields may
 *     change; a checksum that was right before is right after (FULL), the
 *     pseudo-header sum stays one (PARTIAL), a zero UDP checksum stays 0;
 *   - with both checksums first made right: they must then be exactly what
 *     a full recompute gives, after each of two rewrites;
 *   - with the L4 field first set to the pseudo-header sum: the same for
 *     CHECKSUM_PARTIAL.
 *
 * The L4 segment is taken to run to the end of the input.
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

/* What can be said of the checksums of @b; field: the L4 checksum. */
struct sums {
	bool	ip_ok;		/* the IP header sums right */
	bool	l4_ok;		/* the segment sums right, or UDP without */
	bool	pseudo;		/* field is the pseudo-header sum */
	bool	canon;		/* both fields are exactly a full recompute */
	u16	field;
};

static void sums(const u8 *b, size_t len, const struct svcgw_pkt *p,
		 struct sums *s)
{
	u16 coff = p->l4off + ref_csum_off(p->t.proto);

	s->field = ref_get16(b + coff);
	s->ip_ok = ref_ip_ok(b);
	s->l4_ok = (p->t.proto == IPPROTO_UDP && !s->field) ||
		   ref_l4_ok(b, len);
	s->pseudo = s->field == ref_pseudo_fold(b, len - p->l4off);
	s->canon = ref_get16(b + 10) == ref_ip_csum(b) &&
		   s->field == ref_l4_csum(b, len);
}

/* NAT @b (a copy of @len bytes) and check it against what it was. */
static void nat_one(u8 *b, size_t len, const struct svcgw_pkt *p, bool dst,
		    u32 addr, u16 port, enum svcgw_csum_kind kind)
{
	u8 *before = malloc(len);
	u16 aoff = dst ? 16 : 12, poff = p->l4off + (dst ? 2 : 0);
	u16 coff = p->l4off + ref_csum_off(p->t.proto);
	struct sums s0, s1;
	size_t i;

	memcpy(before, b, len);
	sums(b, len, p, &s0);
	svcgw_nat_ipv4(b, p, dst, htonl(addr), htons(port), kind);
	sums(b, len, p, &s1);

	FUZZ_ASSERT(ref_get32(b + aoff) == addr);
	FUZZ_ASSERT(ref_get16(b + poff) == port);
	for (i = 0; i < len; i++) {
		if (i == 10 || i == 11 || (i >= aoff && i < aoff + 4u) ||
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
	u16 coff;

	memcpy(b, data, len);
	FUZZ_ASSERT(svcgw_parse_ipv4(b, len, &p) == SVCGW_PKT_OK);
	coff = p.l4off + ref_csum_off(p.t.proto);
	if (fix) {
		ref_put16(b + 10, ref_ip_csum(b));
		ref_put16(b + coff, fix == 1 ? ref_l4_csum(b, len) :
			  ref_pseudo_fold(b, len - p.l4off));
		FUZZ_ASSERT(svcgw_parse_ipv4(b, len, &p) == SVCGW_PKT_OK);
		FUZZ_ASSERT(!p.udp_nocsum);
	}
	nat_one(b, len, &p, first, pick_addr(h), pick_port(h), kind);
	nat_one(b, len, &p, !first, pick_addr(~h * 0x9e3779b1),
		pick_port(h * 0x85ebca6b), kind);
	if (fix == 1)
		FUZZ_ASSERT(ref_get16(b + 10) == ref_ip_csum(b) &&
			    ref_get16(b + coff) == ref_l4_csum(b, len));
	if (fix == 2)
		FUZZ_ASSERT(ref_get16(b + 10) == ref_ip_csum(b) &&
			    ref_get16(b + coff) ==
			    ref_pseudo_fold(b, len - p.l4off));
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct svcgw_pkt p;
	enum svcgw_parse r;
	unsigned int ihl;
	u32 h;

	memset(&p, 0x5a, sizeof(p));
	r = svcgw_parse_ipv4(data, size, &p);
	switch (r) {
	case SVCGW_PKT_SHORT:
		FUZZ_ASSERT(p.need > size && p.need <= 60 + 20);
		return 0;
	case SVCGW_PKT_OTHER:
	case SVCGW_PKT_MALFORMED:
		FUZZ_ASSERT(!p.need);
		return 0;
	case SVCGW_PKT_OK:
		break;
	default:
		FUZZ_ASSERT(0);
	}

	/* What the parser said must be true of the bytes. */
	ihl = (data[0] & 0x0f) * 4;
	FUZZ_ASSERT(data[0] >> 4 == 4 && ihl >= 20);
	FUZZ_ASSERT(p.l4off == ihl && !p.need);
	FUZZ_ASSERT(p.l4off + svcgw_l4_hlen(p.t.proto) <= size);
	FUZZ_ASSERT(p.t.family == AF_INET && p.t.proto == data[9]);
	FUZZ_ASSERT(p.t.proto == IPPROTO_TCP || p.t.proto == IPPROTO_UDP);
	FUZZ_ASSERT(!(ref_get16(data + 6) & 0x1fff));
	FUZZ_ASSERT(ref_get16(data + 2) >= ihl + svcgw_l4_hlen(p.t.proto));
	FUZZ_ASSERT(!memcmp(&p.t.src.ip, data + 12, 4) &&
		    !memcmp(&p.t.dst.ip, data + 16, 4));
	FUZZ_ASSERT(!memcmp(&p.t.sport, data + ihl, 2) &&
		    !memcmp(&p.t.dport, data + ihl + 2, 2));
	FUZZ_ASSERT(!p.t.src.ip6[1] && !p.t.src.ip6[2] && !p.t.src.ip6[3] &&
		    !p.t.dst.ip6[1] && !p.t.dst.ip6[2] && !p.t.dst.ip6[3]);
	if (p.t.proto == IPPROTO_TCP)
		FUZZ_ASSERT(p.tcp_flags == data[ihl + 13] &&
			    data[ihl + 12] >> 4 >= 5 && !p.udp_nocsum);
	else
		FUZZ_ASSERT(!p.tcp_flags &&
			    p.udp_nocsum == !ref_get16(data + ihl + 6));

	/* The pseudo header has a 16-bit length: keep to real sizes. */
	if (size > 65535)
		return 0;
	h = fnv1a(data, size);
	nat_both(data, size, 0, h & 1, SVCGW_CSUM_FULL, h);
	nat_both(data, size, 0, h & 2, SVCGW_CSUM_PARTIAL, h * 3);
	nat_both(data, size, 1, h & 4, SVCGW_CSUM_FULL, h * 5);
	nat_both(data, size, 2, h & 8, SVCGW_CSUM_PARTIAL, h * 7);
	return 0;
}
