// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: the addresses to announce (announce.h).
 */
#include <string.h>

#include "announce.h"

static bool can_serve(const struct conf_service *svc, announce_up_fn up,
		      void *arg)
{
	size_t i;

	for (i = 0; i < svc->nsrv; i++)
		if (svc->srv[i].weight && up(svc, &svc->srv[i], arg))
			return true;
	return false;
}

size_t announce_want(const struct conf *c, announce_up_fn up, void *arg,
		     struct endpoint *out, size_t max)
{
	size_t i, j, n = 0;

	for (i = 0; i < c->nsvc; i++) {
		const struct conf_service *svc = &c->svc[i];
		bool want = c->announce_all, seen = false;

		/* Each address once: at its first service. */
		for (j = 0; j < i && !seen; j++)
			seen = ep_same_addr(&c->svc[j].ep, &svc->ep);
		if (seen)
			continue;
		for (j = i; j < c->nsvc; j++) {
			if (!ep_same_addr(&c->svc[j].ep, &svc->ep))
				continue;
			if (c->announce_all)
				want = want && can_serve(&c->svc[j], up, arg);
			else
				want = want || can_serve(&c->svc[j], up, arg);
		}
		if (!want)
			continue;
		if (n < max) {
			out[n] = svc->ep;
			out[n].port = 0;
		}
		n++;
	}
	return n;
}

uint64_t announce_sig(const struct conf *c, const struct endpoint *addr,
		      announce_up_fn up, void *arg)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i, j;

	for (i = 0; i < c->nsvc; i++) {
		const struct conf_service *svc = &c->svc[i];

		if (!ep_same_addr(&svc->ep, addr))
			continue;
		for (j = 0; j < svc->nsrv; j++) {
			if (!svc->srv[j].weight)	/* not in the table */
				continue;
			h ^= up(svc, &svc->srv[j], arg) ? 1 : 2;
			h *= 0x100000001b3ULL;
		}
	}
	return h;
}

bool announce_hold_over(struct announce_hold *h, uint64_t sig,
			uint64_t now_ms, uint32_t hold_ms)
{
	if (!h->since_ms || h->sig != sig) {
		h->sig = sig;
		h->since_ms = now_ms;
	}
	return now_ms - h->since_ms >= hold_ms;
}
