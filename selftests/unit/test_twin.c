// SPDX-License-Identifier: GPL-2.0
/* svcgw_find_twin() (kmod/twin.c) against the quadratic definition. */
#include <stdlib.h>

#include "twin.h"
#include "unit.h"

/* An object of a batch: its key first, then other bytes (not compared). */
struct obj {
	u8	key[20];
	u32	other;
};

/* The earliest repeat and the first of its key, by the definition. */
static long twin_ref(const struct obj *o, u32 n, size_t len, u32 *first)
{
	u32 i, j;

	for (i = 1; i < n; i++)
		for (j = 0; j < i; j++)
			if (!memcmp(o[i].key, o[j].key, len)) {
				*first = j;
				return i;
			}
	return -1;
}

/* @n objects with random keys from a pool of @pool (0: all distinct). */
static void fill(struct rng *r, struct obj *o, u32 n, u32 pool)
{
	u32 i;

	for (i = 0; i < n; i++) {
		memset(o[i].key, 0, sizeof(o[i].key));
		if (pool) {
			u32 v = rng_below(r, pool);

			memcpy(o[i].key, &v, sizeof(v));
			o[i].key[19] = 4;
		} else {
			memcpy(o[i].key, &i, sizeof(i));
			rng_bytes(r, o[i].key + 4, 12);
		}
		o[i].other = rng_u32(r);	/* differs: must not matter */
	}
}

void test_twin(void)
{
	static const u32 sizes[] = { 0, 1, 2, 3, 7, 64, 500, 2000 };
	struct obj *o = calloc(2000, sizeof(*o));
	u32 *slots = malloc(svcgw_twin_slots(100000) * sizeof(*slots));
	struct rng r;
	unsigned int k, round, bad = 0;

	unit_rng(&r, 0x7717);
	tap_group("twin: scratch is a power of two, at least twice the keys");
	CHECK(svcgw_twin_slots(0) == 2 && svcgw_twin_slots(1) == 2 &&
	      svcgw_twin_slots(2) == 4 && svcgw_twin_slots(3) == 8 &&
	      svcgw_twin_slots(80008) == 262144, "%zu %zu",
	      svcgw_twin_slots(3), svcgw_twin_slots(80008));
	CHECK(svcgw_twin_slots((1U << 30) + 1) == 0);
	tap_end();

	tap_group("twin: the earliest repeat and its first, as the definition");
	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		for (round = 0; round < 40 && bad < 3; round++) {
			u32 n = sizes[k], pool, f = ~0u, fr = ~0u;
			long got, want;
			size_t len = round & 1 ? 20 : 18;

			/* distinct, or drawn from a pool that repeats
			 * sooner or later (or not at all)
			 */
			pool = round % 4 == 0 ? 0 : 1 + rng_below(&r, 4 * n + 1);
			fill(&r, o, n, pool);
			/* a repeat planted late, where a scan stopping early
			 * would miss it
			 */
			if (!pool && n > 2 && round % 8 == 4)
				o[n - 1] = o[rng_below(&r, n - 1)];
			memset(slots, 0xa5, svcgw_twin_slots(n) * sizeof(*slots));
			got = svcgw_find_twin(o, sizeof(*o), len, n, slots, &f);
			want = twin_ref(o, n, len, &fr);
			bad += !CHECK(got == want && (got < 0 || f == fr),
				      "n %u pool %u len %zu: got %ld (%u), want %ld (%u)",
				      n, pool, len, got, f, want, fr);
		}
	}
	tap_end();

	tap_group("twin: keys that differ only past the compared length are twins");
	fill(&r, o, 3, 0);
	memcpy(o[2].key, o[0].key, 18);
	o[2].key[19] ^= 1;
	CHECK(svcgw_find_twin(o, sizeof(*o), 20, 3, slots, &round) == -1);
	CHECK(svcgw_find_twin(o, sizeof(*o), 18, 3, slots, &round) == 2 &&
	      round == 0, "first %u", round);
	tap_end();

	tap_group("twin: 100000 distinct server keys, then one repeat at the end");
	{
		/* struct svcgw_key's layout: address, port, proto, family */
		struct { u8 addr[16]; __be16 port; u8 proto, family; }
			*e = calloc(100000, sizeof(*e));
		u32 i, f = 0;

		for (i = 0; i < 100000; i++) {
			u32 a = htonl(0xc6336400 + i / 8);

			memcpy(e[i].addr, &a, sizeof(a));
			e[i].port = htons(8000 + i % 8);
			e[i].proto = IPPROTO_TCP;
			e[i].family = AF_INET;
		}
		CHECK(svcgw_find_twin(e, sizeof(*e), sizeof(*e), 100000,
				      slots, &f) == -1);
		e[99999] = e[12345];
		CHECK(svcgw_find_twin(e, sizeof(*e), sizeof(*e), 100000,
				      slots, &f) == 99999 && f == 12345,
		      "first %u", f);
		free(e);
	}
	tap_end();
	free(o);
	free(slots);
}
