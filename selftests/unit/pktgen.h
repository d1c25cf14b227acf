/* SPDX-License-Identifier: GPL-2.0 */
/* Builds IPv4 TCP and UDP packets with correct checksums (csum_ref.h). */
#ifndef _SVCGW_UNIT_PKTGEN_H
#define _SVCGW_UNIT_PKTGEN_H

#include <netinet/in.h>

#include "csum_ref.h"
#include "rng.h"

#define PKT_MAX		(60 + 60 + 1500)

struct pkt_spec {
	uint8_t		proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	unsigned int	ihl;		/* 32-bit words, 5..15 */
	unsigned int	doff;		/* TCP: 32-bit words, 5..15 */
	unsigned int	plen;		/* payload bytes */
	uint32_t	saddr, daddr;	/* host order */
	uint16_t	sport, dport;
	uint8_t		flags;		/* TCP flags byte */
	uint16_t	frag;		/* flags and fragment offset field */
};

static inline unsigned int pkt_l4hlen(const struct pkt_spec *s)
{
	return s->proto == IPPROTO_TCP ? s->doff * 4 : 8;
}

static inline unsigned int pkt_len(const struct pkt_spec *s)
{
	return s->ihl * 4 + pkt_l4hlen(s) + s->plen;
}

/* IP options: a record-route option, then end of list. */
static inline void pkt_ip_options(uint8_t *o, unsigned int len,
				  struct rng *r)
{
	memset(o, 0, len);
	if (len < 8)
		return;
	o[0] = 7;
	o[1] = 3 + (len - 4) / 4 * 4;
	o[2] = 4;
	rng_bytes(r, o + 3, o[1] - 3);
}

/* TCP options: MSS, window scale, SACK permitted, timestamps, NOPs. */
static inline void pkt_tcp_options(uint8_t *o, unsigned int len,
				   struct rng *r)
{
	unsigned int i = 0;

	if (i + 4 <= len) {
		o[i++] = 2;
		o[i++] = 4;
		ref_put16(o + i, 536 + rng_below(r, 9000));
		i += 2;
	}
	if (i + 4 <= len) {
		o[i++] = 1;
		o[i++] = 3;
		o[i++] = 3;
		o[i++] = rng_below(r, 15);
	}
	if (i + 2 <= len) {
		o[i++] = 4;
		o[i++] = 2;
	}
	if (i + 10 <= len) {
		o[i++] = 8;
		o[i++] = 10;
		rng_bytes(r, o + i, 8);
		i += 8;
	}
	while (i < len)
		o[i++] = 1;
}

/* A random TCP or UDP spec; options and payload sizes vary. */
static inline void pkt_random_spec(struct pkt_spec *s, uint8_t proto,
				   struct rng *r)
{
	static const uint8_t flags[] = { 0x02, 0x12, 0x10, 0x18, 0x11, 0x04,
					 0x14, 0x19, 0x01, 0x00, 0xff };

	memset(s, 0, sizeof(*s));
	s->proto = proto;
	s->ihl = rng_below(r, 2) ? 5 : 5 + rng_below(r, 11);
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
	s->saddr = rng_u32_edgy(r);
	s->daddr = rng_u32_edgy(r);
	s->sport = rng_u16_edgy(r);
	s->dport = rng_u16_edgy(r);
	s->flags = flags[rng_below(r, sizeof(flags))];
	s->frag = rng_below(r, 2) ? 0x4000 : 0;	/* DF or nothing */
}

/* Write the packet of @s to @buf, random fields from @r; returns its size. */
static inline unsigned int pkt_build(uint8_t *buf, const struct pkt_spec *s,
				     struct rng *r)
{
	unsigned int ihl = s->ihl * 4, len = pkt_len(s);
	uint8_t *l4 = buf + ihl;

	buf[0] = 0x40 | s->ihl;
	buf[1] = rng_u32(r);			/* DSCP/ECN */
	ref_put16(buf + 2, len);
	ref_put16(buf + 4, rng_u32(r));		/* id */
	ref_put16(buf + 6, s->frag);
	buf[8] = 1 + rng_below(r, 255);		/* ttl */
	buf[9] = s->proto;
	ref_put16(buf + 10, 0);
	ref_put32(buf + 12, s->saddr);
	ref_put32(buf + 16, s->daddr);
	pkt_ip_options(buf + 20, ihl - 20, r);

	ref_put16(l4, s->sport);
	ref_put16(l4 + 2, s->dport);
	if (s->proto == IPPROTO_TCP) {
		ref_put32(l4 + 4, rng_u32(r));	/* seq */
		ref_put32(l4 + 8, rng_u32(r));	/* ack */
		l4[12] = s->doff << 4;
		l4[13] = s->flags;
		ref_put16(l4 + 14, rng_u32(r));	/* window */
		ref_put16(l4 + 16, 0);
		ref_put16(l4 + 18, 0);		/* urgent pointer */
		pkt_tcp_options(l4 + 20, s->doff * 4 - 20, r);
	} else {
		ref_put16(l4 + 4, len - ihl);
		ref_put16(l4 + 6, 0);
	}
	rng_bytes(r, buf + ihl + pkt_l4hlen(s), s->plen);

	ref_put16(buf + 10, ref_ip_csum(buf));
	ref_put16(l4 + ref_csum_off(s->proto), ref_l4_csum(buf, len));
	return len;
}

#endif /* _SVCGW_UNIT_PKTGEN_H */
