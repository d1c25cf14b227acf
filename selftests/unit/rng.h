/* SPDX-License-Identifier: GPL-2.0 */
/* splitmix64: small, fast, reproducible from one seed. */
#ifndef _SVCGW_UNIT_RNG_H
#define _SVCGW_UNIT_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s;
};

static inline void rng_init(struct rng *r, uint64_t seed)
{
	r->s = seed;
}

static inline uint64_t rng_u64(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint32_t rng_u32(struct rng *r)
{
	return rng_u64(r) >> 32;
}

/* Uniform in [0, n), n > 0. */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((uint64_t)rng_u32(r) * n) >> 32);
}

static inline void rng_bytes(struct rng *r, uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = rng_u64(r) >> 56;
}

/* Random 32-bit value, with edge values (0, all ones) now and then. */
static inline uint32_t rng_u32_edgy(struct rng *r)
{
	switch (rng_below(r, 16)) {
	case 0:
		return 0;
	case 1:
		return 0xffffffff;
	default:
		return rng_u32(r);
	}
}

static inline uint16_t rng_u16_edgy(struct rng *r)
{
	switch (rng_below(r, 16)) {
	case 0:
		return 0;
	case 1:
		return 0xffff;
	case 2:
		return 1;
	default:
		return rng_u32(r);
	}
}

#endif /* _SVCGW_UNIT_RNG_H */
