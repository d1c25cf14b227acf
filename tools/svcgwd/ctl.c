// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: the controller role (ctl.h).
 *
 * Messages (chan.h; every one has "type", "seq" and "node"):
 *
 *   agent -> controller
 *     hello      {set, generation}       the node's kernel's set, on connect
 *     heartbeat  {packets}                every heartbeat; packets matched by
 *                                         the node's policies (load)
 *     applied    {set, generation, unchanged}
 *     refused    {set, generation, error}
 *     ha_applied {generation, unchanged}  the HA policy in its kernel
 *     ha_refused {generation, error}      not: bad, stale or refused
 *     ha_synced  {generation, synced, peers}  a servicing node: whether
 *                                         its kernel is synced from its
 *                                         peers since its up notice
 *                                         (generation: that notice's HA
 *                                         generation; peers: the ids it
 *                                         still waits for), on change and
 *                                         after each connect (barrier.h)
 *   controller -> agent
 *     welcome    {heartbeat_ms, dead_after_ms, node_generation,
 *                 nodes: [{name, state}]}
 *     policy_set {set, generation, reason, text}   text: a set file of
 *                                         "svcgw policy replace"
 *     ha         {generation, local, port, key_id, key, [prev_key_id,
 *                 prev_key], nodes}       the HA policy (hamsg.h), with a
 *                                         file's ha section only
 *     heartbeat  {}
 *     node       {name, state: up|down, generation, why, [ha_generation],
 *                 [held]}                 held: an up the barrier holds
 *                                         from the forwarders (to a
 *                                         servicing node)
 *     ha_removed {generation}             the file has no ha section any
 *                                         more: the kernels' HA policies
 *                                         older than that go
 *     released   {name, generation, ha_generation}  to servicing nodes:
 *                                         the held up of that notice went
 *                                         to the forwarders (takeover.h)
 *
 * A node is up from its hello until its connection ends or nothing came
 * from it for dead_after; each change is a notice to every connected node,
 * with the next node generation, and, for a node of the HA policy, the
 * next HA generation, which the agents give their kernels
 * (SVCGW_CMD_HA_NODE_SET).
 *
 * The barrier (barrier.h): the "up" of a node of the HA policy goes at
 * once to the nodes of the policy (their streams to it start again, with
 * a bulk), and to the other nodes (the forwarders) only when it reported
 * ha_synced with that notice's HA generation or a later one, or after
 * sync_wait (then logged and counted: the barrier timed out); with the
 * same node and HA generations.  A "down" goes to everyone at once and
 * ends a wait.  The ha message and the welcome to a forwarder show a
 * node held so as the forwarders last heard of it.
 *
 * The HA policy: with an ha section the controller makes a sync key (32
 * bytes of RAND_bytes, a random nonzero first id) and sends every agent
 * the policy after its welcome, and to all again when the section changed
 * at a reload, at each key rotation (key_rotation; the key before stays
 * as prev_key for CTL_HA_ROLLOVER_S, or half key_rotation if that is
 * shorter) and when that rollover ends.  Each
 * of these takes the next HA generation: above the last one (kept in the
 * state file) and at least the wall clock in microseconds, so that it
 * grows across restarts with or without the state file.  Keys go over the
 * channel only: never logged, never in the state file (a restart makes a
 * new one).
 *
 * An ha section that goes (at a reload, or between runs: the state file
 * says whether the last run had one) takes the next HA generation as its
 * removal, kept in the state file and sent as "ha_removed" to every node
 * then and after each hello, until a file has an ha section again; the
 * agents remove their kernels' policies older than it (SVCGW_CMD_HA_DEL).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/svcgw.h>
#include <openssl/rand.h>

#include "chan.h"
#include "barrier.h"
#include "cond.h"
#include "ctl.h"
#include "hamsg.h"
#include "log.h"
#include "probe.h"
#include "push.h"
#include "timer.h"

#define USEC_PER_MSEC	((uint64_t)1000)
#define USEC_PER_SEC	((uint64_t)1000000)
#define CTL_HA_ROLLOVER_S	60	/* the key before is kept this long,
					 * or half the rotation if shorter */

struct ctl_conn;

struct ctl_node {
	char name[CONF_NODE_MAX];
	struct ctl_conn *conn;		/* after its hello */
	bool up;
	uint64_t last_rx;		/* usec */
	char set[CONF_SET_NAME_MAX];	/* what its kernel has */
	uint64_t gen;
	uint64_t packets, packets_prev;	/* load */
	uint64_t packets_at;
	bool packets_known;
	uint8_t ha_state;		/* of its last notice, if in ha */
	uint64_t ha_gen;		/* its HA generation, 0: none yet */
	struct barrier bar;		/* if in ha: its up to the forwarders */
	char up_why[96];		/* its last up notice's why */
};

struct ctl_conn {
	struct ctl *t;
	struct ctl_conn *next;
	struct chan ch;
	sd_event_source *io;
	char addr[INET6_ADDRSTRLEN + 8];
	int node;			/* index, -1 before its hello */
	uint64_t started;		/* usec */
	bool dead;
};

/* The destinations of the sets, as services and servers for probe.c. */
struct dests {
	struct conf pseudo;		/* checks borrowed from the file */
	int *set_of;			/* per pseudo service: its set */
};

struct ctl {
	sd_event *ev;
	const struct conf *c;
	const char *state_file;
	struct chan_tls tls;
	int lfd, opfd;
	sd_event_source *listen, *tick, *op;
	char op_path[108];		/* the operator's socket */
	struct ctl_node *node;
	size_t nnode;
	struct ctl_conn *conns;
	struct dests d;
	struct probes probes;
	struct selector sel;
	bool operator_on[COND_SETS_MAX];
	int active;			/* -1: none decided */
	uint64_t gen;			/* of the active set */
	uint64_t gen_seen;		/* the highest a node reported */
	char digest[PUSH_DIGEST_LEN];
	char reason[COND_WHY_MAX];
	char *text;			/* the active set's, as pushed */
	uint64_t settle_until;		/* usec: first probe rounds */
	uint64_t node_gen;
	uint64_t started;
	/* The HA policy (c->ha.line): its keys, generation, timers. */
	struct ha_keys keys;
	uint64_t ha_gen;		/* of the policy */
	uint64_t ha_last;		/* the last HA generation given */
	uint64_t ha_removed;		/* the section's removal, 0: none */
	bool ha_had;			/* the last run had an ha section */
	uint64_t rotate_at, drop_prev_at;	/* usec, 0: never */
	sd_event_source *bar_timer;	/* the next barrier deadline */
	struct barrier_stats bst;
	unsigned long refused[CHAN_ERR_COUNT];
	unsigned long not_a_node, switches, pushes, applied, unchanged,
		      apply_refused, notices, ha_pushes, ha_applied,
		      ha_unchanged, ha_refused, rotations, ha_removals;
};

static uint64_t now_usec(struct ctl *t)
{
	uint64_t now;

	sd_event_now(t->ev, CLOCK_MONOTONIC, &now);
	return now;
}

/* --- the state file ------------------------------------------------------ */

static void state_save(struct ctl *t)
{
	char tmp[CONF_PATH_MAX + 8];
	json_t *j, *ops;
	size_t i;

	if (!t->state_file)
		return;
	ops = json_array();
	for (i = 0; i < t->c->npset && i < COND_SETS_MAX; i++)
		if (t->operator_on[i])
			json_array_append_new(ops, json_string(t->c->pset[i].name));
	j = json_pack("{s:s, s:I, s:s, s:I, s:o, s:I, s:b, s:I}", "set",
		      t->active >= 0 ? t->c->pset[t->active].name : "",
		      "generation", (json_int_t)t->gen, "digest", t->digest,
		      "node_generation", (json_int_t)t->node_gen,
		      "operator", ops, "ha_generation",
		      (json_int_t)t->ha_last, "ha", t->c->ha.line != 0,
		      "ha_removed", (json_int_t)t->ha_removed);
	snprintf(tmp, sizeof(tmp), "%s.tmp", t->state_file);
	if (!j || json_dump_file(j, tmp, JSON_COMPACT) ||
	    rename(tmp, t->state_file))
		log_info("cannot write the state file %s: %s", t->state_file,
			 strerror(errno));
	json_decref(j);
}

/* The set, generation and digest of the last run: 0, or -1 (none). */
static int state_load(struct ctl *t, char *set, uint64_t *gen, char *digest)
{
	json_error_t e;
	json_t *j;
	const char *s, *d;
	json_int_t g, ng = 0, hg = 0, hr = 0;
	int had = 0;
	json_t *ops = NULL, *o;
	size_t i;
	int ret = -1;

	if (!t->state_file)
		return -1;
	j = json_load_file(t->state_file, 0, &e);
	if (!j) {
		if (access(t->state_file, F_OK) == 0)
			log_info("%s:%d: %s: ignored", t->state_file, e.line,
				 e.text);
		return -1;
	}
	if (!json_unpack(j, "{s:s, s:I, s:s, s?:I, s?:o, s?:I, s?:b, s?:I}",
			 "set", &s, "generation", &g, "digest", &d,
			 "node_generation", &ng, "operator", &ops,
			 "ha_generation", &hg, "ha", &had, "ha_removed", &hr) &&
	    g >= 0 && ng >= 0 && hg >= 0 && hr >= 0 &&
	    strlen(s) < CONF_SET_NAME_MAX && strlen(d) < PUSH_DIGEST_LEN) {
		t->node_gen = ng;
		t->ha_last = hg;
		t->ha_had = had;
		t->ha_removed = hr;
		/* The operator's choices hold across restarts. */
		json_array_foreach(ops, i, o) {
			int idx = conf_pset_find(t->c, json_string_value(o) ?
						 json_string_value(o) : "");

			if (idx >= 0 && idx < COND_SETS_MAX)
				t->operator_on[idx] = true;
		}
		strcpy(set, s);
		*gen = g;
		strcpy(digest, d);
		ret = 0;
	} else {
		log_info("%s: not a state file of svcgwd: ignored",
			 t->state_file);
	}
	json_decref(j);
	return ret;
}

/* --- sending --------------------------------------------------------------- */

static void conn_drop(struct ctl_conn *k, const char *why);

static void conn_update_io(struct ctl_conn *k)
{
	short ev = chan_events(&k->ch);

	sd_event_source_set_io_events(k->io, (ev & POLLIN ? EPOLLIN : 0) |
				      (ev & POLLOUT ? EPOLLOUT : 0));
}

static void conn_send(struct ctl_conn *k, json_t *m)
{
	int r;

	if (k->dead || !k->ch.up) {
		json_decref(m);
		return;
	}
	r = chan_send(&k->ch, m);
	if (r != CHAN_OK && r != CHAN_AGAIN) {
		conn_drop(k, chan_strerror(r));
		return;
	}
	conn_update_io(k);
}

static void send_set(struct ctl *t, struct ctl_conn *k)
{
	const struct conf_pset *ps = &t->c->pset[t->active];

	t->pushes++;
	conn_send(k, json_pack("{s:s, s:s, s:I, s:s, s:s}", "type",
			       "policy_set", "set", ps->name, "generation",
			       (json_int_t)t->gen, "reason", t->reason,
			       "text", t->text));
}

/* --- the HA policy ---------------------------------------------------------- */

/* The next HA generation (ha_gen_next()), kept in the state file. */
static uint64_t ha_next(struct ctl *t)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	t->ha_last = ha_gen_next(t->ha_last, (uint64_t)ts.tv_sec *
				 USEC_PER_SEC + ts.tv_nsec / 1000);
	state_save(t);
	return t->ha_last;
}

/* A new current key in @k, the one before its previous: 0, or -1. */
static int ha_new_key(struct ha_keys *k)
{
	uint8_t fresh[SVCGW_HA_KEY_LEN];
	uint32_t first;

	if (RAND_bytes(fresh, sizeof(fresh)) != 1 ||
	    RAND_bytes((unsigned char *)&first, sizeof(first)) != 1) {
		explicit_bzero(fresh, sizeof(fresh));
		log_info("cannot make a sync key: OpenSSL's RAND_bytes failed");
		return -1;
	}
	ha_keys_roll(k, fresh, first ? first : 1);
	return 0;
}

/* The next rotation key_rotation from now (0: never). */
static void ha_arm(struct ctl *t)
{
	uint32_t s = t->c->ha.key_rotation_s;

	t->rotate_at = s ? now_usec(t) + s * USEC_PER_SEC : 0;
}

/* The policy to @k's node, its own id as local (0: a forwarder). */
static void send_ha(struct ctl *t, struct ctl_conn *k)
{
	struct hamsg_state st[CONF_NODES_MAX];
	const struct conf_ha *ha = &t->c->ha;
	uint32_t local = ha_local_id(ha, t->node[k->node].name);
	json_t *m;
	size_t i;

	for (i = 0; i < ha->nnode && i < CONF_NODES_MAX; i++) {
		const struct ctl_node *n = &t->node[ha->node[i].node];

		st[i].state = n->ha_state;
		st[i].gen = n->ha_gen;
		/* A servicing node: held (its full NAT address stays with
		 * its backup); a forwarder: as the forwarders know it.
		 */
		st[i].held = local && n->bar.state == BARRIER_WAITING;
		if (!local && n->bar.state == BARRIER_WAITING)
			barrier_fwd_state(&n->bar, &st[i].state, &st[i].gen);
	}
	m = hamsg_encode(ha, &t->keys, t->ha_gen, local, st);
	if (!m) {
		log_info("out of memory for the HA policy to node %s",
			 t->node[k->node].name);
		return;
	}
	t->ha_pushes++;
	json_incref(m);
	conn_send(k, m);
	/* The keys' hex, wiped before jansson frees it. */
	hamsg_wipe(m);
	json_decref(m);
}

/* The policy with the next HA generation to every node that said hello. */
static void push_ha(struct ctl *t, const char *why)
{
	struct ctl_conn *k;
	char prev[32] = "";
	size_t n = 0;

	t->ha_gen = ha_next(t);
	for (k = t->conns; k; k = k->next) {
		if (k->dead || k->node < 0)
			continue;
		send_ha(t, k);
		n++;
	}
	if (t->keys.has_prev)
		snprintf(prev, sizeof(prev), ", previous key id %" PRIu32,
			 t->keys.prev_key_id);
	log_info("HA policy generation %" PRIu64 " (key id %" PRIu32 "%s, %zu nodes): %s; sent to %zu connected nodes",
		 t->ha_gen, t->keys.key_id, prev, t->c->ha.nnode, why, n);
}

/* The ha section's removal to @k's node. */
static void send_ha_removed(struct ctl *t, struct ctl_conn *k)
{
	t->ha_removals++;
	conn_send(k, json_pack("{s:s, s:I}", "type", "ha_removed",
			       "generation", (json_int_t)t->ha_removed));
}

/* The ha section went: its removal, with the next HA generation, to
 * every node that said hello.
 */
static void remove_ha(struct ctl *t, const char *why)
{
	struct ctl_conn *k;
	size_t n = 0;

	t->ha_removed = ha_next(t);
	state_save(t);
	for (k = t->conns; k; k = k->next) {
		if (k->dead || k->node < 0)
			continue;
		send_ha_removed(t, k);
		n++;
	}
	log_info("HA policy removal generation %" PRIu64 ": %s; sent to %zu connected nodes (their kernels' HA policies go; no key rotation, no HA generation in node notices)",
		 t->ha_removed, why, n);
}

/* At every tick: the key's rotation, the end of its rollover. */
static void ha_tick(struct ctl *t, uint64_t now)
{
	uint32_t rotation = t->c->ha.key_rotation_s;
	uint32_t rollover = rotation / 2 < CTL_HA_ROLLOVER_S ? rotation / 2 :
			    CTL_HA_ROLLOVER_S;

	if (!t->c->ha.line)
		return;
	if (t->rotate_at && now >= t->rotate_at) {
		t->rotate_at = now + rotation * USEC_PER_SEC;
		if (ha_new_key(&t->keys))
			return;	/* again at the next rotation */
		t->rotations++;
		t->drop_prev_at = now + rollover * USEC_PER_SEC;
		push_ha(t, "key rotation");
		return;
	}
	if (t->keys.has_prev && t->drop_prev_at && now >= t->drop_prev_at) {
		t->drop_prev_at = 0;
		ha_keys_drop_prev(&t->keys);
		push_ha(t, "the key rollover ended: the previous key goes");
	}
}

/* Whether node @i is in the ha section (a servicing node). */
static bool ha_node(const struct ctl *t, size_t i)
{
	return t->c->ha.line && conf_ha_find(t->c, t->node[i].name) >= 0;
}

/* Whether @k's node is one that the barrier holds notices from: a
 * forwarder (not in the ha section) of a controller with one.
 */
static bool conn_fwd(const struct ctl *t, const struct ctl_conn *k)
{
	return k->node >= 0 && !ha_node(t, k->node);
}

static uint64_t sync_wait_us(const struct ctl *t)
{
	return t->c->ha.sync_wait_ms * USEC_PER_MSEC;
}

/* The names of the HA node ids of @r, for the logs. */
static const char *peer_names(const struct ctl *t, const struct synced_msg *r,
			      char *buf, size_t len)
{
	size_t i, j, n = 0;

	buf[0] = '\0';
	for (i = 0; i < r->npeer && n < len; i++) {
		const char *name = "?";

		for (j = 0; j < t->c->ha.nnode; j++)
			if (t->c->ha.node[j].id == r->peer[i])
				name = t->c->ha.node[j].name;
		n += snprintf(buf + n, len - n, "%s%s (%" PRIu32 ")",
			      i ? ", " : "", name, r->peer[i]);
	}
	return buf;
}

/* The barrier's timer at the first deadline of a waiting node, if any. */
static void barrier_arm(struct ctl *t)
{
	uint64_t first = 0, d;
	size_t i;

	if (!t->bar_timer)
		return;
	for (i = 0; i < t->nnode; i++) {
		d = barrier_deadline(&t->node[i].bar, sync_wait_us(t));
		if (d && (!first || d < first))
			first = d;
	}
	if (!first) {
		sd_event_source_set_enabled(t->bar_timer, SD_EVENT_OFF);
		return;
	}
	sd_event_source_set_time(t->bar_timer, first);
	sd_event_source_set_enabled(t->bar_timer, SD_EVENT_ONESHOT);
}

/* The node notice of @n's state @up with its generations, to @k; @held:
 * an up the barrier holds from the forwarders (to a servicing node).
 */
static void send_notice(struct ctl_conn *k, const struct ctl_node *n, bool up,
			uint64_t node_gen, uint64_t ha_gen, const char *why,
			bool held)
{
	json_t *m = json_pack("{s:s, s:s, s:s, s:I, s:s}", "type", "node",
			      "name", n->name, "state", up ? "up" : "down",
			      "generation", (json_int_t)node_gen, "why", why);

	if (m && ha_gen)
		json_object_set_new(m, "ha_generation", json_integer(ha_gen));
	if (m && held)
		json_object_set_new(m, "held", json_true());
	conn_send(k, m);
}

/* Node @i's held up to the forwarders now (the barrier released it). */
static void release(struct ctl *t, size_t i, const char *how)
{
	struct ctl_node *n = &t->node[i];
	const struct barrier *b = &n->bar;
	char why[sizeof(n->up_why) + 128];
	struct ctl_conn *k;
	size_t sent = 0;

	snprintf(why, sizeof(why), "%s; %s after %" PRIu64 " ms", n->up_why,
		 how, b->released_ms);
	for (k = t->conns; k; k = k->next) {
		if (k->dead || k->node < 0)
			continue;
		if (!conn_fwd(t, k)) {
			/* The servicing nodes: its full NAT address goes
			 * back to it (takeover.h).
			 */
			conn_send(k, json_pack("{s:s, s:s, s:I, s:I}", "type",
					       "released", "name", n->name,
					       "generation",
					       (json_int_t)b->node_gen,
					       "ha_generation",
					       (json_int_t)b->ha_gen));
			continue;
		}
		send_notice(k, n, true, b->node_gen, b->ha_gen, why, false);
		sent++;
	}
	log_info("node %s up to the forwarders (node generation %" PRIu64 ", HA generation %" PRIu64 "): %s; sent to %zu connected forwarders",
		 n->name, b->node_gen, b->ha_gen, why, sent);
	barrier_arm(t);
}

static int on_barrier_timer(sd_event_source *s, uint64_t usec, void *data)
{
	struct ctl *t = data;
	char how[128 + 16 * CONF_NODE_MAX], names[16 * CONF_NODE_MAX];
	size_t i;

	(void)s;
	(void)usec;
	usec = now_usec(t);
	for (i = 0; i < t->nnode; i++) {
		struct barrier *b = &t->node[i].bar;

		if (!barrier_tick(b, &t->bst, usec, sync_wait_us(t)))
			continue;
		if (b->reported)
			peer_names(t, &b->last, names, sizeof(names));
		snprintf(how, sizeof(how),
			 "NOT synced (sync_wait %" PRIu32 " ms: the barrier timed out; not synced from: %s)",
			 t->c->ha.sync_wait_ms, b->reported ? names :
			 "no report from it");
		release(t, i, how);
	}
	barrier_arm(t);
	return 0;
}

static void notice(struct ctl *t, size_t i, bool up, const char *why)
{
	struct ctl_node *n = &t->node[i];
	bool ha = ha_node(t, i);
	enum barrier_to to = BARRIER_TO_ALL;
	char hagen[48] = "", held[96] = "";
	struct ctl_conn *k;

	if (n->up == up)
		return;
	n->up = up;
	t->node_gen++;
	t->notices++;
	state_save(t);
	/* A node not in ha now has no HA state: none goes with the policy
	 * if it joins ha at a reload (its kernel state stays as it is).
	 */
	n->ha_gen = 0;
	if (ha) {
		n->ha_state = up ? SVCGW_HA_STATE_UP : SVCGW_HA_STATE_DOWN;
		n->ha_gen = ha_next(t);
		snprintf(hagen, sizeof(hagen), ", HA generation %" PRIu64,
			 n->ha_gen);
		snprintf(n->up_why, sizeof(n->up_why), "%s", why);
		to = up ? barrier_up(&n->bar, &t->bst, now_usec(t), t->node_gen,
				     n->ha_gen, sync_wait_us(t)) :
			  barrier_down(&n->bar, &t->bst, n->ha_gen);
		if (to == BARRIER_TO_SERVICING)
			snprintf(held, sizeof(held),
				 "; to the forwarders once it is synced (sync_wait %" PRIu32 " ms)",
				 t->c->ha.sync_wait_ms);
	}
	log_info("node %s %s (node generation %" PRIu64 "%s): %s%s", n->name,
		 up ? "up" : "down", t->node_gen, hagen, why, held);
	for (k = t->conns; k; k = k->next) {
		if (k->node < 0 || (to == BARRIER_TO_SERVICING && conn_fwd(t, k)))
			continue;
		send_notice(k, n, up, t->node_gen, ha ? n->ha_gen : 0, why,
			    to == BARRIER_TO_SERVICING);
	}
	if (ha)
		barrier_arm(t);
}

/* An ha_synced report from node @i. */
static void on_synced(struct ctl *t, size_t i, json_t *m)
{
	struct ctl_node *n = &t->node[i];
	char err[BARRIER_ERR_MAX], names[16 * CONF_NODE_MAX];
	struct synced_msg r;

	if (synced_decode(m, &r, err, sizeof(err))) {
		t->bst.reports++;
		log_info("node %s: %s: ignored", n->name, err);
		return;
	}
	if (!ha_node(t, i)) {
		t->bst.reports++;
		log_info("node %s reports synced %s (HA generation %" PRIu64 "), but it is not in the ha section: ignored",
			 n->name, r.synced ? "yes" : "no", r.gen);
		return;
	}
	switch (barrier_report(&n->bar, &t->bst, now_usec(t), &r)) {
	case BARRIER_RELEASE:
		release(t, i, "synced from its peers");
		break;
	case BARRIER_STALE:
		log_info("node %s reports synced %s for HA generation %" PRIu64 ", older than its up (%" PRIu64 "): ignored",
			 n->name, r.synced ? "yes" : "no", r.gen, n->bar.ha_gen);
		break;
	case BARRIER_NOT_UP:
		log_info("node %s reports synced %s, but it is down: ignored",
			 n->name, r.synced ? "yes" : "no");
		break;
	default:
		if (r.synced)
			log_info("node %s synced from its peers (HA generation %" PRIu64 ")",
				 n->name, r.gen);
		else
			log_info("node %s not yet synced from %s (HA generation %" PRIu64 ")",
				 n->name, peer_names(t, &r, names, sizeof(names)),
				 r.gen);
	}
}

/* --- connections ----------------------------------------------------------- */

static void conn_free(struct ctl_conn *k)
{
	struct ctl_conn **pp;

	for (pp = &k->t->conns; *pp; pp = &(*pp)->next) {
		if (*pp == k) {
			*pp = k->next;
			break;
		}
	}
	sd_event_source_disable_unref(k->io);
	chan_close(&k->ch);
	free(k);
}

/*
 * End @k: its node (if it had said hello) goes down.  The connection is
 * freed at once unless we are inside its own handler (then on return).
 */
static void conn_drop(struct ctl_conn *k, const char *why)
{
	struct ctl *t = k->t;
	char buf[COND_WHY_MAX + 64];

	if (k->dead)
		return;
	k->dead = true;
	if (k->node >= 0 && t->node[k->node].conn == k) {
		t->node[k->node].conn = NULL;
		snprintf(buf, sizeof(buf), "its connection ended (%s)", why);
		notice(t, k->node, false, buf);
	}
	sd_event_source_set_enabled(k->io, SD_EVENT_OFF);
}

static int find_node(struct ctl *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nnode; i++)
		if (!strcmp(t->node[i].name, name))
			return i;
	return -1;
}

static void on_hello(struct ctl_conn *k, json_t *m)
{
	struct ctl *t = k->t;
	struct ctl_node *n;
	const char *set = "";
	json_int_t gen = 0;
	json_t *nodes;
	size_t i;
	int idx = find_node(t, k->ch.peer);

	json_unpack(m, "{s?:s, s?:I}", "set", &set, "generation", &gen);
	if (idx < 0)
		return;	/* checked at the handshake */
	n = &t->node[idx];
	if (n->conn && n->conn != k)
		conn_drop(n->conn, "replaced by a new connection");
	n->conn = k;
	k->node = idx;
	n->last_rx = now_usec(t);
	snprintf(n->set, sizeof(n->set), "%s", set);
	n->gen = gen;
	n->packets_known = false;
	if ((uint64_t)gen > t->gen_seen)
		t->gen_seen = gen;
	log_info("node %s connected from %s: its kernel has set %s generation %" PRIu64,
		 n->name, k->addr, set[0] ? set : "(none)", (uint64_t)gen);
	notice(t, idx, true, "hello");
	nodes = json_array();
	for (i = 0; i < t->nnode; i++) {
		/* To a forwarder, a node the barrier holds is not up yet. */
		bool up = t->node[i].up &&
			  !(conn_fwd(t, k) &&
			    t->node[i].bar.state == BARRIER_WAITING);

		json_array_append_new(nodes, json_pack("{s:s, s:s}", "name",
			t->node[i].name, "state", up ? "up" : "down"));
	}
	conn_send(k, json_pack("{s:s, s:I, s:I, s:I, s:o}", "type", "welcome",
			       "heartbeat_ms", (json_int_t)t->c->heartbeat_ms,
			       "dead_after_ms",
			       (json_int_t)t->c->dead_after_ms,
			       "node_generation", (json_int_t)t->node_gen,
			       "nodes", nodes));
	if (t->active >= 0 &&
	    (strcmp(n->set, t->c->pset[t->active].name) || n->gen != t->gen))
		send_set(t, k);
	if (t->c->ha.line)
		send_ha(t, k);
	else if (t->ha_removed)
		send_ha_removed(t, k);
}

static void on_message(struct ctl_conn *k, json_t *m)
{
	struct ctl *t = k->t;
	const char *type = json_string_value(json_object_get(m, "type"));
	struct ctl_node *n;
	const char *set = "", *err = "";
	json_int_t gen = 0, packets = 0;
	int unchanged = 0;

	if (!strcmp(type, "hello")) {
		on_hello(k, m);
		return;
	}
	if (k->node < 0) {
		t->refused[-CHAN_E_GARBAGE]++;
		conn_drop(k, "a message before its hello");
		return;
	}
	n = &t->node[k->node];
	n->last_rx = now_usec(t);
	if (!strcmp(type, "heartbeat")) {
		if (!json_unpack(m, "{s:I}", "packets", &packets)) {
			n->packets_prev = n->packets_known ? n->packets :
					  (uint64_t)packets;
			n->packets = packets;
			n->packets_at = n->last_rx;
			n->packets_known = true;
		}
	} else if (!strcmp(type, "applied")) {
		json_unpack(m, "{s:s, s:I, s?:b}", "set", &set, "generation",
			    &gen, "unchanged", &unchanged);
		snprintf(n->set, sizeof(n->set), "%s", set);
		n->gen = gen;
		if (unchanged)
			t->unchanged++;
		else
			t->applied++;
		log_info("node %s has set %s generation %" PRIu64 "%s", n->name,
			 set, (uint64_t)gen,
			 unchanged ? " (it had it already: nothing moved)" : "");
	} else if (!strcmp(type, "refused")) {
		json_unpack(m, "{s:s, s:I, s:s}", "set", &set, "generation",
			    &gen, "error", &err);
		t->apply_refused++;
		log_info("node %s refused set %s generation %" PRIu64 ": %s",
			 n->name, set, (uint64_t)gen, err);
	} else if (!strcmp(type, "ha_applied")) {
		json_unpack(m, "{s:I, s?:b}", "generation", &gen, "unchanged",
			    &unchanged);
		if (unchanged)
			t->ha_unchanged++;
		else
			t->ha_applied++;
		if (!t->c->ha.line && t->ha_removed &&
		    (uint64_t)gen == t->ha_removed)
			log_info("node %s has no HA policy (removal generation %" PRIu64 ")%s",
				 n->name, (uint64_t)gen,
				 unchanged ? " (it had none)" : "");
		else
			log_info("node %s has HA policy generation %" PRIu64 "%s",
				 n->name, (uint64_t)gen,
				 unchanged ? " (it had it already)" : "");
	} else if (!strcmp(type, "ha_synced")) {
		on_synced(t, k->node, m);
	} else if (!strcmp(type, "ha_refused")) {
		json_unpack(m, "{s?:I, s?:s}", "generation", &gen, "error",
			    &err);
		t->ha_refused++;
		log_info("node %s did not install HA policy generation %" PRIu64 ": %s",
			 n->name, (uint64_t)gen, err);
	}
}

static int on_conn_io(sd_event_source *s, int fd, uint32_t revents,
		      void *data)
{
	struct ctl_conn *k = data;
	struct ctl *t = k->t;
	json_t *m;
	int r;

	(void)s;
	(void)fd;
	(void)revents;
	if (!k->ch.up) {
		r = chan_handshake(&k->ch);
		if (r == CHAN_OK && find_node(t, k->ch.peer) < 0) {
			t->not_a_node++;
			t->refused[-CHAN_E_AUTH]++;
			log_info("refused a connection from %s: \"%s\" is not a node of this controller",
				 k->addr, k->ch.peer);
			conn_drop(k, "not a node");
		} else if (r != CHAN_OK && r != CHAN_AGAIN) {
			t->refused[-r]++;
			log_info("refused a connection from %s: %s (%s)",
				 k->addr, chan_strerror(r), k->ch.why);
			conn_drop(k, chan_strerror(r));
		}
	}
	while (!k->dead && k->ch.up) {
		r = chan_recv(&k->ch, &m);
		if (r == CHAN_AGAIN)
			break;
		if (r == CHAN_OK) {
			on_message(k, m);
			json_decref(m);
			continue;
		}
		if (r != CHAN_CLOSED) {
			t->refused[-r]++;
			log_info("connection of %s from %s ended: %s (%s)",
				 k->ch.peer, k->addr, chan_strerror(r),
				 k->ch.why);
		}
		conn_drop(k, r == CHAN_CLOSED ? "closed" : chan_strerror(r));
	}
	if (!k->dead && k->ch.up) {
		r = chan_flush(&k->ch);
		if (r != CHAN_OK && r != CHAN_AGAIN)
			conn_drop(k, chan_strerror(r));
	}
	if (k->dead)
		conn_free(k);
	else
		conn_update_io(k);
	return 0;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents,
		     void *data)
{
	struct ctl *t = data;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct ctl_conn *k;
	char a[INET6_ADDRSTRLEN];
	int cfd;

	(void)s;
	(void)revents;
	while ((cfd = accept4(fd, (struct sockaddr *)&ss, &len,
			      SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		k = calloc(1, sizeof(*k));
		if (!k || chan_init(&k->ch, &t->tls, cfd, t->c->node, NULL)) {
			log_info("out of memory for a connection");
			free(k);
			close(cfd);
			continue;
		}
		k->t = t;
		k->node = -1;
		k->started = now_usec(t);
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (void *)&ss;

			inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
			snprintf(k->addr, sizeof(k->addr), "[%s]:%u", a,
				 ntohs(s6->sin6_port));
		} else {
			struct sockaddr_in *s4 = (void *)&ss;

			inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
			snprintf(k->addr, sizeof(k->addr), "%s:%u", a,
				 ntohs(s4->sin_port));
		}
		if (sd_event_add_io(t->ev, &k->io, cfd, EPOLLIN, on_conn_io,
				    k) < 0) {
			chan_close(&k->ch);
			free(k);
			continue;
		}
		k->next = t->conns;
		t->conns = k;
		len = sizeof(ss);
	}
	return 0;
}

/* --- destinations and the choice of set ------------------------------------ */

static void dests_free(struct dests *d)
{
	size_t i;

	for (i = 0; i < d->pseudo.nsvc; i++)
		free(d->pseudo.svc[i].srv);
	free(d->pseudo.svc);
	free(d->set_of);
	memset(d, 0, sizeof(*d));
}

/* One pseudo service per group, its destinations the servers. */
static int dests_build(struct dests *d, const struct conf *c)
{
	size_t i, j, k, n = 0;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < c->npset; i++)
		n += c->pset[i].ngroup;
	d->pseudo.svc = calloc(n + 1, sizeof(*d->pseudo.svc));
	d->set_of = calloc(n + 1, sizeof(*d->set_of));
	if (!d->pseudo.svc || !d->set_of)
		goto nomem;
	d->pseudo.check = c->check;
	d->pseudo.ncheck = c->ncheck;
	for (i = 0; i < c->npset; i++) {
		for (j = 0; j < c->pset[i].ngroup; j++) {
			const struct conf_pgroup *g = &c->pset[i].group[j];
			struct conf_service *s = &d->pseudo.svc[d->pseudo.nsvc];

			s->srv = calloc(g->ndest + 1, sizeof(*s->srv));
			if (!s->srv)
				goto nomem;
			s->proto = IPPROTO_TCP;
			s->line = g->line;
			if (g->ndest)
				s->ep = g->dest[0].ep;
			for (k = 0; k < g->ndest; k++) {
				s->srv[k].ep = g->dest[k].ep;
				s->srv[k].line = g->dest[k].line;
				s->srv[k].check = g->check;
			}
			s->nsrv = g->ndest;
			d->set_of[d->pseudo.nsvc++] = i;
		}
	}
	return 0;
nomem:
	dests_free(d);
	log_info("out of memory for the destinations");
	return -1;
}

static void on_dest_changed(struct probe *p, bool up, uint64_t ms,
			    const char *why, void *arg)
{
	struct ctl *t = arg;
	char a[EP_STRLEN];
	int set = t->d.set_of[p->svc - t->d.pseudo.svc];

	if (up)
		log_info("destination %s of set %s: up after %" PRIu64 " ms (check %s: %u successes in a row)",
			 format_addr(&p->srv->ep, a, sizeof(a)),
			 t->c->pset[set].name, ms, p->ck->name, p->ck->rise);
	else
		log_info("destination %s of set %s: down after %" PRIu64 " ms (check %s: %u failures in a row, last: %s)",
			 format_addr(&p->srv->ep, a, sizeof(a)),
			 t->c->pset[set].name, ms, p->ck->name, p->ck->fall,
			 why);
	/* The next tick decides. */
}

/* Health per set (a destination without a check counts healthy). */
static void inputs(struct ctl *t, struct cond_input *in)
{
	const struct conf *c = t->c;
	uint64_t now = now_usec(t), rate = 0;
	size_t i, j, g = 0;
	time_t wall = time(NULL);
	struct tm tm;

	memset(in, 0, sizeof(*in));
	for (i = 0; i < c->npset && i < COND_SETS_MAX; i++)
		for (j = 0; j < c->pset[i].ngroup; j++, g++) {
			in->total[i] += c->pset[i].group[j].ndest;
			if (c->pset[i].group[j].check < 0)
				in->healthy[i] += c->pset[i].group[j].ndest;
		}
	for (i = 0; i < t->probes.n; i++) {
		struct probe *p = &t->probes.p[i];
		int set = t->d.set_of[p->svc - t->d.pseudo.svc];

		if (set < COND_SETS_MAX && p->h.up)
			in->healthy[set]++;
	}
	/* Load: packets per second over the nodes' last two heartbeats. */
	for (i = 0; i < t->nnode; i++) {
		struct ctl_node *n = &t->node[i];

		if (n->up && n->packets_known && n->packets >= n->packets_prev &&
		    now - n->packets_at < 3 * c->dead_after_ms * USEC_PER_MSEC)
			rate += (n->packets - n->packets_prev) * 1000 /
				(c->heartbeat_ms ? c->heartbeat_ms : 1);
	}
	in->rate = rate;
	localtime_r(&wall, &tm);
	in->minute = tm.tm_hour * 60 + tm.tm_min;
	memcpy(in->operator_on, t->operator_on, sizeof(in->operator_on));
}

/* The set @idx active with generation @gen: its text, pushed to all. */
static int activate(struct ctl *t, int idx, uint64_t gen, const char *why)
{
	const struct conf_pset *ps = &t->c->pset[idx];
	struct ctl_conn *k;
	char *text;

	snprintf(t->reason, sizeof(t->reason), "%s", why);
	text = push_text(t->c, ps, gen, t->reason);
	if (!text || push_digest(t->c, ps, t->digest)) {
		free(text);
		log_info("out of memory for set %s", ps->name);
		return -1;
	}
	free(t->text);
	t->text = text;
	t->active = idx;
	t->gen = gen;
	state_save(t);
	for (k = t->conns; k; k = k->next) {
		struct ctl_node *n;

		if (k->dead || k->node < 0)
			continue;
		n = &t->node[k->node];
		if (strcmp(n->set, ps->name) || n->gen != gen)
			send_set(t, k);
	}
	return 0;
}

static void decide(struct ctl *t)
{
	struct cond_input in;
	char why[COND_WHY_MAX];
	uint64_t now = now_usec(t), gen;
	int idx;

	if (now < t->settle_until)
		return;
	inputs(t, &in);
	idx = selector_eval(&t->sel, &in, (now - t->started) / USEC_PER_MSEC,
			    why, sizeof(why));
	if (idx < 0 || idx == t->active)
		return;
	/* Generations only grow, also on nodes that had sets before. */
	gen = (t->gen > t->gen_seen ? t->gen : t->gen_seen) + 1;
	t->switches++;
	log_info("switch to generation %" PRIu64 ": %s", gen, why);
	activate(t, idx, gen, why);
}

static int on_tick(sd_event_source *s, uint64_t usec, void *data)
{
	struct ctl *t = data;
	struct ctl_conn *k, *next;
	uint64_t dead = t->c->dead_after_ms * USEC_PER_MSEC;
	size_t i;

	sd_event_source_set_time(s, usec + t->c->heartbeat_ms * USEC_PER_MSEC);
	sd_event_source_set_enabled(s, SD_EVENT_ON);
	usec = now_usec(t);	/* not the time it was due: later ones */
	for (i = 0; i < t->nnode; i++) {
		struct ctl_node *n = &t->node[i];

		if (n->up && n->conn && usec - n->last_rx > dead) {
			char why[96];

			snprintf(why, sizeof(why),
				 "nothing from it for %" PRIu64 " ms",
				 (usec - n->last_rx) / USEC_PER_MSEC);
			k = n->conn;
			notice(t, i, false, why);
			n->conn = NULL;
			conn_drop(k, "silent");
		}
	}
	/* Handshakes that never end are dropped too. */
	for (k = t->conns; k; k = k->next)
		if (!k->dead && !k->ch.up && usec - k->started > dead +
		    5000 * USEC_PER_MSEC) {
			t->refused[-CHAN_E_AUTH]++;
			log_info("refused a connection from %s: no handshake within %" PRIu64 " ms",
				 k->addr, (usec - k->started) / USEC_PER_MSEC);
			conn_drop(k, "no handshake");
		}
	for (k = t->conns; k; k = next) {
		next = k->next;
		if (k->dead)
			conn_free(k);
		else if (k->node >= 0)
			conn_send(k, json_pack("{s:s}", "type", "heartbeat"));
	}
	ha_tick(t, usec);
	decide(t);
	return 0;
}

static int listen_on(struct ctl *t)
{
	const struct endpoint *ep = &t->c->listen;
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, fd;
	char a[EP_STRLEN];

	ep_sockaddr(ep, ep->port, &ss, &len);
	fd = socket(ep->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 64)) {
		log_info("cannot listen on %s: %s",
			 format_ep(ep, a, sizeof(a)), strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	t->lfd = fd;
	return 0;
}

/* Probes and selector for t->c; the active set kept if it still exists. */
static int setup_sets(struct ctl *t, const struct probes *old)
{
	const struct conf *c = t->c;
	struct cond conds[COND_SETS_MAX];
	uint64_t settle = 0;
	size_t i;

	if (dests_build(&t->d, c))
		return -1;
	if (probes_start_cb(&t->probes, t->ev, &t->d.pseudo, old,
			    on_dest_changed, t)) {
		dests_free(&t->d);
		return -1;
	}
	for (i = 0; i < c->npset && i < COND_SETS_MAX; i++)
		conds[i] = c->pset[i].cond;
	selector_init(&t->sel, conds, i, c->hold_down_ms);
	for (i = 0; i < c->npset && i < COND_SETS_MAX; i++)
		snprintf(t->sel.name[i], sizeof(t->sel.name[i]), "%s",
			 c->pset[i].name);
	/* Until every check had the time to say down, nothing is decided
	 * (a restart must not push the set of all-healthy guesses).
	 */
	for (i = 0; i < c->ncheck; i++) {
		/* The first probe within an interval, then fall (or rise)
		 * more, the last one's timeout, and an interval to spare.
		 */
		uint64_t s = (uint64_t)c->check[i].interval_ms *
			     ((c->check[i].fall > c->check[i].rise ?
			       c->check[i].fall : c->check[i].rise) + 2) +
			     c->check[i].timeout_ms;

		if (s > settle)
			settle = s;
	}
	if (!old)
		t->settle_until = now_usec(t) + settle * USEC_PER_MSEC;
	return 0;
}

/* --- the operator's socket ---------------------------------------------- */

/*
 * One request a connection, one JSON object a line: {"operator": SET,
 * "on": BOOL} sets the operator's condition of SET; {"status": true}
 * only asks.  The answer: {"ok": BOOL, "error": ..., "active": SET,
 * "generation": N, "reason": ..., "operator": [SET...]}.  The socket is
 * the owner's only (root).
 */
/*
 * The HA part of the status: the policy's generation and key id, the
 * barrier's bound and counters, and per HA node its state, and whether it
 * is synced (released: after how long, by a report or the bound) or
 * waiting (since how long, the peers its last report named).
 */
static json_t *ha_status(struct ctl *t)
{
	const struct barrier_stats *b = &t->bst;
	json_t *nodes = json_array(), *o, *peers;
	uint64_t now = now_usec(t);
	size_t i, j;

	for (i = 0; i < t->c->ha.nnode; i++) {
		const struct conf_ha_node *hn = &t->c->ha.node[i];
		const struct ctl_node *n = &t->node[hn->node];
		const struct barrier *br = &n->bar;

		o = json_pack("{s:s, s:I, s:s, s:s}", "name", n->name, "id",
			      (json_int_t)hn->id, "state", n->up ? "up" : "down",
			      "barrier", barrier_state_str(br));
		if (!o)
			continue;
		if (br->state == BARRIER_WAITING) {
			json_object_set_new(o, "synced", json_false());
			json_object_set_new(o, "waiting_ms", json_integer(
				(now - br->since) / USEC_PER_MSEC));
			peers = json_array();
			for (j = 0; br->reported && j < br->last.npeer; j++)
				json_array_append_new(peers,
					json_integer(br->last.peer[j]));
			json_object_set_new(o, "reported", json_boolean(br->reported));
			json_object_set_new(o, "not_synced_from", peers);
		} else if (br->state == BARRIER_RELEASED) {
			json_object_set_new(o, "synced", json_boolean(
				br->reported && br->last.synced));
			json_object_set_new(o, "released_after_ms",
					    json_integer(br->released_ms));
			json_object_set_new(o, "timed_out",
					    json_boolean(br->timed_out));
		}
		json_array_append_new(nodes, o);
	}
	return json_pack("{s:I, s:I, s:I, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}}",
		"generation", (json_int_t)t->ha_gen, "key_id",
		(json_int_t)t->keys.key_id, "sync_wait_ms",
		(json_int_t)t->c->ha.sync_wait_ms, "nodes", nodes, "barrier",
		"held", (json_int_t)b->waits, "released", (json_int_t)b->released,
		"timed_out", (json_int_t)b->timeouts, "cancelled",
		(json_int_t)b->cancelled, "reports", (json_int_t)b->reports,
		"stale", (json_int_t)b->stale, "not_up", (json_int_t)b->not_up,
		"last_ms", (json_int_t)b->last_ms, "max_ms",
		(json_int_t)b->max_ms);
}

static json_t *op_answer(struct ctl *t, json_t *req)
{
	const char *set = NULL, *err = NULL;
	json_t *ans, *on_list;
	int on = 0, status = 0;
	size_t i;

	if (!json_is_object(req) ||
	    json_unpack(req, "{s?:s, s?:b, s?:b}", "operator", &set, "on", &on,
			"status", &status) || (!set && !status))
		err = "a request is {\"operator\": SET, \"on\": true|false} or {\"status\": true}";
	else if (set && conf_pset_find(t->c, set) < 0)
		err = "no such policy set";
	else if (set && t->c->pset[conf_pset_find(t->c, set)].cond.kind !=
		 COND_OPERATOR)
		err = "that set's condition is not operator";
	else if (set) {
		log_info("the operator turns the condition of set %s %s",
			 set, on ? "on" : "off");
		ctl_operator(t, set, on);
	}
	on_list = json_array();
	for (i = 0; i < t->c->npset && i < COND_SETS_MAX; i++)
		if (t->operator_on[i])
			json_array_append_new(on_list,
					      json_string(t->c->pset[i].name));
	ans = json_pack("{s:b, s:s, s:I, s:s, s:o}", "ok", !err, "active",
			t->active >= 0 ? t->c->pset[t->active].name : "",
			"generation", (json_int_t)t->gen, "reason", t->reason,
			"operator", on_list);
	if (err && ans)
		json_object_set_new(ans, "error", json_string(err));
	if (t->c->ha.line && ans)
		json_object_set_new(ans, "ha", ha_status(t));
	return ans;
}

static int on_op(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct ctl *t = data;
	struct timeval tv = { .tv_sec = 1 };
	json_error_t e;
	json_t *req, *ans;
	char buf[1024], *out;
	ssize_t n;
	int cfd;

	(void)s;
	(void)revents;
	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0)
		return 0;
	/* A local client that writes its line at once: 1 s at most. */
	setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	n = recv(cfd, buf, sizeof(buf) - 1, 0);
	if (n > 0) {
		buf[n] = 0;
		req = json_loads(buf, JSON_REJECT_DUPLICATES, &e);
		ans = op_answer(t, req);
		json_decref(req);
		out = ans ? json_dumps(ans, JSON_COMPACT) : NULL;
		if (out && (send(cfd, out, strlen(out), MSG_NOSIGNAL) < 0 ||
			    send(cfd, "\n", 1, MSG_NOSIGNAL) < 0))
			log_info("the operator's client went away");
		free(out);
		json_decref(ans);
	}
	close(cfd);
	return 0;
}

static int op_listen(struct ctl *t, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd;

	if (!path || !*path)
		return 0;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_info("--control %s: path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	/* Its folder, if missing (systemd's RuntimeDirectory makes it). */
	{
		char dir[sizeof(sa.sun_path)], *slash;

		strcpy(dir, path);
		slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = 0;
			if (mkdir(dir, 0700) && errno != EEXIST)
				log_info("cannot make %s: %s", dir,
					 strerror(errno));
		}
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	unlink(path);	/* a previous run's */
	old = umask(077);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 8)) {
		umask(old);
		log_info("cannot listen on %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	umask(old);
	t->opfd = fd;
	snprintf(t->op_path, sizeof(t->op_path), "%s", path);
	if (sd_event_add_io(t->ev, &t->op, fd, EPOLLIN, on_op, t) < 0)
		return -1;
	return 0;
}

int ctl_request(const char *path, const char *request, char *answer,
		size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };
	ssize_t n, got = 0;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    send(fd, request, strlen(request), MSG_NOSIGNAL) < 0) {
		close(fd);
		return -1;
	}
	while ((size_t)got < len - 1 &&
	       (n = recv(fd, answer + got, len - 1 - got, 0)) > 0)
		got += n;
	close(fd);
	answer[got] = 0;
	return got > 0 ? 0 : -1;
}

struct ctl *ctl_start(sd_event *ev, const struct conf *c,
		      const char *state_file, const char *control)
{
	struct ctl *t = calloc(1, sizeof(*t));
	char err[512], set[CONF_SET_NAME_MAX], digest[PUSH_DIGEST_LEN];
	char a[EP_STRLEN];
	uint64_t gen;
	size_t i;
	int idx;

	if (!t) {
		log_info("out of memory");
		return NULL;
	}
	t->ev = ev;
	t->c = c;
	t->state_file = state_file;
	t->lfd = -1;
	t->opfd = -1;
	t->active = -1;
	t->started = now_usec(t);
	if (chan_tls_init(&t->tls, true, c->tls.ca, c->tls.cert, c->tls.key,
			  err, sizeof(err))) {
		log_info("%s", err);
		free(t);
		return NULL;
	}
	t->node = calloc(c->nnodes + 1, sizeof(*t->node));
	if (!t->node)
		goto fail;
	for (i = 0; i < c->nnodes; i++)
		snprintf(t->node[i].name, sizeof(t->node[i].name), "%s",
			 c->nodes[i]);
	t->nnode = c->nnodes;
	if (setup_sets(t, NULL))
		goto fail;
	/* The last run's set, if this file still has it as it was. */
	if (!state_load(t, set, &gen, digest)) {
		t->gen = gen;
		idx = set[0] ? conf_pset_find(c, set) : -1;
		if (idx >= 0) {
			char now[PUSH_DIGEST_LEN];

			if (!push_digest(c, &c->pset[idx], now) &&
			    !strcmp(now, digest)) {
				activate(t, idx, gen, "the set of the last run");
				t->sel.active = idx;
				log_info("set %s generation %" PRIu64 " from the last run (%s) until the checks have spoken",
					 set, gen, state_file);
			} else {
				log_info("set %s of the last run changed in the file: the next choice takes generation %" PRIu64,
					 set, gen + 1);
			}
		}
	}
	/* A new key: keys are never kept across restarts. */
	if (c->ha.line) {
		if (ha_new_key(&t->keys))
			goto fail;
		ha_arm(t);
		t->ha_removed = 0;
		push_ha(t, "start");
	} else if (t->ha_had) {
		remove_ha(t, "the last run had an ha section, this file has none");
	}
	if (op_listen(t, control) || listen_on(t) ||
	    sd_event_add_io(ev, &t->listen, t->lfd, EPOLLIN, on_accept, t) < 0 ||
	    sd_event_add_time(ev, &t->tick, CLOCK_MONOTONIC, now_usec(t),
			      TIMER_ACCURACY_USEC, on_tick, t) < 0 ||
	    sd_event_add_time(ev, &t->bar_timer, CLOCK_MONOTONIC, 0,
			      TIMER_ACCURACY_USEC, on_barrier_timer, t) < 0)
		goto fail;
	sd_event_source_set_enabled(t->bar_timer, SD_EVENT_OFF);
	log_info("controller %s listening on %s: %zu nodes, %zu policy sets, heartbeat %u ms, dead after %u ms, hold-down %u ms",
		 c->node, format_ep(&c->listen, a, sizeof(a)), c->nnodes,
		 c->npset, c->heartbeat_ms, c->dead_after_ms, c->hold_down_ms);
	return t;
fail:
	ctl_stop(t);
	return NULL;
}

/*
 * After a reload: a node held that is no longer in ha goes up to the
 * forwarders now (no barrier for it); one that is up and came into ha
 * counts as released (its up went to everyone); sync_wait may have
 * changed.
 */
static void ha_reload_barrier(struct ctl *t)
{
	size_t i;

	for (i = 0; i < t->nnode; i++) {
		struct ctl_node *n = &t->node[i];

		if (!ha_node(t, i)) {
			if (barrier_force(&n->bar, now_usec(t)))
				release(t, i, "no longer in the ha section (reload)");
			memset(&n->bar, 0, sizeof(n->bar));
		} else if (n->up && n->bar.state == BARRIER_DOWN) {
			n->bar.state = BARRIER_RELEASED;
			n->bar.fwd_up = true;
		}
	}
	barrier_arm(t);
}

int ctl_reload(struct ctl *t, struct conf *cur, struct conf *next)
{
	const struct conf *oldc = t->c, *c = next;
	struct probes oldp = t->probes;
	struct dests oldd = t->d;
	int active = t->active, idx = -1;
	struct ctl_node *node;
	char now[PUSH_DIGEST_LEN];
	struct ha_keys nk = { 0 };
	bool ha_changed = !conf_ha_same(&oldc->ha, &c->ha);
	bool ha_added = !oldc->ha.line && c->ha.line;
	bool rotation = oldc->ha.key_rotation_s != c->ha.key_rotation_s;
	size_t i;

	if (c->listen.family != oldc->listen.family ||
	    c->listen.port != oldc->listen.port ||
	    memcmp(c->listen.addr, oldc->listen.addr, 16) ||
	    strcmp(c->tls.ca, oldc->tls.ca) || strcmp(c->tls.cert, oldc->tls.cert) ||
	    strcmp(c->tls.key, oldc->tls.key)) {
		log_info("reload: listen and tls cannot change while running (restart svcgwd)");
		return -1;
	}
	/* Its key before anything changes: no key, no reload. */
	if (ha_added && ha_new_key(&nk))
		return -1;
	node = calloc(c->nnodes + 1, sizeof(*node));
	if (!node) {
		ha_keys_wipe(&nk);
		return -1;
	}
	t->c = c;
	if (setup_sets(t, &oldp)) {
		t->c = oldc;
		t->probes = oldp;
		t->d = oldd;
		free(node);
		ha_keys_wipe(&nk);
		return -1;
	}
	probes_stop(&oldp);
	dests_free(&oldd);
	/* Nodes that stay keep their connection and state. */
	for (i = 0; i < c->nnodes; i++) {
		int o = find_node(t, c->nodes[i]);

		if (o >= 0) {
			node[i] = t->node[o];
			t->node[o].conn = NULL;
		} else {
			snprintf(node[i].name, sizeof(node[i].name), "%s",
				 c->nodes[i]);
		}
	}
	for (i = 0; i < t->nnode; i++)
		if (t->node[i].conn)
			conn_drop(t->node[i].conn, "no longer a node of the file");
	free(t->node);
	t->node = node;
	t->nnode = c->nnodes;
	{
		struct ctl_conn *k;

		for (k = t->conns; k; k = k->next)
			if (!k->dead && k->node >= 0)
				k->node = find_node(t, k->ch.peer);
	}
	if (active >= 0)
		idx = conf_pset_find(c, oldc->pset[active].name);
	/* The new model where the old one was: what the sets, checks and
	 * nodes built above point to is in its arrays, which move with it.
	 */
	conf_free(cur);
	*cur = *next;
	memset(next, 0, sizeof(*next));
	t->c = c = cur;
	t->active = -1;
	if (idx >= 0) {
		t->sel.active = idx;
		t->sel.last_switch_ms = (now_usec(t) - t->started) / 1000;
		if (!push_digest(c, &c->pset[idx], now) &&
		    !strcmp(now, t->digest))
			activate(t, idx, t->gen, t->reason);
		else
			activate(t, idx, t->gen + 1, "the file was reloaded");
	}
	if (ha_added) {
		t->keys = nk;
		ha_keys_wipe(&nk);
		ha_arm(t);
		t->ha_removed = 0;
		push_ha(t, "the file was reloaded with an ha section");
	} else if (ha_changed && !c->ha.line) {
		ha_keys_wipe(&t->keys);
		t->rotate_at = t->drop_prev_at = 0;
		remove_ha(t, "the file was reloaded without an ha section");
	} else if (ha_changed) {
		if (rotation)
			ha_arm(t);
		push_ha(t, "the file was reloaded: its ha section changed");
	}
	ha_reload_barrier(t);
	decide(t);
	return 0;
}

int ctl_operator(struct ctl *t, const char *name, bool on)
{
	int idx = conf_pset_find(t->c, name);

	if (idx < 0 || idx >= COND_SETS_MAX)
		return -1;
	t->operator_on[idx] = on;
	state_save(t);
	decide(t);
	return 0;
}

void ctl_log_counters(const struct ctl *t)
{
	const struct barrier_stats *b = &t->bst;

	log_info("controller counters: %lu switches, %lu sets pushed, %lu applied, %lu unchanged, %lu refused by nodes, %lu node notices; connections refused: %lu not authenticated (%lu not a node), %lu replayed, %lu forged, %lu garbage, %lu truncated, %lu too long; HA: %lu policies sent, %lu installed, %lu unchanged, %lu not installed by nodes, %lu key rotations, %lu removals sent",
		 t->switches, t->pushes, t->applied, t->unchanged,
		 t->apply_refused, t->notices, t->refused[-CHAN_E_AUTH],
		 t->not_a_node, t->refused[-CHAN_E_REPLAY],
		 t->refused[-CHAN_E_FORGED], t->refused[-CHAN_E_GARBAGE],
		 t->refused[-CHAN_E_TRUNCATED], t->refused[-CHAN_E_TOOBIG],
		 t->ha_pushes, t->ha_applied, t->ha_unchanged, t->ha_refused,
		 t->rotations, t->ha_removals);
	log_info("barrier counters: %lu ups held, %lu released synced, %lu released by sync_wait (timed out), %lu ended by a down; %lu ha_synced reports, %lu stale, %lu from nodes down; hello to release: last %" PRIu64 " ms, longest %" PRIu64 " ms",
		 b->waits, b->released, b->timeouts, b->cancelled, b->reports,
		 b->stale, b->not_up, b->last_ms, b->max_ms);
}

void ctl_stop(struct ctl *t)
{
	if (!t)
		return;
	while (t->conns)
		conn_free(t->conns);
	probes_stop(&t->probes);
	dests_free(&t->d);
	sd_event_source_disable_unref(t->listen);
	sd_event_source_disable_unref(t->tick);
	sd_event_source_disable_unref(t->bar_timer);
	sd_event_source_disable_unref(t->op);
	if (t->opfd >= 0) {
		close(t->opfd);
		unlink(t->op_path);
	}
	if (t->lfd >= 0)
		close(t->lfd);
	chan_tls_free(&t->tls);
	ha_keys_wipe(&t->keys);
	free(t->node);
	free(t->text);
	free(t);
}
