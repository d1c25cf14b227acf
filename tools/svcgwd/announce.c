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
