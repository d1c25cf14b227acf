/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Builds IPv6 TCP and UDP packets with extension-header chains, and
 * ICMP / ICMPv6 errors quoting a packet, with checksums from csum_ref.h.
 */
#ifndef _SVCGW_UNIT_PKTGEN6_H
#define _SVCGW_UNIT_PKTGEN6_H

#include "pktgen.h"

#define PKT6_MAX	8192

#define EXT_HOP		0
#define EXT_RT		43
#define EXT_FRAG	44
#define EXT_DST		60
#define EXT_MAX		16

/* A chain of IPv6 extension headers, in order. */
struct ext_chain {
	unsigned int	n;
	uint8_t		type[EXT_MAX];
	uint8_t		hlen[EXT_MAX];	/* Hdr Ext Len (not fragment) */
	uint16_t	frag[EXT_MAX];	/* fragment: offset << 3 | res | M */
};

static inline unsigned int ext_size(const struct ext_chain *c, unsigned int i)
{
	return c->type[i] == EXT_FRAG ? 8 : (c->hlen[i] + 1) * 8;
}

static inline unsigned int ext_total(const struct ext_chain *c)
{
	unsigned int i, t = 0;

	for (i = 0; i < c->n; i++)
		t += ext_size(c, i);
	return t;
}

/* @n random headers; fragments are first ones (offset 0, M and res random). */
static inline void ext_random(struct ext_chain *c, unsigned int n,
			      struct rng *r)
{
	static const uint8_t types[] = { EXT_HOP, EXT_RT, EXT_FRAG, EXT_DST };
	unsigned int i;

	memset(c, 0, sizeof(*c));
	c->n = n;
	for (i = 0; i < n; i++) {
		c->type[i] = types[rng_below(r, 4)];
		switch (rng_below(r, 8)) {
		case 0: case 1: case 2: case 3:
			c->hlen[i] = 0;
			break;
		case 7:
			c->hlen[i] = rng_below(r, 33);
			break;
		default:
			c->hlen[i] = rng_below(r, 4);
		}
		c->frag[i] = rng_below(r, 8);	/* res bits and M */
	}
}

/* A random IPv6 address; now and then ::, all ones, ::1, v4-mapped. */
static inline void addr6_random(uint8_t *a, struct rng *r)
{
	rng_bytes(r, a, 16);
	switch (rng_below(r, 16)) {
	case 0:
		memset(a, 0, 16);
		break;
	case 1:
		memset(a, 0xff, 16);
		break;
	case 2:
		memset(a, 0, 16);
		a[15] = 1;
		break;
	case 3:
		memset(a, 0, 10);
		a[10] = 0xff;
		a[11] = 0xff;
		break;
	}
}

/*
 * Write an IPv6 header for a packet of @len bytes and the chain @c, ending
 * in @proto; returns the offset of the upper-layer header.  Routing
 * headers have segments left 0, options headers a PadN option.
 */
static inline unsigned int ip6_write(uint8_t *buf, const uint8_t *saddr,
				     const uint8_t *daddr,
				     const struct ext_chain *c, uint8_t proto,
				     unsigned int len, struct rng *r)
{
	static const uint8_t rt_types[] = { 0, 2, 3, 4, 253 };
	unsigned int o = 40, i, sz;
	uint8_t *e;

	ref_put32(buf, 6u << 28 | (rng_u32(r) & 0x0fffffff));
	ref_put16(buf + 4, len - 40);
	buf[6] = c->n ? c->type[0] : proto;
	buf[7] = rng_u32(r);			/* hop limit */
	memcpy(buf + 8, saddr, 16);
	memcpy(buf + 24, daddr, 16);
	for (i = 0; i < c->n; i++) {
		e = buf + o;
		sz = ext_size(c, i);
		e[0] = i + 1 < c->n ? c->type[i + 1] : proto;
		switch (c->type[i]) {
		case EXT_FRAG:
			e[1] = rng_u32(r);	/* reserved: not a length */
			ref_put16(e + 2, c->frag[i]);
			ref_put32(e + 4, rng_u32(r));
			break;
		case EXT_RT:
			e[1] = c->hlen[i];
			e[2] = rt_types[rng_below(r, sizeof(rt_types))];
			e[3] = 0;
			rng_bytes(r, e + 4, sz - 4);
			break;
		default:
			e[1] = c->hlen[i];
			e[2] = 1;		/* PadN */
			e[3] = sz - 4;
			memset(e + 4, 0, sz - 4);
		}
		o += sz;
	}
	return o;
}

struct pkt6_spec {
	uint8_t		proto;		/* TCP, UDP; else 8 random L4 bytes */
	struct ext_chain ext;
	unsigned int	doff;		/* TCP: 32-bit words, 5..15 */
	unsigned int	plen;		/* payload bytes */
	uint8_t		saddr[16], daddr[16];
	uint16_t	sport, dport;
	uint8_t		flags;
};

static inline unsigned int pkt6_l4off(const struct pkt6_spec *s)
{
	return 40 + ext_total(&s->ext);
}

static inline unsigned int pkt6_l4hlen(const struct pkt6_spec *s)
{
	return s->proto == IPPROTO_TCP ? s->doff * 4 : 8;
}

static inline unsigned int pkt6_len(const struct pkt6_spec *s)
{
	return pkt6_l4off(s) + pkt6_l4hlen(s) + s->plen;
}

/* A random spec with up to @max_ext extension headers. */
static inline void pkt6_random_spec(struct pkt6_spec *s, uint8_t proto,
				    unsigned int max_ext, struct rng *r)
{
	static const uint8_t flags[] = { 0x02, 0x12, 0x10, 0x18, 0x11, 0x04,
					 0x14, 0x19, 0x01, 0x00, 0xff };

	memset(s, 0, sizeof(*s));
	s->proto = proto;
	ext_random(&s->ext, rng_below(r, 2) ? 0 : rng_below(r, max_ext + 1),
		   r);
	s->doff = rng_below(r, 2) ? 5 : 5 + rng_below(r, 11);
	switch (rng_below(r, 4)) {
	case 0:
		s->plen = 0;
		break;
	case 1:
		s->plen = rng_below(r, 16);
		break;
	default:
		s->plen = rng_below(r, 1400);
	}
	addr6_random(s->saddr, r);
	addr6_random(s->daddr, r);
	s->sport = rng_u16_edgy(r);
	s->dport = rng_u16_edgy(r);
	s->flags = flags[rng_below(r, sizeof(flags))];
}

/* Write the packet of @s to @buf; returns its size. */
static inline unsigned int pkt6_build(uint8_t *buf, const struct pkt6_spec *s,
				      struct rng *r)
{
	unsigned int len = pkt6_len(s), off;
	uint8_t *l4;

	off = ip6_write(buf, s->saddr, s->daddr, &s->ext, s->proto, len, r);
	l4 = buf + off;
	ref_put16(l4, s->sport);
	ref_put16(l4 + 2, s->dport);
	if (s->proto == IPPROTO_TCP) {
		ref_put32(l4 + 4, rng_u32(r));
		ref_put32(l4 + 8, rng_u32(r));
		l4[12] = s->doff << 4;
		l4[13] = s->flags;
		ref_put16(l4 + 14, rng_u32(r));
		ref_put16(l4 + 16, 0);
		ref_put16(l4 + 18, 0);
		pkt_tcp_options(l4 + 20, s->doff * 4 - 20, r);
	} else if (s->proto == IPPROTO_UDP) {
		ref_put16(l4 + 4, len - off);
		ref_put16(l4 + 6, 0);
	} else {
		rng_bytes(r, l4 + 4, 4);
	}
	rng_bytes(r, l4 + pkt6_l4hlen(s), s->plen);
	if (s->proto == IPPROTO_TCP || s->proto == IPPROTO_UDP)
		ref_put16(l4 + ref_csum_off(s->proto),
			  ref_l4_csum_at(buf, off, len, s->proto));
	return len;
}

/* An IPv4 header of @ihl words for a packet of @len bytes, checksum set. */
static inline void ip4_write(uint8_t *buf, unsigned int ihl, uint8_t proto,
			     unsigned int len, const uint8_t *saddr,
			     const uint8_t *daddr, uint16_t frag,
			     struct rng *r)
{
	buf[0] = 0x40 | ihl;
	buf[1] = rng_u32(r);
	ref_put16(buf + 2, len);
	ref_put16(buf + 4, rng_u32(r));
	ref_put16(buf + 6, frag);
	buf[8] = 1 + rng_below(r, 255);
	buf[9] = proto;
	ref_put16(buf + 10, 0);
	memcpy(buf + 12, saddr, 4);
	memcpy(buf + 16, daddr, 4);
	pkt_ip_options(buf + 20, ihl * 4 - 20, r);
	ref_put16(buf + 10, ref_ip_csum(buf));
}

/* The outer part of an ICMP (@family AF_INET) or ICMPv6 error. */
struct icmp_spec {
	uint8_t		family;
	uint8_t		type, code;
	unsigned int	ihl;		/* IPv4: header words */
	struct ext_chain ext;		/* IPv6: extension headers */
	uint8_t		saddr[16], daddr[16];	/* IPv4: first 4 bytes */
};

static inline unsigned int icmp_l4off(const struct icmp_spec *s)
{
	return s->family == AF_INET ? s->ihl * 4 : 40 + ext_total(&s->ext);
}

/*
 * An error carrying the @qlen bytes at @quoted, checksums right; returns
 * its size.  The 4 bytes after the ICMP checksum (unused, MTU, pointer)
 * are random.
 */
static inline unsigned int icmp_build(uint8_t *buf, const struct icmp_spec *s,
				      const uint8_t *quoted, unsigned int qlen,
				      struct rng *r)
{
	unsigned int off = icmp_l4off(s), len = off + 8 + qlen;

	if (s->family == AF_INET)
		ip4_write(buf, s->ihl, IPPROTO_ICMP, len, s->saddr, s->daddr,
			  rng_below(r, 2) ? 0x4000 : 0, r);
	else
		ip6_write(buf, s->saddr, s->daddr, &s->ext, 58, len, r);
	buf[off] = s->type;
	buf[off + 1] = s->code;
	ref_put16(buf + off + 2, 0);
	rng_bytes(r, buf + off + 4, 4);
	memcpy(buf + off + 8, quoted, qlen);
	ref_put16(buf + off + 2, ref_icmp_csum(buf, off, len));
	return len;
}

#endif /* _SVCGW_UNIT_PKTGEN6_H */
