/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Flow and server hashing.  Pure, and deliberately fixed: every gateway of
 * a cluster must map a flow to the same slot of the same table, so the hash
 * depends only on its input and a seed (per namespace, default 0), never on
 * the host's byte order or a boot-time random number.
 */
#ifndef _SVCGW_HASH_H
#define _SVCGW_HASH_H

#include "pure.h"

static inline u32 svcgw_rol32(u32 w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

/* One MurmurHash3 block round. */
static inline u32 svcgw_hash_mix(u32 h, u32 k)
{
	k *= 0xcc9e2d51;
	k = svcgw_rol32(k, 15);
	k *= 0x1b873593;
	h ^= k;
	h = svcgw_rol32(h, 13);
	return h * 5 + 0xe6546b64;
}

/* MurmurHash3 finaliser. */
static inline u32 svcgw_hash_final(u32 h, u32 len)
{
	h ^= len;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

/*
 * Hash of @len bytes from @seed.  Words are read most significant byte
 * first, so the hash is the same on every host (Maglev identities must
 * be); the tail, up to three bytes, is mixed in as one word, zero if
 * there is none.
 */
static inline u32 svcgw_hash_bytes(const u8 *key, unsigned int len, u32 seed)
{
	u32 h = seed, w;
	unsigned int i;

	for (i = 0; i + 4 <= len; i += 4) {
		w = (u32)key[i] << 24 | (u32)key[i + 1] << 16 |
		    (u32)key[i + 2] << 8 | key[i + 3];
		h = svcgw_hash_mix(h, w);
	}
	for (w = 0; i < len; i++)
		w = w << 8 | key[i];
	return svcgw_hash_final(svcgw_hash_mix(h, w), len);
}

/* Hash of an address alone (@family AF_INET or AF_INET6). */
static inline u32 svcgw_addr_hash(u8 family, const union svcgw_addr *a,
				  u32 seed)
{
	u32 h = seed;
	int i, n = family == AF_INET6 ? 4 : 1;

	for (i = 0; i < n; i++)
		h = svcgw_hash_mix(h, (u32)a->ip6[i]);
	return svcgw_hash_final(h, 4 * n);
}

/* Hash of a client-to-service flow, used to pick a mapping table slot. */
static inline u32 svcgw_flow_hash(const struct svcgw_tuple *t, u32 seed)
{
	u32 h = seed;
	int i, n = t->family == AF_INET6 ? 4 : 1;

	for (i = 0; i < n; i++)
		h = svcgw_hash_mix(h, be32_to_cpu(t->src.ip6[i]));
	for (i = 0; i < n; i++)
		h = svcgw_hash_mix(h, be32_to_cpu(t->dst.ip6[i]));
	h = svcgw_hash_mix(h, (u32)be16_to_cpu(t->sport) << 16 |
			      be16_to_cpu(t->dport));
	h = svcgw_hash_mix(h, t->proto);
	return svcgw_hash_final(h, 8 * n + 8);
}

/* Map a 32-bit hash onto [0, n) without a division. */
static inline u32 svcgw_hash_scale(u32 hash, u32 n)
{
	return (u32)(((u64)hash * n) >> 32);
}

#endif /* _SVCGW_HASH_H */
