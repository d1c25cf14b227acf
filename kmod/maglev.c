// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted Maglev lookup table (Eisenbud et al., NSDI 2016, section 3.4).
 *
 * Each server owns a permutation of the M slots, derived from its identity
 * alone: slot(j) = (offset + j * skip) mod M, M prime.  Servers take turns
 * claiming their next preferred free slot until the table is full.  Since a
 * server's preferences do not depend on the other servers, adding or
 * removing one moves few slots of the others.
 *
 * Weights: in round r a server of weight w takes a turn when
 * floor(r * w / wmax) grows, so it claims slots in proportion to w.
 * Pure code: built into the module and into the host unit tests.
 */
#include "maglev.h"
#include "hash.h"

bool svcgw_is_prime(u32 n)
{
	u32 d;

	if (n < 2)
		return false;
	if (n % 2 == 0)
		return n == 2;
	for (d = 3; d <= n / d; d += 2)
		if (n % d == 0)
			return false;
	return true;
}

/* Derive the two permutation hashes from a server's identity bytes. */
void svcgw_maglev_identity(struct svcgw_maglev_server *b, const u8 *key, unsigned int len)
{
	b->offset_hash = svcgw_hash_bytes(key, len, 0x5eed0001);
	b->skip_hash = svcgw_hash_bytes(key, len, 0x5eed0002);
}

/*
 * Fill @table (@m slots, @m prime) from @n servers.  Returns the number of
 * slots filled: @m, or 0 when no server has a weight (every slot is then
 * SVCGW_SLOT_EMPTY).  @scratch holds @n entries.
 */
u32 svcgw_maglev_build(u16 *table, u32 m, const struct svcgw_maglev_server *b, u32 n,
		       struct svcgw_maglev_scratch *scratch)
{
	u32 i, wmax = 0, filled = 0;

	for (i = 0; i < m; i++)
		table[i] = SVCGW_SLOT_EMPTY;
	if (m < 2)
		return 0;
	for (i = 0; i < n; i++) {
		if (b[i].weight > wmax)
			wmax = b[i].weight;
		scratch[i].pos = b[i].offset_hash % m;
		scratch[i].skip = b[i].skip_hash % (m - 1) + 1;
		scratch[i].acc = 0;
	}
	if (!wmax)
		return 0;

	/*
	 * floor(r * w / wmax) grows in round r exactly when the remainder
	 * of (r - 1) * w, plus w, reaches wmax: one addition per turn, no
	 * division (w <= wmax).
	 */
	for (;;) {
		for (i = 0; i < n; i++) {
			u32 c, pos, skip, w = b[i].weight;

			if (w != wmax) {
				u64 acc = (u64)scratch[i].acc + w;

				if (acc < wmax) {
					scratch[i].acc = acc;
					continue;
				}
				scratch[i].acc = acc - wmax;
			}
			/*
			 * Next preferred slot still free, in locals: the
			 * table's stores would otherwise reload them (no
			 * strict aliasing in the kernel).
			 */
			pos = scratch[i].pos;
			skip = scratch[i].skip;
			do {
				c = pos;
				pos += skip;
				if (pos >= m)
					pos -= m;
			} while (table[c] != SVCGW_SLOT_EMPTY);
			scratch[i].pos = pos;
			table[c] = i;
			if (++filled == m)
				return m;
		}
	}
}
