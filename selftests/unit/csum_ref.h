/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reference Internet checksums (RFC 1071, RFC 768, RFC 793), written
 * independently of kmod/pkt.c and as plainly as possible: big-endian 16-bit
 * words, a 64-bit accumulator, fold until nothing carries.  Values are host
 * order, as they read big-endian from the packet.
 */
#ifndef _SVCGW_UNIT_CSUM_REF_H
#define _SVCGW_UNIT_CSUM_REF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t ref_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void ref_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void ref_put32(uint8_t *p, uint32_t v)
{
	ref_put16(p, v >> 16);
	ref_put16(p + 2, v & 0xffff);
}

static inline uint32_t ref_get32(const uint8_t *p)
{
	return (uint32_t)ref_get16(p) << 16 | ref_get16(p + 2);
}

/* Add @len bytes to @s, odd last byte padded with zero; skip @skip, @skip+1. */
static inline uint64_t ref_sum_skip(uint64_t s, const uint8_t *b, size_t len,
				    size_t skip)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (i == skip || i == skip + 1)
			continue;
		s += (i & 1) ? b[i] : (uint64_t)b[i] << 8;
	}
	return s;
}

static inline uint64_t ref_sum(uint64_t s, const uint8_t *b, size_t len)
{
	return ref_sum_skip(s, b, len, (size_t)-2);
}

static inline uint16_t ref_fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static inline unsigned int ref_ihl(const uint8_t *nh)
{
	return (nh[0] & 0x0f) * 4;
}

static inline size_t ref_csum_off(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 16 : 6;
}

/* IPv4 header checksum as it must be in the field. */
static inline uint16_t ref_ip_csum(const uint8_t *nh)
{
	return (uint16_t)~ref_fold(ref_sum_skip(0, nh, ref_ihl(nh), 10));
}

/* Does the header sum, checksum included, to all ones (RFC 1071 check)? */
static inline bool ref_ip_ok(const uint8_t *nh)
{
	return ref_fold(ref_sum(0, nh, ref_ihl(nh))) == 0xffff;
}

/* Unfolded sum of the pseudo header of an IPv4 segment of @l4len bytes. */
static inline uint64_t ref_pseudo_sum(const uint8_t *nh, unsigned int l4len)
{
	uint8_t ph[12];

	memcpy(ph, nh + 12, 8);
	ph[8] = 0;
	ph[9] = nh[9];
	ref_put16(ph + 10, l4len);
	return ref_sum(0, ph, sizeof(ph));
}

/*
 * What a CHECKSUM_PARTIAL skb holds in the L4 checksum field: the folded
 * pseudo-header sum, not complemented (~tcp_v4_check(len, s, d, 0)).
 */
static inline uint16_t ref_pseudo_fold(const uint8_t *nh, unsigned int l4len)
{
	return ref_fold(ref_pseudo_sum(nh, l4len));
}

/*
 * TCP or UDP checksum as it must be in the field, the segment being
 * everything from the L4 header to @len.  A UDP sum that comes out as zero
 * is sent as all ones (RFC 768).
 */
static inline uint16_t ref_l4_csum(const uint8_t *nh, size_t len)
{
	unsigned int ihl = ref_ihl(nh), l4len = len - ihl;
	uint16_t c;

	c = ~ref_fold(ref_sum_skip(ref_pseudo_sum(nh, l4len), nh + ihl, l4len,
				   ref_csum_off(nh[9])));
	if (nh[9] == IPPROTO_UDP && !c)
		c = 0xffff;
	return c;
}

/* Receiver's check of the L4 checksum (a zero UDP checksum is not one). */
static inline bool ref_l4_ok(const uint8_t *nh, size_t len)
{
	unsigned int ihl = ref_ihl(nh), l4len = len - ihl;

	return ref_fold(ref_sum(ref_pseudo_sum(nh, l4len), nh + ihl,
				l4len)) == 0xffff;
}

/* IPv6 and ICMP, for test_pkt6.c and the fuzzer. */

static inline bool ref_is6(const uint8_t *nh)
{
	return nh[0] >> 4 == 6;
}

/*
 * Unfolded sum of the IPv6 pseudo header (RFC 8200 8.1): source and
 * destination address, 32-bit upper-layer length, 24 zero bits, next
 * header.  The destination is the header's (no routing header here has
 * segments left).
 */
static inline uint64_t ref_pseudo6_sum(const uint8_t *nh, uint32_t l4len,
				       uint8_t proto)
{
	uint8_t ph[40];

	memcpy(ph, nh + 8, 32);
	ref_put32(ph + 32, l4len);
	ph[36] = 0;
	ph[37] = 0;
	ph[38] = 0;
	ph[39] = proto;
	return ref_sum(0, ph, sizeof(ph));
}

/* Pseudo header of either family (by the version nibble), for @proto. */
static inline uint64_t ref_pseudo_sum_any(const uint8_t *nh, uint32_t l4len,
					  uint8_t proto)
{
	uint8_t ph[12];

	if (ref_is6(nh))
		return ref_pseudo6_sum(nh, l4len, proto);
	memcpy(ph, nh + 12, 8);
	ph[8] = 0;
	ph[9] = proto;
	ref_put16(ph + 10, l4len);
	return ref_sum(0, ph, sizeof(ph));
}

/* TCP/UDP checksum of the segment @l4off..@len, either family. */
static inline uint16_t ref_l4_csum_at(const uint8_t *nh, size_t l4off,
				      size_t len, uint8_t proto)
{
	size_t l4len = len - l4off;
	uint16_t c;

	c = ~ref_fold(ref_sum_skip(ref_pseudo_sum_any(nh, l4len, proto),
				   nh + l4off, l4len, ref_csum_off(proto)));
	if (proto == IPPROTO_UDP && !c)
		c = 0xffff;
	return c;
}

static inline bool ref_l4_ok_at(const uint8_t *nh, size_t l4off, size_t len,
				uint8_t proto)
{
	return ref_fold(ref_sum(ref_pseudo_sum_any(nh, len - l4off, proto),
				nh + l4off, len - l4off)) == 0xffff;
}

/* CHECKSUM_PARTIAL field: the folded pseudo-header sum, either family. */
static inline uint16_t ref_pseudo_fold_at(const uint8_t *nh, size_t l4off,
					  size_t len, uint8_t proto)
{
	return ref_fold(ref_pseudo_sum_any(nh, len - l4off, proto));
}

/*
 * ICMP checksum (RFC 792: the message alone) or ICMPv6 (RFC 4443: with
 * the pseudo header, next header 58) of the message @l4off..@len.
 */
static inline uint64_t ref_icmp_pseudo(const uint8_t *nh, size_t l4off,
				       size_t len)
{
	return ref_is6(nh) ? ref_pseudo6_sum(nh, len - l4off, 58) : 0;
}

static inline uint16_t ref_icmp_csum(const uint8_t *nh, size_t l4off,
				     size_t len)
{
	return ~ref_fold(ref_sum_skip(ref_icmp_pseudo(nh, l4off, len),
				      nh + l4off, len - l4off, 2));
}

static inline bool ref_icmp_ok(const uint8_t *nh, size_t l4off, size_t len)
{
	return ref_fold(ref_sum(ref_icmp_pseudo(nh, l4off, len), nh + l4off,
				len - l4off)) == 0xffff;
}

#endif /* _SVCGW_UNIT_CSUM_REF_H */
