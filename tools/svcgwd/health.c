// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: a server's health from its probes: @fall failures in a row take
 * it out, @rise successes in a row bring it back; any result that agrees
 * with the current state starts the count again, so one lost probe in a
 * run never flaps a server whose fall is above 1.
 */
#include "health.h"

void health_init(struct health *h)
{
	h->up = true;
	h->run = 0;
	h->probes = 0;
	h->failed = 0;
}

enum health_change health_result(struct health *h, bool ok, uint32_t rise,
				 uint32_t fall)
{
	h->probes++;
	if (!ok)
		h->failed++;
	if (ok == h->up) {
		h->run = 0;
		return HEALTH_SAME;
	}
	if (++h->run < (h->up ? fall : rise))
		return HEALTH_SAME;
	h->up = ok;
	h->run = 0;
	return ok ? HEALTH_UP : HEALTH_DOWN;
}

uint32_t health_offset_ms(uint32_t key, uint32_t interval_ms)
{
	/* A 32-bit mix (murmur3's finalizer) of the key, then its place. */
	key ^= key >> 16;
	key *= 0x85ebca6bu;
	key ^= key >> 13;
	key *= 0xc2b2ae35u;
	key ^= key >> 16;
	return (uint32_t)(((uint64_t)key * interval_ms) >> 32);
}

uint64_t health_next_us(uint64_t due, uint64_t now, uint64_t interval_us)
{
	uint64_t next = due + interval_us;

	if (!interval_us || next > now)
		return next;
	/* Whole intervals skipped: the first one on the phase after @now. */
	return next + ((now - next) / interval_us + 1) * interval_us;
}
