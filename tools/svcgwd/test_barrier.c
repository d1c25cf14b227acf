// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the barrier (barrier.c): the ha_synced message made
 * and read, each refusal; the agent's decision from an HA_GET reply (peers
 * down not waited for, a synced flag from before the hello not taken, a
 * new stream object); the controller's state machine per node (held until
 * synced, released by the bound and counted, down cancels, stale and
 * down-node reports ignored, forwarders never see "up" before the release,
 * servicing nodes at once).
 */
#include <string.h>

#include "barrier.h"
#include "../svcgw/tap.h"

#define MS	((uint64_t)1000)
#define WAIT	(30000 * MS)

static json_t *parse(const char *text)
{
	json_error_t e;

	return json_loads(text, 0, &e);
}

/* The messages that must be refused, with what the error says. */
static const struct {
	const char *text, *says;
} bad[] = {
	{ "{\"synced\": true, \"peers\": []}", "generation is missing" },
	{ "{\"generation\": \"7\", \"synced\": true, \"peers\": []}",
	  "generation is missing or not an integer" },
	{ "{\"generation\": 0, \"synced\": true, \"peers\": []}",
	  "generation must be from 1" },
	{ "{\"generation\": -5, \"synced\": true, \"peers\": []}",
	  "generation must be from 1" },
	{ "{\"generation\": 7, \"peers\": []}", "synced is missing" },
	{ "{\"generation\": 7, \"synced\": 1, \"peers\": []}",
	  "synced is missing or not true or false" },
	{ "{\"generation\": 7, \"synced\": false}", "peers is missing" },
	{ "{\"generation\": 7, \"synced\": false, \"peers\": 12}",
	  "peers is missing or not a list" },
	{ "{\"generation\": 7, \"synced\": false, \"peers\": [0]}",
	  "peers[0] is not a node id" },
	{ "{\"generation\": 7, \"synced\": false, \"peers\": [12, 4294967296]}",
	  "peers[1] is not a node id" },
	{ "{\"generation\": 7, \"synced\": false, \"peers\": [12, \"13\"]}",
	  "peers[1] is not a node id" },
	{ "{\"generation\": 7, \"synced\": false, \"peers\": [12, 13, 12]}",
	  "peers[2]: node 12 given twice" },
	{ "{\"generation\": 7, \"synced\": true, \"peers\": [12]}",
	  "synced, yet 1 peers not synced" },
};

static void test_message(void)
{
	struct synced_msg r = { .gen = 1717171717171717, .synced = false,
				.npeer = 2, .peer = { 12, 4294967295u } }, d;
	char err[BARRIER_ERR_MAX];
	json_t *m = synced_encode(&r), *big;
	size_t i;

	ok(m && !strcmp(json_string_value(json_object_get(m, "type")),
			"ha_synced"), "encoded as type ha_synced");
	ok(m && !synced_decode(m, &d, err, sizeof(err)) && synced_same(&r, &d),
	   "read back the same: generation, not synced, peers 12 and 2^32-1 (%s)",
	   err);
	json_decref(m);
	r.synced = true;
	r.npeer = 0;
	m = synced_encode(&r);
	ok(m && !synced_decode(m, &d, err, sizeof(err)) && d.synced &&
	   !d.npeer && synced_same(&r, &d), "synced, no peers: read back");
	d.gen++;
	ok(!synced_same(&r, &d), "a later generation is a change");
	json_decref(m);
	m = parse("{\"generation\": 7, \"synced\": false, \"peers\": [3], \"later\": [1]}");
	ok(!synced_decode(m, &d, err, sizeof(err)) && d.npeer == 1 &&
	   d.peer[0] == 3, "members it does not know are ignored");
	json_decref(m);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = parse(bad[i].text);
		ok(m && synced_decode(m, &d, err, sizeof(err)) == -1 &&
		   strstr(err, bad[i].says) &&
		   !strncmp(err, "ha_synced message: ", 19) && !d.npeer,
		   "refused: %s (%s)", bad[i].text, err);
		json_decref(m);
	}
	big = json_array();
	for (i = 0; i <= SVCGW_HA_NODES_MAX; i++)
		json_array_append_new(big, json_integer(i + 1));
	m = json_pack("{s:I, s:b, s:o}", "generation", (json_int_t)7, "synced",
		      0, "peers", big);
	ok(synced_decode(m, &d, err, sizeof(err)) == -1 &&
	   strstr(err, "more than 256 peers"), "refused: 257 peers (%s)", err);
	json_decref(m);
}

/* A kernel's HA_GET reply: node 11 (local), peers 12, 13, and 14 (none). */
static struct ha_node nodes[4];
static struct ha_policy kernel = { .line = 1, .gen = 5, .local = 11,
				   .node = nodes, .nnode = 4 };

static void peer(size_t i, uint8_t state, bool synced, uint64_t bulks)
{
	nodes[i].has_state = state != SVCGW_HA_STATE_UNKNOWN;
	nodes[i].state = state;
	nodes[i].state_gen = state != SVCGW_HA_STATE_UNKNOWN ? 100 + i : 0;
	nodes[i].has_peer = true;
	nodes[i].peer.synced = synced;
	nodes[i].peer.rx_bulks = bulks;
}

static void test_agent(void)
{
	struct synced_base base;
	struct synced_msg r;

	memset(nodes, 0, sizeof(nodes));
	nodes[0].id = 11;
	nodes[1].id = 12;
	nodes[2].id = 13;
	nodes[3].id = 14;
	/* Before the hello: 12 synced from a stream of before (1 bulk). */
	peer(1, SVCGW_HA_STATE_UP, true, 1);
	peer(2, SVCGW_HA_STATE_UNKNOWN, false, 0);
	synced_base_take(&base, &kernel);
	ok(base.n == 2 && base.id[0] == 12 && base.bulks[0] == 1,
	   "the base: the peers' bulks at the hello");
	ok(synced_eval(&kernel, &base, &r) == -1,
	   "its own state not known: nothing to report");
	nodes[0].has_state = true;
	nodes[0].state = SVCGW_HA_STATE_DOWN;
	nodes[0].state_gen = 90;
	ok(synced_eval(&kernel, &base, &r) == -1,
	   "its own state down (an old notice): nothing to report");
	nodes[0].state = SVCGW_HA_STATE_UP;
	nodes[0].state_gen = 200;
	ok(!synced_eval(&kernel, &base, &r) && r.gen == 200 && !r.synced &&
	   r.npeer == 2 && r.peer[0] == 12 && r.peer[1] == 13,
	   "up at 200: 12's synced flag is from before the hello, 13 (state unknown) not synced: both waited for");
	peer(1, SVCGW_HA_STATE_UP, false, 1);
	ok(!synced_eval(&kernel, &base, &r) && !r.synced && r.npeer == 2,
	   "12 starts its stream again (a bulk begun): not synced");
	peer(1, SVCGW_HA_STATE_UP, true, 2);
	ok(!synced_eval(&kernel, &base, &r) && !r.synced && r.npeer == 1 &&
	   r.peer[0] == 13, "12's bulk ended (2 bulks): only 13 left");
	peer(2, SVCGW_HA_STATE_DOWN, false, 0);
	ok(!synced_eval(&kernel, &base, &r) && r.synced && !r.npeer &&
	   r.gen == 200, "13 down: not waited for: synced at 200");
	peer(2, SVCGW_HA_STATE_UP, false, 0);
	ok(!synced_eval(&kernel, &base, &r) && !r.synced && r.peer[0] == 13,
	   "13 up again: waited for");
	peer(2, SVCGW_HA_STATE_UP, true, 1);
	ok(!synced_eval(&kernel, &base, &r) && r.synced,
	   "13 synced by its first bulk: synced");
	/* 12's stream object made anew (its address moved): counts from 0. */
	peer(1, SVCGW_HA_STATE_UP, false, 0);
	ok(!synced_eval(&kernel, &base, &r) && !r.synced && r.peer[0] == 12,
	   "12's stream made anew: not synced");
	peer(1, SVCGW_HA_STATE_UP, true, 1);
	ok(!synced_eval(&kernel, &base, &r) && r.synced,
	   "  synced by its first bulk, though not above the base's count (1): its bulk was seen begin");
	/* A stale flag: 12 synced from before, its new bulk not seen begin. */
	peer(1, SVCGW_HA_STATE_UP, true, 4);
	peer(2, SVCGW_HA_STATE_UP, true, 3);
	synced_base_take(&base, &kernel);
	ok(!synced_eval(&kernel, &base, &r) && !r.synced && r.npeer == 2,
	   "a new hello: both peers' synced flags are from before it");
	peer(1, SVCGW_HA_STATE_UP, true, 5);
	ok(!synced_eval(&kernel, &base, &r) && !r.synced && r.npeer == 1 &&
	   r.peer[0] == 13, "12's bulk ended between two reads (5 > 4): synced from 12");
	peer(2, SVCGW_HA_STATE_UP, true, 1);
	ok(!synced_eval(&kernel, &base, &r) && r.synced,
	   "13's count fell (3 -> 1: a new stream object, its bulk not seen begin), synced: taken");
	/*
	 * The kernel's channel made anew between two reads (a policy that
	 * moved the sync address): its counters began again, and a bulk
	 * may begin and end between two reads, back to the same count as
	 * the base: the channel's new start time says so.
	 */
	kernel.has_sync = true;
	kernel.sync.channel = 1000;
	peer(1, SVCGW_HA_STATE_UP, true, 1);
	peer(2, SVCGW_HA_STATE_UP, true, 1);
	synced_base_take(&base, &kernel);
	ok(!synced_eval(&kernel, &base, &r) && !r.synced && r.npeer == 2,
	   "a hello with channel 1000: both synced flags from before it");
	kernel.sync.channel = 2000;
	ok(!synced_eval(&kernel, &base, &r) && r.synced && !r.npeer,
	   "channel 2000 (made anew), each peer synced by 1 bulk, the base's count: taken");
	/*
	 * A stream that began after the hello (the kernel's rx_since),
	 * synced, its bulk count the base's: taken.
	 */
	kernel.sync.channel = 2000;
	peer(1, SVCGW_HA_STATE_UP, true, 1);
	peer(2, SVCGW_HA_STATE_UP, true, 1);
	synced_base_take(&base, &kernel);
	nodes[1].peer.rx_since = base.hello_ns - 1;
	nodes[2].peer.rx_since = base.hello_ns + 1;
	ok(!synced_eval(&kernel, &base, &r) && !r.synced && r.npeer == 1 &&
	   r.peer[0] == 12,
	   "13's stream began after the hello (rx_since): synced from it; 12's before: waited for");
	nodes[1].peer.rx_since = 0;
	nodes[2].peer.rx_since = 0;
	kernel.has_sync = false;
	nodes[3].has_peer = false;
	peer(1, SVCGW_HA_STATE_UP, true, 5);
	synced_base_take(&base, NULL);
	ok(base.n == 0 && !synced_eval(&kernel, &base, &r) && r.synced,
	   "no policy at the hello: any bulk counts");
	kernel.local = 0;
	ok(synced_eval(&kernel, &base, &r) == -1,
	   "a forwarder (local 0): never reports");
	kernel.local = 11;
}

/*
 * What the servicing nodes and the forwarders know of a node, as ctl.c
 * sends the notices: the outputs of the state machine only.
 */
struct view {
	bool svc_up, fwd_up;
	uint64_t svc_gen, fwd_gen;
	int fwd_up_early;		/* up at a forwarder before release */
};

static void deliver(struct view *v, const struct barrier *b,
		    enum barrier_to to, bool up, uint64_t gen)
{
	if (to == BARRIER_TO_SERVICING || to == BARRIER_TO_ALL) {
		v->svc_up = up;
		v->svc_gen = gen;
	}
	if (to == BARRIER_TO_ALL || to == BARRIER_TO_FORWARDERS) {
		if (up && b->state == BARRIER_WAITING)
			v->fwd_up_early++;
		v->fwd_up = up;
		v->fwd_gen = gen;
	}
}

static void test_controller(void)
{
	struct barrier b = { 0 };
	struct barrier_stats st = { 0 };
	struct synced_msg r = { 0 };
	struct view v = { 0 };
	enum barrier_to to;
	uint8_t s;
	uint64_t g, t0 = 5000000;

	/* Up at t0, HA generation 300. */
	to = barrier_up(&b, &st, t0, 7, 300, WAIT);
	deliver(&v, &b, to, true, 300);
	ok(to == BARRIER_TO_SERVICING && b.state == BARRIER_WAITING &&
	   v.svc_up && !v.fwd_up && st.waits == 1,
	   "up: to the servicing nodes at once, not to the forwarders");
	barrier_fwd_state(&b, &s, &g);
	ok(s == SVCGW_HA_STATE_DOWN && g == 0,
	   "  the ha message to a forwarder: no up for it (no notice yet)");
	ok(barrier_deadline(&b, WAIT) == t0 + WAIT,
	   "  its deadline: the up plus sync_wait");
	r.gen = 300;
	r.synced = false;
	r.npeer = 1;
	r.peer[0] = 12;
	ok(barrier_report(&b, &st, t0 + 100 * MS, &r) == BARRIER_NOTED &&
	   b.state == BARRIER_WAITING && b.reported && b.last.peer[0] == 12,
	   "a report not synced: kept, still waiting");
	r.gen = 299;
	r.synced = true;
	r.npeer = 0;
	ok(barrier_report(&b, &st, t0 + 200 * MS, &r) == BARRIER_STALE &&
	   b.state == BARRIER_WAITING && st.stale == 1 && !b.last.synced,
	   "a synced report of an older up (299): stale, ignored, counted");
	ok(!barrier_tick(&b, &st, t0 + WAIT - 1, WAIT) &&
	   b.state == BARRIER_WAITING, "no release a microsecond before the bound");
	r.gen = 300;
	ok(barrier_report(&b, &st, t0 + 812 * MS, &r) == BARRIER_RELEASE &&
	   b.state == BARRIER_RELEASED && b.released_ms == 812 &&
	   !b.timed_out && st.released == 1 && st.last_ms == 812,
	   "synced at 300: released after 812 ms, counted");
	deliver(&v, &b, BARRIER_TO_FORWARDERS, true, b.ha_gen);
	ok(v.fwd_up && v.fwd_gen == 300 && !v.fwd_up_early,
	   "  the forwarders get the up with the same HA generation (300)");
	barrier_fwd_state(&b, &s, &g);
	ok(s == SVCGW_HA_STATE_UP && g == 300,
	   "  the ha message to a forwarder: up at 300");
	ok(barrier_report(&b, &st, t0 + 900 * MS, &r) == BARRIER_NOTED &&
	   !barrier_tick(&b, &st, t0 + 2 * WAIT, WAIT) && st.released == 1 &&
	   !st.timeouts, "released: a report again, the bound: nothing more");
	ok(barrier_deadline(&b, WAIT) == 0, "  no deadline once released");

	/* Down, then up again: the bound. */
	to = barrier_down(&b, &st, 310);
	deliver(&v, &b, to, false, 310);
	ok(to == BARRIER_TO_ALL && !v.svc_up && !v.fwd_up &&
	   v.fwd_gen == 310 && !st.cancelled,
	   "down: to everyone at once, not counted as cancelled");
	ok(barrier_report(&b, &st, t0 + WAIT, &r) == BARRIER_NOT_UP &&
	   st.not_up == 1 && b.state == BARRIER_DOWN,
	   "a synced report from a node down: ignored, counted");
	t0 += 60000 * MS;
	to = barrier_up(&b, &st, t0, 9, 320, WAIT);
	deliver(&v, &b, to, true, 320);
	ok(barrier_report(&b, &st, t0 + MS, &r) == BARRIER_STALE &&
	   b.state == BARRIER_WAITING,
	   "up again at 320: the synced report of 300 is stale now");
	ok(!barrier_tick(&b, &st, t0 + WAIT / 2, WAIT) && !v.fwd_up,
	   "  not synced halfway to the bound: still held");
	ok(barrier_tick(&b, &st, t0 + WAIT + 40 * MS, WAIT) &&
	   b.state == BARRIER_RELEASED && b.timed_out && st.timeouts == 1 &&
	   b.released_ms == 30040 && st.max_ms == 30040 && st.released == 1,
	   "the bound: released after 30040 ms, counted as a timeout, not as synced");
	deliver(&v, &b, BARRIER_TO_FORWARDERS, true, b.ha_gen);
	ok(v.fwd_up && v.fwd_gen == 320 && !v.fwd_up_early,
	   "  the forwarders get the up of 320");

	/* Down while waiting: cancelled; no release after. */
	to = barrier_down(&b, &st, 330);
	deliver(&v, &b, to, false, 330);
	t0 += 60000 * MS;
	to = barrier_up(&b, &st, t0, 11, 340, WAIT);
	deliver(&v, &b, to, true, 340);
	to = barrier_down(&b, &st, 350);
	deliver(&v, &b, to, false, 350);
	ok(st.cancelled == 1 && b.state == BARRIER_DOWN && !v.fwd_up &&
	   v.fwd_gen == 350, "down while waiting: cancelled, counted; the forwarders never heard the up");
	r.gen = 340;
	ok(barrier_report(&b, &st, t0 + MS, &r) == BARRIER_NOT_UP &&
	   !barrier_tick(&b, &st, t0 + 2 * WAIT, WAIT) &&
	   b.state == BARRIER_DOWN && st.timeouts == 1 &&
	   barrier_deadline(&b, WAIT) == 0,
	   "  its synced report and the bound after it: nothing");
	ok(v.fwd_gen == 350 && v.svc_gen == 350,
	   "  HA generations at the forwarders only grew: 300, 310, 320, 330, 350");

	/* A report of a later generation than the controller's (the kernel
	 * took a later notice): taken.
	 */
	to = barrier_up(&b, &st, t0, 12, 360, WAIT);
	r.gen = 361;
	ok(barrier_report(&b, &st, t0 + 5 * MS, &r) == BARRIER_RELEASE,
	   "a synced report of a later generation: released");
	ok(!barrier_force(&b, t0 + 6 * MS), "force: nothing when released");
	barrier_down(&b, &st, 370);
	barrier_up(&b, &st, t0, 13, 380, WAIT);
	ok(barrier_force(&b, t0 + 7 * MS) && b.state == BARRIER_RELEASED &&
	   !b.timed_out && st.released == 2 && st.timeouts == 1,
	   "force (left the ha section): released, counted as neither");

	/* sync_wait 0: no barrier. */
	memset(&v, 0, sizeof(v));
	barrier_down(&b, &st, 390);
	to = barrier_up(&b, &st, t0, 14, 400, 0);
	deliver(&v, &b, to, true, 400);
	ok(to == BARRIER_TO_ALL && b.state == BARRIER_RELEASED && v.fwd_up &&
	   !v.fwd_up_early, "sync_wait 0: the up to everyone at once");
	ok(!strcmp(barrier_state_str(&b), "released"), "state names");
}

int main(void)
{
	test_message();
	test_agent();
	test_controller();
	return tap_done();
}
