// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: the announcer (announcer.h).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "announcer.h"
#include "ifaddr.h"
#include "log.h"
#include "timer.h"

#define ANNOUNCER_MAX	4096	/* addresses on the interface */

/* An address wanted and not on yet, waiting for its hold (announce.h). */
struct held {
	struct endpoint addr;
	struct announce_hold h;
};

struct announcer {
	sd_event *ev;
	sd_event_source *timer;
	const struct conf *c;
	const struct probes *ps;
	char ifname[IF_NAMESIZE];
	int ifindex;		/* 0: not there (said once) */
	bool missing_said, full_said;
	unsigned long turn;
	struct endpoint *have;	/* on the interface, as far as we know */
	size_t nhave;
	struct endpoint *want;	/* this turn's */
	bool *down;		/* this turn's: per server of c, in order */
	size_t ndown;
	size_t *base;		/* this turn's: each service's first in down */
	size_t nbase;
	struct held *held, *held_next;	/* this turn's waits, the next's */
	size_t nheld;
	int last_err;		/* the last add/del error said */
};

/* Server @srv of service @svc: its index in this turn's down[]. */
static size_t srv_index(const struct announcer *a,
			const struct conf_service *svc,
			const struct conf_server *srv)
{
	return a->base[svc - a->c->svc] + (size_t)(srv - svc->srv);
}

static bool up(const struct conf_service *svc, const struct conf_server *srv,
	       void *arg)
{
	struct announcer *a = arg;

	return !a->down[srv_index(a, svc, srv)];
}

/* This turn's health: a server with a probe that is not up is down. */
static int read_health(struct announcer *a)
{
	size_t i, n = 0;

	if (a->c->nsvc > a->nbase) {
		size_t *b = realloc(a->base, a->c->nsvc * sizeof(*b));

		if (!b)
			return -1;
		a->base = b;
		a->nbase = a->c->nsvc;
	}
	for (i = 0; i < a->c->nsvc; i++) {
		a->base[i] = n;
		n += a->c->svc[i].nsrv;
	}
	if (n > a->ndown) {
		bool *d = realloc(a->down, n * sizeof(*d));

		if (!d)
			return -1;
		a->down = d;
		a->ndown = n;
	}
	memset(a->down, 0, n * sizeof(*a->down));
	for (i = 0; i < a->ps->n; i++) {
		const struct probe *p = &a->ps->p[i];

		if (!p->h.up)
			a->down[srv_index(a, p->svc, p->srv)] = true;
	}
	return 0;
}

static void say_err(struct announcer *a, const char *what,
		    const struct endpoint *ep, int err)
{
	char buf[64];

	if (err == a->last_err)
		return;
	a->last_err = err;
	log_info("announce: cannot %s %s on %s: %s (tried again every %d ms)",
		 what, format_addr(ep, buf, sizeof(buf)), a->ifname, strerror(-err),
		 ANNOUNCER_TURN_MS);
}

/* Read the interface back: what is there is what we have. */
static void verify(struct announcer *a)
{
	struct endpoint *got = a->want;	/* scratch until announce_want() */
	int n = ifaddr_list(a->ifindex, got, ANNOUNCER_MAX);
	char buf[64];
	size_t i;

	if (n < 0)
		return;
	if (n > ANNOUNCER_MAX)
		n = ANNOUNCER_MAX;
	for (i = 0; i < a->nhave; i++)
		if (!ep_addr_in(got, n, &a->have[i]))
			log_info("announce: %s was taken off %s by someone else",
				 format_addr(&a->have[i], buf, sizeof(buf)),
				 a->ifname);
	memcpy(a->have, got, n * sizeof(*got));
	a->nhave = n;
}

/* Whether @ep is the address of one of the file's services. */
static bool in_file(const struct conf *c, const struct endpoint *ep)
{
	size_t i;

	for (i = 0; i < c->nsvc; i++)
		if (ep_same_addr(&c->svc[i].ep, ep))
			return true;
	return false;
}

/*
 * Whether wanted address @ep, not on, may go on now: its servers have
 * stayed the same for the hold.  Its wait goes into the next turn's.
 */
static bool hold_over(struct announcer *a, const struct endpoint *ep,
		      uint64_t now_ms, size_t *nnext)
{
	struct held w = { .addr = *ep };
	char buf[64];
	size_t i;

	for (i = 0; i < a->nheld; i++)
		if (ep_same_addr(&a->held[i].addr, ep)) {
			w.h = a->held[i].h;
			break;
		}
	if (announce_hold_over(&w.h, announce_sig(a->c, ep, up, a), now_ms,
			       a->c->announce_hold_ms))
		return true;
	if (i == a->nheld)
		log_info("announce: %s waits until its servers have stayed the same for %u ms",
			 format_addr(ep, buf, sizeof(buf)),
			 a->c->announce_hold_ms);
	a->held_next[(*nnext)++] = w;
	return false;
}

static void turn(struct announcer *a, uint64_t now_ms)
{
	size_t nwant, i, j, nnext = 0;
	struct held *t;
	char buf[64];
	int ifindex, r;

	ifindex = if_nametoindex(a->ifname);
	if (!ifindex) {
		if (!a->missing_said)
			log_info("announce: no interface %s: nothing announced until it is there",
				 a->ifname);
		a->missing_said = true;
		a->ifindex = 0;
		a->nhave = 0;
		return;
	}
	if (ifindex != a->ifindex) {
		if (a->missing_said)
			log_info("announce: interface %s is there", a->ifname);
		a->missing_said = false;
		a->ifindex = ifindex;
		a->turn = 0;		/* read it back now */
	}
	if (a->turn++ % ANNOUNCER_VERIFY_TURNS == 0)
		verify(a);
	if (read_health(a))
		return;
	nwant = announce_want(a->c, up, a, a->want, ANNOUNCER_MAX);
	if (nwant > ANNOUNCER_MAX) {
		if (!a->full_said)
			log_info("announce: %zu addresses, only the first %d announced",
				 nwant, ANNOUNCER_MAX);
		a->full_said = true;
		nwant = ANNOUNCER_MAX;
	}
	/* Off: what is there and not wanted. */
	for (i = 0, j = 0; i < a->nhave; i++) {
		if (ep_addr_in(a->want, nwant, &a->have[i])) {
			a->have[j++] = a->have[i];
			continue;
		}
		r = ifaddr_del(a->ifindex, &a->have[i]);
		if (r && r != -EADDRNOTAVAIL) {
			say_err(a, "take off", &a->have[i], r);
			a->have[j++] = a->have[i];
			continue;
		}
		log_info("announce: %s withdrawn from %s (%s)",
			 format_addr(&a->have[i], buf, sizeof(buf)), a->ifname,
			 !in_file(a->c, &a->have[i]) ?
			 "not a service address of the file" :
			 a->c->announce_all ?
			 "a service of it has no server up" :
			 "no service of it has a server up");
	}
	a->nhave = j;
	/* On: what is wanted and not there, after its hold. */
	for (i = 0; i < nwant; i++) {
		if (ep_addr_in(a->have, a->nhave, &a->want[i]))
			continue;
		if (!hold_over(a, &a->want[i], now_ms, &nnext))
			continue;
		r = ifaddr_add(a->ifindex, &a->want[i]);
		if (r && r != -EEXIST) {
			say_err(a, "put", &a->want[i], r);
			continue;
		}
		a->have[a->nhave++] = a->want[i];
		log_info("announce: %s on %s", format_addr(&a->want[i], buf,
							   sizeof(buf)), a->ifname);
	}
	t = a->held;
	a->held = a->held_next;
	a->held_next = t;
	a->nheld = nnext;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *data)
{
	struct announcer *a = data;
	uint64_t now;

	sd_event_now(a->ev, CLOCK_MONOTONIC, &now);
	turn(a, now / 1000 + 1);	/* above 0 (announce_hold_over()) */
	sd_event_source_set_time(s, usec + ANNOUNCER_TURN_MS * 1000ULL);
	sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return 0;
}

struct announcer *announcer_start(sd_event *ev, const struct conf *c,
				  const struct probes *ps)
{
	struct announcer *a = calloc(1, sizeof(*a));

	if (a) {
		a->have = calloc(ANNOUNCER_MAX, sizeof(*a->have));
		a->want = calloc(ANNOUNCER_MAX, sizeof(*a->want));
		a->held = calloc(ANNOUNCER_MAX, sizeof(*a->held));
		a->held_next = calloc(ANNOUNCER_MAX, sizeof(*a->held_next));
	}
	if (!a || !a->have || !a->want || !a->held || !a->held_next) {
		log_info("announce: out of memory");
		goto fail;
	}
	a->ev = ev;
	a->c = c;
	a->ps = ps;
	snprintf(a->ifname, sizeof(a->ifname), "%s", c->announce_if);
	if (sd_event_add_time(ev, &a->timer, CLOCK_MONOTONIC, 0,
			      TIMER_ACCURACY_USEC, on_timer, a) < 0) {
		log_info("announce: cannot set up its timer");
		goto fail;
	}
	log_info("announce: the service addresses on %s while %s of their services can be served, checked every %d ms, after a hold of %u ms",
		 a->ifname, c->announce_all ? "every one" : "one",
		 ANNOUNCER_TURN_MS, c->announce_hold_ms);
	return a;
fail:
	if (a) {
		free(a->have);
		free(a->want);
		free(a->held);
		free(a->held_next);
	}
	free(a);
	return NULL;
}

bool announcer_same(const struct announcer *a, const struct conf *c)
{
	return c->announce_line && !strcmp(a->ifname, c->announce_if);
}

void announcer_kick(struct announcer *a)
{
	if (a)
		sd_event_source_set_time(a->timer, 0);
}

void announcer_stop(struct announcer *a)
{
	char buf[64];
	size_t i, n = 0;
	int ifindex, r;

	if (!a)
		return;
	sd_event_source_disable_unref(a->timer);
	ifindex = if_nametoindex(a->ifname);
	if (ifindex) {
		a->ifindex = ifindex;
		verify(a);
	}
	for (i = 0; ifindex && i < a->nhave; i++) {
		r = ifaddr_del(ifindex, &a->have[i]);
		if (r && r != -EADDRNOTAVAIL)
			log_info("announce: cannot take %s off %s: %s",
				 format_addr(&a->have[i], buf, sizeof(buf)),
				 a->ifname, strerror(-r));
		else
			n++;
	}
	log_info("announce: stopped, %zu addresses withdrawn from %s", n,
		 a->ifname);
	free(a->have);
	free(a->want);
	free(a->down);
	free(a->base);
	free(a->held);
	free(a->held_next);
	free(a);
}

bool announcer_has(const struct announcer *a, const struct endpoint *ep)
{
	return ep_addr_in(a->have, a->nhave, ep);
}
