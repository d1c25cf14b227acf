// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: the barrier (barrier.h).  Pure.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "barrier.h"

#define USEC_PER_MSEC	((uint64_t)1000)
#define JSON_INT_MAX	((uint64_t)INT64_MAX)

/* --- the message -------------------------------------------------------- */

json_t *synced_encode(const struct synced_msg *r)
{
	json_t *m, *peers = json_array();
	size_t i;

	for (i = 0; peers && i < r->npeer; i++)
		if (json_array_append_new(peers, json_integer(r->peer[i]))) {
			json_decref(peers);
			return NULL;
		}
	m = json_pack("{s:s, s:I, s:b, s:o}", "type", "ha_synced",
		      "generation", (json_int_t)r->gen, "synced", r->synced,
		      "peers", peers);
	return m;
}

/* The refusal: @r emptied, the reason in @err. */
static int bad(struct synced_msg *r, char *err, size_t len,
	       const char *fmt, ...)
{
	va_list ap;
	int n;

	memset(r, 0, sizeof(*r));
	n = snprintf(err, len, "ha_synced message: ");
	if (n < 0 || (size_t)n >= len)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, len - n, fmt, ap);
	va_end(ap);
	return -1;
}

int synced_decode(json_t *m, struct synced_msg *r, char *err, size_t errlen)
{
	json_t *g = json_object_get(m, "generation");
	json_t *s = json_object_get(m, "synced");
	json_t *p = json_object_get(m, "peers");
	json_int_t v;
	size_t i, j;

	memset(r, 0, sizeof(*r));
	if (errlen)
		err[0] = '\0';
	if (!json_is_integer(g))
		return bad(r, err, errlen, "generation is missing or not an integer");
	v = json_integer_value(g);
	if (v < 1)
		return bad(r, err, errlen, "generation must be from 1 to 2^63-1");
	r->gen = v;
	if (!json_is_boolean(s))
		return bad(r, err, errlen, "synced is missing or not true or false");
	r->synced = json_is_true(s);
	if (!json_is_array(p))
		return bad(r, err, errlen, "peers is missing or not a list");
	if (json_array_size(p) > SVCGW_HA_NODES_MAX)
		return bad(r, err, errlen, "more than %d peers", SVCGW_HA_NODES_MAX);
	if (r->synced && json_array_size(p))
		return bad(r, err, errlen, "synced, yet %zu peers not synced",
			   json_array_size(p));
	for (i = 0; i < json_array_size(p); i++) {
		json_t *e = json_array_get(p, i);

		if (!json_is_integer(e) || json_integer_value(e) < 1 ||
		    json_integer_value(e) > UINT32_MAX)
			return bad(r, err, errlen,
				   "peers[%zu] is not a node id (1 to 2^32-1)",
				   i);
		r->peer[i] = json_integer_value(e);
		for (j = 0; j < i; j++)
			if (r->peer[j] == r->peer[i])
				return bad(r, err, errlen,
					   "peers[%zu]: node %lu given twice", i,
					   (unsigned long)r->peer[i]);
		r->npeer = i + 1;
	}
	return 0;
}

bool synced_same(const struct synced_msg *a, const struct synced_msg *b)
{
	return a->gen == b->gen && a->synced == b->synced &&
	       a->npeer == b->npeer &&
	       !memcmp(a->peer, b->peer, a->npeer * sizeof(a->peer[0]));
}

/* The kernel's boot time clock (ktime_get_boottime_ns()), in ns. */
static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* --- the agent's decision ------------------------------------------------- */

void synced_base_take(struct synced_base *b, const struct ha_policy *k)
{
	size_t i;

	memset(b, 0, sizeof(*b));
	b->hello_ns = boottime_ns();
	if (k && k->has_sync)
		b->channel = k->sync.channel;
	for (i = 0; k && i < k->nnode && b->n < SVCGW_HA_NODES_MAX; i++) {
		if (!k->node[i].has_peer)
			continue;
		b->id[b->n] = k->node[i].id;
		b->bulks[b->n++] = k->node[i].peer.rx_bulks;
	}
}

/* @id's index in @b, added (no bulk before) if missing; -1 if full. */
static int base_of(struct synced_base *b, uint32_t id)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->id[i] == id)
			return i;
	if (b->n >= SVCGW_HA_NODES_MAX)
		return -1;
	b->id[b->n] = id;
	b->bulks[b->n] = 0;
	b->began[b->n] = false;
	return b->n++;
}

int synced_eval(const struct ha_policy *k, struct synced_base *b,
		struct synced_msg *r)
{
	const struct ha_node *me = NULL;
	size_t i;

	memset(r, 0, sizeof(*r));
	/*
	 * The kernel made its channel anew (a policy that moved this node's
	 * sync address, say): its counters began again from 0, every stream
	 * is new, so any synced from now on counts.
	 */
	if (k->has_sync && k->sync.channel != b->channel) {
		b->channel = k->sync.channel;
		for (i = 0; i < b->n; i++) {
			b->bulks[i] = 0;
			b->began[i] = true;
		}
	}
	for (i = 0; i < k->nnode; i++) {
		const struct ha_node *n = &k->node[i];
		int j;

		if (n->id == k->local)
			me = n;
		if (!n->has_peer)
			continue;
		j = base_of(b, n->id);
		if (j < 0)
			continue;
		/* A bulk began since the hello: the next synced counts. */
		if (!n->peer.synced || n->peer.rx_bulks < b->bulks[j])
			b->began[j] = true;
	}
	if (!k->local || !me || !me->has_state ||
	    me->state != SVCGW_HA_STATE_UP || !me->state_gen)
		return -1;
	r->gen = me->state_gen;
	for (i = 0; i < k->nnode && r->npeer < SVCGW_HA_NODES_MAX; i++) {
		const struct ha_node *n = &k->node[i];
		int j;

		if (!n->has_peer || n->id == k->local ||
		    (n->has_state && n->state == SVCGW_HA_STATE_DOWN))
			continue;
		j = base_of(b, n->id);
		/* Synced by a stream that began after the hello (the kernel
		 * says when), or by a bulk seen begin or counted since.
		 */
		if (n->peer.synced &&
		    ((n->peer.rx_since && n->peer.rx_since >= b->hello_ns) ||
		     j < 0 || b->began[j] || n->peer.rx_bulks > b->bulks[j]))
			continue;
		r->peer[r->npeer++] = n->id;
	}
	r->synced = !r->npeer;
	return 0;
}

/* --- the controller's state machine --------------------------------------- */

enum barrier_to barrier_up(struct barrier *b, struct barrier_stats *st,
			   uint64_t now, uint64_t node_gen, uint64_t ha_gen,
			   uint64_t wait_us)
{
	b->since = now;
	b->node_gen = node_gen;
	b->ha_gen = ha_gen;
	b->reported = false;
	memset(&b->last, 0, sizeof(b->last));
	b->released_ms = 0;
	b->timed_out = false;
	if (!wait_us) {
		b->state = BARRIER_RELEASED;
		b->fwd_up = true;
		b->fwd_ha_gen = ha_gen;
		return BARRIER_TO_ALL;
	}
	b->state = BARRIER_WAITING;
	st->waits++;
	return BARRIER_TO_SERVICING;
}

enum barrier_to barrier_down(struct barrier *b, struct barrier_stats *st,
			     uint64_t ha_gen)
{
	if (b->state == BARRIER_WAITING)
		st->cancelled++;
	b->state = BARRIER_DOWN;
	b->fwd_up = false;
	b->fwd_ha_gen = ha_gen;
	return BARRIER_TO_ALL;
}

static void release(struct barrier *b, uint64_t now)
{
	b->state = BARRIER_RELEASED;
	b->released_ms = (now - b->since) / USEC_PER_MSEC;
	b->fwd_up = true;
	b->fwd_ha_gen = b->ha_gen;
}

static void took(struct barrier_stats *st, uint64_t ms)
{
	st->last_ms = ms;
	if (ms > st->max_ms)
		st->max_ms = ms;
}

enum barrier_verdict barrier_report(struct barrier *b,
				    struct barrier_stats *st, uint64_t now,
				    const struct synced_msg *r)
{
	st->reports++;
	if (b->state == BARRIER_DOWN) {
		st->not_up++;
		return BARRIER_NOT_UP;
	}
	if (r->gen < b->ha_gen) {
		st->stale++;
		return BARRIER_STALE;
	}
	b->reported = true;
	b->last = *r;
	if (b->state != BARRIER_WAITING || !r->synced)
		return BARRIER_NOTED;
	release(b, now);
	st->released++;
	took(st, b->released_ms);
	return BARRIER_RELEASE;
}

uint64_t barrier_deadline(const struct barrier *b, uint64_t wait_us)
{
	return b->state == BARRIER_WAITING ? b->since + wait_us : 0;
}

bool barrier_tick(struct barrier *b, struct barrier_stats *st, uint64_t now,
		  uint64_t wait_us)
{
	if (b->state != BARRIER_WAITING || now < b->since + wait_us)
		return false;
	release(b, now);
	b->timed_out = true;
	st->timeouts++;
	took(st, b->released_ms);
	return true;
}

bool barrier_force(struct barrier *b, uint64_t now)
{
	if (b->state != BARRIER_WAITING)
		return false;
	release(b, now);
	return true;
}

void barrier_fwd_state(const struct barrier *b, uint8_t *state,
		       uint64_t *gen)
{
	*state = b->fwd_up ? SVCGW_HA_STATE_UP : SVCGW_HA_STATE_DOWN;
	*gen = b->fwd_ha_gen;
}

const char *barrier_state_str(const struct barrier *b)
{
	switch (b->state) {
	case BARRIER_WAITING:
		return "waiting";
	case BARRIER_RELEASED:
		return "released";
	default:
		return "down";
	}
}
