/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types and helpers for the pure parts of svcgw: files that include only
 * this header build both into the module and into host unit tests and
 * fuzzers (selftests/unit).  No kernel object, lock or allocation here.
 */
#ifndef _SVCGW_PURE_H
#define _SVCGW_PURE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <asm/byteorder.h>
#else
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef uint16_t __be16;
typedef uint32_t __be32;
typedef uint16_t __sum16;

#define cpu_to_be16(x)	htons(x)
#define be16_to_cpu(x)	ntohs(x)
#define cpu_to_be32(x)	htonl(x)
#define be32_to_cpu(x)	ntohl(x)
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

/*
 * A function of a pure file that the module calls from that file only,
 * and the host unit tests call directly: static in the module, so that
 * nothing only the tests need is in the module's symbol table.
 */
#ifdef __KERNEL__
#define SVCGW_HOST_VISIBLE	static
#else
#define SVCGW_HOST_VISIBLE
#endif

/* An address of either family, in network order; IPv4 uses word 0. */
union svcgw_addr {
	__be32	ip;
	__be32	ip6[4];
	u8	b[16];
};

/*
 * One direction of a flow.  Used as a hash key (sessions) and as the parse
 * result of a packet; unused bytes are always zero so it can be hashed and
 * compared as bytes.  The parser leaves @dir zero.
 */
struct svcgw_tuple {
	union svcgw_addr	src;
	union svcgw_addr	dst;
	__be16			sport;
	__be16			dport;
	u8			proto;
	u8			family;
	u8			dir;	/* enum svcgw_dir, for session keys */
	u8			pad;
};

static inline bool svcgw_addr_equal(const union svcgw_addr *a,
				    const union svcgw_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

#endif /* _SVCGW_PURE_H */
