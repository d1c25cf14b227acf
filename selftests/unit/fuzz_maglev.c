// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/maglev.c.  Input: byte 0 picks the table size
 * m (a prime), byte 1 the number of servers (0..64) and byte 2 how they
 * are read (with m 65521, 8 servers at most: a build takes up to m * n
 * turns); then, per server, either its identity key (4 bytes) or its two
 * permutation hashes as such (8 bytes), and its weight (2 bytes, or 4 to
 * try weights past SVCGW_WEIGHT_MAX).  Bytes past the end read as zero.
 *
 * The table must be full of servers of non-zero weight when one has a
 * weight, else empty and the build must return 0; each server's slot count
 * is within n + 1 of its share m * w / W (see test_maglev.c); the same
 * input builds the same table.
 */
#include <stdio.h>
#include <stdlib.h>

#include "maglev.h"

#define FUZZ_ASSERT(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: assertion failed: %s\n",	\
			__FILE__, __LINE__, #c);			\
		abort();						\
	}								\
} while (0)

#define NMAX	64

static const u32 primes[] = { 2, 3, 5, 7, 11, 13, 251, 1021, 4093, 65521 };

struct in {
	const u8	*d;
	size_t		n, i;
};

static u32 get(struct in *in, unsigned int bytes)
{
	u32 v = 0;

	while (bytes--)
		v = v << 8 | (in->i < in->n ? in->d[in->i++] : 0);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u16 table[65521], again[65521];
	struct svcgw_maglev_server b[NMAX];
	struct svcgw_maglev_scratch sc[NMAX];
	struct in in = { data, size, 0 };
	u32 m, n, mode, i, filled, cnt[NMAX] = { 0 };
	u64 W = 0;
	u8 key[4];

	m = primes[get(&in, 1) % (sizeof(primes) / sizeof(primes[0]))];
	n = get(&in, 1) % (NMAX + 1);
	if (m > 4093 && n > 8)		/* m * n turns at worst: keep it fast */
		n = 8;
	mode = get(&in, 1);
	for (i = 0; i < n; i++) {
		if (mode & 1) {
			b[i].offset_hash = get(&in, 4);
			b[i].skip_hash = get(&in, 4);
		} else {
			u32 k = get(&in, 4);

			memcpy(key, &k, 4);
			svcgw_maglev_identity(&b[i], key, 1 + (mode >> 4) % 4);
		}
		b[i].weight = get(&in, mode & 2 ? 4 : 2);
		W += b[i].weight;
	}
	memset(table, 0x5a, m * sizeof(*table));
	filled = svcgw_maglev_build(table, m, b, n, sc);
	if (!W) {
		FUZZ_ASSERT(!filled);
		for (i = 0; i < m; i++)
			FUZZ_ASSERT(table[i] == SVCGW_SLOT_EMPTY);
		return 0;
	}
	FUZZ_ASSERT(filled == m);
	for (i = 0; i < m; i++) {
		FUZZ_ASSERT(table[i] < n && b[table[i]].weight);
		cnt[table[i]]++;
	}
	for (i = 0; i < n; i++) {
		double err = cnt[i] - (double)m * b[i].weight / W;

		FUZZ_ASSERT(err < n + 1 && err > -(double)(n + 1));
	}
	if (m <= 1021) {
		FUZZ_ASSERT(svcgw_maglev_build(again, m, b, n, sc) == m);
		FUZZ_ASSERT(!memcmp(table, again, m * sizeof(*table)));
	}
	return 0;
}
