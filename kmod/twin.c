// SPDX-License-Identifier: GPL-2.0
/*
 * Twins among keys: see twin.h.  Pure (pure.h only).
 */
#include "twin.h"
#include "hash.h"

/*
 * The first of the @n objects at @base, @stride bytes apart, whose key
 * (the @len bytes at its start) equals an earlier object's: its index,
 * and the index of the first object with that key in *@first; -1 if
 * every key differs.  @slots: svcgw_twin_slots(@n) u32s of scratch, any
 * content (cleared here).  Open addressing with linear probing over the
 * objects in order, so the twin found is the earliest repeat.
 */
long svcgw_find_twin(const void *base, size_t stride, size_t len, u32 n,
		     u32 *slots, u32 *first)
{
	size_t mask = svcgw_twin_slots(n) - 1;
	const u8 *b = base;
	u32 i;

	if (n < 2)
		return -1;
	memset(slots, 0, (mask + 1) * sizeof(*slots));
	for (i = 0; i < n; i++) {
		const u8 *key = b + (size_t)i * stride;
		size_t s = svcgw_hash_bytes(key, len, 0) & mask;

		/* A slot holds 1 + the index of the first of its key. */
		for (; slots[s]; s = (s + 1) & mask) {
			u32 j = slots[s] - 1;

			if (!memcmp(b + (size_t)j * stride, key, len)) {
				*first = j;
				return i;
			}
		}
		slots[s] = i + 1;
	}
	return -1;
}
